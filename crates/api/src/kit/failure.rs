//! Errors on the way out: [`Failure`] is what a surface's handlers and extractors return, and
//! [`ErrorView`] is the core error digested for rendering (the internal details of a 500
//! logged under a reference id and replaced by it).

use std::borrow::Cow;
use std::marker::PhantomData;

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use orgstore_core::Error;
use orgstore_core::error::Code;
use serde_json::Value;

use super::Surface;

/// How long a client should wait before retrying while the database is unreachable.
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// A core error on its way out through surface `S`.
pub struct Failure<S> {
    pub error: Error,
    surface: PhantomData<fn() -> S>,
}

/// The result type of a surface's handlers.
pub type SurfaceResult<S, T = Response> = Result<T, Failure<S>>;

impl<S> Failure<S> {
    pub fn new(error: Error) -> Self {
        Failure {
            error,
            surface: PhantomData,
        }
    }
}

impl<S> std::fmt::Debug for Failure<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl<S> From<Error> for Failure<S> {
    fn from(error: Error) -> Self {
        Failure::new(error)
    }
}

impl<S: Surface> IntoResponse for Failure<S> {
    fn into_response(self) -> Response {
        respond::<S>(&self.error)
    }
}

/// Everything a surface needs to render an error, in one place.
#[derive(Debug)]
pub struct ErrorView<'a> {
    /// The error itself, for surfaces that need a detail the view does not carry.
    pub error: &'a Error,
    pub code: Code,
    /// The code's status; a surface may answer with another (Apollo's 422).
    pub status: StatusCode,
    /// What was wrong, for the client; for a 500 it only quotes the reference id.
    pub message: Cow<'a, str>,
    /// The request field that was wrong, as a path relative to what the client sent.
    pub field: Option<&'a str>,
    /// The offending value as the client sent it (long strings cut).
    pub value: Option<&'a Value>,
    /// For conflicts: the record that holds the contested value.
    pub existing_id: Option<&'a str>,
    /// For 412: the record's current version.
    pub current_version: Option<i64>,
    /// For 500: the id under which the fault was logged.
    pub reference_id: Option<String>,
    /// For 429 and 503: seconds the client should wait.
    pub retry_after: Option<u64>,
}

impl<'a> ErrorView<'a> {
    /// Digests `error`; an internal error is logged here, with a fresh reference id.
    pub fn of(error: &'a Error) -> Self {
        let code = error.code();
        let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let mut view = ErrorView {
            error,
            code,
            status,
            message: Cow::Owned(error.to_string()),
            field: error.field(),
            value: error.value(),
            existing_id: None,
            current_version: None,
            reference_id: None,
            retry_after: None,
        };
        match error {
            Error::Internal { message } => {
                let reference_id = ulid::Ulid::new().to_string();
                tracing::error!(reference_id = %reference_id, error = %message, "internal error");
                view.message = Cow::Owned(format!(
                    "an internal error occurred; quote reference id {reference_id} when reporting it"
                ));
                view.reference_id = Some(reference_id);
            }
            Error::Conflict { existing_id, .. } => view.existing_id = existing_id.as_deref(),
            Error::PreconditionFailed {
                current_version, ..
            } => view.current_version = Some(*current_version),
            Error::RateLimited { retry_after, .. } => view.retry_after = Some(*retry_after),
            Error::Unavailable { .. } => view.retry_after = Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => {}
        }
        view
    }
}

/// The response for `error` on surface `S`: the surface's status and body, with the headers
/// every surface shares.
pub fn respond<S: Surface>(error: &Error) -> Response {
    let view = ErrorView::of(error);
    let retry_after = view.retry_after;
    let (status, body) = S::render_error(&view);
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
