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
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            version: "ROME — référentiel importé".to_string(),
            accept_rejected_lines: false,
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

/// Splits one line on `;`, honouring double quotes. Err = unclosed quote.
fn split_fields(line: &str) -> Result<Vec<String>, ()> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut in_quotes = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            ';' => {
                out.push(std::mem::take(&mut cur));
                at_field_start = true;
                continue;
            }
            '"' if at_field_start && cur.trim().is_empty() => {
                cur.clear();
                in_quotes = true;
            }
            c => cur.push(c),
        }
        at_field_start = false;
    }
    if in_quotes {
        return Err(());
    }
    out.push(cur);
    Ok(out)
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
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Vide);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::Encodage {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
    })?;
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();

    // Header.
    let header = lines[0];
    let cols = split_fields(header).unwrap_or_else(|_| vec![header.to_string()]);
    if cols.len() == 1 {
        for sep in [",", "\t", "|"] {
            if header.contains(sep) {
                let found = if sep == "\t" { "tabulation" } else { sep };
                return Err(ImportError::Separateur {
                    found: found.to_string(),
                });
            }
        }
    }
    let names: Vec<String> = cols.iter().map(|c| c.trim().to_lowercase()).collect();
    if names.len() != 4 || names.iter().zip(HEADER).any(|(n, h)| n != h) {
        return Err(ImportError::EnTete {
            found: header.chars().take(120).collect(),
        });
    }

    let data: Vec<(usize, &str)> = lines
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(k, l)| (k + 1, *l))
        .collect();
    let total = data.len();
    if total == 0 {
        return Err(ImportError::AucuneDonnee);
    }

    let mut report = ImportReport {
        total,
        ..Default::default()
    };
    let mut parsed: Vec<(usize, Appellation)> = Vec::with_capacity(total);
    progress(0, total);
    for (done, &(line_no, line)) in data.iter().enumerate() {
        if done % 512 == 511 {
            progress(done + 1, total);
        }
        match parse_line(line) {
            Ok(a) => parsed.push((line_no, a)),
            Err(reason) => report.rejected.push((line_no, reason)),
        }
    }

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
    report.removed = current
        .appellations()
        .iter()
        .filter(|a| !is_synthetic_ogr(a.ogr) && !in_file.contains(&a.ogr))
        .count();

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

fn parse_line(line: &str) -> Result<Appellation, String> {
    let f = split_fields(line).map_err(|_| "guillemet non fermé".to_string())?;
    if f.len() != 4 {
        let hint = if f.len() == 1 && line.contains(',') {
            " (séparateur « , » au lieu de « ; » ?)"
        } else {
            ""
        };
        return Err(format!(
            "4 colonnes attendues, {} trouvée(s){hint}",
            f.len()
        ));
    }
    let ogr_s = f[0].trim();
    let ogr: u32 = match ogr_s.parse::<u32>() {
        Ok(o) if o > 0 && !is_synthetic_ogr(o) => o,
        _ => {
            return Err(format!(
                "code OGR invalide « {ogr_s} » (nombre entier positif attendu)"
            ))
        }
    };
    let rome = f[1].trim();
    if !is_rome_code(rome) {
        return Err(format!(
            "code ROME invalide « {rome} » (attendu : une lettre majuscule et quatre chiffres, ex. K1202)"
        ));
    }
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .trim()
            .to_string()
    };
    let label = clean(&f[2]);
    if label.is_empty() {
        return Err("libellé de l'appellation vide".to_string());
    }
    let short = clean(&f[3]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        assert_eq!(split_fields("a;b;c").unwrap(), vec!["a", "b", "c"]);
        assert_eq!(
            split_fields("1;\"x;y\";\"il a dit \"\"oui\"\"\";").unwrap(),
            vec!["1", "x;y", "il a dit \"oui\"", ""]
        );
        assert!(split_fields("1;\"abc").is_err());
        assert_eq!(split_fields("a\"b;c").unwrap(), vec!["a\"b", "c"]);
    }

    #[test]
    fn line_rules() {
        assert!(parse_line("10;K1202;Éducateur;").is_ok());
        assert_eq!(
            parse_line("10;K1202;Éducateur;").unwrap().short_label,
            "Éducateur"
        );
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
