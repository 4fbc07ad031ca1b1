//! The workspace schema: listing, defining, changing and archiving custom fields, and the
//! custom-field checks of account writes. Definitions are loaded once per request (one query)
//! and every row of the request is validated against that one copy.

use std::collections::HashMap;

use super::Service;
use crate::auth::{Principal, Scope};
use crate::error::{Error, Result};
use crate::model::{AccountData, AccountPatch};
use crate::schema::{
    CustomFieldDef, CustomFieldPatch, Mode, NewCustomField, ObjectSchema, RefTarget, Reference,
    SchemaDocument, SchemaObject, validate_custom_fields,
};
use crate::serde_util::Patch;
use crate::time::now_ms;

impl Service {
    /// `GET /v1/schema/{object}`.
    pub async fn schema_document(&self, who: &Principal, object: &str) -> Result<SchemaDocument> {
        who.require(Scope::Read)?;
        let object = SchemaObject::parse(object)?;
        Ok(self.object_schema(who, object).await?.into())
    }

    /// `POST /v1/schema/{object}/fields`.
    pub async fn define_custom_field(
        &self,
        who: &Principal,
        object: &str,
        input: NewCustomField,
    ) -> Result<CustomFieldDef> {
        who.require(Scope::Admin)?;
        let object = SchemaObject::parse(object)?;
        let def = input.into_def(object, now_ms())?;
        self.store.insert_custom_field(&who.workspace_id, def).await
    }

    /// `PATCH /v1/schema/{object}/fields/{api_name}`.
    pub async fn update_custom_field(
        &self,
        who: &Principal,
        object: &str,
        api_name: &str,
        patch: CustomFieldPatch,
    ) -> Result<CustomFieldDef> {
        who.require(Scope::Admin)?;
        let object = SchemaObject::parse(object)?;
        let schema = self.object_schema(who, object).await?;
        let def = schema
            .field(api_name)
            .ok_or_else(|| Error::not_found("custom field", api_name))?;
        let change = patch.into_change(def)?;
        self.store
            .update_custom_field(&who.workspace_id, object, api_name, change)
            .await?
            .ok_or_else(|| Error::not_found("custom field", api_name))
    }

    /// `DELETE /v1/schema/{object}/fields/{api_name}`: archives the field.
    pub async fn archive_custom_field(
        &self,
        who: &Principal,
        object: &str,
        api_name: &str,
    ) -> Result<CustomFieldDef> {
        who.require(Scope::Admin)?;
        let object = SchemaObject::parse(object)?;
        self.store
            .archive_custom_field(&who.workspace_id, object, api_name)
            .await?
            .ok_or_else(|| Error::not_found("custom field", api_name))
    }

    /// The object's definitions, for a request to validate or query against.
    pub async fn object_schema(
        &self,
        who: &Principal,
        object: SchemaObject,
    ) -> Result<ObjectSchema> {
        self.store.object_schema(&who.workspace_id, object).await
    }

    /// Validates the custom fields of a new account and stores them normalized. `prefix` is
    /// the path of the map in the request (`custom_fields`, `account.custom_fields`).
    pub(super) async fn check_new_account(
        &self,
        who: &Principal,
        schema: &ObjectSchema,
        data: &mut AccountData,
        prefix: &str,
    ) -> Result<()> {
        let checked = validate_custom_fields(schema, &data.custom_fields, Mode::Create, prefix)?;
        self.check_references(who, &checked.references).await?;
        data.custom_fields = checked.values;
        Ok(())
    }

    /// Validates the custom fields an account patch writes, leaving them normalized in it.
    pub(super) async fn check_account_patch(
        &self,
        who: &Principal,
        patch: &mut AccountPatch,
        prefix: &str,
    ) -> Result<()> {
        self.check_custom_fields_patch(
            who,
            SchemaObject::Accounts,
            &mut patch.custom_fields,
            prefix,
        )
        .await
    }

    /// Validates the custom fields a patch of any object writes, leaving them normalized.
    pub(super) async fn check_custom_fields_patch(
        &self,
        who: &Principal,
        object: SchemaObject,
        custom_fields: &mut Patch<serde_json::Map<String, serde_json::Value>>,
        prefix: &str,
    ) -> Result<()> {
        let changes = match &*custom_fields {
            Patch::Absent => return Ok(()),
            Patch::Null => {
                let schema = self.object_schema(who, object).await?;
                return clear_all(&schema, prefix);
            }
            Patch::Value(changes) => changes,
        };
        let schema = self.object_schema(who, object).await?;
        let checked = validate_custom_fields(&schema, changes, Mode::Patch, prefix)?;
        self.check_references(who, &checked.references).await?;
        *custom_fields = Patch::Value(checked.values);
        Ok(())
    }

    /// Validates every decoded row of a bulk request against one load of the schema, with
    /// one existence query per reference target for all rows together. A failing row keeps
    /// its error (named from the request root); the others go on.
    pub(super) async fn check_bulk_rows(
        &self,
        who: &Principal,
        rows: &mut [Result<super::bulk::ValidRow>],
        options: &crate::bulk::BulkOptions,
    ) -> Result<()> {
        let schema = self.object_schema(who, SchemaObject::Accounts).await?;
        let mut references: Vec<(usize, Reference)> = Vec::new();
        for (i, row) in rows.iter_mut().enumerate() {
            let Ok(super::bulk::ValidRow { data, .. }) = row else {
                continue;
            };
            let prefix = format!("{}.custom_fields", options.row_path(i));
            match validate_custom_fields(&schema, &data.custom_fields, Mode::Create, &prefix) {
                Ok(checked) => {
                    data.custom_fields = checked.values;
                    references.extend(checked.references.into_iter().map(|r| (i, r)));
                }
                Err(err) => *row = Err(err),
            }
        }
        let all: Vec<Reference> = references.iter().map(|(_, r)| r.clone()).collect();
        let missing = self.missing_references(who, &all).await?;
        for ((i, _), err) in references.iter().zip(missing) {
            if let (Some(err), Some(row)) = (err, rows.get_mut(*i))
                && row.is_ok()
            {
                *row = Err(err);
            }
        }
        Ok(())
    }

    /// Validates one record's custom fields of any object (contacts call this the way accounts
    /// do): one load of the schema, one existence query per reference target. Returns the
    /// values normalized.
    pub async fn check_custom_fields(
        &self,
        who: &Principal,
        object: SchemaObject,
        values: &serde_json::Map<String, serde_json::Value>,
        mode: Mode,
        prefix: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let schema = self.object_schema(who, object).await?;
        let checked = validate_custom_fields(&schema, values, mode, prefix)?;
        self.check_references(who, &checked.references).await?;
        Ok(checked.values)
    }

    /// A 400 naming the first reference whose record is not in the workspace.
    pub(super) async fn check_references(
        &self,
        who: &Principal,
        references: &[Reference],
    ) -> Result<()> {
        match self
            .missing_references(who, references)
            .await?
            .into_iter()
            .flatten()
            .next()
        {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// For each reference, the error when its record does not exist: one query per target.
    async fn missing_references(
        &self,
        who: &Principal,
        references: &[Reference],
    ) -> Result<Vec<Option<Error>>> {
        let mut found: HashMap<RefTarget, Vec<String>> = HashMap::new();
        for target in [RefTarget::Account, RefTarget::User, RefTarget::Contact] {
            let ids: Vec<String> = references
                .iter()
                .filter(|r| r.target == target)
                .map(|r| r.id.clone())
                .collect();
            if ids.is_empty() {
                continue;
            }
            let existing = self
                .store
                .existing_ids(&who.workspace_id, target, &ids)
                .await?;
            found.insert(target, existing);
        }
        Ok(references
            .iter()
            .map(|r| {
                let known = found.get(&r.target).is_some_and(|ids| ids.contains(&r.id));
                (!known).then(|| {
                    Error::invalid_value(
                        r.field.as_str(),
                        r.id.as_str(),
                        format!(
                            "{} must be the id of a {} of this workspace; {} is not one",
                            r.field,
                            r.target.as_str(),
                            r.id
                        ),
                    )
                })
            })
            .collect())
    }
}

/// `custom_fields: null` in a patch removes every value, which a required field forbids.
fn clear_all(schema: &ObjectSchema, prefix: &str) -> Result<()> {
    match schema.fields.iter().find(|d| d.is_live() && d.required) {
        Some(def) => Err(Error::invalid_value(
            format!("{prefix}.{}", def.api_name),
            serde_json::Value::Null,
            format!(
                "{prefix} cannot be cleared: {prefix}.{} is required",
                def.api_name
            ),
        )),
        None => Ok(()),
    }
}
