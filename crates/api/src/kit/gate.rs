//! The first layer of every surface: finds the caller once, applies the caller's rate limit,
//! and puts the rate-limit headers on the answer.
//!
//! A request that presents no credentials passes through: the route decides (a 401 from
//! [`Auth`](super::Auth), or a public route such as a health check). A request whose
//! credentials fail passes through too, with the failure left for [`Auth`] to report, so that
//! the token is looked up once.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use orgstore_core::Error;

use super::credentials::{Authenticated, presented_token};
use super::{Failure, Surface};
use crate::AppState;

/// The surface that answered, left in the response's extensions for the metrics layer.
#[derive(Debug, Clone, Copy)]
pub struct SurfaceName(pub &'static str);

/// Middleware: authenticate and rate-limit a request of surface `S`.
pub async fn gate<S: Surface>(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let outcome = match presented_token::<S>(request.headers()) {
        Ok(None) => None,
        Ok(Some(token)) => Some(state.service.authenticate(token).await),
        Err(err) => Some(Err(err)),
    };
    let mut response = match outcome {
        None => next.run(request).await,
        Some(Err(err)) => {
            request.extensions_mut().insert(Authenticated(Err(err)));
            next.run(request).await
        }
        Some(Ok(principal)) => {
            let limit = state.limiter.check(&principal.token_id);
            let mut response = match &limit {
                Some(rate) if rate.exceeded() => Failure::<S>::new(Error::RateLimited {
                    limit: rate.limit,
                    retry_after: rate.retry_after_secs(),
                })
                .into_response(),
                _ => {
                    request
                        .extensions_mut()
                        .insert(Authenticated(Ok(principal)));
                    next.run(request).await
                }
            };
            if let Some(rate) = limit {
                rate.standard_headers(response.headers_mut());
                S::rate_limit_headers(&rate, response.headers_mut());
            }
            response
        }
    };
    response.extensions_mut().insert(SurfaceName(S::NAME));
    response
}
