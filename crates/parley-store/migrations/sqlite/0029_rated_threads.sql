-- The threads a manufacturer's ratings count, marked (issue "Scale", ratings summed in full at
-- a million requests: 2.4–3.5 s joining each of the manufacturer's threads to the request's
-- other threads and sorting the result by party). `rated_for` is the request's manufacturer on
-- the thread its ratings count — another party's thread, or the manufacturer's own while no
-- other party has one — and NULL on the manufacturer's thread once another party's exists.
-- Threads are never deleted; `requests::insert_thread` keeps the mark (a new party's thread
-- takes it from the manufacturer's). The index reads a manufacturer's rated threads party by
-- party, in the order the sum groups them: no join, no sort.
ALTER TABLE threads ADD COLUMN rated_for TEXT;
UPDATE threads SET rated_for = (SELECT r.manufacturer_id FROM requests r WHERE r.id = threads.request_id)
WHERE organization_id <> (SELECT r.manufacturer_id FROM requests r WHERE r.id = threads.request_id)
   OR NOT EXISTS (SELECT 1 FROM threads x WHERE x.request_id = threads.request_id
                  AND x.organization_id <> threads.organization_id);
-- On SQLite the index also holds what the sum reads, so that the rows are not read at all
-- (0.54–0.67 s instead of 1.1–1.7 s at a million, for 17 more bytes a request; PostgreSQL reads
-- the rows, 0.6–0.9 s, its index-only scans depending on vacuum's visibility map).
CREATE INDEX threads_rated_idx ON threads (rated_for, organization_id, request_created_at,
    created_at, contacted_at, declined_at, decline_reason, outcome)
    WHERE rated_for IS NOT NULL;
