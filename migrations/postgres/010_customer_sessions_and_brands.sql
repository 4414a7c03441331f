-- 010: the same as migrations/sqlite/010_customer_sessions_and_brands.sql — a customer's
-- dashboard session version (bumped by sign-out, set-key and disable) and a reseller's brand
-- (name and #rrggbb accent colour, both NULL or both set).
ALTER TABLE customers ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resellers ADD COLUMN brand_name TEXT;
ALTER TABLE resellers ADD COLUMN brand_color TEXT;
