//! The validated form of a query: typed fields, conditions whose values are already converted
//! to the field's type, and the order and start of a page. The store compiles it to SQL; nothing
//! here is a client's text any more.

use rust_decimal::Decimal;

use super::FilterOp;
use crate::schema::FieldType;
use crate::schema::account_fields::FieldKey;

/// A field a condition or a sort names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// A system field of the registry ([`crate::schema::account_fields`]).
    System(FieldKey),
    /// The ids of the account's tags: a `tags` condition whose value is a tag id.
    TagId,
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
    /// Ids and keys, compared exactly.
    Keyword,
    Integer,
    Decimal,
    /// Epoch milliseconds, written as RFC 3339 or YYYY-MM-DD.
    Timestamp,
    /// A list of values; `patterns` says whether contains/starts_with/ends_with apply.
    List {
        patterns: bool,
    },
    /// true or false.
    Bool,
    /// A date or timestamp custom field, compared as its normalized text.
    Chrono {
        timestamp: bool,
    },
}

use FilterOp::*;

const ORDERED_TEXT_OPS: &[FilterOp] = &[
    Eq, Ne, In, NotIn, Contains, StartsWith, EndsWith, Gt, Gte, Lt, Lte, Between, Exists, NotExists,
];
const ORDERED_OPS: &[FilterOp] = &[
    Eq, Ne, In, NotIn, Gt, Gte, Lt, Lte, Between, Exists, NotExists,
];
const PATTERN_LIST_OPS: &[FilterOp] = &[
    Eq, Ne, In, NotIn, Contains, StartsWith, EndsWith, Exists, NotExists,
];
const EQUALITY_OPS: &[FilterOp] = &[Eq, Ne, In, NotIn, Exists, NotExists];

impl Kind {
    /// The operators a field of this kind takes, in the order the documentation lists them.
    pub const fn operators(self) -> &'static [FilterOp] {
        match self {
            Kind::Text => ORDERED_TEXT_OPS,
            Kind::Integer | Kind::Decimal | Kind::Timestamp | Kind::Chrono { .. } => ORDERED_OPS,
            Kind::List { patterns: true } => PATTERN_LIST_OPS,
            Kind::Keyword | Kind::List { patterns: false } | Kind::Bool => EQUALITY_OPS,
        }
    }

    pub fn takes(self, op: FilterOp) -> bool {
        self.operators().contains(&op)
    }
}

impl Field {
    /// The name a client writes: `industry`, `custom_fields.score`.
    pub fn name(&self) -> String {
        match self {
            Field::System(key) => key.field().name.to_string(),
            Field::TagId => FieldKey::Tags.field().name.to_string(),
            Field::Custom(key, _) => format!("{}{key}", super::CUSTOM_PREFIX),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            // Every system field a query names is filterable (checked when it is parsed).
            Field::System(key) => key.field().filter.unwrap_or(Kind::Keyword),
            Field::TagId => Kind::List { patterns: false },
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

    /// Whether values of this field are compared by their lowercase form (the store keeps
    /// lowercase keys of names, tag names and domains).
    pub fn folds_case(&self) -> bool {
        matches!(
            self,
            Field::System(FieldKey::Name | FieldKey::Tags | FieldKey::Domains)
        )
    }

    /// Whether an account may lack a value (which sorts last ascending, first descending).
    pub fn nullable(&self) -> bool {
        match self {
            Field::System(key) => key.field().nullable,
            Field::TagId | Field::Custom(..) => true,
        }
    }

    pub fn sortable(&self) -> bool {
        match self {
            Field::System(key) => key.field().sortable,
            Field::TagId => false,
            Field::Custom(_, kind) => *kind != CustomKind::Options,
        }
    }
}

/// A value in a condition, already converted to the field's type (timestamps to epoch ms,
/// `display_id` to its number, lowercase keys lowercased, domains normalized).
#[derive(Debug, Clone, PartialEq, PartialOrd)]
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

/// Where in a text a pattern condition looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Contains,
    StartsWith,
    EndsWith,
}

/// What a leaf asks of its field. Negative operators become [`Filter::Not`] around these.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Compare(Compare, Scalar),
    /// Between the two values, both included (`low <= value <= high`).
    Between(Scalar, Scalar),
    /// Equal to one of the values (all of one type).
    In(Vec<Scalar>),
    /// Case-insensitive pattern match of `text`, not yet escaped.
    Like {
        text: String,
        pattern: Pattern,
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

pub(crate) fn leaf(field: Field, condition: Condition) -> Filter {
    Filter::Leaf { field, condition }
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

/// A row a page starts from.
#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    /// A row of a keyset order: its value of each sort key (`None` is a missing value) and its
    /// id.
    Row {
        values: Vec<Option<Scalar>>,
        id: String,
    },
    /// The row at this 0-based index of an order that pages by offset.
    Index(u64),
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// The first rows.
    First,
    /// The last rows (still served in the query's order).
    Last,
    /// The rows after this one.
    After(Position),
    /// The rows just before this one, in the query's order.
    Before(Position),
    /// After skipping this many rows (page/per_page interfaces).
    Offset(u64),
}

/// How the store reads the rows of one page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scan<'a> {
    /// Read in the reverse of the query's order (backward pages); the page puts the rows back.
    pub reversed: bool,
    /// Only the rows strictly after this row, in the order read: its sort values and id.
    pub after: Option<(&'a [Option<Scalar>], &'a str)>,
    /// Rows to skip first.
    pub offset: u64,
    /// Rows to read at most.
    pub fetch: usize,
}
