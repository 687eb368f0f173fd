-- Smaller indexes (issue "Scale", storage: bytes a request, measured with `dbstat` on
-- generated data). The six list indexes of migration 0024, and a buyer's, lose their trailing
-- request id: a third of each entry (~37 of ~86 bytes), ~380 bytes a request together. The id
-- only broke ties between requests received in the same millisecond; such ties now sort after
-- the index range is read (a few rows at most). A thread's messages are read whole and sorted
-- with their documents: their index needs no id either. SQLite reads each range by the time alone
-- (from the row value `(at, id) < (…)`), PostgreSQL by the bound `at <= …` the list adds for
-- it (see `parley-store/src/lists.rs`).
DROP INDEX threads_list_idx;
DROP INDEX threads_list_status_idx;
DROP INDEX threads_list_country_idx;
DROP INDEX threads_list_country_status_idx;
DROP INDEX threads_list_product_idx;
DROP INDEX threads_list_marketplace_idx;
CREATE INDEX threads_list_idx ON threads (organization_id, request_created_at);
CREATE INDEX threads_list_status_idx
    ON threads (organization_id, party_status, request_created_at);
CREATE INDEX threads_list_country_idx
    ON threads (organization_id, buyer_country, request_created_at);
CREATE INDEX threads_list_country_status_idx
    ON threads (organization_id, buyer_country, party_status, request_created_at);
CREATE INDEX threads_list_product_idx
    ON threads (organization_id, product_id, request_created_at);
CREATE INDEX threads_list_marketplace_idx
    ON threads (organization_id, marketplace_id, request_created_at);
DROP INDEX requests_buyer_idx;
CREATE INDEX requests_buyer_idx ON requests (buyer_id, created_at);
DROP INDEX messages_thread_idx;
CREATE INDEX messages_thread_idx ON messages (thread_id, created_at);

-- A message's Message-ID is unique per thread and sender; messages written on the web or sent
-- without one have none, and NULLs never collide: the index skips them (~100 bytes a message
-- written on the web). Same name, so a repeated email still meets `messages::EMAIL_REPEAT`.
DROP INDEX messages_email_message_id_key;
CREATE UNIQUE INDEX messages_email_message_id_key
    ON messages (thread_id, sender_email, email_message_id) WHERE email_message_id IS NOT NULL;
