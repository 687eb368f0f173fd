-- The history's table, keyed by its id (a UUID v7, so in time order) and without a rowid: a
-- rowid table kept the id in a second B-tree. And "once per viewer" events alone have a
-- dedupe key: the UNIQUE constraint indexed every other event's NULL (every message's "sent"
-- event), now a partial unique index skips them. Two fewer B-trees written per event (the
-- relay's WAL showed them in every commit). SQLite cannot drop a constraint: the table is
-- rebuilt (nothing references it), its triggers and index made again.
CREATE TABLE events_keyed (
    id          TEXT PRIMARY KEY,
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
    created_at  BIGINT NOT NULL
) WITHOUT ROWID;
INSERT INTO events_keyed (id, request_id, party_id, kind, audience, actor_kind, actor_id,
        actor_name, data, dedupe_key, created_at)
    SELECT id, request_id, party_id, kind, audience, actor_kind, actor_id, actor_name, data,
        dedupe_key, created_at
    FROM events;
DROP TABLE events;
ALTER TABLE events_keyed RENAME TO events;
CREATE UNIQUE INDEX events_dedupe_key ON events (dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX events_request_idx ON events (request_id, created_at, id);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
