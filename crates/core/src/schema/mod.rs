//! The workspace schema (DESIGN section 5): the system fields of each object and the custom
//! fields that admins define, and the one validator that every write of `custom_fields` goes
//! through. Nothing here does I/O: the service loads the definitions (one query) and passes
//! them in, so accounts, contacts and every surface validate the same way.

pub mod account_fields;
pub mod definition;
pub mod system;
pub mod validate;

pub use account_fields::{AccountField, FieldKey, account_field, account_fields};
pub use definition::*;
pub use system::{SystemField, system_fields};
pub use validate::{Mode, Reference, Validated, unique_key, validate_custom_fields};
