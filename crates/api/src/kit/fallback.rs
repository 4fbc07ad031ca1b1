//! Answers for requests that match no route (404) or no method of a route (405, with the
//! `Allow` header axum adds), each in the shape of the surface that owns the path: the surface
//! with the longest matching prefix, or the first surface mounted (the native API).

use std::sync::Arc;

use axum::http::{Method, Uri};
use axum::response::Response;
use orgstore_core::Error;
use orgstore_core::error::Code;

use super::Surface;
use super::failure::respond;

type Responder = fn(&Error) -> Response;

/// The surfaces' path prefixes and how each renders an error.
#[derive(Clone, Default)]
pub struct Fallbacks {
    /// The surface for paths no prefix claims.
    default: Option<Responder>,
    prefixes: Vec<(&'static str, Responder)>,
}

impl Fallbacks {
    pub fn add<S: Surface>(&mut self) {
        self.default.get_or_insert(respond::<S>);
        for prefix in S::PREFIXES {
            self.prefixes.push((prefix, respond::<S>));
        }
        // Longest first, so that `/api/v2/` wins over `/api/`.
        self.prefixes
            .sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
    }

    fn respond(&self, path: &str, error: Error) -> Response {
        let surface = self
            .prefixes
            .iter()
            .find(|(prefix, _)| path.starts_with(prefix))
            .map(|(_, respond)| *respond)
            .or(self.default);
        match surface {
            Some(respond) => respond(&error),
            None => axum::response::IntoResponse::into_response(axum::http::StatusCode::NOT_FOUND),
        }
    }

    pub fn not_found(self: &Arc<Self>, uri: &Uri) -> Response {
        let path = uri.path();
        self.respond(
            path,
            Error::bad_request(Code::NotFound, format!("no route for {path}")),
        )
    }

    pub fn method_not_allowed(self: &Arc<Self>, method: &Method, uri: &Uri) -> Response {
        let path = uri.path();
        self.respond(
            path,
            Error::bad_request(
                Code::MethodNotAllowed,
                format!("{method} is not allowed on {path}"),
            ),
        )
    }
}
