//! Bulk create. Placeholder.

use super::Service;
use crate::auth::Principal;
use crate::bulk::{BulkRequest, BulkResponse};
use crate::error::{Error, Result};

impl Service {
    /// `POST /v1/accounts/bulk`.
    pub async fn bulk_create(
        &self,
        _who: &Principal,
        _request: BulkRequest,
    ) -> Result<BulkResponse> {
        Err(Error::internal("bulk create is not built yet"))
    }
}
