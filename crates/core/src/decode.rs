//! Decoding JSON request values into typed inputs, with every failure a 400 that names the
//! field by its path (`addresses[0].type`) and carries the offending value. Every surface and
//! the bulk and assert operations decode through here, so that errors read the same everywhere.

use crate::error::Code;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use crate::error::Error;

/// Fields the server owns; naming one in a write body is `field_not_updatable`. They are the
/// account fields no client may write, from the one registry of account fields (other records'
/// server-owned fields are among them).
pub const SYSTEM_FIELDS: &[&str] = &crate::schema::account_fields::SERVER_OWNED;

/// Decodes one value of a larger request (a bulk row, the `account` of an assert) into `T`.
/// `prefix` is the value's own path in the request (`accounts[3]`); error fields start with it.
pub fn from_value<T: DeserializeOwned>(value: &Value, prefix: &str) -> Result<T, Error> {
    if !value.is_object() {
        let message = format!("`{prefix}` must be a JSON object, not {}", kind(value));
        return Err(Error::invalid(
            Code::InvalidType,
            prefix,
            value.clone(),
            message,
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().clone();
        let segments: Vec<Segment> = path.iter().cloned().collect();
        map_error(
            || value_in(value.clone(), &segments),
            prefix,
            &segments,
            err.inner(),
        )
    })
}

/// Parses a body into `T`, mapping every failure onto a native 400.
pub fn parse_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        // Valid JSON that is not an object, or not JSON at all.
        return match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => Err(Error::BadRequest {
                code: Code::InvalidType,
                message: format!(
                    "the request body must be a JSON object, not {}",
                    kind(&value)
                ),
                field: None,
                value: None,
            }),
            Err(err) => Err(malformed(&err)),
        };
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().clone();
        let segments: Vec<Segment> = path.iter().cloned().collect();
        if err.inner().is_data() {
            map_error(|| value_at(bytes, &segments), "", &segments, err.inner())
        } else {
            malformed(err.inner())
        }
    })?;
    de.end().map_err(|err| malformed(&err))?;
    Ok(value)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn malformed(err: &serde_json::Error) -> Error {
    let message = if err.is_eof() && err.line() <= 1 && err.column() == 0 {
        "the request body is empty; send a JSON object".to_string()
    } else {
        format!(
            "the request body is not valid JSON: {} (line {}, column {})",
            strip_position(&err.to_string()),
            err.line(),
            err.column()
        )
    };
    Error::bad_request(Code::MalformedJson, message)
}

/// serde_json appends " at line L column C"; the message reads better without it.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

/// The text between the first pair of backticks after `prefix`.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some(&rest[..end])
}

/// A path as the error bodies write it: `addresses[0].type`.
fn render_path(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    out
}

/// `prefix` then a relative path: `accounts[3]` + `name` is `accounts[3].name`.
fn join_path(prefix: &str, relative: &str) -> String {
    if prefix.is_empty() || relative.is_empty() || relative.starts_with('[') {
        format!("{prefix}{relative}")
    } else {
        format!("{prefix}.{relative}")
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The value at `segments` in the body, if it can be found.
fn value_at(bytes: &[u8], segments: &[Segment]) -> Option<Value> {
    value_in(serde_json::from_slice(bytes).ok()?, segments)
}

fn value_in(mut value: Value, segments: &[Segment]) -> Option<Value> {
    for segment in segments {
        value = match segment {
            Segment::Seq { index } => match value {
                Value::Array(mut items) if *index < items.len() => items.swap_remove(*index),
                _ => return None,
            },
            Segment::Map { key } => match value {
                Value::Object(mut map) => map.remove(key)?,
                _ => return None,
            },
            Segment::Enum { .. } => value,
            Segment::Unknown => return None,
        };
    }
    Some(value)
}

/// Maps a data error at `segments` (below `prefix`) onto a 400; `offending` finds the value
/// there, only when it is needed.
fn map_error(
    offending: impl FnOnce() -> Option<Value>,
    prefix: &str,
    segments: &[Segment],
    err: &serde_json::Error,
) -> Error {
    let message = strip_position(&err.to_string()).to_string();
    let relative = render_path(segments);
    let rendered = join_path(prefix, &relative);

    if let Some(name) = quoted_after(&message, "missing field ") {
        let field = join(&rendered, name);
        return Error::BadRequest {
            code: Code::MissingField,
            message: format!("the field `{field}` is required"),
            field: Some(field),
            value: None,
        };
    }
    if let Some(name) = quoted_after(&message, "unknown field ") {
        // The path may or may not already end in the unknown key.
        let (field, relative_field) = match segments.last() {
            Some(Segment::Map { key }) if key == name => (rendered.clone(), relative.clone()),
            _ => (join(&rendered, name), join(&relative, name)),
        };
        let top_level = !relative_field.contains('.') && !relative_field.contains('[');
        if top_level && SYSTEM_FIELDS.contains(&name) {
            return Error::invalid(
                Code::FieldNotUpdatable,
                field.as_str(),
                name,
                format!("`{name}` is set by the server and cannot be written"),
            );
        }
        return Error::invalid(
            Code::UnknownField,
            field.as_str(),
            name,
            format!("`{field}` is not a known field"),
        );
    }
    let code = if message.starts_with("unknown variant") || message.starts_with("invalid value") {
        Code::InvalidValue
    } else {
        Code::InvalidType
    };
    let field = (!rendered.is_empty()).then(|| rendered.clone());
    let value = field.as_ref().and_then(|_| offending());
    let message = match &field {
        Some(f) => format!("`{f}`: {message}"),
        None => message,
    };
    match (field, value) {
        (Some(field), Some(value)) => Error::invalid(code, field, value, message),
        (field, _) => Error::BadRequest {
            code,
            message,
            field,
            value: None,
        },
    }
}
