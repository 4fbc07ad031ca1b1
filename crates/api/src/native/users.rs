//! `/v1/users`: the members of a workspace, who own accounts and hold tokens. Reads need
//! `read` scope, changes `admin`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::headers::{self};
use crate::kit::{Auth, Json, Params, PathId, Segments};
use orgstore_core::model::{NewUser, User, UserPatch};
use orgstore_core::service::DirectoryListParams;

/// One page of users (documentation type of `Page<User>`).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub data: Vec<User>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

/// `201 Created` with the record and its `Location`.
pub(crate) fn created_at<T: Serialize>(location: String, body: T) -> Response {
    headers::with_location(
        (StatusCode::CREATED, axum::Json(body)).into_response(),
        &location,
    )
}

/// List the workspace's users, oldest first.
#[utoipa::path(get, path = "/v1/users", tag = "users",
    params(
        ("limit" = Option<String>, Query, description = "Page size, 1 to 1000 (default 50)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of users", body = UserPage),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Params(params, _): Params<Native, DirectoryListParams>,
) -> ApiResult<Response> {
    let page = state.service.list_users(&who, params).await?;
    Ok(axum::Json(page).into_response())
}

/// Read a user.
#[utoipa::path(get, path = "/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "User id, `usr_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such user in this workspace", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    let user = state.service.get_user(&who, &id).await?;
    Ok(axum::Json(user).into_response())
}

/// Add a user to the workspace (admin).
#[utoipa::path(post, path = "/v1/users", tag = "users",
    request_body(content = NewUser, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = User,
            headers(("Location" = String, description = "/v1/users/{id}"))),
        (status = 400, description = "Invalid body (name, email)", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs admin scope", body = ErrorBody),
        (status = 409, description = "The email is another user's (`email_taken`, `existing_id`)", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Json(input, _): Json<Native, NewUser>,
) -> ApiResult<Response> {
    let user = state.service.create_user(&who, input).await?;
    Ok(created_at(format!("/v1/users/{}", user.id), user))
}

/// Change a user's name or email (admin); `email: null` removes the email.
#[utoipa::path(patch, path = "/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "User id, `usr_<ULID>`")),
    request_body(content = UserPatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated user", body = User),
        (status = 400, description = "Invalid body or id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs admin scope", body = ErrorBody),
        (status = 404, description = "No such user in this workspace", body = ErrorBody),
        (status = 409, description = "The email is another user's", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    Json(patch, _): Json<Native, UserPatch>,
) -> ApiResult<Response> {
    let user = state.service.update_user(&who, &id, patch).await?;
    Ok(axum::Json(user).into_response())
}

/// Delete a user and revoke their tokens (admin).
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "User id, `usr_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted; the user's tokens no longer work"),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Needs admin scope", body = ErrorBody),
        (status = 404, description = "No such user in this workspace", body = ErrorBody),
        (status = 409, description = "The workspace owner (`owner_not_deletable`), or a user who owns accounts (`user_in_use`)", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    state.service.delete_user(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
