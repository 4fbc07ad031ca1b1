//! Listing accounts: filters, sort and opaque keyset cursors.
//!
//! A cursor is the sort value and id of the last row of a page, base64url-encoded JSON. Keyset
//! pagination stays fast on deep pages and is stable while rows are added.

use crate::error::Code;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::model::Account;
use crate::normalize::normalize_domain;

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            field: SortField::CreatedAt,
            descending: false,
        }
    }
}

/// The value of the sort column at a row: names sort case-insensitively by [`name_sort_key`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub value: SortValue,
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    pub stage: Option<String>,
    pub industry: Option<String>,
    pub owner: Option<String>,
    pub tag: Option<String>,
    /// Normalized.
    pub domain: Option<String>,
    pub created_after: Option<i64>,
    pub updated_after: Option<i64>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountListQuery {
    pub filter: AccountFilter,
    pub sort: Sort,
    pub limit: usize,
    pub after: Option<After>,
}

/// The list parameters as a client sent them, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListParams {
    pub limit: Option<String>,
    pub cursor: Option<String>,
    pub sort: Option<String>,
    pub stage: Option<String>,
    pub industry: Option<String>,
    pub owner: Option<String>,
    pub tag: Option<String>,
    pub domain: Option<String>,
    pub created_after: Option<String>,
    pub updated_after: Option<String>,
    pub include_archived: Option<String>,
    /// Substring search over name, domains and websites, ranked; see [`crate::query`].
    pub q: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    f: SortField,
    d: bool,
    v: SortValue,
    id: String,
}

/// Names sort case-insensitively and the same way on both databases: by this key, compared
/// bytewise.
pub fn name_sort_key(name: &str) -> String {
    name.to_lowercase()
}

impl ListParams {
    pub fn parse(self) -> Result<AccountListQuery> {
        let sort = parse_sort(self.sort.as_deref())?;
        let after = self
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| decode_cursor(c, sort))
            .transpose()?;
        let filter = AccountFilter {
            stage: non_empty(self.stage),
            industry: non_empty(self.industry),
            owner: non_empty(self.owner),
            tag: non_empty(self.tag),
            domain: non_empty(self.domain)
                .map(|d| {
                    normalize_domain(&d).map_err(|why| {
                        Error::invalid(Code::InvalidDomain, "domain", d.as_str(), why)
                    })
                })
                .transpose()?,
            created_after: parse_time("created_after", self.created_after)?,
            updated_after: parse_time("updated_after", self.updated_after)?,
            include_archived: parse_bool("include_archived", self.include_archived)?,
        };
        Ok(AccountListQuery {
            filter,
            sort,
            limit: parse_limit(self.limit)?,
            after,
        })
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parse_limit(limit: Option<String>) -> Result<usize> {
    let Some(text) = limit else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(Error::invalid_value(
            "limit",
            text.as_str(),
            format!("limit must be an integer from 1 to {MAX_LIMIT}"),
        )),
    }
}

/// `name`, `-name`, `name:desc`, `created_at:asc`, ...
fn parse_sort(sort: Option<&str>) -> Result<Sort> {
    let Some(text) = sort.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Sort::default());
    };
    let (name, descending) = match (text.strip_prefix('-'), text.split_once(':')) {
        (Some(name), _) => (name, true),
        (None, Some((name, "asc"))) => (name, false),
        (None, Some((name, "desc"))) => (name, true),
        (None, Some(_)) => ("", false),
        (None, None) => (text, false),
    };
    let field = match name {
        "name" => SortField::Name,
        "created_at" => SortField::CreatedAt,
        "updated_at" => SortField::UpdatedAt,
        _ => {
            return Err(Error::invalid_value(
                "sort",
                text,
                "sort is one of name, created_at, updated_at, with an optional '-' prefix or ':asc'/':desc' suffix",
            ));
        }
    };
    Ok(Sort { field, descending })
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

fn parse_bool(field: &str, value: Option<String>) -> Result<bool> {
    match non_empty(value).as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(Error::invalid_value(
            field,
            other,
            format!("{field} must be true or false"),
        )),
    }
}

fn bad_cursor(cursor: &str, why: &str) -> Error {
    Error::invalid(Code::InvalidCursor, "cursor", cursor, why.to_string())
}

fn decode_cursor(cursor: &str, sort: Sort) -> Result<After> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad_cursor(cursor, "cursor is not one this server issued"))?;
    let body: CursorBody = serde_json::from_slice(&bytes)
        .map_err(|_| bad_cursor(cursor, "cursor is not one this server issued"))?;
    if body.f != sort.field || body.d != sort.descending {
        return Err(bad_cursor(
            cursor,
            "cursor was issued for another sort; send the same sort as the first page",
        ));
    }
    let value_fits = matches!(
        (&body.v, body.f),
        (SortValue::Text(_), SortField::Name)
            | (
                SortValue::Int(_),
                SortField::CreatedAt | SortField::UpdatedAt
            )
    );
    if !value_fits {
        return Err(bad_cursor(cursor, "cursor is not one this server issued"));
    }
    Ok(After {
        value: body.v,
        id: body.id,
    })
}

/// The cursor that continues after `account` under `sort`.
pub fn encode_cursor(account: &Account, sort: Sort) -> String {
    let v = match sort.field {
        SortField::Name => SortValue::Text(name_sort_key(&account.name)),
        SortField::CreatedAt => SortValue::Int(account.created_at),
        SortField::UpdatedAt => SortValue::Int(account.updated_at),
    };
    let body = CursorBody {
        f: sort.field,
        d: sort.descending,
        v,
        id: account.id.clone(),
    };
    // Serializing this plain struct cannot fail.
    let json = serde_json::to_vec(&body).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Turns `limit + 1` fetched rows into a page: the extra row only says that there is more.
pub fn into_page(mut rows: Vec<Account>, query: &AccountListQuery) -> Page<Account> {
    let has_more = rows.len() > query.limit;
    rows.truncate(query.limit);
    let next_cursor = if has_more {
        rows.last().map(|last| encode_cursor(last, query.sort))
    } else {
        None
    };
    Page {
        data: rows,
        next_cursor,
        has_more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Result<AccountListQuery> {
        let mut p = ListParams::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "limit" => p.limit = v,
                "sort" => p.sort = v,
                "cursor" => p.cursor = v,
                "domain" => p.domain = v,
                "created_after" => p.created_after = v,
                _ => unreachable!(),
            }
        }
        p.parse()
    }

    #[test]
    fn limits() {
        assert_eq!(params(&[]).expect("ok").limit, DEFAULT_LIMIT);
        assert_eq!(params(&[("limit", "1000")]).expect("ok").limit, 1000);
        for bad in ["0", "1001", "-1", "ten"] {
            let err = params(&[("limit", bad)]).unwrap_err();
            assert_eq!(err.field(), Some("limit"), "{bad}");
        }
    }

    #[test]
    fn sorts() {
        let s = params(&[("sort", "-name")]).expect("ok").sort;
        assert_eq!((s.field, s.descending), (SortField::Name, true));
        let s = params(&[("sort", "updated_at:desc")]).expect("ok").sort;
        assert_eq!((s.field, s.descending), (SortField::UpdatedAt, true));
        assert!(params(&[("sort", "industry")]).is_err());
    }

    #[test]
    fn domain_filter_is_normalized() {
        let q = params(&[("domain", "https://WWW.Acme.com/x")]).expect("ok");
        assert_eq!(q.filter.domain.as_deref(), Some("acme.com"));
        assert!(params(&[("domain", "nope")]).is_err());
        assert!(params(&[("created_after", "soon")]).is_err());
    }

    #[test]
    fn cursors_round_trip_and_check_sort() {
        let sort = Sort {
            field: SortField::Name,
            descending: false,
        };
        let body = CursorBody {
            f: SortField::Name,
            d: false,
            v: SortValue::Text("acme".into()),
            id: "acc_1".into(),
        };
        let cursor = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&body).expect("json"));
        let after = decode_cursor(&cursor, sort).expect("decodes");
        assert_eq!(after.value, SortValue::Text("acme".into()));
        assert!(decode_cursor(&cursor, Sort::default()).is_err());
        assert!(decode_cursor("garbage!", sort).is_err());
    }
}
