//! Bulk create: the typed command every surface calls ([`BulkRow`]s and [`BulkOptions`]), the
//! native request and response (`POST /v1/accounts/bulk`), the plan the service hands the store
//! and what the store reports back.
//!
//! Rows that share a key of the match policy (directly or through other rows) form one group.
//! Only the first row of a group is written; the group is matched against the stored accounts
//! by all the keys of all its rows (see [`MatchPolicy`]), and every later row of the group
//! reports `existing` with the group's account (or the group's error when it failed).

mod group;
mod policy;

pub use group::{RowKeys, group_rows, group_rows_by};
pub use policy::{Decision, KeyHolders, KeyLookups, MatchOn, MatchPolicy};

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::Error;
use crate::list::name_sort_key;
use crate::model::{Account, AccountData, AccountInput};

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

/// One row of a typed bulk create: the account, and the id of the stored account it is
/// meant to match (for policies that match by [`MatchOn::Id`]; never written).
#[derive(Debug, Clone, Default)]
pub struct BulkRow {
    pub account: AccountInput,
    pub id: Option<String>,
}

impl From<AccountInput> for BulkRow {
    fn from(account: AccountInput) -> Self {
        BulkRow { account, id: None }
    }
}

/// Which accounts the `append_tags` of a bulk create go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppendTagsTo {
    /// The accounts the request creates (Apollo: "to each created account").
    CreatedOnly,
    /// The accounts it creates and the stored accounts its rows match (the native API).
    #[default]
    CreatedAndMatched,
}

/// How a typed bulk create treats its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkOptions {
    pub policy: MatchPolicy,
    /// Tag names added to accounts (see `append_to`), created when missing.
    pub append_tags: Vec<String>,
    pub append_to: AppendTagsTo,
    /// All or nothing: the first failing row fails the request and nothing is written.
    pub atomic: bool,
    /// The request field holding the rows: errors of row 3 are named `{rows_field}[3].…`
    /// (`accounts[3].domains[0]`), or `[3].…` when it is empty.
    pub rows_field: String,
}

impl Default for BulkOptions {
    /// The native API's defaults: dedupe on, tags on created and matched accounts, per-row
    /// results, rows under `accounts`.
    fn default() -> Self {
        BulkOptions {
            policy: MatchPolicy::native(),
            append_tags: Vec::new(),
            append_to: AppendTagsTo::CreatedAndMatched,
            atomic: false,
            rows_field: "accounts".to_string(),
        }
    }
}

impl BulkOptions {
    /// The path of row `index` in the request, which its errors start with.
    pub fn row_path(&self, index: usize) -> String {
        format!("{}[{index}]", self.rows_field)
    }
}

/// One group of rows: the account written for it and the keys it is matched by.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedGroup {
    /// The input index of the group's first row, the one written.
    pub index: usize,
    pub data: AccountData,
    /// Domains of the group's other rows, their websites' hosts included (match keys only,
    /// never written; may repeat).
    pub extra_domains: Vec<String>,
    /// External refs of the group's other rows (match keys only; may repeat).
    pub extra_external_refs: Vec<String>,
    /// The ids the group's rows name, when the policy matches by id (match keys only).
    pub ids: Vec<String>,
    /// The name keys of the group's rows, when the policy matches by name.
    pub name_keys: Vec<String>,
}

impl PlannedGroup {
    /// A group of one row, with no other keys yet.
    pub fn new(index: usize, data: AccountData) -> Self {
        PlannedGroup {
            index,
            data,
            extra_domains: Vec::new(),
            extra_external_refs: Vec::new(),
            ids: Vec::new(),
            name_keys: Vec::new(),
        }
    }

    /// Every domain the group is matched by: its own, its websites' hosts, its other rows'.
    pub fn domains(&self) -> impl Iterator<Item = &String> {
        self.data
            .domains
            .iter()
            .chain(&self.data.website_domains)
            .chain(&self.extra_domains)
    }

    /// Every external ref the group is matched by.
    pub fn external_refs(&self) -> impl Iterator<Item = &String> {
        self.data
            .external_refs
            .iter()
            .chain(&self.extra_external_refs)
    }

    /// Adds the keys of a later row of the group.
    pub fn absorb(&mut self, row: AccountData, id: Option<String>, policy: &MatchPolicy) {
        if policy.uses(MatchOn::Name) {
            self.name_keys.push(name_sort_key(&row.name));
        }
        self.ids.extend(id);
        self.extra_domains.extend(row.domains);
        self.extra_domains.extend(row.website_domains);
        self.extra_external_refs.extend(row.external_refs);
    }
}

/// The validated rows of a bulk request, grouped and ready for one transaction. The groups sit
/// behind an `Arc` so that the service can retry a plan without copying its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkPlan {
    /// In input order of their first rows.
    pub groups: Arc<Vec<PlannedGroup>>,
    /// How groups match stored accounts; domains and external refs it does not match by are
    /// per-row conflicts when another account (or an earlier row) holds them.
    pub policy: MatchPolicy,
    /// Any failing group fails the whole write (nothing is stored).
    pub atomic: bool,
    /// Normalized tag names added to accounts, per `append_to`.
    pub append_tags: Vec<String>,
    pub append_to: AppendTagsTo,
    /// The request field holding the rows, for the paths the store's errors name.
    pub rows_field: String,
}

impl BulkPlan {
    /// A plan with the options' policy, atomicity and tags (already normalized).
    pub fn new(groups: Vec<PlannedGroup>, options: BulkOptions) -> Self {
        BulkPlan {
            groups: Arc::new(groups),
            policy: options.policy,
            atomic: options.atomic,
            append_tags: options.append_tags,
            append_to: options.append_to,
            rows_field: options.rows_field,
        }
    }

    /// The path of the group's first row in the request (`accounts[3]`): the store prefixes
    /// a group's errors with it.
    pub fn row_path(&self, group: &PlannedGroup) -> String {
        format!("{}[{}]", self.rows_field, group.index)
    }

    /// The distinct keys the store must look up: domains and external refs always (they are
    /// unique, matched or not), ids and names when the policy matches by them.
    pub fn lookups(&self) -> KeyLookups<'_> {
        let groups = self.groups.as_slice();
        let uses = |key| self.policy.uses(key);
        KeyLookups {
            ids: if uses(MatchOn::Id) {
                distinct(groups.iter().flat_map(|g| &g.ids))
            } else {
                Vec::new()
            },
            external_refs: distinct(groups.iter().flat_map(PlannedGroup::external_refs)),
            domains: distinct(groups.iter().flat_map(PlannedGroup::domains)),
            names: if uses(MatchOn::Name) {
                distinct(groups.iter().flat_map(|g| &g.name_keys))
            } else {
                Vec::new()
            },
        }
    }

    /// Whether matched accounts get the appended tags too.
    pub fn appends_to_matched(&self) -> bool {
        self.append_to == AppendTagsTo::CreatedAndMatched
    }
}

fn distinct<'a>(values: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    values
        .map(String::as_str)
        .filter(|v| seen.insert(*v))
        .collect()
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
