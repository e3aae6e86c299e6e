//! The Immersions tab of a file (its immersions, the sessions it is
//! registered to, the chosen immersion in detail with its rule checks) and
//! the immersion forms with the rule checks beside them.

use crate::app::beneficiaires::immersions::{
    selected_with_findings, session_label, ImmersionTarget, Row,
};
use crate::app::beneficiaires::{FormTarget, OpenFile, OpenForm};
use crate::app::{Action, App, Context, Screen};
use crate::domain::rules::immersion::{Finding, RuleId};
use crate::domain::schedule::fmt_hours;
use crate::domain::time::fmt_date;
use crate::ui::widgets::form;
use crate::ui::{truncate, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

fn key(app: &App, a: Action) -> String {
    app.keymap
        .key_in(Context::Screen(Screen::Beneficiaires), &a)
        .unwrap_or_else(|| "—".into())
}

/// The keys written under the tab.
pub fn tab_keys(app: &App) -> String {
    let k = |a| key(app, a);
    format!(
        " {} nouvelle · {} modifier · {} statut · {} renouveler · {} bilan · {} convention · {} séance · {} désinscrire ",
        k(Action::NewImmersion),
        k(Action::Edit),
        k(Action::ImmersionStatus),
        k(Action::Renew),
        k(Action::Debrief),
        k(Action::ExportConvention),
        k(Action::Register),
        k(Action::Unregister),
    )
}

/// The findings as lines: blocking ones `✗`, warnings `⚠`; the missing
/// fields together on one line, so the other findings stay in view.
pub fn finding_lines(findings: &[Finding], theme: &Theme, w: usize) -> Vec<Line<'static>> {
    let missing: Vec<&str> = findings
        .iter()
        .filter(|f| f.rule == RuleId::MissingField)
        .map(|f| {
            f.message
                .strip_prefix("champ manquant : ")
                .unwrap_or(&f.message)
        })
        .collect();
    let mut out = Vec::new();
    let mut missing_done = false;
    for f in findings {
        let text = if f.rule == RuleId::MissingField {
            if missing_done {
                continue;
            }
            missing_done = true;
            match missing.len() {
                1 => format!("champ manquant : {}", missing[0]),
                n => format!("{n} champs manquants : {}", missing.join(", ")),
            }
        } else {
            f.message.clone()
        };
        let (mark, style) = if f.is_blocking() {
            ("✗ ", theme.error)
        } else {
            ("⚠ ", theme.info)
        };
        out.push(Line::styled(truncate(&format!("{mark}{text}"), w), style));
    }
    out
}

/// `2 bloquants, 1 avertissement`
fn count_label(findings: &[Finding]) -> String {
    let b = findings.iter().filter(|f| f.is_blocking()).count();
    let w = findings.len() - b;
    let part = |n: usize, one: &str, many: &str| match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    };
    [
        part(b, "bloquant", "bloquants"),
        part(w, "avertissement", "avertissements"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

pub fn draw_tab(app: &App, f: &OpenFile, theme: &Theme, area: Rect, frame: &mut Frame) {
    let t = &f.imm;
    if !t.loaded {
        frame.render_widget(Paragraph::new(Line::styled("Chargement…", theme.dim)), area);
        return;
    }
    let rows = t.rows(f.id);
    let w = area.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let n_imm = t.data.immersions.len();
    lines.push(Line::styled(format!("Immersions ({n_imm})"), theme.accent));
    if n_imm == 0 {
        lines.push(Line::styled(
            format!(
                "  Aucune immersion. {} en prépare une (PMSMP).",
                key(app, Action::NewImmersion)
            ),
            theme.dim,
        ));
    }
    let cur = t.selected.min(rows.len().saturating_sub(1));
    let mut sessions_title = false;
    for (k, r) in rows.iter().enumerate() {
        let chosen = k == cur;
        let mark = if chosen { "▶ " } else { "  " };
        let text = match r {
            Row::Immersion(i) => {
                let host = if i.host.name.trim().is_empty() {
                    "structure à préciser"
                } else {
                    i.host.name.trim()
                };
                let mut s = format!(
                    "{} → {}  {host} · {} · {}",
                    fmt_date(i.start),
                    fmt_date(i.end),
                    i.status.label(),
                    fmt_hours(i.total_minutes())
                );
                if i.is_renewal() {
                    s.push_str(" · renouvellement");
                }
                if i.debrief_overdue(app.now.date()) {
                    s.push_str(" · ⚠ bilan à faire");
                }
                s
            }
            Row::Session(s, _) => {
                if !sessions_title {
                    sessions_title = true;
                    lines.push(Line::styled(
                        "Séances d'information".to_string(),
                        theme.accent,
                    ));
                }
                session_label(s, &t.data.registrations)
            }
        };
        let style = if chosen { theme.selected } else { theme.base };
        lines.push(Line::from(vec![
            Span::styled(mark, theme.accent),
            Span::styled(truncate(&text, w.saturating_sub(2)), style),
        ]));
    }
    if !sessions_title {
        lines.push(Line::styled(
            format!(
                "Séances d'information : aucune inscription ({} pour inscrire)",
                key(app, Action::Register)
            ),
            theme.dim,
        ));
    }
    let list_h = (lines.len() as u16).min(area.height.saturating_sub(4).max(1));
    let [list, detail] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(0)]).areas(area);
    // Keep the cursor's line visible (two title lines at most come before).
    let offset = (cur + 2).saturating_sub(list_h as usize);
    frame.render_widget(Paragraph::new(lines).scroll((offset as u16, 0)), list);
    if detail.height < 2 {
        return;
    }
    let Some((i, findings)) = selected_with_findings(app) else {
        return;
    };
    let kv = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<16}"), theme.dim),
            Span::raw(truncate(&v, w.saturating_sub(18))),
        ])
    };
    let mut d = vec![
        Line::raw(""),
        Line::styled(
            truncate(&format!("Immersion {} — {}", i.id.short(), i.summary()), w),
            theme.accent,
        ),
    ];
    d.push(kv(
        "Métier visé",
        i.target
            .as_ref()
            .map(|t| format!("{} ({})", t.label, t.rome))
            .unwrap_or_else(|| "—".into()),
    ));
    d.push(kv(
        "Objectif",
        i.objective.map_or("—".into(), |o| o.label().to_string()),
    ));
    d.push(kv(
        "Horaires",
        if i.schedule.is_empty() {
            "—".into()
        } else {
            format!(
                "{} ({} par semaine, {} au total)",
                i.schedule.canonical(),
                fmt_hours(i.weekly_minutes()),
                fmt_hours(i.total_minutes())
            )
        },
    ));
    d.push(kv(
        "Prescripteur",
        i.prescriber.as_ref().map_or("à trouver".into(), |p| {
            format!("{} · {}", p.kind.label(), p.name)
        }),
    ));
    if i.status.needs_reason() {
        d.push(kv("Motif", app.privacy.note(&i.status_reason).into_owned()));
    }
    if let Some(b) = &i.debrief {
        d.push(kv("Bilan", b.summary()));
    } else if i.debrief_overdue(app.now.date()) {
        d.push(kv(
            "Bilan",
            format!("à faire ({} pour le saisir)", key(app, Action::Debrief)),
        ));
    }
    let blocking = findings.iter().any(Finding::is_blocking);
    let rules = if findings.is_empty() {
        "✓ aucune règle enfreinte".to_string()
    } else {
        count_label(&findings)
    };
    d.push(Line::from(vec![
        Span::styled(format!("  {:<16}", "Règles"), theme.dim),
        Span::styled(
            rules,
            if blocking {
                theme.error
            } else if findings.is_empty() {
                theme.success
            } else {
                theme.info
            },
        ),
    ]));
    let room = (detail.height as usize).saturating_sub(d.len());
    let shown: Vec<Finding> = findings.into_iter().take(room).collect();
    for l in finding_lines(&shown, theme, w.saturating_sub(4)) {
        let mut spans = vec![Span::raw("    ")];
        spans.extend(l.spans);
        d.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(d), detail);
}

/// An immersion form, with the rule checks below it (content and status
/// forms).
pub fn draw_form(
    app: &App,
    of: &OpenForm,
    keys: &str,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    let FormTarget::Immersion(t) = &of.target else {
        form::draw(&of.form, &app.privacy, keys, theme, area, frame);
        return;
    };
    let with_checks = matches!(
        t,
        ImmersionTarget::Content { .. } | ImmersionTarget::Status { .. }
    );
    let tab = app.benef.file.as_ref().map(|f| &f.imm);
    let (findings, pending) = match tab {
        Some(tab) if with_checks => (tab.findings.as_slice(), tab.pending.as_deref()),
        _ => {
            form::draw(&of.form, &app.privacy, keys, theme, area, frame);
            return;
        }
    };
    let w = area.width.saturating_sub(2) as usize;
    let (title, lines) = if let Some(p) = pending {
        (
            " Règles de la PMSMP ".to_string(),
            vec![Line::styled(truncate(p, w), theme.dim)],
        )
    } else if findings.is_empty() {
        (
            " Règles de la PMSMP ".to_string(),
            vec![Line::styled(
                "✓ Aucune règle enfreinte : l'immersion peut passer « prête à signer ».",
                theme.success,
            )],
        )
    } else {
        let mut l = finding_lines(findings, theme, w);
        if l.len() > 6 {
            let more = l.len() - 5;
            l.truncate(5);
            l.push(Line::styled(format!("… et {more} autres"), theme.dim));
        }
        (
            format!(" Règles de la PMSMP : {} ", count_label(findings)),
            l,
        )
    };
    let [top, bottom] = Layout::vertical([
        Constraint::Min(8),
        Constraint::Length(lines.len() as u16 + 2),
    ])
    .areas(area);
    form::draw(&of.form, &app.privacy, keys, theme, top, frame);
    let blocking = findings.iter().any(Finding::is_blocking);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(if blocking { theme.error } else { theme.border })
                .title(title),
        ),
        bottom,
    );
}
