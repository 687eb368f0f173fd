-- A counter every change to who may see what moves forward, in the transaction that makes the
-- change: the direct readers keep each request's access (request, threads, parties, grants)
-- in memory while the counter stands still (see `access_cache`). Maintained by triggers, not
-- by the application, so no write path can forget it and another process's writes count too.
-- (A new request or organization cannot change an access already read: their inserts do
-- not count.) PostgreSQL reads the access fresh each time and has no counter.
CREATE TABLE access_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO access_generation (id, value) VALUES (1, 0);

CREATE TRIGGER access_on_request_update AFTER UPDATE ON requests
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_on_request_delete AFTER DELETE ON requests
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER access_on_thread_insert AFTER INSERT ON threads
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_on_thread_update AFTER UPDATE ON threads
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_on_thread_delete AFTER DELETE ON threads
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER access_on_organization_update AFTER UPDATE ON organizations
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_on_organization_delete AFTER DELETE ON organizations
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER access_on_grant_insert AFTER INSERT ON grants
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_on_grant_update AFTER UPDATE ON grants
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER access_on_grant_delete AFTER DELETE ON grants
BEGIN UPDATE access_generation SET value = value + 1 WHERE id = 1; END;
