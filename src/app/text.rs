//! Text editing state: a one-line input (search boxes, form fields) and a
//! multi-line area with soft wrapping (interview summaries). Pure state; the
//! ui draws them.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn byte_at(text: &str, char_idx: usize) -> usize {
    text.char_indices()
        .nth(char_idx)
        .map(|(b, _)| b)
        .unwrap_or(text.len())
}

/// Editing keys common to one-line and multi-line text: typing, deletion
/// and moving left/right. None when the key is not one of them; otherwise
/// whether the text changed.
fn edit_common(text: &mut String, cursor: &mut usize, key: &KeyEvent) -> Option<bool> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let len = text.chars().count();
    Some(match key.code {
        KeyCode::Char(c) if !ctrl => {
            text.insert(byte_at(text, *cursor), c);
            *cursor += 1;
            true
        }
        KeyCode::Backspace if *cursor > 0 => {
            *cursor -= 1;
            text.remove(byte_at(text, *cursor));
            true
        }
        KeyCode::Delete if *cursor < len => {
            text.remove(byte_at(text, *cursor));
            true
        }
        KeyCode::Left => {
            *cursor = cursor.saturating_sub(1);
            false
        }
        KeyCode::Right => {
            *cursor = (*cursor + 1).min(len);
            false
        }
        _ => return None,
    })
}

/// One line of text with a cursor (in chars).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
    pub cursor: usize,
}

impl TextInput {
    pub fn new(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        byte_at(&self.text, char_idx)
    }

    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    pub fn set(&mut self, s: &str) {
        self.text = s.to_string();
        self.cursor = self.len();
    }

    pub fn insert(&mut self, c: char) {
        let b = self.byte_at(self.cursor);
        self.text.insert(b, c);
        self.cursor += 1;
    }

    /// Applies an editing key; returns true when the text changed.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let changed = !self.text.is_empty();
                self.clear();
                changed
            }
            KeyCode::Char('w') if ctrl => {
                let before = self.cursor;
                let chars: Vec<char> = self.text.chars().collect();
                let mut i = before;
                while i > 0 && chars[i - 1] == ' ' {
                    i -= 1;
                }
                while i > 0 && chars[i - 1] != ' ' {
                    i -= 1;
                }
                let (a, b) = (self.byte_at(i), self.byte_at(before));
                self.text.replace_range(a..b, "");
                self.cursor = i;
                before != i
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = self.len();
                false
            }
            _ => edit_common(&mut self.text, &mut self.cursor, key).unwrap_or(false),
        }
    }
}

/// Multi-line text with a cursor (in chars over the whole text) and soft
/// wrapping at `width` columns.
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

/// A visual line: char range `[start, end)` of the text, without the newline.
pub type VisualLine = (usize, usize);

/// Soft-wraps text at `width` columns, breaking after spaces where possible.
pub fn wrap(text: &str, width: usize) -> Vec<VisualLine> {
    let width = width.max(2);
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut line_start = 0;
    let mut i = 0;
    while i <= chars.len() {
        if i == chars.len() || chars[i] == '\n' {
            // Wrap the logical line [line_start, i).
            let mut s = line_start;
            while i - s > width {
                let limit = s + width;
                let brk = (s + 1..=limit)
                    .rev()
                    .find(|&j| chars[j - 1] == ' ')
                    .unwrap_or(limit);
                out.push((s, brk));
                s = brk;
            }
            out.push((s, i));
            line_start = i + 1;
        }
        i += 1;
    }
    out
}

impl TextArea {
    pub fn new(text: &str) -> TextArea {
        TextArea {
            text: text.to_string(),
            cursor: text.chars().count(),
            ..TextArea::default()
        }
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        byte_at(&self.text, char_idx)
    }

    /// (visual row, column) of the cursor.
    pub fn cursor_pos(&self) -> (usize, usize) {
        let lines = wrap(&self.text, self.width);
        let mut best = (0, 0);
        for (row, (s, e)) in lines.iter().enumerate() {
            if self.cursor >= *s && self.cursor <= *e {
                best = (row, self.cursor - s);
                // Prefer the next line when the cursor sits exactly at a soft break.
                if self.cursor < *e || row + 1 == lines.len() || lines[row + 1].0 != *e {
                    return best;
                }
            }
        }
        best
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
        let (s, e) = lines[target];
        self.cursor = (s + col).min(e);
    }

    /// Applies an editing key; returns true when the text changed.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Enter => {
                let b = self.byte_at(self.cursor);
                self.text.insert(b, '\n');
                self.cursor += 1;
                true
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
            _ => edit_common(&mut self.text, &mut self.cursor, key).unwrap_or(false),
        }
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
    }
}
