//! The service layer: the operations every HTTP surface calls. It checks scopes, normalizes and
//! validates input, and drives the store; surfaces only translate requests and responses.

mod accounts;
mod admin;
// Upsert by a match key.
mod assert;
mod bulk;
mod directory;
mod engine;
mod export;
mod idempotency;
// Batch lookups for rendering, and directory records by natural keys.
mod lookups;
mod query;
// Contacts, opportunities and cases.
mod cases;
mod contacts;
mod opportunities;
// The workspace schema and custom-field checks.
mod schema;
// In-process token cache: requests authenticate without a database read.
mod token_cache;
pub use token_cache::TOKEN_TTL;

pub use assert::{AssertCommand, AssertRequest, Asserted, MatchKey};
pub use engine::{DomainEntry, DomainPatch, NewDomain};

// Users, stages and tags.
pub use directory::DirectoryListParams;

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::store::{Guarded, Store};

/// The one entry point of the service layer, cheap to clone into every handler.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    tokens: Arc<token_cache::TokenCache>,
}

impl Service {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Service {
            store,
            tokens: Arc::default(),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

/// The expected version of a well-formed `If-Match` entity tag that this server never issued:
/// no record is ever at it, so a write guarded by it answers 412.
pub const FOREIGN_VERSION: i64 = -1;

/// A 412 naming the record's current version.
fn stale_record(resource: &str, current_version: i64, expected: i64) -> Error {
    let asked = if expected == FOREIGN_VERSION {
        "the version If-Match names".to_string()
    } else {
        expected.to_string()
    };
    Error::PreconditionFailed {
        message: format!(
            "the {resource} is at version {current_version}, not {asked}: read it again and retry"
        ),
        current_version,
    }
}

/// The outcome of a guarded write as the caller sees it.
fn settle<T>(
    outcome: Guarded<T>,
    resource: &'static str,
    id: &str,
    if_match: Option<i64>,
) -> Result<T> {
    match outcome {
        Guarded::Done(value) => Ok(value),
        Guarded::NotFound => Err(Error::not_found(resource, id)),
        Guarded::Stale { current_version } => Err(stale_record(
            resource,
            current_version,
            if_match.unwrap_or_default(),
        )),
    }
}
