//! The workspace directory around accounts: users, stages and tags, as clients write them, and
//! their validation. [`User`](super::User) and [`Stage`](super::Stage) are read as they are
//! stored; [`Tag`] is the dictionary entry that account tags point to.

use crate::error::Code;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::normalize::normalize_email;
use crate::serde_util::Patch;

/// Longest user name, stage label and tag name.
pub const NAME_MAX: usize = 255;
/// Longest stage key.
pub const STAGE_KEY_MAX: usize = 64;

/// A tag of the workspace's dictionary. Accounts carry tags by id, each with its own value.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Tag {
    pub id: String,
    pub name: String,
    /// `#rrggbb`, lowercase.
    pub color: Option<String>,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// The body of `POST /v1/users`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    /// Trimmed and lowercased; unique in the workspace. Blank means no email.
    #[serde(default)]
    pub email: Option<String>,
}

/// The body of `PATCH /v1/users/{id}`: absent fields stay, `email: null` clears the email.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub email: Patch<String>,
}

/// A user's writable fields, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFields {
    pub name: String,
    pub email: Option<String>,
}

/// A user change, validated: only the fields given are written. `email: Some(None)` clears
/// the email.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserChange {
    pub name: Option<String>,
    pub email: Option<Option<String>>,
}

/// The body of `POST /v1/stages`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStage {
    /// 1 to 64 lowercase letters, digits, `_` and `-`; what accounts name in `stage`.
    pub key: String,
    pub label: String,
    /// 0-based place in the order; past the end (or absent) puts the stage last. The stages
    /// at and after it move down one.
    #[serde(default)]
    pub position: Option<i64>,
}

/// The body of `PATCH /v1/stages/{id}`. The key is immutable: accounts refer to it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StagePatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub label: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub position: Patch<i64>,
    /// Accepted only so that naming it is `field_not_updatable` rather than `unknown_field`.
    #[serde(default)]
    #[schema(ignore)]
    pub key: Patch<Value>,
}

/// A stage change, validated: the new label and the new position, when given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageChange {
    pub label: Option<String>,
    pub position: Option<i64>,
}

/// The body of `POST /v1/tags`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTag {
    /// 1 to 255 characters; unique in the workspace, ignoring case.
    pub name: String,
    /// `#rrggbb`.
    #[serde(default)]
    pub color: Option<String>,
}

/// The body of `PATCH /v1/tags/{id}`: `color: null` clears the color.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub color: Patch<String>,
}

/// A tag change, validated. `color: Some(None)` clears the color.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagChange {
    pub name: Option<String>,
    pub color: Option<Option<String>>,
}

/// A name, label or other required text: trimmed, 1 to `max` characters.
pub fn required_name(field: &str, value: &str, max: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid_value(
            field,
            value,
            format!("{field} must not be empty"),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(Error::invalid_value(
            field,
            trimmed,
            format!("{field} is at most {max} characters"),
        ));
    }
    Ok(trimmed.to_string())
}

/// A required field sent as `null` in a PATCH.
fn not_clearable(field: &str) -> Error {
    Error::invalid_value(
        field,
        Value::Null,
        format!("{field} is required and cannot be cleared"),
    )
}

/// A user's email, normalized (see [`normalize_email`]); blank is no email.
pub fn normalize_user_email(value: &str) -> Result<Option<String>> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    match normalize_email(value) {
        Some(email) => Ok(Some(email)),
        None => Err(Error::invalid_value(
            "email",
            value,
            format!("'{value}' is not an email address such as ada@example.com"),
        )),
    }
}

impl NewUser {
    pub fn normalize(self) -> Result<UserFields> {
        Ok(UserFields {
            name: required_name("name", &self.name, NAME_MAX)?,
            email: self
                .email
                .as_deref()
                .map(normalize_user_email)
                .transpose()?
                .flatten(),
        })
    }
}

impl UserPatch {
    pub fn normalize(self) -> Result<UserChange> {
        let name = match self.name {
            Patch::Absent => None,
            Patch::Null => return Err(not_clearable("name")),
            Patch::Value(name) => Some(required_name("name", &name, NAME_MAX)?),
        };
        let email = match self.email {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(email) => Some(normalize_user_email(&email)?),
        };
        Ok(UserChange { name, email })
    }
}

/// Stage keys are 1 to 64 of `a-z`, `0-9`, `_` and `-`; uppercase is refused rather than
/// folded, so that the key a client sends is the key accounts carry.
pub fn check_stage_key(key: &str) -> Result<()> {
    let valid = !key.is_empty()
        && key.len() <= STAGE_KEY_MAX
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_value(
            "key",
            key,
            format!(
                "'{key}' is not a valid stage key: use 1 to {STAGE_KEY_MAX} lowercase letters, digits, '_' and '-'"
            ),
        ))
    }
}

fn check_position(position: i64) -> Result<i64> {
    if position < 0 {
        return Err(Error::invalid_value(
            "position",
            position,
            "position is a 0-based place in the stage order and must not be negative",
        ));
    }
    Ok(position)
}

impl NewStage {
    /// The key, label and requested position, validated.
    pub fn normalize(self) -> Result<(String, String, Option<i64>)> {
        check_stage_key(&self.key)?;
        let label = required_name("label", &self.label, NAME_MAX)?;
        let position = self.position.map(check_position).transpose()?;
        Ok((self.key, label, position))
    }
}

impl StagePatch {
    pub fn normalize(self) -> Result<StageChange> {
        let sent_key = match self.key {
            Patch::Absent => None,
            Patch::Null => Some(Value::Null),
            Patch::Value(v) => Some(v),
        };
        if let Some(value) = sent_key {
            return Err(Error::invalid(
                Code::FieldNotUpdatable,
                "key",
                value,
                "a stage's key cannot change: accounts refer to it; create a new stage instead",
            ));
        }
        let label = match self.label {
            Patch::Absent => None,
            Patch::Null => return Err(not_clearable("label")),
            Patch::Value(label) => Some(required_name("label", &label, NAME_MAX)?),
        };
        let position = match self.position {
            Patch::Absent => None,
            Patch::Null => return Err(not_clearable("position")),
            Patch::Value(p) => Some(check_position(p)?),
        };
        Ok(StageChange { label, position })
    }
}

/// `#rrggbb` in either case, stored lowercase.
pub fn normalize_color(value: &str) -> Result<String> {
    let valid = value.len() == 7
        && value.starts_with('#')
        && value[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if valid {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(Error::invalid_value(
            "color",
            value,
            format!("'{value}' is not a color in the form #rrggbb"),
        ))
    }
}

impl NewTag {
    /// The name and color, validated.
    pub fn normalize(self) -> Result<(String, Option<String>)> {
        let name = required_name("name", &self.name, NAME_MAX)?;
        let color = self.color.as_deref().map(normalize_color).transpose()?;
        Ok((name, color))
    }
}

impl TagPatch {
    pub fn normalize(self) -> Result<TagChange> {
        let name = match self.name {
            Patch::Absent => None,
            Patch::Null => return Err(not_clearable("name")),
            Patch::Value(name) => Some(required_name("name", &name, NAME_MAX)?),
        };
        let color = match self.color {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(color) => Some(Some(normalize_color(&color)?)),
        };
        Ok(TagChange { name, color })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            normalize_user_email("  Ada@Example.COM ").ok(),
            Some(Some("ada@example.com".to_string()))
        );
        assert_eq!(normalize_user_email("  ").ok(), Some(None));
        for bad in [
            "ada",
            "ada@",
            "@x.com",
            "a@b",
            "a b@c.com",
            "a@@b.com",
            "a@.b.com",
            "a@b..com",
        ] {
            let err = normalize_user_email(bad).expect_err(bad);
            assert_eq!(err.field(), Some("email"), "{bad}");
        }
    }

    #[test]
    fn stage_keys() {
        for good in ["prospect", "closed_won", "tier-2", "x"] {
            assert!(check_stage_key(good).is_ok(), "{good}");
        }
        for bad in ["", "Won", "a b", "é", &"k".repeat(65)] {
            assert!(check_stage_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn colors() {
        assert_eq!(normalize_color("#A1b2C3").ok().as_deref(), Some("#a1b2c3"));
        for bad in ["", "a1b2c3", "#a1b2c", "#a1b2c3d", "#gggggg", "#ééé"] {
            assert_eq!(
                normalize_color(bad).expect_err(bad).field(),
                Some("color"),
                "{bad}"
            );
        }
    }

    #[test]
    fn stage_key_is_not_updatable() {
        let patch: StagePatch = serde_json::from_str(r#"{"key": "x"}"#).expect("parses");
        let err = patch.normalize().expect_err("key refused");
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("field_not_updatable", Some("key"))
        );
    }
}
