//! The embedded store: SQLite through rusqlite, in WAL mode, with one writer connection and a
//! small pool of read-only connections.
//!
//! Reads run on the calling task: a point read is a few microseconds against a warm page cache,
//! far less than the hop to a blocking thread (which halved get-by-id throughput when
//! measured). Writes run on tokio's blocking pool, since they may wait for the writer lock.

// Users, stages and tags.
mod directory;
// Contacts, opportunities and cases.
mod related;
mod tx;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::FutureExt;
use orgstore_core::auth::Principal;
use orgstore_core::bulk::{BulkPlan, BulkWritten};
use orgstore_core::idempotency::{IdempotencyClaim, StoredResponse};
use orgstore_core::model::{Account, AccountData, TokenRecord, User, Workspace};
use orgstore_core::query::AccountQuery;
use orgstore_core::store::{AccountChange, Guarded, MatchKeys, Store};
use orgstore_core::{Error, Result};
use rusqlite::Connection;

use crate::sql::{accounts, bulk, idempotency, lifecycle, query, workspaces};
use tx::SqliteTx;

mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
}

/// Read connections kept open; more are opened on demand and dropped when the pool is full.
const READ_POOL_SIZE: usize = 8;

/// The writer keeps a large page cache (64 MB: bulk inserts are bound by writes of randomly
/// placed index pages, and a cache that holds the hot index pages turns most of them into
/// memory writes; 128 MB gained little and put the server's peak RSS over 512 MB). Checkpoints run every 10,000 pages (40 MB of WAL) instead of every 1,000, so a
/// bulk load rewrites each hot page into the database file less often. No mmap: the writer
/// reads through its own cache.
const WRITER_PRAGMAS: &str = "PRAGMA cache_size = -65536;
     PRAGMA mmap_size = 0;
     PRAGMA wal_autocheckpoint = 10000;";

/// Readers map the first 128 MB of the file (pages come from the OS page cache without a
/// copy; mapped pages count in the server's RSS, hence the bound) and keep only a small
/// private cache: eight connections with a 64 MB cache each would hold the same pages eight
/// times.
const READER_PRAGMAS: &str = "PRAGMA cache_size = -4096;
     PRAGMA mmap_size = 134217728;";

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

pub struct SqliteStore {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    /// Statements run through [`SqliteTx`], for tests that count a route's statements.
    statements: Arc<AtomicU64>,
    /// Idle read connections, each with the statistics generation it was opened under.
    readers: Mutex<Vec<(Connection, u64)>>,
    stats: Arc<Statistics>,
}

/// When the planner's statistics were last refreshed. Without them SQLite guesses that
/// `workspace_id = $1` is selective and drives a search by scanning the whole workspace
/// instead of by the text index's matches (17 ms instead of 1 ms at 100,000 accounts).
#[derive(Default)]
struct Statistics {
    /// Bumped by every ANALYZE; a read connection from an older generation is reopened,
    /// since a connection loads the statistics only when it opens.
    generation: AtomicU64,
    /// Accounts written by bulk creates since the last ANALYZE.
    written_since: AtomicU64,
    /// Accounts bulk-written up to the last ANALYZE (re-analyze when this doubles).
    written_before: AtomicU64,
}

/// Rows sampled per index by ANALYZE: a few milliseconds even at a million accounts, and
/// enough to tell a selective key from an unselective one.
const ANALYSIS_LIMIT: u32 = 400;

/// Bulk-written accounts before the first re-analyze.
const ANALYZE_AFTER_ROWS: u64 = 5_000;

fn has_statistics(conn: &Connection) -> Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'",
        [],
        |row| row.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .map_err(db_error)
}

/// Refreshes the planner's statistics (sampled) on the writer connection.
fn analyze(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA analysis_limit = {ANALYSIS_LIMIT}; ANALYZE;"
    ))
    .map_err(db_error)?;
    // Cached statements keep the plans made under the old statistics.
    conn.flush_prepared_statement_cache();
    Ok(())
}

fn db_error(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            Error::unavailable(format!("the database is busy: {e}"))
        }
        // The single writer makes check-then-write atomic, so this is a defect guard: a unique
        // index refusing a write is still a conflict for the client, not a fault.
        Some(rusqlite::ErrorCode::ConstraintViolation)
            if matches!(
                e,
                rusqlite::Error::SqliteFailure(ref f, _)
                    if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ) =>
        {
            Error::concurrent_unique_conflict("unique")
        }
        _ => Error::internal(format!("sqlite: {e}")),
    }
}

fn open_connection(path: &PathBuf, read_only: bool) -> Result<Connection> {
    let conn = Connection::open(path).map_err(db_error)?;
    // WAL lets readers run beside the writer; NORMAL is durable across application crashes
    // and loses at most the last transactions on power loss, the usual WAL trade-off.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA busy_timeout = 5000;
         PRAGMA temp_store = MEMORY;",
    )
    .map_err(db_error)?;
    conn.execute_batch(if read_only {
        READER_PRAGMAS
    } else {
        WRITER_PRAGMAS
    })
    .map_err(db_error)?;
    // The default of 16 statements is smaller than the set of hot statements (account read,
    // list and query variants, bulk sizes), which then evict each other and are re-prepared.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    if read_only {
        conn.execute_batch("PRAGMA query_only = ON;")
            .map_err(db_error)?;
    }
    Ok(conn)
}

/// Runs a future that never suspends (every SQLite future) to completion, here and now.
fn run_now<T>(future: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    future
        .now_or_never()
        .unwrap_or_else(|| Err(Error::internal("a SQLite operation suspended")))
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut writer = open_connection(&path, false)?;
        embedded::migrations::runner()
            .run(&mut writer)
            .map_err(|e| Error::internal(format!("sqlite migration failed: {e}")))?;
        // A store without statistics (new, or from before they were kept) gets them now;
        // later ones come after bulk creates. Not on every open: start-up stays fast.
        if !has_statistics(&writer)? {
            analyze(&writer)?;
        }
        Ok(SqliteStore {
            path,
            writer: Arc::new(Mutex::new(writer)),
            readers: Mutex::new(Vec::new()),
            statements: Arc::new(AtomicU64::new(0)),
            stats: Arc::default(),
        })
    }

    /// How many statements this store has run so far (every query and execute, reads and
    /// writes): tests compare it before and after a call to count the call's statements.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Runs a read on a pooled read-only connection, on the calling thread.
    fn read<T>(&self, f: impl FnOnce(&mut SqliteTx<'_>) -> Result<T>) -> Result<T> {
        let generation = self.stats.generation.load(Ordering::Acquire);
        let pooled = self.readers.lock().ok().and_then(|mut pool| pool.pop());
        let mut conn = match pooled {
            Some((conn, opened)) if opened == generation => conn,
            _ => open_connection(&self.path, true)?,
        };
        let result = f(&mut SqliteTx::new(&mut conn, &self.statements));
        if let Ok(mut pool) = self.readers.lock()
            && pool.len() < READ_POOL_SIZE
        {
            pool.push((conn, generation));
        }
        result
    }

    /// Re-analyzes once bulk creates have written as many accounts as there were at the last
    /// ANALYZE (and at least [`ANALYZE_AFTER_ROWS`]): a load of N accounts analyzes about
    /// log2(N) times, each a few milliseconds.
    async fn analyze_if_grown(&self, rows: u64) -> Result<()> {
        let stats = &self.stats;
        let since = stats.written_since.fetch_add(rows, Ordering::AcqRel) + rows;
        let before = stats.written_before.load(Ordering::Acquire);
        if since < before.max(ANALYZE_AFTER_ROWS) {
            return Ok(());
        }
        stats.written_since.store(0, Ordering::Release);
        stats
            .written_before
            .store(before + since, Ordering::Release);
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            let conn = writer
                .lock()
                .map_err(|_| Error::internal("the SQLite writer lock is poisoned"))?;
            analyze(&conn)
        })
        .await
        .map_err(|e| Error::internal(format!("a SQLite analyze task failed: {e}")))??;
        stats.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Runs a write in one `BEGIN IMMEDIATE` transaction on the writer connection, on the
    /// blocking pool; an error rolls everything back.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteTx<'_>) -> Result<T> + Send + 'static,
    {
        let writer = Arc::clone(&self.writer);
        let statements = Arc::clone(&self.statements);
        tokio::task::spawn_blocking(move || {
            let mut conn = writer
                .lock()
                .map_err(|_| Error::internal("the SQLite writer lock is poisoned"))?;
            conn.execute_batch("BEGIN IMMEDIATE").map_err(db_error)?;
            let result = f(&mut SqliteTx::new(&mut conn, &statements));
            let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
            conn.execute_batch(end).map_err(db_error)?;
            result
        })
        .await
        .map_err(|e| Error::internal(format!("a SQLite write task failed: {e}")))?
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        self.read(|tx| run_now(workspaces::count(tx)).map(|_| ()))
    }

    async fn create_workspace(&self, slug: &str, name: &str) -> Result<(Workspace, User)> {
        let (slug, name) = (slug.to_string(), name.to_string());
        self.write(move |tx| run_now(workspaces::create(tx, &slug, &name)))
            .await
    }

    async fn workspace_by_slug(&self, slug: &str) -> Result<Option<Workspace>> {
        self.read(|tx| run_now(workspaces::by_slug(tx, slug)))
    }

    async fn count_workspaces(&self) -> Result<i64> {
        self.read(|tx| run_now(workspaces::count(tx)))
    }

    async fn owner_user(&self, workspace_id: &str) -> Result<User> {
        self.read(|tx| run_now(workspaces::owner_user(tx, workspace_id)))
    }

    async fn insert_token(&self, token: &TokenRecord) -> Result<()> {
        let token = token.clone();
        self.write(move |tx| run_now(workspaces::insert_token(tx, &token)))
            .await
    }

    async fn principal_for_token(&self, token_hash: &str) -> Result<Option<Principal>> {
        self.read(|tx| run_now(workspaces::principal(tx, token_hash)))
    }

    async fn insert_account(
        &self,
        workspace_id: &str,
        actor: &str,
        data: AccountData,
    ) -> Result<Account> {
        let (ws, actor) = (workspace_id.to_string(), actor.to_string());
        self.write(move |tx| run_now(accounts::insert(tx, &ws, &actor, &data)))
            .await
    }

    async fn get_account(&self, workspace_id: &str, id: &str) -> Result<Option<Account>> {
        self.read(|tx| run_now(accounts::get(tx, workspace_id, id)))
    }

    async fn update_account(
        &self,
        workspace_id: &str,
        id: &str,
        expected_version: i64,
        actor: &str,
        data: AccountData,
    ) -> Result<Guarded<Account>> {
        let (ws, id, actor) = (workspace_id.to_string(), id.to_string(), actor.to_string());
        self.write(move |tx| {
            run_now(accounts::update(
                tx,
                &ws,
                &id,
                expected_version,
                &actor,
                &data,
            ))
        })
        .await
    }

    async fn modify_account(
        &self,
        workspace_id: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: AccountChange,
    ) -> Result<Guarded<Account>> {
        let (ws, id, actor) = (workspace_id.to_string(), id.to_string(), actor.to_string());
        self.write(move |tx| {
            run_now(accounts::modify(
                tx,
                &ws,
                &id,
                expected_version,
                &actor,
                change,
            ))
        })
        .await
    }

    async fn delete_account(
        &self,
        workspace_id: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>> {
        let (ws, id) = (workspace_id.to_string(), id.to_string());
        self.write(move |tx| run_now(accounts::delete(tx, &ws, &id, expected_version)))
            .await
    }

    async fn find_accounts(
        &self,
        workspace_id: &str,
        keys: &MatchKeys,
        include_archived: bool,
    ) -> Result<Vec<String>> {
        self.read(|tx| run_now(lifecycle::find(tx, workspace_id, keys, include_archived)))
    }

    async fn set_archived(
        &self,
        workspace_id: &str,
        id: &str,
        archived: bool,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Guarded<Account>> {
        let (ws, id, actor) = (workspace_id.to_string(), id.to_string(), actor.to_string());
        self.write(move |tx| {
            run_now(lifecycle::set_archived(
                tx,
                &ws,
                &id,
                archived,
                expected_version,
                &actor,
            ))
        })
        .await
    }

    async fn merge_accounts(
        &self,
        workspace_id: &str,
        primary: &str,
        secondary: &str,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Guarded<Account>> {
        let ws = workspace_id.to_string();
        let (primary, secondary, actor) = (
            primary.to_string(),
            secondary.to_string(),
            actor.to_string(),
        );
        self.write(move |tx| {
            run_now(lifecycle::merge(
                tx,
                &ws,
                &primary,
                &secondary,
                expected_version,
                &actor,
            ))
        })
        .await
    }

    async fn query_accounts(
        &self,
        workspace_id: &str,
        query: &AccountQuery,
    ) -> Result<Vec<Account>> {
        self.read(|tx| run_now(query::run(tx, workspace_id, query)))
    }

    async fn count_accounts(&self, workspace_id: &str, query: &AccountQuery) -> Result<u64> {
        self.read(|tx| run_now(query::count(tx, workspace_id, query)))
    }

    async fn bulk_write(
        &self,
        workspace_id: &str,
        actor: &str,
        plan: BulkPlan,
    ) -> Result<BulkWritten> {
        let (ws, actor) = (workspace_id.to_string(), actor.to_string());
        let rows = plan.groups.len() as u64;
        let written = self
            .write(move |tx| run_now(bulk::write(tx, &ws, &actor, &plan)))
            .await?;
        self.analyze_if_grown(rows).await?;
        Ok(written)
    }

    async fn idempotency_claim(
        &self,
        workspace_id: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotencyClaim> {
        let (ws, key, fingerprint) = (
            workspace_id.to_string(),
            key.to_string(),
            fingerprint.to_string(),
        );
        self.write(move |tx| run_now(idempotency::claim(tx, &ws, &key, &fingerprint)))
            .await
    }

    async fn idempotency_complete(
        &self,
        workspace_id: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<()> {
        let (ws, key, response) = (workspace_id.to_string(), key.to_string(), response.clone());
        self.write(move |tx| run_now(idempotency::complete(tx, &ws, &key, &response)))
            .await
    }

    async fn idempotency_release(&self, workspace_id: &str, key: &str) -> Result<()> {
        let (ws, key) = (workspace_id.to_string(), key.to_string());
        self.write(move |tx| run_now(idempotency::release(tx, &ws, &key)))
            .await
    }
}

// Custom field definitions.
mod schema;
