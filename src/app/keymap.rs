//! Key bindings as data: each bindable action has a kebab-case name usable in
//! the `[touches]` section of the config, a French description, the context
//! where it applies, and default keys. The help overlay, the bottom bar, the
//! command palette and the README's key tables are generated from this one
//! table; every key that does something goes through it (forms and confirm
//! dialogs included). Typing in a text box is not a binding: there a plain
//! character is always text.

use super::action::{Action, Screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

/// Where a binding applies.
///
/// On a screen, the screen's bindings and the global ones are active
/// together (the screen's win). A form, a confirm dialog and the palette
/// each have their own bindings; inside a form the global keys that are not
/// text (function keys, Ctrl- and Alt- keys) still work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Screen(Screen),
    /// An open form (file, interview…).
    Form,
    /// A yes / no question.
    Confirm,
    /// The command palette.
    Palette,
    /// The lock screen (and the first start's passphrase screen): typed
    /// characters are the passphrase.
    Lock,
}

impl Context {
    /// French name, for the help overlay, the README and error messages.
    pub fn title(self) -> String {
        match self {
            Context::Global => "Partout".into(),
            Context::Screen(s) => format!("Écran {}", s.title()),
            Context::Form => "Dans un formulaire".into(),
            Context::Confirm => "Dans une question de confirmation".into(),
            Context::Palette => "Dans la palette de commandes".into(),
            Context::Lock => "Sur l'écran de verrouillage".into(),
        }
    }

    /// Whether the two contexts are active at the same time (a key bound
    /// twice in them is a conflict).
    pub fn overlaps(self, other: Context) -> bool {
        match (self, other) {
            (a, b) if a == b => true,
            (Context::Global, Context::Screen(_)) | (Context::Screen(_), Context::Global) => true,
            _ => false,
        }
    }

    /// Contexts where a plain character is typed text, never a command.
    pub fn types_text(self) -> bool {
        matches!(self, Context::Form | Context::Palette | Context::Lock)
    }
}

/// A key with its modifiers (only Ctrl and Alt matter; Shift is in the char).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeySpec {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` subset that we bind, with a total order for stable help listings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
}

impl KeySpec {
    pub const fn plain(code: KeyCodeOrd) -> KeySpec {
        KeySpec {
            code,
            ctrl: false,
            alt: false,
        }
    }
    pub const fn ch(c: char) -> KeySpec {
        KeySpec::plain(KeyCodeOrd::Char(c))
    }
    pub const fn ctrl(c: char) -> KeySpec {
        KeySpec {
            code: KeyCodeOrd::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// A plain character (no Ctrl, no Alt): text in a text box.
    pub fn is_plain_char(&self) -> bool {
        matches!(self.code, KeyCodeOrd::Char(_)) && !self.ctrl && !self.alt
    }

    /// Normalises a terminal key event; None for keys we never bind.
    pub fn from_event(k: &KeyEvent) -> Option<KeySpec> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        let code = match k.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab if k.modifiers.contains(KeyModifiers::SHIFT) => KeyCodeOrd::BackTab,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            _ => return None,
        };
        Some(KeySpec { code, ctrl, alt })
    }

    /// Parses the config syntax: `q`, `?`, `F1`, `Ctrl-S`, `Alt-x`, `Entrée`/`Enter`,
    /// `Échap`/`Esc`, `Tab`, `Maj-Tab`/`Shift-Tab`, `Haut`/`Up`, `PgPréc`/`PageUp`, `Espace`…
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s.trim();
        if rest.is_empty() {
            return Err("touche vide".into());
        }
        loop {
            let lower = rest.to_lowercase();
            if rest.chars().count() > 2
                && (lower.starts_with("ctrl-") || lower.starts_with("ctrl+"))
            {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 2
                && (lower.starts_with("alt-") || lower.starts_with("alt+"))
            {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let lower = rest.to_lowercase();
        let code = match lower.as_str() {
            "entrée" | "entree" | "enter" => KeyCodeOrd::Enter,
            "échap" | "echap" | "esc" | "escape" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "maj-tab" | "shift-tab" | "backtab" => KeyCodeOrd::BackTab,
            "haut" | "up" => KeyCodeOrd::Up,
            "bas" | "down" => KeyCodeOrd::Down,
            "gauche" | "left" => KeyCodeOrd::Left,
            "droite" | "right" => KeyCodeOrd::Right,
            "pgpréc" | "pgprec" | "pageup" => KeyCodeOrd::PageUp,
            "pgsuiv" | "pagedown" => KeyCodeOrd::PageDown,
            "début" | "debut" | "home" => KeyCodeOrd::Home,
            "fin" | "end" => KeyCodeOrd::End,
            "retour-arrière" | "backspace" => KeyCodeOrd::Backspace,
            "suppr" | "delete" => KeyCodeOrd::Delete,
            "espace" | "space" => KeyCodeOrd::Char(' '),
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c })
                    }
                    _ => match lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                        Some(n) if (1..=12).contains(&n) => KeyCodeOrd::F(n),
                        _ => return Err(format!("touche inconnue : « {s} »")),
                    },
                }
            }
        };
        Ok(KeySpec { code, ctrl, alt })
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            write!(f, "Ctrl-")?;
        }
        if self.alt {
            write!(f, "Alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => write!(f, "Espace"),
            KeyCodeOrd::Char(c) if self.ctrl => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Enter => write!(f, "Entrée"),
            KeyCodeOrd::Esc => write!(f, "Échap"),
            KeyCodeOrd::Tab => write!(f, "Tab"),
            KeyCodeOrd::BackTab => write!(f, "Maj-Tab"),
            KeyCodeOrd::Up => write!(f, "↑"),
            KeyCodeOrd::Down => write!(f, "↓"),
            KeyCodeOrd::Left => write!(f, "←"),
            KeyCodeOrd::Right => write!(f, "→"),
            KeyCodeOrd::PageUp => write!(f, "PgPréc"),
            KeyCodeOrd::PageDown => write!(f, "PgSuiv"),
            KeyCodeOrd::Home => write!(f, "Début"),
            KeyCodeOrd::End => write!(f, "Fin"),
            KeyCodeOrd::Backspace => write!(f, "Retour arrière"),
            KeyCodeOrd::Delete => write!(f, "Suppr"),
        }
    }
}

/// One row of the binding table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    pub context: Context,
    pub keys: Vec<KeySpec>,
    /// Shown in the bottom bar of its context (the most useful keys).
    pub hint: bool,
}

impl Binding {
    /// The keys as shown to the user: `? F1`.
    pub fn keys_label(&self) -> String {
        self.keys
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The French description of the action in its context.
    pub fn label(&self) -> &'static str {
        label_in(&self.action, self.context)
    }

    /// The short word of the bottom bar, in its context.
    pub fn short_label(&self) -> &'static str {
        match (self.context, &self.action) {
            (Context::Form, Action::Back) => "quitter le formulaire",
            (Context::Form, Action::NextField) => "champ suivant",
            (Context::Form, Action::PageDown) => "section",
            (Context::Form, Action::PageUp) => "section précédente",
            (Context::Palette, Action::Open) => "lancer",
            (Context::Lock, Action::Open) => "valider",
            (Context::Lock, Action::NextField) => "champ suivant",
            (Context::Lock, Action::Back) => "effacer",
            (Context::Screen(Screen::Beneficiaires), Action::Open) => "ouvrir",
            (Context::Screen(Screen::Accueil), Action::Open) => "ouvrir",
            (Context::Screen(Screen::Parcours), Action::New) => "étape",
            (Context::Screen(Screen::Agenda), Action::Open) => "ouvrir",
            (Context::Screen(Screen::Agenda), Action::New) => "nouvelle séance",
            _ => self.action.short_label(),
        }
    }
}

/// The description of an action where it is bound: the same action may
/// mean something more precise in a form or the palette.
pub fn label_in(action: &Action, context: Context) -> &'static str {
    match (context, action) {
        (Context::Form, Action::Back) => "quitter le formulaire (demande si modifié)",
        (Context::Form, Action::NextField) => {
            "champ suivant (Entrée va à la ligne dans un texte long)"
        }
        (Context::Form, Action::PrevField) => "champ précédent",
        (Context::Form, Action::PageDown) => "section suivante du formulaire",
        (Context::Form, Action::PageUp) => "section précédente du formulaire",
        (Context::Palette, Action::Open) => "lancer la commande choisie",
        (Context::Lock, Action::Open) => "valider la phrase secrète (déverrouiller)",
        (Context::Lock, Action::NextField) => {
            "champ suivant (première ouverture : la phrase, puis sa confirmation)"
        }
        (Context::Lock, Action::PrevField) => "champ précédent (première ouverture)",
        (Context::Lock, Action::Back) => "effacer la saisie",
        (Context::Screen(Screen::Beneficiaires), Action::Open) => {
            "ouvrir le dossier, l'entretien choisi"
        }
        (Context::Screen(Screen::Accueil), Action::Open) => "ouvrir le dossier choisi",
        (Context::Screen(Screen::Parcours), Action::New) => "nouvelle étape",
        (Context::Screen(Screen::Parcours), Action::Open) => {
            "modifier l'étape, la note de la cible ; ajouter la suggestion choisie"
        }
        (Context::Screen(Screen::Parcours), Action::Edit) => {
            "modifier l'étape ou la note de la cible choisie"
        }
        (Context::Screen(Screen::Parcours), Action::Delete) => {
            "supprimer l'étape (confirmation) ou retirer la cible choisie"
        }
        (Context::Screen(Screen::Parcours), Action::MarkTarget) => {
            "ajouter la suggestion choisie ; sinon chercher un métier à ajouter"
        }
        (Context::Screen(Screen::Parcours), Action::ToggleDetail) => {
            "afficher / masquer le détail de l'éligibilité"
        }
        (Context::Screen(Screen::Agenda), Action::Open) => {
            "ouvrir le dossier de l'élément choisi (une séance : ses inscrits)"
        }
        (Context::Screen(Screen::Agenda), Action::New) => "nouvelle séance d'information",
        (Context::Screen(Screen::Agenda), Action::Edit) => "modifier la séance choisie",
        (Context::Screen(Screen::Agenda), Action::Delete) => {
            "supprimer la séance choisie et ses inscriptions (confirmation)"
        }
        (Context::Screen(Screen::Agenda), Action::Register) => {
            "inscrire le dossier ouvert à la séance choisie"
        }
        (Context::Screen(Screen::Agenda), Action::NewImmersion) => {
            "nouvelle immersion pour le dossier de l'élément choisi (ou le dossier ouvert)"
        }
        _ => action.label(),
    }
}

/// The default table: (action, context, default keys, shown in bottom bar).
fn defaults() -> Vec<Binding> {
    use KeyCodeOrd::*;
    let p = KeySpec::plain;
    let c = KeySpec::ch;
    let alt = |code| KeySpec {
        code,
        ctrl: false,
        alt: true,
    };
    let g = Context::Global;
    let m = Context::Screen(Screen::Metiers);
    let bn = Context::Screen(Screen::Beneficiaires);
    let pa = Context::Screen(Screen::Parcours);
    let ag = Context::Screen(Screen::Agenda);
    let f = Context::Form;
    let cf = Context::Confirm;
    let row = |action, context, keys: Vec<KeySpec>, hint| Binding {
        action,
        context,
        keys,
        hint,
    };
    let mut rows = vec![
        row(
            Action::GoTo(Screen::Accueil),
            g,
            vec![c('1'), c('&'), p(F(2))],
            false,
        ),
        row(
            Action::GoTo(Screen::Beneficiaires),
            g,
            vec![c('2'), c('é'), p(F(3))],
            false,
        ),
        row(
            Action::GoTo(Screen::Metiers),
            g,
            vec![c('3'), c('"'), p(F(4))],
            false,
        ),
        row(
            Action::GoTo(Screen::Parcours),
            g,
            vec![c('4'), c('\''), p(F(5))],
            false,
        ),
        row(
            Action::GoTo(Screen::Agenda),
            g,
            vec![c('5'), c('('), p(F(6))],
            false,
        ),
        row(Action::NextScreen, g, vec![p(Tab)], false),
        row(Action::PrevScreen, g, vec![p(BackTab)], false),
        row(Action::Up, g, vec![p(Up), c('k')], false),
        row(Action::Down, g, vec![p(Down), c('j')], false),
        row(Action::PageUp, g, vec![p(PageUp)], false),
        row(Action::PageDown, g, vec![p(PageDown)], false),
        row(Action::Home, g, vec![p(Home)], false),
        row(Action::End, g, vec![p(End)], false),
        row(Action::Search, m, vec![c('/'), KeySpec::ctrl('f')], true),
        row(Action::Open, m, vec![p(Enter)], true),
        row(
            Action::Open,
            Context::Screen(Screen::Accueil),
            vec![p(Enter)],
            true,
        ),
        row(Action::CycleBranch, m, vec![c('b')], true),
        row(Action::ClearBranch, m, vec![c('B')], false),
        row(Action::MarkTarget, m, vec![c('c')], true),
        row(Action::FocusDetail, m, vec![p(Right), c('l')], false),
        row(Action::ToggleDetail, m, vec![c('v')], false),
        row(Action::Search, bn, vec![c('/'), KeySpec::ctrl('f')], true),
        row(Action::Open, bn, vec![p(Enter)], true),
        row(Action::New, bn, vec![c('n')], true),
        row(Action::Edit, bn, vec![c('e')], true),
        row(Action::NewInterview, bn, vec![c('i')], false),
        row(Action::Delete, bn, vec![c('d')], false),
        row(Action::CycleSort, bn, vec![c('s')], false),
        row(Action::CycleFilter, bn, vec![c('f')], false),
        row(Action::NextTab, bn, vec![p(Right), c('l')], false),
        row(Action::PrevTab, bn, vec![p(Left), c('h')], false),
    ];
    // Target métiers in the file's Parcours tab.
    rows.extend([
        row(Action::TargetUp, bn, vec![c('K'), alt(Up)], false),
        row(Action::TargetDown, bn, vec![c('J'), alt(Down)], false),
        row(Action::TargetRemove, bn, vec![c('x'), p(Delete)], false),
    ]);
    // The Parcours screen: zones, steps, targets, suggestions.
    rows.extend([
        row(Action::New, pa, vec![c('n')], true),
        row(Action::Open, pa, vec![p(Enter)], false),
        row(Action::Edit, pa, vec![c('e')], false),
        row(Action::Delete, pa, vec![c('d'), p(Delete)], false),
        row(Action::StepStatus, pa, vec![c('s')], true),
        row(Action::FundStep, pa, vec![c('f')], false),
        row(Action::ApplyTemplate, pa, vec![c('m')], true),
        row(Action::MarkTarget, pa, vec![c('c')], false),
        row(Action::MoveUp, pa, vec![c('K'), alt(Up)], false),
        row(Action::MoveDown, pa, vec![c('J'), alt(Down)], false),
        row(Action::PrevZone, pa, vec![p(Left), c('h')], false),
        row(Action::NextZone, pa, vec![p(Right), c('l')], true),
        row(Action::EditFacts, pa, vec![c('i')], false),
        row(Action::ToggleDetail, pa, vec![c('v')], false),
        row(Action::WriteSynthesis, pa, vec![c('p')], true),
    ]);
    // Immersions, planned interviews, sessions: in the file (Immersions tab).
    rows.extend([
        row(Action::NewImmersion, bn, vec![c('m')], false),
        row(Action::PlanInterview, bn, vec![c('p')], false),
        row(Action::ImmersionStatus, bn, vec![c('t')], false),
        row(Action::Renew, bn, vec![c('r')], false),
        row(Action::Debrief, bn, vec![c('b')], false),
        row(Action::ExportConvention, bn, vec![c('c')], false),
        row(Action::Register, bn, vec![c('+'), c('a')], false),
        row(Action::Unregister, bn, vec![c('-')], false),
    ]);
    // The Agenda screen.
    rows.extend([
        row(Action::Open, ag, vec![p(Enter)], true),
        row(Action::PrevDay, ag, vec![p(Left), c('h')], false),
        row(Action::NextDay, ag, vec![p(Right), c('l')], false),
        row(Action::PrevWeek, ag, vec![c('<')], false),
        row(Action::NextWeek, ag, vec![c('>')], true),
        row(Action::Today, ag, vec![c('t')], true),
        row(Action::CycleView, ag, vec![c('v')], true),
        row(Action::NewImmersion, ag, vec![c('i')], true),
        row(Action::New, ag, vec![c('n')], false),
        row(Action::Edit, ag, vec![c('e')], false),
        row(Action::Delete, ag, vec![c('d')], false),
        row(Action::Register, ag, vec![c('+'), c('a')], false),
        row(Action::Unregister, ag, vec![c('-')], false),
    ]);
    rows.extend([
        row(Action::Undo, g, vec![KeySpec::ctrl('z')], false),
        row(Action::Redo, g, vec![KeySpec::ctrl('y')], false),
        row(Action::Back, g, vec![p(Esc)], true),
        row(Action::Help, g, vec![c('?'), p(F(1))], true),
        row(Action::Privacy, g, vec![p(F(12))], false),
        // F9: function keys do not depend on the keyboard layout (AZERTY);
        // F11 and F10 are often taken by the terminal (full screen, menu)
        // and Ctrl-M is Entrée in a terminal.
        row(Action::MaskPersonal, g, vec![p(F(9))], false),
        row(Action::Palette, g, vec![c(':'), KeySpec::ctrl('p')], false),
        row(Action::Quit, g, vec![c('q')], true),
        // Forms.
        row(Action::NextField, f, vec![p(Tab), p(Enter), p(Down)], true),
        row(Action::PrevField, f, vec![p(BackTab), p(Up)], false),
        row(Action::PageDown, f, vec![p(PageDown)], true),
        row(Action::PageUp, f, vec![p(PageUp)], false),
        row(Action::NextChoice, f, vec![c(' '), p(Right)], true),
        row(Action::PrevChoice, f, vec![p(Left)], false),
        row(Action::Save, f, vec![KeySpec::ctrl('s')], true),
        row(Action::Back, f, vec![p(Esc)], true),
        // Confirm dialogs.
        row(Action::Yes, cf, vec![c('o'), p(Enter)], true),
        row(Action::No, cf, vec![c('n'), p(Esc)], true),
        row(Action::Other, cf, vec![c('c')], true),
        // Command palette (typed characters are the query).
        row(Action::Open, Context::Palette, vec![p(Enter)], true),
        // Lock screen (typed characters are the passphrase).
        row(Action::Open, Context::Lock, vec![p(Enter)], true),
        row(Action::NextField, Context::Lock, vec![p(Tab)], false),
        row(Action::PrevField, Context::Lock, vec![p(BackTab)], false),
        row(Action::Back, Context::Lock, vec![p(Esc)], true),
        row(
            Action::LockQuit,
            Context::Lock,
            vec![KeySpec::ctrl('q')],
            false,
        ),
    ]);
    rows
}

/// A refused `[touches]` configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeymapError {
    /// French explanation, naming the action(s) and the key.
    pub message: String,
    /// The configured action to point at in the file (for its line).
    pub action: Option<String>,
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for KeymapError {}

#[derive(Clone, Debug)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: defaults(),
        }
    }
}

impl Keymap {
    /// Defaults with the user's `[touches]` merged over them: a configured
    /// action gets exactly the keys given, in every context where it is
    /// bound. Unknown actions or keys, a plain character for an action of a
    /// form or the palette (it would be typed, never run), and two actions
    /// sharing a key where both are active are errors (French, naming the
    /// actions and the key).
    pub fn with_overrides(user: &BTreeMap<String, Vec<String>>) -> Result<Keymap, KeymapError> {
        let mut km = Keymap::default();
        let err = |name: &str, message: String| KeymapError {
            message,
            action: Some(name.to_string()),
        };
        for (name, keys) in user {
            // An action may be bound in several contexts (e.g. `chercher` on
            // Métiers and Bénéficiaires): the configured keys apply to all.
            let rows: Vec<usize> = km
                .bindings
                .iter()
                .enumerate()
                .filter(|(_, b)| b.action.name() == Some(name.as_str()))
                .map(|(i, _)| i)
                .collect();
            if rows.is_empty() {
                return Err(err(
                    name,
                    format!("action inconnue dans [touches] : « {name} »"),
                ));
            }
            let parsed = keys
                .iter()
                .map(|k| {
                    KeySpec::parse(k).map_err(|e| err(name, format!("[touches] {name} : {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if parsed.is_empty() {
                return Err(err(name, format!("[touches] {name} : aucune touche")));
            }
            for idx in rows {
                let b = &km.bindings[idx];
                let typed = b.context.types_text()
                    && !matches!(b.action, Action::NextChoice | Action::PrevChoice);
                if let Some(k) = parsed.iter().find(|k| typed && k.is_plain_char()) {
                    return Err(err(
                        name,
                        format!(
                            "[touches] {name} : « {k} » s'écrirait dans le champ ({}) ; \
                             choisissez une touche avec Ctrl ou Alt, ou une touche de fonction",
                            b.context.title().to_lowercase()
                        ),
                    ));
                }
                km.bindings[idx].keys = parsed.clone();
            }
        }
        if let Some(c) = km.conflicts().into_iter().next() {
            let configured = |a: &Action| a.name().filter(|n| user.contains_key(*n));
            let action = configured(&c.first)
                .or_else(|| configured(&c.second))
                .map(str::to_string);
            return Err(KeymapError {
                message: c.describe(),
                action,
            });
        }
        Ok(km)
    }

    /// Pairs of different actions that share a key in contexts active at
    /// the same time.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut out = Vec::new();
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                if a.action == b.action || !a.context.overlaps(b.context) {
                    continue;
                }
                if let Some(k) = a.keys.iter().find(|k| b.keys.contains(k)) {
                    out.push(Conflict {
                        first: a.action.clone(),
                        second: b.action.clone(),
                        key: *k,
                        context: if a.context == Context::Global {
                            b.context
                        } else {
                            a.context
                        },
                    });
                }
            }
        }
        out
    }

    /// The binding of a key in one context.
    pub fn lookup_in(&self, context: Context, key: &KeySpec) -> Option<Action> {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.keys.contains(key))
            .map(|b| b.action.clone())
    }

    /// The action bound to a key on a screen: screen bindings win over global ones.
    pub fn lookup(&self, screen: Screen, key: &KeySpec) -> Option<Action> {
        self.lookup_in(Context::Screen(screen), key)
            .or_else(|| self.lookup_in(Context::Global, key))
    }

    /// Bindings of one context, in table order.
    pub fn in_context(&self, context: Context) -> Vec<&Binding> {
        self.bindings
            .iter()
            .filter(|b| b.context == context)
            .collect()
    }

    /// Bindings that apply on a screen: the screen's own first, then global.
    pub fn for_screen(&self, screen: Screen) -> Vec<&Binding> {
        let mut v = self.in_context(Context::Screen(screen));
        v.extend(self.in_context(Context::Global));
        v
    }

    /// Bindings active in a context: a screen's with the global ones; a
    /// form's with the global keys that still work while typing; the
    /// others alone.
    pub fn active(&self, context: Context) -> Vec<Binding> {
        let own = |c| self.in_context(c).into_iter().cloned();
        match context {
            Context::Screen(s) => self.for_screen(s).into_iter().cloned().collect(),
            Context::Form => own(Context::Form).chain(self.global_in_form()).collect(),
            other => own(other).collect(),
        }
    }

    /// The global bindings that work inside a form, with only their keys
    /// that are neither typed text nor taken by the form (F1, Ctrl-P, F4…).
    /// Moving in a list and leaving a screen mean nothing there.
    pub fn global_in_form(&self) -> Vec<Binding> {
        let form_keys: Vec<KeySpec> = self
            .in_context(Context::Form)
            .iter()
            .flat_map(|b| b.keys.iter().copied())
            .collect();
        self.in_context(Context::Global)
            .into_iter()
            .filter(|b| {
                !b.action.moves_in_list()
                    && !matches!(
                        b.action,
                        Action::NextScreen | Action::PrevScreen | Action::Back
                    )
            })
            .filter_map(|b| {
                let keys: Vec<KeySpec> = b
                    .keys
                    .iter()
                    .copied()
                    .filter(|k| !k.is_plain_char() && !form_keys.contains(k))
                    .collect();
                (!keys.is_empty()).then(|| Binding { keys, ..b.clone() })
            })
            .collect()
    }

    /// `key  label` pairs for the bottom bar of a context.
    pub fn hints(&self, context: Context) -> Vec<(String, &'static str)> {
        self.active(context)
            .into_iter()
            .filter(|b| b.hint && !b.keys.is_empty())
            .map(|b| (b.keys[0].to_string(), b.short_label()))
            .collect()
    }

    /// The first key bound to an action in a context (or anywhere), for
    /// messages ("appuyez sur b").
    pub fn key_in(&self, context: Context, action: &Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.context == context && &b.action == action)
            .or_else(|| self.bindings.iter().find(|b| &b.action == action))
            .and_then(|b| b.keys.first())
            .map(|k| k.to_string())
    }

    /// The first key bound to an action, for messages ("appuyez sur b").
    pub fn key_for(&self, action: &Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| &b.action == action)
            .and_then(|b| b.keys.first())
            .map(|k| k.to_string())
    }

    /// Every context that has bindings, in the order of the README.
    pub fn contexts(&self) -> Vec<Context> {
        let mut out = vec![Context::Global];
        out.extend(Screen::ALL.iter().map(|s| Context::Screen(*s)));
        out.extend([
            Context::Form,
            Context::Confirm,
            Context::Palette,
            Context::Lock,
        ]);
        out.retain(|c| self.bindings.iter().any(|b| b.context == *c));
        out
    }

    /// The README's key tables (Markdown), one per context, generated from
    /// this table; a test keeps README.md equal to it.
    pub fn markdown_tables(&self) -> String {
        let mut out = String::new();
        for ctx in self.contexts() {
            out.push_str(&format!(
                "### {}\n\n| touches | action | nom |\n|---|---|---|\n",
                ctx.title()
            ));
            for b in self.in_context(ctx) {
                let keys = b
                    .keys
                    .iter()
                    .map(|k| format!("`{}`", k.to_string().replace('`', "\\`")))
                    .collect::<Vec<_>>()
                    .join(" ");
                let name = b.action.name().unwrap_or_default();
                out.push_str(&format!("| {keys} | {} | `{name}` |\n", b.label()));
            }
            out.push('\n');
        }
        out
    }
}

/// Two actions sharing a key where both are active.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub first: Action,
    pub second: Action,
    pub key: KeySpec,
    pub context: Context,
}

impl Conflict {
    /// « les actions « quitter » et « bas » ont la même touche « j » (partout) »
    pub fn describe(&self) -> String {
        format!(
            "les actions « {} » et « {} » ont la même touche « {} » ({}) : changez l'une des deux dans [touches]",
            self.first.name().unwrap_or_default(),
            self.second.name().unwrap_or_default(),
            self.key,
            self.context.title().to_lowercase()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_syntax() {
        assert_eq!(KeySpec::parse("q"), Ok(KeySpec::ch('q')));
        assert_eq!(KeySpec::parse("Ctrl-S"), Ok(KeySpec::ctrl('s')));
        assert_eq!(KeySpec::parse("F12"), Ok(KeySpec::plain(KeyCodeOrd::F(12))));
        assert_eq!(
            KeySpec::parse("Entrée"),
            Ok(KeySpec::plain(KeyCodeOrd::Enter))
        );
        assert_eq!(KeySpec::parse("é"), Ok(KeySpec::ch('é')));
        assert!(KeySpec::parse("F13").is_err());
        assert!(KeySpec::parse("Hyper-Z").is_err());
        assert!(KeySpec::parse("").is_err());
    }

    #[test]
    fn azerty_and_digit_rows_both_switch_screens() {
        let km = Keymap::default();
        for (k, s) in [
            ('1', Screen::Accueil),
            ('&', Screen::Accueil),
            ('é', Screen::Beneficiaires),
            ('"', Screen::Metiers),
            ('\'', Screen::Parcours),
            ('(', Screen::Agenda),
        ] {
            assert_eq!(
                km.lookup(Screen::Accueil, &KeySpec::ch(k)),
                Some(Action::GoTo(s)),
                "{k}"
            );
        }
    }

    #[test]
    fn user_bindings_replace_defaults_and_bad_ones_are_refused() {
        let mut user = BTreeMap::new();
        user.insert("quitter".to_string(), vec!["Ctrl-Q".to_string()]);
        let km = Keymap::with_overrides(&user).unwrap();
        assert_eq!(
            km.lookup(Screen::Accueil, &KeySpec::ctrl('q')),
            Some(Action::Quit)
        );
        assert_eq!(km.lookup(Screen::Accueil, &KeySpec::ch('q')), None);

        let mut bad = BTreeMap::new();
        bad.insert("voler".to_string(), vec!["v".to_string()]);
        let e = Keymap::with_overrides(&bad).unwrap_err();
        assert!(e.message.contains("voler"));
        assert_eq!(e.action.as_deref(), Some("voler"));

        // An action bound on two screens is rebound on both.
        let mut user = BTreeMap::new();
        user.insert("chercher".to_string(), vec!["Ctrl-K".to_string()]);
        let km = Keymap::with_overrides(&user).unwrap();
        for s in [Screen::Metiers, Screen::Beneficiaires] {
            assert_eq!(
                km.lookup(s, &KeySpec::ctrl('k')),
                Some(Action::Search),
                "{s:?}"
            );
            assert_eq!(km.lookup(s, &KeySpec::ch('/')), None, "{s:?}");
        }
    }

    #[test]
    fn every_bindable_action_has_a_unique_name() {
        let km = Keymap::default();
        // One row per (action, context); every row's action has a name.
        let mut names: Vec<_> = km
            .bindings
            .iter()
            .filter_map(|b| b.action.name().map(|n| (n, format!("{:?}", b.context))))
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
        assert_eq!(n, km.bindings.len());
        // Distinct actions have distinct names.
        let mut by_action: Vec<_> = km
            .bindings
            .iter()
            .map(|b| (b.action.name(), format!("{:?}", b.action)))
            .collect();
        by_action.sort();
        by_action.dedup();
        let mut only_names: Vec<_> = by_action.iter().map(|(n, _)| *n).collect();
        only_names.dedup();
        assert_eq!(only_names.len(), by_action.len());
    }

    #[test]
    fn the_example_config_documents_every_action_name() {
        let example = include_str!("../../config.example.toml");
        for b in Keymap::default().bindings {
            let name = b.action.name().unwrap_or_default();
            assert!(!name.is_empty(), "{:?}", b.action);
            assert!(
                example.contains(name),
                "config.example.toml omits « {name} »"
            );
        }
    }

    fn user(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(n, ks)| (n.to_string(), ks.iter().map(|k| k.to_string()).collect()))
            .collect()
    }

    #[test]
    fn the_defaults_have_no_conflict() {
        assert_eq!(Keymap::default().conflicts(), Vec::new());
    }

    #[test]
    fn two_actions_on_one_key_in_the_same_context_are_refused() {
        // `quitter = "j"` collides with `bas` (both global).
        let e = Keymap::with_overrides(&user(&[("quitter", &["j"])])).unwrap_err();
        assert!(
            e.message.contains("« quitter »") && e.message.contains("« bas »"),
            "{}",
            e.message
        );
        assert!(e.message.contains("« j »"), "{}", e.message);
        assert_eq!(e.action.as_deref(), Some("quitter"));
        // A global key and a screen key are active together: conflict.
        let e = Keymap::with_overrides(&user(&[("aide", &["n"])])).unwrap_err();
        assert!(
            e.message.contains("« nouveau »") && e.message.contains("écran bénéficiaires"),
            "{}",
            e.message
        );
        // Two screens never show at once: the same key on both is fine.
        assert!(Keymap::with_overrides(&user(&[("tri", &["v"])])).is_ok());
        // A form and a screen are separate contexts.
        assert!(Keymap::with_overrides(&user(&[("enregistrer", &["Ctrl-E"])])).is_ok());
        // Two user bindings on one key: the first configured one is named.
        let e =
            Keymap::with_overrides(&user(&[("aide", &["F9"]), ("masquer", &["F9"])])).unwrap_err();
        assert!(e.message.contains("« aide »") && e.message.contains("« masquer »"));
        assert_eq!(e.action.as_deref(), Some("aide"));
        // Confirm dialogs: oui and non cannot share a key.
        let e = Keymap::with_overrides(&user(&[("oui", &["n"])])).unwrap_err();
        assert!(e.message.contains("« non »"), "{}", e.message);
    }

    #[test]
    fn a_plain_character_cannot_run_a_form_action() {
        let e = Keymap::with_overrides(&user(&[("enregistrer", &["s"])])).unwrap_err();
        assert!(
            e.message.contains("s'écrirait dans le champ"),
            "{}",
            e.message
        );
        // Except to change a choice (a choice field has no text).
        let km = Keymap::with_overrides(&user(&[("choix-suivant", &["+"])])).unwrap();
        assert_eq!(
            km.lookup_in(Context::Form, &KeySpec::ch('+')),
            Some(Action::NextChoice)
        );
    }

    #[test]
    fn rebinding_save_changes_the_form_key() {
        let km = Keymap::with_overrides(&user(&[("enregistrer", &["F10"])])).unwrap();
        assert_eq!(
            km.lookup_in(Context::Form, &KeySpec::plain(KeyCodeOrd::F(10))),
            Some(Action::Save)
        );
        assert_eq!(km.lookup_in(Context::Form, &KeySpec::ctrl('s')), None);
        assert!(km
            .hints(Context::Form)
            .iter()
            .any(|(k, l)| k == "F10" && *l == "enregistrer"));
    }

    #[test]
    fn form_context_keeps_the_global_keys_that_are_not_text() {
        let km = Keymap::default();
        let active = km.active(Context::Form);
        let keys_of = |a: &Action| {
            active
                .iter()
                .filter(|b| &b.action == a)
                .map(|b| b.keys_label())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys_of(&Action::Help), vec!["F1"], "? is typed in a form");
        assert_eq!(keys_of(&Action::Palette), vec!["Ctrl-P"]);
        assert_eq!(keys_of(&Action::GoTo(Screen::Metiers)), vec!["F4"]);
        assert!(keys_of(&Action::Quit).is_empty(), "q is typed in a form");
        assert!(
            keys_of(&Action::NextScreen).is_empty(),
            "Tab is the next field"
        );
        assert_eq!(keys_of(&Action::NextField), vec!["Tab Entrée ↓"]);
    }

    #[test]
    fn markdown_tables_list_every_binding_by_context() {
        let km = Keymap::default();
        let md = km.markdown_tables();
        assert!(md.contains("### Partout"));
        assert!(md.contains("### Dans un formulaire"));
        assert!(md.contains("| `Ctrl-S` | enregistrer le formulaire | `enregistrer` |"));
        assert!(md.contains("| `o` `Entrée` | répondre oui | `oui` |"));
        assert_eq!(md.matches("\n| `").count(), km.bindings.len());
    }

    /// README.md's key tables are the keymap's: a changed binding fails
    /// this test until the README follows. To regenerate them:
    /// `PASSERELLE_ECRIRE_README=1 cargo test --lib readme_key_tables`.
    #[test]
    fn readme_key_tables_match_the_keymap() {
        const START: &str =
            "<!-- touches : début (généré depuis le keymap, vérifié par un test) -->\n";
        const END: &str = "<!-- touches : fin -->";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let (before, rest) = readme.split_once(START).expect("README: start marker");
        let (block, after) = rest.split_once(END).expect("README: end marker");
        let expected = Keymap::default().markdown_tables();
        if std::env::var_os("PASSERELLE_ECRIRE_README").is_some() {
            std::fs::write(path, format!("{before}{START}{expected}{END}{after}")).unwrap();
            return;
        }
        assert!(
            block == expected,
            "README.md : les tableaux des touches diffèrent du keymap ; \
             PASSERELLE_ECRIRE_README=1 cargo test --lib readme_key_tables les régénère"
        );
    }
}
