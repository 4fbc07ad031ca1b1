//! `/v1/cases`: create, get, update, delete and list.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::respond::{created, record_response};
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::headers::if_match;
use crate::kit::{Auth, Json, Params, PathId, Segments};
use orgstore_core::model::{Case, CaseInput, CasePatch};
use orgstore_core::related::StatusListParams;

/// One page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub data: Vec<Case>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

/// Create a case.
#[utoipa::path(post, path = "/v1/cases", tag = "cases",
    request_body(content = CaseInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Case,
            headers(("Location" = String, description = "/v1/cases/{id}"), ("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid body: the error names the field and value (an unknown `account_id` is `invalid_value`)", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody)))]
pub async fn create_case(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Json(input, _): Json<Native, CaseInput>,
) -> ApiResult<Response> {
    let record = state.service.create_case(&who, input).await?;
    Ok(created("/v1/cases", record))
}

/// Read a case.
#[utoipa::path(get, path = "/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "Case id, `cas_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case", body = Case,
            headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 404, description = "No such case in this workspace", body = ErrorBody)))]
pub async fn get_case(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    let record = state.service.get_case(&who, &id).await?;
    Ok(record_response(StatusCode::OK, record))
}

/// Update a case with a merge patch.
#[utoipa::path(patch, path = "/v1/cases/{id}", tag = "cases",
    params(
        ("id" = String, Path, description = "Case id, `cas_<ULID>`"),
        ("If-Match" = Option<String>, Header, description = "Only update if the case is at this version")),
    request_body(content = CasePatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated case", body = Case,
            headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid body, id or If-Match", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such case in this workspace", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version; carries current_version", body = ErrorBody)))]
pub async fn update_case(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
    Json(patch, _): Json<Native, CasePatch>,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    let record = state.service.update_case(&who, &id, patch, version).await?;
    Ok(record_response(StatusCode::OK, record))
}

/// Delete a case.
#[utoipa::path(delete, path = "/v1/cases/{id}", tag = "cases",
    params(
        ("id" = String, Path, description = "Case id, `cas_<ULID>`"),
        ("If-Match" = Option<String>, Header, description = "Only delete if the case is at this version")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Invalid id or If-Match", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such case in this workspace", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version", body = ErrorBody)))]
pub async fn delete_case(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    state.service.delete_case(&who, &id, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// List cases in creation order, a page at a time.
#[utoipa::path(get, path = "/v1/cases", tag = "cases",
    params(
        ("limit" = Option<String>, Query, description = "Page size, 1 to 1000 (default 50)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("account_id" = Option<String>, Query, description = "Only the cases of this account"),
        ("status" = Option<String>, Query, description = "open or closed"),
        ("updated_after" = Option<String>, Query, description = "RFC 3339 timestamp or YYYY-MM-DD")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of cases", body = CasePage),
        (status = 400, description = "Invalid or unknown parameter", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody)))]
pub async fn list_cases(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Params(params, _): Params<Native, StatusListParams>,
) -> ApiResult<Response> {
    let page = state.service.list_cases(&who, params).await?;
    Ok((StatusCode::OK, axum::Json(page)).into_response())
}
