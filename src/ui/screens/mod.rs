//! One module per screen.

pub mod accueil;
pub mod agenda;
pub mod beneficiaires;
pub mod immersions;
pub mod metiers;
pub mod parcours;

use crate::app::{App, Screen};
use crate::ui::Theme;
use ratatui::layout::Rect;
use ratatui::Frame;

pub fn draw(app: &App, theme: &Theme, area: Rect, frame: &mut Frame) {
    match app.screen {
        Screen::Accueil => accueil::draw(app, theme, area, frame),
        Screen::Beneficiaires => beneficiaires::draw(app, theme, area, frame),
        Screen::Metiers => metiers::draw(app, theme, area, frame),
        Screen::Parcours => parcours::draw(app, theme, area, frame),
        Screen::Agenda => agenda::draw(app, theme, area, frame),
    }
}
