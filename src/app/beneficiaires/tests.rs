//! Update logic of the Bénéficiaires screen: validation, forms, undo / redo
//! (through the real runtime and a temporary store), sort, filter, search.

use super::*;
use crate::app::runtime::Runtime;
use crate::app::Keymap;
use crate::domain::time::FixedClock;
use crate::domain::{ConsentRecord, Status, TargetMetier};
use crate::store::Store;
use chrono::{DateTime, NaiveDate, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

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
            &["", "05/12/2026", "20/11/2026", "demain", "+2s", "07/12"],
            &["32/12/2026", "lundi prochain", "+3x"],
        ),
        (
            "notice_date",
            &["", "14/11/2026", "hier", "14-11", "auj"],
            &["01/01/2030", "+3", "14-13"],
        ),
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

/// A new file opens on « Nom »; PgPréc wraps to the consent section (one
/// key) and Espace records that the notice was given today (one key).
#[test]
fn consent_is_one_key_away_and_notice_today_one_more() {
    let mut r = Rig::new();
    r.act(Action::New);
    r.typed("Dupont");
    r.act(Action::NextField);
    r.typed("Léa");
    let form = |r: &Rig| r.app.benef.form.as_ref().unwrap().form.clone();
    // From « Prénom » (inside Identité) the previous section is the last one.
    r.act(Action::PageUp);
    let f = form(&r);
    assert_eq!(f.focused().unwrap().key, "notice");
    assert_eq!(f.fields[f.focus].section, Some("Consentement (RGPD)"));
    r.act(Action::Text(key(KeyCode::Char(' '))));
    let f = form(&r);
    assert_eq!(f.value("notice"), "remise");
    assert_eq!(f.value("notice_date"), "28/11/2026");
    assert_eq!(
        f.field("notice_date").unwrap().hint.as_deref(),
        Some("→ samedi 28 novembre 2026")
    );
    // Switching back empties the date; a typed date switches it on again.
    r.act(Action::Text(key(KeyCode::Char(' '))));
    assert_eq!(form(&r).value("notice_date"), "");
    r.act(Action::NextField);
    r.typed("hier");
    assert_eq!(form(&r).value("notice"), "remise");
    r.act(Action::PrevField);
    assert_eq!(
        form(&r).value("notice_date"),
        "27/11/2026",
        "canonical on leaving"
    );
    r.act(Action::Save);
    let id = r.app.benef.open_id().unwrap();
    let stored = r.rt.store.beneficiary(id).unwrap().unwrap();
    let notice = stored.consent.processing.expect("notice recorded");
    assert_eq!(notice.date, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
    assert_eq!(notice.notice_version, file_form::NOTICE_VERSION);
    assert!(stored.consent.share_employer_opco.is_none());
}

/// From every field of the file form, the consent section is at most two
/// section keys away (PgSuiv or PgPréc), and the sections cycle.
#[test]
fn every_section_is_two_keys_away() {
    let f = file_form::build(None, today(), crate::app::metiers::builtin_catalog());
    let consent = f.fields.iter().position(|x| x.key == "notice").unwrap();
    // (The consent section is the last one: fields from `consent` on are in it.)
    for start in 0..consent {
        let reach = |next: bool| {
            let mut g = f.clone();
            g.focus = start;
            (1..=5)
                .find(|_| {
                    if next {
                        g.next_section()
                    } else {
                        g.prev_section()
                    }
                    g.focus == consent
                })
                .unwrap_or(99)
        };
        let keys = reach(true).min(reach(false));
        assert!(keys <= 2, "from {}: {keys} keys", f.fields[start].key);
    }
    let mut g = f.clone();
    let mut seen = Vec::new();
    for _ in 0..5 {
        g.next_section();
        seen.push(g.fields[g.focus].section.unwrap_or("?"));
    }
    assert_eq!(
        seen,
        [
            "Coordonnées",
            "Emploi",
            "Demande et suivi",
            "Consentement (RGPD)",
            "Identité"
        ]
    );
}

#[test]
fn dates_take_shortcuts_show_the_day_and_become_canonical() {
    let mut a = app();
    a.update(Action::New);
    focus(&mut a, "prochain_suivi");
    type_text(&mut a, "+1s");
    let f = &a.benef.form.as_ref().unwrap().form;
    let field = f.field("prochain_suivi").unwrap();
    assert_eq!(field.error, None);
    assert_eq!(field.hint.as_deref(), Some("→ samedi 5 décembre 2026"));
    a.update(Action::NextField);
    let f = &a.benef.form.as_ref().unwrap().form;
    assert_eq!(f.value("prochain_suivi"), "05/12/2026");
    // A past follow-up: resolved day and warning together.
    focus(&mut a, "prochain_suivi");
    a.update(Action::Text(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    type_text(&mut a, "hier");
    let f = &a.benef.form.as_ref().unwrap().form;
    assert_eq!(
        f.field("prochain_suivi").unwrap().hint.as_deref(),
        Some("→ vendredi 27 novembre 2026 · date passée")
    );
    // An unreadable date says what is accepted, and stays as typed.
    a.update(Action::Text(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    type_text(&mut a, "bientôt");
    a.update(Action::NextField);
    let f = &a.benef.form.as_ref().unwrap().form;
    assert_eq!(f.value("prochain_suivi"), "bientôt");
    let err = f.field("prochain_suivi").unwrap().error.clone().unwrap();
    assert!(err.contains("auj, demain"), "{err}");
}

#[test]
fn paste_lands_in_the_focused_field_within_its_limit() {
    let mut f = file_form::build(None, today(), crate::app::metiers::builtin_catalog());
    let out = f.paste("Dupont\r\nMartin\n");
    assert_eq!(f.value("nom"), "Dupont Martin");
    assert_eq!(out.message(), None);
    assert!(f.fields[0].touched);
    f.set("nom", "");
    let out = f.paste(&"x".repeat(300));
    // The name rule's own limit (boundary: 60 kept, the rest refused).
    assert_eq!(f.value("nom").len(), 60);
    assert_eq!(
        out.message().as_deref(),
        Some("Texte collé tronqué à 60 caractères (240 caractères non collés)")
    );
    // A choice ignores a paste.
    f.focus = f.fields.iter().position(|x| x.key == "region").unwrap();
    assert_eq!(f.paste("Bretagne").inserted, 0);
    // A 20 KB summary lands whole, line breaks kept; past 20 000 it is cut.
    let b = ben(1, "Dupont", "Léa");
    let mut i = interview_form::build(&b, None, now());
    i.focus = i.fields.iter().position(|x| x.key == "synthese").unwrap();
    let para = "Ligne de synthèse assez longue pour remplir.\n";
    let big = para.repeat(20_000 / para.chars().count());
    let out = i.paste(&big);
    assert_eq!(out.dropped, 0);
    assert_eq!(i.value("synthese"), big);
    let out = i.paste(&"é".repeat(2_000));
    assert_eq!(i.value("synthese").chars().count(), 20_000);
    assert!(out.dropped > 0 && out.message().unwrap().contains("20000"));
}

#[test]
fn choices_take_a_first_letter_with_or_without_accent() {
    let mut f = file_form::build(None, today(), crate::app::metiers::builtin_catalog());
    f.focus = f.fields.iter().position(|x| x.key == "region").unwrap();
    f.handle_key(&key(KeyCode::Char('î')), 40);
    assert_eq!(f.value("region"), "Île-de-France");
    f.handle_key(&key(KeyCode::Char('I')), 40);
    assert_eq!(
        f.value("region"),
        "Île-de-France",
        "only one region starts with I"
    );
    f.handle_key(&key(KeyCode::Char('g')), 40);
    assert_eq!(f.value("region"), "Grand Est");
    f.handle_key(&key(KeyCode::Char('g')), 40);
    assert_eq!(f.value("region"), "Guadeloupe");
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
        ("quand", "auj 14h", "auj 25h"),
        ("quand", "hier 9h30", "hier 9h5"),
        ("quand", "demain à 8:15", "demain"),
        ("quand", "27/11 14h", "31/11 14h"),
        ("duree", "45", "0"),
        ("prochain_suivi", "05/12/2026", "01/11/2026"),
        ("prochain_suivi", "+2s", "hier"),
    ] {
        let mut f = interview_form::build(&b, None, now());
        f.set(field, good);
        assert!(f.field(field).unwrap().error.is_none(), "{field} {good}");
        f.set(field, bad);
        assert!(f.field(field).unwrap().error.is_some(), "{field} {bad}");
    }
    // The date-time shows its day and becomes canonical when left.
    let mut f = interview_form::build(&b, None, now());
    f.set("quand", "hier 14h");
    assert_eq!(
        f.field("quand").unwrap().hint.as_deref(),
        Some("→ vendredi 27 novembre 2026 à 14:00")
    );
    f.next();
    assert_eq!(f.value("quand"), "27/11/2026 14:00");
    let i = interview_form::to_interview(&f, b.id, Id([9; 16]), None).unwrap();
    assert_eq!(
        interview_form::to_local(i.at),
        NaiveDate::from_ymd_opt(2026, 11, 27)
            .unwrap()
            .and_hms_opt(14, 0, 0)
            .unwrap()
    );
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
fn search_over_ten_thousand_files() {
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
    // Exact-word hits come before « approchés ».
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
fn glued_words_match_as_typed_and_typos_are_not_subsequences() {
    let mut files: Vec<Beneficiary> = (0..200).map(|n| ben(n, "Martin", "Paul")).collect();
    files.push(ben(500, "N'Diaye", "Awa"));
    let mut l = FileList::default();
    l.filter = StatusFilter::All;
    l.set_all(files);
    // Typed key by key: "ndia" is her name typed without the apostrophe.
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
    assert_eq!(l.approx_from, 1, "found as typed, not « approché »");
    // "mart" is in 200 files; "N'Diaye Awa" does not come in as a loose
    // subsequence (m…a…r…t) match.
    l.query.clear();
    for c in "mart".chars() {
        l.query.insert(c);
        l.refresh();
    }
    assert_eq!(l.view.len(), 200);
    assert_eq!(l.approx_from, 200);
}

fn list_names(l: &FileList) -> Vec<String> {
    l.view.iter().map(|&i| l.rows[i].b.display_name()).collect()
}

fn searched(l: &mut FileList, q: &str) -> Vec<String> {
    l.query.clear();
    for c in q.chars() {
        l.query.insert(c);
        l.refresh();
    }
    list_names(l)
}

/// `/martin` once listed 22 of 51 files, most unrelated: now the files
/// where « martin » is written come first, then the « approchés » (one typo),
/// and nothing else.
#[test]
fn exact_matches_first_then_approches() {
    let mut files = Vec::new();
    for (n, (last, first)) in [
        ("Martin", "Léa"),
        ("Dupont-Martin", "Hugo"),
        ("Martinez", "Inès"),
        ("Martn", "Zoé"),       // one letter dropped: approché
        ("Marin", "Noé"),       // one letter dropped: approché
        ("Matrin", "Paul"),     // two letters swapped: approché
        ("Mercier", "Martine"), // first name starts with martin: exact
        ("Maréchal", "Tina"),   // m…a…r…t…i…n scattered: not listed
        ("Durand", "Amandine"), // not listed
        ("Tartin", "Jo"),       // other first letter: not listed
    ]
    .iter()
    .enumerate()
    {
        files.push(ben(n as u32 + 1, last, first));
    }
    let mut l = FileList::default();
    l.filter = StatusFilter::All;
    l.sort = SortKey::Name;
    l.set_all(files);
    let r = searched(&mut l, "martin");
    assert_eq!(
        r,
        [
            "DUPONT-MARTIN Hugo",
            "MARTIN Léa",
            "MARTINEZ Inès",
            "MERCIER Martine",
            "MARIN Noé",
            "MARTN Zoé",
            "MATRIN Paul",
        ]
    );
    assert_eq!(l.approx_from, 4);
    // Typed at once (no narrowing) gives the same.
    l.query.set("martin");
    l.refresh();
    assert_eq!(list_names(&l), r);
    // Boundary: 3 letters are matched as typed only.
    let r = searched(&mut l, "mar");
    assert_eq!(l.approx_from, r.len());
    assert!(!r.iter().any(|n| n.contains("MATRIN")), "{r:?}");
    // Several words: every word must match, as typed or by one typo.
    assert_eq!(searched(&mut l, "martin lea"), ["MARTIN Léa"]);
    assert_eq!(searched(&mut l, "matrin paul"), ["MATRIN Paul"]);
    assert_eq!(searched(&mut l, "martin paul"), ["MATRIN Paul"]);
    assert_eq!(l.approx_from, 0);
}

/// Narrowing (typed key by key) gives exactly what a fresh search gives,
/// including when a word reaches the length where typos count.
#[test]
fn list_narrowing_matches_a_fresh_search() {
    let mut files = Vec::new();
    for (n, (last, first)) in [
        ("Martin", "Léa"),
        ("Martn", "Zoé"),
        ("Marin", "Noé"),
        ("Matrin", "Paul"),
        ("Mercier", "Martine"),
        ("N'Diaye", "Awa"),
        ("Le Goff", "Yann"),
        ("Legoff", "Anne"),
        ("Dupond", "Hélène"),
        ("Dupont", "Léa"),
    ]
    .iter()
    .enumerate()
    {
        files.push(ben(n as u32 + 1, last, first));
    }
    let mut inc = FileList::default();
    inc.filter = StatusFilter::All;
    inc.set_all(files.clone());
    for q in [
        "martin lea",
        "matrin",
        "ndiaye awa",
        "le goff",
        "legof",
        "dupont helene",
    ] {
        inc.query.clear();
        inc.refresh();
        for c in q.chars() {
            inc.query.insert(c);
            inc.refresh();
            let mut fresh = FileList::default();
            fresh.filter = StatusFilter::All;
            fresh.set_all(files.clone());
            fresh.query.set(&inc.query.text);
            fresh.refresh();
            assert_eq!(
                list_names(&inc),
                list_names(&fresh),
                "« {} »",
                inc.query.text
            );
            assert_eq!(inc.approx_from, fresh.approx_from, "« {} »", inc.query.text);
        }
    }
}

#[test]
fn matched_letters_are_found_in_the_displayed_text() {
    use super::list::highlight;
    let pick = |text: &str, q: &str| -> String {
        let chars: Vec<char> = text.chars().collect();
        highlight(text, q).iter().map(|&i| chars[i]).collect()
    };
    assert_eq!(pick("DUPONT-MARTIN Hugo", "martin"), "MARTIN");
    assert_eq!(pick("N'DIAYE Éloïse", "ndiaye eloise"), "NDIAYEÉloïse");
    assert_eq!(pick("MATRIN Paul", "martin"), "MATRIN");
    assert_eq!(pick("MARTINEZ Inès", "ines"), "Inès");
    assert!(highlight("DURAND Amandine", "martin").is_empty());
    assert!(highlight("DURAND Amandine", "").is_empty());
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
    crate::app::parcours::target_text(&crate::domain::PlanTarget::from(t))
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
            .plan_of(id)
            .unwrap()
            .unwrap()
            .targets
            .iter()
            .map(crate::app::parcours::target_text)
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
    // A paste arrives whole, line breaks kept in a multi-line field.
    let big = "ligne\n".repeat(300);
    a.update(Action::Paste(big.clone()));
    let of = a.benef.form.as_ref().unwrap();
    assert!(
        of.form.value("contraintes") == big,
        "1 800 characters, whole"
    );
    assert!(a.status.is_none());
    // Too long for the field: cut at its limit, and said.
    a.update(Action::Paste("x".repeat(20_000)));
    let of = a.benef.form.as_ref().unwrap();
    let limit = of.form.fields[of.form.focus].max_len;
    assert_eq!(of.form.value("contraintes").chars().count(), limit);
    assert!(a
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("Texte collé tronqué"));
    // A choice takes no text.
    focus(&mut a, "region");
    a.update(Action::Paste("Bretagne".into()));
    assert!(a.status.as_ref().unwrap().text.contains("choix"));
    a.benef.form = None;
    // The list's search box.
    a.update(Action::Search);
    a.update(Action::Paste("dup\n".into()));
    assert_eq!(
        a.benef.list.query.text, "dup",
        "a trailing line break is dropped"
    );
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

#[test]
fn the_file_form_keeps_both_seniorities() {
    let mut b = Beneficiary::new(
        Id([4; 16]),
        "Dupont",
        "Léa",
        Meta::new(now().and_utc(), "x"),
    );
    b.seniority_company_months = Some(11);
    b.seniority_total_months = Some(23);
    let f = file_form::build(Some(&b), today(), crate::app::metiers::builtin_catalog());
    assert_eq!(f.value("anc_entreprise"), "11");
    assert_eq!(f.value("anc_totale"), "23");
    let back = file_form::to_beneficiary(&f, b.clone()).unwrap();
    assert_eq!(
        (back.seniority_company_months, back.seniority_total_months),
        (Some(11), Some(23))
    );
    // Each can be unknown on its own.
    let mut f = f;
    f.set("anc_totale", "");
    let back = file_form::to_beneficiary(&f, b).unwrap();
    assert_eq!(
        (back.seniority_company_months, back.seniority_total_months),
        (Some(11), None)
    );
}
