-- 009: customers as accounts (issue 13, SPEC section 8). A customer's own api_key, stored as a
-- reseller's is: scrypt hash under a per-key salt, plus the lookup digest that lets a v3 Bearer
-- key find its account (unique: one key, one customer). NULL until `customer set-key`.
-- `disabled`: its credentials stop working at once; its events are still counted.
ALTER TABLE customers ADD COLUMN key_salt BLOB;
ALTER TABLE customers ADD COLUMN key_hash BLOB;
ALTER TABLE customers ADD COLUMN key_digest BLOB;
ALTER TABLE customers ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX customers_key_digest ON customers (key_digest);
