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
use super::journal::JournalEntry;
use super::kind::RecordKind;
use crate::domain::{Appellation, Beneficiary, Id, Immersion, Interview, Plan, RomeFiche};
use serde::{Deserialize, Serialize};

/// Current envelope version of each kind.
pub mod current {
    pub const BENEFICIARY: u16 = 1;
    pub const INTERVIEW: u16 = 1;
    pub const PLAN: u16 = 1;
    /// 2: issue 10's record (objective, prescriber, parsed schedule…);
    /// version 1 is read through `domain::immersion::v1`.
    pub const IMMERSION: u16 = 2;
    pub const REFERENTIEL: u16 = 1;
    pub const ROME_FICHE: u16 = 1;
    pub const APPELLATION: u16 = 1;
    pub const JOURNAL_ENTRY: u16 = 1;
    pub const SETTING: u16 = 1;
    /// Format of the store as a whole (tree layout, key encodings).
    pub const STORE_FORMAT: u16 = 1;
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
        // 1 => payload::<v1::BeneficiaryV1>(K, bytes).map(Into::into),  (when 2 exists)
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::BENEFICIARY)),
    }
}

pub fn decode_interview(version: u16, bytes: &[u8]) -> Result<Interview, StoreError> {
    const K: RecordKind = RecordKind::Interview;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::INTERVIEW)),
    }
}

pub fn decode_plan(version: u16, bytes: &[u8]) -> Result<Plan, StoreError> {
    const K: RecordKind = RecordKind::Plan;
    match version {
        1 => payload(K, bytes),
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

pub fn decode_referentiel_header(
    version: u16,
    bytes: &[u8],
) -> Result<ReferentielHeader, StoreError> {
    const K: RecordKind = RecordKind::Referentiel;
    match version {
        1 => payload(K, bytes),
        v => Err(unknown(K, v, current::REFERENTIEL)),
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
        1 => payload(K, bytes),
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

/// Upgrades the store layout from `found` to [`current::STORE_FORMAT`].
/// Called on open when `meta/format` is older; each step is one arm.
/// Format 1 is the first, so there is nothing to do yet:
/// `1 => { /* rewrite trees for format 2 */ format = 2; }` goes here.
pub fn migrate_store(_db: &sled::Db, found: u16) -> Result<(), StoreError> {
    match found {
        current::STORE_FORMAT => Ok(()),
        v => Err(StoreError::Corrupt {
            kind: RecordKind::Setting,
            detail: format!("format de stockage {v} inconnu"),
        }),
    }
}

/// Header of the stored referential: its label and row counts (checked on
/// read, so a half-written referential is detected).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferentielHeader {
    pub version: String,
    pub fiches: u32,
    pub appellations: u32,
}

/// The recent files list (settings tree).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentList(pub Vec<Id>);

macro_rules! stored {
    ($t:ty, $kind:ident, $ver:ident, $f:ident) => {
        impl Stored for $t {
            const KIND: RecordKind = RecordKind::$kind;
            const VERSION: u16 = current::$ver;
            fn decode_version(version: u16, payload: &[u8]) -> Result<Self, StoreError> {
                $f(version, payload)
            }
        }
    };
}

stored!(Beneficiary, Beneficiary, BENEFICIARY, decode_beneficiary);
stored!(Interview, Interview, INTERVIEW, decode_interview);
stored!(Plan, Plan, PLAN, decode_plan);
stored!(Immersion, Immersion, IMMERSION, decode_immersion);
stored!(
    ReferentielHeader,
    Referentiel,
    REFERENTIEL,
    decode_referentiel_header
);
stored!(RomeFiche, RomeFiche, ROME_FICHE, decode_rome_fiche);
stored!(Appellation, Appellation, APPELLATION, decode_appellation);
stored!(
    JournalEntry,
    JournalEntry,
    JOURNAL_ENTRY,
    decode_journal_entry
);
stored!(RecentList, Setting, SETTING, decode_recent);
