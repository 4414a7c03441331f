-- 006: per-provider webhook signing keys (issue 12). SendGrid's key stays in customers.webhook_key;
-- one row per customer and other provider (mailgun, resend, postal, ...) that signs its webhooks.
CREATE TABLE provider_webhook_keys (
  customer_id INTEGER NOT NULL,
  provider TEXT NOT NULL,
  signing_key TEXT NOT NULL,
  PRIMARY KEY (customer_id, provider)
);
