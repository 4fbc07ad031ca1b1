//! Assert (upsert), archive and restore, merge, and the domains of one account.

use crate::error::Code;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::Service;
use super::settle;
use crate::auth::{Principal, Scope};
use crate::decode::from_value;
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Account, AccountData, AccountInput, AccountPatch};
use crate::normalize::normalize_domain;
use crate::store::MatchKeys;

/// How often an assert that lost a creation race looks again for the winner.
const ASSERT_ATTEMPTS: usize = 3;

/// The key an assert matches on: one or more of `id`, `external_ref` and `domain`. An account
/// matches when it holds any of them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchKey {
    pub id: Option<String>,
    pub external_ref: Option<String>,
    /// Any spelling: it is normalized like the domains of an account.
    pub domain: Option<String>,
}

/// The body of `POST /v1/accounts/assert`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssertRequest {
    #[serde(rename = "match")]
    pub key: MatchKey,
    /// An account to create (all of `AccountInput`) or a merge patch for the matched account.
    #[schema(value_type = Object)]
    pub account: Value,
}

/// What an assert did.
#[derive(Debug, Clone, PartialEq)]
pub enum Asserted {
    Created(Account),
    Updated(Account),
}

/// One domain of an account, as `/v1/accounts/{id}/domains` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DomainEntry {
    pub domain: String,
    /// The first domain of an account is its primary one; exactly one is while any exist.
    pub is_primary: bool,
}

/// The body of `POST /v1/accounts/{id}/domains`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDomain {
    pub domain: String,
    #[serde(default)]
    pub is_primary: bool,
}

/// The body of `PATCH /v1/accounts/{id}/domains/{domain}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainPatch {
    pub is_primary: bool,
}

fn entries(account: &Account) -> Vec<DomainEntry> {
    account
        .domains
        .iter()
        .enumerate()
        .map(|(i, d)| DomainEntry {
            domain: d.clone(),
            is_primary: i == 0,
        })
        .collect()
}

fn domain_arg(field: &str, raw: &str) -> Result<String> {
    normalize_domain(raw).map_err(|why| {
        Error::invalid(
            Code::InvalidDomain,
            field,
            raw,
            format!("'{raw}' is not a valid domain: {why}"),
        )
    })
}

impl MatchKey {
    fn keys(&self) -> Result<MatchKeys> {
        let mut keys = MatchKeys::default();
        if let Some(id) = &self.id {
            ids::check(ids::ACCOUNT, "match.id", id)?;
            keys.ids.push(id.clone());
        }
        if let Some(domain) = &self.domain {
            keys.domains.push(domain_arg("match.domain", domain)?);
        }
        if let Some(external_ref) = &self.external_ref {
            if external_ref.trim().is_empty() {
                return Err(Error::invalid(
                    Code::InvalidValue,
                    "match.external_ref",
                    external_ref.as_str(),
                    "match.external_ref must not be empty",
                ));
            }
            keys.external_refs.push(external_ref.trim().to_string());
        }
        if keys.is_empty() {
            return Err(Error::BadRequest {
                code: Code::MissingField,
                message: "`match` needs at least one of id, external_ref and domain".into(),
                field: Some("match".into()),
                value: None,
            });
        }
        Ok(keys)
    }
}

/// The account to create for an assert that matched nothing: the body, carrying the match
/// key's domain (first, as the primary, unless the body has it) and external ref.
fn creation_data(account: &Value, keys: &MatchKeys) -> Result<AccountData> {
    let input: AccountInput = from_value(account, "account")?;
    let mut data = input.normalize().map_err(|e| e.within("account"))?;
    for domain in &keys.domains {
        if !data.domains.contains(domain) {
            data.domains.insert(0, domain.clone());
        }
    }
    for external_ref in &keys.external_refs {
        if !data.external_refs.contains(external_ref) {
            data.external_refs.push(external_ref.clone());
        }
    }
    Ok(data)
}

fn is_unique_conflict(err: &Error) -> bool {
    matches!(
        err,
        Error::Conflict {
            code: Code::DomainConflict | Code::ExternalRefConflict,
            ..
        }
    )
}

impl Service {
    /// Creates the account when nothing matches the key, updates it when exactly one account
    /// does, and fails with `ambiguous_match` when several do. Two asserts racing on one key
    /// make one account: the loser's insert hits the unique index, and it updates the winner.
    pub async fn assert_account(
        &self,
        who: &Principal,
        request: AssertRequest,
    ) -> Result<Asserted> {
        who.require(Scope::Write)?;
        let keys = request.key.keys()?;
        for attempt in 1..=ASSERT_ATTEMPTS {
            let found = self
                .store
                .find_accounts(&who.workspace_id, &keys, false)
                .await?;
            match found.as_slice() {
                [] if !keys.ids.is_empty() => {
                    return Err(Error::not_found("account", keys.ids[0].as_str()));
                }
                [] => {
                    let mut data = creation_data(&request.account, &keys)?;
                    // The created account's custom fields, checked like a create's.
                    let schema = self
                        .object_schema(who, crate::schema::SchemaObject::Accounts)
                        .await?;
                    self.check_new_account(who, &schema, &mut data, "account.custom_fields")
                        .await?;
                    let created = self
                        .store
                        .insert_account(&who.workspace_id, &who.user_id, data)
                        .await;
                    match created {
                        Ok(account) => return Ok(Asserted::Created(account)),
                        Err(err) if is_unique_conflict(&err) && attempt < ASSERT_ATTEMPTS => {}
                        Err(err) => return Err(err.within("account")),
                    }
                }
                [id] => {
                    let mut patch: AccountPatch = from_value(&request.account, "account")?;
                    // The matched account's patch, checked like a PATCH's.
                    self.check_account_patch(who, &mut patch, "account.custom_fields")
                        .await?;
                    let account = self
                        .rewrite_account(who, id, None, move |current| {
                            patch.apply(current).map_err(|e| e.within("account"))
                        })
                        .await
                        .map_err(|e| e.within("account"))?;
                    return Ok(Asserted::Updated(account));
                }
                candidates => {
                    return Err(Error::Conflict {
                        code: Code::AmbiguousMatch,
                        message: format!(
                            "the match key matches {} accounts: {}",
                            candidates.len(),
                            candidates.join(", ")
                        ),
                        field: Some("match".into()),
                        value: Some(Value::from(candidates.to_vec())),
                        existing_id: None,
                    });
                }
            }
        }
        Err(Error::Conflict {
            code: Code::ConcurrentUpdate,
            message: "the matching account kept changing while it was asserted; retry".into(),
            field: Some("match".into()),
            value: None,
            existing_id: None,
        })
    }

    /// Archives the account: hidden from lists and matching, its domains free for others.
    pub async fn archive_account(
        &self,
        who: &Principal,
        id: &str,
        if_match: Option<i64>,
    ) -> Result<Account> {
        self.set_archived(who, id, true, if_match).await
    }

    /// Restores an archived account; a 409 names the live account that took one of its
    /// domains or external refs meanwhile.
    pub async fn restore_account(
        &self,
        who: &Principal,
        id: &str,
        if_match: Option<i64>,
    ) -> Result<Account> {
        self.set_archived(who, id, false, if_match).await
    }

    async fn set_archived(
        &self,
        who: &Principal,
        id: &str,
        archived: bool,
        if_match: Option<i64>,
    ) -> Result<Account> {
        who.require(Scope::Write)?;
        ids::check(ids::ACCOUNT, "id", id)?;
        let outcome = self
            .store
            .set_archived(&who.workspace_id, id, archived, if_match, &who.user_id)
            .await?;
        settle(outcome, "account", id, if_match)
    }

    /// Merges `secondary` into `primary` (see [`crate::model::merge_into`]) and deletes
    /// `secondary`, in one transaction.
    pub async fn merge_accounts(
        &self,
        who: &Principal,
        primary: &str,
        secondary: &str,
        if_match: Option<i64>,
    ) -> Result<Account> {
        who.require(Scope::Write)?;
        ids::check(ids::ACCOUNT, "id", primary)?;
        ids::check(ids::ACCOUNT, "secondary", secondary)?;
        if primary == secondary {
            return Err(Error::invalid(
                Code::InvalidValue,
                "secondary",
                secondary,
                "an account cannot be merged into itself",
            ));
        }
        let outcome = self
            .store
            .merge_accounts(
                &who.workspace_id,
                primary,
                secondary,
                if_match,
                &who.user_id,
            )
            .await?;
        settle(outcome, "account", primary, if_match)
    }

    pub async fn list_domains(&self, who: &Principal, id: &str) -> Result<Vec<DomainEntry>> {
        Ok(entries(&self.get_account(who, id).await?))
    }

    /// Adds a domain (normalized); `true` when it was added, `false` when the account already
    /// had it. A domain held by another live account is a 409 naming it.
    pub async fn add_domain(
        &self,
        who: &Principal,
        id: &str,
        new: NewDomain,
    ) -> Result<(DomainEntry, bool)> {
        let domain = domain_arg("domain", &new.domain)?;
        let added = Arc::new(AtomicBool::new(false));
        let (wanted, flag) = (domain.clone(), Arc::clone(&added));
        let account = self
            .rewrite_account(who, id, None, move |current| {
                let mut input = AccountInput::from(current);
                flag.store(!input.domains.contains(&wanted), Ordering::Relaxed);
                input.domains.retain(|d| *d != wanted);
                if new.is_primary {
                    input.domains.insert(0, wanted);
                } else {
                    input.domains.push(wanted);
                }
                input.normalize()
            })
            .await?;
        let entry = entry_of(&account, &domain)?;
        Ok((entry, added.load(Ordering::Relaxed)))
    }

    /// Makes a domain the primary one. `is_primary: false` is refused: another domain is made
    /// primary instead, so that exactly one always is.
    pub async fn update_domain(
        &self,
        who: &Principal,
        id: &str,
        raw: &str,
        patch: DomainPatch,
    ) -> Result<DomainEntry> {
        let domain = domain_arg("domain", raw)?;
        if !patch.is_primary {
            return Err(Error::invalid(
                Code::InvalidValue,
                "is_primary",
                false,
                "an account always has one primary domain: make another domain primary instead",
            ));
        }
        let wanted = domain.clone();
        let account = self
            .rewrite_account(who, id, None, move |current| {
                let mut input = AccountInput::from(current);
                if !input.domains.contains(&wanted) {
                    return Err(Error::not_found("domain", wanted));
                }
                input.domains.retain(|d| *d != wanted);
                input.domains.insert(0, wanted);
                input.normalize()
            })
            .await?;
        entry_of(&account, &domain)
    }

    /// Removes a domain; the next one becomes primary when it was.
    pub async fn remove_domain(&self, who: &Principal, id: &str, raw: &str) -> Result<()> {
        let domain = domain_arg("domain", raw)?;
        self.rewrite_account(who, id, None, move |current| {
            let mut input = AccountInput::from(current);
            if !input.domains.contains(&domain) {
                return Err(Error::not_found("domain", domain.as_str()));
            }
            input.domains.retain(|d| *d != domain);
            input.normalize()
        })
        .await?;
        Ok(())
    }
}

fn entry_of(account: &Account, domain: &str) -> Result<DomainEntry> {
    entries(account)
        .into_iter()
        .find(|e| e.domain == domain)
        .ok_or_else(|| Error::internal("a written domain is missing from its account"))
}
