//! Routing of a bracketed paste (one `Event::Paste`) to the text box that
//! has the focus, and the French message when it was cut.
//!
//! The insertion itself is a stand-in: replaced by `TextInput::paste` at
//! merge (the text-input work owns `app/text.rs`).

use super::form::{Field, Form, Input};
use super::text::TextInput;

/// What a paste did.
// replaced by TextInput::paste at merge (its `PasteOutcome`)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PasteOutcome {
    /// Part of the text was left out (length limit).
    pub truncated: bool,
}

/// Most characters a pasted text brings into one box: beyond, it is cut
/// (and said so) instead of freezing the screen on a huge clipboard.
pub const PASTE_MAX: usize = 100_000;

/// Message for the status bar after a cut paste.
pub fn truncated_message(max: usize) -> String {
    format!("Collage tronqué : {max} caractères au plus dans ce champ")
}

// replaced by TextInput::paste at merge
fn insert(
    text: &mut String,
    cursor: &mut usize,
    pasted: &str,
    single_line: bool,
    max: usize,
) -> PasteOutcome {
    let room = max.saturating_sub(text.chars().count());
    let clean: String = pasted
        .replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' if single_line => ' ',
            '\r' => '\n',
            '\t' => ' ',
            c => c,
        })
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    let kept: String = clean.chars().take(room).collect();
    let truncated = kept.chars().count() < clean.chars().count();
    let at = text
        .char_indices()
        .nth(*cursor)
        .map(|(b, _)| b)
        .unwrap_or(text.len());
    text.insert_str(at, &kept);
    *cursor += kept.chars().count();
    PasteOutcome { truncated }
}

/// Pastes into a one-line text box (search box, palette): line breaks
/// become spaces.
// replaced by TextInput::paste at merge
pub fn paste_line(input: &mut TextInput, pasted: &str, max: Option<usize>) -> PasteOutcome {
    let max = max.unwrap_or(PASTE_MAX);
    insert(&mut input.text, &mut input.cursor, pasted, true, max)
}

/// Pastes into the focused field of a form (line breaks kept in a
/// multi-line field); the form is revalidated. None when the focused field
/// takes no text (a choice).
pub fn paste_into_form(form: &mut Form, pasted: &str) -> Option<PasteOutcome> {
    let field: &mut Field = form.fields.get_mut(form.focus)?;
    let out = match &mut field.input {
        Input::Text(t) => paste_line(t, pasted, None),
        Input::Area(a) => insert(&mut a.text, &mut a.cursor, pasted, false, PASTE_MAX),
        Input::Choice { .. } => return None,
    };
    field.touched = true;
    form.validate();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::form::Field;

    #[test]
    fn a_paste_lands_whole_at_the_cursor() {
        let mut t = TextInput::new("ab");
        t.cursor = 1;
        assert_eq!(paste_line(&mut t, "XéY", None), PasteOutcome::default());
        assert_eq!(t.text, "aXéYb");
        assert_eq!(t.cursor, 4);
    }

    #[test]
    fn line_breaks_become_spaces_in_one_line_and_stay_in_areas() {
        let mut t = TextInput::default();
        paste_line(&mut t, "un\r\ndeux\ntrois", None);
        assert_eq!(t.text, "un deux trois");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let mut f = Form::new(
            "Essai",
            vec![Field::text("a", "A", ""), Field::area("b", "B", "")],
            today,
        );
        f.focus = 1;
        paste_into_form(&mut f, "un\r\ndeux").unwrap();
        assert_eq!(f.value("b"), "un\ndeux");
        assert!(f.fields[1].touched);
    }

    #[test]
    fn a_long_paste_is_cut_at_the_limit_and_says_so() {
        let mut t = TextInput::new("abc");
        let out = paste_line(&mut t, &"x".repeat(30), Some(10));
        assert!(out.truncated);
        assert_eq!(t.text.chars().count(), 10);
        let mut t = TextInput::default();
        let big = "é".repeat(PASTE_MAX);
        assert!(
            !paste_line(&mut t, &big, None).truncated,
            "exactly the limit"
        );
        assert!(paste_line(&mut t, "x", None).truncated, "one more is cut");
        assert_eq!(t.text.chars().count(), PASTE_MAX);
    }
}
