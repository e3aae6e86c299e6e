//! Physical erasure (issue 7): after `beneficiaires supprimer ID --oui` and
//! after `purge`, no byte of the person's last name or e-mail is left in any
//! file of the data directory — read raw, like `grep -a` — except in
//! `sauvegardes/`.
//!
//! Backups are the stated exception (README, « Effacement »): a backup
//! made before the erasure still holds the person until it is rotated away
//! (`[sauvegardes] garder`, 7 automatic backups by default) or deleted by
//! hand; a restore of it erases the person again from the erasure register.

mod common;

use chrono::{DateTime, Days, Local, NaiveDate, Utc};
use common::{contains_bytes, run_expect, tree_bytes};
use passerelle::domain::*;
use passerelle::store::Store;
use std::path::Path;

fn days_ago(n: u64) -> NaiveDate {
    Local::now()
        .date_naive()
        .checked_sub_days(Days::new(n))
        .unwrap()
}

fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap().and_utc()
}

fn person(last: &str, email: &str, created: NaiveDate) -> Beneficiary {
    let mut b = Beneficiary::new(
        Id::generate(),
        last,
        "Zoé",
        Meta::new(noon(created), "Test"),
    );
    b.email = Some(email.to_string());
    b.constraints = format!("Contrainte propre à {last}");
    b
}

fn interview(ben: Id, day: NaiveDate) -> Interview {
    Interview {
        id: Id::generate(),
        beneficiary: ben,
        at: noon(day),
        duration_minutes: 60,
        level: CepLevel::AccompagnementPersonnalise,
        mode: InterviewMode::OnSite,
        place: String::new(),
        topics: "pistes métiers".into(),
        summary: "Résumé".into(),
        decisions: String::new(),
        next_follow_up: None,
        planned: false,
        meta: Meta::new(noon(day), "Test"),
    }
}

/// Where the bytes of `needle` are found under `data` (outside
/// `sauvegardes/`).
fn found_in(data: &Path, needle: &str) -> Vec<String> {
    tree_bytes(data)
        .iter()
        .filter(|(p, _)| !p.starts_with(data.join("sauvegardes")))
        .filter(|(_, b)| contains_bytes(b, needle.as_bytes()))
        .map(|(p, _)| p.display().to_string())
        .collect()
}

/// A demo store plus two known people (one with an interview); the store
/// is closed when this returns.
fn store_with(data: &Path, people: &[&Beneficiary]) {
    run_expect(data, &["demo", "--nombre", "20"], 0);
    let s = Store::open(&Store::dir_in(data)).unwrap();
    for b in people {
        s.save_beneficiary(b).unwrap();
        s.save_interview(&interview(b.id, days_ago(1_100))).unwrap();
    }
    // Rewrite the file a few times: sled keeps superseded versions in
    // its pages, which is what makes erasure « physical » or not.
    for n in 0..3 {
        let mut b = people[0].clone();
        b.constraints = format!("Contrainte {n} propre à {}", b.last_name);
        s.save_beneficiary(&b).unwrap();
    }
}

#[test]
fn supprimer_leaves_no_byte_of_the_person_in_the_data_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let gone = person(
        "Zylberstein",
        "zoe.zylberstein@exemple.invalid",
        days_ago(30),
    );
    let kept = person("Keepwell", "zoe.keepwell@exemple.invalid", days_ago(30));
    store_with(&data, &[&gone, &kept]);
    // The test can fail: before, the bytes are there.
    for needle in ["Zylberstein", "zoe.zylberstein@exemple.invalid"] {
        assert!(!found_in(&data, needle).is_empty(), "{needle} not stored?");
    }

    let (out, _) = run_expect(
        &data,
        &["beneficiaires", "supprimer", &gone.id.to_string(), "--oui"],
        0,
    );
    assert!(out.contains("Effacement physique"), "{out}");
    for needle in ["Zylberstein", "zoe.zylberstein@exemple.invalid"] {
        assert_eq!(found_in(&data, needle), Vec::<String>::new(), "{needle}");
    }
    // Only that person: the other one is still stored, and the store is sound.
    assert!(!found_in(&data, "zoe.keepwell@exemple.invalid").is_empty());
    assert_eq!(common::listed_ids(&data).len(), 21);
    run_expect(&data, &["verifier"], 0);
}

#[test]
fn purge_leaves_no_byte_of_the_purged_person_in_the_data_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let mut old = person(
        "Vieuxnom",
        "ancien.vieuxnom@exemple.invalid",
        days_ago(1_200),
    );
    old.last_contact = Some(days_ago(1_100));
    old.status = Status::Closed {
        on: days_ago(1_100),
        reason: "projet abouti".into(),
    };
    let kept = person("Keepwell", "zoe.keepwell@exemple.invalid", days_ago(30));
    store_with(&data, &[&old, &kept]);
    for needle in ["Vieuxnom", "ancien.vieuxnom@exemple.invalid"] {
        assert!(!found_in(&data, needle).is_empty(), "{needle} not stored?");
    }

    let (out, _) = run_expect(&data, &["purge"], 0);
    assert!(out.contains("VIEUXNOM Zoé"), "{out}");
    assert!(out.contains("Effacement physique"), "{out}");
    for needle in ["Vieuxnom", "ancien.vieuxnom@exemple.invalid"] {
        assert_eq!(found_in(&data, needle), Vec::<String>::new(), "{needle}");
    }
    assert!(!found_in(&data, "zoe.keepwell@exemple.invalid").is_empty());
    // The backup made before the purge still holds the person (the
    // documented exception, gone when rotated).
    let backups = tree_bytes(&data.join("sauvegardes"));
    assert!(!backups.is_empty(), "no backup before the purge");
    run_expect(&data, &["verifier"], 0);
}
