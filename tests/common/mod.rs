//! Helpers for end-to-end tests that drive the real binary in tmux.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_passerelle"))
}

/// The passphrase every test process gets (`PASSERELLE_PHRASE_SECRETE`):
/// stores the CLI creates are encrypted with it, with cheap Argon2
/// parameters (`PASSERELLE_TEST_KDF_RAPIDE`, debug builds only).
pub const TEST_PASSPHRASE: &str = "phrase secrète des tests 2026";

/// The binary with an isolated data dir and config (never the real home).
pub fn command(data_dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.args(args)
        .env("PASSERELLE_DATA_DIR", data_dir)
        .env("PASSERELLE_CONFIG", "")
        .env("HOME", data_dir)
        .env("XDG_CONFIG_HOME", data_dir.join("config-home"))
        .env("PASSERELLE_PHRASE_SECRETE", TEST_PASSPHRASE)
        .env("PASSERELLE_TEST_KDF_RAPIDE", "1")
        .env_remove("PASSERELLE_NOUVELLE_PHRASE_SECRETE")
        .env_remove("PASSERELLE_TEST_PANNE_ECRITURE");
    c
}

/// Opens the store of a data directory as a test inspects it: unlocked
/// with [`TEST_PASSPHRASE`] when the CLI created it encrypted.
pub fn open_unlocked(data_dir: &Path) -> passerelle::store::Store {
    let s = passerelle::store::Store::open(&passerelle::store::Store::dir_in(data_dir))
        .expect("store opens");
    if s.is_locked() {
        s.unlock(&passerelle::store::Secret::new(TEST_PASSPHRASE))
            .expect("test passphrase");
    }
    s
}

/// Runs the CLI with an isolated data dir and config (never the real home).
pub fn cli(data_dir: &Path, args: &[&str]) -> Output {
    command(data_dir, args).output().expect("run passerelle")
}

/// Runs the CLI with extra environment variables.
pub fn cli_env(data_dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = command(data_dir, args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run passerelle")
}

pub fn out_text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err_text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the exit code of a run; returns (stdout, stderr).
pub fn expect_exit(o: &Output, code: i32, what: &str) -> (String, String) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}\nstdout:\n{}\nstderr:\n{}",
        out_text(o),
        err_text(o)
    );
    (out_text(o), err_text(o))
}

/// Runs the CLI and expects exit `code`; returns (stdout, stderr).
pub fn run_expect(data_dir: &Path, args: &[&str], code: i32) -> (String, String) {
    expect_exit(&cli(data_dir, args), code, &format!("passerelle {args:?}"))
}

/// The ids `beneficiaires liste --json` shows (exit 0 expected), sorted.
pub fn listed_ids(data_dir: &Path) -> Vec<String> {
    let (out, _) = run_expect(data_dir, &["beneficiaires", "liste", "--json"], 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON list");
    let mut ids: Vec<String> = v
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|b| b["id"].as_str().expect("an id").to_string())
        .collect();
    ids.sort();
    ids
}

/// Whether `needle` occurs in `hay` (like `grep -a`).
pub fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Every regular file under `root` (recursively) with its bytes.
pub fn tree_bytes(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut std::collections::BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if let Ok(b) = std::fs::read(&p) {
                out.insert(p, b);
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(root, &mut out);
    out
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy file");
        }
    }
}

/// Words of libraries that must never reach the advisor's screen.
pub const INTERNALS: [&str; 6] = [
    "os error",
    "backtrace",
    "Corruption",
    "sled",
    "Unsupported",
    "panicked",
];

/// Asserts that `text` shows no library internals.
pub fn assert_no_internals(text: &str) {
    for w in INTERNALS {
        assert!(!text.contains(w), "« {w} » must not be shown:\n{text}");
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the CLI, expects exit 0, returns stdout.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    exits(dir, args, 0).0
}

/// Runs the CLI, expects exit `code`, returns (stdout, stderr).
pub fn exits(dir: &Path, args: &[&str], code: i32) -> (String, String) {
    let o = cli(dir, args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "passerelle {args:?}\nstdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    (stdout(&o), stderr(&o))
}

/// Runs the CLI, expects exit `code`, returns stderr.
pub fn fails(dir: &Path, args: &[&str], code: i32) -> String {
    exits(dir, args, code).1
}

/// A tmux session running the binary; killed on drop, even on failure.
pub struct Tmux {
    pub name: String,
}

impl Tmux {
    /// Starts `passerelle ARGS` in a detached 100×30 tmux session.
    pub fn start(name: &str, data_dir: &Path, args: &[&str]) -> Tmux {
        Tmux::start_with_env(name, data_dir, &[], args)
    }

    /// Same, with extra environment variables for the binary (they win
    /// over the defaults: `PASSERELLE_PHRASE_SECRETE=""` makes the TUI
    /// ask for the passphrase).
    pub fn start_with_env(
        name: &str,
        data_dir: &Path,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Tmux {
        assert!(
            Command::new("tmux").arg("-V").output().is_ok(),
            "tmux est requis pour les tests de bout en bout (apt-get install tmux)"
        );
        let name = format!("{name}-{}", std::process::id());
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &name])
            .output();
        let extra: String = env.iter().map(|(k, v)| format!("{k}='{v}' ")).collect();
        let mut cmd = format!(
            "env -u RUST_BACKTRACE PASSERELLE_PHRASE_SECRETE='{TEST_PASSPHRASE}' PASSERELLE_TEST_KDF_RAPIDE=1 PASSERELLE_DATA_DIR='{}' PASSERELLE_CONFIG= HOME='{}' XDG_CONFIG_HOME='{}/config-home' TERM=xterm-256color LANG=C.UTF-8 {extra}'{}'",
            data_dir.display(),
            data_dir.display(),
            data_dir.display(),
            bin().display()
        );
        for a in args {
            cmd.push_str(&format!(" '{a}'"));
        }
        // Keep the pane after exit so the exit status can be read.
        let exit_file = data_dir.join("exit-status");
        let shell = format!("{cmd}; echo $? > '{}'; sleep 30", exit_file.display());
        let st = Command::new("tmux")
            .args([
                "-u",
                "new-session",
                "-d",
                "-x",
                "100",
                "-y",
                "30",
                "-s",
                &name,
                "sh",
                "-c",
                &shell,
            ])
            .status()
            .expect("start tmux");
        assert!(st.success(), "tmux new-session failed");
        Tmux { name }
    }

    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        let st = Command::new("tmux")
            .args(&args)
            .status()
            .expect("send-keys");
        assert!(st.success());
    }

    /// Types literal text.
    pub fn type_text(&self, text: &str) {
        let st = Command::new("tmux")
            .args(["send-keys", "-t", &self.name, "-l", text])
            .status()
            .expect("send-keys");
        assert!(st.success());
    }

    /// Pastes `text` as the terminal does when the application asked for
    /// bracketed paste (`paste-buffer -p`): one block, not keystrokes.
    pub fn paste(&self, text: &str) {
        use std::io::Write;
        let buffer = format!("{}-buf", self.name);
        let mut child = Command::new("tmux")
            .args(["load-buffer", "-b", &buffer, "-"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("load-buffer");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write buffer");
        assert!(child.wait().expect("load-buffer").success());
        let st = Command::new("tmux")
            .args(["paste-buffer", "-p", "-d", "-b", &buffer, "-t", &self.name])
            .status()
            .expect("paste-buffer");
        assert!(st.success());
    }

    /// Resizes the window (the application gets a resize event).
    pub fn resize(&self, w: u16, h: u16) {
        let st = Command::new("tmux")
            .args([
                "resize-window",
                "-t",
                &self.name,
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .status()
            .expect("resize-window");
        assert!(st.success());
    }

    pub fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen contains `needle` (or fails with the screen).
    pub fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.capture();
            if s.contains(needle) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("« {needle} » n'est pas apparu à l'écran :\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the screen no longer contains `needle`.
    pub fn wait_gone(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.capture();
            if !s.contains(needle) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("« {needle} » est resté à l'écran :\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .output();
    }
}

/// From the start screen: screen 2, a new file, the name and first name
/// typed; the cursor is left on the e-mail field.
pub fn tmux_new_file(t: &Tmux, last: &str, first: &str) {
    t.send(&["2"]);
    t.wait_for("Aucun dossier pour l'instant");
    t.send(&["n"]);
    t.wait_for("Nouveau dossier");
    t.type_text(last);
    t.send(&["Tab"]);
    t.type_text(first);
    t.send(&["Tab", "Tab"]);
}

/// Waits for the exit status written by the tmux wrapper.
pub fn wait_exit(data_dir: &Path) -> i32 {
    let f = data_dir.join("exit-status");
    let start = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(&f) {
            if let Ok(n) = s.trim().parse() {
                return n;
            }
        }
        if start.elapsed() > Duration::from_secs(20) {
            panic!("passerelle ne s'est pas arrêtée");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

// ---- Rendering helpers for snapshot tests (TestBackend, fixed date) ----

use chrono::{NaiveDate, NaiveDateTime};
use passerelle::app::App;
use passerelle::ui::{self, Theme};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;

/// Saturday 28 November 2026, 9:30: the fixed "now" of every snapshot.
pub fn fixed_now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 28)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("valid fixed date")
}

/// Draws the whole app into a `w`×`h` test terminal.
pub fn render(app: &App, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| ui::draw(app, &Theme::default(), f))
        .expect("draw");
    t.backend().buffer().clone()
}

/// The text of a rendered buffer, one line per row, right-trimmed.
pub fn screen_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new_with_kind(c, KeyModifiers::NONE, KeyEventKind::Press)
}

/// Sends a key the way the event loop does (keymap, then update).
pub fn press(a: &mut App, c: KeyCode) {
    if let Some(act) = a.key_to_action(key(c)) {
        a.update(act);
    }
}

/// Types text key by key; `\n` is Entrée.
pub fn type_text(a: &mut App, s: &str) {
    for c in s.chars() {
        press(
            a,
            if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            },
        );
    }
}

// ---- Records at fixed dates, shared by the tests that build them ----

use passerelle::domain::{Id, Meta};

/// A day of 2026.
pub fn day(d: u32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("valid day")
}

/// Who and when of fixture records (advisor « Camille », May 2026).
pub fn meta() -> Meta {
    Meta::new(
        chrono::DateTime::<chrono::Utc>::from_timestamp(1_790_000_000, 0).expect("valid instant"),
        "Camille",
    )
}

/// A distinct, reproducible record id.
pub fn id(n: u8) -> Id {
    Id::new_v7(1_790_000_000_000 + n as u64, [n; 10])
}
