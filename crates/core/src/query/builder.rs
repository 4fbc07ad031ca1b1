//! The query builder every surface reads accounts through, and the validated query it builds:
//! which rows (filter, search, archived), in which order, and which page of them.
//!
//! A page carries `next_cursor` and `prev_cursor`; each names a position (the sort values and
//! id of a row, or its index in orders that page by offset) and a direction, and is bound to
//! the list that issued it and to the query's filter, search and sort.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::ast::{Field, Filter, Order, Position, Scalar, Scan, SortKey, Start};
use super::check::{FilterChecker, parse_search, sort_keys};
use super::input::{Direction, FilterTree, PageStart};
use super::{CUSTOM_PREFIX, wire};
use crate::error::{Error, Result};
use crate::list::name_sort_key;
use crate::model::Account;
use crate::page::cursor::{self, Cursor, PageDirection};
use crate::page::{DEFAULT_LIMIT, Page, check_limit};
use crate::schema::ObjectSchema;
use crate::schema::account_fields::FieldKey;

/// A filter as the caller gave it: typed, or the native JSON body (walked in [`wire`]).
#[derive(Debug, Clone)]
enum FilterSource {
    Tree(FilterTree),
    Json(Value),
}

/// What a caller asks of the accounts, before validation: see [`AccountQueryBuilder::build`].
#[derive(Debug, Clone)]
pub struct AccountQueryBuilder {
    list: String,
    filter: Option<FilterSource>,
    search: Option<String>,
    sort: Vec<(String, Direction)>,
    limit: Option<i64>,
    include_archived: bool,
    include_total: bool,
    start: PageStart,
}

impl AccountQueryBuilder {
    /// A query of every live account, oldest first, a page of [`DEFAULT_LIMIT`]. `list` names
    /// the list whose cursors it issues and accepts (`accounts.query`, a vendor's own), so that
    /// one list refuses another's cursors.
    pub fn new(list: impl Into<String>) -> Self {
        AccountQueryBuilder {
            list: list.into(),
            filter: None,
            search: None,
            sort: Vec::new(),
            limit: None,
            include_archived: false,
            include_total: false,
            start: PageStart::First,
        }
    }

    /// Only the accounts matching `tree`; errors name paths relative to its root (`and[1].field`)
    /// or a predicate's label.
    pub fn filter(mut self, tree: FilterTree) -> Self {
        self.filter = Some(FilterSource::Tree(tree));
        self
    }

    /// The native body's `filter`, read by hand so that every error names its path in it.
    pub(crate) fn filter_json(mut self, value: Value) -> Self {
        self.filter = Some(FilterSource::Json(value));
        self
    }

    /// Case-insensitive substring search over name, domains and websites, ranked unless a sort
    /// is given; a blank term is no search. Errors name `search`.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// One more sort key (at most [`super::MAX_SORT_KEYS`]); `id` always breaks ties. Errors
    /// name `sort[i].field`.
    pub fn sort_by(mut self, field: impl Into<String>, direction: Direction) -> Self {
        self.sort.push((field.into(), direction));
        self
    }

    /// Rows per page, 1 to [`crate::page::MAX_LIMIT`]. Errors name `limit`.
    pub fn limit(mut self, n: i64) -> Self {
        self.limit = Some(n);
        self
    }

    pub fn include_archived(mut self, yes: bool) -> Self {
        self.include_archived = yes;
        self
    }

    /// Counts every matching account into the page's `total` (one more statement).
    pub fn include_total(mut self, yes: bool) -> Self {
        self.include_total = yes;
        self
    }

    pub fn start(mut self, start: PageStart) -> Self {
        self.start = start;
        self
    }

    /// Continues from a cursor a page gave, in the direction it names (`next_cursor` forward,
    /// `prev_cursor` backward). An empty cursor is the first page. Errors name `cursor`.
    pub fn cursor(self, cursor: impl Into<String>) -> Self {
        self.start(PageStart::Cursor {
            cursor: cursor.into(),
            direction: None,
        })
    }

    /// The rows after the cursor's position, whichever direction it names.
    pub fn after_cursor(self, cursor: impl Into<String>) -> Self {
        self.start(PageStart::Cursor {
            cursor: cursor.into(),
            direction: Some(PageDirection::After),
        })
    }

    /// The rows before the cursor's position, whichever direction it names.
    pub fn before_cursor(self, cursor: impl Into<String>) -> Self {
        self.start(PageStart::Cursor {
            cursor: cursor.into(),
            direction: Some(PageDirection::Before),
        })
    }

    /// After skipping `n` rows (page/per_page interfaces). Errors name `offset`.
    pub fn offset(self, n: u64) -> Self {
        self.start(PageStart::Offset(n))
    }

    /// The last page: the last rows, in the query's order.
    pub fn last_page(self) -> Self {
        self.start(PageStart::Last)
    }

    /// Whether the filter or the sort names a custom field, so that validating needs the
    /// workspace schema.
    pub fn names_custom_fields(&self) -> bool {
        let custom = |name: &str| name.starts_with(CUSTOM_PREFIX);
        self.sort.iter().any(|(name, _)| custom(name))
            || match &self.filter {
                None => false,
                Some(FilterSource::Tree(tree)) => tree_names_custom(tree),
                Some(FilterSource::Json(value)) => wire::json_names_custom(value),
            }
    }

    /// Validates everything against the account's fields (custom fields against `schema`) and
    /// reads the cursor.
    pub fn build(self, schema: &ObjectSchema) -> Result<AccountQuery> {
        let mut checker = FilterChecker::new(schema);
        let filter = match &self.filter {
            None => None,
            Some(FilterSource::Tree(tree)) => Some(checker.tree(tree, "", 1)?),
            Some(FilterSource::Json(value)) => {
                Some(wire::filter(&mut checker, value, "filter", 1)?)
            }
        };
        let search = parse_search("search", self.search.as_deref())?;
        let keys = sort_keys(&self.sort, schema)?;
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(n) => check_limit(n)?,
        };
        let order = match (keys.is_empty(), search.is_some()) {
            (true, true) => Order::Rank,
            (true, false) => Order::Keys(vec![SortKey {
                field: Field::System(FieldKey::CreatedAt),
                descending: false,
            }]),
            (false, _) => Order::Keys(keys),
        };
        let fingerprint = fingerprint(&filter, &search, self.include_archived);
        let mut query = AccountQuery {
            filter,
            search,
            include_archived: self.include_archived,
            include_total: self.include_total,
            order,
            limit,
            start: Start::First,
            list: self.list,
            fingerprint,
        };
        query.start = query.read_start(self.start)?;
        Ok(query)
    }
}

fn tree_names_custom(tree: &FilterTree) -> bool {
    match tree {
        FilterTree::And(items) | FilterTree::Or(items) => items.iter().any(tree_names_custom),
        FilterTree::Not(inner) => tree_names_custom(inner),
        FilterTree::Predicate(p) => p.field.starts_with(CUSTOM_PREFIX),
    }
}

/// A validated query, ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountQuery {
    pub filter: Option<Filter>,
    /// Trimmed and lowercased; never empty.
    pub search: Option<String>,
    pub include_archived: bool,
    /// Whether the page carries the count of every matching account.
    pub include_total: bool,
    pub order: Order,
    pub limit: usize,
    pub start: Start,
    /// The list whose cursors this query issues and accepts.
    list: String,
    /// Identifies filter, search and archive flag, so that a cursor cannot cross queries.
    fingerprint: String,
}

impl AccountQuery {
    /// Whether pages continue by offset (ranked search, custom-field sorts) or by keyset.
    pub fn uses_offset(&self) -> bool {
        match &self.order {
            Order::Rank => true,
            Order::Keys(keys) => keys.iter().any(|k| matches!(k.field, Field::Custom(..))),
        }
    }

    /// How the store reads this page.
    pub fn scan(&self) -> Scan<'_> {
        let fetch = self.limit + 1;
        let forward = |offset| Scan {
            reversed: false,
            after: None,
            offset,
            fetch,
        };
        match &self.start {
            Start::First => forward(0),
            Start::Offset(n) => forward(*n),
            Start::After(Position::Index(k)) => forward(k.saturating_add(1)),
            Start::After(Position::Row { values, id }) => Scan {
                after: Some((values.as_slice(), id.as_str())),
                ..forward(0)
            },
            Start::Before(Position::Row { values, id }) => Scan {
                reversed: true,
                after: Some((values.as_slice(), id.as_str())),
                ..forward(0)
            },
            Start::Last => Scan {
                reversed: true,
                ..forward(0)
            },
            // The rows just before index k, and one more to tell whether k still exists.
            Start::Before(Position::Index(k)) => {
                let from = self.window_start(*k);
                Scan {
                    fetch: (k - from) as usize + 1,
                    ..forward(from)
                }
            }
        }
    }

    fn window_start(&self, k: u64) -> u64 {
        k.saturating_sub(self.limit as u64)
    }

    /// Whether the start needs the number of matching rows first: the last page of an order
    /// that pages by offset starts at `total - limit`.
    pub fn needs_total_to_start(&self) -> bool {
        self.start == Start::Last && self.uses_offset()
    }

    /// Starts the last page of an offset-paged order, knowing how many rows match.
    pub fn start_from_end(&mut self, total: u64) {
        if self.needs_total_to_start() {
            self.start = Start::Before(Position::Index(total));
        }
    }

    /// Whether the page is read backward from a position, so that an empty answer means the
    /// rows before it are gone.
    pub fn reads_before_a_row(&self) -> bool {
        matches!(self.start, Start::Before(_))
    }

    /// Turns the rows the store read for [`AccountQuery::scan`] into a page with its cursors.
    pub fn into_page(&self, mut rows: Vec<Account>) -> Page<Account> {
        let limit = self.limit;
        let (has_more, first_index, prev) = match &self.start {
            Start::Before(Position::Index(k)) => {
                let from = self.window_start(*k);
                let wanted = (k - from) as usize;
                let has_more = rows.len() > wanted;
                rows.truncate(wanted);
                let prev = (from > 0).then_some(Position::Index(from));
                (has_more, from, prev)
            }
            start @ (Start::Before(_) | Start::Last) => {
                let more_before = rows.len() > limit;
                rows.truncate(limit);
                rows.reverse();
                // Offset-paged orders start their last page by index instead (see
                // `start_from_end`), so only keyset positions are known here.
                let prev = rows
                    .first()
                    .filter(|_| more_before && !self.uses_offset())
                    .map(|first| self.position(first, 0));
                // A position only exists once the rows after it were read once.
                let has_more = matches!(start, Start::Before(_)) && !rows.is_empty();
                (has_more, 0, prev)
            }
            start => {
                let has_more = rows.len() > limit;
                rows.truncate(limit);
                let first_index = match start {
                    Start::Offset(n) => *n,
                    Start::After(Position::Index(k)) => k.saturating_add(1),
                    _ => 0,
                };
                let prev = match start {
                    Start::First => None,
                    _ if self.uses_offset() => {
                        (first_index > 0).then_some(Position::Index(first_index))
                    }
                    Start::Offset(0) => None,
                    _ => rows.first().map(|first| self.position(first, first_index)),
                };
                (has_more, first_index, prev)
            }
        };
        let next_cursor = match rows.last() {
            Some(last) if has_more => {
                let index = first_index + rows.len() as u64 - 1;
                Some(self.cursor(self.position(last, index), PageDirection::After))
            }
            _ => None,
        };
        Page {
            prev_cursor: prev.map(|p| self.cursor(p, PageDirection::Before)),
            next_cursor,
            has_more,
            data: rows,
            total: None,
        }
    }

    /// Makes the query continue after `row`, the last row of the page just read (exports
    /// walk every page this way).
    pub fn continue_after(&mut self, row: &Account, index: u64) {
        self.start = Start::After(self.position(row, index));
    }

    /// Where `row` sits: its sort values and id, or `index` in offset-paged orders.
    fn position(&self, row: &Account, index: u64) -> Position {
        match &self.order {
            Order::Keys(keys) if !self.uses_offset() => Position::Row {
                values: keys.iter().map(|k| sort_value(&k.field, row)).collect(),
                id: row.id.clone(),
            },
            _ => Position::Index(index),
        }
    }

    fn cursor(&self, position: Position, direction: PageDirection) -> String {
        let mut cursor = Cursor {
            list: self.list.clone(),
            query: self.fingerprint.clone(),
            sort: sort_signature(&self.order),
            values: Vec::new(),
            key: None,
            index: None,
            direction,
        };
        match position {
            Position::Row { values, id } => {
                cursor.values = values.iter().map(scalar_json).collect();
                cursor.key = Some(id);
            }
            Position::Index(i) => cursor.index = Some(i),
        }
        cursor.encode()
    }

    fn read_start(&self, start: PageStart) -> Result<Start> {
        match start {
            PageStart::First => Ok(Start::First),
            PageStart::Last => Ok(Start::Last),
            PageStart::Offset(0) => Ok(Start::First),
            PageStart::Offset(n) if i64::try_from(n).is_ok() => Ok(Start::Offset(n)),
            PageStart::Offset(n) => {
                Err(Error::invalid_value("offset", n, "offset is out of range"))
            }
            PageStart::Cursor { cursor, .. } if cursor.is_empty() => Ok(Start::First),
            PageStart::Cursor { cursor, direction } => self.decode_cursor(&cursor, direction),
        }
    }

    fn decode_cursor(&self, text: &str, direction: Option<PageDirection>) -> Result<Start> {
        let decoded = Cursor::decode(text)?;
        decoded.check(
            text,
            &self.list,
            &self.fingerprint,
            &sort_signature(&self.order),
        )?;
        let foreign = || cursor::invalid(text, "cursor is not one this server issued");
        let position = match (&self.order, self.uses_offset()) {
            (Order::Keys(keys), false) => {
                let (Some(id), None) = (decoded.key, decoded.index) else {
                    return Err(foreign());
                };
                if decoded.values.len() != keys.len() {
                    return Err(foreign());
                }
                let values = keys
                    .iter()
                    .zip(&decoded.values)
                    .map(|(key, value)| cursor_scalar(&key.field, value))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(foreign)?;
                Position::Row { values, id }
            }
            // The row after an index must still be an offset the databases take.
            _ => match (decoded.index, decoded.key) {
                (Some(i), None) if i < i64::MAX as u64 => Position::Index(i),
                _ => return Err(foreign()),
            },
        };
        Ok(match direction.unwrap_or(decoded.direction) {
            PageDirection::After => Start::After(position),
            PageDirection::Before => Start::Before(position),
        })
    }
}

/// A short stable digest of what a query selects (not how it is sorted or paged).
fn fingerprint(filter: &Option<Filter>, search: &Option<String>, archived: bool) -> String {
    let text = format!("{filter:?}|{search:?}|{archived}");
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// `name:asc,created_at:desc`, or `rank`.
fn sort_signature(order: &Order) -> String {
    match order {
        Order::Rank => "rank".to_string(),
        Order::Keys(keys) => keys
            .iter()
            .map(|k| {
                let dir = if k.descending { "desc" } else { "asc" };
                format!("{}:{dir}", k.field.name())
            })
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// The value of a sort key at `account`, as the store compares it (names by their key).
fn sort_value(field: &Field, account: &Account) -> Option<Scalar> {
    let text = |v: &Option<String>| v.clone().map(Scalar::Text);
    let Field::System(key) = field else {
        return None;
    };
    match key {
        FieldKey::Id => Some(Scalar::Text(account.id.clone())),
        FieldKey::DisplayId => account
            .display_id
            .get(4..)
            .and_then(|n| n.parse::<i64>().ok())
            .map(Scalar::Int),
        FieldKey::Name => Some(Scalar::Text(name_sort_key(&account.name))),
        FieldKey::CreatedAt => Some(Scalar::Int(account.created_at)),
        FieldKey::UpdatedAt => Some(Scalar::Int(account.updated_at)),
        FieldKey::LastActivityAt => account.last_activity_at.map(Scalar::Int),
        FieldKey::ArchivedAt => account.archived_at.map(Scalar::Int),
        FieldKey::NumberOfEmployees => account.number_of_employees.map(Scalar::Int),
        FieldKey::AnnualRevenue => account.annual_revenue.map(Scalar::Decimal),
        FieldKey::Industry => text(&account.industry),
        FieldKey::Stage => text(&account.stage),
        FieldKey::Tier => text(&account.tier),
        FieldKey::CompanySize => text(&account.company_size),
        FieldKey::Description => text(&account.description),
        FieldKey::CreatedBy => text(&account.created_by),
        FieldKey::ModifiedBy => text(&account.modified_by),
        FieldKey::Version => Some(Scalar::Int(account.version)),
        // Not sortable: lists, objects and computed counts.
        FieldKey::WorkspaceId
        | FieldKey::Domains
        | FieldKey::Websites
        | FieldKey::Owners
        | FieldKey::Tags
        | FieldKey::ExternalRefs
        | FieldKey::PhoneNumbers
        | FieldKey::Addresses
        | FieldKey::CustomFields
        | FieldKey::Artifacts
        | FieldKey::RemoteData
        | FieldKey::ContactCount
        | FieldKey::OpenOpportunityCount
        | FieldKey::OpenCaseCount => None,
    }
}

/// A sort value as a cursor holds it: decimals as exact text.
fn scalar_json(value: &Option<Scalar>) -> Value {
    match value {
        None => Value::Null,
        Some(Scalar::Text(s)) => Value::from(s.as_str()),
        Some(Scalar::Int(n)) => Value::from(*n),
        Some(Scalar::Decimal(d)) => Value::from(d.to_string()),
        Some(Scalar::Bool(b)) => Value::from(*b),
    }
}

/// A sort value read back from a cursor: `Some(None)` is a missing value, `None` a value
/// that does not fit the field.
fn cursor_scalar(field: &Field, value: &Value) -> Option<Option<Scalar>> {
    use super::ast::Kind;
    if value.is_null() {
        return field.nullable().then_some(None);
    }
    let scalar = match field.kind() {
        Kind::Integer | Kind::Timestamp => Scalar::Int(value.as_i64()?),
        Kind::Decimal => Scalar::Decimal(value.as_str()?.parse().ok()?),
        Kind::Text | Kind::Keyword => Scalar::Text(value.as_str()?.to_string()),
        Kind::List { .. } | Kind::Bool | Kind::Chrono { .. } => return None,
    };
    Some(Some(scalar))
}
