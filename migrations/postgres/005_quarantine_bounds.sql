-- 005: a bounded, idempotent quarantine.
-- SHA-256 of the whole payload as received: a retried or replayed batch does not quarantine the
-- same item twice. NULL for rows from before this migration (NULLs never clash).
ALTER TABLE quarantine ADD COLUMN payload_hash BYTEA;
CREATE UNIQUE INDEX quarantine_by_payload ON quarantine (customer_id, payload_hash);
-- Pruning by age, customer by customer.
CREATE INDEX quarantine_by_arrival ON quarantine (customer_id, received_at);
