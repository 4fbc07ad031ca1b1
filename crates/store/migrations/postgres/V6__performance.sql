-- The list route's stage filter sorted by name (`?stage=...&sort=name`) reads one index range
-- in order instead of walking every account by name and filtering, or sorting every account
-- of the stage. It covers the old (workspace_id, stage) index, which goes: one index fewer
-- to keep up on every insert.
CREATE INDEX accounts_stage_name ON accounts (workspace_id, stage, name_key, id);
DROP INDEX accounts_stage;
