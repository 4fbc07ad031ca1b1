-- Related records: contacts, opportunities and cases, each linked to at most one account.
-- No foreign keys: deleting or merging an account relinks its records in the same
-- transaction (see sql/related.rs), and every key leads with workspace_id.

CREATE TABLE contacts (
    workspace_id  TEXT NOT NULL,
    id            TEXT NOT NULL,
    first_name    TEXT,
    last_name     TEXT,
    emails        TEXT NOT NULL,
    phone_numbers TEXT NOT NULL,
    title         TEXT,
    stage         TEXT,
    account_id    TEXT,
    custom_fields TEXT NOT NULL,
    -- Lowercased names and emails, one per line, for `q`.
    search_text   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    created_by    TEXT,
    modified_by   TEXT,
    version       BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
-- Serves an account's contacts in id order and the per-account contact_count.
CREATE INDEX contacts_account ON contacts (workspace_id, account_id, id);
CREATE INDEX contacts_updated ON contacts (workspace_id, updated_at, id);
-- Stage filters on contact lists, and the stage-in-use check before a stage is deleted.
CREATE INDEX contacts_stage ON contacts (workspace_id, stage, id);

-- The contact's emails, one row each, so that `email=` is an index lookup.
CREATE TABLE contact_emails (
    workspace_id TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    email        TEXT NOT NULL,
    PRIMARY KEY (workspace_id, contact_id, email)
);
CREATE INDEX contact_emails_email ON contact_emails (workspace_id, email, contact_id);

CREATE TABLE opportunities (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    amount       NUMERIC,
    account_id   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    created_by   TEXT,
    modified_by  TEXT,
    version      BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
-- Serves open_opportunity_count.
CREATE INDEX opportunities_account ON opportunities (workspace_id, account_id, status);
-- Serves a page of one account's opportunities in id order.
CREATE INDEX opportunities_account_page ON opportunities (workspace_id, account_id, id);
CREATE INDEX opportunities_status ON opportunities (workspace_id, status, id);

CREATE TABLE cases (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    title        TEXT NOT NULL,
    status       TEXT NOT NULL,
    account_id   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    created_by   TEXT,
    modified_by  TEXT,
    version      BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX cases_account ON cases (workspace_id, account_id, status);
CREATE INDEX cases_account_page ON cases (workspace_id, account_id, id);
CREATE INDEX cases_status ON cases (workspace_id, status, id);

-- Trigram index for `q` on contacts, as for accounts.
CREATE INDEX contacts_search ON contacts USING gin (search_text gin_trgm_ops);
