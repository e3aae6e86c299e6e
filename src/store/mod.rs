//! Persistence on sled.
//!
//! One `sled::Db` per data directory, one tree per record kind, secondary
//! index trees, a change journal and a few settings. Every write that touches
//! a record also updates its index entries and appends a journal entry **in
//! the same sled transaction**, then flushes before returning, so a save
//! the user confirmed is on disk when the UI says « enregistré ».
//!
//! Trees (keys are ids / dates / sequence numbers, never personal data):
//!
//! | tree | key | value |
//! |---|---|---|
//! | `meta` | `format` | store format, u16 BE |
//! | `beneficiaries` | id | envelope(Beneficiary) |
//! | `interviews` / `plans` / `immersions` | id | envelope(record) |
//! | `idx_follow_up` | day(next_follow_up) ++ beneficiary id | empty |
//! | `idx_interviews_by_beneficiary` | beneficiary id ++ interview id | empty |
//! | `idx_interviews_by_date` | instant(at) ++ interview id | empty |
//! | `idx_plans_by_beneficiary` | beneficiary id ++ plan id | empty |
//! | `idx_immersions_by_beneficiary` | beneficiary id ++ immersion id | empty |
//! | `journal` | seq u64 BE (`generate_id`, insertion order) | envelope(JournalEntry) |
//! | `idx_journal_by_beneficiary` | beneficiary id ++ seq | empty |
//! | `settings` | `recent` | envelope(RecentList) |
//! | `referentiel` | `h` / `f`++u32 BE / `a`++u32 BE | header / fiche / appellation |
//!
//! Ids are 16 bytes (UUIDv7, big-endian); `day` / `instant` keys are
//! sign-flipped big-endian (see [`keys`]). Values use the versioned envelope
//! of [`codec`]; version dispatch and migrations live in [`legacy`].
//!
//! Writes are serialised by a mutex inside the `Store` (reads are not), so
//! the scans an erasure makes before its transaction cannot race another
//! write from this process; sled's file lock keeps other processes out.

pub mod codec;
pub mod error;
pub mod journal;
pub mod keys;
pub mod kind;
pub mod legacy;
pub mod record;

pub use error::StoreError;
pub use journal::{changed_fields, JournalEntry, Op};
pub use kind::RecordKind;
pub use record::{AnyRecord, Damaged, Scan, Write, PERSON_KINDS};

use crate::domain::{
    Appellation, Beneficiary, Id, Immersion, Interview, Meta, Plan, Referentiel, RomeFiche,
};
use chrono::{DateTime, NaiveDate, Utc};
use codec::{decode, encode, Stored};
use legacy::{current, RecentList, ReferentielHeader};
use sled::transaction::{
    ConflictableTransactionError, ConflictableTransactionResult, TransactionError,
    TransactionalTree,
};
use sled::{IVec, Transactional, Tree};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long [`Store::open`] retries while the directory is locked.
pub const LOCK_WAIT: Duration = Duration::from_millis(1000);

// Positions of the transactional trees in `Store::tx_trees`.
const BEN: usize = 0;
const INT: usize = 1;
const PLAN: usize = 2;
const IMM: usize = 3;
const IDX_FOLLOW_UP: usize = 4;
const IDX_INT_BY_BEN: usize = 5;
const IDX_INT_BY_DATE: usize = 6;
const IDX_PLAN_BY_BEN: usize = 7;
const IDX_IMM_BY_BEN: usize = 8;
const JOURNAL: usize = 9;
const IDX_JOURNAL_BY_BEN: usize = 10;
const SETTINGS: usize = 11;

/// Names of the transactional trees, in the order of the constants above.
const TX_TREE_NAMES: [&str; 12] = [
    "beneficiaries",
    "interviews",
    "plans",
    "immersions",
    "idx_follow_up",
    "idx_interviews_by_beneficiary",
    "idx_interviews_by_date",
    "idx_plans_by_beneficiary",
    "idx_immersions_by_beneficiary",
    "journal",
    "idx_journal_by_beneficiary",
    "settings",
];
const META_TREE: &str = "meta";
const REFERENTIEL_TREE: &str = "referentiel";
const FORMAT_KEY: &[u8] = b"format";
const RECENT_KEY: &[u8] = b"recent";

/// `(tree name, key, value)`, see [`Store::dump`].
pub type DumpRow = (String, Vec<u8>, Vec<u8>);

/// What an erasure removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErasureReport {
    pub beneficiary: bool,
    pub interviews: usize,
    pub plans: usize,
    pub immersions: usize,
    pub journal_entries: usize,
    pub index_entries: usize,
    /// The file was in the recent list and was removed from it.
    pub recent: bool,
}

/// The data store. `Send + Sync`; share it behind an `Arc` if needed.
pub struct Store {
    db: sled::Db,
    path: PathBuf,
    tx_trees: Vec<Tree>,
    referentiel: Tree,
    write: Mutex<()>,
}

type TxResult<T> = ConflictableTransactionResult<T, StoreError>;

fn abort<T>(r: Result<T, StoreError>) -> TxResult<T> {
    r.map_err(ConflictableTransactionError::Abort)
}

/// A stored record that belongs to a beneficiary (or is one).
trait Record: Stored + Clone + PartialEq {
    const TREE: usize;
    fn id(&self) -> Id;
    fn beneficiary(&self) -> Id;
    fn meta(&self) -> &Meta;
    /// Secondary index entries `(tree, key)`; values are empty.
    fn index_keys(&self) -> Vec<(usize, Vec<u8>)>;
}

impl Record for Beneficiary {
    const TREE: usize = BEN;
    fn id(&self) -> Id {
        self.id
    }
    fn beneficiary(&self) -> Id {
        self.id
    }
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn index_keys(&self) -> Vec<(usize, Vec<u8>)> {
        self.next_follow_up
            .map(|d| (IDX_FOLLOW_UP, keys::cat(&keys::day(d), &self.id.0)))
            .into_iter()
            .collect()
    }
}

/// A record that hangs off a beneficiary; `|s| keys` gives its index entries.
macro_rules! child_record {
    ($ty:ty, $tree:expr, |$s:ident| $keys:expr) => {
        impl Record for $ty {
            const TREE: usize = $tree;
            fn id(&self) -> Id {
                self.id
            }
            fn beneficiary(&self) -> Id {
                self.beneficiary
            }
            fn meta(&self) -> &Meta {
                &self.meta
            }
            fn index_keys(&self) -> Vec<(usize, Vec<u8>)> {
                let $s = self;
                $keys
            }
        }
    };
}

child_record!(Interview, INT, |s| vec![
    (IDX_INT_BY_BEN, keys::cat(&s.beneficiary.0, &s.id.0)),
    (IDX_INT_BY_DATE, keys::cat(&keys::instant(s.at), &s.id.0)),
]);
child_record!(Plan, PLAN, |s| vec![(
    IDX_PLAN_BY_BEN,
    keys::cat(&s.beneficiary.0, &s.id.0)
)]);
child_record!(Immersion, IMM, |s| vec![(
    IDX_IMM_BY_BEN,
    keys::cat(&s.beneficiary.0, &s.id.0)
)]);

/// Appends a journal entry and its index entry inside a transaction.
fn append_journal(t: &[TransactionalTree], e: &JournalEntry) -> TxResult<()> {
    let bytes = abort(encode(e))?;
    let seq = t[JOURNAL].generate_id()?.to_be_bytes();
    t[JOURNAL].insert(&seq, bytes)?;
    t[IDX_JOURNAL_BY_BEN].insert(keys::cat(&e.beneficiary.0, &seq), IVec::default())?;
    Ok(())
}

/// Inside a transaction: writes `r` (already encoded as `bytes`) with its
/// index entries and a journal entry. Returns false when the stored record
/// is identical (nothing written).
fn put_tx<T: Record>(t: &[TransactionalTree], r: &T, bytes: &[u8], note: &str) -> TxResult<bool> {
    let id = r.id();
    if T::KIND != RecordKind::Beneficiary && t[BEN].get(r.beneficiary().0)?.is_none() {
        return Err(ConflictableTransactionError::Abort(StoreError::NotFound {
            kind: RecordKind::Beneficiary,
            id: r.beneficiary(),
        }));
    }
    let old: Option<T> = match t[T::TREE].get(id.0)? {
        Some(v) => Some(abort(decode(&v))?),
        None => None,
    };
    if old.as_ref() == Some(r) {
        return Ok(false);
    }
    let new_keys = r.index_keys();
    if let Some(old) = &old {
        for (tree, key) in old.index_keys() {
            if !new_keys.contains(&(tree, key.clone())) {
                t[tree].remove(key)?;
            }
        }
    }
    for (tree, key) in &new_keys {
        t[*tree].insert(key.as_slice(), IVec::default())?;
    }
    t[T::TREE].insert(&id.0, bytes)?;
    append_journal(
        t,
        &JournalEntry {
            at: r.meta().updated_at,
            advisor: r.meta().advisor.clone(),
            kind: T::KIND,
            id,
            beneficiary: r.beneficiary(),
            op: if old.is_some() {
                Op::Updated
            } else {
                Op::Created
            },
            fields: changed_fields(old.as_ref(), r),
            note: note.to_string(),
        },
    )?;
    Ok(true)
}

/// Inside a transaction: deletes a record with its index entries and
/// journals it; returns the deleted record.
fn delete_tx<T: Record>(
    t: &[TransactionalTree],
    id: Id,
    at: DateTime<Utc>,
    advisor: &str,
    note: &str,
) -> TxResult<T> {
    let old: T = match t[T::TREE].remove(&id.0)? {
        Some(v) => abort(decode(&v))?,
        None => {
            return Err(ConflictableTransactionError::Abort(StoreError::NotFound {
                kind: T::KIND,
                id,
            }))
        }
    };
    for (tree, key) in old.index_keys() {
        t[tree].remove(key)?;
    }
    append_journal(
        t,
        &JournalEntry {
            at,
            advisor: advisor.to_string(),
            kind: T::KIND,
            id,
            beneficiary: old.beneficiary(),
            op: Op::Deleted,
            fields: Vec::new(),
            note: note.to_string(),
        },
    )?;
    Ok(old)
}

fn is_lock_error(e: &sled::Error) -> bool {
    match e {
        sled::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::WouldBlock
                || io.to_string().contains("could not acquire lock")
        }
        _ => false,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

impl Store {
    /// Opens (creating it if missing) the store in `dir`.
    ///
    /// Errors: [`StoreError::Locked`] when another process holds the
    /// directory, [`StoreError::NewerStore`] when a newer Passerelle wrote it,
    /// [`StoreError::Open`] / [`StoreError::CreateDir`] otherwise. Never panics.
    ///
    /// A lock conflict is retried for [`LOCK_WAIT`]: when a `Store` of this
    /// process was just dropped, sled's background threads may still hold
    /// the locked file for a few milliseconds.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_waiting(dir, LOCK_WAIT)
    }

    /// [`Store::open`] with an explicit wait on a lock conflict.
    pub fn open_waiting(dir: &Path, lock_wait: Duration) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let deadline = Instant::now() + lock_wait;
        let db = loop {
            match sled::Config::new().path(dir).open() {
                Ok(db) => break db,
                Err(e) if is_lock_error(&e) => {
                    if Instant::now() >= deadline {
                        return Err(StoreError::Locked {
                            path: dir.to_path_buf(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(source) => {
                    return Err(StoreError::Open {
                        path: dir.to_path_buf(),
                        source,
                    })
                }
            }
        };

        // Check the store format before creating any other tree.
        let meta = db.open_tree(META_TREE)?;
        match meta.get(FORMAT_KEY)? {
            None => {
                meta.insert(FORMAT_KEY, &current::STORE_FORMAT.to_be_bytes())?;
                db.flush()?;
            }
            Some(v) => {
                let found = <[u8; 2]>::try_from(v.as_ref())
                    .map(u16::from_be_bytes)
                    .map_err(|_| StoreError::Corrupt {
                        kind: RecordKind::Setting,
                        detail: "numéro de format du stockage illisible".into(),
                    })?;
                if found > current::STORE_FORMAT {
                    return Err(StoreError::NewerStore {
                        path: dir.to_path_buf(),
                        found,
                        supported: current::STORE_FORMAT,
                    });
                }
                if found < current::STORE_FORMAT {
                    legacy::migrate_store(&db, found)?;
                    meta.insert(FORMAT_KEY, &current::STORE_FORMAT.to_be_bytes())?;
                    db.flush()?;
                }
            }
        }

        let tx_trees = TX_TREE_NAMES
            .iter()
            .map(|n| db.open_tree(n))
            .collect::<Result<Vec<_>, _>>()?;
        let referentiel = db.open_tree(REFERENTIEL_TREE)?;
        Ok(Store {
            db,
            path: dir.to_path_buf(),
            tx_trees,
            referentiel,
            write: Mutex::new(()),
        })
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes every write so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in one sled transaction over all the transactional trees.
    fn tx<R>(&self, f: impl Fn(&[TransactionalTree]) -> TxResult<R>) -> Result<R, StoreError> {
        self.tx_trees[..]
            .transaction(|t: &Vec<TransactionalTree>| f(t))
            .map_err(|e| match e {
                TransactionError::Abort(e) => e,
                TransactionError::Storage(e) => StoreError::Sled(e),
            })
    }

    fn get<T: Stored>(&self, tree: usize, key: &[u8]) -> Result<Option<T>, StoreError> {
        match self.tx_trees[tree].get(key)? {
            Some(v) => decode(&v).map(Some),
            None => Ok(None),
        }
    }

    /// Every record of a tree. One that does not decode is reported in
    /// [`Scan::damaged`] (and logged) and skipped; only a failure of the
    /// database itself is an error.
    fn all<T: Stored>(&self, tree: usize) -> Result<Scan<T>, StoreError> {
        let mut scan = Scan::default();
        for kv in self.tx_trees[tree].iter() {
            let (k, v) = kv?;
            match decode(&v) {
                Ok(r) => scan.records.push(r),
                Err(e) => {
                    let id = Id::from_slice(&k);
                    tracing::error!(
                        "undecodable {:?} record {}: {e}",
                        T::KIND,
                        id.map(|i| i.short()).unwrap_or_else(|| "?".into())
                    );
                    scan.damaged.push(Damaged {
                        kind: T::KIND,
                        id,
                        reason: e.to_string(),
                    });
                }
            }
        }
        Ok(scan)
    }

    /// Ids (key suffixes) under `prefix` in an index tree.
    fn ids_with_prefix(&self, tree: usize, prefix: &[u8]) -> Result<Vec<Id>, StoreError> {
        let mut out = Vec::new();
        for kv in self.tx_trees[tree].scan_prefix(prefix) {
            if let Some(id) = keys::id_suffix(&kv?.0) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Loads the records of `tree` whose ids are listed in `index` under
    /// the beneficiary's prefix.
    fn children<T: Record>(&self, index: usize, beneficiary: Id) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        for id in self.ids_with_prefix(index, &beneficiary.0)? {
            if let Some(r) = self.get::<T>(T::TREE, &id.0)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Insert or update: record + index entries + journal entry in one
    /// transaction, then flush. Saving an identical record is a no-op.
    fn save<T: Record>(&self, r: &T) -> Result<(), StoreError> {
        if self.save_unflushed(r)? {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes a record (with its indexes and journal entry) in one
    /// transaction, without flushing; returns whether anything changed.
    fn save_unflushed<T: Record>(&self, r: &T) -> Result<bool, StoreError> {
        let _w = self.lock();
        let bytes = encode(r)?;
        self.tx(|t| put_tx(t, r, &bytes, ""))
    }

    /// Deletes a record with its index entries, journals it, flushes, and
    /// returns the deleted record (for undo).
    fn delete<T: Record>(&self, id: Id, at: DateTime<Utc>, advisor: &str) -> Result<T, StoreError> {
        let _w = self.lock();
        let old = self.tx(|t| delete_tx::<T>(t, id, at, advisor, ""))?;
        self.flush()?;
        Ok(old)
    }

    /// Applies several writes (records of any person-owned kind, see
    /// [`AnyRecord`]) in **one** transaction, then flushes: either all of
    /// them are durable when this returns `Ok`, or none was made.
    /// Deleting a record that does not exist is [`StoreError::NotFound`].
    pub fn apply(&self, writes: &[Write]) -> Result<(), StoreError> {
        self.apply_noted(writes, "")
    }

    /// [`Store::apply`] with a note for the change journal, written on
    /// every entry of the transaction: what the change was, in French,
    /// **without personal data** (« ajout du métier cible Aide-soignant
    /// (J1501) »). The timeline shows it.
    pub fn apply_noted(&self, writes: &[Write], note: &str) -> Result<(), StoreError> {
        if self.apply_unflushed(writes, note)? {
            self.flush()?;
        }
        Ok(())
    }

    /// [`Store::apply_noted`] without the flush, for bulk operations that
    /// flush in batches; returns whether anything changed.
    pub fn apply_unflushed(&self, writes: &[Write], note: &str) -> Result<bool, StoreError> {
        let _w = self.lock();
        // Encode outside the transaction (which may be retried).
        let encoded = writes
            .iter()
            .map(|w| match w {
                Write::Put(r) => match r {
                    AnyRecord::Beneficiary(x) => encode(x.as_ref()),
                    AnyRecord::Interview(x) => encode(x.as_ref()),
                    AnyRecord::Plan(x) => encode(x.as_ref()),
                    AnyRecord::Immersion(x) => encode(x.as_ref()),
                }
                .map(Some),
                Write::Delete { .. } => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.tx(|t| {
            let mut changed = false;
            for (w, bytes) in writes.iter().zip(&encoded) {
                let bytes = bytes.as_deref().unwrap_or_default();
                changed |= match w {
                    Write::Put(AnyRecord::Beneficiary(r)) => put_tx(t, r.as_ref(), bytes, note)?,
                    Write::Put(AnyRecord::Interview(r)) => put_tx(t, r.as_ref(), bytes, note)?,
                    Write::Put(AnyRecord::Plan(r)) => put_tx(t, r.as_ref(), bytes, note)?,
                    Write::Put(AnyRecord::Immersion(r)) => put_tx(t, r.as_ref(), bytes, note)?,
                    Write::Delete {
                        kind,
                        id,
                        at,
                        advisor,
                    } => {
                        match kind {
                            RecordKind::Beneficiary => {
                                delete_tx::<Beneficiary>(t, *id, *at, advisor, note).map(|_| ())?
                            }
                            RecordKind::Interview => {
                                delete_tx::<Interview>(t, *id, *at, advisor, note).map(|_| ())?
                            }
                            RecordKind::Plan => {
                                delete_tx::<Plan>(t, *id, *at, advisor, note).map(|_| ())?
                            }
                            RecordKind::Immersion => {
                                delete_tx::<Immersion>(t, *id, *at, advisor, note).map(|_| ())?
                            }
                            other => {
                                return Err(ConflictableTransactionError::Abort(
                                    StoreError::Corrupt {
                                        kind: *other,
                                        detail: "ce type d'enregistrement ne se supprime pas ainsi"
                                            .into(),
                                    },
                                ))
                            }
                        }
                        true
                    }
                };
            }
            Ok(changed)
        })
    }

    /// The stored version of a person-owned record, if any.
    pub fn get_any(&self, kind: RecordKind, id: Id) -> Result<Option<AnyRecord>, StoreError> {
        Ok(match kind {
            RecordKind::Beneficiary => self.beneficiary(id)?.map(AnyRecord::from),
            RecordKind::Interview => self.interview(id)?.map(AnyRecord::from),
            RecordKind::Plan => self.plan(id)?.map(AnyRecord::from),
            RecordKind::Immersion => self.immersion(id)?.map(AnyRecord::from),
            _ => None,
        })
    }

    // ----- beneficiaries -------------------------------------------------

    /// Creates or updates a file (record, follow-up index, journal), flushed.
    pub fn save_beneficiary(&self, b: &Beneficiary) -> Result<(), StoreError> {
        self.save(b)
    }

    /// Like [`Store::save_beneficiary`], each record still in its own
    /// transaction, but without the flush: for bulk imports, which call
    /// [`Store::flush`] once before reporting anything as saved.
    pub fn save_beneficiary_unflushed(&self, b: &Beneficiary) -> Result<(), StoreError> {
        self.save_unflushed(b).map(|_| ())
    }

    /// Bulk counterpart of [`Store::save_interview`]; see
    /// [`Store::save_beneficiary_unflushed`].
    pub fn save_interview_unflushed(&self, i: &Interview) -> Result<(), StoreError> {
        self.save_unflushed(i).map(|_| ())
    }

    pub fn beneficiary(&self, id: Id) -> Result<Option<Beneficiary>, StoreError> {
        self.get(BEN, &id.0)
    }

    /// All files, in id (= creation time) order; unreadable ones are
    /// reported apart (see [`Scan`]).
    pub fn beneficiaries(&self) -> Result<Scan<Beneficiary>, StoreError> {
        self.all(BEN)
    }

    pub fn beneficiary_count(&self) -> Result<usize, StoreError> {
        Ok(self.tx_trees[BEN].len())
    }

    /// `(next follow-up date, beneficiary)` for every follow-up on or before
    /// `day`, oldest first (from the date index; open and closed files).
    pub fn follow_ups_until(&self, day: NaiveDate) -> Result<Vec<(NaiveDate, Id)>, StoreError> {
        let end = keys::cat(&keys::day(day), &[0xff; 16]);
        let mut out = Vec::new();
        for kv in self.tx_trees[IDX_FOLLOW_UP].range(..=end) {
            let (k, _) = kv?;
            match (keys::day_from(&k), keys::id_suffix(&k)) {
                (Some(d), Some(id)) if k.len() == 20 => out.push((d, id)),
                _ => {
                    return Err(StoreError::Corrupt {
                        kind: RecordKind::Beneficiary,
                        detail: "entrée d'index des relances invalide".into(),
                    })
                }
            }
        }
        Ok(out)
    }

    // ----- interviews ----------------------------------------------------

    /// Creates or updates an interview; its beneficiary must exist.
    pub fn save_interview(&self, i: &Interview) -> Result<(), StoreError> {
        self.save(i)
    }

    pub fn interview(&self, id: Id) -> Result<Option<Interview>, StoreError> {
        self.get(INT, &id.0)
    }

    /// Deletes an interview; `at` / `advisor` go to the journal.
    pub fn delete_interview(
        &self,
        id: Id,
        at: DateTime<Utc>,
        advisor: &str,
    ) -> Result<Interview, StoreError> {
        self.delete(id, at, advisor)
    }

    /// The beneficiary's interviews, newest first.
    pub fn interviews_of(&self, beneficiary: Id) -> Result<Vec<Interview>, StoreError> {
        let mut v: Vec<Interview> = self.children(IDX_INT_BY_BEN, beneficiary)?;
        v.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        Ok(v)
    }

    /// All interviews with `from <= at <= to`, oldest first (date index).
    pub fn interviews_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Interview>, StoreError> {
        let start = keys::cat(&keys::instant(from), &[0; 16]);
        let end = keys::cat(&keys::instant(to), &[0xff; 16]);
        let mut out = Vec::new();
        if start > end {
            return Ok(out);
        }
        for kv in self.tx_trees[IDX_INT_BY_DATE].range(start..=end) {
            if let Some(id) = keys::id_suffix(&kv?.0) {
                if let Some(i) = self.interview(id)? {
                    out.push(i);
                }
            }
        }
        Ok(out)
    }

    // ----- plans ---------------------------------------------------------

    pub fn save_plan(&self, p: &Plan) -> Result<(), StoreError> {
        self.save(p)
    }

    pub fn plan(&self, id: Id) -> Result<Option<Plan>, StoreError> {
        self.get(PLAN, &id.0)
    }

    pub fn delete_plan(
        &self,
        id: Id,
        at: DateTime<Utc>,
        advisor: &str,
    ) -> Result<Plan, StoreError> {
        self.delete(id, at, advisor)
    }

    /// The beneficiary's plans, oldest first (id order).
    pub fn plans_of(&self, beneficiary: Id) -> Result<Vec<Plan>, StoreError> {
        self.children(IDX_PLAN_BY_BEN, beneficiary)
    }

    /// Every plan (for the overdue steps of the home screen).
    pub fn plans(&self) -> Result<Scan<Plan>, StoreError> {
        self.all(PLAN)
    }

    // ----- immersions ----------------------------------------------------

    pub fn save_immersion(&self, i: &Immersion) -> Result<(), StoreError> {
        self.save(i)
    }

    pub fn immersion(&self, id: Id) -> Result<Option<Immersion>, StoreError> {
        self.get(IMM, &id.0)
    }

    pub fn delete_immersion(
        &self,
        id: Id,
        at: DateTime<Utc>,
        advisor: &str,
    ) -> Result<Immersion, StoreError> {
        self.delete(id, at, advisor)
    }

    /// The beneficiary's immersions by start date.
    pub fn immersions_of(&self, beneficiary: Id) -> Result<Vec<Immersion>, StoreError> {
        let mut v: Vec<Immersion> = self.children(IDX_IMM_BY_BEN, beneficiary)?;
        v.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
        Ok(v)
    }

    /// Every immersion (agenda).
    pub fn immersions(&self) -> Result<Scan<Immersion>, StoreError> {
        self.all(IMM)
    }

    // ----- erasure -------------------------------------------------------

    /// Erases a beneficiary and everything linked to it: interviews, plans,
    /// immersions, their index entries, every journal entry about them and
    /// the recent-list entry, in one transaction, then flushes.
    ///
    /// Besides the indexes, it sweeps the record and journal trees for any
    /// value that mentions the id, so nothing is left even if an index was
    /// damaged. [`StoreError::NotFound`] when there was nothing to erase.
    ///
    /// Note: sled keeps superseded pages in its log files until their
    /// segments are reused; the logical trees hold no trace.
    pub fn erase_beneficiary(&self, id: Id) -> Result<ErasureReport, StoreError> {
        let _w = self.lock();
        let ben = id.0;
        // 1. Plan the removals (writes are serialised by the lock).
        let mut children: [BTreeSet<Id>; 3] = Default::default(); // INT, PLAN, IMM
        for (i, (tree, index)) in [
            (INT, IDX_INT_BY_BEN),
            (PLAN, IDX_PLAN_BY_BEN),
            (IMM, IDX_IMM_BY_BEN),
        ]
        .into_iter()
        .enumerate()
        {
            children[i].extend(self.ids_with_prefix(index, &ben)?);
            for kv in self.tx_trees[tree].iter() {
                let (k, v) = kv?;
                if contains(&v, &ben) {
                    if let Some(cid) = Id::from_slice(&k) {
                        children[i].insert(cid);
                    }
                }
            }
        }
        let all_ids: BTreeSet<Id> = children
            .iter()
            .flatten()
            .copied()
            .chain(std::iter::once(id))
            .collect();
        let mut journal: BTreeSet<Vec<u8>> = BTreeSet::new();
        for kv in self.tx_trees[IDX_JOURNAL_BY_BEN].scan_prefix(ben) {
            let k = kv?.0;
            journal.insert(k[16..].to_vec());
        }
        for kv in self.tx_trees[JOURNAL].iter() {
            let (k, v) = kv?;
            if all_ids.iter().any(|i| contains(&v, &i.0)) {
                journal.insert(k.to_vec());
            }
        }
        // Index keys: by prefix (beneficiary) or by suffix (a removed id).
        let mut index_keys: Vec<(usize, IVec)> = Vec::new();
        for tree in [
            IDX_FOLLOW_UP,
            IDX_INT_BY_BEN,
            IDX_INT_BY_DATE,
            IDX_PLAN_BY_BEN,
            IDX_IMM_BY_BEN,
        ] {
            for kv in self.tx_trees[tree].iter() {
                let k = kv?.0;
                let hit = k.starts_with(&ben)
                    || keys::id_suffix(&k).is_some_and(|s| all_ids.contains(&s));
                if hit {
                    index_keys.push((tree, k));
                }
            }
        }
        for kv in self.tx_trees[IDX_JOURNAL_BY_BEN].iter() {
            let k = kv?.0;
            if k.starts_with(&ben) || journal.contains(k.get(16..).unwrap_or_default()) {
                index_keys.push((IDX_JOURNAL_BY_BEN, k));
            }
        }

        // 2. Remove everything in one transaction.
        let report = self.tx(|t| {
            let mut r = ErasureReport {
                beneficiary: t[BEN].remove(&ben)?.is_some(),
                ..ErasureReport::default()
            };
            for (i, tree) in [INT, PLAN, IMM].into_iter().enumerate() {
                let mut n = 0;
                for cid in &children[i] {
                    n += usize::from(t[tree].remove(&cid.0)?.is_some());
                }
                match tree {
                    INT => r.interviews = n,
                    PLAN => r.plans = n,
                    _ => r.immersions = n,
                }
            }
            for seq in &journal {
                r.journal_entries += usize::from(t[JOURNAL].remove(seq.as_slice())?.is_some());
            }
            for (tree, k) in &index_keys {
                r.index_entries += usize::from(t[*tree].remove(k)?.is_some());
            }
            if let Some(v) = t[SETTINGS].get(RECENT_KEY)? {
                let RecentList(mut ids) = abort(decode(&v))?;
                let before = ids.len();
                ids.retain(|i| *i != id);
                if ids.len() != before {
                    r.recent = true;
                    t[SETTINGS].insert(RECENT_KEY, abort(encode(&RecentList(ids)))?)?;
                }
            }
            Ok(r)
        })?;
        if report == ErasureReport::default() {
            return Err(StoreError::NotFound {
                kind: RecordKind::Beneficiary,
                id,
            });
        }
        self.flush()?;
        Ok(report)
    }

    // ----- journal -------------------------------------------------------

    /// Journal entries about a beneficiary and its records, newest first.
    pub fn journal_of(&self, beneficiary: Id) -> Result<Vec<JournalEntry>, StoreError> {
        let mut out = Vec::new();
        for kv in self.tx_trees[IDX_JOURNAL_BY_BEN]
            .scan_prefix(beneficiary.0)
            .rev()
        {
            let k = kv?.0;
            if let Some(v) = self.tx_trees[JOURNAL].get(&k[16..])? {
                out.push(decode(&v)?);
            }
        }
        Ok(out)
    }

    /// The last `limit` journal entries, newest first (audit view).
    pub fn journal_latest(&self, limit: usize) -> Result<Vec<JournalEntry>, StoreError> {
        self.tx_trees[JOURNAL]
            .iter()
            .rev()
            .take(limit)
            .map(|kv| decode(&kv?.1))
            .collect()
    }

    pub fn journal_len(&self) -> Result<usize, StoreError> {
        Ok(self.tx_trees[JOURNAL].len())
    }

    // ----- référentiel ROME ----------------------------------------------

    /// Replaces the stored referential atomically (one batch), then flushes.
    pub fn save_referentiel(&self, r: &Referentiel) -> Result<(), StoreError> {
        let _w = self.lock();
        let too_big = || StoreError::Corrupt {
            kind: RecordKind::Referentiel,
            detail: "trop de lignes".into(),
        };
        let header = ReferentielHeader {
            version: r.version.clone(),
            fiches: u32::try_from(r.fiches.len()).map_err(|_| too_big())?,
            appellations: u32::try_from(r.appellations.len()).map_err(|_| too_big())?,
        };
        let mut batch = sled::Batch::default();
        for kv in self.referentiel.iter() {
            batch.remove(kv?.0);
        }
        batch.insert(b"h".as_slice(), encode(&header)?);
        for (i, f) in r.fiches.iter().enumerate() {
            batch.insert(keys::cat(b"f", &(i as u32).to_be_bytes()), encode(f)?);
        }
        for (i, a) in r.appellations.iter().enumerate() {
            batch.insert(keys::cat(b"a", &(i as u32).to_be_bytes()), encode(a)?);
        }
        self.referentiel.apply_batch(batch)?;
        self.flush()
    }

    /// The imported referential, if any.
    pub fn referentiel(&self) -> Result<Option<Referentiel>, StoreError> {
        let Some(h) = self.referentiel.get(b"h")? else {
            return Ok(None);
        };
        let header: ReferentielHeader = decode(&h)?;
        let fiches = self
            .referentiel
            .scan_prefix(b"f")
            .map(|kv| decode::<RomeFiche>(&kv?.1))
            .collect::<Result<Vec<_>, _>>()?;
        let appellations = self
            .referentiel
            .scan_prefix(b"a")
            .map(|kv| decode::<Appellation>(&kv?.1))
            .collect::<Result<Vec<_>, _>>()?;
        if fiches.len() != header.fiches as usize
            || appellations.len() != header.appellations as usize
        {
            return Err(StoreError::Corrupt {
                kind: RecordKind::Referentiel,
                detail: "nombre de lignes différent de l'en-tête".into(),
            });
        }
        Ok(Some(Referentiel {
            version: header.version,
            fiches,
            appellations,
        }))
    }

    // ----- settings ------------------------------------------------------

    /// Replaces the recent files list (not flushed: sled writes it within
    /// half a second; losing it in a crash is harmless).
    pub fn set_recent(&self, ids: &[Id]) -> Result<(), StoreError> {
        let _w = self.lock();
        self.tx_trees[SETTINGS].insert(RECENT_KEY, encode(&RecentList(ids.to_vec()))?)?;
        Ok(())
    }

    pub fn recent(&self) -> Result<Vec<Id>, StoreError> {
        Ok(self
            .get::<RecentList>(SETTINGS, RECENT_KEY)?
            .map(|r| r.0)
            .unwrap_or_default())
    }

    // ----- diagnostics ---------------------------------------------------

    /// Every tree of the database (sled's default tree included) with its
    /// number of entries.
    pub fn tree_names_and_lengths(&self) -> Result<Vec<(String, usize)>, StoreError> {
        let mut out = Vec::new();
        for name in self.db.tree_names() {
            let tree = self.db.open_tree(&name)?;
            out.push((String::from_utf8_lossy(&name).into_owned(), tree.len()));
        }
        Ok(out)
    }

    /// Every `(tree name, key, value)` of the database: for tests and
    /// diagnostics (it reads everything into memory).
    pub fn dump(&self) -> Result<Vec<DumpRow>, StoreError> {
        let mut out = Vec::new();
        for name in self.db.tree_names() {
            let tree = self.db.open_tree(&name)?;
            let n = String::from_utf8_lossy(&name).into_owned();
            for kv in tree.iter() {
                let (k, v) = kv?;
                out.push((n.clone(), k.to_vec(), v.to_vec()));
            }
        }
        Ok(out)
    }

    /// Bytes used on disk, as sled counts them.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }
}

#[cfg(test)]
mod tests;
