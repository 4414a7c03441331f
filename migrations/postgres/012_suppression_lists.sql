-- 012: suppression lists derived from ingested events (SPEC section 9, issue 14 item 3). One row
-- per customer, list and address; `created` is when the address was last added and
-- `first_added` when it was first added since it was last deleted (unix seconds, the events' own
-- times). Written in the same transaction as the rollups, only for events not deduplicated.
-- `list` is one of bounces, blocks, spam_reports, invalid_emails, unsubscribes (domain/suppression.ts).
-- COLLATE "C": byte order, as SQLite compares, so keyset paging and prefix ranges agree.
CREATE TABLE suppressions (
  customer_id BIGINT NOT NULL,
  list TEXT COLLATE "C" NOT NULL,
  email TEXT COLLATE "C" NOT NULL,
  status TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  first_added BIGINT NOT NULL,
  created BIGINT NOT NULL,
  PRIMARY KEY (customer_id, list, email)
);

-- Keyset paging newest first (and the created time filters) without sorting.
CREATE INDEX suppressions_by_created ON suppressions (customer_id, list, created, email);
