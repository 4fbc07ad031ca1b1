//! Contacts: people, each linked to at most one account. Deleting the account unlinks its
//! contacts; it never deletes them.

use crate::error::Code;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::account::PhoneNumber;
use super::account_input::{
    PhoneInput, check_count, check_custom_fields, limits, merge_custom_fields, normalize_phones,
    optional_text,
};
use crate::error::{Error, Result};
use crate::ids;
use crate::normalize::normalize_email;
use crate::serde_util::{Patch, null_as_default};

/// A person the workspace works with.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Contact {
    /// `con_` + a ULID.
    #[schema(example = "con_01jd5y0v4w8k9m2n3p4q5r6s7t")]
    pub id: String,
    pub workspace_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Trimmed, lowercased and validated; the first is the primary email.
    pub emails: Vec<String>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub title: Option<String>,
    /// The key of one of the workspace's stages.
    pub stage: Option<String>,
    /// The one account the contact belongs to, if any.
    pub account_id: Option<String>,
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    pub created_by: Option<String>,
    pub modified_by: Option<String>,
    /// Increments on every change; the `ETag` of the contact.
    pub version: i64,
}

/// The body of a create. A contact needs at least a name or an email.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub emails: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub phone_numbers: Vec<PhoneInput>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub stage: Option<String>,
    /// An account of the workspace, `acc_<ULID>`.
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
}

/// The body of a PATCH: absent fields are left alone, `null` clears (`account_id: null`
/// unlinks), a value replaces; `custom_fields` merges key by key.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub first_name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub last_name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub emails: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<PhoneInput>>)]
    pub phone_numbers: Patch<Vec<PhoneInput>>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub stage: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub account_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Patch<Map<String, Value>>,
}

/// A normalized contact write. The store checks `stage` and `account_id` against the
/// workspace inside the write's transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactData {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub emails: Vec<String>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub title: Option<String>,
    pub stage: Option<String>,
    pub account_id: Option<String>,
    pub custom_fields: Map<String, Value>,
}

impl ContactInput {
    pub fn normalize(self) -> Result<ContactData> {
        let data = ContactData {
            first_name: optional_text("first_name", self.first_name, limits::SHORT_TEXT)?,
            last_name: optional_text("last_name", self.last_name, limits::SHORT_TEXT)?,
            emails: normalize_emails(self.emails)?,
            phone_numbers: normalize_phones(self.phone_numbers, None)?,
            title: optional_text("title", self.title, limits::SHORT_TEXT)?,
            stage: optional_text("stage", self.stage, 64)?,
            account_id: check_account_id(self.account_id)?,
            custom_fields: check_custom_fields(self.custom_fields)?,
        };
        if data.first_name.is_none() && data.last_name.is_none() && data.emails.is_empty() {
            return Err(Error::BadRequest {
                code: Code::MissingField,
                message: "a contact needs a first_name, a last_name or an email".into(),
                field: Some("first_name".into()),
                value: None,
            });
        }
        Ok(data)
    }
}

impl From<&Contact> for ContactInput {
    fn from(c: &Contact) -> Self {
        ContactInput {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            emails: c.emails.clone(),
            phone_numbers: c.phone_numbers.iter().map(PhoneInput::from).collect(),
            title: c.title.clone(),
            stage: c.stage.clone(),
            account_id: c.account_id.clone(),
            custom_fields: c.custom_fields.clone(),
        }
    }
}

impl ContactPatch {
    /// The contact as it will be after this patch, normalized.
    pub fn apply(self, current: &Contact) -> Result<ContactData> {
        let mut next = ContactInput::from(current);
        self.first_name.apply_to(&mut next.first_name);
        self.last_name.apply_to(&mut next.last_name);
        self.emails.apply_to_default(&mut next.emails);
        self.phone_numbers.apply_to_default(&mut next.phone_numbers);
        self.title.apply_to(&mut next.title);
        self.stage.apply_to(&mut next.stage);
        self.account_id.apply_to(&mut next.account_id);
        merge_custom_fields(self.custom_fields, &mut next.custom_fields);
        next.normalize()
    }
}

/// An `account_id` in a body: well formed, or a 400 `invalid_id` naming it. Whether the
/// account exists is the store's check.
pub(crate) fn check_account_id(id: Option<String>) -> Result<Option<String>> {
    let Some(id) = id.map(|id| id.trim().to_string()) else {
        return Ok(None);
    };
    ids::check(ids::ACCOUNT, "account_id", &id)?;
    Ok(Some(id))
}

fn normalize_emails(emails: Vec<String>) -> Result<Vec<String>> {
    check_count("emails", &emails, limits::LIST_ITEMS)?;
    let mut out: Vec<String> = Vec::with_capacity(emails.len());
    for (i, raw) in emails.iter().enumerate() {
        let email = normalize_email(raw).ok_or_else(|| {
            Error::invalid(
                Code::InvalidEmail,
                format!("emails[{i}]"),
                raw.as_str(),
                format!("'{raw}' is not a valid email address"),
            )
        })?;
        if !out.contains(&email) {
            out.push(email);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(body: Value) -> ContactInput {
        serde_json::from_value(body).expect("valid input")
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            normalize_email("  Jane.Doe@Example.COM ").as_deref(),
            Some("jane.doe@example.com")
        );
        for bad in [
            "",
            "jane",
            "jane@",
            "@x.com",
            "jane@x",
            "a b@x.com",
            "a@x..com",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
        let err = input(json!({"emails": ["a@x.com", "nope"]}))
            .normalize()
            .unwrap_err();
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("invalid_email", Some("emails[1]"))
        );
        assert_eq!(err.value(), Some(&json!("nope")));
    }

    #[test]
    fn a_contact_needs_a_name_or_email() {
        let err = input(json!({"title": "CEO"})).normalize().unwrap_err();
        assert_eq!(err.code().as_str(), "missing_field");
        let data = input(json!({"emails": ["A@X.com", "a@x.com"]}))
            .normalize()
            .expect("ok");
        assert_eq!(data.emails, vec!["a@x.com"]);
    }

    #[test]
    fn account_id_is_checked_for_shape() {
        let err = input(json!({"first_name": "A", "account_id": "acc_1"}))
            .normalize()
            .unwrap_err();
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("invalid_id", Some("account_id"))
        );
    }
}
