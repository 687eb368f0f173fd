-- Outbound mail, written in the same transaction as what it announces; a worker delivers it
-- (or, in development, the dev mailbox shows it).
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT
);
CREATE INDEX outbox_pending_idx ON outbox (sent_at, next_attempt_at);
CREATE INDEX outbox_recent_idx ON outbox (created_at);
