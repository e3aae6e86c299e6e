//! Time helpers: compact serde forms for stored dates and instants, and the
//! clock that is injected everywhere "now" matters.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Source of "now"; tests inject a fixed one.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The real clock.
pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant.
pub struct FixedClock(pub DateTime<Utc>);
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// `jj/mm/aaaa`.
pub fn fmt_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Parses `jj/mm/aaaa` (also `jj/mm/aa` and ISO `aaaa-mm-jj`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
        .filter(|d| d.year() >= 1900)
        .or_else(|| NaiveDate::parse_from_str(s, "%d/%m/%y").ok())
}

const WEEKDAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
const WEEKDAYS_LONG: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// `sam. 28/11`
pub fn fmt_short_day(d: NaiveDate) -> String {
    format!(
        "{} {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        d.format("%d/%m")
    )
}

/// `samedi 28 novembre 2026`
pub fn fmt_long_day(d: NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        WEEKDAYS_LONG[d.weekday().num_days_from_monday() as usize],
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

/// serde for `NaiveDate` as days since 0001-01-01 (an `i32`).
pub mod serde_days {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(d.num_days_from_ce())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let n = i32::deserialize(d)?;
        NaiveDate::from_num_days_from_ce_opt(n)
            .ok_or_else(|| serde::de::Error::custom("date hors limites"))
    }
}

/// serde for `Option<NaiveDate>` as an optional day number.
pub mod serde_opt_days {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.num_days_from_ce()),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<i32>::deserialize(d)? {
            None => Ok(None),
            Some(n) => NaiveDate::from_num_days_from_ce_opt(n)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("date hors limites")),
        }
    }
}

/// serde for `DateTime<Utc>` as `i64` microseconds.
pub use chrono::serde::ts_microseconds as serde_micros;
/// serde for `Option<DateTime<Utc>>` as optional `i64` microseconds.
pub use chrono::serde::ts_microseconds_option as serde_opt_micros;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_date_formats() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(fmt_date(d), "28/11/2026");
        assert_eq!(fmt_short_day(d), "sam. 28/11");
        assert_eq!(fmt_long_day(d), "samedi 28 novembre 2026");
        assert_eq!(parse_date("28/11/2026"), Some(d));
        assert_eq!(parse_date("2026-11-28"), Some(d));
        assert_eq!(parse_date("31/02/2026"), None);
        assert_eq!(parse_date("demain"), None);
    }
}
