//! The match policy of a bulk create: which keys match a row to a stored account, and in
//! what order. The store reports who holds a plan's keys ([`KeyHolders`], looked up in
//! batches inside the write's transaction); the policy decides each group from that report.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::PlannedGroup;
use crate::error::{Code, Error};

/// A key a row can match a stored account by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchOn {
    /// The account's id, which the row names (see [`super::BulkRow::id`]).
    Id,
    /// Any of the row's external refs (a vendor's CRM ids).
    ExternalRef,
    /// Any of the row's domains, the hosts its websites add included.
    Domain,
    /// The exact name, compared trimmed and ignoring case.
    Name,
}

impl MatchOn {
    /// The row field the key is read from, as errors name it.
    pub fn field(self) -> &'static str {
        match self {
            MatchOn::Id => "id",
            MatchOn::ExternalRef => "external_refs",
            MatchOn::Domain => "domains",
            MatchOn::Name => "name",
        }
    }
}

/// The keys a bulk create matches rows by, in order: the first key that finds stored
/// accounts decides (one account: the row is `existing`; several: `ambiguous_match`); a row
/// no key finds is created. Rows of one request that share any of the keys collapse into one
/// account. Domains and external refs the policy does not match by stay unique: a row naming
/// one that another account holds fails with a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchPolicy {
    order: Vec<MatchOn>,
}

impl MatchPolicy {
    /// The keys in this order; a key named twice counts once, where it first appears.
    pub fn new(order: impl IntoIterator<Item = MatchOn>) -> Self {
        let mut keys: Vec<MatchOn> = Vec::new();
        for key in order {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        MatchPolicy { order: keys }
    }

    /// The native API's dedupe: external ref, then domain.
    pub fn native() -> Self {
        MatchPolicy::new([MatchOn::ExternalRef, MatchOn::Domain])
    }

    /// No matching: every row is created (the native API's `dedupe: false`).
    pub fn create_all() -> Self {
        MatchPolicy::new([])
    }

    pub fn order(&self) -> &[MatchOn] {
        &self.order
    }

    /// Whether the policy matches by `key`.
    pub fn uses(&self, key: MatchOn) -> bool {
        self.order.contains(&key)
    }

    /// The fate of one group, from who holds its keys. A failure names its field relative to
    /// the group's first row (`domains`, `id`).
    pub fn decide(&self, group: &PlannedGroup, holders: &KeyHolders) -> Decision {
        for key in &self.order {
            let candidates = match key {
                MatchOn::Id => {
                    if let Some(missing) = group.ids.iter().find(|id| !holders.ids.contains(*id)) {
                        return Decision::Failed(unknown_id(missing));
                    }
                    sorted(group.ids.iter().map(String::as_str))
                }
                MatchOn::ExternalRef => holders_of(&holders.external_refs, group.external_refs()),
                MatchOn::Domain => holders_of(&holders.domains, group.domains()),
                MatchOn::Name => sorted(
                    group
                        .name_keys
                        .iter()
                        .filter_map(|name| holders.names.get(name))
                        .flatten()
                        .map(String::as_str),
                ),
            };
            match candidates.as_slice() {
                [] => continue,
                [one] => return Decision::Existing(one.to_string()),
                many => return Decision::Failed(ambiguous(key.field(), many)),
            }
        }
        Decision::Create
    }
}

/// What the policy decided for one group.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Create,
    /// It matched the stored account with this id.
    Existing(String),
    Failed(Error),
}

/// Who holds the keys of a plan, among the workspace's live accounts, as the store found
/// them. Ids and names are only looked up when the policy matches by them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyHolders {
    /// The ids that are live accounts.
    pub ids: HashSet<String>,
    /// External ref -> the account holding it.
    pub external_refs: HashMap<String, String>,
    /// Domain -> the account holding it.
    pub domains: HashMap<String, String>,
    /// Name key (see [`crate::list::name_sort_key`]) -> the accounts of that name.
    pub names: HashMap<String, Vec<String>>,
}

/// The distinct values of a plan the store looks up, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyLookups<'a> {
    pub ids: Vec<&'a str>,
    pub external_refs: Vec<&'a str>,
    pub domains: Vec<&'a str>,
    pub names: Vec<&'a str>,
}

fn holders_of<'a>(
    map: &'a HashMap<String, String>,
    keys: impl Iterator<Item = &'a String>,
) -> Vec<&'a str> {
    sorted(keys.filter_map(|k| map.get(k).map(String::as_str)))
}

fn sorted<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn ambiguous(field: &str, candidates: &[&str]) -> Error {
    Error::Conflict {
        code: Code::AmbiguousMatch,
        message: format!(
            "the row's {field} match {} accounts: {}",
            candidates.len(),
            candidates.join(", ")
        ),
        field: Some(field.to_string()),
        value: Some(Value::from(candidates.to_vec())),
        existing_id: None,
    }
}

fn unknown_id(id: &str) -> Error {
    Error::invalid(
        Code::TargetNotFound,
        "id",
        id,
        format!("{id} is not a live account of this workspace"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AccountInput;

    fn group(domains: &[&str], refs: &[&str], ids: &[&str], names: &[&str]) -> PlannedGroup {
        let data = AccountInput {
            name: "Row".into(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            external_refs: refs.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        }
        .normalize()
        .expect("valid row");
        let mut group = PlannedGroup::new(0, data);
        group.ids = ids.iter().map(|i| i.to_string()).collect();
        group.name_keys = names.iter().map(|n| n.to_string()).collect();
        group
    }

    fn holders() -> KeyHolders {
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        KeyHolders {
            ids: ["acc_1", "acc_2"].iter().map(|s| s.to_string()).collect(),
            external_refs: pairs(&[("sf-1", "acc_1")]),
            domains: pairs(&[("acme.com", "acc_2"), ("acme.io", "acc_3")]),
            names: [
                ("acme".to_string(), vec!["acc_2".to_string()]),
                ("twin".to_string(), vec!["acc_4".into(), "acc_5".into()]),
            ]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn the_first_key_that_finds_accounts_decides() {
        let g = group(&["acme.com"], &["sf-1"], &[], &["acme"]);
        let h = holders();
        let decide = |p: MatchPolicy| p.decide(&g, &h);
        assert_eq!(
            decide(MatchPolicy::native()),
            Decision::Existing("acc_1".into())
        );
        assert_eq!(
            decide(MatchPolicy::new([MatchOn::Domain, MatchOn::ExternalRef])),
            Decision::Existing("acc_2".into())
        );
        assert_eq!(
            decide(MatchPolicy::new([MatchOn::Name])),
            Decision::Existing("acc_2".into())
        );
        assert_eq!(decide(MatchPolicy::create_all()), Decision::Create);
        let fresh = group(&["new.com"], &["sf-9"], &[], &["new"]);
        let all = [
            MatchOn::Id,
            MatchOn::ExternalRef,
            MatchOn::Domain,
            MatchOn::Name,
        ];
        assert_eq!(MatchPolicy::new(all).decide(&fresh, &h), Decision::Create);
    }

    #[test]
    fn several_accounts_on_one_key_are_ambiguous() {
        let h = holders();
        let two_domains = group(&["acme.com", "acme.io"], &[], &[], &[]);
        let Decision::Failed(err) = MatchPolicy::native().decide(&two_domains, &h) else {
            panic!("ambiguous expected");
        };
        assert_eq!(
            (err.code(), err.field()),
            (Code::AmbiguousMatch, Some("domains"))
        );
        assert_eq!(err.value(), Some(&serde_json::json!(["acc_2", "acc_3"])));
        let twins = group(&[], &[], &[], &["twin"]);
        let Decision::Failed(err) = MatchPolicy::new([MatchOn::Name]).decide(&twins, &h) else {
            panic!("ambiguous expected");
        };
        assert_eq!(err.field(), Some("name"));
    }

    #[test]
    fn ids_must_be_live_accounts() {
        let h = holders();
        let policy = MatchPolicy::new([MatchOn::Id, MatchOn::Domain]);
        assert_eq!(
            policy.decide(&group(&["acme.io"], &[], &["acc_1"], &[]), &h),
            Decision::Existing("acc_1".into())
        );
        let Decision::Failed(err) = policy.decide(&group(&[], &[], &["acc_9"], &[]), &h) else {
            panic!("unknown id expected");
        };
        assert_eq!(
            (err.code(), err.field()),
            (Code::TargetNotFound, Some("id"))
        );
    }

    #[test]
    fn a_key_named_twice_counts_once() {
        let policy = MatchPolicy::new([MatchOn::Domain, MatchOn::Name, MatchOn::Domain]);
        assert_eq!(policy.order(), &[MatchOn::Domain, MatchOn::Name]);
        assert!(policy.uses(MatchOn::Name) && !policy.uses(MatchOn::Id));
    }
}
