//! Routing of a bracketed paste (one `Event::Paste`) to the text box that
//! has the focus. The insertion itself is [`TextInput::paste`] /
//! [`Form::paste`] (graphemes, line breaks, length limits); this module
//! only decides where the text goes.

use super::form::{Form, Input};
use super::text::{PasteOutcome, TextInput};

/// Longest text a search box or the palette keeps from a paste.
pub const SEARCH_MAX: usize = 200;

/// Pastes into a one-line search box (list, Métiers, palette): line breaks
/// become spaces, at most [`SEARCH_MAX`] characters.
pub fn paste_line(input: &mut TextInput, pasted: &str) -> PasteOutcome {
    input.paste(pasted, true, Some(SEARCH_MAX))
}

/// Pastes into the focused field of a form (line breaks kept in a
/// multi-line field, the field's length limit enforced); the form is
/// revalidated. None when the focused field takes no text (a choice).
pub fn paste_into_form(form: &mut Form, pasted: &str) -> Option<PasteOutcome> {
    let field = form.fields.get(form.focus)?;
    if matches!(field.input, Input::Choice { .. }) {
        return None;
    }
    Some(form.paste(pasted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::form::Field;

    #[test]
    fn a_paste_lands_whole_at_the_cursor_and_search_boxes_have_a_limit() {
        let mut t = TextInput::new("ab");
        t.cursor = 1;
        let out = paste_line(&mut t, "XéY");
        assert_eq!(out.dropped, 0);
        assert_eq!(t.text, "aXéYb");
        let mut t = TextInput::default();
        let out = paste_line(&mut t, &"x".repeat(SEARCH_MAX + 5));
        assert_eq!(out.dropped, 5);
        assert!(out.message().is_some());
    }

    #[test]
    fn line_breaks_become_spaces_in_one_line_and_stay_in_areas() {
        let mut t = TextInput::default();
        paste_line(&mut t, "un\r\ndeux\ntrois");
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
}
