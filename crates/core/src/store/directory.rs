//! The directory part of the store port: users, stages and tags of a workspace.
//!
//! Every method is scoped by the workspace id; another workspace's ids are simply not found
//! (`None`). Checks that must hold against concurrent writers (unique emails, tag names and
//! stage keys, "still in use") run inside the write's transaction.

use async_trait::async_trait;

use crate::error::Result;
use crate::model::{Stage, StageChange, Tag, TagChange, User, UserChange, UserFields};

/// Where a page of a directory list starts, and how long it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryPage {
    /// The sort key of the last row of the previous page: a user id, a tag's `name_key`.
    pub after: Option<String>,
    /// Rows wanted; the store returns up to `limit + 1`, the extra one saying there is more.
    pub limit: usize,
}

#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Users in id order: ULIDs, so creation order across milliseconds.
    async fn list_users(&self, workspace_id: &str, page: &DirectoryPage) -> Result<Vec<User>>;

    async fn get_user(&self, workspace_id: &str, id: &str) -> Result<Option<User>>;

    /// The users with these ids, in no particular order; unknown ids are left out. One
    /// statement for a page's worth of ids.
    async fn users_by_ids(&self, workspace_id: &str, ids: &[&str]) -> Result<Vec<User>>;

    /// The user with this (normalized) email.
    async fn user_by_email(&self, workspace_id: &str, email: &str) -> Result<Option<User>>;

    /// A taken email is a `Conflict` naming the user who has it.
    async fn insert_user(&self, workspace_id: &str, fields: UserFields) -> Result<User>;

    /// Writes the fields the change gives, with the same email check as
    /// [`DirectoryStore::insert_user`].
    async fn update_user(
        &self,
        workspace_id: &str,
        id: &str,
        change: UserChange,
    ) -> Result<Option<User>>;

    /// Deletes the user and revokes their tokens, in one transaction. The workspace's owner
    /// and a user who still owns accounts are a `Conflict`.
    async fn delete_user(&self, workspace_id: &str, id: &str) -> Result<Option<()>>;

    /// Every stage, in position order.
    async fn list_stages(&self, workspace_id: &str) -> Result<Vec<Stage>>;

    async fn get_stage(&self, workspace_id: &str, id: &str) -> Result<Option<Stage>>;

    /// Inserts a stage at `position` (last when `None` or past the end), moving the stages at
    /// and after it down one. A taken key is a `Conflict`.
    async fn insert_stage(
        &self,
        workspace_id: &str,
        key: &str,
        label: &str,
        position: Option<i64>,
    ) -> Result<Stage>;

    /// Relabels and/or moves a stage, shifting the stages between its old and new place.
    async fn update_stage(
        &self,
        workspace_id: &str,
        id: &str,
        change: StageChange,
    ) -> Result<Option<Stage>>;

    /// Deletes a stage no record uses (else a `Conflict` saying how many do), closing the gap
    /// in the order.
    async fn delete_stage(&self, workspace_id: &str, id: &str) -> Result<Option<()>>;

    /// Tags in case-insensitive name order; with `prefix` (lowercased), only names that
    /// start with it.
    async fn list_tags(
        &self,
        workspace_id: &str,
        prefix: Option<&str>,
        page: &DirectoryPage,
    ) -> Result<Vec<Tag>>;

    async fn get_tag(&self, workspace_id: &str, id: &str) -> Result<Option<Tag>>;

    /// The tags with these ids, in no particular order; unknown ids are left out. One
    /// statement for a page's worth of ids.
    async fn tags_by_ids(&self, workspace_id: &str, ids: &[&str]) -> Result<Vec<Tag>>;

    /// The tag with this name key (the name lowercased, see [`crate::list::name_sort_key`]).
    async fn tag_by_name(&self, workspace_id: &str, name_key: &str) -> Result<Option<Tag>>;

    /// A name taken (ignoring case) is a `Conflict` naming the tag that has it.
    async fn insert_tag(&self, workspace_id: &str, name: &str, color: Option<&str>) -> Result<Tag>;

    /// Renames and/or recolors a tag. A rename bumps the version of every account carrying
    /// the tag, since their reads change, recording `actor` as their modifier.
    async fn update_tag(
        &self,
        workspace_id: &str,
        id: &str,
        actor: &str,
        change: TagChange,
    ) -> Result<Option<Tag>>;

    /// Deletes a tag and removes it from every account in one transaction, bumping those
    /// accounts' version and `updated_at`.
    async fn delete_tag(&self, workspace_id: &str, id: &str, actor: &str) -> Result<Option<()>>;
}
