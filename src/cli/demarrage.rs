//! `passerelle bench demarrage`: how long the interface takes to show its
//! first frame, to open the store (the scripted passphrase derived) and to
//! have every file loaded, measured from outside the process.
//!
//! For each size, an encrypted store is generated in a temporary data
//! directory (the key derived with a new store's Argon2 cost), then this
//! binary is started again on it (`bench demarrage --enfant`). The child
//! runs the interface's own start ([`super::prepare_tui`] and the event
//! loop) on a `TestBackend` of 120×40 and prints a line when the first
//! frame is drawn, when the store is open and when the files are loaded;
//! the parent timestamps each line from the moment it spawned the child,
//! so the figures include process start, the catalogue, opening the store
//! and the first draw. Figures, not verdicts.

use super::{Failure, Setup};
use crate::app::tui::{run_loop, EventSource, Polled};
use crate::app::App;
use crate::store::crypto::{KdfParams, Secret};
use crate::store::{AnyRecord, Bulk, Store, Write};
use crate::transfer::bench_store::{ms, TempDir};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::io::{self, BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The marks the child prints, in the order they happen.
const MARKS: [&str; 3] = ["image", "ouverte", "dossiers"];
/// Runs per size (medians reported).
const RUNS: usize = 5;
const PASSPHRASE: &str = "phrase secrète du banc de démarrage";

/// The child's events: none (the interface waits as on a real terminal),
/// until the files are loaded; each mark printed once, flushed at once.
struct Watch {
    printed: usize,
}

impl Watch {
    fn mark(&mut self, reached: bool) {
        if reached && self.printed < MARKS.len() {
            let mut out = io::stdout().lock();
            let _ = writeln!(out, "{}", MARKS[self.printed]);
            let _ = out.flush();
            self.printed += 1;
        }
    }
}

impl EventSource for Watch {
    fn next(&mut self, timeout: Duration) -> io::Result<Polled> {
        if self.printed == MARKS.len() {
            return Ok(Polled::End);
        }
        std::thread::sleep(timeout.min(Duration::from_millis(10)));
        Ok(Polled::Timeout)
    }

    fn drawn(&mut self, app: &App) {
        // The first frame, then the store open (no lock screen), then the
        // list filled.
        self.mark(self.printed == 0);
        self.mark(self.printed == 1 && app.lock.is_none());
        self.mark(self.printed == 2 && app.benef.loaded);
    }
}

/// The child: the interface's start on a test terminal, marks on stdout.
pub fn child(setup: &Setup) -> Result<(), Failure> {
    let mut parts = super::prepare_tui(setup)?;
    let mut terminal = Terminal::new(TestBackend::new(120, 40))
        .map_err(|e| Failure::runtime(format!("banc d'essai : {e}")))?;
    let mut watch = Watch { printed: 0 };
    run_loop(
        &mut terminal,
        &mut watch,
        &mut parts.app,
        &parts.theme,
        &mut parts.runtime,
    )
    .map_err(|e| Failure::runtime(format!("banc d'essai : {e}")))?;
    // The parent reads the process's memory from this line.
    if let Some((peak, resident)) = memory_kib() {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "{MEMORY} {peak} {resident}");
        let _ = out.flush();
    }
    Ok(())
}

/// Prefix of the child's memory line: peak and current resident size, KiB.
const MEMORY: &str = "memoire";

/// This process's peak resident size and current resident size in KiB
/// (`VmHWM`, `VmRSS` of `/proc/self/status`; `None` where there is none).
fn memory_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// The memory line of the child's output, if any: (peak, resident) KiB.
fn parse_memory(line: &str) -> Option<(u64, u64)> {
    let mut words = line.strip_prefix(MEMORY)?.split_whitespace();
    let peak = words.next()?.parse().ok()?;
    let resident = words.next()?.parse().ok()?;
    Some((peak, resident))
}

/// An encrypted store of `n` generated files in `data_dir`.
fn generate(
    data_dir: &std::path::Path,
    n: usize,
    branches: &crate::domain::Branches,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let store = Store::open(&Store::dir_in(data_dir)).map_err(|e| err(&e))?;
    let stamp = chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default();
    let store = store
        .encrypt_with(&Secret::new(PASSPHRASE), KdfParams::for_new_store(), stamp)
        .map_err(|e| err(&e))?;
    let mut bulk = Bulk::new(&store, 1_000);
    let mut failed = None;
    crate::app::beneficiaires::bench::each_file(branches, n, |b| {
        if failed.is_none() {
            if let Err(e) = bulk.write(&[Write::Put(AnyRecord::from(b.clone()))], "") {
                failed = Some(e.source.to_string());
            }
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    bulk.finish().map_err(|e| err(&e.source))?;
    Ok(())
}

/// What one run of the child measured.
struct Run {
    /// The time of each mark from spawn.
    times: Vec<Duration>,
    /// Peak and final resident memory, KiB, when the system tells.
    memory: Option<(u64, u64)>,
}

/// One run of the child on `data_dir`.
fn one_run(data_dir: &std::path::Path) -> Result<Run, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let config = data_dir.join("config-banc.toml");
    std::fs::write(&config, "").map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let mut child = Command::new(exe)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--config")
        .arg(&config)
        .args(["bench", "demarrage", "--enfant"])
        .env("PASSERELLE_PHRASE_SECRETE", PASSPHRASE)
        .env_remove("PASSERELLE_TEST_KDF_RAPIDE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    let mut memory = None;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if MARKS.get(times.len()) == Some(&line.as_str()) {
                times.push(t0.elapsed());
            } else if let Some(m) = parse_memory(&line) {
                memory = Some(m);
            }
        }
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if times.len() != MARKS.len() {
        return Err(format!(
            "le démarrage mesuré s'est arrêté ({} étape(s) sur {}) : {}",
            times.len(),
            MARKS.len(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(Run { times, memory })
}

/// KiB as decimal megabytes, one decimal, French comma.
fn mb(kib: u64) -> String {
    format!("{:.1}", kib as f64 * 1024.0 / 1e6).replace('.', ",")
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// The parent: generates each store, runs the child [`RUNS`] times on it,
/// prints the medians.
pub fn run(
    sizes: &[usize],
    branches: &crate::domain::Branches,
    out: &mut impl io::Write,
) -> Result<(), String> {
    let err = |e: io::Error| e.to_string();
    writeln!(
        out,
        "Démarrage de l'interface (base chiffrée, phrase secrète fournie par l'environnement, terminal de test 120×40)"
    )
    .map_err(err)?;
    writeln!(
        out,
        "médianes de {RUNS} lancements, depuis le lancement du processus : première image ; base ouverte (Argon2id) ; dossiers chargés"
    )
    .map_err(err)?;
    for &n in sizes {
        let tmp = TempDir::new().map_err(err)?;
        generate(&tmp.0, n, branches)?;
        let mut marks: Vec<Vec<Duration>> = vec![Vec::new(); MARKS.len()];
        let mut peaks = Vec::new();
        let mut residents = Vec::new();
        for _ in 0..RUNS {
            let run = one_run(&tmp.0)?;
            for (i, t) in run.times.into_iter().enumerate() {
                marks[i].push(t);
            }
            if let Some((peak, resident)) = run.memory {
                peaks.push(peak);
                residents.push(resident);
            }
        }
        let [image, open, files] = [0, 1, 2].map(|i| median(&mut marks[i]));
        writeln!(
            out,
            "{n} dossiers : première image {} ms ; base ouverte {} ms ; dossiers chargés {} ms (chargement seul {} ms)",
            ms(image),
            ms(open),
            ms(files),
            ms(files.saturating_sub(open))
        )
        .map_err(err)?;
        if !peaks.is_empty() {
            peaks.sort_unstable();
            residents.sort_unstable();
            writeln!(
                out,
                "    mémoire : pic {} Mo (dérivation Argon2id de {} Mio comprise), résidente une fois les dossiers chargés {} Mo",
                mb(peaks[peaks.len() / 2]),
                KdfParams::for_new_store().m_cost / 1024,
                mb(residents[residents.len() / 2])
            )
            .map_err(err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_line_reads_back() {
        assert_eq!(parse_memory("memoire 91234 45678"), Some((91_234, 45_678)));
        assert_eq!(parse_memory("memoire 12"), None);
        assert_eq!(parse_memory("memoire x 3"), None);
        assert_eq!(parse_memory("dossiers"), None);
        assert_eq!(mb(48_828), "50,0");
    }

    #[test]
    fn this_process_memory_is_read_where_the_system_tells() {
        if !std::path::Path::new("/proc/self/status").exists() {
            assert_eq!(memory_kib(), None);
            return;
        }
        let (peak, resident) = memory_kib().expect("VmHWM and VmRSS");
        assert!(resident > 0 && peak >= resident, "{peak} {resident}");
    }
}
