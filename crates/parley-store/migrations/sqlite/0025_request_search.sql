-- Search in My results (issue "Scale"): the words each request is found by (the buyer's name,
-- company and address, the product's name and reference, the request's text), folded by the
-- application (`parley_domain::search`) so both backends match alike, in a full-text index:
-- FTS5 here, without a copy of the text (contentless), deletable. Its rows are keyed by
-- `requests.words_key`, not by the requests' own rowids, which VACUUM may renumber.
CREATE VIRTUAL TABLE request_words USING fts5(
    words, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');
ALTER TABLE requests ADD COLUMN words_key BIGINT;
CREATE UNIQUE INDEX requests_words_key_idx ON requests (words_key);
-- Requests made before this migration are indexed when the store next opens (folding needs
-- the application); this row says they are still to do.
CREATE TABLE request_words_backfill (pending INTEGER NOT NULL);
INSERT INTO request_words_backfill (pending) SELECT 1 WHERE EXISTS (SELECT 1 FROM requests);
