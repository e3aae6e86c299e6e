//! The Accueil screen: today's and overdue follow-ups of open files, and
//! the files opened recently. Fed by the files loaded at startup.

use crate::app::beneficiaires::branches;
use crate::app::beneficiaires::Row;
use crate::app::{accueil, App};
use crate::domain::time::{fmt_date, fmt_long_day};
use crate::ui::{truncate, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

fn branch(b: &Row) -> String {
    b.branch()
        .map(|s| {
            branches()
                .by_short(s)
                .map(|x| x.display.clone())
                .unwrap_or_else(|| s.to_string())
        })
        .unwrap_or_default()
}

pub fn draw(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let today = app.now.date();
    let s = &app.benef;
    let [top, bottom, foot] = Layout::vertical([
        Constraint::Percentage(55),
        Constraint::Min(4),
        Constraint::Length(1),
    ])
    .areas(area);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    let (due, late) = s.follow_ups(today);
    let cursor = crate::app::accueil::selected(app);
    let style_of = |item: usize| {
        if item == cursor {
            theme.selected
        } else {
            theme.base
        }
    };

    let title = fmt_long_day(today);
    let title = title
        .rsplit_once(' ')
        .map(|(d, _)| d.to_string())
        .unwrap_or(title);
    let w = left.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    if !s.loaded {
        lines.push(Line::styled("Chargement des dossiers…", theme.dim));
    } else if due.is_empty() {
        lines.push(Line::styled("Aucun suivi prévu aujourd'hui.", theme.dim));
    }
    for (i, r) in due.iter().enumerate() {
        lines.push(Line::styled(
            truncate(
                &format!("Suivi prévu  {}  {}", r.display_name(), branch(r)),
                w,
            ),
            style_of(i),
        ));
    }
    // Today's interviews, then the immersions of the week.
    let agenda_lines: Vec<_> = accueil::today_lines(app)
        .into_iter()
        .chain(accueil::week_immersions(app))
        .collect();
    for (k, l) in agenda_lines.iter().enumerate() {
        lines.push(Line::styled(truncate(&l.text, w), style_of(due.len() + k)));
    }
    let left_items = due.len() + agenda_lines.len();
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(format!(" Aujourd'hui — {title} ")),
        ),
        left,
    );

    let w = right.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    if s.loaded && late.is_empty() && accueil::debriefs_due(app).is_empty() {
        lines.push(Line::styled("Aucun suivi en retard.", theme.dim));
    }
    for (i, r) in late.iter().enumerate() {
        let item = left_items + i;
        let d = r
            .next_follow_up
            .map(|d| d.format("%d/%m").to_string())
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled("⚠ ", theme.error),
            Span::styled(
                truncate(
                    &format!("Suivi prévu {d}  {}", r.display_name()),
                    w.saturating_sub(2),
                ),
                style_of(item),
            ),
        ]));
    }
    let debriefs = accueil::debriefs_due(app);
    for (k, l) in debriefs.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled("⚠ ", theme.error),
            Span::styled(
                truncate(&l.text, w.saturating_sub(2)),
                style_of(left_items + late.len() + k),
            ),
        ]));
    }
    let n_late = late.len() + debriefs.len();
    let late_title = if n_late == 0 {
        " En retard ".to_string()
    } else {
        format!(" En retard ({n_late}) ")
    };
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(if n_late == 0 {
                    theme.border
                } else {
                    theme.error
                })
                .title(late_title),
        ),
        right,
    );

    let w = bottom.width.saturating_sub(2) as usize;
    let recent = s.recent_files();
    let mut lines: Vec<Line> = Vec::new();
    if s.loaded && recent.is_empty() {
        let go = app
            .keymap
            .key_for(&crate::app::Action::GoTo(crate::app::Screen::Beneficiaires))
            .unwrap_or_default();
        lines.push(Line::styled(
            format!(
                "Aucun dossier ouvert récemment. Appuyez sur {go} pour la liste des bénéficiaires."
            ),
            theme.dim,
        ));
    }
    let first_recent = left_items + n_late;
    for (i, b) in recent.into_iter().enumerate() {
        let job = b.job().unwrap_or("");
        let next = b
            .next_follow_up
            .map(|d| format!("prochain suivi {}", fmt_date(d)))
            .unwrap_or_default();
        let left_part = format!(
            "{:<22} {:<8} {}",
            truncate(&b.display_name(), 22),
            branch(b),
            job
        );
        let room = w.saturating_sub(next.chars().count() + 1);
        let left_part = truncate(&left_part, room);
        let pad = w.saturating_sub(left_part.chars().count() + next.chars().count());
        let style = style_of(first_recent + i);
        lines.push(Line::from(vec![
            Span::styled(left_part, style),
            Span::styled(" ".repeat(pad), style),
            Span::styled(next, theme.dim.patch(style)),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(" Récemment ouverts "),
        ),
        bottom,
    );
    let data = if app.data_dir.is_empty() {
        String::new()
    } else {
        format!(" Données : {}", app.data_dir)
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(
                &format!("{data}  · {} dossiers", s.list.len()),
                foot.width as usize,
            ),
            theme.dim,
        )),
        foot,
    );
}
