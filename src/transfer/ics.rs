//! iCalendar (RFC 5545) writer: agenda items in, calendar text out. Pure:
//! no store, no clock (the stamp `now` is injected).
//!
//! What it writes, for Outlook, Thunderbird, Apple Calendar and the common
//! libraries:
//! - `VCALENDAR` with `VERSION:2.0`, `PRODID`, `CALSCALE:GREGORIAN`,
//!   `METHOD:PUBLISH`;
//! - one `VTIMEZONE` for `Europe/Paris` (CET/CEST, EU rule: summer time from
//!   the last Sunday of March, winter time from the last Sunday of October),
//!   the rule `domain::agenda::to_paris` applies;
//! - one `VEVENT` per item: `UID` derived from the record id, the kind and
//!   the day for repeated items (`AgendaItem::key`), so two exports give the
//!   same UIDs and a calendar updates rather than duplicates; `DTSTAMP` (the
//!   injected `now`, UTC); `DTSTART`/`DTEND` with `TZID=Europe/Paris` (or
//!   `VALUE=DATE` for all-day items); `SUMMARY`, `LOCATION`, `DESCRIPTION`,
//!   `CATEGORIES`;
//! - TEXT values escaped (`\` `;` `,` and newlines as `\n`; other control
//!   characters dropped), lines ending in CRLF and folded at 75 octets
//!   without ever splitting a UTF-8 character.
//!
//! Anonymity (`--anonyme`): names only reach a calendar through the `who`
//! given to the agenda builders; pass [`initials`] (or
//! `agenda::person_label(name, true)`) there. Items carry no other personal
//! data (no tutor, no notes).

use crate::domain::agenda::AgendaItem;
use chrono::{DateTime, NaiveDateTime, Utc};

pub use crate::domain::agenda::initials;

/// Identifies the producer (RFC 5545 §3.7.3).
pub const PRODID: &str = "-//Passerelle//Agenda CEP//FR";
/// The only time zone written.
pub const TZID: &str = "Europe/Paris";
/// Right-hand side of every UID.
pub const UID_DOMAIN: &str = "passerelle";

/// Europe/Paris since 1996: the onsets of 1970 are the conventional first
/// occurrences (29 March and 25 October 1970 were the last Sundays).
const VTIMEZONE: [&str; 16] = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
];

/// One calendar event, in Europe/Paris local time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsEvent {
    pub uid: String,
    pub start: NaiveDateTime,
    /// Exclusive end (for an all-day event, the next day).
    pub end: NaiveDateTime,
    pub all_day: bool,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub categories: Vec<String>,
}

impl IcsEvent {
    /// The event of an agenda item: its key as UID, its kind as category
    /// (plus `Conflit` when it is in conflict), its detail as description.
    pub fn from_item(item: &AgendaItem) -> IcsEvent {
        let mut categories = vec![item.kind.label().to_string()];
        let mut description = item.detail.clone();
        if !item.slots.is_empty() {
            let hours: Vec<String> = item.slots.iter().map(ToString::to_string).collect();
            description =
                join_nonempty(&[&format!("Horaires : {}", hours.join(" ")), &description]);
        }
        if item.conflict {
            categories.push("Conflit".to_string());
            description = join_nonempty(&[&description, "⚠ conflit avec un autre rendez-vous"]);
        }
        IcsEvent {
            uid: uid(&item.key()),
            start: item.start,
            end: item.end,
            all_day: item.all_day,
            summary: item.title.clone(),
            location: item.place.clone(),
            description,
            categories,
        }
    }
}

fn join_nonempty(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

/// `<key>@passerelle`
pub fn uid(key: &str) -> String {
    format!("{key}@{UID_DOMAIN}")
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): `\` `;` `,` are backslashed,
/// line breaks (`\r\n`, `\n`, `\r`) become `\n`, other control characters
/// (forbidden in content lines) are dropped; tabs are kept.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Maximum octets of a physical line, CRLF excluded (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// Folds one content line: physical lines of at most 75 octets, each
/// continuation starting with one space (which counts), cut only between
/// characters. Lines are joined with CRLF; no final CRLF.
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out
}

fn local(dt: NaiveDateTime) -> String {
    dt.format("%Y%m%dT%H%M%S").to_string()
}

/// Writes a calendar. `now` stamps every event (`DTSTAMP`); `name` is the
/// calendar's display name (`X-WR-CALNAME`, read by Thunderbird, Apple and
/// Google). Events are written in the given order.
pub fn calendar(events: &[IcsEvent], now: DateTime<Utc>, name: &str) -> String {
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        format!("PRODID:{PRODID}"),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape_text(name)),
        format!("X-WR-TIMEZONE:{TZID}"),
    ];
    lines.extend(VTIMEZONE.iter().map(|s| s.to_string()));
    lines.push("END:VTIMEZONE".into());
    for e in events {
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}", escape_text(&e.uid)));
        lines.push(format!("DTSTAMP:{stamp}"));
        if e.all_day {
            lines.push(format!("DTSTART;VALUE=DATE:{}", e.start.format("%Y%m%d")));
            lines.push(format!("DTEND;VALUE=DATE:{}", e.end.format("%Y%m%d")));
        } else {
            lines.push(format!("DTSTART;TZID={TZID}:{}", local(e.start)));
            lines.push(format!("DTEND;TZID={TZID}:{}", local(e.end)));
        }
        lines.push(format!("SUMMARY:{}", escape_text(&e.summary)));
        if !e.location.trim().is_empty() {
            lines.push(format!("LOCATION:{}", escape_text(&e.location)));
        }
        if !e.description.trim().is_empty() {
            lines.push(format!("DESCRIPTION:{}", escape_text(&e.description)));
        }
        if !e.categories.is_empty() {
            let cats: Vec<String> = e.categories.iter().map(|c| escape_text(c)).collect();
            lines.push(format!("CATEGORIES:{}", cats.join(",")));
        }
        lines.push("TRANSP:OPAQUE".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        out.push_str(&fold_line(&l));
        out.push_str("\r\n");
    }
    out
}

/// The calendar of agenda items (`passerelle export ics`): one event per item.
pub fn agenda_calendar(items: &[AgendaItem], now: DateTime<Utc>) -> String {
    let events: Vec<IcsEvent> = items.iter().map(IcsEvent::from_item).collect();
    calendar(&events, now, "Passerelle — agenda CEP")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agenda::{
        from_paris, immersion_items, interview_item, last_sunday, mark_conflicts, step_item,
        to_paris, InterviewSlot,
    };
    use crate::domain::immersion::fixtures::{ben, complete, d, id, t, T0};
    use chrono::Datelike;

    /// Undoes folding (RFC 5545 §3.1): CRLF followed by one space or tab.
    fn unfold(text: &str) -> String {
        text.replace("\r\n ", "").replace("\r\n\t", "")
    }

    /// The logical lines of a calendar.
    fn logical(text: &str) -> Vec<String> {
        let u = unfold(text);
        u.strip_suffix("\r\n")
            .unwrap_or(&u)
            .split("\r\n")
            .map(str::to_string)
            .collect()
    }

    fn sample_items() -> Vec<AgendaItem> {
        let imm = complete(1, d(2026, 12, 7), d(2026, 12, 8));
        let mut items = immersion_items(&imm, "L. D.");
        items.push(interview_item(
            &InterviewSlot {
                id: id(2),
                beneficiary: ben(),
                at: from_paris(d(2026, 12, 7).and_hms_opt(10, 0, 0).unwrap()),
                duration_minutes: 60,
                who: "L. D.".into(),
                mode: "visio".into(),
                place: String::new(),
            },
            to_paris,
        ));
        items.push(step_item(
            d(2026, 12, 9),
            "Dossier PTP",
            "L. D.",
            ben(),
            id(3),
        ));
        mark_conflicts(&mut items);
        items
    }

    #[test]
    fn escaping_of_text_values() {
        assert_eq!(escape_text("a,b;c\\d"), "a\\,b\\;c\\\\d");
        assert_eq!(escape_text("l1\nl2\r\nl3\rl4"), "l1\\nl2\\nl3\\nl4");
        assert_eq!(escape_text("tab\there\u{7}bell"), "tab\therebell");
        assert_eq!(
            escape_text("Crèche « Les Lucioles »"),
            "Crèche « Les Lucioles »"
        );
        assert_eq!(escape_text(r"C:\dossiers"), r"C:\\dossiers");
        // In a calendar: a summary with all of them.
        let mut e = IcsEvent::from_item(&sample_items()[0]);
        e.summary = "Bilan; point, étape\\suite\nligne 2".into();
        let cal = calendar(&[e], t(T0), "x");
        assert!(
            logical(&cal)
                .contains(&"SUMMARY:Bilan\\; point\\, étape\\\\suite\\nligne 2".to_string()),
            "{cal}"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        // Every multi-byte width (2, 3, 4 octets) at every offset.
        for prefix in 0..8 {
            for s in ["é", "€", "😀", "aé€😀"] {
                let line = format!("DESCRIPTION:{}{}", "x".repeat(prefix), s.repeat(60));
                let folded = fold_line(&line);
                for (i, phys) in folded.split("\r\n").enumerate() {
                    assert!(phys.len() <= MAX_LINE_OCTETS, "{i}: {} octets", phys.len());
                    assert!(i == 0 || phys.starts_with(' '), "{phys:?}");
                    assert!(!phys.is_empty());
                }
                assert_eq!(unfold(&folded), line);
                // Lines are cut as full as they can be: a cut only happens
                // when the next character would not fit.
                let phys: Vec<&str> = folded.split("\r\n").collect();
                for w in phys.windows(2) {
                    let next = w[1].chars().nth(1).map_or(0, char::len_utf8);
                    assert!(w[0].len() + next > MAX_LINE_OCTETS);
                }
            }
        }
        assert_eq!(fold_line("SUMMARY:court"), "SUMMARY:court");
        let exactly = "x".repeat(75);
        assert_eq!(fold_line(&exactly), exactly);
        assert_eq!(
            fold_line(&"x".repeat(76)),
            format!("{}\r\n x", "x".repeat(75))
        );
    }

    #[test]
    fn the_whole_calendar_is_crlf_folded_and_unfolds_to_its_fields() {
        let mut items = sample_items();
        items[1].title = format!("Immersion — {} (Crèche)", "Éloïse ".repeat(20));
        let cal = agenda_calendar(&items, t(T0));
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        // Every line ends in CRLF: no bare LF or CR anywhere.
        assert_eq!(cal.matches('\n').count(), cal.matches("\r\n").count());
        assert_eq!(cal.matches('\r').count(), cal.matches("\r\n").count());
        for phys in cal.split("\r\n") {
            assert!(phys.len() <= MAX_LINE_OCTETS, "{phys}");
        }
        let lines = logical(&cal);
        assert_eq!(
            &lines[..5],
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//Passerelle//Agenda CEP//FR",
                "CALSCALE:GREGORIAN",
                "METHOD:PUBLISH"
            ]
        );
        assert!(lines.contains(&format!("SUMMARY:{}", items[1].title)));
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 4);
        assert_eq!(lines.iter().filter(|l| *l == "END:VEVENT").count(), 4);
        assert_eq!(
            lines
                .iter()
                .filter(|l| *l == "DTSTAMP:20260528T202640Z")
                .count(),
            4
        );
    }

    #[test]
    fn events_field_by_field() {
        let items = sample_items();
        let cal = agenda_calendar(&items, t(T0));
        let lines = logical(&cal);
        let event = |uid_start: &str| -> Vec<String> {
            let i = lines
                .iter()
                .position(|l| l.starts_with(&format!("UID:{uid_start}")))
                .unwrap_or_else(|| panic!("{uid_start} in {cal}"));
            let end = i + lines[i..].iter().position(|l| l == "END:VEVENT").unwrap();
            lines[i..end].to_vec()
        };
        // The first immersion day, in conflict with the interview.
        let day = event("immersion-");
        assert_eq!(
            day,
            vec![
                format!("UID:immersion-{}-20261207@passerelle", id(1)),
                "DTSTAMP:20260528T202640Z".to_string(),
                "DTSTART;TZID=Europe/Paris:20261207T090000".to_string(),
                "DTEND;TZID=Europe/Paris:20261207T170000".to_string(),
                "SUMMARY:Immersion — L. D. (Crèche Les Lucioles)".to_string(),
                "LOCATION:3 rue des Capucins\\, 69001 Lyon".to_string(),
                "DESCRIPTION:Horaires : 9:00–12:00 13:30–17:00\\njour 1/2 · brouillon\\n⚠ conflit avec un autre rendez-vous".to_string(),
                "CATEGORIES:Immersion,Conflit".to_string(),
                "TRANSP:OPAQUE".to_string(),
            ]
        );
        let iv = event("entretien-");
        assert!(iv.contains(&"DTSTART;TZID=Europe/Paris:20261207T100000".to_string()));
        assert!(iv.contains(&"DTEND;TZID=Europe/Paris:20261207T110000".to_string()));
        assert!(iv.contains(&"SUMMARY:Entretien — L. D.".to_string()));
        assert!(iv.contains(&"DESCRIPTION:visio\\n⚠ conflit avec un autre rendez-vous".to_string()));
        assert!(
            !iv.iter().any(|l| l.starts_with("LOCATION")),
            "empty place: no LOCATION"
        );
        let step = event("echeance-");
        assert!(step.contains(&"DTSTART;VALUE=DATE:20261209".to_string()));
        assert!(step.contains(&"DTEND;VALUE=DATE:20261210".to_string()));
        assert!(step.contains(&"CATEGORIES:Échéance".to_string()));
        assert!(!step.iter().any(|l| l.starts_with("DESCRIPTION")));
        // Names reach the calendar only as given: initials here.
        assert!(!cal.contains("DUPONT"));
    }

    #[test]
    fn the_paris_timezone_is_defined_once_with_the_eu_rule() {
        let cal = agenda_calendar(&sample_items(), t(T0));
        let lines = logical(&cal);
        let b = lines.iter().position(|l| l == "BEGIN:VTIMEZONE").unwrap();
        let e = lines.iter().position(|l| l == "END:VTIMEZONE").unwrap();
        let tz = &lines[b..=e];
        assert_eq!(cal.matches("BEGIN:VTIMEZONE").count(), 1);
        assert!(tz.contains(&"TZID:Europe/Paris".to_string()));
        assert!(b < lines.iter().position(|l| l == "BEGIN:VEVENT").unwrap());
        let sub = |kind: &str| -> Vec<String> {
            let s = tz
                .iter()
                .position(|l| *l == format!("BEGIN:{kind}"))
                .unwrap();
            let e = tz.iter().position(|l| *l == format!("END:{kind}")).unwrap();
            tz[s + 1..e].to_vec()
        };
        let summer = sub("DAYLIGHT");
        assert!(
            summer.contains(&"TZOFFSETFROM:+0100".into())
                && summer.contains(&"TZOFFSETTO:+0200".into())
        );
        assert!(summer.contains(&"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU".into()));
        let winter = sub("STANDARD");
        assert!(
            winter.contains(&"TZOFFSETFROM:+0200".into())
                && winter.contains(&"TZOFFSETTO:+0100".into())
        );
        assert!(winter.contains(&"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU".into()));
        // The onsets are last Sundays, at 02:00 and 03:00 local time, i.e.
        // 01:00 UTC, where `to_paris` switches.
        assert_eq!(last_sunday(1970, 3).map(|d| d.day()), Some(29));
        assert_eq!(last_sunday(1970, 10).map(|d| d.day()), Some(25));
        assert!(summer.contains(&"DTSTART:19700329T020000".into()));
        assert!(winter.contains(&"DTSTART:19701025T030000".into()));
    }

    #[test]
    fn uids_are_stable_across_exports_and_unique() {
        let a = agenda_calendar(&sample_items(), t(T0));
        let b = agenda_calendar(&sample_items(), t(T0 + 86_400));
        let uids = |c: &str| -> Vec<String> {
            logical(c)
                .into_iter()
                .filter(|l| l.starts_with("UID:"))
                .collect()
        };
        assert_eq!(uids(&a), uids(&b));
        let mut u = uids(&a);
        u.sort();
        u.dedup();
        assert_eq!(u.len(), 4);
        // Only the stamp differs between the two exports.
        assert_ne!(a, b);
        assert_eq!(
            a.replace("20260528T202640Z", "S"),
            b.replace("20260529T202640Z", "S")
        );
        assert_eq!(initials("Léa DUPONT"), "L. D.");
    }
}
