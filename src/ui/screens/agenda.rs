//! The Agenda screen: the week in seven columns (Monday to Sunday) with
//! the chosen item in full below and the conflicts listed; the list of
//! what comes next; the information sessions with the people registered;
//! the session form.
//!
//! In a column each item takes two lines: its hours (an immersion day from
//! its first to its last slot) and a letter for its kind with the person or
//! the topic — `E` entretien, `I` immersion, `S` séance d'information, `É`
//! échéance du parcours. An item in conflict starts with `⚠`.

use crate::app::agenda::{name_of, View};
use crate::app::text::width;
use crate::app::{Action, App, Context, Screen};
use crate::domain::agenda::{AgendaItem, AgendaKind};
use crate::domain::time::{fmt_date, fmt_long_day, fmt_short_day};
use crate::ui::widgets::form;
use crate::ui::{truncate, Theme};
use chrono::{Duration, NaiveDate};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// The legend of the kind letters.
pub const LEGEND: &str = "E entretien · I immersion · S séance · É échéance";

fn key(app: &App, a: Action) -> String {
    app.keymap
        .key_in(Context::Screen(Screen::Agenda), &a)
        .unwrap_or_else(|| "—".into())
}

/// The letter of a kind in the week columns.
pub fn kind_letter(k: AgendaKind) -> &'static str {
    match k {
        AgendaKind::Entretien => "E",
        AgendaKind::ImmersionJour => "I",
        AgendaKind::Seance => "S",
        AgendaKind::EcheanceEtape => "É",
    }
}

/// Who or what an item is about: the part of its title after « — ».
fn subject(i: &AgendaItem) -> &str {
    i.title.split_once(" — ").map_or(&i.title, |(_, s)| s)
}

/// The hours of an item for a column `w` wide: `10:00–11:00` (or `10:00`
/// when it does not fit), an immersion day from its first to its last
/// slot, `journée` for a whole day.
fn hours(i: &AgendaItem, w: usize) -> String {
    if i.all_day {
        return "journée".into();
    }
    let fmt = |t: chrono::NaiveDateTime| {
        let s = t.format("%H:%M").to_string();
        match (i.kind, s.strip_prefix('0')) {
            (AgendaKind::ImmersionJour, Some(short)) => short.to_string(),
            _ => s,
        }
    };
    let span = format!("{}–{}", fmt(i.start), fmt(i.end));
    if width(&span) + usize::from(i.conflict) <= w {
        span
    } else {
        fmt(i.start)
    }
}

pub fn draw(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    if let Some(sf) = &app.agenda.form {
        form::draw(
            &sf.form,
            &app.privacy,
            &super::beneficiaires::form_keys(app),
            theme,
            area,
            frame,
        );
        return;
    }
    match app.agenda.view {
        View::Week => draw_week(app, theme, area, frame),
        View::Upcoming => draw_upcoming(app, theme, area, frame),
        View::Sessions => draw_sessions(app, theme, area, frame),
    }
}

/// The first line: what is shown, and the conflicts count at the right.
fn title_line(app: &App, left: String, theme: &Theme, w: u16) -> Line<'static> {
    let loaded = app.agenda.loaded.is_some();
    let (right, style) = match app.agenda.conflicts.len() {
        _ if !loaded => ("chargement…".to_string(), theme.dim),
        0 => ("aucun conflit".to_string(), theme.dim),
        1 => ("⚠ 1 conflit".to_string(), theme.error),
        n => (format!("⚠ {n} conflits"), theme.error),
    };
    let left = truncate(&left, (w as usize).saturating_sub(width(&right) + 2));
    let pad = (w as usize).saturating_sub(width(&left) + width(&right) + 1);
    Line::from(vec![
        Span::styled(format!(" {left}"), theme.accent),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, style),
    ])
}

fn conflict_lines(app: &App, theme: &Theme, w: usize, max: usize) -> Vec<Line<'static>> {
    let c = &app.agenda.conflicts;
    let mut out: Vec<Line> = c
        .iter()
        .take(if c.len() > max { max - 1 } else { max })
        .map(|m| Line::styled(truncate(&format!(" ⚠ {m}"), w), theme.error))
        .collect();
    if c.len() > max {
        out.push(Line::styled(
            format!(" … et {} autres conflits", c.len() + 1 - max),
            theme.error,
        ));
    }
    out
}

fn draw_week(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let s = &app.agenda;
    let today = app.now.date();
    let week = s.week(today);
    let day = s.day(today);
    let n_conf = s.conflicts.len().min(3) as u16;
    let [top, grid, detail, conf] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(6),
        Constraint::Length(4),
        Constraint::Length(n_conf),
    ])
    .areas(area);
    // The legend when it fits beside the week and the conflicts count.
    let full = format!("{} · {LEGEND}", week.label());
    let left = if width(&full) + 16 <= top.width as usize {
        full
    } else {
        week.label()
    };
    frame.render_widget(Paragraph::new(title_line(app, left, theme, top.width)), top);
    let keys = format!(
        " {}{} jour · {}{} semaine · {} aujourd'hui · {} vue · {} immersion · {} séance ",
        key(app, Action::PrevDay),
        key(app, Action::NextDay),
        key(app, Action::PrevWeek),
        key(app, Action::NextWeek),
        key(app, Action::Today),
        key(app, Action::CycleView),
        key(app, Action::NewImmersion),
        key(app, Action::New),
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title_bottom(Line::styled(
            truncate(&keys, grid.width.saturating_sub(2) as usize),
            theme.dim,
        ));
    let inner = block.inner(grid);
    frame.render_widget(block, grid);
    // Seven columns separated by « │ »; the spare columns go to the first days.
    let total = inner.width.saturating_sub(6) as usize;
    let base = total / 7;
    let extra = total % 7;
    let mut x = inner.x;
    let heads = week.day_headers();
    for (k, d) in week.days().into_iter().enumerate() {
        let w = base + usize::from(k < extra);
        let col = Rect {
            x,
            y: inner.y,
            width: w as u16,
            height: inner.height,
        };
        let head = format!("{}{}", heads[k], if d == today { " ●" } else { "" });
        draw_day(app, d, &head, d == day, theme, col, frame);
        x += w as u16;
        if k < 6 && x < inner.x + inner.width {
            let sep = Rect {
                x,
                y: inner.y,
                width: 1,
                height: inner.height,
            };
            let bar: Vec<Line> = (0..inner.height)
                .map(|_| Line::styled("│", theme.border))
                .collect();
            frame.render_widget(Paragraph::new(bar), sep);
            x += 1;
        }
    }
    // The chosen item in full.
    let items = s.day_items(today);
    let title = format!(
        " {} — {} ",
        fmt_long_day(day),
        match items.len() {
            0 => "rien de prévu".to_string(),
            1 => "1 élément".to_string(),
            n => format!("{n} éléments"),
        }
    );
    let w = detail.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    match items.get(s.cursor.min(items.len().saturating_sub(1))) {
        Some(i) => {
            let style = if i.conflict { theme.error } else { theme.base };
            lines.push(Line::styled(truncate(&i.line(), w), style));
            let mut second = Vec::new();
            if !i.place.is_empty() {
                second.push(app.privacy.note(&i.place).into_owned());
            }
            if i.beneficiary.is_some() {
                second.push(format!("{} ouvre le dossier", key(app, Action::Open)));
            } else if i.kind == AgendaKind::Seance {
                second.push(format!("{} montre les inscrits", key(app, Action::Open)));
            }
            lines.push(Line::styled(truncate(&second.join(" · "), w), theme.dim));
        }
        None => lines.push(Line::styled("Rien ce jour-là.", theme.dim)),
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(truncate(&title, w)),
        ),
        detail,
    );
    frame.render_widget(
        Paragraph::new(conflict_lines(app, theme, conf.width as usize, 3)),
        conf,
    );
}

fn draw_day(
    app: &App,
    d: NaiveDate,
    head: &str,
    chosen: bool,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let w = area.width as usize;
    if w == 0 || area.height == 0 {
        return;
    }
    let s = &app.agenda;
    let head_style = if chosen {
        theme.active_tab
    } else {
        theme.accent
    };
    let mut lines = vec![Line::styled(
        format!("{:<w$}", truncate(head, w)),
        head_style,
    )];
    let items = crate::domain::agenda::on_day(&s.items, d);
    let rows = (area.height as usize).saturating_sub(1);
    let per = 2;
    let fits = rows / per;
    let cursor = if chosen {
        Some(s.cursor.min(items.len().saturating_sub(1)))
    } else {
        None
    };
    // Keep the chosen item visible; the last line says what is hidden.
    let shown = if items.len() > fits {
        fits.saturating_sub(1).max(1)
    } else {
        fits
    };
    let offset = match cursor {
        Some(c) if c >= shown => c + 1 - shown,
        _ => 0,
    };
    for (k, i) in items.iter().enumerate().skip(offset).take(shown) {
        let style: Style = if cursor == Some(k) {
            theme.selected
        } else if i.conflict {
            theme.error
        } else {
            theme.base
        };
        let warn = if i.conflict { "⚠" } else { "" };
        let l1 = format!("{warn}{}", hours(i, w));
        let who = match i.kind {
            AgendaKind::Seance => subject(i).to_string(),
            _ => subject(i)
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_string(),
        };
        let l2 = format!("{} {who}", kind_letter(i.kind));
        lines.push(Line::styled(format!("{:<w$}", truncate(&l1, w)), style));
        lines.push(Line::styled(format!("{:<w$}", truncate(&l2, w)), style));
    }
    let hidden = items.len().saturating_sub(offset + shown);
    if hidden > 0 {
        lines.push(Line::styled(
            truncate(&format!("+{hidden} autres"), w),
            theme.dim,
        ));
    }
    if items.is_empty() && rows > 0 {
        lines.push(Line::styled(truncate("—", w), theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_upcoming(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let s = &app.agenda;
    let today = app.now.date();
    let last = today + Duration::days(crate::app::agenda::UPCOMING_DAYS - 1);
    let n_conf = s.conflicts.len().min(3) as u16;
    let [top, list, conf] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(n_conf),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(title_line(
            app,
            format!("À venir — du {} au {}", fmt_date(today), fmt_date(last)),
            theme,
            top.width,
        )),
        top,
    );
    let keys = format!(
        " ↑↓ choisir · {} ouvrir · {} vue · {} immersion ",
        key(app, Action::Open),
        key(app, Action::CycleView),
        key(app, Action::NewImmersion)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title_bottom(Line::styled(keys, theme.dim));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    let items = s.upcoming(app.now);
    let h = inner.height as usize;
    let w = inner.width as usize;
    let mut lines = Vec::new();
    if items.is_empty() {
        lines.push(Line::styled(
            if s.loaded.is_some() {
                "Rien de prévu dans les 8 semaines à venir."
            } else {
                "Chargement…"
            },
            theme.dim,
        ));
    }
    let cur = s.cursor.min(items.len().saturating_sub(1));
    let offset = (cur + 1).saturating_sub(h.max(1));
    for (k, i) in items.iter().enumerate().skip(offset).take(h) {
        let style = if k == cur {
            theme.selected
        } else if i.conflict {
            theme.error
        } else {
            theme.base
        };
        let mark = if k == cur { "▶" } else { " " };
        lines.push(Line::styled(
            truncate(&format!("{mark}{}", i.line()), w),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    frame.render_widget(
        Paragraph::new(conflict_lines(app, theme, conf.width as usize, 3)),
        conf,
    );
}

fn draw_sessions(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let s = &app.agenda;
    let sessions = &s.data.sessions;
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    frame.render_widget(
        Paragraph::new(title_line(
            app,
            format!("Séances d'information ({})", sessions.len()),
            theme,
            top.width,
        )),
        top,
    );
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    let keys = format!(
        " {} nouvelle · {} modifier · {} supprimer · {} inscrits ",
        key(app, Action::New),
        key(app, Action::Edit),
        key(app, Action::Delete),
        key(app, Action::Open)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if s.registrant.is_none() {
            theme.accent
        } else {
            theme.border
        })
        .title(" Séances ")
        .title_bottom(Line::styled(
            truncate(&keys, left.width.saturating_sub(2) as usize),
            theme.dim,
        ));
    let inner = block.inner(left);
    frame.render_widget(block, left);
    let w = inner.width as usize;
    let h = inner.height as usize;
    let mut lines = Vec::new();
    if sessions.is_empty() {
        lines.push(Line::styled(
            format!("Aucune séance. {} en crée une.", key(app, Action::New)),
            theme.dim,
        ));
    }
    let cur = s.session.min(sessions.len().saturating_sub(1));
    let offset = (cur + 1).saturating_sub(h.max(1));
    for (k, x) in sessions.iter().enumerate().skip(offset).take(h) {
        let at = crate::app::beneficiaires::interview_form::to_local(x.start);
        let text = format!(
            "{} {} {}  {}",
            if k == cur { "▶" } else { " " },
            fmt_short_day(at.date()),
            at.format("%H:%M"),
            x.topic.trim()
        );
        let style = if k == cur { theme.selected } else { theme.base };
        lines.push(Line::styled(truncate(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), inner);

    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if s.registrant.is_some() {
            theme.accent
        } else {
            theme.border
        })
        .title(" Séance choisie ")
        .title_bottom(Line::styled(
            truncate(
                &format!(
                    " {} inscrire le dossier ouvert · {} désinscrire ",
                    key(app, Action::Register),
                    key(app, Action::Unregister)
                ),
                right.width.saturating_sub(2) as usize,
            ),
            theme.dim,
        ));
    let inner = block.inner(right);
    frame.render_widget(block, right);
    let w = inner.width as usize;
    let Some(x) = sessions.get(cur) else {
        return;
    };
    let at = crate::app::beneficiaires::interview_form::to_local(x.start);
    let kv = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<13}"), theme.dim),
            Span::raw(truncate(&v, w.saturating_sub(13))),
        ])
    };
    let mut lines = vec![
        Line::styled(truncate(x.topic.trim(), w), theme.accent),
        kv(
            "Quand",
            format!(
                "{} à {} ({} min)",
                fmt_date(at.date()),
                at.format("%H:%M"),
                x.duration_minutes
            ),
        ),
        kv("Où", x.location()),
        kv("Organisateur", x.organiser.trim().to_string()),
        kv(
            "Places",
            format!(
                "{} · {} restante{}",
                x.fill_label(&s.data.registrations),
                x.places_left(&s.data.registrations),
                if x.places_left(&s.data.registrations) > 1 {
                    "s"
                } else {
                    ""
                }
            ),
        ),
        Line::raw(""),
        Line::styled("Inscrits", theme.accent),
    ];
    let names = |id| name_of(app, id);
    let regs = s.registrants(x, &names);
    if regs.is_empty() {
        lines.push(Line::styled("  personne pour l'instant", theme.dim));
    }
    for (k, (name, r)) in regs.iter().enumerate() {
        let chosen = s.registrant == Some(k);
        let text = format!(
            "{} {name} (inscrit le {})",
            if chosen { "▶" } else { " " },
            fmt_date(r.registered_on)
        );
        lines.push(Line::styled(
            truncate(&text, w),
            if chosen { theme.selected } else { theme.base },
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
