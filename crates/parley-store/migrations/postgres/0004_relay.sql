-- The email relay: masked addresses, emailed replies, richer outbound mail.

-- One address per participant of a thread: mail to it must come from `email`, and is recorded
-- in the thread as written by the holder (for 'cc', on behalf of the member `holder_id`).
CREATE TABLE relay_addresses (
    token       TEXT PRIMARY KEY,
    thread_id   TEXT NOT NULL REFERENCES threads (id),
    request_id  TEXT NOT NULL REFERENCES requests (id),
    holder_kind TEXT NOT NULL CONSTRAINT relay_addresses_holder_kind_check
                CHECK (holder_kind IN ('buyer', 'member', 'cc')),
    holder_id   TEXT NOT NULL,
    email       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    CONSTRAINT relay_addresses_holder_key UNIQUE (thread_id, holder_kind, email)
);

-- An emailed reply keeps its whole text and its Message-ID, so that a message delivered twice
-- is stored once.
ALTER TABLE messages ADD COLUMN full_body TEXT;
ALTER TABLE messages ADD COLUMN email_message_id TEXT;

-- Set on a new message until its notifications are queued (by the mail worker, in batches, so
-- sending a message costs no more writes than the message and its event). Earlier messages
-- have it NULL: nothing is sent about them after an upgrade.
ALTER TABLE messages ADD COLUMN notify_pending BIGINT;
CREATE INDEX messages_notify_pending_idx ON messages (created_at) WHERE notify_pending IS NOT NULL;

-- The raw email, committed with its message (so an accepted email is durable as a whole).
CREATE TABLE email_originals (
    message_id TEXT PRIMARY KEY REFERENCES messages (id),
    raw        BYTEA NOT NULL
);
CREATE UNIQUE INDEX messages_email_message_id_key
    ON messages (thread_id, sender_email, email_message_id);

-- Outbound mail: who it comes from (a masked address, so replies return through the relay),
-- an HTML part, and a lease so that several workers never send the same row at once.
ALTER TABLE outbox ADD COLUMN from_name TEXT;
ALTER TABLE outbox ADD COLUMN from_address TEXT;
ALTER TABLE outbox ADD COLUMN html_body TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;

-- Only the development mailbox lists the outbox by time; it can scan. Every message writes
-- outbox rows, and each index is one more b-tree to update and sync at commit.
DROP INDEX outbox_recent_idx;
