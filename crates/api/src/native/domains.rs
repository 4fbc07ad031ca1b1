//! `/v1/accounts/{id}/domains`: list, add, make primary, remove.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::ErrorBody;
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::{Auth, Json, PathId, Segments};
use orgstore_core::service::{DomainEntry, DomainPatch, NewDomain};

/// The domains of an account, the primary first.
#[utoipa::path(get, path = "/v1/accounts/{id}/domains", tag = "domains",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{\"data\": [DomainEntry]}`", body = Object),
        (status = 404, description = "No such account", body = ErrorBody)))]
pub async fn list_domains(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    let data = state.service.list_domains(&who, &id).await?;
    Ok(axum::Json(json!({ "data": data })).into_response())
}

/// Add a domain (any spelling; it is normalized).
#[utoipa::path(post, path = "/v1/accounts/{id}/domains", tag = "domains",
    params(("id" = String, Path, description = "Account id")),
    request_body(content = NewDomain, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = DomainEntry),
        (status = 200, description = "The account already had it", body = DomainEntry),
        (status = 400, description = "Invalid domain", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "Another live account holds the domain; existing_id names it", body = ErrorBody)))]
pub async fn add_domain(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    Json(new, _): Json<Native, NewDomain>,
) -> ApiResult<Response> {
    let (entry, added) = state.service.add_domain(&who, &id, new).await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(entry)).into_response())
}

/// Make a domain the primary one.
#[utoipa::path(patch, path = "/v1/accounts/{id}/domains/{domain}", tag = "domains",
    params(
        ("id" = String, Path, description = "Account id"),
        ("domain" = String, Path, description = "The domain, any spelling")),
    request_body(content = DomainPatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The domain, now primary", body = DomainEntry),
        (status = 400, description = "`is_primary: false`, or an invalid domain", body = ErrorBody),
        (status = 404, description = "No such account, or the account lacks the domain", body = ErrorBody)))]
pub async fn update_domain(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments((id, domain), _): Segments<Native, (String, String)>,
    Json(patch, _): Json<Native, DomainPatch>,
) -> ApiResult<Response> {
    let entry = state
        .service
        .update_domain(&who, &id, &domain, patch)
        .await?;
    Ok(axum::Json(entry).into_response())
}

/// Remove a domain; the next one becomes primary if it was.
#[utoipa::path(delete, path = "/v1/accounts/{id}/domains/{domain}", tag = "domains",
    params(
        ("id" = String, Path, description = "Account id"),
        ("domain" = String, Path, description = "The domain, any spelling")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such account, or the account lacks the domain", body = ErrorBody)))]
pub async fn remove_domain(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments((id, domain), _): Segments<Native, (String, String)>,
) -> ApiResult<Response> {
    state.service.remove_domain(&who, &id, &domain).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
