//! Streaming export: every account matching the list filters, in constant memory.
//!
//! The export walks the list's query in keyset pages of [`EXPORT_PAGE`] rows in `created_at`,
//! `id` order, so that accounts created while it runs land after the cursor and nothing is
//! skipped or repeated. Only one page is held at a time, whatever the size of the workspace.
//!
//! It takes the list filters (`stage`, `industry`, `owner`, `tag`, `domain`, `created_after`,
//! `updated_after`, `include_archived`). `q`, `limit`, `cursor` and `sort` are a 400: an export is
//! every matching account in one stable order, and search results are ranked, not keyset-paged.

use crate::error::Code;
use futures::stream::{self, Stream, StreamExt, TryStreamExt};

use super::Service;
use crate::auth::{Principal, Scope};
use crate::error::{Error, Result};
use crate::list::ListParams;
use crate::model::Account;
use crate::page::MAX_LIMIT;
use crate::query::AccountQuery;
use crate::schema::{ObjectSchema, SchemaObject};

/// Rows fetched per round trip: the largest list page.
pub const EXPORT_PAGE: usize = MAX_LIMIT;

/// Where the walk stands between pages: the query of the next page, `None` after the last.
type Walk = Option<AccountQuery>;

impl Service {
    /// Every account matching `params`, oldest first. The first page is read before this
    /// returns, so that a bad filter or an unreachable database is an ordinary error rather
    /// than a broken stream; later pages are read as the stream is polled.
    pub async fn export_accounts(
        &self,
        who: &Principal,
        params: ListParams,
    ) -> Result<impl Stream<Item = Result<Account>> + Send + 'static> {
        who.require(Scope::Read)?;
        let query = export_query(params)?;
        let (first, next) = self.export_page(&who.workspace_id, query).await?;
        let service = self.clone();
        let workspace_id = who.workspace_id.clone();
        let rest = stream::try_unfold(next, move |walk| {
            let service = service.clone();
            let workspace_id = workspace_id.clone();
            async move {
                match walk {
                    None => Ok(None),
                    Some(query) => service.export_page(&workspace_id, query).await.map(Some),
                }
            }
        });
        let pages = stream::once(async move { Ok(first) }).chain(rest);
        Ok(pages
            .map_ok(|rows| stream::iter(rows.into_iter().map(Ok)))
            .try_flatten())
    }

    /// One page and where the next one starts.
    async fn export_page(
        &self,
        workspace_id: &str,
        mut query: AccountQuery,
    ) -> Result<(Vec<Account>, Walk)> {
        let mut rows = self.store.query_accounts(workspace_id, &query).await?;
        let has_more = rows.len() > query.limit;
        rows.truncate(query.limit);
        let next = match rows.last() {
            Some(last) if has_more => {
                query.continue_after(last, 0);
                Some(query)
            }
            _ => None,
        };
        Ok((rows, next))
    }
}

/// The list the export's queries belong to (it issues no cursors).
const EXPORT_LIST: &str = "accounts.export";

/// The query of an export: the client's filters, oldest first, the largest page.
fn export_query(params: ListParams) -> Result<AccountQuery> {
    let unsupported = [
        ("q", &params.q),
        ("limit", &params.limit),
        ("cursor", &params.cursor),
        ("sort", &params.sort),
        ("include_total", &params.include_total),
    ];
    for (field, value) in unsupported {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            return Err(Error::invalid(
                Code::UnsupportedParameter,
                field,
                value,
                format!(
                    "export does not take '{field}': it returns every account matching the \
                     filters, oldest first"
                ),
            ));
        }
    }
    // The list filters name no custom fields.
    let schema = ObjectSchema {
        object: SchemaObject::Accounts,
        fields: Vec::new(),
    };
    params
        .into_builder(EXPORT_LIST)?
        .limit(EXPORT_PAGE as i64)
        .build(&schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_query_keeps_filters_and_rejects_paging() {
        let params = ListParams {
            industry: Some("Software".into()),
            ..ListParams::default()
        };
        let query = export_query(params).expect("valid");
        assert!(query.filter.is_some());
        assert_eq!(query.limit, EXPORT_PAGE);
        assert_eq!(
            query.order,
            crate::query::Order::Keys(vec![crate::query::SortKey {
                field: crate::query::Field::System(crate::schema::FieldKey::CreatedAt),
                descending: false
            }])
        );
        for field in ["q", "limit", "cursor", "sort", "include_total"] {
            let mut params = ListParams::default();
            let value = Some("x".to_string());
            match field {
                "q" => params.q = value,
                "limit" => params.limit = value,
                "cursor" => params.cursor = value,
                "sort" => params.sort = value,
                _ => params.include_total = value,
            }
            let err = export_query(params).expect_err(field);
            assert_eq!(err.field(), Some(field));
        }
    }
}
