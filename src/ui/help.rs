//! The help overlay, generated from the keymap: the keys of what had the
//! focus (a screen, or a form) and the global ones that work there.

use crate::app::keymap::{Binding, Context};
use crate::app::App;
use crate::ui::{centered, Theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// The title of the help for a topic.
pub fn title(topic: Context) -> String {
    match topic {
        Context::Screen(s) => s.title().to_string(),
        Context::Form => "formulaire".to_string(),
        other => other.title(),
    }
}

/// The lines of the help for a topic: a section for its own keys, then the
/// keys that work everywhere (inside a form: those that are not typed).
pub fn lines(app: &App, topic: Context, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut last_ctx = None;
    let bindings: Vec<Binding> = app.keymap.active(topic);
    for b in &bindings {
        if last_ctx != Some(b.context) {
            if last_ctx.is_some() {
                out.push(Line::raw(""));
            }
            let title = match (topic, b.context) {
                (Context::Form, Context::Global) => {
                    "Partout (aussi dans un formulaire)".to_string()
                }
                (_, c) => c.title(),
            };
            out.push(Line::styled(title, theme.accent));
            last_ctx = Some(b.context);
        }
        let keys = b.keys_label();
        out.push(Line::from(vec![
            Span::styled(format!("  {keys:<16}"), theme.key),
            Span::raw(b.label()),
        ]));
    }
    out
}

pub fn draw(
    app: &App,
    topic: Context,
    scroll: usize,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let lines = lines(app, topic, theme);
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
        .title(format!(
            " Aide — {} ({} pour fermer) ",
            title(topic),
            app.keymap
                .key_in(Context::Global, &crate::app::Action::Back)
                .unwrap_or_default()
        ))
        .title_bottom(more);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        r,
    );
}
