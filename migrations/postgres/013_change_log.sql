-- 013: SQLite only (its change counters, migrations/sqlite/013_change_log.sql). A PostgreSQL
-- reader learns that a customer's rollups changed from rollup_versions (014) instead. Kept as a
-- number here so both dialects stay at the same schema version.
SELECT 1;
