-- 014: one version number per customer, bumped in the same transaction as every change to that
-- customer's rollups (daily, category, category list). Server processes keep the customer's
-- rollups in memory (src/store/pgReadModel.ts) and compare this number before answering from
-- them, so a commit by any process is seen by every other one on its next read. A customer
-- without a row is at version 0 (no rollup change since this migration). Increments only,
-- under the row lock, so the number never goes back while the row exists; a purge deletes the
-- row together with the customer, whose id is never reused.
CREATE TABLE rollup_versions (
  customer_id BIGINT PRIMARY KEY,
  version BIGINT NOT NULL
);
