-- 003: signed Event Webhook and retention.
-- A customer's Event Webhook verification key (ECDSA P-256 public key, PEM); NULL = unsigned.
ALTER TABLE customers ADD COLUMN webhook_key TEXT;

-- Pruning finds expired deduplication state by arrival time, customer by customer.
CREATE INDEX event_fingerprints_by_arrival ON event_fingerprints (customer_id, received_at);
CREATE INDEX first_seen_by_arrival ON first_seen (customer_id, received_at);
