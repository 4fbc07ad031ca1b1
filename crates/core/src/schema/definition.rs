//! Custom field definitions: what an admin sends to define or change one, and what is stored.

use crate::error::Code;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{Error, Result};

/// Longest api_name, label and option.
pub const MAX_API_NAME: usize = 64;
pub const MAX_LABEL: usize = 255;
pub const MAX_OPTION: usize = 255;
/// Most options of one select or multi_select field.
pub const MAX_OPTIONS: usize = 500;
/// Most custom fields (live and archived) of one object.
pub const MAX_FIELDS: usize = 200;

/// An object that has a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SchemaObject {
    Accounts,
    Contacts,
}

impl SchemaObject {
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaObject::Accounts => "accounts",
            SchemaObject::Contacts => "contacts",
        }
    }

    /// The object named in a path; anything else is a 404.
    pub fn parse(name: &str) -> Result<SchemaObject> {
        match name {
            "accounts" => Ok(SchemaObject::Accounts),
            "contacts" => Ok(SchemaObject::Contacts),
            other => Err(Error::not_found("schema", other)),
        }
    }
}

/// The type of a custom field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    LongText,
    Number,
    Integer,
    Boolean,
    Date,
    Timestamp,
    Url,
    Email,
    Phone,
    Select,
    MultiSelect,
    Reference,
}

pub const FIELD_TYPES: [(&str, FieldType); 13] = [
    ("text", FieldType::Text),
    ("long_text", FieldType::LongText),
    ("number", FieldType::Number),
    ("integer", FieldType::Integer),
    ("boolean", FieldType::Boolean),
    ("date", FieldType::Date),
    ("timestamp", FieldType::Timestamp),
    ("url", FieldType::Url),
    ("email", FieldType::Email),
    ("phone", FieldType::Phone),
    ("select", FieldType::Select),
    ("multi_select", FieldType::MultiSelect),
    ("reference", FieldType::Reference),
];

impl FieldType {
    pub fn as_str(self) -> &'static str {
        FIELD_TYPES
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("text", |(n, _)| n)
    }

    pub fn parse(name: &str) -> Option<FieldType> {
        FIELD_TYPES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
    }

    pub fn has_options(self) -> bool {
        matches!(self, FieldType::Select | FieldType::MultiSelect)
    }

    /// Types whose values can be held unique: not booleans (two values), long texts or
    /// lists of options.
    pub fn can_be_unique(self) -> bool {
        !matches!(
            self,
            FieldType::Boolean | FieldType::LongText | FieldType::MultiSelect
        )
    }
}

/// What a reference field points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RefTarget {
    Account,
    Contact,
    User,
}

impl RefTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            RefTarget::Account => "account",
            RefTarget::Contact => "contact",
            RefTarget::User => "user",
        }
    }

    pub fn parse(name: &str) -> Option<RefTarget> {
        match name {
            "account" => Some(RefTarget::Account),
            "contact" => Some(RefTarget::Contact),
            "user" => Some(RefTarget::User),
            _ => None,
        }
    }

    /// The id prefix of the records it points at.
    pub fn prefix(self) -> &'static str {
        match self {
            RefTarget::Account => crate::ids::ACCOUNT,
            // The contacts' prefix; kept here so the schema does not wait for their module.
            RefTarget::Contact => "con",
            RefTarget::User => crate::ids::USER,
        }
    }
}

/// A stored custom field definition.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomFieldDef {
    pub object: SchemaObject,
    /// The key under `custom_fields`: 1-64 lowercase letters, digits and `_`, starting with a
    /// letter.
    #[schema(example = "arr")]
    pub api_name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// The allowed values of a select or multi_select field; null for other types.
    pub options: Option<Vec<String>>,
    /// What a reference field points at: account, contact or user; null for other types.
    pub reference: Option<RefTarget>,
    /// Creates must carry a non-null value; patches cannot clear it.
    pub required: bool,
    /// No two live records of the workspace hold the same value.
    pub unique: bool,
    /// Display order among the custom fields.
    pub position: i64,
    /// Set once archived: archived fields reject writes and keep their stored values.
    #[serde(with = "crate::time::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub archived_at: Option<i64>,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

impl CustomFieldDef {
    pub fn is_live(&self) -> bool {
        self.archived_at.is_none()
    }
}

/// The custom fields of one object, live and archived, in position order: what a request
/// loads once and validates every value against.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectSchema {
    pub object: SchemaObject,
    pub fields: Vec<CustomFieldDef>,
}

impl ObjectSchema {
    pub fn field(&self, api_name: &str) -> Option<&CustomFieldDef> {
        self.fields.iter().find(|d| d.api_name == api_name)
    }

    /// Whether any live field is unique (only then do writes claim values).
    pub fn has_unique(&self) -> bool {
        self.fields.iter().any(|d| d.unique && d.is_live())
    }
}

/// A custom field as the schema listing shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomFieldEntry {
    #[serde(flatten)]
    pub definition: CustomFieldDef,
    /// Where the value lives in a record: `custom_fields.<api_name>`.
    pub path: String,
    /// False once archived.
    pub writable: bool,
}

/// The body of `GET /v1/schema/{object}`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SchemaDocument {
    pub object: SchemaObject,
    pub system_fields: Vec<super::SystemField>,
    pub custom_fields: Vec<CustomFieldEntry>,
}

impl From<ObjectSchema> for SchemaDocument {
    fn from(schema: ObjectSchema) -> Self {
        SchemaDocument {
            object: schema.object,
            system_fields: super::system_fields(schema.object).to_vec(),
            custom_fields: schema
                .fields
                .into_iter()
                .map(|definition| CustomFieldEntry {
                    path: format!("custom_fields.{}", definition.api_name),
                    writable: definition.is_live(),
                    definition,
                })
                .collect(),
        }
    }
}

/// The body of `POST /v1/schema/{object}/fields`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomField {
    pub api_name: String,
    /// Defaults to the api_name.
    #[serde(default)]
    pub label: Option<String>,
    /// text, long_text, number, integer, boolean, date, timestamp, url, email, phone, select,
    /// multi_select or reference.
    #[serde(rename = "type")]
    pub field_type: String,
    /// For select and multi_select: a non-empty list of unique strings.
    #[serde(default)]
    pub options: Option<Vec<String>>,
    /// For reference: account, contact or user.
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub unique: bool,
    /// Display order; defaults to after the last field.
    #[serde(default)]
    pub position: Option<i64>,
}

/// The body of `PATCH /v1/schema/{object}/fields/{api_name}`: label, options and position
/// change; everything else is fixed once defined.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldPatch {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub options: Option<Vec<String>>,
    #[serde(default)]
    pub position: Option<i64>,
    #[serde(default, rename = "type")]
    #[schema(value_type = Option<String>)]
    pub field_type: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub api_name: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub reference: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub required: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub unique: Option<Value>,
}

/// A checked change to a definition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldChange {
    pub label: Option<String>,
    pub options: Option<Vec<String>>,
    pub position: Option<i64>,
}

/// Whether `name` is a valid api_name: 1-64 of `[a-z0-9_]`, starting with a letter.
pub fn is_api_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && name.len() <= MAX_API_NAME
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_api_name(name: &str) -> Result<()> {
    if is_api_name(name) {
        return Ok(());
    }
    Err(Error::invalid_value(
        "api_name",
        name,
        format!(
            "'{name}' is not a valid api_name: 1 to {MAX_API_NAME} lowercase letters, digits or \
             '_', starting with a letter"
        ),
    ))
}

fn check_label(label: &str) -> Result<String> {
    let trimmed = label.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_LABEL {
        return Err(Error::invalid_value(
            "label",
            label,
            format!("label must be 1 to {MAX_LABEL} characters"),
        ));
    }
    Ok(trimmed.to_string())
}

fn check_position(position: i64) -> Result<i64> {
    if (0..=1_000_000).contains(&position) {
        Ok(position)
    } else {
        Err(Error::invalid_value(
            "position",
            position,
            "position must be an integer from 0 to 1000000",
        ))
    }
}

/// A non-empty list of unique, non-blank options of at most [`MAX_OPTION`] characters.
pub fn check_options(options: Vec<String>) -> Result<Vec<String>> {
    if options.is_empty() || options.len() > MAX_OPTIONS {
        return Err(Error::invalid_value(
            "options",
            Value::from(options),
            format!("options must be a list of 1 to {MAX_OPTIONS} strings"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(options.len());
    for (i, option) in options.iter().enumerate() {
        let field = format!("options[{i}]");
        let trimmed = option.trim();
        if trimmed.is_empty() || trimmed.chars().count() > MAX_OPTION {
            return Err(Error::invalid_value(
                field,
                option.as_str(),
                format!("an option is 1 to {MAX_OPTION} characters"),
            ));
        }
        if out.iter().any(|o| o == trimmed) {
            return Err(Error::invalid_value(
                field,
                option.as_str(),
                format!("the option '{trimmed}' appears twice"),
            ));
        }
        out.push(trimmed.to_string());
    }
    Ok(out)
}

impl NewCustomField {
    /// Checks the definition against the rules of its type and against the object's system
    /// fields; `now` stamps it. The store assigns the position when none is given (0 here).
    pub fn into_def(self, object: SchemaObject, now: i64) -> Result<CustomFieldDef> {
        check_api_name(&self.api_name)?;
        if super::system_fields(object)
            .iter()
            .any(|f| f.name == self.api_name)
        {
            return Err(Error::invalid_value(
                "api_name",
                self.api_name.as_str(),
                format!(
                    "'{}' is a system field of {}; choose another api_name",
                    self.api_name,
                    object.as_str()
                ),
            ));
        }
        let field_type = FieldType::parse(&self.field_type).ok_or_else(|| {
            let names: Vec<&str> = FIELD_TYPES.iter().map(|(n, _)| *n).collect();
            Error::invalid_value(
                "type",
                self.field_type.as_str(),
                format!(
                    "'{}' is not a field type; use one of {}",
                    self.field_type,
                    names.join(", ")
                ),
            )
        })?;
        let options = match (field_type.has_options(), self.options) {
            (true, Some(options)) => Some(check_options(options)?),
            (true, None) => {
                return Err(Error::BadRequest {
                    code: Code::MissingField,
                    message: format!("a {} field needs options", field_type.as_str()),
                    field: Some("options".into()),
                    value: None,
                });
            }
            (false, Some(options)) => {
                return Err(Error::invalid_value(
                    "options",
                    Value::from(options),
                    "options only apply to select and multi_select fields",
                ));
            }
            (false, None) => None,
        };
        let reference = match (field_type == FieldType::Reference, self.reference) {
            (true, Some(target)) => Some(RefTarget::parse(&target).ok_or_else(|| {
                Error::invalid_value(
                    "reference",
                    target.as_str(),
                    format!("'{target}' is not a reference target; use account, contact or user"),
                )
            })?),
            (true, None) => {
                return Err(Error::BadRequest {
                    code: Code::MissingField,
                    message: "a reference field needs `reference`: account, contact or user".into(),
                    field: Some("reference".into()),
                    value: None,
                });
            }
            (false, Some(target)) => {
                return Err(Error::invalid_value(
                    "reference",
                    target.as_str(),
                    "reference only applies to reference fields",
                ));
            }
            (false, None) => None,
        };
        if self.unique && !field_type.can_be_unique() {
            return Err(Error::invalid_value(
                "unique",
                true,
                format!("a {} field cannot be unique", field_type.as_str()),
            ));
        }
        let label = match &self.label {
            Some(label) => check_label(label)?,
            None => self.api_name.clone(),
        };
        Ok(CustomFieldDef {
            object,
            api_name: self.api_name,
            label,
            field_type,
            options,
            reference,
            required: self.required,
            unique: self.unique,
            position: self.position.map(check_position).transpose()?.unwrap_or(0),
            archived_at: None,
            created_at: now,
            updated_at: now,
        })
    }
}

impl CustomFieldPatch {
    /// The change, checked; naming a fixed property is `field_not_updatable`.
    pub fn into_change(self, def: &CustomFieldDef) -> Result<FieldChange> {
        for (name, sent) in [
            ("type", &self.field_type),
            ("api_name", &self.api_name),
            ("reference", &self.reference),
            ("required", &self.required),
            ("unique", &self.unique),
        ] {
            if let Some(value) = sent {
                return Err(Error::invalid(
                    Code::FieldNotUpdatable,
                    name,
                    value.clone(),
                    format!(
                        "the {name} of a custom field is fixed once it is defined; define a new \
                         field instead"
                    ),
                ));
            }
        }
        let options = match self.options {
            Some(_) if !def.field_type.has_options() => {
                return Err(Error::invalid_value(
                    "options",
                    Value::from(self.options.unwrap_or_default()),
                    "options only apply to select and multi_select fields",
                ));
            }
            Some(options) => Some(check_options(options)?),
            None => None,
        };
        Ok(FieldChange {
            label: self.label.as_deref().map(check_label).transpose()?,
            options,
            position: self.position.map(check_position).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(api_name: &str, ty: &str) -> NewCustomField {
        NewCustomField {
            api_name: api_name.into(),
            field_type: ty.into(),
            ..Default::default()
        }
    }

    #[test]
    fn api_names() {
        for good in ["a", "arr", "a_1", &"x".repeat(64)] {
            assert!(is_api_name(good), "{good}");
        }
        for bad in ["", "1a", "_a", "Arr", "a-b", "a b", &"x".repeat(65)] {
            assert!(!is_api_name(bad), "{bad}");
        }
    }

    #[test]
    fn definitions_are_checked() {
        let obj = SchemaObject::Accounts;
        let err = new("name", "text").into_def(obj, 0).unwrap_err();
        assert_eq!(err.field(), Some("api_name"));
        let err = new("x", "float").into_def(obj, 0).unwrap_err();
        assert_eq!(
            (err.field(), err.value()),
            (Some("type"), Some(&"float".into()))
        );
        let err = new("x", "select").into_def(obj, 0).unwrap_err();
        assert_eq!(err.field(), Some("options"));
        let mut dup = new("x", "select");
        dup.options = Some(vec!["a".into(), "a".into()]);
        assert_eq!(
            dup.into_def(obj, 0).unwrap_err().field(),
            Some("options[1]")
        );
        let mut unique_bool = new("x", "boolean");
        unique_bool.unique = true;
        assert_eq!(
            unique_bool.into_def(obj, 0).unwrap_err().field(),
            Some("unique")
        );
        let err = new("x", "reference").into_def(obj, 0).unwrap_err();
        assert_eq!(err.field(), Some("reference"));
        let def = new("arr", "number").into_def(obj, 5).expect("valid");
        assert_eq!((def.label.as_str(), def.created_at), ("arr", 5));
    }
}
