//! Reading accounts a page at a time: the query builder behind `POST /v1/accounts/query`,
//! `GET /v1/accounts` (with or without `q=` search) and every vendor surface's lists.

use super::Service;
use crate::auth::{Principal, Scope};
use crate::error::Result;
use crate::list::{LIST, ListParams};
use crate::model::Account;
use crate::page::Page;
use crate::query::{AccountQuery, AccountQueryBuilder, QueryRequest, Start};
use crate::schema::{ObjectSchema, SchemaObject};

impl Service {
    /// `POST /v1/accounts/query`.
    pub async fn query_accounts(
        &self,
        who: &Principal,
        request: QueryRequest,
    ) -> Result<Page<Account>> {
        self.page_accounts(who, request.into_builder()).await
    }

    /// `GET /v1/accounts`: the list filters, plus a ranked substring search with `q`.
    pub async fn list_accounts(
        &self,
        who: &Principal,
        params: ListParams,
    ) -> Result<Page<Account>> {
        who.require(Scope::Read)?;
        // The search term is the `q` parameter here.
        let named_q = |path: &str| {
            if path == "search" {
                "q".to_string()
            } else {
                path.to_string()
            }
        };
        let builder = params.into_builder(LIST)?;
        self.page_accounts(who, builder)
            .await
            .map_err(|e| e.map_field(named_q))
    }

    /// Checks a query, loading the workspace schema only when it names custom fields.
    pub async fn prepare_account_query(
        &self,
        who: &Principal,
        builder: AccountQueryBuilder,
    ) -> Result<AccountQuery> {
        who.require(Scope::Read)?;
        let schema = if builder.names_custom_fields() {
            self.object_schema(who, SchemaObject::Accounts).await?
        } else {
            ObjectSchema {
                object: SchemaObject::Accounts,
                fields: Vec::new(),
            }
        };
        builder.build(&schema)
    }

    /// One page of the accounts a query selects, with `total` when it asks for it.
    pub async fn page_accounts(
        &self,
        who: &Principal,
        builder: AccountQueryBuilder,
    ) -> Result<Page<Account>> {
        let query = self.prepare_account_query(who, builder).await?;
        self.run_account_query(who, query).await
    }

    /// How many accounts a query selects (its filter, search and archive flag; sort and page
    /// aside), counted by the database in one statement.
    pub async fn count_accounts(
        &self,
        who: &Principal,
        builder: AccountQueryBuilder,
    ) -> Result<u64> {
        let query = self.prepare_account_query(who, builder).await?;
        self.store.count_accounts(&who.workspace_id, &query).await
    }

    /// One page of a prepared query.
    pub async fn run_account_query(
        &self,
        who: &Principal,
        mut query: AccountQuery,
    ) -> Result<Page<Account>> {
        who.require(Scope::Read)?;
        let ws = &who.workspace_id;
        let total = if query.include_total || query.needs_total_to_start() {
            Some(self.store.count_accounts(ws, &query).await?)
        } else {
            None
        };
        if let Some(total) = total {
            query.start_from_end(total);
        }
        let mut page = query.into_page(self.store.query_accounts(ws, &query).await?);
        // The rows before a cursor were removed since it was issued: start over.
        if page.data.is_empty() && query.reads_before_a_row() {
            query.start = Start::First;
            page = query.into_page(self.store.query_accounts(ws, &query).await?);
        }
        page.total = total.filter(|_| query.include_total);
        Ok(page)
    }
}
