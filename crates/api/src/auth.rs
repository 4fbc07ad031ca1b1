//! The bearer-token extractor.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use orgstore_core::Error;
use orgstore_core::auth::Principal;

use crate::AppState;
use crate::error::ApiError;

/// The caller, resolved from `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct Auth(pub Principal);

fn unauthorized(message: &str) -> ApiError {
    ApiError(Error::Unauthorized {
        message: message.to_string(),
    })
}

/// The token of an `Authorization` header value, if it is a bearer credential.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Err(unauthorized(
                "missing Authorization header; send Authorization: Bearer <token>",
            ));
        };
        let token = header.to_str().ok().and_then(bearer_token).ok_or_else(|| {
            unauthorized("malformed Authorization header; send Authorization: Bearer <token>")
        })?;
        let principal = state.service.authenticate(token).await?;
        Ok(Auth(principal))
    }
}
