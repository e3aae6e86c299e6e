//! Colours. Three themes, chosen in the config (`[interface] theme`).

use crate::config::ThemeName;
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub base: Style,
    pub dim: Style,
    pub accent: Style,
    pub active_tab: Style,
    pub selected: Style,
    pub highlight: Style,
    pub success: Style,
    pub error: Style,
    pub info: Style,
    pub border: Style,
    pub key: Style,
}

impl Theme {
    pub fn named(name: ThemeName) -> Theme {
        match name {
            ThemeName::Sombre => Theme {
                base: Style::default(),
                dim: Style::default().fg(Color::DarkGray),
                accent: Style::default()
                    .fg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
                active_tab: Style::default()
                    .fg(Color::Black)
                    .bg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
                selected: Style::default()
                    .bg(Color::Rgb(40, 60, 90))
                    .add_modifier(Modifier::BOLD),
                highlight: Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                success: Style::default().fg(Color::Green),
                error: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
                info: Style::default().fg(Color::Cyan),
                border: Style::default().fg(Color::Gray),
                key: Style::default()
                    .fg(Color::Cyan)
                    .add_modifier(Modifier::BOLD),
            },
            ThemeName::Clair => Theme {
                base: Style::default().fg(Color::Black),
                dim: Style::default().fg(Color::DarkGray),
                accent: Style::default()
                    .fg(Color::Blue)
                    .add_modifier(Modifier::BOLD),
                active_tab: Style::default()
                    .fg(Color::White)
                    .bg(Color::Blue)
                    .add_modifier(Modifier::BOLD),
                selected: Style::default()
                    .bg(Color::Rgb(200, 220, 250))
                    .add_modifier(Modifier::BOLD),
                highlight: Style::default()
                    .fg(Color::Magenta)
                    .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                success: Style::default().fg(Color::Green),
                error: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
                info: Style::default().fg(Color::Blue),
                border: Style::default().fg(Color::DarkGray),
                key: Style::default()
                    .fg(Color::Blue)
                    .add_modifier(Modifier::BOLD),
            },
            ThemeName::Contraste => Theme {
                base: Style::default().fg(Color::White),
                dim: Style::default().fg(Color::White),
                accent: Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
                active_tab: Style::default()
                    .fg(Color::Black)
                    .bg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
                selected: Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                highlight: Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                success: Style::default()
                    .fg(Color::LightGreen)
                    .add_modifier(Modifier::BOLD),
                error: Style::default()
                    .fg(Color::LightRed)
                    .add_modifier(Modifier::BOLD),
                info: Style::default()
                    .fg(Color::White)
                    .add_modifier(Modifier::BOLD),
                border: Style::default().fg(Color::White),
                key: Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            },
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::named(ThemeName::Sombre)
    }
}
