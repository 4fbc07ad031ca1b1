//! Record ids: a type prefix and a ULID (`acc_01jd5...`). ULIDs are time-ordered, which keeps
//! B-tree inserts at the right edge of the index and makes `created_at` order match id order.

use crate::error::Code;
use crate::error::{Error, Result};

pub const ACCOUNT: &str = "acc";
pub const WORKSPACE: &str = "ws";
pub const USER: &str = "usr";
pub const TOKEN: &str = "tok";
pub const TAG: &str = "tag";
pub const STAGE: &str = "stg";
pub const PHONE: &str = "phn";
pub const ADDRESS: &str = "adr";
// Related records (contacts, opportunities, cases).
pub const CONTACT: &str = "con";
pub const OPPORTUNITY: &str = "opp";
pub const CASE: &str = "cas";

const ULID_LEN: usize = 26;

/// One monotonic generator per process: ids made within the same millisecond still increase,
/// so that id order matches creation order (the tie-break of every `created_at` sort) even
/// when requests are fast enough to share a millisecond.
static GENERATOR: std::sync::LazyLock<std::sync::Mutex<ulid::Generator>> =
    std::sync::LazyLock::new(|| std::sync::Mutex::new(ulid::Generator::new()));

/// A new id with the given type prefix.
pub fn new_id(prefix: &str) -> String {
    let ulid = GENERATOR
        .lock()
        .ok()
        .and_then(|mut g| g.generate().ok())
        // Only a poisoned lock or 2^80 ids in one millisecond get here.
        .unwrap_or_else(|| ulid::Ulid::from_datetime(std::time::SystemTime::now()));
    let ulid = ulid.to_string().to_ascii_lowercase();
    format!("{prefix}_{ulid}")
}

/// Whether `id` has the shape of an id of this type. Ids are checked before any lookup so that
/// a malformed id is a 400 naming it rather than a silent 404.
pub fn is_valid(prefix: &str, id: &str) -> bool {
    let Some(rest) = id.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) else {
        return false;
    };
    rest.len() == ULID_LEN && ulid::Ulid::from_string(rest).is_ok()
}

/// Checks an id taken from a path or a body, naming `field` in the error.
pub fn check(prefix: &str, field: &str, id: &str) -> Result<()> {
    if is_valid(prefix, id) {
        Ok(())
    } else {
        Err(Error::invalid(
            Code::InvalidId,
            field,
            id,
            format!("'{id}' is not a valid {prefix}_ id"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_validate() {
        let id = new_id(ACCOUNT);
        assert!(is_valid(ACCOUNT, &id), "{id}");
        assert!(!is_valid(USER, &id));
        assert!(!is_valid(ACCOUNT, "acc_123"));
        assert!(!is_valid(ACCOUNT, "acc_uuuuuuuuuuuuuuuuuuuuuuuuuu"));
    }

    #[test]
    fn ids_are_time_ordered() {
        let a = new_id(ACCOUNT);
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id(ACCOUNT);
        assert!(a < b);
    }
}
