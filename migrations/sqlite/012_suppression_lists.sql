-- 012: suppression lists derived from ingested events (SPEC section 9, issue 14 item 3). One row
-- per customer, list and address; `created` is when the address was last added and
-- `first_added` when it was first added since it was last deleted (unix seconds, the events' own
-- times). Written in the same transaction as the rollups, only for events not deduplicated.
-- `list` is one of bounces, blocks, spam_reports, invalid_emails, unsubscribes (domain/suppression.ts).
CREATE TABLE suppressions (
  customer_id INTEGER NOT NULL,
  list TEXT NOT NULL,
  email TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  first_added INTEGER NOT NULL,
  created INTEGER NOT NULL,
  PRIMARY KEY (customer_id, list, email)
) WITHOUT ROWID;

-- Keyset paging newest first (and the created time filters) without sorting.
CREATE INDEX suppressions_by_created ON suppressions (customer_id, list, created, email);
