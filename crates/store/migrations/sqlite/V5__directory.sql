-- Users, stages and tags. Deleting a user revokes the user's tokens: find them by user without
-- scanning every token of every workspace.
CREATE INDEX tokens_user ON tokens (workspace_id, user_id);
