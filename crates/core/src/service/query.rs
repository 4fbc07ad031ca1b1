//! The query language and search. Placeholder.

use super::Service;
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::list::{ListParams, Page};
use crate::model::Account;

impl Service {
    /// `POST /v1/accounts/query`.
    pub async fn query_accounts(
        &self,
        _who: &Principal,
        _body: serde_json::Value,
    ) -> Result<Page<Account>> {
        Err(Error::internal("the query language is not built yet"))
    }

    /// `GET /v1/accounts?q=`: the list filters plus a ranked substring search.
    pub(super) async fn search_accounts(
        &self,
        _who: &Principal,
        _params: ListParams,
    ) -> Result<Page<Account>> {
        Err(Error::internal("search is not built yet"))
    }
}
