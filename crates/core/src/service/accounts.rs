//! Account operations.

use super::{Service, settle};
use crate::auth::{Principal, Scope};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Account, AccountData, AccountInput, AccountPatch};

impl Service {
    pub async fn create_account(&self, who: &Principal, input: AccountInput) -> Result<Account> {
        who.require(Scope::Write)?;
        let mut data = input.normalize()?;
        let schema = self
            .object_schema(who, crate::schema::SchemaObject::Accounts)
            .await?;
        self.check_new_account(who, &schema, &mut data, "custom_fields")
            .await?;
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

    /// Applies a merge patch; with `if_match`, only to that version of the account.
    pub async fn update_account(
        &self,
        who: &Principal,
        id: &str,
        patch: AccountPatch,
        if_match: Option<i64>,
    ) -> Result<Account> {
        who.require(Scope::Write)?;
        let mut patch = patch;
        self.check_account_patch(who, &mut patch, "custom_fields")
            .await?;
        self.rewrite_account(who, id, if_match, move |current| patch.apply(current))
            .await
    }

    /// Computes the account's next state from its current one with `next`, inside the write
    /// transaction (the row locked), so that concurrent writers never lose each other's
    /// changes; with `if_match`, only from that version (else a 412). `next` builds the new
    /// state, typically `AccountInput::from(current)` changed and then
    /// [`AccountInput::normalize_over`]`(current)`, or [`AccountPatch::apply`]. Surfaces use
    /// it for writes the native PATCH does not express (adding one tag, one owner).
    pub async fn rewrite_account(
        &self,
        who: &Principal,
        id: &str,
        if_match: Option<i64>,
        next: impl FnOnce(&Account) -> Result<AccountData> + Send + 'static,
    ) -> Result<Account> {
        who.require(Scope::Write)?;
        ids::check(ids::ACCOUNT, "id", id)?;
        let outcome = self
            .store
            .modify_account(
                &who.workspace_id,
                id,
                if_match,
                &who.user_id,
                Box::new(next),
            )
            .await?;
        settle(outcome, "account", id, if_match)
    }

    pub async fn delete_account(
        &self,
        who: &Principal,
        id: &str,
        if_match: Option<i64>,
    ) -> Result<()> {
        who.require(Scope::Write)?;
        ids::check(ids::ACCOUNT, "id", id)?;
        let outcome = self
            .store
            .delete_account(&who.workspace_id, id, if_match)
            .await?;
        settle(outcome, "account", id, if_match)
    }
}
