//! Account operations.

use super::Service;
use crate::auth::{Principal, Scope};
use crate::error::{Error, Result};
use crate::ids;
use crate::list::{ListParams, Page, into_page};
use crate::model::{Account, AccountData, AccountInput, AccountPatch};
use crate::store::Guarded;

/// How often an unconditional PATCH re-reads and re-applies when another writer got in between.
const UPDATE_ATTEMPTS: usize = 5;

pub(super) fn stale(current_version: i64, expected: i64) -> Error {
    Error::PreconditionFailed {
        message: format!(
            "the account is at version {current_version}, not {expected}: read it again and retry"
        ),
        current_version,
    }
}

impl Service {
    pub async fn create_account(&self, who: &Principal, input: AccountInput) -> Result<Account> {
        who.require(Scope::Write)?;
        let data = input.normalize()?;
        self.store
            .insert_account(&who.workspace_id, &who.user_id, data)
            .await
    }

    pub async fn get_account(&self, who: &Principal, id: &str) -> Result<Account> {
        who.require(Scope::Read)?;
        ids::check(ids::ACCOUNT, "id", id)?;
        self.store
            .get_account(&who.workspace_id, id)
            .await?
            .ok_or_else(|| Error::not_found("account", id))
    }

    /// Applies a merge patch. With `if_match`, the account must still be at that version;
    /// without it, a concurrent write is absorbed by re-reading and re-applying the patch.
    pub async fn update_account(
        &self,
        who: &Principal,
        id: &str,
        patch: AccountPatch,
        if_match: Option<i64>,
    ) -> Result<Account> {
        self.rewrite_account(who, id, if_match, |current| patch.clone().apply(current))
            .await
    }

    /// Reads the account, computes its next state with `next` and writes it if nobody wrote in
    /// between; otherwise reads again (or answers 412 when the caller named a version).
    pub(super) async fn rewrite_account(
        &self,
        who: &Principal,
        id: &str,
        if_match: Option<i64>,
        mut next: impl FnMut(&Account) -> Result<AccountData>,
    ) -> Result<Account> {
        who.require(Scope::Write)?;
        for _ in 0..UPDATE_ATTEMPTS {
            let current = self.get_account(who, id).await?;
            if let Some(expected) = if_match.filter(|v| *v != current.version) {
                return Err(stale(current.version, expected));
            }
            let data = next(&current)?;
            let outcome = self
                .store
                .update_account(&who.workspace_id, id, current.version, &who.user_id, data)
                .await?;
            match outcome {
                Guarded::Done(account) => return Ok(account),
                Guarded::NotFound => return Err(Error::not_found("account", id)),
                Guarded::Stale { current_version } => {
                    if let Some(expected) = if_match {
                        return Err(stale(current_version, expected));
                    }
                }
            }
        }
        Err(Error::Conflict {
            code: "concurrent_update",
            message: format!("account {id} kept changing while it was updated; retry"),
            field: None,
            value: None,
            existing_id: Some(id.to_string()),
        })
    }

    pub async fn delete_account(
        &self,
        who: &Principal,
        id: &str,
        if_match: Option<i64>,
    ) -> Result<()> {
        who.require(Scope::Write)?;
        ids::check(ids::ACCOUNT, "id", id)?;
        match self
            .store
            .delete_account(&who.workspace_id, id, if_match)
            .await?
        {
            Guarded::Done(()) => Ok(()),
            Guarded::NotFound => Err(Error::not_found("account", id)),
            Guarded::Stale { current_version } => {
                Err(stale(current_version, if_match.unwrap_or_default()))
            }
        }
    }

    pub async fn list_accounts(
        &self,
        who: &Principal,
        params: ListParams,
    ) -> Result<Page<Account>> {
        who.require(Scope::Read)?;
        if params.q.as_deref().is_some_and(|q| !q.trim().is_empty()) {
            return self.search_accounts(who, params).await;
        }
        let query = params.parse()?;
        let rows = self.store.list_accounts(&who.workspace_id, &query).await?;
        Ok(into_page(rows, &query))
    }
}
