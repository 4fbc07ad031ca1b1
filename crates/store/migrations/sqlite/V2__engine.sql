-- The account engine: substring search and idempotency keys.

-- Lowercased name, domains and website URLs, one per line, written with every account write.
ALTER TABLE accounts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

-- Trigram full-text index over search_text (external content: the text lives in accounts once).
-- Triggers keep it in step with every insert, delete and search_text change.
CREATE VIRTUAL TABLE accounts_fts USING fts5(
    search_text,
    content = 'accounts',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);
CREATE TRIGGER accounts_fts_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER accounts_fts_delete AFTER DELETE ON accounts BEGIN
    INSERT INTO accounts_fts (accounts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER accounts_fts_update AFTER UPDATE OF search_text ON accounts BEGIN
    INSERT INTO accounts_fts (accounts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO accounts_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

-- Idempotency-Key records: status is NULL while the first request is still running.
CREATE TABLE idempotency_keys (
    workspace_id TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER,
    headers      TEXT,
    body         TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
