//! State and update logic of the Bénéficiaires screen: the list of files,
//! an open file with its tabs, the file and interview forms, undo / redo.
//!
//! `update` never touches the store: it asks with [`Effect`]s and hears back
//! in [`Logic::on_outcome`].

pub mod bench;
pub mod duplicates;
pub mod file_form;
pub mod immersion_form;
pub mod immersions;
pub mod interview_form;
pub mod list;
#[cfg(test)]
mod tests;

pub use file_form::{branches, resolve_branch};
pub use list::{FileList, Row, SortKey, StatusFilter};

use super::form::{area_width, Form};
use super::parcours::{saved_status, target_change, TargetOp};
use super::screen::{Focus, ScreenLogic};
use super::undo::{Change, Direction};
use super::{
    Action, App, Confirm, Effect, Modal, OpenBeneficiary, Outcome, Reply, Screen, StatusLevel,
};
use crate::domain::{Beneficiary, Id, Interview, Meta};
use crate::store::audit::AuditEntry;
use crate::store::{AnyRecord, JournalEntry, RecordKind};

/// How many recently opened files are kept.
pub const RECENT_MAX: usize = 10;

/// Tabs of an open file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Situation,
    Entretiens,
    Parcours,
    Immersions,
    Historique,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Situation,
        Tab::Entretiens,
        Tab::Parcours,
        Tab::Immersions,
        Tab::Historique,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Tab::Situation => "Situation",
            Tab::Entretiens => "Entretiens",
            Tab::Parcours => "Parcours",
            Tab::Immersions => "Immersions",
            Tab::Historique => "Historique",
        }
    }
    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
    fn step(self, delta: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[((self.index() as isize + delta).rem_euclid(n)) as usize]
    }
}

/// The file shown on screen, with what was loaded for its tabs.
#[derive(Clone, Debug)]
pub struct OpenFile {
    pub id: Id,
    pub tab: Tab,
    /// Newest first.
    pub interviews: Vec<Interview>,
    /// Newest first.
    pub journal: Vec<JournalEntry>,
    /// The file's audit events (exports, erasure…), newest first.
    pub audit: Vec<AuditEntry>,
    pub loaded: bool,
    /// Cursor in the interviews list.
    pub selected_interview: usize,
    /// The selected interview is shown in full.
    pub interview_open: bool,
    /// Scroll of the Situation / Historique tabs.
    pub scroll: u16,
    /// Cursor over the target métiers (Parcours tab).
    pub selected_target: usize,
    /// The interview to select once the interviews are (re)loaded (the one
    /// just saved).
    pub select_interview: Option<Id>,
    /// The Immersions tab: immersions, sessions, rule checks.
    pub imm: immersions::TabState,
}

impl OpenFile {
    fn new(id: Id) -> OpenFile {
        OpenFile {
            id,
            tab: Tab::default(),
            interviews: Vec::new(),
            journal: Vec::new(),
            audit: Vec::new(),
            loaded: false,
            selected_interview: 0,
            interview_open: false,
            scroll: 0,
            selected_target: 0,
            select_interview: None,
            imm: immersions::TabState::default(),
        }
    }
    pub fn selected(&self) -> Option<&Interview> {
        self.interviews.get(self.selected_interview)
    }
}

/// What a form edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormTarget {
    File {
        id: Id,
        is_new: bool,
    },
    Interview {
        beneficiary: Id,
        id: Id,
        is_new: bool,
    },
    /// The immersion forms (see [`immersions`]).
    Immersion(immersions::ImmersionTarget),
}

#[derive(Clone, Debug)]
pub struct OpenForm {
    pub target: FormTarget,
    pub form: Form,
}

#[derive(Clone, Debug, Default)]
pub struct BeneficiairesState {
    pub list: FileList,
    /// The search box has the focus.
    pub search_focused: bool,
    pub file: Option<OpenFile>,
    pub form: Option<OpenForm>,
    /// Recently opened files, newest first.
    pub recent: Vec<Id>,
    /// The files were loaded from the store.
    pub loaded: bool,
}

impl BeneficiairesState {
    /// A text box or form field has the focus.
    pub fn text_focused(&self) -> bool {
        self.form.is_some() || self.search_focused
    }

    pub fn form_open(&self) -> bool {
        self.form.is_some()
    }

    /// A form is open with changes not saved.
    pub fn form_dirty(&self) -> bool {
        self.form.as_ref().is_some_and(|f| f.form.is_dirty())
    }

    /// The file shown on screen.
    pub fn open_id(&self) -> Option<Id> {
        self.file.as_ref().map(|f| f.id)
    }

    /// The open file's record.
    pub fn open_file(&self) -> Option<&Beneficiary> {
        self.open_id().and_then(|id| self.list.get(id))
    }

    /// Open files whose next follow-up is on or before `today`: (due today,
    /// overdue), each sorted by date then name.
    pub fn follow_ups(&self, today: chrono::NaiveDate) -> (Vec<&Row>, Vec<&Row>) {
        let mut due: Vec<&Row> = self
            .list
            .rows
            .iter()
            .filter(|r| r.b.status.is_open() && r.b.next_follow_up.is_some_and(|d| d <= today))
            .collect();
        due.sort_by(|a, b| {
            a.b.next_follow_up
                .cmp(&b.b.next_follow_up)
                .then_with(|| a.name_key.cmp(&b.name_key))
        });
        let (today_rows, late): (Vec<&Row>, Vec<&Row>) = due
            .into_iter()
            .partition(|r| r.b.next_follow_up == Some(today));
        (today_rows, late)
    }

    /// The recent files that still exist, newest first.
    pub fn recent_files(&self) -> Vec<&Beneficiary> {
        self.recent
            .iter()
            .filter_map(|id| self.list.get(*id))
            .collect()
    }
}

/// The Bénéficiaires screen's logic.
pub struct Logic;

impl ScreenLogic for Logic {
    fn update(&self, app: &mut App, action: &Action) -> Option<Vec<Effect>> {
        update(app, action)
    }

    fn on_outcome(&self, app: &mut App, outcome: &Outcome) -> Vec<Effect> {
        on_outcome(app, outcome)
    }

    fn confirmed(&self, app: &mut App, reply: Reply) -> Vec<Effect> {
        confirmed(app, reply)
    }

    fn unsaved(&self, app: &App) -> bool {
        app.benef.form_dirty()
    }

    fn blocks_undo(&self, app: &App) -> Option<String> {
        app.benef.form.as_ref()?;
        let save = app.keymap.key_in(super::Context::Form, &Action::Save);
        let leave = app.keymap.key_in(super::Context::Form, &Action::Back);
        Some(format!(
            "un formulaire est ouvert (écran Bénéficiaires) : enregistrez-le ({}) ou quittez-le ({})",
            save.unwrap_or_default(),
            leave.unwrap_or_default()
        ))
    }

    fn focus(&self, app: &App) -> Focus {
        match &app.benef.form {
            Some(of) => Focus::Form(of.form.field_kind()),
            None if app.benef.search_focused => Focus::TextBox,
            None => Focus::Keys,
        }
    }
}

/// Handles an action on the Bénéficiaires screen; None when not handled here.
fn update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    if matches!(
        action,
        Action::Tick | Action::Resize(..) | Action::Help | Action::Privacy | Action::Palette
    ) {
        return None;
    }
    if app.benef.form.is_some() {
        return form_update(app, action);
    }
    if app.benef.search_focused {
        match action {
            Action::Text(k) => {
                if app.benef.list.query.handle(k) {
                    app.benef.list.search_changed();
                }
                return Some(Vec::new());
            }
            Action::Paste(text) => {
                super::paste::paste_line(&mut app.benef.list.query, text);
                app.benef.list.search_changed();
                return Some(Vec::new());
            }
            Action::Back => {
                back(app);
                return Some(Vec::new());
            }
            Action::Open => {
                app.benef.search_focused = false;
                return Some(open_selected(app));
            }
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => {}
            _ => app.benef.search_focused = false,
        }
    }
    if app.benef.file.is_some() {
        file_update(app, action)
    } else {
        list_update(app, action)
    }
}

fn list_update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    let page = (app.size.1 as isize - 7).max(1);
    let l = &mut app.benef.list;
    match action {
        Action::Up => l.move_by(-1),
        Action::Down => l.move_by(1),
        Action::PageUp => l.move_by(-page),
        Action::PageDown => l.move_by(page),
        Action::Home => l.move_by(isize::MIN / 2),
        Action::End => l.move_by(isize::MAX / 2),
        Action::Search => app.benef.search_focused = true,
        Action::CycleSort => l.cycle_sort(),
        Action::CycleFilter => l.cycle_filter(),
        Action::Open => return Some(open_selected(app)),
        Action::New => new_file_form(app),
        Action::Edit => match l.selected_id() {
            Some(id) => edit_file_form(app, id),
            None => app.set_status(StatusLevel::Info, "Aucun dossier choisi"),
        },
        Action::Delete => match l.selected_id() {
            Some(id) => ask_erase(app, id),
            None => app.set_status(StatusLevel::Info, "Aucun dossier choisi"),
        },
        Action::NewInterview => {
            let Some(id) = l.selected_id() else {
                app.set_status(StatusLevel::Info, "Aucun dossier choisi");
                return Some(Vec::new());
            };
            let effects = open_file(app, id);
            new_interview_form(app);
            return Some(effects);
        }
        Action::Back => {
            if !back(app) {
                return None;
            }
        }
        _ => return None,
    }
    Some(Vec::new())
}

fn file_update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    if let Some(effects) = immersions::file_action(app, action) {
        return Some(effects);
    }
    let (width, height) = app.size;
    let targets = super::parcours::target_count(app, app.benef.file.as_ref()?.id);
    let f = app.benef.file.as_mut()?;
    let n = f.interviews.len();
    match action {
        Action::NextTab | Action::PrevTab => {
            let d = if *action == Action::NextTab { 1 } else { -1 };
            f.tab = f.tab.step(d);
            f.interview_open = false;
            f.scroll = 0;
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Home
        | Action::End => {
            let delta: isize = match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -10,
                Action::PageDown => 10,
                Action::Home => -100_000,
                _ => 100_000,
            };
            if f.tab == Tab::Entretiens && !f.interview_open {
                let max = n.saturating_sub(1) as isize;
                f.selected_interview =
                    (f.selected_interview as isize + delta).clamp(0, max) as usize;
            } else if f.tab == Tab::Parcours {
                let max = targets.saturating_sub(1) as isize;
                f.selected_target = (f.selected_target as isize + delta).clamp(0, max) as usize;
            } else {
                let max = scroll_max(f, app.benef.list.get(f.id), (width, height));
                f.scroll = (f.scroll as isize + delta).clamp(0, max as isize) as u16;
            }
        }
        Action::TargetUp | Action::TargetDown | Action::TargetRemove => {
            if f.tab != Tab::Parcours {
                app.set_status(
                    StatusLevel::Info,
                    "Les métiers cibles se modifient dans l'onglet Parcours du dossier",
                );
                return Some(Vec::new());
            }
            let (id, mut cursor) = (f.id, f.selected_target.min(targets.saturating_sub(1)));
            let op = TargetOp::from_action(action)?;
            let effects = target_change(app, id, &mut cursor, op, Screen::Beneficiaires);
            if let Some(f) = app.benef.file.as_mut() {
                f.selected_target = cursor;
            }
            return Some(effects);
        }
        Action::Open => {
            if f.tab == Tab::Entretiens && n > 0 {
                f.interview_open = true;
                f.scroll = 0;
            }
        }
        Action::Edit => {
            let id = f.id;
            let interview = (f.tab == Tab::Entretiens)
                .then(|| f.selected().cloned())
                .flatten();
            match interview {
                Some(i) => edit_interview_form(app, &i),
                None => edit_file_form(app, id),
            }
        }
        Action::NewInterview => new_interview_form(app),
        Action::New => new_file_form(app),
        Action::Delete => {
            let id = f.id;
            ask_erase(app, id);
        }
        Action::Search => {
            app.benef.file = None;
            app.benef.search_focused = true;
        }
        Action::Back => {
            back(app);
        }
        Action::CycleSort | Action::CycleFilter => {}
        _ => return None,
    }
    Some(Vec::new())
}

/// How far the Situation / interview / Historique text can scroll: its
/// number of lines (as the ui lays them out) less the visible height.
fn scroll_max(f: &OpenFile, b: Option<&Beneficiary>, (width, height): (u16, u16)) -> usize {
    let visible = (height as usize).saturating_sub(6);
    let lines = match f.tab {
        Tab::Situation => 25 + b.map_or(0, |b| b.constraints.lines().count().saturating_sub(1)),
        Tab::Entretiens => f.selected().map_or(0, |i| {
            interview_form::reading_view(i, (width as usize).saturating_sub(2)).len()
        }),
        Tab::Historique => f.journal.len() + f.audit.len(),
        _ => 0,
    };
    lines.saturating_sub(visible)
}

fn form_update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    let total_width = app.size.0;
    let of = app.benef.form.as_mut()?;
    if let Some(e) = of.form.apply_edit(action, area_width(total_width)) {
        if e.changed {
            match of.target {
                FormTarget::File { .. } => file_form::after_change(&mut of.form),
                FormTarget::Interview { .. } => interview_form::after_change(&mut of.form),
                _ => {}
            }
        }
        if let Some((level, msg)) = e.message {
            app.set_status(level, msg);
        }
        if e.changed {
            immersions::after_edit(app);
        }
        return Some(Vec::new());
    }
    match action {
        Action::Save => return Some(save_form(app, false)),
        Action::Back => {
            back(app);
        }
        a if a.passes_form() => return None,
        _ => {}
    }
    Some(Vec::new())
}

/// `Échap` on this screen: true when consumed.
pub fn back(app: &mut App) -> bool {
    let b = &mut app.benef;
    if let Some(of) = &b.form {
        if of.form.is_dirty() {
            app.modals.push(Modal::Confirm(Confirm::discard_form(
                Screen::Beneficiaires,
                "Abandonner les modifications de ce formulaire ?",
            )));
        } else {
            b.form = None;
        }
        return true;
    }
    if b.search_focused {
        b.search_focused = false;
        if !b.list.query.is_empty() {
            b.list.query.clear();
            b.list.refresh();
        }
        return true;
    }
    if let Some(f) = &mut b.file {
        if f.interview_open {
            f.interview_open = false;
        } else {
            let id = f.id;
            b.file = None;
            b.list.select_id(id);
        }
        return true;
    }
    if !b.list.query.is_empty() {
        b.list.query.clear();
        b.list.refresh();
        return true;
    }
    false
}

fn ask_erase(app: &mut App, id: Id) {
    let name = app
        .benef
        .list
        .get(id)
        .map(Beneficiary::display_name)
        .unwrap_or_default();
    app.modals.push(Modal::Confirm(
        Confirm::new(
            Screen::Beneficiaires,
            format!(
                "Effacer définitivement le dossier {name} et tout ce qui s'y rattache (entretiens, historique) ?"
            ),
            Reply::EraseBeneficiary(id),
        )
        .labels("effacer", "garder le dossier"),
    ));
}

fn open_selected(app: &mut App) -> Vec<Effect> {
    match app.benef.list.selected_id() {
        Some(id) => open_file(app, id),
        None => Vec::new(),
    }
}

/// Opens a file: shown on screen, named in the header, first of the recent
/// list; its interviews and journal are loaded.
pub fn open_file(app: &mut App, id: Id) -> Vec<Effect> {
    let Some(b) = app.benef.list.get(id) else {
        return Vec::new();
    };
    app.open_beneficiary = Some(OpenBeneficiary {
        id,
        display_name: b.display_name(),
    });
    if app.benef.open_id() != Some(id) {
        app.benef.file = Some(OpenFile::new(id));
        app.parcours.reset_cursors();
    }
    app.benef.search_focused = false;
    let recent = &mut app.benef.recent;
    recent.retain(|r| *r != id);
    recent.insert(0, id);
    recent.truncate(RECENT_MAX);
    app.screen = Screen::Beneficiaires;
    vec![Effect::LoadFile(id), Effect::SetRecent(recent.clone())]
}

fn new_file_form(app: &mut App) {
    app.benef.form = Some(OpenForm {
        target: FormTarget::File {
            id: Id::generate(),
            is_new: true,
        },
        form: file_form::build(None, app.now.date(), app.catalog.clone()),
    });
}

fn edit_file_form(app: &mut App, id: Id) {
    let Some(b) = app.benef.list.get(id) else {
        return;
    };
    app.benef.form = Some(OpenForm {
        target: FormTarget::File { id, is_new: false },
        form: file_form::build(Some(b), app.now.date(), app.catalog.clone()),
    });
}

fn new_interview_form(app: &mut App) {
    let Some(b) = app.benef.open_file() else {
        return;
    };
    let form = interview_form::build(b, None, app.now);
    app.benef.form = Some(OpenForm {
        target: FormTarget::Interview {
            beneficiary: b.id,
            id: Id::generate(),
            is_new: true,
        },
        form,
    });
}

fn edit_interview_form(app: &mut App, i: &Interview) {
    let Some(b) = app.benef.list.get(i.beneficiary) else {
        return;
    };
    let form = interview_form::build(b, Some(i), app.now);
    app.benef.form = Some(OpenForm {
        target: FormTarget::Interview {
            beneficiary: b.id,
            id: i.id,
            is_new: false,
        },
        form,
    });
}

/// The change a valid file form makes (None when nothing changed).
fn file_change(app: &App, form: &Form, id: Id, is_new: bool) -> Result<Option<Change>, String> {
    let before = if is_new {
        None
    } else {
        Some(
            app.benef
                .list
                .get(id)
                .cloned()
                .ok_or("Ce dossier n'existe plus.")?,
        )
    };
    let base = before
        .clone()
        .unwrap_or_else(|| Beneficiary::new(id, "", "", Meta::new(app.now.and_utc(), "")));
    let after = file_form::to_beneficiary(form, base)?;
    if before.as_ref() == Some(&after) {
        return Ok(None);
    }
    let name = after.display_name();
    let (label, note) = match before {
        None => (format!("création du dossier {name}"), "création du dossier"),
        Some(_) => (
            format!("modification du dossier {name}"),
            "modification du dossier",
        ),
    };
    Ok(Some(Change::one(
        label,
        note,
        before.map(AnyRecord::from),
        Some(AnyRecord::from(after)),
    )))
}

/// Same content, ignoring who changed it and when.
fn same_content(a: &Beneficiary, b: &Beneficiary) -> bool {
    let mut b = b.clone();
    b.meta = a.meta.clone();
    *a == b
}

/// The change a valid interview form makes: the interview, and its file
/// when the interview changes it (last contact, next follow-up, CEP level).
fn interview_change(
    app: &App,
    form: &Form,
    beneficiary: Id,
    id: Id,
    is_new: bool,
) -> Result<Option<Change>, String> {
    let stored = app
        .benef
        .file
        .as_ref()
        .and_then(|f| f.interviews.iter().find(|i| i.id == id))
        .cloned();
    let file = app
        .benef
        .list
        .get(beneficiary)
        .cloned()
        .ok_or("Ce dossier n'existe plus.")?;
    let after = interview_form::to_interview(form, beneficiary, id, stored.as_ref())?;
    if !is_new && stored.as_ref() == Some(&after) {
        return Ok(None);
    }
    let file_after = interview_form::apply_to_file(&file, &after);
    let name = file.display_name();
    let (label, note) = if is_new {
        (format!("nouvel entretien de {name}"), "nouvel entretien")
    } else {
        (
            format!("modification d'un entretien de {name}"),
            "modification d'un entretien",
        )
    };
    let mut records = vec![(
        if is_new {
            None
        } else {
            stored.map(AnyRecord::from)
        },
        Some(AnyRecord::from(after)),
    )];
    if !same_content(&file, &file_after) {
        records.push((
            Some(AnyRecord::from(file)),
            Some(AnyRecord::from(file_after)),
        ));
    }
    Ok(Some(Change {
        label,
        note: note.into(),
        records,
    }))
}

/// Ctrl-S: refused while a field is invalid (the cursor goes to the first
/// error); a new file that looks like an existing one asks first (unless
/// `allow_duplicate`); otherwise asks the runtime to save.
fn save_form(app: &mut App, allow_duplicate: bool) -> Vec<Effect> {
    let Some(of) = app.benef.form.as_mut() else {
        return Vec::new();
    };
    if let Err(msg) = of.form.refuse_invalid() {
        app.set_status(StatusLevel::Error, msg);
        return Vec::new();
    }
    let (target, form) = (of.target.clone(), of.form.clone());
    let result = match target {
        FormTarget::File { id, is_new } => file_change(app, &form, id, is_new),
        FormTarget::Interview {
            beneficiary,
            id,
            is_new,
        } => interview_change(app, &form, beneficiary, id, is_new),
        FormTarget::Immersion(ref t) => immersions::change_for(app, &form, t),
    };
    match result {
        Err(e) => {
            app.set_status(StatusLevel::Error, format!("Non enregistré : {e}"));
            Vec::new()
        }
        Ok(None) => {
            app.benef.form = None;
            app.set_status(StatusLevel::Info, "Aucune modification à enregistrer");
            Vec::new()
        }
        Ok(Some(change)) => {
            if let (FormTarget::File { is_new: true, .. }, false) = (&target, allow_duplicate) {
                if let Some(c) = duplicate_question(app, &change) {
                    app.modals.push(Modal::Confirm(c));
                    return Vec::new();
                }
            }
            vec![Effect::Apply {
                change: Box::new(change),
                direction: Direction::Do,
                owner: Screen::Beneficiaires,
            }]
        }
    }
}

/// The question to ask when a new file looks like an existing one.
fn duplicate_question(app: &App, change: &Change) -> Option<Confirm> {
    let Some((_, Some(AnyRecord::Beneficiary(new)))) = change.records.first() else {
        return None;
    };
    let all = app.benef.list.rows.iter().map(|r| &r.b);
    let (id, why) = duplicates::find(new, all)?;
    let old = app.benef.list.get(id)?;
    let closed = if old.status.is_open() { "" } else { " (clos)" };
    Some(
        Confirm::new(
            Screen::Beneficiaires,
            format!(
                "Un dossier existe déjà : {}{closed} ({}). Ouvrir ce dossier plutôt que d'en créer un second ?",
                old.display_name(),
                why.label()
            ),
            Reply::OpenExisting(id),
        )
        .labels("ouvrir le dossier existant", "revenir au formulaire")
        .or("créer quand même", Reply::CreateDuplicate),
    )
}

/// Applies what the runtime reports.
fn on_outcome(app: &mut App, outcome: &Outcome) -> Vec<Effect> {
    match outcome {
        Outcome::BeneficiariesLoaded {
            beneficiaries,
            damaged,
            recent,
        } => {
            let scan = crate::store::Scan {
                records: Vec::<Beneficiary>::new(),
                damaged: damaged.clone(),
            };
            if let Some(msg) = scan.damaged_summary() {
                app.set_status(StatusLevel::Error, msg);
            }
            app.benef.list.set_all(beneficiaries.clone());
            app.benef.recent = recent
                .iter()
                .copied()
                .filter(|id| app.benef.list.get(*id).is_some())
                .collect();
            app.benef.loaded = true;
            Vec::new()
        }
        Outcome::Applied {
            change,
            direction,
            owner,
        } => applied(app, change, *direction, *owner),
        Outcome::FileLoaded {
            id,
            interviews,
            journal,
            audit,
        } => {
            if let Some(f) = app.benef.file.as_mut().filter(|f| f.id == *id) {
                let keep = f.select_interview.take().or(f.selected().map(|i| i.id));
                f.interviews = interviews.clone();
                f.journal = journal.clone();
                f.audit = audit.clone();
                f.loaded = true;
                f.selected_interview = keep
                    .and_then(|k| f.interviews.iter().position(|i| i.id == k))
                    .unwrap_or(0);
                if f.interviews.is_empty() {
                    f.interview_open = false;
                }
                return vec![Effect::LoadFileImmersions(*id)];
            }
            Vec::new()
        }
        Outcome::FileImmersionsLoaded { id, data } => {
            immersions::loaded(app, *id, data);
            Vec::new()
        }
        Outcome::Exported { path, what } => {
            immersions::exported(app, path, what);
            Vec::new()
        }
        Outcome::BeneficiaryErased { id, report } => {
            let name = app
                .benef
                .list
                .get(*id)
                .map(Beneficiary::display_name)
                .unwrap_or_default();
            forget(app, *id);
            app.set_status(
                StatusLevel::Success,
                format!(
                    "Dossier {name} effacé ({} entretien{}, {} entrée{} d'historique) ; \
                     effacement physique des fichiers à la fermeture de Passerelle",
                    report.interviews,
                    if report.interviews > 1 { "s" } else { "" },
                    report.journal_entries,
                    if report.journal_entries > 1 { "s" } else { "" },
                ),
            );
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A change was written (by any screen, in any direction): the list of
/// files follows the stored records; the form that asked closes and shows
/// what it saved; the open file reloads when the change concerns it.
fn applied(app: &mut App, change: &Change, dir: Direction, owner: Screen) -> Vec<Effect> {
    let mut saved_interview = None;
    for (kind, id, record) in change.written(dir) {
        match (kind, record) {
            (RecordKind::Beneficiary, Some(AnyRecord::Beneficiary(b))) => {
                refresh_name(app, b);
                app.benef.list.upsert((**b).clone());
            }
            (RecordKind::Beneficiary, None) => forget(app, id),
            (RecordKind::Interview, Some(_)) => saved_interview = Some(id),
            _ => {}
        }
    }
    let mut effects = Vec::new();
    if dir == Direction::Do && owner == Screen::Beneficiaires {
        let form_target = app.benef.form.as_ref().map(|f| f.target.clone());
        let closes = match form_target {
            Some(FormTarget::File { id, .. }) => change.records.iter().any(|(_, a)| {
                a.as_ref()
                    .is_some_and(|r| r.kind() == RecordKind::Beneficiary && r.id() == id)
            }),
            Some(FormTarget::Interview { id, .. }) => saved_interview == Some(id),
            Some(FormTarget::Immersion(ref t)) => immersions::closes(t, change),
            None => false,
        };
        if closes {
            app.benef.form = None;
            let file = change.beneficiaries().first().copied();
            if let Some(id) = file {
                // Show the saved file (a new one is opened).
                if app.benef.open_id() != Some(id) {
                    effects.extend(open_file(app, id));
                }
                app.benef.list.select_id(id);
            }
            if let (Some(f), Some(i)) = (app.benef.file.as_mut(), saved_interview) {
                f.tab = Tab::Entretiens;
                f.interview_open = false;
                f.select_interview = Some(i);
            }
            let msg = match &form_target {
                Some(FormTarget::Immersion(t)) => immersions::saved(app, t, change),
                _ if saved_interview.is_some() => "Entretien enregistré".to_string(),
                _ => "Dossier enregistré".to_string(),
            };
            app.set_status(StatusLevel::Success, msg);
        } else {
            saved_status(app, change);
        }
    }
    if let Some(id) = app.benef.open_id().filter(|id| change.concerns(*id)) {
        if !effects.contains(&Effect::LoadFile(id)) {
            effects.push(Effect::LoadFile(id));
        }
    }
    effects
}

/// Keeps the header's name in step with the saved file.
fn refresh_name(app: &mut App, b: &Beneficiary) {
    if let Some(o) = app.open_beneficiary.as_mut().filter(|o| o.id == b.id) {
        o.display_name = b.display_name();
    }
}

/// A file is gone: off the list, the screen, the header and the recent list.
fn forget(app: &mut App, id: Id) {
    app.benef.list.remove(id);
    if app.benef.open_id() == Some(id) {
        app.benef.file = None;
    }
    if app.open_beneficiary.as_ref().is_some_and(|o| o.id == id) {
        app.open_beneficiary = None;
    }
    if matches!(&app.benef.form, Some(OpenForm { target: FormTarget::File { id: f, .. }, .. }) if *f == id)
        || matches!(&app.benef.form, Some(OpenForm { target: FormTarget::Interview { beneficiary: f, .. }, .. }) if *f == id)
        || matches!(&app.benef.form, Some(OpenForm { target: FormTarget::Immersion(t), .. }) if t.beneficiary() == id)
    {
        app.benef.form = None;
    }
    app.benef.recent.retain(|r| *r != id);
}

/// Runs what a confirm dialog of this screen was answered.
fn confirmed(app: &mut App, reply: Reply) -> Vec<Effect> {
    match reply {
        Reply::DiscardForm => {
            app.benef.form = None;
            app.set_status(StatusLevel::Info, "Modifications abandonnées");
            Vec::new()
        }
        Reply::QuitDiscardingForm => {
            app.benef.form = None;
            app.should_quit = true;
            Vec::new()
        }
        Reply::EraseBeneficiary(id) => vec![Effect::EraseBeneficiary(id)],
        Reply::CreateDuplicate => save_form(app, true),
        Reply::OpenExisting(id) => {
            app.benef.form = None;
            app.go_to(Screen::Beneficiaires);
            open_file(app, id)
        }
        Reply::Unregister(id) => immersions::unregister(app, id, Screen::Beneficiaires),
        _ => Vec::new(),
    }
}
