-- The account engine: substring search and idempotency keys.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Lowercased name, domains and website URLs, one per line, written with every account write.
ALTER TABLE accounts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX accounts_search ON accounts USING gin (search_text gin_trgm_ops);

-- Idempotency-Key records: status is NULL while the first request is still running.
CREATE TABLE idempotency_keys (
    workspace_id TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       BIGINT,
    headers      TEXT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
