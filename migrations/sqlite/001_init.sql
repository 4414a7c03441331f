-- 001: the whole seed schema. Every key leads with the customer: rows of one customer sit
-- together, and the layout can later be distributed by customer.

CREATE TABLE resellers (
  id INTEGER PRIMARY KEY,
  api_user TEXT NOT NULL UNIQUE,
  key_salt BLOB NOT NULL,
  key_hash BLOB NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  reseller_id INTEGER NOT NULL REFERENCES resellers (id),
  timezone TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Deduplication: one row per applied event (16-byte hash of its identifying fields).
CREATE TABLE event_fingerprints (
  customer_id INTEGER NOT NULL,
  fingerprint BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (customer_id, fingerprint)
) WITHOUT ROWID;

-- Earliest open / click of each message, deciding unique_opens / unique_clicks.
CREATE TABLE first_seen (
  customer_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  message BLOB NOT NULL,
  ts INTEGER NOT NULL,
  day INTEGER NOT NULL,
  categories TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (customer_id, kind, message)
) WITHOUT ROWID;

-- Daily rollups; day is the epoch day in the customer's time zone.
CREATE TABLE daily_stats (
  customer_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  requests INTEGER NOT NULL DEFAULT 0,
  processed INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  deferred INTEGER NOT NULL DEFAULT 0,
  bounces INTEGER NOT NULL DEFAULT 0,
  blocks INTEGER NOT NULL DEFAULT 0,
  opens INTEGER NOT NULL DEFAULT 0,
  machine_opens INTEGER NOT NULL DEFAULT 0,
  unique_opens INTEGER NOT NULL DEFAULT 0,
  clicks INTEGER NOT NULL DEFAULT 0,
  unique_clicks INTEGER NOT NULL DEFAULT 0,
  spamreports INTEGER NOT NULL DEFAULT 0,
  unsubscribes INTEGER NOT NULL DEFAULT 0,
  repeat_bounces INTEGER NOT NULL DEFAULT 0,
  repeat_unsubscribes INTEGER NOT NULL DEFAULT 0,
  repeat_spamreports INTEGER NOT NULL DEFAULT 0,
  invalid_email INTEGER NOT NULL DEFAULT 0,
  spam_drop INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (customer_id, day)
) WITHOUT ROWID;

CREATE TABLE category_daily_stats (
  customer_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  day INTEGER NOT NULL,
  requests INTEGER NOT NULL DEFAULT 0,
  processed INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  deferred INTEGER NOT NULL DEFAULT 0,
  bounces INTEGER NOT NULL DEFAULT 0,
  blocks INTEGER NOT NULL DEFAULT 0,
  opens INTEGER NOT NULL DEFAULT 0,
  machine_opens INTEGER NOT NULL DEFAULT 0,
  unique_opens INTEGER NOT NULL DEFAULT 0,
  clicks INTEGER NOT NULL DEFAULT 0,
  unique_clicks INTEGER NOT NULL DEFAULT 0,
  spamreports INTEGER NOT NULL DEFAULT 0,
  unsubscribes INTEGER NOT NULL DEFAULT 0,
  repeat_bounces INTEGER NOT NULL DEFAULT 0,
  repeat_unsubscribes INTEGER NOT NULL DEFAULT 0,
  repeat_spamreports INTEGER NOT NULL DEFAULT 0,
  invalid_email INTEGER NOT NULL DEFAULT 0,
  spam_drop INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (customer_id, category, day)
) WITHOUT ROWID;

CREATE TABLE customer_categories (
  customer_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  PRIMARY KEY (customer_id, category)
) WITHOUT ROWID;

-- Rejected events, kept with the reason so they can be inspected and re-applied.
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  batch_index INTEGER NOT NULL,
  reason TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX quarantine_by_customer ON quarantine (customer_id, id);
