//! The agenda and immersion exports through the built binary: `passerelle
//! agenda` (text and JSON), `export ics` (checked field by field on a real
//! export: escaping, folding of long lines with multi-byte characters,
//! VTIMEZONE, stable UIDs across two exports, initials with --anonyme),
//! `export immersions --format csv` (quoting, anonymous and nominative
//! columns), `export convention` (content, escaping), and exit codes. Each
//! test writes its own records in a temp data directory.

mod common;

use chrono::{DateTime, Utc};
use common::{day as d, exits as run, id, meta};
use passerelle::domain::agenda::from_paris;
use passerelle::domain::immersion::{Host, ImmersionObjective, ImmersionStatus, Tutor};
use passerelle::domain::*;
use passerelle::store::{AnyRecord, Store, Write};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn paris(day: u32, m: u32, h: u32, min: u32) -> DateTime<Utc> {
    from_paris(d(day, m).and_hms_opt(h, min, 0).unwrap())
}

/// A session topic longer than a content line, with multi-byte letters.
const LONG_TOPIC: &str = "Métiers de l'accompagnement éducatif et social, aide à \
     domicile ; petite enfance — présentation détaillée à Lyon";
/// A name with the characters iCalendar escapes.
const ODD_LAST: &str = "Ñúñez; O'Brien, \\X";

/// Léa DUPONT in immersion at « <b>Régie</b> & Co; "Nord" » from Monday 7 to
/// Friday 11 December 2026, with an interview planned on Wednesday 9 at
/// 10:00 (a conflict); Zoé with an odd name and an interview on Tuesday;
/// a session with a long topic and a two-line place.
fn fixture(dir: &Path) -> (Id, Immersion) {
    let store = Store::open(&dir.join("base")).unwrap();
    let lea = Beneficiary::new(id(1), "Dupont", "Léa", meta());
    let zoe = Beneficiary::new(id(2), ODD_LAST, "Zoé", meta());
    let mut imm = Immersion::new(id(10), lea.id, d(7, 12), d(11, 12), meta());
    imm.host = Host {
        name: "<b>Régie</b> & Co; \"Nord\"".into(),
        siret: Some("12002701600357".into()),
        address: "12 rue du Nord, 69009 Lyon".into(),
        idcc: Some("3016".into()),
        branch: None,
        activity: "=Entretien des espaces".into(),
    };
    imm.tutor = Tutor {
        name: "Claire Durand".into(),
        role: "Encadrante".into(),
        phone: Some("04 72 00 00 00".into()),
        email: None,
    };
    imm.objective = Some(ImmersionObjective::DecouvrirMetier);
    imm.set_schedule("lun-ven 9h-12h 13h30-17h").unwrap();
    imm.status = ImmersionStatus::Signee;
    let iv = |n: u8, who: Id, at: DateTime<Utc>| Interview {
        id: id(n),
        beneficiary: who,
        at,
        duration_minutes: 60,
        level: CepLevel::AccompagnementPersonnalise,
        mode: InterviewMode::OnSite,
        place: "Permanence, bureau 2".into(),
        topics: String::new(),
        summary: String::new(),
        decisions: String::new(),
        next_follow_up: None,
        planned: true,
        meta: meta(),
    };
    let writes: Vec<Write> = [
        AnyRecord::from(lea.clone()),
        AnyRecord::from(zoe.clone()),
        AnyRecord::from(imm.clone()),
        AnyRecord::from(iv(20, lea.id, paris(9, 12, 10, 0))),
        AnyRecord::from(iv(21, zoe.id, paris(8, 12, 16, 30))),
    ]
    .into_iter()
    .map(Write::Put)
    .collect();
    store.apply(&writes).unwrap();
    store
        .save_session(&InfoSession {
            id: id(30),
            start: paris(10, 12, 14, 0),
            duration_minutes: 90,
            place: "Salle 2\nBâtiment B".into(),
            video_link: String::new(),
            topic: LONG_TOPIC.into(),
            organiser: "CEP Lyon".into(),
            capacity: 10,
            meta: meta(),
        })
        .unwrap();
    store
        .apply(&[Write::Put(AnyRecord::from(SessionRegistration {
            id: id(31),
            session: id(30),
            beneficiary: zoe.id,
            registered_on: d(1, 12),
            meta: meta(),
        }))])
        .unwrap();
    (lea.id, imm)
}

const WEEK: [&str; 4] = ["--du", "2026-12-07", "--au", "13/12/2026"];

/// Undoes RFC 5545 folding.
fn unfold(text: &str) -> String {
    text.replace("\r\n ", "")
}

/// The logical lines of a calendar.
fn logical(text: &str) -> Vec<String> {
    unfold(text)
        .trim_end_matches("\r\n")
        .split("\r\n")
        .map(str::to_string)
        .collect()
}

/// The `VEVENT`s, each as its logical lines.
fn events(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<String>> = None;
    for l in logical(text) {
        match l.as_str() {
            "BEGIN:VEVENT" => cur = Some(Vec::new()),
            "END:VEVENT" => out.extend(cur.take()),
            _ => {
                if let Some(c) = cur.as_mut() {
                    c.push(l)
                }
            }
        }
    }
    out
}

fn field<'a>(ev: &'a [String], name: &str) -> Option<&'a str> {
    ev.iter().find_map(|l| {
        l.strip_prefix(name)
            .filter(|r| r.starts_with(':') || r.starts_with(';'))
    })
}

#[test]
fn ics_is_valid_field_by_field_and_stable_across_exports() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let file = dir.path().join("agenda.ics");
    let mut args = vec!["export", "ics"];
    args.extend(WEEK);
    let file_s = file.display().to_string();
    let mut to_file = args.clone();
    to_file.extend(["--sortie", file_s.as_str()]);
    let (out, err) = run(dir.path(), &to_file, 0);
    assert!(out.contains("Écrit :"), "{out}");
    assert!(err.contains("données personnelles"), "{err}");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&file).unwrap();

    // Every physical line ends with CRLF, is at most 75 octets, and is
    // whole UTF-8 (a fold never splits a character).
    assert!(text.ends_with("\r\n"));
    let raw = std::fs::read(&file).unwrap();
    for line in raw.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        assert!(line.len() <= 75, "{} octets", line.len());
        assert!(std::str::from_utf8(line).is_ok(), "a character was split");
    }
    assert!(
        text.lines().any(|l| l.starts_with(' ')),
        "the long topic is folded"
    );
    let lines = logical(&text);
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    for l in [
        "VERSION:2.0",
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Paris",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "TZOFFSETTO:+0200",
        "TZOFFSETTO:+0100",
        "END:VTIMEZONE",
    ] {
        assert!(lines.iter().any(|x| x == l), "{l}");
    }

    let evs = events(&text);
    // 5 immersion days, 2 interviews, 1 session.
    assert_eq!(evs.len(), 8, "{evs:#?}");
    for ev in &evs {
        for f in ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"] {
            assert!(field(ev, f).is_some(), "{f} in {ev:?}");
        }
        assert!(field(ev, "DTSTAMP").unwrap().ends_with('Z'));
    }
    let by_summary = |s: &str| {
        evs.iter()
            .find(|e| field(e, "SUMMARY").is_some_and(|v| v.contains(s)))
            .unwrap_or_else(|| panic!("{s} in {evs:#?}"))
    };
    let lea_iv = by_summary("Entretien — DUPONT Léa");
    assert_eq!(
        field(lea_iv, "DTSTART"),
        Some(";TZID=Europe/Paris:20261209T100000")
    );
    assert_eq!(
        field(lea_iv, "DTEND"),
        Some(";TZID=Europe/Paris:20261209T110000")
    );
    assert_eq!(field(lea_iv, "LOCATION"), Some(":Permanence\\, bureau 2"));
    assert!(field(lea_iv, "CATEGORIES").unwrap().contains("Conflit"));
    // `;` `,` `\` escaped in the odd name.
    let zoe_iv = by_summary("Entretien — ");
    let zoe_iv = if field(zoe_iv, "SUMMARY").unwrap().contains("DUPONT") {
        evs.iter()
            .find(|e| field(e, "SUMMARY").unwrap().contains("ÑÚÑEZ"))
            .unwrap()
    } else {
        zoe_iv
    };
    assert_eq!(
        field(zoe_iv, "SUMMARY"),
        Some(":Entretien — ÑÚÑEZ\\; O'BRIEN\\, \\\\X Zoé")
    );
    // A line break in the place becomes `\n`; the long topic unfolds whole.
    let session = by_summary("Séance d'information");
    assert_eq!(field(session, "LOCATION"), Some(":Salle 2\\nBâtiment B"));
    assert_eq!(
        field(session, "SUMMARY").unwrap(),
        ":Séance d'information — Métiers de l'accompagnement éducatif et social\\, aide à \
         domicile \\; petite enfance — présentation détaillée à Lyon"
    );
    let day1 = by_summary("Immersion — DUPONT Léa");
    assert!(field(day1, "DESCRIPTION")
        .unwrap()
        .contains("Horaires : 9:00–12:00 13:30–17:00"));
    assert_eq!(
        field(day1, "DTSTART"),
        Some(";TZID=Europe/Paris:20261207T090000")
    );

    // A second export (to stdout) gives the same UIDs.
    let (again, _) = run(dir.path(), &args, 0);
    let uids = |t: &str| {
        let mut v: Vec<String> = events(t)
            .iter()
            .map(|e| field(e, "UID").unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(uids(&text), uids(&again));
    let u = uids(&text);
    let mut dedup = u.clone();
    dedup.dedup();
    assert_eq!(dedup.len(), u.len(), "UIDs are unique");
    assert!(u.iter().all(|x| x.ends_with("@passerelle")));
}

#[test]
fn ics_anonyme_puts_initials_and_says_nothing_personal() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let mut args = vec!["export", "ics", "--anonyme"];
    args.extend(WEEK);
    let (text, err) = run(dir.path(), &args, 0);
    assert!(!text.contains("DUPONT") && !text.contains("Dupont"));
    assert!(!text.contains("Léa") && !unfold(&text).contains("ÑÚÑEZ"));
    assert!(
        unfold(&text).contains("SUMMARY:Entretien — D. L."),
        "{text}"
    );
    assert!(!err.contains("données personnelles"), "{err}");
}

#[test]
fn agenda_json_has_the_documented_shape_and_text_lists_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let (lea, _) = fixture(dir.path());
    let mut args = vec!["agenda", "--json"];
    args.extend(WEEK);
    let (out, _) = run(dir.path(), &args, 0);
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 8);
    for r in &rows {
        let o = r.as_object().unwrap();
        let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            ["conflit", "debut", "dossier", "fin", "titre", "type"]
        );
        assert!(o["debut"].as_str().unwrap().len() == 16);
        assert!(
            ["entretien", "immersion", "seance", "echeance"].contains(&o["type"].as_str().unwrap())
        );
        assert!(o["conflit"].is_boolean());
    }
    let interview = rows
        .iter()
        .find(|r| r["titre"] == "Entretien — DUPONT Léa")
        .unwrap();
    assert_eq!(interview["debut"], "2026-12-09T10:00");
    assert_eq!(interview["fin"], "2026-12-09T11:00");
    assert_eq!(interview["dossier"], lea.to_string());
    assert_eq!(interview["conflit"], true);
    let session = rows.iter().find(|r| r["type"] == "seance").unwrap();
    assert!(session["dossier"].is_null());
    assert_eq!(rows.iter().filter(|r| r["conflit"] == true).count(), 2);

    let mut args = vec!["agenda"];
    args.extend(WEEK);
    let (text, _) = run(dir.path(), &args, 0);
    for part in [
        "mercredi 9 décembre 2026",
        "mer. 09/12 10:00–11:00  Entretien — DUPONT Léa · présentiel · à venir  ⚠ conflit",
        "1 conflit :",
        "⚠ conflit : Entretien — DUPONT Léa (mer. 09/12 10:00–11:00) pendant Immersion",
    ] {
        assert!(text.contains(part), "« {part} » absent :\n{text}");
    }
    let (empty, _) = run(
        dir.path(),
        &["agenda", "--du", "2027-03-01", "--au", "2027-03-02"],
        0,
    );
    assert_eq!(empty, "Rien à l'agenda du 01/03/2027 au 02/03/2027.\n");
}

#[test]
fn immersions_csv_quotes_and_keeps_identifiers_for_nominatif_only() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let (anon, err) = run(dir.path(), &["export", "immersions", "--format", "csv"], 0);
    assert!(!err.contains("données personnelles"), "{err}");
    assert!(anon.starts_with('\u{feff}'), "BOM for Excel");
    assert!(anon.contains("\r\n"));
    let parse = |t: &str| {
        let mut r = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(t.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|x| x.unwrap().iter().map(str::to_string).collect())
            .collect();
        (header, rows)
    };
    let (h, rows) = parse(&anon);
    assert_eq!(h.len(), 24);
    assert!(!h.iter().any(|c| c == "bénéficiaire" || c == "tuteur"));
    assert_eq!(rows.len(), 1);
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    // Quoting round-trips `;` and `"`; a leading `=` is neutralised.
    assert_eq!(
        rows[0][col("structure d'accueil")],
        "<b>Régie</b> & Co; \"Nord\""
    );
    assert!(anon.contains("\"<b>Régie</b> & Co; \"\"Nord\"\"\""));
    assert_eq!(rows[0][col("activité")], "'=Entretien des espaces");
    assert_eq!(rows[0][col("heures totales")], "32,50");
    assert_eq!(rows[0][col("statut")], "signée");
    assert!(!anon.contains("Dupont") && !anon.contains("Claire"));

    let (nom, err) = run(
        dir.path(),
        &["export", "immersions", "--format", "csv", "--nominatif"],
        0,
    );
    assert!(err.contains("données personnelles"), "{err}");
    let (h, rows) = parse(&nom);
    assert_eq!(h.len(), 33);
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    assert_eq!(rows[0][col("bénéficiaire")], "DUPONT Léa");
    assert_eq!(rows[0][col("tuteur")], "Claire Durand");
    let (_, err) = run(dir.path(), &["export", "immersions", "--format", "xls"], 2);
    assert!(err.contains("format inconnu « xls » (csv)"), "{err}");
}

#[test]
fn convention_sheet_lists_missing_fields_first_and_escapes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (_, imm) = fixture(dir.path());
    let short = imm.id.short();
    let (html, err) = run(
        dir.path(),
        &["export", "convention", &short, "--format", "html"],
        0,
    );
    assert!(err.contains("données personnelles"), "{err}");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(html.contains("&lt;b&gt;Régie&lt;/b&gt; &amp; Co; &quot;Nord&quot;"));
    assert!(!html.contains("<b>Régie</b>"));
    let missing = html
        .find("Champs manquants")
        .expect("missing fields listed");
    assert!(missing < html.find("<h2>1. Prescripteur</h2>").unwrap());
    for f in [
        "• métier visé",
        "• prescripteur",
        "• tâches confiées",
        "• tuteur : fonction",
    ] {
        let present = html.contains(f);
        assert_eq!(present, f != "• tuteur : fonction", "{f}");
    }
    assert!(html.contains("<dt>Nombre d&#39;heures</dt><dd>32 h 30</dd>"));
    assert!(html.contains("Conseiller référent"));
    // Markdown: the same content, escaped for Markdown; to a 0600 file.
    let out = dir.path().join("convention.md");
    let out_s = out.display().to_string();
    run(
        dir.path(),
        &[
            "export",
            "convention",
            &imm.id.to_string(),
            "--format",
            "md",
            "--sortie",
            &out_s,
        ],
        0,
    );
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains("\\<b\\>Régie\\</b\\> &amp; Co; \"Nord\""),
        "{md}"
    );
    assert!(md.contains("## 1\\. Prescripteur"));
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn exit_codes_of_the_agenda_commands() {
    let dir = tempfile::tempdir().unwrap();
    // No store yet: 2, and nothing is created.
    let (_, err) = run(dir.path(), &["agenda"], 2);
    assert!(err.contains("Aucune base dans"), "{err}");
    assert!(!dir.path().join("base").exists());
    fixture(dir.path());
    let (_, err) = run(dir.path(), &["agenda", "--du", "31/02/2026"], 2);
    assert!(
        err.contains("valeur invalide « 31/02/2026 » pour « --du"),
        "{err}"
    );
    let (_, err) = run(
        dir.path(),
        &["export", "ics", "--du", "2026-12-10", "--au", "2026-12-01"],
        2,
    );
    assert!(err.contains("précède la date de début"), "{err}");
    let (_, err) = run(
        dir.path(),
        &["export", "convention", "0123456789abcdef", "--format", "md"],
        2,
    );
    assert!(
        err.contains("aucune immersion ne porte l'identifiant"),
        "{err}"
    );
    let (_, err) = run(
        dir.path(),
        &["export", "convention", "xyz", "--format", "md"],
        2,
    );
    assert!(err.contains("identifiant d'immersion invalide"), "{err}");
    let (_, err) = run(
        dir.path(),
        &[
            "export",
            "convention",
            "0123456789abcdef",
            "--format",
            "pdf",
        ],
        2,
    );
    assert!(err.contains("format inconnu « pdf » (html ou md)"), "{err}");
    // A file that cannot be written: 1.
    let (_, err) = run(
        dir.path(),
        &["export", "ics", "--sortie", "/nonexistent-dir/x.ics"],
        1,
    );
    assert!(err.contains("non écrit"), "{err}");
}
