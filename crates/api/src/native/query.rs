//! `POST /v1/accounts/query`. Placeholder.

use axum::extract::State;
use axum::response::Response;
use orgstore_core::Error;

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;

/// Query accounts with a filter tree.
#[utoipa::path(post, path = "/v1/accounts/query", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "Query accounts with a filter tree", body = Object)))]
pub async fn query_accounts(
    State(_state): State<AppState>,
    Auth(_who): Auth,
) -> ApiResult<Response> {
    Err(Error::internal("the query language is not built yet").into())
}
