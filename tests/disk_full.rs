//! A full disk in the middle of a bulk write (issue 7): the failure is
//! injected behind the store's write path (debug builds:
//! `PASSERELLE_TEST_PANNE_ECRITURE=N` lets N write transactions through,
//! then every write fails with ENOSPC; in process, `fail_writes_after`).
//! The command stops, prints a count that is exactly what the store keeps,
//! says what to do in French, and exits 1.

mod common;

use common::{assert_no_internals, cli_env, expect_exit, listed_ids, run_expect};
use passerelle::domain::{Beneficiary, Id, Meta};
use passerelle::store::{check, AnyRecord, Bulk, Store, Write};
use std::path::Path;

const PANNE: &str = "PASSERELLE_TEST_PANNE_ECRITURE";

/// The number in « … N dossiers … » right before `word`.
fn number_before(text: &str, word: &str) -> usize {
    let at = text
        .find(word)
        .unwrap_or_else(|| panic!("« {word} » missing in:\n{text}"));
    text[..at]
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number before « {word} » in:\n{text}"))
}

fn csv_of(n: usize, dir: &Path) -> String {
    let mut text = String::from("nom;prenom;email\n");
    for i in 0..n {
        text.push_str(&format!("Plein;Disque;p{i}@exemple.fr\n"));
    }
    let path = dir.join("dossiers.csv");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn import_stopped_by_a_full_disk_counts_exactly_what_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let csv = csv_of(2_000, tmp.path());
    // The store exists first (creating it writes its audit event, which
    // would take one write of the budget).
    run_expect(&data, &["init"], 0);
    // 1 234 transactions go through: two batches of 500 are flushed, the
    // failure hits in the third.
    let o = cli_env(
        &data,
        &[(PANNE, "1234")],
        &["beneficiaires", "import", &csv],
    );
    let (out, err) = expect_exit(&o, 1, "import on a full disk");
    let printed = number_before(&out, "dossiers créés et enregistrés");
    assert_eq!(listed_ids(&data).len(), printed, "{out}");
    assert_eq!(printed, 1_234, "{out}");
    assert!(err.contains("import interrompu à la ligne 1236"), "{err}");
    assert!(
        err.contains("Impossible d'écrire") && err.contains("disque plein"),
        "{err}"
    );
    assert!(err.contains("libérez de la place"), "{err}");
    assert!(
        err.contains("Seuls les 1234 dossiers annoncés ci-dessus sont enregistrés"),
        "{err}"
    );
    assert_no_internals(&format!("{out}{err}"));
    // The store is sound and opens: the failure left no damage.
    run_expect(&data, &["verifier"], 0);
}

#[test]
fn demo_stopped_by_a_full_disk_counts_exactly_what_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let o = cli_env(&data, &[(PANNE, "17")], &["demo", "--nombre", "40"]);
    let (out, err) = expect_exit(&o, 1, "demo on a full disk");
    // The budget of 17 writes: the 2 information sessions, then 15 files
    // (each with its records in one transaction).
    assert!(
        out.contains("Démonstration interrompue : seuls 15 dossiers"),
        "{out}"
    );
    assert_eq!(listed_ids(&data).len(), 15);
    assert!(err.contains("disque plein"), "{err}");
    assert_no_internals(&format!("{out}{err}"));
    // Each file kept has its interviews (one transaction each).
    let (_, _) = run_expect(&data, &["verifier"], 0);
}

fn file(n: u32) -> Beneficiary {
    let now = chrono::DateTime::from_timestamp(1_780_000_000 + i64::from(n), 0).unwrap();
    Beneficiary::new(Id::generate(), "Plein", "Disque", Meta::new(now, "test"))
}

#[test]
fn bulk_reports_only_what_a_successful_flush_covered() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("base");
    let store = Store::open(&dir).unwrap();
    store.fail_writes_after(7);
    let mut bulk = Bulk::new(&store, 3);
    let mut written = Vec::new();
    let e = loop {
        let b = file(written.len() as u32);
        match bulk.write(&[Write::Put(AnyRecord::from(b.clone()))], "") {
            Ok(()) => written.push(b.id),
            Err(e) => break e,
        }
        // Two batches of 3 flushed before the failure, not the 7th write.
        if written.len() == 7 {
            assert_eq!(bulk.durable(), 6);
        }
    };
    assert_eq!(written.len(), 7);
    // The failure flushes what was written before it: 7 durable.
    assert_eq!(e.durable, 7);
    assert!(
        e.source.to_string().contains("disque plein"),
        "{}",
        e.source
    );
    drop(store);
    let store = Store::open(&dir).unwrap();
    let kept: Vec<Id> = store
        .beneficiaries()
        .unwrap()
        .records
        .iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(kept, written);
    assert!(check::check(&store).unwrap().is_sound());

    // The boundary: a budget of exactly the units written never fails.
    store.fail_writes_after(2);
    let mut bulk = Bulk::new(&store, 5);
    for n in 0..2 {
        bulk.write(&[Write::Put(AnyRecord::from(file(100 + n)))], "")
            .unwrap();
    }
    assert_eq!(bulk.durable(), 0);
    assert_eq!(bulk.finish().unwrap(), 2);
    assert_eq!(store.beneficiary_count().unwrap(), 9);
}
