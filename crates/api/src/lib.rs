//! The native HTTP surface of orgstore: `/v1/accounts`, health and readiness, Prometheus
//! metrics and the OpenAPI document. Handlers only translate HTTP to [`Service`] calls.

pub mod auth;
pub mod error;
pub mod idempotency;
#[path = "kit/body.rs"]
pub mod json;
pub mod metrics;
pub mod native;
pub mod openapi;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use orgstore_core::service::Service;
use serde_json::json;

pub use error::{ApiError, ApiResult};
pub use json::{BODY_LIMIT, JsonBody};

/// The state shared by the native handlers.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
}

/// The native router, with its state inside.
pub fn router(service: Service) -> Router {
    // Install the global recorder now, so that the first request is counted.
    let _ = metrics::handle();
    let state = AppState { service };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/v1/openapi.json", get(openapi::document))
        .route(
            "/v1/accounts",
            get(native::accounts::list_accounts).post(native::accounts::create_account),
        )
        .route("/v1/accounts/bulk", post(native::bulk::bulk_create))
        .route("/v1/accounts/query", post(native::query::query_accounts))
        .route(
            "/v1/accounts/assert",
            post(native::lifecycle::assert_account),
        )
        .route("/v1/accounts/export", get(native::export::export_accounts))
        .route(
            "/v1/accounts/{id}",
            get(native::accounts::get_account)
                .patch(native::accounts::update_account)
                .delete(native::accounts::delete_account),
        )
        .route(
            "/v1/accounts/{id}/archive",
            post(native::lifecycle::archive_account),
        )
        .route(
            "/v1/accounts/{id}/restore",
            post(native::lifecycle::restore_account),
        )
        .route(
            "/v1/accounts/{id}/merge",
            post(native::lifecycle::merge_account),
        )
        .route(
            "/v1/accounts/{id}/domains",
            get(native::domains::list_domains).post(native::domains::add_domain),
        )
        .route(
            "/v1/accounts/{id}/domains/{domain}",
            patch(native::domains::update_domain).delete(native::domains::remove_domain),
        )
        // Users, stages and tags.
        .route(
            "/v1/users",
            get(native::users::list_users).post(native::users::create_user),
        )
        .route(
            "/v1/users/{id}",
            get(native::users::get_user)
                .patch(native::users::update_user)
                .delete(native::users::delete_user),
        )
        .route(
            "/v1/stages",
            get(native::stages::list_stages).post(native::stages::create_stage),
        )
        .route(
            "/v1/stages/{id}",
            get(native::stages::get_stage)
                .patch(native::stages::update_stage)
                .delete(native::stages::delete_stage),
        )
        .route(
            "/v1/tags",
            get(native::tags::list_tags).post(native::tags::create_tag),
        )
        .route(
            "/v1/tags/{id}",
            get(native::tags::get_tag)
                .patch(native::tags::update_tag)
                .delete(native::tags::delete_tag),
        )
        // Contacts, opportunities and cases.
        .merge(native::contacts::routes())
        .merge(native::opportunities::routes())
        .merge(native::cases::routes())
        // The workspace schema and custom field definitions.
        .route("/v1/schema/{object}", get(native::schema::get_schema))
        .route(
            "/v1/schema/{object}/fields",
            post(native::schema::define_field),
        )
        .route(
            "/v1/schema/{object}/fields/{api_name}",
            patch(native::schema::update_field).delete(native::schema::archive_field),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::guard,
        ))
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(metrics::track))
        .with_state(state)
}

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
        (status = 503, description = "The database is unreachable", body = error::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Response> {
    state.service.ready().await?;
    Ok((StatusCode::OK, axum::Json(json!({"status": "ready"}))).into_response())
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics_text() -> Response {
    let handle = metrics::handle();
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

async fn not_found(uri: axum::http::Uri) -> Response {
    let body = json!({"error": {
        "type": "not_found",
        "message": format!("no route for {}", uri.path()),
    }});
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let body = json!({"error": {
        "type": "method_not_allowed",
        "message": format!("{method} is not allowed on {}", uri.path()),
    }});
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}
