//! The Accueil screen's logic: one cursor over every file it lists (due
//! today, overdue, recently opened), and `Entrée` opens the file.

use super::screen::ScreenLogic;
use super::{beneficiaires, Action, App, Effect, Screen};
use crate::domain::Id;

/// The Accueil screen's own state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccueilState {
    /// Cursor over the files listed.
    pub selected: usize,
}

/// The Accueil screen's logic.
pub struct Logic;

impl ScreenLogic for Logic {
    fn update(&self, app: &mut App, action: &Action) -> Option<Vec<Effect>> {
        update(app, action)
    }
}

/// The files listed on the Accueil screen, in display order.
pub fn items(app: &App) -> Vec<Id> {
    let (due, late) = app.benef.follow_ups(app.now.date());
    due.iter()
        .chain(late.iter())
        .map(|r| r.b.id)
        .chain(app.benef.recent_files().iter().map(|b| b.id))
        .collect()
}

/// The cursor, kept inside the list.
pub fn selected(app: &App) -> usize {
    let n = items(app).len();
    app.accueil.selected.min(n.saturating_sub(1))
}

/// Handles an action on the Accueil screen; None when not handled here.
fn update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    let n = items(app).len();
    let cur = selected(app) as isize;
    let moved = match action {
        Action::Up => cur - 1,
        Action::Down => cur + 1,
        Action::PageUp => cur - 10,
        Action::PageDown => cur + 10,
        Action::Home => 0,
        Action::End => n as isize - 1,
        Action::Open => {
            let id = *items(app).get(cur as usize)?;
            app.go_to(Screen::Beneficiaires);
            return Some(beneficiaires::open_file(app, id));
        }
        _ => return None,
    };
    app.accueil.selected = moved.clamp(0, (n as isize - 1).max(0)) as usize;
    Some(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Outcome;
    use crate::domain::{Beneficiary, Meta};

    #[test]
    fn enter_opens_the_selected_follow_up_or_recent_file() {
        let mut a = App::for_tests();
        let meta = Meta::new(chrono::DateTime::from_timestamp(0, 0).unwrap(), "x");
        let mut late = Beneficiary::new(Id::new_v7(1, [1; 10]), "Benali", "Karim", meta.clone());
        late.next_follow_up = chrono::NaiveDate::from_ymd_opt(2026, 11, 20);
        let recent = Beneficiary::new(Id::new_v7(2, [2; 10]), "Dupont", "Léa", meta);
        let (late_id, recent_id) = (late.id, recent.id);
        a.effect_done(Outcome::BeneficiariesLoaded {
            damaged: Vec::new(),
            beneficiaries: vec![late, recent],
            recent: vec![recent_id],
        });
        assert_eq!(items(&a), vec![late_id, recent_id]);
        a.update(Action::Down);
        a.update(Action::Down); // stays on the last item
        assert_eq!(selected(&a), 1);
        let fx = a.update(Action::Open);
        assert_eq!(a.history, vec![Screen::Accueil]);
        assert_eq!(a.screen, Screen::Beneficiaires);
        assert_eq!(a.open_beneficiary.as_ref().map(|o| o.id), Some(recent_id));
        assert!(fx.contains(&Effect::LoadFile(recent_id)));
        a.update(Action::Back);
        a.update(Action::Back);
        assert_eq!(a.screen, Screen::Accueil);
        a.update(Action::Home);
        a.update(Action::Open);
        assert_eq!(a.open_beneficiary.as_ref().map(|o| o.id), Some(late_id));
    }
}
