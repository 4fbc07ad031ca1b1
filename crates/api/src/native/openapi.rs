//! The native part of the OpenAPI document: its info, security scheme, components and tags.
//! The paths come from the handlers' annotations as the routes are mounted (see `routes`).

use orgstore_core::model::{Account, AccountInput, AccountPatch};
use orgstore_core::service::{AssertRequest, DomainEntry, DomainPatch, MatchKey, NewDomain};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use super::error::{ErrorBody, ErrorDetail};
use super::lifecycle::MergeRequest;
// Users, stages and tags.
use super::stages::StageList;
use super::tags::TagPage;
use super::users::UserPage;
use orgstore_core::model::{
    NewStage, NewTag, NewUser, Stage, StagePatch, Tag, TagPatch, User, UserPatch,
};
// Contacts, opportunities and cases.
use super::cases::CasePage;
use super::contacts::{ContactPage, LinkContact};
use super::opportunities::OpportunityPage;
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
    /// Pass as `cursor` to get the page before this one; absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev_cursor: Option<String>,
    /// The number of matching accounts, with `include_total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
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

/// Puts the table of error codes in the document's description.
struct ErrorCodes;

impl Modify for ErrorCodes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let intro = openapi.info.description.take().unwrap_or_default();
        openapi.info.description = Some(format!(
            "{intro}\n\nEvery error carries one of these codes:\n\n{}",
            crate::kit::codes::markdown_table()
        ));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "orgstore", description = "CRM accounts server: the native API and the vendor APIs over one service layer"),
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
    modifiers(&BearerAuth, &ErrorCodes),
    tags((name = "accounts", description = "Accounts"), (name = "domains", description = "The domains of an account"), (name = "contacts", description = "Contacts, linked to at most one account"), (name = "opportunities", description = "Opportunities (open, won, lost)"), (name = "cases", description = "Cases (open, closed)"), (name = "users", description = "Workspace users: account owners and token holders"), (name = "stages", description = "The ordered stages of accounts"), (name = "tags", description = "The workspace's tag dictionary"), (name = "schema", description = "The workspace schema and custom fields"), (name = "health", description = "Health, readiness, metrics, documents"))
)]
pub struct NativeDoc;
