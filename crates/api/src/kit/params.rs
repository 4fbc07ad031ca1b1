//! Path and query-string extractors whose rejections are rendered by the surface.
//!
//! - [`Segments`]: path segments (`{id}`, `({id}, {contact_id})`); a bad one is `invalid_id`.
//! - [`Params`]: a typed query string (serde); a parameter the type does not know is
//!   `unknown_parameter` naming it, so that a typo never silently widens a list.
//! - [`QueryParams`]: the query string as ordered pairs, for vendor surfaces whose clients
//!   repeat keys (`a=1&a=2`), use `a[]=1`, nest with `a[b]=1` or `a.b=1`.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use orgstore_core::Error;
use orgstore_core::error::Code;
use serde::de::DeserializeOwned;

use super::{Failure, Surface};

/// Path segments of a route of surface `S`. (Not named `Path`: utoipa reads arguments named
/// `Path` and `Query` as axum's own.)
pub struct Segments<S, T>(pub T, pub PhantomData<fn() -> S>);

/// The one id in a path such as `/v1/accounts/{id}`.
pub type PathId<S> = Segments<S, String>;

impl<St, S, T> FromRequestParts<St> for Segments<S, T>
where
    St: Send + Sync,
    S: Surface,
    T: DeserializeOwned + Send,
{
    type Rejection = Failure<S>;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Segments(value, PhantomData)),
            Err(rejection) => Err(Failure::new(Error::bad_request(
                Code::InvalidId,
                format!("the path is not valid: {}", rejection.body_text()),
            ))),
        }
    }
}

/// A typed query string of a route of surface `S`.
pub struct Params<S, T>(pub T, pub PhantomData<fn() -> S>);

impl<St, S, T> FromRequestParts<St> for Params<S, T>
where
    St: Send + Sync,
    S: Surface,
    T: DeserializeOwned,
{
    type Rejection = Failure<S>;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        let text = parts.uri.query().unwrap_or_default();
        parse_query(text)
            .map(|value| Params(value, PhantomData))
            .map_err(Failure::new)
    }
}

/// Parses a query string into `T`: an unknown parameter is a 400 naming it.
pub fn parse_query<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let deserializer =
        serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(text.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let message = err.inner().to_string();
        let unknown = message
            .split("unknown field `")
            .nth(1)
            .and_then(|rest| rest.split('`').next());
        match unknown {
            Some(name) => Error::invalid(
                Code::UnknownParameter,
                name,
                name,
                format!("`{name}` is not a parameter of this route"),
            ),
            None => Error::bad_request(
                Code::InvalidQuery,
                format!("the query string is not valid: {message}"),
            ),
        }
    })
}

/// The query string as `(key, value)` pairs in order, decoded.
pub struct QueryParams<S> {
    pairs: Vec<(String, String)>,
    surface: PhantomData<fn() -> S>,
}

impl<St, S> FromRequestParts<St> for QueryParams<S>
where
    St: Send + Sync,
    S: Surface,
{
    type Rejection = Failure<S>;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        Ok(QueryParams::parse(parts.uri.query().unwrap_or_default()))
    }
}

/// A key split into its name and what follows in brackets or after a dot: `a[b]` is
/// `("a", Some("b"))`, `a[]` is `("a", Some(""))`, `a.b` is `("a", Some("b"))`.
fn split_key(key: &str) -> (&str, Option<&str>) {
    if let Some(open) = key.find('[')
        && let Some(inner) = key[open + 1..].strip_suffix(']')
    {
        return (&key[..open], Some(inner));
    }
    match key.split_once('.') {
        Some((name, rest)) => (name, Some(rest)),
        None => (key, None),
    }
}

impl<S> QueryParams<S> {
    pub fn parse(text: &str) -> Self {
        QueryParams {
            pairs: url::form_urlencoded::parse(text.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            surface: PhantomData,
        }
    }

    /// Every pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The last value of `name` (a later repeat wins, as in most servers).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .last()
    }

    /// Every value of the list `name`: `name=a&name=b`, `name[]=a&name[]=b`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs()
            .filter(|(k, _)| matches!(split_key(k), (n, None | Some("")) if n == name))
            .map(|(_, v)| v)
            .collect()
    }

    /// The value of `name[key]` or `name.key`.
    pub fn nested(&self, name: &str, key: &str) -> Option<&str> {
        self.pairs()
            .filter(|(k, _)| split_key(k) == (name, Some(key)))
            .map(|(_, v)| v)
            .last()
    }

    /// Every `(key, value)` of `name[key]=value` and `name.key=value`, in order.
    pub fn nested_all(&self, name: &str) -> Vec<(&str, &str)> {
        self.pairs()
            .filter_map(|(k, v)| match split_key(k) {
                (n, Some(inner)) if n == name && !inner.is_empty() => Some((inner, v)),
                _ => None,
            })
            .collect()
    }

    /// A 400 naming the first parameter whose name is not in `known`.
    pub fn reject_unknown(&self, known: &[&str]) -> Result<(), Error> {
        match self
            .pairs()
            .map(|(k, _)| k)
            .find(|k| !known.contains(&split_key(k).0))
        {
            Some(name) => Err(Error::invalid(
                Code::UnknownParameter,
                name,
                name,
                format!("`{name}` is not a parameter of this route"),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Any;

    #[test]
    fn lists_and_nesting() {
        let q = QueryParams::<Any>::parse(
            "a=1&a=2&b[]=x&b[]=y&c[after]=2024&d.before=2025&e=%22q%22&f[x]=1&f[y]=2",
        );
        assert_eq!(q.all("a"), vec!["1", "2"]);
        assert_eq!(q.all("b"), vec!["x", "y"]);
        assert_eq!(q.get("a"), Some("2"));
        assert_eq!(q.nested("c", "after"), Some("2024"));
        assert_eq!(q.nested("d", "before"), Some("2025"));
        assert_eq!(q.get("e"), Some("\"q\""));
        assert_eq!(q.nested_all("f"), vec![("x", "1"), ("y", "2")]);
        assert!(q.reject_unknown(&["a", "b", "c", "d", "e", "f"]).is_ok());
        let err = q
            .reject_unknown(&["a"])
            .err()
            .map(|e| e.field().map(str::to_string));
        assert_eq!(err, Some(Some("b[]".to_string())));
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Params {
        #[allow(dead_code)]
        limit: Option<String>,
    }

    #[test]
    fn typed_queries_name_unknown_parameters() {
        assert!(parse_query::<Params>("limit=3").is_ok());
        let err = parse_query::<Params>("limt=3").err();
        assert_eq!(
            err.as_ref().map(|e| (e.code(), e.field())),
            Some((Code::UnknownParameter, Some("limt")))
        );
    }
}
