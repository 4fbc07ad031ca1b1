//! What a merge writes: the primary account, with the secondary's values added where the
//! primary has none.

use super::account_input::WebsiteFill;
use super::{Account, AccountInput, AddressInput, PhoneInput, TagInput, WebsiteInput};
use crate::error::Result;
use crate::model::AccountData;

/// The primary after absorbing the secondary: the primary's own values win where both have
/// one; empty scalars and missing custom fields are filled from the secondary; domains,
/// websites, tags, external refs, owners, phone numbers, addresses and artifacts are the union,
/// the primary's first. Websites add no domains here: the merged account holds the domains
/// of both accounts, and no other.
pub fn merge_into(primary: &Account, secondary: &Account) -> Result<AccountData> {
    let mut next = AccountInput::from(primary);
    let from = AccountInput::from(secondary);
    fill(&mut next.description, from.description);
    fill(&mut next.industry, from.industry);
    fill(&mut next.tier, from.tier);
    fill(&mut next.company_size, from.company_size);
    fill(&mut next.number_of_employees, from.number_of_employees);
    fill(&mut next.annual_revenue, from.annual_revenue);
    fill(&mut next.stage, from.stage);
    fill(&mut next.remote_data, from.remote_data);
    union(&mut next.domains, from.domains, |a, b| a == b);
    union(&mut next.websites, from.websites, same_website);
    union(&mut next.owners, from.owners, |a, b| a == b);
    union(&mut next.external_refs, from.external_refs, |a, b| a == b);
    union(&mut next.artifacts, from.artifacts, |a, b| a == b);
    union(&mut next.tags, from.tags, same_tag);
    union(&mut next.phone_numbers, from.phone_numbers, same_phone);
    union(&mut next.addresses, from.addresses, same_address);
    for (key, value) in from.custom_fields {
        next.custom_fields.entry(key).or_insert(value);
    }
    next.normalize_filling(WebsiteFill::Nothing)
}

fn fill<T>(slot: &mut Option<T>, other: Option<T>) {
    if slot.is_none() {
        *slot = other;
    }
}

fn union<T>(into: &mut Vec<T>, other: Vec<T>, same: impl Fn(&T, &T) -> bool) {
    for item in other {
        if !into.iter().any(|held| same(held, &item)) {
            into.push(item);
        }
    }
}

fn same_website(a: &WebsiteInput, b: &WebsiteInput) -> bool {
    let url = |w: &WebsiteInput| match w {
        WebsiteInput::Url(url) => url.clone(),
        WebsiteInput::Full(website) => website.url.clone(),
    };
    url(a) == url(b)
}

fn same_tag(a: &TagInput, b: &TagInput) -> bool {
    match (a, b) {
        (TagInput::ById(a), TagInput::ById(b)) => a.id == b.id,
        _ => false,
    }
}

fn same_phone(a: &PhoneInput, b: &PhoneInput) -> bool {
    match (a, b) {
        (PhoneInput::Full(a), PhoneInput::Full(b)) => a.number == b.number,
        _ => false,
    }
}

/// Addresses are the same place when every part matches; ids differ between accounts.
fn same_address(a: &AddressInput, b: &AddressInput) -> bool {
    a.kind == b.kind
        && a.street_1 == b.street_1
        && a.street_2 == b.street_2
        && a.city == b.city
        && a.state == b.state
        && a.postal_code == b.postal_code
        && a.country == b.country
}
