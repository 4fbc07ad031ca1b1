//! `/v1/tags`: the workspace's tag dictionary. Reads need `read` scope, changes `write`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::{Auth, Json, Params, PathId, Segments};
use orgstore_core::model::{NewTag, Tag, TagPatch};
use orgstore_core::service::DirectoryListParams;

/// One page of tags (documentation type of `Page<Tag>`).
#[derive(Debug, Serialize, ToSchema)]
pub struct TagPage {
    pub data: Vec<Tag>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

/// List tags by name (ignoring case).
#[utoipa::path(get, path = "/v1/tags", tag = "tags",
    params(
        ("limit" = Option<String>, Query, description = "Page size, 1 to 1000 (default 50)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("q" = Option<String>, Query, description = "Only tags whose name starts with this, ignoring case")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of tags", body = TagPage),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn list_tags(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Params(params, _): Params<Native, DirectoryListParams>,
) -> ApiResult<Response> {
    let page = state.service.list_tags(&who, params).await?;
    Ok(axum::Json(page).into_response())
}

/// Read a tag.
#[utoipa::path(get, path = "/v1/tags/{id}", tag = "tags",
    params(("id" = String, Path, description = "Tag id, `tag_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tag", body = Tag),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such tag in this workspace", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn get_tag(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    let tag = state.service.get_tag(&who, &id).await?;
    Ok(axum::Json(tag).into_response())
}

/// Create a tag.
#[utoipa::path(post, path = "/v1/tags", tag = "tags",
    request_body(content = NewTag, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Tag,
            headers(("Location" = String, description = "/v1/tags/{id}"))),
        (status = 400, description = "Invalid name or color", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs write scope", body = ErrorBody),
        (status = 409, description = "The name is taken, ignoring case (`tag_name_taken`, `existing_id`)", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn create_tag(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Json(input, _): Json<Native, NewTag>,
) -> ApiResult<Response> {
    let tag = state.service.create_tag(&who, input).await?;
    Ok(super::users::created_at(
        format!("/v1/tags/{}", tag.id),
        tag,
    ))
}

/// Rename or recolor a tag; `color: null` removes the color. A rename changes the ETag of
/// every account carrying the tag.
#[utoipa::path(patch, path = "/v1/tags/{id}", tag = "tags",
    params(("id" = String, Path, description = "Tag id, `tag_<ULID>`")),
    request_body(content = TagPatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated tag", body = Tag),
        (status = 400, description = "Invalid body or id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs write scope", body = ErrorBody),
        (status = 404, description = "No such tag in this workspace", body = ErrorBody),
        (status = 409, description = "The new name is another tag's", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn update_tag(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    Json(patch, _): Json<Native, TagPatch>,
) -> ApiResult<Response> {
    let tag = state.service.update_tag(&who, &id, patch).await?;
    Ok(axum::Json(tag).into_response())
}

/// Delete a tag, removing it from every account (whose versions and ETags change).
#[utoipa::path(delete, path = "/v1/tags/{id}", tag = "tags",
    params(("id" = String, Path, description = "Tag id, `tag_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted and removed from every account"),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs write scope", body = ErrorBody),
        (status = 404, description = "No such tag in this workspace", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn delete_tag(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    state.service.delete_tag(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
