//! Bulk create (`POST /v1/accounts/bulk`): the plan the service hands the store and what the
//! store reports back.
//!
//! Placeholder.

/// The validated rows of a bulk request, grouped and ready for one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkPlan {}

/// What the store did with a [`BulkPlan`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkWritten {}

/// The body of `POST /v1/accounts/bulk`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkRequest {}

/// One result per input row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkResponse {}
