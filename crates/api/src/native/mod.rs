//! The native `/v1` surface. Vendor surfaces (Apollo, Truto, REST CRM, v2, DevRev) will be
//! sibling modules of this one, over the same service layer.

pub mod accounts;
