//! The service layer: the operations every HTTP surface calls. It checks scopes, normalizes and
//! validates input, and drives the store; surfaces only translate requests and responses.

mod accounts;
mod admin;
mod bulk;
mod directory;
mod engine;
mod export;
mod idempotency;
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

pub use engine::{AssertRequest, Asserted, DomainEntry, DomainPatch, MatchKey, NewDomain};

// Users, stages and tags.
pub use directory::DirectoryListParams;

use std::sync::Arc;

use crate::store::Store;

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

    /// Makes a revoked token fail at once in this process (other processes notice within
    /// [`TOKEN_TTL`]); call it after revoking the token with this hash.
    pub fn forget_token(&self, token_hash: &str) {
        self.tokens.forget(token_hash);
    }

    /// Forgets every cached token, e.g. after changing a user's or a token's scope.
    pub fn forget_all_tokens(&self) {
        self.tokens.clear();
    }
}
