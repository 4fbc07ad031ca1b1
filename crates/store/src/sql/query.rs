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
    AccountQuery, Compare, Condition, CustomKind, Field, Filter, Order, Scalar, SortKey, Start,
};
use orgstore_core::{Error, Result};

use super::accounts::{decode, select_prefix};
use super::{Dialect, Param, SqlBuilder, Tx};

/// Up to `query.limit + 1` accounts matching the query, in its order.
pub async fn run<T: Tx>(tx: &mut T, ws: &str, query: &AccountQuery) -> Result<Vec<Account>> {
    let d = tx.dialect();
    let mut q = SqlBuilder::new(select_prefix(d));
    q.params.push(ws.into());
    // SQLite builds every selected column (four correlated JSON subqueries) of every matching
    // row before it sorts, so a search matching thousands of rows built thousands of accounts
    // to return twenty. It now picks the page's rowids first and reads only those.
    let pick_first = d == Dialect::Sqlite;
    if pick_first {
        q.push(" AND a.rowid IN (SELECT a.rowid FROM accounts a WHERE a.workspace_id = $1");
    }
    if !query.include_archived {
        q.push(" AND a.archived_at IS NULL");
    }
    if let Some(filter) = &query.filter {
        q.push(" AND ");
        filter_sql(&mut q, d, filter)?;
    }
    if let Some(term) = &query.search {
        q.push(" AND ");
        search_match(&mut q, d, term);
    }
    let order_by = order_and_page(&mut q, d, query)?;
    if pick_first {
        q.push(") ORDER BY ").push(&order_by);
    }
    let rows = tx.query(&q.sql, &q.params).await?;
    rows.into_iter().map(decode).collect()
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

fn like_pattern(text: &str, prefix: bool) -> String {
    if prefix {
        format!("{}%", escape_like(text))
    } else {
        format!("%{}%", escape_like(text))
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
    if let Some(table) = list_table(field) {
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
    Some(match field {
        Field::Id => col("a.id", false, true),
        Field::DisplayId => col("a.display_number", false, false),
        Field::Name => Column {
            lowercase: true,
            ..col("a.name_key", false, true)
        },
        Field::Description => col("a.description", true, true),
        Field::Industry => col("a.industry", true, true),
        Field::Tier => col("a.tier", true, true),
        Field::CompanySize => col("a.company_size", true, true),
        Field::Stage => col("a.stage", true, true),
        Field::CreatedBy => col("a.created_by", true, true),
        Field::ModifiedBy => col("a.modified_by", true, true),
        Field::NumberOfEmployees => col("a.number_of_employees", true, false),
        // SQLite keeps decimals as exact text; compare them as numbers.
        Field::AnnualRevenue => match d {
            Dialect::Sqlite => col("CAST(a.annual_revenue AS REAL)", true, false),
            Dialect::Postgres => col("a.annual_revenue", true, false),
        },
        Field::CreatedAt => col("a.created_at", false, false),
        Field::UpdatedAt => col("a.updated_at", false, false),
        Field::ArchivedAt => col("a.archived_at", true, false),
        Field::LastActivityAt => col("a.last_activity_at", true, false),
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
        Condition::In(values) => format!("{lhs} IN ({})", values_sql(q, d, values)),
        Condition::Like { text, prefix } => format!(
            "{lhs} {} {} ESCAPE '\\'",
            like_op(d, lowercase),
            param(q, like_pattern(text, *prefix))
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

/// A list field: its rows live in a child table, aliased `x`.
struct ListTable {
    from: &'static str,
    column: &'static str,
    lowercase: bool,
}

fn list_table(field: &Field) -> Option<ListTable> {
    let table = |from, column, lowercase| ListTable {
        from,
        column,
        lowercase,
    };
    Some(match field {
        Field::Domains => table("account_domains x", "x.domain", true),
        Field::Owners => table("account_owners x", "x.user_id", false),
        Field::ExternalRefs => table("account_external_refs x", "x.external_ref", false),
        Field::Tags => table(
            "account_tags x JOIN tags t ON t.workspace_id = x.workspace_id AND t.id = x.tag_id",
            "t.name_key",
            true,
        ),
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
    let cmp = match condition {
        Condition::Exists => String::new(),
        Condition::Compare(Compare::Eq, _) | Condition::In(_) | Condition::Like { .. } => {
            let c = comparison(q, d, table.column, table.column, table.lowercase, condition)?;
            format!(" AND {c}")
        }
        Condition::Compare(..) => {
            return Err(Error::internal("list fields are not ordered"));
        }
    };
    q.push(&format!(
        "EXISTS (SELECT 1 FROM {} WHERE x.workspace_id = a.workspace_id AND x.account_id = a.id{cmp})",
        table.from
    ));
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
                .bind(like_pattern(term, false))
                .push(" ESCAPE '\\'");
        }
    }
}

/// Relevance: 0 exact name, 1 name prefix, 2 another line (domain, website) starting with the
/// term, 3 any other substring match. Cheap per row: comparisons on columns already read.
fn rank_sql<'a>(q: &mut SqlBuilder<'a>, term: &'a str) -> String {
    let exact = param(q, term);
    let prefix = param(q, like_pattern(term, true));
    let line = param(q, format!("%\n{}%", escape_like(term)));
    format!(
        "CASE WHEN a.name_key = {exact} THEN 0 \
         WHEN a.name_key LIKE {prefix} ESCAPE '\\' THEN 1 \
         WHEN a.search_text LIKE {line} ESCAPE '\\' THEN 2 ELSE 3 END"
    )
}

fn direction(descending: bool) -> &'static str {
    if descending {
        "DESC NULLS FIRST"
    } else {
        "ASC NULLS LAST"
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
/// expressions (their placeholders are bound once and may be used again).
fn order_and_page<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    query: &'a AccountQuery,
) -> Result<String> {
    let order_by = match &query.order {
        Order::Rank => {
            let term = query
                .search
                .as_deref()
                .ok_or_else(|| Error::internal("a ranked query without a search term"))?;
            format!("{}, a.name_key, a.id", rank_sql(q, term))
        }
        Order::Keys(keys) => {
            let mut parts = Vec::new();
            for key in keys {
                for expr in sort_exprs(q, d, key)? {
                    parts.push(format!("{expr} {}", direction(key.descending)));
                }
            }
            let last_desc = keys.last().is_some_and(|k| k.descending);
            parts.push(format!("a.id {}", if last_desc { "DESC" } else { "ASC" }));
            if let Start::After { values, id } = &query.start {
                keyset(q, d, keys, values, id)?;
            }
            parts.join(", ")
        }
    };
    q.push(" ORDER BY ").push(&order_by).push(" LIMIT ");
    q.bind(query.limit as i64 + 1);
    if let Start::Offset(n) = query.start {
        let n = i64::try_from(n).map_err(|_| Error::internal("offset out of range"))?;
        q.push(" OFFSET ").bind(n);
    }
    Ok(order_by)
}

/// Rows after the cursor in the sort order (with NULLs last ascending, first descending):
/// `k1 after c1 OR (k1 same c1 AND (k2 after c2 OR (... AND id after cid)))`. A single key
/// that is never NULL takes the row-comparison form that an index on (key, id) serves.
fn keyset<'a>(
    q: &mut SqlBuilder<'a>,
    d: Dialect,
    keys: &[SortKey],
    values: &'a [Option<Scalar>],
    id: &'a str,
) -> Result<()> {
    let cols = keys
        .iter()
        .map(|k| column(d, &k.field).ok_or_else(|| Error::internal("keyset over a custom field")))
        .collect::<Result<Vec<_>>>()?;
    if cols.len() != values.len() {
        return Err(Error::internal("cursor values do not match the sort"));
    }
    let last_desc = keys.last().is_some_and(|k| k.descending);
    let id_cmp = if last_desc { "<" } else { ">" };
    if let ([col], [Some(value)]) = (cols.as_slice(), values)
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
    for ((key, col), value) in keys.iter().zip(&cols).zip(values).rev() {
        let e = col.ordered(d);
        let (after, same) = match value {
            None if key.descending => (format!("{e} IS NOT NULL"), format!("{e} IS NULL")),
            None => ("1 = 0".to_string(), format!("{e} IS NULL")),
            Some(v) => {
                let p = value_sql(q, d, v);
                let after = if key.descending {
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
        assert_eq!(like_pattern("50%_off\\", false), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern("acme", true), "acme%");
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
        let query = AccountQuery::parse(
            orgstore_core::query::QueryRequest {
                filter: Some(serde_json::json!({"or": [
                    {"field": "industry", "op": "eq", "value": "x'); DROP TABLE accounts; --"},
                    {"field": "custom_fields.score", "op": "gt", "value": 3}
                ]})),
                search: Some("o'hara".into()),
                ..Default::default()
            },
            &score_schema(),
        )
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
