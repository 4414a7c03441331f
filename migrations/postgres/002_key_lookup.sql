-- 002: the same as migrations/sqlite/002_key_lookup.sql — a lookup digest of each reseller's
-- api_key for the v3 API's Bearer authentication. It only finds the candidate reseller; the
-- scrypt hash still proves the key. NULL until set by `reseller add` or filled on the next
-- successful v1/webhook authentication. Unique (NULLs excepted): one key, one reseller.
ALTER TABLE resellers ADD COLUMN key_digest BYTEA;
CREATE UNIQUE INDEX resellers_key_digest ON resellers (key_digest);
