//! Case operations.

use super::{Service, settle};
use crate::auth::{Principal, Scope};
use crate::error::{Error, Result};
use crate::ids;
use crate::model::{Case, CaseInput, CasePatch};
use crate::page::Page;
use crate::related::{StatusListParams, case_statuses, into_page};

impl Service {
    pub async fn create_case(&self, who: &Principal, input: CaseInput) -> Result<Case> {
        who.require(Scope::Write)?;
        let data = input.normalize()?;
        self.store
            .insert_case(&who.workspace_id, &who.user_id, data)
            .await
    }

    pub async fn get_case(&self, who: &Principal, id: &str) -> Result<Case> {
        who.require(Scope::Read)?;
        ids::check(ids::CASE, "id", id)?;
        self.store
            .get_case(&who.workspace_id, id)
            .await?
            .ok_or_else(|| Error::not_found("case", id))
    }

    pub async fn update_case(
        &self,
        who: &Principal,
        id: &str,
        patch: CasePatch,
        if_match: Option<i64>,
    ) -> Result<Case> {
        who.require(Scope::Write)?;
        ids::check(ids::CASE, "id", id)?;
        let outcome = self
            .store
            .modify_case(
                &who.workspace_id,
                id,
                if_match,
                &who.user_id,
                Box::new(move |current| patch.apply(current)),
            )
            .await?;
        settle(outcome, "case", id, if_match)
    }

    pub async fn delete_case(
        &self,
        who: &Principal,
        id: &str,
        if_match: Option<i64>,
    ) -> Result<()> {
        who.require(Scope::Write)?;
        ids::check(ids::CASE, "id", id)?;
        let outcome = self
            .store
            .delete_case(&who.workspace_id, id, if_match)
            .await?;
        settle(outcome, "case", id, if_match)
    }

    pub async fn list_cases(
        &self,
        who: &Principal,
        params: StatusListParams,
    ) -> Result<Page<Case>> {
        who.require(Scope::Read)?;
        let query = params.parse(ids::CASE, &case_statuses())?;
        let rows = self.store.list_cases(&who.workspace_id, &query).await?;
        Ok(into_page(rows, query.limit))
    }
}
