//! What a caller hands the query builder, typed: a filter tree of predicates with typed values,
//! operators, sort directions and where a page starts. Vendor surfaces build these from their
//! own parameters; the native API builds them from its JSON body and query string.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Number, Value};
use utoipa::ToSchema;

use crate::page::PageDirection;

/// A filter operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    Ne,
    In,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    /// Between `[low, high]`, both included.
    Between,
    Exists,
    NotExists,
}

impl FilterOp {
    pub const ALL: &'static [FilterOp] = &[
        FilterOp::Eq,
        FilterOp::Ne,
        FilterOp::In,
        FilterOp::NotIn,
        FilterOp::Contains,
        FilterOp::StartsWith,
        FilterOp::EndsWith,
        FilterOp::Gt,
        FilterOp::Gte,
        FilterOp::Lt,
        FilterOp::Lte,
        FilterOp::Between,
        FilterOp::Exists,
        FilterOp::NotExists,
    ];

    /// The operator as the native API writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            FilterOp::Eq => "eq",
            FilterOp::Ne => "ne",
            FilterOp::In => "in",
            FilterOp::NotIn => "not_in",
            FilterOp::Contains => "contains",
            FilterOp::StartsWith => "starts_with",
            FilterOp::EndsWith => "ends_with",
            FilterOp::Gt => "gt",
            FilterOp::Gte => "gte",
            FilterOp::Lt => "lt",
            FilterOp::Lte => "lte",
            FilterOp::Between => "between",
            FilterOp::Exists => "exists",
            FilterOp::NotExists => "not_exists",
        }
    }

    pub fn parse(name: &str) -> Option<FilterOp> {
        FilterOp::ALL.iter().copied().find(|op| op.as_str() == name)
    }
}

impl std::fmt::Display for FilterOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value in a predicate, before it is checked against the field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    Null,
    Bool(bool),
    Int(i64),
    Number(Decimal),
    /// A number outside the range of [`FilterValue::Number`]; no field takes it, and the error
    /// says so.
    Float(f64),
    Text(String),
    /// The values of `in`/`not_in`, or the `[low, high]` pair of `between`.
    List(Vec<FilterValue>),
    /// A JSON object, which no field takes; kept so that the error can show it.
    Object(Map<String, Value>),
}

impl FilterValue {
    /// The value of a JSON request body.
    pub fn from_json(value: &Value) -> FilterValue {
        match value {
            Value::Null => FilterValue::Null,
            Value::Bool(b) => FilterValue::Bool(*b),
            Value::Number(n) => number(n),
            Value::String(s) => FilterValue::Text(s.clone()),
            Value::Array(items) => FilterValue::List(items.iter().map(Self::from_json).collect()),
            Value::Object(map) => FilterValue::Object(map.clone()),
        }
    }

    /// The value as JSON, to echo it in an error.
    pub fn to_json(&self) -> Value {
        match self {
            FilterValue::Null => Value::Null,
            FilterValue::Bool(b) => Value::Bool(*b),
            FilterValue::Int(n) => Value::from(*n),
            FilterValue::Number(d) => d
                .to_string()
                .parse::<Number>()
                .map_or_else(|_| Value::String(d.to_string()), Value::Number),
            FilterValue::Float(f) => Value::from(*f),
            FilterValue::Text(s) => Value::String(s.clone()),
            FilterValue::List(items) => Value::Array(items.iter().map(Self::to_json).collect()),
            FilterValue::Object(map) => Value::Object(map.clone()),
        }
    }

    /// `a string`, `an array`, ... for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            FilterValue::Null => "null",
            FilterValue::Bool(_) => "a boolean",
            FilterValue::Int(_) | FilterValue::Number(_) | FilterValue::Float(_) => "a number",
            FilterValue::Text(_) => "a string",
            FilterValue::List(_) => "an array",
            FilterValue::Object(_) => "an object",
        }
    }
}

/// JSON numbers: integers exactly, others as decimals where they fit.
fn number(n: &Number) -> FilterValue {
    if let Some(i) = n.as_i64() {
        return FilterValue::Int(i);
    }
    if let Some(u) = n.as_u64() {
        return FilterValue::Number(Decimal::from(u));
    }
    let text = n.to_string();
    match text
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&text))
    {
        Ok(d) => FilterValue::Number(d),
        Err(_) => FilterValue::Float(n.as_f64().unwrap_or(f64::NAN)),
    }
}

impl From<bool> for FilterValue {
    fn from(b: bool) -> Self {
        FilterValue::Bool(b)
    }
}

impl From<i64> for FilterValue {
    fn from(n: i64) -> Self {
        FilterValue::Int(n)
    }
}

impl From<Decimal> for FilterValue {
    fn from(d: Decimal) -> Self {
        FilterValue::Number(d)
    }
}

impl From<&str> for FilterValue {
    fn from(s: &str) -> Self {
        FilterValue::Text(s.to_string())
    }
}

impl From<String> for FilterValue {
    fn from(s: String) -> Self {
        FilterValue::Text(s)
    }
}

impl<T: Into<FilterValue>> From<Vec<T>> for FilterValue {
    fn from(items: Vec<T>) -> Self {
        FilterValue::List(items.into_iter().map(Into::into).collect())
    }
}

/// A filter tree as a caller builds it.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterTree {
    And(Vec<FilterTree>),
    Or(Vec<FilterTree>),
    Not(Box<FilterTree>),
    Predicate(Predicate),
}

/// One condition on one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    /// A system field (`industry`, `domains`, `tags`, ...) or `custom_fields.<key>`.
    pub field: String,
    pub op: FilterOp,
    /// `None` is allowed for `exists` and `not_exists` (meaning `true`) only.
    pub value: Option<FilterValue>,
    /// What errors about this predicate name instead of its place in the tree: a vendor's own
    /// parameter (`created_date.after`). List values add their index (`label[1]`).
    pub label: Option<String>,
}

impl FilterTree {
    /// `field op value`.
    pub fn predicate(
        field: impl Into<String>,
        op: FilterOp,
        value: impl Into<FilterValue>,
    ) -> FilterTree {
        FilterTree::Predicate(Predicate {
            field: field.into(),
            op,
            value: Some(value.into()),
            label: None,
        })
    }

    /// The field has a value (a list: at least one element).
    pub fn exists(field: impl Into<String>) -> FilterTree {
        FilterTree::Predicate(Predicate {
            field: field.into(),
            op: FilterOp::Exists,
            value: None,
            label: None,
        })
    }

    /// The field has no value (a list: no element).
    pub fn not_exists(field: impl Into<String>) -> FilterTree {
        FilterTree::Predicate(Predicate {
            field: field.into(),
            op: FilterOp::NotExists,
            value: None,
            label: None,
        })
    }

    /// Names a predicate in errors by `label` instead of its place in the tree; other nodes
    /// are left as they are.
    pub fn labelled(self, label: impl Into<String>) -> FilterTree {
        match self {
            FilterTree::Predicate(p) => FilterTree::Predicate(Predicate {
                label: Some(label.into()),
                ..p
            }),
            other => other,
        }
    }

    pub fn and(items: Vec<FilterTree>) -> FilterTree {
        FilterTree::And(items)
    }

    pub fn or(items: Vec<FilterTree>) -> FilterTree {
        FilterTree::Or(items)
    }

    pub fn negate(item: FilterTree) -> FilterTree {
        FilterTree::Not(Box::new(item))
    }
}

/// A sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

/// Where the page a caller asks for starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PageStart {
    /// The first page.
    #[default]
    First,
    /// The last page: the last rows, still in the query's order.
    Last,
    /// A cursor a page gave (`next_cursor` or `prev_cursor`), continuing in the direction it
    /// names, or in `direction` when the caller overrides it.
    Cursor {
        cursor: String,
        direction: Option<PageDirection>,
    },
    /// After skipping this many rows (page/per_page interfaces).
    Offset(u64),
}
