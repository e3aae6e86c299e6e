//! The forms of the Parcours screen: a step with its funding lines, the
//! note of a target métier, the plan's eligibility facts; their
//! conversion to the domain types, and the journal notes that describe a
//! change without personal data (the step's position and kind, never its
//! free-text title).

use crate::app::form::{Ctx, Field, Form, Validation};
use crate::domain::rules;
use crate::domain::time::fmt_date;
use crate::domain::{
    Cents, EligibilityFacts, Funder, FundingLine, FundingStatus, PlanTarget, Step, StepKind,
    StepStatus,
};
use chrono::NaiveDate;

/// Funding lines a step form can hold (existing lines plus one empty slot).
pub const FUNDING_SLOTS: usize = 6;

const FUNDER_KEYS: [&str; FUNDING_SLOTS] = ["fin1", "fin2", "fin3", "fin4", "fin5", "fin6"];
const FUNDER_LABELS: [&str; FUNDING_SLOTS] = [
    "Financeur 1",
    "Financeur 2",
    "Financeur 3",
    "Financeur 4",
    "Financeur 5",
    "Financeur 6",
];
const AMOUNT_KEYS: [&str; FUNDING_SLOTS] = ["mnt1", "mnt2", "mnt3", "mnt4", "mnt5", "mnt6"];
const STATUS_KEYS: [&str; FUNDING_SLOTS] = ["sta1", "sta2", "sta3", "sta4", "sta5", "sta6"];
const DECISION_KEYS: [&str; FUNDING_SLOTS] = ["dec1", "dec2", "dec3", "dec4", "dec5", "dec6"];

/// Title of the financing section (the `financer` key jumps there).
pub const FUNDING_SECTION: &str = "Financement";

const NONE: &str = "—";
const MAX_TITLE: usize = 200;
const MAX_ORG: usize = 120;
const MAX_NOTES: usize = 2_000;
const MAX_TARGET_NOTE: usize = 500;
const MAX_NUMBER: usize = 30;

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(fmt_date).unwrap_or_default()
}

/// `1 234,50` (no € sign) for an amount field; empty for zero when `blank_zero`.
fn amount_text(c: Cents, blank_zero: bool) -> String {
    if blank_zero && c == Cents::ZERO {
        return String::new();
    }
    c.to_string().trim_end_matches(" €").to_string()
}

fn v_amount(s: &str, _: &Ctx) -> Validation {
    rules::amount(s).map(|_| None)
}

fn v_hours(s: &str, _: &Ctx) -> Validation {
    rules::hours(s).map(|_| None)
}

fn v_date(s: &str, ctx: &Ctx) -> Validation {
    rules::date(s, ctx.today).map(|_| None)
}

fn v_end(s: &str, ctx: &Ctx) -> Validation {
    let end = rules::date(s, ctx.today)?;
    let start = rules::date(&ctx.value("debut"), ctx.today).ok().flatten();
    match (start, end) {
        (Some(a), Some(b)) if b < a => Err(format!("avant le début ({})", fmt_date(a))),
        _ => Ok(None),
    }
}

fn v_title(s: &str, _: &Ctx) -> Validation {
    if s.chars().any(rules::is_forbidden_char) {
        return Err("caractère de contrôle refusé".into());
    }
    Ok(None)
}

/// The options of a funder choice: « — » (no line), then every funder.
fn funder_options() -> Vec<&'static str> {
    std::iter::once(NONE)
        .chain(Funder::ALL.iter().map(|f| f.label()))
        .collect()
}

/// The step form; `focus_funding` puts the focus on the first funder of
/// the financing section (the `financer` key).
pub fn step_form(step: &Step, is_new: bool, today: NaiveDate, focus_funding: bool) -> Form {
    let kinds: Vec<&str> = StepKind::ALL.iter().map(|k| k.label()).collect();
    let statuses: Vec<&str> = StepStatus::ALL.iter().map(|s| s.label()).collect();
    let funding_statuses: Vec<&str> = FundingStatus::ALL.iter().map(|s| s.label()).collect();
    let kind = StepKind::ALL
        .iter()
        .position(|k| *k == step.kind)
        .unwrap_or(0);
    let status = StepStatus::ALL
        .iter()
        .position(|s| *s == step.status)
        .unwrap_or(0);
    let mut fields = vec![
        Field::choice("type", "Type", &kinds, kind).section("Étape"),
        Field::text("intitule", "Intitulé", &step.title)
            .required()
            .validate_with(v_title)
            .max_len(MAX_TITLE),
        Field::text("organisme", "Organisme", &step.organisation)
            .validate_with(v_title)
            .max_len(MAX_ORG)
            .placeholder("organisme, structure, financeur…"),
        Field::choice("statut", "Statut", &statuses, status),
        Field::text("cout", "Coût (€)", &amount_text(step.cost, true))
            .validate_with(v_amount)
            .max_len(MAX_NUMBER)
            .placeholder("vide : aucun coût")
            .section("Coût et dates"),
        Field::text(
            "heures",
            "Heures",
            &step.hours.map(|h| h.to_string()).unwrap_or_default(),
        )
        .validate_with(v_hours)
        .max_len(MAX_NUMBER)
        .placeholder("durée en heures"),
        Field::date("debut", "Début", &opt_date(step.start)).validate_with(v_date),
        Field::date("fin", "Fin", &opt_date(step.end)).validate_with(v_end),
        Field::date("echeance", "Échéance", &opt_date(step.due)).validate_with(v_date),
    ];
    let funders = funder_options();
    let slots = (step.funding.len() + 1).min(FUNDING_SLOTS);
    for i in 0..slots {
        let line = step.funding.get(i);
        let funder = line
            .and_then(|l| Funder::ALL.iter().position(|f| *f == l.funder))
            .map_or(0, |p| p + 1);
        let fstatus = line
            .and_then(|l| FundingStatus::ALL.iter().position(|s| *s == l.status))
            .unwrap_or(0);
        let mut f = Field::choice(FUNDER_KEYS[i], FUNDER_LABELS[i], &funders, funder);
        if i == 0 {
            f = f.section(FUNDING_SECTION);
        }
        fields.push(f);
        fields.push(
            Field::text(
                AMOUNT_KEYS[i],
                "  montant (€)",
                &line
                    .map(|l| amount_text(l.amount, false))
                    .unwrap_or_default(),
            )
            .validate_with(v_amount)
            .max_len(MAX_NUMBER)
            .placeholder("vide : le coût de l'étape"),
        );
        fields.push(Field::choice(
            STATUS_KEYS[i],
            "  statut",
            &funding_statuses,
            fstatus,
        ));
        fields.push(
            Field::date(
                DECISION_KEYS[i],
                "  décision le",
                &opt_date(line.and_then(|l| l.decided_on)),
            )
            .validate_with(v_date),
        );
    }
    fields.push(
        Field::area("notes", "Notes", &step.notes)
            .max_len(MAX_NOTES)
            .section("Notes"),
    );
    let title = if is_new {
        "Nouvelle étape".to_string()
    } else {
        format!("Étape : {}", step.kind.label())
    };
    let mut form = Form::new(title, fields, today);
    if focus_funding {
        if let Some(i) = form.fields.iter().position(|f| f.key == FUNDER_KEYS[0]) {
            form.focus = i;
        }
    }
    form
}

/// The step the form describes, from `base` (the stored step, or a new one
/// with its id). A funding line whose amount is empty takes the step's cost.
pub fn to_step(form: &Form, base: &Step) -> Result<Step, String> {
    let v = |k: &str| form.value(k);
    let today = form.today;
    let mut s = base.clone();
    s.kind = StepKind::ALL
        .get(form.selected("type"))
        .copied()
        .unwrap_or(StepKind::Autre);
    s.title = v("intitule").trim().to_string();
    s.organisation = v("organisme").trim().to_string();
    s.status = StepStatus::ALL
        .get(form.selected("statut"))
        .copied()
        .unwrap_or(StepStatus::AFaire);
    s.cost = rules::amount(&v("cout"))
        .map_err(|e| format!("coût : {e}"))?
        .unwrap_or(Cents::ZERO);
    s.hours = rules::hours(&v("heures"))?;
    s.start = rules::date(&v("debut"), today).map_err(|e| format!("début : {e}"))?;
    s.end = rules::date(&v("fin"), today).map_err(|e| format!("fin : {e}"))?;
    s.due = rules::date(&v("echeance"), today).map_err(|e| format!("échéance : {e}"))?;
    s.notes = v("notes").trim_end().to_string();
    s.funding.clear();
    for i in 0..FUNDING_SLOTS {
        if form.field(FUNDER_KEYS[i]).is_none() {
            break;
        }
        let Some(&funder) = form
            .selected(FUNDER_KEYS[i])
            .checked_sub(1)
            .and_then(|p| Funder::ALL.get(p))
        else {
            continue;
        };
        let n = i + 1;
        let amount = match rules::amount(&v(AMOUNT_KEYS[i]))
            .map_err(|e| format!("financement {n} : {e}"))?
        {
            Some(a) => a,
            None if s.cost > Cents::ZERO => s.cost,
            None => {
                return Err(format!(
                    "financement {n} ({}) : indiquez le montant, ou le coût de l'étape",
                    funder.label()
                ))
            }
        };
        s.funding.push(FundingLine {
            funder,
            amount,
            status: FundingStatus::ALL
                .get(form.selected(STATUS_KEYS[i]))
                .copied()
                .unwrap_or(FundingStatus::Envisage),
            decided_on: rules::date(&v(DECISION_KEYS[i]), today)
                .map_err(|e| format!("financement {n}, décision : {e}"))?,
        });
    }
    let problems = s.problems();
    if !problems.is_empty() {
        return Err(problems.join(" ; "));
    }
    Ok(s)
}

/// `l'étape 2 (bilan de compétences)`: how notes name a step (its position
/// and kind; the title is free text and may name people).
pub fn step_name(position: usize, kind: StepKind) -> String {
    format!("l'étape {} ({})", position + 1, kind.label())
}

/// The journal note of a step saved from the form: what was added, or what
/// changed (status, funding lines and their status).
pub fn step_note(position: usize, before: Option<&Step>, after: &Step) -> String {
    let name = step_name(position, after.kind);
    let Some(b) = before else {
        let mut note = format!("ajout de {name}");
        if !after.funding.is_empty() {
            let funders: Vec<&str> = after.funding.iter().map(|f| f.funder.label()).collect();
            note.push_str(&format!(", financement {}", funders.join(", ")));
        }
        return note;
    };
    let mut details = Vec::new();
    if b.kind != after.kind {
        details.push(format!(
            "type : {} → {}",
            b.kind.label(),
            after.kind.label()
        ));
    }
    if b.status != after.status {
        details.push(format!(
            "statut : {} → {}",
            b.status.label(),
            after.status.label()
        ));
    }
    for i in 0..b.funding.len().max(after.funding.len()) {
        let n = i + 1;
        match (b.funding.get(i), after.funding.get(i)) {
            (Some(x), Some(y)) if x.funder != y.funder => details.push(format!(
                "financement {n} : {} → {}",
                x.funder.label(),
                y.funder.label()
            )),
            (Some(x), Some(y)) if x.status != y.status => details.push(format!(
                "financement {n} ({}) : {} → {}",
                y.funder.label(),
                x.status.label(),
                y.status.label()
            )),
            (Some(x), Some(y)) if x != y => {
                details.push(format!("financement {n} ({}) modifié", y.funder.label()))
            }
            (None, Some(y)) => {
                details.push(format!("financement {n} ({}) ajouté", y.funder.label()))
            }
            (Some(x), None) => {
                details.push(format!("financement {n} ({}) retiré", x.funder.label()))
            }
            _ => {}
        }
    }
    let mut note = format!("modification de {name}");
    if !details.is_empty() {
        note.push_str(&format!(" : {}", details.join(" ; ")));
    }
    note
}

/// The note of a target métier.
pub fn target_note_form(t: &PlanTarget, today: NaiveDate) -> Form {
    Form::new(
        format!("Note — {} ({})", t.label, t.rome),
        vec![Field::area("note", "Note", &t.note)
            .max_len(MAX_TARGET_NOTE)
            .placeholder("pourquoi ce métier, ce qui reste à explorer…")],
        today,
    )
}

const TRI: [&str; 3] = ["inconnu", "non", "oui"];

fn tri_index(v: Option<bool>) -> usize {
    match v {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

fn tri_value(i: usize) -> Option<bool> {
    match i {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    }
}

/// Days in 60 months, at most.
const MAX_DAYS_60_MONTHS: u32 = 1_830;

fn v_days(s: &str, _: &Ctx) -> Validation {
    rules::count(s, MAX_DAYS_60_MONTHS, "jours travaillés").map(|_| None)
}

fn v_months_60(s: &str, _: &Ctx) -> Validation {
    rules::count(s, 60, "mois").map(|_| None)
}

fn v_months_12(s: &str, _: &Ctx) -> Validation {
    rules::count(s, 12, "mois").map(|_| None)
}

/// The plan's eligibility facts (what the file does not hold).
pub fn facts_form(f: &EligibilityFacts, today: NaiveDate) -> Form {
    let num = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let fields = vec![
        Field::text(
            "jours",
            "Jours travaillés (60 m.)",
            &num(f.days_worked_last_60_months),
        )
        .validate_with(v_days)
        .max_len(MAX_NUMBER)
        .placeholder("démission-reconversion : 1 300")
        .section("Ancienneté"),
        Field::text(
            "mois_salarie",
            "Mois salarié (5 ans)",
            &num(f.months_employee_last_5_years.map(u32::from)),
        )
        .validate_with(v_months_60)
        .max_len(MAX_NUMBER)
        .placeholder("PTP en CDD : 24"),
        Field::text(
            "mois_cdd",
            "Mois en CDD (12 mois)",
            &num(f.months_cdd_last_12_months.map(u32::from)),
        )
        .validate_with(v_months_12)
        .max_len(MAX_NUMBER)
        .placeholder("PTP en CDD : 4"),
        Field::choice("boeth", "RQTH / BOETH", &TRI, tri_index(f.boeth)).section("Situation"),
        Field::choice(
            "licencie",
            "Licencié sans formation",
            &TRI,
            tri_index(f.dismissed_without_training),
        ),
        Field::choice(
            "absence",
            "Longue absence (24 m.)",
            &TRI,
            tri_index(f.long_absence_last_24_months),
        ),
        Field::choice(
            "accord_employeur",
            "Accord de l'employeur",
            &TRI,
            tri_index(f.employer_agreement),
        )
        .section("Période de reconversion"),
        Field::choice(
            "accord_branche",
            "Accord de branche/entr.",
            &TRI,
            tri_index(f.extending_agreement),
        ),
        Field::date("demission", "Démission le", &opt_date(f.resignation_on))
            .validate_with(v_date)
            .section("Démission-reconversion"),
        Field::date(
            "attestation",
            "Attestation T. Pro le",
            &opt_date(f.attestation_on),
        )
        .validate_with(v_date),
        Field::date(
            "demandeur",
            "Demandeur d'emploi le",
            &opt_date(f.job_seeker_from),
        )
        .validate_with(v_date)
        .section("CPF"),
        Field::choice("c2p", "Points C2P", &TRI, tri_index(f.cpf_c2p)),
        Field::choice("at_mp", "Abondement AT/MP", &TRI, tri_index(f.cpf_at_mp)),
    ];
    Form::new("Éléments d'éligibilité", fields, today)
}

/// The facts the form describes.
pub fn to_facts(form: &Form) -> Result<EligibilityFacts, String> {
    let v = |k: &str| form.value(k);
    let today = form.today;
    let months = |k: &str, max: u32| -> Result<Option<u16>, String> {
        Ok(rules::count(&v(k), max, "mois")?.and_then(|n| u16::try_from(n).ok()))
    };
    Ok(EligibilityFacts {
        days_worked_last_60_months: rules::count(&v("jours"), MAX_DAYS_60_MONTHS, "jours")?,
        months_employee_last_5_years: months("mois_salarie", 60)?,
        months_cdd_last_12_months: months("mois_cdd", 12)?,
        boeth: tri_value(form.selected("boeth")),
        dismissed_without_training: tri_value(form.selected("licencie")),
        long_absence_last_24_months: tri_value(form.selected("absence")),
        employer_agreement: tri_value(form.selected("accord_employeur")),
        extending_agreement: tri_value(form.selected("accord_branche")),
        resignation_on: rules::date(&v("demission"), today)?,
        attestation_on: rules::date(&v("attestation"), today)?,
        job_seeker_from: rules::date(&v("demandeur"), today)?,
        cpf_c2p: tri_value(form.selected("c2p")),
        cpf_at_mp: tri_value(form.selected("at_mp")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Id;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(c, KeyModifiers::NONE, KeyEventKind::Press)
    }

    fn typed(f: &mut Form, key: &str, text: &str) {
        f.focus = f.fields.iter().position(|x| x.key == key).unwrap();
        for c in text.chars() {
            f.handle_key(&k(KeyCode::Char(c)), 60);
        }
    }

    #[test]
    fn a_funded_formation_step_from_a_blank_form() {
        let base = Step::new(Id([1; 16]), StepKind::Information, "");
        let mut f = step_form(&base, true, today(), false);
        // The type by its first letter, then the title.
        typed(&mut f, "type", "f");
        typed(&mut f, "intitule", "DE éducateur de jeunes enfants");
        typed(&mut f, "cout", "6 450");
        typed(&mut f, "heures", "1500");
        typed(&mut f, "debut", "01/09/2027");
        typed(&mut f, FUNDER_KEYS[0], "c");
        assert_eq!(f.value(FUNDER_KEYS[0]), "CPF");
        let s = to_step(&f, &base).unwrap();
        assert_eq!(s.kind, StepKind::Formation);
        assert_eq!(s.cost, Cents(645_000));
        assert_eq!(s.hours, Some(1500));
        assert_eq!(s.start, NaiveDate::from_ymd_opt(2027, 9, 1));
        // An empty amount takes the step's cost.
        assert_eq!(
            s.funding,
            vec![FundingLine::envisaged(Funder::Cpf, Cents(645_000))]
        );
        assert_eq!(
            step_note(2, None, &s),
            "ajout de l'étape 3 (formation), financement CPF"
        );
        assert!(!step_note(2, None, &s).contains("éducateur"));
    }

    #[test]
    fn form_round_trip_and_notes_of_a_change() {
        let mut s = Step::new(Id([1; 16]), StepKind::BilanCompetences, "Bilan");
        s.cost = Cents(180_000);
        s.start = NaiveDate::from_ymd_opt(2027, 1, 4);
        s.end = NaiveDate::from_ymd_opt(2027, 3, 1);
        s.funding = vec![FundingLine {
            funder: Funder::Cpf,
            amount: Cents(150_000),
            status: FundingStatus::Demande,
            decided_on: None,
        }];
        let f = step_form(&s, false, today(), true);
        assert_eq!(f.focused().unwrap().key, FUNDER_KEYS[0], "financer: focus");
        // Two slots: the line and an empty one.
        assert!(f.field(FUNDER_KEYS[1]).is_some() && f.field(FUNDER_KEYS[2]).is_none());
        assert_eq!(to_step(&f, &s).unwrap(), s);
        let mut f2 = f.clone();
        f2.set(STATUS_KEYS[0], "accordé");
        f2.set(DECISION_KEYS[0], "15/12/2026");
        f2.set("statut", "en cours");
        f2.set(FUNDER_KEYS[1], "employeur");
        f2.set(AMOUNT_KEYS[1], "300");
        let after = to_step(&f2, &s).unwrap();
        assert_eq!(after.funding[0].status, FundingStatus::Accorde);
        assert_eq!(after.funding[1].amount, Cents(30_000));
        assert_eq!(
            step_note(0, Some(&s), &after),
            "modification de l'étape 1 (bilan de compétences) : statut : à faire → en cours ; \
             financement 1 (CPF) : demandé → accordé ; financement 2 (employeur) ajouté"
        );
        // Removing a line: its funder back to « — ».
        let mut f3 = f.clone();
        f3.set(FUNDER_KEYS[0], NONE);
        let removed = to_step(&f3, &s).unwrap();
        assert!(removed.funding.is_empty());
        assert!(step_note(0, Some(&s), &removed).ends_with("financement 1 (CPF) retiré"));
    }

    #[test]
    fn bad_values_are_refused_in_french() {
        let base = Step::new(Id([1; 16]), StepKind::Formation, "x");
        let mut f = step_form(&base, true, today(), false);
        f.set("debut", "10/01/2027");
        f.set("fin", "09/01/2027");
        assert_eq!(
            f.field("fin").unwrap().error.as_deref(),
            Some("avant le début (10/01/2027)")
        );
        f.set("fin", "");
        f.set(FUNDER_KEYS[0], "CPF");
        // No cost and no amount: the amount is asked for.
        let e = to_step(&f, &base).unwrap_err();
        assert!(e.contains("indiquez le montant"), "{e}");
        f.set(AMOUNT_KEYS[0], "12,345");
        assert!(f.field(AMOUNT_KEYS[0]).unwrap().error.is_some());
        f.set("intitule", "");
        assert!(f.refuse_invalid().is_err());
    }

    #[test]
    fn facts_round_trip_with_unknowns() {
        let facts = EligibilityFacts {
            days_worked_last_60_months: Some(1_299),
            months_cdd_last_12_months: Some(4),
            employer_agreement: Some(true),
            boeth: Some(false),
            resignation_on: NaiveDate::from_ymd_opt(2027, 2, 1),
            ..EligibilityFacts::default()
        };
        let f = facts_form(&facts, today());
        assert_eq!(to_facts(&f).unwrap(), facts);
        let mut f = f;
        f.set("jours", "1831");
        assert!(f.refuse_invalid().is_err());
        assert!(to_facts(&f).is_err());
    }
}
