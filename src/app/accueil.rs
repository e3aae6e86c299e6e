//! The Accueil screen's logic: one cursor over every file it lists (due
//! today, today's appointments, immersions of the week, overdue follow-ups
//! and debriefs, recently opened), and `Entrée` opens the file.

use super::agenda::name_of;
use super::beneficiaires::interview_form::to_local;
use super::screen::ScreenLogic;
use super::{beneficiaires, Action, App, Effect, Outcome, Screen};
use crate::domain::agenda::Week;
use crate::domain::Id;
use crate::transfer::agenda::AgendaData;
use chrono::NaiveDate;

/// The Accueil screen's own state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccueilState {
    /// Cursor over the files listed.
    pub selected: usize,
    /// The agenda of the current week (today's appointments, immersions of
    /// the week, debriefs overdue), once loaded.
    pub week: Option<AgendaData>,
}

/// The Accueil screen's logic.
pub struct Logic;

impl ScreenLogic for Logic {
    fn update(&self, app: &mut App, action: &Action) -> Option<Vec<Effect>> {
        update(app, action)
    }

    fn on_show(&self, app: &mut App) -> Vec<Effect> {
        let (from, to) = this_week(app.now.date());
        vec![Effect::LoadAgenda {
            from,
            to,
            today: app.now.date(),
        }]
    }

    fn on_outcome(&self, app: &mut App, outcome: &Outcome) -> Vec<Effect> {
        if let Outcome::AgendaLoaded { from, to, data } = outcome {
            if (*from, *to) == this_week(app.now.date()) {
                app.accueil.week = Some((**data).clone());
            }
        }
        Vec::new()
    }
}

fn this_week(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let w = Week::containing(today);
    (w.monday(), w.sunday())
}

/// One line of the Accueil that opens a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomeLine {
    pub id: Id,
    pub text: String,
}

/// Today's interviews: `14:00  Entretien  DUPONT Léa · présentiel`.
pub fn today_lines(app: &App) -> Vec<HomeLine> {
    let today = app.now.date();
    let Some(w) = &app.accueil.week else {
        return Vec::new();
    };
    let mut v: Vec<_> = w
        .interviews
        .iter()
        .filter(|i| to_local(i.at).date() == today)
        .collect();
    v.sort_by_key(|i| (i.at, i.id));
    v.into_iter()
        .map(|i| HomeLine {
            id: i.beneficiary,
            text: format!(
                "{}  Entretien  {} · {}{}",
                to_local(i.at).format("%H:%M"),
                name_of(app, i.beneficiary),
                i.mode.label(),
                if i.planned { "" } else { " (noté)" }
            ),
        })
        .collect()
}

/// The immersions under way this week, with today's presence day:
/// `Immersion J3/10  FAURE Noé @ Régie Nord  07/12–18/12`.
pub fn week_immersions(app: &App) -> Vec<HomeLine> {
    let today = app.now.date();
    let Some(w) = &app.accueil.week else {
        return Vec::new();
    };
    let mut v: Vec<_> = w.immersions.iter().filter(|i| i.is_active()).collect();
    v.sort_by_key(|i| (i.start, i.id));
    v.into_iter()
        .map(|i| {
            let host = i.host.name.trim();
            let at = if host.is_empty() {
                String::new()
            } else {
                format!(" @ {host}")
            };
            let day = i
                .day_number(today)
                .map(|(n, t)| format!(" J{n}/{t}"))
                .unwrap_or_default();
            HomeLine {
                id: i.beneficiary,
                text: format!(
                    "Immersion{day}  {}{at}  {}–{}",
                    name_of(app, i.beneficiary),
                    i.start.format("%d/%m"),
                    i.end.format("%d/%m")
                ),
            }
        })
        .collect()
}

/// The immersions over whose debrief is missing:
/// `Bilan d'immersion  MARTIN Zoé (fin 22/11)`.
pub fn debriefs_due(app: &App) -> Vec<HomeLine> {
    let Some(w) = &app.accueil.week else {
        return Vec::new();
    };
    w.debriefs_due
        .iter()
        .map(|i| HomeLine {
            id: i.beneficiary,
            text: format!(
                "Bilan d'immersion  {} (fin {})",
                name_of(app, i.beneficiary),
                i.end.format("%d/%m")
            ),
        })
        .collect()
}

/// The files listed on the Accueil screen, in display order: the left
/// panel (follow-ups due today, today's interviews, immersions of the
/// week), the right one (overdue follow-ups, overdue debriefs), the recent
/// files.
pub fn items(app: &App) -> Vec<Id> {
    let (due, late) = app.benef.follow_ups(app.now.date());
    let ids = |v: Vec<HomeLine>| v.into_iter().map(|l| l.id).collect::<Vec<_>>();
    due.iter()
        .map(|r| r.id)
        .chain(ids(today_lines(app)))
        .chain(ids(week_immersions(app)))
        .chain(late.iter().map(|r| r.id))
        .chain(ids(debriefs_due(app)))
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
            beneficiaries: vec![late, recent].into(),
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
