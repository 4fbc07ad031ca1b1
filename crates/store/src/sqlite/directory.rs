//! [`DirectoryStore`] for SQLite: reads on a pooled read connection, writes in one
//! `BEGIN IMMEDIATE` transaction on the writer.

use async_trait::async_trait;
use orgstore_core::Result;
use orgstore_core::model::{Stage, StageChange, Tag, TagChange, User, UserChange, UserFields};
use orgstore_core::store::{DirectoryPage, DirectoryStore};

use super::{SqliteStore, run_now};
use crate::sql::directory as sql;

fn owned(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

#[async_trait]
impl DirectoryStore for SqliteStore {
    async fn list_users(&self, workspace_id: &str, page: &DirectoryPage) -> Result<Vec<User>> {
        self.read(|tx| run_now(sql::list_users(tx, workspace_id, page)))
    }

    async fn get_user(&self, workspace_id: &str, id: &str) -> Result<Option<User>> {
        self.read(|tx| run_now(sql::get_user(tx, workspace_id, id)))
    }

    async fn users_by_ids(&self, workspace_id: &str, ids: &[&str]) -> Result<Vec<User>> {
        self.read(|tx| run_now(sql::users_by_ids(tx, workspace_id, ids)))
    }

    async fn user_by_email(&self, workspace_id: &str, email: &str) -> Result<Option<User>> {
        self.read(|tx| run_now(sql::user_by_email(tx, workspace_id, email)))
    }

    async fn insert_user(&self, workspace_id: &str, fields: UserFields) -> Result<User> {
        let ws = workspace_id.to_string();
        self.write(move |tx| run_now(sql::insert_user(tx, &ws, &fields)))
            .await
    }

    async fn update_user(
        &self,
        workspace_id: &str,
        id: &str,
        change: UserChange,
    ) -> Result<Option<User>> {
        let (ws, id) = owned(workspace_id, id);
        self.write(move |tx| run_now(sql::update_user(tx, &ws, &id, &change)))
            .await
    }

    async fn delete_user(&self, workspace_id: &str, id: &str) -> Result<Option<()>> {
        let (ws, id) = owned(workspace_id, id);
        self.write(move |tx| run_now(sql::delete_user(tx, &ws, &id)))
            .await
    }

    async fn list_stages(&self, workspace_id: &str) -> Result<Vec<Stage>> {
        self.read(|tx| run_now(sql::list_stages(tx, workspace_id)))
    }

    async fn get_stage(&self, workspace_id: &str, id: &str) -> Result<Option<Stage>> {
        self.read(|tx| run_now(sql::get_stage(tx, workspace_id, id)))
    }

    async fn insert_stage(
        &self,
        workspace_id: &str,
        key: &str,
        label: &str,
        position: Option<i64>,
    ) -> Result<Stage> {
        let (ws, key) = owned(workspace_id, key);
        let label = label.to_string();
        self.write(move |tx| run_now(sql::insert_stage(tx, &ws, &key, &label, position)))
            .await
    }

    async fn update_stage(
        &self,
        workspace_id: &str,
        id: &str,
        change: StageChange,
    ) -> Result<Option<Stage>> {
        let (ws, id) = owned(workspace_id, id);
        self.write(move |tx| run_now(sql::update_stage(tx, &ws, &id, &change)))
            .await
    }

    async fn delete_stage(&self, workspace_id: &str, id: &str) -> Result<Option<()>> {
        let (ws, id) = owned(workspace_id, id);
        self.write(move |tx| run_now(sql::delete_stage(tx, &ws, &id)))
            .await
    }

    async fn list_tags(
        &self,
        workspace_id: &str,
        prefix: Option<&str>,
        page: &DirectoryPage,
    ) -> Result<Vec<Tag>> {
        self.read(|tx| run_now(sql::list_tags(tx, workspace_id, prefix, page)))
    }

    async fn tags_by_ids(&self, workspace_id: &str, ids: &[&str]) -> Result<Vec<Tag>> {
        self.read(|tx| run_now(sql::tags_by_ids(tx, workspace_id, ids)))
    }

    async fn tag_by_name(&self, workspace_id: &str, name_key: &str) -> Result<Option<Tag>> {
        self.read(|tx| run_now(sql::tag_by_name(tx, workspace_id, name_key)))
    }

    async fn get_tag(&self, workspace_id: &str, id: &str) -> Result<Option<Tag>> {
        self.read(|tx| run_now(sql::get_tag(tx, workspace_id, id)))
    }

    async fn insert_tag(&self, workspace_id: &str, name: &str, color: Option<&str>) -> Result<Tag> {
        let (ws, name) = owned(workspace_id, name);
        let color = color.map(str::to_string);
        self.write(move |tx| run_now(sql::insert_tag(tx, &ws, &name, color.as_deref())))
            .await
    }

    async fn update_tag(
        &self,
        workspace_id: &str,
        id: &str,
        actor: &str,
        change: TagChange,
    ) -> Result<Option<Tag>> {
        let (ws, id) = owned(workspace_id, id);
        let actor = actor.to_string();
        self.write(move |tx| run_now(sql::update_tag(tx, &ws, &id, &actor, &change)))
            .await
    }

    async fn delete_tag(&self, workspace_id: &str, id: &str, actor: &str) -> Result<Option<()>> {
        let (ws, id) = owned(workspace_id, id);
        let actor = actor.to_string();
        self.write(move |tx| run_now(sql::delete_tag(tx, &ws, &id, &actor)))
            .await
    }
}
