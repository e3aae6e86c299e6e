//! `passerelle bench base`: what encryption at rest costs. The same
//! synthetic files are saved one by one (one flushed transaction per file
//! with its interviews, as the interface saves), then listed, in a clear
//! store and in an encrypted one; the unlock (Argon2id with the parameters
//! of a new store) is timed on its own. Figures, not verdicts.

use crate::catalog::bench::percentile;
use crate::domain::Branches;
use crate::store::crypto::{KdfParams, Secret};
use crate::store::{AnyRecord, Store, StoreError, Write};
use crate::transfer::demo::build_for_bench;
use chrono::NaiveDate;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A directory removed when dropped (the bench cleans up after itself,
/// even when it fails midway).
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new() -> io::Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p =
            std::env::temp_dir().join(format!("passerelle-banc-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Milliseconds with three decimals, French style (« 12,345 »).
pub(crate) fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0).replace('.', ",")
}

/// Figures of one store.
struct Figures {
    saves: Vec<Duration>,
    lists: Vec<Duration>,
    bytes: u64,
}

fn measure(store: &Store, batches: &[Vec<Write>], data: &Path) -> Result<Figures, StoreError> {
    let mut saves = Vec::with_capacity(batches.len());
    for w in batches {
        let t = Instant::now();
        store.apply(w)?;
        saves.push(t.elapsed());
    }
    let mut lists = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let scan = store.beneficiaries()?;
        lists.push(t.elapsed());
        if scan.records.len() != batches.len() {
            return Err(StoreError::Corrupt {
                kind: crate::store::RecordKind::Beneficiary,
                detail: format!(
                    "{} dossiers relus sur {}",
                    scan.records.len(),
                    batches.len()
                ),
            });
        }
    }
    saves.sort();
    lists.sort();
    Ok(Figures {
        saves,
        lists,
        bytes: crate::store::backup::dir_size(data),
    })
}

/// Runs the benchmark over `n` synthetic files (at most the demo's cap),
/// the encrypted store's key derived with `params` (the CLI uses those of
/// a new store).
pub fn run(
    branches: &Branches,
    n: usize,
    params: KdfParams,
    out: &mut impl io::Write,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let batches: Vec<Vec<Write>> = build_for_bench(branches, n)
        .files
        .into_iter()
        .map(|f| {
            std::iter::once(Write::Put(AnyRecord::from(f.beneficiary)))
                .chain(
                    f.interviews
                        .into_iter()
                        .map(|i| Write::Put(AnyRecord::from(i))),
                )
                .collect()
        })
        .collect();
    let stamp = NaiveDate::from_ymd_opt(2026, 11, 28)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default();
    let secret = Secret::new("phrase secrète du banc d'essai, assez longue");

    let tmp = TempDir::new().map_err(|e| err(&e))?;
    let clear_dir = tmp.0.join("clair");
    let clear = {
        let s = Store::open(&Store::dir_in(&clear_dir)).map_err(|e| err(&e))?;
        measure(&s, &batches, &clear_dir).map_err(|e| err(&e))?
    };
    let enc_dir = tmp.0.join("chiffre");
    let t = Instant::now();
    let s = Store::open(&Store::dir_in(&enc_dir))
        .and_then(|s| s.encrypt_with(&secret, params, stamp))
        .map_err(|e| err(&e))?;
    let creation = t.elapsed();
    let enc = measure(&s, &batches, &enc_dir).map_err(|e| err(&e))?;
    let export = export_size(&s, branches, stamp.and_utc()).map_err(|e| err(&e))?;
    let (s, compacted) = crate::store::backup::compact(s).map_err(|e| err(&e))?;
    drop(s);
    // Unlocks: open, then derive the key from the passphrase.
    let mut opens = Vec::new();
    let mut unlocks = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let s = Store::open(&Store::dir_in(&enc_dir)).map_err(|e| err(&e))?;
        opens.push(t.elapsed());
        let t = Instant::now();
        s.unlock(&secret).map_err(|e| err(&e))?;
        unlocks.push(t.elapsed());
    }
    opens.sort();
    unlocks.sort();

    let ratio = |a: Duration, b: Duration| {
        format!("{:.2}", a.as_secs_f64() / b.as_secs_f64().max(1e-9)).replace('.', ",")
    };
    let w = |out: &mut dyn io::Write, s: String| writeln!(out, "{s}").map_err(|e| err(&e));
    w(
        out,
        "Base chiffrée ou en clair — enregistrement, liste, déverrouillage".into(),
    )?;
    w(
        out,
        format!(
            "{} dossiers fictifs (avec leurs entretiens), une transaction écrite sur le disque par dossier",
            batches.len()
        ),
    )?;
    w(
        out,
        format!(
            "Argon2id : {} Kio, {} passes, {} voie(s) ; création de la clé {} ms ; ouverture {} ms, \
             déverrouillage {} ms (médianes de 3)",
            params.m_cost,
            params.t_cost,
            params.p_cost,
            ms(creation),
            ms(percentile(&opens, 0.5)),
            ms(percentile(&unlocks, 0.5)),
        ),
    )?;
    for (label, f) in [("en clair ", &clear), ("chiffrée ", &enc)] {
        w(
            out,
            format!(
                "Base {label}: enregistrement médiane {} ms, p99 {} ms, max {} ms ; liste de tous \
                 les dossiers médiane {} ms ; {} Kio sur le disque",
                ms(percentile(&f.saves, 0.5)),
                ms(percentile(&f.saves, 0.99)),
                ms(f.saves.last().copied().unwrap_or_default()),
                ms(percentile(&f.lists, 0.5)),
                f.bytes / 1024
            ),
        )?;
    }
    w(
        out,
        format!(
            "Rapport chiffrée / en clair : enregistrement ×{} (médiane), liste ×{}, disque ×{}",
            ratio(percentile(&enc.saves, 0.5), percentile(&clear.saves, 0.5)),
            ratio(percentile(&enc.lists, 0.5), percentile(&clear.lists, 0.5)),
            ratio(
                Duration::from_nanos(enc.bytes),
                Duration::from_nanos(clear.bytes.max(1))
            ),
        ),
    )?;
    let times = |a: u64, b: u64| format!("{:.2}", a as f64 / b.max(1) as f64).replace('.', ",");
    w(
        out,
        format!(
            "Export JSON de chaque dossier (droit d'accès, tel que `beneficiaires export` l'écrit) : \
             {} Kio en tout ({} Kio sans mise en forme) ; base chiffrée ×{} de l'export \
             (×{} sans mise en forme), {} Kio après `compacter` (×{} de l'export sans mise en forme)",
            export.pretty / 1024,
            export.compact / 1024,
            times(enc.bytes, export.pretty),
            times(enc.bytes, export.compact),
            compacted.bytes_after / 1024,
            times(compacted.bytes_after, export.compact),
        ),
    )?;
    Ok(())
}

/// Bytes of the JSON exports of every file of `store`.
struct ExportSize {
    /// As `beneficiaires export` writes them (indented).
    pretty: u64,
    /// The same JSON without indentation.
    compact: u64,
}

fn export_size(
    store: &Store,
    branches: &Branches,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ExportSize, StoreError> {
    let mut ids = Vec::new();
    store.each_beneficiary(|b| ids.push(b.id))?;
    let mut size = ExportSize {
        pretty: 0,
        compact: 0,
    };
    for id in ids {
        if let Some(e) = crate::transfer::export::PersonExport::load(store, id)? {
            let json = e.to_json(now, branches);
            let len = |r: serde_json::Result<String>| r.map_or(0, |t| t.len() as u64);
            size.pretty += len(serde_json::to_string_pretty(&json));
            size.compact += len(serde_json::to_string(&json));
        }
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_reports_every_figure_and_cleans_up() {
        let catalog = crate::app::metiers::builtin_catalog();
        let mut out = Vec::new();
        run(catalog.branches(), 12, KdfParams::FAST_FOR_TESTS, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("12 dossiers fictifs"), "{text}");
        for needle in [
            "déverrouillage",
            "Base en clair",
            "Base chiffrée",
            "Rapport chiffrée",
            "Export JSON de chaque dossier (droit d'accès, tel que `beneficiaires export` l'écrit) : ",
            " Kio après `compacter` (×",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
        let left = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("passerelle-banc-{}-", std::process::id()))
            })
            .count();
        assert_eq!(left, 0, "the temporary stores are removed");
    }

    #[test]
    fn the_export_size_is_that_of_the_files_exports() {
        let catalog = crate::app::metiers::builtin_catalog();
        let tmp = TempDir::new().unwrap();
        let store = Store::open(&Store::dir_in(&tmp.0)).unwrap();
        let files = build_for_bench(catalog.branches(), 3).files;
        let ids: Vec<_> = files.iter().map(|f| f.beneficiary.id).collect();
        for f in files {
            let mut w = vec![Write::Put(AnyRecord::from(f.beneficiary))];
            w.extend(
                f.interviews
                    .into_iter()
                    .map(|i| Write::Put(AnyRecord::from(i))),
            );
            store.apply(&w).unwrap();
        }
        let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let size = export_size(&store, catalog.branches(), now).unwrap();
        let expected: u64 = ids
            .iter()
            .map(|id| {
                crate::transfer::export::person_json(&store, *id, now, catalog.branches())
                    .unwrap()
                    .unwrap()
                    .len() as u64
            })
            .sum();
        assert_eq!(size.pretty, expected);
        assert!(size.compact > 0 && size.compact < size.pretty);
    }
}
