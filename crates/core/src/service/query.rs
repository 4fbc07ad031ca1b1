//! The query language and search: both compile to one [`AccountQuery`] that the store runs.

use super::Service;
use crate::auth::{Principal, Scope};
use crate::error::Result;
use crate::list::{ListParams, Page};
use crate::model::Account;
use crate::query::{AccountQuery, QueryRequest};

impl Service {
    /// `POST /v1/accounts/query`.
    pub async fn query_accounts(
        &self,
        who: &Principal,
        request: QueryRequest,
    ) -> Result<Page<Account>> {
        who.require(Scope::Read)?;
        // Custom fields in the filter and sort are typed by the schema, loaded once.
        let schema = self
            .object_schema(who, crate::schema::SchemaObject::Accounts)
            .await?;
        let query = AccountQuery::parse(request, &schema)?;
        self.run_query(who, &query).await
    }

    /// `GET /v1/accounts?q=`: the list filters plus a ranked substring search.
    pub(super) async fn search_accounts(
        &self,
        who: &Principal,
        params: ListParams,
    ) -> Result<Page<Account>> {
        who.require(Scope::Read)?;
        let query = AccountQuery::from_list_params(params)?;
        self.run_query(who, &query).await
    }

    async fn run_query(&self, who: &Principal, query: &AccountQuery) -> Result<Page<Account>> {
        let rows = self.store.query_accounts(&who.workspace_id, query).await?;
        Ok(query.into_page(rows))
    }
}
