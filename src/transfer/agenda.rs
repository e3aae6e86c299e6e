//! The agenda as the screens and the command line see it: what to read
//! from the store for a range of days ([`load`]), and the agenda items built
//! from it ([`items`], conflicts marked).
//!
//! The screen (`app::agenda`, the Accueil) and the commands `passerelle
//! agenda` and `passerelle export ics` share both, so they cannot disagree
//! on what the agenda holds: interviews (recorded and planned), immersion
//! days (active immersions only), information sessions with the people
//! registered, and the due dates of open plan steps (a step that stands for
//! an immersion is shown through the immersion itself).

use crate::domain::agenda::{self, AgendaItem, Conflict, InterviewSlot};
use crate::domain::{Id, Immersion, InfoSession, Interview, SessionRegistration};
use crate::store::{Damaged, Store, StoreError};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// A plan step due on a day (plain values: the agenda does not depend on
/// the plan's layout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueStep {
    pub beneficiary: Id,
    pub step: Id,
    pub title: String,
    pub due: NaiveDate,
}

/// The records behind the agenda of a range of days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgendaData {
    /// Interviews around the range (a day of margin on each side, so that
    /// any time zone is covered; [`items`] users filter by local day).
    pub interviews: Vec<Interview>,
    /// Immersions under way at some point of the range.
    pub immersions: Vec<Immersion>,
    /// Every information session (the Séances view lists them all).
    pub sessions: Vec<InfoSession>,
    /// Every registration to those sessions.
    pub registrations: Vec<SessionRegistration>,
    /// Open plan steps due in the range.
    pub steps: Vec<DueStep>,
    /// Immersions whose debrief is overdue on the day given to [`load`]
    /// (whatever the range).
    pub debriefs_due: Vec<Immersion>,
    /// Records that could not be read (skipped).
    pub damaged: Vec<Damaged>,
}

/// Every session (by start), every registration to one of them, and the
/// sessions that could not be read.
pub type SessionsRead = (Vec<InfoSession>, Vec<SessionRegistration>, Vec<Damaged>);

/// Every session and every registration to one of them.
pub fn sessions_with_registrations(store: &Store) -> Result<SessionsRead, StoreError> {
    let scan = store.sessions()?;
    let mut sessions = scan.records;
    sessions.sort_by_key(|s| (s.start, s.id));
    let mut regs = Vec::new();
    for s in &sessions {
        regs.extend(store.registrations_of_session(s.id)?);
    }
    Ok((sessions, regs, scan.damaged))
}

fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    let n = Days::new(days.unsigned_abs());
    if days < 0 {
        d.checked_sub_days(n).unwrap_or(d)
    } else {
        d.checked_add_days(n).unwrap_or(d)
    }
}

/// Reads what the agenda of the days `from` to `to` (both included) needs,
/// and the immersions whose debrief is overdue on `today`.
pub fn load(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<AgendaData, StoreError> {
    let lo = shift(from, -1).and_time(NaiveTime::MIN).and_utc();
    let hi = shift(to, 2).and_time(NaiveTime::MIN).and_utc();
    let interviews = store.interviews_between(lo, hi)?;
    let immersions = store.immersions_running_between(from, to)?;
    let (sessions, registrations, mut damaged) = sessions_with_registrations(store)?;
    // Plans and immersions are read one at a time: only what the window
    // needs is kept (8 000 plans of a large portfolio stay on disk).
    let mut steps = Vec::new();
    damaged.extend(store.each_plan(|p| {
        for s in &p.steps {
            let Some(due) = s.deadline() else { continue };
            if s.status.is_closed() || s.immersion.is_some() || due < from || due > to {
                continue;
            }
            steps.push(DueStep {
                beneficiary: p.beneficiary,
                step: s.id,
                title: s.title.clone(),
                due,
            });
        }
    })?);
    let mut debriefs_due: Vec<Immersion> = Vec::new();
    damaged.extend(store.each_immersion(|i| {
        if i.debrief_overdue(today) {
            debriefs_due.push(i);
        }
    })?);
    debriefs_due.sort_by_key(|i| (i.end, i.id));
    Ok(AgendaData {
        interviews,
        immersions,
        sessions,
        registrations,
        steps,
        debriefs_due,
        damaged,
    })
}

/// What a file's Immersions tab needs besides the file: its immersions,
/// its plan (for the immersion ↔ step link and the default target métier),
/// and every session with every registration (the person's registrations,
/// the sessions to register to, their fill).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileImmersions {
    /// By start date.
    pub immersions: Vec<Immersion>,
    pub plan: Option<crate::domain::Plan>,
    /// By start.
    pub sessions: Vec<InfoSession>,
    /// Every registration to those sessions (anyone's).
    pub registrations: Vec<SessionRegistration>,
}

impl FileImmersions {
    /// The sessions `beneficiary` is registered to, with the registration.
    pub fn registered(&self, beneficiary: Id) -> Vec<(&InfoSession, &SessionRegistration)> {
        self.sessions
            .iter()
            .filter_map(|s| {
                s.registrations(&self.registrations)
                    .find(|r| r.beneficiary == beneficiary)
                    .map(|r| (s, r))
            })
            .collect()
    }
}

/// Reads what a file's Immersions tab needs.
pub fn load_file(store: &Store, beneficiary: Id) -> Result<FileImmersions, StoreError> {
    let (sessions, registrations, _) = sessions_with_registrations(store)?;
    Ok(FileImmersions {
        immersions: store.immersions_of(beneficiary)?,
        plan: store.plan_of(beneficiary)?,
        sessions,
        registrations,
    })
}

/// The interview as the agenda needs it; `who` is the name shown.
pub fn interview_slot(i: &Interview, who: String) -> InterviewSlot {
    let mode = if i.planned {
        format!("{} · à venir", i.mode.label())
    } else {
        i.mode.label().to_string()
    };
    InterviewSlot {
        id: i.id,
        beneficiary: i.beneficiary,
        at: i.at,
        duration_minutes: i.duration_minutes,
        who,
        mode,
        place: i.place.clone(),
    }
}

/// The agenda items of `data`, sorted, with their conflicts marked (and
/// returned, as indices into the items). `name` gives the name to show for
/// a file (initials for an anonymous export); `to_local` turns instants
/// into wall-clock time.
pub fn items(
    data: &AgendaData,
    name: &dyn Fn(Id) -> String,
    to_local: &dyn Fn(DateTime<Utc>) -> NaiveDateTime,
) -> (Vec<AgendaItem>, Vec<Conflict>) {
    let mut out: Vec<AgendaItem> = Vec::new();
    for i in &data.interviews {
        out.push(agenda::interview_item(
            &interview_slot(i, name(i.beneficiary)),
            to_local,
        ));
    }
    for i in &data.immersions {
        out.extend(agenda::immersion_items(i, &name(i.beneficiary)));
    }
    for s in &data.sessions {
        out.push(agenda::session_item(s, &data.registrations, to_local));
    }
    for s in &data.steps {
        out.push(agenda::step_item(
            s.due,
            &s.title,
            &name(s.beneficiary),
            s.beneficiary,
            s.step,
        ));
    }
    agenda::sort(&mut out);
    let conflicts = agenda::mark_conflicts(&mut out);
    (out, conflicts)
}

/// The appointments of one person that an immersion's rule checks look at
/// (`CheckContext::appointments`): the person's interviews and the sessions
/// they are registered to, in wall-clock time.
pub fn appointments(
    beneficiary: Id,
    interviews: &[Interview],
    sessions: &[InfoSession],
    registrations: &[SessionRegistration],
    to_local: &dyn Fn(DateTime<Utc>) -> NaiveDateTime,
) -> Vec<AgendaItem> {
    let mut out: Vec<AgendaItem> = interviews
        .iter()
        .filter(|i| i.beneficiary == beneficiary)
        .map(|i| agenda::interview_item(&interview_slot(i, String::new()), to_local))
        .collect();
    out.extend(
        sessions
            .iter()
            .filter(|s| {
                s.registrations(registrations)
                    .any(|r| r.beneficiary == beneficiary)
            })
            .map(|s| agenda::session_item(s, registrations, to_local)),
    );
    out
}

/// The items of `items` on the days `from` to `to`, in order: what a view
/// or an export of that range shows. Conflicts are marked on the whole list
/// first (see [`items`]), so an item stays marked when its counterpart is
/// outside the range.
pub fn in_range(items: &[AgendaItem], from: NaiveDate, to: NaiveDate) -> Vec<AgendaItem> {
    agenda::between(items, from, to)
        .into_iter()
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agenda::{from_paris, to_paris, AgendaKind};
    use crate::domain::{
        Beneficiary, CepLevel, ImmersionStatus, InterviewMode, Meta, Plan, Step, StepKind,
    };
    use crate::store::{AnyRecord, Write};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn meta() -> Meta {
        Meta::new(DateTime::from_timestamp(1_790_000_000, 0).unwrap(), "x")
    }
    fn id(n: u8) -> Id {
        Id::new_v7(1_790_000_000_000 + u64::from(n), [n; 10])
    }

    fn interview(n: u8, who: Id, local: NaiveDateTime, planned: bool) -> Interview {
        Interview {
            id: id(n),
            beneficiary: who,
            at: from_paris(local),
            duration_minutes: 60,
            level: CepLevel::AccompagnementPersonnalise,
            mode: InterviewMode::OnSite,
            place: String::new(),
            topics: String::new(),
            summary: String::new(),
            decisions: String::new(),
            next_follow_up: None,
            planned,
            meta: meta(),
        }
    }

    #[test]
    fn load_and_items_cover_every_kind_and_mark_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let b = Beneficiary::new(id(1), "Benali", "Karim", meta());
        let mut imm = Immersion::new(id(2), b.id, d(2026, 12, 7), d(2026, 12, 11), meta());
        imm.set_schedule("lun-ven 9h-12h 13h30-17h").unwrap();
        imm.status = ImmersionStatus::Signee;
        imm.host.name = "Régie Nord".into();
        let mut cancelled = imm.clone();
        cancelled.id = id(3);
        cancelled.status = ImmersionStatus::Annulee;
        cancelled.status_reason = "abandon".into();
        // During the immersion (Wednesday 10:00): a conflict.
        let during = interview(4, b.id, d(2026, 12, 9).and_hms_opt(10, 0, 0).unwrap(), true);
        // At lunch (12:30): the person is free, no conflict.
        let lunch = interview(
            5,
            b.id,
            d(2026, 12, 10).and_hms_opt(12, 0, 0).unwrap(),
            false,
        );
        let mut lunch = lunch;
        lunch.duration_minutes = 30;
        let mut plan = Plan::new(id(6), b.id, d(2026, 11, 1), meta());
        let mut due = Step::new(id(7), StepKind::Formation, "Dossier de financement");
        due.due = Some(d(2026, 12, 8));
        let mut linked = Step::new(id(8), StepKind::Immersion, "Immersion");
        linked.end = Some(d(2026, 12, 11));
        linked.immersion = Some(imm.id);
        let mut late = Step::new(id(9), StepKind::Autre, "Hors semaine");
        late.due = Some(d(2026, 12, 30));
        plan.add_steps([due, linked, late]);
        let writes: Vec<Write> = [
            AnyRecord::from(b.clone()),
            AnyRecord::from(imm.clone()),
            AnyRecord::from(cancelled),
            AnyRecord::from(during),
            AnyRecord::from(lunch),
            AnyRecord::from(plan),
        ]
        .into_iter()
        .map(Write::Put)
        .collect();
        store.apply(&writes).unwrap();
        let session = InfoSession {
            id: id(10),
            start: from_paris(d(2026, 12, 7).and_hms_opt(14, 0, 0).unwrap()),
            duration_minutes: 60,
            place: "Lyon".into(),
            video_link: String::new(),
            topic: "Reconversion".into(),
            organiser: "CEP".into(),
            capacity: 10,
            meta: meta(),
        };
        store.save_session(&session).unwrap();
        let reg = SessionRegistration {
            id: id(11),
            session: session.id,
            beneficiary: b.id,
            registered_on: d(2026, 12, 1),
            meta: meta(),
        };
        store.apply(&[Write::Put(AnyRecord::from(reg))]).unwrap();

        let data = load(&store, d(2026, 12, 7), d(2026, 12, 13), d(2026, 12, 14)).unwrap();
        assert_eq!(data.immersions.len(), 2, "cancelled ones are loaded…");
        assert_eq!(data.steps.len(), 1, "only the open, unlinked step in range");
        assert_eq!(data.steps[0].title, "Dossier de financement");
        assert_eq!(data.registrations.len(), 1);
        assert_eq!(data.debriefs_due.len(), 1, "signed, over, no debrief");
        let name = |_: Id| "BENALI Karim".to_string();
        let (all, conflicts) = items(&data, &name, &|t| to_paris(t));
        let kinds = |k: AgendaKind| all.iter().filter(|i| i.kind == k).count();
        assert_eq!(kinds(AgendaKind::ImmersionJour), 5, "…but give no day");
        assert_eq!(kinds(AgendaKind::Entretien), 2);
        assert_eq!(kinds(AgendaKind::Seance), 1);
        assert_eq!(kinds(AgendaKind::EcheanceEtape), 1);
        // Monday: the session at 14:00 during the afternoon slot; Wednesday:
        // the interview at 10:00. The 12:00–12:30 interview is at lunch.
        assert_eq!(conflicts.len(), 2, "{conflicts:?}");
        let flagged: Vec<String> = all
            .iter()
            .filter(|i| i.conflict)
            .map(|i| i.when())
            .collect();
        assert!(flagged.iter().any(|w| w.starts_with("mer. 09/12 10:00")));
        assert!(flagged.iter().any(|w| w.starts_with("lun. 07/12 14:00")));
        assert!(!flagged.iter().any(|w| w.starts_with("jeu. 10/12 12:00")));
        let planned = all
            .iter()
            .find(|i| i.kind == AgendaKind::Entretien && i.conflict)
            .unwrap();
        assert_eq!(planned.detail, "présentiel · à venir");
        assert_eq!(planned.title, "Entretien — BENALI Karim");
        // A range keeps its items in order.
        let wed = in_range(&all, d(2026, 12, 9), d(2026, 12, 9));
        assert_eq!(wed.len(), 2);
        assert!(wed[0].start <= wed[1].start);
    }
}
