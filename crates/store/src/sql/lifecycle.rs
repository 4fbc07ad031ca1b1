//! Matching, archive/restore and merge: account operations built on the statements of
//! [`super::accounts`].

use orgstore_core::model::{Account, merge_into};
use orgstore_core::store::{Guarded, MatchKeys};
use orgstore_core::time::now_ms;
use orgstore_core::{Error, Result};

use super::accounts::{self, Claim, UniqueKind, claim_unique};
use super::{Row, SqlBuilder, Tx};

/// The ids of the accounts holding any of the keys, sorted.
pub async fn find<T: Tx>(
    tx: &mut T,
    ws: &str,
    keys: &MatchKeys,
    include_archived: bool,
) -> Result<Vec<String>> {
    let mut q = SqlBuilder::new("");
    let sources = [
        ("accounts", "id", "id", &keys.ids),
        ("account_domains", "account_id", "domain", &keys.domains),
        (
            "account_external_refs",
            "account_id",
            "external_ref",
            &keys.external_refs,
        ),
    ];
    for (table, id_column, key_column, values) in sources {
        if values.is_empty() {
            continue;
        }
        if !q.sql.is_empty() {
            q.push(" UNION ");
        }
        q.push(&format!(
            "SELECT {id_column} FROM {table} WHERE workspace_id = "
        ));
        q.bind(ws).push(&format!(" AND {key_column} IN ("));
        q.in_list(values.iter()).push(")");
        if !include_archived {
            q.push(" AND archived_at IS NULL");
        }
    }
    if q.sql.is_empty() {
        return Ok(Vec::new());
    }
    q.push(" ORDER BY 1");
    let mut ids = Vec::new();
    for mut row in tx.query(&q.sql, &q.params).await? {
        ids.push(row.text(0)?);
    }
    Ok(ids)
}

/// Archives or restores an account. Archiving frees its domains and external refs; restoring
/// claims them again, which is a 409 naming the live account that took one meanwhile.
pub async fn set_archived<T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    archived: bool,
    expected_version: Option<i64>,
    actor: &str,
) -> Result<Guarded<Account>> {
    let Some(current) = accounts::get(tx, ws, id).await? else {
        return Ok(Guarded::NotFound);
    };
    if expected_version.is_some_and(|v| v != current.version) {
        return Ok(Guarded::Stale {
            current_version: current.version,
        });
    }
    if current.archived_at.is_some() == archived {
        return Ok(Guarded::Done(current));
    }
    let now = now_ms();
    let archived_at = archived.then_some(now);
    let sql = format!(
        "UPDATE accounts SET archived_at = $1, updated_at = $2, {}, modified_by = $3, \
         version = version + 1 WHERE workspace_id = $4 AND id = $5 AND version = $6",
        tx.dialect().bump_activity("$2")
    );
    let changed = tx
        .execute(
            &sql,
            &[
                archived_at.into(),
                now.into(),
                actor.into(),
                ws.into(),
                id.into(),
                current.version.into(),
            ],
        )
        .await?;
    if changed == 0 {
        return Ok(match accounts::current_version(tx, ws, id).await? {
            Some(current_version) => Guarded::Stale { current_version },
            None => Guarded::NotFound,
        });
    }
    for (kind, values) in [
        (UniqueKind::Domain, &current.domains),
        (UniqueKind::ExternalRef, &current.external_refs),
    ] {
        let sql = format!(
            "DELETE FROM {} WHERE workspace_id = $1 AND account_id = $2",
            kind.table()
        );
        tx.execute(&sql, &[ws.into(), id.into()]).await?;
        let claim = Claim {
            ws,
            id,
            kind,
            archived_at,
        };
        claim_unique(tx, claim, values).await?;
    }
    // Archiving frees the account's unique custom values; restoring claims them again.
    super::schema::release_values(tx, ws, id).await?;
    if !archived {
        let accounts = orgstore_core::schema::SchemaObject::Accounts;
        super::schema::claim_values(tx, ws, accounts, id, &current.custom_fields).await?;
    }
    let account = accounts::get(tx, ws, id)
        .await?
        .ok_or_else(|| Error::internal("archived account vanished"))?;
    Ok(Guarded::Done(account))
}

/// Merges `secondary` into `primary` and deletes `secondary`, in the caller's transaction.
pub async fn merge<T: Tx>(
    tx: &mut T,
    ws: &str,
    primary_id: &str,
    secondary_id: &str,
    expected_version: Option<i64>,
    actor: &str,
) -> Result<Guarded<Account>> {
    lock_accounts(tx, ws, primary_id, secondary_id).await?;
    let Some(primary) = accounts::get(tx, ws, primary_id).await? else {
        return Ok(Guarded::NotFound);
    };
    if expected_version.is_some_and(|v| v != primary.version) {
        return Ok(Guarded::Stale {
            current_version: primary.version,
        });
    }
    let secondary = accounts::get(tx, ws, secondary_id)
        .await?
        .ok_or_else(|| Error::NotFound {
            resource: "account",
            id: secondary_id.to_string(),
        })?;
    let merged = merge_into(&primary, &secondary)?;
    // The secondary's contacts, opportunities and cases move to the primary.
    super::related::relink_all(tx, ws, secondary_id, Some(primary_id)).await?;
    // The secondary goes first, so that its domains and refs are free for the primary.
    match accounts::delete(tx, ws, secondary_id, None).await? {
        Guarded::Done(()) => {}
        _ => return Err(Error::internal("the merged account vanished")),
    }
    accounts::update(tx, ws, primary_id, primary.version, actor, &merged).await
}

/// On PostgreSQL, locks both accounts first, in id order: writes linking records to either
/// (which share-lock the account before the record) wait for the merge instead of
/// deadlocking with it, and two merges of the same pair cannot lock in opposite orders.
async fn lock_accounts<T: Tx>(tx: &mut T, ws: &str, a: &str, b: &str) -> Result<()> {
    if tx.dialect() == super::Dialect::Postgres {
        tx.query(
            "SELECT 1 FROM accounts WHERE workspace_id = $1 AND id IN ($2, $3) ORDER BY id FOR UPDATE",
            &[ws.into(), a.into(), b.into()],
        )
        .await?;
    }
    Ok(())
}
