//! `/v1/schema/{object}`: the schema listing and the custom field definitions of accounts and
//! contacts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error::ErrorBody;
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::{Auth, Json, PathId, Segments};
use orgstore_core::schema::{CustomFieldDef, CustomFieldPatch, NewCustomField, SchemaDocument};

/// List every field of an object: system fields with their type and whether they are
/// writable, then the custom fields with their definitions (archived ones included).
#[utoipa::path(get, path = "/v1/schema/{object}", tag = "schema",
    params(("object" = String, Path, description = "`accounts` or `contacts`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The object's schema", body = SchemaDocument),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 404, description = "No such object", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn get_schema(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(object, _): PathId<Native>,
) -> ApiResult<Response> {
    let document = state.service.schema_document(&who, &object).await?;
    Ok((StatusCode::OK, axum::Json(document)).into_response())
}

/// Define a custom field (admin scope).
#[utoipa::path(post, path = "/v1/schema/{object}/fields", tag = "schema",
    params(("object" = String, Path, description = "`accounts` or `contacts`")),
    request_body(content = NewCustomField, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Defined", body = CustomFieldDef),
        (status = 400, description = "Invalid definition, naming the field and value (a system field's name included)", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs admin scope", body = ErrorBody),
        (status = 404, description = "No such object", body = ErrorBody),
        (status = 409, description = "The api_name is already defined (field_exists), or a unique field's values are already shared by two records (custom_field_conflict)", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn define_field(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(object, _): PathId<Native>,
    Json(input, _): Json<Native, NewCustomField>,
) -> ApiResult<Response> {
    let def = state
        .service
        .define_custom_field(&who, &object, input)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(def)).into_response())
}

/// Change a custom field's label, options or position (admin scope). Its type, api_name,
/// reference, required and unique are fixed (`field_not_updatable`).
#[utoipa::path(patch, path = "/v1/schema/{object}/fields/{api_name}", tag = "schema",
    params(
        ("object" = String, Path, description = "`accounts` or `contacts`"),
        ("api_name" = String, Path, description = "The field's api_name")),
    request_body(content = CustomFieldPatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed definition", body = CustomFieldDef),
        (status = 400, description = "Invalid change, or a fixed property (field_not_updatable)", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs admin scope", body = ErrorBody),
        (status = 404, description = "No such object or field", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn update_field(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments((object, api_name), _): Segments<Native, (String, String)>,
    Json(patch, _): Json<Native, CustomFieldPatch>,
) -> ApiResult<Response> {
    let def = state
        .service
        .update_custom_field(&who, &object, &api_name, patch)
        .await?;
    Ok((StatusCode::OK, axum::Json(def)).into_response())
}

/// Archive a custom field (admin scope): it stays listed with `archived_at`, rejects new
/// values and keeps the stored ones.
#[utoipa::path(delete, path = "/v1/schema/{object}/fields/{api_name}", tag = "schema",
    params(
        ("object" = String, Path, description = "`accounts` or `contacts`"),
        ("api_name" = String, Path, description = "The field's api_name")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The archived definition", body = CustomFieldDef),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs admin scope", body = ErrorBody),
        (status = 404, description = "No such object or field", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn archive_field(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments((object, api_name), _): Segments<Native, (String, String)>,
) -> ApiResult<Response> {
    let def = state
        .service
        .archive_custom_field(&who, &object, &api_name)
        .await?;
    Ok((StatusCode::OK, axum::Json(def)).into_response())
}
