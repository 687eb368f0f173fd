-- Parley foundation schema (SQLite). Ids are UUID text, times are Unix milliseconds, lists are
-- JSON text. Constraints are named: the store maps their names to domain errors.

CREATE TABLE marketplaces (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL CONSTRAINT marketplaces_slug_key UNIQUE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CONSTRAINT organizations_kind_check
                CHECK (kind IN ('manufacturer', 'distributor', 'area_manager')),
    name        TEXT NOT NULL,
    country     TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE members (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL,
    email           TEXT NOT NULL CONSTRAINT members_email_key UNIQUE,
    phone           TEXT,
    language        TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX members_organization_idx ON members (organization_id);

CREATE TABLE network_links (
    manufacturer_id TEXT NOT NULL REFERENCES organizations (id),
    member_org_id   TEXT NOT NULL REFERENCES organizations (id),
    territories     TEXT NOT NULL,
    contacts        TEXT NOT NULL,
    auto_cc         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    CONSTRAINT network_links_pkey PRIMARY KEY (manufacturer_id, member_org_id)
);

CREATE TABLE buyers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    company     TEXT,
    country     TEXT NOT NULL,
    language    TEXT NOT NULL,
    email       TEXT NOT NULL CONSTRAINT buyers_email_key UNIQUE,
    phone       TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE products (
    id              TEXT PRIMARY KEY,
    manufacturer_id TEXT NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL,
    reference       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    CONSTRAINT products_reference_key UNIQUE (manufacturer_id, reference)
);

CREATE TABLE requests (
    id                TEXT PRIMARY KEY,
    marketplace_id    TEXT NOT NULL REFERENCES marketplaces (id),
    buyer_id          TEXT NOT NULL REFERENCES buyers (id),
    product_id        TEXT NOT NULL REFERENCES products (id),
    manufacturer_id   TEXT NOT NULL REFERENCES organizations (id),
    external_ref      TEXT,
    message           TEXT NOT NULL,
    language          TEXT NOT NULL,
    handler_member_id TEXT REFERENCES members (id),
    status            TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    answered_at       BIGINT,
    CONSTRAINT requests_external_ref_key UNIQUE (marketplace_id, external_ref)
);
CREATE INDEX requests_buyer_idx ON requests (buyer_id, created_at, id);

CREATE TABLE threads (
    id              TEXT PRIMARY KEY,
    request_id      TEXT NOT NULL REFERENCES requests (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    created_at      BIGINT NOT NULL,
    -- When the party first wrote to the buyer (the "contacted the buyer" status).
    contacted_at    BIGINT,
    CONSTRAINT threads_party_key UNIQUE (request_id, organization_id)
);
CREATE INDEX threads_organization_idx ON threads (organization_id, created_at, request_id);

CREATE TABLE messages (
    id           TEXT PRIMARY KEY,
    thread_id    TEXT NOT NULL REFERENCES threads (id),
    request_id   TEXT NOT NULL REFERENCES requests (id),
    author_kind  TEXT NOT NULL CONSTRAINT messages_author_kind_check
                 CHECK (author_kind IN ('buyer', 'member')),
    author_id    TEXT NOT NULL,
    sender_email TEXT NOT NULL,
    cc           TEXT NOT NULL,
    body         TEXT NOT NULL,
    language     TEXT NOT NULL,
    channel      TEXT NOT NULL CONSTRAINT messages_channel_check
                 CHECK (channel IN ('web', 'email', 'api')),
    created_at   BIGINT NOT NULL,
    read_at      BIGINT
);
CREATE INDEX messages_thread_idx ON messages (thread_id, created_at, id);

CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL REFERENCES messages (id),
    thread_id    TEXT NOT NULL REFERENCES threads (id),
    request_id   TEXT NOT NULL REFERENCES requests (id),
    kind         TEXT NOT NULL CONSTRAINT documents_kind_check CHECK (kind IN ('quote', 'other')),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    storage_key  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX documents_message_idx ON documents (message_id);

-- The append-only history. `party_id` is the thread's party an event belongs to (NULL for
-- request-wide events); `audience` says who may see it; `dedupe_key` makes "once per viewer"
-- events idempotent.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    party_id    TEXT REFERENCES organizations (id),
    kind        TEXT NOT NULL,
    audience    TEXT NOT NULL CONSTRAINT events_audience_check
                CHECK (audience IN ('party', 'party_and_buyer', 'sellers', 'everyone')),
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT,
    actor_name  TEXT NOT NULL,
    data        TEXT NOT NULL,
    dedupe_key  TEXT CONSTRAINT events_dedupe_key UNIQUE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX events_request_idx ON events (request_id, created_at, id);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Bearer tokens, stored as SHA-256 hashes: for members, buyers and marketplace integrations.
CREATE TABLE api_tokens (
    token_hash     TEXT PRIMARY KEY,
    principal_kind TEXT NOT NULL CONSTRAINT api_tokens_kind_check
                   CHECK (principal_kind IN ('member', 'buyer', 'marketplace')),
    principal_id   TEXT NOT NULL,
    label          TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    revoked_at     BIGINT
);
