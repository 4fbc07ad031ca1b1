//! One page of any list (accounts, contacts, opportunities, cases, users, tags) and the one
//! cursor codec they share ([`cursor`]).
//!
//! A page is `{"data", "next_cursor", "has_more"}`, plus `prev_cursor` when there is a page
//! before it and `total` when the caller asked for it; the last two are left out of the JSON
//! when absent, so that lists which never give them answer as they always did.

pub mod cursor;

pub use cursor::{Cursor, PageDirection};

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{Error, Result};

/// Rows per page when the caller does not say.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page any list serves.
pub const MAX_LIMIT: usize = 1000;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Continues after this page; null on the last page. A page that carries one is never
    /// empty.
    pub next_cursor: Option<String>,
    /// Whether rows follow this page.
    pub has_more: bool,
    /// Continues before this page (the previous page, in the same order); absent on the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev_cursor: Option<String>,
    /// How many rows match in all, when the caller asked for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A page read forward: `rows` holds up to `limit + 1` rows, the extra one only saying
    /// that there is more; `cursor_after` makes the cursor that continues after a row.
    pub fn forward(
        mut rows: Vec<T>,
        limit: usize,
        cursor_after: impl FnOnce(&T) -> String,
    ) -> Self {
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = match rows.last() {
            Some(last) if has_more => Some(cursor_after(last)),
            _ => None,
        };
        Page {
            data: rows,
            next_cursor,
            has_more,
            prev_cursor: None,
            total: None,
        }
    }

    /// A list that fits one page: every row, nothing before or after.
    pub fn complete(data: Vec<T>) -> Self {
        Page {
            data,
            next_cursor: None,
            has_more: false,
            prev_cursor: None,
            total: None,
        }
    }

    /// The same page with every row converted, for surfaces that render rows their own way.
    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Page<U> {
        Page {
            data: self.data.into_iter().map(convert).collect(),
            next_cursor: self.next_cursor,
            has_more: self.has_more,
            prev_cursor: self.prev_cursor,
            total: self.total,
        }
    }
}

/// A page size as a query string gives it (`limit=50`): 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`]
/// when absent.
pub fn parse_limit(text: Option<&str>) -> Result<usize> {
    let Some(text) = text else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(bad_limit(text)),
    }
}

/// A page size given as a number (a JSON body, a typed caller).
pub fn check_limit(n: i64) -> Result<usize> {
    usize::try_from(n)
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| bad_limit(n))
}

fn bad_limit(value: impl Into<serde_json::Value>) -> Error {
    Error::invalid_value(
        "limit",
        value,
        format!("limit must be an integer from 1 to {MAX_LIMIT}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forward_pages_keep_limit_rows_and_say_there_is_more() {
        let page = Page::forward(vec![1, 2, 3], 2, |n| format!("after {n}"));
        assert_eq!(page.data, vec![1, 2]);
        assert_eq!(page.next_cursor.as_deref(), Some("after 2"));
        assert!(page.has_more);
        let last = Page::forward(vec![1, 2], 2, |n| format!("after {n}"));
        assert_eq!((last.next_cursor, last.has_more), (None, false));
        let empty = Page::forward(Vec::<i32>::new(), 2, |n| format!("after {n}"));
        assert_eq!((empty.next_cursor, empty.has_more), (None, false));
    }

    #[test]
    fn absent_prev_cursor_and_total_keep_the_old_shape() {
        let page = Page::forward(vec![1], 5, |_| String::new());
        assert_eq!(
            serde_json::to_value(&page).expect("json"),
            json!({"data": [1], "next_cursor": null, "has_more": false})
        );
        let full = Page {
            prev_cursor: Some("p".into()),
            total: Some(7),
            ..page
        };
        let value = serde_json::to_value(&full).expect("json");
        assert_eq!(
            (value["prev_cursor"].clone(), value["total"].clone()),
            (json!("p"), json!(7))
        );
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None).ok(), Some(DEFAULT_LIMIT));
        assert_eq!(parse_limit(Some(" 1000 ")).ok(), Some(1000));
        for bad in ["0", "1001", "-1", "ten"] {
            let err = parse_limit(Some(bad)).expect_err(bad);
            assert_eq!(
                (err.field(), err.value()),
                (Some("limit"), Some(&json!(bad)))
            );
        }
        assert_eq!(check_limit(1).ok(), Some(1));
        assert_eq!(check_limit(0).expect_err("0").value(), Some(&json!(0)));
        assert!(check_limit(-5).is_err() && check_limit(1001).is_err());
    }
}
