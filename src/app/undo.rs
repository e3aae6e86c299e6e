//! Undo / redo of the changes saved in this session (files and interviews).
//!
//! Each saved change keeps the record before and after. Undoing asks the
//! runtime to write `before` back (or to remove a record that was created);
//! redoing writes `after` again. The stacks only move once the runtime
//! reports success, so a failed write loses nothing.

use crate::domain::{Beneficiary, Interview};

/// One saved change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A file created (`before` = None) or modified.
    File {
        before: Option<Box<Beneficiary>>,
        after: Box<Beneficiary>,
    },
    /// An interview created (`before` = None) or modified, with the change
    /// it made to its file (last contact, next follow-up, CEP level).
    Interview {
        before: Option<Box<Interview>>,
        after: Box<Interview>,
        file_before: Box<Beneficiary>,
        file_after: Box<Beneficiary>,
    },
}

impl Change {
    /// French description: « modification du dossier DUPONT Léa ».
    pub fn describe(&self) -> String {
        match self {
            Change::File {
                before: None,
                after,
            } => {
                format!("création du dossier {}", after.display_name())
            }
            Change::File { after, .. } => {
                format!("modification du dossier {}", after.display_name())
            }
            Change::Interview {
                before: None,
                file_after,
                ..
            } => format!("nouvel entretien de {}", file_after.display_name()),
            Change::Interview { file_after, .. } => {
                format!(
                    "modification d'un entretien de {}",
                    file_after.display_name()
                )
            }
        }
    }

    /// The file the change is about.
    pub fn beneficiary(&self) -> &Beneficiary {
        match self {
            Change::File { after, .. } => after,
            Change::Interview { file_after, .. } => file_after,
        }
    }
}

/// Which way a change is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Undo,
    Redo,
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

    /// The runtime applied `dir` to the top change: move it across.
    pub fn applied(&mut self, dir: Direction) {
        match dir {
            Direction::Undo => {
                if let Some(c) = self.done.pop() {
                    self.undone.push(c);
                }
            }
            Direction::Redo => {
                if let Some(c) = self.undone.pop() {
                    self.done.push(c);
                }
            }
        }
    }

    /// A file was erased: changes about it can no longer be replayed.
    pub fn forget_beneficiary(&mut self, id: crate::domain::Id) {
        self.done.retain(|c| c.beneficiary().id != id);
        self.undone.retain(|c| c.beneficiary().id != id);
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
    use crate::domain::{Id, Meta};

    fn b(n: u8, name: &str) -> Beneficiary {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap();
        Beneficiary::new(Id([n; 16]), name, "Léa", Meta::new(t, "x"))
    }

    #[test]
    fn undo_then_redo_moves_changes_and_a_new_change_clears_redo() {
        let mut s = UndoStack::default();
        assert!(!s.can_undo());
        let c1 = Change::File {
            before: None,
            after: Box::new(b(1, "Dupont")),
        };
        let c2 = Change::File {
            before: Some(Box::new(b(1, "Dupont"))),
            after: Box::new(b(1, "Durand")),
        };
        s.record(c1.clone());
        s.record(c2.clone());
        assert_eq!(s.peek_undo(), Some(&c2));
        assert_eq!(c2.describe(), "modification du dossier DURAND Léa");
        assert_eq!(c1.describe(), "création du dossier DUPONT Léa");
        s.applied(Direction::Undo);
        assert_eq!(s.peek_undo(), Some(&c1));
        assert_eq!(s.peek_redo(), Some(&c2));
        s.applied(Direction::Redo);
        assert_eq!(s.peek_undo(), Some(&c2));
        s.applied(Direction::Undo);
        s.record(c1.clone());
        assert!(!s.can_redo());
        s.forget_beneficiary(Id([1; 16]));
        assert!(!s.can_undo());
    }
}
