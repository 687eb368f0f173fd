-- Documents the buyer sent with the request itself (a drawing, a specification): like the
-- request's text, every seller on the request and the buyer see them.
CREATE TABLE request_documents (
    id           TEXT CONSTRAINT request_documents_pkey PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests (id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    storage_key  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX request_documents_request_idx ON request_documents (request_id);
