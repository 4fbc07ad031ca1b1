//! `GET /v1/accounts/export`. Placeholder.

use axum::extract::State;
use axum::response::Response;
use orgstore_core::Error;

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;

/// Export accounts as NDJSON or CSV.
#[utoipa::path(get, path = "/v1/accounts/export", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "Export accounts as NDJSON or CSV", body = Object)))]
pub async fn export_accounts(
    State(_state): State<AppState>,
    Auth(_who): Auth,
) -> ApiResult<Response> {
    Err(Error::internal("export is not built yet").into())
}
