//! Application state and the `update` function: one-way data flow.
//!
//! `event → keymap → Action → update(&mut App, Action) → Vec<Effect>`; the
//! runtime runs effects against the store and hands back an [`Outcome`];
//! [`App::effect_done`] lets the screens react (and may ask for more
//! effects). `ui::draw` only reads this state. Each screen's logic is a
//! [`screen::ScreenLogic`]: `update` gives the shown screen the first say,
//! then applies the global meaning of the action.

pub mod accueil;
pub mod action;
pub mod agenda;
pub mod beneficiaires;
pub mod form;
pub mod keymap;
pub mod lock;
pub mod metiers;
pub mod palette;
pub mod parcours;
pub mod paste;
pub mod privacy;
pub mod runtime;
pub mod screen;
pub mod text;
pub mod tui;
pub mod undo;

pub use action::{Action, Effect, Outcome, Reply, Screen};
pub use keymap::{Context, KeySpec, Keymap};
pub use screen::{FieldKind, Focus};

use chrono::{DateTime, NaiveDateTime, Utc};
use keymap::KeyCodeOrd;
use lock::{LockScreen, Reason, Refusal, Submit};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use undo::{Direction, UndoStack};

/// How long a status message stays visible, in seconds.
pub const STATUS_SECONDS: i64 = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusLevel {
    Info,
    Success,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub level: StatusLevel,
    pub at: NaiveDateTime,
}

/// Popups sit on a stack and get keys before the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Modal {
    /// Help for what had the focus (a screen, a form), with a scroll offset.
    Help { topic: Context, scroll: usize },
    /// Privacy curtain: hides everything until a key is pressed.
    Privacy,
    /// A question before a destructive or unusual action.
    Confirm(Confirm),
    /// The command palette.
    Palette(palette::Palette),
}

/// A question asked by a screen. It carries what each answer means to
/// that screen ([`Reply`]) and hands it back to it
/// ([`screen::ScreenLogic::confirmed`]). Answered with the `oui`, `non` and
/// `autre-reponse` keys of the keymap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    /// The screen that asked.
    pub owner: Screen,
    /// What « oui » means, and how the dialog names it.
    pub on_yes: Reply,
    pub yes_label: &'static str,
    pub no_label: &'static str,
    /// A third answer, when the question offers one.
    pub other: Option<(&'static str, Reply)>,
}

impl Confirm {
    /// A yes / no question.
    pub fn new(owner: Screen, question: impl Into<String>, on_yes: Reply) -> Confirm {
        Confirm {
            question: question.into(),
            owner,
            on_yes,
            yes_label: "oui",
            no_label: "non",
            other: None,
        }
    }

    /// Names the answers.
    pub fn labels(mut self, yes: &'static str, no: &'static str) -> Confirm {
        self.yes_label = yes;
        self.no_label = no;
        self
    }

    /// « Abandonner les modifications … ? » before leaving a changed form.
    pub fn discard_form(owner: Screen, question: impl Into<String>) -> Confirm {
        Confirm::new(owner, question, Reply::DiscardForm)
            .labels("abandonner", "revenir au formulaire")
    }

    /// Adds a third answer.
    pub fn or(mut self, label: &'static str, reply: Reply) -> Confirm {
        self.other = Some((label, reply));
        self
    }
}

/// The beneficiary whose file is open (shown in the header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenBeneficiary {
    pub id: crate::domain::Id,
    pub display_name: String,
}

/// Slow work that waits for one frame to be drawn first (the frame says
/// « Déverrouillage… »): the event loop runs it right after that frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deferred {
    /// An effect for the runtime.
    Effect(Effect),
    /// Encrypt the store under this passphrase: the store is rewritten, so
    /// the event loop hands it to its caller, which owns the runtime
    /// ([`tui::encrypt`]).
    Encrypt(lock::Passphrase),
}

pub struct App {
    pub screen: Screen,
    /// Screens visited, for `Échap`.
    pub history: Vec<Screen>,
    pub modals: Vec<Modal>,
    pub keymap: Keymap,
    /// Local wall-clock time, refreshed by `Tick` (injected in tests).
    pub now: NaiveDateTime,
    /// The same instant in UTC (the idle timer counts in it).
    pub instant: DateTime<Utc>,
    pub status: Option<StatusMessage>,
    pub open_beneficiary: Option<OpenBeneficiary>,
    /// Terminal size in cells.
    pub size: (u16, u16),
    pub should_quit: bool,
    /// Where the data lives, shown on the Accueil screen.
    pub data_dir: String,
    /// The métier catalogue in force (shipped, or rebuilt from an imported
    /// referential), parsed once and shared: searches and forms use it.
    pub catalog: std::sync::Arc<crate::catalog::Catalog>,
    /// The catalogue in force is being read ([`Effect::LoadCatalog`], on
    /// the loading thread): the Métiers screen says so and searches once
    /// it arrives, rather than searching the shipped one meanwhile.
    pub catalog_loading: bool,
    /// [`Effect::LoadCatalog`] was asked for (once per session).
    catalog_asked: bool,
    /// Changes saved in this session, for undo / redo (any record kind).
    pub undo: UndoStack,
    pub accueil: accueil::AccueilState,
    pub metiers: metiers::MetiersState,
    pub benef: beneficiaires::BeneficiairesState,
    pub parcours: parcours::ParcoursState,
    pub agenda: agenda::AgendaState,
    /// The lock screen, when the store's key is not in memory: it replaces
    /// every screen and takes every key; the state above waits untouched.
    pub lock: Option<LockScreen>,
    /// When the last input came, and the delay that locks.
    pub idle: lock::IdleTimer,
    /// How the store protects its records (None: unknown, as in unit
    /// tests). Decides the idle lock and the demo notice in the header.
    pub protection: Option<crate::store::Protection>,
    /// Whether the store was opened for work this session (false while a
    /// startup lock or the first passphrase has not been passed): at exit,
    /// nothing is written to a store that was never opened.
    pub store_opened: bool,
    /// Slow work to run once the next frame is drawn.
    pub deferred: Option<Deferred>,
    /// Why Passerelle stops on its own (three wrong passphrases at
    /// startup): the command line prints it and exits with code 2.
    pub exit_message: Option<String>,
    /// « Masquer les données personnelles ».
    pub privacy: privacy::Privacy,
}

/// « ajout du … » → « Ajout du … ».
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A key that edits a one-line text box: a plain character or an editing key.
fn is_text_key(key: &KeyEvent) -> bool {
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        KeyCode::Char(_) => plain,
        KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right => true,
        _ => false,
    }
}

impl App {
    pub fn new(keymap: Keymap, now: NaiveDateTime) -> App {
        let mut app = App {
            screen: Screen::Accueil,
            history: Vec::new(),
            modals: Vec::new(),
            keymap,
            now,
            instant: now.and_utc(),
            status: None,
            open_beneficiary: None,
            size: (80, 24),
            should_quit: false,
            data_dir: String::new(),
            catalog: metiers::builtin_catalog(),
            catalog_loading: false,
            catalog_asked: false,
            undo: UndoStack::default(),
            accueil: Default::default(),
            metiers: Default::default(),
            benef: Default::default(),
            parcours: Default::default(),
            agenda: Default::default(),
            lock: None,
            idle: lock::IdleTimer::default(),
            protection: None,
            store_opened: true,
            deferred: None,
            exit_message: None,
            privacy: Default::default(),
        };
        metiers::refresh(&mut app);
        app
    }

    /// Sets the time from the runtime's clock (UTC), shown in Paris time.
    pub fn set_time(&mut self, utc: DateTime<Utc>) {
        self.instant = utc;
        self.now = crate::domain::agenda::to_paris(utc);
    }

    /// The idle delay (`[securite] verrouillage_minutes`), counted from now.
    pub fn set_idle_limit(&mut self, limit: Option<chrono::Duration>) {
        self.idle = lock::IdleTimer::new(limit, self.instant);
    }

    /// The store directory, as the lock screen names it.
    fn store_path(&self) -> String {
        crate::store::Store::dir_in(std::path::Path::new(&self.data_dir))
            .display()
            .to_string()
    }

    /// Starts on the lock screen (an encrypted store). With a passphrase
    /// from the environment or a file, the screen shows
    /// « Déverrouillage… » and unlocks at once; else it asks.
    pub fn lock_at_start(&mut self, scripted: Option<crate::store::Secret>) {
        self.store_opened = false;
        self.protection = Some(crate::store::Protection::Encrypted);
        let path = self.store_path();
        match scripted {
            Some(secret) => {
                let (l, submit) = LockScreen::startup_scripted(path, secret);
                self.lock = Some(l);
                self.defer(submit);
            }
            None => self.lock = Some(LockScreen::startup(path)),
        }
    }

    /// Starts on the first-passphrase screen (a clear store holding
    /// `files` files).
    pub fn setup_at_start(&mut self, files: usize) {
        self.store_opened = false;
        self.protection = Some(crate::store::Protection::Clear);
        self.lock = Some(LockScreen::setup(self.store_path(), files));
    }

    /// The store is now encrypted (first passphrase chosen): the lock
    /// screen goes, the screens load. Returns the effects to run.
    pub fn encrypted(&mut self) -> Vec<Effect> {
        self.lock = None;
        self.protection = Some(crate::store::Protection::Encrypted);
        self.store_opened = true;
        self.idle.touch(self.instant);
        self.set_status(
            StatusLevel::Success,
            "Base chiffrée : la phrase secrète sera demandée à chaque ouverture",
        );
        self.startup_effects()
    }

    /// What validating the lock screen asks for, run after the next frame.
    fn defer(&mut self, submit: Submit) {
        self.deferred = match submit {
            Submit::Nothing => return,
            Submit::Unlock {
                passphrase,
                failures,
            } => Some(Deferred::Effect(Effect::Unlock {
                passphrase,
                failures,
            })),
            Submit::Encrypt(p) => Some(Deferred::Encrypt(p)),
        };
    }

    /// Whether the lock screen is up.
    pub fn locked(&self) -> bool {
        self.lock.is_some()
    }

    /// The shell's part of an action before anything else: a window
    /// resize; the idle lock (the first action after the delay locks
    /// instead of running); while locked, the lock screen takes every
    /// action. None when the action goes on to the screens.
    fn lock_gate(&mut self, action: &Action) -> Option<Vec<Effect>> {
        if let Action::Resize(w, h) = action {
            self.size = (*w, *h);
            return Some(Vec::new());
        }
        if self.lock.is_none() {
            let lockable = self.protection == Some(crate::store::Protection::Encrypted);
            if lockable && self.idle.expired(self.instant) {
                tracing::info!("idle lock");
                self.lock = Some(LockScreen::idle(self.store_path()));
                return Some(vec![Effect::ForgetKey]);
            }
            if *action != Action::Tick {
                self.idle.touch(self.instant);
            }
            return None;
        }
        Some(self.lock_update(action))
    }

    /// An action while the lock screen is up.
    fn lock_update(&mut self, action: &Action) -> Vec<Effect> {
        if matches!(self.modals.last(), Some(Modal::Privacy)) {
            if *action != Action::Tick {
                self.modals.pop();
            }
            return Vec::new();
        }
        if *action == Action::Privacy {
            self.modals.push(Modal::Privacy);
            return Vec::new();
        }
        let unsaved = self.unsaved().is_some();
        let Some(lock) = self.lock.as_mut() else {
            return Vec::new();
        };
        match action {
            Action::Text(k) => {
                lock.edit(k);
            }
            Action::Paste(text) => {
                lock.paste(text);
            }
            Action::Open => {
                let submit = lock.submit();
                self.defer(submit);
            }
            Action::NextField | Action::PrevField => lock.switch_field(),
            Action::Back => lock.clear(),
            Action::LockQuit if lock.may_quit(unsaved) => self.should_quit = true,
            Action::LockQuit => {
                lock.error = Some(format!(
                    "Un formulaire n'est pas enregistré : déverrouillez pour le retrouver \
                     (quitter sera proposé après {} essais manqués).",
                    lock::OFFER_QUIT_AFTER
                ));
            }
            _ => {}
        }
        Vec::new()
    }

    /// The runtime unlocked the store.
    fn unlocked(&mut self, warning: Option<String>) -> Vec<Effect> {
        let reason = self.lock.as_ref().and_then(LockScreen::reason);
        self.lock = None;
        self.idle.touch(self.instant);
        if let Some(w) = warning {
            self.set_status(StatusLevel::Error, w);
        }
        if reason == Some(Reason::Startup) {
            self.store_opened = true;
            return self.startup_effects();
        }
        Vec::new()
    }

    /// The runtime found the passphrase wrong.
    fn unlock_refused(&mut self) {
        if let Some(lock) = self.lock.as_mut() {
            if let Refusal::Quit(message) = lock.refused() {
                self.exit_message = Some(message);
                self.should_quit = true;
            }
        }
    }

    /// Names of every known person, for the blur of the masking mode: the
    /// loaded files, the open file's tutors and prescribers' advisers.
    fn refresh_privacy(&mut self) {
        let files = self
            .benef
            .list
            .rows()
            .iter()
            .flat_map(|r| [r.last_name(), r.first_name()]);
        let others = self.benef.file.iter().flat_map(|f| {
            f.imm.data.immersions.iter().flat_map(|i| {
                std::iter::once(i.tutor.name.as_str())
                    .chain(i.prescriber.iter().map(|p| p.adviser.as_str()))
            })
        });
        let names: Vec<&str> = files.chain(others).collect();
        self.privacy.refresh(names);
    }

    /// Turns « masquer les données personnelles » on or off.
    pub fn toggle_mask(&mut self) {
        self.privacy.masked = !self.privacy.masked;
        self.refresh_privacy();
        let key = self
            .keymap
            .key_for(&Action::MaskPersonal)
            .unwrap_or_default();
        if self.privacy.masked {
            self.set_status(
                StatusLevel::Info,
                format!("Données personnelles masquées ({key} pour les afficher)"),
            );
        } else {
            self.set_status(StatusLevel::Info, "Données personnelles affichées");
        }
    }

    /// What to load before the first draw (nothing while the store is
    /// locked: the unlock asks for it).
    pub fn startup_effects(&mut self) -> Vec<Effect> {
        let mut v = Vec::new();
        // The catalogue is public: it loads behind the lock screen too.
        if !self.catalog_asked {
            self.catalog_asked = true;
            self.catalog_loading = true;
            self.metiers.searcher.reset();
            v.push(Effect::LoadCatalog);
        }
        if self.lock.is_some() {
            return v;
        }
        v.extend([Effect::LoadBeneficiaries, Effect::LoadMobilities]);
        v.extend(screen::logic(self.screen).on_show(self));
        v
    }

    pub fn set_status(&mut self, level: StatusLevel, text: impl Into<String>) {
        self.status = Some(StatusMessage {
            text: text.into(),
            level,
            at: self.now,
        });
    }

    /// The status message if it has not faded yet.
    pub fn visible_status(&self) -> Option<&StatusMessage> {
        self.status
            .as_ref()
            .filter(|s| (self.now - s.at).num_seconds() < STATUS_SECONDS)
    }

    /// The window is too small to draw the screens (see `ui::MIN_WIDTH`).
    pub fn too_small(&self) -> bool {
        self.size.0 < crate::ui::MIN_WIDTH || self.size.1 < crate::ui::MIN_HEIGHT
    }

    /// What has the keyboard focus on the shown screen.
    pub fn focus(&self) -> Focus {
        screen::logic(self.screen).focus(self)
    }

    /// Whether a text box or form field has the focus (then typed
    /// characters are text).
    pub fn text_focused(&self) -> bool {
        !matches!(self.focus(), Focus::Keys | Focus::Form(FieldKind::Choice))
    }

    /// The keymap context of what gets the next key.
    pub fn key_context(&self) -> Context {
        if self.lock.is_some() {
            return Context::Lock;
        }
        match self.modals.last() {
            Some(Modal::Confirm(_)) => Context::Confirm,
            Some(Modal::Palette(_)) => Context::Palette,
            _ => match self.focus() {
                Focus::Form(_) => Context::Form,
                _ => Context::Screen(self.screen),
            },
        }
    }

    /// The keys of the bottom bar for what has the focus (from the keymap).
    pub fn hints(&self) -> Vec<(String, &'static str)> {
        if self.lock.is_some() && !matches!(self.modals.last(), Some(Modal::Privacy)) {
            let mut v = self.keymap.hints(Context::Lock);
            if let Some(k) = self.keymap.key_in(Context::Global, &Action::Privacy) {
                v.push((k, Action::Privacy.short_label()));
            }
            return v;
        }
        match self.modals.last() {
            Some(Modal::Help { .. }) => {
                let close = self
                    .keymap
                    .key_in(Context::Global, &Action::Back)
                    .unwrap_or_default();
                vec![(close, "fermer"), ("↑↓".to_string(), "défiler")]
            }
            Some(Modal::Privacy) => Vec::new(),
            Some(Modal::Confirm(c)) => {
                let mut v = vec![];
                let mut push = |a: Action, label: &'static str| {
                    if let Some(k) = self.keymap.key_in(Context::Confirm, &a) {
                        v.push((k, label));
                    }
                };
                push(Action::Yes, c.yes_label);
                if let Some((label, _)) = &c.other {
                    push(Action::Other, label);
                }
                push(Action::No, c.no_label);
                v
            }
            Some(Modal::Palette(_)) => {
                let mut v = self.keymap.hints(Context::Palette);
                if let Some(k) = self.keymap.key_in(Context::Global, &Action::Back) {
                    v.push((k, "fermer"));
                }
                v
            }
            None => {
                // While typing, a plain character is text: show the keys
                // that still command (Entrée, Échap, F1…).
                let focus = self.focus();
                let typing = matches!(
                    focus,
                    Focus::TextBox | Focus::Form(FieldKind::Text | FieldKind::Area)
                );
                let choice = focus == Focus::Form(FieldKind::Choice);
                self.keymap
                    .active(self.key_context())
                    .into_iter()
                    .filter(|b| b.hint && (choice || b.action != Action::NextChoice))
                    .filter_map(|b| {
                        let key = b.keys.iter().find(|k| !typing || !k.is_plain_char())?;
                        Some((key.to_string(), b.short_label()))
                    })
                    .collect()
            }
        }
    }

    /// Turns a key into an action, according to what has the focus.
    pub fn key_to_action(&self, key: KeyEvent) -> Option<Action> {
        let spec = KeySpec::from_event(&key);
        if self.lock.is_some() {
            return self.lock_key(key, spec);
        }
        if self.too_small() {
            // Nothing can be seen: only quitting works (not over a changed form).
            let quit = self.keymap.lookup_in(Context::Global, &spec?) == Some(Action::Quit);
            return (quit && self.unsaved().is_none()).then_some(Action::Quit);
        }
        if let Some(top) = self.modals.last() {
            return match top {
                Modal::Privacy => Some(Action::Back),
                Modal::Confirm(_) => self.keymap.lookup_in(Context::Confirm, &spec?),
                Modal::Palette(_) => {
                    let spec = spec?;
                    if let Some(a) = self.keymap.lookup_in(Context::Palette, &spec) {
                        return Some(a);
                    }
                    if is_text_key(&key) {
                        return Some(Action::Text(key));
                    }
                    match self.keymap.lookup_in(Context::Global, &spec) {
                        Some(a @ (Action::Back | Action::Up | Action::Down)) => Some(a),
                        _ => None,
                    }
                }
                Modal::Help { .. } => match self.keymap.lookup_in(Context::Global, &spec?) {
                    Some(
                        a @ (Action::Up
                        | Action::Down
                        | Action::PageUp
                        | Action::PageDown
                        | Action::Home
                        | Action::End),
                    ) => Some(a),
                    Some(Action::Quit | Action::Help | Action::Back) => Some(Action::Back),
                    _ => None,
                },
            };
        }
        match self.focus() {
            Focus::Form(kind) => self.form_key(key, spec, kind),
            Focus::TextBox => {
                if is_text_key(&key) {
                    return Some(Action::Text(key));
                }
                let found = self.keymap.lookup(self.screen, &spec?);
                // Unbound Ctrl- keys edit the text (Ctrl-U, Ctrl-W).
                found.or_else(|| {
                    key.modifiers
                        .contains(KeyModifiers::CONTROL)
                        .then_some(Action::Text(key))
                })
            }
            Focus::Keys => self.keymap.lookup(self.screen, &spec?),
        }
    }

    /// Keys on the lock screen: its bindings (Entrée, Échap, Tab…), then
    /// the passphrase's editing keys, then the privacy curtain (F12).
    /// Nothing else: no screen, no quit key that could lose a form.
    fn lock_key(&self, key: KeyEvent, spec: Option<KeySpec>) -> Option<Action> {
        if matches!(self.modals.last(), Some(Modal::Privacy)) {
            return Some(Action::Back);
        }
        if self.too_small() {
            return None;
        }
        if let Some(a) = spec.and_then(|s| self.keymap.lookup_in(Context::Lock, &s)) {
            return Some(a);
        }
        if is_text_key(&key) || matches!(key.code, KeyCode::Home | KeyCode::End) {
            return Some(Action::Text(key));
        }
        let spec = spec?;
        match self.keymap.lookup_in(Context::Global, &spec) {
            Some(Action::Privacy) => Some(Action::Privacy),
            // Unbound Ctrl- keys edit the text (Ctrl-U, Ctrl-W).
            None if spec.ctrl => Some(Action::Text(key)),
            _ => None,
        }
    }

    /// Keys inside a form: the form's bindings (champ suivant, choix,
    /// enregistrer, retour…), except the keys the focused field edits with;
    /// then typed text; then the global keys that are not text (F1, Ctrl-P…).
    fn form_key(&self, key: KeyEvent, spec: Option<KeySpec>, kind: FieldKind) -> Option<Action> {
        let plain_char = spec.is_some_and(|s| s.is_plain_char());
        if let Some(spec) = spec {
            if let Some(a) = self.keymap.lookup_in(Context::Form, &spec) {
                let area_edit = kind == FieldKind::Area
                    && matches!(
                        spec.code,
                        KeyCodeOrd::Enter | KeyCodeOrd::Up | KeyCodeOrd::Down
                    );
                let choice_only = matches!(a, Action::NextChoice | Action::PrevChoice);
                if choice_only {
                    if kind == FieldKind::Choice {
                        return Some(a);
                    }
                } else if !area_edit {
                    return Some(a);
                }
            }
        }
        match kind {
            FieldKind::Choice => {
                // First letter of an option; arrows and space only when bound.
                let first_letter = plain_char && key.code != KeyCode::Char(' ');
                if first_letter || matches!(key.code, KeyCode::Home | KeyCode::End) {
                    return Some(Action::Text(key));
                }
            }
            FieldKind::Text | FieldKind::Area => {
                let editing = matches!(
                    key.code,
                    KeyCode::Backspace
                        | KeyCode::Delete
                        | KeyCode::Left
                        | KeyCode::Right
                        | KeyCode::Home
                        | KeyCode::End
                ) || (kind == FieldKind::Area
                    && matches!(key.code, KeyCode::Enter | KeyCode::Up | KeyCode::Down));
                if plain_char || editing {
                    return Some(Action::Text(key));
                }
            }
        }
        let spec = spec?;
        let global = self
            .keymap
            .global_in_form()
            .into_iter()
            .find(|b| b.keys.contains(&spec))
            .map(|b| b.action);
        match global {
            Some(a) => Some(a),
            // Unbound Ctrl- keys edit the text (Ctrl-U, Ctrl-W).
            None if kind != FieldKind::Choice && spec.ctrl => Some(Action::Text(key)),
            None => None,
        }
    }

    fn go_to(&mut self, screen: Screen) {
        if screen != self.screen {
            self.history.push(self.screen);
            if self.history.len() > 32 {
                self.history.remove(0);
            }
            self.screen = screen;
        }
    }

    /// An app at the fixed test instant (Saturday 28 November 2026, 9:30),
    /// with the default keys.
    #[cfg(test)]
    pub fn for_tests() -> App {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .unwrap_or_default();
        App::new(Keymap::default(), now)
    }

    /// Applies what the runtime reports: the shell keeps the undo stacks
    /// and says what an undo / redo did, then every screen reacts. Returns
    /// the effects the screens ask for next (e.g. reload the open file).
    pub fn effect_done(&mut self, mut outcome: Outcome) -> Vec<Effect> {
        match outcome {
            Outcome::Unlocked { warning } => return self.unlocked(warning),
            Outcome::UnlockRefused => {
                self.unlock_refused();
                return Vec::new();
            }
            // The unlock itself failed (the key file unreadable…): the lock
            // screen says why and takes keys again.
            Outcome::Failed { message } if self.lock.as_ref().is_some_and(|l| l.busy.is_some()) => {
                if let Some(l) = self.lock.as_mut() {
                    l.busy = None;
                    l.error = Some(message);
                }
                return Vec::new();
            }
            _ => {}
        }
        if let Outcome::CatalogLoaded(loaded) = &mut outcome {
            self.catalog_loading = false;
            if let Some(w) = loaded.warning.take() {
                self.set_status(StatusLevel::Error, w);
            }
            metiers::set_catalog(self, std::sync::Arc::clone(&loaded.catalog));
        }
        if let Outcome::BeneficiariesLoaded { beneficiaries, .. } = &mut outcome {
            // Moved into the list, not copied (tens of MB at 100 000 files).
            self.benef.list.set_all(std::mem::take(beneficiaries));
        }
        match &outcome {
            Outcome::Failed { message } => self.set_status(StatusLevel::Error, message.clone()),
            Outcome::Applied {
                change, direction, ..
            } => {
                self.undo.applied(*direction, (**change).clone());
                if let Some(text) = change.status_for(*direction) {
                    self.set_status(StatusLevel::Info, text);
                }
            }
            Outcome::BeneficiaryErased { id, .. } => self.undo.forget_beneficiary(*id),
            _ => {}
        }
        let mut effects = Vec::new();
        for s in Screen::ALL {
            effects.extend(screen::logic(s).on_outcome(self, &outcome));
        }
        if self.privacy.masked {
            self.refresh_privacy();
        }
        effects
    }

    /// The first screen holding unsaved work.
    pub fn unsaved(&self) -> Option<Screen> {
        Screen::ALL
            .into_iter()
            .find(|s| screen::logic(*s).unsaved(self))
    }

    /// Quits, after asking when a screen holds unsaved work.
    fn quit(&mut self) {
        match self.unsaved() {
            Some(owner) => self.modals.push(Modal::Confirm(
                Confirm::new(
                    owner,
                    "Quitter Passerelle sans enregistrer le formulaire en cours ?",
                    Reply::QuitDiscardingForm,
                )
                .labels("quitter sans enregistrer", "revenir"),
            )),
            None => self.should_quit = true,
        }
    }

    /// Asks to undo or redo the last change of the session (not while a
    /// form is open: it could change the record the form edits).
    pub fn undo_redo(&mut self, dir: Direction) -> Vec<Effect> {
        let blocked = Screen::ALL
            .into_iter()
            .find_map(|s| screen::logic(s).blocks_undo(self));
        if let Some(why) = blocked {
            let what = match dir {
                Direction::Redo => "Rien n'est rétabli",
                _ => "Rien n'est annulé",
            };
            self.set_status(StatusLevel::Info, format!("{what} : {why}"));
            return Vec::new();
        }
        match self.undo.peek(dir) {
            Some(c) => vec![Effect::Apply {
                change: Box::new(c.clone()),
                direction: dir,
                owner: self.screen,
            }],
            None => {
                let msg = match dir {
                    Direction::Redo => "Rien à rétablir",
                    _ => "Rien à annuler dans cette session",
                };
                self.set_status(StatusLevel::Info, msg);
                Vec::new()
            }
        }
    }

    /// Applies an action; returns the side effects to run. A status
    /// message disappears when the screen changes (unless the action that
    /// changed it also said something).
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        if let Some(effects) = self.lock_gate(&action) {
            return effects;
        }
        let (screen, status) = (self.screen, self.status.clone());
        let mut effects = self.dispatch(action);
        if self.screen != screen {
            if self.status == status {
                self.status = None;
            }
            effects.extend(screen::logic(self.screen).on_show(self));
        }
        effects
    }

    fn dispatch(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Tick => return Vec::new(),
            Action::Resize(w, h) => {
                self.size = (w, h);
                return Vec::new();
            }
            // Display only: works the same on every screen, in a form and
            // from the palette.
            Action::MaskPersonal => {
                self.toggle_mask();
                return Vec::new();
            }
            _ => {}
        }
        if !self.modals.is_empty() {
            return self.modal_update(action);
        }
        // The shown screen gets the first say.
        if let Some(effects) = screen::logic(self.screen).update(self, &action) {
            return effects;
        }
        match action {
            Action::Quit => self.quit(),
            Action::NextScreen => self.go_to(self.screen.next()),
            Action::PrevScreen => self.go_to(self.screen.prev()),
            Action::GoTo(s) | Action::ClickTab(s) => self.go_to(s),
            Action::Help => {
                let topic = self.key_context();
                self.modals.push(Modal::Help { topic, scroll: 0 })
            }
            Action::Privacy => self.modals.push(Modal::Privacy),
            Action::Palette => self.modals.push(Modal::Palette(palette::Palette {
                under: self.key_context(),
                ..Default::default()
            })),
            Action::Undo => return self.undo_redo(Direction::Undo),
            Action::Redo => return self.undo_redo(Direction::Redo),
            Action::Back => {
                if let Some(prev) = self.history.pop() {
                    self.screen = prev;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Actions while a popup is open: it takes them all.
    fn modal_update(&mut self, action: Action) -> Vec<Effect> {
        let Some(top) = self.modals.last_mut() else {
            return Vec::new();
        };
        match (top, action) {
            (Modal::Privacy, _) | (Modal::Help { .. }, Action::Back) => {
                self.modals.pop();
            }
            (Modal::Help { scroll, .. }, a) => match a {
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll += 1,
                Action::PageUp => *scroll = scroll.saturating_sub(10),
                Action::PageDown => *scroll += 10,
                Action::Home => *scroll = 0,
                Action::End => *scroll = usize::MAX / 2,
                _ => {}
            },
            (Modal::Confirm(_), a @ (Action::Yes | Action::No | Action::Other)) => {
                let Some(Modal::Confirm(c)) = self.modals.pop() else {
                    return Vec::new();
                };
                let reply = match a {
                    Action::Yes => Some(c.on_yes),
                    Action::Other => c.other.map(|(_, r)| r),
                    _ => None,
                };
                if let Some(reply) = reply {
                    return screen::logic(c.owner).confirmed(self, reply);
                }
            }
            (Modal::Confirm(_), _) => {}
            (Modal::Palette(_), Action::Back) => {
                self.modals.pop();
            }
            (Modal::Palette(p), Action::Text(k)) => {
                if p.query.handle(&k) {
                    p.selected = 0;
                }
            }
            (Modal::Palette(p), Action::Paste(text)) => {
                paste::paste_line(&mut p.query, &text);
                p.selected = 0;
            }
            (Modal::Palette(p), Action::Up) => p.selected = p.selected.saturating_sub(1),
            (Modal::Palette(p), Action::Down) => p.selected += 1,
            (Modal::Palette(p), Action::Open) => {
                let (query, selected) = (p.query.text.clone(), p.selected);
                self.modals.pop();
                let found = palette::entries(self, &query);
                if let Some(e) = found.get(selected.min(found.len().saturating_sub(1))) {
                    let e = e.clone();
                    if let Some(s) = e.screen {
                        self.go_to(s);
                    }
                    return self.update(e.action);
                }
            }
            (Modal::Palette(_), _) => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn app() -> App {
        App::for_tests()
    }

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(c, KeyModifiers::NONE, KeyEventKind::Press)
    }

    #[test]
    fn tab_cycles_screens_and_escape_goes_back() {
        let mut a = app();
        a.update(Action::NextScreen);
        assert_eq!(a.screen, Screen::Beneficiaires);
        a.update(Action::GoTo(Screen::Agenda));
        a.update(Action::NextScreen);
        assert_eq!(a.screen, Screen::Accueil);
        a.update(Action::PrevScreen);
        assert_eq!(a.screen, Screen::Agenda);
        a.update(Action::Back);
        assert_eq!(a.screen, Screen::Accueil);
        a.update(Action::Back);
        assert_eq!(a.screen, Screen::Agenda);
        assert!(!a.should_quit, "Échap never quits");
    }

    #[test]
    fn help_modal_takes_keys_before_the_screen() {
        let mut a = app();
        let act = a.key_to_action(key(KeyCode::Char('?'))).unwrap();
        a.update(act);
        assert!(matches!(a.modals.last(), Some(Modal::Help { .. })));
        // '2' would switch screens, but the modal swallows it.
        assert_eq!(a.key_to_action(key(KeyCode::Char('2'))), None);
        let down = a.key_to_action(key(KeyCode::Down)).unwrap();
        a.update(down);
        assert!(matches!(
            a.modals.last(),
            Some(Modal::Help { scroll: 1, .. })
        ));
        // q closes help instead of quitting.
        let q = a.key_to_action(key(KeyCode::Char('q'))).unwrap();
        a.update(q);
        assert!(a.modals.is_empty());
        assert!(!a.should_quit);
        let q = a.key_to_action(key(KeyCode::Char('q'))).unwrap();
        a.update(q);
        assert!(a.should_quit);
    }

    #[test]
    fn a_status_message_disappears_on_a_screen_change() {
        let mut a = app();
        a.set_status(StatusLevel::Success, "Dossier enregistré");
        a.update(Action::Down);
        assert!(a.status.is_some(), "same screen: kept");
        a.update(Action::GoTo(Screen::Metiers));
        assert!(a.status.is_none());
    }

    #[test]
    fn a_too_small_window_only_lets_quit_through() {
        let mut a = app();
        a.update(Action::GoTo(Screen::Beneficiaires));
        a.update(Action::Resize(60, 20));
        assert!(a.too_small());
        for c in ['j', 'n', '3', '?', ':'] {
            assert_eq!(a.key_to_action(key(KeyCode::Char(c))), None, "{c}");
        }
        assert_eq!(a.key_to_action(key(KeyCode::Tab)), None);
        assert_eq!(a.key_to_action(key(KeyCode::Char('q'))), Some(Action::Quit));
        // Boundary: 80×24 is enough.
        a.update(Action::Resize(80, 24));
        assert_eq!(a.key_to_action(key(KeyCode::Char('n'))), Some(Action::New));
        a.update(Action::Resize(80, 23));
        assert_eq!(a.key_to_action(key(KeyCode::Char('n'))), None);
        // Typed text does not go unseen into a form either.
        a.update(Action::Resize(100, 30));
        a.update(Action::New);
        a.update(Action::Resize(79, 30));
        assert_eq!(a.key_to_action(key(KeyCode::Char('x'))), None);
        a.update(Action::Resize(100, 30));
        assert_eq!(
            a.key_to_action(key(KeyCode::Char('x'))),
            Some(Action::Text(key(KeyCode::Char('x'))))
        );
    }

    #[test]
    fn help_in_a_form_is_about_the_form() {
        let mut a = app();
        a.update(Action::GoTo(Screen::Beneficiaires));
        a.update(Action::New);
        let f1 = a.key_to_action(key(KeyCode::F(1))).unwrap();
        a.update(f1);
        assert!(matches!(
            a.modals.last(),
            Some(Modal::Help {
                topic: Context::Form,
                ..
            })
        ));
    }

    #[test]
    fn while_typing_the_bar_shows_only_keys_that_still_command() {
        let mut a = app();
        a.update(Action::GoTo(Screen::Metiers));
        let keys = |a: &App| a.hints().into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert!(keys(&a).contains(&"q".to_string()));
        a.update(Action::Search);
        let typing = keys(&a);
        assert!(typing.iter().all(|k| k.chars().count() > 1), "{typing:?}");
        assert!(typing.contains(&"F1".to_string()) && typing.contains(&"Échap".to_string()));
    }

    #[test]
    fn status_messages_fade() {
        let mut a = app();
        a.set_status(StatusLevel::Success, "Dossier enregistré");
        assert!(a.visible_status().is_some());
        a.now += chrono::Duration::seconds(STATUS_SECONDS + 1);
        assert!(a.visible_status().is_none());
    }

    #[test]
    fn a_failed_unlock_gives_the_lock_screen_back_with_the_reason() {
        let mut a = app();
        a.lock_at_start(None);
        for c in "phrase".chars() {
            a.update(Action::Text(key(KeyCode::Char(c))));
        }
        a.update(Action::Open);
        assert!(matches!(
            a.deferred,
            Some(Deferred::Effect(Effect::Unlock { .. }))
        ));
        assert!(a.lock.as_ref().unwrap().busy.is_some());
        a.effect_done(Outcome::Failed {
            message: "fichier de clé illisible".into(),
        });
        let l = a.lock.as_ref().unwrap();
        assert_eq!(l.busy, None);
        assert_eq!(l.error.as_deref(), Some("fichier de clé illisible"));
        a.update(Action::Text(key(KeyCode::Char('x'))));
        assert_eq!(a.lock.as_ref().unwrap().input.text, "x", "keys work again");
    }

    #[test]
    fn privacy_curtain_hides_until_any_key() {
        let mut a = app();
        a.update(Action::Privacy);
        let act = a.key_to_action(key(KeyCode::Char('x'))).unwrap();
        a.update(act);
        assert!(a.modals.is_empty());
    }
}
