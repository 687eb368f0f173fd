-- Marketplaces provision their exhibitors: each knows an organization by its own id for it
-- (unique per marketplace); an organization exhibiting on several marketplaces is one
-- organization, linked to each by the operator.
CREATE TABLE marketplace_organizations (
    marketplace_id  TEXT NOT NULL REFERENCES marketplaces (id),
    external_id     TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    created_at      BIGINT NOT NULL,
    CONSTRAINT marketplace_organizations_pkey PRIMARY KEY (marketplace_id, external_id),
    CONSTRAINT marketplace_organizations_organization_key UNIQUE (marketplace_id, organization_id)
);
CREATE INDEX marketplace_organizations_organization_idx
    ON marketplace_organizations (organization_id);

-- The language of an organization's people when they do not say.
ALTER TABLE organizations ADD COLUMN language TEXT;

-- What a member may do: admins also manage the team. Everyone already here keeps what they
-- could do (admin).
ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'
    CONSTRAINT members_role_check CHECK (role IN ('admin', 'sales'));
ALTER TABLE members ADD COLUMN time_zone TEXT;
