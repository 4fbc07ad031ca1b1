//! The `Store` port: everything the service layer needs from a database. The store crate
//! implements it for SQLite and PostgreSQL; both pass the same test suite.
//!
//! Every method that touches workspace data takes the workspace id and scopes every statement
//! by it, so that another workspace's ids are simply not found.

use async_trait::async_trait;

use crate::auth::Principal;
use crate::bulk::{BulkPlan, BulkWritten};
use crate::error::Result;
use crate::idempotency::{IdempotencyClaim, StoredResponse};
use crate::model::{Account, AccountData, TokenRecord, User, Workspace};
use crate::query::AccountQuery;

// Users, stages and tags.
pub mod directory;
pub use directory::{DirectoryPage, DirectoryStore};
// Contacts, opportunities and cases.
pub mod related;
pub use related::{Change, RelatedStore};
// Custom field definitions.
pub mod schema;
pub use schema::SchemaStore;

/// The result of a write guarded by an expected version.
#[derive(Debug, Clone, PartialEq)]
pub enum Guarded<T> {
    Done(T),
    NotFound,
    /// The row exists but is at another version.
    Stale {
        current_version: i64,
    },
}

/// Computes an account's next state from its current one, inside the write's transaction.
pub type AccountChange = Box<dyn FnOnce(&Account) -> Result<AccountData> + Send>;

/// Keys that identify accounts: ids, normalized domains and external refs. An account matches
/// when it has any of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchKeys {
    pub ids: Vec<String>,
    pub domains: Vec<String>,
    pub external_refs: Vec<String>,
}

impl MatchKeys {
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.domains.is_empty() && self.external_refs.is_empty()
    }
}

#[async_trait]
pub trait Store: DirectoryStore + RelatedStore + SchemaStore + Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Succeeds when the database answers a trivial query.
    async fn ping(&self) -> Result<()>;

    /// Creates a workspace with its default stages and its owner user, in one transaction.
    /// A slug already taken is a `Conflict`.
    async fn create_workspace(&self, slug: &str, name: &str) -> Result<(Workspace, User)>;

    async fn workspace_by_slug(&self, slug: &str) -> Result<Option<Workspace>>;

    async fn count_workspaces(&self) -> Result<i64>;

    /// The first user of the workspace: the owner created with it.
    async fn owner_user(&self, workspace_id: &str) -> Result<User>;

    async fn insert_token(&self, token: &TokenRecord) -> Result<()>;

    /// The caller a token hash belongs to, if any.
    async fn principal_for_token(&self, token_hash: &str) -> Result<Option<Principal>>;

    /// Inserts a new account with its domains, owners, tags and external refs in one
    /// transaction. Unknown stages, owners or tag ids are a `BadRequest` naming them; a domain
    /// or external ref held by another live account is a `Conflict` naming the holder.
    async fn insert_account(
        &self,
        workspace_id: &str,
        actor: &str,
        data: AccountData,
    ) -> Result<Account>;

    async fn get_account(&self, workspace_id: &str, id: &str) -> Result<Option<Account>>;

    /// Replaces every writable field of the account if it is still at `expected_version`,
    /// bumping the version, with the same checks as [`Store::insert_account`].
    async fn update_account(
        &self,
        workspace_id: &str,
        id: &str,
        expected_version: i64,
        actor: &str,
        data: AccountData,
    ) -> Result<Guarded<Account>>;

    /// Reads the account inside a write transaction, locked against other writers, applies
    /// `change` and writes the result: a read-modify-write that concurrent writers cannot
    /// interleave. With `expected_version`, a row at another version is `Stale`.
    async fn modify_account(
        &self,
        workspace_id: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: AccountChange,
    ) -> Result<Guarded<Account>>;

    /// Deletes the account permanently, if it is at `expected_version` when one is given.
    /// Its contacts, opportunities and cases stay, unlinked, in the same transaction.
    async fn delete_account(
        &self,
        workspace_id: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>>;

    /// The ids of the accounts matching any of the keys, sorted; archived accounts only when
    /// `include_archived`.
    async fn find_accounts(
        &self,
        workspace_id: &str,
        keys: &MatchKeys,
        include_archived: bool,
    ) -> Result<Vec<String>>;

    /// Archives (hiding the account and freeing its domains and external refs) or restores
    /// it (claiming them again: a `Conflict` naming the live holder when one was taken).
    async fn set_archived(
        &self,
        workspace_id: &str,
        id: &str,
        archived: bool,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Guarded<Account>>;

    /// Merges `secondary` into `primary` in one transaction (see
    /// [`crate::model::merge_into`]) and deletes `secondary`. `NotFound` is the primary's; a
    /// missing secondary is an error naming it. The secondary's contacts, opportunities and
    /// cases move to the primary.
    async fn merge_accounts(
        &self,
        workspace_id: &str,
        primary: &str,
        secondary: &str,
        expected_version: Option<i64>,
        actor: &str,
    ) -> Result<Guarded<Account>>;

    /// The accounts matching a query, read as [`AccountQuery::scan`] says (in the query's order
    /// or its reverse, from a position or an offset, at most `fetch` of them), in one
    /// statement.
    async fn query_accounts(
        &self,
        workspace_id: &str,
        query: &AccountQuery,
    ) -> Result<Vec<Account>>;

    /// How many accounts match a query's filter, search and archive flag, counted in one
    /// statement.
    async fn count_accounts(&self, workspace_id: &str, query: &AccountQuery) -> Result<u64>;

    /// Writes a bulk plan in one transaction, with batched statements.
    async fn bulk_write(
        &self,
        workspace_id: &str,
        actor: &str,
        plan: BulkPlan,
    ) -> Result<BulkWritten>;

    /// Claims an idempotency key for a request with this fingerprint, or reports what holds
    /// it. Keys older than [`crate::idempotency::KEY_TTL_MS`] count as free.
    async fn idempotency_claim(
        &self,
        workspace_id: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotencyClaim>;

    /// Records the response of a claimed key.
    async fn idempotency_complete(
        &self,
        workspace_id: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<()>;

    /// Frees a claimed key whose request failed in a way worth retrying.
    async fn idempotency_release(&self, workspace_id: &str, key: &str) -> Result<()>;
}
