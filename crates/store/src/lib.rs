//! orgstore storage: the SQLite and PostgreSQL implementations of the core's `Store` port.
//!
//! Both run the same statements (`sql/`), so that behaviour cannot drift between them; each
//! backend only supplies connections, transactions and value conversion.

pub mod postgres;
mod sql;
pub mod sqlite;

use std::sync::Arc;

use orgstore_core::store::Store;
use orgstore_core::{Error, Result};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Opens the store a database URL names, applying pending migrations: `sqlite://PATH`
/// (relative or absolute; `sqlite:///abs/path.db`) or `postgres://...` / `postgresql://...`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            return Err(bad_url(url));
        }
        let path = path.to_string();
        let store = tokio::task::spawn_blocking(move || SqliteStore::open(path))
            .await
            .map_err(Error::internal)??;
        return Ok(Arc::new(store));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PostgresStore::open(url).await?));
    }
    Err(bad_url(url))
}

fn bad_url(url: &str) -> Error {
    Error::invalid_value(
        "database",
        url,
        "the database URL must be sqlite://PATH or postgres://USER@HOST/DB",
    )
}
