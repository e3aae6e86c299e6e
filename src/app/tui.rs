//! The event loop, generic over ratatui's `Backend` and over where events
//! come from: the real terminal (raw mode, alternate screen, bracketed
//! paste, mouse) or a scripted list, so a test drives the whole app —
//! keymap, update, runtime on a temporary store, draw — on `TestBackend`.

use super::runtime::Runtime;
use super::{Action, App, Effect};
use crate::ui::{self, Theme};
use ratatui::backend::Backend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEventKind, MouseButton, MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::Terminal;
use std::collections::VecDeque;
use std::io;
use std::time::Duration;

const TICK: Duration = Duration::from_millis(500);

/// What an event source gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Polled {
    Event(Event),
    /// Nothing happened within the wait (time for a tick).
    Timeout,
    /// The source has nothing more (a script ran out): the loop returns.
    End,
}

/// Where terminal events come from.
pub trait EventSource {
    /// The next event, waiting at most `timeout`.
    fn next(&mut self, timeout: Duration) -> io::Result<Polled>;
}

/// The real terminal, through crossterm.
pub struct CrosstermEvents;

impl EventSource for CrosstermEvents {
    fn next(&mut self, timeout: Duration) -> io::Result<Polled> {
        if event::poll(timeout)? {
            Ok(Polled::Event(event::read()?))
        } else {
            Ok(Polled::Timeout)
        }
    }
}

/// A fixed list of events (tests); ends when empty.
#[derive(Clone, Debug, Default)]
pub struct Scripted {
    pub events: VecDeque<Event>,
}

impl Scripted {
    pub fn new(events: impl IntoIterator<Item = Event>) -> Scripted {
        Scripted {
            events: events.into_iter().collect(),
        }
    }
}

impl EventSource for Scripted {
    fn next(&mut self, _timeout: Duration) -> io::Result<Polled> {
        Ok(self.events.pop_front().map_or(Polled::End, Polled::Event))
    }
}

/// Runs effects and hands each outcome to the app, whose reaction may ask
/// for more effects (run in order, after the current ones).
pub fn drive(app: &mut App, runtime: &mut Runtime, effects: Vec<Effect>) {
    let mut queue: VecDeque<Effect> = effects.into();
    while let Some(effect) = queue.pop_front() {
        if let Some(outcome) = runtime.run(effect) {
            queue.extend(app.effect_done(outcome));
        }
    }
}

/// Loads what the screens need at startup (every file, the recent list).
pub fn start(app: &mut App, runtime: &mut Runtime) {
    let effects = app.startup_effects();
    drive(app, runtime, effects);
}

/// Turns a terminal event into an action.
pub fn event_to_action(app: &App, ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => app.key_to_action(k),
        Event::Paste(text) if !app.too_small() => Some(Action::Paste(text)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(_) if app.too_small() => None,
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::ScrollDown => Some(Action::Down),
            MouseEventKind::Down(MouseButton::Left) if m.row == 0 && app.modals.is_empty() => {
                ui::tab_spans(app.size.0, app.open_beneficiary.is_some())
                    .into_iter()
                    .find(|(_, a, b)| (*a..*b).contains(&m.column))
                    .map(|(s, _, _)| Action::ClickTab(s))
            }
            _ => None,
        },
        _ => None,
    }
}

fn backend_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// The loop: draw, wait for an event, turn it into an action, update, run
/// the effects; until the app quits or the source ends. Time comes from
/// the runtime's clock.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    events: &mut dyn EventSource,
    app: &mut App,
    theme: &Theme,
    runtime: &mut Runtime,
) -> io::Result<()> {
    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    while !app.should_quit {
        terminal
            .draw(|f| ui::draw(app, theme, f))
            .map_err(backend_err)?;
        let action = match events.next(TICK)? {
            Polled::End => return Ok(()),
            Polled::Timeout => Some(Action::Tick),
            Polled::Event(ev) => event_to_action(app, ev),
        };
        app.now = runtime.local_now();
        if let Some(action) = action {
            let effects = app.update(action);
            drive(app, runtime, effects);
        }
    }
    Ok(())
}

/// Restores what [`run`] changed in the terminal (also called by the
/// panic hook).
pub fn restore_terminal() {
    let _ = execute!(io::stdout(), DisableBracketedPaste, DisableMouseCapture);
    ratatui::restore();
}

/// Runs the TUI on the real terminal until the user quits. The terminal is
/// restored on every exit path, panics included (see the hook in `cli`).
pub fn run(app: &mut App, theme: &Theme, runtime: &mut Runtime) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    // Debug builds only: lets the end-to-end test check that a panic
    // restores the terminal and names the log file.
    #[cfg(debug_assertions)]
    if std::env::var_os("PASSERELLE_TEST_PANIQUE").is_some() {
        let _ = terminal.draw(|f| ui::draw(app, theme, f));
        panic!("panique de test demandée par PASSERELLE_TEST_PANIQUE");
    }
    let result = run_loop(&mut terminal, &mut CrosstermEvents, app, theme, runtime);
    restore_terminal();
    result
}
