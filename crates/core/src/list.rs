//! `GET /v1/accounts`: the list route's query-string parameters, read into the one query
//! builder ([`crate::query`]). The filters are exact matches on one field each; `q` adds a
//! ranked substring search; `sort` takes `name`, `created_at` or `updated_at`.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::query::{AccountQueryBuilder, Direction, FilterOp, FilterTree};

// Pages used to live here; every list now shares the one page module.
pub use crate::page::{DEFAULT_LIMIT, MAX_LIMIT, Page};

/// The list the list route's cursors belong to.
pub const LIST: &str = "accounts.list";

/// The list parameters as a client sent them, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListParams {
    pub limit: Option<String>,
    /// `next_cursor` or `prev_cursor` of a page of the same filters and sort.
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
    /// Answer with `total`, the number of all matching accounts.
    pub include_total: Option<String>,
    /// Substring search over name, domains and websites, ranked; see [`crate::query`].
    pub q: Option<String>,
}

/// Names sort case-insensitively and the same way on both databases: by this key, compared
/// bytewise.
pub fn name_sort_key(name: &str) -> String {
    name.to_lowercase()
}

impl ListParams {
    /// The query these parameters ask for, its cursors belonging to `list`. Errors name the
    /// parameter (`q` for the search term).
    pub fn into_builder(self, list: &str) -> Result<AccountQueryBuilder> {
        let mut builder = AccountQueryBuilder::new(list)
            .include_archived(parse_bool("include_archived", self.include_archived)?)
            .include_total(parse_bool("include_total", self.include_total)?);
        if let Some(limit) = &self.limit {
            let n = crate::page::parse_limit(Some(limit))?;
            builder = builder.limit(n as i64);
        }
        if let Some((field, direction)) = parse_sort(self.sort.as_deref())? {
            builder = builder.sort_by(field, direction);
        }
        if let Some(term) = self.q {
            builder = builder.search(term);
        }
        // Each parameter is one condition, named by the parameter in errors.
        let eq = |param: &str, field: &str, value: Option<String>| {
            non_empty(value).map(|v| FilterTree::predicate(field, FilterOp::Eq, v).labelled(param))
        };
        let after = |param: &str, field: &str, value: Option<String>| {
            non_empty(value).map(|v| FilterTree::predicate(field, FilterOp::Gt, v).labelled(param))
        };
        let conditions: Vec<FilterTree> = [
            eq("stage", "stage", self.stage),
            eq("industry", "industry", self.industry),
            eq("owner", "owners", self.owner),
            eq("tag", "tags", self.tag),
            eq("domain", "domains", self.domain),
            after("created_after", "created_at", self.created_after),
            after("updated_after", "updated_at", self.updated_after),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !conditions.is_empty() {
            builder = builder.filter(FilterTree::and(conditions));
        }
        if let Some(cursor) = self.cursor {
            builder = builder.cursor(cursor);
        }
        Ok(builder)
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `name`, `-name`, `name:desc`, `created_at:asc`, ...
fn parse_sort(sort: Option<&str>) -> Result<Option<(&'static str, Direction)>> {
    let Some(text) = sort.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let (name, direction) = match (text.strip_prefix('-'), text.split_once(':')) {
        (Some(name), _) => (name, Direction::Desc),
        (None, Some((name, "asc"))) => (name, Direction::Asc),
        (None, Some((name, "desc"))) => (name, Direction::Desc),
        (None, Some(_)) => ("", Direction::Asc),
        (None, None) => (text, Direction::Asc),
    };
    let field = match name {
        "name" => "name",
        "created_at" => "created_at",
        "updated_at" => "updated_at",
        _ => {
            return Err(Error::invalid_value(
                "sort",
                text,
                "sort is one of name, created_at, updated_at, with an optional '-' prefix or ':asc'/':desc' suffix",
            ));
        }
    };
    Ok(Some((field, direction)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{AccountQuery, Condition, Field, Filter, Order, Scalar, SortKey};
    use crate::schema::account_fields::FieldKey;

    fn params(pairs: &[(&str, &str)]) -> Result<AccountQuery> {
        let mut p = ListParams::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "limit" => p.limit = v,
                "sort" => p.sort = v,
                "cursor" => p.cursor = v,
                "domain" => p.domain = v,
                "created_after" => p.created_after = v,
                "include_total" => p.include_total = v,
                "q" => p.q = v,
                "stage" => p.stage = v,
                "tag" => p.tag = v,
                _ => unreachable!(),
            }
        }
        let schema = crate::schema::ObjectSchema {
            object: crate::schema::SchemaObject::Accounts,
            fields: Vec::new(),
        };
        p.into_builder(LIST)?.build(&schema)
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
        let key = |text: &str| match params(&[("sort", text)]).expect("ok").order {
            Order::Keys(keys) => keys[0].clone(),
            Order::Rank => panic!("ranked"),
        };
        assert_eq!(
            key("-name"),
            SortKey {
                field: Field::System(FieldKey::Name),
                descending: true
            }
        );
        assert_eq!(
            key("updated_at:desc"),
            SortKey {
                field: Field::System(FieldKey::UpdatedAt),
                descending: true
            }
        );
        assert!(params(&[("sort", "industry")]).is_err());
    }

    #[test]
    fn filters_are_labelled_by_their_parameter() {
        let q = params(&[
            ("domain", "https://WWW.Acme.com/x"),
            ("stage", " customer "),
        ])
        .expect("ok");
        let Some(Filter::And(items)) = q.filter else {
            panic!("no filter")
        };
        assert_eq!(
            items[1],
            Filter::Leaf {
                field: Field::System(FieldKey::Domains),
                condition: Condition::Compare(
                    crate::query::Compare::Eq,
                    Scalar::Text("acme.com".into())
                )
            }
        );
        let err = params(&[("domain", "nope")]).expect_err("bad domain");
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("invalid_domain", Some("domain"))
        );
        let err = params(&[("created_after", "soon")]).expect_err("bad time");
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("invalid_value", Some("created_after"))
        );
        let err = params(&[("include_total", "maybe")]).expect_err("bad flag");
        assert_eq!(err.field(), Some("include_total"));
        assert!(
            params(&[("include_total", "true")])
                .expect("ok")
                .include_total
        );
    }

    #[test]
    fn a_search_is_ranked_unless_sorted() {
        let q = params(&[("q", " Acme "), ("tag", "VIP")]).expect("ok");
        assert_eq!(
            (q.search.as_deref(), &q.order),
            (Some("acme"), &Order::Rank)
        );
        let q = params(&[("q", "acme"), ("sort", "name")]).expect("ok");
        assert!(matches!(q.order, Order::Keys(_)));
    }
}
