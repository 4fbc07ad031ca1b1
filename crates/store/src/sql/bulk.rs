//! Bulk create: one transaction, batched statements.
//!
//! Placeholder.

use orgstore_core::bulk::{BulkPlan, BulkWritten};
use orgstore_core::{Error, Result};

use super::Tx;

pub async fn write<T: Tx>(
    _tx: &mut T,
    _ws: &str,
    _actor: &str,
    _plan: &BulkPlan,
) -> Result<BulkWritten> {
    Err(Error::internal("bulk create is not built yet"))
}
