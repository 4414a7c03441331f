-- 002: a lookup digest of each reseller's api_key, so the v3 API can find a reseller from a
-- Bearer key alone without running scrypt against every reseller. The digest only selects the
-- candidate; its scrypt hash (key_salt, key_hash) is still what proves the key. NULL for
-- resellers created before this migration until their next successful v1/webhook
-- authentication fills it. Unique: a Bearer key must name exactly one reseller.
ALTER TABLE resellers ADD COLUMN key_digest BLOB;
CREATE UNIQUE INDEX resellers_key_digest ON resellers (key_digest);
