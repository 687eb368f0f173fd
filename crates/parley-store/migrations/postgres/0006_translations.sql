-- Machine translations (issue 7): one per message, target language and engine, reused by every
-- reader. `via` is the pivot language when the engines had no direct pair.
CREATE TABLE translations (
    message_id  TEXT NOT NULL REFERENCES messages (id),
    target      TEXT NOT NULL,
    engine      TEXT NOT NULL,
    text        TEXT NOT NULL,
    via         TEXT,
    created_at  BIGINT NOT NULL,
    CONSTRAINT translations_pkey PRIMARY KEY (message_id, target, engine)
);
