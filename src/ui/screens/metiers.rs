//! The Métiers screen: search line, results table, detail pane.

use crate::app::metiers::{related, selected_appellation, Pane, Relation};
use crate::app::text::width as text_width;
use crate::app::App;
use crate::catalog::fold::normalized;
use crate::ui::{input_spans, marked_spans, truncate, Theme};
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

/// Room the query keeps on the search line before the hints on the right
/// give way (key reminder first, then the referential's version).
const QUERY_ROOM: usize = 18;

fn draw_search_line(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let m = &app.metiers;
    const LABEL: &str = " Recherche : ";
    let (name, name_style, keys) = match &m.branch {
        Some(short) => (
            app.catalog
                .branches()
                .by_short(short)
                .map(|b| b.display.clone())
                .unwrap_or_else(|| short.clone()),
            theme.active_tab,
            " (b suivante, B toutes)",
        ),
        None => ("toutes".to_string(), theme.base, " (b pour filtrer)"),
    };
    let version = if app.catalog_loading {
        "  Référentiel : chargement…".to_string()
    } else {
        format!(
            "  Référentiel {}",
            truncate(&app.catalog.info().short_version, 32)
        )
    };
    let total = area.width as usize;
    let fixed = text_width(LABEL) + text_width("Branche : ") + text_width(&name) + 1;
    let mut right = vec![
        Span::styled("Branche : ", theme.accent),
        Span::styled(name, name_style),
    ];
    let mut used = fixed;
    for (text, keep) in [(keys, true), (version.as_str(), false)] {
        if used + text_width(text) + QUERY_ROOM <= total {
            used += text_width(text);
            right.push(Span::styled(text.to_string(), theme.dim));
        } else if keep {
            // Without the key reminder, the version does not come back.
            break;
        }
    }
    right.push(Span::raw(" "));
    let right_w: u16 = right.iter().map(|s| text_width(&s.content) as u16).sum();
    let [q, r] = Layout::horizontal([Constraint::Min(10), Constraint::Length(right_w)]).areas(area);
    let room = (q.width as usize).saturating_sub(text_width(LABEL));
    let query = if m.search_focused {
        input_spans(&m.query, room, theme.base, theme.key)
    } else if m.query.is_empty() {
        vec![Span::styled("(/ pour chercher)", theme.dim)]
    } else {
        vec![Span::raw(truncate(&m.query.text, room))]
    };
    let mut spans = vec![Span::styled(LABEL, theme.accent)];
    spans.extend(query);
    frame.render_widget(Paragraph::new(Line::from(spans)), q);
    frame.render_widget(Paragraph::new(Line::from(right)), r);
}

/// The label with the matched characters highlighted, cut and padded to `width`.
fn highlighted(
    label: &str,
    marks: &[usize],
    width: usize,
    base: Style,
    hl: Style,
) -> Vec<Span<'static>> {
    let text = truncate(label, width);
    let mut spans = marked_spans(&text, marks, base, hl);
    let used = text_width(&text);
    if used < width {
        spans.push(Span::styled(" ".repeat(width - used), base));
    }
    spans
}

fn draw_results(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let m = &app.metiers;
    let hits = m.searcher.hits();
    let total = m.searcher.total();
    let mut title = match total {
        0 => " Aucun résultat ".to_string(),
        1 => " 1 résultat ".to_string(),
        n if n > hits.len() => format!(" {n} résultats ({} affichés) ", hits.len()),
        n => format!(" {n} résultats "),
    };
    let focused = m.pane == Pane::Results && !m.search_focused;
    let block =
        Block::default()
            .borders(Borders::ALL)
            .border_style(if focused || m.search_focused {
                theme.accent
            } else {
                theme.border
            });
    let inner = block.inner(area);
    if app.catalog_loading {
        frame.render_widget(block.title(" Chargement… "), area);
        let lines = vec![
            Line::raw(""),
            Line::raw(" Chargement du catalogue des métiers…"),
            Line::styled(
                " La recherche part dès qu'il est prêt, avec ce que vous avez tapé.",
                theme.dim,
            ),
        ];
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
    let shown: Vec<(usize, &crate::domain::Appellation)> = hits
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .filter_map(|(row, hit)| app.catalog.appellation(hit.idx).map(|a| (row, a)))
        .collect();
    let several_fiches = shown.windows(2).any(|p| p[0].1.rome != p[1].1.rome);
    // Every row on screen from one fiche, no detail pane: the fiche is
    // named once in the title rather than on every row.
    if let (false, true, Some((_, a))) = (several_fiches, m.detail_hidden, shown.first()) {
        if let Some(f) = app.catalog.fiche(&a.rome) {
            title = format!("{}· {} {} ", title, f.code, f.label);
        }
    }
    frame.render_widget(block.title(title), area);
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
    let w = inner.width as usize;
    // Columns: appellation, code, ROME label (only when the rows on screen
    // come from several fiches and there is room), branches.
    let code_w = 6;
    let branches_w = (w / 6).clamp(8, 20);
    let rest = w.saturating_sub(1 + code_w + branches_w + 1);
    let (label_w, rome_w) = if several_fiches && rest >= 60 {
        (rest * 3 / 5, rest - rest * 3 / 5)
    } else {
        (rest, 0)
    };
    let mut lines = Vec::with_capacity(h + 1);
    let mut heading = format!(" {:<label_w$} {:<5}", "Appellation", "ROME");
    if rome_w > 0 {
        heading.push_str(&format!(" {:<rw$}", "Libellé ROME", rw = rome_w - 1));
    }
    heading.push_str(" Branches");
    lines.push(Line::styled(truncate(&heading, w), theme.dim));
    for (k, &(row, a)) in shown.iter().enumerate() {
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
            app.catalog.highlight(hit_idx(app, row), &m.query.text)
        };
        let prev = k.checked_sub(1).map(|p| shown[p].1);
        let from = distinct_start(&a.label, prev.map(|p| p.label.as_str()), label_w);
        let (text, marks) = elide_start(&a.label, &marks, from);
        let mut spans = vec![Span::styled(if selected { "▶" } else { " " }, base)];
        spans.extend(highlighted(&text, &marks, label_w, base, hl));
        spans.push(Span::styled(format!(" {:<5}", a.rome), base));
        if rome_w > 0 {
            let rl = app
                .catalog
                .fiche(&a.rome)
                .map(|f| f.label.as_str())
                .unwrap_or("");
            // Only where it adds something: first row of a fiche, and not a
            // repeat of the appellation itself.
            let same_fiche = prev.is_some_and(|p| p.rome == a.rome);
            let rl = if same_fiche || normalized(rl) == normalized(&a.label) {
                ""
            } else {
                rl
            };
            spans.push(Span::styled(
                format!(" {:<w$}", truncate(rl, rome_w - 1), w = rome_w - 1),
                if selected { base } else { theme.dim },
            ));
        }
        spans.push(Span::styled(
            format!(" {}", branches_cell(app, &a.branches, branches_w)),
            if selected { base } else { theme.dim },
        ));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `label value`, wrapped to `width` columns, the label in the accent colour.
fn labelled(label: &str, value: &str, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let full = format!("{label}{value}");
    crate::app::text::wrap(&full, width.max(10))
        .into_iter()
        .map(|(s0, e0)| {
            let part = &full[s0..e0];
            match part.strip_prefix(label) {
                Some(rest) if s0 == 0 => Line::from(vec![
                    Span::styled(label.to_string(), theme.accent),
                    Span::raw(rest.to_string()),
                ]),
                _ => Line::raw(part.to_string()),
            }
        })
        .collect()
}

fn hit_idx(app: &App, row: usize) -> usize {
    app.metiers
        .searcher
        .hits()
        .get(row)
        .map_or(usize::MAX, |h| h.idx)
}

/// Where to start showing `label` in `width` columns so that it can be told
/// from the row above: when it does not fit and shares so long a start with
/// `prev` that a plain cut would hide what differs, it starts at the last
/// shared word (« … enfants coordonnateur / coordonnatrice… » under
/// « Éducateur / Éducatrice de jeunes enfants »). A char index; 0 = from
/// the beginning. A label whose difference shows within the width (six
/// columns at least) stays whole.
fn distinct_start(label: &str, prev: Option<&str>, width: usize) -> usize {
    let Some(prev) = prev else { return 0 };
    if text_width(label) <= width {
        return 0;
    }
    let a: Vec<char> = label.chars().collect();
    let b: Vec<char> = prev.chars().collect();
    let same = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // The start of the word where they part (the next word when both end a
    // word there: « … enfants » and « … enfants coordonnateur »).
    let ends_word = |v: &[char]| v.get(same).is_none_or(|c| *c == ' ');
    let parted = if ends_word(&a) && ends_word(&b) {
        (same + 1).min(a.len())
    } else {
        a[..same]
            .iter()
            .rposition(|c| *c == ' ')
            .map_or(0, |p| p + 1)
    };
    // Enough of the difference shows anyway: keep the label whole.
    if parted + 6 < width {
        return 0;
    }
    // Keep the last shared word as context.
    a[..parted.saturating_sub(1)]
        .iter()
        .rposition(|c| *c == ' ')
        .map_or(0, |p| p + 1)
}

/// `label` from char `from` on, behind `…` (and the marks moved with it).
fn elide_start(label: &str, marks: &[usize], from: usize) -> (String, Vec<usize>) {
    if from == 0 {
        return (label.to_string(), marks.to_vec());
    }
    let text = format!("… {}", label.chars().skip(from).collect::<String>());
    let moved = marks
        .iter()
        .filter(|&&i| i >= from)
        .map(|&i| i - from + 2)
        .collect();
    (text, moved)
}

/// Branches of a row in `width` columns, in the order of branches.toml:
/// `toutes`, or as many names as fit then `+N` for the others.
fn branches_cell(app: &App, shorts: &[String], width: usize) -> String {
    let all = app.catalog.branches_label(shorts);
    if all == "toutes les branches" {
        return truncate("toutes", width);
    }
    if text_width(&all) <= width {
        return format!("{all:<width$}");
    }
    let names: Vec<&str> = all.split(", ").collect();
    let mut out = String::new();
    for (k, n) in names.iter().enumerate() {
        let more = format!(" +{}", names.len() - k - 1);
        let candidate = if out.is_empty() {
            n.to_string()
        } else {
            format!("{out}, {n}")
        };
        let tail = if k + 1 < names.len() { more.len() } else { 0 };
        if text_width(&candidate) + tail > width {
            let left = names.len() - k;
            out = if out.is_empty() {
                truncate(n, width.saturating_sub(3))
            } else {
                out
            };
            out.push_str(&format!(" +{left}"));
            break;
        }
        out = candidate;
    }
    format!("{:<width$}", truncate(&out, width))
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
    lines.extend(labelled("Appellation : ", &a.label, w, theme));
    let branches: Vec<String> = app
        .catalog
        .fiche_branches(&code)
        .iter()
        .map(|b| b.display.clone())
        .collect();
    let branches = if branches.is_empty() {
        "hors correspondance".to_string()
    } else {
        branches.join(", ")
    };
    lines.extend(labelled("Branches : ", &branches, w, theme));
    let apps = app.catalog.appellations_of(&code);
    lines.push(Line::styled(
        format!("Appellations ({}) :", apps.len()),
        theme.accent,
    ));
    let shown = if focused { apps.len() } else { 6 };
    let mut prev: Option<&str> = None;
    for &i in apps.iter().take(shown) {
        if let Some(x) = app.catalog.appellation(i as usize) {
            let room = w.saturating_sub(2);
            let from = distinct_start(&x.label, prev, room);
            let text = elide_start(&x.label, &[], from).0;
            lines.push(Line::raw(format!("  {}", truncate(&text, room))));
            prev = Some(&x.label);
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

#[cfg(test)]
mod tests {
    use super::*;

    const EJE: &str = "Éducateur / Éducatrice de jeunes enfants";
    const COORD: &str =
        "Éducateur / Éducatrice de jeunes enfants coordonnateur / coordonnatrice petite enfance";
    const RESP: &str = "Éducateur / Éducatrice de jeunes enfants responsable de structure d'accueil petite enfance";
    const ADJ: &str = "Éducateur / Éducatrice de jeunes enfants responsable adjoint de structure d'accueil petite enfance";

    fn shown(label: &str, prev: Option<&str>, width: usize) -> String {
        let from = distinct_start(label, prev, width);
        truncate(&elide_start(label, &[], from).0, width)
    }

    #[test]
    fn long_labels_show_what_differs_from_the_row_above() {
        assert_eq!(shown(EJE, None, 30), "Éducateur / Éducatrice de jeu…");
        assert_eq!(
            shown(COORD, Some(EJE), 30),
            "… enfants coordonnateur / coo…"
        );
        assert_eq!(
            shown(RESP, Some(COORD), 30),
            "… enfants responsable de stru…"
        );
        assert_eq!(shown(ADJ, Some(RESP), 30), "… responsable adjoint de stru…");
        // Room enough to see the difference: the label stays whole.
        assert_eq!(distinct_start(COORD, Some(EJE), 60), 0);
        assert_eq!(distinct_start(COORD, Some(EJE), 90), 0);
        // Different starts, or no row above: from the beginning.
        assert_eq!(
            distinct_start(COORD, Some("Responsable de structure"), 30),
            0
        );
        assert_eq!(distinct_start(COORD, None, 30), 0);
    }

    #[test]
    fn marks_move_with_the_elided_label() {
        let (text, marks) = elide_start("abc def ghi", &[0, 4, 8, 9], 4);
        assert_eq!(text, "… def ghi");
        let chars: Vec<char> = text.chars().collect();
        let picked: String = marks.iter().map(|&i| chars[i]).collect();
        assert_eq!(picked, "dgh");
    }
}
