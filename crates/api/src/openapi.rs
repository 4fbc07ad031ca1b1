//! The OpenAPI 3.1 document of the native surface, generated from the handlers.

use axum::Json;
use axum::response::{IntoResponse, Response};
use orgstore_core::model::{Account, AccountInput, AccountPatch};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::{ErrorBody, ErrorDetail};

/// One page of accounts (documentation type of `Page<Account>`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountPage {
    pub data: Vec<Account>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("osk_<token>")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "orgstore", description = "CRM accounts server: native API"),
    paths(
        crate::healthz,
        crate::readyz,
        crate::metrics_text,
        document,
        crate::native::accounts::create_account,
        crate::native::accounts::list_accounts,
        crate::native::accounts::get_account,
        crate::native::accounts::update_account,
        crate::native::accounts::delete_account,
    ),
    components(schemas(Account, AccountInput, AccountPatch, AccountPage, ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
    tags((name = "accounts", description = "Accounts"), (name = "health", description = "Health, readiness, metrics, documents"))
)]
pub struct ApiDoc;

/// The OpenAPI document as a value.
pub fn spec() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// This document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "health",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn document() -> Response {
    Json(spec()).into_response()
}
