//! Damaged copies of a store (issue 7): each is refused by a read command
//! with a French message that names the data directory and what is wrong,
//! without writing a byte into the store; `verifier` reports it;
//! `restaurer --oui` brings the last backup back; `verifier --reparer`
//! accepts a store that lost its tail and says what it gave up.

mod common;

use common::{
    assert_no_internals, cli, copy_tree, expect_exit, listed_ids, run_expect, tree_bytes,
};
use std::path::Path;

/// A data directory with a 50-file demo and a manual backup of it; returns
/// the ids of the 50 files.
fn demo_with_backup(dir: &Path) -> Vec<String> {
    run_expect(dir, &["demo", "--nombre", "50"], 0);
    run_expect(dir, &["sauvegarde"], 0);
    let ids = listed_ids(dir);
    assert_eq!(ids.len(), 50);
    ids
}

/// The ids of the files in the store (read in process: `listed_ids` runs
/// the binary, which costs a second in a debug build).
fn stored_ids(data: &Path) -> Vec<String> {
    let store = passerelle::store::Store::open_existing(&data.join("base")).unwrap();
    let mut ids: Vec<String> = store
        .beneficiaries()
        .unwrap()
        .records
        .iter()
        .map(|b| b.id.to_string())
        .collect();
    ids.sort();
    ids
}

/// Length of the part of sled's `db` file that holds data (sled pads the
/// file with zeros up to its segment size): cutting « the tail » means
/// cutting into that part.
fn used_len(db: &[u8]) -> usize {
    db.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1)
}

/// One way to damage a store, what the refusal must say about it.
struct Case {
    name: &'static str,
    damage: fn(&Path),
    /// Words the refusal (and `verifier`) must contain, besides the
    /// data directory.
    says: &'static [&'static str],
    /// Whether `verifier --reparer` is offered (not when files are gone).
    repairable: bool,
}

fn cut_tail(data: &Path) {
    let db = data.join("base/db");
    let used = used_len(&std::fs::read(&db).unwrap());
    let f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.set_len((used * 6 / 10) as u64).unwrap();
}

fn flip_middle(data: &Path) {
    let db = data.join("base/db");
    let mut bytes = std::fs::read(&db).unwrap();
    let mid = used_len(&bytes) / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0xff;
    }
    std::fs::write(&db, bytes).unwrap();
}

const CASES: [Case; 6] = [
    Case {
        name: "fin du fichier db coupée",
        damage: cut_tail,
        says: &["perdu des modifications", "manquent :", "dossiers"],
        repairable: true,
    },
    Case {
        name: "octets inversés au milieu de db",
        damage: flip_middle,
        says: &["perdu des modifications", "manquent :", "dossiers"],
        repairable: true,
    },
    Case {
        name: "db supprimé",
        damage: |d| std::fs::remove_file(d.join("base/db")).unwrap(),
        says: &["base/db a disparu"],
        repairable: false,
    },
    Case {
        name: "conf modifié",
        damage: |d| {
            let conf = d.join("base/conf");
            let mut bytes = std::fs::read(&conf).unwrap();
            bytes[15] = b'9'; // segment_size: 5[9]4288
            std::fs::write(&conf, bytes).unwrap();
        },
        says: &["base/conf", "endommagé ou a été modifié"],
        repairable: true,
    },
    Case {
        name: "dossier base supprimé, fichier d'état laissé",
        damage: |d| std::fs::remove_dir_all(d.join("base")).unwrap(),
        says: &["base a disparu"],
        repairable: false,
    },
    Case {
        name: "fichier d'état supprimé",
        damage: |d| std::fs::remove_file(d.join("base.etat")).unwrap(),
        says: &["base.etat manque"],
        repairable: true,
    },
];

#[test]
fn every_damaged_copy_is_refused_untouched_reported_and_restored() {
    let tmp = tempfile::tempdir().unwrap();
    let template = tmp.path().join("modele");
    let ids = demo_with_backup(&template);
    for (n, case) in CASES.iter().enumerate() {
        let data = tmp.path().join(format!("copie{n}"));
        copy_tree(&template, &data);
        (case.damage)(&data);
        let shown = data.display().to_string();
        let before = tree_bytes(&data.join("base"));

        // A read command refuses it: exit 2, French, names the data dir
        // and the damage, no library internals, nothing written.
        let o = cli(&data, &["beneficiaires", "liste", "--json"]);
        let (out, err) = expect_exit(&o, 2, case.name);
        assert!(out.is_empty(), "{}: nothing listed: {out}", case.name);
        assert!(
            err.contains(&format!("La base de {shown} est endommagée")),
            "{}: {err}",
            case.name
        );
        for w in case.says {
            assert!(err.contains(w), "{}: « {w} » missing in:\n{err}", case.name);
        }
        assert!(err.contains("passerelle restaurer"), "{}: {err}", case.name);
        assert_eq!(
            err.contains("verifier --reparer"),
            case.repairable,
            "{}: {err}",
            case.name
        );
        assert_no_internals(&err);
        assert_eq!(
            tree_bytes(&data.join("base")),
            before,
            "{}: the refused command wrote into the store",
            case.name
        );

        // `verifier` reports it (exit 1) and does not write either.
        let o = cli(&data, &["verifier"]);
        let (out, err) = expect_exit(&o, 1, &format!("verifier: {}", case.name));
        for w in case.says {
            assert!(
                out.contains(w),
                "verifier, {}: « {w} » missing in:\n{out}",
                case.name
            );
        }
        assert_no_internals(&format!("{out}{err}"));
        assert_eq!(
            tree_bytes(&data.join("base")),
            before,
            "{}: verifier wrote into the store",
            case.name
        );

        // The last backup comes back: the same 50 files.
        let (out, _) = run_expect(&data, &["restaurer", "--oui"], 0);
        assert!(
            out.contains("restaurée : 50 dossiers"),
            "{}: {out}",
            case.name
        );
        assert_eq!(stored_ids(&data), ids, "{}", case.name);
        run_expect(&data, &["verifier"], 0);
    }
}

#[test]
fn a_damaged_backup_is_refused_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let ids = demo_with_backup(&data);
    let backups = data.join("sauvegardes");
    let good = std::fs::read_dir(&backups)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(backups.join("moitie.sauvegarde"), &bytes[..bytes.len() / 2]).unwrap();
    let before = tree_bytes(&data.join("base"));
    let (_, err) = run_expect(&data, &["restaurer", "moitie.sauvegarde", "--oui"], 2);
    assert!(
        err.contains("inutilisable : fichier tronqué ou endommagé"),
        "{err}"
    );
    assert_no_internals(&err);
    // No half-built store left beside the real one, which is untouched.
    let left: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("base.")
                && n != "base.etat"
                && n != "base.verrou"
                && n != "base.empreinte"
        })
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(tree_bytes(&data.join("base")), before);
    assert_eq!(stored_ids(&data), ids);
}

#[test]
fn verifier_without_any_store_exits_2_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("vide");
    std::fs::create_dir(&data).unwrap();
    let (_, err) = run_expect(&data, &["verifier"], 2);
    assert!(err.contains("Aucune base dans"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&data).unwrap().flatten().collect();
    assert!(left.is_empty(), "created: {left:?}");
}

#[test]
fn reparer_accepts_a_store_that_lost_its_tail_and_says_what_was_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    demo_with_backup(&data);
    cut_tail(&data);
    let (_, err) = run_expect(&data, &["beneficiaires", "liste", "--json"], 2);
    // « manquent : N dossiers, … »: the number the repair must give up.
    let missing: usize = err
        .split("manquent : ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of missing files in: {err}"));
    assert!((1..50).contains(&missing), "{err}");

    let (out, _) = run_expect(&data, &["verifier", "--reparer"], 0);
    assert!(out.contains("acceptée telle qu'elle est"), "{out}");
    assert!(
        out.contains(&format!("abandonnés : {missing} dossiers")),
        "{out}"
    );
    assert!(out.contains("Aucun problème trouvé"), "{out}");
    assert_no_internals(&out);
    // It opens again, with what was left.
    assert_eq!(listed_ids(&data).len(), 50 - missing);
    // And writing works on it.
    run_expect(&data, &["demo", "--nombre", "1", "--force"], 0);
    assert_eq!(listed_ids(&data).len(), 51 - missing);
    run_expect(&data, &["verifier"], 0);
}

#[test]
fn one_undecodable_file_is_reported_and_the_others_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    run_expect(&data, &["demo", "--nombre", "50"], 0);
    // Spoil one record's bytes behind Passerelle's back (counters and
    // generation unchanged: only a decode can notice).
    let spoiled = {
        let db = sled::open(data.join("base")).unwrap();
        let tree = db.open_tree("beneficiaries").unwrap();
        let (key, _) = tree.iter().nth(10).unwrap().unwrap();
        tree.insert(&key, &[0u8, 1, 0, 0xff, 0xfe, 0xfd][..])
            .unwrap();
        db.flush().unwrap();
        passerelle::domain::Id::from_slice(&key).unwrap()
    };
    let o = cli(&data, &["beneficiaires", "liste", "--json"]);
    let (out, err) = expect_exit(&o, 1, "liste with one undecodable file");
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 49);
    assert!(
        err.contains(&format!(
            "1 enregistrement illisible ignoré (dossier bénéficiaire {})",
            spoiled.short()
        )) && err.contains("passerelle verifier"),
        "{err}"
    );
    assert_no_internals(&err);
    let (out, _) = run_expect(&data, &["verifier"], 1);
    assert!(
        out.contains(&format!(
            "dossier bénéficiaire {} illisible (contenu endommagé)",
            spoiled.short()
        )),
        "{out}"
    );
}

#[test]
fn the_issue_reproduction_a_cut_right_after_demo_is_refused() {
    // `passerelle demo; truncate -s 115578 D/base/db; passerelle beneficiaires
    // liste --json` listed 27 of 50 files with exit 0 (no sled snapshot
    // exists yet right after the demo).
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    run_expect(&data, &["demo", "--nombre", "50"], 0);
    let db = data.join("base/db");
    assert!(std::fs::metadata(&db).unwrap().len() > 115_578);
    let f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.set_len(115_578).unwrap();
    drop(f);
    let before = tree_bytes(&data.join("base"));
    let (out, err) = run_expect(&data, &["beneficiaires", "liste", "--json"], 2);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("manquent :") && err.contains("dossiers"),
        "{err}"
    );
    assert_eq!(tree_bytes(&data.join("base")), before);
    // A later import is refused too, instead of landing on top.
    let csv = tmp.path().join("un.csv");
    std::fs::write(&csv, "nom;prenom\nDurand;Luc\n").unwrap();
    let (_, err) = run_expect(
        &data,
        &["beneficiaires", "import", csv.to_str().unwrap()],
        2,
    );
    assert!(err.contains("endommagée"), "{err}");
    assert_eq!(tree_bytes(&data.join("base")), before);
}
