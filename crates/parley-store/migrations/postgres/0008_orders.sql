-- Online payments, orders and reviews (issue 6).

-- A checkout started for an accepted quote, and whether the provider reported it paid.
CREATE TABLE payments (
    quote_id     TEXT PRIMARY KEY REFERENCES quotes (id),
    provider     TEXT NOT NULL,
    session_id   TEXT NOT NULL,
    status       TEXT NOT NULL CONSTRAINT payments_status_check CHECK (status IN ('pending', 'paid')),
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    paid_at      BIGINT
);

-- Provider webhook events already applied: each is applied once.
CREATE TABLE payment_events (
    event_id    TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);

-- The buyer's order on an accepted quote, with billing and delivery details.
CREATE TABLE orders (
    quote_id    TEXT PRIMARY KEY REFERENCES quotes (id),
    request_id  TEXT NOT NULL REFERENCES requests (id),
    payment     TEXT NOT NULL CONSTRAINT orders_payment_check CHECK (payment IN ('online', 'offline')),
    billing     TEXT NOT NULL,
    delivery    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- A buyer's review of a seller party on a request: once.
CREATE TABLE reviews (
    request_id  TEXT NOT NULL REFERENCES requests (id),
    party_id    TEXT NOT NULL REFERENCES organizations (id),
    buyer_id    TEXT NOT NULL REFERENCES buyers (id),
    rating      BIGINT NOT NULL CONSTRAINT reviews_rating_check CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT reviews_pkey PRIMARY KEY (request_id, party_id)
);
CREATE INDEX reviews_party_idx ON reviews (party_id);
