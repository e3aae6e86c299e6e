//! The Parcours screen: the open file's ranked target métiers (a cursor to
//! move or remove them), then what the plan will hold.

use super::placeholder::promise;
use crate::app::{Action, App, Context, Screen};
use crate::domain::Beneficiary;
use crate::ui::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// The ranked target métiers of `b`, the one at `selected` marked; shared
/// by this screen and the file's Parcours tab.
pub fn target_lines(
    app: &App,
    b: &Beneficiary,
    selected: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    if b.targets.is_empty() {
        let key = app
            .keymap
            .key_in(Context::Screen(Screen::Metiers), &Action::MarkTarget)
            .unwrap_or_default();
        return vec![Line::styled(
            format!("  Aucun métier cible : ajoutez-en depuis l'écran Métiers (touche {key})."),
            theme.dim,
        )];
    }
    let selected = selected.min(b.targets.len() - 1);
    b.targets
        .iter()
        .enumerate()
        .map(|(n, t)| {
            let text = format!("{}. {} ({})", n + 1, t.label, t.rome);
            if n == selected {
                Line::from(vec![
                    Span::styled("▶ ", theme.accent),
                    Span::styled(text, theme.selected),
                ])
            } else {
                Line::raw(format!("  {text}"))
            }
        })
        .collect()
}

pub fn draw(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let mut lines = vec![Line::raw("")];
    match app.benef.open_file() {
        Some(b) => {
            lines.push(Line::styled(
                format!("Métiers cibles de {}", b.display_name()),
                theme.accent,
            ));
            lines.extend(target_lines(app, b, app.parcours.selected, theme));
        }
        None => lines.push(Line::styled(
            "Aucun dossier ouvert : ouvrez un bénéficiaire (écran 2).",
            theme.dim,
        )),
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Bientôt sur cet écran :", theme.dim));
    for l in promise(Screen::Parcours) {
        lines.push(Line::raw(format!("  {l}")));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(" Parcours ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
