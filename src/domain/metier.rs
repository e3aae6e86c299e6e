//! Métiers: ROME fiches and their appellations (concrete job titles).

use serde::{Deserialize, Serialize};

/// One appellation of the ROME referential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appellation {
    /// OGR code: the stable key. ROME 4.0 fiche-level rows, which have no
    /// OGR code in the shipped referential, get a synthetic code from
    /// `catalog::synthetic_ogr` (≥ 900 000 000) that is never shown as a real one.
    pub ogr: u32,
    /// ROME fiche code, e.g. `K1202`.
    pub rome: String,
    /// Long label, e.g. `Éducateur / Éducatrice de jeunes enfants`.
    pub label: String,
    /// Short label from the referential (often equal to the long one).
    pub short_label: String,
    /// Short ids of the branches that employ it (curated mapping); may be empty.
    pub branches: Vec<String>,
}

/// A ROME fiche.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RomeFiche {
    pub code: String,
    pub label: String,
}

/// A target métier chosen for a beneficiary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetMetier {
    pub ogr: u32,
    pub rome: String,
    pub label: String,
}

/// The ROME family of a fiche: letter + two digits (`K1202` → `K12`).
pub fn rome_family(code: &str) -> &str {
    code.get(..3).unwrap_or(code)
}

/// A ROME code is one capital letter and four digits.
pub fn is_rome_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5 && b[0].is_ascii_uppercase() && b[1..].iter().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn rome_codes() {
        assert_eq!(rome_family("K1202"), "K12");
        assert!(is_rome_code("K1202"));
        assert!(!is_rome_code("k1202"));
        assert!(!is_rome_code("K120"));
        assert!(!is_rome_code("K12A2"));
    }
}

/// A full ROME referential as loaded from the shipped assets or imported by
/// `passerelle referentiel import`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referentiel {
    /// Human-readable version, e.g. `ROME 2026-08-07`.
    pub version: String,
    pub fiches: Vec<RomeFiche>,
    pub appellations: Vec<Appellation>,
}
