//! Custom field definitions and the claims of unique custom values, shared by both stores.
//!
//! A unique field's values live in `custom_field_unique_values`, whose primary key is the rule
//! itself: a write claims its values in its own transaction with `ON CONFLICT DO NOTHING`, and
//! a value that did not come back is held by another record (a 409 naming it), the same
//! pattern as the domains of `accounts::claim_unique`. Only live records hold claims.

use orgstore_core::error::Code;
use orgstore_core::schema::{
    CustomFieldDef, FieldChange, FieldType, MAX_FIELDS, ObjectSchema, RefTarget, SchemaObject,
    unique_key,
};
use orgstore_core::time::now_ms;
use orgstore_core::{Error, Result};
use serde_json::{Map, Value};

use super::{Dialect, Param, Row, SqlBuilder, Tx, decode_error};

const COLUMNS: &str = "object, api_name, label, field_type, options, reference, required, \
                       is_unique, position, archived_at, created_at, updated_at";

fn decode<R: Row>(mut r: R) -> Result<CustomFieldDef> {
    let object = match r.text(0)?.as_str() {
        "contacts" => SchemaObject::Contacts,
        _ => SchemaObject::Accounts,
    };
    let field_type = r.text(3)?;
    let options = r
        .opt_text(4)?
        .map(|t| serde_json::from_str::<Vec<String>>(&t).map_err(|e| decode_error("options", e)))
        .transpose()?;
    Ok(CustomFieldDef {
        object,
        api_name: r.text(1)?,
        label: r.text(2)?,
        field_type: FieldType::parse(&field_type)
            .ok_or_else(|| decode_error("field type", &field_type))?,
        options,
        reference: r.opt_text(5)?.as_deref().and_then(RefTarget::parse),
        required: r.int(6)? != 0,
        unique: r.int(7)? != 0,
        position: r.int(8)?,
        archived_at: r.opt_int(9)?,
        created_at: r.int(10)?,
        updated_at: r.int(11)?,
    })
}

pub async fn load<T: Tx>(tx: &mut T, ws: &str, object: SchemaObject) -> Result<ObjectSchema> {
    let sql = format!(
        "SELECT {COLUMNS} FROM custom_fields WHERE workspace_id = $1 AND object = $2 \
         ORDER BY position, api_name"
    );
    let rows = tx.query(&sql, &[ws.into(), object.as_str().into()]).await?;
    let fields = rows.into_iter().map(decode).collect::<Result<Vec<_>>>()?;
    Ok(ObjectSchema { object, fields })
}

async fn get<T: Tx>(
    tx: &mut T,
    ws: &str,
    object: SchemaObject,
    api_name: &str,
) -> Result<Option<CustomFieldDef>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM custom_fields WHERE workspace_id = $1 AND object = $2 AND api_name = $3"
    );
    let rows = tx
        .query(&sql, &[ws.into(), object.as_str().into(), api_name.into()])
        .await?;
    rows.into_iter().next().map(decode).transpose()
}

fn options_json(options: &Option<Vec<String>>) -> Result<Option<String>> {
    options
        .as_ref()
        .map(|o| serde_json::to_string(o).map_err(Error::internal))
        .transpose()
}

pub async fn insert<T: Tx>(
    tx: &mut T,
    ws: &str,
    mut def: CustomFieldDef,
) -> Result<CustomFieldDef> {
    let object = def.object.as_str();
    let rows = tx
        .query(
            "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM custom_fields \
             WHERE workspace_id = $1 AND object = $2",
            &[ws.into(), object.into()],
        )
        .await?;
    let (count, last) = match rows.into_iter().next() {
        Some(mut r) => (r.int(0)?, r.int(1)?),
        None => (0, 0),
    };
    if count >= MAX_FIELDS as i64 {
        return Err(Error::invalid(
            Code::TooManyItems,
            "api_name",
            def.api_name.as_str(),
            format!("{object} holds at most {MAX_FIELDS} custom fields, archived ones included"),
        ));
    }
    if def.position == 0 {
        def.position = last + 1;
    }
    let options = options_json(&def.options)?;
    let sql = format!(
        "INSERT INTO custom_fields (workspace_id, {COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12) \
         ON CONFLICT (workspace_id, object, api_name) DO NOTHING"
    );
    let inserted = tx
        .execute(
            &sql,
            &[
                ws.into(),
                object.into(),
                (&def.api_name).into(),
                (&def.label).into(),
                def.field_type.as_str().into(),
                options.into(),
                def.reference.map(RefTarget::as_str).into(),
                i64::from(def.required).into(),
                i64::from(def.unique).into(),
                def.position.into(),
                def.created_at.into(),
                def.updated_at.into(),
            ],
        )
        .await?;
    if inserted == 0 {
        return Err(Error::Conflict {
            code: Code::FieldExists,
            message: format!(
                "{object} already has a custom field named {} (archived names stay taken)",
                def.api_name
            ),
            field: Some("api_name".into()),
            value: Some(def.api_name.as_str().into()),
            existing_id: None,
        });
    }
    if def.unique {
        claim_existing_values(tx, ws, &def).await?;
    }
    Ok(def)
}

/// A new unique field claims the values live records already hold under its name; two
/// records sharing one make the definition a 409 naming the value and both records.
async fn claim_existing_values<T: Tx>(tx: &mut T, ws: &str, def: &CustomFieldDef) -> Result<()> {
    let has_key = match tx.dialect() {
        Dialect::Sqlite => "json_type(custom_fields, $2) IS NOT NULL",
        Dialect::Postgres => "jsonb_exists(custom_fields::jsonb, $2)",
    };
    let key = match tx.dialect() {
        Dialect::Sqlite => format!("$.\"{}\"", def.api_name),
        Dialect::Postgres => def.api_name.clone(),
    };
    // Contacts are never archived; accounts hold claims only while live.
    let (table, live) = match def.object {
        SchemaObject::Accounts => ("accounts", " AND archived_at IS NULL"),
        SchemaObject::Contacts => ("contacts", ""),
    };
    let sql = format!(
        "SELECT id, custom_fields FROM {table} WHERE workspace_id = $1{live} \
         AND {has_key} ORDER BY id"
    );
    let mut held: Vec<(String, String)> = Vec::new();
    for mut row in tx.query(&sql, &[ws.into(), Param::Owned(key)]).await? {
        let id = row.text(0)?;
        let fields: Map<String, Value> =
            serde_json::from_str(&row.text(1)?).map_err(|e| decode_error("custom_fields", e))?;
        if let Some(value_key) = fields.get(&def.api_name).and_then(|v| unique_key(def, v)) {
            if let Some((holder, _)) = held.iter().find(|(_, k)| *k == value_key) {
                return Err(Error::Conflict {
                    code: Code::CustomFieldConflict,
                    message: format!(
                        "{table} {holder} and {id} both hold {value_key} in custom_fields.{}; \
                         make them differ before defining the field unique",
                        def.api_name
                    ),
                    field: Some("unique".into()),
                    value: Some(value_key.into()),
                    existing_id: Some(holder.clone()),
                });
            }
            held.push((id, value_key));
        }
    }
    let claims: Vec<Claim<'_>> = held
        .iter()
        .map(|(id, value_key)| Claim {
            path: String::new(),
            api_name: &def.api_name,
            value_key: value_key.clone(),
            record_id: id,
        })
        .collect();
    insert_claims(tx, ws, def.object, &claims).await
}

pub async fn update<T: Tx>(
    tx: &mut T,
    ws: &str,
    object: SchemaObject,
    api_name: &str,
    change: FieldChange,
) -> Result<Option<CustomFieldDef>> {
    let Some(mut def) = get(tx, ws, object, api_name).await? else {
        return Ok(None);
    };
    if let Some(label) = change.label {
        def.label = label;
    }
    if let Some(options) = change.options {
        def.options = Some(options);
    }
    if let Some(position) = change.position {
        def.position = position;
    }
    def.updated_at = now_ms();
    let options = options_json(&def.options)?;
    tx.execute(
        "UPDATE custom_fields SET label = $1, options = $2, position = $3, updated_at = $4 \
         WHERE workspace_id = $5 AND object = $6 AND api_name = $7",
        &[
            (&def.label).into(),
            options.into(),
            def.position.into(),
            def.updated_at.into(),
            ws.into(),
            object.as_str().into(),
            api_name.into(),
        ],
    )
    .await?;
    Ok(Some(def))
}

pub async fn archive<T: Tx>(
    tx: &mut T,
    ws: &str,
    object: SchemaObject,
    api_name: &str,
) -> Result<Option<CustomFieldDef>> {
    let Some(mut def) = get(tx, ws, object, api_name).await? else {
        return Ok(None);
    };
    if def.archived_at.is_some() {
        return Ok(Some(def));
    }
    let now = now_ms();
    def.archived_at = Some(now);
    def.updated_at = now;
    tx.execute(
        "UPDATE custom_fields SET archived_at = $1, updated_at = $1 \
         WHERE workspace_id = $2 AND object = $3 AND api_name = $4",
        &[
            now.into(),
            ws.into(),
            object.as_str().into(),
            api_name.into(),
        ],
    )
    .await?;
    // An archived field takes no new values, so it holds nothing unique any more.
    tx.execute(
        "DELETE FROM custom_field_unique_values \
         WHERE workspace_id = $1 AND object = $2 AND api_name = $3",
        &[ws.into(), object.as_str().into(), api_name.into()],
    )
    .await?;
    Ok(Some(def))
}

pub async fn existing_ids<T: Tx>(
    tx: &mut T,
    ws: &str,
    target: RefTarget,
    ids: &[String],
) -> Result<Vec<String>> {
    let table = match target {
        RefTarget::Account => "accounts",
        RefTarget::User => "users",
        RefTarget::Contact => "contacts",
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut q = SqlBuilder::new(format!("SELECT id FROM {table} WHERE workspace_id = "));
        q.bind(ws).push(" AND id IN (").in_list(chunk).push(")");
        for mut row in tx.query(&q.sql, &q.params).await? {
            found.push(row.text(0)?);
        }
    }
    Ok(found)
}

/// One value a record claims.
struct Claim<'a> {
    /// The value's path in the request, for the error (`accounts[3].custom_fields.code`).
    path: String,
    api_name: &'a str,
    value_key: String,
    record_id: &'a str,
}

/// The unique values a record holds, with `prefix` the path of its custom fields.
fn claims_of<'a>(
    schema: &'a ObjectSchema,
    record_id: &'a str,
    values: &Map<String, Value>,
    prefix: &str,
) -> Vec<Claim<'a>> {
    schema
        .fields
        .iter()
        .filter(|d| d.unique && d.is_live())
        .filter_map(|def| {
            let value_key = values.get(&def.api_name).and_then(|v| unique_key(def, v))?;
            Some(Claim {
                path: format!("{prefix}.{}", def.api_name),
                api_name: &def.api_name,
                value_key,
                record_id,
            })
        })
        .collect()
}

/// Claims the unique custom values of a live record, in the write's transaction. The caller
/// has released the record's previous claims.
pub async fn claim_values<T: Tx>(
    tx: &mut T,
    ws: &str,
    object: SchemaObject,
    record_id: &str,
    values: &Map<String, Value>,
) -> Result<()> {
    // No values, nothing to claim: most writes skip the definitions query.
    if values.is_empty() {
        return Ok(());
    }
    let schema = load(tx, ws, object).await?;
    if !schema.has_unique() {
        return Ok(());
    }
    let claims = claims_of(&schema, record_id, values, "custom_fields");
    insert_claims(tx, ws, object, &claims).await
}

/// Claims the unique values of many new records (bulk create) in batched statements; `rows`
/// holds each record's id, its custom fields and their path in the request.
pub async fn claim_many<T: Tx>(
    tx: &mut T,
    ws: &str,
    object: SchemaObject,
    rows: &[(&str, &Map<String, Value>, String)],
) -> Result<()> {
    if rows.iter().all(|(_, values, _)| values.is_empty()) {
        return Ok(());
    }
    let schema = load(tx, ws, object).await?;
    if !schema.has_unique() {
        return Ok(());
    }
    let claims: Vec<Claim<'_>> = rows
        .iter()
        .flat_map(|(id, values, prefix)| claims_of(&schema, id, values, prefix))
        .collect();
    insert_claims(tx, ws, object, &claims).await
}

/// Drops every claim of a record: before it is rewritten, archived or deleted.
pub async fn release_values<T: Tx>(tx: &mut T, ws: &str, record_id: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM custom_field_unique_values WHERE workspace_id = $1 AND record_id = $2",
        &[ws.into(), record_id.into()],
    )
    .await?;
    Ok(())
}

/// Rows per claim statement: 5 parameters each, well under both databases' limits.
const CLAIM_BATCH: usize = 1_000;

async fn insert_claims<T: Tx>(
    tx: &mut T,
    ws: &str,
    object: SchemaObject,
    claims: &[Claim<'_>],
) -> Result<()> {
    for batch in claims.chunks(CLAIM_BATCH) {
        let mut q = SqlBuilder::new(
            "INSERT INTO custom_field_unique_values \
             (workspace_id, object, api_name, value_key, record_id) VALUES ",
        );
        q.values_rows(batch.iter().map(|c| {
            [
                ws.into(),
                object.as_str().into(),
                c.api_name.into(),
                c.value_key.as_str().into(),
                c.record_id.into(),
            ]
        }));
        q.push(
            " ON CONFLICT (workspace_id, object, api_name, value_key) DO NOTHING \
             RETURNING api_name, value_key, record_id",
        );
        let mut won: Vec<(String, String, String)> = Vec::with_capacity(batch.len());
        for mut row in tx.query(&q.sql, &q.params).await? {
            won.push((row.text(0)?, row.text(1)?, row.text(2)?));
        }
        if let Some(lost) = batch.iter().find(|c| {
            !won.iter()
                .any(|(a, k, r)| a == c.api_name && *k == c.value_key && r == c.record_id)
        }) {
            return Err(conflict(tx, ws, object, lost).await);
        }
    }
    Ok(())
}

async fn conflict<T: Tx>(tx: &mut T, ws: &str, object: SchemaObject, lost: &Claim<'_>) -> Error {
    let holder = tx
        .query(
            "SELECT record_id FROM custom_field_unique_values \
             WHERE workspace_id = $1 AND object = $2 AND api_name = $3 AND value_key = $4",
            &[
                ws.into(),
                object.as_str().into(),
                lost.api_name.into(),
                lost.value_key.as_str().into(),
            ],
        )
        .await
        .ok()
        .and_then(|rows| rows.into_iter().next())
        .and_then(|mut r| r.text(0).ok());
    let field = if lost.path.is_empty() {
        format!("custom_fields.{}", lost.api_name)
    } else {
        lost.path.clone()
    };
    let by = holder
        .as_deref()
        .map_or_else(String::new, |h| format!(" by {h}"));
    Error::Conflict {
        code: Code::CustomFieldConflict,
        message: format!(
            "{field} is unique and the value {} is already used{by}",
            lost.value_key
        ),
        field: Some(field),
        value: Some(lost.value_key.as_str().into()),
        existing_id: holder,
    }
}

/// Pairs of (api_name, value) per holder lookup statement.
const LOOKUP_BATCH: usize = 500;

/// Bulk create, before anything is written: for each new record (its index in the caller's
/// list, id, custom fields and their path in the request), the 409 when one of its unique
/// values is held by a stored record or by an earlier record of the request. One load of the
/// schema and one lookup per few hundred values, never one per row.
pub async fn unique_conflicts<T: Tx>(
    tx: &mut T,
    ws: &str,
    object: SchemaObject,
    rows: &[(usize, &str, &Map<String, Value>, String)],
) -> Result<Vec<(usize, Error)>> {
    if rows.iter().all(|(_, _, values, _)| values.is_empty()) {
        return Ok(Vec::new());
    }
    let schema = load(tx, ws, object).await?;
    if !schema.has_unique() {
        return Ok(Vec::new());
    }
    let claims: Vec<(usize, Claim<'_>)> = rows
        .iter()
        .flat_map(|(i, id, values, prefix)| {
            claims_of(&schema, id, values, prefix)
                .into_iter()
                .map(move |c| (*i, c))
        })
        .collect();
    let stored = stored_holders(tx, ws, object, &claims).await?;
    let mut taken: std::collections::HashMap<(&str, &str), &str> = Default::default();
    let mut failed: Vec<(usize, Error)> = Vec::new();
    for (i, claim) in &claims {
        if failed.iter().any(|(f, _)| f == i) {
            continue;
        }
        let key = (claim.api_name, claim.value_key.as_str());
        let holder = stored
            .get(&(claim.api_name.to_string(), claim.value_key.clone()))
            .map(String::as_str)
            .or_else(|| taken.get(&key).copied());
        match holder {
            Some(holder) => failed.push((*i, held_by(claim, holder))),
            None => {
                taken.insert(key, claim.record_id);
            }
        }
    }
    Ok(failed)
}

/// Who holds each of the claimed (api_name, value) pairs among stored records.
async fn stored_holders<T: Tx>(
    tx: &mut T,
    ws: &str,
    object: SchemaObject,
    claims: &[(usize, Claim<'_>)],
) -> Result<std::collections::HashMap<(String, String), String>> {
    let mut out = std::collections::HashMap::new();
    for batch in claims.chunks(LOOKUP_BATCH) {
        let mut q = SqlBuilder::new(
            "SELECT api_name, value_key, record_id FROM custom_field_unique_values \
             WHERE workspace_id = ",
        );
        q.bind(ws).push(" AND object = ").bind(object.as_str());
        q.push(" AND (api_name, value_key) IN (");
        for (n, (_, c)) in batch.iter().enumerate() {
            q.push(if n == 0 { "(" } else { ", (" });
            q.bind(c.api_name)
                .push(", ")
                .bind(c.value_key.as_str())
                .push(")");
        }
        q.push(")");
        for mut row in tx.query(&q.sql, &q.params).await? {
            out.insert((row.text(0)?, row.text(1)?), row.text(2)?);
        }
    }
    Ok(out)
}

fn held_by(claim: &Claim<'_>, holder: &str) -> Error {
    Error::Conflict {
        code: Code::CustomFieldConflict,
        message: format!(
            "{} is unique and the value {} is already used by {holder}",
            claim.path, claim.value_key
        ),
        field: Some(claim.path.clone()),
        value: Some(claim.value_key.as_str().into()),
        existing_id: Some(holder.to_string()),
    }
}
