-- 011: provisioning customers over HTTP (issue 14, SPEC section 9).
-- `deleted_at` (unix ms): distributor.delete / DELETE /v3/subusers. The row stays so the
-- username stays reserved (UNIQUE) and the statistics stay until `customer purge` deletes it.
ALTER TABLE customers ADD COLUMN deleted_at INTEGER;
-- The reseller's customer list, paged by username (keyset / indexed offset).
CREATE INDEX customers_reseller_username ON customers (reseller_id, username);
-- The profile fields of distributor.add (personal data: removed with the customer row by the
-- cascade, so `customer purge` needs to know nothing of this table). Absent for customers
-- created by the CLI or without profile fields; every value is the text the reseller sent.
CREATE TABLE customer_profiles (
  customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
  email TEXT NOT NULL DEFAULT '',
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT '',
  zip TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  website TEXT NOT NULL DEFAULT '',
  company TEXT NOT NULL DEFAULT '',
  package TEXT NOT NULL DEFAULT '',
  whitelabel TEXT NOT NULL DEFAULT '',
  free_user TEXT NOT NULL DEFAULT '',
  billing_date TEXT NOT NULL DEFAULT ''
);
