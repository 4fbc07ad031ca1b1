//! `/v1/opportunities`: create, get, update, delete and list.

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
use orgstore_core::model::{Opportunity, OpportunityInput, OpportunityPatch};
use orgstore_core::related::StatusListParams;

/// One page of opportunities.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityPage {
    pub data: Vec<Opportunity>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

/// Create an opportunity.
#[utoipa::path(post, path = "/v1/opportunities", tag = "opportunities",
    request_body(content = OpportunityInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Opportunity,
            headers(("Location" = String, description = "/v1/opportunities/{id}"), ("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid body: the error names the field and value (an unknown `account_id` is `invalid_value`)", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody)))]
pub async fn create_opportunity(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Json(input, _): Json<Native, OpportunityInput>,
) -> ApiResult<Response> {
    let record = state.service.create_opportunity(&who, input).await?;
    Ok(created("/v1/opportunities", record))
}

/// Read an opportunity.
#[utoipa::path(get, path = "/v1/opportunities/{id}", tag = "opportunities",
    params(("id" = String, Path, description = "Opportunity id, `opp_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The opportunity", body = Opportunity,
            headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 404, description = "No such opportunity in this workspace", body = ErrorBody)))]
pub async fn get_opportunity(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    let record = state.service.get_opportunity(&who, &id).await?;
    Ok(record_response(StatusCode::OK, record))
}

/// Update an opportunity with a merge patch.
#[utoipa::path(patch, path = "/v1/opportunities/{id}", tag = "opportunities",
    params(
        ("id" = String, Path, description = "Opportunity id, `opp_<ULID>`"),
        ("If-Match" = Option<String>, Header, description = "Only update if the opportunity is at this version")),
    request_body(content = OpportunityPatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated opportunity", body = Opportunity,
            headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid body, id or If-Match", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such opportunity in this workspace", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version; carries current_version", body = ErrorBody)))]
pub async fn update_opportunity(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
    Json(patch, _): Json<Native, OpportunityPatch>,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    let record = state
        .service
        .update_opportunity(&who, &id, patch, version)
        .await?;
    Ok(record_response(StatusCode::OK, record))
}

/// Delete an opportunity.
#[utoipa::path(delete, path = "/v1/opportunities/{id}", tag = "opportunities",
    params(
        ("id" = String, Path, description = "Opportunity id, `opp_<ULID>`"),
        ("If-Match" = Option<String>, Header, description = "Only delete if the opportunity is at this version")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Invalid id or If-Match", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such opportunity in this workspace", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version", body = ErrorBody)))]
pub async fn delete_opportunity(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    state.service.delete_opportunity(&who, &id, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// List opportunities in creation order, a page at a time.
#[utoipa::path(get, path = "/v1/opportunities", tag = "opportunities",
    params(
        ("limit" = Option<String>, Query, description = "Page size, 1 to 1000 (default 50)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("account_id" = Option<String>, Query, description = "Only the opportunities of this account"),
        ("status" = Option<String>, Query, description = "open, won or lost"),
        ("updated_after" = Option<String>, Query, description = "RFC 3339 timestamp or YYYY-MM-DD")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of opportunities", body = OpportunityPage),
        (status = 400, description = "Invalid or unknown parameter", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody)))]
pub async fn list_opportunities(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Params(params, _): Params<Native, StatusListParams>,
) -> ApiResult<Response> {
    let page = state.service.list_opportunities(&who, params).await?;
    Ok((StatusCode::OK, axum::Json(page)).into_response())
}
