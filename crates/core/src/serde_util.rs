//! Serde helpers for request bodies: `null` as "empty" for lists and maps on create, and the
//! three-state [`Patch`] for PATCH bodies (absent, `null`, value).

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default (an empty list, an empty map).
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A field of a PATCH body under JSON merge semantics: absent leaves the stored value alone,
/// `null` clears it, a value replaces it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            Some(value) => Patch::Value(value),
            None => Patch::Null,
        })
    }
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// Applies the patch to an optional stored value.
    pub fn apply_to(self, current: &mut Option<T>) {
        match self {
            Patch::Absent => {}
            Patch::Null => *current = None,
            Patch::Value(v) => *current = Some(v),
        }
    }
}

impl<T: Default> Patch<T> {
    /// Applies the patch to a stored value whose "cleared" state is its default (a list).
    pub fn apply_to_default(self, current: &mut T) {
        match self {
            Patch::Absent => {}
            Patch::Null => *current = T::default(),
            Patch::Value(v) => *current = v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        a: Patch<String>,
        #[serde(default)]
        b: Patch<String>,
        #[serde(default)]
        c: Patch<String>,
    }

    #[test]
    fn three_states() {
        let body: Body = serde_json::from_str(r#"{"a": null, "b": "x"}"#).expect("parses");
        assert_eq!(body.a, Patch::Null);
        assert_eq!(body.b, Patch::Value("x".into()));
        assert_eq!(body.c, Patch::Absent);
    }
}
