//! Suggested target métiers for a file, from its current métier: the
//! curated passerelles shipped with the catalogue, then France Travail's
//! mobility file when it was imported (`passerelle referentiel
//! import-mobilites`). Each suggestion says where it comes from; métiers
//! already among the plan's targets are left out.

use crate::catalog::{synthetic_ogr, Catalog};
use crate::domain::{Mobilities, Plan, PlanTarget, TargetMetier};

/// Where a suggestion comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A curated passerelle, with its note.
    Passerelle(String),
    /// France Travail's mobility file: « proche » or « évolution ».
    Mobilite(crate::domain::MobilityKind),
}

impl Source {
    /// `passerelle` / `ROME : proche`, for narrow columns.
    pub fn short(&self) -> String {
        match self {
            Source::Passerelle(_) => "passerelle".to_string(),
            Source::Mobilite(k) => format!("ROME : {}", k.label()),
        }
    }

    /// `passerelle (note)` / `mobilité ROME France Travail : proche`.
    pub fn long(&self) -> String {
        match self {
            Source::Passerelle(note) if !note.is_empty() => format!("passerelle ({note})"),
            Source::Passerelle(_) => "passerelle".to_string(),
            Source::Mobilite(k) => format!("mobilité ROME France Travail : {}", k.label()),
        }
    }
}

/// A métier proposed as a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub target: PlanTarget,
    pub source: Source,
}

/// The target for a ROME fiche (its fiche-level row when the catalogue has
/// one) or for one of its appellations.
fn target_of(catalog: &Catalog, rome: &str, ogr: Option<u32>) -> PlanTarget {
    let found = ogr
        .and_then(|o| catalog.by_ogr(o))
        .filter(|&i| catalog.appellation(i).is_some_and(|a| a.rome == rome))
        .or_else(|| synthetic_ogr(rome).and_then(|o| catalog.by_ogr(o)))
        .and_then(|i| catalog.target(i));
    match found {
        Some(t) => PlanTarget::from(t),
        None => PlanTarget::new(
            synthetic_ogr(rome).unwrap_or(0),
            rome,
            catalog.fiche(rome).map_or(rome, |f| f.label.as_str()),
        ),
    }
}

/// Suggestions from `current` (the file's current métier): passerelles
/// first, then the mobility file (close métiers before evolutions), each
/// métier once, none that is already a target or the current fiche.
pub fn suggestions(
    catalog: &Catalog,
    mobilities: Option<&Mobilities>,
    current: &TargetMetier,
    plan: Option<&Plan>,
) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    let mut push = |target: PlanTarget, source: Source| {
        let taken = plan.is_some_and(|p| {
            p.targets.iter().any(|t| {
                t.same_metier(&target) || (t.rome == target.rome && t.label == target.label)
            })
        });
        let dup = out.iter().any(|s| s.target.same_metier(&target));
        if !taken && !dup && target.rome != current.rome {
            out.push(Suggestion { target, source });
        }
    };
    for p in catalog.passerelles_from(&current.rome) {
        push(
            target_of(catalog, &p.to, None),
            Source::Passerelle(p.note.clone()),
        );
    }
    if let Some(m) = mobilities {
        let ogr = (!crate::catalog::is_synthetic_ogr(current.ogr)).then_some(current.ogr);
        for row in m.from_metier(&current.rome, ogr) {
            push(
                target_of(catalog, &row.to_rome, row.to_ogr),
                Source::Mobilite(row.kind),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Id, Meta, Mobility, MobilityKind};

    fn catalog() -> &'static Catalog {
        Catalog::builtin_shared().unwrap()
    }

    fn job(rome: &str) -> TargetMetier {
        TargetMetier {
            ogr: 0,
            rome: rome.into(),
            label: rome.into(),
        }
    }

    #[test]
    fn passerelles_then_mobilities_without_targets_already_chosen() {
        let c = catalog();
        let current = job("K1302");
        let passerelles: Vec<String> = c
            .passerelles_from("K1302")
            .iter()
            .map(|p| p.to.clone())
            .collect();
        assert!(!passerelles.is_empty());
        let m = Mobilities {
            version: "v".into(),
            rows: vec![
                Mobility {
                    from_rome: "K1302".into(),
                    from_ogr: None,
                    to_rome: "K2111".into(),
                    to_ogr: None,
                    kind: MobilityKind::Evolution,
                },
                // Same métier as a passerelle: listed once, as a passerelle.
                Mobility {
                    from_rome: "K1302".into(),
                    from_ogr: None,
                    to_rome: passerelles[0].clone(),
                    to_ogr: None,
                    kind: MobilityKind::Proche,
                },
            ],
        };
        let s = suggestions(c, Some(&m), &current, None);
        let romes: Vec<&str> = s.iter().map(|s| s.target.rome.as_str()).collect();
        let mut expected: Vec<&str> = passerelles.iter().map(String::as_str).collect();
        expected.push("K2111");
        assert_eq!(romes, expected);
        assert!(matches!(s[0].source, Source::Passerelle(_)));
        assert_eq!(s.last().unwrap().source.short(), "ROME : évolution");
        assert!(s[0].target.label.len() > 5, "a label, not a code");

        // A target already in the plan is not suggested again.
        let mut plan = Plan::new(
            Id([1; 16]),
            Id([2; 16]),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            Meta::new(chrono::DateTime::UNIX_EPOCH, "x"),
        );
        plan.add_target(s[0].target.clone());
        let again = suggestions(c, Some(&m), &current, Some(&plan));
        assert_eq!(again.len(), s.len() - 1);
        assert!(again.iter().all(|x| x.target != s[0].target));
        // Without the mobility file: the passerelles only.
        assert_eq!(
            suggestions(c, None, &current, None).len(),
            passerelles.len()
        );
    }
}
