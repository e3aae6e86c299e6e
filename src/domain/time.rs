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

/// A clock that only moves when told (tests of time-driven behaviour:
/// the idle lock). Clones share the same instant, so a test keeps one
/// handle and gives another to the runtime.
#[derive(Clone, Debug)]
pub struct ManualClock(std::sync::Arc<std::sync::Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(std::sync::Arc::new(std::sync::Mutex::new(at)))
    }
    /// Moves the shared instant forward (or back, with a negative duration).
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `jj/mm/aaaa`.
pub fn fmt_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Parses a full date: `jj/mm/aaaa`, `jj/mm/aa` (00–68 → 20aa, 69–99 →
/// 19aa) or ISO `aaaa-mm-jj` (`.` and `-` also separate `jj.mm.aaaa`).
/// For dates typed in forms, see [`parse_date_input`] (shortcuts, `jj/mm`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    parse_numeric(s.trim(), None).ok()
}

/// What a date field accepts, for messages and placeholders.
pub const DATE_INPUT_HELP: &str =
    "jj/mm/aaaa, jj/mm, auj, demain, hier, +3 (jours), +2s (semaines), +1m (mois)";

/// Largest offset accepted by `+N`: ten years.
const MAX_OFFSET_DAYS: u32 = 3_660;

/// A date typed by an advisor, relative to `today`:
/// - `auj`, `aujourd'hui`, `demain`, `hier`, `après-demain`, `avant-hier`;
/// - `+3` or `+3j` (days), `+2s` (weeks), `+1m` (months; the day is kept, or
///   the month's last day: `+1m` from 31 January is 28 or 29 February), and
///   the same with `-` for the past;
/// - `jj/mm/aaaa`, `jj/mm/aa`, ISO `aaaa-mm-jj`;
/// - `jj/mm`: the occurrence of that day nearest to `today` (this year, the
///   next or the previous one), so that a follow-up typed `05/01` in December
///   lands next January while a notice typed `20/11` on 28 November stays this
///   month. The form shows the resolved date beside the field.
///
/// Errors are French and say what is accepted.
pub fn parse_date_input(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let t = text.trim().to_lowercase().replace(['’', '‘'], "'");
    if t.is_empty() {
        return Err("date vide".into());
    }
    let words = t
        .trim_end_matches('.')
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let day = |n: i64| {
        today
            .checked_add_signed(chrono::Duration::days(n))
            .ok_or_else(|| "date hors limites".to_string())
    };
    match words.as_str() {
        "auj" | "aujourd'hui" | "aujourdhui" | "aujourd hui" => return day(0),
        "demain" => return day(1),
        "hier" => return day(-1),
        "après demain" | "apres demain" => return day(2),
        "avant hier" => return day(-2),
        _ => {}
    }
    if let Some(rest) = t.strip_prefix(['+', '-', '−']) {
        let back = !t.starts_with('+');
        return parse_offset(rest, back, today);
    }
    parse_numeric(&t, Some(today))
}

/// `3`, `3j`, `2s`, `1m` (after the sign), with optional spaces.
fn parse_offset(rest: &str, back: bool, today: NaiveDate) -> Result<NaiveDate, String> {
    let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let unit = &rest[digits.len()..];
    let sign = if back { '-' } else { '+' };
    let bad = || {
        format!("décalage non reconnu « {sign}{rest} » : +3 (jours), +2s (semaines), +1m (mois)")
    };
    let n: u32 = digits.parse().map_err(|_| bad())?;
    let (days, months) = match unit {
        "" | "j" | "jour" | "jours" => (n, 0),
        "s" | "sem" | "semaine" | "semaines" => (n.saturating_mul(7), 0),
        "m" | "mois" => (0, n),
        _ => return Err(bad()),
    };
    if days > MAX_OFFSET_DAYS || months > MAX_OFFSET_DAYS / 30 {
        return Err("décalage trop grand (dix ans au plus)".into());
    }
    let out = if months > 0 {
        let m = chrono::Months::new(months);
        if back {
            today.checked_sub_months(m)
        } else {
            today.checked_add_months(m)
        }
    } else {
        let d = chrono::Days::new(days as u64);
        if back {
            today.checked_sub_days(d)
        } else {
            today.checked_add_days(d)
        }
    };
    out.ok_or_else(|| "date hors limites".into())
}

/// `jj/mm/aaaa`, `jj/mm/aa`, `aaaa-mm-jj`, and `jj/mm` when `today` is
/// given (nearest occurrence). Separators `/`, `.` or `-`.
fn parse_numeric(t: &str, today: Option<NaiveDate>) -> Result<NaiveDate, String> {
    let unknown = || format!("date non reconnue « {t} » : {DATE_INPUT_HELP}");
    let parts: Vec<&str> = t.split(['/', '.', '-']).map(str::trim).collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(unknown());
    }
    let num = |p: &str| p.parse::<u32>().map_err(|_| unknown());
    let (d, m, y) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (num(d)?, num(m)?, num(y)? as i32),
        [d, m, y] if y.len() == 4 => (num(d)?, num(m)?, num(y)? as i32),
        [d, m, y] if y.len() == 2 => {
            let yy = num(y)? as i32;
            (
                num(d)?,
                num(m)?,
                if yy < 69 { 2000 + yy } else { 1900 + yy },
            )
        }
        [_, _, _] => return Err("année sur 2 ou 4 chiffres : jj/mm/aaaa ou jj/mm/aa".into()),
        [d, m] if today.is_some() && d.len() <= 2 && m.len() <= 2 => {
            let (d, m) = (num(d)?, num(m)?);
            check_day_month(d, m)?;
            let today = today.unwrap_or_default();
            return [today.year() - 1, today.year(), today.year() + 1]
                .into_iter()
                .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
                .min_by_key(|c| ((*c - today).num_days().abs(), *c < today))
                .ok_or_else(|| format!("le {d:02}/{m:02} n'existe pas"));
        }
        _ => return Err(unknown()),
    };
    if !(1900..=2200).contains(&y) {
        return Err(format!("année improbable : {y}"));
    }
    check_day_month(d, m)?;
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("le {d:02}/{m:02}/{y} n'existe pas"))
}

fn check_day_month(d: u32, m: u32) -> Result<(), String> {
    if !(1..=12).contains(&m) {
        return Err(format!("mois invalide : {m} (1 à 12)"));
    }
    if !(1..=31).contains(&d) {
        return Err(format!("jour invalide : {d} (1 à 31)"));
    }
    Ok(())
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

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Saturday 28 November 2026.
    fn today() -> NaiveDate {
        ymd(2026, 11, 28)
    }

    fn p(s: &str) -> Result<NaiveDate, String> {
        parse_date_input(s, today())
    }

    #[test]
    fn date_words() {
        for s in ["auj", "Auj.", "aujourd'hui", "Aujourd’hui", " AUJOURDHUI "] {
            assert_eq!(p(s), Ok(today()), "{s}");
        }
        assert_eq!(p("demain"), Ok(ymd(2026, 11, 29)));
        assert_eq!(p("hier"), Ok(ymd(2026, 11, 27)));
        assert_eq!(p("après-demain"), Ok(ymd(2026, 11, 30)));
        assert_eq!(p("avant-hier"), Ok(ymd(2026, 11, 26)));
        assert!(p("demian").unwrap_err().contains("auj, demain"));
        assert_eq!(p(""), Err("date vide".into()));
    }

    #[test]
    fn date_offsets() {
        assert_eq!(p("+3"), Ok(ymd(2026, 12, 1)), "crosses the month");
        assert_eq!(p("+3j"), Ok(ymd(2026, 12, 1)));
        assert_eq!(p("+ 3 j"), Ok(ymd(2026, 12, 1)));
        assert_eq!(p("+0"), Ok(today()));
        assert_eq!(p("+2s"), Ok(ymd(2026, 12, 12)));
        assert_eq!(p("+1m"), Ok(ymd(2026, 12, 28)));
        assert_eq!(p("+2m"), Ok(ymd(2027, 1, 28)), "crosses the year");
        assert_eq!(p("-1s"), Ok(ymd(2026, 11, 21)));
        assert_eq!(p("-3"), Ok(ymd(2026, 11, 25)));
        // Month ends: the day is kept when it exists, else the last day.
        let jan31 = ymd(2026, 1, 31);
        assert_eq!(parse_date_input("+1m", jan31), Ok(ymd(2026, 2, 28)));
        assert_eq!(
            parse_date_input("+1m", ymd(2028, 1, 31)),
            Ok(ymd(2028, 2, 29))
        );
        assert_eq!(parse_date_input("+2m", jan31), Ok(ymd(2026, 3, 31)));
        assert_eq!(parse_date_input("+3m", jan31), Ok(ymd(2026, 4, 30)));
        assert_eq!(
            parse_date_input("-1m", ymd(2026, 3, 31)),
            Ok(ymd(2026, 2, 28))
        );
        // Limits: ten years.
        assert_eq!(p("+3660"), Ok(ymd(2036, 12, 5)));
        assert!(p("+3661").unwrap_err().contains("trop grand"));
        assert!(p("+120m").is_ok());
        assert!(p("+123m").unwrap_err().contains("trop grand"));
        assert!(p("+99999999999").is_err());
        assert!(p("+3x").unwrap_err().contains("« +3x »"));
        assert!(p("+").is_err());
        assert!(p("+s").is_err());
    }

    #[test]
    fn full_dates() {
        assert_eq!(p("07/12/2026"), Ok(ymd(2026, 12, 7)));
        assert_eq!(p("7/12/2026"), Ok(ymd(2026, 12, 7)));
        assert_eq!(p("07.12.2026"), Ok(ymd(2026, 12, 7)));
        assert_eq!(p("07-12-2026"), Ok(ymd(2026, 12, 7)));
        assert_eq!(p("2026-12-07"), Ok(ymd(2026, 12, 7)));
        assert_eq!(p("07/12/26"), Ok(ymd(2026, 12, 7)));
        assert_eq!(p("07/12/68"), Ok(ymd(2068, 12, 7)));
        assert_eq!(p("07/12/69"), Ok(ymd(1969, 12, 7)));
        assert_eq!(p("29/02/2028"), Ok(ymd(2028, 2, 29)));
        assert_eq!(p("29/02/2027"), Err("le 29/02/2027 n'existe pas".into()));
        assert!(p("31/04/2026").unwrap_err().contains("n'existe pas"));
        assert!(p("12/13/2026").unwrap_err().contains("mois invalide : 13"));
        assert!(p("32/12/2026").unwrap_err().contains("jour invalide : 32"));
        assert!(p("07/12/026").unwrap_err().contains("2 ou 4 chiffres"));
        assert!(p("07/12/1850").unwrap_err().contains("improbable"));
        assert!(p("7 décembre").is_err());
    }

    /// `jj/mm` is the occurrence nearest to today (documented choice): the
    /// coming months for a follow-up, the past months for a notice.
    #[test]
    fn day_and_month_is_the_nearest_occurrence() {
        assert_eq!(p("07/12"), Ok(ymd(2026, 12, 7)), "next week");
        assert_eq!(
            p("20/11"),
            Ok(ymd(2026, 11, 20)),
            "last week, not next year"
        );
        assert_eq!(p("28/11"), Ok(today()));
        assert_eq!(p("05/01"), Ok(ymd(2027, 1, 5)), "January next year");
        assert_eq!(p("15/05"), Ok(ymd(2027, 5, 15)), "5.5 months ahead");
        assert_eq!(p("15/06"), Ok(ymd(2026, 6, 15)), "5.5 months ago");
        // From 31 December 2026: 01/07 is 182 days ahead (183 back), 02/07
        // is 182 days back (183 ahead).
        let dec31 = ymd(2026, 12, 31);
        assert_eq!(parse_date_input("01/07", dec31), Ok(ymd(2027, 7, 1)));
        assert_eq!(parse_date_input("02/07", dec31), Ok(ymd(2026, 7, 2)));
        // A tie (183 days either way across a 29 February) goes to the future.
        let dec31_2027 = ymd(2027, 12, 31);
        assert_eq!(parse_date_input("01/07", dec31_2027), Ok(ymd(2028, 7, 1)));
        // 29/02 exists only in leap years: the nearest one that does.
        assert_eq!(
            parse_date_input("29/02", ymd(2027, 11, 28)),
            Ok(ymd(2028, 2, 29))
        );
        assert!(p("31/11").unwrap_err().contains("31/11 n'existe pas"));
        assert!(p("10/13").unwrap_err().contains("mois invalide"));
        // Without a today (full dates only), `jj/mm` is refused.
        assert_eq!(parse_date("07/12"), None);
    }

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
