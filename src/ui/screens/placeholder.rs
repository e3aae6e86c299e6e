//! Screens whose capability is not built yet say what they will hold.

use crate::app::{App, Screen};
use crate::domain::time::fmt_long_day;
use crate::ui::Theme;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// What each screen will hold, in the advisor's words.
pub fn promise(screen: Screen) -> &'static [&'static str] {
    match screen {
        Screen::Accueil => &[
            "Les entretiens et suivis du jour, les suivis en retard",
            "et les dossiers ouverts récemment s'afficheront ici",
            "dès que les dossiers bénéficiaires seront disponibles.",
        ],
        Screen::Beneficiaires => &[
            "La liste des dossiers (recherche, tri par prochain suivi),",
            "la fiche de chaque bénéficiaire, ses entretiens, son",
            "consentement et son historique arrivent avec la prochaine version.",
        ],
        Screen::Metiers => &[
            "La recherche dans le catalogue des métiers (codes ROME et",
            "appellations) des 18 branches de la cohésion sociale.",
        ],
        Screen::Parcours => &[
            "Les métiers cibles, les étapes datées (bilan, VAE, formation,",
            "immersion…), leur financement et l'éligibilité aux dispositifs.",
        ],
        Screen::Agenda => &[
            "La semaine : entretiens, séances d'information et immersions,",
            "avec les conflits d'horaires signalés.",
        ],
    }
}

pub fn draw(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    let mut lines = vec![Line::raw("")];
    if app.screen == Screen::Accueil {
        lines.push(Line::styled(
            format!("Aujourd'hui — {}", fmt_long_day(app.now.date())),
            theme.accent,
        ));
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled("Bientôt sur cet écran :", theme.dim));
    for l in promise(app.screen) {
        lines.push(Line::raw(format!("  {l}")));
    }
    if app.screen == Screen::Accueil && !app.data_dir.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Données : {}", app.data_dir),
            theme.dim,
        ));
    }
    lines.push(Line::raw(""));
    let help = app
        .keymap
        .key_for(&crate::app::Action::Help)
        .unwrap_or_default();
    lines.push(Line::styled(
        format!("Appuyez sur {help} pour la liste des touches."),
        theme.dim,
    ));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(format!(" {} ", app.screen.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
