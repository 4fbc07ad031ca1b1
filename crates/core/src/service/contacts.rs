//! Contact operations, and linking contacts to accounts from the account side.

use super::{Service, settle};
use crate::auth::{Principal, Scope};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Contact, ContactInput, ContactPatch};
use crate::page::Page;
use crate::related::{ContactListParams, PageParams, into_page};
use crate::schema::{Mode, SchemaObject};

impl Service {
    pub async fn create_contact(&self, who: &Principal, input: ContactInput) -> Result<Contact> {
        who.require(Scope::Write)?;
        let mut data = input.normalize()?;
        data.custom_fields = self
            .check_custom_fields(
                who,
                SchemaObject::Contacts,
                &data.custom_fields,
                Mode::Create,
                "custom_fields",
            )
            .await?;
        self.store
            .insert_contact(&who.workspace_id, &who.user_id, data)
            .await
    }

    pub async fn get_contact(&self, who: &Principal, id: &str) -> Result<Contact> {
        who.require(Scope::Read)?;
        ids::check(ids::CONTACT, "id", id)?;
        self.store
            .get_contact(&who.workspace_id, id)
            .await?
            .ok_or_else(|| Error::not_found("contact", id))
    }

    pub async fn update_contact(
        &self,
        who: &Principal,
        id: &str,
        mut patch: ContactPatch,
        if_match: Option<i64>,
    ) -> Result<Contact> {
        who.require(Scope::Write)?;
        ids::check(ids::CONTACT, "id", id)?;
        self.check_custom_fields_patch(
            who,
            SchemaObject::Contacts,
            &mut patch.custom_fields,
            "custom_fields",
        )
        .await?;
        let outcome = self
            .store
            .modify_contact(
                &who.workspace_id,
                id,
                if_match,
                &who.user_id,
                Box::new(move |current| patch.apply(current)),
            )
            .await?;
        settle(outcome, "contact", id, if_match)
    }

    pub async fn delete_contact(
        &self,
        who: &Principal,
        id: &str,
        if_match: Option<i64>,
    ) -> Result<()> {
        who.require(Scope::Write)?;
        ids::check(ids::CONTACT, "id", id)?;
        let outcome = self
            .store
            .delete_contact(&who.workspace_id, id, if_match)
            .await?;
        settle(outcome, "contact", id, if_match)
    }

    pub async fn list_contacts(
        &self,
        who: &Principal,
        params: ContactListParams,
    ) -> Result<Page<Contact>> {
        who.require(Scope::Read)?;
        let query = params.parse()?;
        let rows = self.store.list_contacts(&who.workspace_id, &query).await?;
        Ok(into_page(rows, query.limit))
    }

    /// `GET /v1/accounts/{id}/contacts`: 404 for an account the workspace does not have.
    pub async fn list_account_contacts(
        &self,
        who: &Principal,
        account_id: &str,
        params: PageParams,
    ) -> Result<Page<Contact>> {
        who.require(Scope::Read)?;
        ids::check(ids::ACCOUNT, "id", account_id)?;
        let query = params.parse(ids::CONTACT)?;
        let rows = self
            .store
            .list_account_contacts(&who.workspace_id, account_id, &query)
            .await?
            .ok_or_else(|| Error::not_found("account", account_id))?;
        Ok(into_page(rows, query.limit))
    }

    pub async fn link_contact(
        &self,
        who: &Principal,
        account_id: &str,
        contact_id: &str,
    ) -> Result<Contact> {
        who.require(Scope::Write)?;
        ids::check(ids::ACCOUNT, "id", account_id)?;
        ids::check(ids::CONTACT, "contact_id", contact_id)?;
        self.store
            .link_contact(&who.workspace_id, account_id, contact_id, &who.user_id)
            .await
    }

    pub async fn unlink_contact(
        &self,
        who: &Principal,
        account_id: &str,
        contact_id: &str,
    ) -> Result<Contact> {
        who.require(Scope::Write)?;
        ids::check(ids::ACCOUNT, "id", account_id)?;
        ids::check(ids::CONTACT, "contact_id", contact_id)?;
        self.store
            .unlink_contact(&who.workspace_id, account_id, contact_id, &who.user_id)
            .await
    }
}
