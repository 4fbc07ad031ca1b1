//! [`Tx`] over a rusqlite connection. Every call completes synchronously.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use orgstore_core::Result;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ToSql};
use rust_decimal::Decimal;

use super::db_error;
use crate::sql::{Dialect, Param, Row, Tx, decode_error};

pub struct SqliteTx<'c> {
    conn: &'c mut Connection,
    /// The store's count of statements run, bumped by every query and execute.
    statements: &'c AtomicU64,
}

impl<'c> SqliteTx<'c> {
    pub fn new(conn: &'c mut Connection, statements: &'c AtomicU64) -> Self {
        SqliteTx { conn, statements }
    }
}

/// Statements whose SQLite spelling is remembered, per thread; beyond it they are rewritten
/// each time (bulk statements of varying sizes must not pin memory).
const REWRITE_CACHE_ENTRIES: usize = 256;
/// Longer statements (multi-row bulk INSERTs) are rewritten each time: they are rare per row.
const REWRITE_CACHE_MAX_LEN: usize = 16 * 1024;

thread_local! {
    static REWRITTEN: RefCell<HashMap<Box<str>, Rc<str>>> = RefCell::new(HashMap::new());
}

/// Shared SQL numbers its placeholders `$n`; SQLite spells the same `?n` (its own `$name` is a
/// named parameter numbered by first appearance, not by `n`). The hot statements repeat, so
/// their rewrite is cached instead of being redone (a copy of ~2 KB) on every read.
fn sqlite_sql(sql: &str) -> Rc<str> {
    if sql.len() > REWRITE_CACHE_MAX_LEN {
        return Rc::from(sql.replace('$', "?"));
    }
    REWRITTEN.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(hit) = cache.get(sql) {
            return Rc::clone(hit);
        }
        let rewritten: Rc<str> = Rc::from(sql.replace('$', "?"));
        if cache.len() < REWRITE_CACHE_ENTRIES {
            cache.insert(Box::from(sql), Rc::clone(&rewritten));
        }
        rewritten
    })
}

/// Runs `f` on the prepared statement. Short statements, the hot repeated ones, come from the
/// connection's statement cache; long ones (multi-row bulk statements, whose row counts vary
/// with every request) are prepared each time: cached, they held hundreds of megabytes of
/// prepared programs, while preparing one costs about a microsecond per row it writes.
fn with_statement<T>(
    conn: &Connection,
    sql: &str,
    f: impl FnOnce(&mut rusqlite::Statement<'_>) -> Result<T>,
) -> Result<T> {
    let sql = sqlite_sql(sql);
    if sql.len() > REWRITE_CACHE_MAX_LEN {
        f(&mut conn.prepare(&sql).map_err(db_error)?)
    } else {
        let mut cached = conn.prepare_cached(&sql).map_err(db_error)?;
        f(&mut cached)
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Null => ToSqlOutput::Owned(Value::Null),
            Param::Int(n) => ToSqlOutput::Owned(Value::Integer(*n)),
            Param::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Param::Owned(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            // Decimals are stored as their canonical text, exact on every platform.
            Param::Decimal(d) => ToSqlOutput::Owned(Value::Text(d.to_string())),
        })
    }
}

impl Tx for SqliteTx<'_> {
    type Row = Vec<Value>;

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Vec<Value>>> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        with_statement(self.conn, sql, |stmt| {
            let columns = stmt.column_count();
            let mut rows = stmt
                .query(rusqlite::params_from_iter(params))
                .map_err(db_error)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(db_error)? {
                let mut values = Vec::with_capacity(columns);
                for i in 0..columns {
                    values.push(row.get::<_, Value>(i).map_err(db_error)?);
                }
                out.push(values);
            }
            Ok(out)
        })
    }

    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        with_statement(self.conn, sql, |stmt| {
            let changed = stmt
                .execute(rusqlite::params_from_iter(params))
                .map_err(db_error)?;
            Ok(changed as u64)
        })
    }
}

fn take(row: &mut [Value], i: usize) -> Result<Value> {
    row.get_mut(i)
        .map(|v| std::mem::replace(v, Value::Null))
        .ok_or_else(|| decode_error("row", format!("no column {i}")))
}

impl Row for Vec<Value> {
    fn text(&mut self, i: usize) -> Result<String> {
        self.opt_text(i)?
            .ok_or_else(|| decode_error("row", format!("column {i} is NULL")))
    }

    fn opt_text(&mut self, i: usize) -> Result<Option<String>> {
        match take(self, i)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s)),
            other => Err(decode_error(
                "row",
                format!("column {i} is {other:?}, not text"),
            )),
        }
    }

    fn int(&mut self, i: usize) -> Result<i64> {
        self.opt_int(i)?
            .ok_or_else(|| decode_error("row", format!("column {i} is NULL")))
    }

    fn opt_int(&mut self, i: usize) -> Result<Option<i64>> {
        match take(self, i)? {
            Value::Null => Ok(None),
            Value::Integer(n) => Ok(Some(n)),
            other => Err(decode_error(
                "row",
                format!("column {i} is {other:?}, not an integer"),
            )),
        }
    }

    fn opt_decimal(&mut self, i: usize) -> Result<Option<Decimal>> {
        match self.opt_text(i)? {
            None => Ok(None),
            Some(text) => text
                .parse::<Decimal>()
                .map(Some)
                .map_err(|e| decode_error("decimal", e)),
        }
    }
}
