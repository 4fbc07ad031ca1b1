//! `/v1/accounts/{id}/domains`: list, add, make primary, remove.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orgstore_core::Error;
use orgstore_core::error::Code;
use orgstore_core::service::{DomainEntry, DomainPatch, NewDomain};
use serde_json::json;

use super::accounts::path_id;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::JsonBody;

fn path_pair(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(String, String), Error> {
    path.map(|Path(pair)| pair).map_err(|rejection| {
        Error::bad_request(
            Code::InvalidId,
            format!("the path is not valid: {rejection}"),
        )
    })
}

/// The domains of an account, the primary first.
#[utoipa::path(get, path = "/v1/accounts/{id}/domains", tag = "domains",
    params(("id" = String, Path, description = "Account id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{\"data\": [DomainEntry]}`", body = Object),
        (status = 404, description = "No such account", body = ErrorBody)))]
pub async fn list_domains(
    State(state): State<AppState>,
    Auth(who): Auth,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(path)?;
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
    Auth(who): Auth,
    path: Result<Path<String>, PathRejection>,
    JsonBody(new): JsonBody<NewDomain>,
) -> ApiResult<Response> {
    let id = path_id(path)?;
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
    Auth(who): Auth,
    path: Result<Path<(String, String)>, PathRejection>,
    JsonBody(patch): JsonBody<DomainPatch>,
) -> ApiResult<Response> {
    let (id, domain) = path_pair(path)?;
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
    Auth(who): Auth,
    path: Result<Path<(String, String)>, PathRejection>,
) -> ApiResult<Response> {
    let (id, domain) = path_pair(path)?;
    state.service.remove_domain(&who, &id, &domain).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
