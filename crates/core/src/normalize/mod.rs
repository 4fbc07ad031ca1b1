//! Normalizers applied on every write and every match: domains (DESIGN section 3) and phone
//! numbers.

pub mod domain;
pub mod phone;

pub use domain::normalize_domain;
pub use phone::to_e164;
