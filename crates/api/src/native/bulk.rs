//! `POST /v1/accounts/bulk`. Placeholder.

use axum::extract::State;
use axum::response::Response;
use orgstore_core::Error;

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;

/// Create up to 10,000 accounts.
#[utoipa::path(post, path = "/v1/accounts/bulk", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "Create up to 10,000 accounts", body = Object)))]
pub async fn bulk_create(State(_state): State<AppState>, Auth(_who): Auth) -> ApiResult<Response> {
    Err(Error::internal("bulk create is not built yet").into())
}
