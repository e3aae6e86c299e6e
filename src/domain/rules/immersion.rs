//! Rule checks of an immersion (PMSMP), pure and boundary-tested.
//!
//! [`check`] returns every finding; a [`Severity::Blocking`] one prevents
//! « prête à signer » and « signée » (see `Immersion::transition`), a
//! [`Severity::Warning`] is shown and does not block.
//!
//! Rules and the choices made where the texts leave room:
//! - **Dates in order**: the end may equal the start, not precede it.
//! - **One month at most, date to date** (Code du travail, PMSMP articles
//!   summarised in the reference `dispositifs.md` §10): blocking when
//!   `end − start > 30 days`, which is exactly what
//!   Immersion Facilitée — where conventions end up — enforces
//!   (`differenceInDays(end, start) ≤ 30`): 1 → 31 March passes, 1 March →
//!   1 April does not. In a month shorter than 31 days that allowance goes
//!   past the calendar month (1 → 30 April is a month; 1 April → 1 May is
//!   30 days but a month and a day): that gets a **warning** asking to
//!   confirm with the prescriber, not a block.
//! - **One renewal at most**: a renewal of a renewal, or a second renewal of
//!   the same immersion, blocks. Renewing when the original's debrief says the
//!   objectives were reached warns (renewal is meant for objectives not yet
//!   reached).
//! - **Same host, rolling 12 months**: hosts are identified by SIRET. Over
//!   any window of 12 months, at most **2 periods** (an immersion and its
//!   renewal are one period) and at most **60 days**, counted as calendar
//!   days from start to end of each period (weekends included, as the
//!   one-month limit is), renewals included, only the days inside the window. Two periods with the same
//!   objective in one host warn (the texts ask for different objectives).
//! - **Hours**: per civil week (Monday–Sunday, as the Code du travail counts
//!   weekly hours), the schedule's hours on the days of the period in that
//!   week: above **48 h** blocks, above **35 h** warns (48 h and 35 h exactly
//!   pass).
//! - **Overlaps**: another active immersion of the same person on common
//!   dates blocks; an interview or information session of the person during
//!   a presence slot warns.
//! - **Completeness**: every field the convention needs
//!   ([`Immersion::missing_fields`]) and a valid SIRET (host; employer when
//!   given) block; so does a missing prescriber — a CEP operator cannot
//!   prescribe a PMSMP.
//!
//! Annulée and refusée immersions are ignored as "others": they did not and
//! will not happen.

use crate::domain::agenda::{AgendaItem, AgendaKind};
use crate::domain::beneficiary::valid_siret;
use crate::domain::id::Id;
use crate::domain::immersion::{Immersion, FIELD_PRESCRIBER};
use crate::domain::schedule::fmt_hours;
use crate::domain::time::{fmt_date, fmt_short_day};
use chrono::{Datelike, Months, NaiveDate};
use std::collections::BTreeSet;

/// Largest `end − start`, in days (Immersion Facilitée's 30 calendar days).
pub const MAX_SPAN_DAYS: i64 = 30;
/// Periods allowed with one host over 12 rolling months.
pub const HOST_MAX_PERIODS: usize = 2;
/// Days allowed with one host over 12 rolling months, renewals included.
pub const HOST_MAX_DAYS: i64 = 60;
/// Weekly hours above which the schedule is refused (minutes).
pub const WEEK_MAX_MINUTES: u32 = 48 * 60;
/// Weekly hours above which the schedule gets a warning (minutes).
pub const WEEK_WARN_MINUTES: u32 = 35 * 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Blocking,
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Blocking => "bloquant",
            Severity::Warning => "avertissement",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Severity::Blocking => "bloquant",
            Severity::Warning => "avertissement",
        }
    }
}

/// Which rule a finding comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    DatesOrder,
    MaxSpan,
    CalendarMonth,
    SingleRenewal,
    RenewalObjectives,
    HostPeriods,
    HostDays,
    HostObjectives,
    WeeklyHoursMax,
    WeeklyHours35,
    ImmersionOverlap,
    AppointmentOverlap,
    MissingField,
    Prescriber,
    Siret,
}

impl RuleId {
    /// Stable ASCII id (JSON, tests, documentation).
    pub fn id(self) -> &'static str {
        match self {
            RuleId::DatesOrder => "dates-ordre",
            RuleId::MaxSpan => "duree-max",
            RuleId::CalendarMonth => "duree-mois",
            RuleId::SingleRenewal => "renouvellement-unique",
            RuleId::RenewalObjectives => "renouvellement-objectifs",
            RuleId::HostPeriods => "structure-periodes",
            RuleId::HostDays => "structure-jours",
            RuleId::HostObjectives => "structure-objectifs",
            RuleId::WeeklyHoursMax => "heures-48",
            RuleId::WeeklyHours35 => "heures-35",
            RuleId::ImmersionOverlap => "chevauchement-immersion",
            RuleId::AppointmentOverlap => "chevauchement-rendez-vous",
            RuleId::MissingField => "champ-manquant",
            RuleId::Prescriber => "prescripteur",
            RuleId::Siret => "siret",
        }
    }
    /// Short French name of the rule.
    pub fn label(self) -> &'static str {
        match self {
            RuleId::DatesOrder => "ordre des dates",
            RuleId::MaxSpan => "durée maximale",
            RuleId::CalendarMonth => "un mois de date à date",
            RuleId::SingleRenewal => "un seul renouvellement",
            RuleId::RenewalObjectives => "motif du renouvellement",
            RuleId::HostPeriods => "périodes dans la même structure",
            RuleId::HostDays => "jours dans la même structure",
            RuleId::HostObjectives => "objectifs dans la même structure",
            RuleId::WeeklyHoursMax => "48 heures par semaine",
            RuleId::WeeklyHours35 => "plus de 35 heures par semaine",
            RuleId::ImmersionOverlap => "chevauchement d'immersions",
            RuleId::AppointmentOverlap => "rendez-vous pendant l'immersion",
            RuleId::MissingField => "champ manquant",
            RuleId::Prescriber => "prescripteur",
            RuleId::Siret => "SIRET",
        }
    }
}

/// One problem found, with a French message for the advisor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub rule: RuleId,
    pub message: String,
}

impl Finding {
    fn blocking(rule: RuleId, message: String) -> Finding {
        Finding {
            severity: Severity::Blocking,
            rule,
            message,
        }
    }
    fn warning(rule: RuleId, message: String) -> Finding {
        Finding {
            severity: Severity::Warning,
            rule,
            message,
        }
    }
    pub fn is_blocking(&self) -> bool {
        self.severity == Severity::Blocking
    }
}

/// What the checks need besides the immersion itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckContext<'a> {
    /// The person's immersions (the checked one may be among them: it is
    /// recognised by id and skipped).
    pub others: &'a [Immersion],
    /// The person's agenda items (interviews, information sessions; other
    /// kinds are ignored), in local time.
    pub appointments: &'a [AgendaItem],
}

/// Every finding about `imm`, blocking ones first, then in rule order.
pub fn check(imm: &Immersion, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let mine: Vec<&Immersion> = ctx
        .others
        .iter()
        .filter(|o| o.id != imm.id && o.beneficiary == imm.beneficiary)
        .collect();
    let others: Vec<&Immersion> = mine.iter().copied().filter(|o| o.is_active()).collect();
    let mut out = Vec::new();
    out.extend(dates(imm));
    out.extend(renewal(imm, &mine));
    out.extend(host_limits(imm, &others));
    out.extend(weekly_hours(imm));
    out.extend(immersion_overlaps(imm, &others));
    out.extend(appointment_overlaps(imm, ctx.appointments));
    out.extend(completeness(imm));
    out.sort_by_key(|f| (f.severity, f.rule));
    out
}

/// The blocking findings as one French sentence, `None` when there is none.
pub fn blocking_reason(findings: &[Finding]) -> Option<String> {
    let msgs: Vec<&str> = findings
        .iter()
        .filter(|f| f.is_blocking())
        .map(|f| f.message.as_str())
        .collect();
    (!msgs.is_empty()).then(|| msgs.join(" ; "))
}

/// The last day of "one month date to date" from `start`: the day before the
/// same day of the next month (5 March → 4 April), or the last day of the
/// next month when it has no such day (30 January → 28 February).
pub fn month_end(start: NaiveDate) -> NaiveDate {
    match start.checked_add_months(Months::new(1)) {
        Some(next) if next.day() == start.day() => next.pred_opt().unwrap_or(next),
        Some(clamped) => clamped,
        None => start,
    }
}

/// Dates in order, 30 days at most, one calendar month (warning).
pub fn dates(imm: &Immersion) -> Vec<Finding> {
    let (s, e) = (imm.start, imm.end);
    if e < s {
        return vec![Finding::blocking(
            RuleId::DatesOrder,
            format!(
                "la date de fin ({}) précède la date de début ({})",
                fmt_date(e),
                fmt_date(s)
            ),
        )];
    }
    let span = (e - s).num_days();
    if span > MAX_SPAN_DAYS {
        return vec![Finding::blocking(
            RuleId::MaxSpan,
            format!(
                "du {} au {} : {span} jours d'écart, {MAX_SPAN_DAYS} au plus \
                 (une immersion dure un mois au plus, de date à date)",
                fmt_date(s),
                fmt_date(e)
            ),
        )];
    }
    let last = month_end(s);
    if e > last {
        return vec![Finding::warning(
            RuleId::CalendarMonth,
            format!(
                "dépasse un mois de date à date (fin au plus tard le {}) : accepté par \
                 Immersion Facilitée (30 jours), à confirmer avec le prescripteur",
                fmt_date(last)
            ),
        )];
    }
    Vec::new()
}

/// At most one renewal, and renewals for objectives not reached. `others`:
/// the person's other immersions, whatever their status.
pub fn renewal(imm: &Immersion, others: &[&Immersion]) -> Vec<Finding> {
    let Some(orig_id) = imm.renewal_of else {
        return Vec::new();
    };
    const ONCE: &str = "une PMSMP ne se renouvelle qu'une fois";
    let mut out = Vec::new();
    let orig = others.iter().find(|o| o.id == orig_id);
    match orig {
        Some(o) if o.renewal_of.is_some() => out.push(Finding::blocking(
            RuleId::SingleRenewal,
            format!(
                "l'immersion renouvelée (du {} au {}) est elle-même un renouvellement : {ONCE}",
                fmt_date(o.start),
                fmt_date(o.end)
            ),
        )),
        Some(o) if o.debrief.as_ref().and_then(|d| d.objectives_reached) == Some(true) => {
            out.push(Finding::warning(
                RuleId::RenewalObjectives,
                format!(
                    "le bilan de l'immersion du {} au {} indique des objectifs atteints : \
                     le renouvellement est prévu quand ils ne le sont pas",
                    fmt_date(o.start),
                    fmt_date(o.end)
                ),
            ))
        }
        Some(_) => {}
        None => out.push(Finding::warning(
            RuleId::SingleRenewal,
            "l'immersion renouvelée est introuvable dans ce dossier".to_string(),
        )),
    }
    if let Some(r) = others
        .iter()
        .find(|o| o.is_active() && o.renewal_of == Some(orig_id) && o.id != imm.id)
    {
        out.push(Finding::blocking(
            RuleId::SingleRenewal,
            format!(
                "cette immersion a déjà été renouvelée (du {} au {}) : {ONCE}",
                fmt_date(r.start),
                fmt_date(r.end)
            ),
        ));
    }
    out
}

fn compact(siret: &str) -> String {
    siret.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Calendar days of `[s, e]` inside `[lo, hi]`, both ends included.
fn days_within(s: NaiveDate, e: NaiveDate, lo: NaiveDate, hi: NaiveDate) -> i64 {
    let (a, b) = (s.max(lo), e.min(hi));
    ((b - a).num_days() + 1).max(0)
}

/// Two periods and 60 days at most with one host over any 12 rolling months;
/// different objectives (warning).
pub fn host_limits(imm: &Immersion, others: &[&Immersion]) -> Vec<Finding> {
    let Some(siret) = imm.host.siret.as_deref().map(compact) else {
        return Vec::new();
    };
    if imm.end < imm.start || siret.is_empty() {
        return Vec::new();
    }
    let group: Vec<&Immersion> = std::iter::once(imm)
        .chain(others.iter().copied().filter(|o| {
            o.end >= o.start && o.host.siret.as_deref().map(compact).as_deref() == Some(&siret)
        }))
        .collect();
    if group.len() == 1 {
        return Vec::new();
    }
    // The day count in a window is piecewise linear in its position: its
    // maximum is reached with a window starting on a period's first day or
    // ending on a period's last day. Only windows that meet `imm` matter.
    // Windows starting on a period come first, earliest first, so that a
    // message names the most natural window among equally bad ones.
    let year = Months::new(12);
    let mut starts: Vec<NaiveDate> = group.iter().map(|p| p.start).collect();
    starts.sort();
    let windows = starts
        .iter()
        .filter_map(|&lo| Some((lo, lo.checked_add_months(year)?.pred_opt()?)))
        .chain(
            group
                .iter()
                .filter_map(|p| Some((p.end.checked_sub_months(year)?.succ_opt()?, p.end))),
        );
    let mut worst_days: Option<(i64, NaiveDate, NaiveDate)> = None;
    let mut worst_periods: Option<(usize, NaiveDate, NaiveDate)> = None;
    for (lo, hi) in windows {
        if days_within(imm.start, imm.end, lo, hi) == 0 {
            continue;
        }
        let inside: Vec<&&Immersion> = group
            .iter()
            .filter(|p| days_within(p.start, p.end, lo, hi) > 0)
            .collect();
        let days: i64 = inside
            .iter()
            .map(|p| days_within(p.start, p.end, lo, hi))
            .sum();
        let periods = inside
            .iter()
            .map(|p| p.period_root())
            .collect::<BTreeSet<Id>>()
            .len();
        if worst_days.is_none_or(|(d, _, _)| days > d) {
            worst_days = Some((days, lo, hi));
        }
        if worst_periods.is_none_or(|(n, _, _)| periods > n) {
            worst_periods = Some((periods, lo, hi));
        }
    }
    let host = if imm.host.name.trim().is_empty() {
        format!("SIRET {siret}")
    } else {
        format!("{} (SIRET {siret})", imm.host.name.trim())
    };
    let mut out = Vec::new();
    if let Some((n, lo, hi)) = worst_periods.filter(|(n, _, _)| *n > HOST_MAX_PERIODS) {
        out.push(Finding::blocking(
            RuleId::HostPeriods,
            format!(
                "{n} périodes chez {host} sur 12 mois glissants (du {} au {}) : \
                 {HOST_MAX_PERIODS} au plus, un renouvellement comptant avec sa période",
                fmt_date(lo),
                fmt_date(hi)
            ),
        ));
    }
    if let Some((d, lo, hi)) = worst_days.filter(|(d, _, _)| *d > HOST_MAX_DAYS) {
        out.push(Finding::blocking(
            RuleId::HostDays,
            format!(
                "{d} jours chez {host} sur 12 mois glissants (du {} au {}) : \
                 {HOST_MAX_DAYS} au plus, renouvellements compris",
                fmt_date(lo),
                fmt_date(hi)
            ),
        ));
    }
    // Different objectives: another period (not this one's) with the same
    // objective, within 12 months of this one.
    if let Some(obj) = imm.objective {
        let near = |p: &Immersion| {
            let lo = imm.start.checked_sub_months(year).unwrap_or(imm.start);
            let hi = imm.end.checked_add_months(year).unwrap_or(imm.end);
            days_within(p.start, p.end, lo, hi) > 0
        };
        if let Some(p) = group
            .iter()
            .find(|p| p.period_root() != imm.period_root() && p.objective == Some(obj) && near(p))
        {
            out.push(Finding::warning(
                RuleId::HostObjectives,
                format!(
                    "même objectif (« {} ») que l'immersion du {} au {} chez {host} : \
                     deux périodes dans une structure doivent avoir des objectifs différents",
                    obj.label(),
                    fmt_date(p.start),
                    fmt_date(p.end)
                ),
            ));
        }
    }
    out
}

/// 48 hours at most in a civil week (blocking), warning above 35.
pub fn weekly_hours(imm: &Immersion) -> Vec<Finding> {
    let Some((monday, minutes)) = imm
        .schedule
        .minutes_per_week(imm.start, imm.end)
        .into_iter()
        .max_by_key(|(m, minutes)| (*minutes, std::cmp::Reverse(*m)))
    else {
        return Vec::new();
    };
    let week = format!("semaine du {}", fmt_date(monday));
    if minutes > WEEK_MAX_MINUTES {
        vec![Finding::blocking(
            RuleId::WeeklyHoursMax,
            format!(
                "{week} : {} de présence, {} au plus",
                fmt_hours(minutes),
                fmt_hours(WEEK_MAX_MINUTES)
            ),
        )]
    } else if minutes > WEEK_WARN_MINUTES {
        vec![Finding::warning(
            RuleId::WeeklyHours35,
            format!(
                "{week} : {} de présence, plus de {} : vérifiez avec la structure d'accueil",
                fmt_hours(minutes),
                fmt_hours(WEEK_WARN_MINUTES)
            ),
        )]
    } else {
        Vec::new()
    }
}

/// No two active immersions of the person on common dates.
pub fn immersion_overlaps(imm: &Immersion, others: &[&Immersion]) -> Vec<Finding> {
    others
        .iter()
        .filter(|o| o.start <= imm.end && imm.start <= o.end && imm.start <= imm.end)
        .map(|o| {
            Finding::blocking(
                RuleId::ImmersionOverlap,
                format!("chevauche l'immersion {}", o.summary()),
            )
        })
        .collect()
}

/// Interviews and information sessions of the person during a presence slot.
pub fn appointment_overlaps(imm: &Immersion, appointments: &[AgendaItem]) -> Vec<Finding> {
    let days = crate::domain::agenda::immersion_items(imm, "");
    appointments
        .iter()
        .filter(|a| matches!(a.kind, AgendaKind::Entretien | AgendaKind::Seance))
        .filter(|a| a.people().any(|p| p == imm.beneficiary))
        .filter_map(|a| {
            let day = days.iter().find(|d| d.overlaps(a))?;
            let slots: Vec<String> = day.slots.iter().map(ToString::to_string).collect();
            Some(Finding::warning(
                RuleId::AppointmentOverlap,
                format!(
                    "{} le {} à {} pendant l'immersion ({})",
                    a.kind.label(),
                    fmt_short_day(a.start.date()),
                    a.start.format("%H:%M"),
                    slots.join(" ")
                ),
            ))
        })
        .collect()
}

/// Fields the convention needs, prescriber, valid SIRETs.
pub fn completeness(imm: &Immersion) -> Vec<Finding> {
    let mut out: Vec<Finding> = imm
        .missing_fields()
        .into_iter()
        .map(|f| {
            if f == FIELD_PRESCRIBER {
                Finding::blocking(
                    RuleId::Prescriber,
                    "prescripteur manquant : un opérateur CEP ne peut pas prescrire une \
                     immersion ; indiquez France Travail, la mission locale, Cap emploi, \
                     une SIAE, le conseil départemental ou une structure délégataire"
                        .to_string(),
                )
            } else {
                Finding::blocking(RuleId::MissingField, format!("champ manquant : {f}"))
            }
        })
        .collect();
    for (what, siret) in [
        ("de la structure d'accueil", imm.host.siret.as_deref()),
        ("de l'employeur", imm.employer.siret.as_deref()),
    ] {
        if let Some(s) = siret.filter(|s| !valid_siret(&compact(s))) {
            out.push(Finding::blocking(
                RuleId::Siret,
                format!("SIRET {what} invalide : « {s} » (14 chiffres, clé de contrôle)"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agenda::{interview_item, step_item, InterviewSlot};
    use crate::domain::immersion::fixtures::*;
    use crate::domain::immersion::{Debrief, ImmersionObjective, ImmersionStatus};
    use chrono::NaiveDateTime;

    fn run(imm: &Immersion, others: &[Immersion]) -> Vec<Finding> {
        check(
            imm,
            &CheckContext {
                others,
                appointments: &[],
            },
        )
    }

    fn rules_of(f: &[Finding]) -> Vec<(Severity, RuleId)> {
        f.iter().map(|f| (f.severity, f.rule)).collect()
    }

    fn only(imm: &Immersion, others: &[Immersion]) -> Vec<(Severity, RuleId)> {
        rules_of(&run(imm, others))
    }

    #[test]
    fn a_complete_immersion_alone_is_clean() {
        let i = complete(1, d(2026, 12, 7), d(2026, 12, 18));
        assert_eq!(run(&i, &[]), vec![]);
        assert_eq!(blocking_reason(&run(&i, &[])), None);
    }

    #[test]
    fn thirty_days_apart_pass_thirty_one_block() {
        // 1 → 31 March: 30 days apart, a calendar month: nothing.
        assert_eq!(
            only(&complete(1, d(2026, 3, 1), d(2026, 3, 31)), &[]),
            vec![]
        );
        // 1 March → 1 April: 31 days apart.
        let f = run(&complete(1, d(2026, 3, 1), d(2026, 4, 1)), &[]);
        assert_eq!(rules_of(&f), vec![(Severity::Blocking, RuleId::MaxSpan)]);
        assert_eq!(
            f[0].message,
            "du 01/03/2026 au 01/04/2026 : 31 jours d'écart, 30 au plus \
             (une immersion dure un mois au plus, de date à date)"
        );
        // April has 30 days: 1 → 30 April is the month; 1 April → 1 May is
        // still 30 days apart (accepted) but past the month: a warning.
        assert_eq!(
            only(&complete(1, d(2026, 4, 1), d(2026, 4, 30)), &[]),
            vec![]
        );
        let f = run(&complete(1, d(2026, 4, 1), d(2026, 5, 1)), &[]);
        assert_eq!(
            rules_of(&f),
            vec![(Severity::Warning, RuleId::CalendarMonth)]
        );
        assert!(
            f[0].message.contains("fin au plus tard le 30/04/2026"),
            "{}",
            f[0].message
        );
        // One day: fine. Reversed dates: blocking, and nothing else date-based.
        assert_eq!(
            only(&complete(1, d(2026, 3, 2), d(2026, 3, 2)), &[]),
            vec![]
        );
        let f = run(&complete(1, d(2026, 3, 5), d(2026, 3, 4)), &[]);
        assert_eq!(rules_of(&f), vec![(Severity::Blocking, RuleId::DatesOrder)]);
        assert_eq!(
            f[0].message,
            "la date de fin (04/03/2026) précède la date de début (05/03/2026)"
        );
    }

    #[test]
    fn month_end_is_date_to_date() {
        assert_eq!(month_end(d(2026, 3, 5)), d(2026, 4, 4));
        assert_eq!(month_end(d(2026, 3, 1)), d(2026, 3, 31));
        assert_eq!(month_end(d(2026, 1, 28)), d(2026, 2, 27));
        assert_eq!(month_end(d(2026, 1, 30)), d(2026, 2, 28));
        assert_eq!(month_end(d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(month_end(d(2028, 1, 31)), d(2028, 2, 29));
        assert_eq!(month_end(d(2026, 12, 15)), d(2027, 1, 14));
    }

    fn renewal_of(n: u8, orig: &Immersion, start: NaiveDate, end: NaiveDate) -> Immersion {
        let mut r = complete(n, start, end);
        r.renewal_of = Some(orig.id);
        r.renewal_reason = "objectifs non atteints".into();
        r
    }

    #[test]
    fn a_second_renewal_and_a_renewal_of_a_renewal_block() {
        let a = with_status(
            complete(1, d(2026, 1, 5), d(2026, 1, 16)),
            ImmersionStatus::Realisee,
        );
        let b = renewal_of(2, &a, d(2026, 1, 19), d(2026, 1, 30));
        // The first renewal is fine.
        assert_eq!(only(&b, std::slice::from_ref(&a)), vec![]);
        // A second renewal of A.
        let c = renewal_of(3, &a, d(2026, 2, 2), d(2026, 2, 6));
        let f = run(&c, &[a.clone(), b.clone()]);
        assert!(
            rules_of(&f).contains(&(Severity::Blocking, RuleId::SingleRenewal)),
            "{f:?}"
        );
        assert!(blocking_reason(&f)
            .unwrap()
            .contains("déjà été renouvelée (du 19/01/2026 au 30/01/2026)"));
        // Not when the first renewal was cancelled.
        let b_cancelled = with_status(b.clone(), ImmersionStatus::Annulee);
        assert_eq!(only(&c, &[a.clone(), b_cancelled]), vec![]);
        // A renewal of the renewal.
        let e = renewal_of(4, &b, d(2026, 2, 2), d(2026, 2, 6));
        let f = run(&e, &[a.clone(), b.clone()]);
        assert!(
            blocking_reason(&f)
                .unwrap()
                .contains("est elle-même un renouvellement"),
            "{f:?}"
        );
        // Objectives reached: a warning only.
        let mut a_reached = a.clone();
        a_reached.debrief = Some(Debrief {
            objectives_reached: Some(true),
            ..Debrief::default()
        });
        assert_eq!(
            only(&b, &[a_reached]),
            vec![(Severity::Warning, RuleId::RenewalObjectives)]
        );
        // Unknown original: a warning.
        assert_eq!(
            only(&b, &[]),
            vec![(Severity::Warning, RuleId::SingleRenewal)]
        );
    }

    #[test]
    fn sixty_days_with_one_host_pass_the_sixty_first_blocks() {
        // Period 1: 2 March → 1 April 2026 = 31 days. Period 2 (other objective).
        let p1 = complete(1, d(2026, 3, 2), d(2026, 4, 1));
        let mut p2 = complete(2, d(2026, 6, 1), d(2026, 6, 29)); // 29 days: 60 in all
        p2.objective = Some(ImmersionObjective::InitierRecrutement);
        assert_eq!(only(&p2, std::slice::from_ref(&p1)), vec![]);
        p2.end = d(2026, 6, 30); // 30 days: 61 in all
        let f = run(&p2, std::slice::from_ref(&p1));
        assert_eq!(rules_of(&f), vec![(Severity::Blocking, RuleId::HostDays)]);
        assert_eq!(
            f[0].message,
            "61 jours chez Crèche Les Lucioles (SIRET 12002701600357) sur 12 mois glissants \
             (du 02/03/2026 au 01/03/2027) : 60 au plus, renouvellements compris"
        );
        // Renewals count in the days: 31 + a 30-day renewal = 61…
        let r = renewal_of(3, &p1, d(2026, 4, 2), d(2026, 5, 1));
        assert_eq!(
            only(&r, std::slice::from_ref(&p1)),
            vec![(Severity::Blocking, RuleId::HostDays)]
        );
        // …31 + 29 = 60 passes.
        let r = renewal_of(3, &p1, d(2026, 4, 2), d(2026, 4, 30));
        assert_eq!(only(&r, std::slice::from_ref(&p1)), vec![]);
        // Another host does not count.
        let mut other_host = p2.clone();
        other_host.host.siret = Some(SIRET_B.into());
        assert_eq!(only(&other_host, std::slice::from_ref(&p1)), vec![]);
        // 12 months later, the first period is out of every window.
        let mut next_year = complete(4, d(2027, 3, 2), d(2027, 4, 1));
        next_year.objective = Some(ImmersionObjective::InitierRecrutement);
        assert_eq!(only(&next_year, std::slice::from_ref(&p1)), vec![]);
        // The window rolls: 1 → 30 March 2027 (30 days) shares a 12-month
        // window with at most the last two days of p1 (31 March 2026 →
        // 30 March 2027): 32 days.
        let mut rolled = complete(5, d(2027, 3, 1), d(2027, 3, 30));
        rolled.objective = Some(ImmersionObjective::InitierRecrutement);
        assert_eq!(only(&rolled, std::slice::from_ref(&p1)), vec![]);
        // Cancelled immersions do not count.
        let p1_cancelled = with_status(p1, ImmersionStatus::Annulee);
        assert_eq!(only(&p2, &[p1_cancelled]), vec![]);
    }

    #[test]
    fn the_third_period_with_one_host_blocks_a_renewal_does_not() {
        let mut p1 = complete(1, d(2026, 1, 5), d(2026, 1, 9));
        p1.objective = Some(ImmersionObjective::DecouvrirMetier);
        let p2 = complete(2, d(2026, 4, 6), d(2026, 4, 10)); // confirmer
        let mut p3 = complete(3, d(2026, 9, 7), d(2026, 9, 11));
        p3.objective = Some(ImmersionObjective::InitierRecrutement);
        let f = run(&p3, &[p1.clone(), p2.clone()]);
        assert_eq!(
            rules_of(&f),
            vec![(Severity::Blocking, RuleId::HostPeriods)]
        );
        assert!(
            f[0].message
                .starts_with("3 périodes chez Crèche Les Lucioles"),
            "{}",
            f[0].message
        );
        // The same dates as a renewal of p2: still two periods.
        let mut r = renewal_of(3, &p2, d(2026, 9, 7), d(2026, 9, 11));
        r.objective = p2.objective;
        assert_eq!(only(&r, &[p1.clone(), p2.clone()]), vec![]);
        // Two periods with the same objective: a warning.
        let mut same = complete(4, d(2026, 9, 7), d(2026, 9, 11));
        same.objective = p1.objective;
        assert_eq!(
            only(&same, std::slice::from_ref(&p1)),
            vec![(Severity::Warning, RuleId::HostObjectives)]
        );
        // A third period 12 months after the first is fine.
        let mut later = complete(5, d(2027, 1, 5), d(2027, 1, 9));
        later.objective = Some(ImmersionObjective::InitierRecrutement);
        assert_eq!(only(&later, &[p1, p2]), vec![]);
    }

    #[test]
    fn forty_eight_hours_pass_more_block_thirty_five_warn() {
        let week = |text: &str| {
            let mut i = complete(1, d(2026, 3, 2), d(2026, 3, 13));
            i.set_schedule(text).unwrap();
            run(&i, &[])
        };
        assert_eq!(rules_of(&week("lun-ven 9h-12h 13h-17h")), vec![]); // 35 h
        let f = week("lun-ven 9h-12h 13h-17h; sam 9h-9h30"); // 35 h 30
        assert_eq!(
            rules_of(&f),
            vec![(Severity::Warning, RuleId::WeeklyHours35)]
        );
        assert_eq!(
            f[0].message,
            "semaine du 02/03/2026 : 35 h 30 de présence, plus de 35 h : \
             vérifiez avec la structure d'accueil"
        );
        assert_eq!(
            rules_of(&week("lun-sam 8h-16h")), // 48 h
            vec![(Severity::Warning, RuleId::WeeklyHours35)]
        );
        let f = week("lun-ven 8h-16h; sam 8h-16h30"); // 48 h 30
        assert_eq!(
            rules_of(&f),
            vec![(Severity::Blocking, RuleId::WeeklyHoursMax)]
        );
        assert_eq!(
            f[0].message,
            "semaine du 02/03/2026 : 48 h 30 de présence, 48 h au plus"
        );
        // Only the days of the period count: Thu 5 → Wed 11 March holds Thu,
        // Fri, Sat (24 h) then Mon–Wed (24 h): 48 h 30 a full week, but no
        // civil week of this period reaches it.
        let mut i = complete(2, d(2026, 3, 5), d(2026, 3, 11));
        i.set_schedule("lun-ven 8h-16h; sam 8h-16h30").unwrap();
        assert_eq!(rules_of(&run(&i, &[])), vec![]);
    }

    #[test]
    fn overlapping_immersions_block_interviews_during_slots_warn() {
        let a = complete(1, d(2026, 12, 7), d(2026, 12, 18));
        let mut b = complete(2, d(2026, 12, 18), d(2026, 12, 24));
        b.host.siret = Some(SIRET_B.into());
        let f = run(&b, std::slice::from_ref(&a));
        assert_eq!(
            rules_of(&f),
            vec![(Severity::Blocking, RuleId::ImmersionOverlap)]
        );
        assert_eq!(
            f[0].message,
            "chevauche l'immersion Crèche Les Lucioles, du 07/12/2026 au 18/12/2026 (brouillon)"
        );
        b.start = d(2026, 12, 19);
        assert_eq!(only(&b, std::slice::from_ref(&a)), vec![]);
        // Another person's immersion does not matter.
        let mut theirs = a.clone();
        theirs.beneficiary = id(201);
        b.start = d(2026, 12, 7);
        assert_eq!(only(&b, &[theirs]), vec![]);

        // Interviews (UTC+1 in December).
        let at = |day: u32, h: u32, m: u32| -> NaiveDateTime {
            d(2026, 12, day).and_hms_opt(h, m, 0).unwrap()
        };
        let iv = |n: u8, local: NaiveDateTime| {
            interview_item(
                &InterviewSlot {
                    id: id(n),
                    beneficiary: ben(),
                    at: crate::domain::agenda::from_paris(local),
                    duration_minutes: 60,
                    who: "Léa DUPONT".into(),
                    mode: "visio".into(),
                    place: String::new(),
                },
                crate::domain::agenda::to_paris,
            )
        };
        let items = vec![
            iv(10, at(9, 10, 0)),   // Wed 10:00, during the morning slot
            iv(11, at(9, 12, 0)),   // lunch break: free
            iv(12, at(12, 10, 0)),  // Saturday: no presence
            iv(13, at(10, 11, 30)), // 11:30–12:30 overlaps the end of the slot
            step_item(d(2026, 12, 9), "Bilan", "Léa DUPONT", ben(), id(14)),
        ];
        let f = check(
            &a,
            &CheckContext {
                others: &[],
                appointments: &items,
            },
        );
        assert_eq!(
            f.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(),
            vec![
                "Entretien le mer. 09/12 à 10:00 pendant l'immersion (9:00–12:00 13:30–17:00)",
                "Entretien le jeu. 10/12 à 11:30 pendant l'immersion (9:00–12:00 13:30–17:00)",
            ]
        );
        assert!(f
            .iter()
            .all(|f| f.rule == RuleId::AppointmentOverlap && !f.is_blocking()));
    }

    #[test]
    fn completeness_and_sirets() {
        let mut i = complete(1, d(2026, 12, 7), d(2026, 12, 18));
        i.host.siret = Some("12002701600358".into());
        i.employer.siret = Some("1234".into());
        i.tutor.role.clear();
        let f = run(&i, &[]);
        assert_eq!(
            f.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(),
            vec![
                "champ manquant : tuteur : fonction",
                "SIRET de la structure d'accueil invalide : « 12002701600358 » (14 chiffres, clé de contrôle)",
                "SIRET de l'employeur invalide : « 1234 » (14 chiffres, clé de contrôle)",
            ]
        );
        // Spaces typed in a SIRET are not an error.
        i.host.siret = Some("120 027 016 00357".into());
        i.employer.siret = None;
        i.tutor.role = "Directrice".into();
        assert_eq!(run(&i, &[]), vec![]);
        for r in [RuleId::MaxSpan, RuleId::HostDays, RuleId::Prescriber] {
            assert!(r.id().is_ascii() && !r.label().is_empty());
        }
        assert_eq!(Severity::Blocking.label(), "bloquant");
    }
}
