-- Numbered alike with PostgreSQL's 0030, which keys events by (request_id, created_at, id):
-- SQLite's events have been a table WITHOUT ROWID with that key since 0013.
SELECT 1;
