//! [`SchemaStore`] for SQLite.

use async_trait::async_trait;
use orgstore_core::Result;
use orgstore_core::schema::{CustomFieldDef, FieldChange, ObjectSchema, RefTarget, SchemaObject};
use orgstore_core::store::SchemaStore;

use super::{SqliteStore, run_now};
use crate::sql::schema;

#[async_trait]
impl SchemaStore for SqliteStore {
    async fn object_schema(
        &self,
        workspace_id: &str,
        object: SchemaObject,
    ) -> Result<ObjectSchema> {
        self.read(|tx| run_now(schema::load(tx, workspace_id, object)))
    }

    async fn insert_custom_field(
        &self,
        workspace_id: &str,
        def: CustomFieldDef,
    ) -> Result<CustomFieldDef> {
        let ws = workspace_id.to_string();
        self.write(move |tx| run_now(schema::insert(tx, &ws, def)))
            .await
    }

    async fn update_custom_field(
        &self,
        workspace_id: &str,
        object: SchemaObject,
        api_name: &str,
        change: FieldChange,
    ) -> Result<Option<CustomFieldDef>> {
        let (ws, name) = (workspace_id.to_string(), api_name.to_string());
        self.write(move |tx| run_now(schema::update(tx, &ws, object, &name, change)))
            .await
    }

    async fn archive_custom_field(
        &self,
        workspace_id: &str,
        object: SchemaObject,
        api_name: &str,
    ) -> Result<Option<CustomFieldDef>> {
        let (ws, name) = (workspace_id.to_string(), api_name.to_string());
        self.write(move |tx| run_now(schema::archive(tx, &ws, object, &name)))
            .await
    }

    async fn existing_ids(
        &self,
        workspace_id: &str,
        target: RefTarget,
        ids: &[String],
    ) -> Result<Vec<String>> {
        self.read(|tx| run_now(schema::existing_ids(tx, workspace_id, target, ids)))
    }
}
