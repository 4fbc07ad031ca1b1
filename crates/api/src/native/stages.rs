//! `/v1/stages`: the ordered stages an account can be at. Reads need `read` scope, changes
//! `admin`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::{Auth, Json, PathId, Segments};
use orgstore_core::list::Page;
use orgstore_core::model::{NewStage, Stage, StagePatch};

/// Every stage of the workspace, in position order, in the list envelope of the other routes
/// (`has_more` is always false: stages are few and come in one page).
#[derive(Debug, Serialize, ToSchema)]
pub struct StageList {
    pub data: Vec<Stage>,
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

/// List the stages in order.
#[utoipa::path(get, path = "/v1/stages", tag = "stages",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every stage, by position", body = StageList),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn list_stages(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
) -> ApiResult<Response> {
    let stages = state.service.list_stages(&who).await?;
    let page = Page::complete(stages);
    Ok(axum::Json(page).into_response())
}

/// Read a stage.
#[utoipa::path(get, path = "/v1/stages/{id}", tag = "stages",
    params(("id" = String, Path, description = "Stage id, `stg_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stage", body = Stage),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such stage in this workspace", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn get_stage(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    let stage = state.service.get_stage(&who, &id).await?;
    Ok(axum::Json(stage).into_response())
}

/// Add a stage (admin), last or at `position`, moving later stages down one.
#[utoipa::path(post, path = "/v1/stages", tag = "stages",
    request_body(content = NewStage, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Stage,
            headers(("Location" = String, description = "/v1/stages/{id}"))),
        (status = 400, description = "Invalid key, label or position", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs admin scope", body = ErrorBody),
        (status = 409, description = "The key is taken (`stage_key_taken`, `existing_id`)", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn create_stage(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Json(input, _): Json<Native, NewStage>,
) -> ApiResult<Response> {
    let stage = state.service.create_stage(&who, input).await?;
    Ok(super::users::created_at(
        format!("/v1/stages/{}", stage.id),
        stage,
    ))
}

/// Relabel or move a stage (admin). The key cannot change (`field_not_updatable`).
#[utoipa::path(patch, path = "/v1/stages/{id}", tag = "stages",
    params(("id" = String, Path, description = "Stage id, `stg_<ULID>`")),
    request_body(content = StagePatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated stage", body = Stage),
        (status = 400, description = "Invalid body or id, or the key was sent", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs admin scope", body = ErrorBody),
        (status = 404, description = "No such stage in this workspace", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn update_stage(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    Json(patch, _): Json<Native, StagePatch>,
) -> ApiResult<Response> {
    let stage = state.service.update_stage(&who, &id, patch).await?;
    Ok(axum::Json(stage).into_response())
}

/// Delete a stage no account uses (admin).
#[utoipa::path(delete, path = "/v1/stages/{id}", tag = "stages",
    params(("id" = String, Path, description = "Stage id, `stg_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted; later stages move up one"),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs admin scope", body = ErrorBody),
        (status = 404, description = "No such stage in this workspace", body = ErrorBody),
        (status = 409, description = "Accounts are at this stage (`stage_in_use`, with how many)", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn delete_stage(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    state.service.delete_stage(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
