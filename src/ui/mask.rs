//! The names half of « masquer les données personnelles » (see
//! [`crate::app::privacy`]): once a frame is drawn, every word on screen
//! that is a known person's name keeps its first letter and the rest of
//! its cells become `•` — in lists, headers, form titles, agenda lines,
//! dialogs and status messages alike, so no screen can forget it. The
//! width of each word is kept: columns stay aligned.

use crate::app::privacy::BLUR;
use crate::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

/// Whether a cell's grapheme is part of a word (letters, digits; an
/// accent is inside its letter's cell).
fn is_word_cell(symbol: &str) -> bool {
    symbol.chars().next().is_some_and(char::is_alphanumeric)
}

/// Blurs the names in `area` of the drawn buffer.
pub fn blur_names(app: &App, buf: &mut Buffer, area: Rect) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        // The word being read: its cells (x, width) and its text.
        let mut cells: Vec<(u16, u16)> = Vec::new();
        let mut word = String::new();
        let mut x = area.left();
        while x <= area.right() {
            let cell = (x < area.right()).then(|| buf[(x, y)].symbol().to_string());
            let w = cell
                .as_deref()
                .map_or(1, |s| UnicodeWidthStr::width(s).max(1) as u16);
            match cell {
                Some(s) if is_word_cell(&s) => {
                    cells.push((x, w));
                    word.push_str(&s);
                }
                _ => {
                    if cells.len() > 1 && app.privacy.is_name(&word) {
                        blur(buf, y, &cells[1..], area.right());
                    }
                    cells.clear();
                    word.clear();
                }
            }
            x = x.saturating_add(w);
        }
    }
}

/// Replaces the cells of the graphemes at `cells` (a wide one covers two
/// cells) with `•`, in the style of each grapheme.
fn blur(buf: &mut Buffer, y: u16, cells: &[(u16, u16)], right: u16) {
    for &(x, w) in cells {
        let style = buf[(x, y)].style();
        for dx in 0..w {
            if x + dx < right {
                buf[(x + dx, y)].set_symbol(BLUR).set_style(style);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Style};

    fn app_with(names: &[&str]) -> App {
        let mut a = App::for_tests();
        a.privacy.masked = true;
        a.privacy.refresh(names.iter().copied());
        a
    }

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect::<String>()
    }

    #[test]
    fn names_keep_their_initial_and_width_other_words_stay() {
        let a = app_with(&["DUPONT", "Léa", "Jean-Pierre"]);
        let area = Rect::new(0, 0, 40, 2);
        let mut buf = Buffer::empty(area);
        buf.set_string(0, 0, "DUPONT Léa · ÉCLAT · Dupontel", Style::default());
        buf.set_string(
            0,
            1,
            "Suivi Jean-Pierre, léa.",
            Style::default().fg(Color::Red),
        );
        blur_names(&a, &mut buf, area);
        assert_eq!(row(&buf, 0).trim_end(), "D••••• L•• · ÉCLAT · Dupontel");
        assert_eq!(row(&buf, 1).trim_end(), "Suivi J•••-P•••••, l••.");
        assert_eq!(buf[(7, 1)].style().fg, Some(Color::Red), "style kept");
    }

    #[test]
    fn wide_letters_and_other_scripts_are_blurred_cell_by_cell() {
        let a = app_with(&["王小明", "محمد"]);
        let area = Rect::new(0, 0, 20, 1);
        let mut buf = Buffer::empty(area);
        buf.set_string(0, 0, "王小明 محمد x", Style::default());
        blur_names(&a, &mut buf, area);
        // 王 kept (two cells), 小明 → four bullets; محمد → م + 3 bullets.
        assert_eq!(row(&buf, 0).trim_end(), "王 •••• م••• x");
    }

    #[test]
    fn nothing_changes_when_the_mode_is_off() {
        let mut a = app_with(&["DUPONT"]);
        a.privacy.masked = false;
        let area = Rect::new(0, 0, 10, 1);
        let mut buf = Buffer::empty(area);
        buf.set_string(0, 0, "DUPONT", Style::default());
        blur_names(&a, &mut buf, area);
        assert_eq!(row(&buf, 0).trim_end(), "DUPONT");
    }
}
