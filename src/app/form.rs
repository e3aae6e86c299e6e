//! A reusable form model: one column of labelled fields, each validated as
//! it is typed, with dirty tracking and focus. Pure state: `ui::widgets::form`
//! draws it, the screen's `update` feeds it keys and reads typed values.

use super::text::{TextArea, TextInput};
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a validator sees besides the field's own text: the date of today and
/// the raw text of every field of the form (for cross-field rules).
pub struct Ctx<'a> {
    pub today: NaiveDate,
    fields: &'a [Field],
}

impl Ctx<'_> {
    /// Raw text of another field (empty when unknown).
    pub fn value(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(Field::value)
            .unwrap_or_default()
    }
}

/// `Ok(None)`: valid. `Ok(Some(hint))`: valid, with a hint shown next to
/// the field (e.g. the resolved branch name). `Err(message)`: invalid, in French.
pub type Validation = Result<Option<String>, String>;

/// A field validator. A plain `fn` so that forms stay `Clone` and `Debug`.
pub type Validator = fn(&str, &Ctx) -> Validation;

/// How a field is edited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Text(TextInput),
    /// Several lines with soft wrapping.
    Area(TextArea),
    /// One of a fixed list, cycled with ←/→ or Espace (or the first letter).
    Choice {
        options: Vec<String>,
        selected: usize,
    },
}

#[derive(Clone, Debug)]
pub struct Field {
    /// Stable key used by the screen to read the value.
    pub key: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
    pub validator: Option<Validator>,
    /// Section title shown above the field (starts a group).
    pub section: Option<&'static str>,
    /// Grey text shown in an empty field.
    pub placeholder: &'static str,
    /// The value the form was opened with (dirty tracking).
    pub initial: String,
    /// Set once the user typed in the field or tried to save: from then on
    /// its error is shown.
    pub touched: bool,
    pub error: Option<String>,
    pub hint: Option<String>,
}

impl Field {
    fn new(key: &'static str, label: &'static str, input: Input) -> Field {
        let mut f = Field {
            key,
            label,
            input,
            required: false,
            validator: None,
            section: None,
            placeholder: "",
            initial: String::new(),
            touched: false,
            error: None,
            hint: None,
        };
        f.initial = f.value();
        f
    }

    /// A one-line text field.
    pub fn text(key: &'static str, label: &'static str, value: &str) -> Field {
        Field::new(key, label, Input::Text(TextInput::new(value)))
    }

    /// A multi-line text field.
    pub fn area(key: &'static str, label: &'static str, value: &str) -> Field {
        Field::new(key, label, Input::Area(TextArea::new(value)))
    }

    /// A choice among `options`, starting at `selected`.
    pub fn choice(
        key: &'static str,
        label: &'static str,
        options: &[&str],
        selected: usize,
    ) -> Field {
        let options: Vec<String> = options.iter().map(|s| s.to_string()).collect();
        let selected = selected.min(options.len().saturating_sub(1));
        Field::new(key, label, Input::Choice { options, selected })
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn validate_with(mut self, v: Validator) -> Field {
        self.validator = Some(v);
        self
    }

    pub fn section(mut self, title: &'static str) -> Field {
        self.section = Some(title);
        self
    }

    pub fn placeholder(mut self, p: &'static str) -> Field {
        self.placeholder = p;
        self
    }

    /// The raw text (the label of the chosen option for a choice).
    pub fn value(&self) -> String {
        match &self.input {
            Input::Text(t) => t.text.clone(),
            Input::Area(a) => a.text.clone(),
            Input::Choice { options, selected } => {
                options.get(*selected).cloned().unwrap_or_default()
            }
        }
    }

    /// Index of the chosen option (0 for text fields).
    pub fn selected(&self) -> usize {
        match &self.input {
            Input::Choice { selected, .. } => *selected,
            _ => 0,
        }
    }

    pub fn is_multiline(&self) -> bool {
        matches!(self.input, Input::Area(_))
    }

    pub fn is_choice(&self) -> bool {
        matches!(self.input, Input::Choice { .. })
    }

    /// Replaces the value (text fields; for a choice, selects the option
    /// with that label if any).
    pub fn set_value(&mut self, v: &str) {
        match &mut self.input {
            Input::Text(t) => t.set(v),
            Input::Area(a) => *a = TextArea::new(v),
            Input::Choice { options, selected } => {
                if let Some(i) = options.iter().position(|o| o == v) {
                    *selected = i;
                }
            }
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.value() != self.initial
    }

    /// The error to show now (only once touched).
    pub fn shown_error(&self) -> Option<&str> {
        if self.touched {
            self.error.as_deref()
        } else {
            None
        }
    }

    /// Applies an editing key; true when the value changed.
    fn handle(&mut self, key: &KeyEvent, area_width: usize) -> bool {
        match &mut self.input {
            Input::Text(t) => t.handle(key),
            Input::Area(a) => {
                a.width = area_width.max(10);
                a.handle(key)
            }
            Input::Choice { options, selected } => {
                let n = options.len();
                if n == 0 {
                    return false;
                }
                let before = *selected;
                match key.code {
                    KeyCode::Right | KeyCode::Char(' ') => *selected = (*selected + 1) % n,
                    KeyCode::Left => *selected = (*selected + n - 1) % n,
                    KeyCode::Home => *selected = 0,
                    KeyCode::End => *selected = n - 1,
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        let c = fold_first(c);
                        if let Some(i) = (1..=n)
                            .map(|k| (before + k) % n)
                            .find(|&i| options[i].chars().next().map(fold_first) == Some(c))
                        {
                            *selected = i;
                        }
                    }
                    _ => {}
                }
                *selected != before
            }
        }
    }
}

/// Lowercase without accent (the app's folding), for "type the first
/// letter" in a choice: `É` → `e`.
fn fold_first(c: char) -> char {
    let mut first = None;
    crate::catalog::fold::fold_char(c, &mut |f| {
        first.get_or_insert(f);
    });
    first.unwrap_or(c)
}

/// A form: fields in one column, a focus, the date used by validators.
#[derive(Clone, Debug)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub today: NaiveDate,
}

/// Width of the label column, shared by the widget and the text-area wrap width.
pub const LABEL_WIDTH: usize = 24;

/// Columns left for a field's value in a form drawn `total_width` wide
/// (borders and the label column removed). Used by the widget and by
/// `update` for the text-area wrap width, so both agree.
/// Wrap width of multi-line fields: the whole width right of the labels
/// (their rare errors go below them).
pub fn area_width(total_width: u16) -> usize {
    (total_width as usize)
        .saturating_sub(LABEL_WIDTH + 6)
        .clamp(16, 90)
}

pub fn value_width(total_width: u16) -> usize {
    let inner = (total_width as usize).saturating_sub(4);
    let rest = inner.saturating_sub(LABEL_WIDTH + 1);
    // Keep about half for the error at the right.
    (rest / 2).clamp(16, 60)
}

impl Form {
    pub fn new(title: impl Into<String>, fields: Vec<Field>, today: NaiveDate) -> Form {
        let mut f = Form {
            title: title.into(),
            fields,
            focus: 0,
            today,
        };
        f.validate();
        f
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    /// Raw text of a field (empty when unknown).
    pub fn value(&self, key: &str) -> String {
        self.field(key).map(Field::value).unwrap_or_default()
    }

    /// Chosen option index of a choice field.
    pub fn selected(&self, key: &str) -> usize {
        self.field(key).map(Field::selected).unwrap_or(0)
    }

    /// Sets a value programmatically (not a user edit: `initial` unchanged).
    pub fn set(&mut self, key: &str, v: &str) {
        if let Some(f) = self.field_mut(key) {
            f.set_value(v);
        }
        self.validate();
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn focused_is_multiline(&self) -> bool {
        self.focused().is_some_and(Field::is_multiline)
    }

    pub fn next(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + 1) % self.fields.len();
        }
    }

    pub fn prev(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        }
    }

    /// Sends a key to the focused field; revalidates. True when a value changed.
    pub fn handle_key(&mut self, key: &KeyEvent, area_width: usize) -> bool {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return false;
        };
        let changed = f.handle(key, area_width);
        if changed {
            f.touched = true;
            self.validate();
        }
        changed
    }

    /// Runs every validator (and the required rule).
    pub fn validate(&mut self) {
        let results: Vec<Validation> = {
            let ctx = Ctx {
                today: self.today,
                fields: &self.fields,
            };
            self.fields
                .iter()
                .map(|f| {
                    let v = f.value();
                    if f.required && v.trim().is_empty() {
                        return Err(format!("{} obligatoire", f.label));
                    }
                    match f.validator {
                        Some(check) => check(&v, &ctx),
                        None => Ok(None),
                    }
                })
                .collect()
        };
        for (f, r) in self.fields.iter_mut().zip(results) {
            match r {
                Ok(hint) => {
                    f.error = None;
                    f.hint = hint;
                }
                Err(e) => {
                    f.error = Some(e);
                    f.hint = None;
                }
            }
        }
    }

    /// Index of the first invalid field.
    pub fn first_error(&self) -> Option<usize> {
        self.fields.iter().position(|f| f.error.is_some())
    }

    pub fn is_valid(&self) -> bool {
        self.first_error().is_none()
    }

    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(Field::is_dirty)
    }

    /// Before a save: shows every error; when one exists, moves the focus to
    /// the first and returns its index.
    pub fn check_submit(&mut self) -> Result<(), usize> {
        self.validate();
        for f in &mut self.fields {
            f.touched = true;
        }
        match self.first_error() {
            Some(i) => {
                self.focus = i;
                Err(i)
            }
            None => Ok(()),
        }
    }

    /// Number of invalid fields.
    pub fn error_count(&self) -> usize {
        self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(c, KeyModifiers::NONE, KeyEventKind::Press)
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn digits(s: &str, _: &Ctx) -> Validation {
        if s.chars().all(|c| c.is_ascii_digit()) {
            Ok(None)
        } else {
            Err("chiffres seulement".into())
        }
    }

    fn needs_other(s: &str, ctx: &Ctx) -> Validation {
        if ctx.value("statut") == "clos" && s.trim().is_empty() {
            Err("motif obligatoire".into())
        } else {
            Ok(None)
        }
    }

    fn form() -> Form {
        Form::new(
            "Essai",
            vec![
                Field::text("nom", "Nom", "").required(),
                Field::text("n", "Nombre", "12").validate_with(digits),
                Field::choice("statut", "Statut", &["ouvert", "clos"], 0),
                Field::text("motif", "Motif", "").validate_with(needs_other),
                Field::area("notes", "Notes", ""),
            ],
            today(),
        )
    }

    #[test]
    fn validates_as_typed_and_shows_errors_once_touched() {
        let mut f = form();
        assert_eq!(f.first_error(), Some(0));
        assert_eq!(f.fields[0].shown_error(), None, "untouched: no red yet");
        f.focus = 1;
        f.handle_key(&k(KeyCode::Char('x')), 40);
        assert_eq!(f.fields[1].shown_error(), Some("chiffres seulement"));
        f.handle_key(&k(KeyCode::Backspace), 40);
        assert_eq!(f.fields[1].error, None);
    }

    #[test]
    fn submit_is_refused_and_jumps_to_first_error() {
        let mut f = form();
        f.focus = 4;
        assert_eq!(f.check_submit(), Err(0));
        assert_eq!(f.focus, 0);
        assert_eq!(f.fields[0].shown_error(), Some("Nom obligatoire"));
        f.handle_key(&k(KeyCode::Char('A')), 40);
        assert_eq!(f.check_submit(), Ok(()));
    }

    #[test]
    fn cross_field_rule_and_choice_cycling() {
        let mut f = form();
        f.set("nom", "Dupont");
        f.focus = 2;
        f.handle_key(&k(KeyCode::Right), 40);
        assert_eq!(f.value("statut"), "clos");
        assert_eq!(f.first_error(), Some(3));
        f.handle_key(&k(KeyCode::Char(' ')), 40);
        assert_eq!(f.value("statut"), "ouvert");
        f.handle_key(&k(KeyCode::Char('c')), 40);
        assert_eq!(f.value("statut"), "clos");
        f.handle_key(&k(KeyCode::Left), 40);
        assert!(f.is_valid());
    }

    #[test]
    fn dirty_tracking_compares_with_the_initial_values() {
        let mut f = form();
        assert!(!f.is_dirty());
        f.focus = 4;
        f.handle_key(&k(KeyCode::Char('a')), 40);
        assert!(f.is_dirty());
        f.handle_key(&k(KeyCode::Backspace), 40);
        assert!(!f.is_dirty());
        f.next();
        assert_eq!(f.focus, 0);
        f.prev();
        assert_eq!(f.focus, 4);
    }
}
