//! [`DirectoryStore`] for PostgreSQL: reads on a pooled connection, writes in one transaction.

use async_trait::async_trait;
use orgstore_core::Result;
use orgstore_core::model::{Stage, StageChange, Tag, TagChange, User, UserChange, UserFields};
use orgstore_core::store::{DirectoryPage, DirectoryStore};

use super::{PgTx, PostgresStore, db_error};
use crate::sql::directory as sql;

#[async_trait]
impl DirectoryStore for PostgresStore {
    async fn list_users(&self, workspace_id: &str, page: &DirectoryPage) -> Result<Vec<User>> {
        on_connection!(self, |tx| sql::list_users(&mut tx, workspace_id, page))
    }

    async fn get_user(&self, workspace_id: &str, id: &str) -> Result<Option<User>> {
        on_connection!(self, |tx| sql::get_user(&mut tx, workspace_id, id))
    }

    async fn users_by_ids(&self, workspace_id: &str, ids: &[&str]) -> Result<Vec<User>> {
        on_connection!(self, |tx| sql::users_by_ids(&mut tx, workspace_id, ids))
    }

    async fn user_by_email(&self, workspace_id: &str, email: &str) -> Result<Option<User>> {
        on_connection!(self, |tx| sql::user_by_email(&mut tx, workspace_id, email))
    }

    async fn insert_user(&self, workspace_id: &str, fields: UserFields) -> Result<User> {
        in_transaction!(self, |tx| sql::insert_user(&mut tx, workspace_id, &fields))
    }

    async fn update_user(
        &self,
        workspace_id: &str,
        id: &str,
        change: UserChange,
    ) -> Result<Option<User>> {
        in_transaction!(self, |tx| sql::update_user(
            &mut tx,
            workspace_id,
            id,
            &change
        ))
    }

    async fn delete_user(&self, workspace_id: &str, id: &str) -> Result<Option<()>> {
        in_transaction!(self, |tx| sql::delete_user(&mut tx, workspace_id, id))
    }

    async fn list_stages(&self, workspace_id: &str) -> Result<Vec<Stage>> {
        on_connection!(self, |tx| sql::list_stages(&mut tx, workspace_id))
    }

    async fn get_stage(&self, workspace_id: &str, id: &str) -> Result<Option<Stage>> {
        on_connection!(self, |tx| sql::get_stage(&mut tx, workspace_id, id))
    }

    async fn insert_stage(
        &self,
        workspace_id: &str,
        key: &str,
        label: &str,
        position: Option<i64>,
    ) -> Result<Stage> {
        in_transaction!(self, |tx| sql::insert_stage(
            &mut tx,
            workspace_id,
            key,
            label,
            position
        ))
    }

    async fn update_stage(
        &self,
        workspace_id: &str,
        id: &str,
        change: StageChange,
    ) -> Result<Option<Stage>> {
        in_transaction!(self, |tx| sql::update_stage(
            &mut tx,
            workspace_id,
            id,
            &change
        ))
    }

    async fn delete_stage(&self, workspace_id: &str, id: &str) -> Result<Option<()>> {
        in_transaction!(self, |tx| sql::delete_stage(&mut tx, workspace_id, id))
    }

    async fn list_tags(
        &self,
        workspace_id: &str,
        prefix: Option<&str>,
        page: &DirectoryPage,
    ) -> Result<Vec<Tag>> {
        on_connection!(self, |tx| sql::list_tags(
            &mut tx,
            workspace_id,
            prefix,
            page
        ))
    }

    async fn tags_by_ids(&self, workspace_id: &str, ids: &[&str]) -> Result<Vec<Tag>> {
        on_connection!(self, |tx| sql::tags_by_ids(&mut tx, workspace_id, ids))
    }

    async fn tag_by_name(&self, workspace_id: &str, name_key: &str) -> Result<Option<Tag>> {
        on_connection!(self, |tx| sql::tag_by_name(&mut tx, workspace_id, name_key))
    }

    async fn get_tag(&self, workspace_id: &str, id: &str) -> Result<Option<Tag>> {
        on_connection!(self, |tx| sql::get_tag(&mut tx, workspace_id, id))
    }

    async fn insert_tag(&self, workspace_id: &str, name: &str, color: Option<&str>) -> Result<Tag> {
        in_transaction!(self, |tx| sql::insert_tag(
            &mut tx,
            workspace_id,
            name,
            color
        ))
    }

    async fn update_tag(
        &self,
        workspace_id: &str,
        id: &str,
        actor: &str,
        change: TagChange,
    ) -> Result<Option<Tag>> {
        in_transaction!(self, |tx| sql::update_tag(
            &mut tx,
            workspace_id,
            id,
            actor,
            &change
        ))
    }

    async fn delete_tag(&self, workspace_id: &str, id: &str, actor: &str) -> Result<Option<()>> {
        in_transaction!(self, |tx| sql::delete_tag(&mut tx, workspace_id, id, actor))
    }
}
