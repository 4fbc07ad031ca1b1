-- The workspace schema: custom field definitions per object, and the values of unique custom
-- fields claimed by live records.

CREATE TABLE custom_fields (
    workspace_id TEXT NOT NULL,
    object       TEXT NOT NULL,
    api_name     TEXT NOT NULL,
    label        TEXT NOT NULL,
    field_type   TEXT NOT NULL,
    -- JSON array of strings, for select and multi_select.
    options      TEXT,
    -- account, contact or user, for reference.
    reference    TEXT,
    required     INTEGER NOT NULL,
    is_unique    INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    archived_at  INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, object, api_name)
);

-- One row per value of a unique custom field held by a live record: the primary key is the
-- uniqueness rule, so concurrent writers cannot both claim a value. Archived and deleted
-- records hold none.
CREATE TABLE custom_field_unique_values (
    workspace_id TEXT NOT NULL,
    object       TEXT NOT NULL,
    api_name     TEXT NOT NULL,
    value_key    TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    PRIMARY KEY (workspace_id, object, api_name, value_key)
);
CREATE INDEX custom_field_unique_values_record ON custom_field_unique_values (workspace_id, record_id);
