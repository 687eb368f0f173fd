-- Machine translations of a request's own text (the buyer's first message, issue "Nine
-- languages"): like a message's, one per request, target language and engine, reused by every
-- reader who may see the request.
CREATE TABLE request_translations (
    request_id  TEXT NOT NULL REFERENCES requests (id),
    target      TEXT NOT NULL,
    engine      TEXT NOT NULL,
    text        TEXT NOT NULL,
    via         TEXT,
    created_at  BIGINT NOT NULL,
    CONSTRAINT request_translations_pkey PRIMARY KEY (request_id, target, engine)
);
