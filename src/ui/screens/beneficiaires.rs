//! The Bénéficiaires screen: the list of files (filter, sort and search
//! always visible), an open file with its tabs, and the forms.

use crate::app::beneficiaires::interview_form::{reading_view, to_local, Reading, READING_LABEL};
use crate::app::beneficiaires::{branches, BeneficiairesState, OpenFile, Tab};
use crate::app::privacy::Privacy;
use crate::app::text::width;
use crate::app::{capitalize, Action, App, Context};
use crate::domain::time::fmt_date;
use crate::domain::{Beneficiary, Birth, Interview, Status};
use crate::store::audit::AuditEntry;
use crate::store::{JournalEntry, Op, RecordKind};
use crate::ui::{input_spans, marked_spans, truncate, Theme};
use chrono::NaiveDate;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Tabs, Wrap};
use ratatui::Frame;

pub fn draw(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let s = &app.benef;
    if let Some(of) = &s.form {
        super::immersions::draw_form(app, of, &form_keys(app), theme, area, frame);
    } else if let Some(f) = &s.file {
        draw_file(app, f, theme, area, frame);
    } else {
        draw_list(app, theme, area, frame);
    }
}

/// `14/11/26`, or `—`.
fn short_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%y").to_string())
        .unwrap_or_else(|| "—".into())
}

fn branch_display(b: &Beneficiary) -> String {
    match b.branch.as_deref() {
        Some(s) => branches()
            .by_short(s)
            .map(|x| x.display.clone())
            .unwrap_or_else(|| s.to_string()),
        None => "—".into(),
    }
}

fn job_label(b: &Beneficiary) -> String {
    b.current_job
        .as_ref()
        .map(|j| j.label.clone())
        .unwrap_or_else(|| "—".into())
}

/// The line above the table: filter, sort, query, count. The key reminders
/// `(f)`, `(s)`, `(/)` are dropped when the line would not fit.
fn filter_line(s: &BeneficiairesState, theme: &Theme, width_cols: u16) -> Line<'static> {
    let l = &s.list;
    let count = if l.view.len() == l.len() {
        format!("{} dossier{} ", l.len(), if l.len() > 1 { "s" } else { "" })
    } else {
        format!("{} / {} dossiers ", l.view.len(), l.len())
    };
    let build = |keys: bool| {
        let k = |t: &'static str| if keys { t } else { "" };
        let mut spans = vec![
            Span::styled(" Filtre: ", theme.dim),
            Span::styled(l.filter.label(), theme.accent),
            Span::styled(format!("{} · tri: ", k(" (f)")), theme.dim),
            Span::styled(l.sort.label(), theme.accent),
            Span::styled(format!("{} · recherche: ", k(" (s)")), theme.dim),
        ];
        if s.search_focused {
            // Room left for the query once the rest of the line is laid out.
            let rest = spans.iter().map(|s| width(&s.content)).sum::<usize>() + width(&count) + 3;
            let room = (width_cols as usize).saturating_sub(rest).max(8);
            spans.push(Span::styled("\"", theme.highlight));
            spans.extend(input_spans(
                &l.query,
                room,
                theme.highlight,
                theme.highlight,
            ));
            spans.push(Span::styled("\"", theme.highlight));
        } else if l.query.is_empty() {
            spans.push(Span::styled(format!("—{}", k(" (/)")), theme.dim));
        } else {
            spans.push(Span::styled(format!("\"{}\"", l.query.text), theme.accent));
        }
        spans
    };
    let mut spans = build(true);
    let len = |sp: &[Span]| sp.iter().map(|s| width(&s.content)).sum::<usize>();
    if len(&spans) + width(&count) + 1 > width_cols as usize {
        spans = build(false);
    }
    let pad = (width_cols as usize).saturating_sub(len(&spans) + width(&count));
    spans.push(Span::raw(" ".repeat(pad.max(1))));
    spans.push(Span::styled(count, theme.base));
    Line::from(spans)
}

/// The keys written under a form, from the keymap:
/// ` Tab/Maj-Tab champ · Espace/← choix · Ctrl-S enregistrer · Échap quitter `.
pub fn form_keys(app: &App) -> String {
    let k = |a: Action| {
        app.keymap
            .key_in(Context::Form, &a)
            .unwrap_or_else(|| "—".into())
    };
    format!(
        " {}/{} champ · {}/{} choix · {} enregistrer · {} quitter ",
        k(Action::NextField),
        k(Action::PrevField),
        k(Action::NextChoice),
        k(Action::PrevChoice),
        k(Action::Save),
        k(Action::Back)
    )
}

/// The key of an action on this screen, for the reminders in the frames.
fn key(app: &App, a: Action) -> String {
    app.keymap
        .key_in(Context::Screen(crate::app::Screen::Beneficiaires), &a)
        .unwrap_or_else(|| "—".into())
}

fn draw_list(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let s = &app.benef;
    let [top, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
    frame.render_widget(Paragraph::new(filter_line(s, theme, top.width)), top);

    let k = |a| key(app, a);
    let keys = if s.search_focused {
        format!(
            " {} ouvrir · ↑↓ choisir · {} effacer la recherche ",
            k(Action::Open),
            k(Action::Back)
        )
    } else {
        format!(
            " {} entretien · {} effacer · {} tri · {} filtre · {} annuler ",
            k(Action::NewInterview),
            k(Action::Delete),
            k(Action::CycleSort),
            k(Action::CycleFilter),
            k(Action::Undo)
        )
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(" Bénéficiaires ")
        .title_bottom(Line::styled(keys, theme.dim));
    let inner_h = table_area.height.saturating_sub(3) as usize; // borders + header
    let l = &s.list;
    if l.view.is_empty() {
        let msg = if !s.loaded {
            "Chargement des dossiers…".to_string()
        } else if l.is_empty() {
            format!(
                "Aucun dossier pour l'instant. Appuyez sur {} pour créer le premier.",
                k(Action::New)
            )
        } else {
            format!(
                "Aucun dossier ne correspond (filtre « {} »{}). {} change le filtre, {} efface la recherche.",
                l.filter.label(),
                if l.query.is_empty() {
                    String::new()
                } else {
                    format!(", recherche « {} »", l.query.text)
                },
                k(Action::CycleFilter),
                k(Action::Back)
            )
        };
        frame.render_widget(
            Paragraph::new(vec![Line::raw(""), Line::styled(msg, theme.dim)])
                .block(block)
                .wrap(Wrap { trim: true }),
            table_area,
        );
        return;
    }
    // Display lines: the files, with the « approchés » line before the files
    // found with one typo. Only the lines on screen are built: the list may
    // hold 10 000 files.
    let separator = (l.approx_from < l.view.len()).then_some(l.approx_from);
    let line_of = |pos: usize| pos + usize::from(separator.is_some_and(|s| pos >= s));
    let total = l.view.len() + usize::from(separator.is_some());
    let selected = line_of(l.selected);
    let offset = if inner_h == 0 {
        selected
    } else {
        (selected + 1).saturating_sub(inner_h)
    };
    let query = l.query.text.trim();
    let marks = |text: &str| {
        if query.is_empty() {
            Vec::new()
        } else {
            crate::app::beneficiaires::list::highlight(text, query)
        }
    };
    let rows: Vec<Row> = (offset..total.min(offset + inner_h.max(1)))
        .map(|line| {
            if separator == Some(line) {
                // Drawn across the whole row once the table is rendered.
                return Row::new(Vec::<Cell>::new());
            }
            let pos = line - usize::from(separator.is_some_and(|s| line > s));
            let b = &l.rows[l.view[pos]].b;
            let notice = if b.consent.processing.is_some() {
                Cell::from(Span::styled("✓", theme.success))
            } else {
                Cell::from(Span::styled("⚠ absente", theme.error))
            };
            let mut name = b.display_name();
            if !b.status.is_open() {
                name.push_str(" (clos)");
            }
            let job = job_label(b);
            let marked = |text: &str| {
                Line::from(marked_spans(
                    text,
                    &marks(text),
                    theme.base,
                    theme.highlight,
                ))
            };
            Row::new(vec![
                Cell::from(marked(&name)),
                Cell::from(branch_display(b)),
                Cell::from(marked(&job)),
                Cell::from(short_date(b.last_contact)),
                Cell::from(short_date(b.next_follow_up)),
                notice,
            ])
        })
        .collect();
    let header = Row::new(vec![
        "Nom",
        "Branche",
        "Métier actuel",
        "Dernier",
        "Prochain",
        "Notice",
    ])
    .style(theme.accent);
    let widths = [
        Constraint::Length(22),
        Constraint::Length(8),
        Constraint::Min(12),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(9),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .row_highlight_style(theme.selected)
        .highlight_symbol("▶");
    let mut state = TableState::default().with_selected(Some(selected - offset));
    frame.render_stateful_widget(table, table_area, &mut state);
    // The « approchés » line, over the table's width (below the border and
    // the header).
    if let Some(sep) = separator.filter(|s| (offset..offset + inner_h).contains(s)) {
        let n = l.view.len() - l.approx_from;
        let label = format!(
            "── {n} approché{} (à une lettre près) ",
            if n > 1 { "s" } else { "" }
        );
        let w = table_area.width.saturating_sub(2);
        let r = Rect {
            x: table_area.x + 1,
            y: table_area.y + 2 + (sep - offset) as u16,
            width: w,
            height: 1,
        };
        let fill = (w as usize).saturating_sub(width(&label));
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("{label}{}", "─".repeat(fill)),
                theme.dim,
            )),
            r,
        );
    }
}

fn status_text(b: &Beneficiary, privacy: &Privacy) -> String {
    match &b.status {
        Status::Open => "ouvert".into(),
        Status::Closed { on, reason } => {
            format!("clos le {} ({})", fmt_date(*on), privacy.note(reason))
        }
    }
}

fn draw_file(app: &App, f: &OpenFile, theme: &Theme, area: Rect, frame: &mut Frame) {
    let Some(b) = app.benef.list.get(f.id) else {
        frame.render_widget(Paragraph::new("Ce dossier n'existe plus."), area);
        return;
    };
    let [head, tabs_area, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
    ])
    .areas(area);
    let mut spans = vec![
        Span::styled(format!(" {}", b.display_name()), theme.accent),
        Span::styled(
            format!(
                " · {} · {} · {} · prochain suivi {}",
                branch_display(b),
                job_label(b),
                if b.status.is_open() { "ouvert" } else { "clos" },
                b.next_follow_up.map(fmt_date).unwrap_or_else(|| "—".into())
            ),
            theme.base,
        ),
    ];
    if b.consent.processing.is_none() {
        spans.push(Span::styled(" · ⚠ notice absente", theme.error));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), head);

    let titles: Vec<String> = Tab::ALL
        .iter()
        .map(|t| match t {
            Tab::Entretiens if f.loaded => format!("{} ({})", t.title(), f.interviews.len()),
            _ => t.title().to_string(),
        })
        .collect();
    let sel = Tab::ALL.iter().position(|t| *t == f.tab).unwrap_or(0);
    frame.render_widget(
        Tabs::new(titles)
            .select(sel)
            .highlight_style(theme.active_tab)
            .divider("·"),
        tabs_area,
    );

    let k = |a| key(app, a);
    let tabs = format!("{}{} onglets", k(Action::PrevTab), k(Action::NextTab));
    let keys = match f.tab {
        Tab::Entretiens if f.interview_open => format!(
            " {} modifier l'entretien · {} retour à la liste ",
            k(Action::Edit),
            k(Action::Back)
        ),
        Tab::Entretiens => format!(
            " ↑↓ choisir · {} lire · {} nouvel entretien · {} modifier · {tabs} ",
            k(Action::Open),
            k(Action::NewInterview),
            k(Action::Edit)
        ),
        Tab::Immersions => super::immersions::tab_keys(app),
        Tab::Parcours => format!(
            " ↑↓ choisir · {} monter · {} descendre · {} retirer · {tabs} ",
            k(Action::TargetUp),
            k(Action::TargetDown),
            k(Action::TargetRemove)
        ),
        _ => format!(
            " {} modifier · {} entretien · {} effacer · {tabs} · {} liste ",
            k(Action::Edit),
            k(Action::NewInterview),
            k(Action::Delete),
            k(Action::Back)
        ),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(format!(" {} ", f.tab.title()))
        .title_bottom(Line::styled(keys, theme.dim));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    match f.tab {
        Tab::Situation => scrolled(
            situation_lines(b, &app.privacy, &k(Action::Edit), theme),
            f.scroll,
            theme,
            inner,
            frame,
        ),
        Tab::Entretiens if f.interview_open => {
            if let Some(i) = f.selected() {
                let i = shown_interview(i, &app.privacy);
                let lines = interview_lines(&i, inner.width as usize, theme);
                scrolled(lines, f.scroll, theme, inner, frame);
            }
        }
        Tab::Entretiens => draw_interviews(
            f,
            &app.privacy,
            &k(Action::NewInterview),
            theme,
            inner,
            frame,
        ),
        Tab::Parcours => {
            let plan = crate::app::parcours::plan_of(app, f.id);
            let mut lines = vec![Line::styled("Métiers cibles", theme.accent)];
            lines.extend(super::parcours::target_lines(
                app,
                plan.flatten(),
                f.selected_target,
                true,
                theme,
            ));
            lines.push(Line::raw(""));
            match plan.flatten() {
                Some(p) if !p.steps.is_empty() => {
                    let t = p.totals();
                    lines.push(Line::styled(
                        format!(
                            "Plan d'action : {} étape{} · coût {} · accordé {} · reste {}",
                            p.steps.len(),
                            if p.steps.len() > 1 { "s" } else { "" },
                            t.cost,
                            t.granted,
                            t.remaining
                        ),
                        theme.accent,
                    ));
                    for s in &p.steps {
                        lines.push(Line::raw(format!(
                            "  {} {} — {}",
                            s.status.symbol(),
                            s.title,
                            s.status.label()
                        )));
                    }
                }
                _ => lines.push(Line::styled("Aucune étape pour l'instant.", theme.dim)),
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(
                    "Étapes, financements et éligibilité : écran Parcours ({}).",
                    app.keymap
                        .key_for(&Action::GoTo(crate::app::Screen::Parcours))
                        .unwrap_or_default()
                ),
                theme.dim,
            ));
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Tab::Immersions => super::immersions::draw_tab(app, f, theme, inner, frame),
        Tab::Historique => scrolled(history_lines(f, theme), f.scroll, theme, inner, frame),
    }
}

/// Lines scrolled with ↑/↓, with a « ↓ suite » mark when more follows.
fn scrolled(lines: Vec<Line<'static>>, scroll: u16, theme: &Theme, area: Rect, frame: &mut Frame) {
    let h = area.height as usize;
    let max = lines.len().saturating_sub(h);
    let scroll = (scroll as usize).min(max);
    let more_below = lines.len() > scroll + h;
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), area);
    let mark = match (scroll > 0, more_below) {
        (_, true) => " ↓ suite (↑↓) ",
        (true, false) => " ↑ début (↑) ",
        _ => return,
    };
    let w = mark.chars().count() as u16;
    if area.width > w && area.height > 0 {
        let r = Rect {
            x: area.x + area.width - w,
            y: area.y + area.height - 1,
            width: w,
            height: 1,
        };
        frame.render_widget(Paragraph::new(Span::styled(mark, theme.accent)), r);
    }
}

fn kv(label: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {label:<READING_LABEL$}"), theme.dim),
        Span::raw(value),
    ])
}

fn or_dash(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.trim().is_empty() => s.to_string(),
        _ => "—".into(),
    }
}

/// `edit_key`: the key that opens the file form (for the missing notice).
/// `privacy`: contacts hidden and free text masked when « masquer les
/// données personnelles » is on.
fn situation_lines(
    b: &Beneficiary,
    privacy: &Privacy,
    edit_key: &str,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut l = Vec::new();
    let section = |t: &str| Line::styled(t.to_string(), theme.accent);
    let contact = |v: String| privacy.contact(&v).into_owned();
    l.push(section("Identité et coordonnées"));
    l.push(kv(
        "Naissance",
        contact(match b.birth {
            Some(Birth::Year(y)) => y.to_string(),
            Some(Birth::Date(d)) => fmt_date(d),
            None => "—".into(),
        }),
        theme,
    ));
    l.push(kv("E-mail", contact(or_dash(b.email.as_deref())), theme));
    l.push(kv("Téléphone", contact(or_dash(b.phone.as_deref())), theme));
    let place = [b.postcode.as_deref(), b.commune.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    l.push(kv("Commune", contact(or_dash(Some(&place))), theme));
    l.push(kv("Région", or_dash(b.region.as_deref()), theme));
    l.push(section("Emploi"));
    let branch = match b.branch.as_deref().and_then(|s| branches().by_short(s)) {
        Some(br) if !br.idcc.is_empty() => format!("{} (IDCC {})", br.display, br.idcc),
        Some(br) => br.display.clone(),
        None => or_dash(b.branch.as_deref()),
    };
    l.push(kv("Branche", branch, theme));
    let employer = match &b.employer.siret {
        Some(s) => format!("{} (SIRET {s})", or_dash(Some(&b.employer.name))),
        None => or_dash(Some(&b.employer.name)),
    };
    l.push(kv("Employeur", employer, theme));
    l.push(kv(
        "Contrat",
        [
            b.contract.map(|c| c.label().to_string()),
            b.working_time.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", "),
        theme,
    ));
    let months = |m: Option<u16>| m.map(|m| format!("{m} mois")).unwrap_or_else(|| "—".into());
    l.push(kv(
        "Ancienneté",
        format!(
            "{} dans l'entreprise, {} au total",
            months(b.seniority_company_months),
            months(b.seniority_total_months)
        ),
        theme,
    ));
    l.push(kv(
        "Niveau de qualification",
        b.qualification_level
            .map(|n| format!("niveau {n}"))
            .unwrap_or_else(|| "aucun / non renseigné".into()),
        theme,
    ));
    l.push(kv(
        "Métier actuel",
        b.current_job
            .as_ref()
            .map(|j| format!("{} ({})", j.label, j.rome))
            .unwrap_or_else(|| "—".into()),
        theme,
    ));
    l.push(kv(
        "Solde CPF",
        b.cpf_balance
            .map(|c| c.to_string())
            .unwrap_or_else(|| "—".into()),
        theme,
    ));
    l.push(section("Demande et suivi"));
    l.push(kv(
        "Demande",
        b.request
            .map(|r| r.label().to_string())
            .unwrap_or_else(|| "—".into()),
        theme,
    ));
    let constraints = privacy.note(&b.constraints);
    let mut constraints = constraints.lines();
    l.push(kv("Contraintes", or_dash(constraints.next()), theme));
    for more in constraints {
        l.push(kv("", more.to_string(), theme));
    }
    l.push(kv(
        "Dernier contact",
        b.last_contact.map(fmt_date).unwrap_or_else(|| "—".into()),
        theme,
    ));
    l.push(kv(
        "Prochain suivi",
        b.next_follow_up.map(fmt_date).unwrap_or_else(|| "—".into()),
        theme,
    ));
    l.push(kv(
        "Niveau CEP atteint",
        b.cep_level
            .map(|n| format!("niveau {n}"))
            .unwrap_or_else(|| "—".into()),
        theme,
    ));
    l.push(kv("Statut", status_text(b, privacy), theme));
    l.push(section("Consentement (RGPD)"));
    let c = &b.consent;
    l.push(match &c.processing {
        Some(r) => Line::from(vec![
            Span::styled(format!("  {:<24}", "Notice d'information"), theme.dim),
            Span::styled("✓ ", theme.success),
            Span::raw(format!(
                "remise le {} (version {})",
                fmt_date(r.date),
                r.notice_version
            )),
        ]),
        None => Line::from(vec![
            Span::styled(format!("  {:<24}", "Notice d'information"), theme.dim),
            Span::styled(
                format!("⚠ non enregistrée ({edit_key} pour la saisir)"),
                theme.error,
            ),
        ]),
    });
    for (label, r) in [
        ("Partage employeur/OPCO", &c.share_employer_opco),
        ("Enquête à 6 mois", &c.survey_6_months),
    ] {
        l.push(match r {
            Some(r) => kv(label, format!("✓ accord du {}", fmt_date(r.date)), theme),
            None => kv(label, "✗ non".into(), theme),
        });
    }
    l
}

fn draw_interviews(
    f: &OpenFile,
    privacy: &Privacy,
    new_key: &str,
    theme: &Theme,
    area: Rect,
    frame: &mut Frame,
) {
    if !f.loaded {
        frame.render_widget(Paragraph::new(Line::styled("Chargement…", theme.dim)), area);
        return;
    }
    if f.interviews.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("Aucun entretien. Appuyez sur {new_key} pour noter le premier."),
                theme.dim,
            )),
            area,
        );
        return;
    }
    let h = area.height as usize;
    let offset = (f.selected_interview + 1).saturating_sub(h.max(1));
    let rows: Vec<Row> = f
        .interviews
        .iter()
        .skip(offset)
        .take(h.max(1))
        .map(|i| {
            let first_line = i.summary.lines().next().unwrap_or("").to_string();
            let what = if i.topics.is_empty() {
                first_line
            } else {
                i.topics.clone()
            };
            let mut what = privacy.note(&what).into_owned();
            if i.planned {
                what = format!("à venir · {what}");
            }
            Row::new(vec![
                Cell::from(to_local(i.at).format("%d/%m/%Y %H:%M").to_string()),
                Cell::from(format!("niv. {}", i.level.number())),
                Cell::from(i.mode.label()),
                Cell::from(format!("{} min", i.duration_minutes)),
                Cell::from(what),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Length(7),
            Constraint::Length(10),
            Constraint::Length(7),
            Constraint::Min(10),
        ],
    )
    .row_highlight_style(theme.selected)
    .highlight_symbol("▶");
    let mut state = TableState::default().with_selected(Some(f.selected_interview - offset));
    frame.render_stateful_widget(table, area, &mut state);
}

/// An interview as shown: its free text (place, topics, summary,
/// decisions) masked when « masquer les données personnelles » is on.
fn shown_interview<'a>(i: &'a Interview, privacy: &Privacy) -> std::borrow::Cow<'a, Interview> {
    if !privacy.masked {
        return std::borrow::Cow::Borrowed(i);
    }
    let mut m = i.clone();
    for text in [
        &mut m.place,
        &mut m.topics,
        &mut m.summary,
        &mut m.decisions,
    ] {
        *text = privacy.note(text).into_owned();
    }
    std::borrow::Cow::Owned(m)
}

/// The reading view of an interview, wrapped to the pane (see
/// [`reading_view`]).
fn interview_lines(i: &Interview, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    reading_view(i, width)
        .into_iter()
        .map(|r| match r {
            Reading::Field { label, value } => kv(label, value, theme),
            Reading::Blank => Line::raw(""),
            Reading::Title(t) => Line::styled(t, theme.accent),
            Reading::Text(t) => Line::raw(format!("  {t}")),
        })
        .collect()
}

/// French names of the groups of fields a journal entry lists (never values).
fn field_group(field: &str) -> &'static str {
    match field {
        "last_name" | "first_name" | "birth" => "identité",
        "email" | "phone" | "postcode" | "commune" | "region" => "coordonnées",
        "branch"
        | "employer"
        | "contract"
        | "working_time"
        | "seniority_company_months"
        | "seniority_total_months"
        | "qualification_level"
        | "current_job" => "emploi",
        "cpf_balance" => "solde CPF",
        "request" | "constraints" => "demande",
        "next_follow_up" => "prochain suivi",
        "last_contact" => "dernier contact",
        "status" => "statut",
        "consent" => "consentement",
        "targets" => "métiers cibles",
        "cep_level" => "niveau CEP",
        _ => "autres",
    }
}

/// One line of the timeline, without personal values: the journal note
/// when the change has one (« Ajout du métier cible Aide-soignant (J1501) »,
/// « Annulation : … »), else what the field names say.
pub fn describe_entry(e: &JournalEntry, interviews: &[Interview]) -> String {
    let interview = || {
        interviews.iter().find(|i| i.id == e.id).map(|i| {
            format!(
                "{} (niveau {}, {})",
                to_local(i.at).format("%d/%m/%Y"),
                i.level.number(),
                i.mode.label()
            )
        })
    };
    let groups = || {
        let mut g: Vec<&str> = e
            .fields
            .iter()
            .filter(|f| *f != "targets")
            .map(|f| field_group(f))
            .collect();
        g.sort_unstable();
        g.dedup();
        g.join(", ")
    };
    if !e.note.is_empty() {
        let mut line = capitalize(&e.note);
        match (e.kind, e.op) {
            (RecordKind::Interview, op) if op != Op::Deleted => {
                if let Some(when) = interview() {
                    line.push_str(&format!(" : {when}"));
                }
            }
            (RecordKind::Beneficiary, Op::Updated) => {
                let g = groups();
                if !g.is_empty() {
                    line.push_str(&format!(" ({g})"));
                }
            }
            _ => {}
        }
        return line;
    }
    match (e.kind, e.op) {
        (RecordKind::Beneficiary, Op::Created) => "Création du dossier".into(),
        (RecordKind::Beneficiary, Op::Updated) => {
            let g = groups();
            if e.fields.iter().any(|f| f == "status") {
                "Changement de statut du dossier".into()
            } else if g.is_empty() && e.fields.iter().any(|f| f == "targets") {
                "Dossier modifié : métiers cibles".into()
            } else if g.is_empty() {
                "Dossier enregistré".into()
            } else {
                format!("Dossier modifié : {g}")
            }
        }
        (RecordKind::Interview, op) => {
            let what = match op {
                Op::Created => "Entretien noté",
                Op::Updated => "Entretien modifié",
                Op::Deleted => "Entretien supprimé",
            };
            match interview() {
                Some(when) if op != Op::Deleted => format!("{what} : {when}"),
                _ => what.into(),
            }
        }
        (kind, op) => format!("{} : {}", capitalize(kind.label()), op.label()),
    }
}

/// One line of the timeline: when, what, who.
fn timeline_line(
    at: chrono::DateTime<chrono::Utc>,
    what: Span<'static>,
    advisor: &str,
    theme: &Theme,
) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("{}  ", to_local(at).format("%d/%m/%Y %H:%M")),
            theme.dim,
        ),
        what,
        Span::styled(
            if advisor.is_empty() {
                String::new()
            } else {
                format!("  · {}", truncate(advisor, 30))
            },
            theme.dim.add_modifier(Modifier::ITALIC),
        ),
    ])
}

/// An audit event of the file (export, erasure…): « Export : synthèse
/// du parcours (HTML) ».
fn describe_audit(e: &AuditEntry) -> String {
    if e.detail.is_empty() {
        capitalize(e.action.label())
    } else {
        format!("{} : {}", capitalize(e.action.label()), e.detail)
    }
}

/// The file's timeline, newest first: the change journal and the audit
/// events merged in time order.
fn history_lines(f: &OpenFile, theme: &Theme) -> Vec<Line<'static>> {
    if !f.loaded {
        return vec![Line::styled("Chargement…", theme.dim)];
    }
    if f.journal.is_empty() && f.audit.is_empty() {
        return vec![Line::styled("Aucun événement enregistré.", theme.dim)];
    }
    let mut journal = f.journal.iter().peekable();
    let mut audit = f.audit.iter().peekable();
    let mut out = Vec::with_capacity(f.journal.len() + f.audit.len());
    loop {
        let audit_first = match (journal.peek(), audit.peek()) {
            (None, None) => break,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some(j), Some(a)) => a.at > j.at,
        };
        let line = if audit_first {
            let Some(a) = audit.next() else { break };
            timeline_line(
                a.at,
                Span::styled(describe_audit(a), theme.info),
                &a.advisor,
                theme,
            )
        } else {
            let Some(e) = journal.next() else { break };
            timeline_line(
                e.at,
                Span::raw(describe_entry(e, &f.interviews)),
                &e.advisor,
                theme,
            )
        };
        out.push(line);
    }
    out
}
