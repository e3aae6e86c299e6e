//! Snapshot tests of the Bénéficiaires and Accueil screens, rendered with
//! ratatui's TestBackend at a fixed date (samedi 28 novembre 2026, 9 h 30).

use chrono::NaiveDate;
use passerelle::app::beneficiaires::interview_form::to_utc;
use passerelle::app::beneficiaires::Tab;
use passerelle::app::{Action, App, Keymap, Outcome, Screen};
use passerelle::domain::{
    Beneficiary, CepLevel, ConsentRecord, ContractType, Employer, Id, Interview, InterviewMode,
    Request, Status, TargetMetier,
};
use passerelle::store::{JournalEntry, Op, RecordKind};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;

mod common;
use common::{day, id, meta, press, screen_text as text, type_text};

fn now() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap()
}

fn job(rome: &str, label: &str) -> Option<TargetMetier> {
    Some(TargetMetier {
        ogr: 1,
        rome: rome.into(),
        label: label.into(),
    })
}

fn notice() -> Option<ConsentRecord> {
    Some(ConsentRecord {
        date: day(14, 11),
        notice_version: "v1-2026".into(),
    })
}

fn files() -> Vec<Beneficiary> {
    let mut a = Beneficiary::new(id(1), "Dupont", "Léa", meta());
    a.branch = Some("ECLAT".into());
    a.current_job = job("G1203", "Animatrice périscolaire");
    a.last_contact = Some(day(14, 11));
    a.next_follow_up = Some(day(5, 12));
    a.consent.processing = notice();
    a.email = Some("lea.dupont@exemple.fr".into());
    a.phone = Some("06 12 34 56 78".into());
    a.postcode = Some("69003".into());
    a.commune = Some("Lyon".into());
    a.region = Some("Auvergne-Rhône-Alpes".into());
    a.employer = Employer {
        name: "MJC Montplaisir".into(),
        siret: Some("12002701600357".into()),
    };
    a.contract = Some(ContractType::Cdi);
    a.working_time = Some("temps plein".into());
    a.seniority_company_months = Some(28);
    a.seniority_total_months = Some(96);
    a.qualification_level = Some(4);
    a.cpf_balance = Some(passerelle::domain::Cents(234050));
    a.request = Some(Request::Reconversion);
    a.constraints = "Pas de voiture.\nDisponible le matin.".into();
    a.cep_level = Some(2);

    let mut b = Beneficiary::new(id(2), "Dupuis", "Marc", meta());
    b.branch = Some("BAD".into());
    b.current_job = job("K1302", "Aide à domicile");
    b.last_contact = Some(day(2, 10));

    let mut c = Beneficiary::new(id(3), "Benali", "Karim", meta());
    c.branch = Some("ACI".into());
    c.next_follow_up = Some(day(20, 11));
    c.consent.processing = notice();

    let mut d = Beneficiary::new(id(4), "Martin", "Zoé", meta());
    d.next_follow_up = Some(day(28, 11));
    d.status = Status::Closed {
        on: day(1, 11),
        reason: "emploi trouvé".into(),
    };
    let mut e = Beneficiary::new(id(5), "Faure", "Noé", meta());
    e.next_follow_up = Some(day(28, 11));
    e.branch = Some("ALISFA".into());
    e.consent.processing = notice();
    vec![a, b, c, d, e]
}

fn app() -> App {
    let mut a = App::new(Keymap::default(), now());
    a.data_dir = "/tmp/passerelle-test".into();
    a.effect_done(Outcome::BeneficiariesLoaded {
        damaged: Vec::new(),
        beneficiaries: files(),
        recent: vec![id(1), id(3)],
    });
    a
}

fn render(app: &mut App, w: u16, h: u16) -> Buffer {
    app.update(Action::Resize(w, h));
    common::render(app, w, h)
}

fn interviews(ben: Id) -> Vec<Interview> {
    let mk = |n: u8, d: u32, m: u32, h: u32, level, mode, topics: &str, summary: &str| Interview {
        id: id(100 + n),
        beneficiary: ben,
        at: to_utc(day(d, m).and_hms_opt(h, 0, 0).unwrap()).unwrap(),
        duration_minutes: 60,
        level,
        mode,
        place: "Lyon 3e".into(),
        topics: topics.into(),
        summary: summary.into(),
        decisions: "Prendre contact avec la crèche Les Lucioles.".into(),
        next_follow_up: Some(day(5, 12)),
        planned: false,
        meta: meta(),
    };
    vec![
        mk(
            2,
            14,
            11,
            9,
            CepLevel::AccompagnementPersonnalise,
            InterviewMode::OnSite,
            "projet EJE, financement",
            "Projet confirmé.\nPiste VAE à étudier.",
        ),
        mk(
            1,
            2,
            10,
            14,
            CepLevel::AccueilIndividualise,
            InterviewMode::Phone,
            "premier contact",
            "Présentation du CEP.",
        ),
    ]
}

fn open_first_file(a: &mut App) {
    a.update(Action::GoTo(Screen::Beneficiaires));
    a.update(Action::CycleSort); // nom
    press(a, KeyCode::Enter);
    let fid = a.benef.open_id().expect("file open");
    let journal = vec![
        JournalEntry {
            at: to_utc(day(14, 11).and_hms_opt(10, 5, 0).unwrap()).unwrap(),
            advisor: "Camille".into(),
            kind: RecordKind::Interview,
            id: id(102),
            beneficiary: fid,
            op: Op::Created,
            fields: vec![],
            note: String::new(),
        },
        JournalEntry {
            at: to_utc(day(2, 10).and_hms_opt(15, 0, 0).unwrap()).unwrap(),
            advisor: "Camille".into(),
            kind: RecordKind::Beneficiary,
            id: fid,
            beneficiary: fid,
            op: Op::Updated,
            fields: vec!["consent".into(), "email".into(), "phone".into()],
            note: String::new(),
        },
        JournalEntry {
            at: to_utc(day(1, 10).and_hms_opt(11, 0, 0).unwrap()).unwrap(),
            advisor: "Camille".into(),
            kind: RecordKind::Beneficiary,
            id: fid,
            beneficiary: fid,
            op: Op::Created,
            fields: vec!["last_name".into()],
            note: String::new(),
        },
    ];
    a.effect_done(Outcome::FileLoaded {
        id: fid,
        interviews: interviews(fid),
        journal,
        audit: vec![],
    });
}

#[test]
fn list_shows_filter_sort_query_and_count() {
    let mut a = app();
    a.update(Action::GoTo(Screen::Beneficiaires));
    let s = text(&render(&mut a, 100, 30));
    let filter_line = s.lines().nth(1).unwrap();
    for t in ["Filtre: ouverts", "tri: prochain suivi ▲", "4 / 5 dossiers"] {
        assert!(filter_line.contains(t), "{t} missing in {filter_line}");
    }
    assert!(s.contains("⚠ absente"), "{s}");
    assert!(!s.contains("MARTIN"), "closed files hidden by default");
    insta::assert_snapshot!("list_100x30", s);

    // Search as you type, then the filter and sort keys.
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "dup");
    press(&mut a, KeyCode::Down);
    let s = text(&render(&mut a, 80, 24));
    assert!(s.contains("recherche: \"dup▏\""), "{s}");
    assert!(s.contains("DUPONT Léa") && s.contains("DUPUIS Marc") && !s.contains("BENALI"));
    insta::assert_snapshot!("list_search_80x24", s);
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('f'));
    press(&mut a, KeyCode::Char('s'));
    let s = text(&render(&mut a, 80, 24));
    assert!(
        s.contains("Filtre: clos") && s.contains("tri: nom ▲"),
        "{s}"
    );
    assert!(s.contains("MARTIN Zoé (clos)"));
}

#[test]
fn form_with_errors_at_80x24() {
    let mut a = app();
    a.update(Action::GoTo(Screen::Beneficiaires));
    press(&mut a, KeyCode::Char('n'));
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "Léa");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "2020");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "lea.dupont");
    a.update(Action::Save);
    let s = text(&render(&mut a, 80, 24));
    assert!(s.contains("Nom obligatoire"), "{s}");
    assert!(s.contains("il manque « @ »"), "{s}");
    assert!(s.contains("3 champs à corriger"), "{s}");
    assert!(s.contains("Non enregistré"), "{s}");
    insta::assert_snapshot!("form_errors_80x24", s);
    // The cursor went to the first error: the name field is marked.
    let name_line = s.lines().find(|l| l.contains("Nom*")).unwrap();
    assert!(name_line.contains("▶"), "{name_line}");
}

#[test]
fn file_tabs_situation_interviews_and_history() {
    let mut a = app();
    open_first_file(&mut a);
    assert_eq!(
        a.open_beneficiary.as_ref().unwrap().display_name,
        "BENALI Karim"
    );
    // Back to the list, down to DUPONT (sorted by name: BENALI, DUPONT…).
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Enter);
    let fid = a.benef.open_id().unwrap();
    a.effect_done(Outcome::FileLoaded {
        id: fid,
        interviews: interviews(fid),
        journal: vec![],
        audit: vec![],
    });
    let s = text(&render(&mut a, 100, 30));
    assert_eq!(
        a.open_beneficiary.as_ref().unwrap().display_name,
        "DUPONT Léa"
    );
    assert!(
        s.lines().nth(1).unwrap().contains("DUPONT Léa · ÉCLAT"),
        "{s}"
    );
    assert!(s.contains("Situation") && s.contains("Entretiens (2)"));
    insta::assert_snapshot!("file_situation_100x30", s);

    press(&mut a, KeyCode::Right);
    let s = text(&render(&mut a, 100, 30));
    assert!(s.contains("14/11/2026 09:00") && s.contains("02/10/2026 14:00"));
    let first = s.find("14/11/2026 09:00").unwrap();
    let second = s.find("02/10/2026 14:00").unwrap();
    assert!(first < second, "newest first");
    insta::assert_snapshot!("interviews_100x30", s);

    press(&mut a, KeyCode::Enter);
    let s = text(&render(&mut a, 100, 30));
    assert!(s.contains("Piste VAE à étudier."), "{s}");
    insta::assert_snapshot!("interview_detail_100x30", s);

    press(&mut a, KeyCode::Esc);
    for _ in 0..3 {
        press(&mut a, KeyCode::Right);
    }
    assert_eq!(a.benef.file.as_ref().unwrap().tab, Tab::Historique);
}

#[test]
fn history_tab_names_events_without_values() {
    let mut a = app();
    open_first_file(&mut a);
    press(&mut a, KeyCode::Left);
    let s = text(&render(&mut a, 100, 30));
    assert!(s.contains("Entretien noté"), "{s}");
    assert!(
        s.contains("Dossier modifié : consentement, coordonnées"),
        "{s}"
    );
    assert!(s.contains("Création du dossier"));
    assert!(!s.contains("@"), "no personal values in the timeline");
    insta::assert_snapshot!("history_100x30", s);
}

#[test]
fn interview_form_with_multiline_summary() {
    let mut a = app();
    open_first_file(&mut a);
    press(&mut a, KeyCode::Char('i'));
    assert!(a.benef.form_open());
    for _ in 0..6 {
        press(&mut a, KeyCode::Tab);
    }
    type_text(
        &mut a,
        "Point sur le projet d'EJE : la personne confirme son intérêt après deux journées d'observation.\nFinancement à étudier.",
    );
    let s = text(&render(&mut a, 100, 30));
    assert!(s.contains("28/11/2026 09:30"), "date-time defaults to now");
    assert!(s.contains("Financement à étudier."), "{s}");
    insta::assert_snapshot!("interview_form_100x30", s);
}

#[test]
fn accueil_shows_follow_ups_and_recent_files() {
    let mut a = app();
    let s = text(&render(&mut a, 100, 30));
    assert!(s.contains("Aujourd'hui — samedi 28 novembre"), "{s}");
    assert!(s.contains("FAURE Noé"), "due today");
    assert!(s.contains("⚠ Suivi prévu 20/11  BENALI Karim"), "{s}");
    assert!(!s.contains("MARTIN"), "closed files are not followed up");
    assert!(s.contains("Récemment ouverts") && s.contains("DUPONT Léa"));
    insta::assert_snapshot!("accueil_data_100x30", s);
    let s = text(&render(&mut a, 80, 24));
    assert!(s.contains("BENALI Karim"));
}

/// Moves the focus of the open form to `key` with Tab (as a user would).
fn tab_to(a: &mut App, key: &str) {
    for _ in 0..40 {
        let at = a
            .benef
            .form
            .as_ref()
            .and_then(|f| f.form.focused().map(|x| x.key));
        if at == Some(key) {
            return;
        }
        press(a, KeyCode::Tab);
    }
    panic!("no field {key}");
}

const LONG_EMPLOYER: &str =
    "Association intercommunale d'aide à domicile du Pays de Montbéliard et des environs";

/// A one-line value longer than its column: `…` where it is cut, the
/// cursor kept in view (focused field cut on the left, others on the right).
#[test]
fn form_with_a_long_value_shows_an_ellipsis() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = app();
        a.update(Action::GoTo(Screen::Beneficiaires));
        press(&mut a, KeyCode::Char('n'));
        tab_to(&mut a, "commune");
        type_text(
            &mut a,
            "Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson (Marne)",
        );
        tab_to(&mut a, "employeur");
        type_text(&mut a, LONG_EMPLOYER);
        let buf = render(&mut a, w, h);
        let s = text(&buf);
        let employer = s.lines().find(|l| l.contains("Employeur")).unwrap();
        assert!(
            employer.contains("▶") && employer.contains("…"),
            "{employer}"
        );
        assert!(
            employer.contains("des environs"),
            "cursor end in view: {employer}"
        );
        let commune = s.lines().find(|l| l.contains("Commune")).unwrap();
        assert!(
            commune.contains("Saint-Rémy") && commune.contains('…'),
            "{commune}"
        );
        // The terminal cursor sits right after the last character typed.
        let y = s.lines().position(|l| l.contains("Employeur")).unwrap() as u16;
        let end = (0..w).rev().find(|&x| buf[(x, y)].symbol() == "s").unwrap();
        assert_eq!(buf[(end + 1, y)].symbol(), " ");
        insta::assert_snapshot!(format!("form_long_value_{w}x{h}"), s);
    }
}

/// A date typed as a shortcut shows the resolved day beside the field.
#[test]
fn form_shows_the_resolved_date_beside_the_field() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = app();
        a.update(Action::GoTo(Screen::Beneficiaires));
        press(&mut a, KeyCode::Char('n'));
        tab_to(&mut a, "prochain_suivi");
        type_text(&mut a, "+1s");
        let s = text(&render(&mut a, w, h));
        let line = s.lines().find(|l| l.contains("Prochain suivi")).unwrap();
        assert!(line.contains("+1s"), "{line}");
        assert!(s.contains("→ samedi 5 décembre 2026"), "{s}");
        insta::assert_snapshot!(format!("form_date_resolved_{w}x{h}"), s);
        // Leaving the field writes the date out.
        press(&mut a, KeyCode::Tab);
        let s = text(&render(&mut a, w, h));
        assert!(s.contains("05/12/2026"), "{s}");
    }
}

/// Files found as typed first, then the « approchés » (one typo), with the
/// matched letters highlighted.
#[test]
fn list_search_shows_approches_below_exact_matches() {
    let mut a = app();
    let mut extra = Beneficiary::new(id(6), "Dupond", "Hélène", meta());
    extra.next_follow_up = Some(day(1, 12));
    a.benef.list.upsert(extra);
    a.status = None;
    a.update(Action::GoTo(Screen::Beneficiaires));
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "dupont");
    for (w, h) in [(80, 24), (120, 40)] {
        let buf = render(&mut a, w, h);
        let s = text(&buf);
        let lines: Vec<&str> = s.lines().collect();
        let exact = lines.iter().position(|l| l.contains("DUPONT Léa")).unwrap();
        let sep = lines
            .iter()
            .position(|l| l.contains("── 1 approché"))
            .unwrap();
        let approx = lines
            .iter()
            .position(|l| l.contains("DUPOND Hélène"))
            .unwrap();
        assert!(exact < sep && sep < approx, "{s}");
        assert!(!s.contains("DUPUIS"), "{s}");
        assert!(lines[1].contains("2 / 6 dossiers"), "{}", lines[1]);
        // Matched letters: « DUPONT » highlighted, then « DUPON » of DUPOND.
        let theme = passerelle::ui::Theme::default();
        let hl = |y: usize, x: u16| {
            buf[(x, y as u16)]
                .modifier
                .contains(theme.highlight.add_modifier)
                && buf[(x, y as u16)].fg == theme.highlight.fg.unwrap_or_default()
        };
        let x0 = lines[approx].find("DUPOND").unwrap() as u16;
        let x0 = lines[approx][..x0 as usize].chars().count() as u16;
        assert!(hl(approx, x0) && hl(approx, x0 + 4), "{s}");
        assert!(!hl(approx, x0 + 7), "first name not marked: {s}");
        insta::assert_snapshot!(format!("list_approches_{w}x{h}"), s);
    }
}

/// A long summary line wraps in the reading view instead of being cut.
#[test]
fn interview_reading_view_wraps_long_lines() {
    let mut a = app();
    open_first_file(&mut a);
    let fid = a.benef.open_id().unwrap();
    let mut list = interviews(fid);
    list[0].summary = "Projet confirmé après deux journées d'observation en crèche : la personne souhaite \
préparer le diplôme d'État d'éducateur de jeunes enfants par la VAE, en gardant son emploi d'animatrice \
périscolaire le temps de constituer le livret 2.\nPiste VAE à étudier."
        .into();
    a.effect_done(Outcome::FileLoaded {
        id: fid,
        interviews: list,
        journal: vec![],
        audit: vec![],
    });
    press(&mut a, KeyCode::Right); // Entretiens
    press(&mut a, KeyCode::Enter);
    let s = text(&render(&mut a, 80, 24));
    assert!(
        s.contains("livret 2."),
        "the end of the long line is on screen: {s}"
    );
    for l in s.lines() {
        assert!(l.chars().count() <= 80);
    }
    insta::assert_snapshot!("interview_reading_wrapped_80x24", s);
}

#[test]
fn history_merges_the_audit_events_in_time_order() {
    use passerelle::store::audit::{AuditAction, AuditEntry};
    let mut a = app();
    open_first_file(&mut a);
    let fid = a.benef.open_id().unwrap();
    let mut file = a.benef.file.as_ref().unwrap().journal.clone();
    file.sort_by_key(|e| std::cmp::Reverse(e.at));
    // Between the interview of 14/11 and the change of 02/10; and one
    // newer than everything.
    let audit = vec![
        AuditEntry {
            at: to_utc(day(20, 11).and_hms_opt(16, 0, 0).unwrap()).unwrap(),
            advisor: "Camille".into(),
            action: AuditAction::Export,
            beneficiary: Some(fid),
            detail: "fiche de convention d'immersion (HTML)".into(),
        },
        AuditEntry {
            at: to_utc(day(10, 10).and_hms_opt(8, 0, 0).unwrap()).unwrap(),
            advisor: "Camille".into(),
            action: AuditAction::Export,
            beneficiary: Some(fid),
            detail: "synthèse du parcours (HTML)".into(),
        },
    ];
    a.effect_done(Outcome::FileLoaded {
        id: fid,
        interviews: interviews(fid),
        journal: file,
        audit,
    });
    press(&mut a, KeyCode::Left);
    let s = text(&render(&mut a, 100, 30));
    let pos = |needle: &str| {
        s.find(needle)
            .unwrap_or_else(|| panic!("« {needle} » absent :\n{s}"))
    };
    let convention = pos("Export : fiche de convention d'immersion (HTML)");
    let interview = pos("Entretien noté");
    let synthesis = pos("Export : synthèse du parcours (HTML)");
    let changed = pos("Dossier modifié");
    assert!(
        convention < interview && interview < synthesis && synthesis < changed,
        "newest first, both sources merged:\n{s}"
    );
}

#[test]
fn masked_list_and_file_blur_names_and_hide_contacts_and_notes() {
    let mut a = app();
    a.update(Action::MaskPersonal);
    a.update(Action::GoTo(Screen::Beneficiaires));
    for (w, h) in [(80, 24), (120, 40)] {
        let s = text(&render(&mut a, w, h));
        for name in ["DUPONT", "Dupont", "Léa", "BENALI", "Karim", "DUPUIS"] {
            assert!(!s.contains(name), "{name} visible at {w}×{h}:\n{s}");
        }
        assert!(s.contains("D•••••"), "initial kept:\n{s}");
        assert!(s.lines().next().unwrap().contains("masqu"), "{s}");
        // The rest of the screen stays readable.
        assert!(s.contains("Animatrice périscolaire") || w < 100, "{s}");
        insta::assert_snapshot!(format!("masked_list_{w}x{h}"), s);
    }

    // DUPONT Léa's file (sorted by name: BENALI, DUPONT…).
    a.update(Action::CycleSort);
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Enter);
    let fid = a.benef.open_id().unwrap();
    a.effect_done(Outcome::FileLoaded {
        id: fid,
        interviews: interviews(fid),
        journal: vec![],
        audit: vec![],
    });
    for (w, h) in [(80, 24), (120, 40)] {
        let s = text(&render(&mut a, w, h));
        for secret in [
            "Dupont",
            "DUPONT",
            "Léa",
            "lea.dupont@exemple.fr",
            "06 12 34",
            "69003",
            "Pas de voiture",
        ] {
            assert!(!s.contains(secret), "{secret} visible at {w}×{h}:\n{s}");
        }
        assert!(s.contains("(masqué)") && s.contains("•••"), "{s}");
        assert!(s.contains("MJC Montplaisir") || w < 100, "{s}");
        insta::assert_snapshot!(format!("masked_file_{w}x{h}"), s);
    }
    // The interviews: topics and summaries masked, dates kept.
    press(&mut a, KeyCode::Right);
    let s = text(&render(&mut a, 100, 30));
    assert!(s.contains("14/11/2026 09:00"), "{s}");
    assert!(!s.contains("projet EJE") && s.contains("(masqué)"), "{s}");
    press(&mut a, KeyCode::Enter);
    let s = text(&render(&mut a, 100, 30));
    assert!(!s.contains("Piste VAE") && !s.contains("Lucioles"), "{s}");

    // Off again: everything is back.
    a.update(Action::MaskPersonal);
    let s = text(&render(&mut a, 100, 30));
    assert!(s.contains("Piste VAE") && s.contains("DUPONT Léa"), "{s}");
}

#[test]
fn masked_form_shows_only_the_field_being_typed() {
    let mut a = app();
    a.update(Action::GoTo(Screen::Beneficiaires));
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "Zylberstein");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "Anouk");
    a.update(Action::MaskPersonal);
    let s = text(&render(&mut a, 80, 24));
    assert!(!s.contains("Zylberstein"), "{s}");
    assert!(s.contains("(masqué)") && s.contains("Anouk"), "{s}");
    // The next field: the first name is hidden in turn, the form still works.
    press(&mut a, KeyCode::Tab);
    let s = text(&render(&mut a, 80, 24));
    assert!(!s.contains("Anouk") && !s.contains("Zylberstein"), "{s}");
    let f = &a.benef.form.as_ref().unwrap().form;
    assert_eq!(f.value("nom"), "Zylberstein", "masking never edits values");
}
