//! The audit log: who (the advisor named in the configuration) did what,
//! on which file, when — beyond the record changes the change journal
//! already holds (creation, change with field names, deletion): exports of
//! personal data, erasures, restores, passphrase changes, unlock failures.
//!
//! Append-only: entries are only ever added (`audit` tree, keys in time
//! order like the journal's). No personal value is written: an erasure
//! keeps the file's id only, an export says what kind of document. Values
//! are encrypted like every record in an encrypted store.

use crate::domain::time::serde_micros;
use crate::domain::Id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened. Persisted (bincode variant index): only append.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    /// Personal data written out (person export, synthesis, convention,
    /// calendar, spreadsheet).
    Export,
    /// A file erased (right to erasure or retention purge).
    Erasure,
    /// A backup restored.
    Restore,
    /// The passphrase was changed.
    PassphraseChange,
    /// Wrong passphrases typed before a successful unlock.
    UnlockFailures,
    /// The store was encrypted (first passphrase).
    Encryption,
}

impl AuditAction {
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Export => "export",
            AuditAction::Erasure => "effacement",
            AuditAction::Restore => "restauration",
            AuditAction::PassphraseChange => "changement de phrase secrète",
            AuditAction::UnlockFailures => "échecs de déverrouillage",
            AuditAction::Encryption => "chiffrement de la base",
        }
    }
    /// Stable ASCII id for JSON.
    pub fn id(self) -> &'static str {
        match self {
            AuditAction::Export => "export",
            AuditAction::Erasure => "effacement",
            AuditAction::Restore => "restauration",
            AuditAction::PassphraseChange => "phrase_secrete",
            AuditAction::UnlockFailures => "echecs_deverrouillage",
            AuditAction::Encryption => "chiffrement",
        }
    }
}

/// One event. Persisted with envelope version 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    #[serde(with = "serde_micros")]
    pub at: DateTime<Utc>,
    pub advisor: String,
    pub action: AuditAction,
    /// The file concerned, when there is one.
    pub beneficiary: Option<Id>,
    /// What, in French, without personal data (« synthèse HTML »,
    /// « 3 échecs », « agenda iCalendar, 12 personnes »).
    pub detail: String,
}
