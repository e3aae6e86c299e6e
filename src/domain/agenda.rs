//! The agenda: interviews, immersion days, information sessions and plan
//! steps due, as items in **local time** (Europe/Paris wall clock), with
//! conflicts between items of the same person, and week helpers.
//!
//! ## Where time becomes local
//! Records hold instants (`DateTime<Utc>`: interviews, sessions) or dates
//! (immersions, step due dates). The builders below take a `to_local`
//! function for instants; pass [`to_paris`] (deterministic, independent of
//! the machine's time zone, and the same rule as the iCalendar VTIMEZONE
//! written by `transfer::ics`), or `|t| t.with_timezone(&chrono::Local)
//! .naive_local()`, or a fixed offset in tests. Everything after the
//! builders — conflicts, weeks, the iCalendar writer — works on local
//! `NaiveDateTime`s only. [`from_paris`] converts a typed local time back to
//! an instant (for scheduling an interview ahead).

use super::id::Id;
use super::immersion::Immersion;
use super::schedule::{Slot, DAY_SHORT};
use super::session::{InfoSession, SessionRegistration};
use super::time::{fmt_date, fmt_short_day};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

// ----- Europe/Paris ------------------------------------------------------------

/// The last Sunday of a month.
pub fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    Some(last - Duration::days(i64::from(back)))
}

/// Offset of Europe/Paris from UTC, in seconds, at an instant: +2 h from the
/// last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC
/// (EU rule, in force since 1996), +1 h otherwise.
pub fn paris_offset_seconds(utc: DateTime<Utc>) -> i32 {
    let year = utc.year();
    let switch = |month| {
        last_sunday(year, month)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .map(|n| Utc.from_utc_datetime(&n))
    };
    match (switch(3), switch(10)) {
        (Some(on), Some(off)) if on <= utc && utc < off => 7200,
        _ => 3600,
    }
}

/// The Europe/Paris wall-clock time of an instant.
pub fn to_paris(utc: DateTime<Utc>) -> NaiveDateTime {
    let n = utc.naive_utc();
    n.checked_add_signed(Duration::seconds(i64::from(paris_offset_seconds(utc))))
        .unwrap_or(n)
}

/// The instant of a Europe/Paris wall-clock time. In the autumn hour that
/// happens twice (02:00–02:59 on the last Sunday of October) the first one
/// (summer time) is taken; a time in the spring gap (02:00–02:59 on the last
/// Sunday of March), which does not exist, is read as winter time, i.e. one
/// hour later on the clock.
pub fn from_paris(local: NaiveDateTime) -> DateTime<Utc> {
    let minus = |s: i64| {
        let n = local
            .checked_sub_signed(Duration::seconds(s))
            .unwrap_or(local);
        Utc.from_utc_datetime(&n)
    };
    [minus(7200), minus(3600)]
        .into_iter()
        .find(|utc| to_paris(*utc) == local)
        .unwrap_or_else(|| minus(3600))
}

// ----- names ---------------------------------------------------------------------

/// Initials of a name, keeping its word order and hyphens:
/// `Léa DUPONT` → `L. D.`, `Jean-Pierre MARTIN` → `J.-P. M.`, `N'Diaye` → `N.`.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            word.split('-')
                .filter_map(|part| {
                    part.graphemes(true)
                        .find(|g| g.chars().any(char::is_alphanumeric))
                })
                .map(|g| format!("{}.", g.to_uppercase()))
                .collect::<Vec<_>>()
                .join("-")
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The name to show: initials when `anonymous` (agenda export `--anonyme`,
/// privacy screen), the name itself otherwise.
pub fn person_label(name: &str, anonymous: bool) -> String {
    if anonymous {
        initials(name)
    } else {
        name.trim().to_string()
    }
}

// ----- items ---------------------------------------------------------------------

/// What an agenda item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AgendaKind {
    Entretien,
    ImmersionJour,
    Seance,
    EcheanceEtape,
}

impl AgendaKind {
    pub const ALL: [AgendaKind; 4] = [
        AgendaKind::Entretien,
        AgendaKind::ImmersionJour,
        AgendaKind::Seance,
        AgendaKind::EcheanceEtape,
    ];
    pub fn label(self) -> &'static str {
        match self {
            AgendaKind::Entretien => "Entretien",
            AgendaKind::ImmersionJour => "Immersion",
            AgendaKind::Seance => "Séance d'information",
            AgendaKind::EcheanceEtape => "Échéance",
        }
    }
    /// Stable ASCII id (JSON `type`, iCalendar UIDs).
    pub fn id(self) -> &'static str {
        match self {
            AgendaKind::Entretien => "entretien",
            AgendaKind::ImmersionJour => "immersion",
            AgendaKind::Seance => "seance",
            AgendaKind::EcheanceEtape => "echeance",
        }
    }
}

/// One thing in the agenda, in local time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaItem {
    pub start: NaiveDateTime,
    /// Exclusive end. For an all-day item, the next day at 00:00.
    pub end: NaiveDateTime,
    /// A whole day without hours (a step due date): never in conflict.
    pub all_day: bool,
    pub kind: AgendaKind,
    /// `Entretien — Léa DUPONT`, `Immersion — Noé FAURE (Régie Nord)`…
    pub title: String,
    /// Address, room or video link; may be empty.
    pub place: String,
    /// Second line: hours, mode, fill, status…; may be empty.
    pub detail: String,
    /// The file Entrée opens; `None` for a session (several people).
    pub beneficiary: Option<Id>,
    /// People registered to a session (empty otherwise).
    pub participants: Vec<Id>,
    /// Id of the record it comes from (interview, immersion, session, step).
    pub source: Id,
    /// The day of a repeated item (each immersion day); part of its UID.
    pub occurrence: Option<NaiveDate>,
    /// Presence slots of an immersion day: the person is busy only during
    /// them (a lunch break is free). Empty: busy from start to end.
    pub slots: Vec<Slot>,
    /// Overlaps another item of the same person (set by [`mark_conflicts`]).
    pub conflict: bool,
}

impl AgendaItem {
    /// A stable, unique key: kind, source record, occurrence day. The
    /// iCalendar UID is made of it.
    pub fn key(&self) -> String {
        match self.occurrence {
            Some(d) => format!("{}-{}-{}", self.kind.id(), self.source, d.format("%Y%m%d")),
            None => format!("{}-{}", self.kind.id(), self.source),
        }
    }

    /// The people concerned: the file's beneficiary and the participants.
    pub fn people(&self) -> impl Iterator<Item = Id> + '_ {
        self.beneficiary
            .into_iter()
            .chain(self.participants.iter().copied())
    }

    /// The intervals during which the people are busy (none for all-day items).
    pub fn busy(&self) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        if self.all_day {
            return Vec::new();
        }
        if self.slots.is_empty() {
            return vec![(self.start, self.end)];
        }
        let day = self.start.date();
        self.slots
            .iter()
            .map(|s| {
                (
                    day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(s.start)),
                    day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(s.end)),
                )
            })
            .collect()
    }

    /// Whether both are busy at some common moment.
    pub fn overlaps(&self, other: &AgendaItem) -> bool {
        let b = other.busy();
        self.busy()
            .iter()
            .any(|(s, e)| b.iter().any(|(os, oe)| *s < *oe && *os < *e))
    }

    /// `mer. 09/12 10:00–11:00`, `mer. 09/12 (journée)`, or
    /// `mer. 09/12 9:00–12:00 13:30–17:00` for an immersion day.
    pub fn when(&self) -> String {
        let day = fmt_short_day(self.start.date());
        if self.all_day {
            return format!("{day} (journée)");
        }
        if !self.slots.is_empty() {
            let s: Vec<String> = self.slots.iter().map(Slot::to_string).collect();
            return format!("{day} {}", s.join(" "));
        }
        let end = if self.end.date() == self.start.date() {
            self.end.format("%H:%M").to_string()
        } else {
            format!(
                "{} {}",
                fmt_short_day(self.end.date()),
                self.end.format("%H:%M")
            )
        };
        format!("{day} {}–{end}", self.start.format("%H:%M"))
    }

    /// One line for `passerelle agenda`: when, title, detail, conflict mark.
    pub fn line(&self) -> String {
        let mut s = format!("{}  {}", self.when(), self.title);
        if !self.detail.is_empty() {
            s.push_str(" · ");
            s.push_str(&self.detail);
        }
        if self.conflict {
            s.push_str("  ⚠ conflit");
        }
        s
    }

    /// The JSON row of `passerelle agenda --json`.
    pub fn row(&self) -> AgendaRow {
        AgendaRow {
            debut: self.start.format("%Y-%m-%dT%H:%M").to_string(),
            fin: self.end.format("%Y-%m-%dT%H:%M").to_string(),
            kind: self.kind.id(),
            titre: self.title.clone(),
            dossier: self.beneficiary.map(|b| b.to_string()),
            conflit: self.conflict,
        }
    }
}

/// `{"debut", "fin", "type", "titre", "dossier", "conflit"}`: local times
/// `AAAA-MM-JJTHH:MM` (Europe/Paris, no offset), `type` an [`AgendaKind::id`],
/// `dossier` the beneficiary's full id or null.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgendaRow {
    pub debut: String,
    pub fin: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub titre: String,
    pub dossier: Option<String>,
    pub conflit: bool,
}

// ----- builders ------------------------------------------------------------------

/// What the agenda needs of an interview (the caller maps its record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterviewSlot {
    pub id: Id,
    pub beneficiary: Id,
    pub at: DateTime<Utc>,
    pub duration_minutes: u16,
    /// Name as shown (see [`person_label`]).
    pub who: String,
    /// Mode label (`présentiel`, `téléphone`, `visio`); may be empty.
    pub mode: String,
    pub place: String,
}

/// An interview: from its instant for its duration.
pub fn interview_item(
    iv: &InterviewSlot,
    to_local: impl Fn(DateTime<Utc>) -> NaiveDateTime,
) -> AgendaItem {
    let start = to_local(iv.at);
    AgendaItem {
        start,
        end: start + Duration::minutes(i64::from(iv.duration_minutes)),
        all_day: false,
        kind: AgendaKind::Entretien,
        title: format!("Entretien — {}", iv.who),
        place: iv.place.clone(),
        detail: iv.mode.clone(),
        beneficiary: Some(iv.beneficiary),
        participants: Vec::new(),
        source: iv.id,
        occurrence: None,
        slots: Vec::new(),
        conflict: false,
    }
}

/// The days of an immersion: one item per presence day, from its first slot
/// to its last, carrying the slots (what a week view shows:
/// `9:00–12:00 13:30–17:00`). Annulée and refusée immersions give nothing;
/// the detail gives the day number and the status (`jour 3/10 · signée`).
pub fn immersion_items(imm: &Immersion, who: &str) -> Vec<AgendaItem> {
    if !imm.is_active() {
        return Vec::new();
    }
    let host = imm.host.name.trim();
    let title = if host.is_empty() {
        format!("Immersion — {who}")
    } else {
        format!("Immersion — {who} ({host})")
    };
    let days = imm.presence_days();
    let total = days.len();
    days.into_iter()
        .enumerate()
        .filter_map(|(i, day)| {
            let slots = imm.schedule.slots(day.weekday()).to_vec();
            let at = |m: u16| day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(m));
            let (first, last) = (slots.first()?.start, slots.last()?.end);
            Some(AgendaItem {
                start: at(first),
                end: at(last),
                all_day: false,
                kind: AgendaKind::ImmersionJour,
                title: title.clone(),
                place: imm.host.address.trim().to_string(),
                detail: format!("jour {}/{total} · {}", i + 1, imm.status.label()),
                beneficiary: Some(imm.beneficiary),
                participants: Vec::new(),
                source: imm.id,
                occurrence: Some(day),
                slots,
                conflict: false,
            })
        })
        .collect()
}

/// An information session with the people registered to it (among `regs`,
/// registrations of any session).
pub fn session_item(
    s: &InfoSession,
    regs: &[SessionRegistration],
    to_local: impl Fn(DateTime<Utc>) -> NaiveDateTime,
) -> AgendaItem {
    let start = to_local(s.start);
    let mut detail = s.fill_label(regs);
    if !s.organiser.trim().is_empty() {
        detail = format!("{detail} · {}", s.organiser.trim());
    }
    AgendaItem {
        start,
        end: start + Duration::minutes(i64::from(s.duration_minutes)),
        all_day: false,
        kind: AgendaKind::Seance,
        title: format!("Séance d'information — {}", s.topic.trim()),
        place: s.location(),
        detail,
        beneficiary: None,
        participants: s.registrations(regs).map(|r| r.beneficiary).collect(),
        source: s.id,
        occurrence: None,
        slots: Vec::new(),
        conflict: false,
    }
}

/// A plan step due on `due` (all day). Plain values, so that the agenda does
/// not depend on the plan's layout.
pub fn step_item(due: NaiveDate, title: &str, who: &str, beneficiary: Id, step: Id) -> AgendaItem {
    let start = due.and_time(NaiveTime::MIN);
    AgendaItem {
        start,
        end: start + Duration::days(1),
        all_day: true,
        kind: AgendaKind::EcheanceEtape,
        title: format!("Échéance — {} ({who})", title.trim()),
        place: String::new(),
        detail: String::new(),
        beneficiary: Some(beneficiary),
        participants: Vec::new(),
        source: step,
        occurrence: None,
        slots: Vec::new(),
        conflict: false,
    }
}

// ----- conflicts -----------------------------------------------------------------

/// Two items (indices into the slice given) of the same person that overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The one that starts first (or the lower index on a tie).
    pub a: usize,
    pub b: usize,
    pub person: Id,
}

impl Conflict {
    /// `conflit : Entretien — K. BENALI (mer. 09/12 10:00–11:00) pendant
    /// Immersion — K. BENALI (Régie Nord) (mer. 09/12 9:00–12:00 13:30–17:00)`.
    pub fn message(&self, items: &[AgendaItem]) -> String {
        let (Some(a), Some(b)) = (items.get(self.a), items.get(self.b)) else {
            return "conflit".to_string();
        };
        // The shorter one happens "during" the longer one.
        let (x, y) = if a.end - a.start <= b.end - b.start {
            (a, b)
        } else {
            (b, a)
        };
        format!(
            "conflit : {} ({}) pendant {} ({})",
            x.title,
            x.when(),
            y.title,
            y.when()
        )
    }
}

/// Every pair of items that share a person and overlap in time (all-day
/// items never do). Sorted by the first item's start.
pub fn find_conflicts(items: &[AgendaItem]) -> Vec<Conflict> {
    let mut order: Vec<usize> = (0..items.len()).filter(|&i| !items[i].all_day).collect();
    order.sort_by_key(|&i| (items[i].start, i));
    let mut out = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if items[j].start >= items[i].end {
                break;
            }
            let person = items[i]
                .people()
                .find(|p| items[j].people().any(|q| q == *p));
            if let Some(person) = person {
                if items[i].overlaps(&items[j]) {
                    out.push(Conflict { a: i, b: j, person });
                }
            }
        }
    }
    out
}

/// Sets `conflict` on every item in a conflict (and clears it on the
/// others); returns the conflicts.
pub fn mark_conflicts(items: &mut [AgendaItem]) -> Vec<Conflict> {
    let found = find_conflicts(items);
    for it in items.iter_mut() {
        it.conflict = false;
    }
    for c in &found {
        items[c.a].conflict = true;
        items[c.b].conflict = true;
    }
    found
}

// ----- weeks and ranges ----------------------------------------------------------

/// The order every view uses: start, then kind, then title, then source.
fn order_key(i: &AgendaItem) -> (NaiveDateTime, AgendaKind, &str, Id) {
    (i.start, i.kind, i.title.as_str(), i.source)
}

/// Sorts items in the order every view uses.
pub fn sort(items: &mut [AgendaItem]) {
    items.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
}

fn sorted(mut v: Vec<&AgendaItem>) -> Vec<&AgendaItem> {
    v.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    v
}

/// A civil week, Monday to Sunday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    monday: NaiveDate,
}

impl Week {
    /// The week containing `d`.
    pub fn containing(d: NaiveDate) -> Week {
        Week {
            monday: d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
        }
    }
    pub fn monday(self) -> NaiveDate {
        self.monday
    }
    pub fn sunday(self) -> NaiveDate {
        self.monday + Duration::days(6)
    }
    pub fn days(self) -> [NaiveDate; 7] {
        std::array::from_fn(|i| self.monday + Duration::days(i as i64))
    }
    pub fn next(self) -> Week {
        Week {
            monday: self.monday + Duration::days(7),
        }
    }
    pub fn prev(self) -> Week {
        Week {
            monday: self.monday - Duration::days(7),
        }
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        self.monday <= d && d <= self.sunday()
    }
    /// ISO 8601 week number (1–53); the ISO year may differ from the
    /// calendar year around New Year (Monday 28/12/2026 is in week 53 of 2026;
    /// Monday 29/12/2025 is in week 1 of 2026).
    pub fn number(self) -> u32 {
        self.monday.iso_week().week()
    }
    pub fn iso_year(self) -> i32 {
        self.monday.iso_week().year()
    }
    /// `Semaine 49 — du 30/11 au 06/12/2026`; both years when they differ.
    pub fn label(self) -> String {
        let (m, s) = (self.monday, self.sunday());
        let from = if m.year() == s.year() {
            m.format("%d/%m").to_string()
        } else {
            fmt_date(m)
        };
        format!("Semaine {} — du {from} au {}", self.number(), fmt_date(s))
    }
    /// Column headers of a week view: `lun 30`, `mar 01`…
    pub fn day_headers(self) -> [String; 7] {
        let days = self.days();
        std::array::from_fn(|i| format!("{} {:02}", DAY_SHORT[i], days[i].day()))
    }
}

/// Items that overlap the days `from` to `to` (both included), in order.
pub fn between(items: &[AgendaItem], from: NaiveDate, to: NaiveDate) -> Vec<&AgendaItem> {
    let lo = from.and_time(NaiveTime::MIN);
    let hi = to.and_time(NaiveTime::MIN) + Duration::days(1);
    sorted(
        items
            .iter()
            .filter(|i| i.start < hi && (i.end > lo || i.start >= lo))
            .collect(),
    )
}

/// Items of a week, in order.
pub fn in_week(items: &[AgendaItem], week: Week) -> Vec<&AgendaItem> {
    between(items, week.monday(), week.sunday())
}

/// Items of one day, in order.
pub fn on_day(items: &[AgendaItem], day: NaiveDate) -> Vec<&AgendaItem> {
    between(items, day, day)
}

/// What comes next: items not yet over at `now`, in order, at most `limit`.
pub fn upcoming(items: &[AgendaItem], now: NaiveDateTime, limit: usize) -> Vec<&AgendaItem> {
    let mut v = sorted(items.iter().filter(|i| i.end > now).collect());
    v.truncate(limit);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::beneficiary::Meta;
    use crate::domain::immersion::fixtures::{ben, complete, d, id, with_status};
    use crate::domain::immersion::ImmersionStatus;

    fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        d(y, m, day).and_hms_opt(h, min, 0).unwrap()
    }
    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.from_utc_datetime(&d(y, m, day).and_hms_opt(h, min, s).unwrap())
    }

    #[test]
    fn paris_time_switches_on_the_last_sundays_at_one_utc() {
        assert_eq!(last_sunday(2026, 3), Some(d(2026, 3, 29)));
        assert_eq!(last_sunday(2026, 10), Some(d(2026, 10, 25)));
        assert_eq!(last_sunday(2027, 3), Some(d(2027, 3, 28)));
        assert_eq!(last_sunday(2026, 12), Some(d(2026, 12, 27)));
        // Spring: 00:59:59 UTC is 01:59:59 winter time, 01:00 UTC is 03:00.
        assert_eq!(paris_offset_seconds(utc(2026, 3, 29, 0, 59, 59)), 3600);
        assert_eq!(to_paris(utc(2026, 3, 29, 1, 0, 0)), at(2026, 3, 29, 3, 0));
        // Autumn: 00:59:59 UTC is 02:59:59 summer time, 01:00 UTC is 02:00.
        assert_eq!(paris_offset_seconds(utc(2026, 10, 25, 0, 59, 59)), 7200);
        assert_eq!(to_paris(utc(2026, 10, 25, 1, 0, 0)), at(2026, 10, 25, 2, 0));
        assert_eq!(to_paris(utc(2026, 12, 9, 9, 0, 0)), at(2026, 12, 9, 10, 0));
        assert_eq!(to_paris(utc(2026, 7, 1, 9, 0, 0)), at(2026, 7, 1, 11, 0));
        // Back to instants: ordinary times round-trip.
        for local in [
            at(2026, 12, 9, 10, 0),
            at(2026, 7, 1, 0, 30),
            at(2026, 3, 29, 3, 0),
        ] {
            assert_eq!(to_paris(from_paris(local)), local);
        }
        // The autumn hour that happens twice: the first (summer) one.
        assert_eq!(
            from_paris(at(2026, 10, 25, 2, 30)),
            utc(2026, 10, 25, 0, 30, 0)
        );
        // The spring gap: read as winter time, 03:30 on the clock.
        let gap = from_paris(at(2026, 3, 29, 2, 30));
        assert_eq!(gap, utc(2026, 3, 29, 1, 30, 0));
        assert_eq!(to_paris(gap), at(2026, 3, 29, 3, 30));
    }

    #[test]
    fn initials_keep_order_and_hyphens() {
        assert_eq!(initials("Léa DUPONT"), "L. D.");
        assert_eq!(initials("DUPONT Léa"), "D. L.");
        assert_eq!(initials("Jean-Pierre MARTIN"), "J.-P. M.");
        assert_eq!(initials("  Anne-Sophie   Le Goff "), "A.-S. L. G.");
        assert_eq!(initials("N'Diaye Éloïse"), "N. É.");
        assert_eq!(initials("e\u{301}mile"), "E\u{301}."); // decomposed accent kept whole
        assert_eq!(initials("« Zoé »"), "Z.");
        assert_eq!(initials(""), "");
        assert_eq!(person_label(" Léa DUPONT ", false), "Léa DUPONT");
        assert_eq!(person_label("Léa DUPONT", true), "L. D.");
    }

    fn interview(n: u8, person: Id, local: NaiveDateTime, minutes: u16) -> AgendaItem {
        interview_item(
            &InterviewSlot {
                id: id(n),
                beneficiary: person,
                at: from_paris(local),
                duration_minutes: minutes,
                who: "K. BENALI".into(),
                mode: "présentiel".into(),
                place: "Lyon".into(),
            },
            to_paris,
        )
    }

    fn session(n: u8, local: NaiveDateTime) -> InfoSession {
        InfoSession {
            id: id(n),
            start: from_paris(local),
            duration_minutes: 120,
            place: "Lyon, salle 2".into(),
            video_link: String::new(),
            topic: "Métiers du lien social".into(),
            organiser: "CEP Lyon".into(),
            capacity: 12,
            meta: Meta::new(from_paris(local), "Camille"),
        }
    }

    fn registration(n: u8, s: &InfoSession, who: Id) -> SessionRegistration {
        SessionRegistration {
            id: id(n),
            session: s.id,
            beneficiary: who,
            registered_on: d(2026, 11, 30),
            meta: s.meta.clone(),
        }
    }

    #[test]
    fn immersion_days_carry_their_slots() {
        let imm = with_status(
            complete(1, d(2026, 12, 7), d(2026, 12, 18)),
            ImmersionStatus::Signee,
        );
        let days = immersion_items(&imm, "Noé FAURE");
        assert_eq!(days.len(), 10);
        let first = &days[0];
        assert_eq!(
            (first.start, first.end),
            (at(2026, 12, 7, 9, 0), at(2026, 12, 7, 17, 0))
        );
        assert_eq!(first.title, "Immersion — Noé FAURE (Crèche Les Lucioles)");
        assert_eq!(first.detail, "jour 1/10 · signée");
        assert_eq!(first.when(), "lun. 07/12 9:00–12:00 13:30–17:00");
        assert_eq!(first.place, "3 rue des Capucins, 69001 Lyon");
        assert_eq!(first.occurrence, Some(d(2026, 12, 7)));
        assert_eq!(days[9].detail, "jour 10/10 · signée");
        assert_eq!(days[5].start.date(), d(2026, 12, 14)); // weekend skipped
        assert_eq!(
            first.busy(),
            vec![
                (at(2026, 12, 7, 9, 0), at(2026, 12, 7, 12, 0)),
                (at(2026, 12, 7, 13, 30), at(2026, 12, 7, 17, 0))
            ]
        );
        // Keys are distinct per day and stable.
        assert_eq!(first.key(), format!("immersion-{}-20261207", imm.id));
        assert_ne!(first.key(), days[1].key());
        assert_eq!(immersion_items(&imm, "Noé FAURE")[0].key(), first.key());
        // Cancelled or refused: nothing in the agenda.
        assert!(
            immersion_items(&with_status(imm.clone(), ImmersionStatus::Annulee), "x").is_empty()
        );
        assert!(immersion_items(&with_status(imm, ImmersionStatus::Refusee), "x").is_empty());
    }

    #[test]
    fn conflicts_are_same_person_overlaps_in_busy_time() {
        let k = ben();
        let other = id(201);
        let imm = complete(1, d(2026, 11, 30), d(2026, 12, 4));
        let mut items = immersion_items(&imm, "K. BENALI"); // 0..5: Mon 30 → Fri 4
        items.push(interview(10, k, at(2026, 12, 2, 10, 0), 60)); // 5: during the morning
        items.push(interview(11, k, at(2026, 12, 2, 12, 0), 90)); // 6: lunch, then 13:30 → overlaps by 0? ends 13:30
        items.push(interview(12, other, at(2026, 12, 2, 10, 0), 60)); // 7: someone else
        items.push(step_item(d(2026, 12, 2), "Bilan", "K. BENALI", k, id(13))); // 8: all day
        let s = session(14, at(2026, 12, 3, 16, 0));
        let regs = vec![registration(15, &s, k), registration(16, &s, other)];
        items.push(session_item(&s, &regs, to_paris)); // 9: Thu 16:00–18:00, K registered
        items.push(interview(17, other, at(2026, 12, 3, 17, 0), 60)); // 10: `other` at the session

        let found = mark_conflicts(&mut items);
        let pairs: Vec<(usize, usize, Id)> = found.iter().map(|c| (c.a, c.b, c.person)).collect();
        assert_eq!(pairs, vec![(2, 5, k), (3, 9, k), (9, 10, other)]);
        let flagged: Vec<usize> = (0..items.len()).filter(|&i| items[i].conflict).collect();
        assert_eq!(flagged, vec![2, 3, 5, 9, 10]);
        assert_eq!(
            found[0].message(&items),
            "conflit : Entretien — K. BENALI (mer. 02/12 10:00–11:00) pendant \
             Immersion — K. BENALI (Crèche Les Lucioles) (mer. 02/12 9:00–12:00 13:30–17:00)"
        );
        // Touching is not overlapping: 12:00–13:30 ends when the afternoon starts.
        assert!(!items[6].conflict);
        // Marking again after a change clears stale flags.
        items.truncate(5);
        assert!(mark_conflicts(&mut items).is_empty());
        assert!(items.iter().all(|i| !i.conflict));
        // The session lists its participants and fill.
        let it = session_item(&s, &regs, to_paris);
        assert_eq!(it.participants, vec![k, other]);
        assert_eq!(it.detail, "2/12 inscrits · CEP Lyon");
        assert_eq!(it.title, "Séance d'information — Métiers du lien social");
        assert_eq!(it.beneficiary, None);
    }

    #[test]
    fn weeks_run_monday_to_sunday_with_iso_numbers() {
        let w = Week::containing(d(2026, 12, 2));
        assert_eq!((w.monday(), w.sunday()), (d(2026, 11, 30), d(2026, 12, 6)));
        assert_eq!(w.number(), 49);
        assert_eq!(w.label(), "Semaine 49 — du 30/11 au 06/12/2026");
        assert_eq!(w.day_headers()[0], "lun 30");
        assert_eq!(w.day_headers()[6], "dim 06");
        assert_eq!(Week::containing(d(2026, 11, 30)), w);
        assert_eq!(Week::containing(d(2026, 12, 6)), w);
        assert_eq!(w.next().monday(), d(2026, 12, 7));
        assert_eq!(w.prev().monday(), d(2026, 11, 23));
        assert!(w.contains(d(2026, 12, 6)) && !w.contains(d(2026, 12, 7)));
        // Around New Year.
        let ny = Week::containing(d(2027, 1, 1));
        assert_eq!((ny.number(), ny.iso_year()), (53, 2026));
        assert_eq!(ny.label(), "Semaine 53 — du 28/12/2026 au 03/01/2027");
        let w1 = Week::containing(d(2026, 1, 1));
        assert_eq!(
            (w1.number(), w1.iso_year(), w1.monday()),
            (1, 2026, d(2025, 12, 29))
        );
    }

    #[test]
    fn ranges_weeks_and_what_comes_next() {
        let k = ben();
        let mut items = vec![
            interview(1, k, at(2026, 12, 7, 9, 0), 60),  // next week
            interview(2, k, at(2026, 12, 2, 14, 0), 60), // this week
            step_item(d(2026, 12, 6), "Dossier PTP", "K. BENALI", k, id(3)), // Sunday
            interview(4, k, at(2026, 11, 29, 23, 30), 60), // Sun 23:30 → Mon 00:30
        ];
        let w = Week::containing(d(2026, 12, 2));
        let titles = |v: Vec<&AgendaItem>| v.iter().map(|i| i.source).collect::<Vec<_>>();
        assert_eq!(titles(in_week(&items, w)), vec![id(4), id(2), id(3)]);
        assert_eq!(titles(on_day(&items, d(2026, 11, 30))), vec![id(4)]);
        assert_eq!(titles(on_day(&items, d(2026, 12, 6))), vec![id(3)]);
        assert_eq!(
            titles(between(&items, d(2026, 12, 3), d(2026, 12, 7))),
            vec![id(3), id(1)]
        );
        // What comes next: not yet over.
        let now = at(2026, 12, 2, 14, 30);
        assert_eq!(titles(upcoming(&items, now, 10)), vec![id(2), id(3), id(1)]);
        assert_eq!(titles(upcoming(&items, now, 1)), vec![id(2)]);
        sort(&mut items);
        assert_eq!(
            items.iter().map(|i| i.source).collect::<Vec<_>>(),
            vec![id(4), id(2), id(3), id(1)]
        );
    }

    #[test]
    fn rows_and_lines_for_the_command_line() {
        let k = ben();
        let mut iv = interview(1, k, at(2026, 12, 2, 10, 0), 45);
        iv.conflict = true;
        let row = iv.row();
        assert_eq!(row.debut, "2026-12-02T10:00");
        assert_eq!(row.fin, "2026-12-02T10:45");
        assert_eq!(row.kind, "entretien");
        assert_eq!(row.titre, "Entretien — K. BENALI");
        assert_eq!(row.dossier, Some(k.to_string()));
        assert!(row.conflit);
        assert_eq!(
            iv.line(),
            "mer. 02/12 10:00–10:45  Entretien — K. BENALI · présentiel  ⚠ conflit"
        );
        let step = step_item(d(2026, 12, 6), "Dossier PTP", "K. BENALI", k, id(3));
        assert_eq!(
            step.line(),
            "dim. 06/12 (journée)  Échéance — Dossier PTP (K. BENALI)"
        );
        assert_eq!(step.row().fin, "2026-12-07T00:00");
        let late = interview(4, k, at(2026, 11, 29, 23, 30), 60);
        assert_eq!(late.when(), "dim. 29/11 23:30–lun. 30/11 00:30");
        for kind in AgendaKind::ALL {
            assert!(kind.id().is_ascii() && !kind.label().is_empty());
        }
    }
}
