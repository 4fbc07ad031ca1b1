//! [`RelatedStore`] for SQLite: reads on a pooled connection, writes in one transaction.

use async_trait::async_trait;
use orgstore_core::Result;
use orgstore_core::model::{Case, CaseData, Contact, ContactData, Opportunity, OpportunityData};
use orgstore_core::related::RelatedListQuery;
use orgstore_core::store::{Change, Guarded, RelatedStore};

use super::{SqliteStore, run_now};
use crate::sql::contacts::{self, Contacts};
use crate::sql::deals::{Cases, Opportunities};
use crate::sql::related::{self, Kind};

impl SqliteStore {
    async fn insert_record<K>(&self, ws: &str, actor: &str, data: K::Data) -> Result<K::Record>
    where
        K: Kind + 'static,
        K::Record: 'static,
        K::Data: 'static,
    {
        let (ws, actor) = (ws.to_string(), actor.to_string());
        self.write(move |tx| run_now(related::insert::<K, _>(tx, &ws, &actor, &data)))
            .await
    }

    async fn modify_record<K>(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<K::Record, K::Data>,
    ) -> Result<Guarded<K::Record>>
    where
        K: Kind + 'static,
        K::Record: 'static,
        K::Data: 'static,
    {
        let (ws, id, actor) = (ws.to_string(), id.to_string(), actor.to_string());
        self.write(move |tx| {
            run_now(related::modify::<K, _>(
                tx,
                &ws,
                &id,
                expected_version,
                &actor,
                change,
            ))
        })
        .await
    }

    async fn delete_record<K: Kind + 'static>(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>> {
        let (ws, id) = (ws.to_string(), id.to_string());
        self.write(move |tx| run_now(related::delete::<K, _>(tx, &ws, &id, expected_version)))
            .await
    }
}

#[async_trait]
impl RelatedStore for SqliteStore {
    async fn insert_contact(&self, ws: &str, actor: &str, data: ContactData) -> Result<Contact> {
        self.insert_record::<Contacts>(ws, actor, data).await
    }

    async fn get_contact(&self, ws: &str, id: &str) -> Result<Option<Contact>> {
        self.read(|tx| run_now(related::get::<Contacts, _>(tx, ws, id)))
    }

    async fn modify_contact(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<Contact, ContactData>,
    ) -> Result<Guarded<Contact>> {
        self.modify_record::<Contacts>(ws, id, expected_version, actor, change)
            .await
    }

    async fn delete_contact(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>> {
        self.delete_record::<Contacts>(ws, id, expected_version)
            .await
    }

    async fn list_contacts(&self, ws: &str, query: &RelatedListQuery) -> Result<Vec<Contact>> {
        self.read(|tx| run_now(related::list::<Contacts, _>(tx, ws, query)))
    }

    async fn list_account_contacts(
        &self,
        ws: &str,
        account_id: &str,
        query: &RelatedListQuery,
    ) -> Result<Option<Vec<Contact>>> {
        self.read(|tx| run_now(contacts::list_for_account(tx, ws, account_id, query)))
    }

    async fn link_contact(
        &self,
        ws: &str,
        account_id: &str,
        contact_id: &str,
        actor: &str,
    ) -> Result<Contact> {
        let (ws, account_id, contact_id, actor) = (
            ws.to_string(),
            account_id.to_string(),
            contact_id.to_string(),
            actor.to_string(),
        );
        self.write(move |tx| run_now(contacts::link(tx, &ws, &account_id, &contact_id, &actor)))
            .await
    }

    async fn unlink_contact(
        &self,
        ws: &str,
        account_id: &str,
        contact_id: &str,
        actor: &str,
    ) -> Result<Contact> {
        let (ws, account_id, contact_id, actor) = (
            ws.to_string(),
            account_id.to_string(),
            contact_id.to_string(),
            actor.to_string(),
        );
        self.write(move |tx| run_now(contacts::unlink(tx, &ws, &account_id, &contact_id, &actor)))
            .await
    }

    async fn insert_opportunity(
        &self,
        ws: &str,
        actor: &str,
        data: OpportunityData,
    ) -> Result<Opportunity> {
        self.insert_record::<Opportunities>(ws, actor, data).await
    }

    async fn get_opportunity(&self, ws: &str, id: &str) -> Result<Option<Opportunity>> {
        self.read(|tx| run_now(related::get::<Opportunities, _>(tx, ws, id)))
    }

    async fn modify_opportunity(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<Opportunity, OpportunityData>,
    ) -> Result<Guarded<Opportunity>> {
        self.modify_record::<Opportunities>(ws, id, expected_version, actor, change)
            .await
    }

    async fn delete_opportunity(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>> {
        self.delete_record::<Opportunities>(ws, id, expected_version)
            .await
    }

    async fn list_opportunities(
        &self,
        ws: &str,
        query: &RelatedListQuery,
    ) -> Result<Vec<Opportunity>> {
        self.read(|tx| run_now(related::list::<Opportunities, _>(tx, ws, query)))
    }

    async fn insert_case(&self, ws: &str, actor: &str, data: CaseData) -> Result<Case> {
        self.insert_record::<Cases>(ws, actor, data).await
    }

    async fn get_case(&self, ws: &str, id: &str) -> Result<Option<Case>> {
        self.read(|tx| run_now(related::get::<Cases, _>(tx, ws, id)))
    }

    async fn modify_case(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<Case, CaseData>,
    ) -> Result<Guarded<Case>> {
        self.modify_record::<Cases>(ws, id, expected_version, actor, change)
            .await
    }

    async fn delete_case(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>> {
        self.delete_record::<Cases>(ws, id, expected_version).await
    }

    async fn list_cases(&self, ws: &str, query: &RelatedListQuery) -> Result<Vec<Case>> {
        self.read(|tx| run_now(related::list::<Cases, _>(tx, ws, query)))
    }
}
