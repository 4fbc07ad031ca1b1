//! Conditional requests and record responses: `If-Match`, `ETag`, `Location`.

use axum::http::header::{ETAG, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use orgstore_core::Error;
use orgstore_core::error::Code;
use orgstore_core::service::FOREIGN_VERSION;
use serde::Serialize;

/// What `If-Match` asks for.
fn bad_if_match(raw: &str) -> Error {
    Error::invalid(
        Code::InvalidValue,
        "If-Match",
        raw,
        "If-Match must be an entity tag such as \"3\", a list of them, or *",
    )
}

/// One entity tag, `"3"` or `W/"3"` (or a bare `3`, which this API has always taken): the
/// version it names, [`FOREIGN_VERSION`] for a well-formed tag that is not one of our versions,
/// or `None` when it is not an entity tag at all.
fn entity_tag_version(tag: &str) -> Option<i64> {
    let tag = tag.trim();
    let unweak = tag.strip_prefix("W/").unwrap_or(tag);
    let opaque = match unweak.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"')?,
        None => {
            // Unquoted: only a plain version number.
            return unweak
                .parse::<i64>()
                .ok()
                .filter(|v| *v >= 0 && !unweak.starts_with('+'));
        }
    };
    // RFC 9110 etagc: %x21 / %x23-7E / obs-text; no quote, no control, no space.
    if opaque.bytes().any(|b| b == b'"' || b < 0x21 || b == 0x7f) {
        return None;
    }
    Some(
        opaque
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0 && !opaque.starts_with('+'))
            .unwrap_or(FOREIGN_VERSION),
    )
}

/// Parses an `If-Match` value: `*` (or no header) means no condition; an entity tag names a
/// version; a well-formed tag this API never issued matches no version (a 412 from the write);
/// anything else is a 400. In a list, the first tag naming a version counts.
pub fn parse_if_match(value: Option<&str>) -> Result<Option<i64>, Error> {
    let Some(raw) = value else {
        return Ok(None);
    };
    if raw.trim() == "*" {
        return Ok(None);
    }
    let mut versions = Vec::new();
    for tag in raw.split(',') {
        versions.push(entity_tag_version(tag).ok_or_else(|| bad_if_match(raw))?);
    }
    let named = versions.iter().copied().find(|v| *v != FOREIGN_VERSION);
    Ok(Some(named.unwrap_or(FOREIGN_VERSION)))
}

/// The version `If-Match` asks for, if any.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, Error> {
    match headers.get(IF_MATCH) {
        None => Ok(None),
        Some(value) => match value.to_str() {
            Ok(text) => parse_if_match(Some(text)),
            Err(_) => Err(bad_if_match(&String::from_utf8_lossy(value.as_bytes()))),
        },
    }
}

/// A record as JSON with its `ETag`.
pub fn with_etag<T: Serialize>(status: StatusCode, etag: &str, record: T) -> Response {
    let mut response = (status, axum::Json(record)).into_response();
    if let Ok(etag) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(ETAG, etag);
    }
    response
}

/// Adds `Location: <location>` to a response (a 201 for a created record).
pub fn with_location(mut response: Response, location: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// A 201 with the record, its `ETag` and `Location: <collection>/<id>`.
pub fn created<T: Serialize>(collection: &str, id: &str, etag: &str, record: T) -> Response {
    with_location(
        with_etag(StatusCode::CREATED, etag, record),
        &format!("{collection}/{id}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_forms() {
        assert_eq!(parse_if_match(None).ok(), Some(None));
        assert_eq!(parse_if_match(Some("*")).ok(), Some(None));
        assert_eq!(parse_if_match(Some("\"3\"")).ok(), Some(Some(3)));
        assert_eq!(parse_if_match(Some("W/\"3\"")).ok(), Some(Some(3)));
        assert_eq!(parse_if_match(Some(" 3 ")).ok(), Some(Some(3)));
        assert_eq!(parse_if_match(Some("\"x\", \"4\"")).ok(), Some(Some(4)));
        // Well-formed tags that name no version: a 412 from the write, not a 400.
        for foreign in ["\"stale-etag\"", "W/\"x\"", "\"-1\"", "\"\""] {
            assert_eq!(
                parse_if_match(Some(foreign)).ok(),
                Some(Some(FOREIGN_VERSION)),
                "{foreign}"
            );
        }
        for bad in ["abc", "", "-1", "\"3", "\"a b\"", "3, x"] {
            let err = parse_if_match(Some(bad)).err();
            assert_eq!(
                err.as_ref().and_then(|e| e.field()),
                Some("If-Match"),
                "{bad}"
            );
            assert_eq!(err.map(|e| e.status()), Some(400));
        }
    }
}
