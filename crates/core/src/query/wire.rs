//! The native wire form of a query: the body of `POST /v1/accounts/query`. Its filter is read
//! by hand from the JSON, so that every error names its path in the body
//! (`filter.and[1].field`); each predicate is then checked like a typed one.

use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::CUSTOM_PREFIX;
use super::ast::Filter;
use super::builder::AccountQueryBuilder;
use super::check::{
    FilterChecker, Paths, check_depth, check_op, join, missing, resolve_field, unknown_op,
};
use super::input::{Direction, FilterOp, FilterValue};
use crate::error::{Code, Error, Result};

/// The list the native query route's cursors belong to.
pub const QUERY_LIST: &str = "accounts.query";

/// The body of `POST /v1/accounts/query`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    /// A filter tree; no filter matches every account.
    #[schema(value_type = Option<FilterNode>)]
    pub filter: Option<Value>,
    /// Case-insensitive substring search over name, domains and websites (at most 200
    /// characters); ranked unless `sort` is given.
    pub search: Option<String>,
    /// Up to 3 sort keys; `id` always breaks ties. Default: `created_at` ascending.
    pub sort: Option<Vec<SortKeyInput>>,
    /// Page size, 1 to 1000 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page for the next one, or `prev_cursor` for the one
    /// before, sent with the same filter, search and sort.
    pub cursor: Option<String>,
    /// Include archived accounts (default false).
    pub include_archived: Option<bool>,
    /// Answer with `total`, the number of all matching accounts (default false).
    pub include_total: Option<bool>,
}

/// One sort key of a query.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SortKeyInput {
    /// id, display_id, name, created_at, updated_at, last_activity_at, number_of_employees,
    /// annual_revenue, industry, stage, tier, company_size or `custom_fields.<key>`.
    pub field: String,
    #[serde(default)]
    pub direction: Direction,
}

/// A filter node as documented; the server reads the tree by hand so that every error names
/// its path, so this type only describes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum FilterNode {
    Condition(FilterCondition),
    And {
        #[schema(no_recursion)]
        and: Vec<FilterNode>,
    },
    Or {
        #[schema(no_recursion)]
        or: Vec<FilterNode>,
    },
    Not {
        #[schema(no_recursion)]
        not: Box<FilterNode>,
    },
}

/// A condition on one field.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct FilterCondition {
    /// A system field (`industry`, `domains`, `websites`, `tags`, ...) or
    /// `custom_fields.<key>`.
    pub field: String,
    pub op: FilterOp,
    /// A scalar of the field's type; an array for `in`/`not_in`; `[low, high]` for `between`;
    /// true/false (or nothing, meaning true) for `exists`/`not_exists`. Timestamps are
    /// RFC 3339 or YYYY-MM-DD; a `tags` value of the form `tag_<ULID>` is a tag id, any other
    /// a tag name.
    #[schema(value_type = Object)]
    pub value: Option<Value>,
}

impl QueryRequest {
    /// The builder of this body.
    pub fn into_builder(self) -> AccountQueryBuilder {
        let mut builder = AccountQueryBuilder::new(QUERY_LIST)
            .include_archived(self.include_archived.unwrap_or(false))
            .include_total(self.include_total.unwrap_or(false));
        if let Some(filter) = self.filter {
            builder = builder.filter_json(filter);
        }
        if let Some(search) = self.search {
            builder = builder.search(search);
        }
        for key in self.sort.unwrap_or_default() {
            builder = builder.sort_by(key.field, key.direction);
        }
        if let Some(limit) = self.limit {
            builder = builder.limit(limit);
        }
        if let Some(cursor) = self.cursor {
            builder = builder.cursor(cursor);
        }
        builder
    }
}

/// Whether a JSON filter names a custom field anywhere.
pub(crate) fn json_names_custom(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, inner)| match (key.as_str(), inner) {
            ("field", Value::String(name)) => name.starts_with(CUSTOM_PREFIX),
            _ => json_names_custom(inner),
        }),
        Value::Array(items) => items.iter().any(json_names_custom),
        _ => false,
    }
}

/// A filter node of the body at `at` (depth 1 at the root).
pub(crate) fn filter(
    checker: &mut FilterChecker<'_>,
    value: &Value,
    at: &str,
    depth: usize,
) -> Result<Filter> {
    let Value::Object(map) = value else {
        return Err(wrong_shape(
            at,
            value,
            "an object: a condition {\"field\", \"op\", \"value\"} or {\"and\"|\"or\"|\"not\": ...}",
        ));
    };
    check_depth(at, depth)?;
    for logical in ["and", "or", "not"] {
        if let Some(inner) = map.get(logical) {
            if let Some(other) = map.keys().find(|k| k.as_str() != logical) {
                return Err(unknown_key(
                    at,
                    other,
                    "a node holds only one of and, or, not",
                ));
            }
            return node(checker, logical, inner, &join(at, logical), depth);
        }
    }
    condition(checker, map, at)
}

fn node(
    checker: &mut FilterChecker<'_>,
    logical: &str,
    inner: &Value,
    at: &str,
    depth: usize,
) -> Result<Filter> {
    if logical == "not" {
        return Ok(Filter::Not(Box::new(filter(
            checker,
            inner,
            at,
            depth + 1,
        )?)));
    }
    let Value::Array(items) = inner else {
        return Err(wrong_shape(at, inner, "an array of filters"));
    };
    if items.is_empty() {
        return Err(Error::invalid_value(
            at,
            inner.clone(),
            format!("{at} needs at least one filter"),
        ));
    }
    let children = items
        .iter()
        .enumerate()
        .map(|(i, item)| filter(checker, item, &format!("{at}[{i}]"), depth + 1))
        .collect::<Result<Vec<_>>>()?;
    Ok(if logical == "and" {
        Filter::And(children)
    } else {
        Filter::Or(children)
    })
}

/// `{"field", "op", "value"}`: checked in that order, like a typed predicate.
fn condition(
    checker: &mut FilterChecker<'_>,
    map: &Map<String, Value>,
    at: &str,
) -> Result<Filter> {
    if let Some(other) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "field" | "op" | "value"))
    {
        return Err(unknown_key(
            at,
            other,
            "a condition has field, op and value; a node is and, or or not",
        ));
    }
    checker.count_condition(at)?;
    let paths = Paths::at(at);
    let field = resolve_field(
        required_str(map, "field", at)?,
        &paths.field,
        checker.schema(),
    )?;
    let name = required_str(map, "op", at)?;
    let op = FilterOp::parse(name).ok_or_else(|| unknown_op(name, &paths.op))?;
    check_op(&field, op, &paths.op)?;
    let value = map.get("value").map(FilterValue::from_json);
    checker.condition(field, op, value.as_ref(), &paths.value)
}

fn required_str<'a>(map: &'a Map<String, Value>, key: &str, at: &str) -> Result<&'a str> {
    let key_at = join(at, key);
    match map.get(key) {
        None => Err(missing(&key_at)),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(wrong_shape(&key_at, other, "a string")),
    }
}

fn unknown_key(at: &str, key: &str, why: &str) -> Error {
    let field = join(at, key);
    Error::invalid(
        Code::UnknownField,
        field.as_str(),
        key,
        format!("`{field}` is not known: {why}"),
    )
}

/// A part of the body's structure (not a filter value) of the wrong JSON type.
fn wrong_shape(at: &str, value: &Value, wanted: &str) -> Error {
    Error::invalid(
        Code::InvalidType,
        at,
        value.clone(),
        format!(
            "{at} must be {wanted}, not {}",
            FilterValue::from_json(value).type_name()
        ),
    )
}
