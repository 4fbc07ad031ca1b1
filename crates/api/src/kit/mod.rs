//! The HTTP kit every surface is built from: the native `/v1` API and each vendor API are a
//! [`Surface`] (how errors look, which credentials count, which paths are its own) plus a
//! module of handlers that only translate between the wire and the service layer.
//!
//! What the kit gives a surface:
//! - extractors whose rejections come out in the surface's shape: [`Auth`] (the caller),
//!   [`Json`] (a JSON body), [`PathId`] and [`Segments`] (the path), [`Params`] (a typed query
//!   string) and [`QueryParams`] (repeated keys, `a[]=` and `a[b]=` forms);
//! - [`Failure`], the error type its handlers return, rendered through the surface;
//! - response helpers: ETags, `If-Match`, `Location` ([`headers`]);
//! - the per-surface layers: authentication and rate limits ([`gate`]), `Idempotency-Key` on
//!   the POST routes that write ([`idempotency`]), and fallbacks for unknown paths and
//!   methods ([`fallback`]);
//! - [`SurfaceRoutes`], which mounts a surface's routes with those layers and collects its
//!   OpenAPI paths from the handlers' annotations.

pub mod body;
pub mod codes;
pub mod credentials;
pub mod failure;
pub mod fallback;
pub mod gate;
pub mod headers;
pub mod idempotency;
pub mod params;
pub mod rate_limit;
pub mod routes;

use axum::http::HeaderMap;
use axum::http::StatusCode;
use serde_json::Value;

pub use body::{BODY_LIMIT, Json, read_json};
pub use credentials::{Auth, Credential};
pub use failure::{ErrorView, Failure, SurfaceResult};
pub use params::{Params, PathId, QueryParams, Segments};
pub use rate_limit::{RateLimitConfig, RateLimitState, RateLimiter};
pub use routes::SurfaceRoutes;

/// One HTTP surface: the native API or a vendor's. A surface is a type with no data; the kit's
/// extractors and layers are generic over it, so that each renders in the surface's shape.
pub trait Surface: Send + Sync + 'static {
    /// Short name, used in metrics labels, logs and OpenAPI tags (`native`, `devrev`, ...).
    const NAME: &'static str;

    /// The credentials the surface accepts, tried in this order.
    const CREDENTIALS: &'static [Credential];

    /// Path prefixes the surface serves: a request for an unknown path under one of them gets
    /// the surface's 404 (the longest matching prefix wins).
    const PREFIXES: &'static [&'static str];

    /// The status and JSON body of an error in the vendor's shape. The kit adds the headers
    /// every surface shares (`Retry-After` on 429 and 503, the content type).
    fn render_error(error: &ErrorView<'_>) -> (StatusCode, Value);

    /// Adds the vendor's own names for the rate-limit state to a response (the standard
    /// `RateLimit-*` headers are always there).
    fn rate_limit_headers(_state: &RateLimitState, _headers: &mut HeaderMap) {}
}
