-- Events are read by request, in order (and "once per viewer" ones by their dedupe key), never
-- by their id alone: the primary key becomes the request's order, as SQLite's has been since
-- 0013, and the index on the id alone goes — one B-tree fewer to write per event, 205 bytes a
-- request fewer at a million (issue "Scale", docs/PERFORMANCE.md, Storage).
ALTER TABLE events DROP CONSTRAINT events_pkey;
DROP INDEX events_request_idx;
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (request_id, created_at, id);
