//! [`SchemaStore`] for PostgreSQL.

use async_trait::async_trait;
use orgstore_core::Result;
use orgstore_core::schema::{CustomFieldDef, FieldChange, ObjectSchema, RefTarget, SchemaObject};
use orgstore_core::store::SchemaStore;

use super::{PgTx, PostgresStore, db_error};
use crate::sql::schema;

#[async_trait]
impl SchemaStore for PostgresStore {
    async fn object_schema(
        &self,
        workspace_id: &str,
        object: SchemaObject,
    ) -> Result<ObjectSchema> {
        on_connection!(self, |tx| schema::load(&mut tx, workspace_id, object))
    }

    async fn insert_custom_field(
        &self,
        workspace_id: &str,
        def: CustomFieldDef,
    ) -> Result<CustomFieldDef> {
        in_transaction!(self, |tx| schema::insert(&mut tx, workspace_id, def))
    }

    async fn update_custom_field(
        &self,
        workspace_id: &str,
        object: SchemaObject,
        api_name: &str,
        change: FieldChange,
    ) -> Result<Option<CustomFieldDef>> {
        in_transaction!(self, |tx| schema::update(
            &mut tx,
            workspace_id,
            object,
            api_name,
            change
        ))
    }

    async fn archive_custom_field(
        &self,
        workspace_id: &str,
        object: SchemaObject,
        api_name: &str,
    ) -> Result<Option<CustomFieldDef>> {
        in_transaction!(self, |tx| schema::archive(
            &mut tx,
            workspace_id,
            object,
            api_name
        ))
    }

    async fn existing_ids(
        &self,
        workspace_id: &str,
        target: RefTarget,
        ids: &[String],
    ) -> Result<Vec<String>> {
        on_connection!(self, |tx| schema::existing_ids(
            &mut tx,
            workspace_id,
            target,
            ids
        ))
    }
}
