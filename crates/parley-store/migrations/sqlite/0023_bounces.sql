-- Bounces. Outbound mail leaves with a return path naming it (bounce-<id>@relay domain); a
-- bounce to it marks the mail bounced with the remote server's words, and stops its retries.
ALTER TABLE outbox ADD COLUMN bounced_at BIGINT;

-- Addresses whose mailbox refused Parley's mail for good (hard bounces). After two, the
-- address is marked undeliverable: notifications to it are not sent, until its holder writes
-- again from it.
CREATE TABLE undeliverable_addresses (
    email        TEXT CONSTRAINT undeliverable_addresses_pkey PRIMARY KEY,
    hard_bounces BIGINT NOT NULL,
    last_error   TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    marked_at    BIGINT
);
