//! The native error body: `{"error": {"type", "message", "field", "value", ...}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orgstore_core::Error;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// Wraps the core error so that it can be answered over HTTP.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError(err)
    }
}

/// The body of every native error response (documentation type).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The class of the error, e.g. `invalid_value`, `not_found`: the code itself, or the
    /// broader kind a refined code belongs to (`unknown_filter_field` is an `unknown_field`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The code, from the table of error codes in the README.
    pub code: String,
    pub message: String,
    /// The request field that was wrong, as a path (`addresses[0].type`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The offending value as the client sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub value: Option<Value>,
    /// For conflicts: the record that holds the contested value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<String>,
    /// For 412: the account's current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// For 500: the id under which the fault was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
}

/// The JSON body of an error, without the status.
pub fn error_body(err: &Error) -> Value {
    let mut detail = Map::new();
    let code = err.code();
    detail.insert("type".into(), json!(code.class()));
    detail.insert("code".into(), json!(code.as_str()));
    match err {
        Error::Internal { message } => {
            let reference_id = ulid::Ulid::new().to_string();
            tracing::error!(reference_id = %reference_id, error = %message, "internal error");
            detail.insert(
                "message".into(),
                json!(format!(
                    "an internal error occurred; quote reference id {reference_id} when reporting it"
                )),
            );
            detail.insert("reference_id".into(), json!(reference_id));
            return json!({ "error": detail });
        }
        _ => {
            detail.insert("message".into(), json!(err.to_string()));
        }
    }
    if let Some(field) = err.field() {
        detail.insert("field".into(), json!(field));
    }
    if let Some(value) = err.value() {
        detail.insert("value".into(), value.clone());
    }
    match err {
        Error::Conflict {
            existing_id: Some(id),
            ..
        } => {
            detail.insert("existing_id".into(), json!(id));
        }
        Error::PreconditionFailed {
            current_version, ..
        } => {
            detail.insert("current_version".into(), json!(current_version));
        }
        _ => {}
    }
    json!({ "error": detail })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(error_body(&self.0))).into_response();
        if let Error::Unavailable { .. } = self.0 {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
