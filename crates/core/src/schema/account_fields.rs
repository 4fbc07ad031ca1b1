//! The one registry of the account's system fields: name, type, whether a create or an update
//! may write it, whether it is required, nullable or computed, how a query filters it (and so
//! which operators it takes), whether it sorts, and which CSV columns an export gives it.
//!
//! Everything that used to keep its own list reads this table: decoding (the server-owned
//! names, [`SERVER_OWNED`]), query validation ([`crate::query::Field`]), the schema listing
//! (`GET /v1/schema/accounts`) and the export's CSV columns ([`CSV_COLUMNS`]). Vendor surfaces
//! read it for their field maps through [`account_fields`] and [`account_field`].
//!
//! The table's order is the order of the export's CSV columns, and those are only ever
//! appended: add new fields at the end (a test holds the columns to what they were).

use crate::query::{FilterOp, Kind};

/// Every system field of an account; the discriminant is the field's row in [`ACCOUNT_FIELDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKey {
    Id,
    DisplayId,
    WorkspaceId,
    Name,
    Domains,
    Websites,
    Industry,
    Tier,
    CompanySize,
    NumberOfEmployees,
    AnnualRevenue,
    Stage,
    Owners,
    Tags,
    ExternalRefs,
    PhoneNumbers,
    Addresses,
    Description,
    CustomFields,
    Artifacts,
    RemoteData,
    CreatedAt,
    UpdatedAt,
    CreatedBy,
    ModifiedBy,
    LastActivityAt,
    ArchivedAt,
    Version,
    ContactCount,
    OpenOpportunityCount,
    OpenCaseCount,
}

impl FieldKey {
    /// The field's row of the registry.
    pub const fn field(self) -> &'static AccountField {
        &ACCOUNT_FIELDS[self as usize]
    }
}

/// One system field of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountField {
    pub key: FieldKey,
    pub name: &'static str,
    /// The value's type: text, long_text, integer, number, timestamp, id, reference:<object>,
    /// object, json or list:<item type>.
    pub field_type: &'static str,
    /// A create may set it.
    pub creatable: bool,
    /// An update may change it.
    pub updatable: bool,
    /// A create must carry it.
    pub required: bool,
    /// An account may lack a value (an empty list counts as none).
    pub nullable: bool,
    /// Computed from other records on every read: never stored, never written.
    pub computed: bool,
    /// How a query compares it; `None` when it cannot be filtered on.
    pub filter: Option<Kind>,
    pub sortable: bool,
    /// The export's CSV columns for it, in order; none when it is not exported.
    pub csv_columns: &'static [&'static str],
}

impl AccountField {
    /// Whether a client may write it at all.
    pub const fn writable(&self) -> bool {
        self.creatable || self.updatable
    }

    pub const fn filterable(&self) -> bool {
        self.filter.is_some()
    }

    /// The operators its conditions take; none when it cannot be filtered on.
    pub const fn operators(&self) -> &'static [FilterOp] {
        match self.filter {
            Some(kind) => kind.operators(),
            None => &[],
        }
    }
}

/// The row of a field every write may set and that has no particular rule.
const fn writable(key: FieldKey, name: &'static str, field_type: &'static str) -> AccountField {
    AccountField {
        key,
        name,
        field_type,
        creatable: true,
        updatable: true,
        required: false,
        nullable: true,
        computed: false,
        filter: None,
        sortable: false,
        csv_columns: &[],
    }
}

/// The row of a field only the server sets.
const fn server(key: FieldKey, name: &'static str, field_type: &'static str) -> AccountField {
    AccountField {
        creatable: false,
        updatable: false,
        ..writable(key, name, field_type)
    }
}

/// A per-account count of related records, computed on every read.
const fn count(key: FieldKey, name: &'static str) -> AccountField {
    AccountField {
        nullable: false,
        computed: true,
        ..server(key, name, "integer")
    }
}

const fn filtered(field: AccountField, kind: Kind) -> AccountField {
    AccountField {
        filter: Some(kind),
        ..field
    }
}

const fn sorted(field: AccountField, kind: Kind) -> AccountField {
    AccountField {
        sortable: true,
        ..filtered(field, kind)
    }
}

const fn exported(field: AccountField, csv_columns: &'static [&'static str]) -> AccountField {
    AccountField {
        csv_columns,
        ..field
    }
}

const fn always_set(field: AccountField) -> AccountField {
    AccountField {
        nullable: false,
        ..field
    }
}

use FieldKey as K;
const TEXT: Kind = Kind::Text;
const TIMESTAMP: Kind = Kind::Timestamp;
const KEYWORD: Kind = Kind::Keyword;

/// The account's system fields, in the order of the export's CSV columns.
pub const ACCOUNT_FIELDS: &[AccountField] = &[
    exported(
        always_set(sorted(server(K::Id, "id", "id"), KEYWORD)),
        &["id"],
    ),
    exported(
        always_set(sorted(
            server(K::DisplayId, "display_id", "text"),
            Kind::Integer,
        )),
        &["display_id"],
    ),
    always_set(server(K::WorkspaceId, "workspace_id", "id")),
    exported(
        AccountField {
            required: true,
            nullable: false,
            ..sorted(writable(K::Name, "name", "text"), TEXT)
        },
        &["name"],
    ),
    exported(
        filtered(
            writable(K::Domains, "domains", "list:domain"),
            Kind::List { patterns: true },
        ),
        &["domains"],
    ),
    exported(
        filtered(
            writable(K::Websites, "websites", "list:website"),
            Kind::List { patterns: true },
        ),
        &["websites"],
    ),
    exported(
        sorted(writable(K::Industry, "industry", "text"), TEXT),
        &["industry"],
    ),
    exported(sorted(writable(K::Tier, "tier", "text"), TEXT), &["tier"]),
    exported(
        sorted(writable(K::CompanySize, "company_size", "text"), TEXT),
        &["company_size"],
    ),
    exported(
        sorted(
            writable(K::NumberOfEmployees, "number_of_employees", "integer"),
            Kind::Integer,
        ),
        &["number_of_employees"],
    ),
    exported(
        sorted(
            writable(K::AnnualRevenue, "annual_revenue", "number"),
            Kind::Decimal,
        ),
        &["annual_revenue"],
    ),
    exported(
        sorted(writable(K::Stage, "stage", "reference:stage"), KEYWORD),
        &["stage"],
    ),
    exported(
        filtered(
            writable(K::Owners, "owners", "list:reference:user"),
            Kind::List { patterns: false },
        ),
        &["owners"],
    ),
    exported(
        filtered(
            writable(K::Tags, "tags", "list:tag"),
            Kind::List { patterns: true },
        ),
        &["tags"],
    ),
    exported(
        filtered(
            writable(K::ExternalRefs, "external_refs", "list:text"),
            Kind::List { patterns: true },
        ),
        &["external_refs"],
    ),
    // The first phone number and the first address.
    exported(
        writable(K::PhoneNumbers, "phone_numbers", "list:phone_number"),
        &["phone"],
    ),
    exported(
        writable(K::Addresses, "addresses", "list:address"),
        &["street_1", "city", "state", "postal_code", "country"],
    ),
    exported(
        filtered(writable(K::Description, "description", "long_text"), TEXT),
        &["description"],
    ),
    // Filtered and sorted key by key, as `custom_fields.<key>`.
    exported(
        always_set(writable(K::CustomFields, "custom_fields", "object")),
        &["custom_fields"],
    ),
    writable(K::Artifacts, "artifacts", "list:text"),
    writable(K::RemoteData, "remote_data", "json"),
    exported(
        always_set(sorted(
            server(K::CreatedAt, "created_at", "timestamp"),
            TIMESTAMP,
        )),
        &["created_at"],
    ),
    exported(
        always_set(sorted(
            server(K::UpdatedAt, "updated_at", "timestamp"),
            TIMESTAMP,
        )),
        &["updated_at"],
    ),
    filtered(
        server(K::CreatedBy, "created_by", "reference:user"),
        KEYWORD,
    ),
    filtered(
        server(K::ModifiedBy, "modified_by", "reference:user"),
        KEYWORD,
    ),
    sorted(
        server(K::LastActivityAt, "last_activity_at", "timestamp"),
        TIMESTAMP,
    ),
    exported(
        filtered(server(K::ArchivedAt, "archived_at", "timestamp"), TIMESTAMP),
        &["archived_at"],
    ),
    always_set(server(K::Version, "version", "integer")),
    count(K::ContactCount, "contact_count"),
    count(K::OpenOpportunityCount, "open_opportunity_count"),
    count(K::OpenCaseCount, "open_case_count"),
];

// Each key's discriminant is its row, so that `FieldKey::field` is an index.
const _: () = {
    let mut i = 0;
    while i < ACCOUNT_FIELDS.len() {
        assert!(
            ACCOUNT_FIELDS[i].key as usize == i,
            "FieldKey out of registry order"
        );
        i += 1;
    }
};

/// Every system field of an account, in registry order.
pub fn account_fields() -> impl Iterator<Item = &'static AccountField> {
    ACCOUNT_FIELDS.iter()
}

/// The system field of this name.
pub fn account_field(name: &str) -> Option<&'static AccountField> {
    ACCOUNT_FIELDS.iter().find(|f| f.name == name)
}

const fn server_owned_count() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < ACCOUNT_FIELDS.len() {
        if !ACCOUNT_FIELDS[i].writable() {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The fields no client may write (ids, timestamps, version, computed counts): naming one in
/// a write body is `field_not_updatable`.
pub const SERVER_OWNED: [&str; server_owned_count()] = {
    let mut out = [""; server_owned_count()];
    let (mut i, mut n) = (0, 0);
    while i < ACCOUNT_FIELDS.len() {
        if !ACCOUNT_FIELDS[i].writable() {
            out[n] = ACCOUNT_FIELDS[i].name;
            n += 1;
        }
        i += 1;
    }
    out
};

const fn csv_column_count() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < ACCOUNT_FIELDS.len() {
        n += ACCOUNT_FIELDS[i].csv_columns.len();
        i += 1;
    }
    n
}

/// The export's CSV columns, in order: each exported field's columns, in registry order.
pub const CSV_COLUMNS: [&str; csv_column_count()] = {
    let mut out = [""; csv_column_count()];
    let (mut i, mut n) = (0, 0);
    while i < ACCOUNT_FIELDS.len() {
        let columns = ACCOUNT_FIELDS[i].csv_columns;
        let mut c = 0;
        while c < columns.len() {
            out[n] = columns[c];
            n += 1;
            c += 1;
        }
        i += 1;
    }
    out
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_by_name_and_key_agree() {
        for field in account_fields() {
            assert_eq!(account_field(field.name), Some(field));
            assert_eq!(field.key.field(), field);
            assert!(!field.computed || !field.writable(), "{}", field.name);
            assert!(!field.sortable || field.filterable(), "{}", field.name);
        }
        assert_eq!(account_field("colour"), None);
        assert_eq!(ACCOUNT_FIELDS.len(), FieldKey::OpenCaseCount as usize + 1);
    }

    #[test]
    fn server_owned_fields_are_the_unwritable_ones() {
        let mut owned = SERVER_OWNED.to_vec();
        owned.sort_unstable();
        let mut expected = vec![
            "id",
            "display_id",
            "workspace_id",
            "created_at",
            "updated_at",
            "created_by",
            "modified_by",
            "last_activity_at",
            "archived_at",
            "version",
            "contact_count",
            "open_opportunity_count",
            "open_case_count",
        ];
        expected.sort_unstable();
        assert_eq!(owned, expected);
    }

    /// Exports are read by spreadsheets and scripts: columns are only ever appended.
    #[test]
    fn csv_columns_keep_their_order() {
        let frozen = [
            "id",
            "display_id",
            "name",
            "domains",
            "websites",
            "industry",
            "tier",
            "company_size",
            "number_of_employees",
            "annual_revenue",
            "stage",
            "owners",
            "tags",
            "external_refs",
            "phone",
            "street_1",
            "city",
            "state",
            "postal_code",
            "country",
            "description",
            "custom_fields",
            "created_at",
            "updated_at",
            "archived_at",
        ];
        assert_eq!(CSV_COLUMNS[..frozen.len()], frozen);
    }

    #[test]
    fn operators_follow_the_kind() {
        let ops = |name: &str| account_field(name).map(AccountField::operators);
        assert!(ops("industry").is_some_and(|o| o.contains(&FilterOp::EndsWith)));
        assert!(ops("websites").is_some_and(|o| o.contains(&FilterOp::Contains)));
        assert!(ops("stage").is_some_and(|o| !o.contains(&FilterOp::Gt)));
        assert!(ops("created_at").is_some_and(|o| o.contains(&FilterOp::Between)));
        assert_eq!(ops("phone_numbers"), Some(&[][..]));
    }
}
