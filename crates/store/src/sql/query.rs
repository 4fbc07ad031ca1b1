//! Compiles an [`AccountQuery`] to parameterized SQL for each dialect.
//!
//! Placeholder.

use orgstore_core::model::Account;
use orgstore_core::query::AccountQuery;
use orgstore_core::{Error, Result};

use super::Tx;

pub async fn run<T: Tx>(_tx: &mut T, _ws: &str, _query: &AccountQuery) -> Result<Vec<Account>> {
    Err(Error::internal("the query language is not built yet"))
}
