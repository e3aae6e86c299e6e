//! The Parcours screen: target métiers and suggestions side by side, the
//! steps beside the always-visible financing figures (totals and CPF
//! picture), the eligibility hints underneath; a form, the template picker
//! or the eligibility detail when open. Also the target lines of the
//! file's Parcours tab.

use crate::app::parcours::{self, plan_of, Zone};
use crate::app::text::width;
use crate::app::{Action, App, Context, Screen};
use crate::domain::rules::eligibility::{Hint, Verdict};
use crate::domain::time::fmt_date;
use crate::domain::{Cents, Dispositif, Dispositifs, Plan, Step, Templates};
use crate::ui::widgets::form;
use crate::ui::{truncate, Theme};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// Width of the financing panel.
const FUNDING_WIDTH: u16 = 30;

fn key(app: &App, a: Action) -> String {
    app.keymap
        .key_in(Context::Screen(Screen::Parcours), &a)
        .unwrap_or_else(|| "—".into())
}

/// The ranked target métiers of a plan, the one at `selected` marked when
/// `focused`; shared by this screen and the file's Parcours tab.
pub fn target_lines(
    app: &App,
    plan: Option<&Plan>,
    selected: usize,
    focused: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    target_lines_in(app, plan, selected, focused, usize::MAX, theme)
}

/// [`target_lines`] in `w` columns: labels are cut before their ROME code,
/// notes after.
fn target_lines_in(
    app: &App,
    plan: Option<&Plan>,
    selected: usize,
    focused: bool,
    w: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let targets = plan.map(|p| p.targets.as_slice()).unwrap_or(&[]);
    if targets.is_empty() {
        let key = app
            .keymap
            .key_in(Context::Screen(Screen::Metiers), &Action::MarkTarget)
            .unwrap_or_default();
        return vec![Line::styled(
            format!("Aucun métier cible : ajoutez-en depuis l'écran Métiers (touche {key})."),
            theme.dim,
        )];
    }
    let selected = selected.min(targets.len() - 1);
    targets
        .iter()
        .enumerate()
        .map(|(n, t)| {
            let rank = format!("{}. ", n + 1);
            let room = w.saturating_sub(2 + width(&rank));
            let mut text = format!("{rank}{}", label_code(&t.label, &t.rome, room));
            if !t.note.is_empty() {
                let note = format!(" — {}", app.privacy.note(&t.note).replace('\n', " "));
                let left = w.saturating_sub(2 + width(&text));
                text.push_str(&truncate(&note, left));
            }
            if n == selected && focused {
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

/// `label (K1202)` in at most `room` columns: the label is cut, never the
/// ROME code.
fn label_code(label: &str, rome: &str, room: usize) -> String {
    let code = format!(" ({rome})");
    format!(
        "{}{code}",
        truncate(label, room.saturating_sub(width(&code)).max(1))
    )
}

/// `1 200 €` (cents only when there are some).
fn euros(c: Cents) -> String {
    let s = c.to_string();
    s.strip_suffix(",00 €")
        .map(|x| format!("{x} €"))
        .unwrap_or(s)
}

fn short_date(s: &Step) -> String {
    s.date()
        .map(|d| d.format("%d/%m/%y").to_string())
        .unwrap_or_else(|| "   —    ".into())
}

/// What the step list says of a step's funding, longest first: `CPF
/// 1 200 € accordé +1`, `1 200 € accordé +1`, `1 200 € +1` (the first line
/// and how many more), or its cost to finance.
fn funding_summaries(s: &Step) -> Vec<String> {
    match s.funding.first() {
        None if s.cost > Cents::ZERO => {
            vec![format!("{} à financer", euros(s.cost)), euros(s.cost)]
        }
        None => vec![String::new()],
        Some(l) => {
            let more = if s.funding.len() > 1 {
                format!(" +{}", s.funding.len() - 1)
            } else {
                String::new()
            };
            let amount = euros(l.amount);
            let status = l.status.label();
            vec![
                format!("{} {amount} {status}{more}", l.funder.short_label()),
                format!("{amount} {status}{more}"),
                format!("{amount}{more}"),
            ]
        }
    }
}

fn zone_block(title: String, focused: bool, theme: &Theme) -> Block<'static> {
    let style = if focused { theme.accent } else { theme.border };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(title, style))
}

/// Lines with a cursor, scrolled so that it stays visible.
fn scrolled_list(lines: Vec<Line<'static>>, selected: usize, height: usize) -> Vec<Line<'static>> {
    let start = (selected + 1).saturating_sub(height);
    lines.into_iter().skip(start).take(height).collect()
}

fn draw_targets(app: &App, plan: Option<&Plan>, theme: &Theme, area: Rect, frame: &mut Frame) {
    let focused = app.parcours.zone == Zone::Targets;
    let n = plan.map_or(0, |p| p.targets.len());
    let block = zone_block(format!(" Métiers cibles ({n}) "), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let sel = app.parcours.selected_target;
    let w = inner.width as usize;
    let lines: Vec<Line> = target_lines_in(app, plan, sel, focused, w, theme)
        .into_iter()
        .map(|l| truncate_line(l, w))
        .collect();
    let lines = scrolled_list(lines, sel.min(n.saturating_sub(1)), inner.height as usize);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Cuts a line to `w` columns (its spans joined, the first span's style kept
/// for the marker and the last one's for the text).
fn truncate_line(l: Line<'static>, w: usize) -> Line<'static> {
    let total: usize = l.spans.iter().map(|s| width(&s.content)).sum();
    if total <= w {
        return l;
    }
    let mut out = Vec::new();
    let mut left = w;
    for s in l.spans {
        if left == 0 {
            break;
        }
        let cw = width(&s.content);
        if cw <= left {
            left -= cw;
            out.push(s);
        } else {
            out.push(Span::styled(truncate(&s.content, left), s.style));
            left = 0;
        }
    }
    Line::from(out)
}

fn draw_suggestions(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let focused = app.parcours.zone == Zone::Suggestions;
    let list = parcours::suggestions(app);
    let from = app
        .benef
        .open_file()
        .and_then(|b| b.current_job.as_ref())
        .map(|j| format!(" depuis {}", j.rome))
        .unwrap_or_default();
    let block = zone_block(format!(" Suggestions{from} "), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let lines: Vec<Line> = if list.is_empty() {
        let why = if from.is_empty() {
            "Métier actuel non renseigné."
        } else {
            "Aucune autre suggestion."
        };
        vec![Line::styled(why, theme.dim)]
    } else {
        let sel = app.parcours.selected_suggestion.min(list.len() - 1);
        list.iter()
            .enumerate()
            .map(|(i, s)| {
                let source = format!(" · {}", s.source.short());
                let room = w.saturating_sub(2 + width(&source));
                let text = label_code(&s.target.label, &s.target.rome, room);
                let (mark, style) = if i == sel && focused {
                    ("▶ ", theme.selected)
                } else {
                    ("  ", theme.base)
                };
                Line::from(vec![
                    Span::styled(mark, theme.accent),
                    Span::styled(text, style),
                    Span::styled(source, theme.dim),
                ])
            })
            .collect()
    };
    let sel = app.parcours.selected_suggestion;
    frame.render_widget(
        Paragraph::new(scrolled_list(lines, sel, inner.height as usize)),
        inner,
    );
}

fn step_line(s: &Step, selected: bool, w: usize, wide: bool, theme: &Theme) -> Line<'static> {
    let status = if wide {
        format!("{:<11}", s.status.label())
    } else {
        String::new()
    };
    let head = format!("{} {} {status}", s.status.symbol(), short_date(s));
    // The title keeps up to 24 columns; the funding says what fits.
    let room = w.saturating_sub(1 + width(&head));
    let title_min = width(&s.title).min(24);
    let right = funding_summaries(s)
        .into_iter()
        .find(|r| r.is_empty() || width(r) + 1 + title_min <= room)
        .unwrap_or_default();
    let title = truncate(&s.title, room.saturating_sub(width(&right) + 1));
    let pad = room.saturating_sub(width(&title) + width(&right));
    let style = if selected { theme.selected } else { theme.base };
    let mark = if selected { "▶" } else { " " };
    Line::from(vec![
        Span::styled(mark.to_string(), theme.accent),
        Span::styled(format!("{head}{title}{}", " ".repeat(pad)), style),
        Span::styled(right, if selected { theme.selected } else { theme.dim }),
    ])
}

/// The selected step's details and funding lines (when there is room).
fn step_detail(s: &Step, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut head = vec![s.kind.label().to_string()];
    if !s.organisation.is_empty() {
        head.push(s.organisation.clone());
    }
    head.push(crate::transfer::synthese::step_dates(s));
    if let Some(h) = s.hours {
        head.push(format!("{h} h"));
    }
    head.push(format!("coût {}", s.cost));
    let mut out = vec![Line::styled(truncate(&head.join(" · "), w), theme.dim)];
    for l in &s.funding {
        let decided = l
            .decided_on
            .map(|d| format!(" le {}", fmt_date(d)))
            .unwrap_or_default();
        out.push(Line::styled(
            truncate(
                &format!(
                    "  {} : {} {}{decided}",
                    l.funder.label(),
                    l.amount,
                    l.status.label()
                ),
                w,
            ),
            theme.dim,
        ));
    }
    out
}

fn draw_steps(app: &App, plan: Option<&Plan>, theme: &Theme, area: Rect, frame: &mut Frame) {
    let focused = app.parcours.zone == Zone::Steps;
    let steps = plan.map(|p| p.steps.as_slice()).unwrap_or(&[]);
    let begun = plan
        .map(|p| format!(" · parcours commencé le {}", fmt_date(p.started_on)))
        .unwrap_or_default();
    let block = zone_block(format!(" Étapes ({}){begun} ", steps.len()), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    if steps.is_empty() {
        let lines = vec![
            Line::styled("Aucune étape.", theme.dim),
            Line::styled(
                format!(
                    "{} nouvelle étape · {} modèle de parcours",
                    key(app, Action::New),
                    key(app, Action::ApplyTemplate)
                ),
                theme.dim,
            ),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let sel = app.parcours.selected_step.min(steps.len() - 1);
    let detail = step_detail(&steps[sel], w, theme);
    // Details under the list when they fit with the whole list.
    let show_detail = h >= steps.len() + 1 + detail.len();
    let list_h = if show_detail { h - detail.len() - 1 } else { h };
    let wide = w >= 70;
    let lines: Vec<Line> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| step_line(s, i == sel && focused, w, wide, theme))
        .collect();
    let mut shown = scrolled_list(lines, sel, list_h);
    if show_detail {
        shown.push(Line::styled("─".repeat(w), theme.dim));
        shown.extend(detail);
    }
    frame.render_widget(Paragraph::new(shown), inner);
}

fn money_line(label: &str, c: Cents, w: usize, style: Style) -> Line<'static> {
    let amount = c.to_string();
    let pad = w.saturating_sub(width(label) + width(&amount));
    Line::styled(format!("{label}{}{amount}", " ".repeat(pad)), style)
}

fn draw_funding(app: &App, plan: Option<&Plan>, theme: &Theme, area: Rect, frame: &mut Frame) {
    let block = zone_block(" Financement ".into(), false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let Some(b) = app.benef.open_file() else {
        return;
    };
    let reference = match Dispositifs::builtin() {
        Ok(r) => r,
        Err(e) => {
            frame.render_widget(
                Paragraph::new(Line::styled(e.to_string(), theme.error)).wrap(Wrap { trim: true }),
                inner,
            );
            return;
        }
    };
    let empty;
    let plan = match plan {
        Some(p) => p,
        None => {
            empty = Plan::new(
                crate::domain::Id([0; 16]),
                b.id,
                app.now.date(),
                crate::domain::Meta::new(app.now.and_utc(), ""),
            );
            &empty
        }
    };
    let s = plan.summary(b.cpf_balance, reference, app.now.date());
    let t = s.totals;
    let mut lines = vec![
        money_line("Coût total", t.cost, w, theme.base),
        money_line("Accordé", t.granted, w, theme.success),
        money_line("Demandé", t.requested, w, theme.base),
        money_line("Envisagé", t.envisaged, w, theme.dim),
        money_line(
            "Reste à financer",
            t.remaining,
            w,
            if t.remaining > Cents::ZERO {
                theme.error
            } else {
                theme.base
            },
        ),
    ];
    if t.surplus > Cents::ZERO {
        lines.push(money_line("Excédent", t.surplus, w, theme.dim));
    }
    lines.push(Line::styled("── CPF ──", theme.accent));
    match s.cpf.balance {
        Some(bal) => lines.push(money_line("Solde", bal, w, theme.base)),
        None => lines.push(Line::styled("Solde inconnu", theme.dim)),
    }
    lines.push(money_line("Engagé", s.cpf.committed, w, theme.base));
    if let Some(m) = s.cpf.shortfall.filter(|m| *m > Cents::ZERO) {
        lines.push(money_line("Au-delà du solde", m, w, theme.error));
    }
    lines.push(money_line(
        "Part. forfaitaire",
        s.cpf.participation_total,
        w,
        theme.base,
    ));
    // The amount in force today, when no CPF line says otherwise.
    if s.cpf.lines.is_empty() {
        if let Ok(v) = reference.value_on(
            crate::domain::Parameter::CpfParticipationForfaitaire,
            app.now.date(),
        ) {
            lines.push(money_line("(tarif actuel)", v.cents(), w, theme.dim));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A dispositif's name for the one-line eligibility summary.
fn short_name(d: Dispositif) -> &'static str {
    match d {
        Dispositif::BilanCompetences => "bilan",
        Dispositif::DemissionReconversion => "démission",
        Dispositif::PeriodeReconversion => "période",
        Dispositif::TransitionsCollectives => "Transco",
        other => other.label(),
    }
}

fn verdict_style(v: Verdict, theme: &Theme) -> Style {
    match v {
        Verdict::Eligible => theme.success,
        Verdict::AVerifier => theme.info,
        Verdict::NonEligible => theme.error,
    }
}

fn draw_eligibility(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let hints = parcours::eligibility(app);
    let compact = hints
        .as_ref()
        .is_ok_and(|h| (area.height as usize).saturating_sub(2) < h.len());
    let legend = if compact {
        " (✓ éligible ⚠ à vérifier ✗ non)"
    } else {
        ""
    };
    let title = format!(
        " Éligibilité au {}{legend} — {} détail ",
        fmt_date(app.now.date()),
        key(app, Action::ToggleDetail)
    );
    let block = zone_block(title, false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let hints = match hints {
        Ok(h) => h,
        Err(e) => {
            frame.render_widget(Paragraph::new(Line::styled(e, theme.error)), inner);
            return;
        }
    };
    let w = inner.width as usize;
    if compact {
        // The verdicts, wrapped over the lines there are.
        let mut spans = Vec::new();
        for h in &hints {
            spans.push(Span::styled(
                format!("{} ", h.verdict.symbol()),
                verdict_style(h.verdict, theme),
            ));
            spans.push(Span::raw(format!("{}   ", short_name(h.dispositif))));
        }
        frame.render_widget(
            Paragraph::new(Line::from(spans)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let lines: Vec<Line> = hints
        .iter()
        .map(|h| {
            let head = format!(
                "{} {} {}",
                h.verdict.symbol(),
                h.dispositif.label(),
                h.verdict.label()
            );
            let why = h
                .reasons
                .first()
                .map(|r| format!(" — {r}"))
                .unwrap_or_default();
            truncate_line(
                Line::from(vec![
                    Span::styled(head, verdict_style(h.verdict, theme)),
                    Span::styled(why, theme.dim),
                ]),
                w,
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Every hint in full: rule, date, reasons, missing data.
pub fn hint_lines(hints: &[Hint], theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for h in hints {
        out.push(Line::styled(
            format!(
                "{} {} — {}",
                h.verdict.symbol(),
                h.dispositif.name(),
                h.verdict.label()
            ),
            verdict_style(h.verdict, theme),
        ));
        out.push(Line::styled(
            format!("  Règle : {} (depuis le {})", h.rule, fmt_date(h.since)),
            theme.dim,
        ));
        for r in &h.reasons {
            out.push(Line::raw(format!("  • {r}")));
        }
        if !h.missing.is_empty() {
            out.push(Line::styled(
                format!("  À renseigner : {}", h.missing.join(", ")),
                theme.info,
            ));
        }
        out.push(Line::raw(""));
    }
    out
}

fn draw_detail(app: &App, scroll: u16, theme: &Theme, area: Rect, frame: &mut Frame) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(format!(
            " Éligibilité au {} (indications : elles ne bloquent rien) ",
            fmt_date(app.now.date())
        ))
        .title_bottom(Line::styled(
            format!(
                " ↑↓ défiler · {} ou {} fermer · {} éléments d'éligibilité ",
                key(app, Action::ToggleDetail),
                app.keymap.key_for(&Action::Back).unwrap_or_default(),
                key(app, Action::EditFacts)
            ),
            theme.dim,
        ));
    let lines = match parcours::eligibility(app) {
        Ok(h) => hint_lines(&h, theme),
        Err(e) => vec![Line::styled(e, theme.error)],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

fn draw_picker(app: &App, selected: usize, theme: &Theme, area: Rect, frame: &mut Frame) {
    let Ok(templates) = Templates::builtin() else {
        return;
    };
    let w = area.width.saturating_sub(8).min(90);
    let h = (templates.list.len() as u16 * 2 + 2).min(area.height.saturating_sub(2));
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(" Modèle de parcours : les étapes s'ajoutent, datées d'aujourd'hui ")
        .title_bottom(Line::styled(
            format!(
                " ↑↓ choisir · {} appliquer · {} fermer ",
                app.keymap
                    .key_in(Context::Screen(Screen::Parcours), &Action::Open)
                    .unwrap_or_default(),
                app.keymap.key_for(&Action::Back).unwrap_or_default()
            ),
            theme.dim,
        ));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let iw = inner.width as usize;
    let mut lines = Vec::new();
    for (i, t) in templates.list.iter().enumerate() {
        let sel = i == selected;
        lines.push(Line::from(vec![
            Span::styled(if sel { "▶ " } else { "  " }, theme.accent),
            Span::styled(
                truncate(&format!("{} ({} étapes)", t.name, t.steps.len()), iw - 2),
                if sel { theme.selected } else { theme.base },
            ),
        ]));
        lines.push(Line::styled(
            format!("    {}", truncate(&t.description, iw.saturating_sub(4))),
            theme.dim,
        ));
    }
    let sel_line = selected * 2 + 1;
    let start = (sel_line + 1).saturating_sub(inner.height as usize);
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(start).collect::<Vec<_>>()),
        inner,
    );
}

fn form_keys(app: &App) -> String {
    crate::ui::screens::beneficiaires::form_keys(app)
}

pub fn draw(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let Some(b) = app.benef.open_file() else {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(" Parcours ");
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(""),
                Line::styled(
                    "Aucun dossier ouvert : ouvrez un bénéficiaire (écran 2).",
                    theme.dim,
                ),
                Line::raw(""),
                Line::styled(
                    "Le parcours réunit les métiers cibles, les étapes datées, leur financement \
                     et l'éligibilité aux dispositifs.",
                    theme.dim,
                ),
            ])
            .block(block)
            .wrap(Wrap { trim: false }),
            area,
        );
        return;
    };
    if let Some(pf) = &app.parcours.form {
        form::draw(&pf.form, &app.privacy, &form_keys(app), theme, area, frame);
        return;
    }
    let Some(plan) = plan_of(app, b.id) else {
        frame.render_widget(
            Paragraph::new(Line::styled("Chargement du parcours…", theme.dim)).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border)
                    .title(format!(" Parcours de {} ", b.display_name())),
            ),
            area,
        );
        return;
    };
    let compact = area.height < 30;
    let n_targets = plan.map_or(0, |p| p.targets.len());
    let n_sugg = parcours::suggestions(app).len();
    let top_rows = n_targets.max(n_sugg).clamp(1, if compact { 3 } else { 6 }) as u16;
    let n_hints = Dispositif::HINTED.len() as u16;
    let elig_rows = if compact || area.height < 36 {
        2
    } else {
        n_hints
    };
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(top_rows + 2),
        Constraint::Min(6),
        Constraint::Length(elig_rows + 2),
    ])
    .areas(area);
    // Wide windows give the targets (and their notes) more room.
    let left = if area.width >= 110 { 60 } else { 50 };
    let [targets_area, sugg_area] = Layout::horizontal([
        Constraint::Percentage(left),
        Constraint::Percentage(100 - left),
    ])
    .areas(top);
    draw_targets(app, plan, theme, targets_area, frame);
    draw_suggestions(app, theme, sugg_area, frame);
    if let Some(scroll) = app.parcours.detail {
        let r = Rect {
            height: middle.height + bottom.height,
            ..middle
        };
        draw_detail(app, scroll, theme, r, frame);
    } else {
        let [steps_area, funding_area] =
            Layout::horizontal([Constraint::Min(30), Constraint::Length(FUNDING_WIDTH)])
                .areas(middle);
        draw_steps(app, plan, theme, steps_area, frame);
        draw_funding(app, plan, theme, funding_area, frame);
        draw_eligibility(app, theme, bottom, frame);
    }
    if let Some(sel) = app.parcours.templates {
        draw_picker(app, sel, theme, area, frame);
    }
}
