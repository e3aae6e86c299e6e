//! Weekly schedules typed quickly: `lun-ven 9:00-12:00 13:30-17:00`,
//! `mar jeu 8h-12h`, `lun-jeu 9h-17h; ven 9h-12h`, `sam 9h30-12h`.
//!
//! Grammar (forgiving, accent- and case-insensitive):
//! - a schedule is a sequence of groups; a group is one or more *day specs*
//!   followed by one or more *time ranges*; a day spec after a time range
//!   starts a new group, so `;` and `,` are optional separators;
//! - a day is `lun mar mer jeu ven sam dim` (a trailing dot is fine) or the
//!   full name (`lundi` …); `lun-ven`, `lun–ven`, `lun au ven`, `du lundi au
//!   vendredi` are ranges (never wrapping past Sunday);
//! - a time is `9`, `9h`, `9h30`, `09h00`, `9:00`, `17:30` (minutes are two
//!   digits); a range is `9h-12h`, `9:00–12:00`, `9h à 12h`, `de 9h à 12h`;
//! - the same day may appear in several groups: its slots are merged, and
//!   slots of one day must not overlap (touching, `9h-12h 12h-14h`, is fine).
//!
//! Errors are French and name the faulty piece of text.
//! Durations are whole minutes (`u32`): no floats anywhere.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Short French day names, Monday first (the canonical display form).
pub const DAY_SHORT: [&str; 7] = ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"];
const DAY_LONG: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// One presence slot of a day, in minutes since midnight (`start < end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub start: u16,
    pub end: u16,
}

impl Slot {
    /// A slot from hours and minutes; `None` unless `start < end` within a day.
    pub fn hm(start_h: u16, start_m: u16, end_h: u16, end_m: u16) -> Option<Slot> {
        if start_h > 24 || end_h > 24 || start_m >= 60 || end_m >= 60 {
            return None;
        }
        let (s, e) = (start_h * 60 + start_m, end_h * 60 + end_m);
        (s < e && e <= 24 * 60).then_some(Slot { start: s, end: e })
    }
    pub fn minutes(self) -> u32 {
        u32::from(self.end.saturating_sub(self.start))
    }
    pub fn start_time(self) -> NaiveTime {
        minutes_to_time(self.start)
    }
    /// End time; a slot ending at midnight gives 23:59:59 (never happens with
    /// parsed input, which stops at 23:59).
    pub fn end_time(self) -> NaiveTime {
        minutes_to_time(self.end)
    }
    fn overlaps(self, other: Slot) -> bool {
        self.start < other.end && other.start < self.end
    }
}

fn minutes_to_time(m: u16) -> NaiveTime {
    NaiveTime::from_hms_opt(u32::from(m / 60), u32::from(m % 60), 0)
        .unwrap_or(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default())
}

/// `9:00`, `13:30` (no leading zero on the hour).
pub fn fmt_clock(minutes: u16) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

impl fmt::Display for Slot {
    /// `9:00–12:00`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", fmt_clock(self.start), fmt_clock(self.end))
    }
}

/// A duration in minutes as French hours: `35 h`, `31 h 30`, `0 h 45`.
pub fn fmt_hours(minutes: u32) -> String {
    match minutes % 60 {
        0 => format!("{} h", minutes / 60),
        m => format!("{} h {m:02}", minutes / 60),
    }
}

/// A duration in minutes as decimal hours with a decimal comma and two
/// decimals, for spreadsheets: `31,50`, `35,00`, `0,75`. Integer arithmetic;
/// the hundredths are rounded half up.
pub fn fmt_decimal_hours(minutes: u32) -> String {
    let hundredths = (u64::from(minutes) * 100 + 30) / 60;
    format!("{},{:02}", hundredths / 100, hundredths % 100)
}

/// Presence slots for each weekday, Monday first; each day's slots sorted and
/// disjoint. The empty schedule has no slot at all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklySchedule {
    pub days: [Vec<Slot>; 7],
}

impl WeeklySchedule {
    /// Parses a schedule as typed (see the module docs).
    pub fn parse(text: &str) -> Result<WeeklySchedule, String> {
        parse(text)
    }

    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// The slots of a weekday.
    pub fn slots(&self, day: chrono::Weekday) -> &[Slot] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// Minutes of presence on a weekday.
    pub fn day_minutes(&self, day: chrono::Weekday) -> u32 {
        self.slots(day).iter().map(|s| s.minutes()).sum()
    }

    /// Minutes of presence in a full week.
    pub fn weekly_minutes(&self) -> u32 {
        self.days.iter().flatten().map(|s| s.minutes()).sum()
    }

    /// The dates in `[start, end]` whose weekday has slots (presence days).
    pub fn presence_days(&self, start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
        start
            .iter_days()
            .take_while(|d| *d <= end)
            .filter(|d| !self.slots(d.weekday()).is_empty())
            .collect()
    }

    /// Total minutes over `[start, end]` (both included): only the days of
    /// the range whose weekday has slots count. 0 when `end < start`.
    pub fn total_minutes(&self, start: NaiveDate, end: NaiveDate) -> u32 {
        self.presence_days(start, end)
            .iter()
            .map(|d| self.day_minutes(d.weekday()))
            .sum()
    }

    /// Minutes of each civil week (Monday to Sunday) met by `[start, end]`,
    /// counting only the days inside the range: `(monday, minutes)` in order.
    pub fn minutes_per_week(&self, start: NaiveDate, end: NaiveDate) -> Vec<(NaiveDate, u32)> {
        let mut out: Vec<(NaiveDate, u32)> = Vec::new();
        for d in start.iter_days().take_while(|d| *d <= end) {
            let monday = d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
            let m = self.day_minutes(d.weekday());
            match out.last_mut() {
                Some((w, total)) if *w == monday => *total += m,
                _ => out.push((monday, m)),
            }
        }
        out
    }

    /// The canonical display form: `lun–ven 9:00–12:00 13:30–17:00`,
    /// `mar jeu 8:00–12:00`, `lun–jeu 9:00–17:00 ; ven 9:00–12:00`.
    /// Days with the same slots are grouped; runs of three days or more
    /// become ranges. Parsing the canonical form gives the same schedule.
    pub fn canonical(&self) -> String {
        let mut groups: Vec<(Vec<usize>, &Vec<Slot>)> = Vec::new();
        for (i, slots) in self.days.iter().enumerate() {
            if slots.is_empty() {
                continue;
            }
            match groups.iter_mut().find(|(_, s)| *s == slots) {
                Some((days, _)) => days.push(i),
                None => groups.push((vec![i], slots)),
            }
        }
        groups
            .iter()
            .map(|(days, slots)| {
                let slots: Vec<String> = slots.iter().map(Slot::to_string).collect();
                format!("{} {}", fmt_days(days), slots.join(" "))
            })
            .collect::<Vec<_>>()
            .join(" ; ")
    }
}

impl fmt::Display for WeeklySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// `[0,1,2,4]` → `lun–mer ven`; `[1,3]` → `mar jeu`.
fn fmt_days(days: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{}–{}", DAY_SHORT[days[i]], DAY_SHORT[days[j]]));
        } else {
            parts.extend(days[i..=j].iter().map(|&d| DAY_SHORT[d].to_string()));
        }
        i = j + 1;
    }
    parts.join(" ")
}

// ----- parsing ---------------------------------------------------------------

/// Lowercase without accents: day names and connecting words are compared
/// in this form. (The domain cannot use `catalog::fold`: layers go one way.)
pub(crate) fn plain(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Dash,
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‐' | '‑' | '−')
}

fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        // `:` belongs to a time (`9:00`); after a day (`ven :`) it is a separator.
        let colon_sep = c == ':' && !word.ends_with(|p: char| p.is_ascii_digit());
        if c.is_whitespace() || matches!(c, ';' | ',' | '/' | '+') || colon_sep || is_dash(c) {
            if !word.is_empty() {
                out.push(Tok::Word(std::mem::take(&mut word)));
            }
            if is_dash(c) {
                out.push(Tok::Dash);
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(Tok::Word(word));
    }
    merge_spaced_times(out)
}

/// Joins times typed with French spacing: `9 h` → `9h`, `9 h 30` → `9h30`.
fn merge_spaced_times(toks: Vec<Tok>) -> Vec<Tok> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for t in toks {
        if let (Some(Tok::Word(prev)), Tok::Word(cur)) = (out.last_mut(), &t) {
            let h_suffix = cur
                .strip_prefix(['h', 'H'])
                .is_some_and(|m| m.is_empty() || (m.len() == 2 && digits(m)));
            let minutes_after_h = cur.len() == 2
                && digits(cur)
                && prev.ends_with(['h', 'H'])
                && digits(&prev[..prev.len() - 1]);
            if (digits(prev) && h_suffix) || minutes_after_h {
                prev.push_str(cur);
                continue;
            }
        }
        out.push(t);
    }
    out
}

/// Day index (0 = Monday) of a word: `lun`, `lun.`, `lundi`, `Lundi`.
fn day_of(word: &str) -> Option<usize> {
    let w = plain(word);
    let w = w.trim_end_matches('.');
    DAY_SHORT
        .iter()
        .position(|d| *d == w)
        .or_else(|| DAY_LONG.iter().position(|d| *d == w))
}

/// Words that join two days or two times into a range (`lun au ven`, `9h à 12h`).
fn is_range_word(word: &str) -> bool {
    matches!(plain(word).as_str(), "a" | "au" | "jusqu'a" | "jusqu’a")
}

/// Words that carry nothing (`du lundi`, `de 9h`, `lun et mar`).
fn is_filler(word: &str) -> bool {
    matches!(plain(word).as_str(), "du" | "de" | "et" | "le" | "les")
}

/// `9`, `9h`, `9h30`, `09h00`, `9:00`, `17:30` → minutes since midnight.
fn time_of(word: &str) -> Option<u16> {
    let w = plain(word);
    let (h, m) = match w.find([':', 'h', '.']) {
        Some(i) => (&w[..i], &w[i + 1..]),
        None => (w.as_str(), ""),
    };
    if h.is_empty() || h.len() > 2 || !h.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !m.is_empty() && (m.len() != 2 || !m.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = if m.is_empty() { 0 } else { m.parse().ok()? };
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn looks_like_time(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn bad_time(word: &str) -> String {
    format!("« {word} » n'est pas une heure valide (ex. 9h, 9h30, 13:30)")
}

fn unknown_word(word: &str) -> String {
    if looks_like_time(word) {
        bad_time(word)
    } else {
        format!("« {word} » n'est pas un jour (lun, mar, mer, jeu, ven, sam, dim) ni une heure")
    }
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next_word(&mut self) -> Option<String> {
        match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => {
                self.pos += 1;
                Some(w.clone())
            }
            _ => None,
        }
    }
    /// Consumes a range joiner (`-`, `à`, `au`) if one comes next.
    fn joiner(&mut self) -> bool {
        match self.peek() {
            Some(Tok::Dash) => {
                self.pos += 1;
                true
            }
            Some(Tok::Word(w)) if is_range_word(w) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }
}

fn parse(text: &str) -> Result<WeeklySchedule, String> {
    const NOTHING: &str = "aucun horaire saisi (ex. « lun-ven 9h-12h 13h30-17h »)";
    if text.trim().is_empty() {
        return Err(NOTHING.into());
    }
    let mut p = Parser {
        toks: tokens(text),
        pos: 0,
    };
    let mut sched = WeeklySchedule::default();
    // Per day, the text of each slot, to name both sides of an overlap.
    let mut typed: [Vec<(Slot, String)>; 7] = Default::default();
    let mut days: Vec<usize> = Vec::new();
    let mut days_text = String::new();
    let mut group_has_times = false;

    while let Some(tok) = p.peek().cloned() {
        let word = match tok {
            Tok::Dash => return Err("tiret « - » isolé : écrivez « lun-ven » ou « 9h-12h »".into()),
            Tok::Word(w) => w,
        };
        p.pos += 1;
        if is_filler(&word) {
            continue;
        }
        if let Some(first) = day_of(&word) {
            if group_has_times {
                days.clear();
                days_text.clear();
                group_has_times = false;
            }
            let mut last = first;
            let mut piece = word.clone();
            let save = p.pos;
            if p.joiner() {
                match p.next_word() {
                    Some(w) if day_of(&w).is_some() => {
                        last = day_of(&w).unwrap_or(first);
                        piece = format!("{word}-{w}");
                    }
                    _ => p.pos = save,
                }
            }
            if last < first {
                return Err(format!(
                    "« {piece} » : le premier jour doit précéder le second (ex. lun-ven)"
                ));
            }
            days.extend(first..=last);
            if !days_text.is_empty() {
                days_text.push(' ');
            }
            days_text.push_str(&piece);
            continue;
        }
        if looks_like_time(&word) {
            let start = time_of(&word).ok_or_else(|| bad_time(&word))?;
            if !p.joiner() {
                return Err(format!(
                    "« {word} » : heure de fin manquante (ex. {word}-12h)"
                ));
            }
            let end_word = p
                .next_word()
                .ok_or_else(|| format!("« {word}- » : heure de fin manquante (ex. {word}-12h)"))?;
            let end = time_of(&end_word).ok_or_else(|| bad_time(&end_word))?;
            let piece = format!("{word}-{end_word}");
            if end <= start {
                return Err(format!("« {piece} » : la fin doit être après le début"));
            }
            if days.is_empty() {
                return Err(format!(
                    "« {piece} » : indiquez d'abord les jours (ex. « lun-ven {piece} »)"
                ));
            }
            let slot = Slot { start, end };
            for &d in &days {
                if let Some((_, other)) = typed[d].iter().find(|(s, _)| s.overlaps(slot)) {
                    return Err(format!(
                        "{} : « {other} » et « {piece} » se chevauchent",
                        DAY_SHORT[d]
                    ));
                }
                typed[d].push((slot, piece.clone()));
                sched.days[d].push(slot);
            }
            group_has_times = true;
            continue;
        }
        return Err(unknown_word(&word));
    }
    if !days.is_empty() && !group_has_times {
        return Err(format!(
            "« {days_text} » : horaires manquants (ex. « {days_text} 9h-12h »)"
        ));
    }
    if sched.is_empty() {
        return Err(NOTHING.into());
    }
    for d in &mut sched.days {
        d.sort();
        d.dedup();
    }
    Ok(sched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn s(text: &str) -> WeeklySchedule {
        WeeklySchedule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn slot(a: (u16, u16), b: (u16, u16)) -> Slot {
        Slot::hm(a.0, a.1, b.0, b.1).unwrap()
    }

    #[test]
    fn weekdays_with_two_slots() {
        let w = s("lun-ven 9:00-12:00 13:30-17:00");
        let day = vec![slot((9, 0), (12, 0)), slot((13, 30), (17, 0))];
        for i in 0..5 {
            assert_eq!(w.days[i], day, "day {i}");
        }
        assert!(w.days[5].is_empty() && w.days[6].is_empty());
        assert_eq!(w.day_minutes(Weekday::Mon), 6 * 60 + 30);
        assert_eq!(w.weekly_minutes(), 5 * (6 * 60 + 30));
        assert_eq!(fmt_hours(w.weekly_minutes()), "32 h 30");
        assert_eq!(w.canonical(), "lun–ven 9:00–12:00 13:30–17:00");
    }

    #[test]
    fn quick_forms_all_parse() {
        let w = s("mar jeu 8h-12h");
        assert_eq!(w.slots(Weekday::Tue), &[slot((8, 0), (12, 0))]);
        assert_eq!(w.slots(Weekday::Thu), &[slot((8, 0), (12, 0))]);
        assert!(w.slots(Weekday::Wed).is_empty());
        assert_eq!(w.weekly_minutes(), 8 * 60);
        assert_eq!(w.canonical(), "mar jeu 8:00–12:00");

        let w = s("lun-jeu 9h-17h; ven 9h-12h");
        assert_eq!(w.day_minutes(Weekday::Thu), 8 * 60);
        assert_eq!(w.day_minutes(Weekday::Fri), 3 * 60);
        assert_eq!(w.weekly_minutes(), 35 * 60);
        assert_eq!(w.canonical(), "lun–jeu 9:00–17:00 ; ven 9:00–12:00");

        let w = s("sam 9h30-12h");
        assert_eq!(w.slots(Weekday::Sat), &[slot((9, 30), (12, 0))]);
        assert_eq!(w.canonical(), "sam 9:30–12:00");

        // Times in every accepted spelling give the same slot.
        for t in [
            "lun 9h-12h",
            "lun 09h00-12h00",
            "lun 9:00-12:00",
            "lun 09:00 - 12:00",
            "lun 9h à 12h",
            "Lundi de 9h à 12h",
            "LUN. 9-12",
            "lun 9h–12h",
            "lun 9 h - 12 h",
            "lun 9 h 00 à 12 h",
        ] {
            assert_eq!(s(t).days[0], vec![slot((9, 0), (12, 0))], "{t}");
        }
        // Full names, ranges with words, accents and case.
        assert_eq!(s("du lundi au vendredi 9h-12h"), s("lun-ven 9h-12h"));
        assert_eq!(s("Lun-Ven : 9:00-12:00"), s("lun-ven 9h-12h"));
        assert_eq!(s("lun: 9h-12h, mar: 14h-16h"), s("lun 9h-12h mar 14h-16h"));
        assert_eq!(s("Lundi–Mercredi 9h-12h"), s("lun mar mer 9h-12h"));
        assert_eq!(s("MÉRCREDI 14h-16h"), s("mer 14h-16h"));
        assert_eq!(s("dimanche 10h-11h").day_minutes(Weekday::Sun), 60);
        // A day given in two groups merges; days after times start a group.
        let w = s("lun 9h-12h mar 14h-17h lun 14h-16h");
        assert_eq!(
            w.days[0],
            vec![slot((9, 0), (12, 0)), slot((14, 0), (16, 0))]
        );
        assert_eq!(w.days[1], vec![slot((14, 0), (17, 0))]);
        // Touching slots are not an overlap.
        assert_eq!(s("lun 9h-12h 12h-14h").day_minutes(Weekday::Mon), 300);
        // Slots typed out of order come out sorted.
        assert_eq!(s("lun 14h-16h 9h-12h").days[0][0], slot((9, 0), (12, 0)));
        assert_eq!(s("lun 23h-23:59").day_minutes(Weekday::Mon), 59);
        assert_eq!(s("lun 9 h 30 - 12 h").day_minutes(Weekday::Mon), 150);
    }

    #[test]
    fn canonical_form_parses_back_to_the_same_schedule() {
        for t in [
            "lun-ven 9:00-12:00 13:30-17:00",
            "mar jeu 8h-12h",
            "lun-jeu 9h-17h; ven 9h-12h",
            "lun mar mer ven 9h-12h sam 10h-11h",
            "lun mar 9h-12h",
            "sam dim 9h30-12h",
        ] {
            let w = s(t);
            assert_eq!(s(&w.canonical()), w, "{t} → {}", w.canonical());
        }
        assert_eq!(
            s("lun mar mer ven 9h-12h").canonical(),
            "lun–mer ven 9:00–12:00"
        );
        assert_eq!(s("lun mar 9h-12h").canonical(), "lun mar 9:00–12:00");
        assert_eq!(WeeklySchedule::default().canonical(), "");
    }

    #[test]
    fn bad_inputs_name_the_faulty_piece() {
        for (text, expected) in [
            ("", "aucun horaire saisi"),
            ("   ", "aucun horaire saisi"),
            (" ; , ", "aucun horaire saisi"),
            ("du", "aucun horaire saisi"),
            ("lun 25h-26h", "« 25h » n'est pas une heure valide"),
            ("lun 9h-24h", "« 24h » n'est pas une heure valide"),
            ("lun 9h61-10h", "« 9h61 » n'est pas une heure valide"),
            ("lun 9h5-10h", "« 9h5 » n'est pas une heure valide"),
            ("lun 123-130", "« 123 » n'est pas une heure valide"),
            ("lux 9h-12h", "« lux » n'est pas un jour"),
            ("lun 12h-9h", "« 12h-9h » : la fin doit être après le début"),
            ("lun 9h-9h", "« 9h-9h » : la fin doit être après le début"),
            (
                "lun 9h-12h 11h-14h",
                "lun : « 9h-12h » et « 11h-14h » se chevauchent",
            ),
            (
                "lun-ven 9h-12h; mer 10h-11h",
                "mer : « 9h-12h » et « 10h-11h » se chevauchent",
            ),
            ("9h-12h", "« 9h-12h » : indiquez d'abord les jours"),
            ("lun 9h", "« 9h » : heure de fin manquante"),
            ("lun 9h-", "« 9h- » : heure de fin manquante"),
            ("lun 9h-midi", "« midi » n'est pas une heure valide"),
            (
                "lun-ven",
                "« lun-ven » : horaires manquants (ex. « lun-ven 9h-12h »)",
            ),
            ("lun 9h-12h mar", "« mar » : horaires manquants"),
            (
                "ven-lun 9h-12h",
                "« ven-lun » : le premier jour doit précéder le second",
            ),
            ("lun - 9h-12h", "tiret « - » isolé"),
        ] {
            let err = WeeklySchedule::parse(text).expect_err(text);
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }

    #[test]
    fn totals_count_only_days_of_the_range_with_slots() {
        let w = s("lun-ven 9h-12h 13h30-17h"); // 6 h 30 a day
                                               // Mon 7 to Fri 11 Dec 2026: 5 days.
        assert_eq!(w.total_minutes(d(2026, 12, 7), d(2026, 12, 11)), 5 * 390);
        // Fri 11 to Mon 14: Fri + Mon only.
        assert_eq!(w.total_minutes(d(2026, 12, 11), d(2026, 12, 14)), 2 * 390);
        // A Saturday alone: nothing.
        assert_eq!(w.total_minutes(d(2026, 12, 12), d(2026, 12, 12)), 0);
        // Reversed range: nothing.
        assert_eq!(w.total_minutes(d(2026, 12, 14), d(2026, 12, 11)), 0);
        assert_eq!(
            w.presence_days(d(2026, 12, 10), d(2026, 12, 14)),
            vec![d(2026, 12, 10), d(2026, 12, 11), d(2026, 12, 14)]
        );
        // Per civil week: Wed 9 → Tue 15 Dec = 3 days, then 2 days.
        assert_eq!(
            w.minutes_per_week(d(2026, 12, 9), d(2026, 12, 15)),
            vec![(d(2026, 12, 7), 3 * 390), (d(2026, 12, 14), 2 * 390)]
        );
    }

    #[test]
    fn hour_formats() {
        assert_eq!(fmt_hours(35 * 60), "35 h");
        assert_eq!(fmt_hours(45), "0 h 45");
        assert_eq!(fmt_hours(31 * 60 + 5), "31 h 05");
        assert_eq!(fmt_decimal_hours(31 * 60 + 30), "31,50");
        assert_eq!(fmt_decimal_hours(35 * 60), "35,00");
        assert_eq!(fmt_decimal_hours(45), "0,75");
        assert_eq!(fmt_decimal_hours(1), "0,02"); // 1.67 hundredths rounds up
        assert_eq!(fmt_clock(9 * 60), "9:00");
        assert_eq!(slot((13, 30), (17, 0)).to_string(), "13:30–17:00");
        assert_eq!(
            slot((13, 30), (17, 0)).start_time(),
            NaiveTime::from_hms_opt(13, 30, 0).unwrap()
        );
        assert!(Slot::hm(12, 0, 9, 0).is_none());
        assert!(Slot::hm(9, 60, 10, 0).is_none());
        assert!(Slot::hm(2000, 0, 3000, 0).is_none()); // no overflow
        assert_eq!(Slot::hm(23, 0, 24, 0).map(Slot::minutes), Some(60));
    }

    /// Free-form input: thousands of generated strings made of the pieces
    /// people type (and garbage) never panic; whatever parses has a
    /// canonical form that parses back to the same schedule.
    #[test]
    fn generated_inputs_never_panic_and_canonical_forms_round_trip() {
        const PIECES: [&str; 24] = [
            "lun", "mar", "mer", "jeu", "ven", "sam", "dim", "lundi", "Vendredi", "-", "–", " ",
            ";", ",", "9h", "12h", "13h30", "17:00", "8", "25h", "à", "au", "h", "é😀",
        ];
        let mut seed: u64 = 0x5eed;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize
        };
        const DAYS: [&str; 9] = [
            "lun", "mar", "mer", "jeu", "ven", "sam", "dim", "lundi", "VEN.",
        ];
        const TIMES: [&str; 10] = [
            "8h", "9h", "9h30", "10:00", "12h", "13h30", "14", "17:00", "18h", "23h",
        ];
        let mut parsed = 0;
        for round in 0..6000 {
            let text = if round % 2 == 0 {
                // Anything, joined with or without spaces.
                let n = 1 + next() % 9;
                let sep = if next() % 2 == 0 { " " } else { "" };
                (0..n)
                    .map(|_| PIECES[next() % PIECES.len()])
                    .collect::<Vec<_>>()
                    .join(sep)
            } else {
                // Groups of days and ranges, sometimes overlapping or reversed.
                (0..1 + next() % 3)
                    .map(|_| {
                        let days = match next() % 3 {
                            0 => DAYS[next() % 9].to_string(),
                            1 => format!("{}-{}", DAYS[next() % 7], DAYS[next() % 7]),
                            _ => format!("{} {}", DAYS[next() % 9], DAYS[next() % 9]),
                        };
                        let ranges: Vec<String> = (0..1 + next() % 2)
                            .map(|_| format!("{}-{}", TIMES[next() % 10], TIMES[next() % 10]))
                            .collect();
                        format!("{days} {}", ranges.join(" "))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            if let Ok(w) = WeeklySchedule::parse(&text) {
                parsed += 1;
                assert_eq!(s(&w.canonical()), w, "{text:?}");
                for day in &w.days {
                    assert!(day.windows(2).all(|p| p[0].end <= p[1].start), "{text:?}");
                }
            }
        }
        assert!(parsed > 200, "only {parsed} generated inputs parsed");
    }

    #[test]
    fn schedule_round_trips_through_bincode() {
        let w = s("lun-jeu 9h-17h; ven 9h-12h");
        let bytes = bincode::serialize(&w).unwrap();
        assert_eq!(bincode::deserialize::<WeeklySchedule>(&bytes).unwrap(), w);
    }
}
