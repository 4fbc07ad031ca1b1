//! JSON request bodies: the [`Json`] extractor and [`read_json`], so that every failure (wrong
//! media type, too large, unreadable, malformed, a field of the wrong type) is an error naming
//! the field, rendered by the surface.

use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use orgstore_core::Error;
use orgstore_core::error::Code;
use serde::de::DeserializeOwned;

use super::{Failure, Surface};

/// Largest body accepted, in bytes, by routes that do not say otherwise.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub use orgstore_core::decode::parse_object as parse_json;

/// A JSON request body of type `T`, for a route of surface `S`.
pub struct Json<S, T>(pub T, pub PhantomData<fn() -> S>);

impl<St, S, T> FromRequest<St> for Json<S, T>
where
    St: Send + Sync,
    S: Surface,
    T: DeserializeOwned,
{
    type Rejection = Failure<S>;

    async fn from_request(req: Request, _state: &St) -> Result<Self, Self::Rejection> {
        Ok(Json(read_json(req, BODY_LIMIT).await?, PhantomData))
    }
}

/// A 415 unless the request says its body is JSON.
pub fn require_json(headers: &HeaderMap) -> Result<(), Error> {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if is_json(content_type) {
        return Ok(());
    }
    Err(Error::UnsupportedMediaType {
        message: match content_type {
            Some(ct) => format!("Content-Type must be application/json, not {ct}"),
            None => "Content-Type must be application/json".to_string(),
        },
    })
}

/// Reads and parses a JSON body of at most `limit` bytes: what [`Json`] does, for the routes
/// (bulk create) whose bodies outgrow [`BODY_LIMIT`].
pub async fn read_json<T: DeserializeOwned>(req: Request, limit: usize) -> Result<T, Error> {
    parse_json(&read_body(req, limit).await?)
}

/// The bytes of a JSON body of at most `limit` bytes, for surfaces that parse it themselves.
pub async fn read_body(req: Request, limit: usize) -> Result<Bytes, Error> {
    require_json(req.headers())?;
    axum::body::to_bytes(req.into_body(), limit)
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
        })
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
