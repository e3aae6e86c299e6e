//! The event loop, generic over ratatui's `Backend` and over where events
//! come from: the real terminal (raw mode, alternate screen, bracketed
//! paste, mouse) or a scripted list, so a test drives the whole app —
//! keymap, update, runtime on a temporary store, draw — on `TestBackend`.

use super::lock::Passphrase;
use super::runtime::Runtime;
use super::{Action, App, Deferred, Effect};
use crate::store::StoreError;
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
const BUSY_TICK: Duration = Duration::from_millis(10);

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

    /// A frame of `app` was just drawn (the start-up benchmark watches
    /// for the first one and for the files loaded).
    fn drawn(&mut self, _app: &App) {}
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
    pub events: VecDeque<Polled>,
}

impl Scripted {
    pub fn new(events: impl IntoIterator<Item = Event>) -> Scripted {
        Scripted {
            events: events.into_iter().map(Polled::Event).collect(),
        }
    }

    /// Then a wait with no input (the loop ticks: the clock in the header,
    /// fading messages, the idle lock).
    pub fn then_tick(mut self) -> Scripted {
        self.events.push_back(Polled::Timeout);
        self
    }
}

impl EventSource for Scripted {
    fn next(&mut self, _timeout: Duration) -> io::Result<Polled> {
        Ok(self.events.pop_front().unwrap_or(Polled::End))
    }
}

/// Runs effects and hands each outcome to the app, whose reaction may ask
/// for more effects (run in order, after the current ones).
///
/// An effect that writes (or drops the key) waits for the background loads
/// first, and the app hears their outcomes before its own: a file saved
/// during the startup load is never hidden by a list read before it.
pub fn drive(app: &mut App, runtime: &mut Runtime, effects: Vec<Effect>) {
    let mut queue: VecDeque<Effect> = effects.into();
    while let Some(effect) = queue.pop_front() {
        if !effect.reads_only() {
            for outcome in runtime.finished(true) {
                queue.extend(app.effect_done(outcome));
            }
        }
        if let Some(outcome) = runtime.run(effect) {
            queue.extend(app.effect_done(outcome));
        }
    }
}

/// Hands the app the outcomes of the background loads that have ended.
fn collect_background(app: &mut App, runtime: &mut Runtime) {
    for outcome in runtime.finished(false) {
        let effects = app.effect_done(outcome);
        drive(app, runtime, effects);
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
        Event::Mouse(_) if app.too_small() || app.locked() => None,
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

/// Why [`run_loop`] returned.
#[derive(Debug, PartialEq, Eq)]
pub enum LoopEnd {
    /// The app quits.
    Quit,
    /// The event source has nothing more (a script ran out).
    EventsEnd,
    /// The store must be encrypted under this passphrase (the first
    /// start's screen): the caller owns the runtime, hands it to
    /// [`encrypt`], then runs the loop again.
    Encrypt(Passphrase),
}

/// The loop: draw, run the slow work that waited for that frame (an
/// unlock), wait for an event, turn it into an action, update, run the
/// effects; until the app quits or the source ends. Time comes from the
/// runtime's clock.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    events: &mut dyn EventSource,
    app: &mut App,
    theme: &Theme,
    runtime: &mut Runtime,
) -> io::Result<LoopEnd> {
    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    loop {
        collect_background(app, runtime);
        if app.should_quit {
            return Ok(LoopEnd::Quit);
        }
        terminal
            .draw(|f| ui::draw(app, theme, f))
            .map_err(backend_err)?;
        events.drawn(app);
        match app.deferred.take() {
            Some(Deferred::Effect(effect)) => {
                drive(app, runtime, vec![effect]);
                app.set_time(runtime.clock.now());
                continue;
            }
            Some(Deferred::Encrypt(passphrase)) => return Ok(LoopEnd::Encrypt(passphrase)),
            None => {}
        }
        // While a load runs, wake up often to show its result at once.
        let wait = if runtime.busy() { BUSY_TICK } else { TICK };
        let action = match events.next(wait)? {
            Polled::End => return Ok(LoopEnd::EventsEnd),
            Polled::Timeout => Some(Action::Tick),
            Polled::Event(ev) => event_to_action(app, ev),
        };
        app.set_time(runtime.clock.now());
        if let Some(action) = action {
            let effects = app.update(action);
            drive(app, runtime, effects);
        }
    }
}

/// The first start's end: encrypts the store of `runtime` under the
/// passphrase the advisor chose (a backup is made first by
/// [`crate::store::Store::encrypt`]), writes the audit event, then lets the
/// screens load. The store is rewritten, so the runtime is taken and given
/// back; on failure the store is closed and the error returned (the files
/// on disk are those from before).
pub fn encrypt(
    app: &mut App,
    mut runtime: Runtime,
    passphrase: Passphrase,
) -> Result<Runtime, StoreError> {
    let stamp = runtime.local_now();
    let now = runtime.clock.now();
    for outcome in runtime.finished(true) {
        let effects = app.effect_done(outcome);
        drive(app, &mut runtime, effects);
    }
    let advisor = runtime.advisor.clone();
    let kdf = runtime.kdf;
    let (mut runtime, audit_error) = runtime.replace_store(|store| {
        super::runtime::encrypt_store(store, &passphrase.0, kdf, stamp, now, &advisor)
    })?;
    drop(passphrase);
    let effects = app.encrypted();
    if let Some(e) = audit_error {
        app.set_status(
            crate::app::StatusLevel::Error,
            format!("Base chiffrée, mais le journal d'audit n'a pas pu l'enregistrer : {e}"),
        );
    }
    drive(app, &mut runtime, effects);
    Ok(runtime)
}

/// Restores what [`run`] changed in the terminal (also called by the
/// panic hook).
pub fn restore_terminal() {
    let _ = execute!(io::stdout(), DisableBracketedPaste, DisableMouseCapture);
    ratatui::restore();
}

/// Why the TUI stopped on an error.
#[derive(Debug)]
pub enum RunError {
    /// The terminal failed.
    Terminal(io::Error),
    /// Encrypting the store at the first start failed (the store is closed).
    Encrypt(StoreError),
}

/// Runs the TUI on the real terminal until the user quits; gives the
/// runtime back (its store is a new one when the first start encrypted
/// it). The terminal is restored on every exit path, panics included (see
/// the hook in `cli`).
pub fn run(app: &mut App, theme: &Theme, runtime: Runtime) -> Result<Runtime, RunError> {
    let mut terminal = ratatui::try_init().map_err(RunError::Terminal)?;
    let _ = execute!(io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    // Debug builds only: lets the end-to-end test check that a panic
    // restores the terminal and names the log file.
    #[cfg(debug_assertions)]
    if std::env::var_os("PASSERELLE_TEST_PANIQUE").is_some() {
        let _ = terminal.draw(|f| ui::draw(app, theme, f));
        panic!("panique de test demandée par PASSERELLE_TEST_PANIQUE");
    }
    let mut runtime = runtime;
    let result = loop {
        match run_loop(
            &mut terminal,
            &mut CrosstermEvents,
            app,
            theme,
            &mut runtime,
        ) {
            Ok(LoopEnd::Encrypt(passphrase)) => match encrypt(app, runtime, passphrase) {
                Ok(rt) => runtime = rt,
                Err(e) => {
                    restore_terminal();
                    return Err(RunError::Encrypt(e));
                }
            },
            Ok(_) => break Ok(()),
            Err(e) => break Err(RunError::Terminal(e)),
        }
    };
    restore_terminal();
    result.map(|()| runtime)
}
