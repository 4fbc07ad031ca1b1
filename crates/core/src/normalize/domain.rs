//! Domain normalization: `https://www.Acme.COM/about?x=1` and `acme.com` are the same domain.
//!
//! Trim, lowercase, strip scheme, userinfo, port, path, query, a leading `www.` and a trailing
//! dot, and convert to ASCII (IDNA/punycode). Parsing and IDNA are the `url` crate's (WHATWG
//! host parsing); what is left to us is the shape check of the resulting host name.

const MAX_DOMAIN_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// The normalized form of a domain, or a sentence saying why the input is not one.
pub fn normalize_domain(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("a domain must not be empty".into());
    }
    if trimmed.chars().any(char::is_whitespace) {
        return Err("a domain must not contain spaces".into());
    }
    // Any scheme is stripped; the rest is parsed as an http URL so that the host gets the
    // special-scheme treatment (lowercasing, IDNA) whatever scheme the client wrote.
    let rest = match trimmed.find("://") {
        Some(at) => &trimmed[at + 3..],
        None => trimmed.trim_start_matches("//"),
    };
    let url = url::Url::parse(&format!("http://{rest}"))
        .map_err(|e| format!("not a domain or URL ({e})"))?;
    let host = match url.host() {
        Some(url::Host::Domain(host)) => host,
        Some(_) => return Err("an IP address is not a domain".into()),
        None => return Err("no host name found".into()),
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    let host = host.strip_prefix("www.").unwrap_or(host);
    check_host_shape(host)?;
    Ok(host.to_string())
}

fn check_host_shape(host: &str) -> Result<(), String> {
    if host.len() > MAX_DOMAIN_LEN {
        return Err(format!("a domain is at most {MAX_DOMAIN_LEN} characters"));
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err("a domain needs at least two labels, such as example.com".into());
    }
    for label in &labels {
        let valid = !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(format!("'{label}' is not a valid domain label"));
        }
    }
    let tld = labels[labels.len() - 1];
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the last label of a domain cannot be numeric".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_domain_collapse() {
        for input in [
            "acme.com",
            "ACME.COM",
            "  acme.com  ",
            "www.acme.com",
            "https://www.Acme.COM/about?x=1",
            "http://user:pw@acme.com:8080/path#frag",
            "acme.com.",
            "//acme.com",
            "ftp://acme.com",
        ] {
            assert_eq!(
                normalize_domain(input).as_deref(),
                Ok("acme.com"),
                "{input}"
            );
        }
    }

    #[test]
    fn idna_becomes_punycode() {
        assert_eq!(
            normalize_domain("Bücher.example").as_deref(),
            Ok("xn--bcher-kva.example")
        );
        assert_eq!(
            normalize_domain("https://www.MÜNCHEN.de/").as_deref(),
            Ok("xn--mnchen-3ya.de")
        );
    }

    #[test]
    fn subdomains_are_kept() {
        assert_eq!(
            normalize_domain("eu.acme.com").as_deref(),
            Ok("eu.acme.com")
        );
        assert_eq!(
            normalize_domain("www.www.acme.com").as_deref(),
            Ok("www.acme.com")
        );
    }

    #[test]
    fn invalid_domains_are_rejected() {
        for input in [
            "",
            "   ",
            "acme",
            "acme .com",
            "127.0.0.1",
            "http://[::1]/",
            "-acme.com",
            "acme..com",
            "acme_corp.com",
            "http://",
            "acme.123",
        ] {
            assert!(normalize_domain(input).is_err(), "{input:?} should fail");
        }
    }
}
