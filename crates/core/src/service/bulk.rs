//! Bulk create: every row is normalized here, rows that duplicate each other under the match
//! policy are grouped, and the store writes the whole plan in one transaction, deciding each
//! group with the policy from what it finds holding the plan's keys.
//!
//! Results, one per input row in input order:
//! - a row that failed decoding on the surface, or fails normalization or validation here, is
//!   `error`, with its fields named from the request root (`accounts[3].domains[0]`);
//! - the first row of a group is `created`, `existing` (it matched a stored account) or
//!   `error` (unknown stage or owner, ambiguous match, a taken domain the policy does not
//!   match by);
//! - the later rows of a group report `existing` with the group's account, or the group's
//!   error (which names the first row's field) when the group failed.
//!
//! With `atomic`, the first failing row fails the whole request with its own error (400, or
//! 409 for conflicts) and nothing is written. Row errors are found before the store is asked,
//! so they win over the store's own checks.

use crate::error::Code;

use serde_json::Value;

use super::Service;
use crate::auth::{Principal, Scope};
use crate::bulk::{
    BulkOptions, BulkPlan, BulkRequest, BulkResponse, BulkResult, BulkRow, BulkStatus, BulkWritten,
    CONCURRENT_WRITE, GroupOutcome, MAX_ROWS, MatchOn, MatchPolicy, PlannedGroup, RowKeys,
    group_rows_by,
};
use crate::decode::from_value;
use crate::error::{Error, Result};
use crate::ids;
use crate::list::name_sort_key;
use crate::model::limits;
use crate::model::{AccountData, AccountInput};

/// Longest tag name, as for the tags of an account.
const MAX_TAG_NAME: usize = 100;

/// A row that passed normalization: the data to write and the id it matches by.
pub(super) struct ValidRow {
    pub(super) data: AccountData,
    pub(super) id: Option<String>,
}

/// Where a row went.
enum Slot {
    Failed(Error),
    /// Row of group `group` of the plan.
    Group(usize),
}

impl Service {
    /// `POST /v1/accounts/bulk`: decodes the native JSON rows (a row that does not decode
    /// fails alone, named `accounts[3].…`) and runs [`Service::bulk_create_accounts`] with
    /// the native options.
    pub async fn bulk_create(&self, who: &Principal, request: BulkRequest) -> Result<BulkResponse> {
        who.require(Scope::Write)?;
        let options = BulkOptions {
            policy: if request.dedupe {
                MatchPolicy::native()
            } else {
                MatchPolicy::create_all()
            },
            append_tags: request.append_tags,
            atomic: request.atomic,
            ..BulkOptions::default()
        };
        check_row_count(request.accounts.len(), &options.rows_field)?;
        let rows = decode_rows(request.accounts, &options);
        self.bulk_create_accounts(who, rows, options).await
    }

    /// Creates or matches up to [`MAX_ROWS`] accounts in one transaction and reports each
    /// row, in input order. A row given as an error (it failed decoding on the surface) keeps
    /// its place and its error; see the module documentation for the rest.
    pub async fn bulk_create_accounts(
        &self,
        who: &Principal,
        rows: Vec<Result<BulkRow>>,
        options: BulkOptions,
    ) -> Result<BulkResponse> {
        who.require(Scope::Write)?;
        check_row_count(rows.len(), &options.rows_field)?;
        let options = BulkOptions {
            append_tags: normalize_append_tags(options.append_tags)?,
            ..options
        };
        if rows.is_empty() {
            return Ok(BulkResponse::default());
        }
        let mut rows = normalize_rows(rows, &options);
        // Custom fields are checked against one load of the schema for all rows.
        self.check_bulk_rows(who, &mut rows, &options).await?;
        if options.atomic
            && let Some(err) = rows.iter().find_map(|r| r.as_ref().err())
        {
            return Err(err.clone());
        }
        let (groups, slots) = plan_groups(rows, &options.policy);
        let group_count = groups.len();
        let written = self.write_plan(who, BulkPlan::new(groups, options)).await?;
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

fn check_row_count(rows: usize, field: &str) -> Result<()> {
    if rows > MAX_ROWS {
        return Err(Error::invalid(
            Code::TooManyItems,
            field,
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

/// Decodes each native JSON row, dropping each value as soon as it is decoded.
fn decode_rows(accounts: Vec<Value>, options: &BulkOptions) -> Vec<Result<BulkRow>> {
    accounts
        .into_iter()
        .enumerate()
        .map(|(i, row)| from_value::<AccountInput>(&row, &options.row_path(i)).map(BulkRow::from))
        .collect()
}

/// Normalizes each row; errors are named from the request root.
fn normalize_rows(rows: Vec<Result<BulkRow>>, options: &BulkOptions) -> Vec<Result<ValidRow>> {
    let by_id = options.policy.uses(MatchOn::Id);
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let BulkRow { account, id } = row?;
            let valid = check_row_id(id, by_id).and_then(|id| {
                let data = account.normalize()?;
                Ok(ValidRow { data, id })
            });
            valid.map_err(|e| e.within(&options.row_path(i)))
        })
        .collect()
}

/// A row names an id only to be matched by it, which the policy must do.
fn check_row_id(id: Option<String>, by_id: bool) -> Result<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    if !by_id {
        return Err(Error::invalid(
            Code::UnknownField,
            "id",
            id.as_str(),
            "this request does not match rows by id, so a row cannot name one",
        ));
    }
    ids::check(ids::ACCOUNT, "id", &id)?;
    Ok(Some(id))
}

/// The keys a valid row is grouped by under the policy.
fn row_keys<'a>(row: &'a ValidRow, name_key: Option<&'a str>, policy: &MatchPolicy) -> RowKeys<'a> {
    let mut keys = RowKeys::new();
    for &key in policy.order() {
        match key {
            MatchOn::Id => keys.extend(row.id.iter().map(|id| (key, id.as_str()))),
            MatchOn::ExternalRef => {
                keys.extend(row.data.external_refs.iter().map(|r| (key, r.as_str())))
            }
            MatchOn::Domain => {
                let domains = row.data.domains.iter().chain(&row.data.website_domains);
                keys.extend(domains.map(|d| (key, d.as_str())));
            }
            MatchOn::Name => keys.extend(name_key.map(|n| (key, n))),
        }
    }
    keys
}

/// Groups the valid rows by the policy's keys (each alone when it matches by none): the
/// first row of a group carries the data, the later ones only add match keys.
fn plan_groups(
    rows: Vec<Result<ValidRow>>,
    policy: &MatchPolicy,
) -> (Vec<PlannedGroup>, Vec<Slot>) {
    let name_keys: Vec<Option<String>> = rows
        .iter()
        .map(|r| match r {
            Ok(row) if policy.uses(MatchOn::Name) => Some(name_sort_key(&row.data.name)),
            _ => None,
        })
        .collect();
    let keys: Vec<Option<RowKeys<'_>>> = rows
        .iter()
        .zip(&name_keys)
        .map(|(r, name)| {
            r.as_ref()
                .ok()
                .map(|row| row_keys(row, name.as_deref(), policy))
        })
        .collect();
    let roots = group_rows_by(&keys);
    drop(keys);
    let mut group_of = vec![usize::MAX; rows.len()];
    let mut groups: Vec<PlannedGroup> = Vec::new();
    let mut slots = Vec::with_capacity(rows.len());
    for ((i, row), name_key) in rows.into_iter().enumerate().zip(name_keys) {
        let ValidRow { data, id } = match row {
            Ok(row) => row,
            Err(err) => {
                slots.push(Slot::Failed(err));
                continue;
            }
        };
        let root = roots[i];
        if root == i {
            group_of[i] = groups.len();
            let mut group = PlannedGroup::new(i, data);
            group.ids.extend(id);
            group.name_keys.extend(name_key);
            groups.push(group);
        } else {
            // The root is the group's smallest index, so it was planned already.
            groups[group_of[root]].absorb(data, id, policy);
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
    use crate::model::{AccountInput, WebsiteInput};
    use serde_json::json;

    fn rows_of(rows: Vec<Value>) -> Vec<Result<ValidRow>> {
        let options = BulkOptions::default();
        normalize_rows(decode_rows(rows, &options), &options)
    }

    fn plan(rows: Vec<Value>, dedupe: bool) -> (Vec<PlannedGroup>, Vec<Slot>) {
        let policy = if dedupe {
            MatchPolicy::native()
        } else {
            MatchPolicy::create_all()
        };
        plan_groups(rows_of(rows), &policy)
    }

    fn slot_groups(slots: &[Slot]) -> Vec<Option<usize>> {
        slots
            .iter()
            .map(|s| match s {
                Slot::Group(g) => Some(*g),
                Slot::Failed(_) => None,
            })
            .collect()
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
        assert_eq!(
            slot_groups(&slots),
            vec![Some(0), Some(0), Some(1), Some(0), None]
        );
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
    fn the_policy_decides_which_keys_group() {
        let rows = || {
            vec![
                json!({"name": "Acme", "external_refs": ["crm-1"]}),
                json!({"name": "ACME ", "domains": ["acme.com"]}),
                json!({"name": "Other", "external_refs": ["crm-1"]}),
                json!({"name": "Web", "websites": ["https://www.acme.com/about"]}),
            ]
        };
        let refs_only = plan_groups(rows_of(rows()), &MatchPolicy::new([MatchOn::ExternalRef]));
        assert_eq!(
            slot_groups(&refs_only.1),
            vec![Some(0), Some(1), Some(0), Some(2)]
        );
        let by_name = MatchPolicy::new([MatchOn::ExternalRef, MatchOn::Domain, MatchOn::Name]);
        let (groups, slots) = plan_groups(rows_of(rows()), &by_name);
        assert_eq!(
            slot_groups(&slots),
            vec![Some(0), Some(0), Some(0), Some(0)]
        );
        assert_eq!(groups[0].name_keys, vec!["acme", "acme", "other", "web"]);
        assert_eq!(groups[0].extra_domains, vec!["acme.com", "acme.com"]);
    }

    #[test]
    fn rows_name_ids_only_when_the_policy_matches_by_id() {
        let row = |id: &str| {
            Ok(BulkRow {
                account: AccountInput {
                    name: "A".into(),
                    websites: vec![WebsiteInput::Url("acme.com".into())],
                    ..Default::default()
                },
                id: Some(id.to_string()),
            })
        };
        let options = BulkOptions {
            policy: MatchPolicy::new([MatchOn::Id]),
            rows_field: "records".into(),
            ..BulkOptions::default()
        };
        let id = "acc_01jd5y0v4w8k9m2n3p4q5r6s7t";
        let rows = normalize_rows(vec![row(id), row("acc_bad")], &options);
        assert_eq!(
            rows[0].as_ref().ok().and_then(|r| r.id.as_deref()),
            Some(id)
        );
        let err = rows[1].as_ref().err().expect("a malformed id fails");
        assert_eq!(err.field(), Some("records[1].id"));
        let rows = normalize_rows(vec![row(id)], &BulkOptions::default());
        let err = rows[0].as_ref().err().expect("no id without id matching");
        assert_eq!(
            (err.code(), err.field()),
            (Code::UnknownField, Some("accounts[0].id"))
        );
    }

    #[test]
    fn row_errors_name_the_row() {
        let rows = rows_of(vec![
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
