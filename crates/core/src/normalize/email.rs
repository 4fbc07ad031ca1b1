//! Email addresses, as users, contacts and custom fields of type `email` carry them.

/// An email trimmed and lowercased, if it has the shape `local@domain.tld`. Deliberately
/// simple: no quoted local parts, no IP literals, which CRM data does not use. Deliverability
/// is not checked.
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "@\"<>()[],;:\\".contains(c);
    let valid = email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.contains(forbidden)
        && !domain.contains(forbidden)
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    valid.then_some(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Jane.Doe@Example.COM ").as_deref(),
            Some("jane.doe@example.com")
        );
        for bad in [
            "",
            "jane",
            "jane@",
            "@x.com",
            "jane@x",
            "a b@x.com",
            "a@x..com",
            "a@@b.com",
            "a@.b.com",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }
}
