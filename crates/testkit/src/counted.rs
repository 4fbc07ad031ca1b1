//! A service over a fresh store of either backend, with the store's statement counter: for
//! tests that check how many statements an operation runs (no per-row round trips).

use std::sync::Arc;

use orgstore_core::auth::Principal;
use orgstore_core::service::Service;
use orgstore_core::store::Store;
use orgstore_store::{PostgresStore, SqliteStore};

use crate::{Backend, FreshDatabase, fresh_database};

/// A service over a fresh store, its bootstrap admin, and the store's statement count.
pub struct CountedService {
    pub service: Service,
    /// The admin of the default workspace.
    pub who: Principal,
    statements: Box<dyn Fn() -> u64 + Send + Sync>,
    _db: FreshDatabase,
}

impl CountedService {
    pub async fn open(backend: Backend) -> CountedService {
        let db = fresh_database(backend).await;
        let (store, statements): (Arc<dyn Store>, Box<dyn Fn() -> u64 + Send + Sync>) =
            match backend {
                Backend::Sqlite => {
                    let path = db.url.trim_start_matches("sqlite://").to_string();
                    let store = Arc::new(SqliteStore::open(path).expect("open sqlite"));
                    let counter = Arc::clone(&store);
                    (store, Box::new(move || counter.statements_run()))
                }
                Backend::Postgres => {
                    let store = Arc::new(PostgresStore::open(&db.url).await.expect("open pg"));
                    let counter = Arc::clone(&store);
                    (store, Box::new(move || counter.statements_run()))
                }
            };
        let service = Service::new(store);
        let boot = service
            .bootstrap()
            .await
            .expect("bootstrap")
            .expect("fresh store");
        let who = service
            .authenticate(&boot.admin_token)
            .await
            .expect("token works");
        CountedService {
            service,
            who,
            statements,
            _db: db,
        }
    }

    /// The statements `f` runs, and what it returns.
    pub async fn count<T>(&self, f: impl std::future::Future<Output = T>) -> (u64, T) {
        let before = (self.statements)();
        let out = f.await;
        ((self.statements)() - before, out)
    }
}
