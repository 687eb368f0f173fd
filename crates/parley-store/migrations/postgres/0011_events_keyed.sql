-- "Once per viewer" events alone have a dedupe key: the UNIQUE constraint indexed every other
-- event's NULL (every message's "sent" event); a partial unique index, of the same name (the
-- store maps it to the same error), skips them. (SQLite also drops its rowid B-tree here.)
ALTER TABLE events DROP CONSTRAINT events_dedupe_key;
CREATE UNIQUE INDEX events_dedupe_key ON events (dedupe_key) WHERE dedupe_key IS NOT NULL;
