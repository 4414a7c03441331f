-- 014: PostgreSQL only (rollup_versions, migrations/postgres/014_rollup_versions.sql). SQLite
-- readers learn what changed from the change counters of 013. Kept as a number here so both
-- dialects stay at the same schema version.
SELECT 1;
