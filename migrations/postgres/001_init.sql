-- 001: the whole seed schema, the same tables and keys as migrations/sqlite/001_init.sql.
-- Every key and index of customer data leads with customer_id, so these tables can be
-- distributed by customer (Citus: create_distributed_table(..., 'customer_id')); resellers and
-- customers are small and would be reference tables. Category names use the "C" collation so
-- the category list is in binary order, as on SQLite.

CREATE TABLE resellers (
  id BIGSERIAL PRIMARY KEY,
  api_user TEXT NOT NULL UNIQUE,
  key_salt BYTEA NOT NULL,
  key_hash BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE customers (
  id BIGSERIAL PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  reseller_id BIGINT NOT NULL REFERENCES resellers (id),
  timezone TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE event_fingerprints (
  customer_id BIGINT NOT NULL,
  fingerprint BYTEA NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, fingerprint)
);

CREATE TABLE first_seen (
  customer_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  message BYTEA NOT NULL,
  ts BIGINT NOT NULL,
  day INTEGER NOT NULL,
  categories TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, kind, message)
);

CREATE TABLE daily_stats (
  customer_id BIGINT NOT NULL,
  day INTEGER NOT NULL,
  requests BIGINT NOT NULL DEFAULT 0,
  processed BIGINT NOT NULL DEFAULT 0,
  delivered BIGINT NOT NULL DEFAULT 0,
  deferred BIGINT NOT NULL DEFAULT 0,
  bounces BIGINT NOT NULL DEFAULT 0,
  blocks BIGINT NOT NULL DEFAULT 0,
  opens BIGINT NOT NULL DEFAULT 0,
  machine_opens BIGINT NOT NULL DEFAULT 0,
  unique_opens BIGINT NOT NULL DEFAULT 0,
  clicks BIGINT NOT NULL DEFAULT 0,
  unique_clicks BIGINT NOT NULL DEFAULT 0,
  spamreports BIGINT NOT NULL DEFAULT 0,
  unsubscribes BIGINT NOT NULL DEFAULT 0,
  repeat_bounces BIGINT NOT NULL DEFAULT 0,
  repeat_unsubscribes BIGINT NOT NULL DEFAULT 0,
  repeat_spamreports BIGINT NOT NULL DEFAULT 0,
  invalid_email BIGINT NOT NULL DEFAULT 0,
  spam_drop BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (customer_id, day)
);

CREATE TABLE category_daily_stats (
  customer_id BIGINT NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  day INTEGER NOT NULL,
  requests BIGINT NOT NULL DEFAULT 0,
  processed BIGINT NOT NULL DEFAULT 0,
  delivered BIGINT NOT NULL DEFAULT 0,
  deferred BIGINT NOT NULL DEFAULT 0,
  bounces BIGINT NOT NULL DEFAULT 0,
  blocks BIGINT NOT NULL DEFAULT 0,
  opens BIGINT NOT NULL DEFAULT 0,
  machine_opens BIGINT NOT NULL DEFAULT 0,
  unique_opens BIGINT NOT NULL DEFAULT 0,
  clicks BIGINT NOT NULL DEFAULT 0,
  unique_clicks BIGINT NOT NULL DEFAULT 0,
  spamreports BIGINT NOT NULL DEFAULT 0,
  unsubscribes BIGINT NOT NULL DEFAULT 0,
  repeat_bounces BIGINT NOT NULL DEFAULT 0,
  repeat_unsubscribes BIGINT NOT NULL DEFAULT 0,
  repeat_spamreports BIGINT NOT NULL DEFAULT 0,
  invalid_email BIGINT NOT NULL DEFAULT 0,
  spam_drop BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (customer_id, category, day)
);

CREATE TABLE customer_categories (
  customer_id BIGINT NOT NULL,
  category TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (customer_id, category)
);

CREATE TABLE quarantine (
  customer_id BIGINT NOT NULL,
  id BIGSERIAL,
  received_at BIGINT NOT NULL,
  batch_index INTEGER NOT NULL,
  reason TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (customer_id, id)
);
