-- A mail's delivery state changes two or three times (claimed, then delivered or failed);
-- its bodies never do. An UPDATE rewrites the whole row (in SQLite, overflow pages included;
-- in PostgreSQL, a new tuple), so the bodies, most of a mail's bytes, move to a table of
-- their own, written once.
CREATE TABLE outbox_bodies (
    mail_id   TEXT PRIMARY KEY REFERENCES outbox (id),
    text_body TEXT NOT NULL,
    html_body TEXT
);
INSERT INTO outbox_bodies (mail_id, text_body, html_body)
    SELECT id, text_body, html_body FROM outbox;
ALTER TABLE outbox DROP COLUMN text_body;
ALTER TABLE outbox DROP COLUMN html_body;
