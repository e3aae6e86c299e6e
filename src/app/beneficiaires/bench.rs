//! Benchmark of the file list: time per keystroke of the fuzzy search and
//! time of a sort change, over a deterministic synthetic case load.

use super::list::FileList;
use crate::catalog::bench::percentile;
use crate::domain::Branches;
use crate::transfer::demo::{build, DemoOptions};
use crate::transfer::SequentialIds;
use chrono::{DateTime, NaiveDate};
use std::io::{self, Write};
use std::time::{Duration, Instant};

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
];

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0).replace('.', ",")
}

/// Runs the benchmark over `n` files (at most 10 000, the demo's cap).
pub fn run_list_bench(branches: &Branches, n: usize, out: &mut impl Write) -> io::Result<()> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
    let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default();
    let opts = DemoOptions {
        jobs: &[],
        count: n,
        force: true,
        branches,
        today,
        now,
        advisor: "bench",
    };
    let files: Vec<_> = build(&opts, &mut SequentialIds::default())
        .files
        .into_iter()
        .map(|f| f.beneficiary)
        .collect();
    let count = files.len();
    let t0 = Instant::now();
    let mut list = FileList::default();
    list.set_all(files);
    let load = t0.elapsed();

    let mut keystrokes = Vec::new();
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for q in QUERIES {
        list.query.clear();
        list.refresh();
        for c in q.chars() {
            let t = Instant::now();
            list.query.insert(c);
            list.refresh();
            let d = t.elapsed();
            keystrokes.push(d);
            slowest.push((d, list.query.text.clone()));
        }
    }
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    list.query.clear();
    list.refresh();
    let mut sorts = Vec::new();
    for _ in 0..9 {
        let t = Instant::now();
        list.cycle_sort();
        sorts.push(t.elapsed());
    }
    keystrokes.sort();
    sorts.sort();
    writeln!(out, "Liste des dossiers — recherche et tri")?;
    writeln!(
        out,
        "{count} dossiers fictifs ; chargement et pliage : {} ms",
        ms(load)
    )?;
    writeln!(
        out,
        "Frappes : {} ; médiane {} ms ; p99 {} ms ; max {} ms",
        keystrokes.len(),
        ms(percentile(&keystrokes, 0.5)),
        ms(percentile(&keystrokes, 0.99)),
        ms(keystrokes.last().copied().unwrap_or_default())
    )?;
    let worst: Vec<String> = slowest
        .iter()
        .take(4)
        .map(|(d, q)| format!("« {q} » {} ms", ms(*d)))
        .collect();
    writeln!(out, "Frappes les plus lentes : {}", worst.join(" ; "))?;
    writeln!(
        out,
        "Changement de tri : médiane {} ms ; max {} ms",
        ms(percentile(&sorts, 0.5)),
        ms(sorts.last().copied().unwrap_or_default())
    )?;
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
        assert!(text.contains("Frappes : "), "{text}");
        assert!(text.contains("Changement de tri"), "{text}");
    }
}
