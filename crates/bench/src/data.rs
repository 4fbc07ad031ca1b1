//! Deterministic account rows. Row `i` is a pure function of `i`, so a million rows never sit
//! in memory and a duplicate can spell its original's domain without remembering it.

use serde_json::{Value, json};

/// Share of rows that duplicate an earlier row in another spelling of its domain (1 in 10).
pub const DUPLICATE_EVERY: u64 = 10;

pub const STAGES: [&str; 5] = ["prospect", "active", "customer", "partner", "churned"];
pub const SEGMENTS: [&str; 3] = ["smb", "mid", "enterprise"];
const INDUSTRIES: [&str; 8] = [
    "Software",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Finance",
    "Logistics",
    "Energy",
    "Media",
];
const TAGS: [&str; 8] = [
    "enterprise",
    "smb",
    "emea",
    "amer",
    "apac",
    "vip",
    "churn-risk",
    "inbound",
];
const SYLLABLES: [&str; 24] = [
    "ac", "me", "lor", "tan", "vex", "qui", "zor", "bel", "cra", "dun", "fen", "gal", "hol", "jin",
    "kep", "mar", "nor", "pix", "ras", "sol", "tur", "vin", "wex", "yel",
];
const SUFFIXES: [&str; 6] = ["Corp", "Inc", "Labs", "Group", "Systems", "Partners"];
const CITIES: [(&str, &str, &str); 5] = [
    ("Springfield", "IL", "US"),
    ("Portland", "OR", "US"),
    ("Austin", "TX", "US"),
    ("Leeds", "", "GB"),
    ("Lyon", "", "FR"),
];

/// SplitMix64: a tiny, good-enough generator, seeded per row.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The base name of row `i`: three syllables, unique enough with the row number in the domain.
pub fn name_stem(i: u64) -> String {
    let mut rng = Rng::new(i.wrapping_mul(31).wrapping_add(7));
    (0..3).map(|_| *rng.pick(&SYLLABLES)).collect()
}

/// The canonical (normalized) domain of row `i`.
pub fn domain(i: u64) -> String {
    format!("{}-{i}.com", name_stem(i))
}

/// Another spelling of `domain`, normalizing to the same value.
pub fn respell(domain: &str, variant: u64) -> String {
    match variant % 4 {
        0 => format!("https://www.{}/about", domain.to_uppercase()),
        1 => format!("{}.", domain.to_uppercase()),
        2 => format!("http://{domain}:8080/pricing?ref=bench"),
        _ => format!("www.{domain}"),
    }
}

/// Whether row `i` duplicates an earlier one, and which: an earlier row of the same request
/// (`batch_start..i`) or one at least `gap` rows back (an earlier, already answered request).
pub fn duplicate_of(i: u64, batch_start: u64, gap: u64) -> Option<u64> {
    if i % DUPLICATE_EVERY != DUPLICATE_EVERY - 1 {
        return None;
    }
    let mut rng = Rng::new(i ^ 0xD0D0);
    let far = batch_start.saturating_sub(gap);
    if far > 0 && rng.below(2) == 0 {
        return Some(rng.below(far));
    }
    if i > batch_start {
        return Some(batch_start + rng.below(i - batch_start));
    }
    (far > 0).then(|| rng.below(far))
}

/// The `arr` custom field of row `i` (0 to 2,000,000 in steps of 1,000).
pub fn arr(i: u64) -> u64 {
    Rng::new(i ^ 0xA22).below(2_001) * 1_000
}

/// A full account body for row `i` (whose domain is `domain_text`, possibly a respelling).
pub fn account_body(i: u64, domain_text: &str) -> Value {
    let mut rng = Rng::new(i);
    let stem = name_stem(i);
    let mut chars = stem.chars();
    let name = match chars.next() {
        Some(first) => format!(
            "{}{} {}",
            first.to_uppercase(),
            chars.as_str(),
            rng.pick(&SUFFIXES)
        ),
        None => format!("Account {i}"),
    };
    let employees = 1 + rng.below(20_000);
    let (city, state, country) = *rng.pick(&CITIES);
    let tag_count = 1 + rng.below(3);
    let mut tags: Vec<Value> = Vec::new();
    for t in 0..tag_count {
        let tag = TAGS[((i + t * 3) % TAGS.len() as u64) as usize];
        if tags
            .iter()
            .any(|v| v == tag || v.get("name") == Some(&Value::from(tag)))
        {
            continue;
        }
        tags.push(if t == 0 {
            json!({"name": tag, "value": format!("q{}", 1 + rng.below(4))})
        } else {
            Value::from(tag)
        });
    }
    json!({
        "name": name,
        "domains": [domain_text],
        "websites": [{"url": format!("https://www.{}/", domain(i)), "type": "main"}],
        "industry": rng.pick(&INDUSTRIES),
        "number_of_employees": employees,
        "annual_revenue": (employees * 150_000) as f64,
        "stage": rng.pick(&STAGES),
        "tags": tags,
        "phone_numbers": [{"number": format!("+1 415 555 {:04}", i % 10_000), "type": "work"}],
        "addresses": [{"type": "billing", "street_1": format!("{} Main St", 1 + i % 999),
                       "city": city, "state": state, "postal_code": format!("{:05}", i % 100_000),
                       "country": country}],
        "description": format!("{name} builds things for {} customers.", rng.pick(&INDUSTRIES)),
        "custom_fields": {"arr": arr(i), "segment": rng.pick(&SEGMENTS)},
    })
}

/// Row `i` of a load whose requests hold `batch` rows and of which `in_flight` are sent at
/// once: a duplicate only points back at requests already answered, or into its own.
pub fn load_row(i: u64, batch: u64, in_flight: u64) -> Value {
    let batch_start = i - i % batch;
    match duplicate_of(i, batch_start, batch * in_flight) {
        Some(original) => account_body(i, &respell(&domain(original), i)),
        None => account_body(i, &domain(i)),
    }
}

/// A 4-letter substring of a stored name, for `q=`.
pub fn search_term(rng: &mut Rng, rows: u64) -> String {
    let stem = name_stem(rng.below(rows));
    let start = rng.below(stem.len().saturating_sub(3) as u64) as usize;
    stem.get(start..start + 4).unwrap_or(&stem).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_one_in_ten_and_point_back() {
        let mut dups = 0;
        for i in 0..10_000u64 {
            let start = i - i % 1000;
            if let Some(j) = duplicate_of(i, start, 2000) {
                dups += 1;
                assert!(j < i && (j >= start || j + 2000 <= start), "{i} -> {j}");
            }
        }
        assert_eq!(dups, 1000);
    }

    #[test]
    fn rows_are_deterministic() {
        assert_eq!(load_row(42, 1000, 2), load_row(42, 1000, 2));
        assert!(search_term(&mut Rng::new(1), 100).len() == 4);
    }
}
