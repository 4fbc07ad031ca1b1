//! `POST /v1/accounts/query`: the filter-tree query language over accounts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error::ErrorBody;
use super::openapi::AccountPage;
use super::{ApiResult, Native};
use crate::AppState;
use crate::kit::{Auth, Json};
use orgstore_core::query::QueryRequest;

/// Query accounts with a filter tree, an optional search term and a sort, a page at a time.
///
/// A condition is `{"field": "industry", "op": "eq", "value": "Software"}` with `op` one of eq,
/// ne, in, not_in, contains, starts_with, ends_with, gt, gte, lt, lte, between (`[low, high]`),
/// exists, not_exists; nodes are `{"and": [...]}`, `{"or": [...]}` and `{"not": {...}}` (at
/// most 16 deep, 100 conditions). Custom fields are named `custom_fields.<key>` and compared by
/// their definition's type; a `tags` value of the form `tag_<ULID>` is a tag id, any other a
/// name. Pages carry `prev_cursor` after the first, and `total` with `include_total`. Every
/// problem is a 400 whose `field` is its path in the body, such as `filter.and[1].field`, and
/// whose `code` names the rule (`unknown_filter_field`, `unsupported_operator`,
/// `invalid_filter_value`, `unsortable_field`, `too_many_sort_keys`, ...).
#[utoipa::path(post, path = "/v1/accounts/query", tag = "accounts",
    request_body(content = QueryRequest, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of matching accounts", body = AccountPage),
        (status = 400, description = "Invalid filter, sort, limit, search or cursor; `field` names its path", body = ErrorBody),
        (status = 401, description = "Missing or bad token", body = ErrorBody),
        (status = 403, description = "Scope too small", body = ErrorBody),
        (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 500, description = "Internal error, with a reference id", body = ErrorBody),
        (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn query_accounts(
    State(state): State<AppState>,
    Auth(who, _): Auth<Native>,
    Json(request, _): Json<Native, QueryRequest>,
) -> ApiResult<Response> {
    let page = state.service.query_accounts(&who, request).await?;
    Ok((StatusCode::OK, axum::Json(page)).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_describes_the_body() {
        let doc = serde_json::to_value(crate::native::routes().openapi()).expect("document");
        let schemas = &doc["components"]["schemas"];
        for name in [
            "QueryRequest",
            "FilterNode",
            "FilterCondition",
            "SortKeyInput",
        ] {
            assert!(schemas.get(name).is_some(), "{name} missing");
        }
        let op = &doc["paths"]["/v1/accounts/query"]["post"];
        assert!(op["requestBody"].is_object(), "{op}");
        assert!(op["responses"]["400"].is_object(), "{op}");
    }
}
