//! The store port for the records around accounts: contacts, opportunities and cases.
//!
//! Each may belong to one account of its workspace. A write naming an `account_id` (or a
//! contact's `stage`) that the workspace does not have is a `BadRequest` naming it, checked
//! inside the write's transaction.

use async_trait::async_trait;

use super::Guarded;
use crate::error::Result;
use crate::model::{Case, CaseData, Contact, ContactData, Opportunity, OpportunityData};
use crate::related::RelatedListQuery;

/// Computes a record's next state from its current one, inside the write's transaction.
pub type Change<T, D> = Box<dyn FnOnce(&T) -> Result<D> + Send>;

#[async_trait]
pub trait RelatedStore: Send + Sync {
    async fn insert_contact(&self, ws: &str, actor: &str, data: ContactData) -> Result<Contact>;

    async fn get_contact(&self, ws: &str, id: &str) -> Result<Option<Contact>>;

    /// Read-modify-write under the write lock; with `expected_version`, another version is
    /// `Stale`.
    async fn modify_contact(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<Contact, ContactData>,
    ) -> Result<Guarded<Contact>>;

    async fn delete_contact(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>>;

    /// Up to `query.limit + 1` contacts in id order after `query.after`.
    async fn list_contacts(&self, ws: &str, query: &RelatedListQuery) -> Result<Vec<Contact>>;

    /// The contacts of one account, as [`RelatedStore::list_contacts`]; `None` when the
    /// workspace has no such account.
    async fn list_account_contacts(
        &self,
        ws: &str,
        account_id: &str,
        query: &RelatedListQuery,
    ) -> Result<Option<Vec<Contact>>>;

    /// Links the contact to the account (moving it from any other). A missing account or
    /// contact is `NotFound` naming it.
    async fn link_contact(
        &self,
        ws: &str,
        account_id: &str,
        contact_id: &str,
        actor: &str,
    ) -> Result<Contact>;

    /// Unlinks the contact from the account: `NotFound` unless it is linked to it.
    async fn unlink_contact(
        &self,
        ws: &str,
        account_id: &str,
        contact_id: &str,
        actor: &str,
    ) -> Result<Contact>;

    async fn insert_opportunity(
        &self,
        ws: &str,
        actor: &str,
        data: OpportunityData,
    ) -> Result<Opportunity>;

    async fn get_opportunity(&self, ws: &str, id: &str) -> Result<Option<Opportunity>>;

    async fn modify_opportunity(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<Opportunity, OpportunityData>,
    ) -> Result<Guarded<Opportunity>>;

    async fn delete_opportunity(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>>;

    async fn list_opportunities(
        &self,
        ws: &str,
        query: &RelatedListQuery,
    ) -> Result<Vec<Opportunity>>;

    async fn insert_case(&self, ws: &str, actor: &str, data: CaseData) -> Result<Case>;

    async fn get_case(&self, ws: &str, id: &str) -> Result<Option<Case>>;

    async fn modify_case(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<Case, CaseData>,
    ) -> Result<Guarded<Case>>;

    async fn delete_case(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>>;

    async fn list_cases(&self, ws: &str, query: &RelatedListQuery) -> Result<Vec<Case>>;
}
