//! Users, stages and tags: the workspace directory that accounts refer to.
//!
//! Reads need `read` scope. Users and stages change the shape of the workspace (who may own
//! accounts, which stages exist), so changing them needs `admin`; tags are everyday data and
//! need `write`, the scope that can already create them by naming them on an account.

use serde::Deserialize;

use super::Service;
use crate::auth::{Principal, Scope, generate_token, hash_token};
use crate::error::{Error, Result};
use crate::ids;
use crate::list::name_sort_key;
use crate::model::{
    NewStage, NewTag, NewUser, Stage, StagePatch, Tag, TagPatch, TokenRecord, User, UserPatch,
};
use crate::normalize::normalize_email;
use crate::page::cursor::{self, Cursor};
use crate::page::{Page, parse_limit};
use crate::store::DirectoryPage;
use crate::time::now_ms;

/// The query parameters of `GET /v1/users` and `GET /v1/tags`, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DirectoryListParams {
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// Tags only: a name prefix, compared ignoring case.
    pub q: Option<String>,
}

// The lists of the directory, which their cursors name, so that a users cursor sent to tags is
// refused.
const USERS: &str = "users";
const TAGS: &str = "tags";

impl DirectoryListParams {
    fn page(&self, list: &str) -> Result<DirectoryPage> {
        let limit = parse_limit(self.limit.as_deref())?;
        let after = self
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| cursor::key_after(list, c))
            .transpose()?;
        Ok(DirectoryPage { after, limit })
    }

    /// The lowercased name prefix, if one was given.
    fn prefix(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(name_sort_key)
    }
}

/// Turns `limit + 1` rows into a page whose cursor is `sort_key` of its last row.
fn page_of<T>(
    rows: Vec<T>,
    page: &DirectoryPage,
    list: &str,
    sort_key: impl Fn(&T) -> String,
) -> Page<T> {
    Page::forward(rows, page.limit, |last| {
        Cursor::after_key(list, sort_key(last)).encode()
    })
}

impl Service {
    pub async fn list_users(
        &self,
        who: &Principal,
        params: DirectoryListParams,
    ) -> Result<Page<User>> {
        who.require(Scope::Read)?;
        let page = params.page(USERS)?;
        let rows = self.store.list_users(&who.workspace_id, &page).await?;
        Ok(page_of(rows, &page, USERS, |u| u.id.clone()))
    }

    pub async fn get_user(&self, who: &Principal, id: &str) -> Result<User> {
        who.require(Scope::Read)?;
        ids::check(ids::USER, "id", id)?;
        self.store
            .get_user(&who.workspace_id, id)
            .await?
            .ok_or_else(|| Error::not_found("user", id))
    }

    pub async fn create_user(&self, who: &Principal, input: NewUser) -> Result<User> {
        who.require(Scope::Admin)?;
        let fields = input.normalize()?;
        self.store.insert_user(&who.workspace_id, fields).await
    }

    pub async fn update_user(&self, who: &Principal, id: &str, patch: UserPatch) -> Result<User> {
        who.require(Scope::Admin)?;
        ids::check(ids::USER, "id", id)?;
        let change = patch.normalize()?;
        self.store
            .update_user(&who.workspace_id, id, change)
            .await?
            .ok_or_else(|| Error::not_found("user", id))
    }

    /// Deletes a user and revokes their tokens; the owner and owners of accounts stay.
    pub async fn delete_user(&self, who: &Principal, id: &str) -> Result<()> {
        who.require(Scope::Admin)?;
        ids::check(ids::USER, "id", id)?;
        self.store
            .delete_user(&who.workspace_id, id)
            .await?
            .ok_or_else(|| Error::not_found("user", id))?;
        // The delete revoked the user's tokens; this process stops accepting them now.
        self.tokens.forget_user(&who.workspace_id, id);
        Ok(())
    }

    pub async fn list_stages(&self, who: &Principal) -> Result<Vec<Stage>> {
        who.require(Scope::Read)?;
        self.store.list_stages(&who.workspace_id).await
    }

    pub async fn get_stage(&self, who: &Principal, id: &str) -> Result<Stage> {
        who.require(Scope::Read)?;
        ids::check(ids::STAGE, "id", id)?;
        self.store
            .get_stage(&who.workspace_id, id)
            .await?
            .ok_or_else(|| Error::not_found("stage", id))
    }

    pub async fn create_stage(&self, who: &Principal, input: NewStage) -> Result<Stage> {
        who.require(Scope::Admin)?;
        let (key, label, position) = input.normalize()?;
        self.store
            .insert_stage(&who.workspace_id, &key, &label, position)
            .await
    }

    pub async fn update_stage(
        &self,
        who: &Principal,
        id: &str,
        patch: StagePatch,
    ) -> Result<Stage> {
        who.require(Scope::Admin)?;
        ids::check(ids::STAGE, "id", id)?;
        let change = patch.normalize()?;
        self.store
            .update_stage(&who.workspace_id, id, change)
            .await?
            .ok_or_else(|| Error::not_found("stage", id))
    }

    pub async fn delete_stage(&self, who: &Principal, id: &str) -> Result<()> {
        who.require(Scope::Admin)?;
        ids::check(ids::STAGE, "id", id)?;
        self.store
            .delete_stage(&who.workspace_id, id)
            .await?
            .ok_or_else(|| Error::not_found("stage", id))
    }

    pub async fn list_tags(
        &self,
        who: &Principal,
        params: DirectoryListParams,
    ) -> Result<Page<Tag>> {
        who.require(Scope::Read)?;
        let page = params.page(TAGS)?;
        let prefix = params.prefix();
        let rows = self
            .store
            .list_tags(&who.workspace_id, prefix.as_deref(), &page)
            .await?;
        Ok(page_of(rows, &page, TAGS, |t| name_sort_key(&t.name)))
    }

    pub async fn get_tag(&self, who: &Principal, id: &str) -> Result<Tag> {
        who.require(Scope::Read)?;
        ids::check(ids::TAG, "id", id)?;
        self.store
            .get_tag(&who.workspace_id, id)
            .await?
            .ok_or_else(|| Error::not_found("tag", id))
    }

    pub async fn create_tag(&self, who: &Principal, input: NewTag) -> Result<Tag> {
        who.require(Scope::Write)?;
        let (name, color) = input.normalize()?;
        self.store
            .insert_tag(&who.workspace_id, &name, color.as_deref())
            .await
    }

    pub async fn update_tag(&self, who: &Principal, id: &str, patch: TagPatch) -> Result<Tag> {
        who.require(Scope::Write)?;
        ids::check(ids::TAG, "id", id)?;
        let change = patch.normalize()?;
        self.store
            .update_tag(&who.workspace_id, id, &who.user_id, change)
            .await?
            .ok_or_else(|| Error::not_found("tag", id))
    }

    /// Deletes a tag, untagging every account that carried it.
    pub async fn delete_tag(&self, who: &Principal, id: &str) -> Result<()> {
        who.require(Scope::Write)?;
        ids::check(ids::TAG, "id", id)?;
        self.store
            .delete_tag(&who.workspace_id, id, &who.user_id)
            .await?
            .ok_or_else(|| Error::not_found("tag", id))
    }

    /// Creates a token for a user of the workspace, named by id (`usr_...`) or email; without
    /// one, for the workspace's owner. Returns the secret, which is never stored.
    pub async fn create_user_token(
        &self,
        workspace_slug: &str,
        scope: Scope,
        user: Option<&str>,
    ) -> Result<String> {
        let workspace = self
            .store
            .workspace_by_slug(workspace_slug)
            .await?
            .ok_or_else(|| Error::not_found("workspace", workspace_slug))?;
        let user = match user.map(str::trim) {
            None => self.store.owner_user(&workspace.id).await?,
            Some(named) => self.find_user(&workspace.id, named).await?,
        };
        let secret = generate_token();
        self.store
            .insert_token(&TokenRecord {
                id: ids::new_id(ids::TOKEN),
                workspace_id: workspace.id,
                user_id: user.id,
                scope,
                token_hash: hash_token(&secret),
                created_at: now_ms(),
            })
            .await?;
        Ok(secret)
    }

    /// A user of the workspace by id or by email.
    async fn find_user(&self, workspace_id: &str, named: &str) -> Result<User> {
        let found = if named.starts_with("usr_") {
            ids::check(ids::USER, "user", named)?;
            self.store.get_user(workspace_id, named).await?
        } else {
            let email = normalize_email(named).ok_or_else(|| {
                Error::invalid_value(
                    "user",
                    named,
                    format!("'{named}' is neither a user id (usr_...) nor an email address"),
                )
            })?;
            self.store.user_by_email(workspace_id, &email).await?
        };
        found.ok_or_else(|| Error::not_found("user", named))
    }
}
