//! `/v1/contacts` (create, get, update, delete, list) and the account side of the link:
//! `/v1/accounts/{id}/contacts`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::respond::{created, record_response};
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::headers::if_match;
use crate::kit::{Auth, Json, Params, PathId, Segments};
use orgstore_core::model::{Contact, ContactInput, ContactPatch};
use orgstore_core::related::{ContactListParams, PageParams};

/// One page of contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactPage {
    pub data: Vec<Contact>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

/// The body of `POST /v1/accounts/{id}/contacts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkContact {
    /// The contact to link, `con_<ULID>`; a contact linked to another account moves here.
    pub contact_id: String,
}

/// Create a contact.
#[utoipa::path(post, path = "/v1/contacts", tag = "contacts",
    request_body(content = ContactInput, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Contact,
            headers(("Location" = String, description = "/v1/contacts/{id}"), ("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid body: the error names the field and value (an unknown `account_id` or `stage` is `invalid_value`)", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody)))]
pub async fn create_contact(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Json(input, _): Json<Native, ContactInput>,
) -> ApiResult<Response> {
    let contact = state.service.create_contact(&who, input).await?;
    Ok(created("/v1/contacts", contact))
}

/// Read a contact.
#[utoipa::path(get, path = "/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path, description = "Contact id, `con_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contact", body = Contact,
            headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 404, description = "No such contact in this workspace", body = ErrorBody)))]
pub async fn get_contact(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
) -> ApiResult<Response> {
    let contact = state.service.get_contact(&who, &id).await?;
    Ok(record_response(StatusCode::OK, contact))
}

/// Update a contact with a merge patch; `account_id` links, moves or (null) unlinks it.
#[utoipa::path(patch, path = "/v1/contacts/{id}", tag = "contacts",
    params(
        ("id" = String, Path, description = "Contact id, `con_<ULID>`"),
        ("If-Match" = Option<String>, Header, description = "Only update if the contact is at this version")),
    request_body(content = ContactPatch, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated contact", body = Contact,
            headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid body, id or If-Match", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such contact in this workspace", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version; carries current_version", body = ErrorBody)))]
pub async fn update_contact(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
    Json(patch, _): Json<Native, ContactPatch>,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    let contact = state
        .service
        .update_contact(&who, &id, patch, version)
        .await?;
    Ok(record_response(StatusCode::OK, contact))
}

/// Delete a contact.
#[utoipa::path(delete, path = "/v1/contacts/{id}", tag = "contacts",
    params(
        ("id" = String, Path, description = "Contact id, `con_<ULID>`"),
        ("If-Match" = Option<String>, Header, description = "Only delete if the contact is at this version")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Invalid id or If-Match", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such contact in this workspace", body = ErrorBody),
        (status = 412, description = "If-Match names a stale version", body = ErrorBody)))]
pub async fn delete_contact(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(id, _): PathId<Native>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    state.service.delete_contact(&who, &id, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// List contacts in creation order, a page at a time.
#[utoipa::path(get, path = "/v1/contacts", tag = "contacts",
    params(
        ("limit" = Option<String>, Query, description = "Page size, 1 to 1000 (default 50)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("account_id" = Option<String>, Query, description = "Only the contacts of this account"),
        ("email" = Option<String>, Query, description = "Only contacts with this email (trimmed, lowercased)"),
        ("stage" = Option<String>, Query, description = "Only contacts at this stage key"),
        ("q" = Option<String>, Query, description = "Case-insensitive substring of the name or an email"),
        ("updated_after" = Option<String>, Query, description = "RFC 3339 timestamp or YYYY-MM-DD")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of contacts", body = ContactPage),
        (status = 400, description = "Invalid or unknown parameter", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody)))]
pub async fn list_contacts(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Params(params, _): Params<Native, ContactListParams>,
) -> ApiResult<Response> {
    let page = state.service.list_contacts(&who, params).await?;
    Ok((StatusCode::OK, axum::Json(page)).into_response())
}

/// List an account's contacts, a page at a time.
#[utoipa::path(get, path = "/v1/accounts/{id}/contacts", tag = "contacts",
    params(
        ("id" = String, Path, description = "Account id, `acc_<ULID>`"),
        ("limit" = Option<String>, Query, description = "Page size, 1 to 1000 (default 50)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of the account's contacts", body = ContactPage),
        (status = 400, description = "Invalid id or parameter", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 404, description = "No such account in this workspace", body = ErrorBody)))]
pub async fn list_account_contacts(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(account_id, _): PathId<Native>,
    Params(params, _): Params<Native, PageParams>,
) -> ApiResult<Response> {
    let page = state
        .service
        .list_account_contacts(&who, &account_id, params)
        .await?;
    Ok((StatusCode::OK, axum::Json(page)).into_response())
}

/// Link a contact to the account, moving it from any other account.
#[utoipa::path(post, path = "/v1/accounts/{id}/contacts", tag = "contacts",
    params(("id" = String, Path, description = "Account id, `acc_<ULID>`")),
    request_body(content = LinkContact, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contact, now linked to the account", body = Contact,
            headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Invalid id or body", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "No such account or contact in this workspace", body = ErrorBody)))]
pub async fn link_contact(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments(account_id, _): PathId<Native>,
    Json(body, _): Json<Native, LinkContact>,
) -> ApiResult<Response> {
    let contact = state
        .service
        .link_contact(&who, &account_id, body.contact_id.trim())
        .await?;
    Ok(record_response(StatusCode::OK, contact))
}

/// Unlink a contact from the account; the contact stays, with no account.
#[utoipa::path(delete, path = "/v1/accounts/{id}/contacts/{contact_id}", tag = "contacts",
    params(
        ("id" = String, Path, description = "Account id, `acc_<ULID>`"),
        ("contact_id" = String, Path, description = "Contact id, `con_<ULID>`")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 400, description = "Invalid id", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 404, description = "The contact is not linked to this account", body = ErrorBody)))]
pub async fn unlink_contact(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Segments((account_id, contact_id), _): Segments<Native, (String, String)>,
) -> ApiResult<Response> {
    state
        .service
        .unlink_contact(&who, &account_id, &contact_id)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
