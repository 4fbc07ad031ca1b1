//! `Idempotency-Key` on the POST routes that write: a retry with the same key and the same
//! request gets the first response back (with `Idempotent-Replayed: true`) instead of writing
//! again; the same key with another request is a 409. Keys live in the database, per
//! workspace, for 24 hours, so that every server sharing one PostgreSQL honours them.
//!
//! [`SurfaceRoutes`](super::SurfaceRoutes) puts this layer on a surface's write routes only;
//! its 409s are rendered by the surface. It takes the caller from the [`gate`](super::gate)'s
//! outcome: a request without valid credentials passes through to the route's own 401.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, ETAG, LOCATION, RETRY_AFTER};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use orgstore_core::Error;
use orgstore_core::auth::{Principal, Scope};
use orgstore_core::error::Code;
use orgstore_core::idempotency::{IdempotencyClaim, StoredResponse};
use sha2::{Digest, Sha256};

use super::credentials::Authenticated;
use super::{Failure, Surface};
use crate::AppState;

pub const HEADER: &str = "idempotency-key";

/// Set on a replayed response.
pub const REPLAYED: &str = "idempotent-replayed";

/// The largest request body fingerprinted: the largest any route accepts (a bulk create).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Response headers kept with the body and replayed.
const KEPT_HEADERS: [HeaderName; 3] = [CONTENT_TYPE, LOCATION, ETAG];

/// Middleware: runs a keyed POST of surface `S` at most once per key.
pub async fn guard<S: Surface>(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST || !request.headers().contains_key(HEADER) {
        return next.run(request).await;
    }
    let who = match request.extensions().get::<Authenticated>() {
        Some(Authenticated(Ok(who))) => who.clone(),
        // No valid caller: the route answers its own 401.
        _ => return next.run(request).await,
    };
    match run_once(&state, &who, request, next).await {
        Ok(response) => response,
        Err(err) => {
            let in_progress = err.code() == Code::IdempotencyKeyInProgress;
            let mut response = Failure::<S>::new(err).into_response();
            if in_progress {
                // The first request is still running: worth a retry in a second.
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            }
            response
        }
    }
}

async fn run_once(
    state: &AppState,
    who: &Principal,
    request: Request,
    next: Next,
) -> Result<Response, Error> {
    // Every route that writes needs at least write scope: refuse before reading the body.
    who.require(Scope::Write)?;
    let key = key_of(&request);
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| Error::PayloadTooLarge { limit: MAX_BODY })?;
    let path = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let fingerprint = fingerprint(parts.method.as_str(), path, &bytes);
    let service = &state.service;
    match service.idempotency_claim(who, &key, &fingerprint).await? {
        IdempotencyClaim::Replay(stored) => Ok(replay(stored)),
        IdempotencyClaim::Mismatch => Err(Error::Conflict {
            code: Code::IdempotencyKeyReused,
            message: format!(
                "Idempotency-Key {key} was already used for a different request; use a new key"
            ),
            field: Some("Idempotency-Key".into()),
            value: Some(key.into()),
            existing_id: None,
        }),
        IdempotencyClaim::InProgress => Err(Error::Conflict {
            code: Code::IdempotencyKeyInProgress,
            message: format!(
                "a request with Idempotency-Key {key} is still running; retry shortly"
            ),
            field: Some("Idempotency-Key".into()),
            value: Some(key.into()),
            existing_id: None,
        }),
        IdempotencyClaim::Claimed => {
            let request = Request::from_parts(parts, Body::from(bytes));
            let response = next.run(request).await;
            record(state, who, &key, response).await
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
) -> Result<Response, Error> {
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
