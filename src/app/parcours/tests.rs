//! Update logic of the Parcours screen, through the real runtime on a
//! temporary store: targets (here, from suggestions, from the file's tab),
//! steps (form, status, order, delete with confirmation), templates,
//! eligibility facts, undo / redo, and the journal notes.

use super::*;
use crate::app::runtime::Runtime;
use crate::app::{Keymap, OpenBeneficiary};
use crate::domain::time::FixedClock;
use crate::domain::{
    Beneficiary, Cents, Funder, FundingStatus, Meta, PlanTarget, StepStatus, TargetMetier,
};
use crate::store::Store;
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

fn now() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap()
}

struct Rig {
    _dir: tempfile::TempDir,
    rt: Runtime,
    app: App,
    id: Id,
}

impl Rig {
    /// A stored file (current métier: auxiliaire de vie sociale) opened on
    /// the Parcours screen.
    fn new() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("base")).unwrap();
        let mut b = Beneficiary::new(
            Id::new_v7(1_790_000_000_000, [1; 10]),
            "Dupont",
            "Léa",
            Meta::new(now().and_utc(), "x"),
        );
        b.current_job = Some(TargetMetier {
            ogr: 0,
            rome: "K1302".into(),
            label: "Auxiliaire de vie sociale".into(),
        });
        store.save_beneficiary(&b).unwrap();
        let clock = FixedClock(now().and_utc());
        let mut rt = Runtime::new(store, Box::new(clock), "Camille Conseil".into());
        let mut app = App::new(Keymap::default(), now());
        app.size = (100, 30);
        crate::app::tui::start(&mut app, &mut rt);
        let fx = crate::app::beneficiaires::open_file(&mut app, b.id);
        crate::app::tui::drive(&mut app, &mut rt, fx);
        let mut r = Rig {
            _dir: dir,
            rt,
            app,
            id: b.id,
        };
        r.act(Action::GoTo(Screen::Parcours));
        assert_eq!(plan_of(&r.app, r.id), Some(None), "loaded, no plan yet");
        r
    }
    fn act(&mut self, a: Action) {
        let effects = self.app.update(a);
        crate::app::tui::drive(&mut self.app, &mut self.rt, effects);
    }
    fn key(&mut self, code: KeyCode) {
        let k = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
        if let Some(a) = self.app.key_to_action(k) {
            self.act(a);
        }
    }
    fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }
    fn status(&self) -> String {
        self.app
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }
    fn stored(&self) -> Plan {
        self.rt.store.plan_of(self.id).unwrap().expect("a plan")
    }
    fn notes(&self) -> Vec<String> {
        self.rt
            .store
            .journal_of(self.id)
            .unwrap()
            .into_iter()
            .map(|e| e.note)
            .collect()
    }
}

#[test]
fn a_suggestion_becomes_the_first_target_and_creates_the_plan() {
    let mut r = Rig::new();
    let list = suggestions(&r.app);
    assert!(!list.is_empty(), "K1302 has curated passerelles");
    r.act(Action::NextZone); // steps → targets
    r.act(Action::NextZone); // → suggestions
    assert_eq!(r.app.parcours.zone, Zone::Suggestions);
    r.act(Action::Open);
    let p = r.stored();
    assert_eq!(p.targets, vec![list[0].target.clone()]);
    assert_eq!(
        p.started_on,
        now().date(),
        "a plan begins the day it is needed"
    );
    assert!(
        r.status().starts_with(&format!(
            "Ajout du métier cible {}",
            target_text(&list[0].target)
        )),
        "{}",
        r.status()
    );
    // It is no longer suggested; the same key adds the next one.
    assert!(suggestions(&r.app)
        .iter()
        .all(|s| s.target != list[0].target));
    r.act(Action::MarkTarget);
    assert_eq!(r.stored().targets.len(), 2);
    // Undo removes the second, then the plan's creation is undone too.
    r.act(Action::Undo);
    assert_eq!(r.stored().targets.len(), 1);
    r.act(Action::Undo);
    assert_eq!(r.rt.store.plan_of(r.id).unwrap(), None);
    assert_eq!(plan_of(&r.app, r.id), Some(None));
    r.act(Action::Redo);
    assert_eq!(r.stored().targets, vec![list[0].target.clone()]);
}

#[test]
fn targets_move_get_a_note_and_go_with_notes_naming_the_metier_not_the_person() {
    let mut r = Rig::new();
    for (ogr, rome, label) in [
        (1, "J1501", "Aide-soignant"),
        (2, "K1202", "Éducateur de jeunes enfants"),
        (3, "J1304", "Auxiliaire de puériculture"),
    ] {
        let fx = add_target(
            &mut r.app,
            PlanTarget::new(ogr, rome, label),
            Screen::Parcours,
        );
        crate::app::tui::drive(&mut r.app, &mut r.rt, fx);
    }
    r.key(KeyCode::Left);
    r.key(KeyCode::Left);
    assert_eq!(r.app.parcours.zone, Zone::Targets);
    r.key(KeyCode::Down);
    r.key(KeyCode::Char('K'));
    let romes =
        |r: &Rig| -> Vec<String> { r.stored().targets.iter().map(|t| t.rome.clone()).collect() };
    assert_eq!(romes(&r), ["K1202", "J1501", "J1304"]);
    assert_eq!(r.app.parcours.selected_target, 0, "the cursor follows");
    // Boundary: the first cannot go up (nothing written).
    let journal = r.notes().len();
    r.key(KeyCode::Char('K'));
    assert_eq!(r.notes().len(), journal);
    // A note on the selected target.
    r.key(KeyCode::Char('e'));
    assert!(matches!(
        r.app.parcours.form.as_ref().map(|f| &f.target),
        Some(FormFor::TargetNote { index: 0 })
    ));
    r.typed("Stage à confirmer");
    r.act(Action::Save);
    assert_eq!(r.stored().targets[0].note, "Stage à confirmer");
    // Remove the last one (d), without a question: undoable.
    r.key(KeyCode::End);
    r.key(KeyCode::Char('d'));
    assert!(r.app.modals.is_empty());
    assert_eq!(romes(&r), ["K1202", "J1501"]);
    assert_eq!(r.app.parcours.selected_target, 1);
    let notes = r.notes();
    for n in [
        "métier cible Éducateur de jeunes enfants (K1202) placé en position 1",
        "note du métier cible Éducateur de jeunes enfants (K1202) modifiée",
        "retrait du métier cible Auxiliaire de puériculture (J1304)",
    ] {
        assert!(notes.iter().any(|x| x == n), "{n} missing in {notes:?}");
    }
    assert!(notes
        .iter()
        .all(|n| !n.contains("Dupont") && !n.contains("Stage")));
}

#[test]
fn a_funded_formation_step_in_a_few_keys_then_status_order_and_delete() {
    let mut r = Rig::new();
    // n, f (formation), Tab, title, PgSuiv (cost), amount, PgSuiv
    // (financing), c (CPF), Ctrl-S: the amount defaults to the cost.
    r.key(KeyCode::Char('n'));
    assert!(r.app.parcours.form.is_some());
    assert_eq!(r.app.focus(), Focus::Form(crate::app::FieldKind::Choice));
    r.key(KeyCode::Char('f'));
    r.key(KeyCode::Tab);
    r.typed("DE éducateur de jeunes enfants");
    r.key(KeyCode::PageDown);
    r.typed("6450");
    r.key(KeyCode::PageDown);
    r.key(KeyCode::Char('c'));
    r.act(Action::Save);
    assert!(r.app.parcours.form.is_none(), "{}", r.status());
    let p = r.stored();
    assert_eq!(p.steps.len(), 1);
    let s = &p.steps[0];
    assert_eq!(s.kind, StepKind::Formation);
    assert_eq!(s.cost, Cents(645_000));
    assert_eq!(s.funding.len(), 1);
    assert_eq!(
        (
            s.funding[0].funder,
            s.funding[0].amount,
            s.funding[0].status
        ),
        (Funder::Cpf, Cents(645_000), FundingStatus::Envisage)
    );
    assert_eq!(
        r.status(),
        "Ajout de l'étape 1 (formation), financement CPF : enregistré (Ctrl-Z pour annuler)"
    );

    // Status: à faire → en cours, in the journal (and so the timeline).
    r.key(KeyCode::Char('s'));
    assert_eq!(r.stored().steps[0].status, StepStatus::EnCours);
    assert!(r
        .notes()
        .contains(&"statut de l'étape 1 (formation) : à faire → en cours".to_string()));
    let timeline = &r.app.benef.file.as_ref().unwrap().journal;
    assert!(timeline
        .iter()
        .any(|e| e.note == "statut de l'étape 1 (formation) : à faire → en cours"));

    // f: the funding lines, the first one granted.
    r.key(KeyCode::Char('f'));
    let form = &r.app.parcours.form.as_ref().unwrap().form;
    assert_eq!(form.focused().unwrap().key, "fin1");
    for _ in 0..2 {
        r.key(KeyCode::Tab);
    }
    r.key(KeyCode::Right);
    r.key(KeyCode::Right); // envisagé → demandé → accordé
    r.act(Action::Save);
    assert_eq!(
        r.stored().steps[0].funding[0].status,
        FundingStatus::Accorde
    );
    assert!(r
        .notes()
        .iter()
        .any(|n| n
            == "modification de l'étape 1 (formation) : financement 1 (CPF) : envisagé → accordé"));

    // A template adds its steps after it; order; delete asks first.
    r.key(KeyCode::Char('m'));
    assert_eq!(r.app.parcours.templates, Some(0));
    r.key(KeyCode::Down); // « VAE »
    r.key(KeyCode::Enter);
    let p = r.stored();
    let vae = Templates::builtin().unwrap().by_id("vae").unwrap();
    assert_eq!(p.steps.len(), 1 + vae.steps.len());
    assert_eq!(
        r.notes()[0],
        format!("modèle « VAE » appliqué ({} étapes)", vae.steps.len())
    );
    assert_eq!(r.app.parcours.selected_step, 1, "on the first new step");
    r.key(KeyCode::Char('K'));
    assert_eq!(r.stored().steps[0].kind, StepKind::Vae);
    r.key(KeyCode::Char('d'));
    assert!(matches!(r.app.modals.last(), Some(Modal::Confirm(_))));
    r.key(KeyCode::Char('n')); // no: nothing deleted
    assert_eq!(r.stored().steps.len(), 1 + vae.steps.len());
    r.key(KeyCode::Char('d'));
    r.key(KeyCode::Char('o'));
    let p = r.stored();
    assert_eq!(p.steps.len(), vae.steps.len());
    assert_eq!(p.steps[0].kind, StepKind::Formation);
    assert_eq!(r.notes()[0], "suppression de l'étape 1 (VAE)");
    r.act(Action::Undo);
    assert_eq!(r.stored().steps.len(), 1 + vae.steps.len());
    // No note names the person or a step's free-text title.
    assert!(r
        .notes()
        .iter()
        .all(|n| !n.contains("Dupont") && !n.contains("éducateur")));
}

#[test]
fn forms_refuse_bad_values_and_escape_asks_before_dropping_work() {
    let mut r = Rig::new();
    r.key(KeyCode::Char('n'));
    r.act(Action::Save);
    assert!(r
        .status()
        .starts_with("Non enregistré : 1 champ à corriger — Intitulé"));
    r.key(KeyCode::Char('x'));
    assert!(r.app.parcours.form.as_ref().unwrap().form.is_dirty());
    assert!(r.app.unsaved().is_some());
    assert!(r.app.parcours.form.is_some());
    r.key(KeyCode::Esc);
    assert!(matches!(r.app.modals.last(), Some(Modal::Confirm(_))));
    r.key(KeyCode::Char('o'));
    assert!(r.app.parcours.form.is_none());
    assert_eq!(r.rt.store.plan_of(r.id).unwrap(), None, "nothing written");

    // Eligibility facts: an out-of-range number is refused.
    r.key(KeyCode::Char('i'));
    r.typed("2000");
    r.act(Action::Save);
    assert!(r.status().contains("1830 au plus"), "{}", r.status());
    for _ in 0..4 {
        r.key(KeyCode::Backspace);
    }
    r.typed("1300");
    r.act(Action::Save);
    assert_eq!(r.stored().facts.days_worked_last_60_months, Some(1300));
    assert_eq!(r.notes()[0], "éléments d'éligibilité modifiés");
}

#[test]
fn nothing_happens_without_an_open_file_and_undo_waits_for_an_open_form() {
    let mut a = App::new(Keymap::default(), now());
    a.update(Action::GoTo(Screen::Parcours));
    for act in [Action::New, Action::StepStatus, Action::WriteSynthesis] {
        assert!(a.update(act).is_empty());
        assert!(a
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("Aucun dossier ouvert"));
    }
    // An open file whose plan is not loaded yet: asked for, nothing else.
    let id = Id([7; 16]);
    a.open_beneficiary = Some(OpenBeneficiary {
        id,
        display_name: "X".into(),
    });
    assert_eq!(a.update(Action::New), vec![Effect::LoadPlan(id)]);
    a.effect_done(Outcome::PlanLoaded {
        beneficiary: id,
        plan: None,
    });
    a.update(Action::New);
    assert!(a.parcours.form.is_some());
    assert!(a.update(Action::Undo).is_empty());
    assert!(a
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("un formulaire est ouvert (écran Parcours)"));
    // Another file opened meanwhile: the form does not write into its plan.
    let other = Id([8; 16]);
    a.open_beneficiary = Some(OpenBeneficiary {
        id: other,
        display_name: "Y".into(),
    });
    a.effect_done(Outcome::PlanLoaded {
        beneficiary: other,
        plan: None,
    });
    a.update(Action::GoTo(Screen::Parcours));
    a.update(Action::Text(KeyEvent::new_with_kind(
        KeyCode::Char('x'),
        KeyModifiers::NONE,
        KeyEventKind::Press,
    )));
    assert!(a.update(Action::Save).is_empty());
    assert!(a.status.as_ref().unwrap().text.contains("un autre dossier"));
    assert_eq!(next_status(StepStatus::Abandonne), StepStatus::AFaire);
    assert_eq!(next_status(StepStatus::AFaire), StepStatus::EnCours);
}

#[test]
fn the_synthesis_is_written_in_the_data_directory_and_offered_to_open() {
    let mut r = Rig::new();
    r.key(KeyCode::Char('p'));
    let path = r.app.parcours.last_document.clone().expect("written");
    assert!(
        path.starts_with(r._dir.path().join("documents")),
        "{path:?}"
    );
    assert!(path.to_string_lossy().ends_with(".html"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("Léa DUPONT"));
    // The offer to open it: « plus tard » leaves it.
    assert!(matches!(r.app.modals.last(), Some(Modal::Confirm(_))));
    r.key(KeyCode::Esc);
    assert!(r.app.modals.is_empty());
    assert!(
        r.status().contains("Synthèse enregistrée"),
        "{}",
        r.status()
    );
}
