//! An in-process cache of token hash -> principal, so that a request does not read the token
//! table every time (on SQLite that read was a fifth of a get by id).
//!
//! An entry lives [`TOKEN_TTL`]: that is how long a token revoked by *another* process (a
//! second server, the CLI) keeps working here. A user deleted through this process (which
//! revokes the user's tokens) is dropped with [`TokenCache::forget_user`] at once. Unknown tokens are never cached, so a
//! client guessing tokens cannot fill the cache; it is bounded by [`MAX_ENTRIES`] anyway.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::auth::Principal;

/// The revocation delay across processes.
pub const TOKEN_TTL: Duration = Duration::from_secs(5);

/// Entries kept at most; beyond it the expired ones go, then all of them.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct TokenCache {
    entries: RwLock<HashMap<String, (Principal, Instant)>>,
}

impl TokenCache {
    /// The cached principal of a token hash, unless its entry expired.
    pub fn get(&self, token_hash: &str) -> Option<Principal> {
        let entries = self.entries.read().ok()?;
        let (principal, stored) = entries.get(token_hash)?;
        (stored.elapsed() < TOKEN_TTL).then(|| principal.clone())
    }

    pub fn put(&self, token_hash: &str, principal: &Principal) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, stored)| stored.elapsed() < TOKEN_TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(token_hash.to_string(), (principal.clone(), Instant::now()));
    }

    /// Drops every token of one user (whose tokens were revoked in this process).
    pub fn forget_user(&self, workspace_id: &str, user_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (p, _)| p.workspace_id != workspace_id || p.user_id != user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Scope;

    fn principal() -> Principal {
        Principal {
            workspace_id: "ws".into(),
            user_id: "u".into(),
            token_id: "t".into(),
            scope: Scope::Read,
        }
    }

    #[test]
    fn caches_until_forgotten() {
        let cache = TokenCache::default();
        assert_eq!(cache.get("h"), None);
        cache.put("h", &principal());
        assert_eq!(cache.get("h"), Some(principal()));
        cache.forget_user("ws", "other");
        assert_eq!(cache.get("h"), Some(principal()));
        cache.forget_user("ws", "u");
        assert_eq!(cache.get("h"), None);
    }

    #[test]
    fn stays_bounded() {
        let cache = TokenCache::default();
        for i in 0..MAX_ENTRIES + 5 {
            cache.put(&i.to_string(), &principal());
        }
        let len = cache.entries.read().map(|e| e.len()).unwrap_or(usize::MAX);
        assert!(len <= MAX_ENTRIES, "{len}");
    }
}
