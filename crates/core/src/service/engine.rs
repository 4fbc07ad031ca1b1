//! Archive and restore, merge, and the domains of one account.

use crate::error::Code;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Service;
use super::settle;
use crate::auth::{Principal, Scope};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Account, AccountInput};
use crate::normalize::normalize_domain;

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

pub(super) fn domain_arg(field: &str, raw: &str) -> Result<String> {
    normalize_domain(raw).map_err(|why| {
        Error::invalid(
            Code::InvalidDomain,
            field,
            raw,
            format!("'{raw}' is not a valid domain: {why}"),
        )
    })
}

impl Service {
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
                input.normalize_over(current)
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
                input.normalize_over(current)
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
            input.normalize_over(current)
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
