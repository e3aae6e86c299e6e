//! Search benchmark (`passerelle bench recherche`): figures, not pass/fail.
//!
//! Types ~20 advisor queries character by character through the incremental
//! [`Searcher`], computing the highlight of the first 30 rows at each keystroke
//! (what the Métiers screen does), over the shipped catalogue and over a
//! deterministic stress list built from real appellation words with a simple
//! LCG. Reports median / p99 / max time per keystroke, in French.
//!
//! Run it in release: `cargo test --release --lib catalog::bench -- --ignored --nocapture`.

use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::domain::{Appellation, Referentiel};

use super::{Catalog, Searcher};

/// Queries as advisors type them (accents dropped, typos included).
pub const QUERIES: &[&str] = &[
    "auxiliaire de vie",
    "educatrice jeunes enfants",
    "gardien d'immeuble",
    "encadrant technique",
    "tisf",
    "conseiller insertion",
    "aide a domicile",
    "animateur periscolaire",
    "mediateur social",
    "agent de tri",
    "assistante maternelle",
    "cesf",
    "gestionnaire locative",
    "charge de clientele",
    "teleconseiller",
    "jardinier",
    "maraicher",
    "educatuer",
    "gardein d'imeuble",
    "K1202",
    "comptable",
];

const ROUNDS: usize = 3;
const HIGHLIGHT_ROWS: usize = 30;

const QUALIFIERS: &[&str] = &[
    "en milieu rural",
    "itinérant",
    "de nuit",
    "en structure d'accueil",
    "à domicile",
    "en régie de quartier",
    "polyvalent",
    "en chantier d'insertion",
    "confirmé",
    "du secteur associatif",
    "en Île-de-France",
    "en établissement médico-social",
    "saisonnier",
    "référent",
    "en centre social",
    "de l'économie sociale et solidaire",
];

/// Deterministic linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `n` synthetic appellations mixing the head of one real appellation with the
/// tail of another, sometimes with a qualifier. OGR codes are 1..=n.
pub fn stress_referentiel(catalog: &Catalog, n: usize) -> Referentiel {
    let apps = catalog.appellations();
    let mut rng = Lcg(0x5EED_0000_2026_0807);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let a = &apps[rng.below(apps.len())];
        let b = &apps[rng.below(apps.len())];
        let aw: Vec<&str> = a.label.split(' ').collect();
        let bw: Vec<&str> = b.label.split(' ').collect();
        let k = 1 + rng.below(aw.len().min(3));
        let j = 1 + rng.below(bw.len().max(2) - 1);
        let mut label = aw[..k].join(" ");
        if j < bw.len() {
            label.push(' ');
            label.push_str(&bw[j..].join(" "));
        }
        if rng.below(2) == 0 || j >= bw.len() {
            label.push(' ');
            label.push_str(QUALIFIERS[rng.below(QUALIFIERS.len())]);
        }
        out.push(Appellation {
            ogr: i as u32 + 1,
            rome: a.rome.clone(),
            short_label: label.clone(),
            label,
            branches: Vec::new(),
        });
    }
    Referentiel {
        version: format!("Liste de stress ({n} entrées)"),
        fiches: catalog.fiches().to_vec(),
        appellations: out,
    }
}

struct Figures {
    entries: usize,
    build: Duration,
    samples: Vec<Duration>,
    /// The slowest keystrokes (time, typed text), slowest first.
    slowest: Vec<(Duration, String)>,
}

fn measure(catalog: &Catalog, build: Duration) -> Figures {
    let mut samples = Vec::new();
    let mut all: Vec<(Duration, String)> = Vec::new();
    let mut searcher = Searcher::default();
    for _ in 0..ROUNDS {
        for q in QUERIES {
            searcher.update(catalog, "", None);
            let chars: Vec<char> = q.chars().collect();
            for end in 1..=chars.len() {
                let typed: String = chars[..end].iter().collect();
                let t0 = Instant::now();
                let hits = searcher.update(catalog, &typed, None);
                let mut marks = 0usize;
                for h in hits.iter().take(HIGHLIGHT_ROWS) {
                    marks += catalog.highlight(h.idx, &typed).len();
                }
                std::hint::black_box(marks);
                let dt = t0.elapsed();
                all.push((dt, typed));
                samples.push(dt);
            }
        }
    }
    samples.sort_unstable();
    all.sort_by_key(|a| std::cmp::Reverse(a.0));
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for (d, t) in all {
        if slowest.len() == 5 {
            break;
        }
        if !slowest.iter().any(|s| s.1 == t) {
            slowest.push((d, t));
        }
    }
    Figures {
        entries: catalog.len(),
        build,
        samples,
        slowest,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0).replace('.', ",")
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

/// Writes a referential as a file `passerelle referentiel import` reads
/// (see `import.rs`), with the one CSV writer of the exports.
pub fn write_referentiel_csv(r: &Referentiel, path: &Path) -> io::Result<()> {
    let rows: Vec<[String; 4]> = r
        .appellations
        .iter()
        .map(|a| {
            [
                a.ogr.to_string(),
                a.rome.clone(),
                a.label.clone(),
                a.short_label.clone(),
            ]
        })
        .collect();
    let text = crate::transfer::csv_out::write_csv(&super::import::HEADER, &rows)
        .map_err(io::Error::other)?;
    std::fs::write(path, text)
}

/// Runs the benchmark and prints a French table to `out`. `stress_n` entries
/// for the stress list (0 to skip it); `write_list` also writes the stress list,
/// one label per line (e.g. for `fzf --filter`), `write_csv` as a
/// referential file to import (for `benches/fzf_side_by_side.sh`).
pub fn run_search_bench(
    catalog: &Catalog,
    out: &mut impl Write,
    stress_n: usize,
    write_list: Option<&Path>,
    write_csv: Option<&Path>,
) -> io::Result<()> {
    let t0 = Instant::now();
    let rebuilt = Catalog::from_referentiel(catalog.referentiel(), catalog);
    let cat_build = t0.elapsed();
    drop(rebuilt);
    let t0 = Instant::now();
    let embedded = Catalog::builtin();
    let cat_load = t0.elapsed();
    drop(embedded);
    let mut rows = vec![("Catalogue embarqué", measure(catalog, cat_build))];
    let mut snap = None;

    if stress_n > 0 {
        let r = stress_referentiel(catalog, stress_n);
        if let Some(path) = write_list {
            let mut f = io::BufWriter::new(std::fs::File::create(path)?);
            for a in &r.appellations {
                writeln!(f, "{}", a.label)?;
            }
            f.flush()?;
        }
        if let Some(path) = write_csv {
            write_referentiel_csv(&r, path)?;
        }
        let t0 = Instant::now();
        let stress = Catalog::from_referentiel(r, catalog);
        let build = t0.elapsed();
        let t0 = Instant::now();
        let bytes = stress.stored_snapshot().map_err(io::Error::other)?;
        let write = t0.elapsed();
        let t0 = Instant::now();
        let read = Catalog::from_stored_snapshot(&bytes);
        let load = t0.elapsed();
        snap = Some((bytes.len(), write, load, read.is_some()));
        drop(read);
        rows.push(("Liste de stress", measure(&stress, build)));
    }

    writeln!(out, "Recherche de métiers — temps par frappe")?;
    writeln!(
        out,
        "{} requêtes de conseillers tapées caractère par caractère ({} passes), \
         surlignage des {} premières lignes compris.",
        QUERIES.len(),
        ROUNDS,
        HIGHLIGHT_ROWS
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<20} {:>9} {:>11} {:>8} {:>13} {:>9} {:>9}",
        "Corpus", "Entrées", "Index (ms)", "Frappes", "Médiane (ms)", "p99 (ms)", "Max (ms)"
    )?;
    for (name, f) in &rows {
        writeln!(
            out,
            "{:<20} {:>9} {:>11} {:>8} {:>13} {:>9} {:>9}",
            name,
            thousands(f.entries),
            ms(f.build),
            f.samples.len(),
            ms(percentile(&f.samples, 0.5)),
            ms(percentile(&f.samples, 0.99)),
            ms(*f.samples.last().unwrap_or(&Duration::ZERO)),
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Démarrage : catalogue embarqué lu depuis son instantané en {} ms (au lieu de {} ms \
         pour le reconstruire).",
        ms(cat_load),
        ms(cat_build)
    )?;
    if let Some((len, write, load, ok)) = snap {
        writeln!(
            out,
            "Liste de stress : instantané de {} Mo écrit en {} ms, relu en {} ms{} \
             (au lieu de {} ms pour reconstruire l'index).",
            format!("{:.1}", len as f64 / 1e6).replace('.', ","),
            ms(write),
            ms(load),
            if ok { "" } else { " (ILLISIBLE)" },
            rows.get(1).map_or(String::new(), |r| ms(r.1.build))
        )?;
    }
    for (name, f) in &rows {
        let list: Vec<String> = f
            .slowest
            .iter()
            .map(|(d, t)| format!("« {t} » {} ms", ms(*d)))
            .collect();
        writeln!(
            out,
            "{name}, frappes les plus lentes : {}.",
            list.join(" ; ")
        )?;
    }
    let p99 = percentile(&rows[0].1.samples, 0.99);
    let verdict = if p99 <= Duration::from_millis(4) {
        "atteint"
    } else {
        "NON atteint"
    };
    writeln!(
        out,
        "Objectif p99 ≤ 4 ms par frappe sur le catalogue : {verdict}."
    )?;
    if let Some(path) = write_list {
        writeln!(out, "Liste de stress écrite dans {}.", path.display())?;
    }
    if cfg!(debug_assertions) {
        writeln!(
            out,
            "Attention : binaire non optimisé (debug), chiffres non représentatifs."
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_referential_imports_back_unchanged() {
        let c = Catalog::builtin_shared().unwrap();
        let r = stress_referentiel(c, 2_000);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("referentiel.csv");
        write_referentiel_csv(&r, &path).unwrap();
        let opts = super::super::import::ImportOptions {
            version: "essai".into(),
            accept_rejected_lines: false,
            replace: true,
        };
        let back = super::super::import::import_file(&path, c, &opts, |_, _| {}).unwrap();
        assert!(back.report.rejected.is_empty());
        let key = |r: &Referentiel| {
            r.appellations
                .iter()
                .map(|a| {
                    (
                        a.ogr,
                        a.rome.clone(),
                        a.label.clone(),
                        a.short_label.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&back.referentiel), key(&r));
    }

    #[test]
    fn stress_list_is_deterministic() {
        let c = Catalog::builtin_shared().unwrap();
        let a = stress_referentiel(c, 50);
        let b = stress_referentiel(c, 50);
        assert_eq!(a, b);
        assert_eq!(a.appellations.len(), 50);
        assert!(a.appellations.iter().all(|x| !x.label.trim().is_empty()));
        assert_eq!(thousands(100000), "100 000");
        assert_eq!(thousands(532), "532");
    }

    /// `cargo test --release --lib catalog::bench -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn search_bench() {
        let c = Catalog::builtin().unwrap();
        let mut out = Vec::new();
        let list = std::env::var_os("PASSERELLE_BENCH_LIST").map(std::path::PathBuf::from);
        run_search_bench(&c, &mut out, 100_000, list.as_deref(), None).unwrap();
        println!("{}", String::from_utf8(out).unwrap());
    }
}
