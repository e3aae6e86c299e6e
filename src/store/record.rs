//! The one table of record kinds that belong to a person.
//!
//! [`AnyRecord`] lists every stored record that hangs off a beneficiary (the
//! beneficiary itself included). Saving ([`super::Store::apply`]), indexing
//! (the `Record` impls in the store), erasure and export all go through it
//! with exhaustive `match`es, so a new kind added here cannot be forgotten by
//! one of them: the compiler points at every place that must learn it.

use super::kind::RecordKind;
use crate::domain::{Beneficiary, Id, Immersion, Interview, Meta, Plan, SessionRegistration};
use chrono::{DateTime, Utc};

/// A record of any person-owned kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnyRecord {
    Beneficiary(Box<Beneficiary>),
    Interview(Box<Interview>),
    Plan(Box<Plan>),
    Immersion(Box<Immersion>),
    Registration(Box<SessionRegistration>),
}

/// Every person-owned kind, in the order exports list them.
pub const PERSON_KINDS: [RecordKind; 5] = [
    RecordKind::Beneficiary,
    RecordKind::Interview,
    RecordKind::Plan,
    RecordKind::Immersion,
    RecordKind::SessionRegistration,
];

impl AnyRecord {
    pub fn kind(&self) -> RecordKind {
        match self {
            AnyRecord::Beneficiary(_) => RecordKind::Beneficiary,
            AnyRecord::Interview(_) => RecordKind::Interview,
            AnyRecord::Plan(_) => RecordKind::Plan,
            AnyRecord::Immersion(_) => RecordKind::Immersion,
            AnyRecord::Registration(_) => RecordKind::SessionRegistration,
        }
    }

    pub fn id(&self) -> Id {
        match self {
            AnyRecord::Beneficiary(r) => r.id,
            AnyRecord::Interview(r) => r.id,
            AnyRecord::Plan(r) => r.id,
            AnyRecord::Immersion(r) => r.id,
            AnyRecord::Registration(r) => r.id,
        }
    }

    /// The person the record belongs to (itself for a beneficiary).
    pub fn beneficiary(&self) -> Id {
        match self {
            AnyRecord::Beneficiary(r) => r.id,
            AnyRecord::Interview(r) => r.beneficiary,
            AnyRecord::Plan(r) => r.beneficiary,
            AnyRecord::Immersion(r) => r.beneficiary,
            AnyRecord::Registration(r) => r.beneficiary,
        }
    }

    pub fn meta(&self) -> &Meta {
        match self {
            AnyRecord::Beneficiary(r) => &r.meta,
            AnyRecord::Interview(r) => &r.meta,
            AnyRecord::Plan(r) => &r.meta,
            AnyRecord::Immersion(r) => &r.meta,
            AnyRecord::Registration(r) => &r.meta,
        }
    }

    pub fn meta_mut(&mut self) -> &mut Meta {
        match self {
            AnyRecord::Beneficiary(r) => &mut r.meta,
            AnyRecord::Interview(r) => &mut r.meta,
            AnyRecord::Plan(r) => &mut r.meta,
            AnyRecord::Immersion(r) => &mut r.meta,
            AnyRecord::Registration(r) => &mut r.meta,
        }
    }

    /// Stamps the record as changed by `advisor` at `now` (created when
    /// `created` is true).
    pub fn stamp(&mut self, created: bool, now: DateTime<Utc>, advisor: &str) {
        let meta = self.meta_mut();
        if created {
            *meta = Meta::new(now, advisor);
        } else {
            meta.touch(now, advisor);
        }
    }
}

macro_rules! any_from {
    ($variant:ident, $ty:ty) => {
        impl From<$ty> for AnyRecord {
            fn from(r: $ty) -> AnyRecord {
                AnyRecord::$variant(Box::new(r))
            }
        }
    };
}
any_from!(Beneficiary, Beneficiary);
any_from!(Interview, Interview);
any_from!(Plan, Plan);
any_from!(Immersion, Immersion);
any_from!(Registration, SessionRegistration);

/// One write of a multi-record change, see [`super::Store::apply`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// Create or replace a record (its `meta` is already stamped).
    Put(AnyRecord),
    /// Delete a record; `at` and `advisor` go to the change journal.
    Delete {
        kind: RecordKind,
        id: Id,
        at: DateTime<Utc>,
        advisor: String,
    },
}

impl Write {
    pub fn kind(&self) -> RecordKind {
        match self {
            Write::Put(r) => r.kind(),
            Write::Delete { kind, .. } => *kind,
        }
    }
    pub fn id(&self) -> Id {
        match self {
            Write::Put(r) => r.id(),
            Write::Delete { id, .. } => *id,
        }
    }
}

/// A record that could not be read, reported instead of failing the whole
/// list (tolerant reading).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damaged {
    pub kind: RecordKind,
    /// The record's key as an id, when the key itself is readable.
    pub id: Option<Id>,
    /// French explanation (no personal data: the record could not be read).
    pub reason: String,
}

impl Damaged {
    /// `dossier bénéficiaire 1a2b3c4d` (short id) for messages.
    pub fn describe(&self) -> String {
        match self.id {
            Some(id) => format!("{} {}", self.kind.label(), id.short()),
            None => format!("{} (clé illisible)", self.kind.label()),
        }
    }
}

/// The readable records of a list, and the ones that were skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan<T> {
    pub records: Vec<T>,
    pub damaged: Vec<Damaged>,
}

impl<T> Default for Scan<T> {
    fn default() -> Self {
        Scan {
            records: Vec::new(),
            damaged: Vec::new(),
        }
    }
}

impl<T> Scan<T> {
    /// French summary of what was skipped, for a status bar or stderr:
    /// `1 enregistrement illisible ignoré (dossier bénéficiaire 1a2b3c4d)`.
    pub fn damaged_summary(&self) -> Option<String> {
        if self.damaged.is_empty() {
            return None;
        }
        let n = self.damaged.len();
        let list: Vec<String> = self.damaged.iter().take(5).map(Damaged::describe).collect();
        let more = if n > 5 { ", …" } else { "" };
        Some(format!(
            "{n} enregistrement{s} illisible{s} ignoré{s} ({}{more}) : lancez « passerelle verifier »",
            list.join(", "),
            s = if n > 1 { "s" } else { "" },
        ))
    }
}
