//! Opportunities: minimal deals (name, status, amount, account), so that an account's
//! `open_opportunity_count` is a real number.

use crate::error::Code;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::account_input::{limits, required_text};
use super::contact::check_account_id;
use crate::error::{Error, Result};
use crate::serde_util::Patch;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OpportunityStatus {
    #[default]
    Open,
    Won,
    Lost,
}

impl OpportunityStatus {
    pub const ALL: [OpportunityStatus; 3] = [Self::Open, Self::Won, Self::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Opportunity {
    /// `opp_` + a ULID.
    #[schema(example = "opp_01jd5y0v4w8k9m2n3p4q5r6s7t")]
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub status: OpportunityStatus,
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub amount: Option<Decimal>,
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
pub struct OpportunityInput {
    pub name: String,
    /// open (the default), won or lost.
    #[serde(default)]
    pub status: Option<OpportunityStatus>,
    /// A decimal, at least 0.
    #[serde(default, with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub amount: Option<Decimal>,
    #[serde(default)]
    pub account_id: Option<String>,
}

/// Merge patch: absent leaves a field alone, `null` clears it (`status: null` is `open`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<OpportunityStatus>)]
    pub status: Patch<OpportunityStatus>,
    #[serde(default, deserialize_with = "decimal_patch")]
    #[schema(value_type = Option<f64>)]
    pub amount: Patch<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub account_id: Patch<String>,
}

pub(crate) fn decimal_patch<'de, D: Deserializer<'de>>(d: D) -> Result<Patch<Decimal>, D::Error> {
    Ok(match rust_decimal::serde::float_option::deserialize(d)? {
        Some(v) => Patch::Value(v),
        None => Patch::Null,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpportunityData {
    pub name: String,
    pub status: OpportunityStatus,
    pub amount: Option<Decimal>,
    pub account_id: Option<String>,
}

impl OpportunityInput {
    pub fn normalize(self) -> Result<OpportunityData> {
        Ok(OpportunityData {
            name: required_text("name", self.name, limits::SHORT_TEXT)?,
            status: self.status.unwrap_or_default(),
            amount: check_amount(self.amount)?,
            account_id: check_account_id(self.account_id)?,
        })
    }
}

impl OpportunityPatch {
    pub fn apply(self, current: &Opportunity) -> Result<OpportunityData> {
        let mut next = OpportunityInput {
            name: current.name.clone(),
            status: Some(current.status),
            amount: current.amount,
            account_id: current.account_id.clone(),
        };
        match self.name {
            Patch::Absent => {}
            Patch::Null => return Err(cannot_clear("name")),
            Patch::Value(name) => next.name = name,
        }
        self.status.apply_to(&mut next.status);
        self.amount.apply_to(&mut next.amount);
        self.account_id.apply_to(&mut next.account_id);
        next.normalize()
    }
}

pub(crate) fn cannot_clear(field: &str) -> Error {
    Error::invalid(
        Code::InvalidValue,
        field,
        serde_json::Value::Null,
        format!("{field} cannot be cleared"),
    )
}

fn check_amount(amount: Option<Decimal>) -> Result<Option<Decimal>> {
    match amount {
        Some(a) if a.is_sign_negative() && !a.is_zero() => Err(Error::invalid_value(
            "amount",
            a.to_string(),
            "amount must not be negative",
        )),
        other => Ok(other.map(|a| a.normalize())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_and_checks() {
        let input: OpportunityInput =
            serde_json::from_value(json!({"name": " Big deal ", "amount": 1200.50})).expect("ok");
        let data = input.normalize().expect("ok");
        assert_eq!(data.status, OpportunityStatus::Open);
        assert_eq!(data.name, "Big deal");
        assert_eq!(
            data.amount.map(|a| a.to_string()).as_deref(),
            Some("1200.5")
        );
        let input: OpportunityInput =
            serde_json::from_value(json!({"name": "x", "amount": -1})).expect("ok");
        assert_eq!(input.normalize().unwrap_err().field(), Some("amount"));
    }
}
