//! Update logic of the Bénéficiaires screen: validation, forms, undo / redo
//! (through the real runtime and a temporary store), sort, filter, search.

use super::*;
use crate::app::runtime::Runtime;
use crate::app::Keymap;
use crate::domain::time::FixedClock;
use crate::domain::{ConsentRecord, Status, TargetMetier};
use crate::store::Store;
use chrono::{DateTime, NaiveDate, Utc};
use ratatui::crossterm::event::KeyEventKind;

fn now() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap()
}

fn today() -> NaiveDate {
    now().date()
}

fn app() -> App {
    let mut a = App::new(Keymap::default(), now());
    a.size = (100, 30);
    a.benef.loaded = true;
    a.screen = Screen::Beneficiaires;
    a
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new_with_kind(c, KeyModifiers::NONE, KeyEventKind::Press)
}

fn type_text(a: &mut App, s: &str) {
    for c in s.chars() {
        let k = if c == '\n' {
            key(KeyCode::Enter)
        } else {
            key(KeyCode::Char(c))
        };
        a.update(Action::Text(k));
    }
}

/// Moves the focus of the open form to `field`.
fn focus(a: &mut App, field: &str) {
    let of = a.benef.form.as_mut().expect("a form is open");
    of.form.focus = of
        .form
        .fields
        .iter()
        .position(|f| f.key == field)
        .expect(field);
}

fn meta() -> Meta {
    Meta::new(
        DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap(),
        "test",
    )
}

fn ben(n: u32, last: &str, first: &str) -> Beneficiary {
    let mut r = [0u8; 10];
    r[..4].copy_from_slice(&n.to_be_bytes());
    Beneficiary::new(Id::new_v7(1_700_000_000_000, r), last, first, meta())
}

#[test]
fn every_file_field_accepts_and_rejects_as_typed() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("nom", &["Dupont", "N'Diaye-Éloi", "Le Goff"], &["", "R2D2"]),
        ("prenom", &["Léa", "Jean-Éric"], &["", "L3a"]),
        (
            "naissance",
            &["", "1984", "12/03/1984"],
            &["2020", "31/02/1984", "hier"],
        ),
        (
            "email",
            &["", "lea.dupont@exemple.fr"],
            &["lea.dupont", "a@b", "a b@c.fr"],
        ),
        (
            "telephone",
            &["", "06 12 34 56 78", "+33 6 12 34 56 78"],
            &["0612", "06-12-ab"],
        ),
        (
            "code_postal",
            &["", "69003", "97400"],
            &["6900", "00100", "A9003"],
        ),
        (
            "branche",
            &["", "ECLAT", "éclat", "1518", "1031", "alisfa"],
            &["9999", "banane"],
        ),
        (
            "siret",
            &["", "12002701600357", "120 027 016 00357"],
            &["12002701600358", "1234"],
        ),
        ("anc_entreprise", &["", "28"], &["-3", "700", "deux"]),
        (
            "niveau",
            &["", "aucun", "5", "niveau 6"],
            &["2", "9", "bac"],
        ),
        (
            "cpf",
            &["", "2 340,50", "1234"],
            &["deux mille", "250000", "12,345"],
        ),
        (
            "prochain_suivi",
            &["", "05/12/2026", "20/11/2026"],
            &["32/12/2026", "demain"],
        ),
        ("notice_date", &["", "14/11/2026"], &["01/01/2030", "14-11"]),
        ("commune", &["", "Lyon"], &[]),
    ];
    for (field, good, bad) in cases {
        for v in *good {
            let mut f = file_form::build(None, today(), crate::app::metiers::builtin_catalog());
            f.set(field, v);
            let fe = f.field(field).unwrap();
            assert_eq!(fe.error, None, "{field} = « {v} » should be accepted");
        }
        for v in *bad {
            let mut f = file_form::build(None, today(), crate::app::metiers::builtin_catalog());
            f.set(field, v);
            let fe = f.field(field).unwrap();
            assert!(fe.error.is_some(), "{field} = « {v} » should be refused");
        }
    }
    // Branch: the resolved name is shown next to the field.
    let mut f = file_form::build(None, today(), crate::app::metiers::builtin_catalog());
    f.set("branche", "1031");
    assert!(f
        .field("branche")
        .unwrap()
        .hint
        .as_deref()
        .unwrap()
        .contains("ÉCLAT"));
    // Cross-field rules: total seniority ≥ company seniority; closing reason.
    f.set("anc_entreprise", "30");
    f.set("anc_totale", "12");
    assert!(f.field("anc_totale").unwrap().error.is_some());
    f.set("anc_totale", "48");
    assert!(f.field("anc_totale").unwrap().error.is_none());
    f.set("statut", "clos");
    assert!(f
        .field("motif")
        .unwrap()
        .error
        .as_deref()
        .unwrap()
        .contains("motif"));
    f.set("motif", "reconversion réussie");
    assert!(f.field("motif").unwrap().error.is_none());
    // Consent: an agreement needs its date; the notice needs its version.
    f.set("partage", "oui");
    assert!(f.field("partage_date").unwrap().error.is_some());
    f.set("notice_date", "14/11/2026");
    f.set("notice_version", "");
    assert!(f.field("notice_version").unwrap().error.is_some());
}

#[test]
fn current_job_is_picked_from_the_catalogue() {
    let mut f = file_form::build(None, today(), crate::app::metiers::builtin_catalog());
    f.set("metier", "educateur jeunes enfants");
    let hint = f.field("metier").unwrap().hint.clone().unwrap_or_default();
    assert!(hint.contains("K1202"), "{hint}");
    f.set("nom", "Dupont");
    f.set("prenom", "Léa");
    let b = file_form::to_beneficiary(&f, ben(1, "", "")).unwrap();
    let job = b.current_job.unwrap();
    assert_eq!(job.rome, "K1202");
    assert!(job.ogr != 0);
    f.set("metier", "zzzzqqqq");
    assert!(f.field("metier").unwrap().error.is_some());
}

#[test]
fn interview_fields_accept_and_reject() {
    let b = ben(1, "Dupont", "Léa");
    let f = interview_form::build(&b, None, now());
    assert_eq!(f.value("quand"), "28/11/2026 09:30", "defaults to now");
    assert!(f.is_valid());
    for (field, good, bad) in [
        ("quand", "27/11/2026 14:00", "27/11/2026"),
        ("duree", "45", "0"),
        ("prochain_suivi", "05/12/2026", "01/11/2026"),
    ] {
        let mut f = interview_form::build(&b, None, now());
        f.set(field, good);
        assert!(f.field(field).unwrap().error.is_none(), "{field} {good}");
        f.set(field, bad);
        assert!(f.field(field).unwrap().error.is_some(), "{field} {bad}");
    }
}

#[test]
fn ctrl_s_is_refused_while_invalid_and_jumps_to_the_first_error() {
    let mut a = app();
    a.update(Action::New);
    assert!(a.benef.form_open());
    focus(&mut a, "email");
    type_text(&mut a, "lea.dupont");
    let effects = a.update(Action::Save);
    assert!(effects.is_empty(), "nothing saved");
    let of = a.benef.form.as_ref().unwrap();
    assert_eq!(of.form.focus, 0, "cursor on the first error (Nom)");
    let st = a.status.as_ref().unwrap();
    assert_eq!(st.level, StatusLevel::Error);
    assert!(st.text.contains("3 champs"), "{}", st.text);
    // Fix everything: now Ctrl-S asks for a save.
    type_text(&mut a, "Dupont");
    a.update(Action::NextField);
    type_text(&mut a, "Léa");
    focus(&mut a, "email");
    type_text(&mut a, "@exemple.fr");
    let effects = a.update(Action::Save);
    assert!(
        matches!(effects.as_slice(), [Effect::Apply { .. }]),
        "{effects:?}"
    );
}

#[test]
fn keys_in_a_form_are_text_except_tab_ctrl_s_and_escape() {
    let mut a = app();
    a.update(Action::New);
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(a.key_to_action(ctrl_s), Some(Action::Save));
    assert_eq!(a.key_to_action(key(KeyCode::Tab)), Some(Action::NextField));
    assert_eq!(
        a.key_to_action(key(KeyCode::BackTab)),
        Some(Action::PrevField)
    );
    assert_eq!(a.key_to_action(key(KeyCode::Esc)), Some(Action::Back));
    assert_eq!(
        a.key_to_action(key(KeyCode::Enter)),
        Some(Action::NextField)
    );
    for c in ['q', 'n', '2', '?'] {
        assert_eq!(
            a.key_to_action(key(KeyCode::Char(c))),
            Some(Action::Text(key(KeyCode::Char(c)))),
            "{c} is typed, not a command"
        );
    }
    focus(&mut a, "contraintes");
    assert_eq!(
        a.key_to_action(key(KeyCode::Enter)),
        Some(Action::Text(key(KeyCode::Enter))),
        "Entrée is a new line in a multi-line field"
    );
}

#[test]
fn escape_on_a_changed_form_asks_before_discarding() {
    let mut a = app();
    a.update(Action::New);
    a.update(Action::Back);
    assert!(!a.benef.form_open(), "an untouched form just closes");

    a.update(Action::New);
    type_text(&mut a, "Dup");
    a.update(Action::Back);
    assert!(a.benef.form_open());
    assert!(matches!(
        a.modals.last(),
        Some(Modal::Confirm(Confirm {
            on_yes: Reply::DiscardForm,
            ..
        }))
    ));
    a.update(Action::No);
    assert!(a.benef.form_open(), "« non » keeps the form");
    assert_eq!(a.benef.form.as_ref().unwrap().form.value("nom"), "Dup");
    a.update(Action::Back);
    a.update(Action::Yes);
    assert!(!a.benef.form_open());
    assert!(a.modals.is_empty());
}

struct Rig {
    _dir: tempfile::TempDir,
    rt: Runtime,
    app: App,
}

impl Rig {
    fn new() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("base")).unwrap();
        let clock = FixedClock(now().and_utc());
        let mut rt = Runtime::new(store, Box::new(clock), "Camille Conseil".into());
        let mut app = app();
        app.benef.loaded = false;
        crate::app::tui::start(&mut app, &mut rt);
        assert!(app.benef.loaded);
        Rig { _dir: dir, rt, app }
    }
    fn act(&mut self, a: Action) {
        let effects = self.app.update(a);
        crate::app::tui::drive(&mut self.app, &mut self.rt, effects);
    }
    fn typed(&mut self, s: &str) {
        for c in s.chars() {
            let k = if c == '\n' {
                key(KeyCode::Enter)
            } else {
                key(KeyCode::Char(c))
            };
            self.act(Action::Text(k));
        }
    }
    fn focus(&mut self, field: &str) {
        focus(&mut self.app, field);
    }
    fn status(&self) -> String {
        self.app
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }
}

#[test]
fn create_edit_undo_redo_a_file_through_the_runtime() {
    let mut r = Rig::new();
    r.act(Action::New);
    r.typed("Dupont");
    r.act(Action::NextField);
    r.typed("Léa");
    r.act(Action::Save);
    assert_eq!(r.status(), "Dossier enregistré");
    assert!(!r.app.benef.form_open());
    let id = r.app.benef.open_id().expect("the new file is open");
    assert_eq!(
        r.app.open_beneficiary.as_ref().unwrap().display_name,
        "DUPONT Léa"
    );
    assert_eq!(r.rt.store.recent().unwrap(), vec![id]);
    let stored = r.rt.store.beneficiary(id).unwrap().unwrap();
    assert_eq!(stored.meta.advisor, "Camille Conseil");
    assert_eq!(
        r.app.benef.file.as_ref().unwrap().journal.len(),
        1,
        "timeline: creation"
    );

    // Edit the e-mail.
    r.act(Action::Edit);
    r.focus("email");
    r.typed("lea@exemple.fr");
    r.act(Action::Save);
    let email = |r: &Rig| r.rt.store.beneficiary(id).unwrap().unwrap().email;
    assert_eq!(email(&r), Some("lea@exemple.fr".into()));

    // Ctrl-Z undoes the edit, Ctrl-Y redoes it.
    r.act(Action::Undo);
    assert_eq!(r.status(), "Annulé : modification du dossier DUPONT Léa");
    assert_eq!(email(&r), None);
    assert_eq!(r.app.benef.list.get(id).unwrap().email, None);
    r.act(Action::Redo);
    assert_eq!(r.status(), "Rétabli : modification du dossier DUPONT Léa");
    assert_eq!(email(&r), Some("lea@exemple.fr".into()));

    // Undoing twice removes the created file (Ctrl-Y brings it back).
    r.act(Action::Undo);
    r.act(Action::Undo);
    assert_eq!(r.status(), "Annulé : création du dossier DUPONT Léa");
    assert!(r.rt.store.beneficiary(id).unwrap().is_none());
    assert!(r.app.benef.list.get(id).is_none());
    assert!(r.app.open_beneficiary.is_none());
    r.act(Action::Redo);
    assert!(r.rt.store.beneficiary(id).unwrap().is_some());
    r.act(Action::Redo);
    assert_eq!(email(&r), Some("lea@exemple.fr".into()));
    r.act(Action::Redo);
    assert_eq!(r.status(), "Rien à rétablir");
}

#[test]
fn interview_saves_updates_the_file_and_undoes() {
    let mut r = Rig::new();
    r.act(Action::New);
    r.typed("Benali");
    r.act(Action::NextField);
    r.typed("Karim");
    r.act(Action::Save);
    let id = r.app.benef.open_id().unwrap();

    r.act(Action::NewInterview);
    assert!(r.app.benef.form_open());
    r.focus("niveau");
    r.act(Action::Text(key(KeyCode::Right)));
    r.focus("synthese");
    r.typed("Premier point.\nSecond point sur la VAE.");
    r.focus("prochain_suivi");
    r.typed("05/12/2026");
    r.act(Action::Save);
    assert_eq!(r.status(), "Entretien enregistré");
    let ints = r.rt.store.interviews_of(id).unwrap();
    assert_eq!(ints.len(), 1);
    assert_eq!(ints[0].summary, "Premier point.\nSecond point sur la VAE.");
    assert_eq!(
        ints[0].level,
        crate::domain::CepLevel::AccompagnementPersonnalise
    );
    let f = r.rt.store.beneficiary(id).unwrap().unwrap();
    assert_eq!(f.next_follow_up, NaiveDate::from_ymd_opt(2026, 12, 5));
    assert_eq!(f.last_contact, Some(today()));
    assert_eq!(f.cep_level, Some(2));
    let open = r.app.benef.file.as_ref().unwrap();
    assert_eq!(open.tab, Tab::Entretiens);
    assert_eq!(open.interviews.len(), 1);

    r.act(Action::Undo);
    assert_eq!(r.status(), "Annulé : nouvel entretien de BENALI Karim");
    assert!(r.rt.store.interviews_of(id).unwrap().is_empty());
    let f = r.rt.store.beneficiary(id).unwrap().unwrap();
    assert_eq!(
        (f.next_follow_up, f.last_contact, f.cep_level),
        (None, None, None)
    );
    assert!(r.app.benef.file.as_ref().unwrap().interviews.is_empty());

    r.act(Action::Redo);
    assert_eq!(r.rt.store.interviews_of(id).unwrap().len(), 1);
    assert_eq!(
        r.rt.store.beneficiary(id).unwrap().unwrap().next_follow_up,
        NaiveDate::from_ymd_opt(2026, 12, 5)
    );
    // The timeline names what happened, newest first, without values.
    let journal = &r.app.benef.file.as_ref().unwrap().journal;
    assert!(journal.len() >= 3);
    assert_eq!(journal.last().unwrap().op, crate::store::Op::Created);
}

#[test]
fn erasing_a_file_confirms_first() {
    let mut r = Rig::new();
    r.act(Action::New);
    r.typed("Martin");
    r.act(Action::NextField);
    r.typed("Zoé");
    r.act(Action::Save);
    let id = r.app.benef.open_id().unwrap();
    r.act(Action::Delete);
    assert!(matches!(r.app.modals.last(), Some(Modal::Confirm(_))));
    r.act(Action::No);
    assert!(r.rt.store.beneficiary(id).unwrap().is_some());
    r.act(Action::Delete);
    r.act(Action::Yes);
    assert!(r.rt.store.beneficiary(id).unwrap().is_none());
    assert!(r.app.benef.file.is_none());
    assert!(r.app.open_beneficiary.is_none());
    assert!(r.status().contains("effacé"), "{}", r.status());
    r.act(Action::Undo);
    assert_eq!(r.status(), "Rien à annuler dans cette session");
}

fn list_of(bs: Vec<Beneficiary>) -> FileList {
    let mut l = FileList::default();
    l.set_all(bs);
    l
}

fn names(l: &FileList) -> Vec<String> {
    l.view
        .iter()
        .map(|&i| l.rows[i].b.last_name.clone())
        .collect()
}

#[test]
fn sorts_by_next_follow_up_name_and_last_contact() {
    let d = |day| NaiveDate::from_ymd_opt(2026, 12, day);
    let mut a = ben(1, "Cabrel", "A");
    a.next_follow_up = d(10);
    a.last_contact = d(1);
    let mut b = ben(2, "Albert", "B");
    b.next_follow_up = None;
    b.last_contact = d(3);
    let mut c = ben(3, "Bodin", "C");
    c.next_follow_up = d(2);
    let mut l = list_of(vec![a, b, c]);
    assert_eq!(l.sort, SortKey::NextFollowUp, "default sort");
    assert_eq!(names(&l), ["Bodin", "Cabrel", "Albert"], "no date last");
    l.cycle_sort();
    assert_eq!(l.sort, SortKey::Name);
    assert_eq!(names(&l), ["Albert", "Bodin", "Cabrel"]);
    l.cycle_sort();
    assert_eq!(l.sort, SortKey::LastContact);
    assert_eq!(
        names(&l),
        ["Albert", "Cabrel", "Bodin"],
        "most recent first"
    );
}

#[test]
fn filters_open_closed_all() {
    let a = ben(1, "Ouvert", "A");
    let mut b = ben(2, "Clos", "B");
    b.status = Status::Closed {
        on: today(),
        reason: "fin".into(),
    };
    let mut l = list_of(vec![a, b]);
    assert_eq!(names(&l), ["Ouvert"]);
    l.cycle_filter();
    assert_eq!(names(&l), ["Clos"]);
    l.cycle_filter();
    assert_eq!(l.view.len(), 2);
}

#[test]
fn fuzzy_search_over_ten_thousand_files() {
    let lasts = [
        "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
    ];
    let firsts = ["Léa", "Hugo", "Chloé", "Louis", "Inès", "Noé"];
    let employers = [
        "MJC Centre",
        "ADMR Rhône",
        "Crèche Les Lucioles",
        "Régie Nord",
    ];
    let shorts = ["ECLAT", "BAD", "ALISFA", "ACI"];
    let mut all = Vec::with_capacity(10_000);
    for n in 0..10_000u32 {
        let mut b = ben(
            n + 10,
            &format!("{}{}", lasts[n as usize % 8], n),
            firsts[n as usize % 6],
        );
        b.employer.name = employers[n as usize % 4].into();
        b.branch = Some(shorts[n as usize % 4].into());
        b.current_job = Some(TargetMetier {
            ogr: 1,
            rome: "G1203".into(),
            label: "Animateur / Animatrice de loisirs".into(),
        });
        all.push(b);
    }
    let mut special = ben(1, "N'Diaye", "Éloïse");
    special.employer.name = "Maison de l'Enfance".into();
    special.branch = Some("ALISFA".into());
    special.current_job = Some(TargetMetier {
        ogr: 2,
        rome: "K1202".into(),
        label: "Éducateur / Éducatrice de jeunes enfants".into(),
    });
    special.consent.processing = Some(ConsentRecord {
        date: today(),
        notice_version: "v1-2026".into(),
    });
    all.push(special);
    let mut l = list_of(all);
    assert_eq!(l.view.len(), 10_001);

    let search = |l: &mut FileList, q: &str| {
        l.query.clear();
        // Typed one char at a time, as the advisor does (narrowing path).
        for c in q.chars() {
            l.query.insert(c);
            l.refresh();
        }
        names(l)
    };
    // Accents and apostrophes folded; first name, employer, job, branch.
    for q in [
        "ndiaye",
        "eloise",
        "maison enfance",
        "educatrice jeunes",
        "K1202",
    ] {
        let r = search(&mut l, q);
        assert_eq!(r.first().map(String::as_str), Some("N'Diaye"), "query {q}");
    }
    let r = search(&mut l, "durand12");
    assert!(
        r.iter().any(|n| n == "Durand126") && r[0].starts_with("Durand12"),
        "{:?}",
        &r[..3.min(r.len())]
    );
    // Exact-word hits come before loose fuzzy hits.
    let r = search(&mut l, "regie dubois");
    assert!(
        !r.is_empty() && r[0].starts_with("Dubois"),
        "{:?}",
        &r[..3.min(r.len())]
    );
    // Typed at once (no narrowing) gives the same result as char by char.
    let narrowed = search(&mut l, "martin 4");
    l.query.set("martin 4");
    l.refresh();
    assert_eq!(names(&l), narrowed);
    assert!(search(&mut l, "zzzzzz").is_empty());
    l.query.clear();
    l.refresh();
    assert_eq!(l.view.len(), 10_001);
}

#[test]
fn accueil_lists_due_and_overdue_follow_ups_of_open_files() {
    let mut a = app();
    let mut due = ben(1, "Aujourdhui", "A");
    due.next_follow_up = Some(today());
    let mut late = ben(2, "Retard", "B");
    late.next_follow_up = NaiveDate::from_ymd_opt(2026, 11, 20);
    let mut closed = ben(3, "Clos", "C");
    closed.next_follow_up = NaiveDate::from_ymd_opt(2026, 11, 20);
    closed.status = Status::Closed {
        on: today(),
        reason: "fin".into(),
    };
    let mut later = ben(4, "Plustard", "D");
    later.next_follow_up = NaiveDate::from_ymd_opt(2026, 12, 20);
    a.effect_done(Outcome::BeneficiariesLoaded {
        damaged: Vec::new(),
        beneficiaries: vec![due, late, closed, later],
        recent: vec![Id([9; 16])],
    });
    let (d, l) = a.benef.follow_ups(today());
    assert_eq!(
        d.iter().map(|r| r.b.last_name.as_str()).collect::<Vec<_>>(),
        ["Aujourdhui"]
    );
    assert_eq!(
        l.iter().map(|r| r.b.last_name.as_str()).collect::<Vec<_>>(),
        ["Retard"]
    );
    assert!(a.benef.recent.is_empty(), "unknown ids are dropped");
}

#[test]
fn typo_search_narrows_soundly_and_only_when_exact_words_find_few() {
    let mut files: Vec<Beneficiary> = (0..200).map(|n| ben(n, "Martin", "Paul")).collect();
    files.push(ben(500, "N'Diaye", "Awa"));
    let mut l = FileList::default();
    l.filter = StatusFilter::All;
    l.set_all(files);
    // Typed key by key: "ndi" matches nothing as typed (the name folds to
    // "n diaye"); "ndia" is long enough for typos and finds her anyway, even
    // though the shorter query, without typo tolerance, matched nobody.
    for c in "ndia".chars() {
        l.query.insert(c);
        l.refresh();
    }
    let names: Vec<&str> = l
        .view
        .iter()
        .map(|&i| l.rows[i].b.last_name.as_str())
        .collect();
    assert_eq!(names, vec!["N'Diaye"]);
    // Many exact matches: no typo-tolerant noise ("mart" is in 200 files,
    // and "N'Diaye Awa" must not come in as a loose subsequence match).
    l.query.clear();
    for c in "mart".chars() {
        l.query.insert(c);
        l.refresh();
    }
    assert_eq!(l.view.len(), 200);
}

impl Rig {
    /// Creates a file through the form: last name, first name, e-mail.
    fn create(&mut self, last: &str, first: &str, email: &str) {
        self.act(Action::New);
        self.typed(last);
        self.act(Action::NextField);
        self.typed(first);
        if !email.is_empty() {
            self.focus("email");
            self.typed(email);
        }
        self.act(Action::Save);
    }

    fn stored_files(&self) -> usize {
        self.rt.store.beneficiaries().unwrap().records.len()
    }

    fn confirm(&self) -> Option<&Confirm> {
        match self.app.modals.last() {
            Some(Modal::Confirm(c)) => Some(c),
            _ => None,
        }
    }
}

#[test]
fn a_new_file_like_an_existing_one_asks_and_offers_to_open_it() {
    let mut r = Rig::new();
    r.create("Dupont", "Léa", "lea@exemple.fr");
    let first = r.app.benef.open_id().unwrap();
    assert_eq!(r.stored_files(), 1);

    // Same name and first name, spelled differently: asked first.
    r.create("DUPONT", "lea", "");
    let c = r.confirm().expect("a question about the duplicate");
    assert!(
        c.question.contains("DUPONT Léa") && c.question.contains("mêmes nom et prénom"),
        "{}",
        c.question
    );
    assert_eq!(c.on_yes, Reply::OpenExisting(first));
    assert_eq!(
        c.other.as_ref().map(|o| &o.1),
        Some(&Reply::CreateDuplicate)
    );
    assert_eq!(r.stored_files(), 1, "nothing saved while asking");
    // « non »: back to the form, untouched.
    r.act(Action::No);
    assert!(r.app.benef.form_open());
    assert_eq!(
        r.app.benef.form.as_ref().unwrap().form.value("nom"),
        "DUPONT"
    );
    // The third answer creates it anyway.
    r.act(Action::Save);
    r.act(Action::Other);
    assert_eq!(r.stored_files(), 2);
    assert_eq!(r.status(), "Dossier enregistré");
    let second = r.app.benef.open_id().unwrap();
    assert_ne!(first, second);

    // Same e-mail under another name: « oui » opens the existing file.
    r.create("Martin", "Zoé", "LEA@exemple.fr");
    let c = r.confirm().unwrap();
    assert!(c.question.contains("même adresse e-mail"), "{}", c.question);
    r.act(Action::Yes);
    assert!(!r.app.benef.form_open());
    assert_eq!(r.app.benef.open_id(), Some(first));
    assert_eq!(r.stored_files(), 2);
    // A different person is saved without a question.
    r.create("Benali", "Karim", "karim@exemple.fr");
    assert!(r.confirm().is_none());
    assert_eq!(r.stored_files(), 3);
}

#[test]
fn the_interview_just_saved_is_the_selected_one() {
    let mut r = Rig::new();
    r.create("Benali", "Karim", "");
    r.act(Action::NewInterview);
    r.act(Action::Save); // today 9:30
    r.act(Action::NewInterview);
    r.focus("quand");
    r.act(Action::Text(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    r.typed("20/11/2026 14:00");
    r.act(Action::Save);
    let f = r.app.benef.file.as_ref().unwrap();
    assert_eq!(f.interviews.len(), 2);
    // Newest first: the one just saved (older date) is second, and selected.
    assert_eq!(f.selected_interview, 1);
    assert_eq!(
        interview_form::to_local(f.selected().unwrap().at)
            .format("%d/%m %H:%M")
            .to_string(),
        "20/11 14:00"
    );
}

/// Adds the first appellation found for `query` to the open file, from the
/// Métiers screen (`/`, text, Entrée, `c`).
fn add_target(r: &mut Rig, query: &str) -> String {
    r.act(Action::GoTo(Screen::Metiers));
    r.act(Action::Search);
    r.act(Action::Text(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    r.typed(query);
    r.act(Action::Open);
    let idx = crate::app::metiers::selected_appellation(&r.app).unwrap();
    let t = r.app.catalog.target(idx).unwrap();
    r.act(Action::MarkTarget);
    crate::app::metiers::target_text(&t)
}

#[test]
fn target_metiers_are_reordered_and_removed_from_the_file_with_undo_and_notes() {
    let mut r = Rig::new();
    r.create("Dupont", "Léa", "");
    let id = r.app.benef.open_id().unwrap();
    let a = add_target(&mut r, "aide soignant");
    assert!(
        r.status().starts_with(&format!(
            "Ajout du métier cible {a} : enregistré (Ctrl-Z pour annuler)"
        )),
        "{}",
        r.status()
    );
    let b = add_target(&mut r, "educateur jeunes enfants");
    let stored = |r: &Rig| {
        r.rt.store
            .beneficiary(id)
            .unwrap()
            .unwrap()
            .targets
            .iter()
            .map(crate::app::metiers::target_text)
            .collect::<Vec<_>>()
    };
    assert_eq!(stored(&r), [a.clone(), b.clone()]);

    // In the file's Parcours tab: move the first one down, then remove it.
    r.act(Action::GoTo(Screen::Beneficiaires));
    r.act(Action::NextTab);
    r.act(Action::NextTab);
    assert_eq!(r.app.benef.file.as_ref().unwrap().tab, Tab::Parcours);
    r.act(Action::TargetDown);
    assert_eq!(stored(&r), [b.clone(), a.clone()]);
    assert_eq!(r.app.benef.file.as_ref().unwrap().selected_target, 1);
    r.act(Action::TargetRemove);
    assert_eq!(stored(&r), std::slice::from_ref(&b));
    assert!(
        r.status()
            .starts_with(&format!("Retrait du métier cible {a}")),
        "{}",
        r.status()
    );

    // Undo says what it undid; redo too.
    r.act(Action::Undo);
    assert_eq!(r.status(), format!("Annulé : retrait du métier cible {a}"));
    assert_eq!(stored(&r), [b.clone(), a.clone()]);
    r.act(Action::Redo);
    assert_eq!(r.status(), format!("Rétabli : retrait du métier cible {a}"));
    assert_eq!(stored(&r), std::slice::from_ref(&b));

    // The journal and the timeline name each change, without the person.
    let journal = &r.app.benef.file.as_ref().unwrap().journal;
    let notes: Vec<&str> = journal.iter().map(|e| e.note.as_str()).collect();
    for n in [
        format!("ajout du métier cible {a}"),
        format!("ajout du métier cible {b}"),
        format!("métier cible {a} placé en position 2"),
        format!("retrait du métier cible {a}"),
        format!("annulation : retrait du métier cible {a}"),
        format!("rétablissement : retrait du métier cible {a}"),
    ] {
        assert!(notes.contains(&n.as_str()), "{n} missing in {notes:?}");
    }
    assert!(notes
        .iter()
        .all(|n| !n.contains("Dupont") && !n.contains("DUPONT")));
    let timeline: Vec<String> = journal
        .iter()
        .map(|e| crate::ui::screens::beneficiaires::describe_entry(e, &[]))
        .collect();
    assert_eq!(
        timeline[0],
        format!("Rétablissement : retrait du métier cible {a}")
    );
    assert!(timeline.contains(&format!("Annulation : retrait du métier cible {a}")));
    assert!(
        !timeline.iter().any(|l| l.contains("métiers cibles")),
        "{timeline:?}"
    );
}

#[test]
fn a_failed_undo_says_so_and_keeps_the_change_for_later() {
    let mut r = Rig::new();
    r.create("Martin", "Zoé", "");
    let id = r.app.benef.open_id().unwrap();
    // The file disappears behind the app's back: undoing its creation
    // (deleting it) fails, and nothing moves.
    r.rt.store.erase_beneficiary(id).unwrap();
    r.act(Action::Undo);
    let st = r.app.status.clone().unwrap();
    assert_eq!(st.level, StatusLevel::Error);
    assert!(!st.text.is_empty());
    assert!(r.app.undo.can_undo(), "the change is still there");
    assert!(!r.app.undo.can_redo());
}

#[test]
fn the_file_form_checks_the_current_job_against_the_catalogue_in_force() {
    use crate::domain::Appellation;
    let builtin = crate::app::metiers::builtin_catalog();
    let mut referentiel = builtin.referentiel();
    referentiel.version = "ROME essai".into();
    referentiel.appellations.push(Appellation {
        ogr: 999_001,
        rome: "K1202".into(),
        label: "Zythologue de quartier".into(),
        short_label: "Zythologue de quartier".into(),
        branches: Vec::new(),
    });
    let imported = std::sync::Arc::new(crate::catalog::Catalog::from_referentiel(
        referentiel,
        &builtin,
    ));
    let mut a = app();
    a.update(Action::New);
    focus(&mut a, "metier");
    type_text(&mut a, "zythologue");
    let field = |a: &App| {
        a.benef
            .form
            .as_ref()
            .unwrap()
            .form
            .field("metier")
            .unwrap()
            .clone()
    };
    assert!(
        field(&a).error.is_some(),
        "unknown to the shipped catalogue"
    );
    a.update(Action::Back);
    a.update(Action::Yes);
    crate::app::metiers::set_catalog(&mut a, imported);
    a.update(Action::New);
    focus(&mut a, "metier");
    type_text(&mut a, "zythologue");
    assert_eq!(field(&a).error, None);
    assert!(field(&a).hint.unwrap().contains("Zythologue de quartier"));
    let of = a.benef.form.as_ref().unwrap();
    let mut form = of.form.clone();
    form.set("nom", "Dupont");
    form.set("prenom", "Léa");
    let b = file_form::to_beneficiary(&form, ben(1, "", "")).unwrap();
    assert_eq!(b.current_job.unwrap().ogr, 999_001);
}

#[test]
fn a_paste_lands_in_the_focused_field_whole() {
    let mut a = app();
    a.update(Action::New);
    a.update(Action::Paste("Le Gall\nCôté".into()));
    let of = a.benef.form.as_ref().unwrap();
    assert_eq!(
        of.form.value("nom"),
        "Le Gall Côté",
        "one line: newline → space"
    );
    focus(&mut a, "contraintes");
    // A 24 KB paste arrives whole, line breaks kept in a multi-line field.
    let big = "ligne\n".repeat(4000);
    a.update(Action::Paste(big.clone()));
    let of = a.benef.form.as_ref().unwrap();
    assert!(
        of.form.value("contraintes") == big,
        "24 000 characters, whole"
    );
    assert!(a.status.is_none());
    // Too long for the field: cut, and said.
    a.update(Action::Paste("x".repeat(crate::app::paste::PASTE_MAX)));
    assert!(a.status.as_ref().unwrap().text.contains("Collage tronqué"));
    // A choice takes no text.
    focus(&mut a, "region");
    a.update(Action::Paste("Bretagne".into()));
    assert!(a.status.as_ref().unwrap().text.contains("choix"));
    a.benef.form = None;
    // The list's search box.
    a.update(Action::Search);
    a.update(Action::Paste("dup\n".into()));
    assert_eq!(a.benef.list.query.text, "dup ");
    // The palette.
    a.update(Action::Back);
    a.update(Action::Palette);
    a.update(Action::Paste("aide".into()));
    match a.modals.last() {
        Some(Modal::Palette(p)) => assert_eq!(p.query.text, "aide"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn rebound_form_and_confirm_keys_are_the_ones_that_work() {
    let mut user = std::collections::BTreeMap::new();
    user.insert("enregistrer".to_string(), vec!["F10".to_string()]);
    user.insert("oui".to_string(), vec!["y".to_string()]);
    user.insert("champ-suivant".to_string(), vec!["Tab".to_string()]);
    let mut a = App::new(Keymap::with_overrides(&user).unwrap(), now());
    a.size = (100, 30);
    a.screen = Screen::Beneficiaires;
    a.update(Action::New);
    assert_eq!(a.key_to_action(key(KeyCode::F(10))), Some(Action::Save));
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_ne!(a.key_to_action(ctrl_s), Some(Action::Save));
    // Entrée is no longer « champ suivant »: it does nothing in a one-line field.
    assert_ne!(
        a.key_to_action(key(KeyCode::Enter)),
        Some(Action::NextField)
    );
    assert_eq!(a.key_to_action(key(KeyCode::Tab)), Some(Action::NextField));
    type_text(&mut a, "Dup");
    a.update(Action::Back);
    assert!(matches!(a.modals.last(), Some(Modal::Confirm(_))));
    assert_eq!(a.key_to_action(key(KeyCode::Char('o'))), None);
    assert_eq!(a.key_to_action(key(KeyCode::Char('y'))), Some(Action::Yes));
    assert_eq!(a.key_to_action(key(KeyCode::Esc)), Some(Action::No));
}

#[test]
fn choices_change_with_the_choice_keys_only_on_a_choice() {
    let mut a = app();
    a.update(Action::New);
    // In a text field, Espace and → are text editing.
    assert_eq!(
        a.key_to_action(key(KeyCode::Char(' '))),
        Some(Action::Text(key(KeyCode::Char(' '))))
    );
    assert_eq!(
        a.key_to_action(key(KeyCode::Right)),
        Some(Action::Text(key(KeyCode::Right)))
    );
    focus(&mut a, "contrat");
    assert_eq!(
        a.key_to_action(key(KeyCode::Char(' '))),
        Some(Action::NextChoice)
    );
    assert_eq!(
        a.key_to_action(key(KeyCode::Left)),
        Some(Action::PrevChoice)
    );
    a.update(Action::NextChoice);
    assert_eq!(a.benef.form.as_ref().unwrap().form.value("contrat"), "CDI");
    a.update(Action::PrevChoice);
    assert_eq!(a.benef.form.as_ref().unwrap().form.value("contrat"), "—");
    // In a multi-line field Entrée, ↑ and ↓ edit the text.
    focus(&mut a, "contraintes");
    for c in [KeyCode::Enter, KeyCode::Up, KeyCode::Down] {
        assert_eq!(a.key_to_action(key(c)), Some(Action::Text(key(c))));
    }
    assert_eq!(a.key_to_action(key(KeyCode::Tab)), Some(Action::NextField));
}

#[test]
fn quitting_over_a_changed_form_asks_first() {
    let mut a = app();
    a.update(Action::New);
    a.update(Action::Quit);
    assert!(a.should_quit, "an untouched form does not hold Passerelle");
    let mut a = app();
    a.update(Action::New);
    type_text(&mut a, "Dup");
    a.update(Action::Quit);
    assert!(!a.should_quit);
    assert!(matches!(a.modals.last(), Some(Modal::Confirm(_))));
    a.update(Action::No);
    assert!(!a.should_quit && a.benef.form_open());
    a.update(Action::Quit);
    a.update(Action::Yes);
    assert!(a.should_quit);
    // From another screen too: the form kept there is not lost silently.
    let mut a = app();
    a.update(Action::New);
    type_text(&mut a, "Dup");
    a.update(Action::GoTo(Screen::Metiers));
    a.update(Action::Quit);
    assert!(!a.should_quit);
    assert!(matches!(a.modals.last(), Some(Modal::Confirm(c)) if c.owner == Screen::Beneficiaires));
}

#[test]
fn undo_waits_while_a_form_is_open_even_on_another_screen() {
    let mut r = Rig::new();
    r.create("Dupont", "Léa", "");
    r.act(Action::Edit);
    r.act(Action::GoTo(Screen::Metiers));
    r.act(Action::Undo);
    assert!(
        r.status()
            .starts_with("Rien n'est annulé : un formulaire est ouvert"),
        "{}",
        r.status()
    );
    assert!(r.status().contains("Ctrl-S") && r.status().contains("Échap"));
    assert_eq!(r.stored_files(), 1);
    assert!(r.app.undo.can_undo());
    r.act(Action::GoTo(Screen::Beneficiaires));
    r.act(Action::Back);
    r.act(Action::Undo);
    assert_eq!(r.stored_files(), 0);
}
