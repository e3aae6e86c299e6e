//! CSV files written for spreadsheets, with the `csv` crate's writer.
//!
//! Format (chosen for LibreOffice Calc and Excel in a French locale):
//! - `;` as separator (the `,` is the decimal separator there), decimal
//!   numbers with a comma (`31,50`);
//! - UTF-8 with a byte order mark, so that Excel does not read the accents
//!   as Windows-1252 (LibreOffice and `crate::csvfile` skip the BOM);
//! - CRLF line ends, fields quoted only when needed (`;`, `"`, line breaks),
//!   a `"` inside a field doubled;
//! - a cell that starts with `=`, `+`, `-`, `@`, a tab or a CR gets a
//!   leading `'`, so that a spreadsheet never runs typed text as a formula
//!   (CSV injection);
//! - dates `jj/mm/aaaa`.
//!
//! [`immersions_csv`] writes one row per immersion; identifying columns
//! (beneficiary, tutor, free-text reasons and comments) only when
//! `nominatif`.

use crate::domain::immersion::Immersion;
use crate::domain::schedule::fmt_decimal_hours;
use crate::domain::time::fmt_date;
use crate::domain::Id;

/// Byte order mark written first.
pub const BOM: &str = "\u{feff}";

/// Guards a cell against formula execution in spreadsheets.
pub fn cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// A whole CSV document: BOM, header, rows (each cell guarded by [`cell`]).
pub fn write_csv<S: AsRef<str>>(
    header: &[&str],
    rows: &[impl AsRef<[S]>],
) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.as_bytes().to_vec());
    let fail = |e: csv::Error| format!("écriture CSV impossible : {e}");
    w.write_record(header).map_err(fail)?;
    for r in rows {
        w.write_record(r.as_ref().iter().map(|c| cell(c.as_ref())))
            .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| format!("écriture CSV impossible : {}", e.error()))?;
    String::from_utf8(bytes).map_err(|_| "écriture CSV impossible : texte non UTF-8".to_string())
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "oui",
        Some(false) => "non",
        None => "",
    }
}

/// Columns of every export.
const COMMON: [&str; 24] = [
    "immersion",
    "début",
    "fin",
    "jours calendaires",
    "jours de présence",
    "heures totales",
    "heures par semaine",
    "horaires",
    "structure d'accueil",
    "SIRET",
    "IDCC",
    "branche",
    "activité",
    "code ROME",
    "métier visé",
    "objectif",
    "prescripteur",
    "sur le temps de travail",
    "statut",
    "renouvellement",
    "réalisation",
    "objectifs atteints",
    "embauche",
    "contrat proposé",
];

/// Columns added when `nominatif`.
const NOMINATIVE: [&str; 9] = [
    "dossier",
    "bénéficiaire",
    "tuteur",
    "fonction du tuteur",
    "téléphone du tuteur",
    "e-mail du tuteur",
    "motif du statut",
    "motif du renouvellement",
    "commentaires du bilan",
];

/// The header of [`immersions_csv`].
pub fn immersion_header(nominatif: bool) -> Vec<&'static str> {
    let mut h = COMMON.to_vec();
    if nominatif {
        h.extend(NOMINATIVE);
    }
    h
}

fn short(id: Id) -> String {
    id.short()
}

/// One row of [`immersions_csv`]; `name` is the beneficiary's name (used
/// only when `nominatif`).
pub fn immersion_row(i: &Immersion, name: &str, nominatif: bool) -> Vec<String> {
    let debrief = i.debrief.as_ref();
    let target = i.target.as_ref();
    let mut r = vec![
        short(i.id),
        fmt_date(i.start),
        fmt_date(i.end),
        i.calendar_days().to_string(),
        i.presence_days().len().to_string(),
        fmt_decimal_hours(i.total_minutes()),
        fmt_decimal_hours(i.weekly_minutes()),
        if i.schedule.is_empty() {
            i.schedule_text.clone()
        } else {
            i.schedule.canonical()
        },
        i.host.name.clone(),
        i.host.siret.clone().unwrap_or_default(),
        i.host.idcc.clone().unwrap_or_default(),
        i.host.branch.clone().unwrap_or_default(),
        i.host.activity.clone(),
        target.map(|t| t.rome.clone()).unwrap_or_default(),
        target.map(|t| t.label.clone()).unwrap_or_default(),
        i.objective
            .map(|o| o.label())
            .unwrap_or_default()
            .to_string(),
        i.prescriber
            .as_ref()
            .map(|p| p.kind.label())
            .unwrap_or_default()
            .to_string(),
        yes_no(i.on_working_time).to_string(),
        i.status.label().to_string(),
        yes_no(Some(i.is_renewal())).to_string(),
        debrief
            .and_then(|d| d.realisation)
            .map(|r| r.label())
            .unwrap_or_default()
            .to_string(),
        yes_no(debrief.and_then(|d| d.objectives_reached)).to_string(),
        yes_no(debrief.and_then(|d| d.hiring)).to_string(),
        debrief
            .and_then(|d| d.contract_offered)
            .map(|c| c.label())
            .unwrap_or_default()
            .to_string(),
    ];
    if nominatif {
        r.extend([
            short(i.beneficiary),
            name.to_string(),
            i.tutor.name.clone(),
            i.tutor.role.clone(),
            i.tutor.phone.clone().unwrap_or_default(),
            i.tutor.email.clone().unwrap_or_default(),
            i.status_reason.clone(),
            i.renewal_reason.clone(),
            debrief.map(|d| d.comments.clone()).unwrap_or_default(),
        ]);
    }
    r
}

/// The immersions export (`passerelle export immersions --format csv`): one
/// row per immersion, by start date then id, with the beneficiary's name
/// given alongside (ignored unless `nominatif`).
pub fn immersions_csv(items: &[(&Immersion, &str)], nominatif: bool) -> Result<String, String> {
    let mut sorted: Vec<&(&Immersion, &str)> = items.iter().collect();
    sorted.sort_by_key(|(i, _)| (i.start, i.id));
    let rows: Vec<Vec<String>> = sorted
        .iter()
        .map(|(i, name)| immersion_row(i, name, nominatif))
        .collect();
    write_csv(&immersion_header(nominatif), &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csvfile::parse;
    use crate::domain::immersion::fixtures::{complete, d, with_status};
    use crate::domain::immersion::{Debrief, ImmersionStatus, OfferedContract, Realisation};

    fn table(text: &str) -> crate::csvfile::Table {
        parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn quoting_of_separators_quotes_and_newlines() {
        let out = write_csv(
            &["a", "b", "c", "d"],
            &[vec![
                "x;y",
                "il a dit \"oui\"",
                "ligne 1\nligne 2",
                "simple",
            ]],
        )
        .unwrap();
        assert_eq!(
            out,
            "\u{feff}a;b;c;d\r\n\"x;y\";\"il a dit \"\"oui\"\"\";\"ligne 1\nligne 2\";simple\r\n"
        );
        // Our own reader gets the same cells back.
        let t = table(&out);
        assert_eq!(t.delimiter, ';');
        assert_eq!(t.header, vec!["a", "b", "c", "d"]);
        assert_eq!(
            t.records[0].fields,
            vec!["x;y", "il a dit \"oui\"", "ligne 1\nligne 2", "simple"]
        );
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(cell("=SOMME(A1:A9)"), "'=SOMME(A1:A9)");
        assert_eq!(cell("+33 6"), "'+33 6");
        assert_eq!(cell("-x"), "'-x");
        assert_eq!(cell("@x"), "'@x");
        assert_eq!(cell("31,50"), "31,50");
        assert_eq!(cell(""), "");
        let out = write_csv(&["h"], &[vec!["=1+1"]]).unwrap();
        assert!(out.ends_with("\r\n'=1+1\r\n"), "{out:?}");
    }

    fn debriefed() -> Immersion {
        let mut i = with_status(
            complete(1, d(2026, 12, 7), d(2026, 12, 18)),
            ImmersionStatus::Realisee,
        );
        i.tutor.name = "Claire Durand".into();
        i.debrief = Some(Debrief {
            on: Some(d(2026, 12, 21)),
            realisation: Some(Realisation::Partielle),
            objectives_reached: Some(false),
            hiring: Some(true),
            contract_offered: Some(OfferedContract::Cdd),
            comments: "Absente deux jours; à revoir avec \"Claire\"".into(),
        });
        i
    }

    #[test]
    fn one_row_per_immersion_without_identifiers_by_default() {
        let i = debriefed();
        let mut draft = complete(2, d(2026, 11, 2), d(2026, 11, 6));
        draft.schedule_text = "le matin".into();
        draft.schedule = Default::default();
        let out = immersions_csv(&[(&i, "Léa DUPONT"), (&draft, "Léa DUPONT")], false).unwrap();
        assert!(out.starts_with(BOM));
        for secret in [
            "Léa",
            "DUPONT",
            "Claire",
            "Durand",
            "04 72",
            "direction@",
            "Absente",
            &i.beneficiary.short(),
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        let t = table(&out);
        assert_eq!(t.header, COMMON.to_vec());
        assert_eq!(t.records.len(), 2);
        // Ordered by start: the November draft first.
        let r = &t.records[1].fields;
        let col = |name: &str| r[COMMON.iter().position(|c| *c == name).unwrap()].as_str();
        assert_eq!(col("immersion"), i.id.short());
        assert_eq!((col("début"), col("fin")), ("07/12/2026", "18/12/2026"));
        assert_eq!(col("jours calendaires"), "12");
        assert_eq!(col("jours de présence"), "10");
        assert_eq!(col("heures totales"), "65,00");
        assert_eq!(col("heures par semaine"), "32,50");
        assert_eq!(col("horaires"), "lun–ven 9:00–12:00 13:30–17:00");
        assert_eq!(col("structure d'accueil"), "Crèche Les Lucioles");
        assert_eq!(
            (col("SIRET"), col("IDCC"), col("branche")),
            ("12002701600357", "1261", "ALISFA")
        );
        assert_eq!(col("code ROME"), "K1202");
        assert_eq!(col("objectif"), "confirmer un projet professionnel");
        assert_eq!(col("prescripteur"), "France Travail");
        assert_eq!(col("sur le temps de travail"), "oui");
        assert_eq!(col("statut"), "réalisée");
        assert_eq!(col("renouvellement"), "non");
        assert_eq!(col("réalisation"), "réalisée partiellement");
        assert_eq!(
            (
                col("objectifs atteints"),
                col("embauche"),
                col("contrat proposé")
            ),
            ("non", "oui", "CDD")
        );
        let draft_row = &t.records[0].fields;
        assert_eq!(draft_row[7], "le matin");
        assert_eq!(draft_row[5], "0,00");
        assert_eq!(draft_row[20], "");
    }

    #[test]
    fn nominative_export_adds_the_people_and_quotes_their_text() {
        let i = debriefed();
        let out = immersions_csv(&[(&i, "Léa DUPONT")], true).unwrap();
        let t = table(&out);
        assert_eq!(t.header.len(), COMMON.len() + NOMINATIVE.len());
        let r = &t.records[0].fields;
        let extra = &r[COMMON.len()..];
        assert_eq!(
            extra,
            [
                i.beneficiary.short().as_str(),
                "Léa DUPONT",
                "Claire Durand",
                "Directrice",
                "04 72 00 00 00",
                "direction@lucioles.example",
                "",
                "",
                "Absente deux jours; à revoir avec \"Claire\"",
            ]
        );
        assert!(out.contains("\"Absente deux jours; à revoir avec \"\"Claire\"\"\""));
    }
}
