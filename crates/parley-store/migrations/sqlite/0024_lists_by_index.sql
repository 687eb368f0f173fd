-- My results at a million requests (issue "Scale"). A party's list was the join of its
-- threads with their requests, sorted by the request's time: every page read and sorted all
-- of the party's threads. The thread now carries what the list sorts and filters by (copied
-- from its request, which never changes them) and its status (computed by the database from
-- the thread's own columns, so no write path can forget it), and each list reads one index
-- range, newest first.
ALTER TABLE threads ADD COLUMN request_created_at BIGINT;
ALTER TABLE threads ADD COLUMN marketplace_id TEXT;
ALTER TABLE threads ADD COLUMN product_id TEXT;
ALTER TABLE threads ADD COLUMN buyer_country TEXT;
UPDATE threads SET
    request_created_at = (SELECT r.created_at FROM requests r WHERE r.id = threads.request_id),
    marketplace_id = (SELECT r.marketplace_id FROM requests r WHERE r.id = threads.request_id),
    product_id = (SELECT r.product_id FROM requests r WHERE r.id = threads.request_id),
    buyer_country = (SELECT r.buyer_country FROM requests r WHERE r.id = threads.request_id);
ALTER TABLE threads ADD COLUMN party_status TEXT GENERATED ALWAYS AS (
    CASE WHEN outcome IS NOT NULL THEN outcome
         WHEN declined_at IS NOT NULL AND decline_reason = 'spam' THEN 'spam'
         WHEN declined_at IS NOT NULL THEN 'declined'
         WHEN contacted_at IS NOT NULL THEN 'answered'
         ELSE 'new' END) VIRTUAL;

DROP INDEX threads_organization_idx;
CREATE INDEX threads_list_idx ON threads (organization_id, request_created_at, request_id);
CREATE INDEX threads_list_status_idx
    ON threads (organization_id, party_status, request_created_at, request_id);
CREATE INDEX threads_list_country_idx
    ON threads (organization_id, buyer_country, request_created_at, request_id);
-- Country with status, the combination sellers use most after status with dates: neither
-- index alone finds a rare pair without walking one of them.
CREATE INDEX threads_list_country_status_idx
    ON threads (organization_id, buyer_country, party_status, request_created_at, request_id);
CREATE INDEX threads_list_product_idx
    ON threads (organization_id, product_id, request_created_at, request_id);
CREATE INDEX threads_list_marketplace_idx
    ON threads (organization_id, marketplace_id, request_created_at, request_id);
