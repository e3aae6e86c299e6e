//! The lock screen and the first start's passphrase screen: they replace
//! every screen. Only the passphrase field (hidden as `•`), the store's
//! path, a French explanation and the error line are shown — never a
//! name, never the typed characters.

use crate::app::lock::{LockScreen, Mode, Reason};
use crate::app::text::TextInput;
use crate::app::{Action, App, Context};
use crate::ui::{centered, truncate, Theme};
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// The bullets of a hidden field in `width` columns: one `•` per
/// character typed and the cursor `▏` where it is; `…` in front when they
/// do not fit.
pub fn hidden(input: &TextInput, width: usize, cursor: bool) -> String {
    let at = input.cursor.min(input.text.len());
    let before = input.text.get(..at).map_or(0, |s| s.chars().count());
    let after = input.len().saturating_sub(before);
    let bar = if cursor { "▏" } else { "" };
    let room = width.saturating_sub(if cursor { 1 } else { 0 });
    if before + after <= room {
        return format!("{}{bar}{}", "•".repeat(before), "•".repeat(after));
    }
    let after = after.min(room / 2);
    let before = room.saturating_sub(after + 1);
    format!("…{}{bar}{}", "•".repeat(before), "•".repeat(after))
}

fn key(app: &App, a: Action) -> String {
    app.keymap.key_in(Context::Lock, &a).unwrap_or_default()
}

/// The explanation above the field.
fn explanation(app: &App, lock: &LockScreen) -> Vec<String> {
    match &lock.mode {
        Mode::Setup { files, .. } => {
            let mut v = vec![if *files > 0 {
                format!(
                    "Cette base ({files} dossier{}) n'est pas encore chiffrée. Choisissez une \
                     phrase secrète : la base sera chiffrée avec elle, après une sauvegarde.",
                    if *files > 1 { "s" } else { "" }
                )
            } else {
                "Première ouverture : choisissez la phrase secrète qui chiffrera la base."
                    .to_string()
            }];
            v.push(
                "Elle sera demandée à chaque ouverture ; sans elle, les données sont perdues : \
                 gardez-la en lieu sûr. 12 caractères au moins ; une phrase de quatre mots \
                 (« le chat dort sur 3 coussins ») est plus sûre qu'un mot compliqué."
                    .to_string(),
            );
            v
        }
        Mode::Unlock {
            reason: Reason::Startup,
            ..
        } => vec![format!(
            "La base est chiffrée. Tapez votre phrase secrète pour l'ouvrir ({} essais).",
            crate::app::lock::STARTUP_TRIES
        )],
        Mode::Unlock {
            reason: Reason::Idle,
            ..
        } => {
            let minutes = app.idle.limit.map_or(0, |d| d.num_minutes());
            vec![format!(
                "Aucune touche depuis {minutes} minute{} : l'écran est verrouillé et la clé \
                 de la base a été effacée de la mémoire. Votre travail en cours vous attend : \
                 tapez la phrase secrète pour le retrouver.",
                if minutes > 1 { "s" } else { "" }
            )]
        }
    }
}

/// The line that says how to leave without unlocking, when it may.
fn quit_line(app: &App, lock: &LockScreen) -> Option<String> {
    let unsaved = app.unsaved().is_some();
    if !lock.may_quit(unsaved) {
        return None;
    }
    let k = key(app, Action::LockQuit);
    Some(match (&lock.mode, unsaved) {
        (Mode::Setup { .. }, _) => format!("{k} : quitter sans chiffrer (rien n'est modifié)"),
        (
            Mode::Unlock {
                reason: Reason::Startup,
                ..
            },
            _,
        ) => format!("{k} : quitter sans ouvrir la base"),
        (_, true) => format!("{k} : quitter Passerelle — le formulaire non enregistré sera perdu"),
        (_, false) => format!("{k} : quitter Passerelle"),
    })
}

pub fn draw(app: &App, lock: &LockScreen, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Clear, area);
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let title = if lock.is_setup() {
        " Passerelle — première ouverture : phrase secrète"
    } else {
        " Passerelle — base verrouillée"
    };
    frame.render_widget(Paragraph::new(Span::styled(title, theme.accent)), head);

    let w = body.width.saturating_sub(4).min(76);
    let inner_w = w.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    for p in explanation(app, lock) {
        lines.push(Line::raw(p));
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(vec![
        Span::styled("Base : ", theme.dim),
        Span::raw(truncate(&lock.store_path, inner_w.saturating_sub(7))),
    ]));
    lines.push(Line::raw(""));
    let label_w = 18;
    let field_w = inner_w.saturating_sub(label_w);
    let field = |label: &str, input: &TextInput, focused: bool| {
        let style = if focused { theme.accent } else { theme.base };
        let value = hidden(input, field_w, focused);
        Line::from(vec![
            Span::styled(format!("{label:<label_w$}"), style),
            Span::styled(value, theme.highlight),
        ])
    };
    match &lock.mode {
        Mode::Setup {
            confirm,
            on_confirm,
            ..
        } => {
            lines.push(field("Phrase secrète", &lock.input, !on_confirm));
            lines.push(field("Confirmation", confirm, *on_confirm));
        }
        Mode::Unlock { .. } => lines.push(field("Phrase secrète", &lock.input, true)),
    }
    lines.push(Line::raw(""));
    if let Some(busy) = lock.busy {
        lines.push(Line::styled(busy.to_string(), theme.accent));
    } else if let Some(e) = &lock.error {
        lines.push(Line::styled(format!("✗ {e}"), theme.error));
    } else {
        lines.push(Line::raw(""));
    }
    if let Some(q) = quit_line(app, lock) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(q, theme.dim));
    }
    // Height of the wrapped text, borders included.
    let rows: usize = lines
        .iter()
        .map(|l| {
            let n = l.width();
            if n == 0 {
                1
            } else {
                n.div_ceil(inner_w.max(1))
            }
        })
        .sum();
    let r = centered(body, w, rows as u16 + 2);
    let block_title = if lock.is_setup() {
        " Chiffrement de la base "
    } else {
        " Base verrouillée "
    };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.accent)
                .title(block_title)
                .padding(ratatui::widgets::Padding::horizontal(1)),
        ),
        r,
    );
    let hints: Vec<Span> = app
        .hints()
        .into_iter()
        .flat_map(|(k, l)| {
            [
                Span::raw(" "),
                Span::styled(k, theme.key),
                Span::raw(format!(" {l} ")),
            ]
        })
        .collect();
    frame.render_widget(Paragraph::new(Line::from(hints)), foot);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_fields_show_bullets_never_the_text() {
        let mut t = TextInput::new("secret");
        assert_eq!(hidden(&t, 20, true), "••••••▏");
        assert_eq!(hidden(&t, 20, false), "••••••");
        t.cursor = 2;
        assert_eq!(hidden(&t, 20, true), "••▏••••");
        // Longer than the room: `…` in front, the cursor in view.
        let t = TextInput::new(&"x".repeat(50));
        let h = hidden(&t, 10, true);
        assert_eq!(h, format!("…{}▏", "•".repeat(8)));
        assert_eq!(h.chars().count(), 10);
        assert!(!h.contains('x'));
    }
}
