//! Health, readiness, metrics and the OpenAPI document: routes without credentials.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::ApiResult;
use super::error::ErrorBody;
use crate::AppState;
use serde_json::json;

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is up", body = Object, example = json!({"status": "ok"}))))]
pub async fn healthz() -> Response {
    (StatusCode::OK, axum::Json(json!({"status": "ok"}))).into_response()
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Object, example = json!({"status": "ready"})),
        (status = 503, description = "The database is unreachable", body = ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Response> {
    state.service.ready().await?;
    Ok((StatusCode::OK, axum::Json(json!({"status": "ready"}))).into_response())
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics_text() -> Response {
    let handle = crate::metrics::handle();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// The OpenAPI 3.1 document of every surface: the native API first, then each vendor API,
/// each operation tagged with its surface.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "health",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn document(State(state): State<AppState>) -> Response {
    let body = state.openapi.get().cloned().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
