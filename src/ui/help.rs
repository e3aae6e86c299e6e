//! The help overlay, generated from the keymap.

use crate::app::keymap::Context;
use crate::app::{App, Screen};
use crate::ui::{centered, Theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// The lines of the help for a screen: a section for the screen's own keys,
/// then the keys that work everywhere.
pub fn lines(app: &App, screen: Screen, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut last_ctx = None;
    for b in app.keymap.for_screen(screen) {
        if last_ctx != Some(b.context) {
            if last_ctx.is_some() {
                out.push(Line::raw(""));
            }
            let title = match b.context {
                Context::Screen(s) => format!("Écran {}", s.title()),
                Context::Global => "Partout".to_string(),
            };
            out.push(Line::styled(title, theme.accent));
            last_ctx = Some(b.context);
        }
        let keys = b.keys_label();
        out.push(Line::from(vec![
            Span::styled(format!("  {keys:<16}"), theme.key),
            Span::raw(b.action.label()),
        ]));
    }
    out
}

pub fn draw(
    app: &App,
    screen: Screen,
    scroll: usize,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let lines = lines(app, screen, theme);
    let r = centered(area, 78, lines.len() as u16 + 2);
    let inner_h = r.height.saturating_sub(2) as usize;
    let max_scroll = lines.len().saturating_sub(inner_h);
    let scroll = scroll.min(max_scroll);
    let more = if scroll < max_scroll {
        " ↓ suite "
    } else {
        ""
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(format!(" Aide — {} (Échap pour fermer) ", screen.title()))
        .title_bottom(more);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        r,
    );
}
