//! `/v1/accounts/assert`, `/v1/accounts/{id}/archive`, `/restore` and `/merge`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::accounts::with_etag;
use super::error::ErrorBody;
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::headers::{self, if_match};
use crate::kit::{Auth, Json, PathId, Segments};
use orgstore_core::model::Account;
use orgstore_core::service::{AssertRequest, Asserted};

/// The body of `POST /v1/accounts/{id}/merge`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The account merged into the one in the path, and then deleted.
    pub secondary: String,
}

/// Create or update the account a key matches.
#[utoipa::path(post, path = "/v1/accounts/assert", tag = "accounts",
    request_body(content = AssertRequest, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Nothing matched: created, carrying the match key", body = Account),
        (status = 200, description = "One account matched: updated with the body as a merge patch", body = Account),
        (status = 400, description = "Invalid key or body", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "match.id names no account", body = ErrorBody),
        (status = 409, description = "`ambiguous_match`: several accounts match (value lists them); or a unique value is held by another account", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody)))]
pub async fn assert_account(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Json(request, _): Json<Native, AssertRequest>,
) -> ApiResult<Response> {
    Ok(match state.service.assert_account(&who, request).await? {
        Asserted::Created(account) => {
            let location = format!("/v1/accounts/{}", account.id);
            headers::with_location(with_etag(StatusCode::CREATED, account), &location)
        }
        Asserted::Updated(account) => with_etag(StatusCode::OK, account),
    })
}

/// Archive an account: hidden from lists and matching, its domains free for other accounts.
#[utoipa::path(post, path = "/v1/accounts/{id}/archive", tag = "accounts",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "Only if the account is at this version")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The archived account (unchanged if it already was)", body = Account),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version", body = ErrorBody)))]
pub async fn archive_account(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    let account = state.service.archive_account(&who, &id, version).await?;
    Ok(with_etag(StatusCode::OK, account))
}

/// Restore an archived account.
#[utoipa::path(post, path = "/v1/accounts/{id}/restore", tag = "accounts",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "Only if the account is at this version")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The restored account (unchanged if it was not archived)", body = Account),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "A live account took one of its domains or external refs; existing_id names it", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version", body = ErrorBody)))]
pub async fn restore_account(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    let account = state.service.restore_account(&who, &id, version).await?;
    Ok(with_etag(StatusCode::OK, account))
}

/// Merge another account into this one, then delete the other.
#[utoipa::path(post, path = "/v1/accounts/{id}/merge", tag = "accounts",
    params(
        ("id" = String, Path, description = "The primary account, which is kept"),
        ("If-Match" = Option<String>, Header, description = "Only if the primary is at this version")),
    request_body(content = MergeRequest, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The primary after the merge", body = Account),
        (status = 400, description = "Invalid body, or an account merged into itself", body = ErrorBody),
        (status = 404, description = "The primary or the secondary does not exist", body = ErrorBody),
        (status = 409, description = "A domain of the secondary is held by a third account", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version", body = ErrorBody)))]
pub async fn merge_account(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
    Json(request, _): Json<Native, MergeRequest>,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    let account = state
        .service
        .merge_accounts(&who, &id, &request.secondary, version)
        .await?;
    Ok(with_etag(StatusCode::OK, account))
}
