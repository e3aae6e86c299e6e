//! The lock screen: the app state that replaces every screen while the
//! store's key is not in memory — at startup (an encrypted store and no
//! passphrase from `PASSERELLE_PHRASE_SECRETE` or a file), after the idle
//! delay, and at the first start, when the advisor chooses the passphrase
//! (typed twice). Only the passphrase field is shown, hidden as `•`;
//! everything else the app holds (an open form and its unsaved text, a
//! dialog, the selection) waits untouched underneath and comes back as it
//! was after the unlock.
//!
//! Pure state. [`super::App`] routes keys here; the runtime unlocks
//! (Argon2, about half a second) only after a frame has said
//! « Déverrouillage… » ([`super::Deferred`]).
//!
//! Wrong passphrases: at startup, three tries, then Passerelle stops
//! without having written anything (exit 2). After the idle lock, tries
//! are never refused — stopping would lose the unsaved form the lock is
//! keeping — but after three failures the screen offers to quit, saying
//! that unsaved work would be lost; Argon2's cost (about 0.5 s a try) and
//! the audit event written at the next unlock (« N échecs avant
//! déverrouillage ») are what answer guessing.

use super::text::TextInput;
use crate::store::crypto::{check_strength, Secret};
use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::KeyEvent;
use std::fmt;
use zeroize::Zeroize;

/// Tries at startup before Passerelle stops.
pub const STARTUP_TRIES: u32 = 3;
/// Failures after which the idle lock offers to quit.
pub const OFFER_QUIT_AFTER: u32 = 3;
/// Longest passphrase kept from typing or a paste, in characters.
pub const MAX_PASSPHRASE: usize = 512;
/// What the screen says while Argon2 runs.
pub const UNLOCKING: &str = "Déverrouillage…";
/// What the screen says while the store is rewritten encrypted.
pub const ENCRYPTING: &str = "Chiffrement de la base…";

/// A passphrase on its way from the lock screen to the runtime (in an
/// [`super::Effect`]): never printed, zeroized when dropped.
#[derive(Clone)]
pub struct Passphrase(pub Secret);

impl PartialEq for Passphrase {
    fn eq(&self, other: &Passphrase) -> bool {
        self.0.expose() == other.0.expose()
    }
}

impl Eq for Passphrase {}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(***)")
    }
}

/// Why the store is locked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Passerelle is starting: nothing has been read yet.
    Startup,
    /// No key was pressed for the configured delay.
    Idle,
}

/// What the lock screen asks for.
#[derive(Clone, PartialEq, Eq)]
pub enum Mode {
    /// The passphrase of an encrypted store.
    Unlock {
        reason: Reason,
        /// Wrong passphrases typed since the lock.
        failures: u32,
        /// The passphrase came from the environment or a file, not the
        /// keyboard: a wrong one stops Passerelle at once.
        scripted: bool,
    },
    /// First start on a clear store: a new passphrase, typed twice.
    Setup {
        confirm: TextInput,
        on_confirm: bool,
        /// Files already in the store (a store from before encryption).
        files: usize,
    },
}

/// The lock screen's state.
pub struct LockScreen {
    pub mode: Mode,
    /// The passphrase being typed (the first one, in setup).
    pub input: TextInput,
    /// What went wrong last, in French.
    pub error: Option<String>,
    /// Slow work announced on screen (« Déverrouillage… »): keys wait.
    pub busy: Option<&'static str>,
    /// Where the store is, shown on the screen.
    pub store_path: String,
}

impl fmt::Debug for LockScreen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the typed text.
        f.debug_struct("LockScreen")
            .field("setup", &self.is_setup())
            .field("reason", &self.reason())
            .field("failures", &self.failures())
            .field("busy", &self.busy)
            .finish()
    }
}

impl Drop for LockScreen {
    fn drop(&mut self) {
        wipe(&mut self.input);
        if let Mode::Setup { confirm, .. } = &mut self.mode {
            wipe(confirm);
        }
    }
}

/// Empties a field holding a passphrase, overwriting its bytes.
fn wipe(t: &mut TextInput) {
    t.text.zeroize();
    t.cursor = 0;
    t.selected = false;
}

/// Moves the typed text out of a field into a [`Secret`] (the buffer is
/// moved, not copied).
fn take_secret(t: &mut TextInput) -> Secret {
    let s = Secret::new(std::mem::take(&mut t.text));
    wipe(t);
    s
}

/// What validating the screen asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Submit {
    /// Nothing to do yet (an error is shown, or the confirmation is next).
    Nothing,
    /// Try this passphrase; `failures` wrong ones came before it.
    Unlock {
        passphrase: Passphrase,
        failures: u32,
    },
    /// Encrypt the store under this new passphrase.
    Encrypt(Passphrase),
}

/// What a wrong passphrase leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The screen says so; try again.
    TryAgain,
    /// Passerelle stops with this message (exit 2): nothing was written.
    Quit(String),
}

fn plural(n: u32) -> &'static str {
    if n > 1 {
        "s"
    } else {
        ""
    }
}

impl LockScreen {
    fn new(mode: Mode, store_path: impl Into<String>) -> LockScreen {
        LockScreen {
            mode,
            input: TextInput::default(),
            error: None,
            busy: None,
            store_path: store_path.into(),
        }
    }

    /// The store is encrypted and Passerelle is starting.
    pub fn startup(store_path: impl Into<String>) -> LockScreen {
        LockScreen::new(
            Mode::Unlock {
                reason: Reason::Startup,
                failures: 0,
                scripted: false,
            },
            store_path,
        )
    }

    /// Startup with the passphrase from the environment or a file: the
    /// screen shows « Déverrouillage… » and the unlock to run.
    pub fn startup_scripted(store_path: impl Into<String>, secret: Secret) -> (LockScreen, Submit) {
        let mut l = LockScreen::new(
            Mode::Unlock {
                reason: Reason::Startup,
                failures: 0,
                scripted: true,
            },
            store_path,
        );
        l.busy = Some(UNLOCKING);
        (
            l,
            Submit::Unlock {
                passphrase: Passphrase(secret),
                failures: 0,
            },
        )
    }

    /// The idle delay passed.
    pub fn idle(store_path: impl Into<String>) -> LockScreen {
        LockScreen::new(
            Mode::Unlock {
                reason: Reason::Idle,
                failures: 0,
                scripted: false,
            },
            store_path,
        )
    }

    /// First start on a clear store holding `files` files.
    pub fn setup(store_path: impl Into<String>, files: usize) -> LockScreen {
        LockScreen::new(
            Mode::Setup {
                confirm: TextInput::default(),
                on_confirm: false,
                files,
            },
            store_path,
        )
    }

    pub fn is_setup(&self) -> bool {
        matches!(self.mode, Mode::Setup { .. })
    }

    /// Why the store is locked (None in setup).
    pub fn reason(&self) -> Option<Reason> {
        match self.mode {
            Mode::Unlock { reason, .. } => Some(reason),
            Mode::Setup { .. } => None,
        }
    }

    /// Wrong passphrases typed since the lock.
    pub fn failures(&self) -> u32 {
        match self.mode {
            Mode::Unlock { failures, .. } => failures,
            Mode::Setup { .. } => 0,
        }
    }

    /// In setup, the confirmation field has the focus.
    pub fn on_confirm(&self) -> bool {
        matches!(
            self.mode,
            Mode::Setup {
                on_confirm: true,
                ..
            }
        )
    }

    fn focused_mut(&mut self) -> &mut TextInput {
        match &mut self.mode {
            Mode::Setup {
                confirm,
                on_confirm: true,
                ..
            } => confirm,
            _ => &mut self.input,
        }
    }

    /// An editing key in the focused field; true when its text changed.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        if self.busy.is_some() {
            return false;
        }
        self.focused_mut().handle_limited(key, Some(MAX_PASSPHRASE))
    }

    /// A paste into the focused field (one line, at most
    /// [`MAX_PASSPHRASE`] characters); the French message when it was cut.
    pub fn paste(&mut self, text: &str) -> Option<String> {
        if self.busy.is_some() {
            return None;
        }
        let out = self.focused_mut().paste(text, true, Some(MAX_PASSPHRASE));
        let msg = out.message();
        if msg.is_some() {
            self.error = msg.clone();
        }
        msg
    }

    /// `Tab` in setup: the other field.
    pub fn switch_field(&mut self) {
        if let Mode::Setup { on_confirm, .. } = &mut self.mode {
            *on_confirm = !*on_confirm;
        }
    }

    /// `Échap`: empties the focused field.
    pub fn clear(&mut self) {
        if self.busy.is_none() {
            wipe(self.focused_mut());
        }
    }

    /// `Entrée`.
    pub fn submit(&mut self) -> Submit {
        if self.busy.is_some() {
            return Submit::Nothing;
        }
        match &mut self.mode {
            Mode::Unlock { failures, .. } => {
                if self.input.text.is_empty() {
                    self.error = Some("Tapez votre phrase secrète, puis Entrée.".into());
                    return Submit::Nothing;
                }
                let failures = *failures;
                self.error = None;
                self.busy = Some(UNLOCKING);
                Submit::Unlock {
                    passphrase: Passphrase(take_secret(&mut self.input)),
                    failures,
                }
            }
            Mode::Setup {
                confirm,
                on_confirm,
                ..
            } => {
                if let Err(why) = check_strength(&self.input.text) {
                    self.error = Some(super::capitalize(&why));
                    *on_confirm = false;
                    wipe(confirm);
                    return Submit::Nothing;
                }
                if !*on_confirm {
                    self.error = None;
                    *on_confirm = true;
                    return Submit::Nothing;
                }
                if confirm.text != self.input.text {
                    wipe(confirm);
                    self.error = Some(
                        "Les deux saisies diffèrent : tapez de nouveau la même phrase secrète \
                         dans la confirmation."
                            .into(),
                    );
                    return Submit::Nothing;
                }
                wipe(confirm);
                self.error = None;
                self.busy = Some(ENCRYPTING);
                Submit::Encrypt(Passphrase(take_secret(&mut self.input)))
            }
        }
    }

    /// The runtime found the passphrase wrong.
    pub fn refused(&mut self) -> Refusal {
        self.busy = None;
        let Mode::Unlock {
            reason,
            failures,
            scripted,
        } = &mut self.mode
        else {
            return Refusal::TryAgain;
        };
        *failures += 1;
        let n = *failures;
        if *scripted {
            return Refusal::Quit(crate::store::StoreError::WrongPassphrase.to_string());
        }
        match reason {
            Reason::Startup if n >= STARTUP_TRIES => Refusal::Quit(format!(
                "Phrase secrète incorrecte ({STARTUP_TRIES} essais) : la base n'a pas été \
                 ouverte et rien n'a été modifié."
            )),
            Reason::Startup => {
                let left = STARTUP_TRIES - n;
                self.error = Some(format!(
                    "Phrase secrète incorrecte — encore {left} essai{} avant l'arrêt de \
                     Passerelle.",
                    plural(left)
                ));
                Refusal::TryAgain
            }
            Reason::Idle => {
                self.error = Some(format!(
                    "Phrase secrète incorrecte ({n} échec{}).",
                    plural(n)
                ));
                Refusal::TryAgain
            }
        }
    }

    /// Whether `quitter-verrouille` may close Passerelle now: at startup
    /// and in setup always (nothing is lost); after the idle lock when no
    /// form holds unsaved work, or once [`OFFER_QUIT_AFTER`] tries failed.
    pub fn may_quit(&self, unsaved: bool) -> bool {
        match self.mode {
            Mode::Unlock {
                reason: Reason::Idle,
                failures,
                ..
            } => !unsaved || failures >= OFFER_QUIT_AFTER,
            _ => true,
        }
    }
}

/// The idle timer: when the last input came, and how long without input
/// locks the screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdleTimer {
    /// None: never locks (`verrouillage_minutes = 0`, or a store without a
    /// passphrase).
    pub limit: Option<Duration>,
    last_input: Option<DateTime<Utc>>,
}

impl IdleTimer {
    pub fn new(limit: Option<Duration>, now: DateTime<Utc>) -> IdleTimer {
        IdleTimer {
            limit,
            last_input: Some(now),
        }
    }

    /// Input arrived at `now`.
    pub fn touch(&mut self, now: DateTime<Utc>) {
        self.last_input = Some(now);
    }

    /// The delay has passed without input (a clock set back never locks).
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        match (self.limit, self.last_input) {
            (Some(limit), Some(last)) => now - last >= limit,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(c, KeyModifiers::NONE, KeyEventKind::Press)
    }

    fn typed(l: &mut LockScreen, s: &str) {
        for c in s.chars() {
            l.edit(&k(KeyCode::Char(c)));
        }
    }

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).unwrap()
    }

    #[test]
    fn the_idle_timer_locks_at_the_limit_not_before() {
        let mut t = IdleTimer::new(Some(Duration::minutes(5)), t0());
        assert!(!t.expired(t0() + Duration::seconds(299)));
        assert!(
            t.expired(t0() + Duration::seconds(300)),
            "boundary: exactly 5 min"
        );
        t.touch(t0() + Duration::seconds(200));
        assert!(!t.expired(t0() + Duration::seconds(499)));
        assert!(t.expired(t0() + Duration::seconds(500)));
        // A clock set back never locks; no limit never locks.
        assert!(!t.expired(t0() - Duration::hours(3)));
        let off = IdleTimer::new(None, t0());
        assert!(!off.expired(t0() + Duration::days(2)));
    }

    #[test]
    fn three_wrong_tries_at_startup_stop_with_a_message() {
        let mut l = LockScreen::startup("/d/base");
        assert_eq!(l.submit(), Submit::Nothing, "empty: refused");
        assert!(l.error.as_deref().unwrap().contains("Tapez"));
        for n in 1..=2u32 {
            typed(&mut l, "mauvaise phrase");
            match l.submit() {
                Submit::Unlock { failures, .. } => assert_eq!(failures, n - 1),
                other => panic!("{other:?}"),
            }
            assert_eq!(l.busy, Some(UNLOCKING));
            assert!(l.input.text.is_empty(), "the typed text left the field");
            assert_eq!(l.refused(), Refusal::TryAgain);
            let left = 3 - n;
            assert!(
                l.error
                    .as_deref()
                    .unwrap()
                    .contains(&format!("encore {left} essai")),
                "{:?}",
                l.error
            );
        }
        typed(&mut l, "mauvaise phrase");
        l.submit();
        match l.refused() {
            Refusal::Quit(m) => assert!(m.contains("rien n'a été modifié"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(l.may_quit(true), "at startup nothing can be lost");
    }

    #[test]
    fn the_idle_lock_keeps_accepting_tries_and_offers_to_quit_after_three() {
        let mut l = LockScreen::idle("/d/base");
        assert!(!l.may_quit(true), "unsaved work: not offered yet");
        assert!(l.may_quit(false), "nothing unsaved: quitting loses nothing");
        for n in 1..=5u32 {
            typed(&mut l, "mauvaise");
            assert!(matches!(l.submit(), Submit::Unlock { .. }));
            assert_eq!(l.refused(), Refusal::TryAgain);
            assert_eq!(l.failures(), n);
            assert_eq!(
                l.error.as_deref().unwrap(),
                format!("Phrase secrète incorrecte ({n} échec{}).", plural(n))
            );
            assert_eq!(l.may_quit(true), n >= OFFER_QUIT_AFTER, "after {n}");
        }
        // Keys wait while the unlock runs.
        typed(&mut l, "x");
        l.submit();
        assert!(!l.edit(&k(KeyCode::Char('y'))));
        assert_eq!(l.submit(), Submit::Nothing);
    }

    #[test]
    fn a_scripted_passphrase_that_fails_stops_at_once() {
        let (mut l, s) = LockScreen::startup_scripted("/d/base", Secret::new("x"));
        assert!(matches!(s, Submit::Unlock { failures: 0, .. }));
        assert_eq!(l.busy, Some(UNLOCKING));
        assert!(matches!(l.refused(), Refusal::Quit(_)));
    }

    #[test]
    fn setup_checks_strength_then_the_confirmation() {
        let mut l = LockScreen::setup("/d/base", 0);
        typed(&mut l, "court");
        assert_eq!(l.submit(), Submit::Nothing);
        assert!(l
            .error
            .as_deref()
            .unwrap()
            .starts_with("Phrase secrète trop courte"));
        assert!(!l.on_confirm());
        l.clear();
        assert!(l.input.text.is_empty());
        typed(&mut l, "le chat dort sur 3 coussins");
        assert_eq!(l.submit(), Submit::Nothing);
        assert!(l.on_confirm(), "strong enough: the confirmation is next");
        assert_eq!(l.error, None);
        typed(&mut l, "le chat dort sur 3 coussinx");
        assert_eq!(l.submit(), Submit::Nothing);
        assert!(l.error.as_deref().unwrap().contains("diffèrent"));
        typed(&mut l, "le chat dort sur 3 coussins");
        match l.submit() {
            Submit::Encrypt(p) => assert_eq!(p.0.expose(), "le chat dort sur 3 coussins"),
            other => panic!("{other:?}"),
        }
        assert_eq!(l.busy, Some(ENCRYPTING));
        assert!(l.input.text.is_empty());
        assert!(
            !format!("{l:?}").contains("coussin"),
            "never the typed text"
        );
    }

    #[test]
    fn a_huge_paste_is_cut_with_a_french_message() {
        let mut l = LockScreen::startup("/d/base");
        let msg = l.paste(&"é".repeat(100_000)).unwrap();
        assert!(
            msg.contains(&format!("{MAX_PASSPHRASE} caractères")),
            "{msg}"
        );
        assert_eq!(l.input.text.chars().count(), MAX_PASSPHRASE);
        // Boundary: exactly the limit is kept whole, without a message.
        let mut l = LockScreen::startup("/d/base");
        assert_eq!(l.paste(&"a".repeat(MAX_PASSPHRASE)), None);
        assert_eq!(l.input.len(), MAX_PASSPHRASE);
    }
}
