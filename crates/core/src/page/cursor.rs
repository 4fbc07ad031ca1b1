//! The one cursor codec of every list. A cursor is the base64url (unpadded) text of a small
//! JSON object:
//!
//! - `l`: the list that issued it (`accounts.list`, `accounts.query`, `contacts`, `users`, ...),
//!   so that one list refuses another's cursors;
//! - `q`: a fingerprint of what the query selects (filter, search, archived accounts), for lists
//!   that take a query;
//! - `s`: the sort it was issued for;
//! - a position: `v` (the row's sort values) and `k` (its unique key: an id, or a tag's name
//!   key), or `o` (the row's index, for orders that page by offset);
//! - `d`: the direction it continues in: `a` after the position, `b` before it.
//!
//! Clients treat cursors as opaque; only this module writes or reads them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Code, Error, Result};

/// Which way from its position a cursor continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageDirection {
    /// The rows after the position: next pages.
    #[serde(rename = "a")]
    After,
    /// The rows before the position, in the same order: previous pages.
    #[serde(rename = "b")]
    Before,
}

/// A decoded cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "l")]
    pub list: String,
    #[serde(rename = "q", default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    #[serde(rename = "s", default, skip_serializing_if = "String::is_empty")]
    pub sort: String,
    /// The sort values of the row the cursor points at (keyset orders).
    #[serde(rename = "v", default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    /// The unique key of that row: what breaks ties between equal sort values.
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The 0-based index of the row (orders that page by offset).
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    #[serde(rename = "d")]
    pub direction: PageDirection,
}

impl Cursor {
    /// A cursor continuing after the row with this key, for lists ordered by one unique key.
    pub fn after_key(list: &str, key: impl Into<String>) -> Cursor {
        Cursor {
            list: list.to_string(),
            query: String::new(),
            sort: String::new(),
            values: Vec::new(),
            key: Some(key.into()),
            index: None,
            direction: PageDirection::After,
        }
    }

    pub fn encode(&self) -> String {
        // Serializing strings, numbers and JSON values cannot fail.
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor; anything this codec did not write is `invalid_cursor`.
    pub fn decode(text: &str) -> Result<Cursor> {
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| invalid(text, "cursor is not one this server issued"))
    }

    /// Checks that the cursor was issued by `list` for a query with this fingerprint and sort;
    /// `text` is the cursor as the client sent it, echoed in the error.
    pub fn check(&self, text: &str, list: &str, query: &str, sort: &str) -> Result<()> {
        if self.list != list {
            return Err(invalid(text, "cursor was issued by another list"));
        }
        if self.sort != sort {
            return Err(invalid(
                text,
                "cursor was issued for another sort; send the same sort as the first page",
            ));
        }
        if self.query != query {
            return Err(invalid(
                text,
                "cursor was issued for another filter or search; send the same ones as the first page",
            ));
        }
        Ok(())
    }
}

/// The key a forward cursor of `list` continues after (lists ordered by one unique key).
pub fn key_after(list: &str, text: &str) -> Result<String> {
    let cursor = Cursor::decode(text)?;
    cursor.check(text, list, "", "")?;
    match (cursor.key, cursor.direction) {
        (Some(key), PageDirection::After) => Ok(key),
        _ => Err(invalid(text, "cursor is not one this server issued")),
    }
}

/// A 400 `invalid_cursor` naming the cursor.
pub fn invalid(text: &str, why: &str) -> Error {
    Error::invalid(Code::InvalidCursor, "cursor", text, why.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cursors_round_trip_and_stay_url_safe() {
        let cursor = Cursor {
            list: "accounts.query".into(),
            query: "abcd".into(),
            sort: "name:asc".into(),
            values: vec![json!("acme"), Value::Null],
            key: Some("acc_1".into()),
            index: None,
            direction: PageDirection::Before,
        };
        let text = cursor.encode();
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(Cursor::decode(&text).expect("decodes"), cursor);
        assert!(
            cursor
                .check(&text, "accounts.query", "abcd", "name:asc")
                .is_ok()
        );
    }

    #[test]
    fn foreign_cursors_are_refused_naming_the_cursor() {
        let text = Cursor::after_key("users", "usr_1").encode();
        assert_eq!(key_after("users", &text).ok().as_deref(), Some("usr_1"));
        let err = key_after("tags", &text).expect_err("a users cursor in tags");
        assert_eq!(
            (err.code(), err.field(), err.value()),
            (Code::InvalidCursor, Some("cursor"), Some(&json!(text)))
        );
        for garbage in ["!!", "bm90IGpzb24", ""] {
            assert_eq!(
                Cursor::decode(garbage).expect_err(garbage).code(),
                Code::InvalidCursor
            );
        }
        let cursor = Cursor {
            sort: "name:asc".into(),
            ..Cursor::after_key("accounts.query", "acc_1")
        };
        let text = cursor.encode();
        for (list, query, sort) in [
            ("accounts.list", "", "name:asc"),
            ("accounts.query", "", "name:desc"),
            ("accounts.query", "other", "name:asc"),
        ] {
            assert!(
                cursor.check(&text, list, query, sort).is_err(),
                "{list} {query} {sort}"
            );
        }
        let backward = Cursor {
            direction: PageDirection::Before,
            ..Cursor::after_key("users", "usr_1")
        };
        assert!(key_after("users", &backward.encode()).is_err());
    }
}
