-- last_activity_at is kept from now on: the latest create or update of the account or of a
-- contact, opportunity or case linked to it. Accounts written before get it from what is
-- stored: their own updated_at or the latest updated_at of their linked records.
UPDATE accounts SET last_activity_at = max(
    updated_at,
    COALESCE((SELECT max(x.updated_at) FROM contacts x
              WHERE x.workspace_id = accounts.workspace_id AND x.account_id = accounts.id), 0),
    COALESCE((SELECT max(x.updated_at) FROM opportunities x
              WHERE x.workspace_id = accounts.workspace_id AND x.account_id = accounts.id), 0),
    COALESCE((SELECT max(x.updated_at) FROM cases x
              WHERE x.workspace_id = accounts.workspace_id AND x.account_id = accounts.id), 0)
);

-- "Recently active accounts" (a sort on last_activity_at) reads one index range in order, as
-- the sorts on created_at and updated_at do.
CREATE INDEX accounts_last_activity ON accounts (workspace_id, last_activity_at, id);
