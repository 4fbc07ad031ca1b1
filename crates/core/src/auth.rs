//! Bearer tokens and scopes. A token is 32 random bytes shown once as `osk_<base64url>`; only
//! its SHA-256 is stored, so a leaked database does not leak usable tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub const TOKEN_PREFIX: &str = "osk_";

/// What a token may do; each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        match text {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is calling: resolved from the bearer token on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub workspace_id: String,
    pub user_id: String,
    pub token_id: String,
    pub scope: Scope,
}

impl Principal {
    /// A 403 unless the token's scope covers `needed`.
    pub fn require(&self, needed: Scope) -> Result<()> {
        if self.scope >= needed {
            Ok(())
        } else {
            Err(Error::Forbidden {
                message: format!(
                    "this operation needs a token with '{needed}' scope; this token has '{}'",
                    self.scope
                ),
            })
        }
    }
}

/// A fresh secret token, as shown to its owner.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token: hex SHA-256 of the whole secret.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_ordered() {
        assert!(Scope::Admin > Scope::Write && Scope::Write > Scope::Read);
        let p = Principal {
            workspace_id: "ws".into(),
            user_id: "u".into(),
            token_id: "t".into(),
            scope: Scope::Write,
        };
        assert!(p.require(Scope::Read).is_ok());
        assert_eq!(p.require(Scope::Admin).unwrap_err().status(), 403);
    }

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let a = generate_token();
        let b = generate_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_eq!(hash_token(&a).len(), 64);
    }
}
