//! `POST /v1/accounts/bulk`: create or match up to 10,000 accounts in one transaction.
//!
//! The body may be far larger than the 1 MiB every other route accepts, so it is read here with
//! its own limit. The response is rendered straight from the service's results (no
//! intermediate JSON tree for the accounts): `{"results": [{"index", "status", "account" |
//! "error"}]}` in input order, each error in the native `{type, message, field, value}` shape.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ErrorBody, ErrorDetail, error_body};
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::Auth;
use crate::kit::read_json;
use orgstore_core::auth::Scope;
use orgstore_core::bulk::{BulkRequest, BulkResponse, BulkResult, BulkStatus};
use orgstore_core::model::Account;
use serde::ser::{SerializeMap, Serializer};

/// Largest bulk body: 10,000 accounts of a few KiB each.
pub const BULK_BODY_LIMIT: usize = crate::kit::idempotency::MAX_BODY;

/// The response of a bulk create (documentation type).
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResponseBody {
    /// One result per input row, in input order.
    pub results: Vec<BulkResultBody>,
}

/// The result of one input row (documentation type).
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResultBody {
    /// The row's position in `accounts`.
    pub index: usize,
    /// `created`, `existing` (matched a stored account or an earlier row of the request) or
    /// `error`.
    pub status: BulkStatus,
    /// The created or matched account; absent on error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
    /// The row's error, its field named from the request root (`accounts[3].domains[0]`);
    /// absent on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

/// Create or match up to 10,000 accounts in one transaction.
///
/// With `dedupe` (the default) each row is matched by external ref, then by any domain:
/// `existing` when an account matches, `created` otherwise; rows that share a domain or
/// external ref collapse into the first of them (the later ones report `existing`). Without
/// `dedupe`, a row whose domain or external ref is taken is an `error` (`domain_conflict`).
/// Invalid rows are `error` and the valid ones are still written, unless `atomic` is set: then
/// the first failing row fails the request (400, or 409 for conflicts) and nothing is written.
#[utoipa::path(post, path = "/v1/accounts/bulk", tag = "accounts",
    request_body(content = BulkRequest, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One result per input row, in input order", body = BulkResponseBody),
        (status = 400, description = "Invalid body, more than 10,000 accounts, bad `append_tags`, or (atomic) the first invalid row", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 409, description = "(atomic) the first row whose domain or external ref is taken, or that matches several accounts", body = ErrorBody),
        (status = 413, description = "Body larger than 64 MiB", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn bulk_create(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    request: Request,
) -> ApiResult<Response> {
    // Checked before reading up to 64 MiB of body that could not be used anyway.
    who.require(Scope::Write)?;
    let body: BulkRequest = read_json(request, BULK_BODY_LIMIT).await?;
    let response = state.service.bulk_create(&who, body).await?;
    Ok(axum::Json(Rendered(&response)).into_response())
}

/// Serializes a [`BulkResponse`] as the native body.
struct Rendered<'a>(&'a BulkResponse);

impl Serialize for Rendered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("results", &RenderedRows(&self.0.results))?;
        map.end()
    }
}

struct RenderedRows<'a>(&'a [BulkResult]);

impl Serialize for RenderedRows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(RenderedRow))
    }
}

struct RenderedRow<'a>(&'a BulkResult);

impl Serialize for RenderedRow<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let row = self.0;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("index", &row.index)?;
        map.serialize_entry("status", &row.status)?;
        if let Some(account) = &row.account {
            map.serialize_entry("account", account)?;
        }
        if let Some(err) = &row.error {
            map.serialize_entry("error", &error_body(err)["error"])?;
        }
        map.end()
    }
}
