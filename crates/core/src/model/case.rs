//! Cases: minimal support tickets (title, status, account), so that an account's
//! `open_case_count` is a real number.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::account_input::{limits, required_text};
use super::contact::check_account_id;
use super::opportunity::cannot_clear;
use crate::error::Result;
use crate::serde_util::Patch;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    #[default]
    Open,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 2] = [Self::Open, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Case {
    /// `cas_` + a ULID.
    #[schema(example = "cas_01jd5y0v4w8k9m2n3p4q5r6s7t")]
    pub id: String,
    pub workspace_id: String,
    pub title: String,
    pub status: CaseStatus,
    pub account_id: Option<String>,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    pub created_by: Option<String>,
    pub modified_by: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    pub title: String,
    /// open (the default) or closed.
    #[serde(default)]
    pub status: Option<CaseStatus>,
    #[serde(default)]
    pub account_id: Option<String>,
}

/// Merge patch: absent leaves a field alone, `null` clears it (`status: null` is `open`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub title: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<CaseStatus>)]
    pub status: Patch<CaseStatus>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub account_id: Patch<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseData {
    pub title: String,
    pub status: CaseStatus,
    pub account_id: Option<String>,
}

impl CaseInput {
    pub fn normalize(self) -> Result<CaseData> {
        Ok(CaseData {
            title: required_text("title", self.title, limits::SHORT_TEXT)?,
            status: self.status.unwrap_or_default(),
            account_id: check_account_id(self.account_id)?,
        })
    }
}

impl CasePatch {
    pub fn apply(self, current: &Case) -> Result<CaseData> {
        let mut next = CaseInput {
            title: current.title.clone(),
            status: Some(current.status),
            account_id: current.account_id.clone(),
        };
        match self.title {
            Patch::Absent => {}
            Patch::Null => return Err(cannot_clear("title")),
            Patch::Value(title) => next.title = title,
        }
        self.status.apply_to(&mut next.status);
        self.account_id.apply_to(&mut next.account_id);
        next.normalize()
    }
}
