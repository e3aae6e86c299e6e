//! The interview form: date-time (default now), duration, CEP level, mode,
//! place, topics, multi-line summary and decisions, next follow-up, and
//! whether it took place or is planned ahead (scheduled: date, time,
//! duration and modality known, written up later).

use crate::app::form::{Ctx, Field, Form, Resolved, Validation, MAX_DATE};
use crate::domain::agenda::{from_paris, to_paris};
use crate::domain::rules;
use crate::domain::time::{fmt_date, fmt_long_day, parse_date_input};
use crate::domain::{Beneficiary, CepLevel, Id, Interview, InterviewMode, Meta};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

pub const LEVELS: [CepLevel; 2] = [
    CepLevel::AccueilIndividualise,
    CepLevel::AccompagnementPersonnalise,
];
pub const MODES: [InterviewMode; 3] = [
    InterviewMode::OnSite,
    InterviewMode::Phone,
    InterviewMode::Video,
];

/// What the date-time field accepts.
const WHEN_HELP: &str = "date et heure : jj/mm/aaaa hh:mm (ou auj 14h, hier 9h30…)";

/// A time of day: `14:00`, `9:05`, `14h`, `14h30`.
fn parse_time(s: &str) -> Option<NaiveTime> {
    let t = s.trim().to_lowercase();
    let (h, m) = t.split_once([':', 'h'])?;
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || h.len() > 2 {
        return None;
    }
    let bare_hour = m.is_empty() && t.ends_with('h');
    if !bare_hour && (m.len() != 2 || !digits(m)) {
        return None;
    }
    NaiveTime::from_hms_opt(
        h.parse().ok()?,
        if bare_hour { 0 } else { m.parse().ok()? },
        0,
    )
}

/// A date and an hour: the date part as any date field (`jj/mm/aaaa`,
/// `auj`, `hier`, `jj/mm`…, see [`parse_date_input`]), then the hour
/// (`14:00`, `14h`, `14h30`). A date alone is refused: the hour matters
/// for the agenda.
pub fn parse_when(s: &str, today: NaiveDate) -> Result<NaiveDateTime, String> {
    let t = s.trim();
    let (date, time) = t.rsplit_once(char::is_whitespace).ok_or(WHEN_HELP)?;
    let time = parse_time(time).ok_or(WHEN_HELP)?;
    let date = date.trim().trim_end_matches(" à").trim();
    let d = parse_date_input(date, today)?;
    Ok(d.and_time(time))
}

/// Reader of the date-time field: canonical `jj/mm/aaaa hh:mm`, shown as
/// « samedi 28 novembre 2026 à 09:30 ».
fn read_when(s: &str, today: NaiveDate) -> Option<Resolved> {
    let w = parse_when(s, today).ok()?;
    Some(Resolved {
        canonical: fmt_when(w),
        shown: format!("{} à {}", fmt_long_day(w.date()), w.format("%H:%M")),
    })
}

pub fn fmt_when(d: NaiveDateTime) -> String {
    d.format("%d/%m/%Y %H:%M").to_string()
}

/// A wall-clock date-time (Europe/Paris, the time every screen, the
/// agenda and the calendar export show) to an instant; None in the
/// spring-forward gap, where that time does not exist.
pub fn to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let at = from_paris(local);
    (to_paris(at) == local).then_some(at)
}

/// An instant in wall-clock time (Europe/Paris, see [`to_utc`]).
pub fn to_local(at: DateTime<Utc>) -> NaiveDateTime {
    to_paris(at)
}

fn v_when(s: &str, c: &Ctx) -> Validation {
    let d = parse_when(s, c.today)?;
    if to_utc(d).is_none() {
        return Err("heure inexistante (changement d'heure)".into());
    }
    Ok(None)
}
fn v_duration(s: &str, _: &Ctx) -> Validation {
    rules::duration_minutes(s).map(|_| None)
}
/// The options of the « Entretien » field: recorded, or scheduled ahead.
pub const STATES: [&str; 2] = ["réalisé", "à venir (planifié)"];

fn v_state(s: &str, c: &Ctx) -> Validation {
    let Ok(at) = parse_when(&c.value("quand"), c.today) else {
        return Ok(None);
    };
    match (s == STATES[1], at.date() > c.today, at.date() < c.today) {
        (false, true, _) => Err(format!("date à venir : choisissez « {} »", STATES[1])),
        (true, _, true) => Ok(Some(format!(
            "date passée : s'il a eu lieu, choisissez « {} »",
            STATES[0]
        ))),
        _ => Ok(None),
    }
}

fn v_next(s: &str, c: &Ctx) -> Validation {
    let d = rules::date(s, c.today)?;
    match (d, parse_when(&c.value("quand"), c.today)) {
        (Some(d), Ok(at)) if d < at.date() => Err("avant la date de l'entretien".into()),
        _ => Ok(None),
    }
}

/// The form for a new interview (`i` = None, at `now`) or to edit `i`.
pub fn build(file: &Beneficiary, i: Option<&Interview>, now: NaiveDateTime) -> Form {
    let levels: Vec<&str> = LEVELS.iter().map(|l| l.label()).collect();
    let modes: Vec<&str> = MODES.iter().map(|m| m.label()).collect();
    let (when, duration, level, mode) = match i {
        Some(i) => (
            fmt_when(to_local(i.at)),
            i.duration_minutes.to_string(),
            LEVELS.iter().position(|l| *l == i.level).unwrap_or(0),
            MODES.iter().position(|m| *m == i.mode).unwrap_or(0),
        ),
        None => (
            fmt_when(now),
            "60".to_string(),
            usize::from(file.cep_level == Some(2)),
            0,
        ),
    };
    let text = |f: fn(&Interview) -> &String| i.map(|i| f(i).clone()).unwrap_or_default();
    let title = match i {
        Some(_) => format!("Entretien de {}", file.display_name()),
        None => format!("Nouvel entretien — {}", file.display_name()),
    };
    let fields = vec![
        Field::text("quand", "Date et heure", &when)
            .required()
            .validate_with(v_when)
            .max_len(MAX_DATE)
            .read_with(read_when),
        Field::text("duree", "Durée (minutes)", &duration)
            .required()
            .validate_with(v_duration)
            .max_len(10),
        Field::choice("niveau", "Niveau CEP", &levels, level),
        Field::choice("mode", "Modalité", &modes, mode),
        Field::text("lieu", "Lieu", &text(|i| &i.place)),
        Field::text("sujets", "Sujets abordés", &text(|i| &i.topics)),
        Field::area("synthese", "Synthèse", &text(|i| &i.summary)),
        Field::area("decisions", "Décisions et suites", &text(|i| &i.decisions)),
        Field::date(
            "prochain_suivi",
            "Prochain suivi",
            &i.and_then(|i| i.next_follow_up)
                .map(fmt_date)
                .unwrap_or_default(),
        )
        .validate_with(v_next),
        Field::choice(
            "etat",
            "Entretien",
            &STATES,
            usize::from(i.is_some_and(|i| i.planned)),
        )
        .validate_with(v_state),
    ];
    Form::new(title, fields, now.date())
}

/// The form to schedule an interview ahead: « à venir », the date and
/// time to type (focus there), the usual duration.
pub fn build_planned(file: &Beneficiary, now: NaiveDateTime) -> Form {
    let mut f = build(file, None, now);
    f.title = format!("Entretien à planifier — {}", file.display_name());
    f.set("quand", "");
    f.set("etat", STATES[1]);
    for field in &mut f.fields {
        field.initial = field.value();
    }
    f.focus = 0;
    f
}

/// After each edit: a date-time typed in the future makes the interview
/// « à venir » (it cannot have taken place yet).
pub fn after_change(form: &mut Form) {
    if form.focused().map(|f| f.key) != Some("quand") {
        return;
    }
    if let Ok(at) = parse_when(&form.value("quand"), form.today) {
        if at.date() > form.today && form.selected("etat") == 0 {
            form.set("etat", STATES[1]);
        }
    }
}

/// Builds the interview from a valid form over `base` (stored) or as a new one.
pub fn to_interview(
    form: &Form,
    beneficiary: Id,
    id: Id,
    base: Option<&Interview>,
) -> Result<Interview, String> {
    let v = |k: &str| form.value(k);
    let local = parse_when(&v("quand"), form.today)?;
    let at = to_utc(local).ok_or("heure inexistante (changement d'heure)")?;
    let meta = base
        .map(|b| b.meta.clone())
        .unwrap_or_else(|| Meta::new(at, ""));
    Ok(Interview {
        id,
        beneficiary,
        at,
        duration_minutes: rules::duration_minutes(&v("duree"))?,
        level: LEVELS
            .get(form.selected("niveau"))
            .copied()
            .unwrap_or(CepLevel::AccueilIndividualise),
        mode: MODES
            .get(form.selected("mode"))
            .copied()
            .unwrap_or(InterviewMode::OnSite),
        place: v("lieu").trim().to_string(),
        topics: v("sujets").trim().to_string(),
        summary: v("synthese").trim_end().to_string(),
        decisions: v("decisions").trim_end().to_string(),
        next_follow_up: rules::date(&v("prochain_suivi"), form.today)?,
        planned: form.selected("etat") == 1,
        meta,
    })
}

/// One line of the reading view of an interview (the ui styles it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// A labelled value (`label` empty on the lines it wraps to).
    Field {
        label: &'static str,
        value: String,
    },
    Blank,
    Title(&'static str),
    /// A line of the summary or decisions, wrapped.
    Text(String),
}

/// Width of the labels of the reading view (after a two-column indent).
pub const READING_LABEL: usize = 24;

/// The reading view of `i` in a pane `inner_width` columns wide: every
/// value and text wrapped to the pane (nothing is cut at its edge), so the
/// screen can scroll through all of it. The ui and the scroll limit both
/// use this one layout.
pub fn reading_view(i: &Interview, inner_width: usize) -> Vec<Reading> {
    use crate::app::text::wrap;
    let value_w = inner_width.saturating_sub(2 + READING_LABEL).max(10);
    let text_w = inner_width.saturating_sub(2).max(10);
    let mut out = Vec::new();
    let mut field = |label: &'static str, value: String| {
        let value = if value.trim().is_empty() {
            "—".to_string()
        } else {
            value
        };
        for (k, (s, e)) in wrap(&value, value_w).into_iter().enumerate() {
            out.push(Reading::Field {
                label: if k == 0 { label } else { "" },
                value: value[s..e].trim_end().to_string(),
            });
        }
    };
    field(
        "Date et heure",
        to_local(i.at).format("%d/%m/%Y %H:%M").to_string(),
    );
    field("Durée", format!("{} min", i.duration_minutes));
    field("Niveau CEP", i.level.label().to_string());
    field("Modalité", i.mode.label().to_string());
    if i.planned {
        field("Entretien", STATES[1].to_string());
    }
    field("Lieu", i.place.clone());
    field("Sujets abordés", i.topics.clone());
    field(
        "Prochain suivi",
        i.next_follow_up.map(fmt_date).unwrap_or_default(),
    );
    for (title, text) in [
        ("Synthèse", &i.summary),
        ("Décisions et prochaines étapes", &i.decisions),
    ] {
        out.push(Reading::Blank);
        out.push(Reading::Title(title));
        let text = text.trim_end_matches('\n');
        if text.is_empty() {
            continue;
        }
        for (s, e) in wrap(text, text_w) {
            out.push(Reading::Text(text[s..e].trim_end().to_string()));
        }
    }
    out
}

/// What an interview changes in its file: last contact (latest interview
/// day), next follow-up (when the interview sets one), highest CEP level.
/// A planned interview only sets the next follow-up typed in it: contact
/// and level wait until it is recorded.
pub fn apply_to_file(file: &Beneficiary, i: &Interview) -> Beneficiary {
    let mut b = file.clone();
    if i.planned {
        if i.next_follow_up.is_some() {
            b.next_follow_up = i.next_follow_up;
        }
        return b;
    }
    let day = to_local(i.at).date();
    b.last_contact = Some(b.last_contact.map_or(day, |d| d.max(day)));
    if i.next_follow_up.is_some() {
        b.next_follow_up = i.next_follow_up;
    }
    let n = i.level.number();
    b.cep_level = Some(b.cep_level.map_or(n, |l| l.max(n)));
    b
}
