//! Rendering only: reads `App`, never mutates it, never touches the store.

pub mod help;
pub mod lock;
pub mod mask;
pub mod screens;
pub mod theme;
pub mod widgets;

use crate::app::{Action, App, Confirm, Context, Modal, Screen, StatusLevel};
use crate::domain::time::fmt_short_day;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;
pub use theme::Theme;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Draws the whole screen.
pub fn draw(app: &App, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(area, theme, frame);
        return;
    }
    if matches!(app.modals.last(), Some(Modal::Privacy)) {
        draw_privacy(area, theme, frame);
        return;
    }
    if let Some(l) = &app.lock {
        lock::draw(app, l, theme, frame);
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(app, theme, header, frame);
    screens::draw(app, theme, body, frame);
    draw_footer(app, theme, footer, frame);
    for modal in &app.modals {
        match modal {
            Modal::Help { topic, scroll } => help::draw(app, *topic, *scroll, theme, body, frame),
            Modal::Confirm(c) => draw_confirm(app, c, theme, body, frame),
            Modal::Palette(p) => draw_palette(app, p, theme, body, frame),
            Modal::Privacy => {}
        }
    }
    if app.privacy.masked {
        mask::blur_names(app, frame.buffer_mut(), area);
    }
    defuse(frame.buffer_mut());
}

/// The last pass over every drawn frame: control characters and direction
/// overrides ([`crate::app::text::is_bidi_control`]) are taken out of the
/// cells. A stored value from before the forms' rules, or an import,
/// cannot repaint the terminal or reorder the screen, on any screen.
fn defuse(buf: &mut ratatui::buffer::Buffer) {
    let hostile = |c: char| c.is_control() || crate::app::text::is_bidi_control(c);
    for cell in buf.content.iter_mut() {
        if cell.symbol().chars().any(hostile) {
            let clean: String = cell.symbol().chars().filter(|c| !hostile(*c)).collect();
            cell.set_symbol(if clean.is_empty() { " " } else { &clean });
        }
    }
}

/// Width under which the header drops its " Passerelle │ " title.
const WIDE_HEADER: u16 = 100;

fn header_prefix(width: u16, file_open: bool) -> &'static str {
    // With a file open, its name matters more than the app's.
    let needed = if file_open {
        WIDE_HEADER + 24
    } else {
        WIDE_HEADER
    };
    if width >= needed {
        " Passerelle │ "
    } else {
        " "
    }
}

/// Header tab positions, for mouse clicks: (screen, first column, end column).
pub fn tab_spans(width: u16, file_open: bool) -> Vec<(Screen, u16, u16)> {
    let mut x = header_prefix(width, file_open).chars().count() as u16;
    let mut out = Vec::new();
    for (i, s) in Screen::ALL.iter().enumerate() {
        let w = format!("{} {}", i + 1, s.title()).chars().count() as u16;
        out.push((*s, x, x + w + 1));
        x += w + 2;
    }
    out
}

fn draw_header(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let prefix = header_prefix(area.width, app.open_beneficiary.is_some());
    let mut spans = Vec::new();
    if prefix.len() > 1 {
        spans.push(Span::styled(" Passerelle", theme.accent));
        spans.push(Span::styled(" │ ", theme.dim));
    } else {
        spans.push(Span::raw(" "));
    }
    for (i, s) in Screen::ALL.iter().enumerate() {
        let label = format!("{} {} ", i + 1, s.title());
        let style = if *s == app.screen {
            theme.active_tab
        } else {
            theme.base
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    // The notices of the store and the mode come first; the clock when
    // there is room left.
    let badge = header_badge(app, (area.width as usize).saturating_sub(used + 1));
    let badge_w = badge.as_ref().map_or(0, |b| b.chars().count() + 1);
    let clock = format!(
        "{} {} ",
        fmt_short_day(app.now.date()),
        app.now.format("%H:%M")
    );
    let clock_room = (area.width as usize).saturating_sub(used + badge_w);
    let clock = if badge.is_none() || clock.chars().count() + 3 <= clock_room {
        clock
    } else {
        String::new()
    };
    let clock_w = clock.chars().count() + badge_w;
    let room = (area.width as usize).saturating_sub(used + clock_w + 3);
    let who = match &app.open_beneficiary {
        Some(b) => Some((format!("{} ▸", b.display_name), theme.accent)),
        None if room >= 20 => Some(("aucun dossier ouvert".to_string(), theme.dim)),
        None => None,
    };
    if let Some((text, style)) = who {
        if room >= 4 {
            spans.push(Span::styled("│ ", theme.dim));
            spans.push(Span::styled(truncate(&text, room), style));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if area.width as usize > clock_w {
        let r = Rect {
            x: area.x + area.width - clock_w as u16,
            width: clock_w as u16,
            ..area
        };
        let mut right = Vec::new();
        if let Some(b) = badge {
            right.push(Span::styled(b, theme.error));
            right.push(Span::raw(" "));
        }
        right.push(Span::styled(clock, theme.dim));
        frame.render_widget(Paragraph::new(Line::from(right)), r);
    }
}

/// What the header must say about the store and the mode, in at most
/// `room` columns: a demonstration store is not encrypted; personal data
/// is masked. The long form when it fits, else a short one.
pub fn header_badge(app: &App, room: usize) -> Option<String> {
    let demo = app.protection == Some(crate::store::Protection::Demo);
    let masked = app.privacy.masked;
    let forms: &[&str] = match (demo, masked) {
        (false, false) => return None,
        (true, false) => &[
            "base de démonstration — non chiffrée",
            "démo — non chiffrée",
            "démo non chiffrée",
            "non chiffrée",
            "démo",
        ],
        (false, true) => &[
            "données personnelles masquées",
            "données masquées",
            "masqué",
        ],
        (true, true) => &[
            "base de démonstration — non chiffrée · données masquées",
            "démo non chiffrée · masqué",
            "démo · masqué",
        ],
    };
    forms
        .iter()
        .find(|f| f.chars().count() <= room)
        .map(|f| f.to_string())
}

/// Cuts a string to `max` display columns, ending with `…` when cut
/// (whole graphemes; wide characters count two columns).
pub fn truncate(s: &str, max: usize) -> String {
    crate::app::text::truncate_width(s, max)
}

/// `text` as spans, the chars at `marks` (char indices, sorted) in `hl`:
/// matched letters of a search.
pub fn marked_spans(text: &str, marks: &[usize], base: Style, hl: Style) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut cur = String::new();
    let mut cur_hl = false;
    for (i, c) in text.chars().enumerate() {
        let h = c != '…' && marks.binary_search(&i).is_ok();
        if h != cur_hl && !cur.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut cur),
                if cur_hl { hl } else { base },
            ));
        }
        cur_hl = h;
        cur.push(c);
    }
    if !cur.is_empty() {
        spans.push(Span::styled(cur, if cur_hl { hl } else { base }));
    }
    spans
}

/// A text box on one line, `width` columns: the visible part of `input`
/// with a `▏` bar at the cursor and `…` where the text is cut.
pub fn input_spans(
    input: &crate::app::text::TextInput,
    width: usize,
    text: Style,
    bar: Style,
) -> Vec<Span<'static>> {
    let v = input.view(width.saturating_sub(1), true);
    // A selected text (typing replaces it) is shown reversed.
    let text = if v.selected {
        text.add_modifier(ratatui::style::Modifier::REVERSED)
    } else {
        text
    };
    vec![
        Span::styled(v.before, text),
        Span::styled("▏", bar),
        Span::styled(v.after, text),
    ]
}

/// The bottom bar: the keys of what has the focus on the left, the status
/// message on the right. The message never covers the keys: the keys give
/// way first (whole hints dropped, then `…`), and a message too long for
/// the bar is itself cut with `…`.
fn draw_footer(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let width = area.width as usize;
    let status = app.visible_status().map(|msg| {
        let (style, mark) = match msg.level {
            StatusLevel::Success => (theme.success, "✓ "),
            StatusLevel::Error => (theme.error, "✗ "),
            StatusLevel::Info => (theme.info, ""),
        };
        // Leave room for at least a few keys when the message is long.
        let text = truncate(
            &format!("{mark}{}", msg.text),
            width.saturating_sub(2).max(1),
        );
        (format!("{text} "), style)
    });
    let status_w = status.as_ref().map_or(0, |(t, _)| t.chars().count());
    let room = width.saturating_sub(status_w + 1);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    let hints = app.hints();
    for (i, (k, label)) in hints.iter().enumerate() {
        let item = format!("{k} {label}");
        let sep = if i == 0 { 0 } else { 2 };
        let last = i + 1 == hints.len();
        // Keep room for "  …" unless this is the last hint.
        let needed = used + sep + item.chars().count() + if last { 0 } else { 3 };
        if needed > room {
            if used + sep < room {
                spans.push(Span::styled(format!("{}…", " ".repeat(sep)), theme.dim));
            }
            break;
        }
        if sep > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k.clone(), theme.key));
        spans.push(Span::raw(format!(" {label}")));
        used += sep + item.chars().count();
    }
    let left = Rect {
        width: (room as u16).min(area.width),
        ..area
    };
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    if let Some((text, style)) = status {
        let w = (status_w as u16).min(area.width);
        let r = Rect {
            x: area.x + area.width - w,
            width: w,
            ..area
        };
        frame.render_widget(Paragraph::new(Span::styled(text, style)), r);
    }
}

fn draw_too_small(area: Rect, theme: &Theme, frame: &mut Frame) {
    let text = vec![
        Line::styled("Fenêtre trop petite", theme.error),
        Line::raw(""),
        Line::raw(format!(
            "Passerelle a besoin d'au moins {MIN_WIDTH}×{MIN_HEIGHT} caractères ;"
        )),
        Line::raw(format!("la fenêtre fait {}×{}.", area.width, area.height)),
        Line::raw("Agrandissez-la ou réduisez la police."),
    ];
    let h = (text.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    frame.render_widget(
        Paragraph::new(text)
            .alignment(ratatui::layout::Alignment::Center)
            .wrap(Wrap { trim: true }),
        Rect {
            y,
            height: area.height - (y - area.y),
            ..area
        },
    );
}

/// The keys of a confirm answer, from the keymap: `o / Entrée`.
fn answer_keys(app: &App, action: &Action) -> String {
    app.keymap
        .in_context(Context::Confirm)
        .into_iter()
        .find(|b| &b.action == action)
        .map(|b| {
            b.keys
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .unwrap_or_default()
}

fn draw_confirm(app: &App, c: &Confirm, theme: &Theme, area: Rect, frame: &mut Frame) {
    let mut answers = vec![(answer_keys(app, &Action::Yes), c.yes_label)];
    if let Some((label, _)) = &c.other {
        answers.push((answer_keys(app, &Action::Other), label));
    }
    answers.push((answer_keys(app, &Action::No), c.no_label));
    let w = (c.question.chars().count() as u16 + 6).clamp(50, area.width.saturating_sub(4).max(1));
    let inner_w = w.saturating_sub(4).max(1) as usize;
    let question_lines = c.question.chars().count().div_ceil(inner_w).max(1) as u16;
    let r = centered(area, w, question_lines + answers.len() as u16 + 3);
    let block = Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(theme.error)
        .title(" Confirmation ");
    let mut lines = vec![Line::raw(c.question.clone()), Line::raw("")];
    for (keys, label) in answers {
        lines.push(Line::from(vec![
            Span::styled(format!("{keys:<12}"), theme.key),
            Span::raw(label.to_string()),
        ]));
    }
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block.padding(ratatui::widgets::Padding::horizontal(1)))
            .wrap(Wrap { trim: true }),
        r,
    );
}

fn draw_palette(
    app: &App,
    p: &crate::app::palette::Palette,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let found = crate::app::palette::entries(app, &p.query.text);
    let r = centered(area, 76, 16);
    let block = Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(theme.accent)
        .title(format!(
            " Commande ({} pour lancer, {} pour fermer) ",
            app.keymap
                .key_in(Context::Palette, &Action::Open)
                .unwrap_or_default(),
            app.keymap
                .key_in(Context::Global, &Action::Back)
                .unwrap_or_default()
        ));
    let inner = block.inner(r);
    frame.render_widget(Clear, r);
    frame.render_widget(block, r);
    let mut prompt = vec![Span::styled("> ", theme.key)];
    prompt.extend(input_spans(
        &p.query,
        (inner.width as usize).saturating_sub(2),
        theme.base,
        theme.key,
    ));
    let mut lines = vec![Line::from(prompt)];
    if found.is_empty() {
        lines.push(Line::styled("Aucune commande ne correspond.", theme.dim));
    }
    let selected = p.selected.min(found.len().saturating_sub(1));
    let rows = (inner.height as usize).saturating_sub(1);
    let offset = (selected + 1).saturating_sub(rows);
    for (i, e) in found.iter().enumerate().skip(offset).take(rows) {
        let style = if i == selected {
            theme.selected
        } else {
            theme.base
        };
        // The label, cut if needed, then the keys at the right.
        let w = inner.width as usize;
        let keys = truncate(&e.keys, 16);
        let label_w = w.saturating_sub(keys.chars().count() + 1);
        let text = format!("{:<label_w$} {keys}", truncate(e.label, label_w));
        lines.push(Line::styled(truncate(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_privacy(area: Rect, theme: &Theme, frame: &mut Frame) {
    frame.render_widget(Block::default().style(Style::default()), area);
    let y = area.y + area.height / 2;
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled("Écran masqué", theme.accent),
            Line::raw("Appuyez sur une touche pour revenir."),
        ])
        .alignment(ratatui::layout::Alignment::Center),
        Rect {
            y: y.saturating_sub(1),
            height: 2,
            ..area
        },
    );
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
