//! The account query language of `POST /v1/accounts/query` and substring search (`q=`).
//!
//! A request names a filter tree, an optional search term, a sort and a page; [`AccountQuery`]
//! is its validated form, which the store compiles to parameterized SQL. Every mistake in a
//! request is a 400 naming its place in the body (`filter.and[1].field`).
//!
//! Semantics, the same on both databases:
//! - A leaf is `{"field", "op", "value"}`; `ne`, `not_in` and `exists: false` are the negation
//!   of `eq`, `in` and `exists: true`, so they also match rows where the field is missing (and
//!   `{"not": ...}` of any leaf is its exact complement).
//! - `eq`/`in` on text are exact, except `name`, `tags` and `domains`, which compare
//!   case-insensitively (by the lowercase keys the store keeps; domains are normalized first).
//!   `contains` and `starts_with` are always case-insensitive.
//! - On a list field (domains, tags, owners, external_refs) a condition holds when any element
//!   satisfies it; `exists` asks whether the list is non-empty.
//! - Custom fields (`custom_fields.<key>`) are typed by their definition in the workspace
//!   schema, not by the value in the condition: an undefined key is `unknown_field`; number and
//!   integer fields compare numerically, date and timestamp fields chronologically (values are
//!   stored normalized, so that their text order is their time order), text-like fields as
//!   text, boolean, select and reference fields by equality, and multi_select fields like
//!   tags: `eq`/`in` hold when the field contains the option (or one of them).
//! - Sorting is by up to [`MAX_SORT_KEYS`] keys, then `id`; ascending puts missing values last,
//!   descending first. A search without a sort is ranked: exact name, name prefix, a domain or
//!   website starting with the term, other substring matches; ties by name, then id.
//! - Cursors carry the sort and a fingerprint of the filter they were issued for. Sorts over
//!   system fields page by keyset (the last row's sort values and id); ranked search and sorts
//!   over custom fields page by offset.

use crate::error::Code;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::list::{DEFAULT_LIMIT, ListParams, MAX_LIMIT, Page, SortField, name_sort_key};
use crate::model::Account;
use crate::normalize::normalize_domain;
use crate::schema::{FieldType, ObjectSchema};

/// Deepest nesting of `and`/`or`/`not` nodes.
pub const MAX_DEPTH: usize = 16;
/// Most conditions (leaves) in one filter.
pub const MAX_CONDITIONS: usize = 100;
/// Most values in one `in`/`not_in` list, and in all of them together: every value is a bound
/// parameter, and databases cap those per statement.
pub const MAX_LIST_VALUES: usize = 1000;
pub const MAX_TOTAL_LIST_VALUES: usize = 5000;
pub const MAX_SORT_KEYS: usize = 3;
/// Longest search term, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

const CUSTOM_PREFIX: &str = "custom_fields.";

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
    /// `next_cursor` of the previous page, sent with the same filter, search and sort.
    pub cursor: Option<String>,
    /// Include archived accounts (default false).
    pub include_archived: Option<bool>,
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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Asc,
    Desc,
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
    /// A system field (`industry`, `domains`, `tags`, ...) or `custom_fields.<key>`.
    pub field: String,
    pub op: FilterOp,
    /// A scalar of the field's type; an array for `in`/`not_in`; true/false for `exists`.
    /// Timestamps are RFC 3339 or YYYY-MM-DD.
    #[schema(value_type = Object)]
    pub value: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    Ne,
    In,
    NotIn,
    Contains,
    StartsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    Exists,
}

const OPS: &[(&str, FilterOp)] = &[
    ("eq", FilterOp::Eq),
    ("ne", FilterOp::Ne),
    ("in", FilterOp::In),
    ("not_in", FilterOp::NotIn),
    ("contains", FilterOp::Contains),
    ("starts_with", FilterOp::StartsWith),
    ("gt", FilterOp::Gt),
    ("gte", FilterOp::Gte),
    ("lt", FilterOp::Lt),
    ("lte", FilterOp::Lte),
    ("exists", FilterOp::Exists),
];

/// A field a query can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Id,
    DisplayId,
    Name,
    Description,
    Industry,
    Tier,
    CompanySize,
    NumberOfEmployees,
    AnnualRevenue,
    Stage,
    CreatedAt,
    UpdatedAt,
    ArchivedAt,
    LastActivityAt,
    CreatedBy,
    ModifiedBy,
    Domains,
    Tags,
    Owners,
    ExternalRefs,
    /// `custom_fields.<key>`, typed by its definition.
    Custom(String, CustomKind),
}

/// How a custom field compares, from its definition's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomKind {
    /// number and integer: numerically.
    Number,
    /// text, long_text, url, email, phone: as text, every operator.
    Text,
    /// select and reference: by equality.
    Keyword,
    Bool,
    /// date (`timestamp: false`) or timestamp: chronologically, as normalized text.
    Chrono {
        timestamp: bool,
    },
    /// multi_select: by containment.
    Options,
}

impl CustomKind {
    pub fn of(field_type: FieldType) -> CustomKind {
        match field_type {
            FieldType::Number | FieldType::Integer => CustomKind::Number,
            FieldType::Text
            | FieldType::LongText
            | FieldType::Url
            | FieldType::Email
            | FieldType::Phone => CustomKind::Text,
            FieldType::Select | FieldType::Reference => CustomKind::Keyword,
            FieldType::Boolean => CustomKind::Bool,
            FieldType::Date => CustomKind::Chrono { timestamp: false },
            FieldType::Timestamp => CustomKind::Chrono { timestamp: true },
            FieldType::MultiSelect => CustomKind::Options,
        }
    }
}

/// How a field compares, which decides the operators and values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text: every operator.
    Text,
    /// Ids and keys, compared exactly: eq, ne, in, not_in, exists.
    Keyword,
    Integer,
    Decimal,
    /// Epoch milliseconds, written as RFC 3339 or YYYY-MM-DD.
    Timestamp,
    /// A list of values; `patterns` says whether contains/starts_with apply.
    List {
        patterns: bool,
    },
    /// true or false: eq, ne, in, not_in, exists.
    Bool,
    /// A date or timestamp custom field, compared as its normalized text.
    Chrono {
        timestamp: bool,
    },
}

impl Field {
    /// A system field by name; custom fields need the schema (see [`parse_field`]).
    pub fn parse(name: &str) -> Option<Field> {
        Some(match name {
            "id" => Field::Id,
            "display_id" => Field::DisplayId,
            "name" => Field::Name,
            "description" => Field::Description,
            "industry" => Field::Industry,
            "tier" => Field::Tier,
            "company_size" => Field::CompanySize,
            "number_of_employees" => Field::NumberOfEmployees,
            "annual_revenue" => Field::AnnualRevenue,
            "stage" => Field::Stage,
            "created_at" => Field::CreatedAt,
            "updated_at" => Field::UpdatedAt,
            "archived_at" => Field::ArchivedAt,
            "last_activity_at" => Field::LastActivityAt,
            "created_by" => Field::CreatedBy,
            "modified_by" => Field::ModifiedBy,
            "domains" => Field::Domains,
            "tags" => Field::Tags,
            "owners" => Field::Owners,
            "external_refs" => Field::ExternalRefs,
            _ => return None,
        })
    }

    pub fn name(&self) -> String {
        let name = match self {
            Field::Id => "id",
            Field::DisplayId => "display_id",
            Field::Name => "name",
            Field::Description => "description",
            Field::Industry => "industry",
            Field::Tier => "tier",
            Field::CompanySize => "company_size",
            Field::NumberOfEmployees => "number_of_employees",
            Field::AnnualRevenue => "annual_revenue",
            Field::Stage => "stage",
            Field::CreatedAt => "created_at",
            Field::UpdatedAt => "updated_at",
            Field::ArchivedAt => "archived_at",
            Field::LastActivityAt => "last_activity_at",
            Field::CreatedBy => "created_by",
            Field::ModifiedBy => "modified_by",
            Field::Domains => "domains",
            Field::Tags => "tags",
            Field::Owners => "owners",
            Field::ExternalRefs => "external_refs",
            Field::Custom(key, _) => return format!("{CUSTOM_PREFIX}{key}"),
        };
        name.to_string()
    }

    pub fn kind(&self) -> Kind {
        match self {
            Field::Id | Field::Stage | Field::CreatedBy | Field::ModifiedBy => Kind::Keyword,
            Field::Name
            | Field::Description
            | Field::Industry
            | Field::Tier
            | Field::CompanySize => Kind::Text,
            Field::DisplayId | Field::NumberOfEmployees => Kind::Integer,
            Field::AnnualRevenue => Kind::Decimal,
            Field::CreatedAt | Field::UpdatedAt | Field::ArchivedAt | Field::LastActivityAt => {
                Kind::Timestamp
            }
            Field::Domains | Field::Tags | Field::ExternalRefs => Kind::List { patterns: true },
            Field::Owners => Kind::List { patterns: false },
            Field::Custom(_, kind) => match kind {
                CustomKind::Number => Kind::Decimal,
                CustomKind::Text => Kind::Text,
                CustomKind::Keyword => Kind::Keyword,
                CustomKind::Bool => Kind::Bool,
                CustomKind::Chrono { timestamp } => Kind::Chrono {
                    timestamp: *timestamp,
                },
                CustomKind::Options => Kind::List { patterns: false },
            },
        }
    }

    /// Whether values of this field are compared by their lowercase form.
    fn lowercased(&self) -> bool {
        matches!(self, Field::Name | Field::Tags | Field::Domains)
    }

    /// Whether an account may lack a value (which sorts last ascending, first descending).
    pub fn nullable(&self) -> bool {
        !matches!(
            self,
            Field::Id | Field::DisplayId | Field::Name | Field::CreatedAt | Field::UpdatedAt
        )
    }

    pub fn sortable(&self) -> bool {
        matches!(
            self,
            Field::Id
                | Field::DisplayId
                | Field::Name
                | Field::CreatedAt
                | Field::UpdatedAt
                | Field::LastActivityAt
                | Field::NumberOfEmployees
                | Field::AnnualRevenue
                | Field::Industry
                | Field::Stage
                | Field::Tier
                | Field::CompanySize
        ) || matches!(self, Field::Custom(_, kind) if *kind != CustomKind::Options)
    }
}

/// A value in a condition, already converted to the field's type (timestamps to epoch ms,
/// `display_id` to its number, lowercase keys lowercased, domains normalized).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Decimal(Decimal),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Compare {
    pub fn sql(self) -> &'static str {
        match self {
            Compare::Eq => "=",
            Compare::Gt => ">",
            Compare::Gte => ">=",
            Compare::Lt => "<",
            Compare::Lte => "<=",
        }
    }
}

/// What a leaf asks of its field. Negative operators become [`Filter::Not`] around these.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Compare(Compare, Scalar),
    /// Equal to one of the values (all of one type).
    In(Vec<Scalar>),
    /// Case-insensitive substring (or, with `prefix`, prefix) match of `text`, not yet escaped.
    Like {
        text: String,
        prefix: bool,
    },
    /// The field has a value (a list field: at least one element).
    Exists,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Leaf { field: Field, condition: Condition },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub field: Field,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// Search relevance, then name key, then id. Only with a search term.
    Rank,
    /// These keys, then id in the direction of the last key.
    Keys(Vec<SortKey>),
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    First,
    /// After the row with these sort values (one per key; `None` is a missing value) and id.
    After {
        values: Vec<Option<Scalar>>,
        id: String,
    },
    /// After this many rows.
    Offset(u64),
}

/// A validated query, ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountQuery {
    pub filter: Option<Filter>,
    /// Trimmed and lowercased; never empty.
    pub search: Option<String>,
    pub include_archived: bool,
    pub order: Order,
    pub limit: usize,
    pub start: Start,
    /// Identifies filter, search and archive flag, so that a cursor cannot cross queries.
    fingerprint: String,
}

impl AccountQuery {
    /// Validates a `POST /v1/accounts/query` body; custom fields are typed by `schema`.
    pub fn parse(request: QueryRequest, schema: &ObjectSchema) -> Result<AccountQuery> {
        let filter = match &request.filter {
            Some(value) => Some(FilterParser::new(schema).node(value, "filter", 1)?),
            None => None,
        };
        let search = parse_search("search", request.search.as_deref())?;
        let keys = parse_sort(request.sort.as_deref().unwrap_or_default(), schema)?;
        let limit = match request.limit {
            None => DEFAULT_LIMIT,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    Error::invalid_value(
                        "limit",
                        n,
                        format!("limit must be an integer from 1 to {MAX_LIMIT}"),
                    )
                })?,
        };
        let include_archived = request.include_archived.unwrap_or(false);
        assemble(
            filter,
            search,
            keys,
            limit,
            request.cursor.as_deref(),
            include_archived,
        )
    }

    /// The query behind `GET /v1/accounts?q=...`: the list filters plus a search term, ranked
    /// unless `sort` is given.
    pub fn from_list_params(mut params: ListParams) -> Result<AccountQuery> {
        let term = params.q.take();
        let cursor = params.cursor.take();
        let sorted = params.sort.as_deref().is_some_and(|s| !s.trim().is_empty());
        let search = parse_search("q", term.as_deref())?;
        let list = params.parse()?;
        let keys = if sorted {
            let field = match list.sort.field {
                SortField::Name => Field::Name,
                SortField::CreatedAt => Field::CreatedAt,
                SortField::UpdatedAt => Field::UpdatedAt,
            };
            vec![SortKey {
                field,
                descending: list.sort.descending,
            }]
        } else {
            Vec::new()
        };
        let f = &list.filter;
        let mut leaves = Vec::new();
        let mut eq = |field: Field, value: &Option<String>, lower: bool| {
            if let Some(v) = value {
                let v = if lower { name_sort_key(v) } else { v.clone() };
                leaves.push(leaf(
                    field,
                    Condition::Compare(Compare::Eq, Scalar::Text(v)),
                ));
            }
        };
        eq(Field::Stage, &f.stage, false);
        eq(Field::Industry, &f.industry, false);
        eq(Field::Owners, &f.owner, false);
        eq(Field::Tags, &f.tag, true);
        eq(Field::Domains, &f.domain, false);
        for (field, after) in [
            (Field::CreatedAt, f.created_after),
            (Field::UpdatedAt, f.updated_after),
        ] {
            if let Some(ms) = after {
                leaves.push(leaf(
                    field,
                    Condition::Compare(Compare::Gt, Scalar::Int(ms)),
                ));
            }
        }
        let filter = (!leaves.is_empty()).then_some(Filter::And(leaves));
        assemble(
            filter,
            search,
            keys,
            list.limit,
            cursor.as_deref(),
            f.include_archived,
        )
    }

    /// Whether pages continue by offset (ranked search, custom-field sorts) or by keyset.
    pub fn uses_offset(&self) -> bool {
        match &self.order {
            Order::Rank => true,
            Order::Keys(keys) => keys.iter().any(|k| matches!(k.field, Field::Custom(..))),
        }
    }

    /// Turns `limit + 1` fetched rows into a page: the extra row only says there is more.
    pub fn into_page(&self, mut rows: Vec<Account>) -> Page<Account> {
        let has_more = rows.len() > self.limit;
        rows.truncate(self.limit);
        let next_cursor = match rows.last() {
            Some(last) if has_more => Some(self.cursor_after(last, rows.len())),
            _ => None,
        };
        Page {
            data: rows,
            next_cursor,
            has_more,
        }
    }

    fn cursor_after(&self, last: &Account, count: usize) -> String {
        let mut body = CursorBody {
            s: sort_signature(&self.order),
            h: self.fingerprint.clone(),
            o: None,
            v: None,
            id: None,
        };
        match (&self.order, self.uses_offset()) {
            (Order::Keys(keys), false) => {
                let values = keys.iter().map(|k| cursor_json(&k.field, last)).collect();
                body.v = Some(values);
                body.id = Some(last.id.clone());
            }
            _ => {
                let before = match self.start {
                    Start::Offset(n) => n,
                    _ => 0,
                };
                body.o = Some(before.saturating_add(count as u64));
            }
        }
        // Serializing this plain struct cannot fail.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&body).unwrap_or_default())
    }
}

fn leaf(field: Field, condition: Condition) -> Filter {
    Filter::Leaf { field, condition }
}

/// Checks the cursor against the rest of the query and builds it.
fn assemble(
    filter: Option<Filter>,
    search: Option<String>,
    keys: Vec<SortKey>,
    limit: usize,
    cursor: Option<&str>,
    include_archived: bool,
) -> Result<AccountQuery> {
    let order = match (keys.is_empty(), search.is_some()) {
        (true, true) => Order::Rank,
        (true, false) => Order::Keys(vec![SortKey {
            field: Field::CreatedAt,
            descending: false,
        }]),
        (false, _) => Order::Keys(keys),
    };
    let fingerprint = fingerprint(&filter, &search, include_archived);
    let mut query = AccountQuery {
        filter,
        search,
        include_archived,
        order,
        limit,
        start: Start::First,
        fingerprint,
    };
    if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
        query.start = decode_cursor(cursor, &query)?;
    }
    Ok(query)
}

/// A short stable digest of what a query selects (not how it is sorted or paged).
fn fingerprint(filter: &Option<Filter>, search: &Option<String>, archived: bool) -> String {
    let text = format!("{filter:?}|{search:?}|{archived}");
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// `name:asc,created_at:desc`, or `rank`.
fn sort_signature(order: &Order) -> String {
    match order {
        Order::Rank => "rank".to_string(),
        Order::Keys(keys) => keys
            .iter()
            .map(|k| {
                let dir = if k.descending { "desc" } else { "asc" };
                format!("{}:{dir}", k.field.name())
            })
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// A blank term is no search; others are trimmed and lowercased (search text is lowercase).
pub fn parse_search(field: &str, text: Option<&str>) -> Result<Option<String>> {
    let Some(term) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if term.chars().count() > MAX_SEARCH_CHARS {
        return Err(Error::invalid_value(
            field,
            term,
            format!("{field} is at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    Ok(Some(term.to_lowercase()))
}

fn parse_sort(inputs: &[SortKeyInput], schema: &ObjectSchema) -> Result<Vec<SortKey>> {
    if inputs.len() > MAX_SORT_KEYS {
        return Err(Error::invalid(
            Code::TooManyItems,
            "sort",
            inputs.len(),
            format!("sort takes at most {MAX_SORT_KEYS} keys"),
        ));
    }
    let mut keys: Vec<SortKey> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let at = format!("sort[{i}].field");
        let field = parse_field(&input.field, &at, schema)?;
        if !field.sortable() {
            return Err(Error::invalid_value(
                at,
                input.field.as_str(),
                format!(
                    "{} cannot be sorted on; sort by id, display_id, name, created_at, updated_at, \
                     last_activity_at, number_of_employees, annual_revenue, industry, stage, tier, \
                     company_size or custom_fields.<key> (not a multi_select)",
                    input.field
                ),
            ));
        }
        if keys.iter().any(|k| k.field == field) {
            return Err(Error::invalid_value(
                at,
                input.field.as_str(),
                format!("{} appears twice in sort", input.field),
            ));
        }
        keys.push(SortKey {
            field,
            descending: input.direction == Direction::Desc,
        });
    }
    Ok(keys)
}

/// A field name, with `at` the path of the name in the request. A custom field must be
/// defined in the schema (archived ones still query their stored values).
fn parse_field(name: &str, at: &str, schema: &ObjectSchema) -> Result<Field> {
    if let Some(key) = name.strip_prefix(CUSTOM_PREFIX) {
        return match schema.field(key) {
            Some(def) => Ok(Field::Custom(
                key.to_string(),
                CustomKind::of(def.field_type),
            )),
            None => Err(Error::invalid(
                Code::UnknownField,
                at,
                name,
                format!(
                    "{name} is not a custom field of accounts; define it with \
                     POST /v1/schema/accounts/fields"
                ),
            )),
        };
    }
    Field::parse(name).ok_or_else(|| {
        Error::invalid(
            Code::UnknownField,
            at,
            name,
            format!(
                "{name} is not a field of accounts; custom fields are named custom_fields.<key>"
            ),
        )
    })
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(at: &str, value: &Value, wanted: &str) -> Error {
    Error::invalid(
        Code::InvalidType,
        at,
        value.clone(),
        format!("{at} must be {wanted}, not {}", type_name(value)),
    )
}

/// Walks a filter tree, counting conditions and list values against their limits.
struct FilterParser<'s> {
    schema: &'s ObjectSchema,
    conditions: usize,
    list_values: usize,
}

impl<'s> FilterParser<'s> {
    fn new(schema: &'s ObjectSchema) -> Self {
        FilterParser {
            schema,
            conditions: 0,
            list_values: 0,
        }
    }

    fn node(&mut self, value: &Value, at: &str, depth: usize) -> Result<Filter> {
        let Value::Object(map) = value else {
            return Err(wrong_type(
                at,
                value,
                "an object: a condition {\"field\", \"op\", \"value\"} or {\"and\"|\"or\"|\"not\": ...}",
            ));
        };
        if depth > MAX_DEPTH {
            return Err(Error::BadRequest {
                code: Code::InvalidValue,
                message: format!("{at}: filters nest at most {MAX_DEPTH} levels deep"),
                field: Some(at.to_string()),
                value: None,
            });
        }
        for logical in ["and", "or", "not"] {
            if let Some(inner) = map.get(logical) {
                if let Some(other) = map.keys().find(|k| k.as_str() != logical) {
                    return Err(unknown_key(
                        at,
                        other,
                        "a node holds only one of and, or, not",
                    ));
                }
                return self.logical(logical, inner, &format!("{at}.{logical}"), depth);
            }
        }
        self.leaf(map, at)
    }

    fn logical(&mut self, op: &str, inner: &Value, at: &str, depth: usize) -> Result<Filter> {
        if op == "not" {
            return Ok(Filter::Not(Box::new(self.node(inner, at, depth + 1)?)));
        }
        let Value::Array(items) = inner else {
            return Err(wrong_type(at, inner, "an array of filters"));
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
            .map(|(i, item)| self.node(item, &format!("{at}[{i}]"), depth + 1))
            .collect::<Result<Vec<_>>>()?;
        Ok(if op == "and" {
            Filter::And(children)
        } else {
            Filter::Or(children)
        })
    }

    fn leaf(&mut self, map: &Map<String, Value>, at: &str) -> Result<Filter> {
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
        self.conditions += 1;
        if self.conditions > MAX_CONDITIONS {
            return Err(Error::invalid(
                Code::TooManyItems,
                at,
                self.conditions,
                format!("a filter holds at most {MAX_CONDITIONS} conditions"),
            ));
        }
        let field_at = format!("{at}.field");
        let name = required_str(map, "field", at)?;
        let field = parse_field(name, &field_at, self.schema)?;
        let op = parse_op(required_str(map, "op", at)?, &field, &format!("{at}.op"))?;
        let value_at = format!("{at}.value");
        let value = map.get("value").ok_or_else(|| missing(&value_at))?;
        self.condition(field, op, value, &value_at)
    }

    fn condition(&mut self, field: Field, op: FilterOp, value: &Value, at: &str) -> Result<Filter> {
        let compare = |cmp| -> Result<Filter> {
            let scalar = scalar(&field, value, at)?;
            Ok(leaf(field.clone(), Condition::Compare(cmp, scalar)))
        };
        Ok(match op {
            FilterOp::Eq => compare(Compare::Eq)?,
            FilterOp::Ne => Filter::Not(Box::new(compare(Compare::Eq)?)),
            FilterOp::Gt => compare(Compare::Gt)?,
            FilterOp::Gte => compare(Compare::Gte)?,
            FilterOp::Lt => compare(Compare::Lt)?,
            FilterOp::Lte => compare(Compare::Lte)?,
            FilterOp::In => self.in_list(field, value, at)?,
            FilterOp::NotIn => Filter::Not(Box::new(self.in_list(field, value, at)?)),
            FilterOp::Contains | FilterOp::StartsWith => {
                let Value::String(text) = value else {
                    return Err(wrong_type(at, value, "a string"));
                };
                let text = if field.lowercased() {
                    text.to_lowercase()
                } else {
                    text.clone()
                };
                let prefix = op == FilterOp::StartsWith;
                leaf(field, Condition::Like { text, prefix })
            }
            FilterOp::Exists => match value {
                Value::Bool(true) => leaf(field, Condition::Exists),
                Value::Bool(false) => Filter::Not(Box::new(leaf(field, Condition::Exists))),
                other => return Err(wrong_type(at, other, "true or false")),
            },
        })
    }

    fn in_list(&mut self, field: Field, value: &Value, at: &str) -> Result<Filter> {
        let Value::Array(items) = value else {
            return Err(wrong_type(at, value, "an array of values"));
        };
        if items.is_empty() {
            return Err(Error::invalid_value(
                at,
                value.clone(),
                format!("{at} needs at least one value"),
            ));
        }
        self.list_values += items.len();
        if items.len() > MAX_LIST_VALUES || self.list_values > MAX_TOTAL_LIST_VALUES {
            return Err(Error::invalid(
                Code::TooManyItems,
                at,
                items.len(),
                format!(
                    "an in/not_in list holds at most {MAX_LIST_VALUES} values, and a filter at most \
                     {MAX_TOTAL_LIST_VALUES} in all"
                ),
            ));
        }
        let mut values: Vec<Scalar> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_at = format!("{at}[{i}]");
            let scalar = scalar(&field, item, &item_at)?;
            if let Some(first) = values.first()
                && std::mem::discriminant(first) != std::mem::discriminant(&scalar)
            {
                return Err(wrong_type(
                    &item_at,
                    item,
                    "of the same type as the first value",
                ));
            }
            values.push(scalar);
        }
        Ok(leaf(field, Condition::In(values)))
    }
}

fn missing(at: &str) -> Error {
    Error::BadRequest {
        code: Code::MissingField,
        message: format!("the field `{at}` is required"),
        field: Some(at.to_string()),
        value: None,
    }
}

fn unknown_key(at: &str, key: &str, why: &str) -> Error {
    let field = format!("{at}.{key}");
    Error::invalid(
        Code::UnknownField,
        field.as_str(),
        key,
        format!("`{field}` is not known: {why}"),
    )
}

fn required_str<'a>(map: &'a Map<String, Value>, key: &str, at: &str) -> Result<&'a str> {
    let key_at = format!("{at}.{key}");
    match map.get(key) {
        None => Err(missing(&key_at)),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(wrong_type(&key_at, other, "a string")),
    }
}

/// The operator, if it applies to the field's type.
fn parse_op(name: &str, field: &Field, at: &str) -> Result<FilterOp> {
    let Some(op) = OPS.iter().find(|(n, _)| *n == name).map(|(_, op)| *op) else {
        let all: Vec<&str> = OPS.iter().map(|(n, _)| *n).collect();
        return Err(Error::invalid_value(
            at,
            name,
            format!("{name} is not an operator; use one of {}", all.join(", ")),
        ));
    };
    let kind = field.kind();
    if !allows(kind, op) {
        let fitting: Vec<&str> = OPS
            .iter()
            .filter(|(_, o)| allows(kind, *o))
            .map(|(n, _)| *n)
            .collect();
        return Err(Error::invalid_value(
            at,
            name,
            format!(
                "{name} does not apply to {}; use one of {}",
                field.name(),
                fitting.join(", ")
            ),
        ));
    }
    Ok(op)
}

fn allows(kind: Kind, op: FilterOp) -> bool {
    use FilterOp::*;
    match op {
        Eq | Ne | In | NotIn | Exists => true,
        Contains | StartsWith => matches!(kind, Kind::Text | Kind::List { patterns: true }),
        Gt | Gte | Lt | Lte => matches!(
            kind,
            Kind::Text | Kind::Integer | Kind::Decimal | Kind::Timestamp | Kind::Chrono { .. }
        ),
    }
}

/// Converts a condition value to the field's type.
fn scalar(field: &Field, value: &Value, at: &str) -> Result<Scalar> {
    if let Field::Custom(_, kind) = field {
        return custom_scalar(*kind, value, at);
    }
    match field.kind() {
        Kind::Text | Kind::Keyword | Kind::List { .. } => text_scalar(field, value, at),
        Kind::Integer if *field == Field::DisplayId => display_number(value, at),
        Kind::Integer => match value.as_i64() {
            Some(n) => Ok(Scalar::Int(n)),
            None => Err(wrong_type(at, value, "an integer")),
        },
        Kind::Decimal => match value {
            Value::Number(n) => decimal(n, value, at).map(Scalar::Decimal),
            other => Err(wrong_type(at, other, "a number")),
        },
        Kind::Timestamp => match value {
            Value::String(s) => crate::time::parse_ms(s).map(Scalar::Int).ok_or_else(|| {
                Error::invalid_value(
                    at,
                    s.as_str(),
                    format!("{at} must be an RFC 3339 timestamp or a YYYY-MM-DD date"),
                )
            }),
            other => Err(wrong_type(
                at,
                other,
                "an RFC 3339 timestamp or YYYY-MM-DD date",
            )),
        },
        Kind::Bool => match value {
            Value::Bool(b) => Ok(Scalar::Bool(*b)),
            other => Err(wrong_type(at, other, "true or false")),
        },
        Kind::Chrono { .. } => text_scalar(field, value, at),
    }
}

fn text_scalar(field: &Field, value: &Value, at: &str) -> Result<Scalar> {
    let Value::String(text) = value else {
        return Err(wrong_type(at, value, "a string"));
    };
    if *field == Field::Domains {
        return normalize_domain(text)
            .map(Scalar::Text)
            .map_err(|why| Error::invalid(Code::InvalidDomain, at, text.as_str(), why));
    }
    Ok(Scalar::Text(if field.lowercased() {
        text.to_lowercase()
    } else {
        text.clone()
    }))
}

/// `ACC-42` (any case) or `42`.
fn display_number(value: &Value, at: &str) -> Result<Scalar> {
    if let Some(n) = value.as_i64() {
        return Ok(Scalar::Int(n));
    }
    let Value::String(text) = value else {
        return Err(wrong_type(at, value, "a display id such as ACC-42"));
    };
    text.get(..4)
        .filter(|p| p.eq_ignore_ascii_case("acc-"))
        .and_then(|_| text[4..].parse::<i64>().ok())
        .map(Scalar::Int)
        .ok_or_else(|| {
            Error::invalid_value(at, text.as_str(), format!("{at} must look like ACC-42"))
        })
}

fn decimal(n: &serde_json::Number, value: &Value, at: &str) -> Result<Decimal> {
    if let Some(i) = n.as_i64() {
        return Ok(Decimal::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Ok(Decimal::from(u));
    }
    let text = n.to_string();
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| {
            Error::invalid_value(
                at,
                value.clone(),
                format!("{at} is out of the range of decimal numbers"),
            )
        })
}

/// A condition value for a custom field, converted to the field's stored form; a value of
/// another type is `invalid_value` naming what the field takes.
fn custom_scalar(kind: CustomKind, value: &Value, at: &str) -> Result<Scalar> {
    let bad = |wanted: &str| {
        Error::invalid_value(
            at,
            value.clone(),
            format!("{at} must be {wanted} for this field, not {value}"),
        )
    };
    match (kind, value) {
        (CustomKind::Number, Value::Number(n)) => decimal(n, value, at).map(Scalar::Decimal),
        (CustomKind::Number, _) => Err(bad("a JSON number")),
        (CustomKind::Bool, Value::Bool(b)) => Ok(Scalar::Bool(*b)),
        (CustomKind::Bool, _) => Err(bad("true or false")),
        (CustomKind::Chrono { timestamp: false }, Value::String(s)) => {
            crate::schema::validate::parse_date(s.trim())
                .map(Scalar::Text)
                .ok_or_else(|| bad("a date (YYYY-MM-DD)"))
        }
        (CustomKind::Chrono { timestamp: true }, Value::String(s)) => {
            let s = s.trim();
            // A plain date means midnight UTC, as for the system timestamps.
            let parsed = crate::schema::validate::parse_timestamp(s).or_else(|| {
                crate::schema::validate::parse_date(s)
                    .and_then(|d| crate::time::parse_ms(&d))
                    .map(crate::time::format_ms)
            });
            parsed
                .map(Scalar::Text)
                .ok_or_else(|| bad("an RFC 3339 timestamp"))
        }
        (CustomKind::Chrono { timestamp: false }, _) => Err(bad("a date (YYYY-MM-DD)")),
        (CustomKind::Chrono { timestamp: true }, _) => Err(bad("an RFC 3339 timestamp")),
        // Select options are not checked against the current list, so that values of a
        // removed option can still be found.
        (CustomKind::Text | CustomKind::Keyword | CustomKind::Options, Value::String(s)) => {
            Ok(Scalar::Text(s.clone()))
        }
        (CustomKind::Text | CustomKind::Keyword | CustomKind::Options, _) => Err(bad("a string")),
    }
}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    /// The sort the cursor was made for.
    s: String,
    /// The fingerprint of the filter it was made for.
    h: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
}

fn bad_cursor(cursor: &str, why: &str) -> Error {
    Error::invalid(Code::InvalidCursor, "cursor", cursor, why.to_string())
}

fn decode_cursor(cursor: &str, query: &AccountQuery) -> Result<Start> {
    let foreign = || bad_cursor(cursor, "cursor is not one this server issued");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| foreign())?;
    let body: CursorBody = serde_json::from_slice(&bytes).map_err(|_| foreign())?;
    if body.s != sort_signature(&query.order) {
        return Err(bad_cursor(
            cursor,
            "cursor was issued for another sort; send the same sort as the first page",
        ));
    }
    if body.h != query.fingerprint {
        return Err(bad_cursor(
            cursor,
            "cursor was issued for another filter or search; send the same ones as the first page",
        ));
    }
    let keys = match &query.order {
        Order::Keys(keys) if !query.uses_offset() => keys,
        _ => {
            return match body.o {
                Some(n) if i64::try_from(n).is_ok() => Ok(Start::Offset(n)),
                _ => Err(foreign()),
            };
        }
    };
    let (Some(values), Some(id)) = (body.v, body.id) else {
        return Err(foreign());
    };
    if values.len() != keys.len() {
        return Err(foreign());
    }
    let values = keys
        .iter()
        .zip(&values)
        .map(|(key, value)| cursor_scalar(&key.field, value).ok_or_else(foreign))
        .collect::<Result<Vec<_>>>()?;
    Ok(Start::After { values, id })
}

/// A sort value read back from a cursor: `Some(None)` is a missing value.
fn cursor_scalar(field: &Field, value: &Value) -> Option<Option<Scalar>> {
    if value.is_null() {
        return field.nullable().then_some(None);
    }
    let scalar = match field.kind() {
        Kind::Integer | Kind::Timestamp => Scalar::Int(value.as_i64()?),
        Kind::Decimal => Scalar::Decimal(value.as_str()?.parse().ok()?),
        Kind::Text | Kind::Keyword => Scalar::Text(value.as_str()?.to_string()),
        Kind::List { .. } | Kind::Bool | Kind::Chrono { .. } => return None,
    };
    Some(Some(scalar))
}

/// The value of a sort key at `account`, as a cursor holds it.
fn cursor_json(field: &Field, account: &Account) -> Value {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    match field {
        Field::Id => Value::from(account.id.as_str()),
        Field::DisplayId => Value::from(
            account
                .display_id
                .get(4..)
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or_default(),
        ),
        Field::Name => Value::from(name_sort_key(&account.name)),
        Field::CreatedAt => Value::from(account.created_at),
        Field::UpdatedAt => Value::from(account.updated_at),
        Field::LastActivityAt => account.last_activity_at.map_or(Value::Null, Value::from),
        Field::NumberOfEmployees => account.number_of_employees.map_or(Value::Null, Value::from),
        Field::AnnualRevenue => account
            .annual_revenue
            .map_or(Value::Null, |d| Value::from(d.to_string())),
        Field::Industry => text(&account.industry),
        Field::Stage => text(&account.stage),
        Field::Tier => text(&account.tier),
        Field::CompanySize => text(&account.company_size),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Custom fields `score` (number), `flag` (boolean) and `since` (date).
    fn test_schema() -> ObjectSchema {
        let object = crate::schema::SchemaObject::Accounts;
        let fields = [("score", "number"), ("flag", "boolean"), ("since", "date")]
            .iter()
            .map(|(name, ty)| {
                crate::schema::NewCustomField {
                    api_name: (*name).into(),
                    field_type: (*ty).into(),
                    ..Default::default()
                }
                .into_def(object, 0)
                .expect("valid definition")
            })
            .collect();
        ObjectSchema { object, fields }
    }

    fn parse(body: Value) -> Result<AccountQuery> {
        let request: QueryRequest = crate::decode::from_value(&body, "")?;
        AccountQuery::parse(request, &test_schema())
    }

    fn err(body: Value) -> Error {
        match parse(body.clone()) {
            Ok(q) => panic!("{body} was accepted as {q:?}"),
            Err(e) => e,
        }
    }

    fn where_(body: Value) -> (&'static str, Option<String>, Option<Value>) {
        let e = err(body);
        (
            e.code().as_str(),
            e.field().map(str::to_string),
            e.value().cloned(),
        )
    }

    #[test]
    fn leaves_and_nodes() {
        let q = parse(json!({"filter": {"and": [
            {"field": "industry", "op": "eq", "value": "Software"},
            {"not": {"field": "tags", "op": "in", "value": ["VIP", "Gold"]}},
            {"field": "number_of_employees", "op": "gte", "value": 10},
            {"field": "domains", "op": "eq", "value": "https://WWW.Acme.com/x"},
            {"field": "name", "op": "ne", "value": "Acme"},
            {"field": "custom_fields.score", "op": "gt", "value": 7.5},
            {"field": "created_at", "op": "lt", "value": "2024-01-02"},
            {"field": "archived_at", "op": "exists", "value": false}
        ]}}))
        .expect("valid");
        let Some(Filter::And(items)) = q.filter else {
            panic!("not an and")
        };
        assert_eq!(
            items[1],
            Filter::Not(Box::new(leaf(
                Field::Tags,
                Condition::In(vec![
                    Scalar::Text("vip".into()),
                    Scalar::Text("gold".into())
                ])
            )))
        );
        assert_eq!(
            items[3],
            leaf(
                Field::Domains,
                Condition::Compare(Compare::Eq, Scalar::Text("acme.com".into()))
            )
        );
        assert_eq!(
            items[4],
            Filter::Not(Box::new(leaf(
                Field::Name,
                Condition::Compare(Compare::Eq, Scalar::Text("acme".into()))
            )))
        );
        assert_eq!(
            items[5],
            leaf(
                Field::Custom("score".into(), CustomKind::Number),
                Condition::Compare(Compare::Gt, Scalar::Decimal("7.5".parse().expect("d")))
            )
        );
        assert_eq!(
            items[6],
            leaf(
                Field::CreatedAt,
                Condition::Compare(Compare::Lt, Scalar::Int(1_704_153_600_000))
            )
        );
        assert_eq!(q.limit, DEFAULT_LIMIT);
        assert_eq!(
            q.order,
            Order::Keys(vec![SortKey {
                field: Field::CreatedAt,
                descending: false
            }])
        );
    }

    #[test]
    fn errors_name_their_path() {
        let f = |filter: Value| where_(json!({ "filter": filter }));
        assert_eq!(
            f(
                json!({"and": [{"field": "industry", "op": "eq", "value": "x"}, {"field": "colour", "op": "eq", "value": "red"}]})
            ),
            (
                "unknown_field",
                Some("filter.and[1].field".into()),
                Some(json!("colour"))
            )
        );
        assert_eq!(
            f(json!({"and": [{"field": "tags", "op": "gt", "value": "x"}]})),
            (
                "invalid_value",
                Some("filter.and[0].op".into()),
                Some(json!("gt"))
            )
        );
        assert_eq!(
            f(json!({"field": "number_of_employees", "op": "contains", "value": "1"})).1,
            Some("filter.op".into())
        );
        assert_eq!(
            f(
                json!({"or": [{"field": "industry", "op": "eq", "value": "x"}, {"field": "industry", "op": "eq", "value": "x"}, {"field": "number_of_employees", "op": "eq", "value": "ten"}]})
            ),
            (
                "invalid_type",
                Some("filter.or[2].value".into()),
                Some(json!("ten"))
            )
        );
        assert_eq!(
            f(json!({"field": "industry", "op": "in", "value": "x"})).0,
            "invalid_type"
        );
        assert_eq!(
            f(json!({"field": "industry", "op": "in", "value": ["a", 1]})).1,
            Some("filter.value[1]".into())
        );
        assert_eq!(
            f(json!({"field": "industry", "op": "like", "value": "x"})).0,
            "invalid_value"
        );
        assert_eq!(
            f(json!({"field": "industry", "value": "x"})),
            ("missing_field", Some("filter.op".into()), None)
        );
        assert_eq!(
            f(json!({"field": "industry", "op": "eq", "value": "x", "extra": 1})).1,
            Some("filter.extra".into())
        );
        assert_eq!(
            f(json!({"and": [], })),
            ("invalid_value", Some("filter.and".into()), Some(json!([])))
        );
        assert_eq!(f(json!({"not": 3})).1, Some("filter.not".into()));
        assert_eq!(
            f(json!({"field": "created_at", "op": "gt", "value": "soon"})).0,
            "invalid_value"
        );
        assert_eq!(
            f(json!({"field": "domains", "op": "eq", "value": "nope"})).0,
            "invalid_domain"
        );
        assert_eq!(
            f(json!({"field": "custom_fields.a b", "op": "eq", "value": 1})).1,
            Some("filter.field".into())
        );
        assert_eq!(
            f(json!({"field": "custom_fields.flag", "op": "gt", "value": true})),
            ("invalid_value", Some("filter.op".into()), Some(json!("gt")))
        );
        // Custom fields are typed by their definition, not by the value sent.
        assert_eq!(
            f(json!({"field": "custom_fields.nope", "op": "eq", "value": 1})),
            (
                "unknown_field",
                Some("filter.field".into()),
                Some(json!("custom_fields.nope"))
            )
        );
        assert_eq!(
            f(json!({"field": "custom_fields.score", "op": "gt", "value": "9"})),
            (
                "invalid_value",
                Some("filter.value".into()),
                Some(json!("9"))
            )
        );
        assert_eq!(
            f(json!({"field": "custom_fields.since", "op": "gt", "value": "May"})).0,
            "invalid_value"
        );
        assert_eq!(
            f(json!({"field": "archived_at", "op": "exists", "value": "yes"})).0,
            "invalid_type"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let mut deep = json!({"field": "industry", "op": "eq", "value": "x"});
        for _ in 0..MAX_DEPTH {
            deep = json!({ "not": deep });
        }
        assert_eq!(where_(json!({ "filter": deep })).0, "invalid_value");
        let many: Vec<Value> = (0..=MAX_CONDITIONS)
            .map(|_| json!({"field": "industry", "op": "eq", "value": "x"}))
            .collect();
        assert_eq!(
            where_(json!({"filter": {"or": many}})).1,
            Some(format!("filter.or[{MAX_CONDITIONS}]"))
        );
        assert_eq!(where_(json!({"limit": 0})).1, Some("limit".into()));
        assert_eq!(where_(json!({"limit": 1001})).1, Some("limit".into()));
        assert_eq!(where_(json!({"limit": "5"})).0, "invalid_type");
        assert_eq!(
            where_(json!({"search": "x".repeat(201)})).1,
            Some("search".into())
        );
        assert_eq!(
            where_(json!({"colour": 1})),
            (
                "unknown_field",
                Some("colour".into()),
                Some(json!("colour"))
            )
        );
    }

    #[test]
    fn sorts() {
        let q = parse(
            json!({"sort": [{"field": "name", "direction": "desc"}, {"field": "annual_revenue"}]}),
        )
        .expect("valid");
        assert_eq!(
            sort_signature(&q.order),
            "name:desc,annual_revenue:asc".to_string()
        );
        assert!(!q.uses_offset());
        assert_eq!(
            where_(json!({"sort": [{"field": "tags"}]})).1,
            Some("sort[0].field".into())
        );
        assert_eq!(
            where_(json!({"sort": [{"field": "name"}, {"field": "colour"}]})),
            (
                "unknown_field",
                Some("sort[1].field".into()),
                Some(json!("colour"))
            )
        );
        assert_eq!(
            where_(json!({"sort": [{"field": "name", "direction": "up"}]})).1,
            Some("sort[0].direction".into())
        );
        let ranked = parse(json!({"search": "  Acme "})).expect("valid");
        assert_eq!(
            (ranked.order.clone(), ranked.search.as_deref()),
            (Order::Rank, Some("acme"))
        );
        assert!(ranked.uses_offset());
    }

    fn account(name: &str, revenue: Option<&str>) -> Account {
        Account {
            id: "acc_1".into(),
            display_id: "ACC-7".into(),
            workspace_id: "ws".into(),
            name: name.into(),
            description: None,
            domains: vec![],
            websites: vec![],
            industry: None,
            tier: None,
            company_size: None,
            number_of_employees: None,
            annual_revenue: revenue.map(|r| r.parse().expect("decimal")),
            stage: None,
            owners: vec![],
            phone_numbers: vec![],
            addresses: vec![],
            tags: vec![],
            external_refs: vec![],
            custom_fields: Map::new(),
            artifacts: vec![],
            remote_data: None,
            created_at: 5,
            updated_at: 6,
            created_by: None,
            modified_by: None,
            last_activity_at: None,
            archived_at: None,
            version: 1,
            contact_count: 0,
            open_opportunity_count: 0,
            open_case_count: 0,
        }
    }

    #[test]
    fn cursors_round_trip_and_check_their_query() {
        let body = json!({"sort": [{"field": "annual_revenue", "direction": "desc"}, {"field": "display_id"}],
                          "filter": {"field": "industry", "op": "eq", "value": "x"}, "limit": 1});
        let q = parse(body.clone()).expect("valid");
        let page = q.into_page(vec![account("A", Some("12.50")), account("B", None)]);
        let cursor = page.next_cursor.expect("a next page");
        let mut next = body.clone();
        next["cursor"] = json!(cursor);
        let q2 = parse(next).expect("cursor accepted");
        assert_eq!(
            q2.start,
            Start::After {
                values: vec![
                    Some(Scalar::Decimal("12.50".parse().expect("d"))),
                    Some(Scalar::Int(7))
                ],
                id: "acc_1".into()
            }
        );
        let mut other_sort = body.clone();
        other_sort["sort"] = json!([{"field": "name"}]);
        other_sort["cursor"] = json!(cursor);
        assert_eq!(where_(other_sort).1, Some("cursor".into()));
        let mut other_filter = body.clone();
        other_filter["filter"]["value"] = json!("y");
        other_filter["cursor"] = json!(cursor);
        assert_eq!(where_(other_filter).0, "invalid_cursor");
        assert_eq!(where_(json!({"cursor": "!!"})).1, Some("cursor".into()));

        let ranked = parse(json!({"search": "a", "limit": 1})).expect("valid");
        let page = ranked.into_page(vec![account("A", None), account("B", None)]);
        let next = parse(json!({"search": "a", "limit": 1, "cursor": page.next_cursor}))
            .expect("cursor accepted");
        assert_eq!(next.start, Start::Offset(1));
    }

    #[test]
    fn list_params_become_a_query() {
        let params = ListParams {
            q: Some(" Acme ".into()),
            stage: Some("customer".into()),
            tag: Some("VIP".into()),
            ..ListParams::default()
        };
        let q = AccountQuery::from_list_params(params).expect("valid");
        assert_eq!(q.search.as_deref(), Some("acme"));
        assert_eq!(q.order, Order::Rank);
        let Some(Filter::And(items)) = q.filter else {
            panic!("no filter")
        };
        assert_eq!(items.len(), 2);
        let long = ListParams {
            q: Some("x".repeat(201)),
            ..ListParams::default()
        };
        let e = AccountQuery::from_list_params(long).expect_err("too long");
        assert_eq!(e.field(), Some("q"));
    }
}
