//! Listing related records (contacts, opportunities, cases): filters and keyset cursors.
//!
//! Pages are in id order. Ids are ULIDs, whose leading bits are the creation time, so id order
//! is creation order (to the millisecond) and one index column serves as the keyset. Cursors
//! are the one codec of [`crate::page::cursor`], naming the id prefix of their kind of record.

use crate::error::Code;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Case, CaseStatus, Contact, Opportunity, OpportunityStatus};
use crate::normalize::normalize_email;
use crate::page::cursor::{self, Cursor};
use crate::page::{Page, parse_limit};
use crate::query::MAX_SEARCH_CHARS;

pub use crate::page::DEFAULT_LIMIT;

/// A record with an id and a version, served with an `ETag`.
pub trait Record {
    /// The prefix of its ids (`con`), which also names the list its cursors belong to.
    const PREFIX: &'static str;

    fn id(&self) -> &str;
    fn version(&self) -> i64;

    fn etag(&self) -> String {
        format!("\"{}\"", self.version())
    }
}

macro_rules! record {
    ($t:ty, $prefix:expr) => {
        impl Record for $t {
            const PREFIX: &'static str = $prefix;

            fn id(&self) -> &str {
                &self.id
            }
            fn version(&self) -> i64 {
                self.version
            }
        }
    };
}
record!(Contact, ids::CONTACT);
record!(Opportunity, ids::OPPORTUNITY);
record!(Case, ids::CASE);

/// Filters of a related-record list; a kind ignores the ones it does not have (the params
/// types only offer each kind its own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelatedFilter {
    pub account_id: Option<String>,
    /// Normalized (trimmed, lowercased).
    pub email: Option<String>,
    pub stage: Option<String>,
    /// Lowercased substring of the name or an email.
    pub q: Option<String>,
    /// `open`, `won`, ... as stored.
    pub status: Option<&'static str>,
    pub updated_after: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedListQuery {
    pub filter: RelatedFilter,
    pub limit: usize,
    /// The id of the last record of the previous page.
    pub after: Option<String>,
}

/// `GET /v1/contacts` parameters as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactListParams {
    pub limit: Option<String>,
    pub cursor: Option<String>,
    pub account_id: Option<String>,
    pub email: Option<String>,
    pub stage: Option<String>,
    pub q: Option<String>,
    pub updated_after: Option<String>,
}

/// `GET /v1/opportunities` and `GET /v1/cases` parameters as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusListParams {
    pub limit: Option<String>,
    pub cursor: Option<String>,
    pub account_id: Option<String>,
    pub status: Option<String>,
    pub updated_after: Option<String>,
}

/// Paging parameters alone, for `GET /v1/accounts/{id}/contacts`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parse_time(field: &str, value: Option<String>) -> Result<Option<i64>> {
    let Some(text) = non_empty(value) else {
        return Ok(None);
    };
    crate::time::parse_ms(&text).map(Some).ok_or_else(|| {
        Error::invalid_value(
            field,
            text.as_str(),
            format!("{field} must be an RFC 3339 timestamp or a YYYY-MM-DD date"),
        )
    })
}

fn parse_account_id(value: Option<String>) -> Result<Option<String>> {
    let Some(id) = non_empty(value) else {
        return Ok(None);
    };
    ids::check(ids::ACCOUNT, "account_id", &id)?;
    Ok(Some(id))
}

/// `q`, trimmed and lowercased, at most [`MAX_SEARCH_CHARS`] characters like account search.
fn parse_search(q: Option<String>) -> Result<Option<String>> {
    let Some(q) = non_empty(q) else {
        return Ok(None);
    };
    if q.chars().count() > MAX_SEARCH_CHARS {
        return Err(Error::invalid(
            Code::TooLong,
            "q",
            q.as_str(),
            format!("q is longer than {MAX_SEARCH_CHARS} characters"),
        ));
    }
    Ok(Some(q.to_lowercase()))
}

/// The cursor that continues after the record with this id. Its list is the id prefix of the
/// kind (`con`), so that one kind's cursor is refused by another's list.
pub fn encode_cursor(prefix: &str, id: &str) -> String {
    Cursor::after_key(prefix, id).encode()
}

/// The id a cursor continues after; it must be a cursor of this kind, naming an id of it.
fn decode_cursor(prefix: &str, cursor: Option<String>) -> Result<Option<String>> {
    let Some(text) = non_empty(cursor) else {
        return Ok(None);
    };
    let id = cursor::key_after(prefix, &text)?;
    if !ids::is_valid(prefix, &id) {
        return Err(cursor::invalid(
            &text,
            "cursor is not one this server issued",
        ));
    }
    Ok(Some(id))
}

impl PageParams {
    pub fn parse(self, prefix: &str) -> Result<RelatedListQuery> {
        Ok(RelatedListQuery {
            filter: RelatedFilter::default(),
            limit: parse_limit(self.limit.as_deref())?,
            after: decode_cursor(prefix, self.cursor)?,
        })
    }
}

impl ContactListParams {
    pub fn parse(self) -> Result<RelatedListQuery> {
        let email = match non_empty(self.email) {
            None => None,
            Some(raw) => Some(normalize_email(&raw).ok_or_else(|| {
                Error::invalid(
                    Code::InvalidEmail,
                    "email",
                    raw.as_str(),
                    format!("'{raw}' is not a valid email address"),
                )
            })?),
        };
        let filter = RelatedFilter {
            account_id: parse_account_id(self.account_id)?,
            email,
            stage: non_empty(self.stage),
            q: parse_search(self.q)?,
            status: None,
            updated_after: parse_time("updated_after", self.updated_after)?,
        };
        Ok(RelatedListQuery {
            filter,
            limit: parse_limit(self.limit.as_deref())?,
            after: decode_cursor(ids::CONTACT, self.cursor)?,
        })
    }
}

impl StatusListParams {
    /// `statuses` are the kind's values; `prefix` its id prefix.
    pub fn parse(self, prefix: &str, statuses: &[&'static str]) -> Result<RelatedListQuery> {
        let status =
            match non_empty(self.status) {
                None => None,
                Some(text) => Some(statuses.iter().copied().find(|s| *s == text).ok_or_else(
                    || {
                        Error::invalid_value(
                            "status",
                            text.as_str(),
                            format!("status is one of {}", statuses.join(", ")),
                        )
                    },
                )?),
            };
        let filter = RelatedFilter {
            account_id: parse_account_id(self.account_id)?,
            status,
            updated_after: parse_time("updated_after", self.updated_after)?,
            ..RelatedFilter::default()
        };
        Ok(RelatedListQuery {
            filter,
            limit: parse_limit(self.limit.as_deref())?,
            after: decode_cursor(prefix, self.cursor)?,
        })
    }
}

/// The status values of opportunities and of cases, as filters accept them.
pub fn opportunity_statuses() -> Vec<&'static str> {
    OpportunityStatus::ALL.iter().map(|s| s.as_str()).collect()
}

pub fn case_statuses() -> Vec<&'static str> {
    CaseStatus::ALL.iter().map(|s| s.as_str()).collect()
}

/// Turns `limit + 1` fetched rows into a page: the extra row only says that there is more.
pub fn into_page<T: Record>(rows: Vec<T>, limit: usize) -> Page<T> {
    Page::forward(rows, limit, |last| encode_cursor(T::PREFIX, last.id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_checked() {
        let id = ids::new_id(ids::CONTACT);
        let cursor = encode_cursor(ids::CONTACT, &id);
        assert_eq!(
            decode_cursor(ids::CONTACT, Some(cursor.clone())).ok(),
            Some(Some(id))
        );
        let err = decode_cursor(ids::CASE, Some(cursor)).unwrap_err();
        assert_eq!(err.field(), Some("cursor"));
        assert!(decode_cursor(ids::CASE, Some("!!".into())).is_err());
    }

    #[test]
    fn status_filter_is_checked() {
        let params = StatusListParams {
            status: Some("pending".into()),
            ..Default::default()
        };
        let err = params.parse(ids::CASE, &case_statuses()).unwrap_err();
        assert_eq!(err.field(), Some("status"));
        assert_eq!(err.value(), Some(&serde_json::json!("pending")));
    }
}
