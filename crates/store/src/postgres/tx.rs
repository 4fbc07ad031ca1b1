//! [`Tx`] over a tokio-postgres client or transaction, with cached prepared statements.

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::BytesMut;
use deadpool_postgres::GenericClient;
use orgstore_core::Result;
use rust_decimal::Decimal;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::db_error;
use crate::sql::{Dialect, Param, Row, Tx, decode_error};

pub struct PgTx<'c, C> {
    client: &'c C,
    /// The store's count of statements run, bumped by every query and execute.
    statements: &'c AtomicU64,
}

impl<'c, C> PgTx<'c, C> {
    pub fn new(client: &'c C, statements: &'c AtomicU64) -> Self {
        PgTx { client, statements }
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(n) => match *ty {
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                _ => n.to_sql(ty, out),
            },
            Param::Text(s) => s.to_sql(ty, out),
            Param::Owned(s) => s.as_str().to_sql(ty, out),
            Param::Decimal(d) => d.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8
                | Type::INT4
                | Type::INT2
                | Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
                | Type::UNKNOWN
                | Type::NUMERIC
        )
    }

    to_sql_checked!();
}

fn refs<'a>(params: &'a [Param<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl<C: GenericClient + Sync> Tx for PgTx<'_, C> {
    type Row = tokio_postgres::Row;

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<tokio_postgres::Row>> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        let stmt = self.client.prepare_cached(sql).await.map_err(db_error)?;
        self.client
            .query(&stmt, &refs(params))
            .await
            .map_err(db_error)
    }

    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        self.statements.fetch_add(1, Ordering::Relaxed);
        let stmt = self.client.prepare_cached(sql).await.map_err(db_error)?;
        self.client
            .execute(&stmt, &refs(params))
            .await
            .map_err(db_error)
    }
}

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a tokio_postgres::Row,
    i: usize,
) -> Result<T> {
    row.try_get(i).map_err(|e| decode_error("row", e))
}

impl Row for tokio_postgres::Row {
    fn text(&mut self, i: usize) -> Result<String> {
        get(self, i)
    }

    fn opt_text(&mut self, i: usize) -> Result<Option<String>> {
        get(self, i)
    }

    fn int(&mut self, i: usize) -> Result<i64> {
        get(self, i)
    }

    fn opt_int(&mut self, i: usize) -> Result<Option<i64>> {
        get(self, i)
    }

    fn opt_decimal(&mut self, i: usize) -> Result<Option<Decimal>> {
        get(self, i)
    }
}
