//! The command palette (`:` or `Ctrl-P`): every action of the current
//! screen, found by typing a few letters of its French description.

use super::keymap::Binding;
use super::text::TextInput;
use super::{Action, App, Screen};
use crate::catalog::fold::fold;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Palette {
    pub query: TextInput,
    pub selected: usize,
}

/// One line of the palette.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    pub keys: String,
    pub label: &'static str,
}

/// The actions available on `screen` that match `query`, best first
/// (in keymap order when the query is empty). The palette itself is left out.
pub fn entries(app: &App, screen: Screen, query: &str) -> Vec<Entry> {
    let q = fold(query.trim());
    let matcher = SkimMatcherV2::default();
    let mut scored: Vec<(i64, usize, Entry)> = app
        .keymap
        .for_screen(screen)
        .into_iter()
        .filter(|b: &&Binding| b.action != Action::Palette)
        .enumerate()
        .filter_map(|(i, b)| {
            let label = b.action.label();
            let name = b.action.name().unwrap_or("");
            let score = if q.is_empty() {
                0
            } else {
                matcher.fuzzy_match(&fold(&format!("{label} {name}")), &q)?
            };
            let keys = b.keys_label();
            Some((
                score,
                i,
                Entry {
                    action: b.action,
                    keys,
                    label,
                },
            ))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Modal;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

    fn press(a: &mut App, code: KeyCode) {
        let k = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
        if let Some(act) = a.key_to_action(k) {
            a.update(act);
        }
    }

    #[test]
    fn typing_finds_an_action_and_enter_runs_it() {
        let mut a = App::for_tests();
        press(&mut a, KeyCode::Char(':'));
        assert!(matches!(a.modals.last(), Some(Modal::Palette(_))));
        for c in "metiers".chars() {
            press(&mut a, KeyCode::Char(c));
        }
        let Some(Modal::Palette(p)) = a.modals.last() else {
            panic!("palette closed");
        };
        let first = &entries(&a, a.screen, &p.query.text)[0];
        assert_eq!(first.action, Action::GoTo(Screen::Metiers));
        press(&mut a, KeyCode::Enter);
        assert!(a.modals.is_empty());
        assert_eq!(a.screen, Screen::Metiers);
        // 'q' typed in the palette is text, not "quit"; Échap closes it.
        press(&mut a, KeyCode::Char(':'));
        press(&mut a, KeyCode::Char('q'));
        assert!(!a.should_quit);
        press(&mut a, KeyCode::Esc);
        assert!(a.modals.is_empty());
    }

    #[test]
    fn screen_actions_are_listed_and_nothing_matches_nonsense() {
        let a = App::for_tests();
        let all = entries(&a, Screen::Metiers, "");
        assert!(all.iter().any(|e| e.action == Action::MarkTarget));
        assert!(all.iter().all(|e| e.action != Action::Palette));
        let found = entries(&a, Screen::Metiers, "cible");
        assert_eq!(found[0].action, Action::MarkTarget);
        assert!(entries(&a, Screen::Metiers, "zzxq").is_empty());
    }
}
