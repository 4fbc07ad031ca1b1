//! The one error enum of the service layer. Each HTTP surface renders it in its own shape; the
//! native surface uses `{"error": {"type", "code", "message", "field", "value"}}`. Every error
//! carries a [`Code`] from the one table in [`code`], which decides its HTTP status.

mod code;
pub use code::Code;

use serde_json::Value;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Longest excerpt of a client value echoed back in an error body.
const MAX_ECHOED_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The request is wrong (a 4xx, 400 for most codes); `code` says how.
    #[error("{message}")]
    BadRequest {
        code: Code,
        message: String,
        field: Option<String>,
        value: Option<Value>,
    },
    /// 401: missing, malformed or unknown bearer token.
    #[error("{message}")]
    Unauthorized { message: String },
    /// 403: the token is valid but its scope is too small.
    #[error("{message}")]
    Forbidden { message: String },
    /// 404: no such record in the caller's workspace (also for other workspaces' ids).
    #[error("{resource} {id} was not found")]
    NotFound { resource: &'static str, id: String },
    /// A value is held by another record (409 for most codes): a unique domain, external ref
    /// or slug, an artifact attached elsewhere, a key in use.
    #[error("{message}")]
    Conflict {
        code: Code,
        message: String,
        field: Option<String>,
        value: Option<Value>,
        /// The record that holds the contested value, when there is one.
        existing_id: Option<String>,
    },
    /// 412: `If-Match` named a version that is no longer current.
    #[error("{message}")]
    PreconditionFailed {
        message: String,
        current_version: i64,
    },
    /// 413: the body is larger than the route accepts.
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 415: the body is not JSON.
    #[error("{message}")]
    UnsupportedMediaType { message: String },
    /// 429: the caller sent more requests than its limit; it may retry after `retry_after`
    /// seconds.
    #[error("rate limit of {limit} requests per minute exceeded; retry in {retry_after} s")]
    RateLimited { limit: u32, retry_after: u64 },
    /// 503: the database cannot be reached.
    #[error("{message}")]
    Unavailable { message: String },
    /// 500: a fault of ours; the message goes to the log, never to the client.
    #[error("{message}")]
    Internal { message: String },
}

impl Error {
    /// A 400 naming the field and the value that was wrong.
    pub fn invalid(
        code: Code,
        field: impl Into<String>,
        value: impl Into<Value>,
        message: impl Into<String>,
    ) -> Self {
        Error::BadRequest {
            code,
            message: message.into(),
            field: Some(field.into()),
            value: Some(echo(value.into())),
        }
    }

    /// A 409 for a unique value that a concurrent request took between this request's check
    /// and its write; retrying reports which record holds it.
    pub fn concurrent_unique_conflict(constraint: &str) -> Self {
        Error::Conflict {
            code: Code::ConcurrentConflict,
            message: format!(
                "a concurrent request took a unique value ({constraint}) first; read again and retry"
            ),
            field: None,
            value: None,
            existing_id: None,
        }
    }

    /// An `invalid_value` 400, the most common kind.
    pub fn invalid_value(
        field: impl Into<String>,
        value: impl Into<Value>,
        message: impl Into<String>,
    ) -> Self {
        Self::invalid(Code::InvalidValue, field, value, message)
    }

    pub fn bad_request(code: Code, message: impl Into<String>) -> Self {
        Error::BadRequest {
            code,
            message: message.into(),
            field: None,
            value: None,
        }
    }

    pub fn not_found(resource: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound {
            resource,
            id: id.into(),
        }
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Error::Internal {
            message: message.to_string(),
        }
    }

    pub fn unavailable(message: impl std::fmt::Display) -> Self {
        Error::Unavailable {
            message: message.to_string(),
        }
    }

    /// The code of the error, from the one table of codes.
    pub fn code(&self) -> Code {
        match self {
            Error::BadRequest { code, .. } | Error::Conflict { code, .. } => *code,
            Error::Unauthorized { .. } => Code::Unauthorized,
            Error::Forbidden { .. } => Code::Forbidden,
            Error::NotFound { .. } => Code::NotFound,
            Error::PreconditionFailed { .. } => Code::PreconditionFailed,
            Error::PayloadTooLarge { .. } => Code::PayloadTooLarge,
            Error::UnsupportedMediaType { .. } => Code::UnsupportedMediaType,
            Error::RateLimited { .. } => Code::RateLimited,
            Error::Unavailable { .. } => Code::ServiceUnavailable,
            Error::Internal { .. } => Code::InternalError,
        }
    }

    /// The HTTP status of the error: its code's, on every surface unless a vendor says
    /// otherwise.
    pub fn status(&self) -> u16 {
        self.code().status()
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Error::BadRequest { field, .. } | Error::Conflict { field, .. } => field.as_deref(),
            Error::NotFound { .. } => Some("id"),
            _ => None,
        }
    }

    pub fn value(&self) -> Option<&Value> {
        match self {
            Error::BadRequest { value, .. } | Error::Conflict { value, .. } => value.as_ref(),
            _ => None,
        }
    }

    /// Rewrites the field path with `rename` (a surface naming fields in its vendor's words:
    /// `accounts[3].domains[0]` to `accounts[3].domain`).
    pub fn map_field(mut self, rename: impl FnOnce(&str) -> String) -> Self {
        if let Error::BadRequest { field, .. } | Error::Conflict { field, .. } = &mut self
            && let Some(path) = field.as_deref()
        {
            *field = Some(rename(path));
        }
        self
    }

    /// Prefixes the field path, so that an error found inside a nested value names its place
    /// in the request (`addresses[1].city`).
    pub fn within(mut self, prefix: &str) -> Self {
        if let Error::BadRequest { field, .. } | Error::Conflict { field, .. } = &mut self {
            *field = Some(match field.take() {
                Some(inner) if inner.starts_with('[') => format!("{prefix}{inner}"),
                Some(inner) => format!("{prefix}.{inner}"),
                None => prefix.to_string(),
            });
        }
        self
    }
}

/// Long client strings are cut before they are echoed back, so that an error about a 1 MB
/// string does not become a 1 MB error.
fn echo(value: Value) -> Value {
    match value {
        Value::String(s) if s.chars().count() > MAX_ECHOED_CHARS => {
            let mut cut: String = s.chars().take(MAX_ECHOED_CHARS).collect();
            cut.push('…');
            Value::String(cut)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_when_echoed() {
        let err = Error::invalid_value("name", "x".repeat(1000), "too long");
        let Some(Value::String(echoed)) = err.value() else {
            panic!("value missing");
        };
        assert_eq!(echoed.chars().count(), MAX_ECHOED_CHARS + 1);
    }

    #[test]
    fn within_builds_paths() {
        let err = Error::invalid_value("city", "x", "bad").within("addresses[1]");
        assert_eq!(err.field(), Some("addresses[1].city"));
        let err = Error::invalid_value("[2]", "x", "bad").within("domains");
        assert_eq!(err.field(), Some("domains[2]"));
    }
}
