//! The Agenda screen's logic and the file's Immersions tab: week
//! navigation and loading, sessions (create, capacity, register,
//! unregister, delete) through the real runtime on a temporary store, a
//! new immersion from the agenda, and the changes the immersion forms make
//! (the plan step link, refused transitions, renewals).

use super::*;
use crate::app::beneficiaires::immersions::{change_for, link_to_plan, ImmersionTarget};
use crate::app::beneficiaires::{FormTarget, OpenForm, Tab};
use crate::app::runtime::Runtime;
use crate::app::Keymap;
use crate::domain::agenda::from_paris;
use crate::domain::immersion::fixtures::{complete, SIRET_A};
use crate::domain::time::FixedClock;
use crate::domain::{Immersion, ImmersionStatus, Plan, PlanTarget, StepKind};
use crate::store::{AnyRecord, Store, Write};
use crate::transfer::agenda::FileImmersions;
use chrono::{NaiveDateTime, TimeZone, Utc};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Saturday 28 November 2026, 9:30 in Paris.
fn now() -> NaiveDateTime {
    d(2026, 11, 28).and_hms_opt(9, 30, 0).unwrap()
}

fn person(n: u8, last: &str, first: &str) -> Beneficiary {
    Beneficiary::new(
        Id::new_v7(1_790_000_000_000 + u64::from(n), [n; 10]),
        last,
        first,
        Meta::new(Utc.timestamp_opt(1_790_000_000, 0).unwrap(), "x"),
    )
}

struct Rig {
    _dir: tempfile::TempDir,
    rt: Runtime,
    app: App,
}

impl Rig {
    fn new(files: &[Beneficiary]) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("base")).unwrap();
        let writes: Vec<Write> = files
            .iter()
            .map(|b| Write::Put(AnyRecord::from(b.clone())))
            .collect();
        store.apply(&writes).unwrap();
        let clock = FixedClock(from_paris(now()));
        let mut rt = Runtime::new(store, Box::new(clock), "Camille".into());
        let mut app = App::new(Keymap::default(), now());
        app.size = (100, 30);
        crate::app::tui::start(&mut app, &mut rt);
        Rig { _dir: dir, rt, app }
    }
    fn act(&mut self, a: Action) {
        let fx = self.app.update(a);
        crate::app::tui::drive(&mut self.app, &mut self.rt, fx);
    }
    fn set(&mut self, key: &str, value: &str) {
        let f = &mut self.app.agenda.form.as_mut().expect("session form").form;
        f.set(key, value);
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
fn weeks_and_days_load_their_range_once_and_today_comes_back() {
    let mut a = App::new(Keymap::default(), now());
    let fx = a.update(Action::GoTo(Screen::Agenda));
    let load = |from, to| Effect::LoadAgenda {
        from,
        to,
        today: d(2026, 11, 28),
    };
    assert_eq!(fx, vec![load(d(2026, 11, 23), d(2026, 11, 29))]);
    // Moving inside the week asks nothing; leaving it asks its week.
    assert!(a.update(Action::PrevDay).is_empty());
    assert_eq!(a.agenda.day, Some(d(2026, 11, 27)));
    assert_eq!(
        a.update(Action::NextWeek),
        vec![load(d(2026, 11, 30), d(2026, 12, 6))]
    );
    assert_eq!(a.agenda.day, Some(d(2026, 12, 4)));
    assert_eq!(
        a.update(Action::NextDay),
        Vec::new(),
        "Saturday 5 is in the same week"
    );
    assert_eq!(
        a.update(Action::PageUp),
        vec![load(d(2026, 11, 23), d(2026, 11, 29))],
        "PgPréc is the previous week"
    );
    a.update(Action::PrevWeek);
    assert_eq!(
        a.update(Action::Today),
        vec![load(d(2026, 11, 23), d(2026, 11, 29))]
    );
    assert_eq!(a.agenda.day, Some(d(2026, 11, 28)));
    // The « à venir » view covers 8 weeks from today.
    assert_eq!(
        a.update(Action::CycleView),
        vec![load(d(2026, 11, 28), d(2027, 1, 22))]
    );
    assert_eq!(a.agenda.view, View::Upcoming);
    a.update(Action::PrevDay);
    assert!(a.status.as_ref().unwrap().text.contains("vue semaine"));
    // A stale answer (another range) is ignored.
    a.effect_done(Outcome::AgendaLoaded {
        from: d(2026, 11, 23),
        to: d(2026, 11, 29),
        data: Box::default(),
    });
    assert_eq!(a.agenda.loaded, None);
}

#[test]
fn sessions_capacity_registration_and_deletion() {
    let lea = person(1, "Dupont", "Léa");
    let karim = person(2, "Benali", "Karim");
    let mut r = Rig::new(&[lea.clone(), karim.clone()]);
    r.act(Action::GoTo(Screen::Agenda));
    r.act(Action::CycleView);
    r.act(Action::CycleView);
    assert_eq!(r.app.agenda.view, View::Sessions);
    r.act(Action::New);
    r.set("quand", "01/12/2026 14h");
    r.set("theme", "Métiers du lien social");
    r.set("organisateur", "CEP Lyon");
    r.set("capacite", "0");
    r.act(Action::Save);
    assert_eq!(
        r.status(),
        "Non enregistré : Lieu : indiquez un lieu ou un lien de visio"
    );
    r.set("lien", "visio.exemple.fr");
    r.act(Action::Save);
    assert!(r.status().contains("https://"), "{}", r.status());
    r.set("lien", "https://visio.exemple.fr/cep");
    r.act(Action::Save);
    assert!(r.status().contains("de 1 à 500 places"), "{}", r.status());
    r.set("capacite", "1");
    r.act(Action::Save);
    assert_eq!(r.status(), "Séance « Métiers du lien social » créée");
    assert!(r.app.agenda.form.is_none());
    let stored = r.rt.store.sessions().unwrap().records;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        crate::domain::agenda::to_paris(stored[0].start),
        d(2026, 12, 1).and_hms_opt(14, 0, 0).unwrap()
    );
    assert_eq!(stored[0].meta.advisor, "Camille");
    assert_eq!(r.app.agenda.data.sessions.len(), 1, "reloaded");

    // Registering needs an open file; then the capacity holds.
    r.act(Action::Register);
    assert!(r.status().contains("Ouvrez d'abord"), "{}", r.status());
    r.app.open_beneficiary = Some(crate::app::OpenBeneficiary {
        id: lea.id,
        display_name: lea.display_name(),
    });
    r.act(Action::Register);
    assert!(
        r.status().contains("Inscription à la séance"),
        "{}",
        r.status()
    );
    assert_eq!(r.rt.store.registrations_of(lea.id).unwrap().len(), 1);
    let notes: Vec<String> =
        r.rt.store
            .journal_of(lea.id)
            .unwrap()
            .into_iter()
            .map(|e| e.note)
            .collect();
    assert!(notes.contains(&"inscription à la séance d'information du 01/12/2026".to_string()));
    r.app.open_beneficiary = Some(crate::app::OpenBeneficiary {
        id: karim.id,
        display_name: karim.display_name(),
    });
    r.act(Action::Register);
    assert_eq!(
        r.status(),
        "Non fait : inscription refusée : la séance du 01/12/2026 est complète (1 place)"
    );
    assert!(r.rt.store.registrations_of(karim.id).unwrap().is_empty());
    // Room for one more, then the capacity cannot go below the registered.
    r.act(Action::Edit);
    r.set("capacite", "2");
    r.act(Action::Save);
    r.act(Action::Register);
    assert_eq!(r.rt.store.registrations_of(karim.id).unwrap().len(), 1);
    r.act(Action::Edit);
    r.set("capacite", "1");
    r.act(Action::Save);
    assert!(
        r.status()
            .contains("2 personnes sont déjà inscrites : capacité d'au moins 2 places"),
        "{}",
        r.status()
    );
    r.act(Action::Back);
    r.act(Action::Yes);
    assert!(r.app.agenda.form.is_none());

    // Unregister Karim (sorted by name: BENALI first) after confirming.
    r.act(Action::Open);
    assert_eq!(r.app.agenda.registrant, Some(0));
    r.act(Action::Unregister);
    assert!(
        matches!(r.app.modals.last(), Some(Modal::Confirm(c)) if c.question.contains("BENALI Karim"))
    );
    r.act(Action::Yes);
    assert!(r.rt.store.registrations_of(karim.id).unwrap().is_empty());
    assert_eq!(r.rt.store.registrations_of(lea.id).unwrap().len(), 1);
    // Undo brings the registration back.
    r.act(Action::Back);
    r.act(Action::Undo);
    assert_eq!(r.rt.store.registrations_of(karim.id).unwrap().len(), 1);

    // Deleting the session takes its registrations, after a question.
    r.act(Action::Delete);
    let Some(Modal::Confirm(c)) = r.app.modals.last() else {
        panic!("a question")
    };
    assert!(
        c.question.contains("Ses 2 inscriptions seront retirées"),
        "{}",
        c.question
    );
    r.act(Action::Yes);
    assert_eq!(r.status(), "Séance supprimée, 2 inscriptions retirées");
    assert!(r.rt.store.sessions().unwrap().records.is_empty());
    assert!(r.rt.store.registrations_of(lea.id).unwrap().is_empty());
}

#[test]
fn a_new_immersion_from_the_agenda_opens_the_chosen_persons_file() {
    let karim = person(2, "Benali", "Karim");
    let mut r = Rig::new(std::slice::from_ref(&karim));
    r.act(Action::GoTo(Screen::Agenda));
    // Nobody chosen, no file open: a message.
    r.act(Action::NewImmersion);
    assert!(
        r.status().contains("ouvrez d'abord son dossier"),
        "{}",
        r.status()
    );
    // An interview of Karim on Monday 30 chosen.
    let iv = crate::domain::Interview {
        id: Id::generate(),
        beneficiary: karim.id,
        at: from_paris(d(2026, 11, 30).and_hms_opt(10, 0, 0).unwrap()),
        duration_minutes: 60,
        level: crate::domain::CepLevel::AccompagnementPersonnalise,
        mode: crate::domain::InterviewMode::OnSite,
        place: String::new(),
        topics: String::new(),
        summary: String::new(),
        decisions: String::new(),
        next_follow_up: None,
        planned: true,
        meta: karim.meta.clone(),
    };
    r.rt.store.save_interview(&iv).unwrap();
    r.act(Action::NextDay);
    r.act(Action::NextDay);
    assert_eq!(r.app.agenda.day_items(now().date()).len(), 1);
    r.act(Action::NewImmersion);
    assert_eq!(r.app.screen, Screen::Beneficiaires);
    assert_eq!(r.app.benef.open_id(), Some(karim.id));
    assert_eq!(r.app.benef.file.as_ref().unwrap().tab, Tab::Immersions);
    assert!(matches!(
        r.app.benef.form,
        Some(OpenForm {
            target: FormTarget::Immersion(ImmersionTarget::Content { is_new: true, .. }),
            ..
        })
    ));
    assert!(r.app.benef.file.as_ref().unwrap().imm.loaded);
}

fn app_with_tab(plan: Option<Plan>, immersions: Vec<Immersion>) -> App {
    let b = {
        let mut b = person(9, "Dupont", "Léa");
        b.id = crate::domain::immersion::fixtures::ben();
        b
    };
    let mut a = App::new(Keymap::default(), now());
    a.effect_done(Outcome::BeneficiariesLoaded {
        beneficiaries: vec![b.clone()],
        damaged: Vec::new(),
        recent: Vec::new(),
    });
    crate::app::beneficiaires::open_file(&mut a, b.id);
    a.effect_done(Outcome::FileLoaded {
        id: b.id,
        interviews: Vec::new(),
        journal: Vec::new(),
        audit: Vec::new(),
    });
    a.effect_done(Outcome::FileImmersionsLoaded {
        id: b.id,
        data: Box::new(FileImmersions {
            immersions,
            plan,
            sessions: Vec::new(),
            registrations: Vec::new(),
        }),
    });
    a.benef.file.as_mut().unwrap().tab = Tab::Immersions;
    a
}

fn content_form(a: &App) -> (ImmersionTarget, crate::app::form::Form) {
    match &a.benef.form {
        Some(OpenForm {
            target: FormTarget::Immersion(t),
            form,
        }) => (t.clone(), form.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_new_immersion_is_a_step_of_the_existing_plan_with_its_first_target() {
    let ben = crate::domain::immersion::fixtures::ben();
    let mut plan = Plan::new(
        Id::generate(),
        ben,
        d(2026, 10, 1),
        Meta::new(Utc::now(), "x"),
    );
    plan.add_target(PlanTarget::new(
        4242,
        "K1202",
        "Éducateur / Éducatrice de jeunes enfants",
    ));
    let mut a = app_with_tab(Some(plan.clone()), Vec::new());
    a.update(Action::NewImmersion);
    let (t, mut form) = content_form(&a);
    assert_eq!(
        form.value("metier"),
        "Éducateur / Éducatrice de jeunes enfants"
    );
    form.set("debut", "07/12/2026");
    form.set("fin", "11/12/2026");
    form.set("horaires", "lun-ven 9h-12h");
    form.set("accueil_nom", "Crèche Les Lucioles");
    form.set("accueil_siret", SIRET_A);
    let change = change_for(&a, &form, &t).unwrap().unwrap();
    assert_eq!(
        change.records.len(),
        2,
        "the immersion and the plan, together"
    );
    let Some(AnyRecord::Immersion(imm)) = &change.records[0].1 else {
        panic!("{:?}", change.records[0])
    };
    assert!(change.records[0].0.is_none());
    assert_eq!(
        imm.target.as_ref().map(|t| t.ogr),
        Some(4242),
        "the plan's target kept"
    );
    let (Some(AnyRecord::Plan(before)), Some(AnyRecord::Plan(after))) = &change.records[1] else {
        panic!("{:?}", change.records[1])
    };
    assert_eq!(**before, plan);
    assert_eq!(after.id, plan.id, "the existing plan, not a new one");
    assert_eq!(after.steps.len(), 1);
    let step = &after.steps[0];
    assert_eq!(step.kind, StepKind::Immersion);
    assert_eq!(step.immersion, Some(imm.id));
    assert_eq!(
        (step.start, step.end),
        (Some(d(2026, 12, 7)), Some(d(2026, 12, 11)))
    );
    assert_eq!(step.hours, Some(15));
    assert_eq!(step.organisation, "Crèche Les Lucioles");
    assert_eq!(
        change.note,
        "nouvelle immersion du 07/12/2026 au 11/12/2026 (étape ajoutée au parcours)"
    );
    assert!(!change.note.contains("Dupont"));
}

#[test]
fn without_a_plan_one_is_begun_today() {
    let imm = complete(1, d(2026, 12, 7), d(2026, 12, 18));
    let (before, after) = link_to_plan(None, &imm, d(2026, 11, 28), imm.meta.clone());
    assert!(before.is_none());
    assert_eq!(after.started_on, d(2026, 11, 28));
    assert_eq!(after.beneficiary, imm.beneficiary);
    assert_eq!(after.steps[0].immersion, Some(imm.id));
    assert_eq!(after.steps[0].hours, Some(65));
    assert!(after.steps[0]
        .title
        .contains("Éducateur / Éducatrice de jeunes enfants"));
}

#[test]
fn transitions_are_refused_with_the_reason_and_renewals_link_a_step() {
    let draft = {
        let mut i = complete(1, d(2026, 12, 7), d(2026, 12, 18));
        i.prescriber = None;
        i
    };
    let mut a = app_with_tab(None, vec![draft.clone()]);
    a.update(Action::ImmersionStatus);
    let (t, form) = content_form(&a);
    assert_eq!(form.value("statut"), "prête à signer");
    let err = change_for(&a, &form, &t).unwrap_err();
    assert!(
        err.starts_with("impossible de passer à « prête à signer » : prescripteur manquant"),
        "{err}"
    );
    // The blocking finding is shown beside the form.
    let f = a.benef.file.as_ref().unwrap();
    assert!(f.imm.findings.iter().any(|x| x.is_blocking()));

    // A signed immersion renewed: a linked draft and its own plan step.
    let mut signed = complete(1, d(2026, 12, 7), d(2026, 12, 18));
    signed.status = ImmersionStatus::Signee;
    let mut a = app_with_tab(None, vec![signed.clone()]);
    a.update(Action::Renew);
    let (t, mut form) = content_form(&a);
    assert_eq!(form.value("debut"), "19/12/2026");
    form.set("debut", "04/01/2027");
    form.set("fin", "15/01/2027");
    form.set("motif", "objectifs non atteints");
    let change = change_for(&a, &form, &t).unwrap().unwrap();
    let Some(AnyRecord::Immersion(r)) = &change.records[0].1 else {
        panic!()
    };
    assert_eq!(r.renewal_of, Some(signed.id));
    assert_eq!(r.status, ImmersionStatus::Brouillon);
    let Some(AnyRecord::Plan(p)) = &change.records[1].1 else {
        panic!()
    };
    assert_eq!(p.steps[0].immersion, Some(r.id));
    // A second renewal of the same immersion is refused.
    let mut a = app_with_tab(None, vec![signed.clone(), (**r).clone()]);
    a.update(Action::Renew);
    let (t, mut form) = content_form(&a);
    form.set("fin", "08/01/2027");
    form.set("motif", "encore");
    let err = change_for(&a, &form, &t).unwrap_err();
    assert!(
        err.contains("une PMSMP ne se renouvelle qu'une fois"),
        "{err}"
    );
}

#[test]
fn the_convention_sheet_is_written_from_the_file_tab() {
    use std::os::unix::fs::PermissionsExt;
    let lea = person(1, "Dupont", "Léa");
    let mut r = Rig::new(std::slice::from_ref(&lea));
    let mut imm = complete(1, d(2026, 12, 7), d(2026, 12, 18));
    imm.beneficiary = lea.id;
    r.rt.store.save_immersion(&imm).unwrap();
    let fx = crate::app::beneficiaires::open_file(&mut r.app, lea.id);
    crate::app::tui::drive(&mut r.app, &mut r.rt, fx);
    // Outside the Immersions tab: a hint, nothing written.
    r.act(Action::ExportConvention);
    assert!(r.status().contains("onglet Immersions"), "{}", r.status());
    r.app.benef.file.as_mut().unwrap().tab = Tab::Immersions;
    r.act(Action::ExportConvention);
    let path = r
        ._dir
        .path()
        .join("exports")
        .join(format!("convention-{}.html", imm.id.short()));
    assert!(
        r.status().starts_with("Fiche de convention écrite : "),
        "{}",
        r.status()
    );
    assert!(
        r.status().contains("données personnelles"),
        "{}",
        r.status()
    );
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("DUPONT Léa"));
    assert!(html.contains("Crèche Les Lucioles"));
    assert!(
        html.contains("<dd>Camille</dd>"),
        "the advisor is the référent"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn an_interview_is_planned_ahead_then_recorded() {
    use crate::app::beneficiaires::interview_form::{
        after_change, apply_to_file, build, build_planned, to_interview,
    };
    let b = person(1, "Dupont", "Léa");
    let mut f = build_planned(&b, now());
    assert_eq!(f.title, "Entretien à planifier — DUPONT Léa");
    assert_eq!(f.value("etat"), "à venir (planifié)");
    assert!(!f.is_dirty(), "nothing typed yet");
    assert!(
        f.field("quand").unwrap().error.is_some(),
        "the date is required"
    );
    f.set("quand", "02/12/2026 10h");
    let planned = to_interview(&f, b.id, Id::generate(), None).unwrap();
    assert!(planned.planned);
    assert_eq!(
        planned.at,
        from_paris(d(2026, 12, 2).and_hms_opt(10, 0, 0).unwrap())
    );
    let after = apply_to_file(&b, &planned);
    assert_eq!((after.last_contact, after.cep_level), (None, None));

    // « réalisé » with a date to come is refused; typing a future date in
    // a new interview makes it « à venir » by itself.
    let mut f = build(&b, None, now());
    f.set("quand", "03/12/2026 9h");
    assert_eq!(
        f.field("etat").unwrap().error.as_deref(),
        Some("date à venir : choisissez « à venir (planifié) »")
    );
    f.focus = 0;
    after_change(&mut f);
    assert_eq!(f.value("etat"), "à venir (planifié)");
    assert!(f.is_valid());

    // Recorded later: « réalisé », the summary; the file follows.
    let mut f = build(
        &b,
        Some(&planned),
        d(2026, 12, 2).and_hms_opt(11, 0, 0).unwrap(),
    );
    assert_eq!(f.value("etat"), "à venir (planifié)");
    f.set("etat", "réalisé");
    f.set("synthese", "Projet confirmé.");
    let done = to_interview(&f, b.id, planned.id, Some(&planned)).unwrap();
    assert!(!done.planned);
    assert_eq!(done.summary, "Projet confirmé.");
    let after = apply_to_file(&b, &done);
    assert_eq!(after.last_contact, Some(d(2026, 12, 2)));
    assert_eq!(after.cep_level, Some(1), "the level chosen in the form");
}
