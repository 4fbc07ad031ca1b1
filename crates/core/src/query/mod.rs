//! The account query language: filters, search, sort and pages, shared by `POST
//! /v1/accounts/query`, `GET /v1/accounts` (with `q=` search), exports and every vendor
//! surface. Callers describe a query with [`AccountQueryBuilder`] (typed values: a
//! [`FilterTree`] of [`Predicate`]s, sort keys, a limit and a [`PageStart`]); `build` checks it
//! into an [`AccountQuery`], which the store compiles to parameterized SQL.
//!
//! - [`input`]: what callers pass, typed; [`wire`]: the native JSON body.
//! - [`check`]: validation against the field registry and the workspace schema.
//! - [`ast`]: the validated form; [`builder`]: the builder, pages and their cursors.
//!
//! Semantics, the same on both databases:
//! - `ne`, `not_in`, `not_exists` and `exists: false` are the negation of `eq`, `in` and
//!   `exists`, so they also match rows where the field is missing (and `{"not": ...}` of any
//!   leaf is its exact complement). `between` is `[low, high]`, both included.
//! - `eq`/`in` on text are exact, except `name`, `tags` and `domains`, which compare
//!   case-insensitively (by the lowercase keys the store keeps; domains are normalized first).
//!   `contains`, `starts_with` and `ends_with` are always case-insensitive.
//! - On a list field (domains, websites, tags, owners, external_refs) a condition holds when
//!   any element satisfies it; `exists` asks whether the list is non-empty. A `tags` value of
//!   the form `tag_<ULID>` is a tag id; any other value is a tag name.
//! - Custom fields (`custom_fields.<key>`) are typed by their definition in the workspace
//!   schema, not by the value in the condition: an undefined key is `unknown_filter_field`;
//!   number and integer fields compare numerically, date and timestamp fields chronologically
//!   (values are stored normalized, so that their text order is their time order), text-like
//!   fields as text, boolean, select and reference fields by equality, and multi_select fields
//!   like tags: `eq`/`in` hold when the field contains the option (or one of them).
//! - Sorting is by up to [`MAX_SORT_KEYS`] keys, then `id`; ascending puts missing values last,
//!   descending first. A search without a sort is ranked: exact name, name prefix, a domain or
//!   website starting with the term, other substring matches; ties by name, then id.
//! - Sorts over system fields page by keyset (a row's sort values and id); ranked search and
//!   sorts over custom fields page by offset.

pub mod ast;
pub mod builder;
pub mod check;
pub mod input;
pub mod wire;

pub use ast::{
    Compare, Condition, CustomKind, Field, Filter, Kind, Order, Pattern, Position, Scalar, Scan,
    SortKey, Start,
};
pub use builder::{AccountQuery, AccountQueryBuilder};
pub use check::parse_search;
pub use input::{Direction, FilterOp, FilterTree, FilterValue, PageStart, Predicate};
pub use wire::{FilterCondition, FilterNode, QUERY_LIST, QueryRequest, SortKeyInput};

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

#[cfg(test)]
mod tests;
