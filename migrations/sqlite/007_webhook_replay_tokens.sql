-- 007: one-time tokens of signed webhooks (Mailgun's signature.token) with a hash of the body
-- they came with: the same token with another body is a replay, with the same body a retry.
-- Kept for the retention window, like the deduplication fingerprints.
CREATE TABLE webhook_replay_tokens (
  customer_id INTEGER NOT NULL,
  provider TEXT NOT NULL,
  token TEXT NOT NULL,
  body_hash BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (customer_id, provider, token)
);
CREATE INDEX webhook_replay_tokens_by_arrival ON webhook_replay_tokens (customer_id, received_at);
