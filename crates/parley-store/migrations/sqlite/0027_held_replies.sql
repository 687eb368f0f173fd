-- Emailed replies held because their sender could not be verified (issue "Real-world mail":
-- the From domain publishes DMARC p=reject or quarantine and the mail failed it). The masked
-- address's holder releases one into the conversation or deletes it; until then it is kept
-- whole, with what sender authentication found.
CREATE TABLE held_replies (
    id          TEXT NOT NULL,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    thread_id   TEXT NOT NULL REFERENCES threads (id),
    token       TEXT NOT NULL,
    holder_key  TEXT NOT NULL,
    sender      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    preview     TEXT NOT NULL,
    results     TEXT NOT NULL,
    raw         BLOB NOT NULL,
    received_at BIGINT NOT NULL,
    CONSTRAINT held_replies_pkey PRIMARY KEY (id)
);
CREATE INDEX held_replies_holder_idx ON held_replies (request_id, holder_key);
