//! Normalizers applied on every write and every match: domains (DESIGN section 3), the domain
//! a website stands for, emails and phone numbers; and the company name a domain suggests.

pub mod company_name;
pub mod domain;
pub mod email;
pub mod phone;
pub mod website;

pub use company_name::name_from_domain;
pub use domain::normalize_domain;
pub use email::normalize_email;
pub use phone::to_e164;
pub use website::{NON_COMPANY_HOSTS, domain_of_website, is_non_company_host};
