-- Password-less sign-in: one-time links (stored hashed, expiring) and browser sessions (stored
-- hashed, with their CSRF token).

CREATE TABLE sign_in_links (
    token_hash     TEXT PRIMARY KEY,
    principal_kind TEXT NOT NULL CONSTRAINT sign_in_links_kind_check
                   CHECK (principal_kind IN ('member', 'buyer')),
    principal_id   TEXT NOT NULL,
    next_path      TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);

CREATE TABLE web_sessions (
    token_hash     TEXT PRIMARY KEY,
    principal_kind TEXT NOT NULL CONSTRAINT web_sessions_kind_check
                   CHECK (principal_kind IN ('member', 'buyer')),
    principal_id   TEXT NOT NULL,
    csrf_token     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry_idx ON web_sessions (expires_at);
