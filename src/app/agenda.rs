//! The Agenda screen (5): the week (Monday to Sunday) of interviews,
//! immersion days with their hours, information sessions and plan steps
//! due, with conflicts flagged and listed; what comes next; the information
//! sessions (create, edit, delete, who is registered).
//!
//! The records come from the runtime ([`Effect::LoadAgenda`]) each time the
//! screen is shown, the week changes or a change is saved; the items are
//! built here with the names of the files loaded by the Bénéficiaires
//! screen, in the same wall-clock time as the interview form.

use super::beneficiaires::immersions::{
    apply_or_report, registration_change, unregistration_by_id,
};
use super::beneficiaires::interview_form::{fmt_when, parse_when, to_local, to_utc};
use super::form::{Ctx, Field, Form, FormKeys, Validation};
use super::parcours::saved_status;
use super::screen::{FieldKind, Focus, ScreenLogic};
use super::undo::Direction;
use super::{beneficiaires, Action, App, Confirm, Effect, Modal, Outcome, Reply, Screen};
use super::{Context, StatusLevel};
use crate::domain::agenda::{on_day, AgendaItem, AgendaKind, Week};
use crate::domain::session::{DURATION_RANGE, MAX_CAPACITY};
use crate::domain::time::fmt_date;
use crate::domain::{Id, InfoSession, Meta};
use crate::store::RecordKind;
use crate::transfer::agenda::{self as ag, AgendaData};
use chrono::{Duration, NaiveDate};

/// How many days the « à venir » view covers.
pub const UPCOMING_DAYS: i64 = 56;

/// The views of the screen, cycled with `v`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    #[default]
    Week,
    Upcoming,
    Sessions,
}

impl View {
    pub fn title(self) -> &'static str {
        match self {
            View::Week => "semaine",
            View::Upcoming => "à venir",
            View::Sessions => "séances d'information",
        }
    }
    fn next(self) -> View {
        match self {
            View::Week => View::Upcoming,
            View::Upcoming => View::Sessions,
            View::Sessions => View::Week,
        }
    }
}

/// The information-session form.
#[derive(Clone, Debug)]
pub struct SessionForm {
    /// The session edited (None: a new one, to be created as `id`).
    pub base: Option<InfoSession>,
    pub id: Id,
    pub form: Form,
}

/// The Agenda screen's own state.
#[derive(Clone, Debug, Default)]
pub struct AgendaState {
    pub view: View,
    /// The selected day (its week is shown).
    pub day: Option<NaiveDate>,
    /// Cursor over the selected day's items (week) or the list (à venir).
    pub cursor: usize,
    /// The range asked for and the one loaded.
    pub requested: Option<(NaiveDate, NaiveDate)>,
    pub loaded: Option<(NaiveDate, NaiveDate)>,
    pub data: AgendaData,
    /// The items of the loaded range, in order, conflicts marked.
    pub items: Vec<AgendaItem>,
    /// The conflicts that touch the range, as French sentences.
    pub conflicts: Vec<String>,
    /// Cursor over the sessions (séances view).
    pub session: usize,
    /// Cursor over the people registered to the chosen session, when that
    /// list has the focus.
    pub registrant: Option<usize>,
    pub form: Option<SessionForm>,
}

impl AgendaState {
    /// The selected day (today until one is chosen).
    pub fn day(&self, today: NaiveDate) -> NaiveDate {
        self.day.unwrap_or(today)
    }

    pub fn week(&self, today: NaiveDate) -> Week {
        Week::containing(self.day(today))
    }

    /// The items of the selected day.
    pub fn day_items(&self, today: NaiveDate) -> Vec<&AgendaItem> {
        on_day(&self.items, self.day(today))
    }

    /// The items of the « à venir » view: not over at `now`.
    pub fn upcoming(&self, now: chrono::NaiveDateTime) -> Vec<&AgendaItem> {
        crate::domain::agenda::upcoming(&self.items, now, usize::MAX)
    }

    /// The item under the cursor in the week or « à venir » view.
    pub fn selected_item(&self, now: chrono::NaiveDateTime) -> Option<&AgendaItem> {
        let list = match self.view {
            View::Week => self.day_items(now.date()),
            View::Upcoming => self.upcoming(now),
            View::Sessions => return None,
        };
        let n = list.len();
        list.into_iter().nth(self.cursor.min(n.saturating_sub(1)))
    }

    /// The session under the cursor (séances view), or the one of the
    /// selected item.
    pub fn selected_session(&self, now: chrono::NaiveDateTime) -> Option<&InfoSession> {
        match self.view {
            View::Sessions => {
                let n = self.data.sessions.len();
                self.data
                    .sessions
                    .get(self.session.min(n.saturating_sub(1)))
            }
            _ => {
                let item = self.selected_item(now)?;
                (item.kind == AgendaKind::Seance)
                    .then(|| self.data.sessions.iter().find(|s| s.id == item.source))
                    .flatten()
            }
        }
    }

    /// The people registered to `s`, with their registration, by name.
    pub fn registrants<'a>(
        &'a self,
        s: &InfoSession,
        name: &dyn Fn(Id) -> String,
    ) -> Vec<(String, &'a crate::domain::SessionRegistration)> {
        let mut v: Vec<_> = s
            .registrations(&self.data.registrations)
            .map(|r| (name(r.beneficiary), r))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

/// The name shown for a file.
pub fn name_of(app: &App, id: Id) -> String {
    app.benef
        .list
        .get(id)
        .map(crate::app::beneficiaires::Row::display_name)
        .unwrap_or_else(|| "dossier inconnu".into())
}

/// The range the current view needs.
fn wanted(app: &App) -> (NaiveDate, NaiveDate) {
    let today = app.now.date();
    match app.agenda.view {
        View::Upcoming => (today, today + Duration::days(UPCOMING_DAYS - 1)),
        _ => {
            let w = app.agenda.week(today);
            (w.monday(), w.sunday())
        }
    }
}

/// Asks for the records of the current view.
pub fn reload(app: &mut App) -> Vec<Effect> {
    let (from, to) = wanted(app);
    app.agenda.requested = Some((from, to));
    vec![Effect::LoadAgenda {
        from,
        to,
        today: app.now.date(),
    }]
}

/// Asks for the records only when the view needs another range.
fn reload_if_needed(app: &mut App) -> Vec<Effect> {
    if app.agenda.requested == Some(wanted(app)) {
        Vec::new()
    } else {
        reload(app)
    }
}

/// Keeps loaded records: the items of the range, conflicts marked.
fn loaded(app: &mut App, from: NaiveDate, to: NaiveDate, data: &AgendaData) {
    if app.agenda.requested != Some((from, to)) {
        return;
    }
    let list = &app.benef.list;
    let name = |id: Id| {
        list.get(id)
            .map(|r| r.display_name())
            .unwrap_or_else(|| "dossier inconnu".into())
    };
    let (all, conflicts) = ag::items(data, &name, &to_local);
    let lo = from.and_time(chrono::NaiveTime::MIN);
    let hi = (to + Duration::days(1)).and_time(chrono::NaiveTime::MIN);
    let touches = |i: &AgendaItem| i.start < hi && i.end > lo;
    app.agenda.conflicts = conflicts
        .iter()
        .filter(|c| touches(&all[c.a]) || touches(&all[c.b]))
        .map(|c| c.message(&all))
        .collect();
    app.agenda.items = ag::in_range(&all, from, to);
    app.agenda.data = data.clone();
    app.agenda.loaded = Some((from, to));
}

/// The Agenda screen's logic.
pub struct Logic;

impl ScreenLogic for Logic {
    fn update(&self, app: &mut App, action: &Action) -> Option<Vec<Effect>> {
        update(app, action)
    }

    fn on_show(&self, app: &mut App) -> Vec<Effect> {
        reload(app)
    }

    fn on_outcome(&self, app: &mut App, outcome: &Outcome) -> Vec<Effect> {
        on_outcome(app, outcome)
    }

    fn confirmed(&self, app: &mut App, reply: Reply) -> Vec<Effect> {
        confirmed(app, reply)
    }

    fn focus(&self, app: &App) -> Focus {
        match &app.agenda.form {
            Some(f) => Focus::Form(match f.form.focused().map(|x| &x.input) {
                Some(super::form::Input::Choice { .. }) => FieldKind::Choice,
                Some(super::form::Input::Area(_)) => FieldKind::Area,
                _ => FieldKind::Text,
            }),
            None => Focus::Keys,
        }
    }

    fn unsaved(&self, app: &App) -> bool {
        app.agenda.form.as_ref().is_some_and(|f| f.form.is_dirty())
    }

    fn blocks_undo(&self, app: &App) -> Option<String> {
        app.agenda.form.as_ref()?;
        Some(format!(
            "le formulaire de séance est ouvert (écran Agenda) : enregistrez-le ({}) ou \
             quittez-le ({})",
            app.keymap
                .key_in(Context::Form, &Action::Save)
                .unwrap_or_default(),
            app.keymap
                .key_in(Context::Form, &Action::Back)
                .unwrap_or_default()
        ))
    }
}

fn update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    if matches!(
        action,
        Action::Tick | Action::Resize(..) | Action::Help | Action::Privacy | Action::Palette
    ) {
        return None;
    }
    if app.agenda.form.is_some() {
        return form_update(app, action);
    }
    let today = app.now.date();
    let day = app.agenda.day(today);
    let move_day = |app: &mut App, d: NaiveDate| {
        app.agenda.day = Some(d);
        app.agenda.cursor = 0;
        reload_if_needed(app)
    };
    let view = app.agenda.view;
    match action {
        Action::PrevDay if view == View::Week => {
            return Some(move_day(app, day - Duration::days(1)))
        }
        Action::NextDay if view == View::Week => {
            return Some(move_day(app, day + Duration::days(1)))
        }
        Action::PrevWeek | Action::PageUp if view == View::Week => {
            return Some(move_day(app, day - Duration::days(7)))
        }
        Action::NextWeek | Action::PageDown if view == View::Week => {
            return Some(move_day(app, day + Duration::days(7)))
        }
        Action::PrevWeek | Action::NextWeek | Action::PrevDay | Action::NextDay => {
            app.set_status(
                StatusLevel::Info,
                "Jours et semaines se parcourent dans la vue semaine (v)",
            );
        }
        Action::Today => {
            app.agenda.session = 0;
            app.agenda.registrant = None;
            return Some(move_day(app, today));
        }
        Action::CycleView => {
            app.agenda.view = view.next();
            app.agenda.cursor = 0;
            app.agenda.registrant = None;
            return Some(reload_if_needed(app));
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Home
        | Action::End => move_cursor(app, action),
        Action::Open => return Some(open(app)),
        Action::Back => {
            if app.agenda.registrant.take().is_none() {
                if view == View::Week {
                    return None;
                }
                app.agenda.view = View::Week;
                app.agenda.cursor = 0;
                return Some(reload_if_needed(app));
            }
        }
        Action::NewImmersion => {
            let who = app
                .agenda
                .selected_item(app.now)
                .and_then(|i| i.beneficiary)
                .or(app.open_beneficiary.as_ref().map(|o| o.id));
            match who {
                Some(id) => {
                    return Some(beneficiaires::immersions::new_immersion_for(app, id));
                }
                None => app.set_status(
                    StatusLevel::Info,
                    "Choisissez un rendez-vous d'une personne ou ouvrez d'abord son dossier \
                     (écran 2) : l'immersion lui sera rattachée",
                ),
            }
        }
        Action::New => open_session_form(app, None),
        Action::Edit => match app.agenda.selected_session(app.now).cloned() {
            Some(s) => open_session_form(app, Some(s)),
            None => app.set_status(StatusLevel::Info, "Choisissez d'abord une séance"),
        },
        Action::Delete => match app.agenda.selected_session(app.now).cloned() {
            Some(s) => {
                let n = s.registered(&app.agenda.data.registrations);
                let q = format!(
                    "Supprimer la séance « {} » du {} ?{}",
                    s.topic.trim(),
                    fmt_date(to_local(s.start).date()),
                    if n == 0 {
                        String::new()
                    } else {
                        format!(
                            " Ses {n} inscription{} seront retirées (pas d'annulation possible).",
                            if n > 1 { "s" } else { "" }
                        )
                    }
                );
                app.modals.push(Modal::Confirm(
                    Confirm::new(Screen::Agenda, q, Reply::DeleteSession(s.id))
                        .labels("supprimer", "garder"),
                ));
            }
            None => app.set_status(StatusLevel::Info, "Choisissez d'abord une séance"),
        },
        Action::Register => return Some(register_open_file(app)),
        Action::Unregister => ask_unregister(app),
        _ => return None,
    }
    Some(Vec::new())
}

fn move_cursor(app: &mut App, action: &Action) {
    let s = &mut app.agenda;
    let today = app.now.date();
    let (cur, n): (&mut usize, usize) = match (s.view, s.registrant) {
        (View::Sessions, Some(_)) => {
            let n = s
                .data
                .sessions
                .get(s.session)
                .map_or(0, |x| x.registered(&s.data.registrations));
            (s.registrant.get_or_insert(0), n)
        }
        (View::Sessions, None) => (&mut s.session, s.data.sessions.len()),
        (View::Week, _) => {
            let n = on_day(&s.items, s.day.unwrap_or(today)).len();
            (&mut s.cursor, n)
        }
        (View::Upcoming, _) => {
            let n = crate::domain::agenda::upcoming(&s.items, app.now, usize::MAX).len();
            (&mut s.cursor, n)
        }
    };
    let last = n.saturating_sub(1) as isize;
    let c = (*cur).min(n.saturating_sub(1)) as isize;
    let to = match action {
        Action::Up => c - 1,
        Action::Down => c + 1,
        Action::PageUp => c - 10,
        Action::PageDown => c + 10,
        Action::Home => 0,
        _ => last,
    };
    *cur = to.clamp(0, last.max(0)) as usize;
}

/// Entrée: the item's file; a session's registrants; a registrant's file.
fn open(app: &mut App) -> Vec<Effect> {
    let open_file = |app: &mut App, id: Id| {
        app.go_to(Screen::Beneficiaires);
        beneficiaires::open_file(app, id)
    };
    match app.agenda.view {
        View::Sessions => {
            let Some(s) = app.agenda.selected_session(app.now).cloned() else {
                return Vec::new();
            };
            match app.agenda.registrant {
                None => {
                    if s.registered(&app.agenda.data.registrations) == 0 {
                        app.set_status(StatusLevel::Info, "Personne n'est inscrit à cette séance");
                    } else {
                        app.agenda.registrant = Some(0);
                    }
                    Vec::new()
                }
                Some(k) => {
                    let names = |id: Id| name_of(app, id);
                    let list = app.agenda.registrants(&s, &names);
                    match list.get(k).map(|(_, r)| r.beneficiary) {
                        Some(id) => open_file(app, id),
                        None => Vec::new(),
                    }
                }
            }
        }
        _ => {
            let Some(item) = app.agenda.selected_item(app.now).cloned() else {
                return Vec::new();
            };
            if let Some(id) = item.beneficiary {
                return open_file(app, id);
            }
            // A session: its registrants in the séances view.
            if let Some(pos) = app
                .agenda
                .data
                .sessions
                .iter()
                .position(|s| s.id == item.source)
            {
                app.agenda.view = View::Sessions;
                app.agenda.session = pos;
                app.agenda.registrant = None;
            }
            Vec::new()
        }
    }
}

fn register_open_file(app: &mut App) -> Vec<Effect> {
    let Some(s) = app.agenda.selected_session(app.now).cloned() else {
        app.set_status(StatusLevel::Info, "Choisissez d'abord une séance");
        return Vec::new();
    };
    let Some(who) = app.open_beneficiary.as_ref().map(|o| o.id) else {
        app.set_status(
            StatusLevel::Info,
            "Ouvrez d'abord le dossier à inscrire (écran 2), ou inscrivez depuis son onglet \
             Immersions",
        );
        return Vec::new();
    };
    let meta = Meta::new(to_utc(app.now).unwrap_or_else(|| app.now.and_utc()), "");
    let change = registration_change(&s, &app.agenda.data.registrations, who, meta)
        .map_err(|e| format!("inscription refusée : {e}"));
    apply_or_report(app, change, Screen::Agenda)
}

fn ask_unregister(app: &mut App) {
    let (View::Sessions, Some(k)) = (app.agenda.view, app.agenda.registrant) else {
        app.set_status(
            StatusLevel::Info,
            "Choisissez une séance (vue séances), Entrée, puis la personne à désinscrire",
        );
        return;
    };
    let Some(s) = app.agenda.selected_session(app.now).cloned() else {
        return;
    };
    let names = |id: Id| name_of(app, id);
    let Some((name, r)) = app
        .agenda
        .registrants(&s, &names)
        .get(k)
        .map(|(n, r)| (n.clone(), r.id))
    else {
        return;
    };
    app.modals.push(Modal::Confirm(
        Confirm::new(
            Screen::Agenda,
            format!(
                "Désinscrire {name} de la séance « {} » du {} ?",
                s.topic.trim(),
                fmt_date(to_local(s.start).date())
            ),
            Reply::Unregister(r),
        )
        .labels("désinscrire", "garder"),
    ));
}

fn confirmed(app: &mut App, reply: Reply) -> Vec<Effect> {
    match reply {
        Reply::DeleteSession(id) => vec![Effect::DeleteSession(id)],
        Reply::Unregister(reg_id) => {
            let data = &app.agenda.data;
            let change = unregistration_by_id(&data.sessions, &data.registrations, reg_id);
            apply_or_report(app, change, Screen::Agenda)
        }
        Reply::DiscardForm => {
            app.agenda.form = None;
            app.set_status(StatusLevel::Info, "Modifications abandonnées");
            Vec::new()
        }
        Reply::QuitDiscardingForm => {
            app.agenda.form = None;
            app.should_quit = true;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn on_outcome(app: &mut App, outcome: &Outcome) -> Vec<Effect> {
    let shown = app.screen == Screen::Agenda;
    match outcome {
        Outcome::AgendaLoaded { from, to, data } => {
            loaded(app, *from, *to, data);
            Vec::new()
        }
        Outcome::SessionSaved { session, created } => {
            app.agenda.form = None;
            app.set_status(
                StatusLevel::Success,
                if *created {
                    format!("Séance « {} » créée", session.topic.trim())
                } else {
                    format!("Séance « {} » enregistrée", session.topic.trim())
                },
            );
            if shown {
                reload(app)
            } else {
                Vec::new()
            }
        }
        Outcome::SessionDeleted { registrations, .. } => {
            let n = registrations.len();
            app.set_status(
                StatusLevel::Success,
                if n == 0 {
                    "Séance supprimée".to_string()
                } else {
                    format!(
                        "Séance supprimée, {n} inscription{s} retirée{s}",
                        s = if n > 1 { "s" } else { "" }
                    )
                },
            );
            app.agenda.registrant = None;
            if shown {
                reload(app)
            } else {
                Vec::new()
            }
        }
        Outcome::Applied {
            change,
            direction,
            owner,
        } => {
            if *direction == Direction::Do && *owner == Screen::Agenda {
                saved_status(app, change);
                if let Some(k) = app.agenda.registrant {
                    app.agenda.registrant = Some(k.saturating_sub(1));
                }
            }
            let touches = change.records.iter().any(|(b, a)| {
                b.iter().chain(a.iter()).any(|r| {
                    matches!(
                        r.kind(),
                        RecordKind::Interview
                            | RecordKind::Immersion
                            | RecordKind::SessionRegistration
                            | RecordKind::Plan
                    )
                })
            });
            if shown && touches {
                reload(app)
            } else {
                Vec::new()
            }
        }
        Outcome::BeneficiaryErased { .. } if shown => reload(app),
        _ => Vec::new(),
    }
}

// ----- the session form ---------------------------------------------------------------

fn v_when(s: &str, c: &Ctx) -> Validation {
    let at = parse_when(s, c.today)?;
    to_utc(at).ok_or("heure inexistante (changement d'heure)")?;
    Ok(None)
}

fn v_duration(s: &str, _: &Ctx) -> Validation {
    let n: u16 = s
        .trim()
        .parse()
        .map_err(|_| "durée en minutes (ex. 90)".to_string())?;
    if !DURATION_RANGE.contains(&n) {
        return Err(format!(
            "de {} à {} minutes",
            DURATION_RANGE.start(),
            DURATION_RANGE.end()
        ));
    }
    Ok(None)
}

fn v_capacity(s: &str, _: &Ctx) -> Validation {
    let n: u16 = s
        .trim()
        .parse()
        .map_err(|_| "nombre de places (ex. 12)".to_string())?;
    if !(1..=MAX_CAPACITY).contains(&n) {
        return Err(format!("de 1 à {MAX_CAPACITY} places"));
    }
    Ok(None)
}

fn v_place(s: &str, c: &Ctx) -> Validation {
    if s.trim().is_empty() && c.value("lien").trim().is_empty() {
        return Err("indiquez un lieu ou un lien de visio".into());
    }
    Ok(None)
}

fn v_link(s: &str, _: &Ctx) -> Validation {
    let l = s.trim();
    if l.is_empty() || l.starts_with("https://") || l.starts_with("http://") {
        Ok(None)
    } else {
        Err("le lien commence par https://".into())
    }
}

/// The session form: `s` to edit, or a new session.
pub fn session_form(s: Option<&InfoSession>, now: chrono::NaiveDateTime) -> Form {
    let title = match s {
        Some(s) => format!("Séance d'information — {}", s.topic.trim()),
        None => "Nouvelle séance d'information".to_string(),
    };
    let text = |f: fn(&InfoSession) -> String| s.map(f).unwrap_or_default();
    Form::new(
        title,
        vec![
            Field::text(
                "quand",
                "Date et heure",
                &text(|s| fmt_when(to_local(s.start))),
            )
            .required()
            .placeholder("jj/mm/aaaa hh:mm, +1s 14h…")
            .validate_with(v_when),
            Field::text(
                "duree",
                "Durée (minutes)",
                &s.map_or("120".to_string(), |s| s.duration_minutes.to_string()),
            )
            .required()
            .validate_with(v_duration)
            .max_len(4),
            Field::text("theme", "Thème", &text(|s| s.topic.clone())).required(),
            Field::text(
                "organisateur",
                "Organisateur",
                &text(|s| s.organiser.clone()),
            )
            .required(),
            Field::text("lieu", "Lieu", &text(|s| s.place.clone())).validate_with(v_place),
            Field::text("lien", "Lien de visio", &text(|s| s.video_link.clone()))
                .validate_with(v_link),
            Field::text(
                "capacite",
                "Capacité (places)",
                &s.map_or("12".to_string(), |s| s.capacity.to_string()),
            )
            .required()
            .validate_with(v_capacity)
            .max_len(4),
        ],
        now.date(),
    )
}

/// The session of a valid form over `base`.
pub fn to_session(form: &Form, base: InfoSession) -> Result<InfoSession, String> {
    let v = |k: &str| form.value(k);
    let at = parse_when(&v("quand"), form.today)?;
    let mut s = base;
    s.start = to_utc(at).ok_or("heure inexistante (changement d'heure)")?;
    s.duration_minutes = v("duree").trim().parse().map_err(|_| "durée invalide")?;
    s.topic = v("theme").trim().to_string();
    s.organiser = v("organisateur").trim().to_string();
    s.place = v("lieu").trim().to_string();
    s.video_link = v("lien").trim().to_string();
    s.capacity = v("capacite")
        .trim()
        .parse()
        .map_err(|_| "capacité invalide")?;
    let problems = s.validate();
    if let Some(p) = problems.first() {
        return Err(p.clone());
    }
    Ok(s)
}

fn open_session_form(app: &mut App, s: Option<InfoSession>) {
    app.agenda.form = Some(SessionForm {
        form: session_form(s.as_ref(), app.now),
        id: s.as_ref().map_or_else(Id::generate, |s| s.id),
        base: s,
    });
}

fn form_update(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    match super::form::form_keys(
        app,
        action,
        Screen::Agenda,
        "Abandonner les modifications de cette séance ?",
        |a| a.agenda.form.as_mut().map(|sf| &mut sf.form),
        |a| a.agenda.form = None,
    )? {
        FormKeys::Save => Some(save_session(app)),
        FormKeys::Pass => None,
        FormKeys::Done => Some(Vec::new()),
    }
}

fn save_session(app: &mut App) -> Vec<Effect> {
    let Some(sf) = app.agenda.form.as_mut() else {
        return Vec::new();
    };
    if let Err(i) = sf.form.check_submit() {
        let f = &sf.form.fields[i];
        let msg = format!(
            "Non enregistré : {} : {}",
            f.label,
            f.error.as_deref().unwrap_or("")
        );
        app.set_status(StatusLevel::Error, msg);
        return Vec::new();
    }
    let now = to_utc(app.now).unwrap_or_else(|| app.now.and_utc());
    let base = sf.base.clone().unwrap_or_else(|| InfoSession {
        id: sf.id,
        start: now,
        duration_minutes: 120,
        place: String::new(),
        video_link: String::new(),
        topic: String::new(),
        organiser: String::new(),
        capacity: 12,
        meta: Meta::new(now, ""),
    });
    let created = sf.base.is_none();
    let result = to_session(&sf.form, base).and_then(|s| {
        let n = s.registered(&app.agenda.data.registrations);
        if usize::from(s.capacity) < n {
            Err(format!(
                "{n} personnes sont déjà inscrites : capacité d'au moins {n} places"
            ))
        } else {
            Ok(s)
        }
    });
    match result {
        Ok(s) if sf.base.as_ref() == Some(&s) => {
            app.agenda.form = None;
            app.set_status(StatusLevel::Info, "Aucune modification à enregistrer");
            Vec::new()
        }
        Ok(s) => vec![Effect::SaveSession {
            session: Box::new(s),
            created,
        }],
        Err(e) => {
            app.set_status(StatusLevel::Error, format!("Non enregistré : {e}"));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests;
