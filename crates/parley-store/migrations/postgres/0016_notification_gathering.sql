-- Notifications of new messages to one recipient in one conversation are gathered: the first is
-- sent at once, later ones within two minutes wait for one digest (see the app's `relay`).
-- `gather_key` names the recipient and conversation; the digest is the waiting row.
ALTER TABLE outbox ADD COLUMN gather_key TEXT;
ALTER TABLE outbox ADD COLUMN gathered BIGINT NOT NULL DEFAULT 1;
CREATE INDEX outbox_gather_idx ON outbox (gather_key, created_at) WHERE gather_key IS NOT NULL;
