//! `Idempotency-Key` records: a POST retried with the same key and body gets the first
//! response back instead of writing again.

/// Keys expire this long after the first request.
pub const KEY_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// A claim whose request never recorded a response (the client went away mid-request, or the
/// server stopped) is given up after this long, so that the key can be retried.
pub const ABANDONED_CLAIM_MS: i64 = 5 * 60 * 1000;

/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// Headers worth replaying (`Location`, `ETag`, `Content-Type`), as name/value pairs.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What a key held when a request claimed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key was free: this request runs and then records its response.
    Claimed,
    /// An earlier request with the same fingerprint finished: replay its response.
    Replay(StoredResponse),
    /// The key was used for another request (method, path or body differ).
    Mismatch,
    /// An earlier request with this key is still running.
    InProgress,
}
