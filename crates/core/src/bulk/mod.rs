//! Bulk create (`POST /v1/accounts/bulk`): the request and response, the plan the service hands
//! the store and what the store reports back, and the grouping of rows that duplicate each
//! other.
//!
//! With dedupe on, rows that share an external ref or a normalized domain (directly or through
//! other rows) form one group. Only the first row of a group is written; the group is matched
//! against the stored accounts by all the keys of all its rows, and every later row of the
//! group reports `existing` with the group's account (or the group's error when it failed).

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::Error;
use crate::model::{Account, AccountData};

/// Most rows one request may carry.
pub const MAX_ROWS: usize = 10_000;

/// The error code of a bulk write that lost a race: another writer claimed one of the plan's
/// domains or external refs after the store looked them up. The service retries the plan once.
pub const CONCURRENT_WRITE: crate::error::Code = crate::error::Code::ConcurrentWrite;

/// The body of `POST /v1/accounts/bulk`.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// Up to 10,000 account bodies, each as for `POST /v1/accounts`.
    #[schema(value_type = Vec<crate::model::AccountInput>)]
    pub accounts: Vec<Value>,
    /// Match rows against stored accounts (by external ref, then by any domain) and against
    /// each other; `false` creates every row and reports taken domains as conflicts.
    #[serde(default = "default_dedupe")]
    #[schema(default = true)]
    pub dedupe: bool,
    /// Tag names added to every created and matched account, created when missing.
    #[serde(default)]
    pub append_tags: Vec<String>,
    /// All or nothing: the first failing row fails the request and nothing is written.
    #[serde(default)]
    pub atomic: bool,
}

fn default_dedupe() -> bool {
    true
}

impl Default for BulkRequest {
    fn default() -> Self {
        BulkRequest {
            accounts: Vec::new(),
            dedupe: true,
            append_tags: Vec::new(),
            atomic: false,
        }
    }
}

/// What happened to one input row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BulkStatus {
    Created,
    Existing,
    Error,
}

/// The result of one input row.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkResult {
    /// The row's position in `accounts`.
    pub index: usize,
    pub status: BulkStatus,
    /// The created or matched account; `None` on error.
    pub account: Option<Account>,
    /// The row's error, with fields named from the request root (`accounts[3].domains[0]`).
    pub error: Option<Error>,
}

impl BulkResult {
    pub fn ok(index: usize, status: BulkStatus, account: Account) -> Self {
        BulkResult {
            index,
            status,
            account: Some(account),
            error: None,
        }
    }

    pub fn failed(index: usize, error: Error) -> Self {
        BulkResult {
            index,
            status: BulkStatus::Error,
            account: None,
            error: Some(error),
        }
    }
}

/// One result per input row, in input order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkResponse {
    pub results: Vec<BulkResult>,
}

/// One group of rows: the account written for it and the keys it is matched by.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedGroup {
    /// The input index of the group's first row, the one written.
    pub index: usize,
    pub data: AccountData,
    /// Domains of the group's other rows (match keys only, never written; may repeat).
    pub extra_domains: Vec<String>,
    /// External refs of the group's other rows (match keys only; may repeat).
    pub extra_external_refs: Vec<String>,
}

impl PlannedGroup {
    /// Every domain the group is matched by.
    pub fn domains(&self) -> impl Iterator<Item = &String> {
        self.data.domains.iter().chain(&self.extra_domains)
    }

    /// Every external ref the group is matched by.
    pub fn external_refs(&self) -> impl Iterator<Item = &String> {
        self.data
            .external_refs
            .iter()
            .chain(&self.extra_external_refs)
    }
}

/// The validated rows of a bulk request, grouped and ready for one transaction. The groups sit
/// behind an `Arc` so that the service can retry a plan without copying its rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkPlan {
    /// In input order of their first rows.
    pub groups: Arc<Vec<PlannedGroup>>,
    /// Match groups against stored accounts; without it every group is created, and values
    /// taken by another account (or an earlier row) are per-row conflicts.
    pub dedupe: bool,
    /// Any failing group fails the whole write (nothing is stored).
    pub atomic: bool,
    /// Normalized tag names added to every created and matched account.
    pub append_tags: Vec<String>,
}

/// What became of one [`PlannedGroup`].
#[derive(Debug, Clone, PartialEq)]
pub enum GroupOutcome {
    Created(Account),
    Existing(Account),
    /// The error names its field from the request root (`accounts[3].stage`).
    Failed(Error),
}

/// What the store did with a [`BulkPlan`]: one outcome per group, in plan order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkWritten {
    pub outcomes: Vec<GroupOutcome>,
}

/// Groups rows that share a domain or an external ref, transitively (union-find). `keys[i]` is
/// `None` for a row that takes no part (it failed validation), else its domains and external
/// refs. Returns, for each row, the index of the first row of its group (itself when alone).
pub fn group_rows(keys: &[Option<(&[String], &[String])>]) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..keys.len()).collect();
    let mut by_domain: HashMap<&str, usize> = HashMap::new();
    let mut by_ref: HashMap<&str, usize> = HashMap::new();
    for (row, entry) in keys.iter().enumerate() {
        let Some((domains, refs)) = entry else {
            continue;
        };
        for (values, seen) in [(*domains, &mut by_domain), (*refs, &mut by_ref)] {
            for value in values {
                match seen.get(value.as_str()) {
                    Some(&other) => union(&mut parent, row, other),
                    None => {
                        seen.insert(value, row);
                    }
                }
            }
        }
    }
    (0..keys.len()).map(|row| find(&mut parent, row)).collect()
}

/// The root of `row`'s set, compressing the path on the way.
fn find(parent: &mut [usize], row: usize) -> usize {
    let mut root = row;
    while parent[root] != root {
        root = parent[root];
    }
    let mut at = row;
    while parent[at] != root {
        let next = parent[at];
        parent[at] = root;
        at = next;
    }
    root
}

/// Joins two sets under the smaller root, so that a root is always its group's first row.
fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Keys = Option<(Vec<String>, Vec<String>)>;

    fn row(domains: &[&str], refs: &[&str]) -> Keys {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Some((owned(domains), owned(refs)))
    }

    fn groups(keys: &[Keys]) -> Vec<usize> {
        let borrowed: Vec<Option<(&[String], &[String])>> = keys
            .iter()
            .map(|k| k.as_ref().map(|(d, r)| (d.as_slice(), r.as_slice())))
            .collect();
        group_rows(&borrowed)
    }

    #[test]
    fn rows_sharing_keys_collapse_transitively() {
        let keys = vec![
            row(&["a.com"], &[]),
            row(&["b.com"], &["r1"]),
            row(&["c.com"], &[]),
            None,
            row(&["b.com", "a.com"], &[]),
            row(&[], &["r1"]),
            row(&[], &["a.com"]),
            row(&["d.com"], &["r2"]),
            row(&["c.com"], &["r2"]),
        ];
        assert_eq!(groups(&keys), vec![0, 0, 2, 3, 0, 0, 6, 2, 2]);
    }

    #[test]
    fn rows_without_keys_stay_alone() {
        let keys = vec![row(&[], &[]), row(&[], &[]), None];
        assert_eq!(groups(&keys), vec![0, 1, 2]);
    }

    #[test]
    fn request_defaults() {
        let request: BulkRequest =
            serde_json::from_value(serde_json::json!({"accounts": [{"name": "A"}]}))
                .expect("parses");
        assert!(request.dedupe && !request.atomic && request.append_tags.is_empty());
        let unknown =
            serde_json::from_value::<BulkRequest>(serde_json::json!({"accounts": [], "x": 1}));
        assert!(unknown.is_err());
    }
}
