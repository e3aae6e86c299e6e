//! Snapshot tests of the Métiers screen (TestBackend, fixed date).

use chrono::NaiveDate;
use passerelle::app::{Action, App, Keymap, Screen};
use passerelle::ui::{self, Theme};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;

fn app() -> App {
    let now = NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    let mut a = App::new(Keymap::default(), now);
    a.update(Action::GoTo(Screen::Metiers));
    a
}

fn press(a: &mut App, code: KeyCode) {
    let k = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    if let Some(act) = a.key_to_action(k) {
        a.update(act);
    }
}

fn type_str(a: &mut App, s: &str) {
    for c in s.chars() {
        press(a, KeyCode::Char(c));
    }
}

fn render(app: &App, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(app, &Theme::default(), f)).unwrap();
    t.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn query_branch_filter_and_detail_pane() {
    let mut a = app();
    // Branch filter: cycle to ALISFA (second branch in the data).
    press(&mut a, KeyCode::Char('b'));
    press(&mut a, KeyCode::Char('b'));
    assert_eq!(a.metiers.branch.as_deref(), Some("ALISFA"));
    press(&mut a, KeyCode::Char('/'));
    type_str(&mut a, "educ jeun");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    let s = text(&render(&a, 100, 30));
    assert!(s.contains("Branche : ALISFA"), "{s}");
    assert!(s.contains("K1202"), "{s}");
    assert!(s.contains("Métiers voisins"), "{s}");
    insta::assert_snapshot!("metiers_educ_jeun_alisfa_100x30", s);
}

#[test]
fn matched_letters_are_highlighted_in_the_accented_original() {
    let mut a = app();
    press(&mut a, KeyCode::Char('/'));
    type_str(&mut a, "educateur");
    let buf = render(&a, 100, 30);
    let theme = Theme::default();
    // Find the first result row (the selected one, marked ▶) and check that
    // the accented É is drawn with the highlight style.
    let (x0, y) = (0..30)
        .flat_map(|y| (0..100).map(move |x| (x, y)))
        .find(|&(x, y)| buf[(x, y)].symbol() == "▶")
        .expect("a selected row");
    let first = &buf[(x0 + 1, y)];
    assert_eq!(first.symbol(), "É");
    assert!(first.modifier.contains(theme.highlight.add_modifier));
    // A letter after the matched word is not highlighted.
    let row: String = (x0 + 1..100)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect();
    let after = row.find('/').expect("Éducateur / Éducatrice");
    let cell = &buf[(x0 + 1 + row[..after].chars().count() as u16, y)];
    assert!(!cell.modifier.contains(theme.highlight.add_modifier));
}

#[test]
fn no_result_shows_a_helpful_message() {
    let mut a = app();
    press(&mut a, KeyCode::Char('/'));
    type_str(&mut a, "xqzwv");
    let s = text(&render(&a, 80, 24));
    assert!(s.contains("Aucun métier ne correspond à « xqzwv »"), "{s}");
    insta::assert_snapshot!("metiers_no_result_80x24", s);
}
