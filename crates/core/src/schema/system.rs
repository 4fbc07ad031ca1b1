//! The system fields of each object, as `GET /v1/schema/{object}` lists them (the account's come
//! from the registry in [`super::account_fields`]). Their names are reserved: no custom field
//! may take one.

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

/// The account's fields as the schema lists them, from the one registry of account fields.
const ACCOUNT_FIELDS: [SystemField; super::account_fields::ACCOUNT_FIELDS.len()] = {
    let registry = super::account_fields::ACCOUNT_FIELDS;
    let mut out = [field("", "", false); super::account_fields::ACCOUNT_FIELDS.len()];
    let mut i = 0;
    while i < registry.len() {
        let f = &registry[i];
        out[i] = SystemField {
            name: f.name,
            field_type: f.field_type,
            writable: f.writable(),
            computed: f.computed,
            required: f.required,
        };
        i += 1;
    }
    out
};

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
        SchemaObject::Accounts => &ACCOUNT_FIELDS,
        SchemaObject::Contacts => CONTACT_FIELDS,
    }
}
