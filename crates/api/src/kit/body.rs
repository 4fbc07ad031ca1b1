//! Our own JSON body extractor, so that every failure is a native error body naming the field.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use orgstore_core::Error;
use orgstore_core::error::Code;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest body accepted, in bytes.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub use orgstore_core::decode::{SYSTEM_FIELDS, parse_object as parse_json};

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
                        Code::MalformedBody,
                        format!("the request body could not be read: {err}"),
                    )
                }
            })?;
        parse_json(&bytes).map(JsonBody).map_err(ApiError)
    }
}

/// Reads and parses a JSON body of at most `limit` bytes, with the same checks and errors as
/// [`JsonBody`]: for the few routes (bulk create) whose bodies outgrow [`BODY_LIMIT`].
pub async fn read_json<T: DeserializeOwned>(req: Request, limit: usize) -> Result<T, Error> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if !is_json(content_type.as_deref()) {
        return Err(Error::UnsupportedMediaType {
            message: match content_type {
                Some(ct) => format!("Content-Type must be application/json, not {ct}"),
                None => "Content-Type must be application/json".to_string(),
            },
        });
    }
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|err| {
            if is_length_limit(&err) {
                Error::PayloadTooLarge { limit }
            } else {
                Error::bad_request(
                    Code::MalformedBody,
                    format!("the request body could not be read: {err}"),
                )
            }
        })?;
    parse_json(&bytes)
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

#[cfg(test)]
mod tests {
    use super::*;
    use orgstore_core::model::{AccountInput, AccountPatch};
    use serde_json::Value;

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
            assert_eq!(err.code().as_str(), "malformed_json", "{body}");
        }
        assert!(err_of("{\n\"name\": }").to_string().contains("line 2"));
        let err = err_of("[1,2]");
        assert_eq!((err.code().as_str(), err.field()), ("invalid_type", None));
        assert_eq!(err_of("\"x\"").code(), "invalid_type");
    }

    #[test]
    fn fields() {
        let err = err_of("{}");
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("missing_field", Some("name"))
        );
        let err = err_of(r#"{"name":"a","colour":"red"}"#);
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("unknown_field", Some("colour"))
        );
        assert_eq!(err.value(), Some(&Value::from("colour")));
        let err = err_of(r#"{"name":"a","version":3}"#);
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("field_not_updatable", Some("version"))
        );
        let err = err_of(r#"{"name":"a","number_of_employees":"many"}"#);
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("invalid_type", Some("number_of_employees"))
        );
        assert_eq!(err.value(), Some(&Value::from("many")));
        let err = match parse_json::<AccountPatch>(br#"{"id":"acc_1"}"#) {
            Ok(_) => panic!("id accepted"),
            Err(err) => err,
        };
        assert_eq!(err.code().as_str(), "field_not_updatable");
    }

    #[test]
    fn nested_paths() {
        let err = err_of(r#"{"name":"a","addresses":[{"city":"x"},{"type":"moon"}]}"#);
        assert_eq!(err.field(), Some("addresses[1].type"), "{err:?}");
        assert_eq!(err.code().as_str(), "invalid_value");
        assert_eq!(err.value(), Some(&Value::from("moon")));
        let err = err_of(r#"{"name":"a","addresses":[{"town":"x"}]}"#);
        assert_eq!(err.field(), Some("addresses[0].town"), "{err:?}");
        assert_eq!(err.code().as_str(), "unknown_field");
    }
}
