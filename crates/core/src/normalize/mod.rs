//! Normalizers applied on every write and every match: domains (DESIGN section 3), emails and
//! phone numbers.

pub mod domain;
pub mod email;
pub mod phone;

pub use domain::normalize_domain;
pub use email::normalize_email;
pub use phone::to_e164;
