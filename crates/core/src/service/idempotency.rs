//! `Idempotency-Key`: the HTTP layer fingerprints each POST and asks here before running it.

use super::Service;
use crate::auth::Principal;
use crate::error::Code;
use crate::error::{Error, Result};
use crate::idempotency::{IdempotencyClaim, MAX_KEY_LEN, StoredResponse};

/// A key is 1 to 255 visible ASCII characters (a UUID, a ULID, or the client's own scheme).
fn check_key(key: &str) -> Result<()> {
    let visible = key.bytes().all(|b| b.is_ascii_graphic());
    if key.is_empty() || key.len() > MAX_KEY_LEN || !visible {
        return Err(Error::invalid(
            Code::InvalidValue,
            "Idempotency-Key",
            key,
            format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
        ));
    }
    Ok(())
}

impl Service {
    /// Claims `key` for a request with this fingerprint (a hash of its method, path and body).
    pub async fn idempotency_claim(
        &self,
        who: &Principal,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotencyClaim> {
        check_key(key)?;
        self.store
            .idempotency_claim(&who.workspace_id, key, fingerprint)
            .await
    }

    pub async fn idempotency_complete(
        &self,
        who: &Principal,
        key: &str,
        response: &StoredResponse,
    ) -> Result<()> {
        self.store
            .idempotency_complete(&who.workspace_id, key, response)
            .await
    }

    pub async fn idempotency_release(&self, who: &Principal, key: &str) -> Result<()> {
        self.store.idempotency_release(&who.workspace_id, key).await
    }
}
