//! The kinds of stored values, named in errors and in the change journal.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a stored value is. Persisted inside journal entries (bincode writes
/// the variant index): **only append new variants at the end**, never
/// reorder or remove one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecordKind {
    Beneficiary,
    Interview,
    Plan,
    Immersion,
    /// Header of the imported ROME referential (version label and counts).
    Referentiel,
    RomeFiche,
    Appellation,
    JournalEntry,
    /// Small application settings (recent files…).
    Setting,
    /// A beneficiary registered to an information session (person-owned).
    SessionRegistration,
    /// An information session (no personal data).
    InfoSession,
    /// A row (or the header) of France Travail's ROME mobility file.
    Mobilite,
    /// An event of the audit log (export, erasure, unlock failures…).
    Audit,
}

impl RecordKind {
    /// Stable one-byte code used in index keys (`idx_children`). Never
    /// change a code; give a new kind a new one.
    pub fn code(self) -> u8 {
        match self {
            RecordKind::Beneficiary => 1,
            RecordKind::Interview => 2,
            RecordKind::Plan => 3,
            RecordKind::Immersion => 4,
            RecordKind::Referentiel => 5,
            RecordKind::RomeFiche => 6,
            RecordKind::Appellation => 7,
            RecordKind::JournalEntry => 8,
            RecordKind::Setting => 9,
            RecordKind::SessionRegistration => 10,
            RecordKind::InfoSession => 11,
            RecordKind::Mobilite => 12,
            RecordKind::Audit => 13,
        }
    }

    /// Inverse of [`RecordKind::code`].
    pub fn from_code(code: u8) -> Option<RecordKind> {
        [
            RecordKind::Beneficiary,
            RecordKind::Interview,
            RecordKind::Plan,
            RecordKind::Immersion,
            RecordKind::Referentiel,
            RecordKind::RomeFiche,
            RecordKind::Appellation,
            RecordKind::JournalEntry,
            RecordKind::Setting,
            RecordKind::SessionRegistration,
            RecordKind::InfoSession,
            RecordKind::Mobilite,
            RecordKind::Audit,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }

    /// French plural for counts: « dossiers », « entretiens »…
    pub fn plural(self) -> &'static str {
        match self {
            RecordKind::Beneficiary => "dossiers",
            RecordKind::Interview => "entretiens",
            RecordKind::Plan => "parcours",
            RecordKind::Immersion => "immersions",
            RecordKind::Referentiel => "lignes du référentiel",
            RecordKind::RomeFiche => "fiches ROME",
            RecordKind::Appellation => "appellations ROME",
            RecordKind::JournalEntry => "entrées du journal",
            RecordKind::Setting => "réglages",
            RecordKind::SessionRegistration => "inscriptions aux séances",
            RecordKind::InfoSession => "séances d'information",
            RecordKind::Mobilite => "lignes du fichier des mobilités",
            RecordKind::Audit => "événements du journal d'audit",
        }
    }

    /// « 1 dossier », « 3 entretiens », « 0 entrée du journal »: a count
    /// of records of this kind (French: 0 and 1 are singular).
    pub fn count(self, n: u64) -> String {
        if n > 1 {
            return format!("{n} {}", self.plural());
        }
        let one = match self {
            RecordKind::Beneficiary => "dossier",
            RecordKind::Referentiel => "ligne du référentiel",
            other => other.label(),
        };
        format!("{n} {one}")
    }

    /// French label for messages: « le dossier bénéficiaire », …
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::Beneficiary => "dossier bénéficiaire",
            RecordKind::Interview => "entretien",
            RecordKind::Plan => "parcours",
            RecordKind::Immersion => "immersion",
            RecordKind::Referentiel => "référentiel ROME",
            RecordKind::RomeFiche => "fiche ROME",
            RecordKind::Appellation => "appellation ROME",
            RecordKind::JournalEntry => "entrée du journal",
            RecordKind::Setting => "réglage",
            RecordKind::SessionRegistration => "inscription à une séance",
            RecordKind::InfoSession => "séance d'information",
            RecordKind::Mobilite => "mobilité ROME",
            RecordKind::Audit => "événement du journal d'audit",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
