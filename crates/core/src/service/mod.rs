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

pub use engine::{AssertRequest, Asserted, DomainEntry, DomainPatch, MatchKey, NewDomain};

// Users, stages and tags.
pub use directory::DirectoryListParams;

use std::sync::Arc;

use crate::store::Store;

/// The one entry point of the service layer, cheap to clone into every handler.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
}

impl Service {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Service { store }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}
