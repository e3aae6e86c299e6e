//! The scripted commands about people, through the built binary:
//! `beneficiaires import|liste|export|supprimer`, `purge`, `demo`.
//! Each test has its own temp data directory (never the real home).

mod common;

use chrono::{DateTime, Days, Local, NaiveDate, NaiveTime, Utc};
use common::{cli, exits, fails, ok, stderr, stdout};
use passerelle::domain::*;
use passerelle::store::{DumpRow, Store};
use passerelle::transfer::short_id;
use serde_json::Value;
use std::path::Path;

// ----- helpers ----------------------------------------------------------------

fn open(dir: &Path) -> Store {
    Store::open(&dir.join("base")).unwrap()
}

fn dump(dir: &Path) -> Vec<DumpRow> {
    open(dir).dump().unwrap()
}

fn liste_json(dir: &Path) -> Vec<Value> {
    let out = ok(dir, &["beneficiaires", "liste", "--json"]);
    match serde_json::from_str(&out).unwrap() {
        Value::Array(a) => a,
        v => panic!("not an array: {v}"),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).unwrap()
}

fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap())
        .and_utc()
}

fn id(n: u8) -> Id {
    Id::new_v7(1_780_000_000_000 + n as u64, [n; 10])
}

fn person(n: u8, last: &str, first: &str) -> Beneficiary {
    let mut b = Beneficiary::new(id(n), last, first, Meta::new(noon(days_ago(1000)), "Test"));
    b.email = Some(format!("{}.{}@exemple.invalid", first, last).to_lowercase());
    b
}

fn closed(mut b: Beneficiary, last_contact: NaiveDate) -> Beneficiary {
    b.last_contact = Some(last_contact);
    b.status = Status::Closed {
        on: last_contact,
        reason: "projet abouti".into(),
    };
    b
}

fn interview(n: u8, ben: Id, day: NaiveDate) -> Interview {
    Interview {
        id: id(n),
        beneficiary: ben,
        at: noon(day),
        duration_minutes: 60,
        level: CepLevel::AccompagnementPersonnalise,
        mode: InterviewMode::Video,
        place: String::new(),
        topics: "pistes métiers".into(),
        summary: format!("Résumé de l'entretien {n}"),
        decisions: "enquête métier".into(),
        next_follow_up: Some(day.checked_add_days(Days::new(30)).unwrap()),
        planned: false,
        meta: Meta::new(noon(day), "Test"),
    }
}

fn plan(n: u8, ben: Id) -> Plan {
    let mut p = Plan::new(
        id(n),
        ben,
        days_ago(10),
        Meta::new(noon(days_ago(10)), "Test"),
    );
    let mut s = Step::new(id(n + 100), StepKind::Formation, "Formation fictive");
    s.due = Some(today());
    s.cost = Cents(150_000);
    p.add_step(s);
    p
}

/// Built in the first layout (`immersion::v1`, what the v1 fixture store
/// holds) and converted, as the store does when it reads version 1.
fn immersion(n: u8, ben: Id) -> Immersion {
    immersion::v1::Immersion {
        id: id(n),
        beneficiary: ben,
        target: TargetMetier {
            ogr: 1,
            rome: "K1207".into(),
            label: "Animateur".into(),
        },
        host: immersion::v1::Host::default(),
        tutor: immersion::v1::Tutor::default(),
        start: days_ago(20),
        end: days_ago(15),
        schedule: String::new(),
        objective: "découvrir".into(),
        status: immersion::v1::ImmersionStatus::Done,
        debrief: String::new(),
        meta: Meta::new(noon(days_ago(20)), "Test"),
    }
    .into()
}

// ----- import -----------------------------------------------------------------

#[test]
fn import_prints_a_report_and_exits_1_when_lines_were_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("dossiers.csv");
    std::fs::write(
        &csv,
        "\u{feff}nom;prenom;email;idcc;contrat\r\n\
         Dupont;Léa;lea@exemple.fr;1261;CDI\r\n\
         Martin;Inès;ines.exemple.fr;;\r\n\
         \r\n\
         Durand;Luc;;9999;\r\n\
         DUPONT;Lea;LEA@exemple.fr;;\r\n\
         Bernard;Zoé;zoe@exemple.fr;3016;contrat aidé\r\n",
    )
    .unwrap();
    let (out, err) = exits(
        dir.path(),
        &["beneficiaires", "import", csv.to_str().unwrap()],
        1,
    );
    assert!(out.contains("2 dossiers créés"), "{out}");
    assert!(err.contains("3 lignes non importées"), "{err}");
    assert!(
        out.contains("ligne 3 : adresse e-mail invalide : il manque « @ »"),
        "{out}"
    );
    assert!(out.contains("ligne 5 : IDCC inconnu : « 9999 »"), "{out}");
    assert!(out.contains("ligne 6 : doublon de la ligne 2"), "{out}");
    let list = liste_json(dir.path());
    let mut names: Vec<&str> = list.iter().map(|o| o["nom"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, vec!["Bernard", "Dupont"]);

    // Importing again doubles nothing.
    let (out, _) = exits(
        dir.path(),
        &["beneficiaires", "import", csv.to_str().unwrap()],
        1,
    );
    assert!(out.contains("0 dossier créé"), "{out}");
    assert!(out.contains("ligne 2 : déjà enregistré (dossier "), "{out}");
    assert_eq!(liste_json(dir.path()).len(), 2);
}

#[test]
fn import_of_unreadable_or_wrong_files_exits_2_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let err = fails(
        dir.path(),
        &["beneficiaires", "import", &p("absent.csv")],
        2,
    );
    assert!(err.contains("impossible de lire"), "{err}");

    std::fs::write(p("latin1.csv"), b"nom;prenom\nDupont;L\xE9a\n").unwrap();
    let err = fails(
        dir.path(),
        &["beneficiaires", "import", &p("latin1.csv")],
        2,
    );
    assert!(err.contains("ligne 2") && err.contains("UTF-8"), "{err}");

    std::fs::write(p("entete.csv"), "name;first_name\nDupont;Léa\n").unwrap();
    let err = fails(
        dir.path(),
        &["beneficiaires", "import", &p("entete.csv")],
        2,
    );
    assert!(err.contains("en-tête invalide"), "{err}");
    assert!(err.contains("nom;prenom;email"), "{err}");

    assert!(liste_json(dir.path()).is_empty());
}

#[test]
fn import_shows_no_progress_bar_when_not_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("grand.csv");
    let mut text = String::from("nom,prenom,email\n");
    for i in 0..150 {
        text.push_str(&format!("Nom,Prénom,p{i}@exemple.fr\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let o = cli(
        dir.path(),
        &["beneficiaires", "import", csv.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("150 dossiers créés"));
    assert!(stderr(&o).is_empty(), "stderr: {}", stderr(&o));
}

// ----- liste ------------------------------------------------------------------

#[test]
fn liste_json_has_the_documented_shape_and_the_table_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    // No store: a read command creates nothing and says so (exit 2).
    let err = fails(dir.path(), &["beneficiaires", "liste", "--json"], 2);
    assert!(err.contains("Aucune base dans"), "{err}");
    assert!(!dir.path().join("base").exists());
    drop(open(dir.path()));
    assert_eq!(
        ok(dir.path(), &["beneficiaires", "liste", "--json"]).trim(),
        "[]"
    );
    {
        let s = open(dir.path());
        let mut a = person(1, "Dupont", "Léa");
        a.branch = Some("ALISFA".into());
        a.next_follow_up = Some(NaiveDate::from_ymd_opt(2031, 3, 9).unwrap());
        s.save_beneficiary(&a).unwrap();
        s.save_beneficiary(&closed(person(2, "Abadie", "Jo"), days_ago(3)))
            .unwrap();
    }
    let list = liste_json(dir.path());
    assert_eq!(list.len(), 2);
    for o in &list {
        let o = o.as_object().unwrap();
        for k in ["id", "nom", "prenom", "idcc", "statut", "prochain_suivi"] {
            assert!(o.contains_key(k), "missing {k}: {o:?}");
        }
        assert!(o["id"].as_str().unwrap().parse::<Id>().is_ok());
        assert!(matches!(o["statut"].as_str(), Some("ouvert" | "clos")));
    }
    // Sorted by last name.
    assert_eq!(list[0]["nom"], "Abadie");
    assert_eq!(list[0]["statut"], "clos");
    assert_eq!(list[0]["idcc"], Value::Null);
    assert_eq!(list[0]["prochain_suivi"], Value::Null);
    assert_eq!(list[1]["id"], id(1).to_string());
    assert_eq!(list[1]["prenom"], "Léa");
    assert_eq!(list[1]["idcc"], "1261");
    assert_eq!(list[1]["statut"], "ouvert");
    assert_eq!(list[1]["prochain_suivi"], "2031-03-09");

    let table = ok(dir.path(), &["beneficiaires", "liste"]);
    let head = table.lines().next().unwrap();
    for col in ["nom", "prénom", "branche", "statut", "prochain suivi"] {
        assert!(head.contains(col), "{head}");
    }
    let lea = table.lines().find(|l| l.contains("DUPONT")).unwrap();
    assert!(lea.contains("Léa") && lea.contains("ALISFA") && lea.contains("ouvert"));
    assert!(lea.contains("09/03/2031"), "{lea}");
    assert!(lea.starts_with(&short_id(id(1))), "{lea}");
    assert!(table.contains("2 dossiers"), "{table}");
}

#[test]
fn a_locked_store_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let _held = open(dir.path());
    let err = fails(dir.path(), &["beneficiaires", "liste"], 2);
    assert!(err.contains("déjà ouvert"), "{err}");
}

// ----- export -----------------------------------------------------------------

#[test]
fn export_contains_everything_about_the_person_and_only_them() {
    let dir = tempfile::tempdir().unwrap();
    let lea = person(1, "Dupont", "Léa");
    let other = person(2, "Martin", "Inès");
    {
        let s = open(dir.path());
        s.save_beneficiary(&lea).unwrap();
        s.save_beneficiary(&other).unwrap();
        s.save_interview(&interview(10, lea.id, days_ago(40)))
            .unwrap();
        s.save_interview(&interview(11, lea.id, days_ago(5)))
            .unwrap();
        s.save_interview(&interview(12, other.id, days_ago(5)))
            .unwrap();
        s.save_plan(&plan(13, lea.id)).unwrap();
        s.save_immersion(&immersion(14, lea.id)).unwrap();
    }
    let out = ok(
        dir.path(),
        &["beneficiaires", "export", &lea.id.to_string()],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["format"], "passerelle.export-personne");
    assert_eq!(v["version"], 2);
    assert_eq!(v["dossier"]["identifiant"], lea.id.to_string());
    assert_eq!(v["dossier"]["prenom"], "Léa");
    let ints = v["entretiens"].as_array().unwrap();
    assert_eq!(ints.len(), 2);
    assert_eq!(ints[0]["identifiant"], id(11).to_string(), "newest first");
    assert_eq!(ints[0]["synthese"], "Résumé de l'entretien 11");
    assert_eq!(ints[1]["synthese"], "Résumé de l'entretien 10");
    // Readable dates and instants.
    assert_eq!(
        ints[1]["date_heure"],
        format!("{}T12:00:00Z", days_ago(40).format("%Y-%m-%d"))
    );
    assert_eq!(
        ints[1]["prochain_suivi"],
        days_ago(10).format("%Y-%m-%d").to_string()
    );
    assert_eq!(v["parcours"].as_array().unwrap().len(), 1);
    assert_eq!(v["parcours"][0]["etapes"][0]["cout_euros"], "1500.00");
    assert_eq!(
        v["immersions"][0]["debut"],
        days_ago(20).format("%Y-%m-%d").to_string()
    );
    // Journal: creation of the file, 2 interviews, plan, immersion.
    assert_eq!(v["historique"].as_array().unwrap().len(), 5);
    assert!(
        !out.contains("Inès") && !out.contains("entretien 12"),
        "{out}"
    );

    // The short id works too.
    let short = ok(dir.path(), &["beneficiaires", "export", &short_id(lea.id)]);
    assert!(short.contains("Résumé de l'entretien 11"));
}

#[test]
fn export_of_an_unknown_or_invalid_id_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path())
        .save_beneficiary(&person(1, "Dupont", "Léa"))
        .unwrap();
    let err = fails(
        dir.path(),
        &["beneficiaires", "export", &id(9).to_string()],
        2,
    );
    assert!(err.contains("aucun dossier"), "{err}");
    let err = fails(dir.path(), &["beneficiaires", "export", "pas-un-id"], 2);
    assert!(err.contains("identifiant invalide"), "{err}");
}

// ----- supprimer --------------------------------------------------------------

#[test]
fn supprimer_erases_the_file_and_everything_linked_leaving_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let gone = person(1, "Effacée", "Personne");
    let kept = person(2, "Gardée", "Autre");
    let gone_ids = [gone.id, id(10), id(11), id(13), id(14)];
    {
        let s = open(dir.path());
        let mut g = gone.clone();
        g.next_follow_up = Some(today());
        s.save_beneficiary(&g).unwrap();
        s.save_beneficiary(&kept).unwrap();
        s.save_interview(&interview(10, gone.id, days_ago(40)))
            .unwrap();
        s.save_interview(&interview(11, gone.id, days_ago(5)))
            .unwrap();
        s.save_interview(&interview(12, kept.id, days_ago(5)))
            .unwrap();
        s.save_plan(&plan(13, gone.id)).unwrap();
        s.save_immersion(&immersion(14, gone.id)).unwrap();
        s.set_recent(&[gone.id, kept.id]).unwrap();
        s.flush().unwrap();
    }
    let kept_export = |dir: &Path| {
        let mut v: Value =
            serde_json::from_str(&ok(dir, &["beneficiaires", "export", &kept.id.to_string()]))
                .unwrap();
        v.as_object_mut().unwrap().remove("exporte_le");
        v
    };
    let kept_before = kept_export(dir.path());
    let before = dump(dir.path());

    // Without --oui and without a terminal: refused, nothing changes.
    let err = fails(
        dir.path(),
        &["beneficiaires", "supprimer", &gone.id.to_string()],
        2,
    );
    assert!(err.contains("--oui"), "{err}");
    assert_eq!(dump(dir.path()), before);

    let out = ok(
        dir.path(),
        &["beneficiaires", "supprimer", &short_id(gone.id), "--oui"],
    );
    assert!(out.contains("EFFACÉE Personne"), "{out}");
    // 1 file + 2 interviews + 1 plan + 1 immersion + 5 journal entries.
    assert!(out.contains("10 enregistrements effacés"), "{out}");
    assert!(out.contains("2 entretiens"), "{out}");

    let after = dump(dir.path());
    assert!(after.len() < before.len());
    for (tree, k, v) in &after {
        for i in &gone_ids {
            if (tree == "erased" && k.as_slice() == gone.id.0) || (tree == "audit" && *i == gone.id)
            {
                // The erasure register and the audit log keep the bare id
                // of the file, nothing else of it (see the README).
                continue;
            }
            assert!(!contains(k, &i.0), "id {i} in a key of {tree}");
            assert!(!contains(v, &i.0), "id {i} in a value of {tree}");
        }
        assert!(!contains(v, "Effacée".as_bytes()), "name in {tree}");
        assert!(!contains(v, b"personne.effac"), "e-mail in {tree}");
    }
    // Every tree lost only what belonged to the person.
    let s = open(dir.path());
    let lengths: std::collections::HashMap<String, usize> =
        s.tree_names_and_lengths().unwrap().into_iter().collect();
    let expect = [
        ("beneficiaries", 1),
        ("interviews", 1),
        ("plans", 0),
        ("immersions", 0),
        ("idx_follow_up", 0),
        ("idx_children", 1),
        ("idx_interviews_by_date", 1),
        ("erased", 1),
        ("journal", 2),
        ("idx_journal_by_beneficiary", 2),
    ];
    for (tree, n) in expect {
        assert_eq!(lengths.get(tree), Some(&n), "{tree}: {lengths:?}");
    }
    assert_eq!(s.recent().unwrap(), vec![kept.id]);
    drop(s);
    assert_eq!(
        kept_export(dir.path()),
        kept_before,
        "the other file is intact"
    );

    let err = fails(
        dir.path(),
        &["beneficiaires", "supprimer", &gone.id.to_string(), "--oui"],
        2,
    );
    assert!(err.contains("aucun dossier"), "{err}");
}

// ----- purge ------------------------------------------------------------------

/// Four closed or open files around the 730-day limit; returns the one a
/// default purge must erase.
fn purge_fixture(dir: &Path) -> Id {
    let s = open(dir);
    // Closed, last contact 3 years ago, with an old interview: to purge.
    let old = closed(person(1, "Ancien", "Clos"), days_ago(1100));
    s.save_beneficiary(&old).unwrap();
    s.save_interview(&interview(10, old.id, days_ago(1100)))
        .unwrap();
    // Open, same old contact: kept (only closed files are purged).
    s.save_beneficiary(&{
        let mut b = person(2, "Ancien", "Ouvert");
        b.last_contact = Some(days_ago(1100));
        b
    })
    .unwrap();
    // Closed recently: kept.
    s.save_beneficiary(&closed(person(3, "Recent", "Clos"), days_ago(100)))
        .unwrap();
    // Closed, stale last_contact but a recent interview: kept.
    let b = closed(person(4, "Revenu", "Clos"), days_ago(1100));
    s.save_beneficiary(&b).unwrap();
    s.save_interview(&interview(11, b.id, days_ago(200)))
        .unwrap();
    old.id
}

#[test]
fn purge_dry_run_lists_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    purge_fixture(dir.path());
    let before = dump(dir.path());
    let out = ok(dir.path(), &["purge", "--dry-run"]);
    assert!(out.contains("1 dossier clos"), "{out}");
    assert!(out.contains("ANCIEN Clos"), "{out}");
    assert!(!out.contains("Ouvert") && !out.contains("RECENT") && !out.contains("REVENU"));
    assert!(out.contains("rien n'a été effacé"), "{out}");
    assert_eq!(dump(dir.path()), before);

    // A shorter retention lists more, still without erasing.
    let out = ok(dir.path(), &["purge", "--avant-jours", "150", "--dry-run"]);
    assert!(out.contains("2 dossiers clos"), "{out}");
    assert!(
        out.contains("REVENU Clos") && !out.contains("RECENT"),
        "{out}"
    );
    assert_eq!(dump(dir.path()), before);
}

#[test]
fn purge_erases_only_old_closed_files_and_counts_records() {
    let dir = tempfile::tempdir().unwrap();
    let old = purge_fixture(dir.path());
    let out = ok(dir.path(), &["purge"]);
    // The file, its interview and their 2 journal entries.
    assert!(out.contains("4 enregistrements effacés"), "{out}");
    let s = open(dir.path());
    assert_eq!(s.beneficiary(old).unwrap(), None);
    let mut left: Vec<String> = s
        .beneficiaries()
        .unwrap()
        .records
        .iter()
        .map(|b| b.display_name())
        .collect();
    left.sort();
    assert_eq!(left, vec!["ANCIEN Ouvert", "RECENT Clos", "REVENU Clos"]);
    assert_eq!(s.interview(id(10)).unwrap(), None);
    assert!(s.interview(id(11)).unwrap().is_some());
    drop(s);
    let out = ok(dir.path(), &["purge"]);
    assert!(out.contains("rien à effacer"), "{out}");
}

// ----- demo -------------------------------------------------------------------

#[test]
fn demo_is_deterministic_fictional_and_refuses_a_non_empty_store() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let out = ok(a.path(), &["demo"]);
    assert!(out.contains("50 dossiers fictifs"), "{out}");
    ok(b.path(), &["demo"]);
    let names = |dir: &Path| {
        let mut v: Vec<(String, String, String)> = liste_json(dir)
            .iter()
            .map(|o| {
                (
                    o["nom"].as_str().unwrap().to_string(),
                    o["prenom"].as_str().unwrap().to_string(),
                    o["statut"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let na = names(a.path());
    assert_eq!(na.len(), 50);
    assert_eq!(na, names(b.path()));

    let s = open(a.path());
    let all = s.beneficiaries().unwrap().records;
    let branches: std::collections::BTreeSet<_> =
        all.iter().filter_map(|b| b.branch.clone()).collect();
    assert!(branches.len() >= 5, "{branches:?}");
    for ben in &all {
        assert!(ben.email.as_deref().unwrap().ends_with("@exemple.invalid"));
        assert!(ben.employer.name.starts_with("Association fictive"));
        let ivs = s.interviews_of(ben.id).unwrap();
        let n = ivs.iter().filter(|i| !i.planned).count();
        assert!((1..=3).contains(&n), "{n}");
    }
    drop(s);

    let before = dump(a.path());
    let err = fails(a.path(), &["demo"], 2);
    assert!(
        err.contains("50 dossiers") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(dump(a.path()), before);

    let out = ok(a.path(), &["demo", "--nombre", "3", "--force"]);
    assert!(out.contains("3 dossiers fictifs"), "{out}");
    assert_eq!(liste_json(a.path()).len(), 53);
    fails(a.path(), &["demo", "--nombre", "0", "--force"], 2);
}
