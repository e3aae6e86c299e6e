//! Import of a ROME referential file (`passerelle referentiel import`).
//!
//! Layout: the one of France Travail's appellation table
//! (`ogr_appellation;rome_code;libelle_appellation_long;libelle_appellation_court`):
//! a header line, `;`-separated fields, UTF-8 (an optional BOM is skipped),
//! fields optionally quoted with `"` (`""` inside quotes is a quote), CRLF or LF.
//!
//! ## What is refused, what is rejected
//! The whole file is **refused** (an [`ImportError`], nothing to store) when:
//! it cannot be read; it is not UTF-8 (the error gives the line); its header is
//! wrong; it is not `;`-separated; it has no data line or no valid line.
//!
//! Individual bad lines are **rejected** with their line number and a French
//! reason: wrong number of columns, OGR code not a positive number (or in the
//! synthetic range ≥ 900 000 000), ROME code not "one capital letter + four
//! digits", empty long label, unclosed quote, and every line of an OGR code
//! that appears more than once (we cannot tell which one is right).
//! An empty short label takes the long label. Blank lines are ignored.
//!
//! **Policy (the safer one): by default any rejected line refuses the whole
//! import** ([`ImportError::LignesRejetees`], carrying the full report so that
//! every problem can be shown and fixed at once): a malformed file changes
//! nothing. With `ImportOptions::accept_rejected_lines` the valid lines are
//! imported and the rejected ones are listed in the report.
//!
//! Fiche labels: the file has none. Known ROME codes keep the current
//! catalogue's label; new codes get the code itself as label
//! (listed in `ImportReport::new_fiches`).

use std::collections::HashMap;
use std::path::Path;

use crate::csvfile::{self, CsvError};
use crate::domain::rules::is_forbidden_char;
use crate::domain::{is_rome_code, Appellation, Referentiel, RomeFiche};

use super::{is_synthetic_ogr, Catalog};

/// Expected header columns (compared case-insensitively).
pub const HEADER: [&str; 4] = [
    "ogr_appellation",
    "rome_code",
    "libelle_appellation_long",
    "libelle_appellation_court",
];

/// Outcome of an import, compared with the current catalogue by OGR code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// OGR codes absent from the current catalogue.
    pub added: usize,
    /// OGR codes whose ROME code or labels differ.
    pub changed: usize,
    /// OGR codes of the current catalogue missing from the file
    /// (synthetic ROME 4.0 fiche-level rows are not counted).
    pub removed: usize,
    /// Rejected lines: (1-based line number, reason in French).
    pub rejected: Vec<(usize, String)>,
    /// Data lines read (blank lines and the header excluded).
    pub total: usize,
    /// ROME codes unknown to the current catalogue (their label is the code).
    pub new_fiches: Vec<String>,
}

impl ImportReport {
    /// Number of lines kept.
    pub fn valid(&self) -> usize {
        self.total - self.rejected.len()
    }

    /// One-paragraph French summary.
    pub fn summary_fr(&self) -> String {
        let mut s = format!(
            "{} ligne(s) lue(s) : {} ajoutée(s), {} modifiée(s), {} supprimée(s), {} rejetée(s).",
            self.total,
            self.added,
            self.changed,
            self.removed,
            self.rejected.len()
        );
        if !self.new_fiches.is_empty() {
            s.push_str(&format!(
                " {} nouvelle(s) fiche(s) ROME sans libellé : {}.",
                self.new_fiches.len(),
                self.new_fiches.join(", ")
            ));
        }
        s
    }
}

/// Import settings.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Version label of the new referential (e.g. `ROME importé le 28/11/2026`).
    pub version: String,
    /// Import the valid lines even if some are rejected (default: refuse).
    pub accept_rejected_lines: bool,
    /// Accept a file that removes more than [`MAX_REMOVED_PERCENT`] % of
    /// the current referential (default: refuse, it is probably partial).
    pub replace: bool,
}

/// Largest share of the current appellations an import may remove
/// without `replace`.
pub const MAX_REMOVED_PERCENT: usize = 5;

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            version: "ROME — référentiel importé".to_string(),
            accept_rejected_lines: false,
            replace: false,
        }
    }
}

/// A successful import: the referential to store and the report to show.
#[derive(Clone, Debug)]
pub struct Imported {
    pub referentiel: Referentiel,
    pub report: ImportReport,
}

/// Why a file was refused. Nothing is to be stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("impossible de lire le fichier {path} : {message}")]
    Lecture { path: String, message: String },
    #[error("le fichier est vide")]
    Vide,
    #[error(
        "le fichier n'est pas encodé en UTF-8 (premier caractère invalide à la ligne {line}) : \
         enregistrez-le en « CSV UTF-8 » puis recommencez"
    )]
    Encodage { line: usize },
    #[error(
        "séparateur incorrect : les colonnes doivent être séparées par « ; », \
         or la ligne 1 semble utiliser « {found} »"
    )]
    Separateur { found: String },
    #[error(
        "en-tête incorrect (ligne 1) : attendu « ogr_appellation;rome_code;libelle_appellation_long;\
         libelle_appellation_court », trouvé « {found} »"
    )]
    EnTete { found: String },
    #[error("le fichier ne contient aucune ligne de données")]
    AucuneDonnee,
    #[error("ligne {line} : guillemet ouvert mais jamais refermé (vérifiez les guillemets de cette ligne)")]
    GuillemetNonFerme { line: usize },
    #[error(
        "ce fichier retirerait {removed} appellations sur {current} ({percent} %) : ce n'est \
         probablement pas un référentiel complet. Rien n'a été modifié. S'il s'agit bien de la \
         nouvelle version complète, relancez avec --remplacer"
    )]
    TropDeSuppressions {
        removed: usize,
        current: usize,
        percent: usize,
    },
    #[error("aucune ligne valide : les {} ligne(s) ont été rejetées", report.rejected.len())]
    AucuneLigneValide { report: ImportReport },
    #[error(
        "{} ligne(s) invalide(s) sur {} : le référentiel n'a pas été importé \
         (corrigez le fichier ; première erreur ligne {})",
        report.rejected.len(), report.total, report.rejected.first().map(|r| r.0).unwrap_or(0)
    )]
    LignesRejetees { report: ImportReport },
}

impl ImportError {
    /// The detailed report, when the refusal came from rejected lines.
    pub fn report(&self) -> Option<&ImportReport> {
        match self {
            ImportError::AucuneLigneValide { report } | ImportError::LignesRejetees { report } => {
                Some(report)
            }
            _ => None,
        }
    }
}

/// Reads and parses a referential file.
pub fn import_file(
    path: &Path,
    current: &Catalog,
    opts: &ImportOptions,
    progress: impl FnMut(usize, usize),
) -> Result<Imported, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::Lecture {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    parse_referentiel(&bytes, current, opts, progress)
}

/// Parses a referential file's bytes and compares it with `current`.
/// `progress(done, total)` is called every few hundred lines and at the end.
pub fn parse_referentiel(
    bytes: &[u8],
    current: &Catalog,
    opts: &ImportOptions,
    mut progress: impl FnMut(usize, usize),
) -> Result<Imported, ImportError> {
    if bytes
        .iter()
        .all(|b| b.is_ascii_whitespace() || *b == 0xEF || *b == 0xBB || *b == 0xBF)
    {
        return Err(ImportError::Vide);
    }
    let csv_err = |e| match e {
        CsvError::NotUtf8 { line } => ImportError::Encodage { line },
        CsvError::Empty => ImportError::Vide,
        CsvError::UnclosedQuote { line } => ImportError::GuillemetNonFerme { line },
    };
    let text = csvfile::decode(bytes).map_err(csv_err)?;
    // Records are read one at a time: only the parsed appellations are kept.
    let mut reader = csvfile::Reader::new(text).map_err(csv_err)?;
    // Header.
    if reader.delimiter != ';' {
        let found = if reader.delimiter == '\t' {
            "tabulation".to_string()
        } else {
            reader.delimiter.to_string()
        };
        return Err(ImportError::Separateur { found });
    }
    let names: Vec<String> = reader
        .header
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    if names.len() != 4 || names.iter().zip(HEADER).any(|(n, h)| n != h) {
        return Err(ImportError::EnTete {
            found: reader.header.join(";").chars().take(120).collect(),
        });
    }
    // For the progress bar: lines after the header (blank ones included).
    let expected = text.bytes().filter(|&b| b == b'\n').count().max(1);
    let mut report = ImportReport::default();
    let mut parsed: Vec<(usize, Appellation)> = Vec::with_capacity(expected);
    progress(0, expected);
    let mut total = 0;
    while let Some(record) = reader.next_record().map_err(csv_err)? {
        total += 1;
        if total % 512 == 0 {
            progress(total, expected.max(total));
        }
        match parse_fields(&record.fields) {
            Ok(a) => parsed.push((record.line, a)),
            Err(reason) => report.rejected.push((record.line, reason)),
        }
    }
    if total == 0 {
        return Err(ImportError::AucuneDonnee);
    }
    report.total = total;

    // Duplicated OGR codes: reject every occurrence.
    let mut lines_of: HashMap<u32, Vec<usize>> = HashMap::new();
    for (line_no, a) in &parsed {
        lines_of.entry(a.ogr).or_default().push(*line_no);
    }
    parsed.retain(|(line_no, a)| {
        let ls = &lines_of[&a.ogr];
        if ls.len() > 1 {
            let list: Vec<String> = ls.iter().map(|l| l.to_string()).collect();
            report.rejected.push((
                *line_no,
                format!("code OGR {} en double (lignes {})", a.ogr, list.join(", ")),
            ));
            false
        } else {
            true
        }
    });
    report.rejected.sort_by_key(|r| r.0);
    progress(total, total);

    if parsed.is_empty() {
        return Err(ImportError::AucuneLigneValide { report });
    }
    if !report.rejected.is_empty() && !opts.accept_rejected_lines {
        return Err(ImportError::LignesRejetees { report });
    }

    // Compare with the current catalogue.
    let appellations: Vec<Appellation> = parsed.into_iter().map(|(_, a)| a).collect();
    let mut in_file = std::collections::HashSet::with_capacity(appellations.len());
    for a in &appellations {
        in_file.insert(a.ogr);
        match current.by_ogr(a.ogr).map(|i| &current.appellations()[i]) {
            None => report.added += 1,
            Some(old) => {
                if old.rome != a.rome || old.label != a.label || old.short_label != a.short_label {
                    report.changed += 1;
                }
            }
        }
    }
    let real = current
        .appellations()
        .iter()
        .filter(|a| !is_synthetic_ogr(a.ogr))
        .count();
    report.removed = current
        .appellations()
        .iter()
        .filter(|a| !is_synthetic_ogr(a.ogr) && !in_file.contains(&a.ogr))
        .count();
    if !opts.replace && report.removed * 100 > real * MAX_REMOVED_PERCENT {
        return Err(ImportError::TropDeSuppressions {
            removed: report.removed,
            current: real,
            percent: (report.removed * 100).div_ceil(real.max(1)),
        });
    }

    let mut codes: Vec<&str> = appellations.iter().map(|a| a.rome.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let fiches: Vec<RomeFiche> = codes
        .iter()
        .map(|&code| match current.fiche(code) {
            Some(f) => f.clone(),
            None => {
                report.new_fiches.push(code.to_string());
                RomeFiche {
                    code: code.to_string(),
                    label: code.to_string(),
                }
            }
        })
        .collect();

    Ok(Imported {
        referentiel: Referentiel {
            version: opts.version.clone(),
            fiches,
            appellations,
        },
        report,
    })
}

/// Longest appellation label accepted (the official ones stay far below).
pub const LABEL_MAX: usize = 250;

fn parse_fields(f: &[String]) -> Result<Appellation, String> {
    if f.len() != 4 {
        let hint = if f.len() == 1 && f[0].contains(',') {
            " (séparateur « , » au lieu de « ; » ?)"
        } else {
            ""
        };
        return Err(format!(
            "4 colonnes attendues, {} trouvée{}{hint}",
            f.len(),
            if f.len() > 1 { "s" } else { "" }
        ));
    }
    let ogr_s = f[0].trim();
    let ogr: u32 = match ogr_s.parse::<u32>() {
        Ok(o) if o > 0 && !is_synthetic_ogr(o) => o,
        _ => {
            return Err(format!(
                "code OGR invalide « {} » (nombre entier positif attendu)",
                shorten(ogr_s)
            ))
        }
    };
    let rome = f[1].trim();
    if !is_rome_code(rome) {
        return Err(format!(
            "code ROME invalide « {} » (attendu : une lettre majuscule et quatre chiffres, ex. K1202)",
            shorten(rome)
        ));
    }
    let mut labels = Vec::with_capacity(2);
    for (what, raw) in [("libellé long", &f[2]), ("libellé court", &f[3])] {
        let t = raw.trim();
        if let Some(c) = t.chars().find(|c| is_forbidden_char(*c)) {
            return Err(format!(
                "{what} : caractère de contrôle ou invisible (U+{:04X})",
                c as u32
            ));
        }
        if t.chars().count() > LABEL_MAX {
            return Err(format!(
                "{what} trop long ({} caractères, {LABEL_MAX} au plus)",
                t.chars().count()
            ));
        }
        labels.push(t.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    let short = labels.pop().unwrap_or_default();
    let label = labels.pop().unwrap_or_default();
    if label.is_empty() {
        return Err("libellé de l'appellation vide".to_string());
    }
    Ok(Appellation {
        ogr,
        rome: rome.to_string(),
        short_label: if short.is_empty() {
            label.clone()
        } else {
            short
        },
        label,
        branches: Vec::new(),
    })
}

/// A value quoted back in a message: at most 40 characters.
fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(line: &str) -> Result<Appellation, String> {
        let t = csvfile::parse(format!("h\n{line}").as_bytes()).unwrap();
        let mut fields = t.records[0].fields.clone();
        if t.delimiter != ';' {
            fields = vec![line.to_string()];
        }
        parse_fields(&fields)
    }

    #[test]
    fn line_rules() {
        assert!(parse_line("10;K1202;Éducateur;").is_ok());
        assert_eq!(
            parse_line("10;K1202;Éducateur;").unwrap().short_label,
            "Éducateur"
        );
        assert!(parse_line("10;K1202;A\u{1b}[31m;A")
            .unwrap_err()
            .contains("contrôle"));
        let long = "x".repeat(LABEL_MAX + 1);
        assert!(parse_line(&format!("10;K1202;{long};A"))
            .unwrap_err()
            .contains("trop long"));
        assert!(parse_line("10;K1202;A").unwrap_err().contains("4 colonnes"));
        assert!(parse_line("10;K1202;A;B;C")
            .unwrap_err()
            .contains("4 colonnes"));
        assert!(parse_line("x;K1202;A;A").unwrap_err().contains("OGR"));
        assert!(parse_line("0;K1202;A;A").unwrap_err().contains("OGR"));
        assert!(parse_line("900101306;K1306;A;A")
            .unwrap_err()
            .contains("OGR"));
        assert!(parse_line("10;k1202;A;A").unwrap_err().contains("ROME"));
        assert!(parse_line("10;K1202; ;A").unwrap_err().contains("vide"));
        assert!(parse_line("10,K1202,A,A")
            .unwrap_err()
            .contains("séparateur"));
    }
}
