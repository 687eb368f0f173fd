-- Fewer B-trees written by every message. Each B-tree a transaction touches costs at least one
-- WAL frame (4 KiB, written and synced) per commit, and SQLite rebalances an index's leaf with
-- two of its siblings whenever it fills: the relay's WAL, read frame by frame, showed about 13
-- frames per commit spent on the ten B-trees a message touched, against ~5 for its own pages.
--
-- 1. The raw email moves into its message's row, as its last column (reading the other
--    columns never reaches its overflow pages): `email_originals` was a table and its key's
--    index, two more B-trees per emailed message. The price: marking a message read rewrites
--    its row, raw email included, once.
ALTER TABLE messages ADD COLUMN email_raw BLOB;
UPDATE messages
   SET email_raw = (SELECT raw FROM email_originals o WHERE o.message_id = messages.id)
 WHERE id IN (SELECT message_id FROM email_originals);
DROP TABLE email_originals;

-- 2. The history is keyed by what reads it, (request, time, id), without a rowid: the history
--    of a request is one range of the table, and `events_request_idx` (a second B-tree per
--    event) goes. Events are read by request and by dedupe key only; ids are UUID v7, unique
--    as generated, and nothing references them.
CREATE TABLE events_by_request (
    id          TEXT NOT NULL,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    party_id    TEXT REFERENCES organizations (id),
    kind        TEXT NOT NULL,
    audience    TEXT NOT NULL CONSTRAINT events_audience_check
                CHECK (audience IN ('party', 'party_and_buyer', 'sellers', 'everyone')),
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT,
    actor_name  TEXT NOT NULL,
    data        TEXT NOT NULL,
    dedupe_key  TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (request_id, created_at, id)
) WITHOUT ROWID;
INSERT INTO events_by_request (id, request_id, party_id, kind, audience, actor_kind, actor_id,
        actor_name, data, dedupe_key, created_at)
    SELECT id, request_id, party_id, kind, audience, actor_kind, actor_id, actor_name, data,
        dedupe_key, created_at
    FROM events;
DROP TABLE events;
ALTER TABLE events_by_request RENAME TO events;
CREATE UNIQUE INDEX events_dedupe_key ON events (dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
