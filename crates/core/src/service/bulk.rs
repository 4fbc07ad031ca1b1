//! Bulk create: every row is decoded and normalized here, rows that duplicate each other are
//! grouped (with dedupe on), and the store writes the whole plan in one transaction.
//!
//! Results, one per input row in input order:
//! - a row that fails decoding or validation is `error`, with its fields named from the
//!   request root (`accounts[3].domains[0]`);
//! - the first row of a group is `created`, `existing` (it matched a stored account) or
//!   `error` (unknown stage or owner, ambiguous match, taken domain with dedupe off);
//! - the later rows of a group report `existing` with the group's account, or the group's
//!   error (which names the first row's field) when the group failed.
//!
//! With `atomic`, the first failing row fails the whole request with its own error (400, or
//! 409 for conflicts) and nothing is written. Decoding errors are found before the store is
//! asked, so they win over the store's own checks.

use crate::error::Code;
use std::sync::Arc;

use serde_json::Value;

use super::Service;
use crate::auth::{Principal, Scope};
use crate::bulk::{
    BulkPlan, BulkRequest, BulkResponse, BulkResult, BulkStatus, BulkWritten, CONCURRENT_WRITE,
    GroupOutcome, MAX_ROWS, PlannedGroup, group_rows,
};
use crate::decode::from_value;
use crate::error::{Error, Result};
use crate::list::name_sort_key;
use crate::model::limits;
use crate::model::{AccountData, AccountInput};

/// Longest tag name, as for the tags of an account.
const MAX_TAG_NAME: usize = 100;

/// Where a decoded row went.
enum Slot {
    Failed(Error),
    /// Row of group `group` of the plan.
    Group(usize),
}

impl Service {
    /// `POST /v1/accounts/bulk`: creates or matches up to [`MAX_ROWS`] accounts in one
    /// transaction and reports each row.
    pub async fn bulk_create(&self, who: &Principal, request: BulkRequest) -> Result<BulkResponse> {
        who.require(Scope::Write)?;
        check_row_count(request.accounts.len())?;
        let append_tags = normalize_append_tags(request.append_tags)?;
        if request.accounts.is_empty() {
            return Ok(BulkResponse::default());
        }
        let mut rows = decode_rows(request.accounts);
        // Custom fields are checked against one load of the schema for all rows.
        self.check_bulk_rows(who, &mut rows).await?;
        if request.atomic
            && let Some(err) = rows.iter().find_map(|r| r.as_ref().err())
        {
            return Err(err.clone());
        }
        let (groups, slots) = plan_groups(rows, request.dedupe);
        let group_count = groups.len();
        let plan = BulkPlan {
            groups: Arc::new(groups),
            dedupe: request.dedupe,
            atomic: request.atomic,
            append_tags,
        };
        let written = self.write_plan(who, plan).await?;
        assemble(slots, group_count, written)
    }

    /// Writes the plan, once more if a concurrent writer claimed one of its domains or refs
    /// in between (the second attempt sees that writer's accounts and matches them).
    async fn write_plan(&self, who: &Principal, plan: BulkPlan) -> Result<BulkWritten> {
        let (ws, actor) = (&who.workspace_id, &who.user_id);
        if plan.groups.is_empty() {
            return Ok(BulkWritten::default());
        }
        match self.store.bulk_write(ws, actor, plan.clone()).await {
            Err(err) if err.code() == CONCURRENT_WRITE => {
                self.store.bulk_write(ws, actor, plan).await
            }
            other => other,
        }
    }
}

fn check_row_count(rows: usize) -> Result<()> {
    if rows > MAX_ROWS {
        return Err(Error::invalid(
            Code::TooManyItems,
            "accounts",
            rows,
            format!("a bulk request holds at most {MAX_ROWS} accounts, not {rows}"),
        ));
    }
    Ok(())
}

/// Trimmed, non-empty, unique (case-insensitively) tag names.
fn normalize_append_tags(tags: Vec<String>) -> Result<Vec<String>> {
    if tags.len() > limits::LIST_ITEMS {
        return Err(Error::invalid(
            Code::TooManyItems,
            "append_tags",
            tags.len(),
            format!("append_tags holds at most {} names", limits::LIST_ITEMS),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for (i, raw) in tags.into_iter().enumerate() {
        let field = format!("append_tags[{i}]");
        let name = raw.trim();
        if name.is_empty() {
            return Err(Error::invalid_value(
                field,
                raw.as_str(),
                "a tag name must not be empty",
            ));
        }
        if name.chars().count() > MAX_TAG_NAME {
            return Err(Error::invalid(
                Code::TooLong,
                field.as_str(),
                name,
                format!("{field} is longer than {MAX_TAG_NAME} characters"),
            ));
        }
        let key = name_sort_key(name);
        if !out.iter().any(|o| name_sort_key(o) == key) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// Decodes and normalizes each row, dropping each JSON value as soon as it is decoded.
fn decode_rows(accounts: Vec<Value>) -> Vec<Result<AccountData>> {
    accounts
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let prefix = format!("accounts[{i}]");
            let input: AccountInput = from_value(&row, &prefix)?;
            input.normalize().map_err(|e| e.within(&prefix))
        })
        .collect()
}

/// Groups the valid rows (each alone when `dedupe` is off): the first row of a group carries
/// the data, the later ones only add match keys.
fn plan_groups(rows: Vec<Result<AccountData>>, dedupe: bool) -> (Vec<PlannedGroup>, Vec<Slot>) {
    let roots = if dedupe {
        let keys: Vec<Option<(&[String], &[String])>> = rows
            .iter()
            .map(|r| {
                r.as_ref()
                    .ok()
                    .map(|d| (d.domains.as_slice(), d.external_refs.as_slice()))
            })
            .collect();
        group_rows(&keys)
    } else {
        (0..rows.len()).collect()
    };
    let mut group_of = vec![usize::MAX; rows.len()];
    let mut groups: Vec<PlannedGroup> = Vec::new();
    let mut slots = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let data = match row {
            Ok(data) => data,
            Err(err) => {
                slots.push(Slot::Failed(err));
                continue;
            }
        };
        let root = roots[i];
        if root == i {
            group_of[i] = groups.len();
            groups.push(PlannedGroup {
                index: i,
                data,
                extra_domains: Vec::new(),
                extra_external_refs: Vec::new(),
            });
        } else {
            // The root is the group's smallest index, so it was planned already.
            let group = &mut groups[group_of[root]];
            group.extra_domains.extend(data.domains);
            group.extra_external_refs.extend(data.external_refs);
        }
        slots.push(Slot::Group(group_of[root]));
    }
    (groups, slots)
}

/// One result per row, in input order. A group's outcome is cloned only for the rows that
/// share it; the last row of each group takes it.
fn assemble(slots: Vec<Slot>, groups: usize, written: BulkWritten) -> Result<BulkResponse> {
    if written.outcomes.len() != groups {
        return Err(Error::internal(format!(
            "the store reported {} outcomes for {groups} groups",
            written.outcomes.len()
        )));
    }
    let mut remaining = vec![0usize; groups];
    for slot in &slots {
        if let Slot::Group(g) = slot {
            remaining[*g] += 1;
        }
    }
    let mut seen = vec![false; groups];
    let mut outcomes: Vec<Option<GroupOutcome>> = written.outcomes.into_iter().map(Some).collect();
    let mut results = Vec::with_capacity(slots.len());
    for (index, slot) in slots.into_iter().enumerate() {
        let g = match slot {
            Slot::Failed(err) => {
                results.push(BulkResult::failed(index, err));
                continue;
            }
            Slot::Group(g) => g,
        };
        remaining[g] -= 1;
        let outcome = if remaining[g] == 0 {
            outcomes[g].take()
        } else {
            outcomes[g].clone()
        }
        .ok_or_else(|| Error::internal("a bulk group outcome was used up"))?;
        let first = !std::mem::replace(&mut seen[g], true);
        results.push(row_result(index, first, outcome));
    }
    Ok(BulkResponse { results })
}

fn row_result(index: usize, first: bool, outcome: GroupOutcome) -> BulkResult {
    match outcome {
        GroupOutcome::Created(account) if first => {
            BulkResult::ok(index, BulkStatus::Created, account)
        }
        GroupOutcome::Created(account) | GroupOutcome::Existing(account) => {
            BulkResult::ok(index, BulkStatus::Existing, account)
        }
        GroupOutcome::Failed(err) => BulkResult::failed(index, err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(rows: Vec<Value>, dedupe: bool) -> (Vec<PlannedGroup>, Vec<Slot>) {
        plan_groups(decode_rows(rows), dedupe)
    }

    #[test]
    fn spellings_of_a_domain_collapse_into_one_group() {
        let (groups, slots) = plan(
            vec![
                json!({"name": "A", "domains": ["https://www.Acme.com/x"]}),
                json!({"name": "B", "domains": ["ACME.COM."]}),
                json!({"name": "C"}),
                json!({"name": "D", "domains": ["acme.com", "acme.io"]}),
                json!({"domains": ["x.com"]}),
            ],
            true,
        );
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].data.name, "A");
        assert_eq!(
            groups[0].extra_domains,
            vec!["acme.com", "acme.com", "acme.io"]
        );
        let slots: Vec<Option<usize>> = slots
            .iter()
            .map(|s| match s {
                Slot::Group(g) => Some(*g),
                Slot::Failed(_) => None,
            })
            .collect();
        assert_eq!(slots, vec![Some(0), Some(0), Some(1), Some(0), None]);
    }

    #[test]
    fn without_dedupe_every_row_is_a_group() {
        let rows = vec![
            json!({"name": "A", "domains": ["acme.com"]}),
            json!({"name": "B", "domains": ["acme.com"]}),
        ];
        assert_eq!(plan(rows, false).0.len(), 2);
    }

    #[test]
    fn row_errors_name_the_row() {
        let rows = decode_rows(vec![
            json!({"name": "A", "domains": ["ok.com", "not a domain"]}),
            json!({"domains": []}),
            json!(7),
        ]);
        let fields: Vec<Option<String>> = rows
            .iter()
            .map(|r| r.as_ref().err().and_then(|e| e.field().map(str::to_string)))
            .collect();
        assert_eq!(
            fields,
            vec![
                Some("accounts[0].domains[1]".to_string()),
                Some("accounts[1].name".to_string()),
                Some("accounts[2]".to_string()),
            ]
        );
    }

    #[test]
    fn append_tags_are_checked() {
        let tags = normalize_append_tags(vec![" vip ".into(), "VIP".into(), "new".into()]);
        assert_eq!(tags.ok(), Some(vec!["vip".to_string(), "new".to_string()]));
        let err = normalize_append_tags(vec!["a".into(), "  ".into()]).err();
        assert_eq!(
            err.and_then(|e| e.field().map(str::to_string)).as_deref(),
            Some("append_tags[1]")
        );
    }
}
