//! Opportunity operations.

use super::{Service, settle};
use crate::auth::{Principal, Scope};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Opportunity, OpportunityInput, OpportunityPatch};
use crate::page::Page;
use crate::related::{StatusListParams, into_page, opportunity_statuses};

impl Service {
    pub async fn create_opportunity(
        &self,
        who: &Principal,
        input: OpportunityInput,
    ) -> Result<Opportunity> {
        who.require(Scope::Write)?;
        let data = input.normalize()?;
        self.store
            .insert_opportunity(&who.workspace_id, &who.user_id, data)
            .await
    }

    pub async fn get_opportunity(&self, who: &Principal, id: &str) -> Result<Opportunity> {
        who.require(Scope::Read)?;
        ids::check(ids::OPPORTUNITY, "id", id)?;
        self.store
            .get_opportunity(&who.workspace_id, id)
            .await?
            .ok_or_else(|| Error::not_found("opportunity", id))
    }

    pub async fn update_opportunity(
        &self,
        who: &Principal,
        id: &str,
        patch: OpportunityPatch,
        if_match: Option<i64>,
    ) -> Result<Opportunity> {
        who.require(Scope::Write)?;
        ids::check(ids::OPPORTUNITY, "id", id)?;
        let outcome = self
            .store
            .modify_opportunity(
                &who.workspace_id,
                id,
                if_match,
                &who.user_id,
                Box::new(move |current| patch.apply(current)),
            )
            .await?;
        settle(outcome, "opportunity", id, if_match)
    }

    pub async fn delete_opportunity(
        &self,
        who: &Principal,
        id: &str,
        if_match: Option<i64>,
    ) -> Result<()> {
        who.require(Scope::Write)?;
        ids::check(ids::OPPORTUNITY, "id", id)?;
        let outcome = self
            .store
            .delete_opportunity(&who.workspace_id, id, if_match)
            .await?;
        settle(outcome, "opportunity", id, if_match)
    }

    pub async fn list_opportunities(
        &self,
        who: &Principal,
        params: StatusListParams,
    ) -> Result<Page<Opportunity>> {
        who.require(Scope::Read)?;
        let query = params.parse(ids::OPPORTUNITY, &opportunity_statuses())?;
        let rows = self
            .store
            .list_opportunities(&who.workspace_id, &query)
            .await?;
        Ok(into_page(rows, query.limit))
    }
}
