-- Notifications by reference, so that a message's bytes are written once.
--
-- A new message used to carry a "notifications pending" column, cleared when the mail worker
-- queued its notices; clearing it rewrote the whole row, body included (an UPDATE rewrites a
-- row's overflow pages in SQLite). The queue is now a table of its own: a row per message,
-- inserted with the message and deleted when its notices are queued. Message ids are UUID v7,
-- so the key orders the queue by time.
CREATE TABLE notification_queue (
    message_id TEXT PRIMARY KEY REFERENCES messages (id)
) WITHOUT ROWID;
INSERT INTO notification_queue (message_id)
    SELECT id FROM messages WHERE notify_pending IS NOT NULL;
DROP INDEX messages_notify_pending_idx;
ALTER TABLE messages DROP COLUMN notify_pending;

-- A notice that quotes a message (a new message for the other side, a copy for its sender)
-- keeps what it says around the quote and which message it quotes: its text and HTML are
-- rendered when the mail is read (delivered, or shown in the development mailbox), instead
-- of a copy of the message's body written twice into outbox_bodies.
CREATE TABLE outbox_notices (
    mail_id    TEXT PRIMARY KEY REFERENCES outbox (id),
    message_id TEXT NOT NULL REFERENCES messages (id),
    content    TEXT NOT NULL
);
