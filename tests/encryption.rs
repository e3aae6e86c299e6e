//! Encryption at rest: a store encrypted under a passphrase keeps no name,
//! e-mail or interview text in any file of the data directory (backups
//! included); a wrong passphrase changes nothing; changing it keeps the
//! records; a locked store reads nothing.

mod common;

use chrono::{DateTime, NaiveDate};
use common::{contains_bytes, tree_bytes};
use passerelle::domain::*;
use passerelle::store::crypto::{KdfParams, Secret};
use passerelle::store::{AnyRecord, Protection, Store, StoreError, Write};
use std::path::Path;

const NAME: &str = "Zorglubienne";
const EMAIL: &str = "zorglubienne@exemple.invalid";
const SUMMARY: &str = "Projet de reconversion vers la menuiserie d'art";

fn stamp() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
}

fn populate(s: &Store) -> Id {
    let t = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
    let mut b = Beneficiary::new(Id::generate(), NAME, "Léa", Meta::new(t, "Camille"));
    b.email = Some(EMAIL.into());
    let i = Interview {
        id: Id::generate(),
        beneficiary: b.id,
        at: t,
        duration_minutes: 60,
        level: CepLevel::AccompagnementPersonnalise,
        mode: InterviewMode::OnSite,
        place: String::new(),
        topics: String::new(),
        summary: SUMMARY.into(),
        decisions: String::new(),
        next_follow_up: None,
        planned: false,
        meta: Meta::new(t, "Camille"),
    };
    let id = b.id;
    s.apply(&[
        Write::Put(AnyRecord::from(b)),
        Write::Put(AnyRecord::from(i)),
    ])
    .unwrap();
    id
}

/// Where a secret of the test person is found in the data directory.
fn leaks(data: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (path, bytes) in tree_bytes(data) {
        for secret in [NAME, EMAIL, SUMMARY] {
            if contains_bytes(&bytes, secret.as_bytes()) {
                out.push(format!("{secret} in {}", path.display()));
            }
        }
        // Backups are gzip: look inside them too.
        if path.extension().is_some_and(|e| e == "sauvegarde") {
            let mut plain = Vec::new();
            use std::io::Read;
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut plain)
                .unwrap();
            for secret in [NAME, EMAIL, SUMMARY] {
                if contains_bytes(&plain, secret.as_bytes()) {
                    out.push(format!("{secret} inside {}", path.display()));
                }
            }
        }
    }
    out
}

#[test]
fn an_encrypted_store_leaks_nothing_and_opens_only_with_its_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let dir = Store::dir_in(&data);
    let pass = Secret::new("le chat dort sur 3 coussins");

    // A clear store with a person and a clear backup: the test can fail.
    let s = Store::open(&dir).unwrap();
    assert_eq!(s.protection().unwrap(), Protection::Clear);
    let id = populate(&s);
    s.backup("manuelle", stamp()).unwrap();
    assert!(!leaks(&data).is_empty(), "the clear store shows the person");

    // Encrypting rewrites the store and the backups.
    let s = s
        .encrypt_with(&pass, KdfParams::FAST_FOR_TESTS, stamp())
        .unwrap();
    assert_eq!(s.protection().unwrap(), Protection::Encrypted);
    assert_eq!(s.beneficiary(id).unwrap().unwrap().last_name, NAME);
    // Edits, a backup and an erasure of another person: still nothing.
    let other = populate(&s);
    s.backup("manuelle", stamp()).unwrap();
    s.erase_beneficiary(other).unwrap();
    let (s, _) = passerelle::store::backup::compact(s).unwrap();
    drop(s);
    assert_eq!(leaks(&data), Vec::<String>::new());

    // Reopened: locked until unlocked; a wrong passphrase writes nothing.
    let before = tree_bytes(&dir);
    let s = Store::open(&dir).unwrap();
    assert!(s.is_locked());
    assert!(matches!(s.beneficiary(id), Err(StoreError::KeyRequired)));
    let e = s
        .unlock(&Secret::new("le chat dort sur 4 coussins"))
        .unwrap_err();
    assert!(matches!(e, StoreError::WrongPassphrase), "{e:?}");
    assert!(e.to_string().contains("rien n'a été modifié"), "{e}");
    s.unlock(&pass).unwrap();
    assert_eq!(
        s.beneficiary(id).unwrap().unwrap().email.as_deref(),
        Some(EMAIL)
    );
    drop(s);
    let after = tree_bytes(&dir);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );

    // The idle lock drops the key; unlocking brings it back.
    let s = Store::open(&dir).unwrap();
    s.unlock(&pass).unwrap();
    s.forget_key();
    assert!(s.is_locked());
    assert!(s.beneficiary(id).is_err());
    s.unlock(&pass).unwrap();

    // A new passphrase: the old one no longer opens, the records stay.
    let new = Secret::new("une toute autre phrase secrète");
    s.change_passphrase(&pass, &new).unwrap();
    drop(s);
    let s = Store::open(&dir).unwrap();
    assert!(matches!(s.unlock(&pass), Err(StoreError::WrongPassphrase)));
    s.unlock(&new).unwrap();
    assert_eq!(s.beneficiary(id).unwrap().unwrap().last_name, NAME);
    drop(s);

    // A backup made before the passphrase change restores an encrypted
    // store that opens with today's passphrase; the person erased since
    // is erased again.
    let (backups, _) = passerelle::store::backup::list(&data.join("sauvegardes")).unwrap();
    let with_other = backups
        .iter()
        .find(|b| b.files() == 2)
        .expect("the backup holding both persons");
    let paths = passerelle::store::files::StorePaths::new(&dir);
    let r =
        passerelle::store::backup::restore(&with_other.path, &paths, stamp(), Some(&new)).unwrap();
    assert_eq!(r.erased_again, 1);
    let s = Store::open(&dir).unwrap();
    assert_eq!(s.protection().unwrap(), Protection::Encrypted);
    assert!(s.is_locked());
    assert!(matches!(s.unlock(&pass), Err(StoreError::WrongPassphrase)));
    s.unlock(&new).unwrap();
    assert_eq!(s.beneficiaries().unwrap().records.len(), 1);
    assert_eq!(s.beneficiary(other).unwrap(), None);
    drop(s);
    assert_eq!(leaks(&data), Vec::<String>::new());
}

#[test]
fn an_empty_store_is_encrypted_in_place_and_a_demo_stays_clear_by_choice() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Store::dir_in(tmp.path());
    let s = Store::open(&dir).unwrap();
    let s = s
        .encrypt_with(
            &Secret::new("phrase de test assez longue"),
            KdfParams::FAST_FOR_TESTS,
            stamp(),
        )
        .unwrap();
    let id = populate(&s);
    assert_eq!(s.beneficiary(id).unwrap().unwrap().last_name, NAME);
    drop(s);
    assert_eq!(leaks(tmp.path()), Vec::<String>::new());

    let tmp = tempfile::tempdir().unwrap();
    let s = Store::open(&Store::dir_in(tmp.path())).unwrap();
    s.mark_demo().unwrap();
    assert_eq!(s.protection().unwrap(), Protection::Demo);
}

/// `phrase-secrete changer` killed (SIGKILL) at seeded random moments:
/// after every kill the store opens with the old or the new passphrase —
/// never neither — and every record is still there.
#[test]
fn rekeying_killed_at_random_moments_leaves_one_working_passphrase() {
    use std::time::Duration;
    const KILLS: usize = 24;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    let phrases = [
        "première phrase secrète du test",
        "seconde phrase secrète, bien différente",
    ];
    {
        let s = Store::open(&Store::dir_in(data)).unwrap();
        let s = s
            .encrypt_with(&Secret::new(phrases[0]), KdfParams::FAST_FOR_TESTS, stamp())
            .unwrap();
        populate(&s);
    }
    // One uninterrupted change measures how long a run takes here, so that
    // the kills spread over the whole run (start, derivation, write).
    let t0 = std::time::Instant::now();
    let done = common::command(data, &["phrase-secrete", "changer"])
        .env("PASSERELLE_PHRASE_SECRETE", phrases[0])
        .env("PASSERELLE_NOUVELLE_PHRASE_SECRETE", phrases[1])
        .output()
        .unwrap();
    assert!(done.status.success(), "{}", common::stderr(&done));
    let span = (t0.elapsed().as_millis() as u64 * 5 / 4).max(10);
    let mut current = 1usize;
    let mut rng: u64 = 0x5eed_2026_0011;
    let (mut old_kept, mut new_taken) = (0, 0);
    for kill in 0..KILLS {
        let (old, new) = (phrases[current], phrases[1 - current]);
        let mut child = common::command(data, &["phrase-secrete", "changer"])
            .env("PASSERELLE_PHRASE_SECRETE", old)
            .env("PASSERELLE_NOUVELLE_PHRASE_SECRETE", new)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        let delay = rng.wrapping_mul(0x2545_f491_4f6c_dd1d) % span;
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL (may have finished already)
        child.wait().unwrap();
        let s = Store::open(&Store::dir_in(data))
            .unwrap_or_else(|e| panic!("kill {kill} after {delay} ms: store refused: {e}"));
        let opened_with = [old, new]
            .iter()
            .position(|p| s.unlock(&Secret::new(*p)).is_ok())
            .unwrap_or_else(|| panic!("kill {kill} after {delay} ms: neither passphrase opens"));
        assert_eq!(
            s.beneficiary_count().unwrap(),
            1,
            "kill {kill}: records lost"
        );
        assert!(s.beneficiaries().unwrap().damaged.is_empty(), "kill {kill}");
        if opened_with == 1 {
            new_taken += 1;
            current = 1 - current;
        } else {
            old_kept += 1;
        }
    }
    eprintln!(
        "{KILLS} kills over {span} ms runs: old passphrase kept {old_kept}×, new one taken \
         {new_taken}×"
    );
}
