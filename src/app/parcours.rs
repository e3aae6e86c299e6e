//! The Parcours screen (plan of the open file): for now its ranked target
//! métiers, which can be reordered and removed — here and from the file's
//! Parcours tab — as undoable changes.
//!
//! Issue 9 moves target métiers to the plan record: only
//! [`target_change`] (the record it writes) changes then.

use super::capitalize;
use super::metiers::target_text;
use super::screen::ScreenLogic;
use super::undo::{Change, Direction};
use super::{Action, App, Effect, Outcome, Screen, StatusLevel};
use crate::domain::{Beneficiary, Id};
use crate::store::AnyRecord;

/// The Parcours screen's own state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParcoursState {
    /// Cursor over the open file's target métiers.
    pub selected: usize,
}

/// What to do with a target métier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetOp {
    Up,
    Down,
    Remove,
}

impl TargetOp {
    pub fn from_action(a: &Action) -> Option<TargetOp> {
        match a {
            Action::TargetUp => Some(TargetOp::Up),
            Action::TargetDown => Some(TargetOp::Down),
            Action::TargetRemove => Some(TargetOp::Remove),
            _ => None,
        }
    }
}

/// Asks to move or remove the target métier at `index` of file `id`, as one
/// undoable change; `cursor` follows the moved métier. Nothing when the
/// move is impossible (first one up, last one down).
pub fn target_change(
    app: &mut App,
    id: Id,
    cursor: &mut usize,
    op: TargetOp,
    owner: Screen,
) -> Vec<Effect> {
    let Some(before) = app.benef.list.get(id).cloned() else {
        app.set_status(StatusLevel::Error, "Aucun dossier ouvert.");
        return Vec::new();
    };
    let n = before.targets.len();
    let index = *cursor;
    let Some(t) = before.targets.get(index).cloned() else {
        app.set_status(StatusLevel::Info, "Aucun métier cible choisi.");
        return Vec::new();
    };
    let mut after = before.clone();
    let what = target_text(&t);
    let note = match op {
        TargetOp::Remove => {
            after.targets.remove(index);
            *cursor = index.min(n.saturating_sub(2));
            format!("retrait du métier cible {what}")
        }
        TargetOp::Up | TargetOp::Down => {
            let to = match op {
                TargetOp::Up if index > 0 => index - 1,
                TargetOp::Down if index + 1 < n => index + 1,
                _ => return Vec::new(),
            };
            after.targets.swap(index, to);
            *cursor = to;
            format!("métier cible {what} placé en position {}", to + 1)
        }
    };
    save_file_change(before, after, note, owner)
}

/// Asks to save a file whose target métiers changed: one undoable change
/// whose `note` (journal, status) names the métier, never the person.
pub fn save_file_change(
    before: Beneficiary,
    after: Beneficiary,
    note: String,
    owner: Screen,
) -> Vec<Effect> {
    vec![Effect::Apply {
        change: Box::new(Change::one(
            note.clone(),
            note,
            Some(AnyRecord::from(before)),
            Some(AnyRecord::from(after)),
        )),
        direction: Direction::Do,
        owner,
    }]
}

/// Status after a change saved by a screen: what was done and how to undo it.
pub fn saved_status(app: &mut App, change: &Change) {
    let undo = app
        .keymap
        .key_for(&Action::Undo)
        .map(|k| format!(" ({k} pour annuler)"))
        .unwrap_or_default();
    app.set_status(
        StatusLevel::Success,
        format!("{} : enregistré{undo}", capitalize(&change.note)),
    );
}

/// The Parcours screen's logic.
pub struct Logic;

impl ScreenLogic for Logic {
    fn update(&self, app: &mut App, action: &Action) -> Option<Vec<Effect>> {
        let id = app.open_beneficiary.as_ref()?.id;
        let n = app.benef.list.get(id).map_or(0, |b| b.targets.len());
        let cur = app.parcours.selected.min(n.saturating_sub(1)) as isize;
        let moved = match action {
            Action::Up => cur - 1,
            Action::Down => cur + 1,
            Action::Home | Action::PageUp => 0,
            Action::End | Action::PageDown => n as isize - 1,
            a => {
                let op = TargetOp::from_action(a)?;
                let mut cursor = cur as usize;
                let effects = target_change(app, id, &mut cursor, op, Screen::Parcours);
                app.parcours.selected = cursor;
                return Some(effects);
            }
        };
        app.parcours.selected = moved.clamp(0, (n as isize - 1).max(0)) as usize;
        Some(Vec::new())
    }

    fn on_outcome(&self, app: &mut App, outcome: &Outcome) -> Vec<Effect> {
        if let Outcome::Applied {
            change,
            direction: Direction::Do,
            owner: Screen::Parcours,
        } = outcome
        {
            saved_status(app, change);
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{OpenBeneficiary, Outcome};
    use crate::domain::{Meta, TargetMetier};

    fn app_with_targets(labels: &[(&str, &str)]) -> (App, Beneficiary) {
        let mut a = App::for_tests();
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let mut b = Beneficiary::new(Id([5; 16]), "Dupont", "Léa", Meta::new(t, "x"));
        for (i, (label, rome)) in labels.iter().enumerate() {
            b.targets.push(TargetMetier {
                ogr: i as u32 + 1,
                rome: rome.to_string(),
                label: label.to_string(),
            });
        }
        a.effect_done(Outcome::BeneficiariesLoaded {
            beneficiaries: vec![b.clone()],
            damaged: Vec::new(),
            recent: Vec::new(),
        });
        a.open_beneficiary = Some(OpenBeneficiary {
            id: b.id,
            display_name: b.display_name(),
        });
        a.update(Action::GoTo(Screen::Parcours));
        (a, b)
    }

    fn only_change(fx: &[Effect]) -> &Change {
        match fx {
            [Effect::Apply {
                change,
                direction: Direction::Do,
                owner: Screen::Parcours,
            }] => change,
            other => panic!("{other:?}"),
        }
    }

    fn targets_after(c: &Change) -> Vec<String> {
        match &c.records[0].1 {
            Some(AnyRecord::Beneficiary(b)) => b.targets.iter().map(|t| t.rome.clone()).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn targets_move_and_go_with_notes_that_name_the_metier_not_the_person() {
        let (mut a, _) = app_with_targets(&[
            ("Aide-soignant", "J1501"),
            ("Éducateur de jeunes enfants", "K1202"),
            ("Auxiliaire de puériculture", "J1304"),
        ]);
        a.update(Action::Down);
        let fx = a.update(Action::TargetUp);
        let c = only_change(&fx);
        assert_eq!(targets_after(c), ["K1202", "J1501", "J1304"]);
        assert_eq!(
            c.note,
            "métier cible Éducateur de jeunes enfants (K1202) placé en position 1"
        );
        assert_eq!(a.parcours.selected, 0, "the cursor follows the métier");
        // Boundary: the first one cannot go up, the last one cannot go down.
        assert!(a.update(Action::TargetUp).is_empty());
        a.update(Action::End);
        assert!(a.update(Action::TargetDown).is_empty());
        let fx = a.update(Action::TargetRemove);
        let c = only_change(&fx);
        assert_eq!(targets_after(c), ["J1501", "K1202"]);
        assert_eq!(
            c.note,
            "retrait du métier cible Auxiliaire de puériculture (J1304)"
        );
        assert!(!c.note.contains("Dupont") && !c.label.is_empty());
        assert_eq!(a.parcours.selected, 1, "cursor stays on the new last one");
    }

    #[test]
    fn nothing_to_do_without_an_open_file_or_a_target() {
        let (mut a, _) = app_with_targets(&[]);
        assert!(a.update(Action::TargetRemove).is_empty());
        assert!(a
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("Aucun métier cible"));
        a.open_beneficiary = None;
        assert!(a.update(Action::TargetRemove).is_empty());
    }
}
