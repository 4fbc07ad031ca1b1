//! Grouping the rows of one request that duplicate each other: rows sharing a key of the
//! match policy (directly or through other rows) form one group.

use std::collections::HashMap;

use super::MatchOn;

/// The match keys of one row, each tagged with its kind (an external ref `a.com` and a domain
/// `a.com` are different keys).
pub type RowKeys<'a> = Vec<(MatchOn, &'a str)>;

/// Groups rows that share a key, transitively (union-find). `keys[i]` is `None` for a row
/// that takes no part (it failed validation). Returns, for each row, the index of the first
/// row of its group (itself when alone).
pub fn group_rows_by(keys: &[Option<RowKeys<'_>>]) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..keys.len()).collect();
    let mut seen: HashMap<(MatchOn, &str), usize> = HashMap::new();
    for (row, entry) in keys.iter().enumerate() {
        for key in entry.iter().flatten() {
            match seen.get(key) {
                Some(&other) => union(&mut parent, row, other),
                None => {
                    seen.insert(*key, row);
                }
            }
        }
    }
    (0..keys.len()).map(|row| find(&mut parent, row)).collect()
}

/// [`group_rows_by`] on domains and external refs, the keys of the native policy: `keys[i]`
/// is a row's domains and external refs.
pub fn group_rows(keys: &[Option<(&[String], &[String])>]) -> Vec<usize> {
    let tagged: Vec<Option<RowKeys<'_>>> = keys
        .iter()
        .map(|entry| {
            entry.map(|(domains, refs)| {
                let domains = domains.iter().map(|d| (MatchOn::Domain, d.as_str()));
                let refs = refs.iter().map(|r| (MatchOn::ExternalRef, r.as_str()));
                domains.chain(refs).collect()
            })
        })
        .collect();
    group_rows_by(&tagged)
}

/// The root of `row`'s set, compressing the path on the way.
fn find(parent: &mut [usize], row: usize) -> usize {
    let mut root = row;
    while parent[root] != root {
        root = parent[root];
    }
    let mut at = row;
    while parent[at] != root {
        let next = parent[at];
        parent[at] = root;
        at = next;
    }
    root
}

/// Joins two sets under the smaller root, so that a root is always its group's first row.
fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_different_kinds_never_join() {
        let keys = vec![
            Some(vec![(MatchOn::Name, "acme")]),
            Some(vec![(MatchOn::Domain, "acme")]),
            Some(vec![(MatchOn::Id, "acc_1"), (MatchOn::Name, "acme")]),
            Some(vec![(MatchOn::Id, "acc_1")]),
            None,
        ];
        assert_eq!(group_rows_by(&keys), vec![0, 1, 0, 0, 4]);
    }
}
