//! Persistence on sled.
//!
//! One `sled::Db` per store directory (`DATA/base`), one tree per record
//! kind, secondary index trees, a change journal and a few settings. Every
//! write that touches a record also updates its index entries, the record
//! counters and the generation, and appends a journal entry, **in the same
//! sled transaction**; then the store is flushed and the manifest beside it
//! (`DATA/base.etat`, see [`manifest`]) is replaced, so a save the user
//! confirmed is on disk when the UI says « enregistré », and a store that
//! later loses its tail is refused at open instead of shown half.
//!
//! Trees of store format 2 (keys are ids / dates / counters, never
//! personal data):
//!
//! | tree | key | value |
//! |---|---|---|
//! | `meta` | `format`, `id`, `gen`, `jseq`, `n:<tree>` | format u16, store id, generation, journal counter, counts (u64 BE) |
//! | `beneficiaries` / `interviews` / `plans` / `immersions` | id | envelope(record) |
//! | `idx_children` | beneficiary id ++ kind code (u8) ++ record id | empty |
//! | `idx_follow_up` | day(next_follow_up) ++ beneficiary id | empty |
//! | `idx_interviews_by_date` | instant(at) ++ interview id | empty |
//! | `journal` | instant(at) ++ store id ++ journal counter (32 bytes) | envelope(JournalEntry) |
//! | `idx_journal_by_beneficiary` | beneficiary id ++ journal key | empty |
//! | `settings` | `recent` | envelope(RecentList) |
//! | `erased` | beneficiary id | day of the erasure (i32 BE): the register that a restore replays |
//! | `referentiel` | `h` / `g`++generation u32 BE++`r`\|`s`++u32 BE | header / chunk of the rows blob or of the catalogue snapshot (search index); see [`referentiel`] (older stores: one key per row, still read) |
//! | `mobilites` | `h` / `m`++u32 BE | header / row of France Travail's mobility file |
//!
//! Journal keys start with the instant and hold the store's random id and
//! a counter, so they are unique across laptops and two journals merge in
//! time order. Ids are 16 bytes (UUIDv7, big-endian); `day` / `instant`
//! keys are sign-flipped big-endian (see [`keys`]). Values use the
//! versioned envelope of [`codec`]; version dispatch and migrations live
//! in [`legacy`]. Format 1 stores are rebuilt into format 2 at open, after
//! a backup.
//!
//! Writes are serialised by a mutex inside the `Store` (reads are not);
//! sled's file lock keeps other processes out.

pub mod audit;
pub mod backup;
pub mod check;
pub mod codec;
pub mod crypto;
pub mod error;
pub mod files;
pub mod journal;
pub mod keys;
pub mod kind;
pub mod legacy;
pub mod manifest;
pub mod record;
pub mod referentiel;

pub use crypto::Secret;
pub use error::{Damage, IoAction, IoCause, StoreError};
pub use journal::{changed_fields, JournalEntry, Op};
pub use kind::RecordKind;
pub use record::{AnyRecord, Damaged, Scan, Write, PERSON_KINDS};
pub use referentiel::{EncodedRows, IndexSink, ReferentielWriter};

use crate::domain::{
    Beneficiary, Id, Immersion, InfoSession, Interview, Meta, Mobilities, Mobility, Plan,
    SessionRegistration,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use codec::{decode, encode, Codec, Stored};
use files::StorePaths;
use legacy::{current, MobilitesHeader, RecentList};
use manifest::Manifest;
use sled::transaction::{
    ConflictableTransactionError, ConflictableTransactionResult, TransactionError,
    TransactionalTree,
};
use sled::{IVec, Transactional, Tree};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long [`Store::open`] retries while the directory is locked.
pub const LOCK_WAIT: Duration = Duration::from_millis(1000);

// Positions of the transactional trees in `Store::tx_trees`.
const META: usize = 0;
const BEN: usize = 1;
const INT: usize = 2;
const PLAN: usize = 3;
const IMM: usize = 4;
const IDX_CHILDREN: usize = 5;
const IDX_FOLLOW_UP: usize = 6;
const IDX_INT_BY_DATE: usize = 7;
const JOURNAL: usize = 8;
const IDX_JOURNAL_BY_BEN: usize = 9;
const SETTINGS: usize = 10;
const ERASED: usize = 11;
const REG: usize = 12;
const SESS: usize = 13;
const IDX_REG_BY_SESSION: usize = 14;
const IDX_IMM_BY_START: usize = 15;
const IDX_SESS_BY_START: usize = 16;
const AUDIT: usize = 17;

/// Names of the transactional trees, in the order of the constants above.
pub(crate) const TX_TREE_NAMES: [&str; 18] = [
    "meta",
    "beneficiaries",
    "interviews",
    "plans",
    "immersions",
    "idx_children",
    "idx_follow_up",
    "idx_interviews_by_date",
    "journal",
    "idx_journal_by_beneficiary",
    "settings",
    "erased",
    "registrations",
    "sessions",
    "idx_registrations_by_session",
    "idx_immersions_by_start",
    "idx_sessions_by_start",
    "audit",
];

/// The secondary index trees that records' `index_keys` fill (besides
/// `idx_children` and the journal's): checked and rebuilt by `verifier`.
pub(crate) const RECORD_INDEXES: [usize; 5] = [
    IDX_FOLLOW_UP,
    IDX_INT_BY_DATE,
    IDX_REG_BY_SESSION,
    IDX_IMM_BY_START,
    IDX_SESS_BY_START,
];
pub(crate) const META_TREE: &str = "meta";
pub(crate) const REFERENTIEL_TREE: &str = "referentiel";
pub(crate) const MOBILITES_TREE: &str = "mobilites";
const FORMAT_KEY: &[u8] = b"format";
const ID_KEY: &[u8] = b"id";
const GEN_KEY: &[u8] = b"gen";
const JSEQ_KEY: &[u8] = b"jseq";
const RECENT_KEY: &[u8] = b"recent";
/// Meta key of the wrapped data key ([`crypto::KeyFile`]): present once
/// the store is encrypted.
const KEYFILE_KEY: &[u8] = b"chiffrement";
/// Meta key marking a demonstration store, unencrypted by choice.
const DEMO_KEY: &[u8] = b"demo";

/// The trees whose sizes the counters and the manifest record, with the
/// kind they hold (for messages).
pub(crate) const COUNTED: [(&str, RecordKind); 9] = [
    ("beneficiaries", RecordKind::Beneficiary),
    ("interviews", RecordKind::Interview),
    ("plans", RecordKind::Plan),
    ("immersions", RecordKind::Immersion),
    ("registrations", RecordKind::SessionRegistration),
    ("sessions", RecordKind::InfoSession),
    ("journal", RecordKind::JournalEntry),
    (REFERENTIEL_TREE, RecordKind::Referentiel),
    (MOBILITES_TREE, RecordKind::Mobilite),
];

/// The counted trees and the kind each holds (for reports).
pub fn counted_kinds() -> &'static [(&'static str, RecordKind)] {
    &COUNTED
}

fn count_key(tree: &str) -> Vec<u8> {
    keys::cat(b"n:", tree.as_bytes())
}

/// `(tree name, key, value)`, see [`Store::dump`].
pub type DumpRow = (String, Vec<u8>, Vec<u8>);

/// What an erasure removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErasureReport {
    pub beneficiary: bool,
    pub interviews: usize,
    pub plans: usize,
    pub immersions: usize,
    /// Registrations to information sessions.
    pub registrations: usize,
    pub journal_entries: usize,
    pub index_entries: usize,
    /// The file was in the recent list and was removed from it.
    pub recent: bool,
}

/// How [`Store::open_with`] treats a missing store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the store (and the data directory) when missing.
    Create,
    /// Refuse with [`StoreError::Missing`]: commands that only read.
    Existing,
    /// Like `Existing`, and open a store the manifest check refuses, so
    /// that `verifier` can report on it (see [`Store::open_damage`]). A
    /// store whose files were not closed cleanly is opened on a scratch
    /// copy: nothing is written to it.
    Check,
    /// Like `Check`, on the real files, and letting sled rebuild its page
    /// table from the log when its snapshot no longer matches it: for
    /// `verifier --reparer`, which accepts the store as it is.
    Repair,
}

/// The data store. `Send + Sync`; share it behind an `Arc` if needed.
pub struct Store {
    db: sled::Db,
    paths: StorePaths,
    id: Id,
    tx_trees: Vec<Tree>,
    referentiel: Tree,
    mobilites: Tree,
    /// Encodes and decodes every record value; holds the data key of an
    /// encrypted store while it is unlocked.
    codec: Codec,
    write: Mutex<()>,
    /// The generation the manifest on disk records.
    manifest_gen: AtomicU64,
    /// What the manifest check found, for a store opened with
    /// [`OpenMode::Check`].
    open_damage: Option<Damage>,
    /// Writes allowed before an injected « disque plein » (debug builds,
    /// tests only; `u64::MAX` = no injection).
    write_budget: AtomicU64,
    /// The advisor named in the configuration: the author of audit events.
    advisor: std::sync::RwLock<String>,
    /// Dropped last, once sled has closed its files: seals them and
    /// releases the lock.
    _guard: Guard,
}

/// What a [`Store`] holds until sled has closed its files.
struct Guard {
    /// Seal these files at drop (see [`files::seal`]); `None` for a store
    /// opened on a scratch copy.
    seal: Option<StorePaths>,
    /// The scratch copy the store was opened on (removed at drop).
    _copy: Option<files::Scratch>,
    _lock: files::StoreLock,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(paths) = &self.seal {
            files::seal(paths);
        }
    }
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
    /// Secondary index entries `(tree, key)` besides `idx_children`
    /// (which every child record gets); values are empty.
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

child_record!(Interview, INT, |s| vec![(
    IDX_INT_BY_DATE,
    keys::cat(&keys::instant(s.at), &s.id.0)
)]);
child_record!(Plan, PLAN, |_s| Vec::new());
child_record!(Immersion, IMM, |s| vec![(
    IDX_IMM_BY_START,
    keys::cat(&keys::day(s.start), &s.id.0)
)]);
child_record!(SessionRegistration, REG, |s| vec![(
    IDX_REG_BY_SESSION,
    keys::cat(&s.session.0, &s.id.0)
)]);

/// The index entries of any person-owned record (besides `idx_children`).
fn index_keys_any(r: &AnyRecord) -> Vec<(usize, Vec<u8>)> {
    match r {
        AnyRecord::Beneficiary(x) => x.index_keys(),
        AnyRecord::Interview(x) => x.index_keys(),
        AnyRecord::Plan(x) => x.index_keys(),
        AnyRecord::Immersion(x) => x.index_keys(),
        AnyRecord::Registration(x) => x.index_keys(),
    }
}

/// The tree of a person-owned kind.
fn tree_of(kind: RecordKind) -> Option<usize> {
    match kind {
        RecordKind::Beneficiary => Some(BEN),
        RecordKind::Interview => Some(INT),
        RecordKind::Plan => Some(PLAN),
        RecordKind::Immersion => Some(IMM),
        RecordKind::SessionRegistration => Some(REG),
        _ => None,
    }
}

/// `idx_children` key of a child record.
fn child_key(beneficiary: Id, kind: RecordKind, id: Id) -> Vec<u8> {
    let mut k = Vec::with_capacity(33);
    k.extend_from_slice(&beneficiary.0);
    k.push(kind.code());
    k.extend_from_slice(&id.0);
    k
}

fn u64_of(v: Option<IVec>) -> u64 {
    v.and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

/// Inside a transaction: adds `delta` to the counter of `tree`.
fn add_count(t: &[TransactionalTree], tree: &str, delta: i64) -> TxResult<()> {
    let key = count_key(tree);
    let n = u64_of(t[META].get(&key)?).saturating_add_signed(delta);
    t[META].insert(key, &n.to_be_bytes())?;
    Ok(())
}

/// Inside a transaction: one more generation (called once per write
/// transaction that changed something).
fn bump_generation(t: &[TransactionalTree]) -> TxResult<()> {
    let g = u64_of(t[META].get(GEN_KEY)?) + 1;
    t[META].insert(GEN_KEY, &g.to_be_bytes())?;
    Ok(())
}

/// What the transactional helpers need from the store: its id (journal
/// keys) and its codec.
struct Cx<'a> {
    store: Id,
    codec: &'a Codec,
}

/// Appends a journal entry and its index entry inside a transaction.
fn append_journal(t: &[TransactionalTree], cx: &Cx, e: &JournalEntry) -> TxResult<()> {
    let store = cx.store;
    let bytes = abort(cx.codec.encode(e))?;
    let seq = u64_of(t[META].get(JSEQ_KEY)?) + 1;
    t[META].insert(JSEQ_KEY, &seq.to_be_bytes())?;
    let key = journal_key(e.at, store, seq);
    t[JOURNAL].insert(key.as_slice(), bytes)?;
    t[IDX_JOURNAL_BY_BEN].insert(keys::cat(&e.beneficiary.0, &key), IVec::default())?;
    add_count(t, TX_TREE_NAMES[JOURNAL], 1)
}

/// Appends an audit event inside a transaction (append-only tree).
fn append_audit(t: &[TransactionalTree], cx: &Cx, e: &audit::AuditEntry) -> TxResult<()> {
    let bytes = abort(cx.codec.encode(e))?;
    let seq = u64_of(t[META].get(JSEQ_KEY)?) + 1;
    t[META].insert(JSEQ_KEY, &seq.to_be_bytes())?;
    t[AUDIT].insert(journal_key(e.at, cx.store, seq).as_slice(), bytes)?;
    Ok(())
}

/// `instant(at) ++ store id ++ counter`: unique across stores, time-ordered.
pub(crate) fn journal_key(at: DateTime<Utc>, store: Id, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(32);
    k.extend_from_slice(&keys::instant(at));
    k.extend_from_slice(&store.0);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Inside a transaction: writes `r` (already encoded as `bytes`) with its
/// index entries and a journal entry. Returns false when the stored record
/// is identical (nothing written).
fn put_tx<T: Record>(
    t: &[TransactionalTree],
    cx: &Cx,
    r: &T,
    bytes: &[u8],
    note: &str,
) -> TxResult<bool> {
    let id = r.id();
    if T::KIND != RecordKind::Beneficiary && t[BEN].get(r.beneficiary().0)?.is_none() {
        return Err(ConflictableTransactionError::Abort(StoreError::NotFound {
            kind: RecordKind::Beneficiary,
            id: r.beneficiary(),
        }));
    }
    let old: Option<T> = match t[T::TREE].get(id.0)? {
        Some(v) => Some(abort(cx.codec.decode(&v))?),
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
        if old.beneficiary() != r.beneficiary() {
            t[IDX_CHILDREN].remove(child_key(old.beneficiary(), T::KIND, id))?;
        }
    } else {
        add_count(t, TX_TREE_NAMES[T::TREE], 1)?;
    }
    for (tree, key) in &new_keys {
        t[*tree].insert(key.as_slice(), IVec::default())?;
    }
    if T::KIND != RecordKind::Beneficiary {
        t[IDX_CHILDREN].insert(child_key(r.beneficiary(), T::KIND, id), IVec::default())?;
    }
    t[T::TREE].insert(&id.0, bytes)?;
    append_journal(
        t,
        cx,
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
    cx: &Cx,
    id: Id,
    at: DateTime<Utc>,
    advisor: &str,
    note: &str,
) -> TxResult<T> {
    let old: T = match t[T::TREE].remove(&id.0)? {
        Some(v) => abort(cx.codec.decode(&v))?,
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
    if T::KIND != RecordKind::Beneficiary {
        t[IDX_CHILDREN].remove(child_key(old.beneficiary(), T::KIND, id))?;
    }
    add_count(t, TX_TREE_NAMES[T::TREE], -1)?;
    append_journal(
        t,
        cx,
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

/// Turns a failure of `sled::open` into a message with the right advice:
/// lock, file-system cause, or damaged files.
fn open_error(dir: &Path, e: sled::Error) -> StoreError {
    tracing::error!("sled open {}: {e:?}", dir.display());
    match e {
        sled::Error::Io(io) => StoreError::io(IoAction::Open, dir, io),
        sled::Error::Unsupported(_) => StoreError::Damaged {
            path: dir.to_path_buf(),
            damage: Damage::Unreadable {
                what: "le fichier de configuration de la base (base/conf) est endommagé ou \
                       a été modifié"
                    .into(),
            },
        },
        _ => StoreError::Damaged {
            path: dir.to_path_buf(),
            damage: Damage::Unreadable {
                what: "les fichiers de la base sont illisibles (contrôle d'intégrité en échec)"
                    .into(),
            },
        },
    }
}

/// sled's page cache (1 GiB by default): its pages stay in memory as a
/// large import writes or the list reads every file, so the process grows
/// with the store. Not stored in the database: any store opens with it.
const CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// Opens the sled database in `dir`, retrying a lock conflict for
/// `lock_wait` (a `Store` of this process that was just dropped may still
/// hold the lock from sled's background threads for a few milliseconds).
pub(crate) fn open_db(dir: &Path, lock_wait: Duration) -> Result<sled::Db, StoreError> {
    let deadline = Instant::now() + lock_wait;
    loop {
        // sled may panic on some damaged files: never let that through.
        let attempt = std::panic::catch_unwind(|| {
            sled::Config::new()
                .path(dir)
                .cache_capacity(CACHE_BYTES)
                .open()
        });
        match attempt {
            Ok(Ok(db)) => return Ok(db),
            Ok(Err(e)) if is_lock_error(&e) => {
                if Instant::now() >= deadline {
                    return Err(StoreError::Locked {
                        path: dir.to_path_buf(),
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(Err(e)) => return Err(open_error(dir, e)),
            Err(_) => {
                return Err(StoreError::Damaged {
                    path: dir.to_path_buf(),
                    damage: Damage::Unreadable {
                        what: "les fichiers de la base sont illisibles".into(),
                    },
                })
            }
        }
    }
}

/// Reads the format of an open database (`None` for an empty one).
fn read_format(db: &sled::Db, dir: &Path) -> Result<Option<u16>, StoreError> {
    let meta = db.open_tree(META_TREE)?;
    match meta.get(FORMAT_KEY)? {
        None => Ok(None),
        Some(v) => <[u8; 2]>::try_from(v.as_ref())
            .map(|b| Some(u16::from_be_bytes(b)))
            .map_err(|_| StoreError::Damaged {
                path: dir.to_path_buf(),
                damage: Damage::Unreadable {
                    what: "numéro de format de la base illisible".into(),
                },
            }),
    }
}

/// The counters of an open database, per counted tree.
fn read_counts(meta: &Tree) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut out = BTreeMap::new();
    for (name, _) in COUNTED {
        out.insert(name.to_string(), u64_of(meta.get(count_key(name))?));
    }
    Ok(out)
}

/// Initialises the meta tree of an empty database as format 2.
pub(crate) fn init_meta(db: &sled::Db, id: Id) -> Result<(), StoreError> {
    let meta = db.open_tree(META_TREE)?;
    let mut b = sled::Batch::default();
    b.insert(FORMAT_KEY, &current::STORE_FORMAT.to_be_bytes());
    b.insert(ID_KEY, &id.0);
    b.insert(GEN_KEY, &0u64.to_be_bytes());
    b.insert(JSEQ_KEY, &0u64.to_be_bytes());
    for (name, _) in COUNTED {
        b.insert(count_key(name), &0u64.to_be_bytes());
    }
    meta.apply_batch(b)?;
    db.flush()?;
    Ok(())
}

/// The manifest describing an open (format 2) database as it is now.
pub(crate) fn manifest_of_db(db: &sled::Db) -> Result<Manifest, StoreError> {
    let meta = db.open_tree(META_TREE)?;
    let store_id = meta
        .get(ID_KEY)?
        .and_then(|v| Id::from_slice(&v))
        .unwrap_or(Id([0; 16]));
    Ok(Manifest {
        format: current::STORE_FORMAT,
        store_id,
        generation: u64_of(meta.get(GEN_KEY)?),
        counts: read_counts(&meta)?,
    })
}

/// Compares the store with its manifest: `None` when they agree (or the
/// store is ahead, after a crash between a flush and the manifest write).
fn compare_with_manifest(now: &Manifest, saved: Option<&Manifest>) -> Option<Damage> {
    let Some(saved) = saved else {
        let empty = now.generation == 0 && now.counts.values().all(|n| *n == 0);
        return (!empty).then(|| Damage::Manifest {
            what: "le fichier d'état base.etat manque : impossible de vérifier que la base est \
                   complète"
                .into(),
        });
    };
    if saved.store_id != now.store_id {
        return Some(Damage::OtherStore);
    }
    if now.generation > saved.generation {
        return None;
    }
    let missing: Vec<(RecordKind, u64)> = COUNTED
        .iter()
        .filter_map(|(name, kind)| {
            let want = saved.counts.get(*name).copied().unwrap_or(0);
            let have = now.counts.get(*name).copied().unwrap_or(0);
            (want > have).then(|| (*kind, want - have))
        })
        .collect();
    if now.generation < saved.generation || !missing.is_empty() {
        return Some(Damage::Behind {
            store_generation: now.generation,
            manifest_generation: saved.generation,
            missing,
        });
    }
    None
}

/// sled's configuration file for the settings Passerelle uses (sled's
/// defaults): three lines and their CRC-32, little-endian.
fn expected_conf() -> Vec<u8> {
    let mut bytes = b"segment_size: 524288\nuse_compression: false\nversion: 0.34\n".to_vec();
    let mut crc = flate2::Crc::new();
    crc.update(&bytes);
    bytes.extend_from_slice(&crc.sum().to_le_bytes());
    bytes
}

/// What is wrong with the store's sled configuration file, if anything.
/// sled silently rewrites a missing or short one, and fails with an
/// obscure error on a changed one: both are damage to report.
fn conf_problem(paths: &StorePaths) -> Option<String> {
    match std::fs::read(paths.conf_file()) {
        Ok(bytes) if bytes == expected_conf() => None,
        Ok(_) => Some(format!(
            "le fichier de configuration {} est endommagé ou a été modifié",
            paths.conf_file().display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(format!(
            "le fichier de configuration {} a disparu",
            paths.conf_file().display()
        )),
        Err(e) => Some(format!(
            "le fichier de configuration {} est illisible ({})",
            paths.conf_file().display(),
            error::IoCause::of(&e).what()
        )),
    }
}

/// The damage of a store sled opened empty although its manifest records
/// changes: every counted record is missing.
fn empty_store_damage(saved: Option<&Manifest>) -> Option<Damage> {
    let m = saved.filter(|m| m.generation > 0)?;
    Some(Damage::Behind {
        store_generation: 0,
        manifest_generation: m.generation,
        missing: COUNTED
            .iter()
            .filter_map(|(n, k)| m.counts.get(*n).filter(|c| **c > 0).map(|c| (*k, *c)))
            .collect(),
    })
}

/// [`open_db`]; when `reset_snapshot` and sled finds its files
/// inconsistent, its snapshot files are removed and the open retried
/// (sled then rebuilds its page table from the log, as far as it is
/// readable).
fn open_db_resetting(
    dir: &Path,
    lock_wait: Duration,
    reset_snapshot: bool,
) -> Result<sled::Db, StoreError> {
    match open_db(dir, lock_wait) {
        Err(StoreError::Damaged { .. }) if reset_snapshot && files::remove_snapshots(dir)? > 0 => {
            tracing::warn!("sled snapshot removed, store rebuilt from its log");
            open_db(dir, lock_wait)
        }
        r => r,
    }
}

/// What opening a scratch copy of a store found.
struct Probe {
    db: sled::Db,
    /// The copy is of the current format (a full check can run on it).
    current: bool,
    damage: Option<Damage>,
    /// sled could open the copy only without its snapshot.
    reset_snapshot: bool,
}

/// Opens a scratch copy (see [`files::Scratch`]) and compares it with the
/// manifest. Errors are those the real store would give.
fn probe(
    copy: &StorePaths,
    saved: Option<&Manifest>,
    lock_wait: Duration,
) -> Result<Probe, StoreError> {
    let (db, reset_snapshot) = match open_db(&copy.dir, lock_wait) {
        Ok(db) => (db, false),
        Err(e @ StoreError::Damaged { .. }) => {
            // A lost or altered part of the log makes sled refuse its own
            // snapshot; without it, sled recovers what the log still
            // holds, and the manifest says what is missing.
            if files::remove_snapshots(&copy.dir)? == 0 {
                return Err(e);
            }
            match open_db(&copy.dir, lock_wait) {
                Ok(db) => (db, true),
                Err(_) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    let format = read_format(&db, &copy.dir)?;
    let (current, damage) = match format {
        None => (false, empty_store_damage(saved)),
        Some(f) if f > current::STORE_FORMAT => {
            return Err(StoreError::NewerStore {
                path: copy.dir.clone(),
                found: f,
                supported: current::STORE_FORMAT,
            })
        }
        Some(f) if f < current::STORE_FORMAT => (false, None),
        Some(_) => (true, compare_with_manifest(&manifest_of_db(&db)?, saved)),
    };
    Ok(Probe {
        db,
        current,
        damage,
        reset_snapshot,
    })
}

impl Store {
    /// Opens the store in `dir` (`DATA/base`), creating it if missing.
    ///
    /// Errors: [`StoreError::Locked`] when another process holds the
    /// directory, [`StoreError::Damaged`] when the store is behind its
    /// manifest or its files are damaged, [`StoreError::NewerStore`] when a
    /// newer Passerelle wrote it, [`StoreError::Io`] with the cause
    /// otherwise. Never panics.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with(dir, OpenMode::Create, LOCK_WAIT)
    }

    /// Opens an existing store; [`StoreError::Missing`] when there is none
    /// (nothing is created).
    pub fn open_existing(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with(dir, OpenMode::Existing, LOCK_WAIT)
    }

    /// [`Store::open`] with an explicit wait on a lock conflict.
    pub fn open_waiting(dir: &Path, lock_wait: Duration) -> Result<Store, StoreError> {
        Store::open_with(dir, OpenMode::Create, lock_wait)
    }

    pub fn open_with(dir: &Path, mode: OpenMode, lock_wait: Duration) -> Result<Store, StoreError> {
        Store::open_inner(dir, mode, lock_wait, false)
    }

    /// Opens a store this process has just built and swapped in
    /// (compaction, restore): its files are known to be complete, so no
    /// check on a copy is needed.
    pub(crate) fn open_fresh(dir: &Path, lock_wait: Duration) -> Result<Store, StoreError> {
        Store::open_inner(dir, OpenMode::Existing, lock_wait, true)
    }

    fn open_inner(
        dir: &Path,
        mode: OpenMode,
        lock_wait: Duration,
        fresh: bool,
    ) -> Result<Store, StoreError> {
        let paths = StorePaths::new(dir);
        let data = paths.data_dir().to_path_buf();
        let missing = || StoreError::Missing {
            path: dir.to_path_buf(),
        };
        if mode == OpenMode::Create {
            files::prepare_data_dir(&data)?;
        } else {
            match std::fs::metadata(&data) {
                Ok(m) if !m.is_dir() => {
                    return Err(StoreError::io(
                        IoAction::Open,
                        &data,
                        std::io::Error::from_raw_os_error(libc::ENOTDIR),
                    ))
                }
                Ok(_) => {}
                Err(_) => return Err(missing()),
            }
            // Nothing of a store here: say so, and create nothing (not
            // even the lock file).
            if ![
                paths.dir.clone(),
                paths.manifest(),
                paths.swap_marker(),
                paths.staging(),
            ]
            .iter()
            .any(|p| p.exists())
            {
                return Err(missing());
            }
        }
        let lock = files::StoreLock::acquire(&paths, lock_wait)?;
        files::remove_scratch(&paths);
        files::recover_swap(&paths)?;
        let saved = Manifest::read(&paths.manifest())?;
        let damaged = |damage| StoreError::Damaged {
            path: dir.to_path_buf(),
            damage,
        };
        match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(StoreError::io(
                    IoAction::Open,
                    dir,
                    std::io::Error::from_raw_os_error(libc::ENOTDIR),
                ))
            }
            Ok(_) => {
                if !paths.db_file().exists() && saved.as_ref().is_some_and(|m| m.generation > 0) {
                    return Err(damaged(Damage::MissingFiles {
                        what: format!("le fichier {} a disparu", paths.db_file().display()),
                    }));
                } else if mode != OpenMode::Create
                    && !paths.db_file().exists()
                    && !paths.conf_file().exists()
                {
                    return Err(missing());
                }
            }
            Err(_) => {
                if saved.is_some() {
                    return Err(damaged(Damage::MissingFiles {
                        what: format!("le dossier {} a disparu", dir.display()),
                    }));
                }
                if mode != OpenMode::Create {
                    return Err(missing());
                }
                files::ensure_private_dir(dir)?;
            }
        }
        let repair = mode == OpenMode::Repair;
        if paths.db_file().exists() {
            if let Some(what) = conf_problem(&paths) {
                if !repair {
                    return Err(damaged(Damage::Unreadable { what }));
                }
                files::write_atomic(&paths.conf_file(), &expected_conf())?;
            }
        }

        // sled's recovery writes into the files it opens, even when the
        // store is then refused: a store not exactly as the last clean
        // close left it is first opened and checked on a copy.
        let mut reset_snapshot = repair;
        let mut on_copy = None;
        let copy = if !fresh && !repair && paths.db_file().exists() && !files::is_sealed(&paths) {
            tracing::info!("store not sealed: checked on a copy first");
            match files::Scratch::of(&paths) {
                Ok(copy) => Some(copy),
                Err(e) => {
                    // No room (or no right) for a copy: open the store
                    // itself, as sled always did, rather than not at all.
                    tracing::warn!("no copy to check first: {}", e.log_detail());
                    None
                }
            }
        } else {
            None
        };
        if let Some(copy) = copy {
            let probe = probe(&copy.paths, saved.as_ref(), lock_wait).map_err(|e| e.at(dir))?;
            reset_snapshot = probe.reset_snapshot;
            match (probe.damage, mode) {
                (Some(d), OpenMode::Check) if probe.current => {
                    // `verifier` reports on the copy; the store is left as is.
                    on_copy = Some((probe.db, copy, d));
                }
                (Some(d), _) => return Err(damaged(d)),
                (None, _) => drop(probe.db),
            }
        }
        if let Some((db, copy, damage)) = on_copy {
            let paths = copy.paths.clone();
            return Store::assemble(
                db,
                paths,
                Some(damage),
                saved.map_or(0, |m| m.generation),
                Guard {
                    seal: None,
                    _copy: Some(copy),
                    _lock: lock,
                },
            );
        }

        files::unseal(&paths);
        if let Err(e) = files::make_private_tree(dir) {
            // Reading a store one cannot chmod (another user's copy) is
            // still fine; writing will say what is wrong.
            tracing::warn!("permissions of {}: {}", dir.display(), e.log_detail());
        }
        let db = open_db_resetting(dir, lock_wait, reset_snapshot)?;
        let mut needs_reindex = false;
        let db = match read_format(&db, dir)? {
            None => {
                if let Some(d) = empty_store_damage(saved.as_ref()) {
                    return Err(damaged(d));
                }
                if mode != OpenMode::Create && saved.is_none() {
                    return Err(missing());
                }
                init_meta(&db, Id::generate())?;
                manifest_of_db(&db)?.write(&paths.manifest())?;
                db
            }
            Some(f) if f > current::STORE_FORMAT => {
                return Err(StoreError::NewerStore {
                    path: dir.to_path_buf(),
                    found: f,
                    supported: current::STORE_FORMAT,
                })
            }
            Some(f) if f < current::STORE_FORMAT => {
                let (db, reindex) = legacy::migrate_store(db, &paths, f, lock_wait)?;
                needs_reindex = reindex;
                db
            }
            Some(_) => db,
        };

        let now = manifest_of_db(&db)?;
        let saved = Manifest::read(&paths.manifest())?;
        let open_damage = compare_with_manifest(&now, saved.as_ref());
        if let Some(d) = &open_damage {
            if !matches!(mode, OpenMode::Check | OpenMode::Repair) {
                return Err(damaged(d.clone()));
            }
        } else if saved.as_ref().map(|m| m.generation) != Some(now.generation) {
            // The store is ahead (a crash between a flush and the manifest
            // write): record where it is.
            tracing::warn!("manifest behind the store: rewritten");
            if mode != OpenMode::Check {
                now.write(&paths.manifest())?;
            }
        }
        let guard = Guard {
            seal: Some(paths.clone()),
            _copy: None,
            _lock: lock,
        };
        let store = Store::assemble(
            db,
            paths,
            open_damage,
            saved.map_or(0, |m| m.generation),
            guard,
        )?;
        if needs_reindex {
            // A migration that added indexes: build them from the records.
            check::repair(&store)?;
        }
        Ok(store)
    }

    fn assemble(
        db: sled::Db,
        paths: StorePaths,
        open_damage: Option<Damage>,
        manifest_gen: u64,
        guard: Guard,
    ) -> Result<Store, StoreError> {
        let id = manifest_of_db(&db)?.store_id;
        let tx_trees = TX_TREE_NAMES
            .iter()
            .map(|n| db.open_tree(n))
            .collect::<Result<Vec<_>, _>>()?;
        let referentiel = db.open_tree(REFERENTIEL_TREE)?;
        let mobilites = db.open_tree(MOBILITES_TREE)?;
        let codec = match db.open_tree(META_TREE)?.get(KEYFILE_KEY)? {
            Some(_) => Codec::encrypted(None),
            None => Codec::clear(),
        };
        let store = Store {
            codec,
            advisor: std::sync::RwLock::new(String::new()),
            db,
            paths,
            id,
            tx_trees,
            referentiel,
            mobilites,
            write: Mutex::new(()),
            manifest_gen: AtomicU64::new(manifest_gen),
            open_damage,
            write_budget: AtomicU64::new(injected_write_budget()),
            _guard: guard,
        };
        Ok(store)
    }

    /// The store directory (`DATA/base`).
    pub fn path(&self) -> &Path {
        &self.paths.dir
    }

    pub fn paths(&self) -> &StorePaths {
        &self.paths
    }

    /// The store's random id, given at creation.
    pub fn id(&self) -> Id {
        self.id
    }

    /// What the manifest check found at open ([`OpenMode::Check`] only).
    pub fn open_damage(&self) -> Option<&Damage> {
        self.open_damage.as_ref()
    }

    /// Number of write transactions made so far.
    pub fn generation(&self) -> Result<u64, StoreError> {
        Ok(u64_of(self.tx_trees[META].get(GEN_KEY)?))
    }

    /// The record counters, per counted tree.
    pub fn counts(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        read_counts(&self.tx_trees[META])
    }

    /// The manifest as it would be written now.
    pub fn manifest(&self) -> Result<Manifest, StoreError> {
        manifest_of_db(&self.db)
    }

    /// Makes every write so far durable, then records it in the manifest.
    /// Only after `Ok` may a save be reported as done.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        let m = self.manifest()?;
        if m.generation != self.manifest_gen.load(Ordering::SeqCst) {
            // The data is durable; a manifest that cannot be written only
            // weakens the next open's check: log it, do not fail the save.
            match m.write(&self.paths.manifest()) {
                Ok(()) => self.manifest_gen.store(m.generation, Ordering::SeqCst),
                Err(e) => tracing::error!("manifest not written: {}", e.log_detail()),
            }
        }
        Ok(())
    }

    fn cx(&self) -> Cx<'_> {
        Cx {
            store: self.id,
            codec: &self.codec,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Debug builds: the next `n` write transactions succeed, then every
    /// write fails as on a full disk (tests of honest counts).
    #[cfg(debug_assertions)]
    pub fn fail_writes_after(&self, n: u64) {
        self.write_budget.store(n, Ordering::SeqCst);
    }

    /// Takes one write from the injected budget (see
    /// [`Store::fail_writes_after`]); a no-op in release builds.
    fn spend_write(&self) -> Result<(), StoreError> {
        let budget = self.write_budget.load(Ordering::SeqCst);
        if budget == u64::MAX {
            return Ok(());
        }
        if budget == 0 {
            return Err(StoreError::io(
                IoAction::Write,
                &self.paths.dir,
                std::io::Error::from_raw_os_error(libc::ENOSPC),
            ));
        }
        self.write_budget.store(budget - 1, Ordering::SeqCst);
        Ok(())
    }

    /// Runs `f` in one sled transaction over all the transactional trees;
    /// `f` returns whether it changed something, and then the generation
    /// is bumped in the same transaction.
    fn tx(&self, f: impl Fn(&[TransactionalTree]) -> TxResult<bool>) -> Result<bool, StoreError> {
        self.spend_write()?;
        self.tx_trees[..]
            .transaction(|t: &Vec<TransactionalTree>| {
                let changed = f(t)?;
                if changed {
                    bump_generation(t)?;
                }
                Ok(changed)
            })
            .map_err(|e| match e {
                TransactionError::Abort(e) => e,
                TransactionError::Storage(e) => StoreError::from(e),
            })
    }

    fn get<T: Stored>(&self, tree: usize, key: &[u8]) -> Result<Option<T>, StoreError> {
        match self.tx_trees[tree].get(key)? {
            Some(v) => self.codec.decode(&v).map(Some),
            None => Ok(None),
        }
    }

    /// Every record of a tree. One that does not decode is reported in
    /// [`Scan::damaged`] (and logged) and skipped; only a failure of the
    /// database itself is an error.
    fn all<T: Stored>(&self, tree: usize) -> Result<Scan<T>, StoreError> {
        let mut records = Vec::new();
        let damaged = self.each(tree, |r| records.push(r))?;
        Ok(Scan { records, damaged })
    }

    /// [`Store::all`] one record at a time: `f` gets each record as it is
    /// decoded (nothing is kept); returns the records that did not decode.
    fn each<T: Stored>(
        &self,
        tree: usize,
        mut f: impl FnMut(T),
    ) -> Result<Vec<Damaged>, StoreError> {
        let mut damaged = Vec::new();
        for kv in self.tx_trees[tree].iter() {
            let (k, v) = kv?;
            match self.codec.decode(&v) {
                Ok(r) => f(r),
                Err(e) => {
                    let id = Id::from_slice(&k);
                    tracing::error!(
                        "undecodable {:?} record {}: {}",
                        T::KIND,
                        id.map(|i| i.short()).unwrap_or_else(|| "?".into()),
                        e.log_detail()
                    );
                    damaged.push(Damaged {
                        kind: T::KIND,
                        id,
                        reason: e.to_string(),
                    });
                }
            }
        }
        Ok(damaged)
    }

    /// `(kind, id)` of every record hanging off a beneficiary.
    fn child_ids(&self, beneficiary: Id) -> Result<Vec<(RecordKind, Id)>, StoreError> {
        let mut out = Vec::new();
        for kv in self.tx_trees[IDX_CHILDREN].scan_prefix(beneficiary.0) {
            let k = kv?.0;
            match (
                k.get(16).copied().and_then(RecordKind::from_code),
                keys::id_suffix(&k),
            ) {
                (Some(kind), Some(id)) if k.len() == 33 => out.push((kind, id)),
                _ => {
                    return Err(StoreError::Corrupt {
                        kind: RecordKind::Beneficiary,
                        detail: "entrée d'index des enregistrements liés invalide".into(),
                    })
                }
            }
        }
        Ok(out)
    }

    /// Loads the beneficiary's records of kind `T` (from `idx_children`).
    fn children<T: Record>(&self, beneficiary: Id) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        for (kind, id) in self.child_ids(beneficiary)? {
            if kind == T::KIND {
                if let Some(r) = self.get::<T>(T::TREE, &id.0)? {
                    out.push(r);
                }
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
        let bytes = self.codec.encode(r)?;
        let cx = self.cx();
        self.tx(|t| put_tx(t, &cx, r, &bytes, ""))
    }

    /// Deletes a record with its index entries, journals it, flushes, and
    /// returns the deleted record (for undo).
    fn delete<T: Record>(&self, id: Id, at: DateTime<Utc>, advisor: &str) -> Result<T, StoreError> {
        let _w = self.lock();
        let old = std::cell::RefCell::new(None);
        let cx = self.cx();
        self.tx(|t| {
            *old.borrow_mut() = Some(delete_tx::<T>(t, &cx, id, at, advisor, "")?);
            Ok(true)
        })?;
        self.flush()?;
        old.into_inner()
            .ok_or(StoreError::NotFound { kind: T::KIND, id })
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
    /// flush in batches ([`Store::flush`]); returns whether anything
    /// changed. Nothing it wrote may be reported as saved before that flush.
    pub fn apply_unflushed(&self, writes: &[Write], note: &str) -> Result<bool, StoreError> {
        let _w = self.lock();
        // Encode outside the transaction (which may be retried).
        let encoded = writes
            .iter()
            .map(|w| match w {
                Write::Put(r) => match r {
                    AnyRecord::Beneficiary(x) => self.codec.encode(x.as_ref()),
                    AnyRecord::Interview(x) => self.codec.encode(x.as_ref()),
                    AnyRecord::Plan(x) => self.codec.encode(x.as_ref()),
                    AnyRecord::Immersion(x) => self.codec.encode(x.as_ref()),
                    AnyRecord::Registration(x) => self.codec.encode(x.as_ref()),
                }
                .map(Some),
                Write::Delete { .. } => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cx = self.cx();
        self.tx(|t| {
            let mut changed = false;
            for (w, bytes) in writes.iter().zip(&encoded) {
                let bytes = bytes.as_deref().unwrap_or_default();
                changed |= match w {
                    Write::Put(AnyRecord::Beneficiary(r)) => {
                        put_tx(t, &cx, r.as_ref(), bytes, note)?
                    }
                    Write::Put(AnyRecord::Interview(r)) => put_tx(t, &cx, r.as_ref(), bytes, note)?,
                    Write::Put(AnyRecord::Plan(r)) => put_tx(t, &cx, r.as_ref(), bytes, note)?,
                    Write::Put(AnyRecord::Immersion(r)) => put_tx(t, &cx, r.as_ref(), bytes, note)?,
                    Write::Put(AnyRecord::Registration(r)) => {
                        put_tx(t, &cx, r.as_ref(), bytes, note)?
                    }
                    Write::Delete {
                        kind,
                        id,
                        at,
                        advisor,
                    } => {
                        let (id, at) = (*id, *at);
                        match kind {
                            RecordKind::Beneficiary => {
                                delete_tx::<Beneficiary>(t, &cx, id, at, advisor, note)
                                    .map(|_| ())?
                            }
                            RecordKind::Interview => {
                                delete_tx::<Interview>(t, &cx, id, at, advisor, note).map(|_| ())?
                            }
                            RecordKind::Plan => {
                                delete_tx::<Plan>(t, &cx, id, at, advisor, note).map(|_| ())?
                            }
                            RecordKind::Immersion => {
                                delete_tx::<Immersion>(t, &cx, id, at, advisor, note).map(|_| ())?
                            }
                            RecordKind::SessionRegistration => {
                                delete_tx::<SessionRegistration>(t, &cx, id, at, advisor, note)
                                    .map(|_| ())?
                            }
                            other => {
                                return Err(ConflictableTransactionError::Abort(
                                    StoreError::Corrupt {
                                        kind: *other,
                                        detail: "ce type d'enregistrement ne se supprime pas \
                                                 ainsi"
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
            RecordKind::SessionRegistration => self
                .get::<SessionRegistration>(REG, &id.0)?
                .map(AnyRecord::from),
            _ => None,
        })
    }

    /// Every record that belongs to a person (the file first), for the
    /// person's export: follows `idx_children`, so every person-owned kind
    /// is included.
    pub fn records_of(&self, beneficiary: Id) -> Result<Vec<AnyRecord>, StoreError> {
        let mut out = Vec::new();
        if let Some(b) = self.beneficiary(beneficiary)? {
            out.push(AnyRecord::from(b));
        }
        for (kind, id) in self.child_ids(beneficiary)? {
            if let Some(r) = self.get_any(kind, id)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    // ----- beneficiaries -------------------------------------------------

    /// Creates or updates a file (record, follow-up index, journal), flushed.
    pub fn save_beneficiary(&self, b: &Beneficiary) -> Result<(), StoreError> {
        self.save(b)
    }

    /// Like [`Store::save_beneficiary`], each record still in its own
    /// transaction, but without the flush: for bulk imports, which call
    /// [`Store::flush`] before reporting anything as saved.
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

    /// Every file, in id order, handed to `f` one at a time (for readers
    /// that keep less than the records: the list's rows, an import's
    /// duplicate index); returns the files that could not be read.
    pub fn each_beneficiary(&self, f: impl FnMut(Beneficiary)) -> Result<Vec<Damaged>, StoreError> {
        self.each(BEN, f)
    }

    pub fn beneficiary_count(&self) -> Result<usize, StoreError> {
        Ok(self.counts()?.get(TX_TREE_NAMES[BEN]).copied().unwrap_or(0) as usize)
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
        let mut v: Vec<Interview> = self.children(beneficiary)?;
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
        self.children(beneficiary)
    }

    /// The beneficiary's plan (a person has at most one; the first by id
    /// when an older store holds several).
    pub fn plan_of(&self, beneficiary: Id) -> Result<Option<Plan>, StoreError> {
        Ok(self.plans_of(beneficiary)?.into_iter().next())
    }

    /// Every plan (for the overdue steps of the home screen).
    pub fn plans(&self) -> Result<Scan<Plan>, StoreError> {
        self.all(PLAN)
    }

    /// Every plan handed to `f` one at a time (nothing is kept: the agenda
    /// takes only the steps due in its window); returns the plans that
    /// could not be read.
    pub fn each_plan(&self, f: impl FnMut(Plan)) -> Result<Vec<Damaged>, StoreError> {
        self.each(PLAN, f)
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
        let mut v: Vec<Immersion> = self.children(beneficiary)?;
        v.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
        Ok(v)
    }

    /// Every immersion (agenda).
    pub fn immersions(&self) -> Result<Scan<Immersion>, StoreError> {
        self.all(IMM)
    }

    /// Every immersion handed to `f` one at a time; returns the ones that
    /// could not be read.
    pub fn each_immersion(&self, f: impl FnMut(Immersion)) -> Result<Vec<Damaged>, StoreError> {
        self.each(IMM, f)
    }

    /// Immersions whose start date is in `[from, to]`, by start date (from
    /// the date index). An immersion that starts before `from` and is still
    /// running is found with [`Store::immersions_running_on`].
    pub fn immersions_starting_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Immersion>, StoreError> {
        let mut out = Vec::new();
        if from > to {
            return Ok(out);
        }
        let start = keys::cat(&keys::day(from), &[0; 16]);
        let end = keys::cat(&keys::day(to), &[0xff; 16]);
        for kv in self.tx_trees[IDX_IMM_BY_START].range(start..=end) {
            if let Some(id) = keys::id_suffix(&kv?.0) {
                if let Some(i) = self.immersion(id)? {
                    out.push(i);
                }
            }
        }
        Ok(out)
    }

    /// Immersions under way at some point of `[from, to]` (an immersion
    /// lasts at most a month, plus its renewal: starts are searched from
    /// 70 days before `from`).
    pub fn immersions_running_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Immersion>, StoreError> {
        let since = from
            .checked_sub_days(chrono::Days::new(70))
            .unwrap_or(NaiveDate::MIN);
        Ok(self
            .immersions_starting_between(since, to)?
            .into_iter()
            .filter(|i| i.end >= from)
            .collect())
    }

    // ----- information sessions ------------------------------------------

    /// Creates or updates an information session (no personal data: not
    /// journaled), flushed.
    pub fn save_session(&self, s: &InfoSession) -> Result<(), StoreError> {
        let _w = self.lock();
        let bytes = self.codec.encode(s)?;
        let changed = self.tx(|t| {
            let old: Option<InfoSession> = match t[SESS].get(s.id.0)? {
                Some(v) => Some(abort(self.codec.decode(&v))?),
                None => None,
            };
            if old.as_ref() == Some(s) {
                return Ok(false);
            }
            match &old {
                Some(o) => {
                    t[IDX_SESS_BY_START].remove(keys::cat(&keys::instant(o.start), &o.id.0))?;
                }
                None => add_count(t, TX_TREE_NAMES[SESS], 1)?,
            }
            t[IDX_SESS_BY_START]
                .insert(keys::cat(&keys::instant(s.start), &s.id.0), IVec::default())?;
            t[SESS].insert(&s.id.0, bytes.as_slice())?;
            Ok(true)
        })?;
        if changed {
            self.flush()?;
        }
        Ok(())
    }

    pub fn session(&self, id: Id) -> Result<Option<InfoSession>, StoreError> {
        self.get(SESS, &id.0)
    }

    /// Every session, in id (creation) order; unreadable ones apart.
    pub fn sessions(&self) -> Result<Scan<InfoSession>, StoreError> {
        self.all(SESS)
    }

    /// Sessions starting in `[from, to]`, by start (date index).
    pub fn sessions_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<InfoSession>, StoreError> {
        let start = keys::cat(&keys::instant(from), &[0; 16]);
        let end = keys::cat(&keys::instant(to), &[0xff; 16]);
        let mut out = Vec::new();
        if start > end {
            return Ok(out);
        }
        for kv in self.tx_trees[IDX_SESS_BY_START].range(start..=end) {
            if let Some(id) = keys::id_suffix(&kv?.0) {
                if let Some(s) = self.session(id)? {
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    /// The registrations to a session (session index).
    pub fn registrations_of_session(
        &self,
        session: Id,
    ) -> Result<Vec<SessionRegistration>, StoreError> {
        let mut out = Vec::new();
        for kv in self.tx_trees[IDX_REG_BY_SESSION].scan_prefix(session.0) {
            if let Some(id) = keys::id_suffix(&kv?.0) {
                if let Some(r) = self.get::<SessionRegistration>(REG, &id.0)? {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    /// The beneficiary's registrations.
    pub fn registrations_of(
        &self,
        beneficiary: Id,
    ) -> Result<Vec<SessionRegistration>, StoreError> {
        self.children(beneficiary)
    }

    /// Deletes a session and, in the same transaction, every registration
    /// to it (each journaled under its beneficiary); flushed. Returns the
    /// registrations removed.
    pub fn delete_session(
        &self,
        id: Id,
        at: DateTime<Utc>,
        advisor: &str,
    ) -> Result<Vec<SessionRegistration>, StoreError> {
        let _w = self.lock();
        let regs = self.registrations_of_session(id)?;
        let cx = self.cx();
        self.tx(|t| {
            let old: InfoSession = match t[SESS].remove(&id.0)? {
                Some(v) => abort(self.codec.decode(&v))?,
                None => {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound {
                        kind: RecordKind::InfoSession,
                        id,
                    }))
                }
            };
            t[IDX_SESS_BY_START].remove(keys::cat(&keys::instant(old.start), &old.id.0))?;
            add_count(t, TX_TREE_NAMES[SESS], -1)?;
            for r in &regs {
                delete_tx::<SessionRegistration>(t, &cx, r.id, at, advisor, "séance supprimée")?;
            }
            Ok(true)
        })?;
        self.flush()?;
        Ok(regs)
    }

    // ----- erasure -------------------------------------------------------

    /// Erases a beneficiary and everything linked to it — every record
    /// listed under it in `idx_children` (any person-owned kind), their
    /// index entries, every journal entry about them (from the journal
    /// index) and the recent-list entry — in one transaction, then
    /// flushes. Nothing is found by scanning value bytes. The id goes to
    /// the erasure register so that a restored backup can be erased again.
    /// [`StoreError::NotFound`] when there was nothing to erase.
    ///
    /// sled keeps superseded pages in its files until their segments are
    /// reused: run [`backup::compact`] afterwards so that no byte of the
    /// person remains in the store files.
    pub fn erase_beneficiary(&self, id: Id) -> Result<ErasureReport, StoreError> {
        self.erase_beneficiary_on(id, Utc::now().date_naive())
    }

    /// [`Store::erase_beneficiary`] with the day recorded in the register.
    pub fn erase_beneficiary_on(
        &self,
        id: Id,
        day: NaiveDate,
    ) -> Result<ErasureReport, StoreError> {
        let _w = self.lock();
        let ben = id.0;
        // 1. Plan the removals from the indexes (writes are serialised).
        let children = self.child_ids(id)?;
        let mut index_keys: BTreeSet<(usize, Vec<u8>)> = BTreeSet::new();
        for (kind, cid) in &children {
            index_keys.insert((IDX_CHILDREN, child_key(id, *kind, *cid)));
        }
        let own: Vec<(usize, Vec<u8>)> = match self.get::<Beneficiary>(BEN, &ben) {
            Ok(Some(b)) => b.index_keys(),
            Ok(None) => Vec::new(),
            Err(_) => self.keys_ending_with(IDX_FOLLOW_UP, &[id])?,
        };
        index_keys.extend(own);
        // Every child's own index entries (dates, sessions…), computed from
        // the record; a child that does not decode is found by key.
        let mut unreadable = Vec::new();
        for (kind, cid) in &children {
            match self.get_any(*kind, *cid) {
                Ok(Some(r)) => index_keys.extend(index_keys_any(&r)),
                Ok(None) => {}
                Err(_) => unreadable.push(*cid),
            }
        }
        for tree in RECORD_INDEXES {
            index_keys.extend(self.keys_ending_with(tree, &unreadable)?);
        }
        let mut journal: Vec<Vec<u8>> = Vec::new();
        for kv in self.tx_trees[IDX_JOURNAL_BY_BEN].scan_prefix(ben) {
            let k = kv?.0;
            journal.push(k[16..].to_vec());
            index_keys.insert((IDX_JOURNAL_BY_BEN, k.to_vec()));
        }
        let erased_day = (day.num_days_from_ce()).to_be_bytes();

        // 2. Remove everything in one transaction.
        let report = std::cell::RefCell::new(ErasureReport::default());
        self.tx(|t| {
            let mut r = ErasureReport {
                beneficiary: t[BEN].remove(&ben)?.is_some(),
                ..ErasureReport::default()
            };
            if r.beneficiary {
                add_count(t, TX_TREE_NAMES[BEN], -1)?;
            }
            for (kind, cid) in &children {
                let Some(tree) = tree_of(*kind) else { continue };
                if t[tree].remove(&cid.0)?.is_some() {
                    add_count(t, TX_TREE_NAMES[tree], -1)?;
                    match kind {
                        RecordKind::Interview => r.interviews += 1,
                        RecordKind::Plan => r.plans += 1,
                        RecordKind::Immersion => r.immersions += 1,
                        RecordKind::SessionRegistration => r.registrations += 1,
                        _ => {}
                    }
                }
            }
            for seq in &journal {
                if t[JOURNAL].remove(seq.as_slice())?.is_some() {
                    r.journal_entries += 1;
                    add_count(t, TX_TREE_NAMES[JOURNAL], -1)?;
                }
            }
            for (tree, k) in &index_keys {
                r.index_entries += usize::from(t[*tree].remove(k.as_slice())?.is_some());
            }
            if let Some(v) = t[SETTINGS].get(RECENT_KEY)? {
                let RecentList(mut ids) = abort(self.codec.decode(&v))?;
                let before = ids.len();
                ids.retain(|i| *i != id);
                if ids.len() != before {
                    r.recent = true;
                    t[SETTINGS].insert(RECENT_KEY, abort(self.codec.encode(&RecentList(ids)))?)?;
                }
            }
            let changed = r != ErasureReport::default();
            if changed {
                t[ERASED].insert(&ben, &erased_day)?;
                let event = audit::AuditEntry {
                    at: Utc::now(),
                    advisor: self.advisor(),
                    action: audit::AuditAction::Erasure,
                    beneficiary: Some(id),
                    detail: format!(
                        "{} enregistrement(s) effacé(s)",
                        1 + r.interviews + r.plans + r.immersions + r.registrations
                    ),
                };
                append_audit(t, &self.cx(), &event)?;
            }
            *report.borrow_mut() = r;
            Ok(changed)
        })?;
        let report = report.into_inner();
        if report == ErasureReport::default() {
            return Err(StoreError::NotFound {
                kind: RecordKind::Beneficiary,
                id,
            });
        }
        self.flush()?;
        Ok(report)
    }

    /// Keys of an index tree that end with one of `ids` (a key scan, used
    /// only when a record cannot be decoded to compute its keys).
    fn keys_ending_with(
        &self,
        tree: usize,
        ids: &[Id],
    ) -> Result<Vec<(usize, Vec<u8>)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for kv in self.tx_trees[tree].iter() {
            let k = kv?.0;
            if keys::id_suffix(&k).is_some_and(|s| ids.contains(&s)) {
                out.push((tree, k.to_vec()));
            }
        }
        Ok(out)
    }

    /// Ids in the erasure register (persons erased from this store).
    pub fn erased_ids(&self) -> Result<Vec<Id>, StoreError> {
        let mut out = Vec::new();
        for kv in self.tx_trees[ERASED].iter() {
            if let Some(id) = Id::from_slice(&kv?.0) {
                out.push(id);
            }
        }
        Ok(out)
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
                out.push(self.codec.decode(&v)?);
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
            .map(|kv| self.codec.decode(&kv?.1))
            .collect()
    }

    pub fn journal_len(&self) -> Result<usize, StoreError> {
        Ok(self.tx_trees[JOURNAL].len())
    }

    // ----- référentiel ROME ----------------------------------------------

    /// Replaces a non-transactional counted tree (`referentiel`,
    /// `mobilites`) with `rows` in one batch, updates its counter and the
    /// generation, then flushes.
    fn replace_counted_tree(
        &self,
        tree: &Tree,
        name: &str,
        rows: Vec<(Vec<u8>, Vec<u8>)>,
    ) -> Result<(), StoreError> {
        let _w = self.lock();
        self.spend_write()?;
        let mut batch = sled::Batch::default();
        for kv in tree.iter() {
            batch.remove(kv?.0);
        }
        let n = rows.len() as u64;
        for (k, v) in rows {
            batch.insert(k, v);
        }
        tree.apply_batch(batch)?;
        let meta = &self.tx_trees[META];
        let mut m = sled::Batch::default();
        m.insert(count_key(name), &n.to_be_bytes());
        m.insert(GEN_KEY, &(u64_of(meta.get(GEN_KEY)?) + 1).to_be_bytes());
        meta.apply_batch(m)?;
        self.flush()
    }

    /// Replaces the stored mobility file atomically (one batch), then
    /// flushes.
    pub fn save_mobilites(&self, m: &Mobilities) -> Result<(), StoreError> {
        let header = MobilitesHeader {
            version: m.version.clone(),
            rows: u32::try_from(m.rows.len()).map_err(|_| StoreError::Corrupt {
                kind: RecordKind::Mobilite,
                detail: "trop de lignes".into(),
            })?,
        };
        let mut rows = vec![(b"h".to_vec(), encode(&header)?)];
        for (i, r) in m.rows.iter().enumerate() {
            rows.push((keys::cat(b"m", &(i as u32).to_be_bytes()), encode(r)?));
        }
        self.replace_counted_tree(&self.mobilites, MOBILITES_TREE, rows)
    }

    /// The imported mobility file, if any.
    pub fn mobilites(&self) -> Result<Option<Mobilities>, StoreError> {
        let Some(h) = self.mobilites.get(b"h")? else {
            return Ok(None);
        };
        let header: MobilitesHeader = decode(&h)?;
        let rows = self
            .mobilites
            .scan_prefix(b"m")
            .map(|kv| decode::<Mobility>(&kv?.1))
            .collect::<Result<Vec<_>, _>>()?;
        if rows.len() != header.rows as usize {
            return Err(StoreError::Corrupt {
                kind: RecordKind::Mobilite,
                detail: "nombre de lignes différent de l'en-tête".into(),
            });
        }
        Ok(Some(Mobilities {
            version: header.version,
            rows,
        }))
    }

    // ----- settings ------------------------------------------------------

    /// Replaces the recent files list (not flushed: sled writes it within
    /// half a second; losing it in a crash is harmless).
    pub fn set_recent(&self, ids: &[Id]) -> Result<(), StoreError> {
        let _w = self.lock();
        self.tx_trees[SETTINGS]
            .insert(RECENT_KEY, self.codec.encode(&RecentList(ids.to_vec()))?)?;
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

    /// The underlying database (backups, checks and compaction).
    pub(crate) fn db(&self) -> &sled::Db {
        &self.db
    }

    /// The path of the data directory's store, for a data directory.
    pub fn dir_in(data_dir: &Path) -> PathBuf {
        data_dir.join("base")
    }
}

/// Bulk writing with honest counts: units of work (one file with its
/// interviews, say) are written one transaction each, flushed every
/// `every` units; [`Bulk::durable`] counts only the units a successful
/// flush covered. On a failure (disk full, I/O error) the writer tries one
/// last flush and reports exactly how many units are durable.
pub struct Bulk<'a> {
    store: &'a Store,
    every: usize,
    written: usize,
    durable: usize,
}

/// A bulk write stopped: why, and how many units are durable.
#[derive(Debug)]
pub struct BulkError {
    pub source: StoreError,
    pub durable: usize,
}

impl<'a> Bulk<'a> {
    pub fn new(store: &'a Store, every: usize) -> Bulk<'a> {
        Bulk {
            store,
            every: every.max(1),
            written: 0,
            durable: 0,
        }
    }

    /// Units made durable so far.
    pub fn durable(&self) -> usize {
        self.durable
    }

    /// Writes one unit (one transaction).
    pub fn write(&mut self, writes: &[Write], note: &str) -> Result<(), BulkError> {
        self.write_units(writes, 1, note)
    }

    /// Writes `units` units in one transaction: all of them or none.
    pub fn write_units(
        &mut self,
        writes: &[Write],
        units: usize,
        note: &str,
    ) -> Result<(), BulkError> {
        if let Err(source) = self.store.apply_unflushed(writes, note) {
            return Err(self.stop(source));
        }
        self.written += units;
        if self.written - self.durable >= self.every {
            self.commit()?;
        }
        Ok(())
    }

    /// Flushes what was written; every unit so far becomes durable.
    pub fn commit(&mut self) -> Result<(), BulkError> {
        match self.store.flush() {
            Ok(()) => {
                self.durable = self.written;
                Ok(())
            }
            Err(source) => Err(BulkError {
                source,
                durable: self.durable,
            }),
        }
    }

    /// Final flush; returns the number of durable units.
    pub fn finish(mut self) -> Result<usize, BulkError> {
        self.commit()?;
        Ok(self.durable)
    }

    fn stop(&mut self, source: StoreError) -> BulkError {
        // What was written before the failure may still be saved.
        if self.store.flush().is_ok() {
            self.durable = self.written;
        }
        BulkError {
            source,
            durable: self.durable,
        }
    }
}

/// The injected write budget from `PASSERELLE_TEST_PANNE_ECRITURE` (debug
/// builds only: end-to-end tests of a full disk); `u64::MAX` otherwise.
fn injected_write_budget() -> u64 {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("PASSERELLE_TEST_PANNE_ECRITURE")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return n;
    }
    u64::MAX
}

#[cfg(test)]
mod tests;

/// How a store protects its records (see [`crypto`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// Records sealed with a data key wrapped under a passphrase.
    Encrypted,
    /// A demonstration store, unencrypted by choice (`passerelle demo`).
    Demo,
    /// Not yet encrypted: a store from before encryption, or just created.
    /// The TUI asks for a passphrase before showing anything.
    Clear,
}

/// The tree names whose values are confidential, with their kind (the
/// associated data of the seal). Everything else is ids, dates, counters
/// or public reference data.
pub(crate) fn confidential_kind(tree: &str) -> Option<RecordKind> {
    Some(match tree {
        "beneficiaries" => RecordKind::Beneficiary,
        "interviews" => RecordKind::Interview,
        "plans" => RecordKind::Plan,
        "immersions" => RecordKind::Immersion,
        "registrations" => RecordKind::SessionRegistration,
        "sessions" => RecordKind::InfoSession,
        "journal" => RecordKind::JournalEntry,
        "settings" => RecordKind::Setting,
        "audit" => RecordKind::Audit,
        _ => return None,
    })
}

/// Seals every confidential value of a tree with `key` (values already
/// sealed are kept as they are).
pub(crate) fn seal_value(
    key: &crypto::DataKey,
    tree: &str,
    value: &[u8],
) -> Result<Vec<u8>, StoreError> {
    match confidential_kind(tree) {
        Some(kind) if !value.is_empty() => codec::seal_envelope(key, kind, value),
        _ => Ok(value.to_vec()),
    }
}

fn keyfile_bytes(kf: &crypto::KeyFile) -> Result<Vec<u8>, StoreError> {
    use bincode::Options;
    codec::options()
        .serialize(kf)
        .map_err(|source| StoreError::Encode {
            kind: RecordKind::Setting,
            source,
        })
}

fn keyfile_of(db: &sled::Db) -> Result<Option<crypto::KeyFile>, StoreError> {
    use bincode::Options;
    match db.open_tree(META_TREE)?.get(KEYFILE_KEY)? {
        None => Ok(None),
        Some(v) => codec::options()
            .deserialize(&v)
            .map(Some)
            .map_err(|source| StoreError::Decode {
                kind: RecordKind::Setting,
                source,
            }),
    }
}

impl Store {
    // ----- encryption at rest ----------------------------------------------

    /// How the store protects its records.
    pub fn protection(&self) -> Result<Protection, StoreError> {
        let meta = &self.tx_trees[META];
        Ok(if meta.get(KEYFILE_KEY)?.is_some() {
            Protection::Encrypted
        } else if meta.get(DEMO_KEY)?.is_some() {
            Protection::Demo
        } else {
            Protection::Clear
        })
    }

    /// Encrypted and not (or no longer) unlocked.
    pub fn is_locked(&self) -> bool {
        self.codec.is_locked()
    }

    /// Unlocks an encrypted store with its passphrase (nothing is
    /// written). [`StoreError::WrongPassphrase`] when it is not the one.
    pub fn unlock(&self, secret: &crypto::Secret) -> Result<(), StoreError> {
        let Some(kf) = keyfile_of(&self.db)? else {
            return Ok(());
        };
        let key = kf.unlock(secret).map_err(|e| match e {
            crypto::CryptoError::WrongPassphrase => StoreError::WrongPassphrase,
            _ => StoreError::Corrupt {
                kind: RecordKind::Setting,
                detail: "clé de chiffrement illisible".into(),
            },
        })?;
        self.codec.set_key(key);
        self.replay_erasures()
    }

    /// Erases again every person of the erasure register whose file is in
    /// the store (a backup restored without the passphrase brought them
    /// back): a restore never brings back an erased person.
    fn replay_erasures(&self) -> Result<(), StoreError> {
        let today = Utc::now().date_naive();
        for id in self.erased_ids()? {
            if self.tx_trees[BEN].contains_key(id.0)? {
                tracing::info!("erasure replayed at unlock: {}", id.short());
                self.erase_beneficiary_on(id, today)?;
            }
        }
        Ok(())
    }

    /// Drops the data key from memory (idle lock); [`Store::unlock`]
    /// brings it back.
    pub fn forget_key(&self) {
        self.codec.forget_key();
    }

    /// Marks a clear store as a demonstration store (unencrypted by choice).
    pub fn mark_demo(&self) -> Result<(), StoreError> {
        if self.protection()? == Protection::Clear {
            self.tx_trees[META].insert(DEMO_KEY, &[1u8])?;
            self.db.flush()?;
        }
        Ok(())
    }

    /// Replaces the passphrase: the same data key is wrapped under `new`
    /// and stored in one write, flushed — an interruption leaves the old or
    /// the new passphrase working, never neither. Records are not rewritten.
    pub fn change_passphrase(
        &self,
        old: &crypto::Secret,
        new: &crypto::Secret,
    ) -> Result<(), StoreError> {
        let _w = self.lock();
        let kf = keyfile_of(&self.db)?.ok_or(StoreError::KeyRequired)?;
        let new_kf = kf
            .rewrap(old, new, crypto::KdfParams::for_new_store())
            .map_err(|e| match e {
                crypto::CryptoError::WrongPassphrase => StoreError::WrongPassphrase,
                _ => StoreError::Corrupt {
                    kind: RecordKind::Setting,
                    detail: "clé de chiffrement illisible".into(),
                },
            })?;
        self.spend_write()?;
        self.tx_trees[META].insert(KEYFILE_KEY, keyfile_bytes(&new_kf)?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Encrypts a clear (or demonstration) store under `secret`. An empty
    /// store just gets its key. A store that holds records is rewritten:
    /// every value sealed into a fresh store built beside it, an encrypted
    /// backup of it made, then swapped in crash-safely and the old files
    /// removed, so no clear page survives in the store files; clear
    /// backups in `sauvegardes/` are rewritten encrypted too. Returns the
    /// store, unlocked.
    pub fn encrypt(
        self,
        secret: &crypto::Secret,
        stamp: chrono::NaiveDateTime,
    ) -> Result<Store, StoreError> {
        self.encrypt_with(secret, crypto::KdfParams::for_new_store(), stamp)
    }

    /// [`Store::encrypt`] with explicit Argon2 parameters (tests use cheap
    /// ones).
    pub fn encrypt_with(
        self,
        secret: &crypto::Secret,
        params: crypto::KdfParams,
        stamp: chrono::NaiveDateTime,
    ) -> Result<Store, StoreError> {
        if self.protection()? == Protection::Encrypted {
            return Ok(self);
        }
        let (kf, key) =
            crypto::KeyFile::create(secret, params).map_err(|_| StoreError::Corrupt {
                kind: RecordKind::Setting,
                detail: "paramètres de chiffrement invalides".into(),
            })?;
        let kf_bytes = keyfile_bytes(&kf)?;
        let holds_records = self
            .counts()?
            .iter()
            .any(|(tree, n)| *n > 0 && confidential_kind(tree).is_some());
        if !holds_records {
            {
                let _w = self.lock();
                let meta = &self.tx_trees[META];
                meta.insert(KEYFILE_KEY, kf_bytes)?;
                meta.remove(DEMO_KEY)?;
                self.db.flush()?;
            }
            self.codec.set_key(key);
            return Ok(self);
        }
        let paths = self.paths.clone();
        self.flush()?;
        backup::build_staging(&paths, |new| {
            backup::copy_trees_with(self.db(), new, &[], &|tree, v| seal_value(&key, tree, v))?;
            let meta = new.open_tree(META_TREE)?;
            meta.insert(KEYFILE_KEY, kf_bytes.clone())?;
            meta.remove(DEMO_KEY)?;
            Ok(())
        })?;
        drop(self);
        // An encrypted backup of the encrypted store, before the swap.
        {
            let staged = open_db(&paths.staging(), LOCK_WAIT)?;
            backup::create(&staged, &paths.backups(), "avant-chiffrement", stamp)?;
        }
        files::swap_in(&paths, &files::Aside::Delete)?;
        backup::encrypt_backups(&paths.backups(), &key, &kf_bytes)?;
        let store = Store::open_with(&paths.dir, OpenMode::Existing, LOCK_WAIT)?;
        store.codec.set_key(key);
        Ok(store)
    }
}

impl Store {
    // ----- audit log ---------------------------------------------------------

    /// Names the advisor (from the configuration) as the author of the
    /// audit events this store writes.
    pub fn set_advisor(&self, name: &str) {
        *self.advisor.write().unwrap_or_else(|p| p.into_inner()) = name.to_string();
    }

    fn advisor(&self) -> String {
        self.advisor.read().map(|a| a.clone()).unwrap_or_default()
    }

    /// Appends an event to the audit log (one transaction, flushed).
    pub fn record_audit(
        &self,
        action: audit::AuditAction,
        beneficiary: Option<Id>,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let _w = self.lock();
        let event = audit::AuditEntry {
            at,
            advisor: self.advisor(),
            action,
            beneficiary,
            detail: detail.to_string(),
        };
        let cx = self.cx();
        self.tx(|t| {
            append_audit(t, &cx, &event)?;
            Ok(true)
        })?;
        self.flush()
    }

    /// Audit events of `[from, to]`, oldest first.
    pub fn audit_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<audit::AuditEntry>, StoreError> {
        self.time_range(AUDIT, from, to)
    }

    /// Journal entries (record changes) of `[from, to]`, oldest first.
    pub fn journal_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        self.time_range(JOURNAL, from, to)
    }

    /// The values of a tree keyed by [`journal_key`] whose instant is in
    /// `[from, to]`, oldest first.
    fn time_range<T: codec::Stored>(
        &self,
        tree: usize,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<T>, StoreError> {
        let start = keys::instant(from).to_vec();
        let mut end = keys::instant(to).to_vec();
        end.extend_from_slice(&[0xff; 24]);
        let mut out = Vec::new();
        for kv in self.tx_trees[tree].range(start..=end) {
            out.push(self.codec.decode(&kv?.1)?);
        }
        Ok(out)
    }

    /// The audit events about one file, newest first (its timeline).
    pub fn audit_of(&self, beneficiary: Id) -> Result<Vec<audit::AuditEntry>, StoreError> {
        let mut out = Vec::new();
        for kv in self.tx_trees[AUDIT].iter().rev() {
            let e: audit::AuditEntry = self.codec.decode(&kv?.1)?;
            if e.beneficiary == Some(beneficiary) {
                out.push(e);
            }
        }
        Ok(out)
    }
}
