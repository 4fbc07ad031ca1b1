//! SQL shared by both stores. Statements are written once, with `$n` placeholders, and run
//! through the [`Tx`] trait that each backend implements; the few spots where the dialects
//! differ go through [`Dialect`].

pub mod accounts;
pub mod bulk;
pub mod directory;
pub mod idempotency;
pub mod lifecycle;
pub mod query;
pub mod workspaces;
// Contacts, opportunities and cases.
pub mod contacts;
pub mod deals;
pub mod related;

// Custom field definitions and unique custom values.
pub mod schema;

use std::future::Future;

use orgstore_core::{Error, Result};
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// An ordered JSON array aggregate, `'[]'` when there are no rows, as text.
    pub fn json_array_agg(self, expr: &str, order_by: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_group_array({expr} ORDER BY {order_by})"),
            Dialect::Postgres => {
                format!("coalesce(json_agg({expr} ORDER BY {order_by}), '[]')::text")
            }
        }
    }

    /// `SET last_activity_at = ...` to the later of its value and `at` (a placeholder): the
    /// latest activity never moves back, whichever server's clock wrote it.
    pub fn bump_activity(self, at: &str) -> String {
        match self {
            Dialect::Sqlite => {
                format!("last_activity_at = max(COALESCE(last_activity_at, {at}), {at})")
            }
            Dialect::Postgres => format!("last_activity_at = GREATEST(last_activity_at, {at})"),
        }
    }

    /// A JSON object from key/value pairs.
    pub fn json_object(self, pairs: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_object({pairs})"),
            Dialect::Postgres => format!("json_build_object({pairs})"),
        }
    }
}

/// A bound parameter. Borrowed text avoids copying request data into statements.
#[derive(Debug, Clone, PartialEq)]
pub enum Param<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Owned(String),
    Decimal(Decimal),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(s: &'a str) -> Self {
        Param::Text(s)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(s: &'a String) -> Self {
        Param::Text(s)
    }
}

impl From<String> for Param<'_> {
    fn from(s: String) -> Self {
        Param::Owned(s)
    }
}

impl From<i64> for Param<'_> {
    fn from(n: i64) -> Self {
        Param::Int(n)
    }
}

impl<'a, T: Into<Param<'a>>> From<Option<T>> for Param<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Param::Null, Into::into)
    }
}

impl From<Decimal> for Param<'_> {
    fn from(d: Decimal) -> Self {
        Param::Decimal(d)
    }
}

/// One result row; values are taken out by column index.
pub trait Row: Send {
    fn text(&mut self, i: usize) -> Result<String>;
    fn opt_text(&mut self, i: usize) -> Result<Option<String>>;
    fn int(&mut self, i: usize) -> Result<i64>;
    fn opt_int(&mut self, i: usize) -> Result<Option<i64>>;
    fn opt_decimal(&mut self, i: usize) -> Result<Option<Decimal>>;
}

/// A connection, inside a transaction for writes. SQLite's implementation never suspends, so
/// its futures can be driven to completion synchronously on a blocking thread.
pub trait Tx: Send {
    type Row: Row;

    fn dialect(&self) -> Dialect;

    fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<Vec<Self::Row>>> + Send;

    fn execute(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<u64>> + Send;
}

/// Builds a statement and its parameters together, numbering placeholders as it goes.
#[derive(Default)]
pub struct SqlBuilder<'a> {
    pub sql: String,
    pub params: Vec<Param<'a>>,
}

impl<'a> SqlBuilder<'a> {
    pub fn new(sql: impl Into<String>) -> Self {
        SqlBuilder {
            sql: sql.into(),
            params: Vec::new(),
        }
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Binds a value and appends its placeholder.
    pub fn bind(&mut self, value: impl Into<Param<'a>>) -> &mut Self {
        self.params.push(value.into());
        self.sql.push('$');
        self.sql.push_str(&self.params.len().to_string());
        self
    }

    /// Appends `(v1, v2, ...), (...)` rows of bound values for a multi-row INSERT.
    pub fn values_rows<I, R>(&mut self, rows: I) -> &mut Self
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = Param<'a>>,
    {
        for (r, row) in rows.into_iter().enumerate() {
            self.push(if r == 0 { "(" } else { ", (" });
            for (c, value) in row.into_iter().enumerate() {
                if c > 0 {
                    self.push(", ");
                }
                self.bind(value);
            }
            self.push(")");
        }
        self
    }

    /// Appends `$a, $b, ...` for an `IN (...)` list padded to a power of two by repeating the
    /// last value (`NULL` for none): PostgreSQL keeps every prepared statement text per
    /// connection, so lists of any length must come in few sizes.
    pub fn in_list_padded(&mut self, values: &[&'a str]) -> &mut Self {
        let Some(last) = values.last() else {
            return self.push("NULL");
        };
        let padding = values.len().next_power_of_two() - values.len();
        self.in_list(
            values
                .iter()
                .copied()
                .chain(std::iter::repeat_n(*last, padding)),
        )
    }

    /// Appends `$a, $b, ...` for an `IN (...)` list.
    pub fn in_list<I, V>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator<Item = V>,
        V: Into<Param<'a>>,
    {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self
    }
}

pub(crate) fn decode_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("stored {what} could not be decoded: {e}"))
}
