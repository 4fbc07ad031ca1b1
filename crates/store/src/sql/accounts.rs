//! Account statements, shared by both stores. A write is one transaction: the account row, then
//! its domains, external refs, owners and tags as multi-row statements (never one per item).

use orgstore_core::error::Code;
use std::collections::HashMap;
use std::sync::OnceLock;

use orgstore_core::list::name_sort_key;
use orgstore_core::model::{Account, AccountData, AccountTag, TagKey, display_id};
use orgstore_core::store::{AccountChange, Guarded};
use orgstore_core::time::now_ms;
use orgstore_core::{Error, Result, ids};
use serde::de::DeserializeOwned;

use super::{Dialect, Param, Row, SqlBuilder, Tx, decode_error};

/// The columns of an account read, in the order [`decode`] takes them.
fn select_columns(d: Dialect) -> String {
    let domains = d.json_array_agg("x.domain", "x.position");
    let owners = d.json_array_agg("x.user_id", "x.position");
    let refs = d.json_array_agg("x.external_ref", "x.position");
    let tag = d.json_object("'id', t.id, 'name', t.name, 'value', x.value");
    let tags = d.json_array_agg(&tag, "x.position");
    let child = |agg: &str, table: &str| {
        format!(
            "(SELECT {agg} FROM {table} x WHERE x.workspace_id = a.workspace_id AND x.account_id = a.id)"
        )
    };
    format!(
        "a.id, a.workspace_id, a.display_number, a.name, a.description, a.websites, a.industry, \
         a.tier, a.company_size, a.number_of_employees, a.annual_revenue, a.stage, \
         a.phone_numbers, a.addresses, a.custom_fields, a.artifacts, a.remote_data, a.created_at, \
         a.updated_at, a.created_by, a.modified_by, a.last_activity_at, a.archived_at, a.version, \
         {}, {}, {}, \
         (SELECT {tags} FROM account_tags x JOIN tags t \
            ON t.workspace_id = x.workspace_id AND t.id = x.tag_id \
          WHERE x.workspace_id = a.workspace_id AND x.account_id = a.id), \
         {}",
        child(&domains, "account_domains"),
        child(&owners, "account_owners"),
        child(&refs, "account_external_refs"),
        related_counts(),
    )
}

/// The account's related-record counts, as correlated subqueries over the (workspace_id,
/// account_id[, status]) indexes: a page of accounts stays one statement, however long.
fn related_counts() -> &'static str {
    "(SELECT count(*) FROM contacts x WHERE x.workspace_id = a.workspace_id AND x.account_id = a.id), \
     (SELECT count(*) FROM opportunities x WHERE x.workspace_id = a.workspace_id AND x.account_id = a.id AND x.status = 'open'), \
     (SELECT count(*) FROM cases x WHERE x.workspace_id = a.workspace_id AND x.account_id = a.id AND x.status = 'open')"
}

/// `SELECT <account columns> FROM accounts a WHERE a.workspace_id = $1`, built once per
/// dialect: reads are the hot path, and the statement text never changes.
pub(super) fn select_prefix(d: Dialect) -> &'static str {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static POSTGRES: OnceLock<String> = OnceLock::new();
    let cell = match d {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    };
    cell.get_or_init(|| {
        format!(
            "SELECT {} FROM accounts a WHERE a.workspace_id = $1",
            select_columns(d)
        )
    })
}

fn json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| decode_error(what, e))
}

pub(super) fn decode<R: Row>(mut r: R) -> Result<Account> {
    let remote_data = r.opt_text(16)?;
    let tags: Vec<AccountTag> = json("tags", &r.text(27)?)?;
    Ok(Account {
        id: r.text(0)?,
        workspace_id: r.text(1)?,
        display_id: display_id(r.int(2)?),
        name: r.text(3)?,
        description: r.opt_text(4)?,
        websites: json("websites", &r.text(5)?)?,
        industry: r.opt_text(6)?,
        tier: r.opt_text(7)?,
        company_size: r.opt_text(8)?,
        number_of_employees: r.opt_int(9)?,
        annual_revenue: r.opt_decimal(10)?,
        stage: r.opt_text(11)?,
        phone_numbers: json("phone_numbers", &r.text(12)?)?,
        addresses: json("addresses", &r.text(13)?)?,
        custom_fields: json("custom_fields", &r.text(14)?)?,
        artifacts: json("artifacts", &r.text(15)?)?,
        remote_data: remote_data.map(|t| json("remote_data", &t)).transpose()?,
        created_at: r.int(17)?,
        updated_at: r.int(18)?,
        created_by: r.opt_text(19)?,
        modified_by: r.opt_text(20)?,
        last_activity_at: r.opt_int(21)?,
        archived_at: r.opt_int(22)?,
        version: r.int(23)?,
        domains: json("domains", &r.text(24)?)?,
        owners: json("owners", &r.text(25)?)?,
        external_refs: json("external_refs", &r.text(26)?)?,
        tags,
        contact_count: r.int(28)?,
        open_opportunity_count: r.int(29)?,
        open_case_count: r.int(30)?,
    })
}

pub async fn get<T: Tx>(tx: &mut T, ws: &str, id: &str) -> Result<Option<Account>> {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static POSTGRES: OnceLock<String> = OnceLock::new();
    let d = tx.dialect();
    let cell = match d {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    };
    let sql = cell.get_or_init(|| format!("{} AND a.id = $2", select_prefix(d)));
    let rows = tx.query(sql, &[ws.into(), id.into()]).await?;
    rows.into_iter().next().map(decode).transpose()
}

/// The writable columns of the account row, serialized, in [`WRITABLE_COLUMNS`] order.
pub(super) struct Encoded {
    name_key: String,
    websites: String,
    phone_numbers: String,
    addresses: String,
    custom_fields: String,
    artifacts: String,
    remote_data: Option<String>,
    search_text: String,
}

pub(super) const WRITABLE_COLUMNS: [&str; 16] = [
    "name",
    "name_key",
    "description",
    "websites",
    "industry",
    "tier",
    "company_size",
    "number_of_employees",
    "annual_revenue",
    "stage",
    "phone_numbers",
    "addresses",
    "custom_fields",
    "artifacts",
    "remote_data",
    "search_text",
];

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(Error::internal)
}

impl Encoded {
    pub(super) fn new(data: &AccountData) -> Result<Self> {
        Ok(Encoded {
            name_key: name_sort_key(&data.name),
            websites: to_json(&data.websites)?,
            phone_numbers: to_json(&data.phone_numbers)?,
            addresses: to_json(&data.addresses)?,
            custom_fields: to_json(&data.custom_fields)?,
            artifacts: to_json(&data.artifacts)?,
            remote_data: data.remote_data.as_ref().map(to_json).transpose()?,
            search_text: search_text(data),
        })
    }

    pub(super) fn params<'a>(&'a self, data: &'a AccountData) -> [Param<'a>; 16] {
        [
            (&data.name).into(),
            (&self.name_key).into(),
            data.description.as_ref().into(),
            (&self.websites).into(),
            data.industry.as_ref().into(),
            data.tier.as_ref().into(),
            data.company_size.as_ref().into(),
            data.number_of_employees.into(),
            data.annual_revenue.into(),
            data.stage.as_ref().into(),
            (&self.phone_numbers).into(),
            (&self.addresses).into(),
            (&self.custom_fields).into(),
            (&self.artifacts).into(),
            self.remote_data.as_ref().into(),
            (&self.search_text).into(),
        ]
    }
}

/// What substring search matches: the lowercased name, domains and website URLs, one per
/// line (so that a match never spans two of them).
pub fn search_text(data: &AccountData) -> String {
    let mut text = data.name.to_lowercase();
    for domain in &data.domains {
        text.push('\n');
        text.push_str(domain);
    }
    for website in &data.websites {
        text.push('\n');
        text.push_str(&website.url.to_lowercase());
    }
    text
}

pub async fn insert<T: Tx>(
    tx: &mut T,
    ws: &str,
    actor: &str,
    data: &AccountData,
) -> Result<Account> {
    check_references(tx, ws, data).await?;
    let number = next_display_number(tx, ws).await?;
    let id = ids::new_id(ids::ACCOUNT);
    let now = now_ms();
    let encoded = Encoded::new(data)?;
    let mut q = SqlBuilder::new("INSERT INTO accounts (workspace_id, id, display_number, ");
    q.push(&WRITABLE_COLUMNS.join(", "));
    q.push(
        ", created_at, updated_at, last_activity_at, created_by, modified_by, version) VALUES (",
    );
    q.bind(ws)
        .push(", ")
        .bind(id.as_str())
        .push(", ")
        .bind(number);
    for p in encoded.params(data) {
        q.push(", ").bind(p);
    }
    q.push(", ").bind(data.created_at.unwrap_or(now));
    q.push(", ").bind(now).push(", ").bind(now);
    q.push(", ").bind(actor).push(", ").bind(actor).push(", 1)");
    tx.execute(&q.sql, &q.params).await?;
    write_children(tx, ws, &id, data, None).await?;
    get(tx, ws, &id)
        .await?
        .ok_or_else(|| Error::internal("inserted account vanished"))
}

pub async fn update<T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    expected_version: i64,
    actor: &str,
    data: &AccountData,
) -> Result<Guarded<Account>> {
    let encoded = Encoded::new(data)?;
    let mut q = SqlBuilder::new("UPDATE accounts SET ");
    for (column, p) in WRITABLE_COLUMNS.iter().zip(encoded.params(data)) {
        q.push(column).push(" = ").bind(p).push(", ");
    }
    q.push("updated_at = ").bind(now_ms());
    let now = format!("${}", q.params.len());
    q.push(", ").push(&tx.dialect().bump_activity(&now));
    q.push(", modified_by = ").bind(actor);
    q.push(", version = version + 1 WHERE workspace_id = ")
        .bind(ws);
    q.push(" AND id = ").bind(id);
    q.push(" AND version = ").bind(expected_version);
    q.push(" RETURNING archived_at");
    let Some(mut updated) = tx.query(&q.sql, &q.params).await?.pop() else {
        return Ok(match current_version(tx, ws, id).await? {
            Some(current_version) => Guarded::Stale { current_version },
            None => Guarded::NotFound,
        });
    };
    let archived_at = updated.opt_int(0)?;
    check_references(tx, ws, data).await?;
    delete_children(tx, ws, id).await?;
    write_children(tx, ws, id, data, archived_at).await?;
    let account = get(tx, ws, id)
        .await?
        .ok_or_else(|| Error::internal("updated account vanished"))?;
    Ok(Guarded::Done(account))
}

/// Reads, changes and writes the account in the caller's write transaction. PostgreSQL locks
/// the row first; SQLite's write transaction already excludes other writers.
pub async fn modify<T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    expected_version: Option<i64>,
    actor: &str,
    change: AccountChange,
) -> Result<Guarded<Account>> {
    if tx.dialect() == Dialect::Postgres {
        tx.query(
            "SELECT 1 FROM accounts WHERE workspace_id = $1 AND id = $2 FOR UPDATE",
            &[ws.into(), id.into()],
        )
        .await?;
    }
    let Some(current) = get(tx, ws, id).await? else {
        return Ok(Guarded::NotFound);
    };
    if expected_version.is_some_and(|v| v != current.version) {
        return Ok(Guarded::Stale {
            current_version: current.version,
        });
    }
    let data = change(&current)?;
    update(tx, ws, id, current.version, actor, &data).await
}

const CHILD_TABLES: [&str; 4] = [
    "account_domains",
    "account_external_refs",
    "account_owners",
    "account_tags",
];

pub async fn delete<T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    expected_version: Option<i64>,
) -> Result<Guarded<()>> {
    let Some(current_version) = current_version(tx, ws, id).await? else {
        return Ok(Guarded::NotFound);
    };
    if expected_version.is_some_and(|v| v != current_version) {
        return Ok(Guarded::Stale { current_version });
    }
    delete_children(tx, ws, id).await?;
    tx.execute(
        "DELETE FROM accounts WHERE workspace_id = $1 AND id = $2",
        &[ws.into(), id.into()],
    )
    .await?;
    // Contacts, opportunities and cases outlive their account, unlinked.
    super::related::unlink_all(tx, ws, id).await?;
    Ok(Guarded::Done(()))
}

pub(super) async fn delete_children<T: Tx>(tx: &mut T, ws: &str, id: &str) -> Result<()> {
    for table in CHILD_TABLES {
        let sql = format!("DELETE FROM {table} WHERE workspace_id = $1 AND account_id = $2");
        tx.execute(&sql, &[ws.into(), id.into()]).await?;
    }
    // Unique custom values are claimed again by the write that follows, if any.
    super::schema::release_values(tx, ws, id).await?;
    Ok(())
}

pub(super) async fn current_version<T: Tx>(tx: &mut T, ws: &str, id: &str) -> Result<Option<i64>> {
    let rows = tx
        .query(
            "SELECT version FROM accounts WHERE workspace_id = $1 AND id = $2",
            &[ws.into(), id.into()],
        )
        .await?;
    rows.into_iter().next().map(|mut r| r.int(0)).transpose()
}

async fn next_display_number<T: Tx>(tx: &mut T, ws: &str) -> Result<i64> {
    let rows = tx
        .query(
            "UPDATE workspaces SET account_seq = account_seq + 1 WHERE id = $1 RETURNING account_seq",
            &[ws.into()],
        )
        .await?;
    rows.into_iter()
        .next()
        .ok_or_else(|| Error::internal(format!("workspace {ws} is missing")))?
        .int(0)
}

/// The stage and owners must exist in the workspace; a 400 names the first that does not.
async fn check_references<T: Tx>(tx: &mut T, ws: &str, data: &AccountData) -> Result<()> {
    // Locks the rows found, so that a stage or user delete cannot commit before this write.
    let key_share = super::directory::key_share(tx.dialect());
    if let Some(stage) = &data.stage {
        super::directory::check_stage_exists(tx, ws, stage).await?;
    }
    if !data.owners.is_empty() {
        let mut q = SqlBuilder::new("SELECT id FROM users WHERE workspace_id = ");
        q.bind(ws)
            .push(" AND id IN (")
            .in_list(&data.owners)
            .push(")")
            .push(key_share);
        let mut found = Vec::new();
        for mut row in tx.query(&q.sql, &q.params).await? {
            found.push(row.text(0)?);
        }
        if let Some((i, missing)) = data
            .owners
            .iter()
            .enumerate()
            .find(|(_, o)| !found.contains(o))
        {
            return Err(Error::invalid_value(
                format!("owners[{i}]"),
                missing.as_str(),
                format!("{missing} is not a user of this workspace"),
            ));
        }
    }
    Ok(())
}

/// Writes the account's domains, external refs, owners and tags. An archived account's
/// domains and refs are written archived: they claim nothing.
async fn write_children<T: Tx>(
    tx: &mut T,
    ws: &str,
    id: &str,
    data: &AccountData,
    archived_at: Option<i64>,
) -> Result<()> {
    let claim = |kind| Claim {
        ws,
        id,
        kind,
        archived_at,
    };
    claim_unique(tx, claim(UniqueKind::Domain), &data.domains).await?;
    claim_website_domains(tx, claim(UniqueKind::Domain), data).await?;
    claim_unique(tx, claim(UniqueKind::ExternalRef), &data.external_refs).await?;
    // Unique custom values, like domains, are held by live accounts only.
    if archived_at.is_none() {
        let accounts = orgstore_core::schema::SchemaObject::Accounts;
        super::schema::claim_values(tx, ws, accounts, id, &data.custom_fields).await?;
    }
    if !data.owners.is_empty() {
        let mut q = SqlBuilder::new(
            "INSERT INTO account_owners (workspace_id, account_id, user_id, position) VALUES ",
        );
        q.values_rows(
            data.owners
                .iter()
                .enumerate()
                .map(|(i, o)| [ws.into(), id.into(), o.into(), Param::Int(i as i64)]),
        );
        tx.execute(&q.sql, &q.params).await?;
    }
    write_tags(tx, ws, id, data).await
}

#[derive(Clone, Copy)]
pub(super) enum UniqueKind {
    Domain,
    ExternalRef,
}

impl UniqueKind {
    pub(super) fn table(self) -> &'static str {
        match self {
            UniqueKind::Domain => "account_domains",
            UniqueKind::ExternalRef => "account_external_refs",
        }
    }

    pub(super) fn column(self) -> &'static str {
        match self {
            UniqueKind::Domain => "domain",
            UniqueKind::ExternalRef => "external_ref",
        }
    }

    pub(super) fn conflict(self, field: String, value: &str, holder: Option<String>) -> Error {
        let (code, what) = match self {
            UniqueKind::Domain => (Code::DomainConflict, "domain"),
            UniqueKind::ExternalRef => (Code::ExternalRefConflict, "external ref"),
        };
        let by = holder
            .as_deref()
            .map_or_else(String::new, |h| format!(" by account {h}"));
        Error::Conflict {
            code,
            message: format!("{what} {value} is already used{by}"),
            field: Some(field),
            value: Some(value.into()),
            existing_id: holder,
        }
    }
}

/// Where [`claim_unique`] writes.
#[derive(Clone, Copy)]
pub(super) struct Claim<'a> {
    pub ws: &'a str,
    pub id: &'a str,
    pub kind: UniqueKind,
    /// Set for an archived account: its values are kept but claim nothing.
    pub archived_at: Option<i64>,
}

/// Inserts the values into their table, where a unique index over the live accounts of the
/// workspace decides who holds each: the database, not a read-then-write, so that two servers
/// racing on one PostgreSQL cannot both win. A value another account holds is a 409 naming it.
pub(super) async fn claim_unique<T: Tx>(
    tx: &mut T,
    claim: Claim<'_>,
    values: &[String],
) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    let Claim {
        ws,
        id,
        kind,
        archived_at,
    } = claim;
    let (table, column) = (kind.table(), kind.column());
    let mut q = SqlBuilder::new(format!(
        "INSERT INTO {table} (workspace_id, account_id, {column}, position, archived_at) VALUES "
    ));
    q.values_rows(values.iter().enumerate().map(|(i, v)| {
        [
            ws.into(),
            id.into(),
            v.into(),
            Param::Int(i as i64),
            archived_at.into(),
        ]
    }));
    if archived_at.is_some() {
        tx.execute(&q.sql, &q.params).await?;
        return Ok(());
    }
    q.push(&format!(
        " ON CONFLICT (workspace_id, {column}) WHERE archived_at IS NULL DO NOTHING RETURNING {column}"
    ));
    let mut claimed = Vec::with_capacity(values.len());
    for mut row in tx.query(&q.sql, &q.params).await? {
        claimed.push(row.text(0)?);
    }
    let Some((i, taken)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| !claimed.contains(v))
    else {
        return Ok(());
    };
    let sql = format!(
        "SELECT account_id FROM {table} WHERE workspace_id = $1 AND {column} = $2 AND archived_at IS NULL"
    );
    let holder = match tx.query(&sql, &[ws.into(), taken.into()]).await?.pop() {
        Some(mut row) => Some(row.text(0)?),
        None => None,
    };
    let field = match kind {
        UniqueKind::Domain => format!("domains[{i}]"),
        UniqueKind::ExternalRef => format!("external_refs[{i}]"),
    };
    Err(kind.conflict(field, taken, holder))
}

/// Adds the hosts of the account's websites to its domains, after its own, where no other
/// live account holds them: a taken host is left out, never an error.
async fn claim_website_domains<T: Tx>(
    tx: &mut T,
    claim: Claim<'_>,
    data: &AccountData,
) -> Result<()> {
    if data.website_domains.is_empty() {
        return Ok(());
    }
    let Claim {
        ws,
        id,
        archived_at,
        ..
    } = claim;
    let after = data.domains.len();
    let mut q = SqlBuilder::new(
        "INSERT INTO account_domains (workspace_id, account_id, domain, position, archived_at) VALUES ",
    );
    q.values_rows(data.website_domains.iter().enumerate().map(|(i, d)| {
        [
            ws.into(),
            id.into(),
            d.into(),
            Param::Int((after + i) as i64),
            archived_at.into(),
        ]
    }));
    if archived_at.is_none() {
        q.push(" ON CONFLICT (workspace_id, domain) WHERE archived_at IS NULL DO NOTHING");
    }
    tx.execute(&q.sql, &q.params).await?;
    Ok(())
}

/// Resolves tag names (creating missing ones) and ids, then links them with their values.
async fn write_tags<T: Tx>(tx: &mut T, ws: &str, id: &str, data: &AccountData) -> Result<()> {
    if data.tags.is_empty() {
        return Ok(());
    }
    let by_name = resolve_tag_names(tx, ws, data).await?;
    check_tag_ids(tx, ws, data).await?;
    // Two entries naming one tag (by name and by id) keep the last value.
    let mut links: Vec<(&str, Option<&str>)> = Vec::with_capacity(data.tags.len());
    for tag in &data.tags {
        let tag_id = match &tag.key {
            TagKey::Id(tag_id) => tag_id.as_str(),
            TagKey::Name(name) => by_name
                .get(&name_sort_key(name))
                .map(String::as_str)
                .ok_or_else(|| Error::internal(format!("tag {name} was not created")))?,
        };
        links.retain(|(t, _)| *t != tag_id);
        links.push((tag_id, tag.value.as_deref()));
    }
    let mut q = SqlBuilder::new(
        "INSERT INTO account_tags (workspace_id, account_id, tag_id, value, position) VALUES ",
    );
    q.values_rows(links.iter().enumerate().map(|(i, (tag_id, value))| {
        [
            ws.into(),
            id.into(),
            (*tag_id).into(),
            (*value).into(),
            Param::Int(i as i64),
        ]
    }));
    tx.execute(&q.sql, &q.params).await?;
    Ok(())
}

/// Tag ids by lowercased name, creating the names the workspace does not have yet.
async fn resolve_tag_names<T: Tx>(
    tx: &mut T,
    ws: &str,
    data: &AccountData,
) -> Result<HashMap<String, String>> {
    let mut names: Vec<(String, &str)> = Vec::new();
    for tag in &data.tags {
        if let TagKey::Name(name) = &tag.key {
            let key = name_sort_key(name);
            if !names.iter().any(|(k, _)| *k == key) {
                names.push((key, name));
            }
        }
    }
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let now = now_ms();
    let mut q =
        SqlBuilder::new("INSERT INTO tags (workspace_id, id, name, name_key, created_at) VALUES ");
    q.values_rows(names.iter().map(|(key, name)| {
        [
            ws.into(),
            Param::Owned(ids::new_id(ids::TAG)),
            (*name).into(),
            key.into(),
            Param::Int(now),
        ]
    }));
    q.push(" ON CONFLICT (workspace_id, name_key) DO NOTHING");
    tx.execute(&q.sql, &q.params).await?;

    let mut q = SqlBuilder::new("SELECT name_key, id FROM tags WHERE workspace_id = ");
    q.bind(ws)
        .push(" AND name_key IN (")
        .in_list(names.iter().map(|(k, _)| k))
        .push(")");
    let mut out = HashMap::with_capacity(names.len());
    for mut row in tx.query(&q.sql, &q.params).await? {
        out.insert(row.text(0)?, row.text(1)?);
    }
    Ok(out)
}

async fn check_tag_ids<T: Tx>(tx: &mut T, ws: &str, data: &AccountData) -> Result<()> {
    let wanted: Vec<(usize, &String)> = data
        .tags
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match &t.key {
            TagKey::Id(id) => Some((i, id)),
            TagKey::Name(_) => None,
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut q = SqlBuilder::new("SELECT id FROM tags WHERE workspace_id = ");
    q.bind(ws)
        .push(" AND id IN (")
        .in_list(wanted.iter().map(|(_, id)| *id))
        .push(")");
    let mut found = Vec::new();
    for mut row in tx.query(&q.sql, &q.params).await? {
        found.push(row.text(0)?);
    }
    match wanted.iter().find(|(_, id)| !found.contains(id)) {
        Some((i, id)) => Err(Error::invalid_value(
            format!("tags[{i}].id"),
            id.as_str(),
            format!("{id} is not a tag of this workspace"),
        )),
        None => Ok(()),
    }
}
