//! The native `/v1` surface: orgstore's own API, documented by its OpenAPI document. Vendor
//! surfaces are sibling modules over the same kit and service layer; none imports from here.

pub mod accounts;
pub mod bulk;
pub mod domains;
pub mod error;
pub mod export;
pub mod health;
pub mod lifecycle;
pub mod openapi;
pub mod query;
pub mod respond;
pub mod stages;
pub mod tags;
pub mod users;

// Contacts, opportunities and cases.
pub mod cases;
pub mod contacts;
pub mod opportunities;
// The workspace schema and custom field definitions.
pub mod schema;

use axum::http::StatusCode;
use serde_json::Value;
use utoipa::OpenApi;
use utoipa_axum::routes;

use crate::kit::{Credential, ErrorView, Failure, Surface, SurfaceRoutes};

pub use error::error_body;

/// The native API.
pub struct Native;

impl Surface for Native {
    const NAME: &'static str = "native";
    const CREDENTIALS: &'static [Credential] = &[Credential::Bearer];
    const PREFIXES: &'static [&'static str] = &["/v1/"];

    fn render_error(view: &ErrorView<'_>) -> (StatusCode, Value) {
        error::render(view)
    }
}

/// What native handlers return on failure.
pub type ApiError = Failure<Native>;
pub type ApiResult<T> = Result<T, ApiError>;

/// Every native route. POST routes under `writes` honour `Idempotency-Key`; the ones under
/// `reads` (query, export, health) do not need it.
pub fn routes() -> SurfaceRoutes<Native> {
    SurfaceRoutes::with_openapi(openapi::NativeDoc::openapi())
        .writes(routes!(accounts::list_accounts, accounts::create_account))
        .writes(routes!(
            accounts::get_account,
            accounts::update_account,
            accounts::delete_account
        ))
        .writes(routes!(bulk::bulk_create))
        .writes(routes!(lifecycle::assert_account))
        .writes(routes!(lifecycle::archive_account))
        .writes(routes!(lifecycle::restore_account))
        .writes(routes!(lifecycle::merge_account))
        .writes(routes!(domains::list_domains, domains::add_domain))
        .writes(routes!(domains::update_domain, domains::remove_domain))
        // Users, stages and tags.
        .writes(routes!(users::list_users, users::create_user))
        .writes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .writes(routes!(stages::list_stages, stages::create_stage))
        .writes(routes!(
            stages::get_stage,
            stages::update_stage,
            stages::delete_stage
        ))
        .writes(routes!(tags::list_tags, tags::create_tag))
        .writes(routes!(tags::get_tag, tags::update_tag, tags::delete_tag))
        // Contacts, opportunities and cases.
        .writes(routes!(contacts::list_contacts, contacts::create_contact))
        .writes(routes!(
            contacts::get_contact,
            contacts::update_contact,
            contacts::delete_contact
        ))
        .writes(routes!(
            contacts::list_account_contacts,
            contacts::link_contact
        ))
        .writes(routes!(contacts::unlink_contact))
        .writes(routes!(
            opportunities::list_opportunities,
            opportunities::create_opportunity
        ))
        .writes(routes!(
            opportunities::get_opportunity,
            opportunities::update_opportunity,
            opportunities::delete_opportunity
        ))
        .writes(routes!(cases::list_cases, cases::create_case))
        .writes(routes!(
            cases::get_case,
            cases::update_case,
            cases::delete_case
        ))
        // The workspace schema and custom field definitions.
        .reads(routes!(schema::get_schema))
        .writes(routes!(schema::define_field))
        .writes(routes!(schema::update_field, schema::archive_field))
        // Reads that are POSTs or streams, and the operational routes.
        .reads(routes!(query::query_accounts))
        .reads(routes!(export::export_accounts))
        .reads(routes!(health::healthz))
        .reads(routes!(health::readyz))
        .reads(routes!(health::metrics_text))
        .reads(routes!(health::document))
}
