//! Native record responses: the record as JSON with its `ETag`, and `Location` on a 201.

use axum::http::StatusCode;
use axum::response::Response;
use orgstore_core::related::Record;
use serde::Serialize;

use crate::kit::headers;

/// A record as JSON with its `ETag`.
pub fn record_response<T: Record + Serialize>(status: StatusCode, record: T) -> Response {
    let etag = record.etag();
    headers::with_etag(status, &etag, record)
}

/// A 201 with `Location: <collection>/<id>` and the `ETag`.
pub fn created<T: Record + Serialize>(collection: &str, record: T) -> Response {
    let location = format!("{collection}/{}", record.id());
    headers::with_location(record_response(StatusCode::CREATED, record), &location)
}
