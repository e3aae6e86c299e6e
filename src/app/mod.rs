//! Application state and the `update` function: one-way data flow.
//!
//! `event → keymap → Action → update(&mut App, Action) → Vec<Effect>`; the
//! runtime runs effects against the store and reports back through
//! [`App::effect_done`]. `ui::draw` only reads this state.

pub mod accueil;
pub mod action;
pub mod beneficiaires;
pub mod form;
pub mod keymap;
pub mod metiers;
pub mod palette;
pub mod runtime;
pub mod text;
pub mod tui;
pub mod undo;

pub use action::{Action, Effect, Outcome, Screen};
pub use keymap::{KeySpec, Keymap};

use crate::domain::Id;
use chrono::NaiveDateTime;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// How long a status message stays visible, in seconds.
pub const STATUS_SECONDS: i64 = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusLevel {
    Info,
    Success,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub level: StatusLevel,
    pub at: NaiveDateTime,
}

/// Popups sit on a stack and get keys before the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Modal {
    /// Help for a screen, with a scroll offset.
    Help { screen: Screen, scroll: usize },
    /// Privacy curtain: hides everything until a key is pressed.
    Privacy,
    /// A yes/no question before a destructive action.
    Confirm(Confirm),
    /// The command palette.
    Palette(palette::Palette),
}

/// What a confirm dialog asks, and what "oui" does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    pub on_yes: ConfirmAction,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfirmAction {
    /// Leave a changed form without saving.
    DiscardForm,
    /// Erase a beneficiary's file and everything linked to it.
    EraseBeneficiary(Id),
}

/// The beneficiary whose file is open (shown in the header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenBeneficiary {
    pub id: Id,
    pub display_name: String,
}

pub struct App {
    pub screen: Screen,
    /// Screens visited, for `Échap`.
    pub history: Vec<Screen>,
    pub modals: Vec<Modal>,
    pub keymap: Keymap,
    /// Local wall-clock time, refreshed by `Tick` (injected in tests).
    pub now: NaiveDateTime,
    pub status: Option<StatusMessage>,
    pub open_beneficiary: Option<OpenBeneficiary>,
    /// Terminal size in cells.
    pub size: (u16, u16),
    pub should_quit: bool,
    /// Where the data lives, shown on the Accueil screen.
    pub data_dir: String,
    pub metiers: metiers::MetiersState,
    /// Cursor over the files listed on the Accueil screen.
    pub accueil_selected: usize,
    /// The métier catalogue (shipped, or rebuilt from an imported referential).
    pub catalog: std::sync::Arc<crate::catalog::Catalog>,
    pub benef: beneficiaires::BeneficiairesState,
}

impl App {
    pub fn new(keymap: Keymap, now: NaiveDateTime) -> App {
        let mut app = App {
            screen: Screen::Accueil,
            history: Vec::new(),
            modals: Vec::new(),
            keymap,
            now,
            status: None,
            open_beneficiary: None,
            size: (80, 24),
            should_quit: false,
            data_dir: String::new(),
            metiers: Default::default(),
            accueil_selected: 0,
            catalog: metiers::builtin_catalog(),
            benef: Default::default(),
        };
        metiers::refresh(&mut app);
        app
    }

    pub fn set_status(&mut self, level: StatusLevel, text: impl Into<String>) {
        self.status = Some(StatusMessage {
            text: text.into(),
            level,
            at: self.now,
        });
    }

    /// The status message if it has not faded yet.
    pub fn visible_status(&self) -> Option<&StatusMessage> {
        self.status
            .as_ref()
            .filter(|s| (self.now - s.at).num_seconds() < STATUS_SECONDS)
    }

    /// Whether a text box has the focus (then typed characters are text).
    pub fn text_focused(&self) -> bool {
        match self.screen {
            Screen::Metiers => self.metiers.search_focused,
            Screen::Beneficiaires => self.benef.text_focused(),
            _ => false,
        }
    }

    /// Turns a key into an action, according to what has the focus.
    pub fn key_to_action(&self, key: KeyEvent) -> Option<Action> {
        if let Some(top) = self.modals.last() {
            return match top {
                Modal::Privacy => Some(Action::Back),
                Modal::Confirm(_) => match key.code {
                    KeyCode::Char('o' | 'O' | 'y' | 'Y') | KeyCode::Enter => {
                        Some(Action::Confirm(true))
                    }
                    KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::Confirm(false)),
                    _ => None,
                },
                Modal::Palette(_) => match key.code {
                    KeyCode::Esc => Some(Action::Back),
                    KeyCode::Enter => Some(Action::Open),
                    KeyCode::Up => Some(Action::Up),
                    KeyCode::Down => Some(Action::Down),
                    KeyCode::Char(_)
                    | KeyCode::Backspace
                    | KeyCode::Delete
                    | KeyCode::Left
                    | KeyCode::Right
                        if !key
                            .modifiers
                            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                    {
                        Some(Action::Text(key))
                    }
                    _ => None,
                },
                Modal::Help { .. } => {
                    let spec = KeySpec::from_event(&key)?;
                    match self.keymap.lookup(self.screen, &spec) {
                        Some(
                            a @ (Action::Up
                            | Action::Down
                            | Action::PageUp
                            | Action::PageDown
                            | Action::Home
                            | Action::End),
                        ) => Some(a),
                        Some(Action::Quit | Action::Help | Action::Back) => Some(Action::Back),
                        _ => None,
                    }
                }
            };
        }
        if self.screen == Screen::Beneficiaires && self.benef.form_open() {
            return beneficiaires::form_key_to_action(self, key);
        }
        let spec = KeySpec::from_event(&key)?;
        if self.text_focused() {
            let is_plain_char = matches!(key.code, KeyCode::Char(_))
                && !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
            let is_edit = matches!(
                key.code,
                KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right
            );
            if is_plain_char || is_edit {
                return Some(Action::Text(key));
            }
        }
        self.keymap.lookup(self.screen, &spec)
    }

    fn go_to(&mut self, screen: Screen) {
        if screen != self.screen {
            self.history.push(self.screen);
            if self.history.len() > 32 {
                self.history.remove(0);
            }
            self.screen = screen;
        }
    }

    /// An app at the fixed test instant (Saturday 28 November 2026, 9:30),
    /// with the default keys.
    #[cfg(test)]
    pub fn for_tests() -> App {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .unwrap_or_default();
        App::new(Keymap::default(), now)
    }

    /// Applies what the runtime reports after running effects.
    pub fn effect_done(&mut self, outcome: Outcome) {
        beneficiaires::on_outcome(self, &outcome);
    }

    /// Applies an action; returns the side effects to run.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        // Modals first.
        if let Some(top) = self.modals.last_mut() {
            match (top, action) {
                (_, Action::Tick | Action::Resize(..)) => {}
                (Modal::Privacy, _) | (Modal::Help { .. }, Action::Back) => {
                    self.modals.pop();
                    return Vec::new();
                }
                (Modal::Confirm(_), Action::Confirm(yes)) => {
                    let Some(Modal::Confirm(c)) = self.modals.pop() else {
                        return Vec::new();
                    };
                    return if yes {
                        beneficiaires::confirmed(self, c.on_yes)
                    } else {
                        Vec::new()
                    };
                }
                (Modal::Confirm(_), _) => return Vec::new(),
                (Modal::Palette(_), Action::Back) => {
                    self.modals.pop();
                    return Vec::new();
                }
                (Modal::Palette(p), Action::Text(k)) => {
                    if p.query.handle(&k) {
                        p.selected = 0;
                    }
                    return Vec::new();
                }
                (Modal::Palette(p), Action::Up) => {
                    p.selected = p.selected.saturating_sub(1);
                    return Vec::new();
                }
                (Modal::Palette(p), Action::Down) => {
                    p.selected += 1;
                    return Vec::new();
                }
                (Modal::Palette(p), Action::Open) => {
                    let (query, selected) = (p.query.text.clone(), p.selected);
                    self.modals.pop();
                    let found = palette::entries(self, self.screen, &query);
                    return match found.get(selected.min(found.len().saturating_sub(1))) {
                        Some(e) => self.update(e.action),
                        None => Vec::new(),
                    };
                }
                (Modal::Palette(_), _) => return Vec::new(),
                (Modal::Help { scroll, .. }, a) => {
                    match a {
                        Action::Up => *scroll = scroll.saturating_sub(1),
                        Action::Down => *scroll += 1,
                        Action::PageUp => *scroll = scroll.saturating_sub(10),
                        Action::PageDown => *scroll += 10,
                        Action::Home => *scroll = 0,
                        Action::End => *scroll = usize::MAX / 2,
                        _ => {}
                    }
                    return Vec::new();
                }
            }
        }
        // The focused screen gets the first say.
        let handled = match self.screen {
            Screen::Accueil => accueil::update(self, action),
            Screen::Metiers => metiers::update(self, action),
            Screen::Beneficiaires => beneficiaires::update(self, action),
            _ => None,
        };
        if let Some(effects) = handled {
            return effects;
        }
        match action {
            Action::Quit => self.should_quit = true,
            Action::NextScreen => self.go_to(self.screen.next()),
            Action::PrevScreen => self.go_to(self.screen.prev()),
            Action::GoTo(s) | Action::ClickTab(s) => self.go_to(s),
            Action::Help => self.modals.push(Modal::Help {
                screen: self.screen,
                scroll: 0,
            }),
            Action::Privacy => self.modals.push(Modal::Privacy),
            Action::Palette => self.modals.push(Modal::Palette(Default::default())),
            Action::Undo => return beneficiaires::undo_redo(self, undo::Direction::Undo),
            Action::Redo => return beneficiaires::undo_redo(self, undo::Direction::Redo),
            Action::Back => {
                let consumed = match self.screen {
                    Screen::Metiers => metiers::back(self),
                    Screen::Beneficiaires => beneficiaires::back(self),
                    _ => false,
                };
                if consumed {
                    return Vec::new();
                }
                if let Some(prev) = self.history.pop() {
                    self.screen = prev;
                }
            }
            Action::Tick => {}
            Action::Resize(w, h) => self.size = (w, h),
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn app() -> App {
        App::for_tests()
    }

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(c, KeyModifiers::NONE, KeyEventKind::Press)
    }

    #[test]
    fn tab_cycles_screens_and_escape_goes_back() {
        let mut a = app();
        a.update(Action::NextScreen);
        assert_eq!(a.screen, Screen::Beneficiaires);
        a.update(Action::GoTo(Screen::Agenda));
        a.update(Action::NextScreen);
        assert_eq!(a.screen, Screen::Accueil);
        a.update(Action::PrevScreen);
        assert_eq!(a.screen, Screen::Agenda);
        a.update(Action::Back);
        assert_eq!(a.screen, Screen::Accueil);
        a.update(Action::Back);
        assert_eq!(a.screen, Screen::Agenda);
        assert!(!a.should_quit, "Échap never quits");
    }

    #[test]
    fn help_modal_takes_keys_before_the_screen() {
        let mut a = app();
        let act = a.key_to_action(key(KeyCode::Char('?'))).unwrap();
        a.update(act);
        assert!(matches!(a.modals.last(), Some(Modal::Help { .. })));
        // '2' would switch screens, but the modal swallows it.
        assert_eq!(a.key_to_action(key(KeyCode::Char('2'))), None);
        let down = a.key_to_action(key(KeyCode::Down)).unwrap();
        a.update(down);
        assert!(matches!(
            a.modals.last(),
            Some(Modal::Help { scroll: 1, .. })
        ));
        // q closes help instead of quitting.
        let q = a.key_to_action(key(KeyCode::Char('q'))).unwrap();
        a.update(q);
        assert!(a.modals.is_empty());
        assert!(!a.should_quit);
        let q = a.key_to_action(key(KeyCode::Char('q'))).unwrap();
        a.update(q);
        assert!(a.should_quit);
    }

    #[test]
    fn status_messages_fade() {
        let mut a = app();
        a.set_status(StatusLevel::Success, "Dossier enregistré");
        assert!(a.visible_status().is_some());
        a.now += chrono::Duration::seconds(STATUS_SECONDS + 1);
        assert!(a.visible_status().is_none());
    }

    #[test]
    fn privacy_curtain_hides_until_any_key() {
        let mut a = app();
        a.update(Action::Privacy);
        let act = a.key_to_action(key(KeyCode::Char('x'))).unwrap();
        a.update(act);
        assert!(a.modals.is_empty());
    }
}
