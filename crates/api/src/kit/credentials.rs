//! Who is calling: the credential forms a surface accepts, and the [`Auth`] extractor.
//!
//! The token is found once per request by the surface's [`gate`](super::gate) layer, which
//! leaves the outcome in the request's extensions; [`Auth`] takes it from there (or works it
//! out itself when a route is served without the gate, as in router tests).

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use orgstore_core::Error;
use orgstore_core::auth::Principal;

use super::{Failure, Surface};
use crate::AppState;

/// A way of presenting a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: <token>`, with no scheme (DevRev's TypeScript SDK sends this).
    BareAuthorization,
    /// `X-Api-Key: <token>` (Apollo's own header).
    ApiKeyHeader,
}

pub const API_KEY_HEADER: &str = "x-api-key";

impl Credential {
    fn describe(self) -> &'static str {
        match self {
            Credential::Bearer => "Authorization: Bearer <token>",
            Credential::BareAuthorization => "Authorization: <token>",
            Credential::ApiKeyHeader => "X-Api-Key: <token>",
        }
    }
}

/// The outcome of authenticating a request, left in its extensions by the gate.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Result<Principal, Error>);

/// The caller of a route of surface `S`. Rejections are 401s in the surface's shape.
pub struct Auth<S>(pub Principal, pub PhantomData<fn() -> S>);

impl<S> Auth<S> {
    pub fn principal(&self) -> &Principal {
        &self.0
    }
}

fn unauthorized<S: Surface>(what: &str) -> Error {
    let forms: Vec<&str> = S::CREDENTIALS.iter().map(|c| c.describe()).collect();
    Error::Unauthorized {
        message: format!("{what}; send {}", forms.join(" or ")),
    }
}

/// The token a request presents in one of the forms `S` accepts: `Ok(None)` when it presents
/// none, an error when it presents one malformed (or two `Authorization` headers).
pub fn presented_token<S: Surface>(headers: &HeaderMap) -> Result<Option<&str>, Error> {
    let mut authorization = headers.get_all(AUTHORIZATION).iter();
    let first = authorization.next();
    if authorization.next().is_some() {
        return Err(unauthorized::<S>(
            "the request carries more than one Authorization header",
        ));
    }
    let accepts = |c: Credential| S::CREDENTIALS.contains(&c);
    if let Some(value) = first {
        let text = value
            .to_str()
            .map_err(|_| unauthorized::<S>("malformed Authorization header"))?
            .trim();
        if let Some((scheme, token)) = text.split_once(' ') {
            let token = token.trim();
            if accepts(Credential::Bearer)
                && scheme.eq_ignore_ascii_case("bearer")
                && !token.is_empty()
                && !token.contains(' ')
            {
                return Ok(Some(token));
            }
        } else if accepts(Credential::BareAuthorization) && !text.is_empty() {
            return Ok(Some(text));
        }
        // An Authorization header the surface cannot read may still sit beside an API key.
        if !accepts(Credential::ApiKeyHeader) || !headers.contains_key(API_KEY_HEADER) {
            return Err(unauthorized::<S>("malformed Authorization header"));
        }
    }
    if accepts(Credential::ApiKeyHeader)
        && let Some(value) = headers.get(API_KEY_HEADER)
    {
        let token = value
            .to_str()
            .map_err(|_| unauthorized::<S>("malformed X-Api-Key header"))?
            .trim();
        if token.is_empty() {
            return Err(unauthorized::<S>("empty X-Api-Key header"));
        }
        return Ok(Some(token));
    }
    Ok(None)
}

/// Authenticates a request as surface `S` would: the principal, or a 401.
pub async fn authenticate<S: Surface>(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Principal, Error> {
    match presented_token::<S>(headers)? {
        Some(token) => state.service.authenticate(token).await,
        None => Err(unauthorized::<S>("missing credentials")),
    }
}

impl<S: Surface> FromRequestParts<AppState> for Auth<S> {
    type Rejection = Failure<S>;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = match parts.extensions.get::<Authenticated>() {
            Some(Authenticated(outcome)) => outcome.clone()?,
            None => authenticate::<S>(&parts.headers, state).await?,
        };
        Ok(Auth(principal, PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use axum::http::StatusCode;
    use serde_json::Value;

    struct BearerOnly;
    impl Surface for BearerOnly {
        const NAME: &'static str = "t";
        const CREDENTIALS: &'static [Credential] = &[Credential::Bearer];
        const PREFIXES: &'static [&'static str] = &[];
        fn render_error(_: &super::super::ErrorView<'_>) -> (StatusCode, Value) {
            (StatusCode::OK, Value::Null)
        }
    }

    struct Everything;
    impl Surface for Everything {
        const NAME: &'static str = "t";
        const CREDENTIALS: &'static [Credential] = &[
            Credential::Bearer,
            Credential::BareAuthorization,
            Credential::ApiKeyHeader,
        ];
        const PREFIXES: &'static [&'static str] = &[];
        fn render_error(_: &super::super::ErrorView<'_>) -> (StatusCode, Value) {
            (StatusCode::OK, Value::Null)
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn bearer_only() {
        let token = |pairs| {
            presented_token::<BearerOnly>(&headers(pairs))
                .map(|t| t.map(str::to_string))
                .map_err(|e| e.code())
        };
        assert_eq!(
            token(&[("authorization", "Bearer osk_a")]),
            Ok(Some("osk_a".into()))
        );
        assert_eq!(
            token(&[("authorization", "bearer  osk_a ")]),
            Ok(Some("osk_a".into()))
        );
        assert_eq!(token(&[]), Ok(None));
        assert!(token(&[("authorization", "osk_a")]).is_err());
        assert!(token(&[("authorization", "Basic osk_a")]).is_err());
        assert!(token(&[("x-api-key", "osk_a")]) == Ok(None));
        assert!(
            token(&[
                ("authorization", "Bearer osk_a"),
                ("authorization", "Bearer osk_b")
            ])
            .is_err()
        );
    }

    #[test]
    fn every_form() {
        let token = |pairs| {
            presented_token::<Everything>(&headers(pairs))
                .ok()
                .flatten()
                .map(str::to_string)
        };
        assert_eq!(
            token(&[("authorization", "osk_a")]).as_deref(),
            Some("osk_a")
        );
        assert_eq!(token(&[("x-api-key", "osk_k")]).as_deref(), Some("osk_k"));
        assert_eq!(
            token(&[("authorization", "Basic x y"), ("x-api-key", "osk_k")]).as_deref(),
            Some("osk_k")
        );
    }
}
