//! Opportunities and cases: their [`Kind`]s for the generic statements of [`super::related`].

use orgstore_core::Result;
use orgstore_core::model::{
    Case, CaseData, CaseStatus, Opportunity, OpportunityData, OpportunityStatus,
};

use super::related::Kind;
use super::{Param, Row, decode_error};

pub(crate) struct Opportunities;
pub(crate) struct Cases;

impl Kind for Opportunities {
    type Record = Opportunity;
    type Data = OpportunityData;
    const TABLE: &'static str = "opportunities";
    const PREFIX: &'static str = orgstore_core::ids::OPPORTUNITY;
    const RESOURCE: &'static str = "opportunity";
    const COLUMNS: &'static [&'static str] = &["name", "status", "amount", "account_id"];

    fn params(data: &OpportunityData) -> Result<Vec<Param<'_>>> {
        Ok(vec![
            (&data.name).into(),
            data.status.as_str().into(),
            data.amount.into(),
            data.account_id.as_ref().into(),
        ])
    }

    fn decode<R: Row>(mut r: R) -> Result<Opportunity> {
        let status = r.text(8)?;
        Ok(Opportunity {
            id: r.text(0)?,
            workspace_id: r.text(1)?,
            created_at: r.int(2)?,
            updated_at: r.int(3)?,
            created_by: r.opt_text(4)?,
            modified_by: r.opt_text(5)?,
            version: r.int(6)?,
            name: r.text(7)?,
            status: OpportunityStatus::parse(&status)
                .ok_or_else(|| decode_error("opportunity status", &status))?,
            amount: r.opt_decimal(9)?,
            account_id: r.opt_text(10)?,
        })
    }

    fn account_id(data: &OpportunityData) -> Option<&str> {
        data.account_id.as_deref()
    }

    fn linked_account(record: &Opportunity) -> Option<&str> {
        record.account_id.as_deref()
    }

    fn version(record: &Opportunity) -> i64 {
        record.version
    }
}

impl Kind for Cases {
    type Record = Case;
    type Data = CaseData;
    const TABLE: &'static str = "cases";
    const PREFIX: &'static str = orgstore_core::ids::CASE;
    const RESOURCE: &'static str = "case";
    const COLUMNS: &'static [&'static str] = &["title", "status", "account_id"];

    fn params(data: &CaseData) -> Result<Vec<Param<'_>>> {
        Ok(vec![
            (&data.title).into(),
            data.status.as_str().into(),
            data.account_id.as_ref().into(),
        ])
    }

    fn decode<R: Row>(mut r: R) -> Result<Case> {
        let status = r.text(8)?;
        Ok(Case {
            id: r.text(0)?,
            workspace_id: r.text(1)?,
            created_at: r.int(2)?,
            updated_at: r.int(3)?,
            created_by: r.opt_text(4)?,
            modified_by: r.opt_text(5)?,
            version: r.int(6)?,
            title: r.text(7)?,
            status: CaseStatus::parse(&status)
                .ok_or_else(|| decode_error("case status", &status))?,
            account_id: r.opt_text(9)?,
        })
    }

    fn account_id(data: &CaseData) -> Option<&str> {
        data.account_id.as_deref()
    }

    fn linked_account(record: &Case) -> Option<&str> {
        record.account_id.as_deref()
    }

    fn version(record: &Case) -> i64 {
        record.version
    }
}
