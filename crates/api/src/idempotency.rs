//! `Idempotency-Key` on POST: a retry with the same key and the same request gets the first
//! response back (with `Idempotent-Replayed: true`) instead of writing again; the same key with
//! another request is a 409. Keys live in the database, per workspace, for 24 hours, so that
//! every server sharing one PostgreSQL honours them.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{CONTENT_TYPE, ETAG, LOCATION, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use orgstore_core::Error;
use orgstore_core::auth::Principal;
use orgstore_core::error::Code;
use orgstore_core::idempotency::{IdempotencyClaim, StoredResponse};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";

/// Set on a replayed response.
pub const REPLAYED: &str = "idempotent-replayed";

/// The largest request body fingerprinted: the largest any route accepts (a bulk create).
const MAX_BODY: usize = crate::native::bulk::BULK_BODY_LIMIT;

/// Response headers kept with the body and replayed.
const KEPT_HEADERS: [HeaderName; 3] = [CONTENT_TYPE, LOCATION, ETAG];

/// Middleware: runs a keyed POST at most once per key.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.headers().contains_key(HEADER) {
        return next.run(request).await;
    }
    match run_once(&state, request, next).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn run_once(state: &AppState, request: Request, next: Next) -> Result<Response, ApiError> {
    let key = key_of(&request);
    let (mut parts, body) = request.into_parts();
    let Auth(who) = Auth::from_request_parts(&mut parts, state).await?;
    let bytes = to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| Error::PayloadTooLarge { limit: MAX_BODY })?;
    let path = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let fingerprint = fingerprint(parts.method.as_str(), path, &bytes);
    let service = &state.service;
    match service.idempotency_claim(&who, &key, &fingerprint).await? {
        IdempotencyClaim::Replay(stored) => Ok(replay(stored)),
        IdempotencyClaim::Mismatch => Err(Error::Conflict {
            code: Code::IdempotencyKeyReused,
            message: format!(
                "Idempotency-Key {key} was already used for a different request; use a new key"
            ),
            field: Some("Idempotency-Key".into()),
            value: Some(key.into()),
            existing_id: None,
        }
        .into()),
        IdempotencyClaim::InProgress => {
            let mut response = ApiError(Error::Conflict {
                code: Code::IdempotencyKeyInProgress,
                message: format!(
                    "a request with Idempotency-Key {key} is still running; retry shortly"
                ),
                field: Some("Idempotency-Key".into()),
                value: Some(key.into()),
                existing_id: None,
            })
            .into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            Ok(response)
        }
        IdempotencyClaim::Claimed => {
            let request = Request::from_parts(parts, Body::from(bytes));
            let response = next.run(request).await;
            record(state, &who, &key, response).await
        }
    }
}

/// The key as text; the service checks its length and characters (non-UTF-8 becomes empty,
/// which it refuses).
fn key_of(request: &Request) -> String {
    let raw = request.headers().get(HEADER).map(|v| v.as_bytes());
    let text = raw.and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("");
    text.trim().to_string()
}

/// A hash of the method, path with query, and body: what makes two requests "the same".
fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_bytes());
    hash.update(b" ");
    hash.update(path.as_bytes());
    hash.update(b"\n");
    hash.update(body);
    hex::encode(hash.finalize())
}

/// Stores the response for replay, except server-side failures, whose key is freed so that
/// a retry runs again.
async fn record(
    state: &AppState,
    who: &Principal,
    key: &str,
    response: Response,
) -> Result<Response, ApiError> {
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX)
        .await
        .map_err(|e| Error::internal(format!("reading a response to keep it: {e}")))?;
    let text = std::str::from_utf8(&bytes).ok();
    match text.filter(|_| !parts.status.is_server_error()) {
        Some(text) => {
            let stored = StoredResponse {
                status: parts.status.as_u16(),
                headers: KEPT_HEADERS
                    .iter()
                    .filter_map(|name| {
                        let value = parts.headers.get(name)?.to_str().ok()?;
                        Some((name.as_str().to_string(), value.to_string()))
                    })
                    .collect(),
                body: text.to_string(),
            };
            state
                .service
                .idempotency_complete(who, key, &stored)
                .await?;
        }
        None => state.service.idempotency_release(who, key).await?,
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(name, value);
        }
    }
    headers.insert(
        HeaderName::from_static(REPLAYED),
        HeaderValue::from_static("true"),
    );
    response
}
