//! The account query language of `POST /v1/accounts/query` and search (`q=`).
//!
//! Placeholder: the parsed form of a query, which the store compiles to SQL.

/// A validated query, ready for the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountQuery {}
