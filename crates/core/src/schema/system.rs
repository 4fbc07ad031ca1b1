//! The system fields of each object, as `GET /v1/schema/{object}` lists them. Their names are
//! reserved: no custom field may take one.

use serde::Serialize;
use utoipa::ToSchema;

use super::SchemaObject;

/// One system field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct SystemField {
    pub name: &'static str,
    /// The value's type: text, long_text, integer, number, boolean, timestamp, id,
    /// reference:<object>, object, json or list:<item type>.
    #[serde(rename = "type")]
    pub field_type: &'static str,
    /// Whether clients may write it.
    pub writable: bool,
    /// Computed from other records on every read (never stored, never writable).
    pub computed: bool,
    /// Whether a create must carry it.
    pub required: bool,
}

const fn field(name: &'static str, field_type: &'static str, writable: bool) -> SystemField {
    SystemField {
        name,
        field_type,
        writable,
        computed: false,
        required: false,
    }
}

const fn required(name: &'static str, field_type: &'static str) -> SystemField {
    SystemField {
        name,
        field_type,
        writable: true,
        computed: false,
        required: true,
    }
}

const fn computed(name: &'static str, field_type: &'static str) -> SystemField {
    SystemField {
        name,
        field_type,
        writable: false,
        computed: true,
        required: false,
    }
}

/// Every field of `crate::model::Account`, then the per-account counts.
const ACCOUNT_FIELDS: &[SystemField] = &[
    field("id", "id", false),
    field("display_id", "text", false),
    field("workspace_id", "id", false),
    required("name", "text"),
    field("description", "long_text", true),
    field("domains", "list:domain", true),
    field("websites", "list:website", true),
    field("industry", "text", true),
    field("tier", "text", true),
    field("company_size", "text", true),
    field("number_of_employees", "integer", true),
    field("annual_revenue", "number", true),
    field("stage", "reference:stage", true),
    field("owners", "list:reference:user", true),
    field("phone_numbers", "list:phone_number", true),
    field("addresses", "list:address", true),
    field("tags", "list:tag", true),
    field("external_refs", "list:text", true),
    field("custom_fields", "object", true),
    field("artifacts", "list:text", true),
    field("remote_data", "json", true),
    field("created_at", "timestamp", false),
    field("updated_at", "timestamp", false),
    field("created_by", "reference:user", false),
    field("modified_by", "reference:user", false),
    field("last_activity_at", "timestamp", false),
    field("archived_at", "timestamp", false),
    field("version", "integer", false),
    computed("contact_count", "integer"),
    computed("open_opportunity_count", "integer"),
    computed("open_case_count", "integer"),
];

const CONTACT_FIELDS: &[SystemField] = &[
    field("id", "id", false),
    field("first_name", "text", true),
    field("last_name", "text", true),
    field("emails", "list:email", true),
    field("phone_numbers", "list:phone_number", true),
    field("title", "text", true),
    field("stage", "reference:stage", true),
    field("account_id", "reference:account", true),
    field("custom_fields", "object", true),
    field("created_at", "timestamp", false),
    field("updated_at", "timestamp", false),
    field("created_by", "reference:user", false),
    field("modified_by", "reference:user", false),
    field("version", "integer", false),
];

pub fn system_fields(object: SchemaObject) -> &'static [SystemField] {
    match object {
        SchemaObject::Accounts => ACCOUNT_FIELDS,
        SchemaObject::Contacts => CONTACT_FIELDS,
    }
}
