//! The lock screen, the idle lock and the first passphrase, in process:
//! the whole app (keymap → update → runtime on a temporary store → draw on
//! `TestBackend`) driven through the real event loop, with a clock the
//! test moves (no sleeping). Plus the snapshots of the lock, setup and
//! demo screens.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{screen_text, tree_bytes, TEST_PASSPHRASE};
use passerelle::app::runtime::Runtime;
use passerelle::app::tui::{self, LoopEnd, Scripted};
use passerelle::app::{Action, App, Effect, Keymap, Outcome};
use passerelle::domain::time::ManualClock;
use passerelle::domain::{Beneficiary, Id, Meta};
use passerelle::store::audit::AuditAction;
use passerelle::store::crypto::KdfParams;
use passerelle::store::{Protection, Secret, Store};
use passerelle::ui::Theme;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use std::path::Path;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap()
}

fn person(last: &str, first: &str) -> Beneficiary {
    Beneficiary::new(Id::generate(), last, first, Meta::new(t0(), "Test"))
}

/// A store in `data` holding `people`, encrypted under the test
/// passphrase (cheap Argon2); closed when this returns.
fn encrypted_store(data: &Path, people: &[&Beneficiary]) {
    let s = clear_store(data, people);
    let s = s
        .encrypt_with(
            &Secret::new(TEST_PASSPHRASE),
            KdfParams::FAST_FOR_TESTS,
            t0().naive_utc(),
        )
        .unwrap();
    s.flush().unwrap();
}

fn clear_store(data: &Path, people: &[&Beneficiary]) -> Store {
    let s = Store::open(&Store::dir_in(data)).unwrap();
    for b in people {
        s.save_beneficiary(b).unwrap();
    }
    s
}

// ----- key scripts ---------------------------------------------------------

fn ev(code: KeyCode, m: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new_with_kind(code, m, KeyEventKind::Press))
}
fn k(code: KeyCode) -> Event {
    ev(code, KeyModifiers::NONE)
}
fn ctrl(c: char) -> Event {
    ev(KeyCode::Char(c), KeyModifiers::CONTROL)
}
fn typed(s: &str) -> Vec<Event> {
    s.chars().map(|c| k(KeyCode::Char(c))).collect()
}
/// A passphrase typed then `Entrée`.
fn phrase(s: &str) -> Vec<Event> {
    let mut v = typed(s);
    v.push(k(KeyCode::Enter));
    v
}

/// The app on the store of `data`, as `passerelle` starts it (lock screen
/// for an encrypted store, first passphrase for a clear one), with an
/// idle lock after 5 minutes and a clock the test moves.
struct Session {
    term: Terminal<TestBackend>,
    app: App,
    rt: Option<Runtime>,
    clock: ManualClock,
}

fn start(data: &Path) -> Session {
    let store = Store::open(&Store::dir_in(data)).unwrap();
    let protection = store.protection().unwrap();
    let files = store.beneficiary_count().unwrap();
    let clock = ManualClock::new(t0());
    let mut rt = Runtime::new(store, Box::new(clock.clone()), "Camille Conseil".into());
    rt.kdf = KdfParams::FAST_FOR_TESTS;
    let mut app = App::new(Keymap::default(), rt.local_now());
    app.set_time(t0());
    app.data_dir = data.display().to_string();
    app.protection = Some(protection);
    app.set_idle_limit(Some(Duration::minutes(5)));
    match protection {
        Protection::Encrypted => app.lock_at_start(None),
        Protection::Clear => app.setup_at_start(files),
        Protection::Demo => {}
    }
    tui::start(&mut app, &mut rt);
    Session {
        term: Terminal::new(TestBackend::new(100, 30)).unwrap(),
        app,
        rt: Some(rt),
        clock,
    }
}

impl Session {
    fn rt(&self) -> &Runtime {
        self.rt.as_ref().unwrap()
    }
    fn store(&self) -> &Store {
        &self.rt().store
    }
    /// Runs the events through the event loop; how it ended and the last
    /// frame.
    fn run(&mut self, events: Vec<Event>) -> (LoopEnd, String) {
        self.run_script(Scripted::new(events))
    }
    /// A wait without input: one tick of the loop.
    fn tick(&mut self) -> String {
        self.run_script(Scripted::new([]).then_tick()).1
    }
    fn run_script(&mut self, mut script: Scripted) -> (LoopEnd, String) {
        let end = tui::run_loop(
            &mut self.term,
            &mut script,
            &mut self.app,
            &Theme::default(),
            self.rt.as_mut().unwrap(),
        )
        .expect("event loop");
        (end, screen_text(self.term.backend().buffer()))
    }
}

fn shows(frame: &str, parts: &[&str]) {
    for p in parts {
        assert!(frame.contains(p), "« {p} » absent de l'écran :\n{frame}");
    }
}

fn audit_of_kind(store: &Store, action: AuditAction) -> Vec<String> {
    store
        .audit_between(t0() - Duration::days(1), t0() + Duration::days(1))
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.detail)
        .collect()
}

// ----- scenarios -----------------------------------------------------------

#[test]
fn the_idle_lock_drops_the_key_keeps_the_form_and_saves_after_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    encrypted_store(tmp.path(), &[]);
    let mut s = start(tmp.path());
    assert!(s.store().is_locked());
    let f = s.tick();
    shows(&f, &["La base est chiffrée", "Phrase secrète"]);

    let (_, f) = s.run(phrase(TEST_PASSPHRASE));
    assert!(!s.app.locked() && !s.store().is_locked(), "{f}");

    // A new file, typed but not saved.
    let mut ev = typed("2n");
    ev.extend(typed("Dupont"));
    ev.push(k(KeyCode::Tab));
    ev.extend(typed("Léa"));
    let (_, f) = s.run(ev);
    shows(&f, &["Dupont", "Léa"]);

    // Boundary: 4 min 59 s without a key does not lock; 5 min does.
    s.clock.advance(Duration::seconds(299));
    let f = s.tick();
    assert!(!s.app.locked(), "locked too early:\n{f}");
    s.clock.advance(Duration::seconds(1));
    let f = s.tick();
    assert!(s.app.locked(), "not locked after 5 min:\n{f}");
    assert!(s.store().is_locked(), "the key is still in memory");
    shows(&f, &["Aucune touche depuis 5 minutes", "Phrase secrète"]);
    assert!(!f.contains("Dupont") && !f.contains("Léa"), "{f}");

    // While locked, the runtime refuses anything that touches the store.
    let out = s.rt.as_mut().unwrap().run(Effect::LoadBeneficiaries);
    assert!(matches!(out, Some(Outcome::Failed { .. })), "{out:?}");

    // A wrong passphrase: said, counted; the characters are never shown.
    let (_, f) = s.run(phrase("mauvaise phrase"));
    shows(&f, &["Phrase secrète incorrecte (1 échec)."]);
    assert!(!f.contains("mauvaise"), "{f}");
    assert!(s.store().is_locked());

    // The right one: the form comes back as it was, then saves.
    let (_, f) = s.run(phrase(TEST_PASSPHRASE));
    assert!(!s.app.locked() && !s.store().is_locked(), "{f}");
    shows(&f, &["Dupont", "Léa"]);
    let mut ev = vec![k(KeyCode::Tab), k(KeyCode::Tab)];
    ev.extend(typed("lea.dupont@exemple.fr"));
    ev.extend([
        k(KeyCode::PageUp),
        k(KeyCode::PageUp),
        k(KeyCode::Char(' ')),
        ctrl('s'),
    ]);
    let (_, f) = s.run(ev);
    shows(&f, &["✓ Dossier enregistré", "DUPONT Léa"]);
    let saved: Vec<String> = s
        .store()
        .beneficiaries()
        .unwrap()
        .records
        .into_iter()
        .map(|b| b.last_name)
        .collect();
    assert_eq!(saved, ["Dupont"]);
    // The failure before the unlock is in the audit log, by the advisor.
    assert_eq!(
        audit_of_kind(s.store(), AuditAction::UnlockFailures),
        ["1 échec avant déverrouillage"]
    );
}

#[test]
fn three_wrong_passphrases_at_startup_stop_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let lea = person("Dupont", "Léa");
    encrypted_store(tmp.path(), &[&lea]);
    let before = tree_bytes(&Store::dir_in(tmp.path()));

    let mut s = start(tmp.path());
    let mut ev = phrase("mauvaise un");
    ev.extend(phrase("mauvaise deux"));
    let (end, f) = s.run(ev);
    assert_eq!(end, LoopEnd::EventsEnd);
    shows(&f, &["encore 1 essai avant l'arrêt"]);
    let (end, _) = s.run(phrase("mauvaise trois"));
    assert_eq!(end, LoopEnd::Quit);
    let msg = s.app.exit_message.clone().expect("a message for stderr");
    assert!(msg.contains("rien n'a été modifié"), "{msg}");
    assert!(!s.app.store_opened);
    drop(s);

    assert_eq!(
        before,
        tree_bytes(&Store::dir_in(tmp.path())),
        "the store files changed"
    );
    let store = Store::open(&Store::dir_in(tmp.path())).unwrap();
    store.unlock(&Secret::new(TEST_PASSPHRASE)).unwrap();
    assert!(audit_of_kind(&store, AuditAction::UnlockFailures).is_empty());
}

#[test]
fn an_unlock_after_failures_at_startup_is_audited_and_loads_the_screens() {
    let tmp = tempfile::tempdir().unwrap();
    let lea = person("Dupont", "Léa");
    encrypted_store(tmp.path(), &[&lea]);
    let mut s = start(tmp.path());
    let mut ev = phrase("mauvaise un");
    ev.extend(phrase("mauvaise deux"));
    ev.extend(phrase(TEST_PASSPHRASE));
    ev.push(k(KeyCode::Char('2')));
    let (_, f) = s.run(ev);
    assert!(s.app.store_opened);
    shows(&f, &["DUPONT", "Léa"]);
    assert_eq!(
        audit_of_kind(s.store(), AuditAction::UnlockFailures),
        ["2 échecs avant déverrouillage"]
    );
    let e = s
        .store()
        .audit_between(t0(), t0())
        .unwrap()
        .pop()
        .expect("the event, at the injected time");
    assert_eq!(e.advisor, "Camille Conseil");
}

#[test]
fn a_wrong_scripted_passphrase_stops_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    encrypted_store(tmp.path(), &[]);
    let mut s = start(tmp.path());
    s.app.lock = None;
    s.app.lock_at_start(Some(Secret::new("pas la bonne")));
    let (end, _) = s.run(vec![]);
    assert_eq!(end, LoopEnd::Quit);
    assert!(s.app.exit_message.is_some());
    assert!(s.store().is_locked());
}

#[test]
fn the_first_start_chooses_the_passphrase_then_encrypts_with_a_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let lea = person("Dupont", "Léa");
    drop(clear_store(tmp.path(), &[&lea]));
    let mut s = start(tmp.path());
    let f = s.tick();
    shows(&f, &["n'est pas encore chiffrée", "1 dossier"]);

    // Too weak: the French reason, the confirmation is not asked yet.
    let (_, f) = s.run(phrase("court"));
    shows(&f, &["Phrase secrète trop courte"]);
    assert!(!f.contains("court\u{20}"), "{f}");
    // Strong, then a different confirmation, then the same.
    let mut ev = vec![k(KeyCode::Esc)];
    ev.extend(phrase("le chat dort sur 3 coussins"));
    ev.extend(phrase("le chat dort sur 3 coussinx"));
    let (end, f) = s.run(ev);
    assert_eq!(end, LoopEnd::EventsEnd);
    shows(&f, &["diffèrent"]);
    let (end, f) = s.run(phrase("le chat dort sur 3 coussins"));
    shows(&f, &["Chiffrement de la base…"]);
    let LoopEnd::Encrypt(p) = end else {
        panic!("{end:?}")
    };
    let rt = s.rt.take().unwrap();
    s.rt = Some(tui::encrypt(&mut s.app, rt, p).expect("encrypted"));
    assert_eq!(s.store().protection().unwrap(), Protection::Encrypted);
    assert!(s.app.store_opened && !s.app.locked());
    let f = s.tick();
    shows(&f, &["Base chiffrée"]);
    let (_, f) = s.run(typed("2"));
    shows(&f, &["DUPONT"]);
    assert_eq!(
        audit_of_kind(s.store(), AuditAction::Encryption),
        ["base existante chiffrée (1 dossier), sauvegarde préalable"]
    );
    let backups = std::fs::read_dir(tmp.path().join("sauvegardes"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(backups > 0, "no backup before the encryption");
    drop(s);
    // The new passphrase opens it; the passphrase is written nowhere.
    let store = Store::open(&Store::dir_in(tmp.path())).unwrap();
    assert!(store.is_locked());
    store
        .unlock(&Secret::new("le chat dort sur 3 coussins"))
        .unwrap();
    drop(store);
    for (path, bytes) in tree_bytes(tmp.path()) {
        assert!(
            !common::contains_bytes(&bytes, b"coussins"),
            "passphrase in {path:?}"
        );
    }
}

#[test]
fn a_demo_store_opens_as_is_and_never_idle_locks() {
    let tmp = tempfile::tempdir().unwrap();
    let s = Store::open(&Store::dir_in(tmp.path())).unwrap();
    s.mark_demo().unwrap();
    drop(s);
    let mut s = start(tmp.path());
    assert!(!s.app.locked());
    s.clock.advance(Duration::hours(2));
    let f = s.tick();
    assert!(!s.app.locked(), "{f}");
    shows(&f, &["démo — non chiffrée"]);
}

#[test]
fn exports_from_the_tui_are_audited_without_personal_data() {
    let tmp = tempfile::tempdir().unwrap();
    let lea = person("Zylberstein", "Léa");
    encrypted_store(tmp.path(), &[&lea]);
    let mut s = start(tmp.path());
    s.run(phrase(TEST_PASSPHRASE));
    let out = s.rt.as_mut().unwrap().run(Effect::WriteSynthesis {
        beneficiary: lea.id,
        format: passerelle::transfer::document::Format::Html,
    });
    let Some(Outcome::DocumentWritten { path, .. }) = out else {
        panic!("{out:?}")
    };
    let audit = s.store().audit_of(lea.id).unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, AuditAction::Export);
    assert_eq!(audit[0].detail, "synthèse du parcours (HTML)");
    assert_eq!(audit[0].advisor, "Camille Conseil");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{path:?}");
    }
}

// ----- snapshots -----------------------------------------------------------

fn lone_app() -> App {
    let mut a = App::new(Keymap::default(), t0().naive_utc());
    a.set_time(t0());
    a.data_dir = "/home/camille/passerelle".into();
    a
}

fn render(a: &mut App, w: u16, h: u16) -> String {
    a.update(Action::Resize(w, h));
    screen_text(&common::render(a, w, h))
}

#[test]
fn lock_screen_snapshots() {
    let mut a = lone_app();
    a.lock_at_start(None);
    for c in "secret".chars() {
        a.update(Action::Text(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    let s = render(&mut a, 80, 24);
    shows(
        &s,
        &["La base est chiffrée", "••••••", "/home/camille/passerelle"],
    );
    assert!(!s.contains("secret"), "{s}");
    insta::assert_snapshot!("lock_startup_80x24", s);
    // Validating shows « Déverrouillage… » on the frame before the work.
    a.update(Action::Open);
    let s = render(&mut a, 80, 24);
    shows(&s, &["Déverrouillage…"]);
    assert!(a.deferred.is_some());

    let mut a = lone_app();
    a.set_idle_limit(Some(Duration::minutes(5)));
    a.lock = Some(passerelle::app::lock::LockScreen::idle(
        "/home/camille/passerelle/base",
    ));
    let s = render(&mut a, 120, 40);
    shows(&s, &["Aucune touche depuis 5 minutes"]);
    insta::assert_snapshot!("lock_idle_120x40", s);

    // A tiny window: drawn without a panic, still no typed character.
    a.lock.as_mut().unwrap().paste("secret");
    for (w, h) in [(20, 5), (1, 1)] {
        let s = render(&mut a, w, h);
        assert!(!s.contains("secret"), "{s}");
    }
}

#[test]
fn setup_screen_snapshot() {
    let mut a = lone_app();
    a.setup_at_start(3);
    let s = render(&mut a, 80, 24);
    shows(&s, &["3 dossiers", "12 caractères"]);
    insta::assert_snapshot!("setup_80x24", s);
}

#[test]
fn demo_header_is_visible_at_80_columns() {
    let mut a = lone_app();
    a.protection = Some(Protection::Demo);
    let s = render(&mut a, 80, 24);
    let header = s.lines().next().unwrap();
    assert!(header.contains("non chiffrée"), "{header}");
    insta::assert_snapshot!("demo_header_80x24", s);
}

#[test]
fn the_privacy_curtain_works_on_the_lock_screen_and_keys_reach_nothing_else() {
    let mut a = lone_app();
    a.lock_at_start(None);
    let f12 = KeyEvent::new(KeyCode::F(12), KeyModifiers::NONE);
    let act = a
        .key_to_action(f12)
        .expect("F12 is bound on the lock screen");
    a.update(act);
    let s = render(&mut a, 80, 24);
    shows(&s, &["Écran masqué"]);
    assert!(!s.contains("Base verrouillée"), "{s}");
    // Any key lifts the curtain without typing into the passphrase.
    let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
    if let Some(act) = a.key_to_action(x) {
        a.update(act);
    }
    let s = render(&mut a, 80, 24);
    shows(&s, &["Base verrouillée"]);
    assert!(a.lock.as_ref().unwrap().input.text.is_empty());
    // Screen keys (2: Bénéficiaires, q: quit) are passphrase text here.
    for c in ['2', 'q'] {
        let act = a.key_to_action(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        assert!(matches!(act, Some(Action::Text(_))), "{c}: {act:?}");
        a.update(act.unwrap());
    }
    assert!(!a.should_quit);
    assert_eq!(a.lock.as_ref().unwrap().input.text, "2q");
}
