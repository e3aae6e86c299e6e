//! Benchmark of the file list: time per keystroke of the search (typed
//! then erased key by key), of a sort change and of a filter change, over
//! a deterministic synthetic case load of up to [`MAX_FILES`] files.

use super::list::{FileBatch, FileList};
use crate::catalog::bench::percentile;
use crate::domain::{Beneficiary, Branches, Id};
use crate::transfer::demo::{self, build_for_bench};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::io::{self, Write};
use std::time::{Duration, Instant};

/// The largest case load the bench builds.
pub const MAX_FILES: usize = 100_000;

/// Queries an advisor types in the list: names, employers, branches, jobs.
const QUERIES: &[&str] = &[
    "dupont",
    "mercier sandrine",
    "association fictive",
    "eclat",
    "alisfa",
    "animat",
    "chevalier gaelle",
    "bad",
    "le goff",
    "ndiaye",
    "a",
    "e",
];

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0).replace('.', ",")
}

/// `n` files (at most [`MAX_FILES`]): the fixed demo's files (up to its
/// cap), then copies of them (see [`extended`]), each handed to `f` as it
/// is made (the bench never holds more than the demo).
pub(crate) fn each_file(branches: &Branches, n: usize, f: impl FnMut(&Beneficiary)) {
    let base: Vec<Beneficiary> = build_for_bench(branches, n.min(demo::MAX_COUNT))
        .files
        .into_iter()
        .map(|f| f.beneficiary)
        .collect();
    extended(&base, n, f);
}

/// `base`, then copies of it under new ids with the last names shifted
/// (other name / first name / employer combinations) up to `n` files.
fn extended(base: &[Beneficiary], n: usize, mut f: impl FnMut(&Beneficiary)) {
    if base.is_empty() {
        return;
    }
    for b in base {
        f(b);
    }
    for k in base.len()..n.min(MAX_FILES) {
        let round = k / base.len();
        let mut b = base[k % base.len()].clone();
        b.last_name = base[(k + 7919 * round) % base.len()].last_name.clone();
        let mut raw = [0u8; 10];
        raw[..8].copy_from_slice(&(k as u64).to_be_bytes());
        b.id = Id::new_v7(1_795_000_000_000, raw);
        f(&b);
    }
}

/// Peak and current resident memory of this process, in MiB (Linux; None
/// elsewhere).
pub fn memory_mib() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = |key: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        let n: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(n / 1024.0)
    };
    Some((kib("VmHWM:")?, kib("VmRSS:")?))
}

/// `label : N ; médiane … ms ; p99 … ms ; max … ms`.
fn line(out: &mut impl Write, label: &str, times: &mut [Duration]) -> io::Result<()> {
    times.sort();
    writeln!(
        out,
        "{label} : {} ; médiane {} ms ; p99 {} ms ; max {} ms",
        times.len(),
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.99)),
        ms(times.last().copied().unwrap_or_default())
    )
}

/// Runs the benchmark over `n` files (at most [`MAX_FILES`]).
pub fn run_list_bench(branches: &Branches, n: usize, out: &mut impl Write) -> io::Result<()> {
    let t0 = Instant::now();
    let mut batch = FileBatch::with_capacity(n.min(MAX_FILES));
    each_file(branches, n, |b| batch.push(b));
    let count = batch.len();
    let mut list = FileList::default();
    list.set_all(batch);
    let load = t0.elapsed();

    let mut keystrokes = Vec::new();
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    let mut timed = |list: &mut FileList, edit: &dyn Fn(&mut FileList)| {
        let t = Instant::now();
        edit(list);
        list.search_changed();
        let d = t.elapsed();
        keystrokes.push(d);
        slowest.push((d, list.query.text.clone()));
    };
    for q in QUERIES {
        list.query.clear();
        list.refresh();
        for c in q.chars() {
            timed(&mut list, &|l| l.query.insert(c));
        }
        for _ in q.chars() {
            timed(&mut list, &|l| {
                l.query.handle(&KeyEvent::from(KeyCode::Backspace));
            });
        }
    }
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));

    // Sort and filter changes, without a query then with a broad one.
    let mut sorts = Vec::new();
    let mut filters = Vec::new();
    for q in ["", "a"] {
        list.query.set(q);
        list.refresh();
        for _ in 0..12 {
            let t = Instant::now();
            list.cycle_sort();
            sorts.push(t.elapsed());
            let t = Instant::now();
            list.cycle_filter();
            filters.push(t.elapsed());
        }
    }

    writeln!(out, "Liste des dossiers — recherche, tri et filtre")?;
    writeln!(
        out,
        "{count} dossiers fictifs ; chargement et pliage : {} ms",
        ms(load)
    )?;
    line(out, "Frappes (saisie et effacement)", &mut keystrokes)?;
    let worst: Vec<String> = slowest
        .iter()
        .take(4)
        .map(|(d, q)| format!("« {q} » {} ms", ms(*d)))
        .collect();
    writeln!(out, "Frappes les plus lentes : {}", worst.join(" ; "))?;
    line(out, "Changements de tri", &mut sorts)?;
    line(out, "Changements de filtre", &mut filters)?;
    if let Some((peak, now)) = memory_mib() {
        let mib = |v: f64| format!("{v:.1}").replace('.', ",");
        writeln!(
            out,
            "Mémoire du processus : pic {} Mio ; liste chargée {} Mio",
            mib(peak),
            mib(now)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_reports_every_figure() {
        let br = crate::app::metiers::builtin_catalog().branches().clone();
        let mut out = Vec::new();
        run_list_bench(&br, 200, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("200 dossiers fictifs"), "{text}");
        for part in [
            "Frappes (saisie et effacement) : ",
            "Changements de tri : 24 ;",
            "Changements de filtre : 24 ;",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
    }

    #[test]
    fn more_files_than_the_demo_are_distinct_files() {
        let br = crate::app::metiers::builtin_catalog().branches().clone();
        let base: Vec<Beneficiary> = build_for_bench(&br, 30)
            .files
            .into_iter()
            .map(|f| f.beneficiary)
            .collect();
        let mut ids = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        extended(&base, 300, |b| {
            ids.insert(b.id);
            names.insert((b.last_name.clone(), b.first_name.clone()));
        });
        assert_eq!(ids.len(), 300);
        let base_names: std::collections::HashSet<_> = base
            .iter()
            .map(|b| (b.last_name.clone(), b.first_name.clone()))
            .collect();
        assert!(names.len() > base_names.len(), "{} names", names.len());
    }
}
