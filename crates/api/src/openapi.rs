//! The OpenAPI 3.1 document of the native surface, generated from the handlers.

use axum::Json;
use axum::response::{IntoResponse, Response};
use orgstore_core::model::{Account, AccountInput, AccountPatch};
use orgstore_core::service::{AssertRequest, DomainEntry, DomainPatch, MatchKey, NewDomain};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::{ErrorBody, ErrorDetail};
use crate::native::lifecycle::MergeRequest;
// Users, stages and tags.
use crate::native::stages::StageList;
use crate::native::tags::TagPage;
use crate::native::users::UserPage;
use orgstore_core::model::{
    NewStage, NewTag, NewUser, Stage, StagePatch, Tag, TagPatch, User, UserPatch,
};
// Contacts, opportunities and cases.
use crate::native::cases::CasePage;
use crate::native::contacts::{ContactPage, LinkContact};
use crate::native::opportunities::OpportunityPage;
use orgstore_core::model::{
    Case, CaseInput, CasePatch, CaseStatus, Contact, ContactInput, ContactPatch, Opportunity,
    OpportunityInput, OpportunityPatch, OpportunityStatus,
};

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
        crate::native::lifecycle::assert_account,
        crate::native::lifecycle::archive_account,
        crate::native::lifecycle::restore_account,
        crate::native::lifecycle::merge_account,
        crate::native::bulk::bulk_create,
        crate::native::query::query_accounts,
        crate::native::export::export_accounts,
        crate::native::domains::list_domains,
        crate::native::domains::add_domain,
        crate::native::domains::update_domain,
        crate::native::domains::remove_domain,
        // Users, stages and tags.
        crate::native::users::list_users,
        crate::native::users::get_user,
        crate::native::users::create_user,
        crate::native::users::update_user,
        crate::native::users::delete_user,
        crate::native::stages::list_stages,
        crate::native::stages::get_stage,
        crate::native::stages::create_stage,
        crate::native::stages::update_stage,
        crate::native::stages::delete_stage,
        crate::native::tags::list_tags,
        crate::native::tags::get_tag,
        crate::native::tags::create_tag,
        crate::native::tags::update_tag,
        crate::native::tags::delete_tag,
        // Contacts, opportunities and cases.
        crate::native::contacts::create_contact,
        crate::native::contacts::list_contacts,
        crate::native::contacts::get_contact,
        crate::native::contacts::update_contact,
        crate::native::contacts::delete_contact,
        crate::native::contacts::list_account_contacts,
        crate::native::contacts::link_contact,
        crate::native::contacts::unlink_contact,
        crate::native::opportunities::create_opportunity,
        crate::native::opportunities::list_opportunities,
        crate::native::opportunities::get_opportunity,
        crate::native::opportunities::update_opportunity,
        crate::native::opportunities::delete_opportunity,
        crate::native::cases::create_case,
        crate::native::cases::list_cases,
        crate::native::cases::get_case,
        crate::native::cases::update_case,
        crate::native::cases::delete_case,
        // The workspace schema.
        crate::native::schema::get_schema,
        crate::native::schema::define_field,
        crate::native::schema::update_field,
        crate::native::schema::archive_field,
    ),
    components(schemas(
        Account, AccountInput, AccountPatch, AccountPage, ErrorBody, ErrorDetail,
        AssertRequest, MatchKey, MergeRequest, DomainEntry, NewDomain, DomainPatch,
        // Users, stages and tags.
        User, NewUser, UserPatch, UserPage, Stage, NewStage, StagePatch, StageList,
        Tag, NewTag, TagPatch, TagPage,
        // Contacts, opportunities and cases.
        Contact, ContactInput, ContactPatch, ContactPage, LinkContact,
        Opportunity, OpportunityInput, OpportunityPatch, OpportunityStatus, OpportunityPage,
        Case, CaseInput, CasePatch, CaseStatus, CasePage,
        // The workspace schema.
        orgstore_core::schema::SchemaDocument, orgstore_core::schema::SystemField,
        orgstore_core::schema::CustomFieldEntry, orgstore_core::schema::CustomFieldDef,
        orgstore_core::schema::NewCustomField, orgstore_core::schema::CustomFieldPatch,
        orgstore_core::schema::SchemaObject, orgstore_core::schema::FieldType,
        orgstore_core::schema::RefTarget,
    )),
    modifiers(&BearerAuth),
    tags((name = "accounts", description = "Accounts"), (name = "domains", description = "The domains of an account"), (name = "contacts", description = "Contacts, linked to at most one account"), (name = "opportunities", description = "Opportunities (open, won, lost)"), (name = "cases", description = "Cases (open, closed)"), (name = "users", description = "Workspace users: account owners and token holders"), (name = "stages", description = "The ordered stages of accounts"), (name = "tags", description = "The workspace's tag dictionary"), (name = "schema", description = "The workspace schema and custom fields"), (name = "health", description = "Health, readiness, metrics, documents"))
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
