//! The account as stored and as read: one model that every surface maps onto.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A company or organization the workspace works with.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Account {
    /// `acc_` + a ULID; never reused.
    #[schema(example = "acc_01jd5y0v4w8k9m2n3p4q5r6s7t")]
    pub id: String,
    /// `ACC-<n>`, a per-workspace sequence.
    #[schema(example = "ACC-42")]
    pub display_id: String,
    pub workspace_id: String,
    pub name: String,
    pub description: Option<String>,
    /// Normalized domains; the first is the primary domain.
    pub domains: Vec<String>,
    /// The first is the primary website.
    pub websites: Vec<Website>,
    pub industry: Option<String>,
    pub tier: Option<String>,
    /// A size bucket such as `51-200`.
    pub company_size: Option<String>,
    pub number_of_employees: Option<i64>,
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub annual_revenue: Option<Decimal>,
    /// The key of one of the workspace's stages.
    pub stage: Option<String>,
    /// User ids; the first is the primary owner.
    pub owners: Vec<String>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub addresses: Vec<Address>,
    pub tags: Vec<AccountTag>,
    /// Ids of this account in other systems; unique per workspace.
    pub external_refs: Vec<String>,
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    pub artifacts: Vec<String>,
    /// Opaque JSON passed through as given.
    #[schema(value_type = Option<Object>)]
    pub remote_data: Option<Value>,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    pub created_by: Option<String>,
    pub modified_by: Option<String>,
    #[serde(with = "crate::time::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_activity_at: Option<i64>,
    #[serde(with = "crate::time::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub archived_at: Option<i64>,
    /// Increments on every change; the `ETag` of the account.
    pub version: i64,
    // Counts of related records, computed by the account read itself; never writable.
    /// Contacts linked to the account.
    pub contact_count: i64,
    /// Linked opportunities whose status is `open`.
    pub open_opportunity_count: i64,
    /// Linked cases whose status is `open`.
    pub open_case_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Website {
    pub url: String,
    /// Free text such as `primary`, `blog` or `careers`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PhoneType {
    Work,
    Mobile,
    Fax,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PhoneNumber {
    pub id: String,
    /// As the client wrote it.
    pub number: String,
    pub extension: Option<String>,
    #[serde(rename = "type")]
    pub kind: PhoneType,
    /// The E.164 form, where the number could be parsed.
    pub e164: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AddressType {
    Billing,
    Shipping,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Address {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: AddressType,
    pub street_1: Option<String>,
    pub street_2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// A workspace tag on an account, with this account's optional value for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccountTag {
    pub id: String,
    pub name: String,
    pub value: Option<String>,
}

impl Account {
    /// The strong ETag of this version of the account.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }
}

/// `ACC-<n>` from the per-workspace sequence number.
pub fn display_id(number: i64) -> String {
    format!("ACC-{number}")
}
