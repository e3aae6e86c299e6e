//! Hostile input through the whole app (event loop, runtime on a
//! temporary store, 80×24 `TestBackend`): a 100 KB paste into every field
//! of the file and interview forms (one-line text, date, date and time,
//! number, money, SIRET, multi-line notes, choices), control characters,
//! right-to-left scripts and emoji. Nothing panics, every frame is drawn,
//! each field keeps at most its limit with a French message, and nothing
//! corrupt reaches the store.

mod common;

use chrono::{TimeZone, Utc};
use common::screen_text;
use passerelle::app::form::{Form, Input};
use passerelle::app::runtime::Runtime;
use passerelle::app::tui::{self, Scripted};
use passerelle::app::{Action, App, Keymap, Outcome};
use passerelle::domain::time::FixedClock;
use passerelle::domain::{Beneficiary, Id, Meta};
use passerelle::store::Store;
use passerelle::ui::Theme;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;

fn k(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new_with_kind(
        code,
        KeyModifiers::NONE,
        KeyEventKind::Press,
    ))
}

/// 100 KB of everything at once: accents, right-to-left letters and a
/// direction override, emoji with joiners, escape sequences, bells, tabs,
/// line breaks and a NUL.
fn hostile_paste() -> String {
    let unit = "Zoé بن علي שלום 👩‍⚕️ \u{202e}x\u{1b}[31m\u{7}\t\r\n\u{0}9,50 € ";
    let mut s = String::new();
    while s.len() < 100_000 {
        s.push_str(unit);
    }
    s
}

struct Session {
    term: Terminal<TestBackend>,
    app: App,
    rt: Runtime,
}

fn start(dir: &std::path::Path) -> Session {
    let store = Store::open(&Store::dir_in(dir)).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap();
    let mut rt = Runtime::new(store, Box::new(FixedClock(at)), "Camille".into());
    let mut app = App::new(Keymap::default(), rt.local_now());
    app.data_dir = dir.display().to_string();
    tui::start(&mut app, &mut rt);
    Session {
        term: Terminal::new(TestBackend::new(80, 24)).unwrap(),
        app,
        rt,
    }
}

impl Session {
    fn run(&mut self, events: Vec<Event>) -> Buffer {
        let mut script = Scripted::new(events);
        tui::run_loop(
            &mut self.term,
            &mut script,
            &mut self.app,
            &Theme::default(),
            &mut self.rt,
        )
        .expect("event loop");
        self.term.backend().buffer().clone()
    }
}

/// Every boxed line of an 80×24 frame still ends on its right border at
/// the last column (nothing pushed the layout out of shape), read from
/// the cells so that wide characters count two columns.
fn frame_intact(buf: &Buffer) {
    assert_eq!((buf.area.width, buf.area.height), (80, 24));
    let text = screen_text(buf);
    for y in 0..24 {
        let left = buf[(0, y)].symbol();
        if ["│", "┌", "└"].contains(&left) {
            let right = buf[(79, y)].symbol();
            assert!(
                ["│", "┐", "┘"].contains(&right),
                "row {y} ends with {right:?}:\n{text}"
            );
        }
        for x in 0..80 {
            let sym = buf[(x, y)].symbol();
            assert!(
                !sym.chars()
                    .any(|c| c.is_control() || passerelle::app::text::is_bidi_control(c)),
                "control or direction character drawn at ({x}, {y}):\n{text}"
            );
        }
    }
}

/// Pastes the hostile text into each field of the open form in turn
/// (`Tab` to the next); checks every field and every frame.
fn paste_into_every_field(s: &mut Session, form: fn(&App) -> &Form) {
    let paste = hostile_paste();
    let n = form(&s.app).fields.len();
    for i in 0..n {
        assert_eq!(form(&s.app).focus, i, "focus order");
        let before = form(&s.app).fields[i].clone();
        let frame = s.run(vec![Event::Paste(paste.clone())]);
        frame_intact(&frame);
        let f = &form(&s.app).fields[i];
        let value = f.value();
        match &f.input {
            Input::Choice { .. } => {
                assert_eq!(value, before.value(), "a paste changed choice {}", f.key)
            }
            input => {
                let count = value.chars().count();
                assert!(
                    count <= f.max_len,
                    "{}: {count} > {} characters",
                    f.key,
                    f.max_len
                );
                assert!(count > 0, "{}: nothing kept", f.key);
                let multiline = matches!(input, Input::Area(_));
                assert!(
                    value.chars().all(|c| {
                        (!c.is_control() || (multiline && c == '\n'))
                            && !passerelle::app::text::is_bidi_control(c)
                    }),
                    "{}: control characters kept: {value:?}",
                    f.key
                );
                let status = s.app.status.as_ref().map(|m| m.text.clone());
                assert!(
                    status
                        .as_deref()
                        .is_some_and(|t| t.contains("tronqué") && t.contains("caractères")),
                    "{}: no French message: {status:?}",
                    f.key
                );
            }
        }
        s.run(vec![k(KeyCode::Tab)]);
    }
}

/// `Ctrl-S`; the frame after it is drawn whole.
fn save_drawn_whole(s: &mut Session) {
    let frame = s.run(vec![Event::Key(KeyEvent::new_with_kind(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
        KeyEventKind::Press,
    ))]);
    frame_intact(&frame);
}

fn file_form(a: &App) -> &Form {
    &a.benef.form.as_ref().expect("a form is open").form
}

#[test]
fn a_100_kb_paste_into_every_field_is_cut_or_refused_never_saved_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = start(tmp.path());
    s.run(vec![k(KeyCode::Char('2')), k(KeyCode::Char('n'))]);
    paste_into_every_field(&mut s, file_form);

    // Saving is refused with the fields' own French reasons, on a frame
    // still drawn whole; nothing is written.
    save_drawn_whole(&mut s);
    assert!(s.app.benef.form.is_some(), "the form stays open");
    let errors: Vec<String> = file_form(&s.app)
        .fields
        .iter()
        .filter_map(|f| f.error.clone())
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("inattendu"))
            && errors.iter().any(|e| e.contains("montant invalide"))
            && errors.iter().any(|e| e.contains("date non reconnue")),
        "{errors:?}"
    );
    assert_eq!(s.rt.store.beneficiary_count().unwrap(), 0);

    // Resizing to 20×5 and back keeps the typed values.
    let kept = file_form(&s.app).value("nom");
    s.run(vec![Event::Resize(20, 5)]);
    assert!(s.app.too_small());
    s.run(vec![Event::Resize(80, 24)]);
    assert_eq!(file_form(&s.app).value("nom"), kept);
}

#[test]
fn a_100_kb_paste_into_every_interview_field_keeps_the_limits() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&Store::dir_in(tmp.path())).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    store
        .save_beneficiary(&Beneficiary::new(
            Id::generate(),
            "Dupont",
            "Léa",
            Meta::new(at, "Test"),
        ))
        .unwrap();
    drop(store);
    let mut s = start(tmp.path());
    s.run(vec![
        k(KeyCode::Char('2')),
        k(KeyCode::Enter),
        k(KeyCode::Char('i')),
    ]);
    paste_into_every_field(&mut s, file_form);
    save_drawn_whole(&mut s);
    // Whatever the date field made of it, no interview is stored with
    // more than the limits or with control characters.
    let id = s.app.benef.open_id().unwrap();
    for i in s.rt.store.interviews_of(id).unwrap() {
        for text in [&i.place, &i.topics, &i.summary, &i.decisions] {
            assert!(text.chars().all(|c| !c.is_control() || c == '\n'));
            assert!(text.chars().count() <= passerelle::app::form::MAX_AREA);
        }
    }
}

#[test]
fn right_to_left_names_and_emoji_render_without_breaking_the_layout() {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    let mut people = Vec::new();
    for (last, first) in [
        ("بن علي", "كريم"),
        ("כהן", "נועה"),
        ("Nguyễn", "Thị Hoa 🌸"),
        ("Dupont\u{202e}x", "Léa\u{7}\u{1b}[31m"),
        (
            "Zhang",
            "伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟伟",
        ),
    ] {
        people.push(Beneficiary::new(
            Id::generate(),
            last,
            first,
            Meta::new(at, "Test"),
        ));
    }
    let mut a = App::new(
        Keymap::default(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap(),
    );
    a.data_dir = "/tmp/passerelle-test".into();
    a.effect_done(Outcome::BeneficiariesLoaded {
        damaged: Vec::new(),
        beneficiaries: people,
        recent: Vec::new(),
    });
    a.update(Action::GoTo(passerelle::app::Screen::Beneficiaires));
    a.update(Action::Resize(80, 24));
    let buf = common::render(&a, 80, 24);
    frame_intact(&buf);
    let s = screen_text(&buf);
    assert!(s.contains("כהן") && s.contains("بن علي"), "{s}");
    assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "{s}");
    insta::assert_snapshot!("rtl_emoji_list_80x24", s);
    // The file header too.
    a.update(Action::Open);
    frame_intact(&common::render(&a, 80, 24));
}
