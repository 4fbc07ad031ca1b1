//! [`RelatedStore`] for PostgreSQL: reads on a pooled connection, writes in one transaction.

use async_trait::async_trait;
use orgstore_core::Result;
use orgstore_core::model::{Case, CaseData, Contact, ContactData, Opportunity, OpportunityData};
use orgstore_core::related::RelatedListQuery;
use orgstore_core::store::{Change, Guarded, RelatedStore};

use super::{PgTx, PostgresStore, db_error};
use crate::sql::contacts::{self, Contacts};
use crate::sql::deals::{Cases, Opportunities};
use crate::sql::related;

#[async_trait]
impl RelatedStore for PostgresStore {
    async fn insert_contact(&self, ws: &str, actor: &str, data: ContactData) -> Result<Contact> {
        in_transaction!(self, |tx| related::insert::<Contacts, _>(
            &mut tx, ws, actor, &data
        ))
    }

    async fn get_contact(&self, ws: &str, id: &str) -> Result<Option<Contact>> {
        on_connection!(self, |tx| related::get::<Contacts, _>(&mut tx, ws, id))
    }

    async fn modify_contact(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<Contact, ContactData>,
    ) -> Result<Guarded<Contact>> {
        in_transaction!(self, |tx| related::modify::<Contacts, _>(
            &mut tx,
            ws,
            id,
            expected_version,
            actor,
            change
        ))
    }

    async fn delete_contact(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>> {
        in_transaction!(self, |tx| related::delete::<Contacts, _>(
            &mut tx,
            ws,
            id,
            expected_version
        ))
    }

    async fn list_contacts(&self, ws: &str, query: &RelatedListQuery) -> Result<Vec<Contact>> {
        on_connection!(self, |tx| related::list::<Contacts, _>(&mut tx, ws, query))
    }

    async fn list_account_contacts(
        &self,
        ws: &str,
        account_id: &str,
        query: &RelatedListQuery,
    ) -> Result<Option<Vec<Contact>>> {
        on_connection!(self, |tx| contacts::list_for_account(
            &mut tx, ws, account_id, query
        ))
    }

    async fn link_contact(
        &self,
        ws: &str,
        account_id: &str,
        contact_id: &str,
        actor: &str,
    ) -> Result<Contact> {
        in_transaction!(self, |tx| contacts::link(
            &mut tx, ws, account_id, contact_id, actor
        ))
    }

    async fn unlink_contact(
        &self,
        ws: &str,
        account_id: &str,
        contact_id: &str,
        actor: &str,
    ) -> Result<Contact> {
        in_transaction!(self, |tx| contacts::unlink(
            &mut tx, ws, account_id, contact_id, actor
        ))
    }

    async fn insert_opportunity(
        &self,
        ws: &str,
        actor: &str,
        data: OpportunityData,
    ) -> Result<Opportunity> {
        in_transaction!(self, |tx| related::insert::<Opportunities, _>(
            &mut tx, ws, actor, &data
        ))
    }

    async fn get_opportunity(&self, ws: &str, id: &str) -> Result<Option<Opportunity>> {
        on_connection!(self, |tx| related::get::<Opportunities, _>(&mut tx, ws, id))
    }

    async fn modify_opportunity(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<Opportunity, OpportunityData>,
    ) -> Result<Guarded<Opportunity>> {
        in_transaction!(self, |tx| related::modify::<Opportunities, _>(
            &mut tx,
            ws,
            id,
            expected_version,
            actor,
            change
        ))
    }

    async fn delete_opportunity(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>> {
        in_transaction!(self, |tx| related::delete::<Opportunities, _>(
            &mut tx,
            ws,
            id,
            expected_version
        ))
    }

    async fn list_opportunities(
        &self,
        ws: &str,
        query: &RelatedListQuery,
    ) -> Result<Vec<Opportunity>> {
        on_connection!(self, |tx| related::list::<Opportunities, _>(
            &mut tx, ws, query
        ))
    }

    async fn insert_case(&self, ws: &str, actor: &str, data: CaseData) -> Result<Case> {
        in_transaction!(self, |tx| related::insert::<Cases, _>(
            &mut tx, ws, actor, &data
        ))
    }

    async fn get_case(&self, ws: &str, id: &str) -> Result<Option<Case>> {
        on_connection!(self, |tx| related::get::<Cases, _>(&mut tx, ws, id))
    }

    async fn modify_case(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
        actor: &str,
        change: Change<Case, CaseData>,
    ) -> Result<Guarded<Case>> {
        in_transaction!(self, |tx| related::modify::<Cases, _>(
            &mut tx,
            ws,
            id,
            expected_version,
            actor,
            change
        ))
    }

    async fn delete_case(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Guarded<()>> {
        in_transaction!(self, |tx| related::delete::<Cases, _>(
            &mut tx,
            ws,
            id,
            expected_version
        ))
    }

    async fn list_cases(&self, ws: &str, query: &RelatedListQuery) -> Result<Vec<Case>> {
        on_connection!(self, |tx| related::list::<Cases, _>(&mut tx, ws, query))
    }
}
