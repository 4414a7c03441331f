-- 009: the same as migrations/sqlite/009_customer_accounts.sql — a customer's own api_key
-- (scrypt hash, per-key salt, Bearer lookup digest, unique) and its disabled flag.
ALTER TABLE customers ADD COLUMN key_salt BYTEA;
ALTER TABLE customers ADD COLUMN key_hash BYTEA;
ALTER TABLE customers ADD COLUMN key_digest BYTEA;
ALTER TABLE customers ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX customers_key_digest ON customers (key_digest);
