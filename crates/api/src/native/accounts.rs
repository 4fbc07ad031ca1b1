//! `/v1/accounts`: create, get, update, delete and list.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{ETAG, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use orgstore_core::Error;
use orgstore_core::error::Code;
use orgstore_core::list::ListParams;
use orgstore_core::model::{Account, AccountInput, AccountPatch};

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::JsonBody;
use crate::openapi::AccountPage;

/// Parses an `If-Match` value: `"3"`, `W/"3"` or `3` name a version; `*` (or no header) means
/// no condition.
pub fn parse_if_match(value: Option<&str>) -> Result<Option<i64>, Error> {
    let Some(raw) = value else {
        return Ok(None);
    };
    let text = raw.trim();
    if text == "*" {
        return Ok(None);
    }
    let unweak = text.strip_prefix("W/").unwrap_or(text);
    let unquoted = match unweak.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner,
        None => unweak,
    };
    match unquoted.parse::<i64>() {
        Ok(version) if version >= 0 && !unquoted.starts_with('+') => Ok(Some(version)),
        _ => Err(Error::invalid(
            Code::InvalidValue,
            "If-Match",
            raw,
            "If-Match must be an ETag of this API, such as \"3\", or *",
        )),
    }
}

pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<i64>, Error> {
    match headers.get(IF_MATCH) {
        None => Ok(None),
        Some(value) => match value.to_str() {
            Ok(text) => parse_if_match(Some(text)),
            Err(_) => Err(Error::invalid(
                Code::InvalidValue,
                "If-Match",
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
                "If-Match must be an ETag of this API, such as \"3\", or *",
            )),
        },
    }
}

pub(crate) fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, Error> {
    path.map(|Path(id)| id).map_err(|rejection| {
        Error::bad_request(
            Code::InvalidId,
            format!("the id in the path is not valid: {rejection}"),
        )
    })
}

pub(crate) fn with_etag(status: StatusCode, account: Account) -> Response {
    let etag = HeaderValue::from_str(&account.etag()).ok();
    let mut response = (status, axum::Json(account)).into_response();
    if let Some(etag) = etag {
        response.headers_mut().insert(ETAG, etag);
    }
    response
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
    Auth(who): Auth,
    JsonBody(input): JsonBody<AccountInput>,
) -> ApiResult<Response> {
    let account = state.service.create_account(&who, input).await?;
    let location = HeaderValue::from_str(&format!("/v1/accounts/{}", account.id)).ok();
    let mut response = with_etag(StatusCode::CREATED, account);
    if let Some(location) = location {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
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
    Auth(who): Auth,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult<Response> {
    let id = path_id(path)?;
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
    Auth(who): Auth,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    JsonBody(patch): JsonBody<AccountPatch>,
) -> ApiResult<Response> {
    let id = path_id(path)?;
    let version = if_match(&headers)?;
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
    Auth(who): Auth,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = path_id(path)?;
    let version = if_match(&headers)?;
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
    Auth(who): Auth,
    query: Result<Query<ListParams>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(params) = query.map_err(|rejection| {
        Error::bad_request(
            Code::InvalidQuery,
            format!("the query string is not valid: {}", rejection.body_text()),
        )
    })?;
    let page = state.service.list_accounts(&who, params).await?;
    Ok((StatusCode::OK, axum::Json(page)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_forms() {
        assert_eq!(parse_if_match(None).ok(), Some(None));
        assert_eq!(parse_if_match(Some("*")).ok(), Some(None));
        assert_eq!(parse_if_match(Some("\"3\"")).ok(), Some(Some(3)));
        assert_eq!(parse_if_match(Some("W/\"3\"")).ok(), Some(Some(3)));
        assert_eq!(parse_if_match(Some(" 3 ")).ok(), Some(Some(3)));
        for bad in ["abc", "\"x\"", "", "-1", "\"3"] {
            let err = parse_if_match(Some(bad)).err();
            assert_eq!(
                err.as_ref().and_then(|e| e.field()),
                Some("If-Match"),
                "{bad}"
            );
            assert_eq!(err.map(|e| e.status()), Some(400));
        }
    }
}
