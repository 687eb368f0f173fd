-- Quotes (issue 6): a quote document with, when the seller offers online payment, its terms.
-- Versions count per thread; a new quote supersedes the thread's quote still awaiting an answer.
CREATE TABLE quotes (
    id               TEXT PRIMARY KEY,
    request_id       TEXT NOT NULL REFERENCES requests (id),
    thread_id        TEXT NOT NULL REFERENCES threads (id),
    message_id       TEXT NOT NULL REFERENCES messages (id),
    document_id      TEXT NOT NULL REFERENCES documents (id),
    version          BIGINT NOT NULL,
    status           TEXT NOT NULL CONSTRAINT quotes_status_check
                     CHECK (status IN ('sent', 'superseded', 'accepted', 'declined')),
    online_payment   BIGINT NOT NULL,
    currency         TEXT,
    amount_minor     BIGINT,
    shipping_minor   BIGINT,
    tax_minor        BIGINT,
    valid_until      BIGINT,
    reference        TEXT,
    description      TEXT,
    decided_at       BIGINT,
    decision_comment TEXT,
    created_at       BIGINT NOT NULL,
    CONSTRAINT quotes_version_key UNIQUE (thread_id, version)
);
CREATE INDEX quotes_request_idx ON quotes (request_id);
