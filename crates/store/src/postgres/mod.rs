//! The PostgreSQL store: tokio-postgres with a deadpool connection pool and cached prepared
//! statements. Several orgstore servers may share one database: everything that must be
//! consistent across them (unique domains, sequences) is enforced inside it.

mod tx;

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use orgstore_core::auth::Principal;
use orgstore_core::bulk::{BulkPlan, BulkWritten};
use orgstore_core::idempotency::{IdempotencyClaim, StoredResponse};
use orgstore_core::model::{Account, AccountData, TokenRecord, User, Workspace};
use orgstore_core::query::AccountQuery;
use orgstore_core::store::{AccountChange, Guarded, MatchKeys, Store};
use orgstore_core::{Error, Result};
use tokio_postgres::NoTls;

use crate::sql::{accounts, bulk, idempotency, lifecycle, query, workspaces};
use tx::PgTx;

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// Serializes migrations when several servers start against one database at once.
const MIGRATION_LOCK_KEY: i64 = 0x6f72_6773_746f_7265; // "orgstore"

const POOL_SIZE: usize = 16;

pub struct PostgresStore {
    pool: Pool,
    /// Statements run through [`PgTx`], for tests that count a route's statements.
    statements: AtomicU64,
    /// Accounts bulk-written since the last ANALYZE, and up to it.
    written_since: AtomicU64,
    written_before: AtomicU64,
}

pub(crate) fn db_error(e: tokio_postgres::Error) -> Error {
    if e.is_closed() || e.as_db_error().is_none() && e.code().is_none() {
        Error::unavailable(format!("postgres is unreachable: {e}"))
    } else if let Some(db) = e
        .as_db_error()
        .filter(|db| *db.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
    {
        // Writes check unique values before they write them, so a violation here means a
        // concurrent request took the value between the check and the write: a 409 the
        // client can retry, never a 500.
        Error::concurrent_unique_conflict(db.constraint().unwrap_or("unique"))
    } else if e.code() == Some(&tokio_postgres::error::SqlState::T_R_DEADLOCK_DETECTED) {
        // Two requests locked the same rows in opposite orders (a record relinked while its
        // accounts were merged, say); PostgreSQL ended this one. Retrying it succeeds.
        Error::Conflict {
            code: orgstore_core::error::Code::ConcurrentUpdate,
            message: "a concurrent request changed the same records; retry".into(),
            field: None,
            value: None,
            existing_id: None,
        }
    } else {
        Error::internal(format!("postgres: {e}"))
    }
}

/// Prepared statements kept per connection before its cache starts over.
const STATEMENT_CACHE: usize = 512;

/// Bulk-written accounts before the first re-analyze.
const ANALYZE_AFTER_ROWS: u64 = 5_000;

/// The tables whose statistics the account routes' plans depend on.
const ANALYZE_TABLES: &str = "ANALYZE accounts, account_domains, account_external_refs, \
     account_owners, account_tags, tags";

fn pool_error(e: deadpool_postgres::PoolError) -> Error {
    Error::unavailable(format!("no PostgreSQL connection available: {e}"))
}

impl PostgresStore {
    /// Connects to `url` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| Error::internal(format!("invalid PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| Error::internal(format!("cannot build the PostgreSQL pool: {e}")))?;
        let store = PostgresStore {
            pool,
            statements: AtomicU64::new(0),
            written_since: AtomicU64::new(0),
            written_before: AtomicU64::new(0),
        };
        if store.migrate().await? > 0 {
            store.analyze().await?;
        }
        Ok(store)
    }

    /// Applies pending migrations; returns how many were applied.
    async fn migrate(&self) -> Result<usize> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])
            .await
            .map_err(db_error)?;
        let result = embedded::migrations::runner()
            .run_async(&mut **client)
            .await
            .map_err(|e| Error::internal(format!("postgres migration failed: {e}")));
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK_KEY])
            .await
            .map_err(db_error)?;
        result.map(|report| report.applied_migrations().len())
    }

    /// How many statements this store has run so far (every query and execute): tests
    /// compare it before and after a call to count the call's statements.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        let client = self.pool.get().await.map_err(pool_error)?;
        // Each connection caches its prepared statements; query shapes built from requests
        // (filters, sorts, list sizes) are many, so the cache is bounded: past the bound it
        // starts over (dropping a statement closes it on the server too).
        if client.statement_cache.size() > STATEMENT_CACHE {
            client.statement_cache.clear();
        }
        Ok(client)
    }

    /// Refreshes the planner's statistics of the account tables. A bulk load outgrows them
    /// faster than autovacuum's analyze follows, and a planner that takes a million-row
    /// workspace for a small one scans it where it should probe an index.
    async fn analyze(&self) -> Result<()> {
        let client = self.pool.get().await.map_err(pool_error)?;
        client.batch_execute(ANALYZE_TABLES).await.map_err(db_error)
    }

    /// As for SQLite: re-analyze once bulk creates have doubled what was there at the last
    /// ANALYZE (at least [`ANALYZE_AFTER_ROWS`] accounts), about log2(N) times for N accounts.
    async fn analyze_if_grown(&self, rows: u64) -> Result<()> {
        let since = self.written_since.fetch_add(rows, Ordering::AcqRel) + rows;
        let before = self.written_before.load(Ordering::Acquire);
        if since < before.max(ANALYZE_AFTER_ROWS) {
            return Ok(());
        }
        self.written_since.store(0, Ordering::Release);
        self.written_before.store(before + since, Ordering::Release);
        self.analyze().await
    }
}

/// Runs `$body` with `$tx` bound to a [`PgTx`] inside a transaction, committing on success.
/// A macro rather than a closure-taking function: the body borrows the transaction across
/// awaits, which closures returning futures cannot express without boxing.
macro_rules! in_transaction {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let mut client = $store.client().await?;
        let transaction = client.transaction().await.map_err(db_error)?;
        let result = {
            let mut $tx = PgTx::new(&transaction, &$store.statements);
            $body.await
        };
        if result.is_ok() {
            transaction.commit().await.map_err(db_error)?;
        }
        result
    }};
}

/// Runs `$body` with `$tx` bound to a [`PgTx`] on a pooled connection, outside a transaction.
macro_rules! on_connection {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let client = $store.client().await?;
        let mut $tx = PgTx::new(&client, &$store.statements);
        $body.await
    }};
}

// Contacts, opportunities and cases; declared after the macros above, which it uses.
mod related;

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<()> {
        on_connection!(self, |tx| workspaces::count(&mut tx)).map(|_| ())
    }

    async fn create_workspace(&self, slug: &str, name: &str) -> Result<(Workspace, User)> {
        in_transaction!(self, |tx| workspaces::create(&mut tx, slug, name))
    }

    async fn workspace_by_slug(&self, slug: &str) -> Result<Option<Workspace>> {
        on_connection!(self, |tx| workspaces::by_slug(&mut tx, slug))
    }

    async fn count_workspaces(&self) -> Result<i64> {
        on_connection!(self, |tx| workspaces::count(&mut tx))
    }

    async fn owner_user(&self, workspace_id: &str) -> Result<User> {
        on_connection!(self, |tx| workspaces::owner_user(&mut tx, workspace_id))
    }

    async fn insert_token(&self, token: &TokenRecord) -> Result<()> {
        on_connection!(self, |tx| workspaces::insert_token(&mut tx, token))
    }

    async fn principal_for_token(&self, token_hash: &str) -> Result<Option<Principal>> {
        on_connection!(self, |tx| workspaces::principal(&mut tx, token_hash))
    }

    async fn insert_account(
        &self,
        workspace_id: &str,
        actor: &str,
        data: AccountData,
    ) -> Result<Account> {
        in_transaction!(self, |tx| accounts::insert(
            &mut tx,
            workspace_id,
            actor,
            &data
        ))
    }

    async fn get_account(&self, workspace_id: &str, id: &str) -> Result<Option<Account>> {
        on_connection!(self, |tx| accounts::get(&mut tx, workspace_id, id))
    }

    async fn update_account(
        &self,
        workspace_id: &str,
        id: &str,
        expected_version: i64,
        actor: &str,
        data: AccountData,
    ) -> Result<Guarded<Account>> {
        in_transaction!(self, |tx| accounts::update(
            &mut tx,
            workspace_id,
            id,
            expected_version,
            actor,
            &data
        ))
    }

    async fn modify_account(
        &self,
        workspace_id: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: AccountChange,
    ) -> Result<Guarded<Account>> {
        in_transaction!(self, |tx| accounts::modify(
            &mut tx,
            workspace_id,
            id,
            expected_version,
            actor,
            change
        ))
    }

    async fn delete_account(
        &self,
        workspace_id: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>> {
        in_transaction!(self, |tx| accounts::delete(
            &mut tx,
            workspace_id,
            id,
            expected_version
        ))
    }

    async fn find_accounts(
        &self,
        workspace_id: &str,
        keys: &MatchKeys,
        include_archived: bool,
    ) -> Result<Vec<String>> {
        on_connection!(self, |tx| lifecycle::find(
            &mut tx,
            workspace_id,
            keys,
            include_archived
        ))
    }

    async fn set_archived(
        &self,
        workspace_id: &str,
        id: &str,
        archived: bool,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Guarded<Account>> {
        in_transaction!(self, |tx| lifecycle::set_archived(
            &mut tx,
            workspace_id,
            id,
            archived,
            expected_version,
            actor
        ))
    }

    async fn merge_accounts(
        &self,
        workspace_id: &str,
        primary: &str,
        secondary: &str,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Guarded<Account>> {
        in_transaction!(self, |tx| lifecycle::merge(
            &mut tx,
            workspace_id,
            primary,
            secondary,
            expected_version,
            actor
        ))
    }

    async fn query_accounts(
        &self,
        workspace_id: &str,
        query: &AccountQuery,
    ) -> Result<Vec<Account>> {
        on_connection!(self, |tx| query::run(&mut tx, workspace_id, query))
    }

    async fn count_accounts(&self, workspace_id: &str, query: &AccountQuery) -> Result<u64> {
        on_connection!(self, |tx| query::count(&mut tx, workspace_id, query))
    }

    async fn bulk_write(
        &self,
        workspace_id: &str,
        actor: &str,
        plan: BulkPlan,
    ) -> Result<BulkWritten> {
        let rows = plan.groups.len() as u64;
        let written = in_transaction!(self, |tx| bulk::write(&mut tx, workspace_id, actor, &plan))?;
        self.analyze_if_grown(rows).await?;
        Ok(written)
    }

    async fn idempotency_claim(
        &self,
        workspace_id: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotencyClaim> {
        in_transaction!(self, |tx| idempotency::claim(
            &mut tx,
            workspace_id,
            key,
            fingerprint
        ))
    }

    async fn idempotency_complete(
        &self,
        workspace_id: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<()> {
        on_connection!(self, |tx| idempotency::complete(
            &mut tx,
            workspace_id,
            key,
            response
        ))
    }

    async fn idempotency_release(&self, workspace_id: &str, key: &str) -> Result<()> {
        on_connection!(self, |tx| idempotency::release(&mut tx, workspace_id, key))
    }
}

// Users, stages and tags; declared after the transaction macros, which it uses.
mod directory;
// Custom field definitions (after the transaction macros, which it uses).
mod schema;
