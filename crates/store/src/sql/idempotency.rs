//! `Idempotency-Key` records.

use orgstore_core::Result;
use orgstore_core::idempotency::{
    ABANDONED_CLAIM_MS, IdempotencyClaim, KEY_TTL_MS, StoredResponse,
};
use orgstore_core::time::now_ms;

use super::{Row, Tx, decode_error};

/// Claims the key in the caller's transaction. The primary key decides between racing
/// requests: exactly one insert wins.
pub async fn claim<T: Tx>(
    tx: &mut T,
    ws: &str,
    key: &str,
    fingerprint: &str,
) -> Result<IdempotencyClaim> {
    let now = now_ms();
    let expired_before = now - KEY_TTL_MS;
    // Expired keys of every workspace go here, so that the table never outgrows a day of use.
    tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at < $1",
        &[expired_before.into()],
    )
    .await?;
    tx.execute(
        "DELETE FROM idempotency_keys WHERE workspace_id = $1 AND key = $2 \
         AND status IS NULL AND created_at < $3",
        &[ws.into(), key.into(), (now - ABANDONED_CLAIM_MS).into()],
    )
    .await?;
    let inserted = tx
        .execute(
            "INSERT INTO idempotency_keys (workspace_id, key, fingerprint, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, key) DO NOTHING",
            &[ws.into(), key.into(), fingerprint.into(), now.into()],
        )
        .await?;
    if inserted == 1 {
        return Ok(IdempotencyClaim::Claimed);
    }
    let rows = tx
        .query(
            "SELECT fingerprint, status, headers, body FROM idempotency_keys \
             WHERE workspace_id = $1 AND key = $2",
            &[ws.into(), key.into()],
        )
        .await?;
    let Some(mut row) = rows.into_iter().next() else {
        // Released between our insert and this read: the caller may retry.
        return Ok(IdempotencyClaim::InProgress);
    };
    if row.text(0)? != fingerprint {
        return Ok(IdempotencyClaim::Mismatch);
    }
    let Some(status) = row.opt_int(1)? else {
        return Ok(IdempotencyClaim::InProgress);
    };
    let headers = match row.opt_text(2)? {
        Some(text) => serde_json::from_str(&text).map_err(|e| decode_error("headers", e))?,
        None => Vec::new(),
    };
    Ok(IdempotencyClaim::Replay(StoredResponse {
        status: u16::try_from(status).map_err(|e| decode_error("status", e))?,
        headers,
        body: row.opt_text(3)?.unwrap_or_default(),
    }))
}

pub async fn complete<T: Tx>(
    tx: &mut T,
    ws: &str,
    key: &str,
    response: &StoredResponse,
) -> Result<()> {
    let headers =
        serde_json::to_string(&response.headers).map_err(orgstore_core::Error::internal)?;
    tx.execute(
        "UPDATE idempotency_keys SET status = $1, headers = $2, body = $3 \
         WHERE workspace_id = $4 AND key = $5",
        &[
            i64::from(response.status).into(),
            headers.into(),
            response.body.as_str().into(),
            ws.into(),
            key.into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn release<T: Tx>(tx: &mut T, ws: &str, key: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM idempotency_keys WHERE workspace_id = $1 AND key = $2 AND status IS NULL",
        &[ws.into(), key.into()],
    )
    .await?;
    Ok(())
}
