//! Users, stages and tags, shared by both stores. Each write runs in the caller's transaction;
//! on PostgreSQL the rows it reads before writing are locked first, so that concurrent servers
//! cannot interleave a check and the write it guards.

use orgstore_core::error::Code;
use orgstore_core::list::name_sort_key;
use orgstore_core::model::{Stage, StageChange, Tag, TagChange, User, UserChange, UserFields};
use orgstore_core::store::DirectoryPage;
use orgstore_core::time::now_ms;
use orgstore_core::{Error, Result, ids};
use serde_json::Value;

use super::{Dialect, Param, Row, SqlBuilder, Tx, workspaces};

fn conflict(
    code: Code,
    field: &str,
    value: impl Into<Value>,
    message: String,
    existing_id: Option<String>,
) -> Error {
    Error::Conflict {
        code,
        message,
        field: Some(field.to_string()),
        value: Some(value.into()),
        existing_id,
    }
}

/// The first column of the first row, as text.
async fn first_text<T: Tx>(tx: &mut T, sql: &str, params: &[Param<'_>]) -> Result<Option<String>> {
    match tx.query(sql, params).await?.into_iter().next() {
        Some(mut row) => Ok(Some(row.text(0)?)),
        None => Ok(None),
    }
}

async fn count<T: Tx>(tx: &mut T, sql: &str, params: &[Param<'_>]) -> Result<i64> {
    match tx.query(sql, params).await?.into_iter().next() {
        Some(mut row) => row.int(0),
        None => Ok(0),
    }
}

/// The lock an account write takes on the stage and users it names (PostgreSQL only; SQLite
/// has one writer). A delete here locks the row `FOR UPDATE`, which waits for those writes to
/// commit, so its in-use count sees them; relabels and moves lock `FOR NO KEY UPDATE`, which
/// does not hold account writes up.
pub(super) fn key_share(d: Dialect) -> &'static str {
    match d {
        Dialect::Postgres => " FOR KEY SHARE",
        Dialect::Sqlite => "",
    }
}

/// A record's stage must be a stage key of the workspace: a 400 naming `stage` otherwise. On
/// PostgreSQL the stage row is held [`key_share`] until commit, so a concurrent stage delete
/// waits for this write and then counts it.
pub(super) async fn check_stage_exists<T: Tx>(tx: &mut T, ws: &str, stage: &str) -> Result<()> {
    let sql = format!(
        "SELECT key FROM stages WHERE workspace_id = $1 AND key = $2{}",
        key_share(tx.dialect())
    );
    if tx.query(&sql, &[ws.into(), stage.into()]).await?.is_empty() {
        return Err(Error::invalid_value(
            "stage",
            stage,
            format!("'{stage}' is not a stage of this workspace"),
        ));
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Lock {
    /// For a change that keeps the row's key: does not conflict with `FOR KEY SHARE`.
    Change,
    /// For a delete: waits for every transaction that checked the row exists.
    Delete,
}

impl Lock {
    fn clause(self) -> &'static str {
        match self {
            Lock::Change => "FOR NO KEY UPDATE",
            Lock::Delete => "FOR UPDATE",
        }
    }
}

/// Locks one row on PostgreSQL; SQLite's write transaction already excludes other writers.
async fn lock_row<T: Tx>(tx: &mut T, table: &str, ws: &str, id: &str, lock: Lock) -> Result<()> {
    if tx.dialect() == Dialect::Postgres {
        let sql = format!(
            "SELECT 1 FROM {table} WHERE workspace_id = $1 AND id = $2 {}",
            lock.clause()
        );
        tx.query(&sql, &[ws.into(), id.into()]).await?;
    }
    Ok(())
}

// ---- users ----

const USER_COLUMNS: &str = "SELECT id, workspace_id, name, email, created_at FROM users";

fn decode_user<R: Row>(mut r: R) -> Result<User> {
    Ok(User {
        id: r.text(0)?,
        workspace_id: r.text(1)?,
        name: r.text(2)?,
        email: r.opt_text(3)?,
        created_at: r.int(4)?,
    })
}

pub async fn list_users<T: Tx>(tx: &mut T, ws: &str, page: &DirectoryPage) -> Result<Vec<User>> {
    let mut q = SqlBuilder::new(USER_COLUMNS);
    q.push(" WHERE workspace_id = ").bind(ws);
    if let Some(after) = &page.after {
        q.push(" AND id > ").bind(after);
    }
    q.push(" ORDER BY id LIMIT ").bind(page.limit as i64 + 1);
    let rows = tx.query(&q.sql, &q.params).await?;
    rows.into_iter().map(decode_user).collect()
}

pub async fn get_user<T: Tx>(tx: &mut T, ws: &str, id: &str) -> Result<Option<User>> {
    let sql = format!("{USER_COLUMNS} WHERE workspace_id = $1 AND id = $2");
    let rows = tx.query(&sql, &[ws.into(), id.into()]).await?;
    rows.into_iter().next().map(decode_user).transpose()
}

/// Ids per statement of a batch lookup: a page of records names far fewer users or tags.
const LOOKUP_CHUNK: usize = 1024;

/// The users with these ids (unknown ids are left out), one statement per 1,024 ids.
pub async fn users_by_ids<T: Tx>(tx: &mut T, ws: &str, ids: &[&str]) -> Result<Vec<User>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let mut q = SqlBuilder::new(USER_COLUMNS);
        q.push(" WHERE workspace_id = ").bind(ws);
        q.push(" AND id IN (").in_list_padded(chunk).push(")");
        for row in tx.query(&q.sql, &q.params).await? {
            out.push(decode_user(row)?);
        }
    }
    Ok(out)
}

pub async fn user_by_email<T: Tx>(tx: &mut T, ws: &str, email: &str) -> Result<Option<User>> {
    let sql = format!("{USER_COLUMNS} WHERE workspace_id = $1 AND email = $2");
    let rows = tx.query(&sql, &[ws.into(), email.into()]).await?;
    rows.into_iter().next().map(decode_user).transpose()
}

fn email_taken(email: &str, holder: Option<String>) -> Error {
    let by = holder
        .as_deref()
        .map_or_else(String::new, |h| format!(" by user {h}"));
    conflict(
        Code::EmailTaken,
        "email",
        email,
        format!("email {email} is already used{by}"),
        holder,
    )
}

/// Who else in the workspace has `email`, if anyone.
async fn email_holder<T: Tx>(
    tx: &mut T,
    ws: &str,
    email: &str,
    not: &str,
) -> Result<Option<String>> {
    first_text(
        tx,
        "SELECT id FROM users WHERE workspace_id = $1 AND email = $2 AND id <> $3",
        &[ws.into(), email.into(), not.into()],
    )
    .await
}

pub async fn insert_user<T: Tx>(tx: &mut T, ws: &str, fields: &UserFields) -> Result<User> {
    let user = User {
        id: ids::new_id(ids::USER),
        workspace_id: ws.to_string(),
        name: fields.name.clone(),
        email: fields.email.clone(),
        created_at: now_ms(),
    };
    // The unique index decides who gets an email, so two servers racing cannot both win.
    let inserted = tx
        .query(
            "INSERT INTO users (workspace_id, id, name, email, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (workspace_id, email) WHERE email IS NOT NULL DO NOTHING RETURNING id",
            &[
                ws.into(),
                (&user.id).into(),
                (&user.name).into(),
                user.email.as_ref().into(),
                Param::Int(user.created_at),
            ],
        )
        .await?;
    if inserted.is_empty() {
        let email = user.email.as_deref().unwrap_or_default();
        let holder = email_holder(tx, ws, email, &user.id).await?;
        return Err(email_taken(email, holder));
    }
    Ok(user)
}

pub async fn update_user<T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    change: &UserChange,
) -> Result<Option<User>> {
    lock_row(tx, "users", ws, id, Lock::Change).await?;
    if get_user(tx, ws, id).await?.is_none() {
        return Ok(None);
    }
    if let Some(Some(email)) = &change.email
        && let Some(holder) = email_holder(tx, ws, email, id).await?
    {
        return Err(email_taken(email, Some(holder)));
    }
    // Only the given fields are written, so concurrent patches of different fields both land.
    if let Some(name) = &change.name {
        tx.execute(
            "UPDATE users SET name = $3 WHERE workspace_id = $1 AND id = $2",
            &[ws.into(), id.into(), name.into()],
        )
        .await?;
    }
    if let Some(email) = &change.email {
        tx.execute(
            "UPDATE users SET email = $3 WHERE workspace_id = $1 AND id = $2",
            &[ws.into(), id.into(), email.as_ref().into()],
        )
        .await?;
    }
    get_user(tx, ws, id).await
}

/// Refuses to delete the owner or a user who owns accounts; otherwise revokes the user's
/// tokens and deletes the user. Accounts keep the id in `created_by`/`modified_by`: history.
pub async fn delete_user<T: Tx>(tx: &mut T, ws: &str, id: &str) -> Result<Option<()>> {
    lock_row(tx, "users", ws, id, Lock::Delete).await?;
    if get_user(tx, ws, id).await?.is_none() {
        return Ok(None);
    }
    if workspaces::owner_user(tx, ws).await?.id == id {
        return Err(conflict(
            Code::OwnerNotDeletable,
            "id",
            id,
            format!("{id} is the workspace's owner, who cannot be deleted"),
            None,
        ));
    }
    let owned = count(
        tx,
        "SELECT count(*) FROM account_owners WHERE workspace_id = $1 AND user_id = $2",
        &[ws.into(), id.into()],
    )
    .await?;
    if owned > 0 {
        let plural = if owned == 1 { "" } else { "s" };
        return Err(conflict(
            Code::UserInUse,
            "id",
            id,
            format!(
                "user {id} owns {owned} account{plural}; give them other owners before deleting the user"
            ),
            None,
        ));
    }
    tx.execute(
        "UPDATE tokens SET revoked_at = $3 WHERE workspace_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        &[ws.into(), id.into(), Param::Int(now_ms())],
    )
    .await?;
    tx.execute(
        "DELETE FROM users WHERE workspace_id = $1 AND id = $2",
        &[ws.into(), id.into()],
    )
    .await?;
    Ok(Some(()))
}

// ---- stages ----

const STAGE_COLUMNS: &str = "SELECT id, key, label, position FROM stages";

fn decode_stage<R: Row>(mut r: R) -> Result<Stage> {
    Ok(Stage {
        id: r.text(0)?,
        key: r.text(1)?,
        label: r.text(2)?,
        position: r.int(3)?,
    })
}

pub async fn list_stages<T: Tx>(tx: &mut T, ws: &str) -> Result<Vec<Stage>> {
    let sql = format!("{STAGE_COLUMNS} WHERE workspace_id = $1 ORDER BY position, key");
    let rows = tx.query(&sql, &[ws.into()]).await?;
    rows.into_iter().map(decode_stage).collect()
}

pub async fn get_stage<T: Tx>(tx: &mut T, ws: &str, id: &str) -> Result<Option<Stage>> {
    let sql = format!("{STAGE_COLUMNS} WHERE workspace_id = $1 AND id = $2");
    let rows = tx.query(&sql, &[ws.into(), id.into()]).await?;
    rows.into_iter().next().map(decode_stage).transpose()
}

/// Every stage write renumbers others, so on PostgreSQL it first locks all of the workspace's
/// stages: two concurrent moves then apply one after the other and the order stays 0..n.
async fn lock_stages<T: Tx>(tx: &mut T, ws: &str) -> Result<()> {
    if tx.dialect() == Dialect::Postgres {
        tx.query(
            "SELECT 1 FROM stages WHERE workspace_id = $1 FOR NO KEY UPDATE",
            &[ws.into()],
        )
        .await?;
    }
    Ok(())
}

async fn stage_count<T: Tx>(tx: &mut T, ws: &str) -> Result<i64> {
    count(
        tx,
        "SELECT count(*) FROM stages WHERE workspace_id = $1",
        &[ws.into()],
    )
    .await
}

fn stage_key_taken(key: &str, holder: Option<String>) -> Error {
    conflict(
        Code::StageKeyTaken,
        "key",
        key,
        format!("a stage with key '{key}' already exists"),
        holder,
    )
}

pub async fn insert_stage<T: Tx>(
    tx: &mut T,
    ws: &str,
    key: &str,
    label: &str,
    position: Option<i64>,
) -> Result<Stage> {
    lock_stages(tx, ws).await?;
    let holder_sql = "SELECT id FROM stages WHERE workspace_id = $1 AND key = $2";
    if let Some(holder) = first_text(tx, holder_sql, &[ws.into(), key.into()]).await? {
        return Err(stage_key_taken(key, Some(holder)));
    }
    let last = stage_count(tx, ws).await?;
    let position = position.map_or(last, |p| p.min(last));
    tx.execute(
        "UPDATE stages SET position = position + 1 WHERE workspace_id = $1 AND position >= $2",
        &[ws.into(), Param::Int(position)],
    )
    .await?;
    let stage = Stage {
        id: ids::new_id(ids::STAGE),
        key: key.to_string(),
        label: label.to_string(),
        position,
    };
    let inserted = tx
        .query(
            "INSERT INTO stages (workspace_id, id, key, label, position) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (workspace_id, key) DO NOTHING RETURNING id",
            &[
                ws.into(),
                (&stage.id).into(),
                key.into(),
                label.into(),
                Param::Int(position),
            ],
        )
        .await?;
    if inserted.is_empty() {
        let holder = first_text(tx, holder_sql, &[ws.into(), key.into()]).await?;
        return Err(stage_key_taken(key, holder));
    }
    Ok(stage)
}

pub async fn update_stage<T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    change: &StageChange,
) -> Result<Option<Stage>> {
    lock_stages(tx, ws).await?;
    let Some(current) = get_stage(tx, ws, id).await? else {
        return Ok(None);
    };
    if let Some(label) = &change.label {
        tx.execute(
            "UPDATE stages SET label = $3 WHERE workspace_id = $1 AND id = $2",
            &[ws.into(), id.into(), label.into()],
        )
        .await?;
    }
    if let Some(wanted) = change.position {
        let last = stage_count(tx, ws).await? - 1;
        move_stage(tx, ws, &current, wanted.min(last)).await?;
    }
    get_stage(tx, ws, id).await
}

/// Moves a stage to `to`, shifting the stages between its old and new place by one.
async fn move_stage<T: Tx>(tx: &mut T, ws: &str, stage: &Stage, to: i64) -> Result<()> {
    let from = stage.position;
    let shift = if to < from {
        "UPDATE stages SET position = position + 1 \
         WHERE workspace_id = $1 AND position >= $2 AND position < $3"
    } else if to > from {
        "UPDATE stages SET position = position - 1 \
         WHERE workspace_id = $1 AND position > $3 AND position <= $2"
    } else {
        return Ok(());
    };
    tx.execute(shift, &[ws.into(), Param::Int(to), Param::Int(from)])
        .await?;
    tx.execute(
        "UPDATE stages SET position = $3 WHERE workspace_id = $1 AND id = $2",
        &[ws.into(), (&stage.id).into(), Param::Int(to)],
    )
    .await?;
    Ok(())
}

/// The tables whose rows name a stage by key in a `stage` column, and what one row is called
/// in messages. Contacts (and any other record with a stage) join this list when their table
/// exists, e.g. `("contacts", "contact")`; [`stage_usage`] then counts them too.
const STAGE_HOLDERS: &[(&str, &str)] = &[("accounts", "account"), ("contacts", "contact")];

/// How many rows of each [`STAGE_HOLDERS`] table use the stage, archived accounts included
/// (restoring one must not bring back a stage that no longer exists); one statement for all.
pub async fn stage_usage<T: Tx>(
    tx: &mut T,
    ws: &str,
    key: &str,
) -> Result<Vec<(&'static str, i64)>> {
    let counts: Vec<String> = STAGE_HOLDERS
        .iter()
        .map(|(table, _)| {
            format!("(SELECT count(*) FROM {table} WHERE workspace_id = $1 AND stage = $2)")
        })
        .collect();
    let sql = format!("SELECT {}", counts.join(", "));
    let mut row = tx
        .query(&sql, &[ws.into(), key.into()])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("a count returned no row"))?;
    let mut usage = Vec::with_capacity(STAGE_HOLDERS.len());
    for (i, (_, noun)) in STAGE_HOLDERS.iter().enumerate() {
        usage.push((*noun, row.int(i)?));
    }
    Ok(usage)
}

/// `3 accounts and 1 contact`, skipping tables with none.
fn describe_usage(usage: &[(&str, i64)]) -> String {
    let parts: Vec<String> = usage
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(noun, n)| format!("{n} {noun}{}", if *n == 1 { "" } else { "s" }))
        .collect();
    parts.join(" and ")
}

pub async fn delete_stage<T: Tx>(tx: &mut T, ws: &str, id: &str) -> Result<Option<()>> {
    lock_stages(tx, ws).await?;
    lock_row(tx, "stages", ws, id, Lock::Delete).await?;
    let Some(stage) = get_stage(tx, ws, id).await? else {
        return Ok(None);
    };
    let usage = stage_usage(tx, ws, &stage.key).await?;
    if usage.iter().any(|(_, n)| *n > 0) {
        let key = stage.key.as_str();
        return Err(conflict(
            Code::StageInUse,
            "key",
            key,
            format!(
                "stage '{key}' is used by {}; move them to another stage before deleting it",
                describe_usage(&usage)
            ),
            Some(stage.id.clone()),
        ));
    }
    tx.execute(
        "DELETE FROM stages WHERE workspace_id = $1 AND id = $2",
        &[ws.into(), id.into()],
    )
    .await?;
    tx.execute(
        "UPDATE stages SET position = position - 1 WHERE workspace_id = $1 AND position > $2",
        &[ws.into(), Param::Int(stage.position)],
    )
    .await?;
    Ok(Some(()))
}

// ---- tags ----

const TAG_COLUMNS: &str = "SELECT id, name, color, created_at FROM tags";

fn decode_tag<R: Row>(mut r: R) -> Result<Tag> {
    Ok(Tag {
        id: r.text(0)?,
        name: r.text(1)?,
        color: r.opt_text(2)?,
        created_at: r.int(3)?,
    })
}

/// The highest character: every key that starts with a prefix sorts below `prefix + MAX`
/// (bytewise, which is how both databases compare `name_key`).
const PREFIX_END: char = char::MAX;

pub async fn list_tags<T: Tx>(
    tx: &mut T,
    ws: &str,
    prefix: Option<&str>,
    page: &DirectoryPage,
) -> Result<Vec<Tag>> {
    let mut q = SqlBuilder::new(TAG_COLUMNS);
    q.push(" WHERE workspace_id = ").bind(ws);
    if let Some(prefix) = prefix {
        // A range rather than LIKE: it uses the (workspace_id, name_key) index on both
        // databases and needs no escaping of '%' and '_'.
        q.push(" AND name_key >= ").bind(prefix);
        q.push(" AND name_key < ")
            .bind(format!("{prefix}{PREFIX_END}"));
    }
    if let Some(after) = &page.after {
        q.push(" AND name_key > ").bind(after);
    }
    q.push(" ORDER BY name_key LIMIT ")
        .bind(page.limit as i64 + 1);
    let rows = tx.query(&q.sql, &q.params).await?;
    rows.into_iter().map(decode_tag).collect()
}

pub async fn get_tag<T: Tx>(tx: &mut T, ws: &str, id: &str) -> Result<Option<Tag>> {
    let sql = format!("{TAG_COLUMNS} WHERE workspace_id = $1 AND id = $2");
    let rows = tx.query(&sql, &[ws.into(), id.into()]).await?;
    rows.into_iter().next().map(decode_tag).transpose()
}

/// The tags with these ids (unknown ids are left out), one statement per 1,024 ids.
pub async fn tags_by_ids<T: Tx>(tx: &mut T, ws: &str, ids: &[&str]) -> Result<Vec<Tag>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let mut q = SqlBuilder::new(TAG_COLUMNS);
        q.push(" WHERE workspace_id = ").bind(ws);
        q.push(" AND id IN (").in_list_padded(chunk).push(")");
        for row in tx.query(&q.sql, &q.params).await? {
            out.push(decode_tag(row)?);
        }
    }
    Ok(out)
}

/// The tag whose name is `name_key` ignoring case.
pub async fn tag_by_name<T: Tx>(tx: &mut T, ws: &str, name_key: &str) -> Result<Option<Tag>> {
    let sql = format!("{TAG_COLUMNS} WHERE workspace_id = $1 AND name_key = $2");
    let rows = tx.query(&sql, &[ws.into(), name_key.into()]).await?;
    rows.into_iter().next().map(decode_tag).transpose()
}

fn tag_name_taken(name: &str, holder: Option<String>) -> Error {
    let by = holder
        .as_deref()
        .map_or_else(String::new, |h| format!(" by tag {h}"));
    conflict(
        Code::TagNameTaken,
        "name",
        name,
        format!("tag name '{name}' is already used{by} (names are compared ignoring case)"),
        holder,
    )
}

async fn tag_holder<T: Tx>(
    tx: &mut T,
    ws: &str,
    name_key: &str,
    not: &str,
) -> Result<Option<String>> {
    first_text(
        tx,
        "SELECT id FROM tags WHERE workspace_id = $1 AND name_key = $2 AND id <> $3",
        &[ws.into(), name_key.into(), not.into()],
    )
    .await
}

pub async fn insert_tag<T: Tx>(
    tx: &mut T,
    ws: &str,
    name: &str,
    color: Option<&str>,
) -> Result<Tag> {
    let tag = Tag {
        id: ids::new_id(ids::TAG),
        name: name.to_string(),
        color: color.map(str::to_string),
        created_at: now_ms(),
    };
    let name_key = name_sort_key(name);
    let inserted = tx
        .query(
            "INSERT INTO tags (workspace_id, id, name, name_key, color, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (workspace_id, name_key) DO NOTHING RETURNING id",
            &[
                ws.into(),
                (&tag.id).into(),
                name.into(),
                (&name_key).into(),
                color.into(),
                Param::Int(tag.created_at),
            ],
        )
        .await?;
    if inserted.is_empty() {
        let holder = tag_holder(tx, ws, &name_key, &tag.id).await?;
        return Err(tag_name_taken(name, holder));
    }
    Ok(tag)
}

pub async fn update_tag<T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    actor: &str,
    change: &TagChange,
) -> Result<Option<Tag>> {
    lock_row(tx, "tags", ws, id, Lock::Change).await?;
    let Some(current) = get_tag(tx, ws, id).await? else {
        return Ok(None);
    };
    if let Some(name) = change.name.as_ref().filter(|n| **n != current.name) {
        let name_key = name_sort_key(name);
        if let Some(holder) = tag_holder(tx, ws, &name_key, id).await? {
            return Err(tag_name_taken(name, Some(holder)));
        }
        tx.execute(
            "UPDATE tags SET name = $3, name_key = $4 WHERE workspace_id = $1 AND id = $2",
            &[ws.into(), id.into(), name.into(), (&name_key).into()],
        )
        .await?;
        bump_tagged_accounts(tx, ws, id, actor).await?;
    }
    if let Some(color) = &change.color {
        tx.execute(
            "UPDATE tags SET color = $3 WHERE workspace_id = $1 AND id = $2",
            &[ws.into(), id.into(), color.as_ref().into()],
        )
        .await?;
    }
    get_tag(tx, ws, id).await
}

/// Every account carrying the tag is about to read differently: a new version (so its ETag
/// changes), `updated_at` and modifier, in one statement.
async fn bump_tagged_accounts<T: Tx>(
    tx: &mut T,
    ws: &str,
    tag_id: &str,
    actor: &str,
) -> Result<u64> {
    tx.execute(
        "UPDATE accounts SET version = version + 1, updated_at = $3, modified_by = $4 \
         WHERE workspace_id = $1 AND id IN \
           (SELECT account_id FROM account_tags WHERE workspace_id = $1 AND tag_id = $2)",
        &[ws.into(), tag_id.into(), Param::Int(now_ms()), actor.into()],
    )
    .await
}

pub async fn delete_tag<T: Tx>(tx: &mut T, ws: &str, id: &str, actor: &str) -> Result<Option<()>> {
    lock_row(tx, "tags", ws, id, Lock::Delete).await?;
    if get_tag(tx, ws, id).await?.is_none() {
        return Ok(None);
    }
    bump_tagged_accounts(tx, ws, id, actor).await?;
    tx.execute(
        "DELETE FROM account_tags WHERE workspace_id = $1 AND tag_id = $2",
        &[ws.into(), id.into()],
    )
    .await?;
    tx.execute(
        "DELETE FROM tags WHERE workspace_id = $1 AND id = $2",
        &[ws.into(), id.into()],
    )
    .await?;
    Ok(Some(()))
}
