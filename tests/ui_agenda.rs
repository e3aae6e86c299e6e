//! Snapshot tests of the Agenda screen and of the immersion form, rendered
//! with ratatui's TestBackend at a fixed date (samedi 28 novembre 2026,
//! 9 h 30): the week with a conflict at 80×24 and 120×40, what comes next,
//! the sessions, and the file's immersion form with its rule checks.

use chrono::{DateTime, Utc};
use passerelle::app::beneficiaires::interview_form::to_utc;
use passerelle::app::{Action, App, Effect, Keymap, Outcome, Screen};
use passerelle::domain::immersion::{Host, ImmersionStatus};
use passerelle::domain::{
    Beneficiary, CepLevel, Id, Immersion, InfoSession, Interview, InterviewMode,
    SessionRegistration,
};
use passerelle::transfer::agenda::{AgendaData, DueStep, FileImmersions};
use ratatui::style::Color;

mod common;
use common::{day, fixed_now, id, meta, screen_text as text};

fn at(d: u32, m: u32, h: u32, min: u32) -> DateTime<Utc> {
    to_utc(day(d, m).and_hms_opt(h, min, 0).unwrap()).unwrap()
}

fn files() -> Vec<Beneficiary> {
    vec![
        Beneficiary::new(id(1), "Dupont", "Léa", meta()),
        Beneficiary::new(id(2), "Benali", "Karim", meta()),
        Beneficiary::new(id(3), "Faure", "Noé", meta()),
    ]
}

fn interview(n: u8, who: Id, when: DateTime<Utc>, mode: InterviewMode) -> Interview {
    Interview {
        id: id(n),
        beneficiary: who,
        at: when,
        duration_minutes: 60,
        level: CepLevel::AccompagnementPersonnalise,
        mode,
        place: String::new(),
        topics: String::new(),
        summary: String::new(),
        decisions: String::new(),
        next_follow_up: None,
        planned: true,
        meta: meta(),
    }
}

fn immersion() -> Immersion {
    let mut i = Immersion::new(id(20), id(2), day(30, 11), day(4, 12), meta());
    i.host = Host {
        name: "Régie Nord".into(),
        address: "12 rue du Nord, 69009 Lyon".into(),
        ..Host::default()
    };
    i.set_schedule("lun-ven 9h-12h 13h30-17h").unwrap();
    i.status = ImmersionStatus::Signee;
    i
}

fn session() -> InfoSession {
    InfoSession {
        id: id(40),
        start: at(1, 12, 14, 0),
        duration_minutes: 120,
        place: "Maison des associations, Lyon 3e".into(),
        video_link: String::new(),
        topic: "Métiers du lien social".into(),
        organiser: "CEP Lyon".into(),
        capacity: 12,
        meta: meta(),
    }
}

/// The records of the weeks around 30/11–06/12/2026: Karim BENALI in
/// immersion at Régie Nord all week, with an interview planned during it
/// on Wednesday 10:00 (the conflict); Léa DUPONT's interview on Monday and
/// her session on Tuesday; Noé FAURE's step due on Thursday.
fn data() -> AgendaData {
    AgendaData {
        interviews: vec![
            interview(30, id(2), at(2, 12, 10, 0), InterviewMode::OnSite),
            interview(31, id(1), at(30, 11, 9, 30), InterviewMode::Video),
        ],
        immersions: vec![immersion()],
        sessions: vec![session()],
        registrations: vec![SessionRegistration {
            id: id(41),
            session: id(40),
            beneficiary: id(1),
            registered_on: day(20, 11),
            meta: meta(),
        }],
        steps: vec![DueStep {
            beneficiary: id(3),
            step: id(50),
            title: "Dossier de financement".into(),
            due: day(3, 12),
        }],
        debriefs_due: Vec::new(),
        damaged: Vec::new(),
    }
}

/// Runs what the screen asked for: the agenda loads answered with `data`.
fn feed(a: &mut App, effects: Vec<Effect>) {
    for e in effects {
        if let Effect::LoadAgenda { from, to, .. } = e {
            let more = a.effect_done(Outcome::AgendaLoaded {
                from,
                to,
                data: Box::new(data()),
            });
            feed(a, more);
        }
    }
}

fn act(a: &mut App, action: Action) {
    let fx = a.update(action);
    feed(a, fx);
}

/// The Agenda on the week of 30/11, Wednesday chosen, the interview in
/// conflict under the cursor.
fn agenda_on_conflict(w: u16, h: u16) -> App {
    let mut a = App::new(Keymap::default(), fixed_now());
    a.update(Action::Resize(w, h));
    a.effect_done(Outcome::BeneficiariesLoaded {
        damaged: Vec::new(),
        beneficiaries: files(),
        recent: Vec::new(),
    });
    act(&mut a, Action::GoTo(Screen::Agenda));
    act(&mut a, Action::NextWeek);
    for _ in 0..3 {
        act(&mut a, Action::PrevDay);
    }
    act(&mut a, Action::Down);
    a
}

#[test]
fn week_with_a_conflict_80x24() {
    let a = agenda_on_conflict(80, 24);
    let buf = common::render(&a, 80, 24);
    let s = text(&buf);
    for part in [
        "Semaine 49 — du 30/11 au 06/12/2026",
        "⚠ 1 conflit",
        "mer 02",
        "Entretien — BENALI Karim",
        "⚠ conflit : Entretien — BENALI Karim (mer. 02/12 10:00–11:00) pendant",
    ] {
        assert!(s.contains(part), "« {part} » absent :\n{s}");
    }
    // The conflict line is drawn in the error colour.
    let row = (0..24)
        .find(|&y| {
            (0..80)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .contains("⚠ conflit :")
        })
        .expect("conflict line");
    let warn = (0..80).find(|&x| buf[(x, row)].symbol() == "⚠").unwrap();
    assert_eq!(buf[(warn, row)].fg, Color::Red);
    insta::assert_snapshot!("week_conflict_80x24", s);
}

#[test]
fn week_with_a_conflict_120x40() {
    let a = agenda_on_conflict(120, 40);
    let s = text(&common::render(&a, 120, 40));
    for part in [
        "E entretien · I immersion · S séance · É échéance",
        "I BENALI Karim",
        "S Métiers du l",
        "É Dossier de f",
        "9:00–17:00",
        "⚠10:00–11:00",
    ] {
        assert!(s.contains(part), "« {part} » absent :\n{s}");
    }
    insta::assert_snapshot!("week_conflict_120x40", s);
}

#[test]
fn upcoming_list_and_sessions_views() {
    let mut a = agenda_on_conflict(100, 30);
    act(&mut a, Action::CycleView);
    let s = text(&common::render(&a, 100, 30));
    assert!(s.contains("À venir — du 28/11/2026 au 22/01/2027"), "{s}");
    assert!(
        s.contains("▶lun. 30/11 9:00–12:00 13:30–17:00  Immersion — BENALI Karim (Régie Nord)"),
        "{s}"
    );
    assert!(
        s.contains(
            " mer. 02/12 10:00–11:00  Entretien — BENALI Karim · présentiel · à venir  ⚠ conflit"
        ),
        "{s}"
    );
    insta::assert_snapshot!("upcoming_100x30", s);
    act(&mut a, Action::CycleView);
    act(&mut a, Action::Open);
    let s = text(&common::render(&a, 100, 30));
    assert!(s.contains("1/12 inscrit"), "{s}");
    assert!(s.contains("▶ DUPONT Léa (inscrit le 20/11/2026)"), "{s}");
    insta::assert_snapshot!("sessions_100x30", s);
}

/// The file of Karim BENALI on its Immersions tab, the form of his
/// immersion open: the rule checks sit below it.
#[test]
fn immersion_form_with_its_rule_checks() {
    let mut a = App::new(Keymap::default(), fixed_now());
    a.update(Action::Resize(100, 30));
    a.effect_done(Outcome::BeneficiariesLoaded {
        damaged: Vec::new(),
        beneficiaries: files(),
        recent: Vec::new(),
    });
    a.update(Action::GoTo(Screen::Beneficiaires));
    a.benef.list.select_id(id(2));
    let fx = a.update(Action::Open);
    assert!(fx.contains(&Effect::LoadFile(id(2))));
    let more = a.effect_done(Outcome::FileLoaded {
        id: id(2),
        interviews: vec![interview(
            30,
            id(2),
            at(2, 12, 10, 0),
            InterviewMode::OnSite,
        )],
        journal: Vec::new(),
        audit: Vec::new(),
    });
    // The file's immersions are loaded (and its plan, for the Parcours tab).
    assert!(
        more.contains(&Effect::LoadFileImmersions(id(2))),
        "{more:?}"
    );
    a.effect_done(Outcome::FileImmersionsLoaded {
        id: id(2),
        data: Box::new(FileImmersions {
            immersions: vec![immersion()],
            plan: None,
            sessions: Vec::new(),
            registrations: Vec::new(),
        }),
    });
    for _ in 0..3 {
        a.update(Action::NextTab);
    }
    let s = text(&common::render(&a, 100, 30));
    assert!(
        s.contains("▶ 30/11/2026 → 04/12/2026  Régie Nord · signée · 32 h 30"),
        "{s}"
    );
    assert!(
        s.contains("Entretien le mer. 02/12 à 10:00 pendant l'immersion"),
        "{s}"
    );
    insta::assert_snapshot!("immersions_tab_100x30", s);
    a.update(Action::Edit);
    let s = text(&common::render(&a, 100, 30));
    for part in [
        "Immersion de BENALI Karim — signée",
        "→ 32 h 30 par semaine · 32 h 30 au total sur 5 jours",
        "Règles de la PMSMP :",
        "✗ prescripteur manquant",
        "⚠ Entretien le mer. 02/12 à 10:00 pendant l'immersion",
    ] {
        assert!(s.contains(part), "« {part} » absent :\n{s}");
    }
    insta::assert_snapshot!("immersion_form_100x30", s);
    let s = text(&common::render(&a, 80, 24));
    insta::assert_snapshot!("immersion_form_80x24", s);
}

/// The Accueil lists the immersions under way this week (with the day
/// number) and the debriefs overdue; Entrée opens the person's file.
#[test]
fn accueil_lists_the_week_immersions_and_overdue_debriefs() {
    let mut a = App::new(Keymap::default(), fixed_now());
    a.update(Action::Resize(100, 30));
    a.effect_done(Outcome::BeneficiariesLoaded {
        damaged: Vec::new(),
        beneficiaries: files(),
        recent: Vec::new(),
    });
    let fx = a.startup_effects();
    let (from, to) = fx
        .iter()
        .find_map(|e| match e {
            Effect::LoadAgenda { from, to, .. } => Some((*from, *to)),
            _ => None,
        })
        .expect("the Accueil loads its week");
    assert_eq!((from, to), (day(23, 11), day(29, 11)));
    let mut running = immersion();
    running.start = day(23, 11);
    running.set_schedule("lun-sam 9h-12h").unwrap();
    running.status = ImmersionStatus::EnCours;
    let mut over = immersion();
    over.id = id(21);
    over.beneficiary = id(3);
    over.host.name = "Crèche Les Lucioles".into();
    over.start = day(2, 11);
    over.end = day(13, 11);
    over.status = ImmersionStatus::Realisee;
    a.effect_done(Outcome::AgendaLoaded {
        from,
        to,
        data: Box::new(AgendaData {
            immersions: vec![running],
            debriefs_due: vec![over],
            ..AgendaData::default()
        }),
    });
    let s = text(&common::render(&a, 100, 30));
    for part in [
        "Immersion J6/11  BENALI Karim @ Régie Nord",
        "En retard (1)",
        "⚠ Bilan d'immersion  FAURE Noé (fin 13/11)",
    ] {
        assert!(s.contains(part), "« {part} » absent :\n{s}");
    }
    insta::assert_snapshot!("accueil_immersions_100x30", s);
    a.update(Action::Down);
    a.update(Action::Open);
    assert_eq!(a.screen, Screen::Beneficiaires);
    assert_eq!(a.open_beneficiary.as_ref().map(|o| o.id), Some(id(3)));
}

#[test]
fn masking_blurs_the_names_in_every_agenda_view() {
    for view in 0..3 {
        let mut a = agenda_on_conflict(100, 30);
        act(&mut a, Action::MaskPersonal);
        for _ in 0..view {
            act(&mut a, Action::CycleView);
        }
        if view == 2 {
            act(&mut a, Action::Open);
        }
        let s = text(&common::render(&a, 100, 30));
        for name in ["BENALI", "Karim", "DUPONT", "Léa"] {
            assert!(!s.contains(name), "{name} visible (vue {view}) :\n{s}");
        }
        assert!(
            s.contains("B••••• K••••") || s.contains("D••••• L••"),
            "{s}"
        );
    }
}
