//! The native `/v1` surface. Vendor surfaces (Apollo, Truto, REST CRM, v2, DevRev) will be
//! sibling modules of this one, over the same service layer.

pub mod accounts;
pub mod bulk;
pub mod domains;
pub mod export;
pub mod lifecycle;
pub mod query;
pub mod stages;
pub mod tags;
pub mod users;

// Contacts, opportunities and cases.
pub mod cases;
pub mod contacts;
pub mod opportunities;
// The workspace schema and custom field definitions.
pub mod schema;
