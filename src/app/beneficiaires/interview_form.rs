//! The interview form: date-time (default now), duration, CEP level, mode,
//! place, topics, multi-line summary and decisions, next follow-up.

use crate::app::form::{Ctx, Field, Form, Validation};
use crate::domain::rules;
use crate::domain::time::fmt_date;
use crate::domain::{Beneficiary, CepLevel, Id, Interview, InterviewMode, Meta};
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};

pub const LEVELS: [CepLevel; 2] = [
    CepLevel::AccueilIndividualise,
    CepLevel::AccompagnementPersonnalise,
];
pub const MODES: [InterviewMode; 3] = [
    InterviewMode::OnSite,
    InterviewMode::Phone,
    InterviewMode::Video,
];

/// `jj/mm/aaaa hh:mm` (also `jj/mm/aaaa` alone = 00:00 is refused: the
/// hour matters for the agenda).
pub fn parse_when(s: &str) -> Option<NaiveDateTime> {
    let t = s.trim();
    NaiveDateTime::parse_from_str(t, "%d/%m/%Y %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%d/%m/%Y %Hh%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%d/%m/%Y %Hh"))
        .ok()
}

pub fn fmt_when(d: NaiveDateTime) -> String {
    d.format("%d/%m/%Y %H:%M").to_string()
}

/// A local date-time to an instant; None in the spring-forward gap.
pub fn to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    Local
        .from_local_datetime(&local)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
}

/// An instant in local time.
pub fn to_local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&Local).naive_local()
}

fn v_when(s: &str, _: &Ctx) -> Validation {
    let d = parse_when(s).ok_or("date et heure : jj/mm/aaaa hh:mm")?;
    if to_utc(d).is_none() {
        return Err("heure inexistante (changement d'heure)".into());
    }
    Ok(None)
}
fn v_duration(s: &str, _: &Ctx) -> Validation {
    rules::duration_minutes(s).map(|_| None)
}
fn v_text(s: &str, _: &Ctx) -> Validation {
    if s.chars().count() > 200 {
        Err("trop long (200 caractères au plus)".into())
    } else {
        Ok(None)
    }
}
fn v_next(s: &str, c: &Ctx) -> Validation {
    let d = rules::date(s)?;
    match (d, parse_when(&c.value("quand"))) {
        (Some(d), Some(at)) if d < at.date() => Err("avant la date de l'entretien".into()),
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
            .validate_with(v_when),
        Field::text("duree", "Durée (minutes)", &duration)
            .required()
            .validate_with(v_duration),
        Field::choice("niveau", "Niveau CEP", &levels, level),
        Field::choice("mode", "Modalité", &modes, mode),
        Field::text("lieu", "Lieu", &text(|i| &i.place)).validate_with(v_text),
        Field::text("sujets", "Sujets abordés", &text(|i| &i.topics)).validate_with(v_text),
        Field::area("synthese", "Synthèse", &text(|i| &i.summary)),
        Field::area("decisions", "Décisions et suites", &text(|i| &i.decisions)),
        Field::text(
            "prochain_suivi",
            "Prochain suivi",
            &i.and_then(|i| i.next_follow_up)
                .map(fmt_date)
                .unwrap_or_default(),
        )
        .validate_with(v_next)
        .placeholder("jj/mm/aaaa"),
    ];
    Form::new(title, fields, now.date())
}

/// Builds the interview from a valid form over `base` (stored) or as a new one.
pub fn to_interview(
    form: &Form,
    beneficiary: Id,
    id: Id,
    base: Option<&Interview>,
) -> Result<Interview, String> {
    let v = |k: &str| form.value(k);
    let local = parse_when(&v("quand")).ok_or("date et heure : jj/mm/aaaa hh:mm")?;
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
        next_follow_up: rules::date(&v("prochain_suivi"))?,
        meta,
    })
}

/// What an interview changes in its file: last contact (latest interview
/// day), next follow-up (when the interview sets one), highest CEP level.
pub fn apply_to_file(file: &Beneficiary, i: &Interview) -> Beneficiary {
    let mut b = file.clone();
    let day = to_local(i.at).date();
    b.last_contact = Some(b.last_contact.map_or(day, |d| d.max(day)));
    if i.next_follow_up.is_some() {
        b.next_follow_up = i.next_follow_up;
    }
    let n = i.level.number();
    b.cep_level = Some(b.cep_level.map_or(n, |l| l.max(n)));
    b
}
