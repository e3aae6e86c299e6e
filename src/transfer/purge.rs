//! Retention purge: closed files whose last contact is older than N days.
//!
//! The sector rule (CNIL referential for social and medico-social support,
//! 2023) keeps an active file 2 years after the last contact with the
//! person: hence the default of 730 days. Open files are never purged.
//!
//! The last contact of a file is the most recent of its `last_contact` date
//! and of its interviews' dates; when neither exists, the date the file was
//! last changed (`meta.updated_at`).

use crate::domain::{Beneficiary, Id, Interview, Status};
use crate::store::{ErasureReport, Store, StoreError};
use chrono::{Days, NaiveDate};

/// The default retention: 2 years after the last contact.
pub const DEFAULT_DAYS: u32 = 730;

/// A file past its retention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: Id,
    /// `DUPONT Léa`
    pub name: String,
    pub last_contact: NaiveDate,
    pub closed_on: NaiveDate,
}

/// The date of the last contact with the person (see the module doc).
pub fn last_contact(b: &Beneficiary, interviews: &[Interview]) -> NaiveDate {
    let latest_interview = interviews.iter().map(|i| i.at.date_naive()).max();
    match (b.last_contact, latest_interview) {
        (Some(a), Some(b)) => a.max(b),
        (Some(d), None) | (None, Some(d)) => d,
        (None, None) => b.meta.updated_at.date_naive(),
    }
}

/// The day before which a last contact is too old: `today - days`.
pub fn cutoff(today: NaiveDate, days: u32) -> NaiveDate {
    today
        .checked_sub_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MIN)
}

/// Closed files whose last contact is strictly before `today - days`,
/// oldest contact first.
pub fn candidates(
    store: &Store,
    today: NaiveDate,
    days: u32,
) -> Result<Vec<Candidate>, StoreError> {
    let limit = cutoff(today, days);
    let mut out = Vec::new();
    for b in store.beneficiaries()?.records {
        let Status::Closed { on, .. } = &b.status else {
            continue;
        };
        let contact = last_contact(&b, &store.interviews_of(b.id)?);
        if contact < limit {
            out.push(Candidate {
                id: b.id,
                name: b.display_name(),
                last_contact: contact,
                closed_on: *on,
            });
        }
    }
    out.sort_by(|a, b| a.last_contact.cmp(&b.last_contact).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// What a purge removed, summed over the erased files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub files: usize,
    pub interviews: usize,
    pub plans: usize,
    pub immersions: usize,
    pub registrations: usize,
    pub journal_entries: usize,
    pub index_entries: usize,
}

impl PurgeReport {
    pub fn add(&mut self, r: &ErasureReport) {
        self.files += usize::from(r.beneficiary);
        self.interviews += r.interviews;
        self.plans += r.plans;
        self.immersions += r.immersions;
        self.registrations += r.registrations;
        self.journal_entries += r.journal_entries;
        self.index_entries += r.index_entries;
    }

    /// Records removed: files, interviews, plans, immersions and journal
    /// entries (index entries are bookkeeping and counted apart).
    pub fn records(&self) -> usize {
        self.files
            + self.interviews
            + self.plans
            + self.immersions
            + self.registrations
            + self.journal_entries
    }
}

/// Erases the candidates (each with everything linked to it). A file that
/// vanished meanwhile is skipped; any other error stops the purge and is
/// returned with what was removed before.
pub fn erase(
    store: &Store,
    candidates: &[Candidate],
) -> Result<PurgeReport, (StoreError, PurgeReport)> {
    let mut report = PurgeReport::default();
    for c in candidates {
        match store.erase_beneficiary(c.id) {
            Ok(r) => report.add(&r),
            Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err((e, report)),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CepLevel, InterviewMode, Meta};
    use chrono::DateTime;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn last_contact_takes_the_latest_known_contact() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap(); // 2023-11-14
        let mut b = Beneficiary::new(Id([1; 16]), "A", "B", Meta::new(t, "x"));
        assert_eq!(last_contact(&b, &[]), d(2023, 11, 14));
        b.last_contact = Some(d(2022, 1, 5));
        assert_eq!(last_contact(&b, &[]), d(2022, 1, 5));
        let i = Interview {
            id: Id([2; 16]),
            beneficiary: b.id,
            at: DateTime::from_timestamp(1_650_000_000, 0).unwrap(), // 2022-04-15
            duration_minutes: 60,
            level: CepLevel::AccueilIndividualise,
            mode: InterviewMode::Phone,
            place: String::new(),
            topics: String::new(),
            summary: String::new(),
            decisions: String::new(),
            next_follow_up: None,
            planned: false,
            meta: Meta::new(t, "x"),
        };
        assert_eq!(last_contact(&b, &[i]), d(2022, 4, 15));
    }

    #[test]
    fn cutoff_counts_days() {
        assert_eq!(cutoff(d(2026, 5, 28), 730), d(2024, 5, 28));
        assert_eq!(cutoff(d(2026, 5, 28), 0), d(2026, 5, 28));
    }
}
