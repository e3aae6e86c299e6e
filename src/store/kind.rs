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
}

impl RecordKind {
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
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
