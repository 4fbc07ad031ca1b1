//! What clients send to write an account, and its normalized form, [`AccountData`], which is
//! the only thing the store writes. Every surface builds an [`AccountInput`] or an
//! [`AccountPatch`]; normalization and validation happen here, once.

use crate::error::Code;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::account::{Account, AccountTag, Address, AddressType, PhoneNumber, PhoneType, Website};
use crate::error::{Error, Result};
use crate::ids;
use crate::normalize::{domain_of_website, name_from_domain, normalize_domain, to_e164};
use crate::serde_util::{Patch, null_as_default};

/// Limits on what one account may hold. They keep a single request from growing a row without
/// bound; each is named in the error that enforces it.
pub mod limits {
    pub const SHORT_TEXT: usize = 255;
    pub const DESCRIPTION: usize = 65_536;
    pub const URL: usize = 2_048;
    pub const LIST_ITEMS: usize = 100;
    pub const CUSTOM_FIELDS: usize = 200;
    pub const CUSTOM_FIELD_NAME: usize = 64;
    pub const REMOTE_DATA_BYTES: usize = 262_144;
}

/// The body of a create: every writable field of the account model.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Domains or URLs; each is normalized, and the first is the primary domain.
    #[serde(default, deserialize_with = "null_as_default")]
    pub domains: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub websites: Vec<WebsiteInput>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub company_size: Option<String>,
    #[serde(default)]
    pub number_of_employees: Option<i64>,
    #[serde(default, with = "rust_decimal::serde::float_option")]
    #[schema(value_type = Option<f64>)]
    pub annual_revenue: Option<Decimal>,
    #[serde(default)]
    pub stage: Option<String>,
    /// User ids of the workspace; the first is the primary owner.
    #[serde(default, deserialize_with = "null_as_default")]
    pub owners: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub phone_numbers: Vec<PhoneInput>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub addresses: Vec<AddressInput>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<TagInput>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub external_refs: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub artifacts: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub remote_data: Option<Value>,
    /// When the account was created, for surfaces whose clients move records from another
    /// system and keep their history (epoch milliseconds; not in the future). Never read from
    /// native JSON, where `created_at` stays a field the server sets.
    #[serde(skip)]
    pub created_at: Option<i64>,
}

/// The body of a PATCH: absent fields are left alone, `null` clears, a value replaces.
/// `custom_fields` merges key by key (a `null` value removes that key).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub domains: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<WebsiteInput>>)]
    pub websites: Patch<Vec<WebsiteInput>>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub industry: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub tier: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub company_size: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub number_of_employees: Patch<i64>,
    #[serde(default, deserialize_with = "decimal_patch")]
    #[schema(value_type = Option<f64>)]
    pub annual_revenue: Patch<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub stage: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub owners: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<PhoneInput>>)]
    pub phone_numbers: Patch<Vec<PhoneInput>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<AddressInput>>)]
    pub addresses: Patch<Vec<AddressInput>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<TagInput>>)]
    pub tags: Patch<Vec<TagInput>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub external_refs: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Patch<Map<String, Value>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub artifacts: Patch<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub remote_data: Patch<Value>,
}

fn decimal_patch<'de, D: Deserializer<'de>>(d: D) -> Result<Patch<Decimal>, D::Error> {
    Ok(match rust_decimal::serde::float_option::deserialize(d)? {
        Some(v) => Patch::Value(v),
        None => Patch::Null,
    })
}

/// A website as a plain URL string or as `{url, type}`.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum WebsiteInput {
    Url(String),
    Full(Website),
}

/// A phone number as a plain string or as `{id?, number, extension?, type?}`.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PhoneInput {
    Number(String),
    Full(PhoneFields),
}

#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneFields {
    #[serde(default)]
    pub id: Option<String>,
    pub number: String,
    #[serde(default)]
    pub extension: Option<String>,
    /// work (the default), mobile, fax or other.
    #[serde(default, rename = "type")]
    pub kind: Option<PhoneType>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    #[serde(default)]
    pub id: Option<String>,
    /// billing, shipping or other (the default).
    #[serde(default, rename = "type")]
    pub kind: Option<AddressType>,
    #[serde(default)]
    pub street_1: Option<String>,
    #[serde(default)]
    pub street_2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// A tag as a name, `{name, value}` or `{id, value}`. Names are created in the workspace's
/// dictionary on first use.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum TagInput {
    Name(String),
    ByName(TagByName),
    ById(TagById),
}

#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagByName {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagById {
    pub id: String,
    #[serde(default)]
    pub value: Option<String>,
}

/// A tag to attach, as the store resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagKey {
    Name(String),
    Id(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRef {
    pub key: TagKey,
    pub value: Option<String>,
}

/// A normalized, validated account write: what the store persists. Stage, owners and tags are
/// checked against the workspace by the store, inside the write's transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountData {
    pub name: String,
    pub description: Option<String>,
    pub domains: Vec<String>,
    pub websites: Vec<Website>,
    pub industry: Option<String>,
    pub tier: Option<String>,
    pub company_size: Option<String>,
    pub number_of_employees: Option<i64>,
    pub annual_revenue: Option<Decimal>,
    pub stage: Option<String>,
    pub owners: Vec<String>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub addresses: Vec<Address>,
    pub tags: Vec<TagRef>,
    pub external_refs: Vec<String>,
    pub custom_fields: Map<String, Value>,
    pub artifacts: Vec<String>,
    pub remote_data: Option<Value>,
    /// Hosts of the websites that are not among `domains`, in website order: the store adds
    /// each to the account's domains after them when no other live account holds it (see
    /// [`crate::normalize::domain_of_website`]).
    pub website_domains: Vec<String>,
    /// A creation time the client gave (see [`AccountInput::created_at`]); the store uses the
    /// time of the write otherwise. Only inserts read it.
    pub created_at: Option<i64>,
}

/// How far ahead of the server's clock a given creation time may be: a client's clock a few
/// seconds fast is not an error, and the time stored is then the server's.
const CREATED_AT_SKEW_MS: i64 = 60_000;

impl AccountInput {
    /// Validates and normalizes the input of a new account into what the store writes. The
    /// host of every website fills the domains (see [`AccountData::website_domains`]).
    pub fn normalize(self) -> Result<AccountData> {
        self.normalize_filling(WebsiteFill::Every)
    }

    /// Validates and normalizes the next state of `current` (a PATCH, a domain change): only
    /// the websites whose host `current`'s websites do not have fill the domains, so that a
    /// domain the user removed does not come back while its website stays.
    pub fn normalize_over(self, current: &Account) -> Result<AccountData> {
        self.normalize_filling(WebsiteFill::NewSince(current))
    }

    /// If the name is blank, the name the primary domain suggests (the first domain, else the
    /// first website's host): `acme.com` gives `Acme`. For surfaces that create accounts
    /// without a name; the native API requires one. Returns whether a name was set.
    pub fn fill_name_from_domain(&mut self) -> bool {
        if !self.name.trim().is_empty() {
            return false;
        }
        let from_domains = self.domains.iter().find_map(|d| normalize_domain(d).ok());
        let from_websites = || {
            self.websites.iter().find_map(|w| match w {
                WebsiteInput::Url(url) | WebsiteInput::Full(Website { url, .. }) => {
                    domain_of_website(url)
                }
            })
        };
        let suggested = from_domains
            .or_else(from_websites)
            .and_then(|domain| name_from_domain(&domain));
        match suggested {
            Some(name) => {
                self.name = name;
                true
            }
            None => false,
        }
    }

    pub(crate) fn normalize_filling(self, fill: WebsiteFill<'_>) -> Result<AccountData> {
        let name = required_text("name", self.name, limits::SHORT_TEXT)?;
        let addresses = normalize_addresses(self.addresses)?;
        let region = addresses.iter().find_map(|a| a.country.as_deref());
        let phone_numbers = normalize_phones(self.phone_numbers, region)?;
        let number_of_employees = check_employees(self.number_of_employees)?;
        let company_size = match optional_text("company_size", self.company_size, 32)? {
            Some(size) => Some(check_company_size(size)?),
            None => number_of_employees.map(size_bucket),
        };
        let domains = normalize_domains(self.domains)?;
        let websites = normalize_websites(self.websites)?;
        let website_domains = fill.domains(&websites, &domains);
        Ok(AccountData {
            name,
            description: optional_text("description", self.description, limits::DESCRIPTION)?,
            domains,
            websites,
            website_domains,
            created_at: check_created_at(self.created_at)?,
            industry: optional_text("industry", self.industry, limits::SHORT_TEXT)?,
            tier: optional_text("tier", self.tier, limits::SHORT_TEXT)?,
            company_size,
            number_of_employees,
            annual_revenue: check_revenue(self.annual_revenue)?,
            stage: optional_text("stage", self.stage, 64)?,
            owners: normalize_owners(self.owners)?,
            phone_numbers,
            addresses,
            tags: normalize_tags(self.tags)?,
            external_refs: normalize_refs(self.external_refs)?,
            custom_fields: check_custom_fields(self.custom_fields)?,
            artifacts: normalize_artifacts(self.artifacts)?,
            remote_data: check_remote_data(self.remote_data)?,
        })
    }
}

impl From<&Account> for AccountInput {
    /// The input that would write the account as it stands; a PATCH is applied on top of it.
    fn from(a: &Account) -> Self {
        AccountInput {
            name: a.name.clone(),
            description: a.description.clone(),
            domains: a.domains.clone(),
            websites: a.websites.iter().cloned().map(WebsiteInput::Full).collect(),
            industry: a.industry.clone(),
            tier: a.tier.clone(),
            company_size: a.company_size.clone(),
            number_of_employees: a.number_of_employees,
            annual_revenue: a.annual_revenue,
            stage: a.stage.clone(),
            owners: a.owners.clone(),
            phone_numbers: a.phone_numbers.iter().map(PhoneInput::from).collect(),
            addresses: a.addresses.iter().map(AddressInput::from).collect(),
            tags: a.tags.iter().map(TagInput::from).collect(),
            external_refs: a.external_refs.clone(),
            custom_fields: a.custom_fields.clone(),
            artifacts: a.artifacts.clone(),
            remote_data: a.remote_data.clone(),
            created_at: None,
        }
    }
}

/// Which websites' hosts fill the domains of a write.
#[derive(Clone, Copy)]
pub(crate) enum WebsiteFill<'a> {
    /// A new account: every website's.
    Every,
    /// A rewrite of this account: the websites whose host it had no website for.
    NewSince(&'a Account),
    /// None (a merge unites what both accounts hold, and adds nothing).
    Nothing,
}

impl WebsiteFill<'_> {
    /// The website hosts to add, in website order, and no more than the domains list may
    /// hold. A host the account's domains already cover (`acme.com`, or `blog.acme.com` under
    /// `acme.com`) adds nothing.
    fn domains(self, websites: &[Website], domains: &[String]) -> Vec<String> {
        let previous: Vec<String> = match self {
            WebsiteFill::Every => Vec::new(),
            WebsiteFill::NewSince(current) => current
                .websites
                .iter()
                .filter_map(|w| normalize_domain(&w.url).ok())
                .collect(),
            WebsiteFill::Nothing => return Vec::new(),
        };
        let room = limits::LIST_ITEMS.saturating_sub(domains.len());
        let mut out: Vec<String> = Vec::new();
        for website in websites {
            if out.len() == room {
                break;
            }
            let Some(host) = domain_of_website(&website.url) else {
                continue;
            };
            if !covers(domains, &host) && !covers(&out, &host) && !previous.contains(&host) {
                out.push(host);
            }
        }
        out
    }
}

/// Whether `host` is one of `domains` or a subdomain of one.
fn covers(domains: &[String], host: &str) -> bool {
    domains.iter().any(|domain| {
        host == domain
            || host
                .strip_suffix(domain.as_str())
                .is_some_and(|head| head.ends_with('.'))
    })
}

/// A given creation time must not be in the future (beyond a minute of clock skew, which is
/// clamped to now) nor before 1970.
fn check_created_at(created_at: Option<i64>) -> Result<Option<i64>> {
    let Some(at) = created_at else {
        return Ok(None);
    };
    let now = crate::time::now_ms();
    if at > now + CREATED_AT_SKEW_MS {
        return Err(Error::invalid_value(
            "created_at",
            crate::time::format_ms(at),
            "created_at must not be in the future",
        ));
    }
    if at < 0 {
        return Err(Error::invalid_value(
            "created_at",
            at,
            "created_at must not be before 1970-01-01",
        ));
    }
    Ok(Some(at.min(now)))
}

impl From<&PhoneNumber> for PhoneInput {
    fn from(p: &PhoneNumber) -> Self {
        PhoneInput::Full(PhoneFields {
            id: Some(p.id.clone()),
            number: p.number.clone(),
            extension: p.extension.clone(),
            kind: Some(p.kind),
        })
    }
}

impl From<&Address> for AddressInput {
    fn from(a: &Address) -> Self {
        AddressInput {
            id: Some(a.id.clone()),
            kind: Some(a.kind),
            street_1: a.street_1.clone(),
            street_2: a.street_2.clone(),
            city: a.city.clone(),
            state: a.state.clone(),
            postal_code: a.postal_code.clone(),
            country: a.country.clone(),
        }
    }
}

impl From<&AccountTag> for TagInput {
    fn from(t: &AccountTag) -> Self {
        TagInput::ById(TagById {
            id: t.id.clone(),
            value: t.value.clone(),
        })
    }
}

impl AccountPatch {
    /// The account as it will be after this patch, normalized. A patch that derives
    /// `company_size` from a new employee count only does so when the size is not also sent.
    pub fn apply(self, current: &Account) -> Result<AccountData> {
        let mut next = AccountInput::from(current);
        match self.name {
            Patch::Absent => {}
            Patch::Null => {
                return Err(Error::invalid(
                    Code::InvalidValue,
                    "name",
                    Value::Null,
                    "name cannot be cleared",
                ));
            }
            Patch::Value(name) => next.name = name,
        }
        let employees_changed = !self.number_of_employees.is_absent();
        let size_sent = !self.company_size.is_absent();
        self.description.apply_to(&mut next.description);
        self.domains.apply_to_default(&mut next.domains);
        self.websites.apply_to_default(&mut next.websites);
        self.industry.apply_to(&mut next.industry);
        self.tier.apply_to(&mut next.tier);
        self.company_size.apply_to(&mut next.company_size);
        self.number_of_employees
            .apply_to(&mut next.number_of_employees);
        self.annual_revenue.apply_to(&mut next.annual_revenue);
        self.stage.apply_to(&mut next.stage);
        self.owners.apply_to_default(&mut next.owners);
        self.phone_numbers.apply_to_default(&mut next.phone_numbers);
        self.addresses.apply_to_default(&mut next.addresses);
        self.tags.apply_to_default(&mut next.tags);
        self.external_refs.apply_to_default(&mut next.external_refs);
        merge_custom_fields(self.custom_fields, &mut next.custom_fields);
        self.artifacts.apply_to_default(&mut next.artifacts);
        self.remote_data.apply_to(&mut next.remote_data);
        if employees_changed && !size_sent {
            next.company_size = None;
        }
        next.normalize_over(current)
    }
}

/// JSON merge patch (RFC 7396) on the custom fields: keys set to `null` are removed.
pub(crate) fn merge_custom_fields(
    patch: Patch<Map<String, Value>>,
    current: &mut Map<String, Value>,
) {
    match patch {
        Patch::Absent => {}
        Patch::Null => current.clear(),
        Patch::Value(changes) => {
            for (key, value) in changes {
                if value.is_null() {
                    current.remove(&key);
                } else {
                    current.insert(key, value);
                }
            }
        }
    }
}

pub(crate) fn too_long(field: &str, value: &str, max: usize) -> Error {
    Error::invalid(
        Code::TooLong,
        field,
        value,
        format!("{field} is longer than {max} characters"),
    )
}

pub(crate) fn required_text(field: &str, value: String, max: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid_value(
            field,
            value.as_str(),
            format!("{field} must not be empty"),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(too_long(field, trimmed, max));
    }
    Ok(trimmed.to_string())
}

/// Trims; an empty string is the same as no value.
pub(crate) fn optional_text(
    field: &str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > max {
        return Err(too_long(field, trimmed, max));
    }
    Ok(Some(trimmed.to_string()))
}

pub(crate) fn check_count<T>(field: &str, items: &[T], max: usize) -> Result<()> {
    if items.len() > max {
        return Err(Error::invalid(
            Code::TooManyItems,
            field,
            items.len(),
            format!("{field} holds at most {max} items"),
        ));
    }
    Ok(())
}

/// A list of short strings, trimmed, with blanks and repeats dropped.
fn short_list(field: &str, items: Vec<String>, max_len: usize) -> Result<Vec<String>> {
    check_count(field, &items, limits::LIST_ITEMS)?;
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let item = item.trim();
        if item.chars().count() > max_len {
            return Err(too_long(&format!("{field}[{i}]"), item, max_len));
        }
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    Ok(out)
}

fn normalize_domains(domains: Vec<String>) -> Result<Vec<String>> {
    check_count("domains", &domains, limits::LIST_ITEMS)?;
    let mut out: Vec<String> = Vec::with_capacity(domains.len());
    for (i, raw) in domains.iter().enumerate() {
        let domain = normalize_domain(raw).map_err(|why| {
            Error::invalid(
                Code::InvalidDomain,
                format!("domains[{i}]"),
                raw.as_str(),
                format!("'{raw}' is not a valid domain: {why}"),
            )
        })?;
        if !out.contains(&domain) {
            out.push(domain);
        }
    }
    Ok(out)
}

fn normalize_websites(websites: Vec<WebsiteInput>) -> Result<Vec<Website>> {
    check_count("websites", &websites, limits::LIST_ITEMS)?;
    websites
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            let field = format!("websites[{i}]");
            let (url, kind) = match w {
                WebsiteInput::Url(url) => (url, None),
                WebsiteInput::Full(Website { url, kind }) => (url, kind),
            };
            let url = required_text(&format!("{field}.url"), url, limits::URL)?;
            check_url(&format!("{field}.url"), &url)?;
            let kind = optional_text(&format!("{field}.type"), kind, 50)?;
            Ok(Website { url, kind })
        })
        .collect()
}

/// A website must parse as an http(s) URL, with `https://` assumed when no scheme is given.
fn check_url(field: &str, url: &str) -> Result<()> {
    let candidate = if url.contains("://") {
        url.to_string()
    } else {
        format!("https://{url}")
    };
    match url::Url::parse(&candidate) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() => {
            Ok(())
        }
        _ => Err(Error::invalid_value(
            field,
            url,
            format!("'{url}' is not a valid http(s) URL"),
        )),
    }
}

fn check_employees(count: Option<i64>) -> Result<Option<i64>> {
    match count {
        Some(n) if n < 0 => Err(Error::invalid_value(
            "number_of_employees",
            n,
            "number_of_employees must not be negative",
        )),
        other => Ok(other),
    }
}

/// The bucket a head count falls in, used when a client sends a count but no size.
fn size_bucket(employees: i64) -> String {
    const BUCKETS: [(i64, &str); 7] = [
        (10, "1-10"),
        (50, "11-50"),
        (200, "51-200"),
        (500, "201-500"),
        (1_000, "501-1000"),
        (5_000, "1001-5000"),
        (10_000, "5001-10000"),
    ];
    BUCKETS
        .iter()
        .find(|(max, _)| employees <= *max)
        .map_or("10001+", |(_, bucket)| bucket)
        .to_string()
}

/// A size is `<n>-<m>` with n <= m, or `<n>+`.
fn check_company_size(size: String) -> Result<String> {
    let valid = match size.split_once('-') {
        Some((low, high)) => matches!(
            (low.parse::<u64>(), high.parse::<u64>()),
            (Ok(l), Ok(h)) if l <= h
        ),
        None => size
            .strip_suffix('+')
            .is_some_and(|n| n.parse::<u64>().is_ok()),
    };
    if valid {
        Ok(size)
    } else {
        Err(Error::invalid_value(
            "company_size",
            size.as_str(),
            format!("'{size}' is not a size bucket such as '51-200' or '10001+'"),
        ))
    }
}

fn check_revenue(revenue: Option<Decimal>) -> Result<Option<Decimal>> {
    match revenue {
        Some(r) if r.is_sign_negative() => Err(Error::invalid_value(
            "annual_revenue",
            r.to_string(),
            "annual_revenue must not be negative",
        )),
        other => Ok(other.map(|r| r.normalize())),
    }
}

fn normalize_owners(owners: Vec<String>) -> Result<Vec<String>> {
    let owners = short_list("owners", owners, 64)?;
    for (i, owner) in owners.iter().enumerate() {
        ids::check(ids::USER, &format!("owners[{i}]"), owner)?;
    }
    Ok(owners)
}

pub(crate) fn normalize_phones(
    phones: Vec<PhoneInput>,
    region: Option<&str>,
) -> Result<Vec<PhoneNumber>> {
    check_count("phone_numbers", &phones, limits::LIST_ITEMS)?;
    phones
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let field = format!("phone_numbers[{i}]");
            let fields = match p {
                PhoneInput::Number(number) => PhoneFields {
                    id: None,
                    number,
                    extension: None,
                    kind: None,
                },
                PhoneInput::Full(fields) => fields,
            };
            let number = required_text(&format!("{field}.number"), fields.number, 64)?;
            Ok(PhoneNumber {
                id: sub_id(ids::PHONE, &field, fields.id)?,
                e164: to_e164(&number, region),
                number,
                extension: optional_text(&format!("{field}.extension"), fields.extension, 16)?,
                kind: fields.kind.unwrap_or(PhoneType::Work),
            })
        })
        .collect()
}

fn normalize_addresses(addresses: Vec<AddressInput>) -> Result<Vec<Address>> {
    check_count("addresses", &addresses, limits::LIST_ITEMS)?;
    addresses
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let field = format!("addresses[{i}]");
            let text = |name: &str, v: Option<String>| {
                optional_text(&format!("{field}.{name}"), v, limits::SHORT_TEXT)
            };
            Ok(Address {
                id: sub_id(ids::ADDRESS, &field, a.id)?,
                kind: a.kind.unwrap_or(AddressType::Other),
                street_1: text("street_1", a.street_1)?,
                street_2: text("street_2", a.street_2)?,
                city: text("city", a.city)?,
                state: text("state", a.state)?,
                postal_code: text("postal_code", a.postal_code)?,
                country: text("country", a.country)?,
            })
        })
        .collect()
}

/// Phone numbers and addresses keep their id across updates; new ones get a fresh id.
fn sub_id(prefix: &str, field: &str, id: Option<String>) -> Result<String> {
    match id {
        Some(id) => {
            ids::check(prefix, &format!("{field}.id"), &id)?;
            Ok(id)
        }
        None => Ok(ids::new_id(prefix)),
    }
}

fn normalize_tags(tags: Vec<TagInput>) -> Result<Vec<TagRef>> {
    check_count("tags", &tags, limits::LIST_ITEMS)?;
    let mut out: Vec<TagRef> = Vec::with_capacity(tags.len());
    for (i, tag) in tags.into_iter().enumerate() {
        let field = format!("tags[{i}]");
        let (key, value) = match tag {
            TagInput::Name(name) => (TagKey::Name(tag_name(&field, name)?), None),
            TagInput::ByName(TagByName { name, value }) => (
                TagKey::Name(tag_name(&format!("{field}.name"), name)?),
                value,
            ),
            TagInput::ById(TagById { id, value }) => {
                ids::check(ids::TAG, &format!("{field}.id"), &id)?;
                (TagKey::Id(id), value)
            }
        };
        let value = optional_text(&format!("{field}.value"), value, limits::SHORT_TEXT)?;
        // A tag named twice keeps its last value.
        out.retain(|t| t.key != key);
        out.push(TagRef { key, value });
    }
    Ok(out)
}

fn tag_name(field: &str, name: String) -> Result<String> {
    required_text(field, name, 100)
}

fn normalize_refs(refs: Vec<String>) -> Result<Vec<String>> {
    short_list("external_refs", refs, limits::SHORT_TEXT)
}

fn normalize_artifacts(artifacts: Vec<String>) -> Result<Vec<String>> {
    short_list("artifacts", artifacts, limits::SHORT_TEXT)
}

pub(crate) fn check_custom_fields(fields: Map<String, Value>) -> Result<Map<String, Value>> {
    if fields.len() > limits::CUSTOM_FIELDS {
        return Err(Error::invalid(
            Code::TooManyItems,
            "custom_fields",
            fields.len(),
            format!("custom_fields holds at most {} keys", limits::CUSTOM_FIELDS),
        ));
    }
    for key in fields.keys() {
        let valid = !key.is_empty()
            && key.len() <= limits::CUSTOM_FIELD_NAME
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(Error::invalid_value(
                format!("custom_fields.{key}"),
                key.as_str(),
                format!(
                    "custom field names are 1 to {} letters, digits, '_' or '-'",
                    limits::CUSTOM_FIELD_NAME
                ),
            ));
        }
    }
    Ok(fields)
}

fn check_remote_data(data: Option<Value>) -> Result<Option<Value>> {
    let Some(data) = data else { return Ok(None) };
    let size = serde_json::to_vec(&data).map_or(usize::MAX, |v| v.len());
    if size > limits::REMOTE_DATA_BYTES {
        return Err(Error::invalid(
            Code::TooLong,
            "remote_data",
            size,
            format!(
                "remote_data is {size} bytes; the limit is {}",
                limits::REMOTE_DATA_BYTES
            ),
        ));
    }
    Ok(Some(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(body: Value) -> AccountInput {
        serde_json::from_value(body).expect("valid input")
    }

    #[test]
    fn normalizes_every_field() {
        let data = input(json!({
            "name": "  Acme  ",
            "domains": ["https://www.Acme.com/x", "acme.com", "ACME.io"],
            "websites": ["acme.com", {"url": "https://blog.acme.com", "type": "blog"}],
            "number_of_employees": 120,
            "annual_revenue": 1234567.89,
            "phone_numbers": ["+1 415 555 2671", {"number": "020 7946 0958", "type": "fax"}],
            "addresses": [{"type": "billing", "city": "London", "country": "GB"}],
            "tags": ["vip", {"name": "tier", "value": "gold"}, "vip"],
            "external_refs": ["sf-1", " sf-1 "],
            "custom_fields": {"segment": "smb"}
        }))
        .normalize()
        .expect("normalizes");
        assert_eq!(data.name, "Acme");
        assert_eq!(data.domains, vec!["acme.com", "acme.io"]);
        assert_eq!(data.websites[1].kind.as_deref(), Some("blog"));
        assert_eq!(data.company_size.as_deref(), Some("51-200"));
        assert_eq!(
            data.annual_revenue.map(|d| d.to_string()).as_deref(),
            Some("1234567.89")
        );
        assert_eq!(data.phone_numbers[0].e164.as_deref(), Some("+14155552671"));
        assert_eq!(data.phone_numbers[1].e164.as_deref(), Some("+442079460958"));
        assert_eq!(data.phone_numbers[1].kind, PhoneType::Fax);
        assert_eq!(data.tags.len(), 2);
        assert_eq!(data.external_refs, vec!["sf-1"]);
    }

    #[test]
    fn errors_name_the_field_and_value() {
        let err = input(json!({"name": "A", "domains": ["ok.com", "not a domain"]}))
            .normalize()
            .unwrap_err();
        assert_eq!(err.field(), Some("domains[1]"));
        assert_eq!(err.value(), Some(&json!("not a domain")));

        let err = input(json!({"name": "x".repeat(300)}))
            .normalize()
            .unwrap_err();
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("too_long", Some("name"))
        );

        let err = input(json!({"name": "A", "owners": ["bob"]}))
            .normalize()
            .unwrap_err();
        assert_eq!(
            (err.code().as_str(), err.field()),
            ("invalid_id", Some("owners[0]"))
        );

        let err = input(json!({"name": "A", "company_size": "big"}))
            .normalize()
            .unwrap_err();
        assert_eq!(err.field(), Some("company_size"));

        let err = input(json!({"name": "  "})).normalize().unwrap_err();
        assert_eq!(err.field(), Some("name"));
    }

    #[test]
    fn patch_merges() {
        let data =
            input(json!({"name": "A", "industry": "Software", "custom_fields": {"a": 1, "b": 2}}))
                .normalize()
                .expect("normalizes");
        let account = Account {
            id: "acc_x".into(),
            display_id: "ACC-1".into(),
            workspace_id: "ws".into(),
            name: data.name,
            description: None,
            domains: vec!["acme.com".into()],
            websites: vec![],
            industry: data.industry,
            tier: None,
            company_size: None,
            number_of_employees: None,
            annual_revenue: None,
            stage: None,
            owners: vec![],
            phone_numbers: vec![],
            addresses: vec![],
            tags: vec![],
            external_refs: vec![],
            custom_fields: data.custom_fields,
            artifacts: vec![],
            remote_data: None,
            created_at: 0,
            updated_at: 0,
            created_by: None,
            modified_by: None,
            last_activity_at: None,
            archived_at: None,
            version: 1,
            contact_count: 0,
            open_opportunity_count: 0,
            open_case_count: 0,
        };
        let patch: AccountPatch =
            serde_json::from_value(json!({"industry": null, "custom_fields": {"a": null, "c": 3}}))
                .expect("patch parses");
        let next = patch.apply(&account).expect("applies");
        assert_eq!(next.industry, None);
        assert_eq!(next.domains, vec!["acme.com"]);
        assert_eq!(Value::Object(next.custom_fields), json!({"b": 2, "c": 3}));

        let patch: AccountPatch = serde_json::from_value(json!({"name": null})).expect("parses");
        assert_eq!(patch.apply(&account).unwrap_err().field(), Some("name"));
    }
}
