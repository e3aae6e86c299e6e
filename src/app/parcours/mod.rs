//! The Parcours screen (plan of the open file): ranked target métiers with
//! a note each, suggested targets, ordered steps with their funding lines,
//! templates, the eligibility facts, and the synthesis document.
//!
//! The plan record is the one place of the target métiers: every change
//! here, from the file's Parcours tab and from the Métiers screen (`c`) is
//! one undoable [`Change`] of the plan record, whose journal note names
//! métiers and step kinds, never the person nor free text. A plan is
//! created on first need (first target, step or template) and begins that
//! day.
//!
//! The screen has three zones — targets, suggestions, steps — moved
//! between with ← / →; the keys act on the zone's selected line.

pub mod plan_forms;
pub mod suggest;

use super::form::{Form, FormKeys};
use super::screen::{Focus, ScreenLogic};
use super::undo::{Change, Direction};
use super::{capitalize, Action, App, Confirm, Effect, Modal, Outcome, Reply, Screen, StatusLevel};
use crate::domain::rules::eligibility::{hints, EligibilityInput, Hint};
use crate::domain::{
    apply_template, Dispositifs, Id, Meta, Mobilities, Plan, PlanTarget, Step, StepKind,
    StepStatus, Templates,
};
use crate::store::{AnyRecord, RecordKind};
use crate::transfer::document::Format;
use plan_forms::{step_name, step_note};
use std::path::PathBuf;
use std::sync::Arc;

/// The plan of one file, as stored (`None`: the file has no plan yet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedPlan {
    pub beneficiary: Id,
    pub plan: Option<Plan>,
}

/// The zones of the screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Zone {
    Targets,
    Suggestions,
    #[default]
    Steps,
}

impl Zone {
    const ALL: [Zone; 3] = [Zone::Targets, Zone::Suggestions, Zone::Steps];

    fn step(self, delta: isize) -> Zone {
        let i = Zone::ALL.iter().position(|z| *z == self).unwrap_or(0) as isize;
        Zone::ALL[(i + delta).rem_euclid(3) as usize]
    }
}

/// What a form of this screen edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormFor {
    Step { id: Id, is_new: bool },
    TargetNote { index: usize },
    Facts,
}

#[derive(Clone, Debug)]
pub struct PlanForm {
    /// The file whose plan the form changes.
    pub beneficiary: Id,
    pub target: FormFor,
    pub form: Form,
}

/// The Parcours screen's own state.
#[derive(Clone, Debug, Default)]
pub struct ParcoursState {
    /// The open file's plan once loaded.
    pub loaded: Option<LoadedPlan>,
    pub zone: Zone,
    pub selected_target: usize,
    pub selected_suggestion: usize,
    pub selected_step: usize,
    pub form: Option<PlanForm>,
    /// The template picker is open, on this line.
    pub templates: Option<usize>,
    /// The eligibility detail is shown, scrolled this far.
    pub detail: Option<u16>,
    /// France Travail's mobility file, when imported.
    pub mobilities: Option<Arc<Mobilities>>,
    /// The last synthesis written in this session.
    pub last_document: Option<PathBuf>,
}

impl ParcoursState {
    /// Back to the first lines (another file was opened).
    pub fn reset_cursors(&mut self) {
        self.selected_target = 0;
        self.selected_suggestion = 0;
        self.selected_step = 0;
        self.templates = None;
        self.detail = None;
    }
}

/// The plan of file `id` when it is loaded: `Some(None)` = no plan yet,
/// `None` = not loaded.
pub fn plan_of(app: &App, id: Id) -> Option<Option<&Plan>> {
    app.parcours
        .loaded
        .as_ref()
        .filter(|l| l.beneficiary == id)
        .map(|l| l.plan.as_ref())
}

/// The open file's plan, if loaded and begun.
pub fn open_plan(app: &App) -> Option<&Plan> {
    let id = app.open_beneficiary.as_ref()?.id;
    plan_of(app, id).flatten()
}

/// Number of target métiers of file `id` (0 until its plan is loaded).
pub fn target_count(app: &App, id: Id) -> usize {
    plan_of(app, id).flatten().map_or(0, |p| p.targets.len())
}

/// `Aide-soignant (J1501)`: how a target métier is named in messages and
/// in the journal (a métier label is not personal data).
pub fn target_text(t: &PlanTarget) -> String {
    format!("{} ({})", t.label, t.rome)
}

/// Says the plan is being loaded and asks for it.
fn loading(app: &mut App, id: Id) -> Vec<Effect> {
    app.set_status(
        StatusLevel::Info,
        "Parcours du dossier en cours de chargement : réessayez.",
    );
    vec![Effect::LoadPlan(id)]
}

/// The stored plan of file `id` and a copy to change: a new plan begun
/// today when there is none. Err: the effects to run first (loading).
fn working_plan(app: &mut App, id: Id) -> Result<(Option<Plan>, Plan), Vec<Effect>> {
    let Some(before) = plan_of(app, id).map(|p| p.cloned()) else {
        return Err(loading(app, id));
    };
    let after = before.clone().unwrap_or_else(|| {
        Plan::new(
            Id::generate(),
            id,
            app.now.date(),
            Meta::new(app.now.and_utc(), ""),
        )
    });
    Ok((before, after))
}

/// One undoable change of a plan record; `note` (journal, status) has no
/// personal data.
fn plan_change(
    before: Option<Plan>,
    after: Option<Plan>,
    note: String,
    owner: Screen,
) -> Vec<Effect> {
    vec![Effect::Apply {
        change: Box::new(Change::one(
            note.clone(),
            note,
            before.map(AnyRecord::from),
            after.map(AnyRecord::from),
        )),
        direction: Direction::Do,
        owner,
    }]
}

/// Adds a target métier to the open file's plan (creating the plan on
/// first need), as an undoable change. Métiers `c` and the suggestions use it.
pub fn add_target(app: &mut App, target: PlanTarget, owner: Screen) -> Vec<Effect> {
    let Some(open) = app.open_beneficiary.clone() else {
        app.set_status(
            StatusLevel::Error,
            "Aucun dossier ouvert : ouvrez d'abord un bénéficiaire (écran 2).",
        );
        return Vec::new();
    };
    let (before, mut after) = match working_plan(app, open.id) {
        Ok(p) => p,
        Err(fx) => return fx,
    };
    let what = target_text(&target);
    if !after.add_target(target) {
        app.set_status(
            StatusLevel::Info,
            format!("« {what} » est déjà une cible de ce dossier"),
        );
        return Vec::new();
    }
    plan_change(
        before,
        Some(after),
        format!("ajout du métier cible {what}"),
        owner,
    )
}

/// What to do with a target métier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetOp {
    Up,
    Down,
    Remove,
}

impl TargetOp {
    /// The file tab's keys (`cible-monter`…) and the Parcours screen's.
    pub fn from_action(a: &Action) -> Option<TargetOp> {
        match a {
            Action::TargetUp | Action::MoveUp => Some(TargetOp::Up),
            Action::TargetDown | Action::MoveDown => Some(TargetOp::Down),
            Action::TargetRemove | Action::Delete => Some(TargetOp::Remove),
            _ => None,
        }
    }
}

/// Asks to move or remove the target métier at `cursor` of file `id`, as
/// one undoable change; `cursor` follows the moved métier. Nothing when the
/// move is impossible (first one up, last one down).
pub fn target_change(
    app: &mut App,
    id: Id,
    cursor: &mut usize,
    op: TargetOp,
    owner: Screen,
) -> Vec<Effect> {
    let Some(plan) = plan_of(app, id).map(|p| p.cloned()) else {
        return loading(app, id);
    };
    let index = *cursor;
    let Some((before, t)) = plan.and_then(|p| p.targets.get(index).cloned().map(|t| (p, t))) else {
        app.set_status(StatusLevel::Info, "Aucun métier cible choisi.");
        return Vec::new();
    };
    let n = before.targets.len();
    let mut after = before.clone();
    let what = target_text(&t);
    let note = match op {
        TargetOp::Remove => {
            after.remove_target(index);
            *cursor = index.min(n.saturating_sub(2));
            format!("retrait du métier cible {what}")
        }
        TargetOp::Up | TargetOp::Down => {
            let moved = if op == TargetOp::Up {
                after.move_target_up(index)
            } else {
                after.move_target_down(index)
            };
            if !moved {
                return Vec::new();
            }
            let to = if op == TargetOp::Up {
                index - 1
            } else {
                index + 1
            };
            *cursor = to;
            format!("métier cible {what} placé en position {}", to + 1)
        }
    };
    plan_change(Some(before), Some(after), note, owner)
}

/// Status after a change saved by a screen: what was done and how to undo it.
pub fn saved_status(app: &mut App, change: &Change) {
    let undo = app
        .keymap
        .key_for(&Action::Undo)
        .map(|k| format!(" ({k} pour annuler)"))
        .unwrap_or_default();
    app.set_status(
        StatusLevel::Success,
        format!("{} : enregistré{undo}", capitalize(&change.note)),
    );
}

/// The suggestions for the open file (from its current métier).
pub fn suggestions(app: &App) -> Vec<suggest::Suggestion> {
    let Some(b) = app.benef.open_file() else {
        return Vec::new();
    };
    let Some(current) = &b.current_job else {
        return Vec::new();
    };
    suggest::suggestions(
        &app.catalog,
        app.parcours.mobilities.as_deref(),
        current,
        open_plan(app),
    )
}

/// Dates of the open file's CEP interviews held (planned ones left out),
/// in local time.
fn interview_days(app: &App) -> Vec<chrono::NaiveDate> {
    app.benef
        .file
        .as_ref()
        .map(|f| {
            f.interviews
                .iter()
                .filter(|i| !i.planned)
                .map(|i| i.at.with_timezone(&chrono::Local).date_naive())
                .collect()
        })
        .unwrap_or_default()
}

/// The eligibility hints of the open file today (a file without a plan is
/// judged as if its plan began today).
pub fn eligibility(app: &App) -> Result<Vec<Hint>, String> {
    let b = app.benef.open_file().ok_or("Aucun dossier ouvert")?;
    let reference = Dispositifs::builtin().map_err(|e| e.to_string())?;
    let today = app.now.date();
    let empty;
    let plan = match open_plan(app) {
        Some(p) => p,
        None => {
            empty = Plan::new(Id([0; 16]), b.id, today, Meta::new(app.now.and_utc(), ""));
            &empty
        }
    };
    let days = interview_days(app);
    Ok(hints(
        &EligibilityInput::new(b, plan, &days),
        reference,
        today,
    ))
}

fn steps_len(app: &App) -> usize {
    open_plan(app).map_or(0, |p| p.steps.len())
}

fn selected_step(app: &App) -> Option<(usize, Step)> {
    let p = open_plan(app)?;
    let i = app
        .parcours
        .selected_step
        .min(p.steps.len().checked_sub(1)?);
    Some((i, p.steps[i].clone()))
}

/// Opens the step form: a new step (at the end) or the selected one.
fn open_step_form(app: &mut App, step: Option<Step>, focus_funding: bool) {
    let today = app.now.date();
    let (s, is_new) = match step {
        Some(s) => (s, false),
        None => (Step::new(Id::generate(), StepKind::Formation, ""), true),
    };
    let Some(beneficiary) = app.open_beneficiary.as_ref().map(|o| o.id) else {
        return;
    };
    let form = plan_forms::step_form(&s, is_new, today, focus_funding);
    app.parcours.form = Some(PlanForm {
        beneficiary,
        target: FormFor::Step { id: s.id, is_new },
        form,
    });
}

/// Saves the open form (Ctrl-S): refused while a field is invalid.
fn save_form(app: &mut App) -> Vec<Effect> {
    let Some(owner) = app.parcours.form.as_ref().map(|f| f.beneficiary) else {
        return Vec::new();
    };
    // Another file was opened since the form was (switching screens keeps
    // a form): its plan is not the one this form changes.
    if app.open_beneficiary.as_ref().map(|o| o.id) != Some(owner) {
        app.set_status(
            StatusLevel::Error,
            "Non enregistré : ce formulaire concerne un autre dossier ; rouvrez-le, ou \
             abandonnez le formulaire (Échap)",
        );
        return Vec::new();
    }
    let Some(pf) = app.parcours.form.as_mut() else {
        return Vec::new();
    };
    if let Err(msg) = pf.form.refuse_invalid() {
        app.set_status(StatusLevel::Error, msg);
        return Vec::new();
    }
    let (target, form, id) = (pf.target.clone(), pf.form.clone(), pf.beneficiary);
    let (before, mut after) = match working_plan(app, id) {
        Ok(p) => p,
        Err(fx) => return fx,
    };
    let note = match target {
        FormFor::Step { id: step_id, .. } => {
            let old = after.step(step_id).cloned();
            let base = old
                .clone()
                .unwrap_or_else(|| Step::new(step_id, StepKind::Autre, ""));
            let step = match plan_forms::to_step(&form, &base) {
                Ok(s) => s,
                Err(e) => {
                    app.set_status(StatusLevel::Error, format!("Non enregistré : {e}"));
                    return Vec::new();
                }
            };
            if old.as_ref() == Some(&step) {
                return nothing_to_save(app);
            }
            let position = match old {
                Some(_) => {
                    after.replace_step(step.clone());
                    after.step_position(step_id).unwrap_or(0)
                }
                None => {
                    after.add_step(step.clone());
                    after.steps.len() - 1
                }
            };
            app.parcours.selected_step = position;
            step_note(position, old.as_ref(), &step)
        }
        FormFor::TargetNote { index } => {
            let Some(t) = after.targets.get_mut(index) else {
                app.parcours.form = None;
                return Vec::new();
            };
            let note = form.value("note").trim_end().to_string();
            if t.note == note {
                return nothing_to_save(app);
            }
            t.note = note;
            format!("note du métier cible {} modifiée", target_text(t))
        }
        FormFor::Facts => {
            let facts = match plan_forms::to_facts(&form) {
                Ok(f) => f,
                Err(e) => {
                    app.set_status(StatusLevel::Error, format!("Non enregistré : {e}"));
                    return Vec::new();
                }
            };
            if after.facts == facts {
                return nothing_to_save(app);
            }
            after.facts = facts;
            "éléments d'éligibilité modifiés".to_string()
        }
    };
    plan_change(before, Some(after), note, Screen::Parcours)
}

fn nothing_to_save(app: &mut App) -> Vec<Effect> {
    app.parcours.form = None;
    app.set_status(StatusLevel::Info, "Aucune modification à enregistrer");
    Vec::new()
}

fn form_update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    match super::form::form_keys(
        app,
        action,
        Screen::Parcours,
        "Abandonner les modifications de ce formulaire ?",
        |a| a.parcours.form.as_mut().map(|pf| &mut pf.form),
        |a| a.parcours.form = None,
    )? {
        FormKeys::Save => Some(save_form(app)),
        FormKeys::Pass => None,
        FormKeys::Done => Some(Vec::new()),
    }
}

fn picker_update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    let n = Templates::builtin().map_or(0, |t| t.list.len());
    let cur = app.parcours.templates?;
    match action {
        Action::Up => app.parcours.templates = Some(cur.saturating_sub(1)),
        Action::Down => app.parcours.templates = Some((cur + 1).min(n.saturating_sub(1))),
        Action::Home => app.parcours.templates = Some(0),
        Action::End => app.parcours.templates = Some(n.saturating_sub(1)),
        Action::Back | Action::ApplyTemplate => app.parcours.templates = None,
        Action::Open => {
            app.parcours.templates = None;
            return Some(apply_template_at(app, cur));
        }
        Action::GoTo(_) | Action::ClickTab(_) | Action::NextScreen | Action::PrevScreen => {
            app.parcours.templates = None;
            return None;
        }
        Action::Quit | Action::Help | Action::Privacy | Action::Palette => return None,
        _ => {}
    }
    Some(Vec::new())
}

/// Appends the steps of template `index`, dated from today.
fn apply_template_at(app: &mut App, index: usize) -> Vec<Effect> {
    let Some(id) = app.open_beneficiary.as_ref().map(|o| o.id) else {
        return Vec::new();
    };
    let (templates, reference) = match (Templates::builtin(), Dispositifs::builtin()) {
        (Ok(t), Ok(r)) => (t, r),
        (Err(e), _) => {
            app.set_status(StatusLevel::Error, e.to_string());
            return Vec::new();
        }
        (_, Err(e)) => {
            app.set_status(StatusLevel::Error, e.to_string());
            return Vec::new();
        }
    };
    let Some(t) = templates.list.get(index) else {
        return Vec::new();
    };
    let (before, mut after) = match working_plan(app, id) {
        Ok(p) => p,
        Err(fx) => return fx,
    };
    let first = after.steps.len();
    let steps = apply_template(t, reference, app.now.date(), &mut Id::generate);
    let n = steps.len();
    after.add_steps(steps);
    app.parcours.zone = Zone::Steps;
    app.parcours.selected_step = first;
    plan_change(
        before,
        Some(after),
        format!(
            "modèle « {} » appliqué ({n} étape{})",
            t.name,
            if n > 1 { "s" } else { "" }
        ),
        Screen::Parcours,
    )
}

/// The selected step (position, copy) with the plan before and a copy to
/// change; Err: what to do instead (nothing selected, plan loading).
type StepEdit = (usize, Step, Option<Plan>, Plan);

fn selected_step_edit(app: &mut App, id: Id) -> Result<StepEdit, Vec<Effect>> {
    let Some((i, step)) = selected_step(app) else {
        app.set_status(StatusLevel::Info, "Aucune étape choisie.");
        return Err(Vec::new());
    };
    let (before, after) = working_plan(app, id)?;
    Ok((i, step, before, after))
}

/// Moves the selected step up or down.
fn move_step(app: &mut App, id: Id, up: bool) -> Vec<Effect> {
    let (i, step, before, mut after) = match selected_step_edit(app, id) {
        Ok(x) => x,
        Err(fx) => return fx,
    };
    let moved = if up {
        after.move_step_up(step.id)
    } else {
        after.move_step_down(step.id)
    };
    if !moved {
        return Vec::new();
    }
    let to = if up { i - 1 } else { i + 1 };
    app.parcours.selected_step = to;
    plan_change(
        before,
        Some(after),
        format!(
            "{} placée en position {}",
            capitalize(&step_name(i, step.kind)),
            to + 1
        ),
        Screen::Parcours,
    )
}

/// The next status in the cycle à faire → en cours → fait → en attente →
/// abandonné → à faire.
pub fn next_status(s: StepStatus) -> StepStatus {
    let i = StepStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
    StepStatus::ALL[(i + 1) % StepStatus::ALL.len()]
}

/// `s`: the selected step's next status; the journal note (and so the
/// timeline) says from which to which.
fn cycle_status(app: &mut App, id: Id) -> Vec<Effect> {
    let (i, step, before, mut after) = match selected_step_edit(app, id) {
        Ok(x) => x,
        Err(fx) => return fx,
    };
    let next = next_status(step.status);
    after.set_step_status(step.id, next);
    plan_change(
        before,
        Some(after),
        format!(
            "statut de {} : {} → {}",
            step_name(i, step.kind),
            step.status.label(),
            next.label()
        ),
        Screen::Parcours,
    )
}

fn ask_delete_step(app: &mut App) {
    let Some((i, step)) = selected_step(app) else {
        app.set_status(StatusLevel::Info, "Aucune étape choisie.");
        return;
    };
    let funding = if step.funding.is_empty() {
        String::new()
    } else {
        format!(" et ses {} ligne(s) de financement", step.funding.len())
    };
    app.modals.push(Modal::Confirm(
        Confirm::new(
            Screen::Parcours,
            format!(
                "Supprimer {} « {} »{funding} ?",
                step_name(i, step.kind),
                step.title
            ),
            Reply::DeleteStep(step.id),
        )
        .labels("supprimer", "garder l'étape"),
    ));
}

fn delete_step(app: &mut App, step_id: Id) -> Vec<Effect> {
    let Some(id) = app.open_beneficiary.as_ref().map(|o| o.id) else {
        return Vec::new();
    };
    let (before, mut after) = match working_plan(app, id) {
        Ok(p) => p,
        Err(fx) => return fx,
    };
    let Some((i, step)) = after.remove_step(step_id) else {
        return Vec::new();
    };
    app.parcours.selected_step = i.min(after.steps.len().saturating_sub(1));
    plan_change(
        before,
        Some(after),
        format!("suppression de {}", step_name(i, step.kind)),
        Screen::Parcours,
    )
}

/// Keys on the screen, by zone.
fn screen_update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    let id = match app.open_beneficiary.as_ref() {
        Some(o) => o.id,
        None => {
            let ours = matches!(
                action,
                Action::New
                    | Action::Edit
                    | Action::Open
                    | Action::Delete
                    | Action::MoveUp
                    | Action::MoveDown
                    | Action::MarkTarget
                    | Action::StepStatus
                    | Action::FundStep
                    | Action::ApplyTemplate
                    | Action::EditFacts
                    | Action::WriteSynthesis
                    | Action::ToggleDetail
            );
            if ours {
                app.set_status(
                    StatusLevel::Info,
                    "Aucun dossier ouvert : ouvrez un bénéficiaire (écran 2).",
                );
                return Some(Vec::new());
            }
            return None;
        }
    };
    let zone = app.parcours.zone;
    let targets = target_count(app, id);
    let n = match zone {
        Zone::Targets => targets,
        Zone::Suggestions => suggestions(app).len(),
        Zone::Steps => steps_len(app),
    };
    let page = (app.size.1 as isize / 3).max(1);
    let delta = match action {
        Action::Up => Some(-1),
        Action::Down => Some(1),
        Action::PageUp => Some(-page),
        Action::PageDown => Some(page),
        Action::Home => Some(isize::MIN / 2),
        Action::End => Some(isize::MAX / 2),
        _ => None,
    };
    if let Some(d) = delta {
        let p = &mut app.parcours;
        let cursor = match zone {
            Zone::Targets => &mut p.selected_target,
            Zone::Suggestions => &mut p.selected_suggestion,
            Zone::Steps => &mut p.selected_step,
        };
        let max = n.saturating_sub(1) as isize;
        *cursor = (*cursor as isize).saturating_add(d).clamp(0, max) as usize;
        return Some(Vec::new());
    }
    let mut effects = Vec::new();
    match (action, zone) {
        (Action::PrevZone, _) => app.parcours.zone = zone.step(-1),
        (Action::NextZone, _) => app.parcours.zone = zone.step(1),
        (Action::New, _) => {
            if plan_of(app, id).is_none() {
                return Some(loading(app, id));
            }
            open_step_form(app, None, false);
        }
        (Action::Edit | Action::Open, Zone::Steps) | (Action::FundStep, _) => {
            let funding = *action == Action::FundStep;
            match selected_step(app) {
                Some((_, s)) => {
                    app.parcours.zone = Zone::Steps;
                    open_step_form(app, Some(s), funding)
                }
                None => app.set_status(
                    StatusLevel::Info,
                    "Aucune étape : ajoutez-en une (n) ou appliquez un modèle (m).",
                ),
            }
        }
        (Action::Edit | Action::Open, Zone::Targets) => {
            let i = app.parcours.selected_target;
            match open_plan(app).and_then(|p| p.targets.get(i)) {
                Some(t) => {
                    let form = plan_forms::target_note_form(t, app.now.date());
                    app.parcours.form = Some(PlanForm {
                        beneficiary: id,
                        target: FormFor::TargetNote { index: i },
                        form,
                    });
                }
                None => app.set_status(StatusLevel::Info, "Aucun métier cible choisi."),
            }
        }
        (Action::Open | Action::MarkTarget, Zone::Suggestions) => {
            let list = suggestions(app);
            let i = app
                .parcours
                .selected_suggestion
                .min(list.len().saturating_sub(1));
            match list.into_iter().nth(i) {
                Some(s) => effects = add_target(app, s.target, Screen::Parcours),
                None => app.set_status(
                    StatusLevel::Info,
                    "Aucune suggestion : indiquez le métier actuel dans le dossier.",
                ),
            }
        }
        (Action::Edit, Zone::Suggestions) => {
            let key = app
                .keymap
                .key_in(super::Context::Screen(Screen::Parcours), &Action::Open)
                .unwrap_or_default();
            app.set_status(
                StatusLevel::Info,
                format!("{key} ajoute la suggestion choisie aux métiers cibles"),
            );
        }
        (Action::MarkTarget, _) => {
            // Choose a métier in the catalogue, then `c` there.
            let key = app
                .keymap
                .key_in(super::Context::Screen(Screen::Metiers), &Action::MarkTarget)
                .unwrap_or_default();
            app.metiers.search_focused = true;
            app.go_to(Screen::Metiers);
            app.set_status(
                StatusLevel::Info,
                format!("Cherchez le métier, puis {key} pour l'ajouter aux cibles"),
            );
        }
        (Action::Delete | Action::MoveUp | Action::MoveDown, Zone::Targets) => {
            let op = TargetOp::from_action(action)?;
            let mut cursor = app.parcours.selected_target.min(targets.saturating_sub(1));
            effects = target_change(app, id, &mut cursor, op, Screen::Parcours);
            app.parcours.selected_target = cursor;
        }
        (Action::Delete, Zone::Steps) => ask_delete_step(app),
        (Action::MoveUp | Action::MoveDown, Zone::Steps) => {
            effects = move_step(app, id, *action == Action::MoveUp)
        }
        (Action::Delete | Action::MoveUp | Action::MoveDown, Zone::Suggestions) => {}
        (Action::StepStatus, _) => effects = cycle_status(app, id),
        (Action::ApplyTemplate, _) => match Templates::builtin() {
            Ok(_) => app.parcours.templates = Some(0),
            Err(e) => app.set_status(StatusLevel::Error, e.to_string()),
        },
        (Action::EditFacts, _) => match plan_of(app, id) {
            None => return Some(loading(app, id)),
            Some(p) => {
                let facts = p.map(|p| p.facts.clone()).unwrap_or_default();
                app.parcours.form = Some(PlanForm {
                    beneficiary: id,
                    target: FormFor::Facts,
                    form: plan_forms::facts_form(&facts, app.now.date()),
                });
            }
        },
        (Action::WriteSynthesis, _) => {
            effects = vec![Effect::WriteSynthesis {
                beneficiary: id,
                format: Format::Html,
            }]
        }
        (Action::ToggleDetail, _) => app.parcours.detail = Some(0),
        _ => return None,
    }
    Some(effects)
}

fn detail_update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    let scroll = app.parcours.detail?;
    match action {
        Action::Up => app.parcours.detail = Some(scroll.saturating_sub(1)),
        Action::Down => app.parcours.detail = Some(scroll.saturating_add(1)),
        Action::PageUp => app.parcours.detail = Some(scroll.saturating_sub(10)),
        Action::PageDown => app.parcours.detail = Some(scroll.saturating_add(10)),
        Action::Home => app.parcours.detail = Some(0),
        Action::Back | Action::ToggleDetail => app.parcours.detail = None,
        _ => return None,
    }
    Some(Vec::new())
}

/// The Parcours screen's logic.
pub struct Logic;

impl ScreenLogic for Logic {
    fn update(&self, app: &mut App, action: &Action) -> Option<Vec<Effect>> {
        if matches!(
            action,
            Action::Tick | Action::Resize(..) | Action::Help | Action::Privacy | Action::Palette
        ) {
            return None;
        }
        if app.parcours.form.is_some() {
            return form_update(app, action);
        }
        if app.parcours.templates.is_some() {
            return picker_update(app, action);
        }
        if app.parcours.detail.is_some() {
            if let Some(fx) = detail_update(app, action) {
                return Some(fx);
            }
        }
        screen_update(app, action)
    }

    fn on_outcome(&self, app: &mut App, outcome: &Outcome) -> Vec<Effect> {
        let open = app.open_beneficiary.as_ref().map(|o| o.id);
        match outcome {
            Outcome::FileLoaded { id, .. } if Some(*id) == open => vec![Effect::LoadPlan(*id)],
            Outcome::PlanLoaded { beneficiary, plan } => {
                if Some(*beneficiary) == open {
                    app.parcours.loaded = Some(LoadedPlan {
                        beneficiary: *beneficiary,
                        plan: plan.clone(),
                    });
                }
                Vec::new()
            }
            Outcome::MobilitiesLoaded(m) => {
                app.parcours.mobilities = m.clone();
                Vec::new()
            }
            Outcome::Applied {
                change,
                direction,
                owner,
            } => {
                if let Some(l) = app.parcours.loaded.as_mut() {
                    for (kind, id, record) in change.written(*direction) {
                        match (kind, record) {
                            (RecordKind::Plan, Some(AnyRecord::Plan(p)))
                                if p.beneficiary == l.beneficiary =>
                            {
                                l.plan = Some((**p).clone())
                            }
                            (RecordKind::Plan, None)
                                if l.plan.as_ref().is_some_and(|p| p.id == id) =>
                            {
                                l.plan = None
                            }
                            _ => {}
                        }
                    }
                }
                if *direction == Direction::Do && *owner == Screen::Parcours {
                    app.parcours.form = None;
                    saved_status(app, change);
                }
                Vec::new()
            }
            Outcome::BeneficiaryErased { id, .. } => {
                if app
                    .parcours
                    .loaded
                    .as_ref()
                    .is_some_and(|l| l.beneficiary == *id)
                {
                    app.parcours.loaded = None;
                    app.parcours.form = None;
                }
                Vec::new()
            }
            Outcome::DocumentWritten { path, .. } => {
                app.parcours.last_document = Some(path.clone());
                app.modals.push(Modal::Confirm(
                    Confirm::new(
                        Screen::Parcours,
                        format!(
                            "Synthèse enregistrée dans {} (lisible par vous seul). L'ouvrir avec \
                             la visionneuse du système ?",
                            path.display()
                        ),
                        Reply::OpenDocument(path.clone()),
                    )
                    .labels("ouvrir", "plus tard"),
                ));
                app.set_status(
                    StatusLevel::Success,
                    format!(
                        "Synthèse enregistrée : {} — données personnelles : à ne remettre \
                         qu'à la personne",
                        path.display()
                    ),
                );
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn confirmed(&self, app: &mut App, reply: Reply) -> Vec<Effect> {
        match reply {
            Reply::DeleteStep(id) => delete_step(app, id),
            Reply::DiscardForm => {
                app.parcours.form = None;
                app.set_status(StatusLevel::Info, "Modifications abandonnées");
                Vec::new()
            }
            Reply::QuitDiscardingForm => {
                app.parcours.form = None;
                app.should_quit = true;
                Vec::new()
            }
            Reply::OpenDocument(path) => {
                app.set_status(
                    StatusLevel::Info,
                    format!(
                        "Ouverture de {} avec la visionneuse du système",
                        path.display()
                    ),
                );
                vec![Effect::OpenExternal(path)]
            }
            _ => Vec::new(),
        }
    }

    fn focus(&self, app: &App) -> Focus {
        match &app.parcours.form {
            Some(pf) => Focus::Form(pf.form.field_kind()),
            None => Focus::Keys,
        }
    }

    fn unsaved(&self, app: &App) -> bool {
        app.parcours
            .form
            .as_ref()
            .is_some_and(|f| f.form.is_dirty())
    }

    fn blocks_undo(&self, app: &App) -> Option<String> {
        app.parcours.form.as_ref()?;
        let save = app.keymap.key_in(super::Context::Form, &Action::Save);
        let leave = app.keymap.key_in(super::Context::Form, &Action::Back);
        Some(format!(
            "un formulaire est ouvert (écran Parcours) : enregistrez-le ({}) ou quittez-le ({})",
            save.unwrap_or_default(),
            leave.unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests;
