-- 004: server-side ends of dashboard sessions.
-- A session cookie carries the account's session version at sign-in; sign-out and key rotation
-- bump it, so every cookie issued before stops working, in every process. A column on the
-- account's own table: the check rides the lookup a dashboard request already makes, and
-- customers, when they get dashboard accounts, get the same column.
ALTER TABLE resellers ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
