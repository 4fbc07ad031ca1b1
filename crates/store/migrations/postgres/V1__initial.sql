-- orgstore schema, PostgreSQL: the same tables as SQLite, so both stores share their SQL. Every
-- key leads with workspace_id (DESIGN section 7); timestamps are epoch milliseconds; JSON is TEXT.

CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    account_seq BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    email        TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX users_email ON users (workspace_id, email) WHERE email IS NOT NULL;

-- Looked up by hash before the workspace is known: the one table keyed otherwise.
CREATE TABLE tokens (
    token_hash   TEXT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    scope        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);

CREATE TABLE stages (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    key          TEXT NOT NULL,
    label        TEXT NOT NULL,
    position     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, key)
);

CREATE TABLE tags (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_key     TEXT COLLATE "C" NOT NULL,
    color        TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, name_key)
);

CREATE TABLE accounts (
    workspace_id        TEXT NOT NULL,
    id                  TEXT NOT NULL,
    display_number      BIGINT NOT NULL,
    name                TEXT NOT NULL,
    name_key            TEXT COLLATE "C" NOT NULL,
    description         TEXT,
    websites            TEXT NOT NULL,
    industry            TEXT,
    tier                TEXT,
    company_size        TEXT,
    number_of_employees BIGINT,
    annual_revenue      NUMERIC,
    stage               TEXT,
    phone_numbers       TEXT NOT NULL,
    addresses           TEXT NOT NULL,
    custom_fields       TEXT NOT NULL,
    artifacts           TEXT NOT NULL,
    remote_data         TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    created_by          TEXT,
    modified_by         TEXT,
    last_activity_at    BIGINT,
    archived_at         BIGINT,
    version             BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX accounts_created ON accounts (workspace_id, created_at, id);
CREATE INDEX accounts_updated ON accounts (workspace_id, updated_at, id);
CREATE INDEX accounts_name ON accounts (workspace_id, name_key, id);
CREATE INDEX accounts_stage ON accounts (workspace_id, stage);

-- A domain is unique among the live (not archived) accounts of a workspace.
CREATE TABLE account_domains (
    workspace_id TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    domain       TEXT NOT NULL,
    position     BIGINT NOT NULL,
    archived_at  BIGINT,
    PRIMARY KEY (workspace_id, account_id, domain)
);
CREATE UNIQUE INDEX account_domains_live ON account_domains (workspace_id, domain) WHERE archived_at IS NULL;

CREATE TABLE account_external_refs (
    workspace_id TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    external_ref TEXT NOT NULL,
    position     BIGINT NOT NULL,
    archived_at  BIGINT,
    PRIMARY KEY (workspace_id, account_id, external_ref)
);
CREATE UNIQUE INDEX account_external_refs_live ON account_external_refs (workspace_id, external_ref) WHERE archived_at IS NULL;

CREATE TABLE account_owners (
    workspace_id TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    position     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, account_id, user_id)
);
CREATE INDEX account_owners_user ON account_owners (workspace_id, user_id);

CREATE TABLE account_tags (
    workspace_id TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    tag_id       TEXT NOT NULL,
    value        TEXT,
    position     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, account_id, tag_id)
);
CREATE INDEX account_tags_tag ON account_tags (workspace_id, tag_id);
