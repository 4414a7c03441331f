-- 008: the split of the daily rollups by provider (issue 12 item 6): one row per customer, day and
-- provider (`sendgrid` for /webhooks/events, /webhooks/sendgrid and `events import` without
-- --provider), bumped in the same transaction as daily_stats, so the providers of a day add up to
-- its daily_stats row. Rows already rolled up before this migration came through the SendGrid
-- path (provider webhooks are new in the same release), so they are carried over as `sendgrid`.
CREATE TABLE provider_daily_stats (
  customer_id BIGINT NOT NULL,
  day INTEGER NOT NULL,
  provider TEXT COLLATE "C" NOT NULL,
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
  PRIMARY KEY (customer_id, day, provider)
);

INSERT INTO provider_daily_stats (customer_id, day, provider, requests, processed, delivered, deferred, bounces, blocks, opens, machine_opens, unique_opens, clicks, unique_clicks, spamreports, unsubscribes, repeat_bounces, repeat_unsubscribes, repeat_spamreports, invalid_email, spam_drop)
  SELECT customer_id, day, 'sendgrid', requests, processed, delivered, deferred, bounces, blocks, opens, machine_opens, unique_opens, clicks, unique_clicks, spamreports, unsubscribes, repeat_bounces, repeat_unsubscribes, repeat_spamreports, invalid_email, spam_drop FROM daily_stats;
