//! `GET /v1/accounts/export`: every account matching the list filters as NDJSON or CSV,
//! streamed in chunks so that a million accounts never sit in memory.

use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use orgstore_core::Error;
use orgstore_core::error::Code;
use serde::Deserialize;

use super::error::ErrorBody;
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::{Auth, Params};
use axum::body::{Body, Bytes};
use futures::{Stream, StreamExt, stream};
use orgstore_core::Result;
use orgstore_core::export::{ExportFormat, encode_header, encode_rows};
use orgstore_core::list::ListParams;
use orgstore_core::model::Account;

/// Accounts per body chunk: large enough to keep per-chunk overhead low, small enough that a
/// chunk is a few hundred KB at most.
const ROWS_PER_CHUNK: usize = 250;

/// The export's query string: `format` and the list filters.
#[derive(Debug, Deserialize)]
pub struct ExportParams {
    format: Option<String>,
    #[serde(flatten)]
    list: ListParams,
}

/// Export accounts as NDJSON or CSV.
///
/// The body is streamed. Errors found before the first byte (a bad parameter, an unreachable
/// database) are ordinary error responses; an error after that aborts the body, so a client sees
/// a truncated transfer rather than a short file that looks complete.
#[utoipa::path(get, path = "/v1/accounts/export", tag = "accounts",
    params(
        ("format" = Option<String>, Query, description = "`ndjson` (default) or `csv`"),
        ("stage" = Option<String>, Query, description = "Only accounts at this stage"),
        ("industry" = Option<String>, Query, description = "Only accounts in this industry"),
        ("owner" = Option<String>, Query, description = "Only accounts owned by this user id"),
        ("tag" = Option<String>, Query, description = "Only accounts with this tag"),
        ("domain" = Option<String>, Query, description = "Only accounts with this domain (normalized)"),
        ("created_after" = Option<String>, Query, description = "RFC 3339 timestamp or YYYY-MM-DD"),
        ("updated_after" = Option<String>, Query, description = "RFC 3339 timestamp or YYYY-MM-DD"),
        ("include_archived" = Option<String>, Query, description = "true to include archived accounts")),
    security(("bearer" = [])),
    responses(
        (status = 200,
            description = "Every matching account, oldest first. NDJSON: one account per line, as `GET /v1/accounts/{id}` returns it. \
                CSV: a header row and the columns id, display_id, name, domains, websites, industry, tier, company_size, \
                number_of_employees, annual_revenue, stage, owners, tags, external_refs, phone, street_1, city, state, \
                postal_code, country, description, custom_fields, created_at, updated_at, archived_at; lists joined with `;`, \
                tags as `name` or `name:value`, custom_fields as JSON text, the first phone number and address only.",
            content(
                (String = "application/x-ndjson"),
                (String = "text/csv")),
            headers(("Content-Disposition" = String, description = "attachment; filename=\"accounts.csv\" (or accounts.ndjson)"))),
        (status = 400, description = "Unknown format, invalid filter, or q/limit/cursor/sort (not supported by export)", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn export_accounts(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Params(params, _): Params<Native, ExportParams>,
) -> ApiResult<Response> {
    let format = parse_format(params.format.as_deref())?;
    let accounts = state.service.export_accounts(&who, params.list).await?;
    let header = encode_header(format).map_err(Error::internal)?;
    let body = stream::once(async move { Ok(Bytes::from(header)) })
        .chain(body_chunks(format, accounts))
        .filter(|chunk| {
            let keep = !matches!(chunk, Ok(bytes) if bytes.is_empty());
            async move { keep }
        });
    let mut response = (StatusCode::OK, Body::from_stream(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let disposition = format!("attachment; filename=\"{}\"", format.file_name());
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `ndjson` when absent; a 400 naming `format` and the value when unknown.
fn parse_format(value: Option<&str>) -> Result<ExportFormat> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(ExportFormat::Ndjson),
        Some(text) => ExportFormat::parse(text).ok_or_else(|| {
            Error::invalid(
                Code::InvalidValue,
                "format",
                text,
                format!("format must be ndjson or csv, not '{text}'"),
            )
        }),
    }
}

/// The accounts encoded a chunk at a time. A store error is logged and ends the body with an
/// error, which aborts the response.
fn body_chunks(
    format: ExportFormat,
    accounts: impl Stream<Item = Result<Account>> + Send + 'static,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    accounts
        .ready_chunks(ROWS_PER_CHUNK)
        .map(move |chunk| encode_chunk(format, chunk))
}

fn encode_chunk(format: ExportFormat, chunk: Vec<Result<Account>>) -> std::io::Result<Bytes> {
    let mut rows = Vec::with_capacity(chunk.len());
    for item in chunk {
        match item {
            Ok(account) => rows.push(account),
            Err(err) => {
                tracing::error!(error = %err, "export failed mid-stream; aborting the body");
                return Err(std::io::Error::other(err));
            }
        }
    }
    encode_rows(format, &rows).map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(parse_format(None).ok(), Some(ExportFormat::Ndjson));
        assert_eq!(parse_format(Some("")).ok(), Some(ExportFormat::Ndjson));
        assert_eq!(parse_format(Some("csv")).ok(), Some(ExportFormat::Csv));
        let err = parse_format(Some("xml")).err();
        assert_eq!(err.as_ref().and_then(|e| e.field()), Some("format"));
        assert_eq!(err.map(|e| e.status()), Some(400));
    }
}
