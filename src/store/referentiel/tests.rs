//! The referential's layouts: round trip, layout 1 still read, an
//! interrupted or failed replacement, damaged chunks, counts.

use super::*;
use crate::store::check;
use crate::store::codec::encode;
use crate::store::OpenMode;

fn referentiel(version: &str, fiches: usize, per_fiche: usize) -> Referentiel {
    Referentiel {
        version: version.into(),
        fiches: (0..fiches)
            .map(|i| RomeFiche {
                code: format!("K{:04}", 1000 + i),
                label: format!("Fiche n°{i} — éducation"),
            })
            .collect(),
        appellations: (0..fiches * per_fiche)
            .map(|i| Appellation {
                ogr: 10_000 + i as u32,
                rome: format!("K{:04}", 1000 + i / per_fiche),
                label: format!("Appellation n°{i} : aide à domicile"),
                short_label: format!("App. {i}"),
                branches: vec!["ECLAT".into()],
            })
            .collect(),
    }
}

/// Bytes that are not compressible, of `len` bytes (a fake snapshot).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn open(dir: &std::path::Path) -> Store {
    Store::open(&dir.join("base")).unwrap()
}

fn keys_of(s: &Store) -> Vec<Vec<u8>> {
    s.referentiel
        .iter()
        .map(|kv| kv.unwrap().0.to_vec())
        .collect()
}

fn counter(s: &Store) -> u64 {
    s.counts().unwrap()[REFERENTIEL_TREE]
}

/// Writes `r` in layout 1, as builds before layout 2 did: one key per row,
/// the snapshot in chunks under `i`, the counter counting keys.
fn write_layout_1(s: &Store, r: &Referentiel, index: &[u8]) {
    let header = ReferentielHeader {
        version: r.version.clone(),
        fiches: r.fiches.len() as u32,
        appellations: r.appellations.len() as u32,
    };
    let mut batch = sled::Batch::default();
    batch.insert(HEAD_KEY, encode_with(K, 1, 0, &header).unwrap());
    let mut n = 1u64;
    for (i, f) in r.fiches.iter().enumerate() {
        batch.insert(
            [b"f".as_slice(), &(i as u32).to_be_bytes()].concat(),
            encode(f).unwrap(),
        );
        n += 1;
    }
    for (i, a) in r.appellations.iter().enumerate() {
        batch.insert(
            [b"a".as_slice(), &(i as u32).to_be_bytes()].concat(),
            encode(a).unwrap(),
        );
        n += 1;
    }
    for (i, c) in index.chunks(CHUNK).enumerate() {
        batch.insert([b"i".as_slice(), &(i as u32).to_be_bytes()].concat(), c);
        n += 1;
    }
    s.referentiel.apply_batch(batch).unwrap();
    let meta = &s.tx_trees[META];
    meta.insert(count_key(REFERENTIEL_TREE), &n.to_be_bytes())
        .unwrap();
    let g = u64_of(meta.get(GEN_KEY).unwrap()) + 1;
    meta.insert(GEN_KEY, &g.to_be_bytes()).unwrap();
    s.flush().unwrap();
}

#[test]
fn layout_2_round_trips_in_a_few_keys_and_counts_rows() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    assert_eq!(s.referentiel().unwrap(), None);
    assert_eq!(s.referentiel_index().unwrap(), None);
    let r = referentiel("ROME 4.0 — essai", 40, 50);
    // Three chunks and a bit: the last chunk is short.
    let snap = noise(3 * CHUNK + 17, 7);
    s.save_referentiel_indexed(&r, &snap).unwrap();
    assert_eq!(s.referentiel().unwrap(), Some(r.clone()));
    assert_eq!(s.referentiel_index().unwrap().as_deref(), Some(&snap[..]));
    // The header, 4 snapshot chunks and the (compressed) rows: not 2 041 keys.
    let keys = keys_of(&s);
    assert!(keys.len() <= 1 + 4 + 2, "{} keys", keys.len());
    assert_eq!(keys.iter().filter(|k| k.first() == Some(&b's')).count(), 0);
    assert_eq!(counter(&s), 40 + 2000);
    let report = check::check(&s).unwrap();
    assert!(report.is_sound(), "{:?}", report.problems);
    assert_eq!(report.counts[REFERENTIEL_TREE], 2040);
    drop(s);
    // Reopened: the same, the manifest agrees.
    let s = open(dir.path());
    assert_eq!(s.referentiel().unwrap(), Some(r));
    assert_eq!(s.referentiel_index().unwrap().as_deref(), Some(&snap[..]));
    assert_eq!(s.manifest().unwrap().counts[REFERENTIEL_TREE], 2040);
}

#[test]
fn an_exact_number_of_chunks_and_an_empty_referential_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let snap = noise(2 * CHUNK, 3);
    let r = referentiel("v", 2, 3);
    s.save_referentiel_indexed(&r, &snap).unwrap();
    assert_eq!(s.referentiel_index().unwrap().as_deref(), Some(&snap[..]));
    let empty = referentiel("vide", 0, 1);
    s.save_referentiel(&empty).unwrap();
    assert_eq!(s.referentiel().unwrap(), Some(empty));
    assert_eq!(s.referentiel_index().unwrap(), None);
    assert_eq!(counter(&s), 0);
    // Only the header and the rows' one chunk are left.
    assert_eq!(keys_of(&s).len(), 2);
    assert!(check::check(&s).unwrap().is_sound());
}

#[test]
fn a_layout_1_store_is_read_then_replaced_by_layout_2() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let old = referentiel("ancien", 30, 40);
    let old_snap = noise(CHUNK + 5, 11);
    write_layout_1(&s, &old, &old_snap);
    assert_eq!(counter(&s), 1 + 30 + 1200 + 2);
    assert_eq!(s.referentiel().unwrap(), Some(old.clone()));
    assert_eq!(
        s.referentiel_index().unwrap().as_deref(),
        Some(&old_snap[..])
    );
    // Its counter counted keys: still sound, and reported as rows.
    let report = check::check(&s).unwrap();
    assert!(report.is_sound(), "{:?}", report.problems);
    assert_eq!(report.counts[REFERENTIEL_TREE], 30 + 1200);
    drop(s);
    let s = open(dir.path());
    assert_eq!(s.referentiel().unwrap(), Some(old));

    let new = referentiel("nouveau", 3, 2);
    let snap = noise(100, 5);
    s.save_referentiel_indexed(&new, &snap).unwrap();
    assert_eq!(s.referentiel().unwrap(), Some(new));
    assert_eq!(s.referentiel_index().unwrap().as_deref(), Some(&snap[..]));
    // Every layout 1 key is gone.
    assert!(keys_of(&s)
        .iter()
        .all(|k| k.as_slice() == HEAD_KEY || k[0] == GEN_PREFIX));
    assert_eq!(counter(&s), 9);
    assert!(check::check(&s).unwrap().is_sound());
}

#[test]
fn verifier_reparer_counts_rows_of_a_layout_1_store() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    write_layout_1(&s, &referentiel("ancien", 2, 3), &[]);
    assert_eq!(counter(&s), 9);
    let r = check::repair(&s).unwrap();
    assert_eq!(r.counts[REFERENTIEL_TREE], 8);
    assert_eq!(counter(&s), 8);
    assert!(check::check(&s).unwrap().is_sound());
    // A counter that is neither the rows nor the keys is reported.
    s.tx_trees[META]
        .insert(count_key(REFERENTIEL_TREE), &5u64.to_be_bytes())
        .unwrap();
    let report = check::check(&s).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("compteur des lignes du référentiel : 5 enregistré, 8 présents")),
        "{:?}",
        report.problems
    );
}

/// A replacement that stops before its switch (a crash, an error): the
/// previous referential stays in force, also after a reopen, and the next
/// import removes what was left.
#[test]
fn an_interrupted_replacement_leaves_the_previous_referential() {
    for previous_layout_1 in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let s = open(dir.path());
        let old = referentiel("ancien", 5, 4);
        let old_snap = noise(CHUNK + 3, 1);
        if previous_layout_1 {
            write_layout_1(&s, &old, &old_snap);
        } else {
            s.save_referentiel_indexed(&old, &old_snap).unwrap();
        }
        let generation = s.generation().unwrap();
        let keys_before = keys_of(&s);
        {
            let mut w = s.referentiel_writer().unwrap();
            w.put_index(&noise(2 * CHUNK + 1, 2)).unwrap();
            w.put_rows(EncodedRows::new(&referentiel("nouveau", 9, 9)).unwrap())
                .unwrap();
            s.db.flush().unwrap();
            // Dropped without commit: as if the process had stopped here.
        }
        assert!(keys_of(&s).len() > keys_before.len(), "chunks written");
        let same = |s: &Store| {
            assert_eq!(s.referentiel().unwrap(), Some(old.clone()));
            assert_eq!(
                s.referentiel_index().unwrap().as_deref(),
                Some(&old_snap[..])
            );
            assert_eq!(s.generation().unwrap(), generation);
            let report = check::check(s).unwrap();
            assert!(report.is_sound(), "{:?}", report.problems);
            assert_eq!(report.counts[REFERENTIEL_TREE], 25);
        };
        same(&s);
        drop(s);
        let s = open(dir.path());
        same(&s);
        // The next import removes the orphan chunks.
        let next = referentiel("suivant", 1, 1);
        s.save_referentiel(&next).unwrap();
        assert_eq!(s.referentiel().unwrap(), Some(next));
        assert_eq!(keys_of(&s).len(), 2, "layout 1: {previous_layout_1}");
    }
}

/// Every write of a replacement failing in turn (a full disk): the
/// previous referential or the new one, never a mix, and the store
/// stays sound.
#[test]
fn a_full_disk_at_any_step_keeps_one_whole_referential() {
    let old = referentiel("ancien", 4, 3);
    let new = referentiel("nouveau", 6, 5);
    let new_snap = noise(3 * CHUNK, 9);
    let mut failures = 0;
    for budget in 0.. {
        let dir = tempfile::tempdir().unwrap();
        let s = open(dir.path());
        s.save_referentiel_indexed(&old, &noise(10, 4)).unwrap();
        s.fail_writes_after(budget);
        let result = s.save_referentiel_indexed(&new, &new_snap);
        s.fail_writes_after(u64::MAX);
        let report = check::check(&s).unwrap();
        assert!(report.is_sound(), "{budget}: {:?}", report.problems);
        match result {
            Err(e) => {
                assert!(e.to_string().contains("plein"), "{e}");
                failures += 1;
                assert_eq!(s.referentiel().unwrap(), Some(old.clone()), "{budget}");
                assert_eq!(counter(&s), 16);
                drop(s);
                assert_eq!(open(dir.path()).referentiel().unwrap(), Some(old.clone()));
            }
            Ok(()) => {
                assert_eq!(s.referentiel().unwrap(), Some(new.clone()));
                assert_eq!(s.referentiel_index().unwrap(), Some(new_snap.clone()));
                assert_eq!(counter(&s), 36);
                break;
            }
        }
    }
    // Start, 3 snapshot chunks, 1 rows chunk, the switch.
    assert_eq!(failures, 6);
}

#[test]
fn a_damaged_snapshot_is_ignored_reported_and_removed_by_repair() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let r = referentiel("v", 3, 3);
    let snap = noise(2 * CHUNK + 9, 8);
    s.save_referentiel_indexed(&r, &snap).unwrap();
    let Some(ReferentielHead::Chunks(l)) = s.referentiel_head().unwrap() else {
        panic!("layout 2 expected")
    };
    let key = chunk_key(l.generation, INDEX_PART, 1);
    let mut v = s.referentiel.get(&key).unwrap().unwrap().to_vec();
    v[100] ^= 0x40;
    s.referentiel.insert(&key, v).unwrap();
    // A cache: not used, the rows still are.
    assert_eq!(s.referentiel_index().unwrap(), None);
    assert_eq!(s.referentiel().unwrap(), Some(r.clone()));
    let report = check::check(&s).unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("index de recherche du référentiel ROME endommagé")
            && report.problems[0].contains("somme de contrôle"),
        "{:?}",
        report.problems
    );
    let repaired = check::repair(&s).unwrap();
    assert!(repaired.index_removed);
    assert!(check::check(&s).unwrap().is_sound());
    assert_eq!(s.referentiel_index().unwrap(), None);
    assert_eq!(s.referentiel().unwrap(), Some(r));
    assert!(!check::repair(&s).unwrap().index_removed);
}

#[test]
fn damaged_or_missing_rows_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    s.save_referentiel(&referentiel("v", 3, 3)).unwrap();
    let Some(ReferentielHead::Chunks(l)) = s.referentiel_head().unwrap() else {
        panic!("layout 2 expected")
    };
    let key = chunk_key(l.generation, ROWS_PART, 0);
    let good = s.referentiel.get(&key).unwrap().unwrap();
    let mut bad = good.to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    s.referentiel.insert(&key, bad).unwrap();
    let e = s.referentiel().unwrap_err();
    assert!(
        e.to_string()
            .contains("endommagé : lignes du référentiel : contenu altéré"),
        "{e}"
    );
    let report = check::check(&s).unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.starts_with("référentiel ROME : ")),
        "{:?}",
        report.problems
    );
    s.referentiel.remove(&key).unwrap();
    let e = s.referentiel().unwrap_err().to_string();
    assert!(e.contains("morceau 1 sur 1 manquant"), "{e}");
    // A damaged store is still replaced by the next import.
    let r = referentiel("réparé", 1, 1);
    s.save_referentiel(&r).unwrap();
    assert_eq!(s.referentiel().unwrap(), Some(r));
}

#[test]
fn a_header_from_a_newer_build_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    s.save_referentiel(&referentiel("v", 1, 1)).unwrap();
    s.referentiel
        .insert(HEAD_KEY, encode_with(K, 3, 0, &0u8).unwrap())
        .unwrap();
    let e = s.referentiel().unwrap_err().to_string();
    assert!(e.contains("plus récente"), "{e}");
    assert!(s.referentiel_index().is_err());
}

#[test]
fn the_rows_are_stored_compressed() {
    let r = referentiel("v", 50, 200);
    let rows = EncodedRows::new(&r).unwrap();
    let plain = encode_with(
        K,
        current::REFERENTIEL_ROWS,
        0,
        &ReferentielRowsRef {
            fiches: &r.fiches,
            appellations: &r.appellations,
        },
    )
    .unwrap();
    assert!(
        rows.len() * 4 < plain.len(),
        "{} vs {}",
        rows.len(),
        plain.len()
    );
    // The same rows come back from the compressed blob.
    let back = decode_referentiel_rows(&rows.blob).unwrap();
    assert_eq!(back.appellations, r.appellations);
    assert_eq!(back.fiches, r.fiches);
}

#[test]
fn a_locked_store_reads_the_public_referential() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("base");
    let r = referentiel("v", 2, 2);
    let snap = noise(CHUNK + 1, 6);
    {
        let s = Store::open(&path)
            .unwrap()
            .encrypt_with(
                &crate::store::Secret::new("une phrase secrète assez longue"),
                crate::store::crypto::KdfParams::FAST_FOR_TESTS,
                chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
                    .unwrap()
                    .and_hms_opt(3, 0, 0)
                    .unwrap(),
            )
            .unwrap();
        s.save_referentiel_indexed(&r, &snap).unwrap();
    }
    let s = Store::open_with(&path, OpenMode::Existing, crate::store::LOCK_WAIT).unwrap();
    assert!(s.is_locked());
    assert_eq!(s.referentiel().unwrap(), Some(r));
    assert_eq!(s.referentiel_index().unwrap().as_deref(), Some(&snap[..]));
}

#[test]
fn a_snapshot_streamed_to_the_sink_or_abandoned() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let r = referentiel("v", 2, 2);
    let snap = noise(2 * CHUNK + 5, 12);
    let mut w = s.referentiel_writer().unwrap();
    let mut sink = w.index_sink();
    // Pieces that do not line up with the chunks.
    for piece in snap.chunks(CHUNK / 3 + 1) {
        sink.write_all(piece).unwrap();
    }
    sink.finish().unwrap();
    w.put_rows(EncodedRows::new(&r).unwrap()).unwrap();
    w.commit().unwrap();
    assert_eq!(s.referentiel_index().unwrap().as_deref(), Some(&snap[..]));

    // A snapshot that could not be made: what was written is removed.
    let keys_before = keys_of(&s).len();
    let mut w = s.referentiel_writer().unwrap();
    let mut sink = w.index_sink();
    sink.write_all(&snap).unwrap();
    sink.abandon().unwrap();
    w.put_rows(EncodedRows::new(&r).unwrap()).unwrap();
    w.commit().unwrap();
    assert_eq!(s.referentiel_index().unwrap(), None);
    assert_eq!(s.referentiel().unwrap(), Some(r));
    assert_eq!(keys_of(&s).len(), 2, "was {keys_before}");
    assert!(check::check(&s).unwrap().is_sound());
}

#[test]
fn a_full_disk_while_streaming_the_snapshot_is_an_error_not_a_lost_cache() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let old = referentiel("ancien", 1, 1);
    s.save_referentiel(&old).unwrap();
    let mut w = s.referentiel_writer().unwrap();
    s.fail_writes_after(1);
    let mut sink = w.index_sink();
    assert!(sink.write_all(&noise(3 * CHUNK, 2)).is_err());
    let e = sink.finish().unwrap_err();
    assert!(e.to_string().contains("plein"), "{e}");
    drop(w);
    s.fail_writes_after(u64::MAX);
    assert_eq!(s.referentiel().unwrap(), Some(old));
}
