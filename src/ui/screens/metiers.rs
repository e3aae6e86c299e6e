//! The Métiers screen: search line, results table, detail pane.

use crate::app::metiers::{related, selected_appellation, Pane, Relation};
use crate::app::text::width;
use crate::app::App;
use crate::ui::{input_spans, truncate, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    draw_search_line(app, theme, top, frame);
    if app.metiers.detail_hidden {
        draw_results(app, theme, body, frame);
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)]).areas(body);
    draw_results(app, theme, left, frame);
    draw_detail(app, theme, right, frame);
}

fn draw_search_line(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let m = &app.metiers;
    const LABEL: &str = " Recherche : ";
    let mut spans = vec![Span::styled(LABEL, theme.accent)];
    // Filled in once the room left of the branch filter is known.
    let query_at = spans.len();
    let branch = match &m.branch {
        Some(short) => {
            let name = app
                .catalog
                .branches()
                .by_short(short)
                .map(|b| b.display.clone())
                .unwrap_or_else(|| short.clone());
            vec![
                Span::styled("Branche : ", theme.accent),
                Span::styled(name, theme.active_tab),
                Span::styled(" (b suivante, B toutes)", theme.dim),
            ]
        }
        None => vec![
            Span::styled("Branche : ", theme.accent),
            Span::raw("toutes"),
            Span::styled(" (b pour filtrer)", theme.dim),
        ],
    };
    let mut right = branch;
    right.push(Span::styled(
        format!(
            "   Référentiel {} ",
            truncate(&app.catalog.info().short_version, 32)
        ),
        theme.dim,
    ));
    let right_w: u16 = right.iter().map(|s| width(&s.content) as u16).sum();
    let [q, r] = Layout::horizontal([Constraint::Min(10), Constraint::Length(right_w)]).areas(area);
    let room = (q.width as usize).saturating_sub(width(LABEL) + 1);
    let query = if m.search_focused {
        input_spans(&m.query, room, theme.base, theme.key)
    } else if m.query.is_empty() {
        vec![Span::styled("(/ pour chercher)", theme.dim)]
    } else {
        vec![Span::raw(truncate(&m.query.text, room))]
    };
    spans.splice(query_at..query_at, query);
    frame.render_widget(Paragraph::new(Line::from(spans)), q);
    frame.render_widget(Paragraph::new(Line::from(right)), r);
}

/// The label with the matched characters highlighted.
fn highlighted(
    label: &str,
    marks: &[usize],
    width: usize,
    base: Style,
    hl: Style,
) -> Vec<Span<'static>> {
    let text = truncate(label, width);
    let mut spans = Vec::new();
    let mut cur = String::new();
    let mut cur_hl = false;
    for (i, c) in text.chars().enumerate() {
        let h = marks.contains(&i) && c != '…';
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
    let used = crate::app::text::width(&text);
    if used < width {
        spans.push(Span::styled(" ".repeat(width - used), base));
    }
    spans
}

fn draw_results(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let m = &app.metiers;
    let hits = m.searcher.hits();
    let total = m.searcher.total();
    let title = match total {
        0 => " Aucun résultat ".to_string(),
        1 => " 1 résultat ".to_string(),
        n if n > hits.len() => format!(" {n} résultats ({} affichés) ", hits.len()),
        n => format!(" {n} résultats "),
    };
    let focused = m.pane == Pane::Results && !m.search_focused;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused || m.search_focused {
            theme.accent
        } else {
            theme.border
        })
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if hits.is_empty() {
        let mut lines = vec![Line::raw("")];
        if m.query.is_empty() {
            lines.push(Line::raw(" Aucun métier pour cette branche."));
        } else {
            lines.push(Line::raw(format!(
                " Aucun métier ne correspond à « {} ».",
                m.query.text
            )));
            lines.push(Line::styled(
                " Essayez un autre mot, un code ROME (ex. K1202),",
                theme.dim,
            ));
            if m.branch.is_some() {
                lines.push(Line::styled(
                    " ou retirez le filtre de branche (B).",
                    theme.dim,
                ));
            } else {
                lines.push(Line::styled(" ou un sigle (TISF, CESF, EJE…).", theme.dim));
            }
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    // One line for the column headings, the rest for rows.
    let h = (inner.height as usize).saturating_sub(1);
    let offset = if m.selected >= h {
        m.selected + 1 - h
    } else {
        0
    };
    let w = inner.width as usize;
    // Columns: appellation, code, ROME label (when room), branches.
    let code_w = 6;
    let branches_w = 10.min(w / 5);
    let rest = w.saturating_sub(code_w + branches_w + 2);
    let (label_w, rome_w) = if rest >= 50 {
        (rest * 3 / 5, rest - rest * 3 / 5)
    } else {
        (rest, 0)
    };
    let mut lines = Vec::with_capacity(h + 1);
    let mut heading = format!(
        " {:<lw$} {:<5}",
        "Appellation",
        "ROME",
        lw = label_w.saturating_sub(1)
    );
    if rome_w > 0 {
        heading.push_str(&format!(" {:<rw$}", "Libellé ROME", rw = rome_w - 1));
    }
    heading.push_str(" Branches");
    lines.push(Line::styled(truncate(&heading, w), theme.dim));
    for (row, hit) in hits.iter().enumerate().skip(offset).take(h) {
        let Some(a) = app.catalog.appellation(hit.idx) else {
            continue;
        };
        let selected = row == m.selected;
        let base = if selected { theme.selected } else { theme.base };
        let hl = if selected {
            theme.highlight.patch(theme.selected)
        } else {
            theme.highlight
        };
        let marks = if m.query.is_empty() {
            Vec::new()
        } else {
            app.catalog.highlight(hit.idx, &m.query.text)
        };
        let mut spans = vec![Span::styled(if selected { "▶" } else { " " }, base)];
        spans.extend(highlighted(
            &a.label,
            &marks,
            label_w.saturating_sub(1),
            base,
            hl,
        ));
        spans.push(Span::styled(format!(" {:<5}", a.rome), base));
        if rome_w > 0 {
            let rl = app
                .catalog
                .fiche(&a.rome)
                .map(|f| f.label.as_str())
                .unwrap_or("");
            spans.push(Span::styled(
                format!(" {:<w$}", truncate(rl, rome_w - 1), w = rome_w - 1),
                base,
            ));
        }
        let br = app.catalog.branches_label(&a.branches);
        let br = if br == "toutes les branches" {
            "toutes".to_string()
        } else {
            br
        };
        spans.push(Span::styled(
            format!(" {:<w$}", truncate(&br, branches_w), w = branches_w),
            if selected { base } else { theme.dim },
        ));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_detail(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let m = &app.metiers;
    let focused = m.pane == Pane::Detail && !m.search_focused;
    let Some(idx) = selected_appellation(app) else {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(" Fiche ");
        frame.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let Some(a) = app.catalog.appellation(idx) else {
        return;
    };
    let code = a.rome.clone();
    let fiche_label = app
        .catalog
        .fiche(&code)
        .map(|f| f.label.clone())
        .unwrap_or_default();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { theme.accent } else { theme.border })
        .title(format!(" {code} {fiche_label} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;

    let mut lines: Vec<Line> = Vec::new();
    let full = format!("Appellation : {}", a.label);
    for (i, (s0, e0)) in crate::app::text::wrap(&full, w.max(10))
        .into_iter()
        .enumerate()
    {
        let part = &full[s0..e0];
        if i == 0 {
            let rest: String = part
                .chars()
                .skip("Appellation : ".chars().count())
                .collect();
            lines.push(Line::from(vec![
                Span::styled("Appellation : ", theme.accent),
                Span::raw(rest),
            ]));
        } else {
            lines.push(Line::raw(part.to_string()));
        }
    }
    let branches: Vec<String> = app
        .catalog
        .fiche_branches(&code)
        .iter()
        .map(|b| b.display.clone())
        .collect();
    lines.push(Line::from(vec![
        Span::styled("Branches : ", theme.accent),
        Span::raw(if branches.is_empty() {
            "hors correspondance".to_string()
        } else {
            branches.join(", ")
        }),
    ]));
    let apps = app.catalog.appellations_of(&code);
    lines.push(Line::styled(
        format!("Appellations ({}) :", apps.len()),
        theme.accent,
    ));
    let shown = if focused { apps.len() } else { 6 };
    for &i in apps.iter().take(shown) {
        if let Some(x) = app.catalog.appellation(i as usize) {
            lines.push(Line::raw(format!(
                "  {}",
                truncate(&x.label, w.saturating_sub(2))
            )));
        }
    }
    if apps.len() > shown {
        lines.push(Line::styled(
            format!("  … et {} autres (chercher {code})", apps.len() - shown),
            theme.dim,
        ));
    }
    let rel = related(&app.catalog, &code);
    let mut sel_line = 0usize;
    if rel.is_empty() {
        lines.push(Line::styled("Pas de métier voisin connu.", theme.dim));
    } else {
        lines.push(Line::styled(
            format!("Métiers voisins ({}), Entrée ouvre :", rel.len()),
            theme.accent,
        ));
    }
    for (i, r) in rel.iter().enumerate() {
        let sel = focused && i == m.related_selected;
        let style = if sel { theme.selected } else { theme.base };
        let (mark, note) = match &r.relation {
            Relation::PasserelleTo(n) => ("→", n.as_str()),
            Relation::PasserelleFrom(n) => ("←", n.as_str()),
            Relation::Family => ("·", ""),
        };
        if sel {
            sel_line = lines.len();
        }
        let text = format!(
            "{}{mark} {} {}",
            if sel { "▶" } else { " " },
            r.code,
            r.label
        );
        lines.push(Line::styled(truncate(&text, w), style));
        if !note.is_empty() && (sel || !focused) {
            lines.push(Line::styled(
                format!("    {}", truncate(note, w.saturating_sub(4))),
                theme.dim,
            ));
        }
    }
    // Keep the selected related métier visible.
    let h = inner.height as usize;
    let scroll = if focused && sel_line + 2 >= h {
        sel_line + 3 - h
    } else {
        0
    };
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}
