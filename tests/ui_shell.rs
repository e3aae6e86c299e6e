//! Snapshot tests of the application shell (header, help overlay, too-small
//! message) rendered with ratatui's TestBackend at a fixed date.

mod common;
use common::{fixed_now, render, screen_text as text};
use passerelle::app::{Action, App, Keymap, Screen};
use passerelle::ui::Theme;

fn app() -> App {
    App::new(Keymap::default(), fixed_now())
}

#[test]
fn header_lists_the_five_screens_and_the_date() {
    let a = app();
    let s = text(&render(&a, 100, 30));
    let header = s.lines().next().unwrap();
    for t in [
        "1 Accueil",
        "2 Bénéficiaires",
        "3 Métiers",
        "4 Parcours",
        "5 Agenda",
        "sam. 28/11 09:30",
    ] {
        assert!(header.contains(t), "missing {t} in {header}");
    }
    insta::assert_snapshot!("accueil_100x30", s);
}

#[test]
fn active_tab_is_highlighted() {
    let mut a = app();
    a.update(Action::GoTo(Screen::Parcours));
    let buf = render(&a, 100, 30);
    let theme = Theme::default();
    let header: String = (0..100).map(|x| buf[(x, 0)].symbol().to_string()).collect();
    let col = header.find("4 Parcours").unwrap();
    let col = header[..col].chars().count() as u16;
    assert_eq!(buf[(col, 0)].bg, theme.active_tab.bg.unwrap());
    let col1 = header[..header.find("1 Accueil").unwrap()].chars().count() as u16;
    assert_ne!(buf[(col1, 0)].bg, theme.active_tab.bg.unwrap());
}

#[test]
fn help_overlay_is_generated_from_the_keymap() {
    let mut a = app();
    a.update(Action::Help);
    let s = text(&render(&a, 80, 24));
    assert!(s.contains("Aide — Accueil"));
    assert!(s.contains("quitter Passerelle") || s.contains("↓ suite"));
    insta::assert_snapshot!("help_accueil_80x24", s);

    // A rebound key shows up in the help: the overlay reads the keymap.
    let mut user = std::collections::BTreeMap::new();
    user.insert("ecran-suivant".to_string(), vec!["F9".to_string()]);
    let mut b = App::new(Keymap::with_overrides(&user).unwrap(), a.now);
    b.update(Action::Help);
    let s = text(&render(&b, 100, 40));
    let line = s.lines().find(|l| l.contains("écran suivant")).unwrap();
    assert!(line.contains("F9") && !line.contains("Tab "), "{line}");
}

#[test]
fn too_small_terminal_shows_a_message_and_recovers() {
    let mut a = app();
    let s = text(&render(&a, 60, 20));
    assert!(s.contains("Fenêtre trop petite"));
    assert!(s.contains("60×20"));
    insta::assert_snapshot!("too_small_60x20", s);
    a.update(Action::Resize(80, 24));
    let s = text(&render(&a, 80, 24));
    assert!(!s.contains("Fenêtre trop petite"));
    assert!(s.contains("1 Accueil"));
}

#[test]
fn placeholder_screens_promise_no_fake_data() {
    let mut a = app();
    for screen in Screen::ALL {
        a.update(Action::GoTo(screen));
        let s = text(&render(&a, 80, 24));
        let built = matches!(
            screen,
            Screen::Accueil | Screen::Beneficiaires | Screen::Metiers
        );
        assert!(s.contains("Bientôt sur cet écran") || built, "{screen:?}");
    }
}

#[test]
fn command_palette_lists_matching_actions() {
    let mut a = app();
    a.update(Action::Palette);
    for c in "aide".chars() {
        a.update(Action::Text(common::key(
            ratatui::crossterm::event::KeyCode::Char(c),
        )));
    }
    let s = text(&render(&a, 80, 24));
    assert!(s.contains("> aide"), "{s}");
    assert!(s.contains("afficher cette aide"), "{s}");
    insta::assert_snapshot!("palette_aide_80x24", s);
}
