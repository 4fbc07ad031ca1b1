//! Workspaces (tenants), their users, tokens and stages.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Scope;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Workspace {
    pub id: String,
    pub slug: String,
    pub name: String,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub email: Option<String>,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// A token as stored: never the secret, only its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: String,
    pub workspace_id: String,
    pub user_id: String,
    pub scope: Scope,
    pub token_hash: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Stage {
    pub id: String,
    pub key: String,
    pub label: String,
    pub position: i64,
}

/// The stages every new workspace starts with, in order: (key, label).
pub const DEFAULT_STAGES: [(&str, &str); 5] = [
    ("prospect", "Prospect"),
    ("active", "Active"),
    ("customer", "Customer"),
    ("partner", "Partner"),
    ("churned", "Churned"),
];

/// The name of the user each new workspace gets, who owns the tokens made for the workspace
/// until real users are added.
pub const OWNER_USER_NAME: &str = "Workspace owner";

/// The slug of the workspace `orgstore serve` creates on first start.
pub const DEFAULT_WORKSPACE: &str = "default";

/// Slugs are 1 to 63 lowercase letters, digits and '-', starting with a letter or digit.
pub fn check_slug(slug: &str) -> Result<()> {
    let valid = !slug.is_empty()
        && slug.len() <= 63
        && !slug.starts_with('-')
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_value(
            "slug",
            slug,
            format!(
                "'{slug}' is not a valid workspace slug: use 1 to 63 lowercase letters, digits and '-'"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(check_slug("default").is_ok());
        assert!(check_slug("acme-eu-2").is_ok());
        for bad in ["", "Acme", "-x", "a b", "a_b"] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
    }
}
