//! State and update logic of the Bénéficiaires screen: the list of files,
//! an open file with its tabs, the file and interview forms, undo / redo.
//!
//! `update` never touches the store: it asks with [`Effect`]s and hears back
//! in [`on_outcome`].

pub mod bench;
pub mod file_form;
pub mod interview_form;
pub mod list;
#[cfg(test)]
mod tests;

pub use file_form::{branches, resolve_branch};
pub use list::{FileList, Row, SortKey, StatusFilter};

use super::form::{area_width, Form};
use super::undo::{Change, Direction, UndoStack};
use super::{
    Action, App, Confirm, ConfirmAction, Effect, Modal, OpenBeneficiary, Outcome, Screen,
    StatusLevel,
};
use crate::domain::{Beneficiary, Id, Interview, Meta};
use crate::store::JournalEntry;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
    pub loaded: bool,
    /// Cursor in the interviews list.
    pub selected_interview: usize,
    /// The selected interview is shown in full.
    pub interview_open: bool,
    /// Scroll of the Situation / Historique tabs.
    pub scroll: u16,
}

impl OpenFile {
    fn new(id: Id) -> OpenFile {
        OpenFile {
            id,
            tab: Tab::default(),
            interviews: Vec::new(),
            journal: Vec::new(),
            loaded: false,
            selected_interview: 0,
            interview_open: false,
            scroll: 0,
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
    pub undo: UndoStack,
    /// Recently opened files, newest first.
    pub recent: Vec<Id>,
    /// The files were loaded from the store.
    pub loaded: bool,
    /// Effects asked for while handling an outcome; the runtime runs them next.
    pub follow_up: Vec<Effect>,
}

impl BeneficiairesState {
    /// A text box or form field has the focus.
    pub fn text_focused(&self) -> bool {
        self.form.is_some() || self.search_focused
    }

    pub fn form_open(&self) -> bool {
        self.form.is_some()
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

/// Keys while a form is open: Tab / Maj-Tab move between fields, Ctrl-S
/// saves, Échap leaves, Entrée goes to the next field (a new line in a
/// multi-line field), ↑/↓ move between one-line fields, function keys keep
/// their global meaning, everything else is typed into the field.
pub fn form_key_to_action(app: &App, key: KeyEvent) -> Option<Action> {
    let multiline = app
        .benef
        .form
        .as_ref()
        .is_some_and(|f| f.form.focused_is_multiline());
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Tab if key.modifiers.contains(KeyModifiers::SHIFT) => Some(Action::PrevField),
        KeyCode::Tab => Some(Action::NextField),
        KeyCode::BackTab => Some(Action::PrevField),
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Char('s' | 'S') if ctrl => Some(Action::Save),
        KeyCode::Enter if !multiline => Some(Action::NextField),
        KeyCode::Down if !multiline => Some(Action::NextField),
        KeyCode::Up if !multiline => Some(Action::PrevField),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::F(_) => {
            let spec = super::KeySpec::from_event(&key)?;
            app.keymap.lookup(app.screen, &spec)
        }
        _ => Some(Action::Text(key)),
    }
}

/// Handles an action on the Bénéficiaires screen; None when not handled here.
pub fn update(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    if matches!(
        action,
        Action::Tick | Action::Resize(..) | Action::Help | Action::Privacy
    ) {
        return None;
    }
    if app.benef.form.is_some() {
        return form_update(app, action);
    }
    if app.benef.search_focused {
        match action {
            Action::Text(k) => {
                if app.benef.list.query.handle(&k) {
                    app.benef.list.search_changed();
                }
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

fn list_update(app: &mut App, action: Action) -> Option<Vec<Effect>> {
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
        Action::Undo => return Some(undo_redo(app, Direction::Undo)),
        Action::Redo => return Some(undo_redo(app, Direction::Redo)),
        _ => return None,
    }
    Some(Vec::new())
}

fn file_update(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let f = app.benef.file.as_mut()?;
    let n = f.interviews.len();
    match action {
        Action::NextTab | Action::PrevTab => {
            let d = if action == Action::NextTab { 1 } else { -1 };
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
            } else {
                let max = scroll_max(f, app.benef.list.get(f.id), app.size);
                f.scroll = (f.scroll as isize + delta).clamp(0, max as isize) as u16;
            }
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
        Action::Undo => return Some(undo_redo(app, Direction::Undo)),
        Action::Redo => return Some(undo_redo(app, Direction::Redo)),
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
        Tab::Historique => f.journal.len(),
        _ => 0,
    };
    lines.saturating_sub(visible)
}

fn form_update(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let width = area_width(app.size.0);
    let of = app.benef.form.as_mut()?;
    match action {
        Action::Text(k) => {
            let changed = of.form.handle_key(&k, width);
            if changed && matches!(of.target, FormTarget::File { .. }) {
                file_form::after_change(&mut of.form);
            }
        }
        Action::NextField => of.form.next(),
        Action::PrevField => of.form.prev(),
        // PgSuiv / PgPréc: next / previous section of the form.
        Action::PageDown => of.form.next_section(),
        Action::PageUp => of.form.prev_section(),
        Action::Save => return Some(save_form(app)),
        Action::Back => {
            back(app);
        }
        Action::Undo | Action::Redo => app.set_status(
            StatusLevel::Info,
            "Enregistrez (Ctrl-S) ou quittez le formulaire (Échap) avant d'annuler",
        ),
        // Switching screens keeps the form for later.
        Action::GoTo(_) | Action::ClickTab(_) | Action::NextScreen | Action::PrevScreen => {
            return None
        }
        _ => {}
    }
    Some(Vec::new())
}

/// `Échap` on this screen: true when consumed.
pub fn back(app: &mut App) -> bool {
    let b = &mut app.benef;
    if let Some(of) = &b.form {
        if of.form.is_dirty() {
            app.modals.push(Modal::Confirm(Confirm {
                question: "Abandonner les modifications de ce formulaire ?".into(),
                on_yes: ConfirmAction::DiscardForm,
            }));
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

/// Undo / redo from any screen.
pub fn undo_redo(app: &mut App, dir: Direction) -> Vec<Effect> {
    if app.benef.form.is_some() {
        app.set_status(
            StatusLevel::Info,
            "Enregistrez (Ctrl-S) ou quittez le formulaire (Échap) avant d'annuler",
        );
        return Vec::new();
    }
    let top = match dir {
        Direction::Undo => app.benef.undo.peek_undo(),
        Direction::Redo => app.benef.undo.peek_redo(),
    };
    match top {
        Some(c) => vec![Effect::ApplyChange {
            change: Box::new(c.clone()),
            direction: dir,
        }],
        None => {
            let msg = match dir {
                Direction::Undo => "Rien à annuler dans cette session",
                Direction::Redo => "Rien à rétablir",
            };
            app.set_status(StatusLevel::Info, msg);
            Vec::new()
        }
    }
}

fn ask_erase(app: &mut App, id: Id) {
    let name = app
        .benef
        .list
        .get(id)
        .map(Beneficiary::display_name)
        .unwrap_or_default();
    app.modals.push(Modal::Confirm(Confirm {
        question: format!(
            "Effacer définitivement le dossier {name} et tout ce qui s'y rattache (entretiens, historique) ?"
        ),
        on_yes: ConfirmAction::EraseBeneficiary(id),
    }));
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
        form: file_form::build(None, app.now.date()),
    });
}

fn edit_file_form(app: &mut App, id: Id) {
    let Some(b) = app.benef.list.get(id) else {
        return;
    };
    app.benef.form = Some(OpenForm {
        target: FormTarget::File { id, is_new: false },
        form: file_form::build(Some(b), app.now.date()),
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

/// Ctrl-S: refused while a field is invalid (the cursor goes to the first
/// error); otherwise asks the runtime to save.
fn save_form(app: &mut App) -> Vec<Effect> {
    let Some(of) = app.benef.form.as_mut() else {
        return Vec::new();
    };
    if let Err(i) = of.form.check_submit() {
        let n = of.form.error_count();
        let f = &of.form.fields[i];
        let msg = format!(
            "Non enregistré : {n} champ{} à corriger — {} : {}",
            if n > 1 { "s" } else { "" },
            f.label.trim(),
            f.error.as_deref().unwrap_or("")
        );
        app.set_status(StatusLevel::Error, msg);
        return Vec::new();
    }
    let target = of.target.clone();
    let form = of.form.clone();
    let placeholder_meta = Meta::new(app.now.and_utc(), "");
    let result = match target {
        FormTarget::File { id, is_new } => {
            let before = if is_new {
                None
            } else {
                app.benef.list.get(id).cloned()
            };
            if !is_new && before.is_none() {
                Err("Ce dossier n'existe plus.".to_string())
            } else {
                let base = before
                    .clone()
                    .unwrap_or_else(|| Beneficiary::new(id, "", "", placeholder_meta));
                file_form::to_beneficiary(&form, base).map(|after| {
                    if before.as_ref() == Some(&after) {
                        None
                    } else {
                        Some(Change::File {
                            before: before.map(Box::new),
                            after: Box::new(after),
                        })
                    }
                })
            }
        }
        FormTarget::Interview {
            beneficiary,
            id,
            is_new,
        } => {
            let stored = app
                .benef
                .file
                .as_ref()
                .and_then(|f| f.interviews.iter().find(|i| i.id == id))
                .cloned();
            match app.benef.list.get(beneficiary).cloned() {
                None => Err("Ce dossier n'existe plus.".to_string()),
                Some(file) => interview_form::to_interview(&form, beneficiary, id, stored.as_ref())
                    .map(|after| {
                        if !is_new && stored.as_ref() == Some(&after) {
                            return None;
                        }
                        let file_after = interview_form::apply_to_file(&file, &after);
                        Some(Change::Interview {
                            before: if is_new { None } else { stored.map(Box::new) },
                            after: Box::new(after),
                            file_before: Box::new(file),
                            file_after: Box::new(file_after),
                        })
                    }),
            }
        }
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
        Ok(Some(change)) => vec![Effect::Save(Box::new(change))],
    }
}

/// Applies what the runtime reports.
pub fn on_outcome(app: &mut App, outcome: &Outcome) {
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
        }
        Outcome::BeneficiarySaved(b) => {
            refresh_name(app, b);
            app.benef.list.upsert((**b).clone());
            app.set_status(StatusLevel::Success, "Dossier enregistré");
        }
        Outcome::Saved(change) => {
            let (file, msg, is_interview) = match &**change {
                Change::File { after, .. } => (after.as_ref(), "Dossier enregistré", false),
                Change::Interview { file_after, .. } => {
                    (file_after.as_ref(), "Entretien enregistré", true)
                }
            };
            let id = file.id;
            refresh_name(app, file);
            app.benef.list.upsert(file.clone());
            app.benef.undo.record((**change).clone());
            let closes = match (&app.benef.form, &**change) {
                (
                    Some(OpenForm {
                        target: FormTarget::File { id: fid, .. },
                        ..
                    }),
                    Change::File { after, .. },
                ) => *fid == after.id,
                (
                    Some(OpenForm {
                        target: FormTarget::Interview { id: iid, .. },
                        ..
                    }),
                    Change::Interview { after, .. },
                ) => *iid == after.id,
                _ => false,
            };
            if closes {
                app.benef.form = None;
                // Show the saved file (a new one is opened).
                if app.benef.open_id() != Some(id) {
                    let effects = open_file(app, id);
                    app.benef.follow_up.extend(effects);
                }
                if let Some(f) = app.benef.file.as_mut() {
                    if is_interview {
                        f.tab = Tab::Entretiens;
                        f.interview_open = false;
                        f.selected_interview = 0;
                    }
                }
                app.benef.list.select_id(id);
            }
            app.set_status(StatusLevel::Success, msg);
        }
        Outcome::FileLoaded {
            id,
            interviews,
            journal,
        } => {
            if let Some(f) = app.benef.file.as_mut().filter(|f| f.id == *id) {
                let keep = f.selected().map(|i| i.id);
                f.interviews = interviews.clone();
                f.journal = journal.clone();
                f.loaded = true;
                f.selected_interview = keep
                    .and_then(|k| f.interviews.iter().position(|i| i.id == k))
                    .unwrap_or(0);
                if f.interviews.is_empty() {
                    f.interview_open = false;
                }
            }
        }
        Outcome::BeneficiaryErased { id, report } => {
            let name = app
                .benef
                .list
                .get(*id)
                .map(Beneficiary::display_name)
                .unwrap_or_default();
            forget(app, *id);
            app.benef.undo.forget_beneficiary(*id);
            app.set_status(
                StatusLevel::Success,
                format!(
                    "Dossier {name} effacé ({} entretien{}, {} entrée{} d'historique)",
                    report.interviews,
                    if report.interviews > 1 { "s" } else { "" },
                    report.journal_entries,
                    if report.journal_entries > 1 { "s" } else { "" },
                ),
            );
        }
        Outcome::ChangeApplied { change, direction } => {
            match (&**change, direction) {
                (
                    Change::File {
                        before: None,
                        after,
                    },
                    Direction::Undo,
                ) => forget(app, after.id),
                (
                    Change::File {
                        before: Some(b), ..
                    },
                    Direction::Undo,
                ) => {
                    refresh_name(app, b);
                    app.benef.list.upsert((**b).clone());
                }
                (Change::File { after, .. }, Direction::Redo) => {
                    refresh_name(app, after);
                    app.benef.list.upsert((**after).clone());
                }
                (Change::Interview { file_before, .. }, Direction::Undo) => {
                    app.benef.list.upsert((**file_before).clone());
                }
                (Change::Interview { file_after, .. }, Direction::Redo) => {
                    app.benef.list.upsert((**file_after).clone());
                }
            }
            app.benef.undo.applied(*direction);
            let what = change.describe();
            let text = match direction {
                Direction::Undo => format!("Annulé : {what}"),
                Direction::Redo => format!("Rétabli : {what}"),
            };
            app.set_status(StatusLevel::Info, text);
        }
    }
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
    {
        app.benef.form = None;
    }
    app.benef.recent.retain(|r| *r != id);
}

/// Runs what a confirm dialog's "oui" asked for.
pub fn confirmed(app: &mut App, what: ConfirmAction) -> Vec<Effect> {
    match what {
        ConfirmAction::DiscardForm => {
            app.benef.form = None;
            app.set_status(StatusLevel::Info, "Modifications abandonnées");
            Vec::new()
        }
        ConfirmAction::EraseBeneficiary(id) => vec![Effect::EraseBeneficiary(id)],
    }
}
