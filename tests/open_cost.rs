//! What the damage check costs at open with 100 000 files (figures, not a
//! verdict; the start-up budget is 300 ms). Run on purpose, in release:
//!
//! ```sh
//! cargo test --release --test open_cost -- --ignored --nocapture
//! ```

mod common;

use passerelle::domain::{Beneficiary, Id, Meta};
use passerelle::store::{AnyRecord, Bulk, Store, Write};
use std::time::{Duration, Instant};

const FILES: u32 = 100_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore]
fn open_time_at_100_000_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("base");
    let started = Instant::now();
    {
        let store = Store::open(&dir).unwrap();
        let mut bulk = Bulk::new(&store, 5_000);
        for n in 0..FILES {
            let now = chrono::DateTime::from_timestamp(1_780_000_000 + i64::from(n), 0).unwrap();
            let mut b =
                Beneficiary::new(Id::generate(), "Mesure", "Ouverture", Meta::new(now, "x"));
            b.email = Some(format!("p{n}@exemple.invalid"));
            b.constraints = "Contraintes de test d'une longueur ordinaire".into();
            bulk.write(&[Write::Put(AnyRecord::from(b))], "").unwrap();
        }
        assert_eq!(bulk.finish().unwrap(), FILES as usize);
    }
    eprintln!(
        "{FILES} files written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // A store closed cleanly (sealed): the usual start-up.
    let mut sealed = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let s = Store::open_existing(&dir).unwrap();
        sealed.push(t.elapsed());
        assert_eq!(s.beneficiary_count().unwrap(), FILES as usize);
    }
    let size = passerelle::store::backup::dir_size(&dir);

    // After a crash (no seal): the store is checked on a copy first. A
    // copy of the directory has no seal, like a store after a kill.
    let mut unsealed = Vec::new();
    for n in 0..3 {
        let other = tmp.path().join(format!("apres-arret-{n}"));
        common::copy_tree(&dir, &other.join("base"));
        std::fs::copy(tmp.path().join("base.etat"), other.join("base.etat")).unwrap();
        let t = Instant::now();
        let s = Store::open_existing(&other.join("base")).unwrap();
        unsealed.push(t.elapsed());
        assert_eq!(s.beneficiary_count().unwrap(), FILES as usize);
    }
    eprintln!(
        "store of {:.1} Mo; open, sealed: median {:?} (of {:?}); open after a crash \
         (copy checked first): median {:?} (of {:?})",
        size as f64 / 1e6,
        median(sealed.clone()),
        sealed,
        median(unsealed.clone()),
        unsealed
    );
}
