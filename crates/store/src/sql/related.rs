//! Statements shared by contacts, opportunities and cases: each kind is a table with the same
//! system columns and its own data columns, described by a [`Kind`]. Also the account-side
//! operations that keep their links right when an account is deleted or merged.

use std::future::Future;

use orgstore_core::related::RelatedListQuery;
use orgstore_core::store::{Change, Guarded};
use orgstore_core::time::now_ms;
use orgstore_core::{Error, Result, ids};

use super::{Dialect, Param, Row, SqlBuilder, Tx};

/// The tables that may point at an account.
const LINKED_TABLES: [&str; 3] = ["contacts", "opportunities", "cases"];

/// The system columns every kind starts its reads with, in [`decode`](Kind::decode) order.
const SYSTEM_COLUMNS: &str =
    "r.id, r.workspace_id, r.created_at, r.updated_at, r.created_by, r.modified_by, r.version";

/// One kind of related record.
pub(crate) trait Kind {
    type Record: Send;
    type Data: Send + Sync;
    const TABLE: &'static str;
    const PREFIX: &'static str;
    const RESOURCE: &'static str;
    /// The data columns, written in [`Kind::params`] order and read after the system ones.
    const COLUMNS: &'static [&'static str];

    fn params(data: &Self::Data) -> Result<Vec<Param<'_>>>;
    /// Decodes a row of [`SYSTEM_COLUMNS`] then [`Kind::COLUMNS`].
    fn decode<R: Row>(row: R) -> Result<Self::Record>;
    fn account_id(data: &Self::Data) -> Option<&str>;
    fn linked_account(record: &Self::Record) -> Option<&str>;
    fn version(record: &Self::Record) -> i64;

    /// Rewrites the record's child rows (and checks what only this kind has), in the write's
    /// transaction; `None` when the record is being deleted.
    fn write_children<T: Tx>(
        _tx: &mut T,
        _ws: &str,
        _id: &str,
        _data: Option<&Self::Data>,
    ) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }
}

fn select<K: Kind>() -> String {
    let columns: Vec<String> = K::COLUMNS.iter().map(|c| format!("r.{c}")).collect();
    format!(
        "SELECT {SYSTEM_COLUMNS}, {} FROM {} r WHERE r.workspace_id = $1",
        columns.join(", "),
        K::TABLE
    )
}

pub(crate) async fn get<K: Kind, T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
) -> Result<Option<K::Record>> {
    let sql = format!("{} AND r.id = $2", select::<K>());
    let rows = tx.query(&sql, &[ws.into(), id.into()]).await?;
    rows.into_iter().next().map(K::decode).transpose()
}

/// The account a write links the record to must be one of the workspace's: a 400 naming
/// `account_id` otherwise. Its last activity becomes now. The update holds the account's row
/// lock until commit on PostgreSQL, so that a concurrent delete of the account waits and then
/// unlinks this record too.
pub(crate) async fn link_account<T: Tx>(
    tx: &mut T,
    ws: &str,
    account_id: Option<&str>,
) -> Result<()> {
    let Some(account_id) = account_id else {
        return Ok(());
    };
    if touch_accounts(tx, ws, &[account_id]).await?.is_empty() {
        return Err(Error::invalid_value(
            "account_id",
            account_id,
            format!("{account_id} is not an account of this workspace"),
        ));
    }
    Ok(())
}

/// Sets the last activity of the accounts to now (never earlier than it was), without a new
/// version or `updated_at`: a record linked to them was created, changed, linked or
/// unlinked. Returns the ids of the accounts that exist.
pub(crate) async fn touch_accounts<T: Tx>(
    tx: &mut T,
    ws: &str,
    account_ids: &[&str],
) -> Result<Vec<String>> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = SqlBuilder::new(format!(
        "UPDATE accounts SET {} WHERE workspace_id = $2 AND id IN (",
        tx.dialect().bump_activity("$1")
    ));
    q.params.extend([Param::Int(now_ms()), ws.into()]);
    q.in_list(account_ids.iter().copied());
    q.push(") RETURNING id");
    let mut touched = Vec::with_capacity(account_ids.len());
    for mut row in tx.query(&q.sql, &q.params).await? {
        touched.push(row.text(0)?);
    }
    Ok(touched)
}

pub(crate) async fn account_exists<T: Tx>(tx: &mut T, ws: &str, account_id: &str) -> Result<bool> {
    let lock = match tx.dialect() {
        Dialect::Postgres => " FOR SHARE",
        Dialect::Sqlite => "",
    };
    let sql = format!("SELECT 1 FROM accounts WHERE workspace_id = $1 AND id = $2{lock}");
    Ok(!tx
        .query(&sql, &[ws.into(), account_id.into()])
        .await?
        .is_empty())
}

pub(crate) async fn insert<K: Kind, T: Tx>(
    tx: &mut T,
    ws: &str,
    actor: &str,
    data: &K::Data,
) -> Result<K::Record> {
    link_account(tx, ws, K::account_id(data)).await?;
    let id = ids::new_id(K::PREFIX);
    let now = now_ms();
    let mut q = SqlBuilder::new(format!(
        "INSERT INTO {} (workspace_id, id, {}, created_at, updated_at, created_by, modified_by, version) VALUES (",
        K::TABLE,
        K::COLUMNS.join(", ")
    ));
    q.bind(ws).push(", ").bind(id.as_str());
    for p in K::params(data)? {
        q.push(", ").bind(p);
    }
    q.push(", ").bind(now).push(", ").bind(now);
    q.push(", ").bind(actor).push(", ").bind(actor).push(", 1)");
    tx.execute(&q.sql, &q.params).await?;
    K::write_children(tx, ws, &id, Some(data)).await?;
    reread::<K, T>(tx, ws, &id).await
}

async fn reread<K: Kind, T: Tx>(tx: &mut T, ws: &str, id: &str) -> Result<K::Record> {
    get::<K, T>(tx, ws, id)
        .await?
        .ok_or_else(|| Error::internal(format!("the written {} vanished", K::RESOURCE)))
}

/// Reads, changes and writes the record in the caller's write transaction, with the row locked
/// on PostgreSQL (SQLite's write transaction already excludes other writers).
pub(crate) async fn modify<K: Kind, T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    expected_version: Option<i64>,
    actor: &str,
    change: Change<K::Record, K::Data>,
) -> Result<Guarded<K::Record>> {
    if tx.dialect() == Dialect::Postgres {
        // The linked account first, then the record: the order of an account delete, which
        // locks the account and then waits for its records' locks to unlink them. Locking
        // the account after the record could deadlock with it.
        let sql = format!(
            "SELECT 1 FROM accounts WHERE workspace_id = $1 AND id = \
             (SELECT r.account_id FROM {} r WHERE r.workspace_id = $1 AND r.id = $2) \
             FOR NO KEY UPDATE",
            K::TABLE
        );
        tx.query(&sql, &[ws.into(), id.into()]).await?;
        let sql = format!(
            "SELECT 1 FROM {} WHERE workspace_id = $1 AND id = $2 FOR UPDATE",
            K::TABLE
        );
        tx.query(&sql, &[ws.into(), id.into()]).await?;
    }
    let Some(current) = get::<K, T>(tx, ws, id).await? else {
        return Ok(Guarded::NotFound);
    };
    let current_version = K::version(&current);
    if expected_version.is_some_and(|v| v != current_version) {
        return Ok(Guarded::Stale { current_version });
    }
    let data = change(&current)?;
    // A new link is checked (and locked: an account delete waiting for it cannot wait for
    // this record, which is not linked to it yet); the account the record leaves or stays
    // with gets the same new last activity.
    let (linked, next) = (K::linked_account(&current), K::account_id(&data));
    if next != linked {
        link_account(tx, ws, next).await?;
    }
    touch_accounts(tx, ws, linked.as_slice()).await?;
    let mut q = SqlBuilder::new(format!("UPDATE {} SET ", K::TABLE));
    for (column, p) in K::COLUMNS.iter().zip(K::params(&data)?) {
        q.push(column).push(" = ").bind(p).push(", ");
    }
    q.push("updated_at = ").bind(now_ms());
    q.push(", modified_by = ").bind(actor);
    q.push(", version = version + 1 WHERE workspace_id = ")
        .bind(ws);
    q.push(" AND id = ").bind(id);
    tx.execute(&q.sql, &q.params).await?;
    K::write_children(tx, ws, id, Some(&data)).await?;
    Ok(Guarded::Done(reread::<K, T>(tx, ws, id).await?))
}

pub(crate) async fn delete<K: Kind, T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    expected_version: Option<i64>,
) -> Result<Guarded<()>> {
    let sql = format!(
        "SELECT version FROM {} WHERE workspace_id = $1 AND id = $2",
        K::TABLE
    );
    let Some(mut row) = tx.query(&sql, &[ws.into(), id.into()]).await?.pop() else {
        return Ok(Guarded::NotFound);
    };
    let current_version = row.int(0)?;
    if expected_version.is_some_and(|v| v != current_version) {
        return Ok(Guarded::Stale { current_version });
    }
    K::write_children(tx, ws, id, None).await?;
    let sql = format!(
        "DELETE FROM {} WHERE workspace_id = $1 AND id = $2",
        K::TABLE
    );
    tx.execute(&sql, &[ws.into(), id.into()]).await?;
    Ok(Guarded::Done(()))
}

/// Up to `limit + 1` records in id order after the cursor. Filters a kind does not have are
/// never set for it (see `orgstore_core::related`).
pub(crate) async fn list<K: Kind, T: Tx>(
    tx: &mut T,
    ws: &str,
    query: &RelatedListQuery,
) -> Result<Vec<K::Record>> {
    let mut q = SqlBuilder::new(select::<K>());
    q.params.push(ws.into());
    let f = &query.filter;
    if let Some(account_id) = &f.account_id {
        q.push(" AND r.account_id = ").bind(account_id);
    }
    if let Some(email) = &f.email {
        // An IN over the (workspace_id, email, contact_id) index: a lookup, not a scan of
        // the workspace's contacts.
        q.push(" AND r.id IN (SELECT e.contact_id FROM contact_emails e WHERE e.workspace_id = $1 AND e.email = ")
            .bind(email)
            .push(")");
    }
    if let Some(stage) = &f.stage {
        q.push(" AND r.stage = ").bind(stage);
    }
    if let Some(text) = &f.q {
        q.push(" AND r.search_text LIKE ")
            .bind(format!("%{}%", escape_like(text)))
            .push(" ESCAPE '\\'");
    }
    if let Some(status) = f.status {
        q.push(" AND r.status = ").bind(status);
    }
    if let Some(after) = f.updated_after {
        q.push(" AND r.updated_at > ").bind(after);
    }
    if let Some(after) = &query.after {
        q.push(" AND r.id > ").bind(after.as_str());
    }
    q.push(" ORDER BY r.id LIMIT ").bind(query.limit as i64 + 1);
    let rows = tx.query(&q.sql, &q.params).await?;
    rows.into_iter().map(K::decode).collect()
}

/// `%`, `_` and `\` match themselves in a substring search.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Leaves the account's contacts, opportunities and cases in place with no account. Run after
/// the account row is deleted, in the same transaction: on PostgreSQL the delete waits for
/// writes that hold the account (see [`link_account`]), so this statement sees their links.
pub(crate) async fn unlink_all<T: Tx>(tx: &mut T, ws: &str, account_id: &str) -> Result<()> {
    relink_all(tx, ws, account_id, None).await
}

/// Moves every record of `from` to the account `to` (a merge), or unlinks them (`None`).
pub(crate) async fn relink_all<T: Tx>(
    tx: &mut T,
    ws: &str,
    from: &str,
    to: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    for table in LINKED_TABLES {
        let sql = format!(
            "UPDATE {table} SET account_id = $1, updated_at = $2, version = version + 1 \
             WHERE workspace_id = $3 AND account_id = $4"
        );
        tx.execute(&sql, &[to.into(), now.into(), ws.into(), from.into()])
            .await?;
    }
    Ok(())
}
