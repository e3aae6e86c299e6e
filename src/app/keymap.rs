//! Key bindings as data: each bindable action has a kebab-case name usable in
//! the `[touches]` section of the config, a French description, the context
//! where it applies, and default keys. The help overlay and the bottom bar are
//! generated from this one table.

use super::action::{Action, Screen};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Screen(Screen),
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
}

/// The default table: (action, context, default keys, shown in bottom bar).
fn defaults() -> Vec<Binding> {
    use KeyCodeOrd::*;
    let p = KeySpec::plain;
    let c = KeySpec::ch;
    let g = Context::Global;
    let m = Context::Screen(Screen::Metiers);
    let bn = Context::Screen(Screen::Beneficiaires);
    let row = |action, context, keys: Vec<KeySpec>, hint| Binding {
        action,
        context,
        keys,
        hint,
    };
    vec![
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
        row(Action::Save, g, vec![KeySpec::ctrl('s')], false),
        row(Action::Undo, g, vec![KeySpec::ctrl('z')], false),
        row(Action::Redo, g, vec![KeySpec::ctrl('y')], false),
        row(Action::Back, g, vec![p(Esc)], true),
        row(Action::Help, g, vec![c('?'), p(F(1))], true),
        row(Action::Privacy, g, vec![p(F(12))], false),
        row(Action::Palette, g, vec![c(':'), KeySpec::ctrl('p')], false),
        row(Action::Quit, g, vec![c('q')], true),
    ]
}

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
    /// action gets exactly the keys given. Unknown actions or keys are errors
    /// (French, naming the action).
    pub fn with_overrides(user: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut km = Keymap::default();
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
                return Err(format!("action inconnue dans [touches] : « {name} »"));
            }
            let parsed = keys
                .iter()
                .map(|k| KeySpec::parse(k).map_err(|e| format!("[touches] {name} : {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            if parsed.is_empty() {
                return Err(format!("[touches] {name} : aucune touche"));
            }
            for idx in rows {
                km.bindings[idx].keys = parsed.clone();
            }
        }
        Ok(km)
    }

    /// The action bound to a key on a screen: screen bindings win over global ones.
    pub fn lookup(&self, screen: Screen, key: &KeySpec) -> Option<Action> {
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.contains(key))
                .map(|b| b.action)
        };
        find(Context::Screen(screen)).or_else(|| find(Context::Global))
    }

    /// Bindings that apply on a screen: the screen's own first, then global.
    pub fn for_screen(&self, screen: Screen) -> Vec<&Binding> {
        let own = self
            .bindings
            .iter()
            .filter(|b| b.context == Context::Screen(screen));
        let global = self
            .bindings
            .iter()
            .filter(|b| b.context == Context::Global);
        own.chain(global).collect()
    }

    /// `/ chercher  Entrée fiche …` pairs for the bottom bar.
    pub fn hints(&self, screen: Screen) -> Vec<(String, &'static str)> {
        self.for_screen(screen)
            .into_iter()
            .filter(|b| b.hint && !b.keys.is_empty())
            .map(|b| (b.keys[0].to_string(), b.action.short_label()))
            .collect()
    }

    /// The first key bound to an action, for messages ("appuyez sur b").
    pub fn key_for(&self, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(|k| k.to_string())
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
        assert!(Keymap::with_overrides(&bad).unwrap_err().contains("voler"));

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
            assert!(
                example.contains(name),
                "config.example.toml omits « {name} »"
            );
        }
    }
}
