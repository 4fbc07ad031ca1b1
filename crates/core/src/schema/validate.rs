//! The custom-field validator: a pure function of the definitions and the values written, used
//! by every write of accounts (create, patch, assert, bulk, import) and, later, contacts.
//!
//! Values are stored normalized, so that equality, uniqueness and order work on the stored
//! JSON: text is trimmed, integers are JSON integers, timestamps are RFC 3339 in UTC with
//! milliseconds (which sort chronologically as text), blank strings and empty lists are no
//! value at all.

use crate::error::Code;
use serde_json::{Map, Value};

use super::{CustomFieldDef, FieldType, ObjectSchema, RefTarget, system_fields};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::limits;
use crate::normalize::to_e164;

/// Longest long_text value, in characters.
pub const LONG_TEXT: usize = 65_536;
/// Longest url and email values.
pub const MAX_URL: usize = 2_048;
pub const MAX_EMAIL: usize = 254;

/// Whether the values are a whole new record or a merge patch over a stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every required field must be present and non-null; nulls are dropped.
    Create,
    /// Only the keys sent are checked; `null` removes a key, except from a required field.
    Patch,
}

/// A reference value whose record must exist in the workspace; the caller checks these in one
/// query per target, since the validator does no I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The value's path in the request (`custom_fields.owner`).
    pub field: String,
    pub target: RefTarget,
    pub id: String,
}

/// The normalized values and the references they hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validated {
    pub values: Map<String, Value>,
    pub references: Vec<Reference>,
}

/// Validates `fields` against the object's custom fields. `prefix` is the path of the map in
/// the request (`custom_fields`, `accounts[3].custom_fields`); errors name `prefix.key`.
pub fn validate_custom_fields(
    schema: &ObjectSchema,
    fields: &Map<String, Value>,
    mode: Mode,
    prefix: &str,
) -> Result<Validated> {
    let mut out = Validated::default();
    for (key, value) in fields {
        let path = format!("{prefix}.{key}");
        let def = find_def(schema, key, &path)?;
        let value = normalize_value(def, value, &path)?;
        if value.is_null() {
            if def.required {
                return Err(Error::invalid_value(
                    path.as_str(),
                    Value::Null,
                    format!("{path} is required and cannot be null"),
                ));
            }
            if mode == Mode::Patch {
                out.values.insert(key.clone(), Value::Null);
            }
            continue;
        }
        if let (Some(target), Value::String(id)) = (def.reference, &value) {
            out.references.push(Reference {
                field: path,
                target,
                id: id.clone(),
            });
        }
        out.values.insert(key.clone(), value);
    }
    if mode == Mode::Create {
        check_required(schema, &out.values, prefix)?;
    }
    Ok(out)
}

/// The live definition of `key`: a system field name is `field_not_updatable`, anything else
/// undefined (or archived) is `unknown_field`.
fn find_def<'a>(schema: &'a ObjectSchema, key: &str, path: &str) -> Result<&'a CustomFieldDef> {
    if let Some(def) = schema
        .fields
        .iter()
        .find(|d| d.api_name == key && d.is_live())
    {
        return Ok(def);
    }
    if system_fields(schema.object).iter().any(|f| f.name == key) {
        return Err(Error::invalid(
            Code::FieldNotUpdatable,
            path,
            key,
            format!(
                "{key} is a system field of {}, not a custom field; write it at the top level \
                 if it is writable",
                schema.object.as_str()
            ),
        ));
    }
    let archived = schema.fields.iter().any(|d| d.api_name == key);
    let why = if archived {
        "it is archived and takes no new values"
    } else {
        "define it with POST /v1/schema/{object}/fields first"
    };
    Err(Error::invalid(
        Code::UnknownField,
        path,
        key,
        format!(
            "{path} is not a custom field of {}: {why}",
            schema.object.as_str()
        ),
    ))
}

fn check_required(schema: &ObjectSchema, values: &Map<String, Value>, prefix: &str) -> Result<()> {
    match schema
        .fields
        .iter()
        .find(|d| d.is_live() && d.required && !values.contains_key(&d.api_name))
    {
        Some(def) => {
            let field = format!("{prefix}.{}", def.api_name);
            Err(Error::BadRequest {
                code: Code::MissingField,
                message: format!("{field} is required"),
                field: Some(field),
                value: None,
            })
        }
        None => Ok(()),
    }
}

/// What a type takes, as error messages say it.
fn expected(def: &CustomFieldDef) -> String {
    match def.field_type {
        FieldType::Text => format!("text of at most {} characters", limits::SHORT_TEXT),
        FieldType::LongText => format!("text of at most {LONG_TEXT} characters"),
        FieldType::Number => "a number (a JSON number)".into(),
        FieldType::Integer => "an integer (a whole JSON number)".into(),
        FieldType::Boolean => "a boolean (true or false)".into(),
        FieldType::Date => "a date (YYYY-MM-DD)".into(),
        FieldType::Timestamp => "a timestamp (RFC 3339, such as 2024-05-01T12:00:00Z)".into(),
        FieldType::Url => "an http(s) URL".into(),
        FieldType::Email => "an email address".into(),
        FieldType::Phone => "a phone number with its country code (such as +1 415 555 2671)".into(),
        FieldType::Select => format!("one of {}", options_text(def)),
        FieldType::MultiSelect => {
            format!("an array of distinct options from {}", options_text(def))
        }
        FieldType::Reference => {
            let target = def.reference.unwrap_or(RefTarget::Account);
            format!("the id of a {} ({}_...)", target.as_str(), target.prefix())
        }
    }
}

fn options_text(def: &CustomFieldDef) -> String {
    let options = def.options.as_deref().unwrap_or_default();
    let quoted: Vec<String> = options.iter().map(|o| format!("'{o}'")).collect();
    quoted.join(", ")
}

fn invalid(def: &CustomFieldDef, path: &str, value: &Value) -> Error {
    Error::invalid_value(
        path,
        value.clone(),
        format!(
            "{path} is a {} field and must be {}; got {}",
            def.field_type.as_str(),
            expected(def),
            excerpt(value)
        ),
    )
}

fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(80).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The value in its stored form; `Null` for no value.
fn normalize_value(def: &CustomFieldDef, value: &Value, path: &str) -> Result<Value> {
    if value.is_null() || is_blank_text(def.field_type, value) {
        return Ok(Value::Null);
    }
    let bad = || invalid(def, path, value);
    let text = || match value {
        Value::String(s) => Ok(s.trim()),
        _ => Err(bad()),
    };
    let bounded = |max: usize| -> Result<Value> {
        let s = text()?;
        match s.chars().count() {
            0 => Ok(Value::Null),
            n if n > max => Err(bad()),
            _ => Ok(Value::String(s.to_string())),
        }
    };
    match def.field_type {
        FieldType::Text => bounded(limits::SHORT_TEXT),
        FieldType::LongText => bounded(LONG_TEXT),
        FieldType::Number => match value {
            Value::Number(_) => Ok(value.clone()),
            _ => Err(bad()),
        },
        FieldType::Integer => whole_number(value).map(Value::from).ok_or_else(bad),
        FieldType::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err(bad()),
        },
        FieldType::Date => {
            let s = text()?;
            parse_date(s).map(Value::String).ok_or_else(bad)
        }
        FieldType::Timestamp => {
            let s = text()?;
            parse_timestamp(s).map(Value::String).ok_or_else(bad)
        }
        FieldType::Url => {
            let s = text()?;
            (s.len() <= MAX_URL && is_http_url(s))
                .then(|| Value::String(s.to_string()))
                .ok_or_else(bad)
        }
        FieldType::Email => {
            let s = text()?;
            is_email(s)
                .then(|| Value::String(s.to_string()))
                .ok_or_else(bad)
        }
        FieldType::Phone => {
            let s = text()?;
            (s.len() <= 64 && to_e164(s, None).is_some())
                .then(|| Value::String(s.to_string()))
                .ok_or_else(bad)
        }
        FieldType::Select => {
            let s = text()?;
            is_option(def, s)
                .then(|| Value::String(s.to_string()))
                .ok_or_else(bad)
        }
        FieldType::MultiSelect => multi_select(def, value).ok_or_else(bad),
        FieldType::Reference => {
            let s = text()?;
            let prefix = def.reference.map_or(ids::ACCOUNT, RefTarget::prefix);
            ids::is_valid(prefix, s)
                .then(|| Value::String(s.to_string()))
                .ok_or_else(bad)
        }
    }
}

/// A blank string in a field whose values are strings: no value, as for system fields.
fn is_blank_text(field_type: FieldType, value: &Value) -> bool {
    let takes_strings = !matches!(
        field_type,
        FieldType::Number | FieldType::Integer | FieldType::Boolean | FieldType::MultiSelect
    );
    takes_strings && value.as_str().is_some_and(|s| s.trim().is_empty())
}

/// A JSON number without a fractional part (`10` or `10.0`), in the i64 range.
fn whole_number(value: &Value) -> Option<i64> {
    let Value::Number(n) = value else { return None };
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    // 2^63 itself does not fit; anything below it with no fraction does.
    (f.fract() == 0.0 && f.abs() < 9.223_372_036_854_776e18).then_some(f as i64)
}

/// `YYYY-MM-DD`, and a real calendar date.
pub fn parse_date(text: &str) -> Option<String> {
    if text.len() != 10 {
        return None;
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// An RFC 3339 timestamp, as its stored form: UTC with milliseconds.
pub fn parse_timestamp(text: &str) -> Option<String> {
    let parsed = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    Some(crate::time::format_ms(parsed.timestamp_millis()))
}

fn is_http_url(text: &str) -> bool {
    match url::Url::parse(text) {
        Ok(u) => matches!(u.scheme(), "http" | "https") && u.host().is_some(),
        Err(_) => false,
    }
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted domain, no spaces.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.len() <= MAX_EMAIL
        && !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

fn is_option(def: &CustomFieldDef, text: &str) -> bool {
    def.options
        .as_deref()
        .is_some_and(|options| options.iter().any(|o| o == text))
}

/// An array of distinct options; an empty array is no value.
fn multi_select(def: &CustomFieldDef, value: &Value) -> Option<Value> {
    let Value::Array(items) = value else {
        return None;
    };
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(s) = item else { return None };
        if !is_option(def, s) || out.iter().any(|o| o.as_str() == Some(s.as_str())) {
            return None;
        }
        out.push(Value::String(s.clone()));
    }
    Some(if out.is_empty() {
        Value::Null
    } else {
        Value::Array(out)
    })
}

/// The text a unique field's value is claimed under: the stored value, with emails
/// lowercased, phone numbers in E.164 and numbers in one spelling (`10` and `10.0` collide).
pub fn unique_key(def: &CustomFieldDef, value: &Value) -> Option<String> {
    if !def.unique {
        return None;
    }
    Some(match (def.field_type, value) {
        (_, Value::Null) => return None,
        (FieldType::Email, Value::String(s)) => s.to_lowercase(),
        (FieldType::Phone, Value::String(s)) => to_e164(s, None).unwrap_or_else(|| s.clone()),
        (FieldType::Number, Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            Some(f) => format!("{f}"),
            None => n.to_string(),
        },
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{NewCustomField, SchemaObject};
    use serde_json::json;

    /// api_name, type, options, reference target, required.
    type Def<'a> = (
        &'a str,
        &'a str,
        Option<Vec<&'a str>>,
        Option<&'a str>,
        bool,
    );

    fn schema(defs: &[Def<'_>]) -> ObjectSchema {
        let fields = defs
            .iter()
            .map(|(name, ty, options, reference, required)| {
                NewCustomField {
                    api_name: (*name).into(),
                    field_type: (*ty).into(),
                    options: options
                        .as_ref()
                        .map(|o| o.iter().map(|s| s.to_string()).collect()),
                    reference: reference.map(str::to_string),
                    required: *required,
                    ..Default::default()
                }
                .into_def(SchemaObject::Accounts, 0)
                .expect("valid definition")
            })
            .collect();
        ObjectSchema {
            object: SchemaObject::Accounts,
            fields,
        }
    }

    fn check(s: &ObjectSchema, body: Value) -> Result<Validated> {
        let Value::Object(map) = body else {
            panic!("object")
        };
        validate_custom_fields(s, &map, Mode::Create, "custom_fields")
    }

    #[test]
    fn every_type_takes_good_values_and_names_bad_ones() {
        let s = schema(&[
            ("t", "text", None, None, false),
            ("lt", "long_text", None, None, false),
            ("n", "number", None, None, false),
            ("i", "integer", None, None, false),
            ("b", "boolean", None, None, false),
            ("d", "date", None, None, false),
            ("ts", "timestamp", None, None, false),
            ("u", "url", None, None, false),
            ("e", "email", None, None, false),
            ("p", "phone", None, None, false),
            ("s", "select", Some(vec!["a", "b"]), None, false),
            ("ms", "multi_select", Some(vec!["a", "b"]), None, false),
            ("r", "reference", None, Some("user"), false),
        ]);
        let user = ids::new_id(ids::USER);
        let good = check(
            &s,
            json!({"t": " x ", "lt": "y", "n": 1.5, "i": 10.0, "b": true, "d": "2024-02-29",
                   "ts": "2024-05-01T14:00:00+02:00", "u": "https://a.example", "e": "a@b.co",
                   "p": "+1 415 555 2671", "s": "a", "ms": ["b", "a"], "r": user}),
        )
        .expect("valid");
        assert_eq!(good.values["t"], json!("x"));
        assert_eq!(good.values["i"], json!(10));
        assert_eq!(good.values["ts"], json!("2024-05-01T12:00:00.000Z"));
        assert_eq!(good.references.len(), 1);
        for (key, bad) in [
            ("t", json!("x".repeat(256))),
            ("n", json!("1")),
            ("i", json!(1.5)),
            ("b", json!("true")),
            ("d", json!("2024-02-30")),
            ("ts", json!("yesterday")),
            ("u", json!("ftp://a.example")),
            ("e", json!("not-an-email")),
            ("p", json!("call me")),
            ("s", json!("c")),
            ("ms", json!(["a", "a"])),
            ("r", json!("acc_01jd5y0v4w8k9m2n3p4q5r6s7t")),
        ] {
            let err = check(&s, json!({ key: bad.clone() })).unwrap_err();
            let path = format!("custom_fields.{key}");
            assert_eq!(err.code().as_str(), "invalid_value", "{key}");
            assert_eq!(err.field(), Some(path.as_str()), "{key}");
            if key != "t" {
                // (Long values are echoed cut short.)
                assert_eq!(err.value(), Some(&bad), "{key}");
            }
        }
    }

    #[test]
    fn unknown_system_and_required() {
        let s = schema(&[("arr", "number", None, None, true)]);
        let err = check(&s, json!({"arr": 1, "nope": 1})).unwrap_err();
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("unknown_field", Some("custom_fields.nope"))
        );
        let err = check(&s, json!({"name": "x"})).unwrap_err();
        assert_eq!(err.code().as_str(), "field_not_updatable");
        let err = check(&s, json!({})).unwrap_err();
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("missing_field", Some("custom_fields.arr"))
        );
        let Value::Object(patch) = json!({"arr": null}) else {
            panic!()
        };
        let err = validate_custom_fields(&s, &patch, Mode::Patch, "custom_fields").unwrap_err();
        assert_eq!(err.field(), Some("custom_fields.arr"));
    }
}
