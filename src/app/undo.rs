//! Changes to stored records, and undo / redo of those saved in this
//! session.
//!
//! A [`Change`] is the one description of a write, whatever the record
//! kinds: the records before and after, a status text and a journal note.
//! Saving writes the `after` records; undoing writes the `before` ones back
//! (deleting a record that did not exist before); redoing writes the
//! `after` ones again — each as one transaction (`Store::apply_noted`). The
//! stacks only move once the runtime reports success, so a failed write
//! loses nothing. A new record kind of [`AnyRecord`] needs nothing here.

use crate::domain::Id;
use crate::store::{AnyRecord, RecordKind};

/// One change of one or more records, written in one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What was done, for the status bar; may name the person
    /// (« création du dossier DUPONT Léa »).
    pub label: String,
    /// What was done, for the change journal and the timeline: **no
    /// personal data** (no name, e-mail or free text) — « ajout du métier
    /// cible Aide-soignant (J1501) ».
    pub note: String,
    /// `(before, after)` of each record: `None` before = created, `None`
    /// after = deleted.
    pub records: Vec<(Option<AnyRecord>, Option<AnyRecord>)>,
}

/// Which way a change is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// First write (a save).
    Do,
    Undo,
    Redo,
}

impl Change {
    /// A change of one record.
    pub fn one(
        label: impl Into<String>,
        note: impl Into<String>,
        before: Option<AnyRecord>,
        after: Option<AnyRecord>,
    ) -> Change {
        Change {
            label: label.into(),
            note: note.into(),
            records: vec![(before, after)],
        }
    }

    /// The records as they are once the change is written in `dir`:
    /// `(kind, id, record)`, `None` for a record that no longer exists.
    pub fn written(&self, dir: Direction) -> Vec<(RecordKind, Id, Option<&AnyRecord>)> {
        self.records
            .iter()
            .filter_map(|(before, after)| {
                let any = before.as_ref().or(after.as_ref())?;
                let now = match dir {
                    Direction::Undo => before.as_ref(),
                    Direction::Do | Direction::Redo => after.as_ref(),
                };
                Some((any.kind(), any.id(), now))
            })
            .collect()
    }

    /// The journal note for a write in `dir`: « annulation : … » for an
    /// undo, « rétablissement : … » for a redo.
    pub fn note_for(&self, dir: Direction) -> String {
        match dir {
            Direction::Do => self.note.clone(),
            Direction::Undo => format!("annulation : {}", self.note),
            Direction::Redo => format!("rétablissement : {}", self.note),
        }
    }

    /// The status text after a write in `dir` (None for a first write: the
    /// screen that asked says what it saved).
    pub fn status_for(&self, dir: Direction) -> Option<String> {
        match dir {
            Direction::Do => None,
            Direction::Undo => Some(format!("Annulé : {}", self.label)),
            Direction::Redo => Some(format!("Rétabli : {}", self.label)),
        }
    }

    /// Whether a record of the change belongs to this person.
    pub fn concerns(&self, beneficiary: Id) -> bool {
        self.records.iter().any(|(b, a)| {
            b.iter()
                .chain(a.iter())
                .any(|r| r.beneficiary() == beneficiary)
        })
    }

    /// The people the change concerns.
    pub fn beneficiaries(&self) -> Vec<Id> {
        let mut out: Vec<Id> = Vec::new();
        for (b, a) in &self.records {
            for r in b.iter().chain(a.iter()) {
                if !out.contains(&r.beneficiary()) {
                    out.push(r.beneficiary());
                }
            }
        }
        out
    }
}

/// Maximum number of changes kept.
pub const DEPTH: usize = 100;

#[derive(Clone, Debug, Default)]
pub struct UndoStack {
    done: Vec<Change>,
    undone: Vec<Change>,
}

impl UndoStack {
    /// A new change was saved: it can be undone; the redo list is cleared.
    pub fn record(&mut self, c: Change) {
        self.done.push(c);
        if self.done.len() > DEPTH {
            self.done.remove(0);
        }
        self.undone.clear();
    }

    /// The change `Ctrl-Z` would undo.
    pub fn peek_undo(&self) -> Option<&Change> {
        self.done.last()
    }

    /// The change `Ctrl-Y` would redo.
    pub fn peek_redo(&self) -> Option<&Change> {
        self.undone.last()
    }

    /// The change that `dir` would write next.
    pub fn peek(&self, dir: Direction) -> Option<&Change> {
        match dir {
            Direction::Undo => self.peek_undo(),
            Direction::Redo => self.peek_redo(),
            Direction::Do => None,
        }
    }

    /// The runtime wrote `dir` of the top change: move it across, keeping
    /// the records as stored (their `meta` was stamped).
    pub fn applied(&mut self, dir: Direction, stored: Change) {
        let (from, to) = match dir {
            Direction::Undo => (&mut self.done, &mut self.undone),
            Direction::Redo => (&mut self.undone, &mut self.done),
            Direction::Do => return self.record(stored),
        };
        if from.pop().is_some() {
            to.push(stored);
        }
    }

    /// A file was erased: changes about it can no longer be replayed.
    pub fn forget_beneficiary(&mut self, id: Id) {
        self.done.retain(|c| !c.concerns(id));
        self.undone.retain(|c| !c.concerns(id));
    }

    pub fn can_undo(&self) -> bool {
        !self.done.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Beneficiary, Interview, Meta};

    fn b(n: u8, name: &str) -> Beneficiary {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap();
        Beneficiary::new(Id([n; 16]), name, "Léa", Meta::new(t, "x"))
    }

    fn file(n: u8, name: &str) -> AnyRecord {
        AnyRecord::from(b(n, name))
    }

    #[test]
    fn undo_then_redo_moves_changes_and_a_new_change_clears_redo() {
        let mut s = UndoStack::default();
        assert!(!s.can_undo());
        let c1 = Change::one(
            "création",
            "création du dossier",
            None,
            Some(file(1, "Dupont")),
        );
        let c2 = Change::one(
            "modification",
            "modification du dossier",
            Some(file(1, "Dupont")),
            Some(file(1, "Durand")),
        );
        s.record(c1.clone());
        s.record(c2.clone());
        assert_eq!(s.peek_undo(), Some(&c2));
        s.applied(Direction::Undo, c2.clone());
        assert_eq!(s.peek_undo(), Some(&c1));
        assert_eq!(s.peek_redo(), Some(&c2));
        s.applied(Direction::Redo, c2.clone());
        assert_eq!(s.peek_undo(), Some(&c2));
        assert!(!s.can_redo());
        s.applied(Direction::Undo, c2.clone());
        s.record(c1.clone());
        assert!(!s.can_redo(), "a new change clears the redo list");
        s.forget_beneficiary(Id([1; 16]));
        assert!(!s.can_undo());
    }

    #[test]
    fn written_records_follow_the_direction_for_any_kind() {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let file_before = b(1, "Dupont");
        let mut file_after = file_before.clone();
        file_after.cep_level = Some(2);
        let interview = Interview {
            id: Id([9; 16]),
            beneficiary: file_before.id,
            at: t,
            duration_minutes: 60,
            level: crate::domain::CepLevel::AccompagnementPersonnalise,
            mode: crate::domain::InterviewMode::OnSite,
            place: String::new(),
            topics: String::new(),
            summary: String::new(),
            decisions: String::new(),
            next_follow_up: None,
            planned: false,
            meta: Meta::new(t, "x"),
        };
        let c = Change {
            label: "nouvel entretien de DUPONT Léa".into(),
            note: "nouvel entretien".into(),
            records: vec![
                (None, Some(AnyRecord::from(interview.clone()))),
                (
                    Some(AnyRecord::from(file_before.clone())),
                    Some(AnyRecord::from(file_after.clone())),
                ),
            ],
        };
        let undo = c.written(Direction::Undo);
        assert_eq!(undo[0], (RecordKind::Interview, interview.id, None));
        assert_eq!(
            undo[1].2,
            Some(&AnyRecord::from(file_before.clone())),
            "undo restores the file as it was"
        );
        let redo = c.written(Direction::Redo);
        assert!(redo[0].2.is_some());
        assert_eq!(redo[1].2, Some(&AnyRecord::from(file_after)));
        assert_eq!(c.note_for(Direction::Undo), "annulation : nouvel entretien");
        assert_eq!(
            c.note_for(Direction::Redo),
            "rétablissement : nouvel entretien"
        );
        assert_eq!(
            c.status_for(Direction::Undo).as_deref(),
            Some("Annulé : nouvel entretien de DUPONT Léa")
        );
        assert_eq!(c.status_for(Direction::Do), None);
        assert!(c.concerns(file_before.id));
        assert!(!c.concerns(Id([2; 16])));
        assert_eq!(c.beneficiaries(), vec![file_before.id]);
    }
}
