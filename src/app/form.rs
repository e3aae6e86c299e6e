//! A reusable form model: one column of labelled fields, each validated as
//! it is typed, with dirty tracking and focus. Pure state: `ui::widgets::form`
//! draws it, the screen's `update` feeds it keys and reads typed values.

use super::text::{PasteOutcome, TextArea, TextInput};
use crate::domain::time::{fmt_date, fmt_long_day, parse_date_input};
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a validator sees besides the field's own text: the date of today and
/// the raw text of every field of the form (for cross-field rules).
pub struct Ctx<'a> {
    pub today: NaiveDate,
    fields: &'a [Field],
    /// The métier catalogue in force, when the form checks against it.
    pub catalog: Option<&'a crate::catalog::Catalog>,
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

/// What a field's text stands for, when it can be read (a date typed
/// `demain`): the canonical text the field takes when the focus leaves it,
/// and the long form shown beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub canonical: String,
    pub shown: String,
}

/// Reads a field's text relative to today; None when it cannot be read
/// (the validator explains why).
pub type Reader = fn(&str, NaiveDate) -> Option<Resolved>;

/// Default length limit of a one-line field, in characters.
pub const MAX_LINE: usize = 200;
/// Default length limit of a multi-line field (an interview summary).
pub const MAX_AREA: usize = 20_000;
/// Length limit of a date field.
pub const MAX_DATE: usize = 40;

/// Placeholder of the date fields.
pub const DATE_PLACEHOLDER: &str = "jj/mm/aaaa, auj, +3, +2s…";

/// Reader of the date fields: `demain` → `29/11/2026`, shown as
/// « dimanche 29 novembre 2026 ».
pub fn read_date(s: &str, today: NaiveDate) -> Option<Resolved> {
    let d = parse_date_input(s, today).ok()?;
    Some(Resolved {
        canonical: fmt_date(d),
        shown: fmt_long_day(d),
    })
}

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
    /// Length limit in characters, enforced when typing and pasting.
    pub max_len: usize,
    /// Reads the text (dates): canonical form and long form beside the field.
    pub reader: Option<Reader>,
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
            max_len: MAX_LINE,
            reader: None,
        };
        if matches!(f.input, Input::Area(_)) {
            f.max_len = MAX_AREA;
        }
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

    /// A date field: accepts the shortcuts of [`parse_date_input`] and
    /// shows the resolved date beside it (« → lundi 7 décembre 2026 »).
    pub fn date(key: &'static str, label: &'static str, value: &str) -> Field {
        Field::text(key, label, value)
            .placeholder(DATE_PLACEHOLDER)
            .max_len(MAX_DATE)
            .read_with(read_date)
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

    /// Length limit in characters (typing and pasting stop there).
    pub fn max_len(mut self, n: usize) -> Field {
        self.max_len = n;
        self
    }

    pub fn read_with(mut self, r: Reader) -> Field {
        self.reader = Some(r);
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
        let max = Some(self.max_len);
        match &mut self.input {
            Input::Text(t) => t.handle_limited(key, max),
            Input::Area(a) => {
                a.width = area_width.max(10);
                a.handle_limited(key, max)
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

/// What an editing action did to a form ([`Form::apply_edit`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edit {
    /// A value changed.
    pub changed: bool,
    /// What to say in the status bar (a paste cut short, a choice field
    /// that takes no text).
    pub message: Option<(super::StatusLevel, String)>,
}

/// A form: fields in one column, a focus, the date used by validators.
#[derive(Clone, Debug)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub today: NaiveDate,
    /// The métier catalogue in force, seen by validators through [`Ctx`].
    pub catalog: Option<std::sync::Arc<crate::catalog::Catalog>>,
}

/// Width of the label column, shared by the widget and the text-area wrap width.
pub const LABEL_WIDTH: usize = 24;

/// What a screen does after [`form_keys`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKeys {
    /// The key was handled (an edit, `Échap`, or nothing to do).
    Done,
    /// Save the form (the screen checks and writes it).
    Save,
    /// Not the form's: the shell handles it (screens, help, quit…).
    Pass,
}

/// The half every screen's open form shares: the edits (their message
/// shown), `Échap` (asks `question` before dropping changes; `close` drops
/// an unchanged form), save, and the keys that pass to the shell. `None`
/// when `form` finds no open form.
pub fn form_keys(
    app: &mut super::App,
    action: &super::Action,
    owner: super::Screen,
    question: &str,
    form: fn(&mut super::App) -> Option<&mut Form>,
    close: fn(&mut super::App),
) -> Option<FormKeys> {
    use super::Action;
    let width = area_width(app.size.0);
    let f = form(app)?;
    if let Some(edit) = f.apply_edit(action, width) {
        if let Some((level, msg)) = edit.message {
            app.set_status(level, msg);
        }
        return Some(FormKeys::Done);
    }
    let dirty = f.is_dirty();
    Some(match action {
        Action::Save => FormKeys::Save,
        Action::Back => {
            if dirty {
                app.modals
                    .push(super::Modal::Confirm(super::Confirm::discard_form(
                        owner, question,
                    )));
            } else {
                close(app);
            }
            FormKeys::Done
        }
        a if a.passes_form() => FormKeys::Pass,
        _ => FormKeys::Done,
    })
}

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
            catalog: None,
        };
        f.validate();
        f
    }

    /// Validates against this catalogue (the one in force).
    pub fn with_catalog(mut self, catalog: std::sync::Arc<crate::catalog::Catalog>) -> Form {
        self.catalog = Some(catalog);
        self.validate();
        self
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

    /// How the focused field reads keys (a form with no field: text).
    pub fn field_kind(&self) -> super::FieldKind {
        match self.focused().map(|f| &f.input) {
            Some(Input::Area(_)) => super::FieldKind::Area,
            Some(Input::Choice { .. }) => super::FieldKind::Choice,
            _ => super::FieldKind::Text,
        }
    }

    pub fn focused_is_multiline(&self) -> bool {
        self.focused().is_some_and(Field::is_multiline)
    }

    pub fn next(&mut self) {
        self.leave_field();
        if !self.fields.is_empty() {
            self.focus = (self.focus + 1) % self.fields.len();
        }
    }

    pub fn prev(&mut self) {
        self.leave_field();
        if !self.fields.is_empty() {
            self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        }
    }

    /// Focus on the first field of the next section (after the last one,
    /// the first). A form without sections jumps to its last field.
    pub fn next_section(&mut self) {
        self.leave_field();
        let starts = self.section_starts();
        if starts.len() < 2 {
            self.focus = self.fields.len().saturating_sub(1);
            return;
        }
        self.focus = starts
            .iter()
            .copied()
            .find(|&s| s > self.focus)
            .unwrap_or(starts[0]);
    }

    /// Focus on the first field of the previous section (before the first,
    /// the last): from anywhere in a five-section form, any section is at
    /// most two keys away. A form without sections jumps to its first field.
    pub fn prev_section(&mut self) {
        self.leave_field();
        let starts = self.section_starts();
        if starts.len() < 2 {
            self.focus = 0;
            return;
        }
        let current = starts.iter().rposition(|&s| s <= self.focus).unwrap_or(0);
        self.focus = starts[(current + starts.len() - 1) % starts.len()];
    }

    /// Index of the first field of each section (0 always starts one).
    fn section_starts(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .fields
            .iter()
            .enumerate()
            .filter(|(i, f)| *i == 0 || f.section.is_some())
            .map(|(i, _)| i)
            .collect();
        v.dedup();
        v
    }

    /// Before the focus moves: a field that reads its text (a date typed
    /// `demain`) takes its canonical form (`29/11/2026`).
    fn leave_field(&mut self) {
        let today = self.today;
        let Some(f) = self.fields.get_mut(self.focus) else {
            return;
        };
        let Some(read) = f.reader else { return };
        let v = f.value();
        if let Some(r) = read(&v, today) {
            if r.canonical != v {
                f.set_value(&r.canonical);
                self.validate();
            }
        }
    }

    /// Pastes into the focused field (a choice ignores it): line breaks
    /// become spaces in one-line fields, the field's length limit holds.
    pub fn paste(&mut self, text: &str) -> PasteOutcome {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return PasteOutcome::default();
        };
        let max = Some(f.max_len);
        let out = match &mut f.input {
            Input::Text(t) => t.paste(text, true, max),
            Input::Area(a) => a.paste(text, max),
            Input::Choice { .. } => return PasteOutcome::default(),
        };
        if out.inserted > 0 {
            f.touched = true;
            self.validate();
        }
        out
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
                catalog: self.catalog.as_deref(),
            };
            self.fields
                .iter()
                .map(|f| {
                    let v = f.value();
                    if f.required && v.trim().is_empty() {
                        return Err(format!("{} obligatoire", f.label.trim()));
                    }
                    if v.chars().count() > f.max_len {
                        return Err(format!("trop long ({} caractères au plus)", f.max_len));
                    }
                    let hint = match f.validator {
                        Some(check) => check(&v, &ctx)?,
                        None => None,
                    };
                    // The resolved value (a date) comes first beside the field.
                    let read = f.reader.and_then(|r| r(&v, ctx.today));
                    Ok(match (read, hint) {
                        (Some(r), Some(h)) => Some(format!("→ {} · {h}", r.shown)),
                        (Some(r), None) => Some(format!("→ {}", r.shown)),
                        (None, h) => h,
                    })
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

    /// Applies the actions every form shares: typing, choosing, pasting,
    /// moving between fields and sections. None for the others (save,
    /// back…), which the screen that owns the form handles.
    pub fn apply_edit(&mut self, action: &super::Action, area_width: usize) -> Option<Edit> {
        use super::Action;
        let mut edit = Edit::default();
        match action {
            Action::Text(k) => edit.changed = self.handle_key(k, area_width),
            Action::NextChoice | Action::PrevChoice => {
                let code = if *action == Action::NextChoice {
                    KeyCode::Right
                } else {
                    KeyCode::Left
                };
                let key = KeyEvent::new_with_kind(
                    code,
                    KeyModifiers::NONE,
                    ratatui::crossterm::event::KeyEventKind::Press,
                );
                edit.changed = self.focused().is_some_and(|f| f.is_choice())
                    && self.handle_key(&key, area_width);
            }
            Action::Paste(text) => match super::paste::paste_into_form(self, text) {
                Some(out) => {
                    edit.changed = out.inserted > 0;
                    edit.message = out.message().map(|m| (super::StatusLevel::Error, m));
                }
                None => {
                    edit.message = Some((
                        super::StatusLevel::Info,
                        "Ce champ est un choix : rien à coller".into(),
                    ))
                }
            },
            Action::NextField => self.next(),
            Action::PrevField => self.prev(),
            // PgSuiv / PgPréc: next / previous section of the form.
            Action::PageDown => self.next_section(),
            Action::PageUp => self.prev_section(),
            _ => return None,
        }
        Some(edit)
    }

    /// Before a save: when a field is invalid, shows every error, puts the
    /// focus on the first one and returns the status-bar message
    /// (« Non enregistré : 2 champs à corriger — Nom : … »).
    pub fn refuse_invalid(&mut self) -> Result<(), String> {
        let Err(i) = self.check_submit() else {
            return Ok(());
        };
        let n = self.error_count();
        let f = &self.fields[i];
        Err(format!(
            "Non enregistré : {n} champ{} à corriger — {} : {}",
            if n > 1 { "s" } else { "" },
            f.label.trim(),
            f.error.as_deref().unwrap_or("")
        ))
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
    fn sections_limits_and_readers() {
        // No section: PgSuiv / PgPréc go to the last / first field.
        let mut f = form();
        f.focus = 1;
        f.next_section();
        assert_eq!(f.focus, 4);
        f.prev_section();
        assert_eq!(f.focus, 0);
        // Length limit: typing stops, a longer value set by code is an error.
        let mut f = Form::new(
            "Essai",
            vec![
                Field::text("code", "Code", "ab").max_len(3),
                Field::date("d", "Date", ""),
            ],
            today(),
        );
        f.handle_key(&k(KeyCode::Char('c')), 40);
        assert!(!f.handle_key(&k(KeyCode::Char('d')), 40));
        assert_eq!(f.value("code"), "abc");
        f.set("code", "abcd");
        assert_eq!(
            f.fields[0].error.as_deref(),
            Some("trop long (3 caractères au plus)")
        );
        // A date field: resolved day as hint, canonical text on leaving.
        f.focus = 1;
        for c in "demain".chars() {
            f.handle_key(&k(KeyCode::Char(c)), 40);
        }
        assert_eq!(
            f.fields[1].hint.as_deref(),
            Some("→ dimanche 29 novembre 2026")
        );
        f.prev();
        assert_eq!(f.value("d"), "29/11/2026");
        assert_eq!(f.fields[1].placeholder, DATE_PLACEHOLDER);
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
