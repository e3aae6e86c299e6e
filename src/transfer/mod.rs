//! Scripted data transfer and the person's rights (RGPD): CSV import of
//! beneficiaries, per-person JSON export (access / portability), retention
//! purge, and the fictional demonstration case load.
//!
//! Depends on `domain` and `store` only; the CLI (`cli::beneficiaires`) is a
//! thin layer over it. Time and id generation are injected so that tests are
//! deterministic.

pub mod agenda;
pub mod bench_store;
pub mod convention;
pub mod csv_out;
pub mod demo;
pub mod demo_agenda;
pub mod document;
pub mod export;
pub mod ics;
pub mod import;
pub mod purge;
pub mod synthese;
pub mod viewer;

/// Case- and accent-insensitive form used to compare names and headers:
/// the words mode of the application's one folding.
pub use crate::catalog::fold::normalized as fold;
use crate::domain::Id;
use chrono::{DateTime, Utc};

/// Where new record ids come from.
pub trait IdSource {
    /// A new id for a record created at `now`.
    fn next_id(&mut self, now: DateTime<Utc>) -> Id;
}

/// Real ids: fresh random UUIDv7 (the CLI uses these).
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn next_id(&mut self, _now: DateTime<Utc>) -> Id {
        Id::generate()
    }
}

/// Reproducible ids for tests: UUIDv7 at `now` with a counter as the
/// "random" part, so they are distinct and increasing.
#[derive(Clone, Copy, Debug, Default)]
pub struct SequentialIds {
    pub next: u64,
}

impl IdSource for SequentialIds {
    fn next_id(&mut self, now: DateTime<Utc>) -> Id {
        self.next += 1;
        let mut random = [0u8; 10];
        random[2..10].copy_from_slice(&self.next.to_be_bytes());
        Id::new_v7(now.timestamp_millis().max(0) as u64, random)
    }
}

impl<F: FnMut(DateTime<Utc>) -> Id> IdSource for F {
    fn next_id(&mut self, now: DateTime<Utc>) -> Id {
        self(now)
    }
}

/// A short id for people to read and type: the last 8 hex digits, which
/// are random bits of the UUIDv7. (The first 8 digits are the creation time
/// in units of ~65 s: files created together, e.g. by an import, share them.)
pub fn short_id(id: Id) -> String {
    id.short()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_differ_for_ids_made_in_the_same_second() {
        let a = Id::new_v7(1_780_000_000_000, [1; 10]);
        let b = Id::new_v7(1_780_000_000_000, [2; 10]);
        assert_ne!(short_id(a), short_id(b));
        assert_eq!(short_id(a).len(), 8);
        assert!(a.to_string().ends_with(&short_id(a)));
    }

    #[test]
    fn sequential_ids_are_distinct_and_increasing() {
        let now = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let mut ids = SequentialIds::default();
        let a = ids.next_id(now);
        let b = ids.next_id(now);
        assert!(a < b);
    }
}
