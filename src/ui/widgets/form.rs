//! Draws a [`Form`]: one column of `label  value  error`, the focused field
//! marked, errors in red at the right of the field (below it when the
//! window is too narrow), hints in grey (a date's resolved day). Scrolls to
//! keep the focus visible. A one-line value longer than its column shows
//! `…` where it is cut and keeps the cursor in view; positions are display
//! columns (wide characters, combining accents).

use crate::app::form::{area_width, value_width, Field, Form, Input, LABEL_WIDTH};
use crate::app::privacy::Privacy;
use crate::app::text::{width, wrap};
use crate::ui::{truncate, Theme};
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

struct Built {
    lines: Vec<Line<'static>>,
    /// First and last line of the focused field.
    focus: (usize, usize),
    /// Cursor (line, column) inside the built lines.
    cursor: Option<(usize, usize)>,
}

fn note<'a>(f: &Field, theme: &Theme) -> Option<Span<'a>> {
    if let Some(e) = f.shown_error() {
        Some(Span::styled(e.to_string(), theme.error))
    } else {
        f.hint.as_ref().map(|h| Span::styled(h.clone(), theme.dim))
    }
}

/// Whether a field's value is hidden: « masquer les données personnelles »
/// is on, the field is not the one being typed, and it holds text.
fn hidden(f: &Field, focused: bool, privacy: &Privacy) -> bool {
    !focused && !f.is_choice() && privacy.note(&f.value()) != f.value()
}

fn build(
    form: &Form,
    privacy: &Privacy,
    theme: &Theme,
    inner_width: usize,
    vw: usize,
    aw: usize,
) -> Built {
    let value_col = 2 + LABEL_WIDTH + 1;
    let right_room = inner_width.saturating_sub(value_col + vw + 2);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut focus = (0, 0);
    let mut cursor = None;
    for (i, f) in form.fields.iter().enumerate() {
        if let Some(section) = f.section {
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(section.to_string(), theme.accent));
        }
        let focused = i == form.focus;
        let first = lines.len();
        let marker = if focused { "▶ " } else { "  " };
        let star = if f.required { "*" } else { "" };
        let label = truncate(&format!("{}{star}", f.label), LABEL_WIDTH);
        let label_style = if focused { theme.accent } else { theme.base };
        let head = vec![
            Span::styled(marker, theme.accent),
            Span::styled(format!("{label:<LABEL_WIDTH$} "), label_style),
        ];
        // Value rows (one for text and choice, several for a text area).
        let mut rows: Vec<Vec<Span<'static>>> = Vec::new();
        let value_style = if focused {
            theme.base.add_modifier(Modifier::UNDERLINED)
        } else {
            theme.base
        };
        let masked = hidden(f, focused, privacy);
        match &f.input {
            _ if masked => {
                rows.push(vec![Span::styled(
                    privacy.note(&f.value()).into_owned(),
                    theme.dim,
                )]);
            }
            Input::Text(t) => {
                if t.text.is_empty() && !f.placeholder.is_empty() {
                    rows.push(vec![Span::styled(truncate(f.placeholder, vw), theme.dim)]);
                    if focused {
                        cursor = Some((lines.len(), value_col));
                    }
                } else {
                    let view = t.view(vw, focused);
                    if focused {
                        cursor = Some((lines.len(), value_col + view.cursor_col()));
                    }
                    rows.push(vec![Span::styled(view.text(), value_style)]);
                }
            }
            Input::Choice { options, selected } => {
                let label = options.get(*selected).cloned().unwrap_or_default();
                let text = if focused {
                    format!("◂ {label} ▸")
                } else {
                    label
                };
                rows.push(vec![Span::styled(truncate(&text, vw), value_style)]);
            }
            Input::Area(a) => {
                let visual = wrap(&a.text, aw);
                let (crow, ccol) = {
                    let mut a2 = a.clone();
                    a2.width = aw;
                    a2.cursor_pos()
                };
                let max_rows = if focused { 8 } else { 3 };
                let height = visual.len().clamp(if focused { 3 } else { 1 }, max_rows);
                let start = if focused {
                    (crow + 1).saturating_sub(height)
                } else {
                    0
                };
                if a.text.is_empty() && !f.placeholder.is_empty() {
                    rows.push(vec![Span::styled(truncate(f.placeholder, vw), theme.dim)]);
                    for _ in 1..height {
                        rows.push(Vec::new());
                    }
                } else {
                    for (s, e) in visual.iter().skip(start).take(height) {
                        let text = a.text[*s..*e].trim_end_matches('\n').to_string();
                        rows.push(vec![Span::styled(text, value_style)]);
                    }
                    while rows.len() < height {
                        rows.push(Vec::new());
                    }
                    if !focused && visual.len() > height {
                        if let Some(last) = rows.last_mut() {
                            last.push(Span::styled(" …", theme.dim));
                        }
                    }
                }
                if focused {
                    cursor = Some((lines.len() + crow.saturating_sub(start), value_col + ccol));
                }
            }
        }
        // A hidden value's hint (a date's day) would tell it.
        let note = if masked {
            f.shown_error()
                .map(|e| Span::styled(e.to_string(), theme.error))
        } else {
            note(f, theme)
        };
        let note_len = note.as_ref().map(|n| width(&n.content)).unwrap_or(0);
        let note_right = note_len > 0 && note_len <= right_room;
        for (r, row) in rows.into_iter().enumerate() {
            let mut spans = if r == 0 {
                head.clone()
            } else {
                vec![Span::raw(" ".repeat(value_col))]
            };
            let used: usize = row.iter().map(|s| width(&s.content)).sum();
            spans.extend(row);
            if r == 0 && note_right {
                if let Some(n) = &note {
                    spans.push(Span::raw(" ".repeat(vw.saturating_sub(used) + 2)));
                    spans.push(n.clone());
                }
            }
            lines.push(Line::from(spans));
        }
        if !note_right {
            if let Some(n) = note {
                let room = inner_width.saturating_sub(value_col);
                let text = truncate(&n.content, room);
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(value_col)),
                    Span::styled(text, n.style),
                ]));
            }
        }
        if focused {
            focus = (first, lines.len().saturating_sub(1));
        }
    }
    Built {
        lines,
        focus,
        cursor,
    }
}

/// Draws the form in `area` (with its border, title and `keys`, the form's
/// keys from the keymap). With « masquer les données personnelles », only
/// the field being typed shows its text.
pub fn draw(
    form: &Form,
    privacy: &Privacy,
    keys: &str,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let errors = form
        .fields
        .iter()
        .filter(|f| f.shown_error().is_some())
        .count();
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(format!(" {} ", form.title))
        .title_bottom(Line::styled(keys.to_string(), theme.dim));
    if errors > 0 {
        block = block.title(
            Line::styled(
                format!(
                    " {errors} champ{} à corriger ",
                    if errors > 1 { "s" } else { "" }
                ),
                theme.error,
            )
            .right_aligned(),
        );
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    // Same width as `update` uses for the text areas' ↑/↓.
    let vw = value_width(area.width);
    let built = build(
        form,
        privacy,
        theme,
        inner.width as usize,
        vw,
        area_width(area.width),
    );
    let h = inner.height as usize;
    let total = built.lines.len();
    // Keep the focused field about a third down once the form scrolls.
    let mut offset = built.focus.0.saturating_sub(h / 3);
    if built.focus.1 >= offset + h {
        offset = built.focus.1 + 1 - h;
    }
    offset = offset.min(total.saturating_sub(h));
    frame.render_widget(
        Paragraph::new(built.lines).scroll((offset as u16, 0)),
        inner,
    );
    if let Some((line, col)) = built.cursor {
        if line >= offset && line < offset + h && col < inner.width as usize {
            let pos = Position::new(inner.x + col as u16, inner.y + (line - offset) as u16);
            if let Some(cell) = frame.buffer_mut().cell_mut(pos) {
                cell.set_style(theme.selected.add_modifier(Modifier::REVERSED));
            }
            frame.set_cursor_position(pos);
        }
    }
}
