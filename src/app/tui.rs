//! The terminal event loop: raw mode, alternate screen, keys, mouse, resize
//! and a tick for the clock.

use super::runtime::Runtime;
use super::{Action, App};
use crate::ui::{self, Theme};
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind, MouseButton, MouseEventKind,
};
use ratatui::crossterm::execute;
use std::io;
use std::time::Duration;

const TICK: Duration = Duration::from_millis(500);

/// Runs the TUI until the user quits. The terminal is restored on every
/// exit path, panics included (see `ratatui::init`'s hook, extended in main).
pub fn run(app: &mut App, theme: &Theme, runtime: &mut Runtime) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(io::stdout(), EnableMouseCapture);
    let result = event_loop(&mut terminal, app, theme, runtime);
    let _ = execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    theme: &Theme,
    runtime: &mut Runtime,
) -> io::Result<()> {
    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    // Debug builds only: lets the end-to-end test check that a panic
    // restores the terminal and names the log file.
    #[cfg(debug_assertions)]
    if std::env::var_os("PASSERELLE_TEST_PANIQUE").is_some() {
        terminal.draw(|f| ui::draw(app, theme, f))?;
        panic!("panique de test demandée par PASSERELLE_TEST_PANIQUE");
    }
    while !app.should_quit {
        terminal.draw(|f| ui::draw(app, theme, f))?;
        let action = if event::poll(TICK)? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => app.key_to_action(k),
                Event::Resize(w, h) => Some(Action::Resize(w, h)),
                Event::Mouse(m) => match m.kind {
                    MouseEventKind::ScrollUp => Some(Action::Up),
                    MouseEventKind::ScrollDown => Some(Action::Down),
                    MouseEventKind::Down(MouseButton::Left) if m.row == 0 => {
                        ui::tab_spans(app.size.0, app.open_beneficiary.is_some())
                            .into_iter()
                            .find(|(_, a, b)| (*a..*b).contains(&m.column))
                            .map(|(s, _, _)| Action::ClickTab(s))
                    }
                    _ => None,
                },
                _ => None,
            }
        } else {
            Some(Action::Tick)
        };
        app.now = runtime.local_now();
        if let Some(action) = action {
            let effects = app.update(action);
            runtime.run(app, effects);
        }
    }
    Ok(())
}
