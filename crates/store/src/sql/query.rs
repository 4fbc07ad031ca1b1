//! Compiles an [`AccountQuery`] to parameterized SQL for each dialect. Client values are only
//! ever bound (`$n`); the SQL text comes from this file and the field names of the query
//! language, never from a request.
//!
//! Every leaf compiles to a two-valued expression (never NULL), so that `NOT (...)` of a leaf is
//! its exact complement: nullable columns are guarded with `IS NOT NULL AND ...`, custom-field
//! comparisons are wrapped in `COALESCE(..., FALSE)`, list fields are `EXISTS` subqueries.
//!
//! Text ordering is bytewise on both databases: SQLite compares text in binary, and PostgreSQL
//! gets `COLLATE "C"` wherever text is sorted or compared by order.

use orgstore_core::model::Account;
use orgstore_core::query::{
    AccountQuery, Compare, Condition, CustomKind, Field, Filter, Order, Pattern, Scalar, Scan,
    SortKey,
};
use orgstore_core::schema::FieldKey;
use orgstore_core::{Error, Result};

use super::accounts::{decode, select_prefix};
use super::{Dialect, Param, Row, SqlBuilder, Tx};

/// The accounts of one page of the query, read as its [`Scan`] says.
pub async fn run<T: Tx>(tx: &mut T, ws: &str, query: &AccountQuery) -> Result<Vec<Account>> {
    let d = tx.dialect();
    let scan = query.scan();
    let mut q = SqlBuilder::new(select_prefix(d));
    q.params.push(ws.into());
    let pick_first = d == Dialect::Sqlite && !index_ordered(query);
    if pick_first {
        q.push(" AND a.rowid IN (SELECT a.rowid FROM accounts a WHERE a.workspace_id = $1");
    }
    selection(&mut q, d, query)?;
    let order_by = order_and_page(&mut q, d, query, &scan)?;
    if pick_first {
        q.push(") ORDER BY ").push(&order_by);
    }
    let rows = tx.query(&q.sql, &q.params).await?;
    rows.into_iter().map(decode).collect()
}

/// Whether the rows come in the query's order from an index on `(workspace_id, key, id)`, so
/// that SQLite reads just the page's rows. Otherwise SQLite builds every selected column (four
/// correlated JSON subqueries) of every matching row before it sorts (a search matching
/// thousands of rows built thousands of accounts to return twenty), so it picks the page's
/// rowids first and reads only those; that costs an index-ordered page 10-25% more, measured.
fn index_ordered(query: &AccountQuery) -> bool {
    let Order::Keys(keys) = &query.order else {
        return false;
    };
    let indexed = |key: &SortKey| {
        matches!(
            key.field,
            Field::System(
                FieldKey::Id | FieldKey::Name | FieldKey::CreatedAt | FieldKey::UpdatedAt
            )
        )
    };
    query.search.is_none() && keys.len() == 1 && keys.iter().all(indexed)
}

/// How many accounts the query selects, whatever its order and page.
pub async fn count<T: Tx>(tx: &mut T, ws: &str, query: &AccountQuery) -> Result<u64> {
    let d = tx.dialect();
    let mut q = SqlBuilder::new("SELECT count(*) FROM accounts a WHERE a.workspace_id = $1");
    q.params.push(ws.into());
    selection(&mut q, d, query)?;
    let mut rows = tx.query(&q.sql, &q.params).await?;
    let n = match rows.first_mut() {
        Some(row) => row.int(0)?,
        None => 0,
    };
    u64::try_from(n).map_err(|_| Error::internal(format!("a negative count {n}")))
}

/// The conditions after `workspace_id = $1`: archived accounts, the filter, the search term.
fn selection<'a>(q: &mut SqlBuilder<'a>, d: Dialect, query: &'a AccountQuery) -> Result<()> {
    if !query.include_archived {
        q.push(" AND a.archived_at IS NULL");
    }
    if let Some(filter) = &query.filter {
        q.push(" AND ");
        filter_sql(q, d, filter)?;
    }
    if let Some(term) = &query.search {
        q.push(" AND ");
        search_match(q, d, term);
    }
    Ok(())
}

/// Binds a value and returns its placeholder, for expressions that use it more than once.
fn param<'a>(q: &mut SqlBuilder<'a>, value: impl Into<Param<'a>>) -> String {
    q.params.push(value.into());
    format!("${}", q.params.len())
}

/// `%` and `_` match literally after a backslash; every LIKE here says `ESCAPE '\'`.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn like_pattern(text: &str, pattern: Pattern) -> String {
    let text = escape_like(text);
    match pattern {
        Pattern::Contains => format!("%{text}%"),
        Pattern::StartsWith => format!("{text}%"),
        Pattern::EndsWith => format!("%{text}"),
    }
}

/// The case-insensitive LIKE of the dialect, for columns that are not already lowercase.
/// (SQLite's LIKE folds ASCII case; PostgreSQL's ILIKE folds all of Unicode.)
fn like_op(d: Dialect, lowercase_column: bool) -> &'static str {
    match (d, lowercase_column) {
        (Dialect::Postgres, false) => "ILIKE",
        _ => "LIKE",
    }
}

fn filter_sql<'a>(q: &mut SqlBuilder<'a>, d: Dialect, filter: &'a Filter) -> Result<()> {
    match filter {
        Filter::And(items) => join(q, d, items, " AND "),
        Filter::Or(items) => join(q, d, items, " OR "),
        Filter::Not(inner) => {
            q.push("NOT (");
            filter_sql(q, d, inner)?;
            q.push(")");
            Ok(())
        }
        Filter::Leaf { field, condition } => leaf_sql(q, d, field, condition),
    }
}

fn join<'a>(q: &mut SqlBuilder<'a>, d: Dialect, items: &'a [Filter], sep: &str) -> Result<()> {
    q.push("(");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            q.push(sep);
        }
        filter_sql(q, d, item)?;
    }
    q.push(")");
    Ok(())
}

fn leaf_sql<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    field: &'a Field,
    condition: &'a Condition,
) -> Result<()> {
    if let Some(col) = column(d, field) {
        return column_leaf(q, d, &col, condition);
    }
    if let Some(table) = list_table(d, field) {
        return list_leaf(q, d, &table, condition);
    }
    match field {
        Field::Custom(key, kind) => custom_leaf(q, d, key, *kind, condition),
        other => Err(Error::internal(format!(
            "no SQL for the field {}",
            other.name()
        ))),
    }
}

/// A column of `accounts` as the query language sees it.
struct Column {
    expr: &'static str,
    nullable: bool,
    text: bool,
    /// Holds lowercase keys, compared with lowercased values (name).
    lowercase: bool,
}

impl Column {
    /// The expression for ordering: bytewise for text.
    fn ordered(&self, d: Dialect) -> String {
        match (d, self.text) {
            (Dialect::Postgres, true) => format!("{} COLLATE \"C\"", self.expr),
            _ => self.expr.to_string(),
        }
    }
}

fn column(d: Dialect, field: &Field) -> Option<Column> {
    let col = |expr, nullable, text| Column {
        expr,
        nullable,
        text,
        lowercase: false,
    };
    let Field::System(key) = field else {
        return None;
    };
    Some(match key {
        FieldKey::Id => col("a.id", false, true),
        FieldKey::DisplayId => col("a.display_number", false, false),
        FieldKey::Name => Column {
            lowercase: true,
            ..col("a.name_key", false, true)
        },
        FieldKey::Description => col("a.description", true, true),
        FieldKey::Industry => col("a.industry", true, true),
        FieldKey::Tier => col("a.tier", true, true),
        FieldKey::CompanySize => col("a.company_size", true, true),
        FieldKey::Stage => col("a.stage", true, true),
        FieldKey::CreatedBy => col("a.created_by", true, true),
        FieldKey::ModifiedBy => col("a.modified_by", true, true),
        FieldKey::NumberOfEmployees => col("a.number_of_employees", true, false),
        // SQLite keeps decimals as exact text; compare them as numbers.
        FieldKey::AnnualRevenue => match d {
            Dialect::Sqlite => col("CAST(a.annual_revenue AS REAL)", true, false),
            Dialect::Postgres => col("a.annual_revenue", true, false),
        },
        FieldKey::CreatedAt => col("a.created_at", false, false),
        FieldKey::UpdatedAt => col("a.updated_at", false, false),
        FieldKey::ArchivedAt => col("a.archived_at", true, false),
        FieldKey::LastActivityAt => col("a.last_activity_at", true, false),
        _ => return None,
    })
}

/// A bound value as an SQL operand of the column types above.
fn value_sql<'a>(q: &mut SqlBuilder<'a>, d: Dialect, value: &'a Scalar) -> String {
    match value {
        Scalar::Text(s) => param(q, s.as_str()),
        Scalar::Int(n) => param(q, *n),
        Scalar::Decimal(x) => {
            let p = param(q, *x);
            match d {
                Dialect::Sqlite => format!("CAST({p} AS REAL)"),
                Dialect::Postgres => p,
            }
        }
        Scalar::Bool(b) => param(q, if *b { "true" } else { "false" }),
    }
}

fn values_sql<'a>(q: &mut SqlBuilder<'a>, d: Dialect, values: &'a [Scalar]) -> String {
    values
        .iter()
        .map(|v| value_sql(q, d, v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `lhs <op> rhs` for one comparison, a list, or a pattern; `lhs` is typed and never NULL
/// when this is reached (callers guard).
fn comparison<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    lhs: &str,
    ordered_lhs: &str,
    lowercase: bool,
    condition: &'a Condition,
) -> Result<String> {
    Ok(match condition {
        Condition::Compare(Compare::Eq, v) => format!("{lhs} = {}", value_sql(q, d, v)),
        Condition::Compare(cmp, v) => {
            format!("{ordered_lhs} {} {}", cmp.sql(), value_sql(q, d, v))
        }
        Condition::Between(low, high) => format!(
            "({ordered_lhs} >= {} AND {ordered_lhs} <= {})",
            value_sql(q, d, low),
            value_sql(q, d, high)
        ),
        Condition::In(values) => format!("{lhs} IN ({})", values_sql(q, d, values)),
        Condition::Like { text, pattern } => format!(
            "{lhs} {} {} ESCAPE '\\'",
            like_op(d, lowercase),
            param(q, like_pattern(text, *pattern))
        ),
        Condition::Exists => return Err(Error::internal("exists is not a comparison")),
    })
}

fn column_leaf<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    col: &Column,
    condition: &'a Condition,
) -> Result<()> {
    if *condition == Condition::Exists {
        q.push(&format!("{} IS NOT NULL", col.expr));
        return Ok(());
    }
    let cmp = comparison(q, d, col.expr, &col.ordered(d), col.lowercase, condition)?;
    if col.nullable {
        q.push(&format!("({} IS NOT NULL AND {cmp})", col.expr));
    } else {
        q.push(&format!("({cmp})"));
    }
    Ok(())
}

/// A list field: its elements are rows of a child table (or of the account's JSON array),
/// aliased `x`.
struct ListTable {
    from: String,
    column: &'static str,
    lowercase: bool,
    /// A child table, joined to the account by workspace and id (a JSON array needs not).
    child: bool,
}

fn list_table(d: Dialect, field: &Field) -> Option<ListTable> {
    let table = |from: &str, column, lowercase| ListTable {
        from: from.to_string(),
        column,
        lowercase,
        child: true,
    };
    Some(match field {
        Field::System(FieldKey::Domains) => table("account_domains x", "x.domain", true),
        Field::System(FieldKey::Owners) => table("account_owners x", "x.user_id", false),
        Field::System(FieldKey::ExternalRefs) => {
            table("account_external_refs x", "x.external_ref", false)
        }
        Field::System(FieldKey::Tags) => table(
            "account_tags x JOIN tags t ON t.workspace_id = x.workspace_id AND t.id = x.tag_id",
            "t.name_key",
            true,
        ),
        Field::TagId => table("account_tags x", "x.tag_id", false),
        // The URLs of the website objects the account row keeps as JSON text.
        Field::System(FieldKey::Websites) => match d {
            Dialect::Sqlite => ListTable {
                from: "json_each(a.websites) x".into(),
                // `->> 'url'` rather than a '$.url' path: `$` marks placeholders here.
                column: "(x.value ->> 'url')",
                lowercase: false,
                child: false,
            },
            Dialect::Postgres => ListTable {
                from: "jsonb_array_elements(a.websites::jsonb) AS x(value)".into(),
                column: "(x.value ->> 'url')",
                lowercase: false,
                child: false,
            },
        },
        _ => return None,
    })
}

/// `EXISTS` an element satisfying the condition.
fn list_leaf<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    table: &ListTable,
    condition: &'a Condition,
) -> Result<()> {
    let mut tests = Vec::new();
    if table.child {
        tests.push("x.workspace_id = a.workspace_id AND x.account_id = a.id".to_string());
    }
    match condition {
        Condition::Exists => {}
        Condition::Compare(Compare::Eq, _) | Condition::In(_) | Condition::Like { .. } => {
            tests.push(comparison(
                q,
                d,
                table.column,
                table.column,
                table.lowercase,
                condition,
            )?);
        }
        Condition::Compare(..) | Condition::Between(..) => {
            return Err(Error::internal("list fields are not ordered"));
        }
    }
    q.push(&format!("EXISTS (SELECT 1 FROM {}", table.from));
    if !tests.is_empty() {
        q.push(" WHERE ").push(&tests.join(" AND "));
    }
    q.push(")");
    Ok(())
}

/// The JSON type a custom field's stored values have, from its definition.
#[derive(Clone, Copy)]
enum JsonKind {
    Number,
    Text,
    Bool,
}

fn json_kind(kind: CustomKind) -> JsonKind {
    match kind {
        CustomKind::Number => JsonKind::Number,
        CustomKind::Bool => JsonKind::Bool,
        CustomKind::Text
        | CustomKind::Keyword
        | CustomKind::Chrono { .. }
        | CustomKind::Options => JsonKind::Text,
    }
}

/// How one custom field is reached: the bound key or JSON path, used by every expression.
struct CustomRef {
    dialect: Dialect,
    /// A placeholder: the JSON path `$."key"` (SQLite) or the key (PostgreSQL).
    key: String,
}

impl CustomRef {
    fn new<'a>(q: &mut SqlBuilder<'a>, d: Dialect, key: &'a str) -> Self {
        // Keys are letters, digits, '_' and '-' (checked when the query is parsed), so the
        // quoted path is always well formed; it is bound, not spliced, all the same.
        let key = match d {
            Dialect::Sqlite => param(q, format!("$.\"{key}\"")),
            Dialect::Postgres => param(q, key),
        };
        CustomRef { dialect: d, key }
    }

    /// The JSON type name of the value, NULL when the key is missing.
    fn type_of(&self) -> String {
        match self.dialect {
            Dialect::Sqlite => format!("json_type(a.custom_fields, {})", self.key),
            Dialect::Postgres => {
                format!("jsonb_typeof(a.custom_fields::jsonb -> {}::text)", self.key)
            }
        }
    }

    /// The value as SQL of `kind`, NULL when it is missing or of another JSON type. The CASE
    /// guarantees that a text value is never cast to a number.
    fn typed(&self, kind: JsonKind) -> String {
        let t = self.type_of();
        match (self.dialect, kind) {
            (Dialect::Sqlite, JsonKind::Number) => format!(
                "CASE WHEN {t} IN ('integer', 'real') THEN json_extract(a.custom_fields, {}) END",
                self.key
            ),
            (Dialect::Sqlite, JsonKind::Text) => format!(
                "CASE WHEN {t} = 'text' THEN json_extract(a.custom_fields, {}) END",
                self.key
            ),
            // json_type says 'true' or 'false', which is what the bound value reads.
            (Dialect::Sqlite, JsonKind::Bool) => {
                format!("CASE WHEN {t} IN ('true', 'false') THEN {t} END")
            }
            (Dialect::Postgres, JsonKind::Number) => format!(
                "CASE WHEN {t} = 'number' THEN (a.custom_fields::jsonb ->> {}::text)::numeric END",
                self.key
            ),
            (Dialect::Postgres, JsonKind::Text) => format!(
                "CASE WHEN {t} = 'string' THEN a.custom_fields::jsonb ->> {}::text END",
                self.key
            ),
            (Dialect::Postgres, JsonKind::Bool) => format!(
                "CASE WHEN {t} = 'boolean' THEN a.custom_fields::jsonb ->> {}::text END",
                self.key
            ),
        }
    }

    fn ordered(&self, kind: JsonKind) -> String {
        match (self.dialect, kind) {
            (Dialect::Postgres, JsonKind::Text) => format!("({}) COLLATE \"C\"", self.typed(kind)),
            _ => self.typed(kind),
        }
    }
}

fn custom_leaf<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    key: &'a str,
    custom: CustomKind,
    condition: &'a Condition,
) -> Result<()> {
    let field = CustomRef::new(q, d, key);
    if let Condition::Exists = condition {
        q.push(&format!("COALESCE({}, 'null') <> 'null'", field.type_of()));
        return Ok(());
    }
    if custom == CustomKind::Options {
        return options_leaf(q, d, &field, condition);
    }
    let kind = json_kind(custom);
    let cmp = comparison(
        q,
        d,
        &field.typed(kind),
        &field.ordered(kind),
        false,
        condition,
    )?;
    q.push(&format!("COALESCE({cmp}, FALSE)"));
    Ok(())
}

/// A multi_select condition: some element of the stored array equals the value (or one of
/// the values).
fn options_leaf<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    field: &CustomRef,
    condition: &'a Condition,
) -> Result<()> {
    let (elements, element) = match d {
        Dialect::Sqlite => (
            format!("json_each(a.custom_fields, {})", field.key),
            "j.value",
        ),
        Dialect::Postgres => (
            format!(
                "jsonb_array_elements_text(CASE WHEN {t} = 'array' \
                 THEN a.custom_fields::jsonb -> {k}::text ELSE '[]'::jsonb END)",
                t = field.type_of(),
                k = field.key
            ),
            "j",
        ),
    };
    let test = match condition {
        Condition::Compare(Compare::Eq, v) => format!("{element} = {}", value_sql(q, d, v)),
        Condition::In(values) => format!("{element} IN ({})", values_sql(q, d, values)),
        _ => return Err(Error::internal("multi_select takes eq, in and exists")),
    };
    q.push(&format!("EXISTS (SELECT 1 FROM {elements} j WHERE {test})"));
    Ok(())
}

/// Substring match of the search text, served by the text index: FTS5 trigram in SQLite
/// (which needs 3 characters; shorter terms scan), pg_trgm's GIN index under LIKE in PostgreSQL.
fn search_match<'a>(q: &mut SqlBuilder<'a>, d: Dialect, term: &'a str) {
    match d {
        Dialect::Sqlite if term.chars().count() >= 3 => {
            let phrase = format!("\"{}\"", term.replace('"', "\"\""));
            q.push("a.rowid IN (SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH ")
                .bind(phrase)
                .push(")");
        }
        _ => {
            q.push("a.search_text LIKE ")
                .bind(like_pattern(term, Pattern::Contains))
                .push(" ESCAPE '\\'");
        }
    }
}

/// Relevance: 0 exact name, 1 name prefix, 2 another line (domain, website) starting with the
/// term, 3 any other substring match. Cheap per row: comparisons on columns already read.
fn rank_sql<'a>(q: &mut SqlBuilder<'a>, term: &'a str) -> String {
    let exact = param(q, term);
    let prefix = param(q, like_pattern(term, Pattern::StartsWith));
    let line = param(q, format!("%\n{}%", escape_like(term)));
    format!(
        "CASE WHEN a.name_key = {exact} THEN 0 \
         WHEN a.name_key LIKE {prefix} ESCAPE '\\' THEN 1 \
         WHEN a.search_text LIKE {line} ESCAPE '\\' THEN 2 ELSE 3 END"
    )
}

/// The direction of one sort expression. Missing values sort last ascending and first
/// descending; a column that always has a value says nothing of them, so that an index on it
/// can serve the order (SQLite cannot use one for a NULLS order other than its own).
fn direction(descending: bool, nullable: bool) -> &'static str {
    match (descending, nullable) {
        (true, true) => "DESC NULLS FIRST",
        (false, true) => "ASC NULLS LAST",
        (true, false) => "DESC",
        (false, false) => "ASC",
    }
}

/// The ORDER BY expressions of one key: a custom field sorts by its definition's type
/// (numbers numerically, others bytewise as text), rows without a value last ascending.
fn sort_exprs<'a>(q: &mut SqlBuilder<'a>, d: Dialect, key: &'a SortKey) -> Result<Vec<String>> {
    if let Some(col) = column(d, &key.field) {
        return Ok(vec![col.ordered(d)]);
    }
    match &key.field {
        Field::Custom(name, kind) => {
            let field = CustomRef::new(q, d, name);
            Ok(vec![field.ordered(json_kind(*kind))])
        }
        other => Err(Error::internal(format!("{} is not sortable", other.name()))),
    }
}

/// Appends the keyset condition, `ORDER BY`, `LIMIT` and `OFFSET`; returns the `ORDER BY`
/// expressions (their placeholders are bound once and may be used again). A reversed scan
/// reads the order backward, every key's direction flipped.
fn order_and_page<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    query: &'a AccountQuery,
    scan: &Scan<'a>,
) -> Result<String> {
    let order_by = match &query.order {
        Order::Rank => {
            let term = query
                .search
                .as_deref()
                .ok_or_else(|| Error::internal("a ranked query without a search term"))?;
            let dir = if scan.reversed { " DESC" } else { "" };
            format!("{}{dir}, a.name_key{dir}, a.id{dir}", rank_sql(q, term))
        }
        Order::Keys(keys) => {
            let mut parts = Vec::new();
            for key in keys {
                let descending = key.descending != scan.reversed;
                for expr in sort_exprs(q, d, key)? {
                    parts.push(format!(
                        "{expr} {}",
                        direction(descending, key.field.nullable())
                    ));
                }
            }
            let last_desc = keys.last().is_some_and(|k| k.descending) != scan.reversed;
            parts.push(format!("a.id {}", if last_desc { "DESC" } else { "ASC" }));
            if let Some((values, id)) = scan.after {
                keyset(q, d, keys, scan.reversed, values, id)?;
            }
            parts.join(", ")
        }
    };
    q.push(" ORDER BY ").push(&order_by).push(" LIMIT ");
    q.bind(scan.fetch as i64);
    if scan.offset > 0 {
        let n = i64::try_from(scan.offset).map_err(|_| Error::internal("offset out of range"))?;
        q.push(" OFFSET ").bind(n);
    }
    Ok(order_by)
}

/// Rows after the cursor in the order read (with NULLs last ascending, first descending):
/// `k1 after c1 OR (k1 same c1 AND (k2 after c2 OR (... AND id after cid)))`. A single key
/// that is never NULL takes the row-comparison form that an index on (key, id) serves.
fn keyset<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    keys: &[SortKey],
    reversed: bool,
    values: &'a [Option<Scalar>],
    id: &'a str,
) -> Result<()> {
    let cols = keys
        .iter()
        .map(|k| {
            let col =
                column(d, &k.field).ok_or_else(|| Error::internal("keyset over a custom field"))?;
            Ok((col, k.descending != reversed))
        })
        .collect::<Result<Vec<_>>>()?;
    if cols.len() != values.len() {
        return Err(Error::internal("cursor values do not match the sort"));
    }
    let last_desc = cols.last().is_some_and(|(_, desc)| *desc);
    let id_cmp = if last_desc { "<" } else { ">" };
    if let ([(col, _)], [Some(value)]) = (cols.as_slice(), values)
        && !col.nullable
    {
        let v = value_sql(q, d, value);
        let idp = param(q, id);
        q.push(&format!(
            " AND ({}, a.id) {id_cmp} ({v}, {idp})",
            col.ordered(d)
        ));
        return Ok(());
    }
    let mut predicate = format!("a.id {id_cmp} {}", param(q, id));
    for ((col, descending), value) in cols.iter().zip(values).rev() {
        let e = col.ordered(d);
        let (after, same) = match value {
            None if *descending => (format!("{e} IS NOT NULL"), format!("{e} IS NULL")),
            None => ("1 = 0".to_string(), format!("{e} IS NULL")),
            Some(v) => {
                let p = value_sql(q, d, v);
                let after = if *descending {
                    format!("{e} < {p}")
                } else {
                    format!("({e} > {p} OR {e} IS NULL)")
                };
                (after, format!("{e} = {p}"))
            }
        };
        predicate = format!("({after} OR ({same} AND {predicate}))");
    }
    q.push(" AND ").push(&predicate);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(
            like_pattern("50%_off\\", Pattern::Contains),
            "%50\\%\\_off\\\\%"
        );
        assert_eq!(like_pattern("acme", Pattern::StartsWith), "acme%");
        assert_eq!(like_pattern("acme", Pattern::EndsWith), "%acme");
    }

    fn score_schema() -> orgstore_core::schema::ObjectSchema {
        let object = orgstore_core::schema::SchemaObject::Accounts;
        let score = orgstore_core::schema::NewCustomField {
            api_name: "score".into(),
            field_type: "number".into(),
            ..Default::default()
        }
        .into_def(object, 0)
        .expect("valid definition");
        orgstore_core::schema::ObjectSchema {
            object,
            fields: vec![score],
        }
    }

    #[test]
    fn client_values_are_bound_not_spliced() {
        let query = orgstore_core::query::QueryRequest {
            filter: Some(serde_json::json!({"or": [
                {"field": "industry", "op": "eq", "value": "x'); DROP TABLE accounts; --"},
                {"field": "websites", "op": "ends_with", "value": "'; --"},
                {"field": "custom_fields.score", "op": "between", "value": [3, 4]}
            ]})),
            search: Some("o'hara".into()),
            ..Default::default()
        }
        .into_builder()
        .build(&score_schema())
        .expect("valid");
        for d in [Dialect::Sqlite, Dialect::Postgres] {
            let mut q = SqlBuilder::new("");
            filter_sql(&mut q, d, query.filter.as_ref().expect("filter")).expect("sql");
            search_match(&mut q, d, query.search.as_deref().expect("search"));
            assert!(
                !q.sql.contains("DROP") && !q.sql.contains("hara"),
                "{}",
                q.sql
            );
        }
    }
}
