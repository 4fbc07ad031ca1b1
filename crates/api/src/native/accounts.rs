//! `/v1/accounts`: create, get, update, delete and list.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use orgstore_core::list::ListParams;
use orgstore_core::model::{Account, AccountInput, AccountPatch};

use super::error::ErrorBody;
use super::openapi::AccountPage;
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::headers;
use crate::kit::{Auth, Json, Params, PathId, Segments};

/// An account as JSON with its `ETag`.
pub(crate) fn with_etag(status: StatusCode, account: Account) -> Response {
    let etag = account.etag();
    headers::with_etag(status, &etag, account)
}

/// Create an account.
#[utoipa::path(post, path = "/v1/accounts", tag = "accounts",
    request_body(content = AccountInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Account,
            headers(("Location" = String, description = "/v1/accounts/{id}"), ("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid body", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 409, description = "A unique value is held by another account", body = ErrorBody),
        (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn create_account(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Json(input, _): Json<Native, AccountInput>,
) -> ApiResult<Response> {
    let account = state.service.create_account(&who, input).await?;
    let location = format!("/v1/accounts/{}", account.id);
    Ok(headers::with_location(
        with_etag(StatusCode::CREATED, account),
        &location,
    ))
}

/// Read an account.
#[utoipa::path(get, path = "/v1/accounts/{id}", tag = "accounts",
    params(("id" = String, Path, description = "Account id, `acc_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = Account,
            headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such account in this workspace", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn get_account(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    let account = state.service.get_account(&who, &id).await?;
    Ok(with_etag(StatusCode::OK, account))
}

/// Update an account with a merge patch.
#[utoipa::path(patch, path = "/v1/accounts/{id}", tag = "accounts",
    params(
        ("id" = String, Path, description = "Account id, `acc_<ULID>`"),
        ("If-Match" = Option<String>, Header, description = "Only update if the account is at this version: `\"3\"`, `W/\"3\"`, `3` or `*`")),
    request_body(content = AccountPatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated account", body = Account,
            headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid body, id or If-Match", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such account in this workspace", body = ErrorBody),
        (status = 409, description = "A unique value is held by another account", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version; carries current_version", body = ErrorBody),
        (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn update_account(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
    Json(patch, _): Json<Native, AccountPatch>,
) -> ApiResult<Response> {
    let version = headers::if_match(&headers)?;
    let account = state
        .service
        .update_account(&who, &id, patch, version)
        .await?;
    Ok(with_etag(StatusCode::OK, account))
}

/// Delete an account.
#[utoipa::path(delete, path = "/v1/accounts/{id}", tag = "accounts",
    params(
        ("id" = String, Path, description = "Account id, `acc_<ULID>`"),
        ("If-Match" = Option<String>, Header, description = "Only delete if the account is at this version")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Invalid id or If-Match", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such account in this workspace", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn delete_account(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let version = headers::if_match(&headers)?;
    state.service.delete_account(&who, &id, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// List accounts, a page at a time.
#[utoipa::path(get, path = "/v1/accounts", tag = "accounts",
    params(
        ("limit" = Option<String>, Query, description = "Page size, 1 to 1000 (default 50)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page, or `prev_cursor` of the next one, with the same filters and sort"),
        ("sort" = Option<String>, Query, description = "name, created_at or updated_at; `-` prefix or `:asc`/`:desc` suffix"),
        ("stage" = Option<String>, Query, description = "Only accounts at this stage"),
        ("industry" = Option<String>, Query, description = "Only accounts in this industry"),
        ("owner" = Option<String>, Query, description = "Only accounts owned by this user id"),
        ("tag" = Option<String>, Query, description = "Only accounts with this tag: a tag id (`tag_<ULID>`) or a name, ignoring case"),
        ("domain" = Option<String>, Query, description = "Only accounts with this domain (normalized)"),
        ("created_after" = Option<String>, Query, description = "RFC 3339 timestamp or YYYY-MM-DD"),
        ("updated_after" = Option<String>, Query, description = "RFC 3339 timestamp or YYYY-MM-DD"),
        ("include_archived" = Option<String>, Query, description = "true to include archived accounts"),
        ("include_total" = Option<String>, Query, description = "true to answer with `total`, the number of all matching accounts"),
        ("q" = Option<String>, Query, description = "Substring search over name, domains and websites, ranked unless `sort` is given")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of accounts", body = AccountPage),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn list_accounts(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Params(params, _): Params<Native, ListParams>,
) -> ApiResult<Response> {
    let page = state.service.list_accounts(&who, params).await?;
    Ok((StatusCode::OK, axum::Json(page)).into_response())
}
