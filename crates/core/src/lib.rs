//! The orgstore core: the account model, its normalizers and validation, the one error enum,
//! the `Store` port that storage implements, and the service layer that every HTTP surface calls.
//!
//! Nothing here knows HTTP or SQL: handlers translate requests into calls on [`service`], and
//! the store crate implements [`store::Store`] for SQLite and PostgreSQL.

pub mod auth;
pub mod bulk;
pub mod decode;
pub mod error;
pub mod export;
pub mod idempotency;
pub mod ids;
pub mod list;
pub mod model;
pub mod normalize;
// One page type and one cursor codec for every list.
pub mod page;
pub mod query;
// Contacts, opportunities and cases: list queries and cursors.
pub mod related;
pub mod serde_util;
pub mod service;
pub mod store;
pub mod time;

pub use error::{Error, Result};
// The workspace schema and the custom-field validator.
pub mod schema;
