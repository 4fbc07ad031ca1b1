//! Phone numbers are stored as the client wrote them and, where they can be parsed, in E.164.

/// The E.164 form of `number`, if it parses. Numbers without a `+` country code are parsed with
/// the given ISO 3166 alpha-2 region hint (the account's address country), else left unparsed.
pub fn to_e164(number: &str, region_hint: Option<&str>) -> Option<String> {
    let region = region_hint.filter(|r| r.len() == 2).and_then(|r| {
        r.to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
            .ok()
    });
    let parsed = phonenumber::parse(region, number).ok()?;
    phonenumber::is_valid(&parsed)
        .then(|| parsed.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_numbers_parse() {
        assert_eq!(
            to_e164("+1 (415) 555-2671", None).as_deref(),
            Some("+14155552671")
        );
        assert_eq!(
            to_e164("+44 20 7946 0958", None).as_deref(),
            Some("+442079460958")
        );
    }

    #[test]
    fn national_numbers_need_a_region() {
        assert_eq!(to_e164("(415) 555-2671", None), None);
        assert_eq!(
            to_e164("(415) 555-2671", Some("us")).as_deref(),
            Some("+14155552671")
        );
        assert_eq!(to_e164("not a number", Some("US")), None);
    }
}
