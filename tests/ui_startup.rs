//! Start-up without waiting for the files (issue 12): the real terminal's
//! runtime loads every file on a thread while the loop draws and reads
//! keys; a write waits for that load, and the app hears the load first, so
//! a file saved during the start is never hidden by a list read before it.

mod common;

use chrono::{TimeZone, Utc};
use common::{press, render, screen_text, type_text};
use passerelle::app::runtime::Runtime;
use passerelle::app::tui::{self, drive, run_loop, EventSource, Polled};
use passerelle::app::undo::{Change, Direction};
use passerelle::app::{Action, App, Effect, Keymap, Screen};
use passerelle::catalog::Catalog;
use passerelle::domain::time::FixedClock;
use passerelle::domain::Appellation;
use passerelle::domain::{Beneficiary, Id, Meta};
use passerelle::store::{AnyRecord, Store, Write};
use passerelle::ui::Theme;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::Terminal;
use std::sync::Arc;
use std::time::Duration;

fn file(n: u32, last: &str) -> Beneficiary {
    let now = Utc.timestamp_opt(1_793_000_000 + i64::from(n), 0).unwrap();
    let mut raw = [0u8; 10];
    raw[6..].copy_from_slice(&n.to_be_bytes());
    Beneficiary::new(
        Id::new_v7(1_795_000_000_000 + u64::from(n), raw),
        last,
        "Alex",
        Meta::new(now, "test"),
    )
}

/// A store of `n` files and a runtime that loads in the background.
fn runtime(dir: &std::path::Path, n: u32) -> Runtime {
    let store = Store::open(&dir.join("base")).unwrap();
    for i in 0..n {
        store
            .apply(&[Write::Put(AnyRecord::from(file(i, &format!("Fichier{i}"))))])
            .unwrap();
    }
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap();
    let mut rt = Runtime::new(store, Box::new(FixedClock(at)), "Camille Conseil".into());
    rt.background = true;
    rt
}

/// Waits (as a terminal with no key pressed) until `done` holds for the
/// app, then ends the loop; counts the frames drawn before that.
struct Until {
    done: fn(&App) -> bool,
    frames_before: usize,
    reached: bool,
    waits: usize,
}

impl Until {
    fn new(done: fn(&App) -> bool) -> Until {
        Until {
            done,
            frames_before: 0,
            reached: false,
            waits: 0,
        }
    }
}

impl EventSource for Until {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Polled> {
        if self.reached || self.waits > 3_000 {
            return Ok(Polled::End);
        }
        self.waits += 1;
        std::thread::sleep(timeout.min(Duration::from_millis(5)));
        Ok(Polled::Timeout)
    }
    fn drawn(&mut self, app: &App) {
        if (self.done)(app) {
            self.reached = true;
        } else {
            self.frames_before += 1;
        }
    }
}

#[test]
fn the_loop_draws_then_the_list_fills_in_from_the_background_load() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rt = runtime(tmp.path(), 40);
    let mut app = App::new(Keymap::default(), rt.local_now());
    tui::start(&mut app, &mut rt);
    // The load was handed to a thread: `start` returned without the files.
    assert!(!app.benef.loaded);
    let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut events = Until::new(|app| app.benef.loaded);
    run_loop(&mut term, &mut events, &mut app, &Theme::default(), &mut rt).unwrap();
    assert!(events.reached, "the files never arrived");
    assert!(!rt.busy());
    assert_eq!(app.benef.list.len(), 40);
    app.update(Action::GoTo(Screen::Beneficiaires));
    let text = screen_text(&render(&app, 100, 30));
    assert!(text.contains("FICHIER0"), "{text}");
    assert!(!text.contains("Chargement des dossiers"), "{text}");
}

#[test]
fn while_loading_the_list_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let rt = runtime(tmp.path(), 0);
    let mut app = App::new(Keymap::default(), rt.local_now());
    // No load has reported yet (the thread's outcome not collected).
    app.update(Action::GoTo(Screen::Beneficiaires));
    let text = screen_text(&render(&app, 100, 30));
    assert!(text.contains("Chargement des dossiers…"), "{text}");
    assert!(!text.contains("Aucun dossier"), "{text}");
}

#[test]
fn a_save_during_the_load_waits_for_it_and_is_heard_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rt = runtime(tmp.path(), 300);
    let mut app = App::new(Keymap::default(), rt.local_now());
    tui::start(&mut app, &mut rt);
    // A new file saved at once, before the loop collected the load.
    let new = file(999, "Nouveau");
    let effect = Effect::Apply {
        change: Box::new(Change::one(
            "création du dossier",
            "création",
            None,
            Some(AnyRecord::from(new.clone())),
        )),
        direction: Direction::Do,
        owner: Screen::Beneficiaires,
    };
    assert!(!effect.reads_only());
    drive(&mut app, &mut rt, vec![effect]);
    // The load ended before the write, and the app heard it first: the
    // list holds the 300 files and the new one.
    assert!(!rt.busy());
    assert!(app.benef.loaded);
    assert_eq!(app.benef.list.len(), 301);
    assert!(app.benef.list.get(new.id).is_some());
    assert!(rt.store.beneficiary(new.id).unwrap().is_some());
    // A read does not wait: loading again runs beside the loop.
    assert!(Effect::LoadBeneficiaries.reads_only());
    drive(&mut app, &mut rt, vec![Effect::LoadBeneficiaries]);
    let outcomes = rt.finished(true);
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    // Exit: the store comes back whole once the runtime is done.
    let store = rt.into_store().unwrap();
    assert_eq!(store.beneficiary_count().unwrap(), 301);
}

/// A small imported referential: the shipped fiches, three appellations.
fn imported() -> Arc<Catalog> {
    let builtin = passerelle::app::metiers::builtin_catalog();
    let mut r = builtin.referentiel();
    r.version = "ROME essai".into();
    r.appellations.truncate(2);
    r.appellations.push(Appellation {
        ogr: 999_001,
        rome: "K1202".into(),
        label: "Zythologue de quartier".into(),
        short_label: "Zythologue de quartier".into(),
        branches: Vec::new(),
    });
    Arc::new(Catalog::from_referentiel(r, &builtin))
}

/// An imported referential that takes a while to read.
fn slow_referential(_: &Store) -> Result<Arc<Catalog>, String> {
    std::thread::sleep(Duration::from_millis(150));
    Ok(imported())
}

fn unreadable_referential(_: &Store) -> Result<Arc<Catalog>, String> {
    Err("illisible".into())
}

fn panicking_referential(_: &Store) -> Result<Arc<Catalog>, String> {
    panic!("lecture du référentiel")
}

#[test]
fn the_imported_referential_loads_behind_the_first_frame_and_searches_what_was_typed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rt = runtime(tmp.path(), 0);
    rt.catalog_source = slow_referential;
    let mut app = App::new(Keymap::default(), rt.local_now());
    tui::start(&mut app, &mut rt);
    assert!(
        app.catalog_loading,
        "start did not wait for the referential"
    );
    app.update(Action::GoTo(Screen::Metiers));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "zytho");
    let text = screen_text(&render(&app, 100, 30));
    assert!(
        text.contains("Chargement du catalogue des métiers…"),
        "{text}"
    );
    assert!(!text.contains("Aucun métier"), "{text}");
    assert_eq!(
        app.metiers.searcher.total(),
        0,
        "no search before it arrives"
    );

    let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut events = Until::new(|app| !app.catalog_loading);
    run_loop(&mut term, &mut events, &mut app, &Theme::default(), &mut rt).unwrap();
    assert!(!app.catalog_loading, "the referential never arrived");
    assert!(
        events.frames_before >= 1,
        "frames were drawn while it loaded"
    );
    assert_eq!(app.catalog.info().version, "ROME essai");
    assert_eq!(app.metiers.query.text, "zytho");
    let text = screen_text(&render(&app, 100, 30));
    assert!(text.contains("Zythologue de quartier"), "{text}");
    assert!(!text.contains("Chargement du catalogue"), "{text}");
}

#[test]
fn an_unreadable_referential_leaves_the_shipped_catalogue_and_says_so() {
    for (source, says) in [
        (
            unreadable_referential as passerelle::app::runtime::CatalogSource,
            "Référentiel importé illisible (illisible)",
        ),
        (
            panicking_referential,
            "Le chargement du référentiel importé a échoué",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let mut rt = runtime(tmp.path(), 0);
        rt.catalog_source = source;
        let mut app = App::new(Keymap::default(), rt.local_now());
        tui::start(&mut app, &mut rt);
        for outcome in rt.finished(true) {
            let effects = app.effect_done(outcome);
            drive(&mut app, &mut rt, effects);
        }
        assert!(!app.catalog_loading);
        assert!(Arc::ptr_eq(
            &app.catalog,
            &passerelle::app::metiers::builtin_catalog()
        ));
        let status = app
            .visible_status()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        assert!(status.contains(says), "{status}");
        assert!(status.contains("catalogue intégré"), "{status}");
        app.update(Action::GoTo(Screen::Metiers));
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "educ");
        assert!(app.metiers.searcher.total() > 0, "the shipped one searches");
    }
}

#[test]
fn the_catalogue_loads_behind_the_lock_screen_too() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rt = runtime(tmp.path(), 0);
    rt.background = false;
    rt.catalog_source = slow_referential;
    let mut app = App::new(Keymap::default(), rt.local_now());
    app.lock_at_start(None);
    let effects = app.startup_effects();
    assert_eq!(
        effects,
        vec![Effect::LoadCatalog],
        "only the public catalogue"
    );
    assert!(Effect::LoadCatalog.runs_locked() && Effect::LoadCatalog.reads_only());
    drive(&mut app, &mut rt, effects);
    assert_eq!(app.catalog.info().version, "ROME essai");
    // Asked once: the start after the unlock does not read it again.
    app.lock = None;
    assert!(!app.startup_effects().contains(&Effect::LoadCatalog));
}
