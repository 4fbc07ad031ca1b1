//! The records orgstore keeps: accounts (DESIGN section 2) and the workspace records around them.

pub mod account;
pub mod account_input;
pub mod merge;
pub mod workspace;

pub use account::*;
pub use account_input::*;
pub use merge::merge_into;
pub use workspace::*;

// Users, stages and tags: the directory around accounts.
pub mod directory;
pub use directory::*;
// Related records: contacts, opportunities and cases.
pub mod case;
pub mod contact;
pub mod opportunity;
pub use case::*;
pub use contact::*;
pub use opportunity::*;
