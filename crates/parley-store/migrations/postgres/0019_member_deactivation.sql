-- A member taken out of their organization: sessions, tokens and masked addresses end at
-- once; the row stays so their name stays on what they wrote.
ALTER TABLE members ADD COLUMN deactivated_at BIGINT;
