//! State and update logic of the Métiers screen: search as you type over the
//! catalogue, a branch filter, a results list and a detail pane whose related
//! métiers (same ROME family, curated passerelles) can be opened.

use super::screen::{Focus, ScreenLogic};
use super::text::TextInput;
use super::undo::Direction;
use super::{Action, App, Effect, Outcome, Screen, StatusLevel};
use crate::catalog::{Catalog, Searcher};
use std::sync::Arc;

/// The Métiers screen's logic.
pub struct Logic;

impl ScreenLogic for Logic {
    fn update(&self, app: &mut App, action: &Action) -> Option<Vec<Effect>> {
        update(app, action)
    }

    fn on_outcome(&self, app: &mut App, outcome: &Outcome) -> Vec<Effect> {
        if let Outcome::Applied {
            change,
            direction: Direction::Do,
            owner: Screen::Metiers,
        } = outcome
        {
            super::parcours::saved_status(app, change);
        }
        Vec::new()
    }

    fn focus(&self, app: &App) -> Focus {
        if app.metiers.search_focused {
            Focus::TextBox
        } else {
            Focus::Keys
        }
    }
}

/// Which pane has the focus (the search box is separate: `search_focused`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Results,
    Detail,
}

/// Why a métier is related to the selected fiche.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Curated passerelle from the selected fiche to this one.
    PasserelleTo(String),
    /// Curated passerelle from this fiche to the selected one.
    PasserelleFrom(String),
    /// Same ROME family (letter + two digits).
    Family,
}

/// A related métier listed in the detail pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub code: String,
    pub label: String,
    pub relation: Relation,
}

/// Related métiers of a fiche: passerelles first, then the family.
pub fn related(catalog: &Catalog, code: &str) -> Vec<Related> {
    let label = |c: &str| {
        catalog
            .fiche(c)
            .map(|f| f.label.clone())
            .unwrap_or_else(|| c.to_string())
    };
    let mut out: Vec<Related> = Vec::new();
    for p in catalog.passerelles_from(code) {
        out.push(Related {
            code: p.to.clone(),
            label: label(&p.to),
            relation: Relation::PasserelleTo(p.note.clone()),
        });
    }
    for p in catalog.passerelles_to(code) {
        out.push(Related {
            code: p.from.clone(),
            label: label(&p.from),
            relation: Relation::PasserelleFrom(p.note.clone()),
        });
    }
    for f in catalog.related_fiches(code) {
        out.push(Related {
            code: f.code.clone(),
            label: f.label.clone(),
            relation: Relation::Family,
        });
    }
    out
}

pub struct MetiersState {
    /// The search box has the focus: typed characters go into the query.
    pub search_focused: bool,
    pub query: TextInput,
    /// Branch filter (short id); None = toutes.
    pub branch: Option<String>,
    pub searcher: Searcher,
    /// Selected row in the results.
    pub selected: usize,
    pub pane: Pane,
    /// Selected related métier in the detail pane.
    pub related_selected: usize,
    /// Queries to return to with `Échap` after opening related métiers.
    pub trail: Vec<String>,
    /// The detail pane is hidden: the results table takes the full width
    /// (and shows the ROME label column on narrower terminals).
    pub detail_hidden: bool,
}

impl Default for MetiersState {
    fn default() -> Self {
        MetiersState {
            search_focused: false,
            query: TextInput::default(),
            branch: None,
            searcher: Searcher::new(500),
            selected: 0,
            pane: Pane::Results,
            related_selected: 0,
            trail: Vec::new(),
            detail_hidden: false,
        }
    }
}

impl std::fmt::Debug for MetiersState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetiersState")
            .field("query", &self.query.text)
            .field("branch", &self.branch)
            .field("selected", &self.selected)
            .field("pane", &self.pane)
            .finish()
    }
}

/// The shipped catalogue, parsed once per process and shared with
/// [`Catalog::builtin_shared`]. The assets are embedded and checked by unit
/// tests, and `cli` verifies them before the TUI starts, so a failure here
/// is a build defect.
pub fn builtin_catalog() -> Arc<Catalog> {
    Catalog::builtin_arc().expect("embedded catalogue assets are valid (tested)")
}

/// Re-runs the search after the query, the branch or the catalogue changed.
pub fn refresh(app: &mut App) {
    if app.catalog_loading {
        // Searched when the catalogue in force arrives (`set_catalog`).
        return;
    }
    let m = &mut app.metiers;
    m.searcher
        .update(&app.catalog, &m.query.text, m.branch.as_deref());
    m.selected = 0;
    m.related_selected = 0;
}

/// Index (into the catalogue) of the selected appellation.
pub fn selected_appellation(app: &App) -> Option<usize> {
    app.metiers
        .searcher
        .hits()
        .get(app.metiers.selected)
        .map(|h| h.idx)
}

/// ROME code of the fiche shown in the detail pane.
pub fn selected_fiche(app: &App) -> Option<String> {
    selected_appellation(app)
        .and_then(|i| app.catalog.appellation(i))
        .map(|a| a.rome.clone())
}

fn move_selection(app: &mut App, delta: isize) {
    let m = &mut app.metiers;
    match m.pane {
        Pane::Results => {
            let n = m.searcher.hits().len();
            if n == 0 {
                return;
            }
            let cur = m.selected as isize + delta;
            m.selected = cur.clamp(0, n as isize - 1) as usize;
            m.related_selected = 0;
        }
        Pane::Detail => {
            let n = selected_fiche(app)
                .map(|c| related(&app.catalog, &c).len())
                .unwrap_or(0);
            let m = &mut app.metiers;
            if n == 0 {
                return;
            }
            let cur = m.related_selected as isize + delta;
            m.related_selected = cur.clamp(0, n as isize - 1) as usize;
        }
    }
}

fn next_branch(app: &App) -> Option<String> {
    let list = &app.catalog.branches().list;
    match &app.metiers.branch {
        None => list.first().map(|b| b.short.clone()),
        Some(cur) => {
            let pos = list.iter().position(|b| &b.short == cur)?;
            list.get(pos + 1).map(|b| b.short.clone())
        }
    }
}

/// Opens a related métier: its fiche's appellations become the results.
fn open_related(app: &mut App) {
    let Some(code) = selected_fiche(app) else {
        return;
    };
    let rel = related(&app.catalog, &code);
    let Some(r) = rel.get(app.metiers.related_selected) else {
        return;
    };
    let target = r.code.clone();
    let label = r.label.clone();
    let m = &mut app.metiers;
    m.trail.push(m.query.text.clone());
    m.query.set(&target);
    m.pane = Pane::Detail;
    refresh(app);
    app.set_status(
        StatusLevel::Info,
        format!("Fiche {target} {label} — Échap pour revenir"),
    );
}

/// Handles an action on the Métiers screen; None when not handled here.
fn update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    match action {
        Action::Text(key) => {
            if app.metiers.query.handle(key) {
                app.metiers.trail.clear();
                refresh(app);
            }
        }
        Action::Paste(text) if app.metiers.search_focused => {
            super::paste::paste_line(&mut app.metiers.query, text);
            app.metiers.trail.clear();
            refresh(app);
        }
        Action::Back => {
            if !back(app) {
                return None;
            }
        }
        Action::Search => {
            // The previous query is selected: typing replaces it, ← or →
            // keeps it for editing.
            app.metiers.search_focused = true;
            app.metiers.query.select_all();
            app.metiers.pane = Pane::Results;
        }
        Action::Up => move_selection(app, -1),
        Action::Down => move_selection(app, 1),
        Action::PageUp => move_selection(app, -10),
        Action::PageDown => move_selection(app, 10),
        Action::Home => move_selection(app, -(isize::MAX / 2)),
        Action::End => move_selection(app, isize::MAX / 2),
        Action::Open => {
            let m = &mut app.metiers;
            if m.search_focused {
                m.search_focused = false;
                m.pane = Pane::Results;
            } else if m.pane == Pane::Results {
                if selected_appellation(app).is_some() {
                    app.metiers.detail_hidden = false;
                    app.metiers.pane = Pane::Detail;
                    app.metiers.related_selected = 0;
                }
            } else {
                open_related(app);
            }
        }
        Action::FocusDetail if !app.metiers.search_focused => {
            if selected_appellation(app).is_some() {
                app.metiers.detail_hidden = false;
                app.metiers.pane = Pane::Detail;
            }
        }
        Action::ToggleDetail => {
            let m = &mut app.metiers;
            m.detail_hidden = !m.detail_hidden;
            m.pane = Pane::Results;
        }
        Action::CycleBranch => {
            app.metiers.branch = next_branch(app);
            refresh(app);
        }
        Action::ClearBranch => {
            app.metiers.branch = None;
            refresh(app);
        }
        Action::MarkTarget => return Some(mark_target(app)),
        _ => return None,
    }
    Some(Vec::new())
}

/// `c`: adds the selected appellation to the open file's target métiers
/// (its plan, created on first need), as an undoable change (journal note
/// without personal data).
fn mark_target(app: &mut App) -> Vec<Effect> {
    let Some(idx) = selected_appellation(app) else {
        app.set_status(StatusLevel::Error, "Aucun métier choisi.");
        return Vec::new();
    };
    let Some(target) = app.catalog.target(idx) else {
        return Vec::new();
    };
    super::parcours::add_target(
        app,
        crate::domain::PlanTarget::from(target),
        Screen::Metiers,
    )
}

/// `Échap` on this screen: true when consumed.
pub fn back(app: &mut App) -> bool {
    let m = &mut app.metiers;
    if m.search_focused {
        if m.query.is_empty() {
            m.search_focused = false;
        } else {
            m.query.clear();
            m.trail.clear();
            refresh(app);
        }
        return true;
    }
    if let Some(prev) = m.trail.pop() {
        m.query.set(&prev);
        refresh(app);
        return true;
    }
    if m.pane == Pane::Detail {
        m.pane = Pane::Results;
        return true;
    }
    if !m.query.is_empty() || m.branch.is_some() {
        m.query.clear();
        m.branch = None;
        refresh(app);
        return true;
    }
    false
}

/// Replaces the catalogue (e.g. with an imported referential) and re-searches.
pub fn set_catalog(app: &mut App, catalog: Arc<Catalog>) {
    app.catalog = catalog;
    app.metiers.searcher.reset();
    refresh(app);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{OpenBeneficiary, Screen};
    use crate::domain::Id;
    use crate::store::AnyRecord;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

    fn app() -> App {
        let mut a = App::for_tests();
        a.update(Action::GoTo(Screen::Metiers));
        a
    }

    fn press(a: &mut App, code: KeyCode) -> Vec<Effect> {
        if a.too_small() {
            a.update(Action::Resize(100, 30));
        }
        let k = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
        match a.key_to_action(k) {
            Some(act) => a.update(act),
            None => Vec::new(),
        }
    }

    fn type_str(a: &mut App, s: &str) {
        for c in s.chars() {
            press(a, KeyCode::Char(c));
        }
    }

    #[test]
    fn empty_query_lists_alphabetically() {
        let a = app();
        let hits = a.metiers.searcher.hits();
        assert!(hits.len() > 100);
        let labels: Vec<String> = hits
            .iter()
            .take(20)
            .map(|h| crate::catalog::fold::fold(&a.catalog.appellation(h.idx).unwrap().label))
            .collect();
        let mut sorted = labels.clone();
        sorted.sort();
        assert_eq!(labels, sorted);
    }

    #[test]
    fn typing_in_the_search_box_never_triggers_commands() {
        let mut a = app();
        press(&mut a, KeyCode::Char('/'));
        assert!(a.metiers.search_focused);
        type_str(&mut a, "q2b");
        assert_eq!(a.metiers.query.text, "q2b");
        assert_eq!(a.screen, Screen::Metiers);
        assert!(!a.should_quit);
        assert_eq!(a.metiers.branch, None);
    }

    #[test]
    fn search_filters_as_you_type_and_escape_clears() {
        let mut a = app();
        press(&mut a, KeyCode::Char('/'));
        type_str(&mut a, "educateur jeunes enfants");
        let code = selected_fiche(&a).unwrap();
        assert_eq!(code, "K1202");
        press(&mut a, KeyCode::Esc);
        assert!(a.metiers.query.is_empty());
        assert!(a.metiers.search_focused);
        press(&mut a, KeyCode::Esc);
        assert!(!a.metiers.search_focused);
    }

    #[test]
    fn branch_filter_cycles_and_restricts_results() {
        let mut a = app();
        press(&mut a, KeyCode::Char('b'));
        let first = a.catalog.branches().list[0].short.clone();
        assert_eq!(a.metiers.branch.as_deref(), Some(first.as_str()));
        for h in a.metiers.searcher.hits() {
            let ap = a.catalog.appellation(h.idx).unwrap();
            assert!(ap.branches.contains(&first), "{}", ap.label);
        }
        press(&mut a, KeyCode::Char('B'));
        assert_eq!(a.metiers.branch, None);
        // Cycling through every branch comes back to "toutes".
        let n = a.catalog.branches().list.len();
        for _ in 0..=n {
            press(&mut a, KeyCode::Char('b'));
        }
        assert_eq!(a.metiers.branch, None);
    }

    #[test]
    fn related_metiers_can_be_opened_and_escape_returns() {
        let mut a = app();
        press(&mut a, KeyCode::Char('/'));
        type_str(&mut a, "auxiliaire de vie sociale");
        press(&mut a, KeyCode::Enter); // leave the search box
        assert_eq!(selected_fiche(&a).as_deref(), Some("K1302"));
        press(&mut a, KeyCode::Enter); // focus the detail pane
        assert_eq!(a.metiers.pane, Pane::Detail);
        let rel = related(&a.catalog, "K1302");
        assert!(
            rel.iter()
                .any(|r| matches!(r.relation, Relation::PasserelleTo(_)) && r.code == "J1501"),
            "auxiliaire de vie → aide-soignant is a curated passerelle"
        );
        let pos = rel.iter().position(|r| r.code == "J1501").unwrap();
        for _ in 0..pos {
            press(&mut a, KeyCode::Down);
        }
        press(&mut a, KeyCode::Enter); // open it
        assert_eq!(selected_fiche(&a).as_deref(), Some("J1501"));
        press(&mut a, KeyCode::Esc);
        assert_eq!(a.metiers.query.text, "auxiliaire de vie sociale");
        assert_eq!(selected_fiche(&a).as_deref(), Some("K1302"));
    }

    #[test]
    fn marking_a_target_needs_an_open_file() {
        let mut a = app();
        assert!(press(&mut a, KeyCode::Char('c')).is_empty());
        assert!(a
            .visible_status()
            .unwrap()
            .text
            .contains("Aucun dossier ouvert"));
        let id = Id::new_v7(1_700_000_000_000, [3; 10]);
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let file =
            crate::domain::Beneficiary::new(id, "Dupont", "Léa", crate::domain::Meta::new(t, "x"));
        a.effect_done(Outcome::BeneficiariesLoaded {
            beneficiaries: vec![file.clone()].into(),
            damaged: Vec::new(),
            recent: Vec::new(),
        });
        a.open_beneficiary = Some(OpenBeneficiary {
            id,
            display_name: "DUPONT Léa".into(),
        });
        // The plan is not loaded yet: it is asked for, nothing is written.
        let fx = press(&mut a, KeyCode::Char('c'));
        assert_eq!(fx, vec![Effect::LoadPlan(id)]);
        assert!(a.visible_status().unwrap().text.contains("chargement"));
        a.effect_done(Outcome::PlanLoaded {
            beneficiary: id,
            plan: None,
        });
        let fx = press(&mut a, KeyCode::Char('c'));
        let idx = selected_appellation(&a).unwrap();
        let target = a.catalog.target(idx).unwrap();
        let Some(Effect::Apply {
            change,
            direction: Direction::Do,
            owner: Screen::Metiers,
        }) = fx.first()
        else {
            panic!("{fx:?}");
        };
        let note = format!("ajout du métier cible {} ({})", target.label, target.rome);
        assert_eq!(change.note, note);
        assert!(!change.note.contains("Dupont") && !change.note.contains("DUPONT"));
        // The first target creates the file's plan, begun today.
        let [(None, Some(AnyRecord::Plan(plan)))] = change.records.as_slice() else {
            panic!("{:?}", change.records);
        };
        assert_eq!(plan.beneficiary, id);
        assert_eq!(plan.started_on, a.now.date());
        assert_eq!(plan.targets, vec![crate::domain::PlanTarget::from(target)]);
        // Once saved, the same appellation is not added twice.
        a.effect_done(Outcome::Applied {
            change: change.clone(),
            direction: Direction::Do,
            owner: Screen::Metiers,
        });
        assert!(a
            .visible_status()
            .unwrap()
            .text
            .starts_with("Ajout du métier cible"));
        assert!(press(&mut a, KeyCode::Char('c')).is_empty());
        assert!(a.visible_status().unwrap().text.contains("déjà une cible"));
    }

    #[test]
    fn the_detail_pane_can_be_hidden_and_comes_back_on_open() {
        let mut a = app();
        press(&mut a, KeyCode::Char('v'));
        assert!(a.metiers.detail_hidden);
        press(&mut a, KeyCode::Enter);
        assert!(!a.metiers.detail_hidden);
        assert_eq!(a.metiers.pane, Pane::Detail);
    }

    #[test]
    fn slash_selects_the_previous_query_so_typing_replaces_it() {
        let mut a = app();
        press(&mut a, KeyCode::Char('/'));
        type_str(&mut a, "educ jeun");
        press(&mut a, KeyCode::Enter);
        assert!(!a.metiers.search_focused);
        press(&mut a, KeyCode::Char('/'));
        assert!(a.metiers.query.selected);
        type_str(&mut a, "tisf");
        assert_eq!(a.metiers.query.text, "tisf");
        assert_eq!(selected_fiche(&a).as_deref(), Some("K1305"));
        // ← keeps the query for editing.
        press(&mut a, KeyCode::Enter);
        press(&mut a, KeyCode::Char('/'));
        press(&mut a, KeyCode::Left);
        type_str(&mut a, "x");
        assert_eq!(a.metiers.query.text, "tisxf");
    }

    #[test]
    fn one_character_query_gives_results() {
        let mut a = app();
        press(&mut a, KeyCode::Char('/'));
        type_str(&mut a, "a");
        assert!(!a.metiers.searcher.hits().is_empty());
        type_str(&mut a, "zzzzqx");
        assert!(a.metiers.searcher.hits().is_empty());
    }
}
