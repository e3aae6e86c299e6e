//! Text editing state: a one-line input (search boxes, form fields) and a
//! multi-line area with soft wrapping (interview summaries). Pure state; the
//! ui draws them.
//!
//! Text is edited by grapheme cluster (`unicode-segmentation`): one
//! Backspace deletes `👩‍⚕️` (4 chars) or `é` typed as `e` + combining accent.
//! Positions on screen are display columns (`unicode-width`): a wide CJK
//! character takes two cells, a combining accent none. Cursors are byte
//! offsets into the text, always on a grapheme boundary.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Display width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Byte offset of the grapheme boundary before `at` (0 at the start).
fn prev_boundary(text: &str, at: usize) -> usize {
    text[..at]
        .grapheme_indices(true)
        .next_back()
        .map(|(b, _)| b)
        .unwrap_or(0)
}

/// Byte offset of the grapheme boundary after `at` (the end at the end).
fn next_boundary(text: &str, at: usize) -> usize {
    text[at..]
        .graphemes(true)
        .next()
        .map(|g| at + g.len())
        .unwrap_or(text.len())
}

/// The largest grapheme boundary `<= at` (a cursor set from outside may
/// point inside a cluster or past the end).
fn snap(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let mut last = 0;
    for (b, _) in text.grapheme_indices(true) {
        if b > at {
            break;
        }
        last = b;
    }
    last
}

/// Cuts `s` to at most `max` display columns, ending with `…` when cut;
/// never splits a grapheme.
pub fn truncate_width(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = width(g);
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// What a paste did: characters inserted, and characters left out because
/// the field was full (for "Texte collé tronqué à N caractères").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PasteOutcome {
    pub inserted: usize,
    pub dropped: usize,
    /// The field's length limit, when there is one.
    pub limit: Option<usize>,
}

impl PasteOutcome {
    /// The status message when part of the paste was left out.
    pub fn message(&self) -> Option<String> {
        if self.dropped == 0 {
            return None;
        }
        let s = |n: usize| if n > 1 { "s" } else { "" };
        Some(match self.limit {
            Some(l) => format!(
                "Texte collé tronqué à {l} caractère{} ({} caractère{} non collé{})",
                s(l),
                self.dropped,
                s(self.dropped),
                s(self.dropped)
            ),
            None => format!(
                "{} caractère{} non collé{}",
                self.dropped,
                s(self.dropped),
                s(self.dropped)
            ),
        })
    }
}

/// Direction embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069): invisible, they reorder what follows them on screen
/// (« Dupont\u{202e}xE » shows a different name), so pasted text and
/// displayed text drop them. Right-to-left letters themselves are kept.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Pasted text made fit for a field: `\r\n` and `\r` become `\n`; in a
/// one-line field line breaks become spaces (leading and trailing ones are
/// dropped); tabs become spaces; other control characters and direction
/// overrides ([`is_bidi_control`]) are dropped.
pub fn clean_paste(text: &str, single_line: bool) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = if single_line {
        text.trim_matches('\n')
    } else {
        text.as_str()
    };
    text.chars()
        .filter_map(|c| match c {
            '\n' if single_line => Some(' '),
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Inserts `s` at `*cursor` within `max_len` characters (None: no limit),
/// whole graphemes only; moves the cursor after it.
fn insert_limited(
    text: &mut String,
    cursor: &mut usize,
    s: &str,
    max_len: Option<usize>,
) -> PasteOutcome {
    let room = max_len.map_or(usize::MAX, |m| m.saturating_sub(text.chars().count()));
    let mut take = 0; // bytes of `s` that fit
    let mut inserted = 0;
    for g in s.graphemes(true) {
        let n = g.chars().count();
        if inserted + n > room {
            break;
        }
        inserted += n;
        take += g.len();
    }
    text.insert_str(*cursor, &s[..take]);
    *cursor += take;
    PasteOutcome {
        inserted,
        dropped: s.chars().count() - inserted,
        limit: max_len,
    }
}

/// Editing keys common to one-line and multi-line text: typing, deletion
/// and moving left/right. None when the key is not one of them; otherwise
/// whether the text changed.
fn edit_common(
    text: &mut String,
    cursor: &mut usize,
    key: &KeyEvent,
    max_len: Option<usize>,
) -> Option<bool> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    *cursor = snap(text, *cursor);
    Some(match key.code {
        KeyCode::Char(c) if !ctrl && !c.is_control() => {
            let mut buf = [0u8; 4];
            insert_limited(text, cursor, c.encode_utf8(&mut buf), max_len).inserted > 0
        }
        KeyCode::Backspace if *cursor > 0 => {
            let start = prev_boundary(text, *cursor);
            text.replace_range(start..*cursor, "");
            *cursor = start;
            true
        }
        KeyCode::Delete if *cursor < text.len() => {
            let end = next_boundary(text, *cursor);
            text.replace_range(*cursor..end, "");
            true
        }
        KeyCode::Left => {
            *cursor = prev_boundary(text, *cursor);
            false
        }
        KeyCode::Right => {
            *cursor = next_boundary(text, *cursor);
            false
        }
        _ => return None,
    })
}

/// The visible part of a one-line input in a given width: the text left and
/// right of the cursor, with `…` where it is cut.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputView {
    pub before: String,
    pub after: String,
    /// The whole text is selected (typing replaces it).
    pub selected: bool,
}

impl InputView {
    /// Display column of the cursor.
    pub fn cursor_col(&self) -> usize {
        width(&self.before)
    }

    pub fn text(&self) -> String {
        format!("{}{}", self.before, self.after)
    }
}

/// One line of text with a cursor (a byte offset on a grapheme boundary).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
    pub cursor: usize,
    /// The whole text is selected: typed or pasted text replaces it,
    /// Backspace empties it, a move keeps it.
    pub selected: bool,
}

impl TextInput {
    pub fn new(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.len(),
            selected: false,
        }
    }

    /// Selects the whole text (when there is one), cursor at the end: the
    /// next typed character replaces it.
    pub fn select_all(&mut self) {
        self.selected = !self.text.is_empty();
        self.cursor = self.text.len();
    }

    /// Length in characters (what length limits count).
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
        self.selected = false;
    }

    pub fn set(&mut self, s: &str) {
        self.text = s.to_string();
        self.cursor = self.text.len();
        self.selected = false;
    }

    pub fn insert(&mut self, c: char) {
        self.cursor = snap(&self.text, self.cursor);
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// Display column of the cursor in the whole text.
    pub fn cursor_col(&self) -> usize {
        width(&self.text[..snap(&self.text, self.cursor)])
    }

    /// Applies an editing key; returns true when the text changed.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        self.handle_limited(key, None)
    }

    /// Like [`TextInput::handle`], refusing to grow past `max_len` characters.
    pub fn handle_limited(&mut self, key: &KeyEvent, max_len: Option<usize>) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        self.cursor = snap(&self.text, self.cursor);
        if std::mem::take(&mut self.selected) {
            match key.code {
                KeyCode::Char(c) if !ctrl && !c.is_control() => self.clear(),
                KeyCode::Backspace | KeyCode::Delete => {
                    self.clear();
                    return true;
                }
                _ => {}
            }
        }
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let changed = !self.text.is_empty();
                self.clear();
                changed
            }
            KeyCode::Char('w') if ctrl => {
                let before = self.cursor;
                let head = &self.text[..before];
                let trimmed = head.trim_end_matches(char::is_whitespace);
                let start = trimmed
                    .grapheme_indices(true)
                    .rev()
                    .find(|(_, g)| g.chars().all(char::is_whitespace))
                    .map(|(b, g)| b + g.len())
                    .unwrap_or(0);
                self.text.replace_range(start..before, "");
                self.cursor = start;
                before != start
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = self.text.len();
                false
            }
            _ => edit_common(&mut self.text, &mut self.cursor, key, max_len).unwrap_or(false),
        }
    }

    /// Inserts pasted text at the cursor: see [`clean_paste`]; at most
    /// `max_len` characters in the field (None: no limit).
    pub fn paste(&mut self, text: &str, single_line: bool, max_len: Option<usize>) -> PasteOutcome {
        if std::mem::take(&mut self.selected) {
            self.clear();
        }
        self.cursor = snap(&self.text, self.cursor);
        let clean = clean_paste(text, single_line);
        insert_limited(&mut self.text, &mut self.cursor, &clean, max_len)
    }

    /// The part shown in `width` columns. With `cursor`, the cursor stays
    /// visible (one cell is kept for it) and `…` marks text cut on either
    /// side; without, the text is cut at the right with `…`.
    pub fn view(&self, width_cols: usize, cursor: bool) -> InputView {
        let selected = self.selected;
        if !cursor {
            return InputView {
                before: truncate_width(&self.text, width_cols),
                after: String::new(),
                selected,
            };
        }
        let gs: Vec<(usize, &str)> = self.text.grapheme_indices(true).collect();
        let ws: Vec<usize> = gs.iter().map(|(_, g)| width(g).max(1)).collect();
        let cur = snap(&self.text, self.cursor);
        let ci = gs.iter().position(|(b, _)| *b >= cur).unwrap_or(gs.len());
        let n = gs.len();
        let byte = |i: usize| gs.get(i).map_or(self.text.len(), |g| g.0);
        // Cell under the cursor: its grapheme, or one blank cell at the end.
        let cur_w = ws.get(ci).copied().unwrap_or(1);
        let total: usize = ws.iter().sum();
        if total + usize::from(ci == n) <= width_cols {
            return InputView {
                before: self.text[..cur].to_string(),
                after: self.text[cur..].to_string(),
                selected,
            };
        }
        // First visible grapheme: as far left as the cursor allows.
        let mut a = 0;
        loop {
            let lead = usize::from(a > 0);
            let tail = usize::from(ci + 1 < n);
            let used: usize = lead + ws[a..ci].iter().sum::<usize>() + cur_w + tail;
            if used <= width_cols || a >= ci {
                break;
            }
            a += 1;
        }
        let lead = usize::from(a > 0);
        let mut used = lead + ws[a..ci].iter().sum::<usize>();
        let mut b = ci;
        while b < n {
            let more = usize::from(b + 1 < n);
            if used + ws[b] + more > width_cols {
                break;
            }
            used += ws[b];
            b += 1;
        }
        let mut before = String::new();
        if a > 0 {
            before.push('…');
        }
        before.push_str(&self.text[byte(a)..cur]);
        let mut after = self.text[cur..byte(b)].to_string();
        if b < n {
            after.push('…');
        }
        InputView {
            before,
            after,
            selected,
        }
    }
}

/// Multi-line text with a cursor (a byte offset on a grapheme boundary)
/// and soft wrapping at `width` columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextArea {
    pub text: String,
    pub cursor: usize,
    /// Wrap width used for ↑/↓ (set from the layout by `update`).
    pub width: usize,
}

impl Default for TextArea {
    fn default() -> Self {
        TextArea {
            text: String::new(),
            cursor: 0,
            width: 60,
        }
    }
}

/// A visual line: byte range `[start, end)` of the text, without the newline.
pub type VisualLine = (usize, usize);

/// Soft-wraps text at `width` display columns, breaking after spaces where
/// possible (a word longer than the width is cut); `\n` ends a line.
pub fn wrap(text: &str, width_cols: usize) -> Vec<VisualLine> {
    let width_cols = width_cols.max(2);
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let end = line_start + line.len();
        let mut s = line_start;
        let mut used = 0;
        // Byte offset just after the last space of the current visual line.
        let mut brk: Option<usize> = None;
        for (b, g) in line.grapheme_indices(true) {
            let at = line_start + b;
            let w = width(g);
            if used + w > width_cols && at > s {
                let cut = brk.filter(|&k| k > s).unwrap_or(at);
                out.push((s, cut));
                used = width(&text[cut..at]);
                s = cut;
                brk = None;
            }
            used += w;
            if g == " " {
                brk = Some(at + 1);
            }
        }
        out.push((s, end));
        line_start = end + 1;
    }
    out
}

impl TextArea {
    pub fn new(text: &str) -> TextArea {
        TextArea {
            text: text.to_string(),
            cursor: text.len(),
            ..TextArea::default()
        }
    }

    /// (visual row, display column) of the cursor.
    pub fn cursor_pos(&self) -> (usize, usize) {
        let cursor = snap(&self.text, self.cursor);
        let lines = wrap(&self.text, self.width);
        let mut best = (0, 0);
        for (row, (s, e)) in lines.iter().enumerate() {
            if cursor >= *s && cursor <= *e {
                best = (row, width(&self.text[*s..cursor]));
                // Prefer the next line when the cursor sits exactly at a soft break.
                if cursor < *e || row + 1 == lines.len() || lines[row + 1].0 != *e {
                    return best;
                }
            }
        }
        best
    }

    /// Byte offset in visual line `[s, e)` at display column `col` (or the
    /// line's end).
    fn at_column(&self, (s, e): VisualLine, col: usize) -> usize {
        let mut used = 0;
        for (b, g) in self.text[s..e].grapheme_indices(true) {
            let w = width(g);
            if used + w > col {
                return s + b;
            }
            used += w;
        }
        e
    }

    fn move_vertical(&mut self, down: bool) {
        let lines = wrap(&self.text, self.width);
        let (row, col) = self.cursor_pos();
        let target = if down {
            if row + 1 >= lines.len() {
                return;
            }
            row + 1
        } else {
            if row == 0 {
                return;
            }
            row - 1
        };
        self.cursor = self.at_column(lines[target], col);
    }

    /// Applies an editing key; returns true when the text changed.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        self.handle_limited(key, None)
    }

    /// Like [`TextArea::handle`], refusing to grow past `max_len` characters.
    pub fn handle_limited(&mut self, key: &KeyEvent, max_len: Option<usize>) -> bool {
        self.cursor = snap(&self.text, self.cursor);
        match key.code {
            KeyCode::Enter => {
                insert_limited(&mut self.text, &mut self.cursor, "\n", max_len).inserted > 0
            }
            KeyCode::Up => {
                self.move_vertical(false);
                false
            }
            KeyCode::Down => {
                self.move_vertical(true);
                false
            }
            KeyCode::Home => {
                let lines = wrap(&self.text, self.width);
                let (row, _) = self.cursor_pos();
                self.cursor = lines[row].0;
                false
            }
            KeyCode::End => {
                let lines = wrap(&self.text, self.width);
                let (row, _) = self.cursor_pos();
                self.cursor = lines[row].1;
                false
            }
            _ => edit_common(&mut self.text, &mut self.cursor, key, max_len).unwrap_or(false),
        }
    }

    /// Inserts pasted text (line breaks kept) at the cursor, at most
    /// `max_len` characters in the field (None: no limit).
    pub fn paste(&mut self, text: &str, max_len: Option<usize>) -> PasteOutcome {
        self.cursor = snap(&self.text, self.cursor);
        let clean = clean_paste(text, false);
        insert_limited(&mut self.text, &mut self.cursor, &clean, max_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(c, KeyModifiers::NONE, KeyEventKind::Press)
    }

    #[test]
    fn input_edits_with_accents() {
        let mut t = TextInput::new("éduc");
        assert!(t.handle(&k(KeyCode::Char('a'))));
        assert_eq!(t.text, "éduca");
        t.handle(&k(KeyCode::Home));
        t.handle(&k(KeyCode::Delete));
        assert_eq!(t.text, "duca");
        t.handle(&k(KeyCode::End));
        t.handle(&k(KeyCode::Backspace));
        assert_eq!(t.text, "duc");
        let ctrl_w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL);
        let mut t = TextInput::new("aide soignant");
        t.handle(&ctrl_w);
        assert_eq!(t.text, "aide ");
        t.handle(&ctrl_w);
        assert_eq!(t.text, "");
        assert!(!t.handle(&ctrl_w));
    }

    /// 👩‍⚕️ is 4 chars (woman, ZWJ, staff of Aesculapius, VS16) and one
    /// grapheme: one Backspace, one ←, two cells.
    #[test]
    fn emoji_zwj_sequence_is_one_grapheme() {
        let mut t = TextInput::new("a👩‍⚕️b");
        assert_eq!(t.len(), 6);
        t.handle(&k(KeyCode::Left));
        assert_eq!(t.cursor_col(), 3, "a (1) + 👩‍⚕️ (2)");
        t.handle(&k(KeyCode::Left));
        assert_eq!(t.cursor_col(), 1);
        t.handle(&k(KeyCode::Right));
        assert_eq!(t.cursor_col(), 3);
        assert!(t.handle(&k(KeyCode::Backspace)));
        assert_eq!(t.text, "ab");
        assert_eq!(t.cursor_col(), 1);
        let mut t = TextInput::new("👩‍⚕️");
        t.handle(&k(KeyCode::Home));
        t.handle(&k(KeyCode::Delete));
        assert!(t.is_empty());
    }

    #[test]
    fn combining_accents_and_wide_chars_keep_the_cursor_aligned() {
        // "e" + combining acute: two chars, one grapheme, one cell.
        let mut t = TextInput::new("e\u{301}te\u{301}");
        assert_eq!(t.cursor_col(), 3);
        t.handle(&k(KeyCode::Left));
        assert_eq!(t.cursor_col(), 2);
        t.handle(&k(KeyCode::Backspace));
        assert_eq!(t.text, "e\u{301}e\u{301}");
        assert_eq!(t.cursor_col(), 1);
        // CJK: two cells per character.
        let mut t = TextInput::new("日本語");
        assert_eq!(t.cursor_col(), 6);
        t.handle(&k(KeyCode::Left));
        assert_eq!(t.cursor_col(), 4);
        t.insert('x');
        assert_eq!(t.text, "日本x語");
        assert_eq!(t.cursor_col(), 5);
        // A cursor set from outside inside a cluster snaps back to its start.
        let mut t = TextInput::new("e\u{301}");
        t.cursor = 1;
        assert_eq!(t.cursor_col(), 0);
        t.handle(&k(KeyCode::Char('x')));
        assert_eq!(t.text, "xe\u{301}");
    }

    #[test]
    fn a_selected_text_is_replaced_by_what_is_typed() {
        let mut t = TextInput::new("educ jeun");
        t.select_all();
        assert!(t.view(20, true).selected);
        assert!(t.handle(&k(KeyCode::Char('t'))));
        assert_eq!(t.text, "t");
        assert!(!t.selected);
        // Backspace empties a selection.
        t.select_all();
        assert!(t.handle(&k(KeyCode::Backspace)));
        assert!(t.is_empty());
        // A move keeps the text and drops the selection.
        let mut t = TextInput::new("tisf");
        t.select_all();
        assert!(!t.handle(&k(KeyCode::Left)));
        assert_eq!((t.text.as_str(), t.selected), ("tisf", false));
        t.handle(&k(KeyCode::Char('x')));
        assert_eq!(t.text, "tisxf");
        // A paste replaces it too; an empty text is never selected.
        t.select_all();
        t.paste("aes", true, None);
        assert_eq!(t.text, "aes");
        let mut e = TextInput::default();
        e.select_all();
        assert!(!e.selected);
    }

    #[test]
    fn typing_stops_at_the_length_limit() {
        let mut t = TextInput::new("abc");
        assert!(!t.handle_limited(&k(KeyCode::Char('d')), Some(3)));
        assert_eq!(t.text, "abc");
        assert!(t.handle_limited(&k(KeyCode::Char('d')), Some(4)));
        assert_eq!(t.text, "abcd");
        // Control characters are never typed into a field.
        assert!(!t.handle(&k(KeyCode::Char('\u{7}'))));
    }

    #[test]
    fn paste_cleans_and_limits() {
        let mut t = TextInput::new("");
        let out = t.paste("Dupont\r\nLéa\tMartin\u{1b}[0m\n", true, None);
        assert_eq!(t.text, "Dupont Léa Martin[0m");
        assert_eq!((out.inserted, out.dropped), (20, 0));
        assert_eq!(out.message(), None);
        // Inserted at the cursor.
        let mut t = TextInput::new("ab");
        t.handle(&k(KeyCode::Left));
        t.paste("XY", true, None);
        assert_eq!(t.text, "aXYb");
        assert_eq!(t.cursor, 3);
        // Limit: whole graphemes only, the rest is reported.
        let mut t = TextInput::new("123");
        let out = t.paste("ab👩‍⚕️cd", true, Some(6));
        assert_eq!(t.text, "123ab");
        assert_eq!((out.inserted, out.dropped), (2, 6));
        assert_eq!(
            out.message().as_deref(),
            Some("Texte collé tronqué à 6 caractères (6 caractères non collés)")
        );
        let out = t.paste("z", true, Some(5));
        assert_eq!((out.inserted, out.dropped), (0, 1));
        assert_eq!(
            out.message().as_deref(),
            Some("Texte collé tronqué à 5 caractères (1 caractère non collé)")
        );
        // A multi-line area keeps line breaks, normalised.
        let mut a = TextArea::new("");
        let out = a.paste("un\r\ndeux\rtrois\n", None);
        assert_eq!(a.text, "un\ndeux\ntrois\n");
        assert_eq!(out.dropped, 0);
        let big = "é".repeat(20_500);
        let mut a = TextArea::new("");
        let out = a.paste(&big, Some(20_000));
        assert_eq!(a.text.chars().count(), 20_000);
        assert_eq!((out.inserted, out.dropped), (20_000, 500));
        assert_eq!(a.cursor, a.text.len());
    }

    #[test]
    fn truncation_counts_cells_and_keeps_graphemes() {
        assert_eq!(truncate_width("Éducateur", 20), "Éducateur");
        assert_eq!(truncate_width("Éducateur", 5), "Éduc…");
        assert_eq!(truncate_width("日本語テキスト", 6), "日本…");
        assert_eq!(truncate_width("a👩‍⚕️b", 3), "a…");
        assert_eq!(truncate_width("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
        assert_eq!(truncate_width("abc", 0), "");
    }

    #[test]
    fn view_keeps_the_cursor_visible_with_ellipses() {
        let t = TextInput::new("0123456789");
        // Fits with the cursor cell at the end.
        assert_eq!(t.view(11, true).text(), "0123456789");
        // Cursor at the end: the start is cut.
        let v = t.view(8, true);
        assert_eq!(v.before, "…456789");
        assert_eq!(v.cursor_col(), 7);
        // Cursor at the start: the end is cut.
        let mut t2 = t.clone();
        t2.cursor = 0;
        let v = t2.view(8, true);
        // The cursor sits on '0': no extra cell needed.
        assert_eq!((v.before.as_str(), v.after.as_str()), ("", "0123456…"));
        // Cursor in the middle: both sides may be cut, cursor inside.
        let mut t3 = t.clone();
        t3.cursor = 7;
        let v = t3.view(5, true);
        assert_eq!(v.text().chars().count(), 5);
        assert!(v.before.starts_with('…') && v.after.ends_with('…'), "{v:?}");
        assert!(v.after.starts_with('7'));
        // Without cursor: plain truncation.
        assert_eq!(t.view(5, false).text(), "0123…");
        // Wide characters: never more cells than given.
        let w = TextInput::new("日本語日本語日本語");
        let v = w.view(7, true);
        assert!(width(&v.text()) < 7, "cursor cell included: {v:?}");
        assert_eq!(v.cursor_col(), width(&v.before));
    }

    #[test]
    fn wraps_at_spaces_and_hard_breaks() {
        let w = wrap("abc def ghi", 7);
        assert_eq!(w, vec![(0, 4), (4, 11)]);
        let w = wrap("ab\ncd", 10);
        assert_eq!(w, vec![(0, 2), (3, 5)]);
        let w = wrap("abcdefghij", 4);
        assert_eq!(w, vec![(0, 4), (4, 8), (8, 10)]);
        assert_eq!(wrap("", 5), vec![(0, 0)]);
        // By display width: 4 CJK chars (8 cells) in 5 columns.
        let s = "日本語日";
        let w = wrap(s, 5);
        assert_eq!(w.len(), 2);
        assert_eq!(&s[w[0].0..w[0].1], "日本");
        // Accents do not count as columns.
        let s = "e\u{301}te\u{301} e\u{301}te\u{301}";
        assert_eq!(wrap(s, 7).len(), 1);
    }

    #[test]
    fn area_moves_by_visual_lines() {
        let mut a = TextArea::new("premier point\nsecond point très long qui déborde");
        a.width = 14;
        a.cursor = 2;
        a.handle(&k(KeyCode::Down));
        assert_eq!(a.cursor_pos(), (1, 2));
        a.handle(&k(KeyCode::Down));
        assert_eq!(a.cursor_pos().0, 2);
        a.handle(&k(KeyCode::Up));
        a.handle(&k(KeyCode::Up));
        assert_eq!(a.cursor, 2);
        a.handle(&k(KeyCode::End));
        a.handle(&k(KeyCode::Enter));
        a.handle(&k(KeyCode::Char('x')));
        assert!(a.text.starts_with("premier point\nx\nsecond"));
        // ↓ keeps the display column over wide characters.
        let mut a = TextArea::new("日本語\nabcdef");
        a.cursor = "日".len();
        assert_eq!(a.cursor_pos(), (0, 2));
        a.handle(&k(KeyCode::Down));
        assert_eq!(a.cursor_pos(), (1, 2));
        // Backspace in an area deletes a whole grapheme.
        let mut a = TextArea::new("ok 👩‍⚕️");
        a.handle(&k(KeyCode::Backspace));
        assert_eq!(a.text, "ok ");
        // Enter respects the limit.
        assert!(!a.handle_limited(&k(KeyCode::Enter), Some(3)));
    }
}
