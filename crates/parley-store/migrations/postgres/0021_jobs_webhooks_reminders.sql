-- The jobs queue: work done after the answer (webhook deliveries, reminders), written in the
-- transaction of what caused it and run by the jobs module with a lease, backoff and a
-- dead-letter state. `seq` keeps insertion order: jobs sharing an `ordering_key` run one
-- after another (a marketplace hears a request's events in order).
CREATE TABLE jobs (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY CONSTRAINT jobs_pkey PRIMARY KEY,
    id              TEXT NOT NULL CONSTRAINT jobs_id_key UNIQUE,
    kind            TEXT NOT NULL,
    -- What the job is about, for listings (a webhook's id for its deliveries).
    subject         TEXT,
    ordering_key    TEXT,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CONSTRAINT jobs_state_check CHECK (state IN ('pending', 'done', 'dead')),
    run_at          BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    leased_until    BIGINT,
    last_error      TEXT,
    -- The last answer's status code, for jobs that speak HTTP.
    last_code       BIGINT,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE state = 'pending';
CREATE INDEX jobs_ordering_idx ON jobs (ordering_key, seq) WHERE state = 'pending';
CREATE INDEX jobs_subject_idx ON jobs (subject, seq);
-- `/metrics` counts the jobs not done per kind, and retention forgets old done ones, without
-- reading the (large) rest of the table.
CREATE INDEX jobs_open_idx ON jobs (kind, state) WHERE state <> 'done';
CREATE INDEX jobs_done_idx ON jobs (finished_at) WHERE state = 'done';

-- A marketplace's webhook endpoints (Standard Webhooks). `events` is a comma-separated list
-- of event types; the previous secret still signs for a day after a rotation.
CREATE TABLE webhooks (
    id               TEXT CONSTRAINT webhooks_pkey PRIMARY KEY,
    marketplace_id   TEXT NOT NULL REFERENCES marketplaces (id),
    url              TEXT NOT NULL,
    events           TEXT NOT NULL,
    secret           TEXT NOT NULL,
    previous_secret  TEXT,
    previous_until   BIGINT,
    created_at       BIGINT NOT NULL,
    deleted_at       BIGINT
);
CREATE INDEX webhooks_marketplace_idx ON webhooks (marketplace_id) WHERE deleted_at IS NULL;

-- Automatic reminders (a request left unhandled, a quote about to expire) are on unless the
-- member turned them off, at this time.
ALTER TABLE members ADD COLUMN reminders_off_at BIGINT;
-- The reminders' scan, every minute, reads the requests of the last two weeks and the open
-- quotes near the end of their validity: by index, not by reading every request.
CREATE INDEX requests_created_idx ON requests (created_at);
CREATE INDEX quotes_open_validity_idx ON quotes (valid_until) WHERE status = 'sent';
