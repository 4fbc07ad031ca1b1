//! The native error body: `{"error": {"type", "code", "message", "field", "value", ...}}`.

use axum::http::StatusCode;
use orgstore_core::Error;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::kit::ErrorView;

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
    /// For 412: the record's current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// For 429: seconds to wait before retrying (also in `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// For 500: the id under which the fault was logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
}

/// The `{"error": {...}}` body of an error.
pub fn render(view: &ErrorView<'_>) -> (StatusCode, Value) {
    (view.status, json!({ "error": detail(view) }))
}

/// The inside of the error body, also used for each failed row of a bulk create.
pub fn detail(view: &ErrorView<'_>) -> Value {
    let mut detail = Map::new();
    detail.insert("type".into(), json!(view.code.class()));
    detail.insert("code".into(), json!(view.code.as_str()));
    detail.insert("message".into(), json!(view.message));
    if let Some(reference_id) = &view.reference_id {
        detail.insert("reference_id".into(), json!(reference_id));
        return Value::Object(detail);
    }
    if let Some(field) = view.field {
        detail.insert("field".into(), json!(field));
    }
    if let Some(value) = view.value {
        detail.insert("value".into(), value.clone());
    }
    if let Some(id) = view.existing_id {
        detail.insert("existing_id".into(), json!(id));
    }
    if let Some(version) = view.current_version {
        detail.insert("current_version".into(), json!(version));
    }
    if view.status == StatusCode::TOO_MANY_REQUESTS
        && let Some(seconds) = view.retry_after
    {
        detail.insert("retry_after".into(), json!(seconds));
    }
    Value::Object(detail)
}

/// The native `{"error": {...}}` body of `err`, for the CLI's import report.
pub fn error_body(err: &Error) -> Value {
    json!({ "error": detail(&ErrorView::of(err)) })
}
