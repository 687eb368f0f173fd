-- The sales network (issue 5): access grants, declines and outcomes, routing rules, and
-- external contacts (a forwardee or a person in copy who is no member of any organization
-- gets an organization of their own, kind 'external', so they only ever see what was granted).
ALTER TABLE organizations DROP CONSTRAINT organizations_kind_check;
ALTER TABLE organizations ADD CONSTRAINT organizations_kind_check
    CHECK (kind IN ('manufacturer', 'distributor', 'area_manager', 'external'));
-- Whether new requests are routed to the sales network (manufacturers only).
ALTER TABLE organizations ADD COLUMN routing_enabled BIGINT NOT NULL DEFAULT 1;

-- Access given to one member on one request on behalf of a party (guide section 7): a
-- forwardee or a person in copy acts for the party that added them, on this request only.
-- `request_created_at` is the request's, so a member's list can walk grants in date order.
CREATE TABLE grants (
    request_id          TEXT NOT NULL REFERENCES requests (id),
    member_id           TEXT NOT NULL REFERENCES members (id),
    party_id            TEXT NOT NULL REFERENCES organizations (id),
    kind                TEXT NOT NULL CONSTRAINT grants_kind_check CHECK (kind IN ('forward', 'cc')),
    granted_by          TEXT,
    request_created_at  BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    revoked_at          BIGINT,
    CONSTRAINT grants_pkey PRIMARY KEY (request_id, member_id, party_id)
);
CREATE INDEX grants_member_idx ON grants (member_id, request_created_at, request_id);

-- A party's own status on a request: declined (the reason stays with the sellers), and
-- whether a sale was concluded.
ALTER TABLE threads ADD COLUMN declined_at BIGINT;
ALTER TABLE threads ADD COLUMN decline_reason TEXT;
ALTER TABLE threads ADD COLUMN decline_note TEXT;
ALTER TABLE threads ADD COLUMN outcome TEXT;
ALTER TABLE threads ADD COLUMN outcome_at BIGINT;

-- Product lines, for routing rules.
ALTER TABLE products ADD COLUMN line TEXT;

-- Routing per product line: to one network member, or kept by the manufacturer (NULL target).
-- Lines without a rule are routed by territory.
CREATE TABLE routing_rules (
    manufacturer_id TEXT NOT NULL REFERENCES organizations (id),
    product_line    TEXT NOT NULL,
    target_org_id   TEXT REFERENCES organizations (id),
    created_at      BIGINT NOT NULL,
    CONSTRAINT routing_rules_pkey PRIMARY KEY (manufacturer_id, product_line)
);
