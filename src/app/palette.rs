//! The command palette (`:` or `Ctrl-P`): the global commands (go to a
//! screen, new file, quit, help, privacy…) and those of what had the focus
//! (the screen, or the open form), found by typing a few letters of their
//! French description, each shown with its key.

use super::keymap::{Binding, Context};
use super::text::TextInput;
use super::{Action, App, Screen};
use crate::catalog::fold::fold;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Palette {
    pub query: TextInput,
    pub selected: usize,
    /// What had the focus when the palette opened (a screen or a form).
    pub under: Context,
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            query: TextInput::default(),
            selected: 0,
            under: Context::Global,
        }
    }
}

/// One line of the palette.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    /// The keys that run it from where the palette was opened (may be
    /// empty: then only the palette runs it there).
    pub keys: String,
    pub label: &'static str,
    /// Screen to show before running the action (commands of another screen).
    pub screen: Option<Screen>,
}

/// Commands of a screen offered from everywhere.
const ELSEWHERE: [(Screen, Action); 1] = [(Screen::Beneficiaires, Action::New)];

/// Every command the palette offers under `under`, in keymap order.
fn commands(app: &App, under: Context) -> Vec<Entry> {
    let entry = |b: &Binding| Entry {
        action: b.action.clone(),
        keys: b.keys_label(),
        label: b.label(),
        screen: None,
    };
    let mut out: Vec<Entry> = Vec::new();
    match under {
        Context::Form => {
            out.extend(app.keymap.in_context(Context::Form).into_iter().map(entry));
            // Global commands, with the keys that still work in a form.
            let usable = app.keymap.global_in_form();
            for b in app.keymap.in_context(Context::Global) {
                if b.action.moves_in_list() || b.action == Action::Back {
                    continue;
                }
                let keys = usable
                    .iter()
                    .find(|u| u.action == b.action)
                    .map(Binding::keys_label)
                    .unwrap_or_default();
                out.push(Entry { keys, ..entry(b) });
            }
        }
        Context::Screen(s) => {
            out.extend(app.keymap.for_screen(s).into_iter().map(entry));
        }
        _ => out.extend(
            app.keymap
                .in_context(Context::Global)
                .into_iter()
                .map(entry),
        ),
    }
    let here = match under {
        Context::Screen(s) => Some(s),
        _ => None,
    };
    for (screen, action) in ELSEWHERE {
        if here == Some(screen) {
            continue;
        }
        let Some(b) = app
            .keymap
            .in_context(Context::Screen(screen))
            .into_iter()
            .find(|b| b.action == action)
        else {
            continue;
        };
        let go = app
            .keymap
            .key_for(&Action::GoTo(screen))
            .unwrap_or_default();
        let keys = match b.keys.first() {
            Some(k) if !go.is_empty() && under != Context::Form => format!("{go} puis {k}"),
            _ => String::new(),
        };
        out.push(Entry {
            action,
            keys,
            label: b.label(),
            screen: Some(screen),
        });
    }
    out.retain(|e| !matches!(e.action, Action::Palette));
    let mut seen: Vec<(Action, Option<Screen>)> = Vec::new();
    out.retain(|e| {
        let k = (e.action.clone(), e.screen);
        let fresh = !seen.contains(&k);
        seen.push(k);
        fresh
    });
    out
}

/// The commands of the open palette that match `query`, best first (in
/// keymap order when the query is empty).
pub fn entries(app: &App, query: &str) -> Vec<Entry> {
    let under = match app.modals.last() {
        Some(super::Modal::Palette(p)) => p.under,
        _ => app.key_context(),
    };
    entries_under(app, under, query)
}

/// The commands offered under `under` that match `query`, best first.
pub fn entries_under(app: &App, under: Context, query: &str) -> Vec<Entry> {
    let q = fold(query.trim());
    let matcher = SkimMatcherV2::default();
    let mut scored: Vec<(i64, usize, Entry)> = commands(app, under)
        .into_iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let name = e.action.name().unwrap_or("");
            let score = if q.is_empty() {
                0
            } else {
                matcher.fuzzy_match(&fold(&format!("{} {name}", e.label)), &q)?
            };
            Some((score, i, e))
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
        let first = &entries(&a, &p.query.text)[0];
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
        let m = Context::Screen(Screen::Metiers);
        let all = entries_under(&a, m, "");
        assert!(all.iter().any(|e| e.action == Action::MarkTarget));
        assert!(all.iter().all(|e| e.action != Action::Palette));
        let found = entries_under(&a, m, "cible du beneficiaire");
        assert_eq!(found[0].action, Action::MarkTarget);
        assert!(entries_under(&a, m, "zzxq").is_empty());
    }

    #[test]
    fn global_commands_are_offered_everywhere_with_their_keys() {
        let a = App::for_tests();
        let all = entries_under(&a, Context::Screen(Screen::Metiers), "");
        let find = |act: Action| all.iter().find(|e| e.action == act).cloned();
        assert_eq!(find(Action::Quit).unwrap().keys, "q");
        assert_eq!(find(Action::Privacy).unwrap().keys, "F12");
        assert_eq!(find(Action::GoTo(Screen::Agenda)).unwrap().keys, "5 ( F6");
        // New file, from another screen: goes to the files first.
        let new = find(Action::New).unwrap();
        assert_eq!(new.screen, Some(Screen::Beneficiaires));
        assert_eq!(new.keys, "2 puis n");
        // On the files screen it is the screen's own command.
        let here = entries_under(&a, Context::Screen(Screen::Beneficiaires), "");
        let new = here.iter().find(|e| e.action == Action::New).unwrap();
        assert_eq!((new.screen, new.keys.as_str()), (None, "n"));
    }

    #[test]
    fn the_palette_works_from_inside_a_form() {
        let mut a = App::for_tests();
        a.update(Action::GoTo(Screen::Beneficiaires));
        a.update(Action::New);
        let ctrl_p = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL);
        let act = a.key_to_action(ctrl_p).unwrap();
        a.update(act);
        assert!(matches!(a.modals.last(), Some(Modal::Palette(_))));
        let all = entries(&a, "");
        let save = all.iter().find(|e| e.action == Action::Save).unwrap();
        assert_eq!(save.keys, "Ctrl-S");
        // Quit has no key inside a form (q is typed) but the palette runs it.
        let quit = all.iter().find(|e| e.action == Action::Quit).unwrap();
        assert_eq!(quit.keys, "");
        for c in "enregistrer le formulaire".chars() {
            press(&mut a, KeyCode::Char(c));
        }
        press(&mut a, KeyCode::Enter);
        assert!(a.modals.is_empty());
        // The empty form was refused by the form itself: the save ran there.
        assert!(a.status.as_ref().unwrap().text.contains("Non enregistré"));
    }
}
