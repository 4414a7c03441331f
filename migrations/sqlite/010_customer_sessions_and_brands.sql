-- 010: customers sign in to the dashboard, under their reseller's brand (issue 13 item 4,
-- SPEC section 8).
-- A customer's session version, as resellers' (004): a dashboard cookie carries it, and sign-out,
-- `customer set-key` and `customer disable` bump it, so every cookie issued before stops at once,
-- in every process (re-enabling does not bring old sessions back).
ALTER TABLE customers ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
-- `reseller set-brand`: the name and accent colour (#rrggbb) its customers' dashboards show.
-- Both NULL, or both set (the CLI writes them together).
ALTER TABLE resellers ADD COLUMN brand_name TEXT;
ALTER TABLE resellers ADD COLUMN brand_color TEXT;
