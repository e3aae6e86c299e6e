//! Version dispatch and migrations.
//!
//! Each stored kind has one `decode_*` function: a `match` on the envelope
//! version where the current version decodes straight into the domain type.
//!
//! **Adding version 2 of a kind** (say `Beneficiary` gains a field):
//! 1. copy today's struct (and any changed nested types) into a
//!    `mod v1 { … }` here, as `BeneficiaryV1`, frozen forever;
//! 2. add `impl From<BeneficiaryV1> for Beneficiary` filling the new field;
//! 3. in `decode_beneficiary`: `1 => payload::<v1::BeneficiaryV1>(..).map(Into::into)`,
//!    `2 => payload::<Beneficiary>(..)`; bump `BENEFICIARY` below;
//! 4. commit a fixture store written by the new format under
//!    `tests/fixtures/store-v2/` and keep the `store-v1` test passing.
//!
//! The store as a whole also has a format number (`meta/format`);
//! [`migrate_store`] upgrades it step by step on open.

use super::codec::{payload, Stored};
use super::error::StoreError;
use super::files::{self, StorePaths};
use super::journal::JournalEntry;
use super::kind::RecordKind;
use super::{backup, keys};
use crate::domain::{
    Appellation, Beneficiary, Id, Immersion, InfoSession, Interview, Mobility, Plan, RomeFiche,
    SessionRegistration,
};
use serde::{Deserialize, Serialize};

/// Current envelope version of each kind.
pub mod current {
    /// 2: no `targets` (the plan holds the target métiers); 1 is
    /// `v1::BeneficiaryV1`.
    pub const BENEFICIARY: u16 = 2;
    /// 2: `planned` (interviews scheduled ahead); 1 is `v1::InterviewV1`.
    pub const INTERVIEW: u16 = 2;
    /// 2: the plan of issue 9 (`domain::plan`); 1 is `domain::plan::v1`.
    pub const PLAN: u16 = 2;
    /// 2: issue 10's record (objective, prescriber, parsed schedule…);
    /// version 1 is read through `domain::immersion::v1`.
    pub const IMMERSION: u16 = 2;
    /// Envelope version of the referential's header (`referentiel/h`).
    /// 2: [`super::ReferentielLayout`], the rows in one blob and the
    /// snapshot cut into chunks under a generation prefix; 1 is
    /// [`super::ReferentielHeader`], one key per row (read, never written).
    pub const REFERENTIEL: u16 = 2;
    /// Envelope version of the referential's rows blob
    /// ([`super::ReferentielRows`]). Its payload embeds `RomeFiche` and
    /// `Appellation` as they are today: a change to either bumps this.
    pub const REFERENTIEL_ROWS: u16 = 1;
    pub const ROME_FICHE: u16 = 1;
    pub const APPELLATION: u16 = 1;
    pub const JOURNAL_ENTRY: u16 = 2;
    pub const SETTING: u16 = 1;
    pub const SESSION_REGISTRATION: u16 = 1;
    pub const INFO_SESSION: u16 = 1;
    pub const AUDIT: u16 = 1;
    pub const MOBILITE: u16 = 1;
    /// Format of the store as a whole (tree layout, key encodings).
    /// 2: `idx_children`, journal keys unique across stores, counters,
    /// generation and store id in `meta`, a manifest beside the store.
    /// 3: information sessions and registrations, date indexes of
    /// immersions and sessions.
    /// 4: target métiers live in the plan only (beneficiary version 2), and
    /// the `mobilites` tree (France Travail's ROME mobility file).
    pub const STORE_FORMAT: u16 = 4;
}

fn unknown(kind: RecordKind, found: u16, supported: u16) -> StoreError {
    StoreError::UnknownVersion {
        kind,
        found,
        supported,
    }
}

pub fn decode_beneficiary(version: u16, bytes: &[u8]) -> Result<Beneficiary, StoreError> {
    const K: RecordKind = RecordKind::Beneficiary;
    match version {
        // Only a format-3 store holds version 1, and its migration
        // (`from_format_3`) moves the targets to the plan first.
        1 => payload::<v1::BeneficiaryV1>(K, bytes).map(Into::into),
        2 => payload(K, bytes),
        v => Err(unknown(K, v, current::BENEFICIARY)),
    }
}

pub fn decode_interview(version: u16, bytes: &[u8]) -> Result<Interview, StoreError> {
    const K: RecordKind = RecordKind::Interview;
    match version {
        1 => payload::<v1::InterviewV1>(K, bytes).map(Into::into),
        2 => payload(K, bytes),
        v => Err(unknown(K, v, current::INTERVIEW)),
    }
}

pub fn decode_plan(version: u16, bytes: &[u8]) -> Result<Plan, StoreError> {
    const K: RecordKind = RecordKind::Plan;
    match version {
        1 => payload::<crate::domain::plan::v1::Plan>(K, bytes).map(Into::into),
        2 => payload(K, bytes),
        v => Err(unknown(K, v, current::PLAN)),
    }
}

pub fn decode_immersion(version: u16, bytes: &[u8]) -> Result<Immersion, StoreError> {
    const K: RecordKind = RecordKind::Immersion;
    match version {
        1 => payload::<crate::domain::immersion::v1::Immersion>(K, bytes).map(Into::into),
        2 => payload(K, bytes),
        v => Err(unknown(K, v, current::IMMERSION)),
    }
}

pub fn decode_registration(version: u16, bytes: &[u8]) -> Result<SessionRegistration, StoreError> {
    const K: RecordKind = RecordKind::SessionRegistration;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::SESSION_REGISTRATION)),
    }
}

pub fn decode_info_session(version: u16, bytes: &[u8]) -> Result<InfoSession, StoreError> {
    const K: RecordKind = RecordKind::InfoSession;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::INFO_SESSION)),
    }
}

pub fn decode_audit(version: u16, bytes: &[u8]) -> Result<super::audit::AuditEntry, StoreError> {
    const K: RecordKind = RecordKind::Audit;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::AUDIT)),
    }
}

/// The referential's header in either layout (see [`ReferentielHead`]).
pub fn decode_referentiel_head(bytes: &[u8]) -> Result<ReferentielHead, StoreError> {
    const K: RecordKind = RecordKind::Referentiel;
    let (version, bytes) = clear_payload(K, bytes)?;
    match version {
        1 => payload(K, bytes).map(ReferentielHead::Rows),
        2 => payload(K, bytes).map(ReferentielHead::Chunks),
        v => Err(unknown(K, v, current::REFERENTIEL)),
    }
}

/// The referential's rows blob (see [`ReferentielRows`]): always
/// compressed ([`super::codec::FLAG_DEFLATE`]).
pub fn decode_referentiel_rows(bytes: &[u8]) -> Result<ReferentielRows, StoreError> {
    use super::codec::{inflate, split, FLAG_DEFLATE};
    const K: RecordKind = RecordKind::Referentiel;
    let (version, flags, bytes) = split(K, bytes)?;
    if flags != FLAG_DEFLATE {
        return Err(StoreError::UnsupportedFlags { kind: K, flags });
    }
    match version {
        1 => payload(K, &inflate(K, bytes)?),
        v => Err(unknown(K, v, current::REFERENTIEL_ROWS)),
    }
}

/// `(version, flags, payload)` of a public envelope, which is never sealed.
fn clear_payload(kind: RecordKind, bytes: &[u8]) -> Result<(u16, &[u8]), StoreError> {
    let (version, flags, payload) = super::codec::split(kind, bytes)?;
    if flags != 0 {
        return Err(StoreError::UnsupportedFlags { kind, flags });
    }
    Ok((version, payload))
}

pub fn decode_mobilites_header(version: u16, bytes: &[u8]) -> Result<MobilitesHeader, StoreError> {
    const K: RecordKind = RecordKind::Mobilite;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::MOBILITE)),
    }
}

pub fn decode_mobility(version: u16, bytes: &[u8]) -> Result<Mobility, StoreError> {
    const K: RecordKind = RecordKind::Mobilite;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::MOBILITE)),
    }
}

pub fn decode_rome_fiche(version: u16, bytes: &[u8]) -> Result<RomeFiche, StoreError> {
    const K: RecordKind = RecordKind::RomeFiche;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::ROME_FICHE)),
    }
}

pub fn decode_appellation(version: u16, bytes: &[u8]) -> Result<Appellation, StoreError> {
    const K: RecordKind = RecordKind::Appellation;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::APPELLATION)),
    }
}

pub fn decode_journal_entry(version: u16, bytes: &[u8]) -> Result<JournalEntry, StoreError> {
    const K: RecordKind = RecordKind::JournalEntry;
    match version {
        1 => payload::<v1::JournalEntryV1>(K, bytes).map(Into::into),
        2 => payload(K, bytes),
        v => Err(unknown(K, v, current::JOURNAL_ENTRY)),
    }
}

pub fn decode_recent(version: u16, bytes: &[u8]) -> Result<RecentList, StoreError> {
    const K: RecordKind = RecordKind::Setting;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::SETTING)),
    }
}

/// Frozen layouts of earlier versions. Never change them.
pub mod v1 {
    use crate::domain::time::serde_opt_days;
    use crate::domain::{
        Beneficiary, Birth, CepLevel, Consent, ContractType, Employer, Interview, InterviewMode,
        Meta, Request, Status, TargetMetier,
    };
    use chrono::NaiveDate;

    /// `Beneficiary` as written by envelope version 1: the ranked target
    /// métiers lived on the file (store formats 1 to 3).
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct BeneficiaryV1 {
        pub id: Id,
        pub last_name: String,
        pub first_name: String,
        pub birth: Option<Birth>,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub postcode: Option<String>,
        pub commune: Option<String>,
        pub region: Option<String>,
        pub branch: Option<String>,
        pub employer: Employer,
        pub contract: Option<ContractType>,
        pub working_time: Option<String>,
        pub seniority_company_months: Option<u16>,
        pub seniority_total_months: Option<u16>,
        pub qualification_level: Option<u8>,
        pub current_job: Option<TargetMetier>,
        pub cpf_balance: Option<crate::domain::Cents>,
        pub request: Option<Request>,
        pub constraints: String,
        #[serde(with = "serde_opt_days")]
        pub next_follow_up: Option<NaiveDate>,
        #[serde(with = "serde_opt_days")]
        pub last_contact: Option<NaiveDate>,
        pub status: Status,
        pub consent: Consent,
        pub targets: Vec<TargetMetier>,
        pub cep_level: Option<u8>,
        pub meta: Meta,
    }

    impl BeneficiaryV1 {
        /// The file without its targets, and the targets (which go to the
        /// plan: see `from_format_3`).
        pub fn split(self) -> (Beneficiary, Vec<TargetMetier>) {
            let b = Beneficiary {
                id: self.id,
                last_name: self.last_name,
                first_name: self.first_name,
                birth: self.birth,
                email: self.email,
                phone: self.phone,
                postcode: self.postcode,
                commune: self.commune,
                region: self.region,
                branch: self.branch,
                employer: self.employer,
                contract: self.contract,
                working_time: self.working_time,
                seniority_company_months: self.seniority_company_months,
                seniority_total_months: self.seniority_total_months,
                qualification_level: self.qualification_level,
                current_job: self.current_job,
                cpf_balance: self.cpf_balance,
                request: self.request,
                constraints: self.constraints,
                next_follow_up: self.next_follow_up,
                last_contact: self.last_contact,
                status: self.status,
                consent: self.consent,
                cep_level: self.cep_level,
                meta: self.meta,
            };
            (b, self.targets)
        }
    }

    impl From<BeneficiaryV1> for Beneficiary {
        fn from(b: BeneficiaryV1) -> Beneficiary {
            b.split().0
        }
    }

    /// `Interview` as written by envelope version 1 (no `planned`).
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct InterviewV1 {
        pub id: Id,
        pub beneficiary: Id,
        #[serde(with = "serde_micros")]
        pub at: DateTime<Utc>,
        pub duration_minutes: u16,
        pub level: CepLevel,
        pub mode: InterviewMode,
        pub place: String,
        pub topics: String,
        pub summary: String,
        pub decisions: String,
        #[serde(with = "serde_opt_days")]
        pub next_follow_up: Option<NaiveDate>,
        pub meta: Meta,
    }

    impl From<InterviewV1> for Interview {
        fn from(i: InterviewV1) -> Interview {
            Interview {
                id: i.id,
                beneficiary: i.beneficiary,
                at: i.at,
                duration_minutes: i.duration_minutes,
                level: i.level,
                mode: i.mode,
                place: i.place,
                topics: i.topics,
                summary: i.summary,
                decisions: i.decisions,
                next_follow_up: i.next_follow_up,
                planned: false,
                meta: i.meta,
            }
        }
    }

    use super::super::journal::{JournalEntry, Op};
    use super::super::kind::RecordKind;
    use crate::domain::time::serde_micros;
    use crate::domain::Id;
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Serialize};

    /// `JournalEntry` as written by envelope version 1 (no `note`).
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct JournalEntryV1 {
        #[serde(with = "serde_micros")]
        pub at: DateTime<Utc>,
        pub advisor: String,
        pub kind: RecordKind,
        pub id: Id,
        pub beneficiary: Id,
        pub op: Op,
        pub fields: Vec<String>,
    }

    impl From<JournalEntryV1> for JournalEntry {
        fn from(e: JournalEntryV1) -> JournalEntry {
            JournalEntry {
                at: e.at,
                advisor: e.advisor,
                kind: e.kind,
                id: e.id,
                beneficiary: e.beneficiary,
                op: e.op,
                fields: e.fields,
                note: String::new(),
            }
        }
    }
}

/// Upgrades a store written in format `found` to
/// [`current::STORE_FORMAT`], at open. A backup is written first
/// (`avant-migration`); the new layout is built beside the old store and
/// swapped in crash-safely, so an interruption leaves the old store (which
/// migrates again at the next open) or the new one, never a mix.
pub fn migrate_store(
    db: sled::Db,
    paths: &StorePaths,
    found: u16,
    lock_wait: std::time::Duration,
) -> Result<(sled::Db, bool), StoreError> {
    let stamp = chrono::Local::now().naive_local();
    let b = backup::create(&db, &paths.backups(), "avant-migration", stamp)?;
    tracing::info!(
        "store format {found} → {}, backup {}",
        current::STORE_FORMAT,
        b.path.display()
    );
    let mut db = db;
    let mut format = found;
    let mut reindex = false;
    while format < current::STORE_FORMAT {
        match format {
            1 => {
                let id = Id::generate();
                backup::build_staging(paths, |new| from_format_1(&db, new, id))?;
            }
            2 => {
                backup::build_staging(paths, |new| from_format_2(&db, new))?;
                reindex = true;
            }
            3 => {
                let now = chrono::Utc::now();
                backup::build_staging(paths, |new| from_format_3(&db, new, now))?;
                // New plans: `idx_children` and the counters are rebuilt.
                reindex = true;
            }
            v => {
                return Err(StoreError::Damaged {
                    path: paths.dir.clone(),
                    damage: super::error::Damage::Unreadable {
                        what: format!("format de base {v} inconnu"),
                    },
                })
            }
        }
        drop(db);
        files::swap_in(paths, &files::Aside::Delete)?;
        db = super::open_db(&paths.dir, lock_wait)?;
        format += 1;
    }
    Ok((db, reindex))
}

/// Format 3 → 4: the target métiers move from the file to the plan.
/// Each beneficiary (envelope version 1) is rewritten as version 2; when it
/// had targets they are appended, in their order and once each, to its
/// plan — the existing one (the first by id, as `Store::plan_of` reads
/// it) or a new one begun on the day the file was created (the day the
/// CEP work began; it decides the legacy dispositifs). The new `mobilites`
/// tree starts empty. Records that do not decode are copied as they are
/// (`verifier` reports them). The caller rebuilds `idx_children` and the
/// counters from the records.
fn from_format_3(
    old: &sled::Db,
    new: &sled::Db,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    use super::codec::{decode, encode, split};
    use crate::domain::{Meta, PlanTarget};
    backup::copy_trees(old, new, &["__sled__default"])?;
    new.open_tree(super::META_TREE)?
        .insert(super::FORMAT_KEY, &4u16.to_be_bytes())?;
    let mut plans: std::collections::BTreeMap<Id, Plan> = std::collections::BTreeMap::new();
    for kv in old.open_tree("plans")?.iter() {
        let (_, v) = kv?;
        if let Ok(p) = decode::<Plan>(&v) {
            // Ids are time-ordered: the first one met is `plan_of`'s.
            plans.entry(p.beneficiary).or_insert(p);
        }
    }
    let bens = new.open_tree("beneficiaries")?;
    let new_plans = new.open_tree("plans")?;
    for kv in old.open_tree("beneficiaries")?.iter() {
        let (k, v) = kv?;
        let kind = RecordKind::Beneficiary;
        let Ok((1, 0, bytes)) = split(kind, &v) else {
            continue;
        };
        let Ok(old_b) = payload::<v1::BeneficiaryV1>(kind, bytes) else {
            continue;
        };
        let (b, targets) = old_b.split();
        bens.insert(&k, encode(&b)?)?;
        if targets.is_empty() {
            continue;
        }
        let plan = plans.entry(b.id).or_insert_with(|| {
            Plan::new(
                Id::generate(),
                b.id,
                b.meta.created_at.date_naive(),
                Meta::new(now, &b.meta.advisor),
            )
        });
        for t in targets {
            plan.add_target(PlanTarget::from(t));
        }
        new_plans.insert(plan.id.0, encode(&*plan)?)?;
    }
    Ok(())
}

/// Format 2 → 3: new trees for information sessions and registrations and
/// new date indexes (immersions by start, sessions by start). The data is
/// copied as is; the caller rebuilds every index from the records
/// (`check::repair`) once the store is open.
fn from_format_2(old: &sled::Db, new: &sled::Db) -> Result<(), StoreError> {
    backup::copy_trees(old, new, &["__sled__default"])?;
    new.open_tree(super::META_TREE)?
        .insert(super::FORMAT_KEY, &3u16.to_be_bytes())?;
    Ok(())
}

/// Format 1 → 2: per-kind beneficiary indexes become `idx_children`,
/// journal keys (a local counter) become `instant ++ store id ++ counter`,
/// and the meta tree gains the store id, the generation and the counters.
fn from_format_1(old: &sled::Db, new: &sled::Db, id: Id) -> Result<(), StoreError> {
    use super::{child_key, count_key, journal_key, COUNTED, GEN_KEY, JSEQ_KEY, META_TREE};
    super::init_meta(new, id)?;
    new.open_tree(META_TREE)?
        .insert(super::FORMAT_KEY, &2u16.to_be_bytes())?;
    backup::copy_trees(
        old,
        new,
        &[
            META_TREE,
            "journal",
            "idx_journal_by_beneficiary",
            "idx_interviews_by_beneficiary",
            "idx_plans_by_beneficiary",
            "idx_immersions_by_beneficiary",
            "__sled__default",
        ],
    )?;
    let children = new.open_tree("idx_children")?;
    for (tree, kind) in [
        ("idx_interviews_by_beneficiary", RecordKind::Interview),
        ("idx_plans_by_beneficiary", RecordKind::Plan),
        ("idx_immersions_by_beneficiary", RecordKind::Immersion),
    ] {
        for kv in old.open_tree(tree)?.iter() {
            let k = kv?.0;
            if let (Some(ben), Some(rec)) =
                (Id::from_slice(&k[..16.min(k.len())]), keys::id_suffix(&k))
            {
                if k.len() == 32 {
                    children.insert(child_key(ben, kind, rec), &[])?;
                }
            }
        }
    }
    let journal = new.open_tree("journal")?;
    let by_ben = new.open_tree("idx_journal_by_beneficiary")?;
    let mut seq: u64 = 0;
    for kv in old.open_tree("journal")?.iter() {
        let (_, v) = kv?;
        seq += 1;
        match super::codec::decode::<JournalEntry>(&v) {
            Ok(e) => {
                let key = journal_key(e.at, id, seq);
                journal.insert(key.as_slice(), v)?;
                by_ben.insert(keys::cat(&e.beneficiary.0, &key), &[])?;
            }
            Err(e) => {
                // Kept (under the epoch) so that `verifier` reports it.
                tracing::error!(
                    "journal entry {seq} unreadable in migration: {}",
                    e.log_detail()
                );
                let key = journal_key(chrono::DateTime::UNIX_EPOCH, id, seq);
                journal.insert(key.as_slice(), v)?;
            }
        }
    }
    let meta = new.open_tree(META_TREE)?;
    for (name, _) in COUNTED {
        let n = new.open_tree(name)?.len() as u64;
        meta.insert(count_key(name), &n.to_be_bytes())?;
    }
    meta.insert(JSEQ_KEY, &seq.to_be_bytes())?;
    meta.insert(GEN_KEY, &1u64.to_be_bytes())?;
    Ok(())
}

/// Header of the stored referential, layout 1 (envelope version 1, read
/// only): its label and row counts (checked on read, so a half-written
/// referential is detected).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferentielHeader {
    pub version: String,
    pub fiches: u32,
    pub appellations: u32,
}

/// The referential's header, by layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReferentielHead {
    /// Layout 1 (envelope version 1): one key per fiche (`f`) and per
    /// appellation (`a`), the snapshot in chunks under `i`.
    Rows(ReferentielHeader),
    /// Layout 2 (envelope version 2): see [`ReferentielLayout`].
    Chunks(ReferentielLayout),
}

/// Header of the referential, layout 2: the rows are one blob (an
/// envelope of [`ReferentielRows`]) and the catalogue snapshot another,
/// each cut into chunks stored under `g` ++ generation ++ `r` / `s` ++
/// chunk number. Only the generation this header names is in force: the
/// chunks of an interrupted import (another generation) are ignored and
/// removed by the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferentielLayout {
    pub version: String,
    pub fiches: u32,
    pub appellations: u32,
    pub generation: u32,
    pub rows: BlobInfo,
    /// `len == 0`: no snapshot stored.
    pub index: BlobInfo,
}

/// Size, number of chunks and CRC-32 of a blob stored in chunks, checked
/// when it is put back together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobInfo {
    pub len: u64,
    pub chunks: u32,
    pub crc: u32,
}

/// The rows of the referential (layout 2), one bincode value.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ReferentielRows {
    pub fiches: Vec<RomeFiche>,
    pub appellations: Vec<Appellation>,
}

/// [`ReferentielRows`] borrowed, for encoding without a copy (same bytes).
#[derive(Serialize)]
pub struct ReferentielRowsRef<'a> {
    pub fiches: &'a [RomeFiche],
    pub appellations: &'a [Appellation],
}

/// Header of the stored mobility file: its label and row count (checked
/// on read, like the referential's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MobilitesHeader {
    pub version: String,
    pub rows: u32,
}

/// The recent files list (settings tree).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentList(pub Vec<Id>);

macro_rules! stored {
    ($t:ty, $kind:ident, $ver:ident, $f:ident) => {
        stored!($t, $kind, $ver, $f, true);
    };
    ($t:ty, $kind:ident, $ver:ident, $f:ident, $confidential:expr) => {
        impl Stored for $t {
            const KIND: RecordKind = RecordKind::$kind;
            const VERSION: u16 = current::$ver;
            const CONFIDENTIAL: bool = $confidential;
            fn decode_version(version: u16, payload: &[u8]) -> Result<Self, StoreError> {
                $f(version, payload)
            }
        }
    };
}

/// Public reference data (ROME referential, mobility file): never
/// encrypted, so that `metiers` works without the passphrase.
const PUBLIC: bool = false;

stored!(Beneficiary, Beneficiary, BENEFICIARY, decode_beneficiary);
stored!(Interview, Interview, INTERVIEW, decode_interview);
stored!(Plan, Plan, PLAN, decode_plan);
stored!(Immersion, Immersion, IMMERSION, decode_immersion);
stored!(
    SessionRegistration,
    SessionRegistration,
    SESSION_REGISTRATION,
    decode_registration
);
stored!(InfoSession, InfoSession, INFO_SESSION, decode_info_session);
stored!(RomeFiche, RomeFiche, ROME_FICHE, decode_rome_fiche, PUBLIC);
stored!(
    MobilitesHeader,
    Mobilite,
    MOBILITE,
    decode_mobilites_header,
    PUBLIC
);
stored!(Mobility, Mobilite, MOBILITE, decode_mobility, PUBLIC);
stored!(
    Appellation,
    Appellation,
    APPELLATION,
    decode_appellation,
    PUBLIC
);
stored!(
    JournalEntry,
    JournalEntry,
    JOURNAL_ENTRY,
    decode_journal_entry
);
stored!(RecentList, Setting, SETTING, decode_recent);
stored!(super::audit::AuditEntry, Audit, AUDIT, decode_audit);
