-- Search in My results (issue "Scale"): the words each request is found by (the buyer's name,
-- company and address, the product's name and reference, the request's text), folded by the
-- application (`parley_domain::search`) so both backends match alike, in a full-text index
-- (a tsvector of the 'simple' configuration: the words are already folded). Keyed like
-- SQLite's FTS5 table (`rowid`, `requests.words_key`) so the queries read the same.
CREATE SEQUENCE requests_words_key_seq;
ALTER TABLE requests ADD COLUMN words_key BIGINT;
CREATE UNIQUE INDEX requests_words_key_idx ON requests (words_key);
CREATE TABLE request_words (
    rowid BIGINT PRIMARY KEY,
    words tsvector NOT NULL
);
CREATE INDEX request_words_idx ON request_words USING gin (words);
-- Requests made before this migration are indexed when the store next opens (folding needs
-- the application); this row says they are still to do.
CREATE TABLE request_words_backfill (pending INTEGER NOT NULL);
INSERT INTO request_words_backfill (pending) SELECT 1 WHERE EXISTS (SELECT 1 FROM requests);
-- Statistics on many more words than the default: a word the statistics do not list is then
-- estimated as rare, and the planner reads it from the GIN index (20 ms for a word in no
-- request at a million) instead of walking the keys newest first hoping to meet it (580 ms).
ALTER TABLE request_words ALTER COLUMN words SET STATISTICS 10000;
