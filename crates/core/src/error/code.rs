//! The one table of error codes: every error orgstore answers carries one of these codes, and
//! the code decides the HTTP status. Surfaces render codes in their vendor's words by matching
//! on [`Code`] exhaustively, so that a code added here is a compile error in every surface that
//! has not decided how to say it.
//!
//! Each row is `Variant = ("wire_name", status, "class", "meaning")`. The class is the broader
//! kind the native API shows as `type` (a refined code such as `unknown_filter_field` belongs to
//! the class `unknown_field`); for most codes the class is the code itself.

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = ($name:literal, $status:literal, $class:literal, $meaning:literal), )*) => {
        /// A stable, machine-readable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The HTTP status the code answers with, unless a vendor surface says otherwise.
            pub fn status(self) -> u16 {
                match self { $(Code::$variant => $status,)* }
            }

            /// The broader kind of error (the native API's `type`).
            pub fn class(self) -> &'static str {
                match self { $(Code::$variant => $class,)* }
            }

            /// One line saying what the code means.
            pub fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $meaning,)* }
            }
        }
    };
}

codes! {
    // The body or query string as a whole.
    MalformedJson = ("malformed_json", 400, "malformed_json", "the body is not valid JSON, or is empty"),
    MalformedBody = ("malformed_body", 400, "malformed_body", "the body could not be read"),
    InvalidQuery = ("invalid_query", 400, "invalid_query", "the query string cannot be parsed"),
    UnknownParameter = ("unknown_parameter", 400, "unknown_parameter", "a query parameter the route does not take"),
    UnsupportedParameter = ("unsupported_parameter", 400, "unsupported_parameter", "a parameter the route knows but does not take in this combination"),
    InvalidPath = ("invalid_path", 400, "invalid_path", "a path segment names nothing the route serves"),
    // One field of the input.
    InvalidType = ("invalid_type", 400, "invalid_type", "a value has the wrong JSON type"),
    InvalidValue = ("invalid_value", 400, "invalid_value", "a value is not one the field accepts"),
    MissingField = ("missing_field", 400, "missing_field", "a required field is missing"),
    UnknownField = ("unknown_field", 400, "unknown_field", "a field the object does not have"),
    FieldNotUpdatable = ("field_not_updatable", 400, "field_not_updatable", "a system or computed field, which the server sets, was written"),
    FieldNotCreatable = ("field_not_creatable", 400, "field_not_updatable", "a field that cannot be set when a record is created was written"),
    TooLong = ("too_long", 400, "too_long", "a text is longer than its field allows"),
    TooManyItems = ("too_many_items", 400, "too_many_items", "a list holds more items than allowed"),
    InvalidDomain = ("invalid_domain", 400, "invalid_domain", "a domain cannot be normalized"),
    InvalidEmail = ("invalid_email", 400, "invalid_email", "an email address is not valid"),
    InvalidId = ("invalid_id", 400, "invalid_id", "an id is not of the form its record uses"),
    InvalidCursor = ("invalid_cursor", 400, "invalid_cursor", "a cursor was not issued for this query"),
    InvalidJson = ("invalid_json", 400, "invalid_json", "an imported line is not a JSON object"),
    InvalidCsv = ("invalid_csv", 400, "invalid_csv", "an imported CSV file cannot be read"),
    TargetNotFound = ("target_record_not_found", 400, "invalid_value", "a reference names no record of the workspace"),
    ArtifactAttached = ("artifact_already_attached", 400, "invalid_value", "an artifact is attached to another account"),
    // Filters and sorts of queries.
    UnknownFilterField = ("unknown_filter_field", 400, "unknown_field", "a filter or sort names a field accounts do not have"),
    UnsupportedOperator = ("unsupported_operator", 400, "invalid_value", "a filter operator the field does not take"),
    InvalidFilterValue = ("invalid_filter_value", 400, "invalid_type", "a filter value of the wrong type for its field"),
    UnsortableField = ("unsortable_field", 400, "invalid_value", "a sort names a field that cannot be sorted on"),
    TooManySortKeys = ("too_many_sort_keys", 400, "too_many_items", "a sort has more keys than allowed"),
    // Who is asking.
    Unauthorized = ("unauthorized", 401, "unauthorized", "the token is missing, malformed or unknown"),
    Forbidden = ("forbidden", 403, "forbidden", "the token's scope is too small for the request"),
    // What is asked for.
    NotFound = ("not_found", 404, "not_found", "no such record (or route) in the caller's workspace"),
    UnknownRelationship = ("unknown_relationship", 404, "not_found", "the record has no relationship of that name"),
    MethodNotAllowed = ("method_not_allowed", 405, "method_not_allowed", "the route does not take this method"),
    // Conflicts with what is stored.
    DomainConflict = ("domain_conflict", 409, "domain_conflict", "a domain is held by another live account"),
    ExternalRefConflict = ("external_ref_conflict", 409, "external_ref_conflict", "an external ref is held by another live account"),
    CustomFieldConflict = ("custom_field_conflict", 409, "custom_field_conflict", "a unique custom value is held by another record"),
    AmbiguousMatch = ("ambiguous_match", 409, "ambiguous_match", "a match key matches more than one record"),
    ConcurrentUpdate = ("concurrent_update", 409, "concurrent_update", "the record kept changing while the request ran; retry"),
    ConcurrentConflict = ("concurrent_conflict", 409, "concurrent_conflict", "a concurrent request took a unique value first; retry"),
    ConcurrentWrite = ("concurrent_write", 409, "concurrent_write", "concurrent writers collided on the same keys; retry"),
    IdempotencyKeyReused = ("idempotency_key_reused", 409, "idempotency_key_reused", "an Idempotency-Key was used for another request"),
    IdempotencyKeyInProgress = ("idempotency_key_in_progress", 409, "idempotency_key_in_progress", "the request with this Idempotency-Key is still running"),
    SlugTaken = ("slug_taken", 409, "slug_taken", "a workspace slug is taken"),
    FieldExists = ("field_exists", 409, "field_exists", "a custom field of that api_name exists"),
    EmailTaken = ("email_taken", 409, "email_taken", "a user of the workspace has that email"),
    StageKeyTaken = ("stage_key_taken", 409, "stage_key_taken", "a stage of the workspace has that key"),
    TagNameTaken = ("tag_name_taken", 409, "tag_name_taken", "a tag of the workspace has that name"),
    UserInUse = ("user_in_use", 409, "user_in_use", "the user owns accounts and cannot be deleted"),
    OwnerNotDeletable = ("owner_not_deletable", 409, "owner_not_deletable", "the workspace owner cannot be deleted"),
    StageInUse = ("stage_in_use", 409, "stage_in_use", "records use the stage, which cannot be deleted"),
    // Conditions and limits.
    PreconditionFailed = ("precondition_failed", 412, "precondition_failed", "If-Match names a version that is no longer current"),
    PayloadTooLarge = ("payload_too_large", 413, "payload_too_large", "the body is larger than the route accepts"),
    UnsupportedMediaType = ("unsupported_media_type", 415, "unsupported_media_type", "the body is not JSON"),
    RateLimited = ("rate_limited", 429, "rate_limited", "the token sent more requests than its limit; retry after Retry-After seconds"),
    // Faults.
    InternalError = ("internal_error", 500, "internal_error", "a fault of the server, logged under the reference id"),
    ServiceUnavailable = ("service_unavailable", 503, "service_unavailable", "the database is unreachable; retry shortly"),
}

impl Code {
    /// Looks a code up by its wire name.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_classes_are_codes() {
        let names: HashSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            assert!(
                names.contains(code.class()),
                "{code}: class {} is not a code",
                code.class()
            );
            assert_eq!(Code::parse(code.as_str()), Some(*code));
            assert!((400..600).contains(&code.status()));
        }
    }
}
