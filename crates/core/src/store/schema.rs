//! The part of the store port that keeps custom field definitions.

use async_trait::async_trait;

use crate::error::Result;
use crate::schema::{CustomFieldDef, FieldChange, ObjectSchema, RefTarget, SchemaObject};

#[async_trait]
pub trait SchemaStore: Send + Sync {
    /// Every custom field of the object, live and archived, by position then api_name: one
    /// query, run once per request that validates or queries custom fields.
    async fn object_schema(&self, workspace_id: &str, object: SchemaObject)
    -> Result<ObjectSchema>;

    /// Stores a new definition (position 0 means after the last field). An api_name already
    /// defined for the object, archived or not, is a `Conflict`. A unique field claims the
    /// values live records already hold under its name; two records sharing one is a
    /// `Conflict` naming the value and the holder.
    async fn insert_custom_field(
        &self,
        workspace_id: &str,
        def: CustomFieldDef,
    ) -> Result<CustomFieldDef>;

    /// Applies a checked change; `None` when no such field.
    async fn update_custom_field(
        &self,
        workspace_id: &str,
        object: SchemaObject,
        api_name: &str,
        change: FieldChange,
    ) -> Result<Option<CustomFieldDef>>;

    /// Archives the field (idempotent) and frees the values it held unique; `None` when no
    /// such field.
    async fn archive_custom_field(
        &self,
        workspace_id: &str,
        object: SchemaObject,
        api_name: &str,
    ) -> Result<Option<CustomFieldDef>>;

    /// Which of `ids` are records of the target in the workspace (accounts, contacts or users).
    async fn existing_ids(
        &self,
        workspace_id: &str,
        target: RefTarget,
        ids: &[String],
    ) -> Result<Vec<String>>;
}
