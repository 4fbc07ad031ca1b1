//! A company name from a domain, for surfaces that let a client create an account with a
//! website and no name: the registrable label of the domain, capitalized (`acme.com` gives
//! `Acme`, `shop.acme.co.uk` gives `Acme`). The public suffix list is compiled in (the `psl`
//! crate), so no lookup ever leaves the process.

/// The name a normalized domain suggests, or `None` when the domain has no registrable part
/// (it is a public suffix itself, such as `co.uk`).
pub fn name_from_domain(domain: &str) -> Option<String> {
    let registrable = psl::domain(domain.as_bytes())?;
    let whole = registrable.as_bytes();
    let suffix = registrable.suffix().as_bytes();
    // `whole` is `label.suffix`: the label is what comes before the suffix and its dot.
    let label_len = whole.len().checked_sub(suffix.len() + 1)?;
    let label = std::str::from_utf8(whole.get(..label_len)?).ok()?;
    if label.is_empty() {
        return None;
    }
    Some(capitalize(&unicode_label(label)))
}

/// A punycode label (`xn--mnchen-3ya`) in its Unicode form (`münchen`); others as they are.
fn unicode_label(label: &str) -> String {
    if !label.starts_with("xn--") {
        return label.to_string();
    }
    match idna::domain_to_unicode(label) {
        (unicode, Ok(())) => unicode,
        _ => label.to_string(),
    }
}

fn capitalize(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registrable_label_capitalized() {
        for (domain, name) in [
            ("acme.com", "Acme"),
            ("shop.acme.co.uk", "Acme"),
            ("acme.co.uk", "Acme"),
            ("a.b.c.acme.io", "Acme"),
            ("acme-robotics.de", "Acme-robotics"),
            ("acme.github.io", "Acme"),
            ("xn--mnchen-3ya.de", "München"),
            ("3m.com", "3m"),
        ] {
            assert_eq!(name_from_domain(domain).as_deref(), Some(name), "{domain}");
        }
    }

    #[test]
    fn a_public_suffix_has_no_name() {
        for domain in ["co.uk", "com", "github.io", ""] {
            assert_eq!(name_from_domain(domain), None, "{domain}");
        }
    }
}
