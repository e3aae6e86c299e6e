//! Import of France Travail's ROME mobility file
//! (`passerelle referentiel import-mobilites`).
//!
//! Layout: `unix_rubrique_mobilite_v*_utf8.csv` of the ROME open data: a
//! header line naming the columns `code_rome`, `code_rome_cible`,
//! `code_appellation_source`, `code_appellation_cible`, `code_type_mobilite`
//! (1 = proche, 2 = évolution) and `libelle_type_mobilite`, read with the
//! one CSV reader ([`crate::csvfile`]: separator `,`, `;` or tab detected,
//! quotes, BOM, CRLF). Columns are found by name (any order, case and
//! accents ignored); `code_rome`, `code_rome_cible` and `code_type_mobilite`
//! are required, the appellation codes may be empty, other columns are
//! ignored. Each row is checked: ROME codes « one capital letter + four
//! digits », appellation codes positive numbers, type 1 or 2; a row from a
//! fiche to itself is refused.
//!
//! **All or nothing**: one rejected line refuses the whole file (the report
//! lists every rejected line with its number and reason); nothing is stored.
//! Identical rows are kept once. ROME codes unknown to the catalogue in
//! force are accepted and counted (a newer file may name newer fiches).

use super::Catalog;
use crate::csvfile::{self, CsvError};
use crate::domain::{is_rome_code, Mobilities, Mobility, MobilityKind};
use std::collections::BTreeSet;
use std::path::Path;

/// The columns read, by name.
const REQUIRED: [&str; 3] = ["code_rome", "code_rome_cible", "code_type_mobilite"];
const OPTIONAL: [&str; 2] = ["code_appellation_source", "code_appellation_cible"];

/// What an import read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MobilityReport {
    /// Data lines read.
    pub total: usize,
    /// Rows kept (identical rows once).
    pub kept: usize,
    /// Identical rows met again.
    pub duplicates: usize,
    pub proches: usize,
    pub evolutions: usize,
    /// ROME codes unknown to the catalogue in force.
    pub unknown_codes: Vec<String>,
    /// `(line, reason)` of every rejected line.
    pub rejected: Vec<(usize, String)>,
}

impl MobilityReport {
    pub fn summary_fr(&self) -> String {
        let mut s = format!(
            "{} ligne(s) lue(s) : {} mobilité(s) enregistrée(s) ({} proche(s), {} évolution(s)), \
             {} doublon(s) ignoré(s), {} rejetée(s).",
            self.total,
            self.kept,
            self.proches,
            self.evolutions,
            self.duplicates,
            self.rejected.len()
        );
        if !self.unknown_codes.is_empty() {
            let shown: Vec<&str> = self
                .unknown_codes
                .iter()
                .take(10)
                .map(String::as_str)
                .collect();
            s.push_str(&format!(
                " {} code(s) ROME absent(s) du catalogue : {}{}.",
                self.unknown_codes.len(),
                shown.join(", "),
                if self.unknown_codes.len() > 10 {
                    ", …"
                } else {
                    ""
                }
            ));
        }
        s
    }
}

/// Why a file was refused; nothing is stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MobilityError {
    #[error("impossible de lire le fichier {path} : {message}")]
    Lecture { path: String, message: String },
    #[error("{0}")]
    Csv(CsvError),
    #[error(
        "en-tête incorrect (ligne {line}) : colonne(s) manquante(s) {missing} ; attendu le \
         fichier « unix_rubrique_mobilite » de France Travail (code_rome, code_rome_cible, \
         code_appellation_source, code_appellation_cible, code_type_mobilite, \
         libelle_type_mobilite)"
    )]
    EnTete { line: usize, missing: String },
    #[error("le fichier ne contient aucune ligne de données")]
    AucuneDonnee,
    #[error(
        "{} ligne(s) invalide(s) sur {} : le fichier des mobilités n'a pas été importé \
         (corrigez le fichier ; première erreur ligne {})",
        report.rejected.len(), report.total, report.rejected.first().map(|r| r.0).unwrap_or(0)
    )]
    LignesRejetees { report: MobilityReport },
}

impl MobilityError {
    /// The report, when the refusal came from rejected lines.
    pub fn report(&self) -> Option<&MobilityReport> {
        match self {
            MobilityError::LignesRejetees { report } => Some(report),
            _ => None,
        }
    }
}

/// Reads and checks a mobility file.
pub fn import_file(
    path: &Path,
    catalog: &Catalog,
    version: &str,
) -> Result<(Mobilities, MobilityReport), MobilityError> {
    let bytes = std::fs::read(path).map_err(|e| MobilityError::Lecture {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    parse_mobilities(&bytes, catalog, version)
}

/// Parses a mobility file's bytes (see the module doc).
pub fn parse_mobilities(
    bytes: &[u8],
    catalog: &Catalog,
    version: &str,
) -> Result<(Mobilities, MobilityReport), MobilityError> {
    let table = csvfile::parse(bytes).map_err(MobilityError::Csv)?;
    let names: Vec<String> = table
        .header
        .iter()
        .map(|h| crate::catalog::fold::normalized(h))
        .collect();
    let col = |name: &str| {
        let wanted = crate::catalog::fold::normalized(name);
        names.iter().position(|n| *n == wanted)
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|n| col(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(MobilityError::EnTete {
            line: table.header_line,
            missing: missing.join(", "),
        });
    }
    let [from, to, kind] = REQUIRED.map(|n| col(n).unwrap_or(0));
    let [from_app, to_app] = OPTIONAL.map(col);
    if table.records.is_empty() {
        return Err(MobilityError::AucuneDonnee);
    }
    let mut report = MobilityReport {
        total: table.records.len(),
        ..MobilityReport::default()
    };
    let mut seen: BTreeSet<Mobility> = BTreeSet::new();
    let mut rows = Vec::with_capacity(table.records.len());
    for r in &table.records {
        let field = |i: Option<usize>| {
            i.and_then(|i| r.fields.get(i))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        if r.fields.len() != names.len() {
            report.rejected.push((
                r.line,
                format!("{} colonne(s) au lieu de {}", r.fields.len(), names.len()),
            ));
            continue;
        }
        match parse_row(
            field(Some(from)),
            field(from_app),
            field(Some(to)),
            field(to_app),
            field(Some(kind)),
        ) {
            Err(why) => report.rejected.push((r.line, why)),
            Ok(m) => {
                if seen.insert(m.clone()) {
                    rows.push(m);
                } else {
                    report.duplicates += 1;
                }
            }
        }
    }
    if !report.rejected.is_empty() {
        return Err(MobilityError::LignesRejetees { report });
    }
    let mut unknown = BTreeSet::new();
    for m in &rows {
        match m.kind {
            MobilityKind::Proche => report.proches += 1,
            MobilityKind::Evolution => report.evolutions += 1,
        }
        for code in [&m.from_rome, &m.to_rome] {
            if catalog.fiche(code).is_none() {
                unknown.insert(code.clone());
            }
        }
    }
    report.kept = rows.len();
    report.unknown_codes = unknown.into_iter().collect();
    Ok((
        Mobilities {
            version: version.to_string(),
            rows,
        },
        report,
    ))
}

fn parse_row(
    from: &str,
    from_app: &str,
    to: &str,
    to_app: &str,
    kind: &str,
) -> Result<Mobility, String> {
    let forbidden = |f: &str| f.chars().any(crate::domain::rules::is_forbidden_char);
    if [from, from_app, to, to_app, kind]
        .into_iter()
        .any(forbidden)
    {
        return Err("caractère de contrôle".into());
    }
    let rome = |s: &str, what: &str| {
        if is_rome_code(s) {
            Ok(s.to_string())
        } else if s.is_empty() {
            Err(format!("{what} vide"))
        } else {
            Err(format!(
                "{what} invalide « {s} » (une lettre majuscule et quatre chiffres)"
            ))
        }
    };
    let ogr = |s: &str, what: &str| -> Result<Option<u32>, String> {
        if s.is_empty() {
            return Ok(None);
        }
        match s.parse::<u32>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(format!(
                "{what} invalide « {s} » (un nombre entier positif)"
            )),
        }
    };
    let m = Mobility {
        from_rome: rome(from, "code_rome")?,
        from_ogr: ogr(from_app, "code_appellation_source")?,
        to_rome: rome(to, "code_rome_cible")?,
        to_ogr: ogr(to_app, "code_appellation_cible")?,
        kind: MobilityKind::from_code(kind).ok_or_else(|| {
            format!("code_type_mobilite invalide « {kind} » (1 = proche, 2 = évolution)")
        })?,
    };
    if m.from_rome == m.to_rome && (m.from_ogr.is_none() || m.from_ogr == m.to_ogr) {
        return Err(format!("mobilité de {} vers elle-même", m.from_rome));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> &'static Catalog {
        Catalog::builtin_shared().unwrap()
    }

    const HEADER: &str = "code_rome,code_rome_cible,code_appellation_source,\
                          code_appellation_cible,code_type_mobilite,libelle_type_mobilite";

    #[test]
    fn a_good_file_is_read_whatever_the_column_order_and_separator() {
        let text = format!(
            "{HEADER}\nK1302,J1501,,,2,Si évolution\nK1302,K1304,,,1,Proche\n\
             K1302,K1304,,,1,Proche\nK1302,Z9999,38001,,1,Proche\n"
        );
        let (m, r) = parse_mobilities(text.as_bytes(), catalog(), "v460").unwrap();
        assert_eq!(m.rows.len(), 3);
        assert_eq!((r.total, r.kept, r.duplicates), (4, 3, 1));
        assert_eq!((r.proches, r.evolutions), (2, 1));
        assert_eq!(r.unknown_codes, ["Z9999"]);
        assert_eq!(m.rows[2].from_ogr, Some(38_001));
        assert!(r.summary_fr().contains("3 mobilité(s) enregistrée(s)"));
        // Reordered columns, « ; », quotes, uppercase and accents in the header.
        let text =
            "\u{feff}\"Code_Type_Mobilité\";code_rome_cible;CODE_ROME\r\n\"1\";K1304;K1302\r\n";
        let (m, _) = parse_mobilities(text.as_bytes(), catalog(), "v").unwrap();
        assert_eq!(m.rows[0].to_rome, "K1304");
        assert_eq!(m.rows[0].kind, MobilityKind::Proche);
        assert_eq!(m.version, "v");
    }

    #[test]
    fn one_bad_line_refuses_the_whole_file_with_every_reason() {
        let text = format!(
            "{HEADER}\nK1302,J1501,,,2,x\nk1302,J1501,,,2,x\nK1302,J1501,abc,,1,x\n\
             K1302,J1501,,,3,x\nK1302,K1302,,,1,x\nK1302,J1501\n"
        );
        let e = parse_mobilities(text.as_bytes(), catalog(), "v").unwrap_err();
        let r = e.report().unwrap();
        let lines: Vec<usize> = r.rejected.iter().map(|l| l.0).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7]);
        assert!(r.rejected[0].1.contains("code_rome invalide « k1302 »"));
        assert!(r.rejected[1].1.contains("code_appellation_source invalide"));
        assert!(r.rejected[2].1.contains("1 = proche, 2 = évolution"));
        assert!(r.rejected[3].1.contains("vers elle-même"));
        assert!(r.rejected[4].1.contains("2 colonne(s) au lieu de 6"));
        assert!(e.to_string().contains("première erreur ligne 3"), "{e}");
    }

    #[test]
    fn wrong_header_empty_file_and_bad_encoding_are_refused() {
        let e = parse_mobilities(b"ogr;rome\n1;K1302\n", catalog(), "v").unwrap_err();
        assert!(
            matches!(&e, MobilityError::EnTete { missing, .. } if missing == "code_rome, code_rome_cible, code_type_mobilite"),
            "{e}"
        );
        let e = parse_mobilities(format!("{HEADER}\n").as_bytes(), catalog(), "v").unwrap_err();
        assert_eq!(e, MobilityError::AucuneDonnee);
        let e = parse_mobilities(b"", catalog(), "v").unwrap_err();
        assert!(e.to_string().contains("vide"), "{e}");
        let mut bytes = format!("{HEADER}\nK1302,J1501,,,2,").into_bytes();
        bytes.extend_from_slice(&[0xE9, b'\n']);
        let e = parse_mobilities(&bytes, catalog(), "v").unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }
}
