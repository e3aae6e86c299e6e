//! Branches of the Uniformation OPCO. They are data (see `assets/branches.toml`),
//! keyed by IDCC with aliases; this module only holds the type and lookups.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// Short id used everywhere in data, e.g. `ECLAT`, `ALISFA`, `HORS`.
    pub short: String,
    /// Name shown in the UI, e.g. `ÉCLAT`.
    pub display: String,
    /// Full legal name.
    pub name: String,
    /// Main IDCC (4 digits, zero-padded); empty for "hors branche".
    pub idcc: String,
    /// Other IDCCs that map to this branch (merged conventions).
    pub alias_idcc: Vec<String>,
    /// Typical employers, for the picker.
    pub employers: String,
}

/// All branches, in display order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Branches {
    pub list: Vec<Branch>,
}

impl Branches {
    pub fn by_short(&self, short: &str) -> Option<&Branch> {
        self.list
            .iter()
            .find(|b| b.short.eq_ignore_ascii_case(short))
    }

    /// Looks up an IDCC, main or alias; `218` and `0218` are the same.
    pub fn by_idcc(&self, idcc: &str) -> Option<&Branch> {
        let norm = normalize_idcc(idcc)?;
        self.list
            .iter()
            .find(|b| b.idcc == norm || b.alias_idcc.contains(&norm))
    }

    /// Short name or IDCC, as typed on the command line or in a picker.
    pub fn resolve(&self, key: &str) -> Option<&Branch> {
        let k = key.trim();
        self.by_short(k)
            .or_else(|| self.by_idcc(k))
            .or_else(|| self.list.iter().find(|b| b.display.eq_ignore_ascii_case(k)))
    }
}

/// `218` → `0218`; rejects anything but 1 to 4 digits.
pub fn normalize_idcc(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > 4 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{:0>4}", s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(short: &str, idcc: &str, alias: &[&str]) -> Branch {
        Branch {
            short: short.into(),
            display: short.into(),
            name: short.into(),
            idcc: idcc.into(),
            alias_idcc: alias.iter().map(|s| s.to_string()).collect(),
            employers: String::new(),
        }
    }

    #[test]
    fn idcc_and_aliases_resolve() {
        let br = Branches {
            list: vec![
                b("ECLAT", "1518", &["1031", "3203"]),
                b("SECU", "0218", &["3232"]),
            ],
        };
        assert_eq!(br.resolve("1031").unwrap().short, "ECLAT");
        assert_eq!(br.resolve("218").unwrap().short, "SECU");
        assert_eq!(br.resolve("eclat").unwrap().short, "ECLAT");
        assert!(br.resolve("2511").is_none());
        assert!(br.resolve("12345").is_none());
        assert_eq!(normalize_idcc("x1"), None);
    }
}
