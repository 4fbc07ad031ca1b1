//! Checks what a caller asks (predicates, sort keys, a search term) against the account's
//! fields and turns it into the AST. Every mistake is a 400 naming its place in what the caller
//! passed (`and[1].field`, or the predicate's label) and the offending value.
//!
//! Codes: a field the query language does not know is `unknown_filter_field`; an operator the
//! field does not take (or no operator at all) is `unsupported_operator`; a value of the wrong
//! JSON type is `invalid_filter_value` (a custom field keeps `invalid_value`, naming the type
//! its definition takes); a well-typed value that is still wrong is `invalid_value`.

use rust_decimal::Decimal;

use super::ast::{
    Compare, Condition, CustomKind, Field, Filter, Kind, Pattern, Scalar, SortKey, leaf,
};
use super::input::{Direction, FilterOp, FilterTree, FilterValue, Predicate};
use super::{
    CUSTOM_PREFIX, MAX_CONDITIONS, MAX_DEPTH, MAX_LIST_VALUES, MAX_SEARCH_CHARS, MAX_SORT_KEYS,
    MAX_TOTAL_LIST_VALUES,
};
use crate::error::{Code, Error, Result};
use crate::ids;
use crate::normalize::normalize_domain;
use crate::schema::ObjectSchema;
use crate::schema::account_fields::{FieldKey, account_field, account_fields};

/// `at.name`, or `name` at the root.
pub(crate) fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}

/// The paths errors about one predicate name.
pub(crate) struct Paths {
    pub field: String,
    pub op: String,
    pub value: String,
}

impl Paths {
    /// The parts of a predicate at `at` in a tree.
    pub fn at(at: &str) -> Paths {
        Paths {
            field: join(at, "field"),
            op: join(at, "op"),
            value: join(at, "value"),
        }
    }

    /// Every part of a labelled predicate is the label.
    fn labelled(label: &str) -> Paths {
        Paths {
            field: label.to_string(),
            op: label.to_string(),
            value: label.to_string(),
        }
    }
}

/// Walks a filter, counting conditions and list values against their limits.
pub(crate) struct FilterChecker<'s> {
    schema: &'s ObjectSchema,
    conditions: usize,
    list_values: usize,
}

impl<'s> FilterChecker<'s> {
    pub fn new(schema: &'s ObjectSchema) -> Self {
        FilterChecker {
            schema,
            conditions: 0,
            list_values: 0,
        }
    }

    pub fn schema(&self) -> &'s ObjectSchema {
        self.schema
    }

    /// A caller's tree whose root is at `at`; the root is at depth 1.
    pub fn tree(&mut self, tree: &FilterTree, at: &str, depth: usize) -> Result<Filter> {
        check_depth(at, depth)?;
        match tree {
            FilterTree::And(items) | FilterTree::Or(items) => {
                let and = matches!(tree, FilterTree::And(_));
                let at = join(at, if and { "and" } else { "or" });
                if items.is_empty() {
                    return Err(Error::invalid_value(
                        at.as_str(),
                        serde_json::json!([]),
                        format!("{at} needs at least one filter"),
                    ));
                }
                let children = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.tree(item, &format!("{at}[{i}]"), depth + 1))
                    .collect::<Result<Vec<_>>>()?;
                Ok(if and {
                    Filter::And(children)
                } else {
                    Filter::Or(children)
                })
            }
            FilterTree::Not(inner) => Ok(Filter::Not(Box::new(self.tree(
                inner,
                &join(at, "not"),
                depth + 1,
            )?))),
            FilterTree::Predicate(p) => self.predicate(p, at),
        }
    }

    fn predicate(&mut self, p: &Predicate, at: &str) -> Result<Filter> {
        let paths = match &p.label {
            Some(label) => Paths::labelled(label),
            None => Paths::at(at),
        };
        self.count_condition(p.label.as_deref().unwrap_or(at))?;
        let field = resolve_field(&p.field, &paths.field, self.schema)?;
        check_op(&field, p.op, &paths.op)?;
        self.condition(field, p.op, p.value.as_ref(), &paths.value)
    }

    /// Counts one more condition, at `at`.
    pub fn count_condition(&mut self, at: &str) -> Result<()> {
        self.conditions += 1;
        if self.conditions > MAX_CONDITIONS {
            return Err(Error::invalid(
                Code::TooManyItems,
                at,
                self.conditions,
                format!("a filter holds at most {MAX_CONDITIONS} conditions"),
            ));
        }
        Ok(())
    }

    /// The condition `field op value`, the operator already checked; `at` is the value's path.
    pub fn condition(
        &mut self,
        field: Field,
        op: FilterOp,
        value: Option<&FilterValue>,
        at: &str,
    ) -> Result<Filter> {
        let value = match (value, op) {
            (Some(value), _) => value,
            (None, FilterOp::Exists | FilterOp::NotExists) => &FilterValue::Bool(true),
            (None, _) => return Err(missing(at)),
        };
        let compare = |cmp| -> Result<Filter> {
            let scalar = scalar(&field, value, at)?;
            Ok(field_leaf(&field, Condition::Compare(cmp, scalar)))
        };
        let negate = |f: Filter| Filter::Not(Box::new(f));
        Ok(match op {
            FilterOp::Eq => compare(Compare::Eq)?,
            FilterOp::Ne => negate(compare(Compare::Eq)?),
            FilterOp::Gt => compare(Compare::Gt)?,
            FilterOp::Gte => compare(Compare::Gte)?,
            FilterOp::Lt => compare(Compare::Lt)?,
            FilterOp::Lte => compare(Compare::Lte)?,
            FilterOp::Between => between(&field, value, at)?,
            FilterOp::In => self.in_list(&field, value, at)?,
            FilterOp::NotIn => negate(self.in_list(&field, value, at)?),
            FilterOp::Contains => like(field, value, at, Pattern::Contains)?,
            FilterOp::StartsWith => like(field, value, at, Pattern::StartsWith)?,
            FilterOp::EndsWith => like(field, value, at, Pattern::EndsWith)?,
            FilterOp::Exists | FilterOp::NotExists => {
                let FilterValue::Bool(wanted) = value else {
                    return Err(wrong_type(at, value, "true or false"));
                };
                let exists = leaf(field, Condition::Exists);
                if *wanted == (op == FilterOp::Exists) {
                    exists
                } else {
                    negate(exists)
                }
            }
        })
    }

    fn in_list(&mut self, field: &Field, value: &FilterValue, at: &str) -> Result<Filter> {
        let FilterValue::List(items) = value else {
            return Err(wrong_type(at, value, "an array of values"));
        };
        if items.is_empty() {
            return Err(Error::invalid_value(
                at,
                value.to_json(),
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
            let scalar = scalar(field, item, &item_at)?;
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
        if *field == Field::System(FieldKey::Tags) {
            return Ok(tags_in(values));
        }
        Ok(leaf(field.clone(), Condition::In(values)))
    }
}

pub(crate) fn check_depth(at: &str, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::BadRequest {
            code: Code::InvalidValue,
            message: format!("{at}: filters nest at most {MAX_DEPTH} levels deep"),
            field: Some(at.to_string()),
            value: None,
        });
    }
    Ok(())
}

/// A field name, with `at` the path of the name. A custom field must be defined in the schema
/// (archived ones still query their stored values).
pub(crate) fn resolve_field(name: &str, at: &str, schema: &ObjectSchema) -> Result<Field> {
    let unknown = |message: String| Error::invalid(Code::UnknownFilterField, at, name, message);
    if let Some(key) = name.strip_prefix(CUSTOM_PREFIX) {
        return match schema.field(key) {
            Some(def) => Ok(Field::Custom(
                key.to_string(),
                CustomKind::of(def.field_type),
            )),
            None => Err(unknown(format!(
                "{name} is not a custom field of accounts; define it with \
                 POST /v1/schema/accounts/fields"
            ))),
        };
    }
    match account_field(name) {
        Some(field) if field.filterable() => Ok(Field::System(field.key)),
        Some(_) => Err(unknown(format!(
            "{name} cannot be filtered or sorted on; the fields that can are {}",
            filterable_names()
        ))),
        None => Err(unknown(format!(
            "{name} is not a field of accounts; custom fields are named custom_fields.<key>"
        ))),
    }
}

fn filterable_names() -> String {
    let mut names: Vec<&str> = account_fields()
        .filter(|f| f.filterable())
        .map(|f| f.name)
        .collect();
    names.push("custom_fields.<key>");
    names.join(", ")
}

/// An operator the field takes.
pub(crate) fn check_op(field: &Field, op: FilterOp, at: &str) -> Result<()> {
    let kind = field.kind();
    if kind.takes(op) {
        return Ok(());
    }
    let fitting: Vec<&str> = kind.operators().iter().map(|o| o.as_str()).collect();
    Err(Error::invalid(
        Code::UnsupportedOperator,
        at,
        op.as_str(),
        format!(
            "{op} does not apply to {}; use one of {}",
            field.name(),
            fitting.join(", ")
        ),
    ))
}

/// An operator name that is no operator at all.
pub(crate) fn unknown_op(name: &str, at: &str) -> Error {
    let all: Vec<&str> = FilterOp::ALL.iter().map(|o| o.as_str()).collect();
    Error::invalid(
        Code::UnsupportedOperator,
        at,
        name,
        format!("{name} is not an operator; use one of {}", all.join(", ")),
    )
}

pub(crate) fn missing(at: &str) -> Error {
    Error::BadRequest {
        code: Code::MissingField,
        message: format!("the field `{at}` is required"),
        field: Some(at.to_string()),
        value: None,
    }
}

/// A filter value of the wrong JSON type.
fn wrong_type(at: &str, value: &FilterValue, wanted: &str) -> Error {
    Error::invalid(
        Code::InvalidFilterValue,
        at,
        value.to_json(),
        format!("{at} must be {wanted}, not {}", value.type_name()),
    )
}

/// A leaf on `field`; a `tags` value that is a tag id compares with the ids.
fn field_leaf(field: &Field, condition: Condition) -> Filter {
    match (field, &condition) {
        (Field::System(FieldKey::Tags), Condition::Compare(_, Scalar::Text(text)))
            if is_tag_id(text) =>
        {
            leaf(Field::TagId, condition)
        }
        _ => leaf(field.clone(), condition),
    }
}

/// `tag_` and a ULID: the form of a tag id, which no tag name is expected to take.
fn is_tag_id(text: &str) -> bool {
    ids::is_valid(ids::TAG, text)
}

/// `tags in [...]`: ids and names each compare with their own column.
fn tags_in(values: Vec<Scalar>) -> Filter {
    let (ids, names): (Vec<Scalar>, Vec<Scalar>) = values
        .into_iter()
        .partition(|v| matches!(v, Scalar::Text(t) if is_tag_id(t)));
    let mut leaves = Vec::new();
    if !ids.is_empty() {
        leaves.push(leaf(Field::TagId, Condition::In(ids)));
    }
    if !names.is_empty() {
        leaves.push(leaf(Field::System(FieldKey::Tags), Condition::In(names)));
    }
    match leaves.len() {
        1 => leaves.remove(0),
        _ => Filter::Or(leaves),
    }
}

fn between(field: &Field, value: &FilterValue, at: &str) -> Result<Filter> {
    let FilterValue::List(items) = value else {
        return Err(wrong_type(at, value, "an array [low, high]"));
    };
    let [low, high] = items.as_slice() else {
        return Err(Error::invalid_value(
            at,
            value.to_json(),
            format!("{at} must hold exactly two values, [low, high]"),
        ));
    };
    let low = scalar(field, low, &format!("{at}[0]"))?;
    let high = scalar(field, high, &format!("{at}[1]"))?;
    if low > high {
        return Err(Error::invalid_value(
            at,
            value.to_json(),
            format!("{at}: low must not be greater than high"),
        ));
    }
    Ok(leaf(field.clone(), Condition::Between(low, high)))
}

fn like(field: Field, value: &FilterValue, at: &str, pattern: Pattern) -> Result<Filter> {
    let FilterValue::Text(text) = value else {
        return Err(wrong_type(at, value, "a string"));
    };
    let text = if field.folds_case() {
        text.to_lowercase()
    } else {
        text.clone()
    };
    Ok(leaf(field, Condition::Like { text, pattern }))
}

/// Converts a condition value to the field's type.
fn scalar(field: &Field, value: &FilterValue, at: &str) -> Result<Scalar> {
    if let Field::Custom(_, kind) = field {
        return custom_scalar(*kind, value, at);
    }
    match field.kind() {
        Kind::Text | Kind::Keyword | Kind::List { .. } | Kind::Chrono { .. } => {
            text_scalar(field, value, at)
        }
        Kind::Integer if *field == Field::System(FieldKey::DisplayId) => display_number(value, at),
        Kind::Integer => match value {
            FilterValue::Int(n) => Ok(Scalar::Int(*n)),
            other => Err(wrong_type(at, other, "an integer")),
        },
        Kind::Decimal => match decimal(value, at) {
            Some(d) => d.map(Scalar::Decimal),
            None => Err(wrong_type(at, value, "a number")),
        },
        Kind::Timestamp => match value {
            FilterValue::Text(s) => crate::time::parse_ms(s).map(Scalar::Int).ok_or_else(|| {
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
            FilterValue::Bool(b) => Ok(Scalar::Bool(*b)),
            other => Err(wrong_type(at, other, "true or false")),
        },
    }
}

/// A number as an exact decimal: `None` when the value is not a number, an error when it is
/// one out of range.
fn decimal(value: &FilterValue, at: &str) -> Option<Result<Decimal>> {
    match value {
        FilterValue::Int(n) => Some(Ok(Decimal::from(*n))),
        FilterValue::Number(d) => Some(Ok(*d)),
        FilterValue::Float(_) => Some(Err(Error::invalid_value(
            at,
            value.to_json(),
            format!("{at} is out of the range of decimal numbers"),
        ))),
        _ => None,
    }
}

fn text_scalar(field: &Field, value: &FilterValue, at: &str) -> Result<Scalar> {
    let FilterValue::Text(text) = value else {
        return Err(wrong_type(at, value, "a string"));
    };
    if *field == Field::System(FieldKey::Domains) {
        return normalize_domain(text)
            .map(Scalar::Text)
            .map_err(|why| Error::invalid(Code::InvalidDomain, at, text.as_str(), why));
    }
    Ok(Scalar::Text(if field.folds_case() {
        text.to_lowercase()
    } else {
        text.clone()
    }))
}

/// `ACC-42` (any case) or `42`.
fn display_number(value: &FilterValue, at: &str) -> Result<Scalar> {
    let text = match value {
        FilterValue::Int(n) => return Ok(Scalar::Int(*n)),
        FilterValue::Text(text) => text,
        other => return Err(wrong_type(at, other, "a display id such as ACC-42")),
    };
    text.get(..4)
        .filter(|p| p.eq_ignore_ascii_case("acc-"))
        .and_then(|_| text[4..].parse::<i64>().ok())
        .map(Scalar::Int)
        .ok_or_else(|| {
            Error::invalid_value(at, text.as_str(), format!("{at} must look like ACC-42"))
        })
}

/// A condition value for a custom field, converted to the field's stored form; a value of
/// another type is `invalid_value` naming what the field takes.
fn custom_scalar(kind: CustomKind, value: &FilterValue, at: &str) -> Result<Scalar> {
    let bad = |wanted: &str| {
        Error::invalid_value(
            at,
            value.to_json(),
            format!(
                "{at} must be {wanted} for this field, not {}",
                value.to_json()
            ),
        )
    };
    match (kind, value) {
        (CustomKind::Number, _) => match decimal(value, at) {
            Some(d) => d.map(Scalar::Decimal),
            None => Err(bad("a JSON number")),
        },
        (CustomKind::Bool, FilterValue::Bool(b)) => Ok(Scalar::Bool(*b)),
        (CustomKind::Bool, _) => Err(bad("true or false")),
        (CustomKind::Chrono { timestamp: false }, FilterValue::Text(s)) => {
            crate::schema::validate::parse_date(s.trim())
                .map(Scalar::Text)
                .ok_or_else(|| bad("a date (YYYY-MM-DD)"))
        }
        (CustomKind::Chrono { timestamp: true }, FilterValue::Text(s)) => {
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
        (CustomKind::Text | CustomKind::Keyword | CustomKind::Options, FilterValue::Text(s)) => {
            Ok(Scalar::Text(s.clone()))
        }
        (CustomKind::Text | CustomKind::Keyword | CustomKind::Options, _) => Err(bad("a string")),
    }
}

/// The sort keys, each `(field, direction)`, with errors at `sort[i].field`.
pub(crate) fn sort_keys(
    inputs: &[(String, Direction)],
    schema: &ObjectSchema,
) -> Result<Vec<SortKey>> {
    if inputs.len() > MAX_SORT_KEYS {
        return Err(Error::invalid(
            Code::TooManySortKeys,
            "sort",
            inputs.len(),
            format!("sort takes at most {MAX_SORT_KEYS} keys"),
        ));
    }
    let mut keys: Vec<SortKey> = Vec::new();
    for (i, (name, direction)) in inputs.iter().enumerate() {
        let at = format!("sort[{i}].field");
        let field = resolve_field(name, &at, schema)?;
        if !field.sortable() {
            return Err(Error::invalid(
                Code::UnsortableField,
                at,
                name.as_str(),
                format!("{name} cannot be sorted on; sort by {}", sortable_names()),
            ));
        }
        if keys.iter().any(|k| k.field == field) {
            return Err(Error::invalid_value(
                at,
                name.as_str(),
                format!("{name} appears twice in sort"),
            ));
        }
        keys.push(SortKey {
            field,
            descending: *direction == Direction::Desc,
        });
    }
    Ok(keys)
}

fn sortable_names() -> String {
    let mut names: Vec<&str> = account_fields()
        .filter(|f| f.sortable)
        .map(|f| f.name)
        .collect();
    names.push("custom_fields.<key> (not a multi_select)");
    names.join(", ")
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
            format!("a search term is at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    Ok(Some(term.to_lowercase()))
}
