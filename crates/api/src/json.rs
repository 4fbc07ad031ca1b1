//! Our own JSON body extractor, so that every failure is a native error body naming the field.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use orgstore_core::Error;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use crate::error::ApiError;

/// Largest body accepted, in bytes.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Fields the server owns; naming one in a write body is `field_not_updatable`.
pub const SYSTEM_FIELDS: &[&str] = &[
    "id",
    "display_id",
    "workspace_id",
    "created_at",
    "updated_at",
    "created_by",
    "modified_by",
    "last_activity_at",
    "archived_at",
    "version",
];

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if !is_json(content_type.as_deref()) {
            return Err(ApiError(Error::UnsupportedMediaType {
                message: match content_type {
                    Some(ct) => format!("Content-Type must be application/json, not {ct}"),
                    None => "Content-Type must be application/json".to_string(),
                },
            }));
        }
        let body: Body = req.into_body();
        let bytes = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|err| {
                if is_length_limit(&err) {
                    Error::PayloadTooLarge { limit: BODY_LIMIT }
                } else {
                    Error::bad_request(
                        "malformed_body",
                        format!("the request body could not be read: {err}"),
                    )
                }
            })?;
        parse_json(&bytes).map(JsonBody).map_err(ApiError)
    }
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<axum::extract::rejection::LengthLimitError>()
            || e.to_string().contains("length limit exceeded")
        {
            return true;
        }
        source = e.source();
    }
    false
}

/// `application/json` or any `+json` type, parameters allowed.
pub fn is_json(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((kind, sub)) = essence.split_once('/') else {
        return false;
    };
    kind == "application" && (sub == "json" || sub.ends_with("+json"))
}

/// Parses a body into `T`, mapping every failure onto a native 400.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        // Valid JSON that is not an object, or not JSON at all.
        return match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => Err(Error::BadRequest {
                code: "invalid_type",
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
        map_error(bytes, &path, err.inner())
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
    Error::bad_request("malformed_json", message)
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

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The value at `segments` in the body, if it can be found.
fn value_at(bytes: &[u8], segments: &[Segment]) -> Option<Value> {
    let mut value: Value = serde_json::from_slice(bytes).ok()?;
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

fn map_error(bytes: &[u8], path: &serde_path_to_error::Path, err: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => return malformed(err),
        Category::Data => {}
    }
    let segments: Vec<Segment> = path.iter().cloned().collect();
    let message = strip_position(&err.to_string()).to_string();
    let rendered = render_path(&segments);

    if let Some(name) = quoted_after(&message, "missing field ") {
        let field = join(&rendered, name);
        return Error::BadRequest {
            code: "missing_field",
            message: format!("the field `{field}` is required"),
            field: Some(field),
            value: None,
        };
    }
    if let Some(name) = quoted_after(&message, "unknown field ") {
        // The path may or may not already end in the unknown key.
        let field = match segments.last() {
            Some(Segment::Map { key }) if key == name => rendered.clone(),
            _ => join(&rendered, name),
        };
        let top_level = !field.contains('.') && !field.contains('[');
        if top_level && SYSTEM_FIELDS.contains(&name) {
            return Error::invalid(
                "field_not_updatable",
                field.as_str(),
                name,
                format!("`{name}` is set by the server and cannot be written"),
            );
        }
        return Error::invalid(
            "unknown_field",
            field.as_str(),
            name,
            format!("`{field}` is not a known field"),
        );
    }
    let code = if message.starts_with("unknown variant") || message.starts_with("invalid value") {
        "invalid_value"
    } else {
        "invalid_type"
    };
    let field = (!rendered.is_empty()).then(|| rendered.clone());
    let value = field.as_ref().and_then(|_| value_at(bytes, &segments));
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

#[cfg(test)]
mod tests {
    use super::*;
    use orgstore_core::model::{AccountInput, AccountPatch};

    fn err_of(body: &str) -> Error {
        match parse_json::<AccountInput>(body.as_bytes()) {
            Ok(_) => panic!("expected an error for {body}"),
            Err(err) => err,
        }
    }

    #[test]
    fn content_types() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("application/json; charset=utf-8")));
        assert!(is_json(Some("application/merge-patch+json")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(None));
    }

    #[test]
    fn syntax_and_shape() {
        for body in ["", "   ", "{", "{\"name\": }", "{\"name\":\"a\"} x"] {
            let err = err_of(body);
            assert_eq!(err.code(), "malformed_json", "{body}");
        }
        assert!(err_of("{\n\"name\": }").to_string().contains("line 2"));
        let err = err_of("[1,2]");
        assert_eq!((err.code(), err.field()), ("invalid_type", None));
        assert_eq!(err_of("\"x\"").code(), "invalid_type");
    }

    #[test]
    fn fields() {
        let err = err_of("{}");
        assert_eq!((err.code(), err.field()), ("missing_field", Some("name")));
        let err = err_of(r#"{"name":"a","colour":"red"}"#);
        assert_eq!((err.code(), err.field()), ("unknown_field", Some("colour")));
        assert_eq!(err.value(), Some(&Value::from("colour")));
        let err = err_of(r#"{"name":"a","version":3}"#);
        assert_eq!(
            (err.code(), err.field()),
            ("field_not_updatable", Some("version"))
        );
        let err = err_of(r#"{"name":"a","number_of_employees":"many"}"#);
        assert_eq!(
            (err.code(), err.field()),
            ("invalid_type", Some("number_of_employees"))
        );
        assert_eq!(err.value(), Some(&Value::from("many")));
        let err = match parse_json::<AccountPatch>(br#"{"id":"acc_1"}"#) {
            Ok(_) => panic!("id accepted"),
            Err(err) => err,
        };
        assert_eq!(err.code(), "field_not_updatable");
    }

    #[test]
    fn nested_paths() {
        let err = err_of(r#"{"name":"a","addresses":[{"city":"x"},{"type":"moon"}]}"#);
        assert_eq!(err.field(), Some("addresses[1].type"), "{err:?}");
        assert_eq!(err.code(), "invalid_value");
        assert_eq!(err.value(), Some(&Value::from("moon")));
        let err = err_of(r#"{"name":"a","addresses":[{"town":"x"}]}"#);
        assert_eq!(err.field(), Some("addresses[0].town"), "{err:?}");
        assert_eq!(err.code(), "unknown_field");
    }
}
