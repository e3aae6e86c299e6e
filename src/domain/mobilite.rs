//! France Travail's ROME mobility file (`unix_rubrique_mobilite_v*_utf8.csv`):
//! for a métier (a ROME fiche, sometimes one of its appellations), the
//! métiers that are close to it (« proche ») or that it can lead to
//! (« évolution »). Imported by `passerelle referentiel import-mobilites`;
//! the Parcours screen suggests targets from it.

use serde::{Deserialize, Serialize};

/// Kind of mobility, `code_type_mobilite` of the file. Stored: add variants
/// only at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MobilityKind {
    /// 1: a close métier, reachable with the same skills.
    Proche,
    /// 2: a métier reachable by evolving (training, experience).
    Evolution,
}

impl MobilityKind {
    /// The code of the file.
    pub fn code(self) -> u8 {
        match self {
            MobilityKind::Proche => 1,
            MobilityKind::Evolution => 2,
        }
    }

    pub fn from_code(code: &str) -> Option<MobilityKind> {
        match code.trim() {
            "1" => Some(MobilityKind::Proche),
            "2" => Some(MobilityKind::Evolution),
            _ => None,
        }
    }

    /// `proche`, `évolution`.
    pub fn label(self) -> &'static str {
        match self {
            MobilityKind::Proche => "proche",
            MobilityKind::Evolution => "évolution",
        }
    }
}

/// One row of the mobility file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mobility {
    /// Source ROME fiche (`code_rome`).
    pub from_rome: String,
    /// OGR code of the source appellation, when the row is about one.
    pub from_ogr: Option<u32>,
    /// Target ROME fiche (`code_rome_cible`).
    pub to_rome: String,
    /// OGR code of the target appellation, when the row names one.
    pub to_ogr: Option<u32>,
    pub kind: MobilityKind,
}

/// The imported mobility file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mobilities {
    /// Human-readable version (file name and import date).
    pub version: String,
    pub rows: Vec<Mobility>,
}

impl Mobilities {
    /// The rows leaving a métier: those of its fiche that name no source
    /// appellation, and those of its own appellation `ogr`. Close métiers
    /// first, then in file order.
    pub fn from_metier(&self, rome: &str, ogr: Option<u32>) -> Vec<&Mobility> {
        let mut out: Vec<&Mobility> = self
            .rows
            .iter()
            .filter(|m| m.from_rome == rome && (m.from_ogr.is_none() || m.from_ogr == ogr))
            .collect();
        out.sort_by_key(|m| m.kind);
        out
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(from: &str, from_ogr: Option<u32>, to: &str, kind: MobilityKind) -> Mobility {
        Mobility {
            from_rome: from.into(),
            from_ogr,
            to_rome: to.into(),
            to_ogr: None,
            kind,
        }
    }

    #[test]
    fn rows_of_a_metier_are_its_fiche_rows_and_its_appellation_rows() {
        let m = Mobilities {
            version: "v".into(),
            rows: vec![
                row("K1302", None, "J1501", MobilityKind::Evolution),
                row("K1302", Some(11_111), "K1304", MobilityKind::Proche),
                row("K1302", Some(22_222), "K1303", MobilityKind::Proche),
                row("K1303", None, "K1302", MobilityKind::Proche),
            ],
        };
        let to = |v: Vec<&Mobility>| v.iter().map(|m| m.to_rome.clone()).collect::<Vec<_>>();
        // Close ones first; another appellation's rows are left out.
        assert_eq!(to(m.from_metier("K1302", Some(11_111))), ["K1304", "J1501"]);
        assert_eq!(to(m.from_metier("K1302", None)), ["J1501"]);
        assert!(m.from_metier("A1101", None).is_empty());
        assert_eq!(
            MobilityKind::from_code(" 2 "),
            Some(MobilityKind::Evolution)
        );
        assert_eq!(MobilityKind::from_code("3"), None);
        assert_eq!(MobilityKind::Proche.code(), 1);
        assert_eq!(MobilityKind::Evolution.label(), "évolution");
    }
}
