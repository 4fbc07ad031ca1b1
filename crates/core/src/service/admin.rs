//! Workspaces, tokens, authentication and readiness: what the CLI and the auth layer call.

use super::Service;
use crate::auth::{Principal, Scope, generate_token, hash_token};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{DEFAULT_WORKSPACE, TokenRecord, Workspace, check_slug};
use crate::time::now_ms;

/// What a first start of the server created: the default workspace and its admin token.
pub struct Bootstrap {
    pub workspace: Workspace,
    pub admin_token: String,
}

impl Service {
    /// The caller a bearer token belongs to; a 401 for anything else.
    pub async fn authenticate(&self, token: &str) -> Result<Principal> {
        let unauthorized = |message: &str| Error::Unauthorized {
            message: message.to_string(),
        };
        if !token.starts_with(crate::auth::TOKEN_PREFIX) {
            return Err(unauthorized("the bearer token is malformed"));
        }
        let hash = hash_token(token);
        if let Some(principal) = self.tokens.get(&hash) {
            return Ok(principal);
        }
        let principal = self
            .store
            .principal_for_token(&hash)
            .await?
            .ok_or_else(|| unauthorized("the bearer token is not valid"))?;
        self.tokens.put(&hash, &principal);
        Ok(principal)
    }

    pub async fn ready(&self) -> Result<()> {
        self.store.ping().await
    }

    pub async fn create_workspace(&self, slug: &str) -> Result<Workspace> {
        check_slug(slug)?;
        let (workspace, _owner) = self.store.create_workspace(slug, slug).await?;
        Ok(workspace)
    }

    /// Creates a token for the workspace's owner user and returns the secret, which is never
    /// stored and cannot be shown again.
    pub async fn create_token(&self, workspace_slug: &str, scope: Scope) -> Result<String> {
        let workspace = self
            .store
            .workspace_by_slug(workspace_slug)
            .await?
            .ok_or_else(|| Error::not_found("workspace", workspace_slug))?;
        let owner = self.store.owner_user(&workspace.id).await?;
        let secret = generate_token();
        self.store
            .insert_token(&TokenRecord {
                id: ids::new_id(ids::TOKEN),
                workspace_id: workspace.id,
                user_id: owner.id,
                scope,
                token_hash: hash_token(&secret),
                created_at: now_ms(),
            })
            .await?;
        Ok(secret)
    }

    /// On a store with no workspace yet, creates the default workspace and an admin token.
    /// Returns `None` when the store was already set up (or another server just set it up).
    pub async fn bootstrap(&self) -> Result<Option<Bootstrap>> {
        if self.store.count_workspaces().await? > 0 {
            return Ok(None);
        }
        let workspace = match self.create_workspace(DEFAULT_WORKSPACE).await {
            Ok(ws) => ws,
            Err(Error::Conflict { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let admin_token = self.create_token(DEFAULT_WORKSPACE, Scope::Admin).await?;
        Ok(Some(Bootstrap {
            workspace,
            admin_token,
        }))
    }
}
