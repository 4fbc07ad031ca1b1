//! Bulk create: one transaction, batched statements, never one round trip per row.
//!
//! 1. Look up who holds the plan's domains and external refs, and its ids and names when the
//!    match policy uses them (one index probe per value, a few hundred values per statement).
//! 2. Decide each group with the plan's match policy (the core decides from what step 1
//!    found): matched, to create, or failed; check the stages, owners and tag ids of the
//!    groups to create against the workspace, one query each.
//! 3. Take the display numbers of all new accounts in one `UPDATE ... RETURNING`.
//! 4. Insert the accounts and their domains, external refs, owners and tags as multi-row
//!    statements. Domains and refs are claimed with `ON CONFLICT DO NOTHING`: one missed claim
//!    means a concurrent writer won a race, and the batch fails with [`CONCURRENT_WRITE`].
//!    The hosts websites add are claimed after them, and only where free.
//! 5. Add `append_tags` to the matched accounts (when the plan says so), bumping the version
//!    of those that changed.
//! 6. Read every created and matched account back, a few hundred per statement.
//!
//! Statement sizes are powers of two (a full batch, then the binary digits of the rest), and
//! lists of keys are padded to one: PostgreSQL keeps every prepared statement per connection,
//! so the number of distinct statement texts must stay small.
//!
//! Keyed reads never rely on PostgreSQL's statistics: a bulk load grows tables faster than
//! autoanalyze catches up (or it is off), and without statistics the planner takes
//! `workspace_id = $1` for a selective condition, answering `key IN (...)` by scanning the
//! whole workspace once per statement. Hence the per-value probes of [`lookup`].

use std::collections::{HashMap, HashSet};

use orgstore_core::bulk::{
    BulkPlan, BulkWritten, CONCURRENT_WRITE, Decision, GroupOutcome, KeyHolders, PlannedGroup,
};
use orgstore_core::list::name_sort_key;
use orgstore_core::model::{Account, TagKey};
use orgstore_core::time::now_ms;
use orgstore_core::{Error, Result, ids};

use super::accounts::{self, Encoded, UniqueKind, WRITABLE_COLUMNS};
use super::{Dialect, Param, Row, SqlBuilder, Tx};

/// Bound parameters per statement, under SQLite's limit of 32,766.
const MAX_PARAMS: usize = 30_000;

/// Values per `IN (...)` list.
const IN_CHUNK: usize = 512;

/// The decision for one group.
enum Fate {
    /// Created under this new id.
    Create(String),
    /// Matched the stored account with this id.
    Existing(String),
    Failed(Error),
}

/// Writes the plan in the caller's transaction: see the module documentation for the steps.
pub async fn write<T: Tx>(
    tx: &mut T,
    ws: &str,
    actor: &str,
    plan: &BulkPlan,
) -> Result<BulkWritten> {
    let fates = decide(tx, ws, plan).await?;
    let now = now_ms();
    let created: Vec<(&PlannedGroup, &str)> = plan
        .groups
        .iter()
        .zip(&fates)
        .filter_map(|(g, f)| match f {
            Fate::Create(id) => Some((g, id.as_str())),
            _ => None,
        })
        .collect();
    let tagged = if plan.appends_to_matched() {
        existing_ids(&fates)
    } else {
        Vec::new()
    };
    // No tag is created when no account would carry it.
    let append: &[String] = if created.is_empty() && tagged.is_empty() {
        &[]
    } else {
        &plan.append_tags
    };
    let tag_ids = resolve_tag_names(tx, ws, &created, append, now).await?;
    insert_accounts(tx, ws, actor, &created, now).await?;
    insert_children(tx, ws, plan, &created, &tag_ids, append).await?;
    append_tags(tx, ws, actor, &tagged, &tag_ids, append, now).await?;
    outcomes(tx, ws, fates).await
}

/// Steps 1 and 2: the fate of every group. With `atomic`, the first failure is the error of
/// the whole write, before anything is written.
async fn decide<T: Tx>(tx: &mut T, ws: &str, plan: &BulkPlan) -> Result<Vec<Fate>> {
    let groups = plan.groups.as_slice();
    let holders = find_holders(tx, ws, plan).await?;
    let mut fates: Vec<Fate> = groups
        .iter()
        .map(|g| match plan.policy.decide(g, &holders) {
            Decision::Create => Fate::Create(ids::new_id(ids::ACCOUNT)),
            Decision::Existing(id) => Fate::Existing(id),
            Decision::Failed(err) => Fate::Failed(err.within(&plan.row_path(g))),
        })
        .collect();
    check_references(tx, ws, plan, &mut fates).await?;
    claim_in_request(plan, &holders, &mut fates);
    check_unique_custom_values(tx, ws, plan, &mut fates).await?;
    if plan.atomic
        && let Some(err) = fates.iter().find_map(|f| match f {
            Fate::Failed(err) => Some(err),
            _ => None,
        })
    {
        return Err(err.clone());
    }
    Ok(fates)
}

/// Who holds the plan's keys among the workspace's live accounts: domains and external refs
/// always, ids and names when the policy matches by them.
async fn find_holders<T: Tx>(tx: &mut T, ws: &str, plan: &BulkPlan) -> Result<KeyHolders> {
    let keys = plan.lookups();
    let ids = lookup(tx, ws, Holder::AccountId, &keys.ids).await?;
    Ok(KeyHolders {
        ids: ids.into_keys().collect(),
        external_refs: lookup(
            tx,
            ws,
            Holder::Unique(UniqueKind::ExternalRef),
            &keys.external_refs,
        )
        .await?,
        domains: lookup(tx, ws, Holder::Unique(UniqueKind::Domain), &keys.domains).await?,
        names: lookup_names(tx, ws, &keys.names).await?,
    })
}

fn distinct<'a>(values: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    values
        .map(String::as_str)
        .filter(|v| seen.insert(*v))
        .collect()
}

/// Appends `(VALUES ($a), ($b), ...) AS v`; with `pad`, padded to a power of two rows by
/// repeating the last value (for reads, where a repeated row is harmless).
fn push_values<'a>(q: &mut SqlBuilder<'a>, values: &[&'a str], pad: bool) {
    let padding = match (pad, values.last()) {
        (true, Some(_)) => values.len().next_power_of_two() - values.len(),
        _ => 0,
    };
    let last = values.last().copied().unwrap_or_default();
    let all = values
        .iter()
        .copied()
        .chain(std::iter::repeat_n(last, padding));
    q.push("(VALUES ");
    q.values_rows(all.map(|v| [Param::Text(v)]));
    q.push(") AS v");
}

/// Where a kind of key is held: a unique child table of accounts, or the account row itself
/// (its id).
#[derive(Clone, Copy)]
enum Holder {
    Unique(UniqueKind),
    AccountId,
}

impl Holder {
    /// `(table, key column, holder column)`.
    fn columns(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Holder::Unique(kind) => (kind.table(), kind.column(), "account_id"),
            Holder::AccountId => ("accounts", "id", "id"),
        }
    }
}

/// `value -> account id` for the live holders of `values`. Each value is its own index probe
/// (a correlated subquery over `VALUES`): an `IN` list lets PostgreSQL, lacking statistics on
/// a freshly loaded table, scan the whole workspace and filter, once per statement.
async fn lookup<T: Tx>(
    tx: &mut T,
    ws: &str,
    holder: Holder,
    values: &[&str],
) -> Result<HashMap<String, String>> {
    let (table, column, holder_column) = holder.columns();
    let mut out = HashMap::new();
    for chunk in values.chunks(IN_CHUNK) {
        let mut q = SqlBuilder::new(format!(
            "SELECT v.column1, (SELECT x.{holder_column} FROM {table} x WHERE x.workspace_id = "
        ));
        q.bind(ws).push(&format!(
            " AND x.archived_at IS NULL AND x.{column} = v.column1) FROM "
        ));
        push_values(&mut q, chunk, true);
        for mut row in tx.query(&q.sql, &q.params).await? {
            if let Some(holder) = row.opt_text(1)? {
                out.insert(row.text(0)?, holder);
            }
        }
    }
    Ok(out)
}

/// `name key -> ids` of the live accounts with each name (several accounts may share one).
/// Each name is its own probe of the `(workspace_id, name_key, id)` index: a join from the
/// values on SQLite, a `LATERAL` subquery on PostgreSQL (for the reason given at [`lookup`]).
async fn lookup_names<T: Tx>(
    tx: &mut T,
    ws: &str,
    names: &[&str],
) -> Result<HashMap<String, Vec<String>>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in names.chunks(IN_CHUNK) {
        let mut q = SqlBuilder::new("");
        q.params.push(ws.into());
        match tx.dialect() {
            Dialect::Sqlite => {
                q.push("SELECT v.column1, a.id FROM ");
                push_values(&mut q, chunk, true);
                q.push(
                    " JOIN accounts a ON a.workspace_id = $1 AND a.name_key = v.column1 \
                     AND a.archived_at IS NULL",
                );
            }
            Dialect::Postgres => {
                q.push("SELECT v.column1, s.id FROM ");
                push_values(&mut q, chunk, true);
                q.push(
                    " CROSS JOIN LATERAL (SELECT a.id FROM accounts a WHERE a.workspace_id = $1 \
                     AND a.name_key = v.column1 AND a.archived_at IS NULL OFFSET 0) s",
                );
            }
        }
        for mut row in tx.query(&q.sql, &q.params).await? {
            let ids = out.entry(row.text(0)?).or_default();
            let id = row.text(1)?;
            // Padding repeats the last name, and so its rows.
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(out)
}

/// The subset of `values` that exist as `column` of `table` in the workspace.
async fn present<T: Tx>(
    tx: &mut T,
    ws: &str,
    table: &str,
    column: &str,
    values: &[&str],
) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    for chunk in values.chunks(IN_CHUNK) {
        let mut q = SqlBuilder::new(format!(
            "SELECT {column} FROM {table} WHERE workspace_id = "
        ));
        q.bind(ws).push(&format!(" AND {column} IN ("));
        q.in_list_padded(chunk);
        q.push(")");
        for mut row in tx.query(&q.sql, &q.params).await? {
            out.insert(row.text(0)?);
        }
    }
    Ok(out)
}

/// Fails the groups to create whose stage, owners or tag ids are not the workspace's.
async fn check_references<T: Tx>(
    tx: &mut T,
    ws: &str,
    plan: &BulkPlan,
    fates: &mut [Fate],
) -> Result<()> {
    let groups = plan.groups.as_slice();
    let to_create = || {
        groups
            .iter()
            .zip(fates.iter())
            .filter(|(_, f)| matches!(f, Fate::Create(_)))
            .map(|(g, _)| g)
    };
    let stages = if to_create().any(|g| g.data.stage.is_some()) {
        let mut found = HashSet::new();
        let sql = "SELECT key FROM stages WHERE workspace_id = $1";
        for mut row in tx.query(sql, &[ws.into()]).await? {
            found.insert(row.text(0)?);
        }
        found
    } else {
        HashSet::new()
    };
    let owners = distinct(to_create().flat_map(|g| &g.data.owners));
    let owners = present(tx, ws, "users", "id", &owners).await?;
    let tag_ids = distinct(to_create().flat_map(|g| g.data.tags.iter()).filter_map(
        |t| match &t.key {
            TagKey::Id(id) => Some(id),
            TagKey::Name(_) => None,
        },
    ));
    let tag_ids = present(tx, ws, "tags", "id", &tag_ids).await?;
    for (g, fate) in groups.iter().zip(fates.iter_mut()) {
        if !matches!(fate, Fate::Create(_)) {
            continue;
        }
        if let Some(err) = reference_error(g, &stages, &owners, &tag_ids) {
            *fate = Fate::Failed(err.within(&plan.row_path(g)));
        }
    }
    Ok(())
}

/// The first unknown stage, owner or tag id of the group, worded as for a single create.
fn reference_error(
    g: &PlannedGroup,
    stages: &HashSet<String>,
    owners: &HashSet<String>,
    tag_ids: &HashSet<String>,
) -> Option<Error> {
    let data = &g.data;
    if let Some(stage) = data.stage.as_ref().filter(|s| !stages.contains(*s)) {
        return Some(Error::invalid_value(
            "stage",
            stage.as_str(),
            format!("'{stage}' is not a stage of this workspace"),
        ));
    }
    if let Some((i, owner)) = data
        .owners
        .iter()
        .enumerate()
        .find(|(_, o)| !owners.contains(*o))
    {
        return Some(Error::invalid_value(
            format!("owners[{i}]"),
            owner.as_str(),
            format!("{owner} is not a user of this workspace"),
        ));
    }
    data.tags
        .iter()
        .enumerate()
        .find_map(|(i, t)| match &t.key {
            TagKey::Id(id) if !tag_ids.contains(id) => Some(Error::invalid_value(
                format!("tags[{i}].id"),
                id.as_str(),
                format!("{id} is not a tag of this workspace"),
            )),
            _ => None,
        })
}

/// A group to create whose unique custom value is held by a stored account or by an earlier
/// group of the request fails with a 409 naming its row, its field and the holder.
async fn check_unique_custom_values<T: Tx>(
    tx: &mut T,
    ws: &str,
    plan: &BulkPlan,
    fates: &mut [Fate],
) -> Result<()> {
    let rows: Vec<_> = plan
        .groups
        .iter()
        .zip(fates.iter())
        .enumerate()
        .filter_map(|(n, (g, f))| match f {
            Fate::Create(id) => Some((
                n,
                id.as_str(),
                &g.data.custom_fields,
                format!("{}.custom_fields", plan.row_path(g)),
            )),
            _ => None,
        })
        .collect();
    let accounts = orgstore_core::schema::SchemaObject::Accounts;
    let failed = super::schema::unique_conflicts(tx, ws, accounts, &rows).await?;
    for (n, err) in failed {
        if let Some(fate) = fates.get_mut(n) {
            *fate = Fate::Failed(err);
        }
    }
    Ok(())
}

/// A group to create whose domain or external ref is held by a stored account or by an
/// earlier group of the request fails with a conflict naming the holder. That happens only
/// for the keys the policy does not match by (matched keys found the holder, or grouped the
/// rows); the hosts websites add never conflict (they are claimed where free).
fn claim_in_request(plan: &BulkPlan, holders: &KeyHolders, fates: &mut [Fate]) {
    let mut taken_domains: HashMap<&str, String> = HashMap::new();
    let mut taken_refs: HashMap<&str, String> = HashMap::new();
    for (g, fate) in plan.groups.iter().zip(fates.iter_mut()) {
        let Fate::Create(id) = fate else {
            continue;
        };
        let checks = [
            (
                UniqueKind::Domain,
                &g.data.domains,
                &holders.domains,
                &taken_domains,
            ),
            (
                UniqueKind::ExternalRef,
                &g.data.external_refs,
                &holders.external_refs,
                &taken_refs,
            ),
        ];
        let conflict = checks.iter().find_map(|(kind, values, stored, taken)| {
            values.iter().enumerate().find_map(|(i, v)| {
                let holder = stored.get(v).or_else(|| taken.get(v.as_str()))?;
                let field = format!("{}[{i}]", kind_field(*kind));
                Some(kind.conflict(field, v, Some(holder.clone())))
            })
        });
        if let Some(err) = conflict {
            *fate = Fate::Failed(err.within(&plan.row_path(g)));
            continue;
        }
        for d in &g.data.domains {
            taken_domains.insert(d, id.clone());
        }
        for r in &g.data.external_refs {
            taken_refs.insert(r, id.clone());
        }
    }
}

fn kind_field(kind: UniqueKind) -> &'static str {
    match kind {
        UniqueKind::Domain => "domains",
        UniqueKind::ExternalRef => "external_refs",
    }
}

/// Rows per multi-row statement of `columns` values each: the largest power of two that keeps
/// the statement under [`MAX_PARAMS`].
fn rows_per_statement(columns: usize) -> usize {
    let fit = (MAX_PARAMS / columns).max(1);
    1 << fit.ilog2()
}

/// Splits `items` into full batches of `max` (a power of two), then batches sized by the
/// binary digits of the remainder: few distinct sizes, hence few distinct statements.
fn batches<T>(items: &[T], max: usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = items;
    let mut size = max;
    while !rest.is_empty() {
        if rest.len() >= size {
            let (head, tail) = rest.split_at(size);
            out.push(head);
            rest = tail;
        } else {
            size /= 2;
        }
    }
    out
}

/// `head`, the `VALUES` rows of `batch`, then `tail`.
fn statement<'p, R>(head: &str, tail: &str, batch: &[R]) -> SqlBuilder<'p>
where
    R: Clone + IntoIterator<Item = Param<'p>>,
{
    let mut q = SqlBuilder::new(head);
    q.values_rows(batch.iter().cloned());
    q.push(tail);
    q
}

/// Runs a multi-row INSERT of `rows` (each of `columns` values) in batches.
async fn insert_rows<'p, T, R>(
    tx: &mut T,
    head: &str,
    tail: &str,
    columns: usize,
    rows: &[R],
) -> Result<()>
where
    T: Tx,
    R: Clone + IntoIterator<Item = Param<'p>>,
{
    for batch in batches(rows, rows_per_statement(columns)) {
        let q = statement(head, tail, batch);
        tx.execute(&q.sql, &q.params).await?;
    }
    Ok(())
}

/// As [`insert_rows`] with a `RETURNING` tail: each batch's size and the rows it returned.
async fn insert_returning<'p, T, R>(
    tx: &mut T,
    head: &str,
    tail: &str,
    columns: usize,
    rows: &[R],
) -> Result<Vec<(usize, Vec<T::Row>)>>
where
    T: Tx,
    R: Clone + IntoIterator<Item = Param<'p>>,
{
    let mut out = Vec::new();
    for batch in batches(rows, rows_per_statement(columns)) {
        let q = statement(head, tail, batch);
        out.push((batch.len(), tx.query(&q.sql, &q.params).await?));
    }
    Ok(out)
}

/// The first of `count` new display numbers, taken in one statement.
async fn take_numbers<T: Tx>(tx: &mut T, ws: &str, count: usize) -> Result<i64> {
    let rows = tx
        .query(
            "UPDATE workspaces SET account_seq = account_seq + $2 WHERE id = $1 RETURNING account_seq",
            &[ws.into(), Param::Int(count as i64)],
        )
        .await?;
    let last = rows
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal(format!("workspace {ws} is missing")))?
        .int(0)?;
    Ok(last - count as i64 + 1)
}

/// The account rows, display numbers increasing in input order.
async fn insert_accounts<T: Tx>(
    tx: &mut T,
    ws: &str,
    actor: &str,
    created: &[(&PlannedGroup, &str)],
    now: i64,
) -> Result<()> {
    if created.is_empty() {
        return Ok(());
    }
    let first = take_numbers(tx, ws, created.len()).await?;
    let encoded = created
        .iter()
        .map(|(g, _)| Encoded::new(&g.data))
        .collect::<Result<Vec<_>>>()?;
    let rows: Vec<_> = created
        .iter()
        .zip(&encoded)
        .enumerate()
        .map(|(i, ((g, id), enc))| {
            let head = [ws.into(), (*id).into(), Param::Int(first + i as i64)];
            let tail = [
                Param::Int(g.data.created_at.unwrap_or(now)),
                Param::Int(now),
                Param::Int(now),
                actor.into(),
                actor.into(),
                Param::Int(1),
            ];
            head.into_iter().chain(enc.params(&g.data)).chain(tail)
        })
        .collect();
    let head = format!(
        "INSERT INTO accounts (workspace_id, id, display_number, {}, created_at, updated_at, \
         last_activity_at, created_by, modified_by, version) VALUES ",
        WRITABLE_COLUMNS.join(", ")
    );
    let columns = 3 + WRITABLE_COLUMNS.len() + 6;
    insert_rows(tx, &head, "", columns, &rows).await
}

/// Domains, external refs, owners and tags of the new accounts.
async fn insert_children<T: Tx>(
    tx: &mut T,
    ws: &str,
    plan: &BulkPlan,
    created: &[(&PlannedGroup, &str)],
    tag_ids: &HashMap<String, String>,
    append: &[String],
) -> Result<()> {
    for kind in [UniqueKind::Domain, UniqueKind::ExternalRef] {
        claim(tx, ws, kind, created).await?;
    }
    // After every account's own domains, so that a domain one row names is never lost to a
    // host another row's website adds.
    claim_website_domains(tx, ws, created).await?;
    // Unique custom values, all free when looked up: a missed claim is a concurrent writer's.
    let custom: Vec<_> = created
        .iter()
        .map(|(g, id)| {
            (
                *id,
                &g.data.custom_fields,
                format!("{}.custom_fields", plan.row_path(g)),
            )
        })
        .collect();
    let accounts = orgstore_core::schema::SchemaObject::Accounts;
    super::schema::claim_many(tx, ws, accounts, &custom)
        .await
        .map_err(|err| match err {
            Error::Conflict { message, .. } => Error::Conflict {
                code: CONCURRENT_WRITE,
                message: format!(
                    "another request claimed a unique custom value meanwhile; retry ({message})"
                ),
                field: None,
                value: None,
                existing_id: None,
            },
            other => other,
        })?;
    let owners: Vec<[Param<'_>; 4]> = created
        .iter()
        .flat_map(|(g, id)| {
            g.data
                .owners
                .iter()
                .enumerate()
                .map(move |(i, o)| [ws.into(), (*id).into(), o.into(), Param::Int(i as i64)])
        })
        .collect();
    let head = "INSERT INTO account_owners (workspace_id, account_id, user_id, position) VALUES ";
    insert_rows(tx, head, "", 4, &owners).await?;
    let mut tags: Vec<[Param<'_>; 5]> = Vec::new();
    for (g, id) in created {
        for (i, (tag_id, value)) in tag_links(g, tag_ids, append)?.into_iter().enumerate() {
            tags.push([
                ws.into(),
                (*id).into(),
                tag_id.into(),
                value.into(),
                Param::Int(i as i64),
            ]);
        }
    }
    let head =
        "INSERT INTO account_tags (workspace_id, account_id, tag_id, value, position) VALUES ";
    insert_rows(tx, head, "", 5, &tags).await
}

/// Claims the new accounts' domains or external refs through the unique index over live
/// values. Every value was free when looked up; a missed claim is a concurrent writer's.
async fn claim<T: Tx>(
    tx: &mut T,
    ws: &str,
    kind: UniqueKind,
    created: &[(&PlannedGroup, &str)],
) -> Result<()> {
    let (table, column) = (kind.table(), kind.column());
    let rows: Vec<[Param<'_>; 4]> = created
        .iter()
        .flat_map(|(g, id)| {
            let values = match kind {
                UniqueKind::Domain => &g.data.domains,
                UniqueKind::ExternalRef => &g.data.external_refs,
            };
            values
                .iter()
                .enumerate()
                .map(move |(i, v)| [ws.into(), (*id).into(), v.into(), Param::Int(i as i64)])
        })
        .collect();
    let head =
        format!("INSERT INTO {table} (workspace_id, account_id, {column}, position) VALUES ");
    let tail = format!(
        " ON CONFLICT (workspace_id, {column}) WHERE archived_at IS NULL DO NOTHING RETURNING {column}"
    );
    for (sent, returned) in insert_returning(tx, &head, &tail, 4, &rows).await? {
        if returned.len() < sent {
            return Err(Error::Conflict {
                code: CONCURRENT_WRITE,
                message: format!(
                    "another request claimed {} of this bulk's {} while it was written; retry",
                    sent - returned.len(),
                    kind_field(kind)
                ),
                field: None,
                value: None,
                existing_id: None,
            });
        }
    }
    Ok(())
}

/// Adds the hosts of the new accounts' websites to their domains, after their own, where no
/// live account holds them (a taken host is left out, never an error).
async fn claim_website_domains<T: Tx>(
    tx: &mut T,
    ws: &str,
    created: &[(&PlannedGroup, &str)],
) -> Result<()> {
    let rows: Vec<[Param<'_>; 4]> = created
        .iter()
        .flat_map(|(g, id)| {
            let after = g.data.domains.len();
            g.data
                .website_domains
                .iter()
                .enumerate()
                .map(move |(i, d)| {
                    let position = Param::Int((after + i) as i64);
                    [ws.into(), (*id).into(), d.into(), position]
                })
        })
        .collect();
    let head = "INSERT INTO account_domains (workspace_id, account_id, domain, position) VALUES ";
    let tail = " ON CONFLICT (workspace_id, domain) WHERE archived_at IS NULL DO NOTHING";
    insert_rows(tx, head, tail, 4, &rows).await
}

/// A new account's tag links: its own tags (one entry per tag, the last value winning, as
/// for a single create) followed by the appended tags it does not have yet.
fn tag_links<'a>(
    g: &'a PlannedGroup,
    by_name: &'a HashMap<String, String>,
    append: &'a [String],
) -> Result<Vec<(&'a str, Option<&'a str>)>> {
    let named = |name: &str| {
        by_name
            .get(&name_sort_key(name))
            .map(String::as_str)
            .ok_or_else(|| Error::internal(format!("tag {name} was not created")))
    };
    let mut links: Vec<(&str, Option<&str>)> = Vec::with_capacity(g.data.tags.len());
    for tag in &g.data.tags {
        let tag_id = match &tag.key {
            TagKey::Id(id) => id.as_str(),
            TagKey::Name(name) => named(name)?,
        };
        links.retain(|(t, _)| *t != tag_id);
        links.push((tag_id, tag.value.as_deref()));
    }
    for name in append {
        let tag_id = named(name)?;
        if !links.iter().any(|(t, _)| *t == tag_id) {
            links.push((tag_id, None));
        }
    }
    Ok(links)
}

/// Tag ids by lowercased name for every tag name of the new accounts and of `append`,
/// creating the names the workspace does not have yet.
async fn resolve_tag_names<T: Tx>(
    tx: &mut T,
    ws: &str,
    created: &[(&PlannedGroup, &str)],
    append: &[String],
    now: i64,
) -> Result<HashMap<String, String>> {
    let mut names: HashMap<String, &str> = HashMap::new();
    let own = created.iter().flat_map(|(g, _)| &g.data.tags);
    let own = own.filter_map(|t| match &t.key {
        TagKey::Name(name) => Some(name.as_str()),
        TagKey::Id(_) => None,
    });
    for name in own.chain(append.iter().map(String::as_str)) {
        names.entry(name_sort_key(name)).or_insert(name);
    }
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let new_ids: Vec<String> = names.keys().map(|_| ids::new_id(ids::TAG)).collect();
    let rows: Vec<[Param<'_>; 5]> = names
        .iter()
        .zip(&new_ids)
        .map(|((key, name), id)| {
            [
                ws.into(),
                id.into(),
                (*name).into(),
                key.into(),
                Param::Int(now),
            ]
        })
        .collect();
    let head = "INSERT INTO tags (workspace_id, id, name, name_key, created_at) VALUES ";
    let tail = " ON CONFLICT (workspace_id, name_key) DO NOTHING";
    insert_rows(tx, head, tail, 5, &rows).await?;
    let keys: Vec<&str> = names.keys().map(String::as_str).collect();
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(IN_CHUNK) {
        let mut q = SqlBuilder::new("SELECT name_key, id FROM tags WHERE workspace_id = ");
        q.bind(ws).push(" AND name_key IN (");
        q.in_list_padded(chunk);
        q.push(")");
        for mut row in tx.query(&q.sql, &q.params).await? {
            out.insert(row.text(0)?, row.text(1)?);
        }
    }
    Ok(out)
}

/// The distinct ids of the matched accounts.
fn existing_ids(fates: &[Fate]) -> Vec<&str> {
    let mut seen = HashSet::new();
    fates
        .iter()
        .filter_map(|f| match f {
            Fate::Existing(id) => Some(id.as_str()),
            _ => None,
        })
        .filter(|id| seen.insert(*id))
        .collect()
}

/// Adds each appended tag to the matched accounts that lack it, after their own tags, one
/// statement per tag and batch of accounts; the accounts that gained a tag get a new version.
async fn append_tags<T: Tx>(
    tx: &mut T,
    ws: &str,
    actor: &str,
    accounts: &[&str],
    tag_ids: &HashMap<String, String>,
    append: &[String],
    now: i64,
) -> Result<()> {
    if accounts.is_empty() || append.is_empty() {
        return Ok(());
    }
    let mut changed: HashSet<String> = HashSet::new();
    for name in append {
        let tag_id = tag_ids
            .get(&name_sort_key(name))
            .ok_or_else(|| Error::internal(format!("tag {name} was not created")))?;
        for batch in batches(accounts, IN_CHUNK) {
            let mut q = SqlBuilder::new(
                "INSERT INTO account_tags (workspace_id, account_id, tag_id, value, position) \
                 SELECT CAST(",
            );
            q.bind(ws).push(" AS TEXT), v.column1, CAST(");
            q.bind(tag_id.as_str()).push(
                " AS TEXT), NULL, (SELECT COALESCE(MAX(x.position), -1) + 1 FROM account_tags x \
                 WHERE x.workspace_id = $1 AND x.account_id = v.column1) FROM ",
            );
            push_values(&mut q, batch, false);
            q.push(" WHERE true ON CONFLICT DO NOTHING RETURNING account_id");
            for mut row in tx.query(&q.sql, &q.params).await? {
                changed.insert(row.text(0)?);
            }
        }
    }
    let changed: Vec<&str> = changed.iter().map(String::as_str).collect();
    bump_versions(tx, ws, actor, &changed, now).await
}

/// A new version for each of the accounts. On PostgreSQL the rows are found by index probes
/// and updated by `ctid` (an `IN` list would scan the workspace, see [`lookup`]); a row that a
/// concurrent writer moved meanwhile is missed there, and the batch is redone by id.
async fn bump_versions<T: Tx>(
    tx: &mut T,
    ws: &str,
    actor: &str,
    ids: &[&str],
    now: i64,
) -> Result<()> {
    for chunk in ids.chunks(IN_CHUNK) {
        if tx.dialect() == Dialect::Postgres {
            let mut q = SqlBuilder::new(format!(
                "UPDATE accounts SET version = version + 1, updated_at = $1, {}, \
                 modified_by = $2 WHERE ctid = ANY(ARRAY(SELECT (SELECT a.ctid FROM accounts a \
                 WHERE a.workspace_id = $3 AND a.id = v.column1) FROM ",
                Dialect::Postgres.bump_activity("$1")
            ));
            q.params.extend([Param::Int(now), actor.into(), ws.into()]);
            push_values(&mut q, chunk, false);
            q.push("))");
            if tx.execute(&q.sql, &q.params).await? == chunk.len() as u64 {
                continue;
            }
        }
        let mut q = SqlBuilder::new("UPDATE accounts SET version = version + 1, updated_at = ");
        q.bind(now);
        q.push(", ").push(&tx.dialect().bump_activity("$1"));
        q.push(", modified_by = ").bind(actor);
        q.push(" WHERE workspace_id = ")
            .bind(ws)
            .push(" AND id IN (");
        q.in_list_padded(chunk);
        q.push(")");
        tx.execute(&q.sql, &q.params).await?;
    }
    Ok(())
}

/// Reads the accounts with these ids. PostgreSQL probes the primary key once per id (a
/// `LATERAL` subquery kept apart by `OFFSET 0`), for the reason given at [`lookup`]; SQLite
/// plans an `IN` list as probes by itself.
fn read_statement<'a>(d: Dialect, ws: &'a str, ids: &[&'a str]) -> SqlBuilder<'a> {
    let prefix = accounts::select_prefix(d);
    match d {
        Dialect::Sqlite => {
            let mut q = SqlBuilder::new(prefix);
            q.params.push(ws.into());
            q.push(" AND a.id IN (");
            q.in_list_padded(ids);
            q.push(")");
            q
        }
        Dialect::Postgres => {
            let mut q = SqlBuilder::new("SELECT s.* FROM ");
            q.params.push(ws.into());
            push_values(&mut q, ids, true);
            q.push(" CROSS JOIN LATERAL (")
                .push(prefix)
                .push(" AND a.id = v.column1 OFFSET 0) s");
            q
        }
    }
}

/// Reads the created and matched accounts back, one outcome per group.
async fn outcomes<T: Tx>(tx: &mut T, ws: &str, fates: Vec<Fate>) -> Result<BulkWritten> {
    let wanted = distinct(fates.iter().filter_map(|f| match f {
        Fate::Create(id) | Fate::Existing(id) => Some(id),
        Fate::Failed(_) => None,
    }));
    let mut read: HashMap<String, Account> = HashMap::with_capacity(wanted.len());
    for chunk in wanted.chunks(IN_CHUNK) {
        let q = read_statement(tx.dialect(), ws, chunk);
        for row in tx.query(&q.sql, &q.params).await? {
            let account = accounts::decode(row)?;
            read.insert(account.id.clone(), account);
        }
    }
    let missing = |id: &str| Error::internal(format!("bulk account {id} vanished"));
    let mut outcomes = Vec::with_capacity(fates.len());
    for fate in fates {
        outcomes.push(match fate {
            // A new id belongs to one group only; a matched account may be shared.
            Fate::Create(id) => {
                GroupOutcome::Created(read.remove(&id).ok_or_else(|| missing(&id))?)
            }
            Fate::Existing(id) => {
                GroupOutcome::Existing(read.get(&id).cloned().ok_or_else(|| missing(&id))?)
            }
            Fate::Failed(err) => GroupOutcome::Failed(err),
        });
    }
    Ok(BulkWritten { outcomes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_use_few_sizes() {
        let items: Vec<u32> = (0..2_500).collect();
        let sizes: Vec<usize> = batches(&items, 1024).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, vec![1024, 1024, 256, 128, 64, 4]);
        assert_eq!(rows_per_statement(24), 1024);
        assert_eq!(rows_per_statement(4), 4096);
    }
}
