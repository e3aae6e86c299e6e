//! The common shape of every screen: how it receives actions, the runtime's
//! outcomes and the answers of the confirm dialogs it opened, and what has
//! the keyboard focus. A screen's state is its own struct, owned by
//! [`App`]; its logic is a [`ScreenLogic`] listed in [`logic`]. A new screen
//! adds its state to `App`, implements the trait and one line in
//! [`logic`]: `App::update` and `App::effect_done` need no change.

use super::{Action, App, Effect, Outcome, Reply, Screen};

/// What the keyboard types into, which decides how a key is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// Keys are commands (the screen's bindings, then the global ones).
    Keys,
    /// A one-line search box: plain characters are text.
    TextBox,
    /// A form field of this kind.
    Form(FieldKind),
}

/// The kind of the focused form field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Several lines: `Entrée`, `↑`, `↓` edit the text.
    Area,
    /// A choice among options: no text, plain keys may change the choice.
    Choice,
}

/// A screen's behaviour. The state lives in `App` (e.g. `app.benef`), so
/// the methods take the whole app: screens read shared data (the open
/// file, the catalogue) and the shell's services (status, modals).
pub trait ScreenLogic: Sync {
    /// Handles an action while the screen is shown; `None` when it is not
    /// the screen's (then the shell's global meaning applies).
    fn update(&self, app: &mut App, action: &Action) -> Option<Vec<Effect>>;

    /// Reacts to what the runtime reports. Every screen hears every
    /// outcome (a file saved from Métiers also changes the Bénéficiaires
    /// list); `owner` in [`Outcome::Applied`] says which screen asked.
    fn on_outcome(&self, _app: &mut App, _outcome: &Outcome) -> Vec<Effect> {
        Vec::new()
    }

    /// The screen was just shown (switched to): what to load for it.
    fn on_show(&self, _app: &mut App) -> Vec<Effect> {
        Vec::new()
    }

    /// A confirm dialog this screen opened was answered with `reply`.
    fn confirmed(&self, _app: &mut App, _reply: Reply) -> Vec<Effect> {
        Vec::new()
    }

    /// What has the keyboard focus on this screen.
    fn focus(&self, _app: &App) -> Focus {
        Focus::Keys
    }

    /// Work typed on this screen and not saved (a changed form): quitting
    /// asks first.
    fn unsaved(&self, _app: &App) -> bool {
        false
    }

    /// Why undo / redo must wait (an open form: they could change the
    /// record it edits), in French; None when they may run.
    fn blocks_undo(&self, _app: &App) -> Option<String> {
        None
    }
}

/// The logic of each screen.
pub fn logic(screen: Screen) -> &'static dyn ScreenLogic {
    match screen {
        Screen::Accueil => &super::accueil::Logic,
        Screen::Beneficiaires => &super::beneficiaires::Logic,
        Screen::Metiers => &super::metiers::Logic,
        Screen::Parcours => &super::parcours::Logic,
        Screen::Agenda => &super::agenda::Logic,
    }
}
