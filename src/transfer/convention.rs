//! The preparation sheet of a PMSMP convention (cerfa 13912): every field
//! the convention asks for, filled from the immersion and the file, to hand
//! to the prescriber or to copy into the national platform (Immersion
//! Facilitée). The fields still empty are listed at the top; the rule
//! checks' findings follow. Built with the one document model
//! ([`crate::transfer::document`]), so HTML and Markdown escape everything.
//!
//! Fields the application does not hold (legal forms, registration numbers
//! of the structures, the full postal address of the person) are printed
//! « à compléter » rather than left out: the sheet mirrors the convention.

use crate::domain::rules::immersion::{check, CheckContext, Finding};
use crate::domain::schedule::{fmt_hours, DAY_SHORT};
use crate::domain::time::fmt_date;
use crate::domain::{Beneficiary, Birth, Immersion};
use crate::store::{Store, StoreError};
use crate::transfer::document::{Block, Document};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc, Weekday};

/// What an empty field shows.
pub const TO_FILL: &str = "à compléter";

fn or_fill(s: &str) -> String {
    if s.trim().is_empty() {
        TO_FILL.to_string()
    } else {
        s.trim().to_string()
    }
}

fn opt_fill(s: Option<&str>) -> String {
    or_fill(s.unwrap_or(""))
}

fn yes_no(b: Option<bool>) -> String {
    match b {
        Some(true) => "oui".into(),
        Some(false) => "non".into(),
        None => TO_FILL.into(),
    }
}

/// What goes into the sheet besides the immersion.
pub struct ConventionInput<'a> {
    pub immersion: &'a Immersion,
    pub beneficiary: &'a Beneficiary,
    /// The rule checks' findings (`rules::immersion::check`).
    pub findings: &'a [Finding],
    /// The advisor preparing it (référent of the support structure).
    pub advisor: &'a str,
    pub today: NaiveDate,
}

/// The preparation sheet.
pub fn sheet(input: &ConventionInput<'_>) -> Document {
    let i = input.immersion;
    let b = input.beneficiary;
    let mut doc = Document::new("Convention d'immersion (PMSMP) — fiche de préparation");
    doc.subtitle = format!(
        "{} · {} · statut « {} »",
        b.display_name(),
        i.summary(),
        i.status.label()
    );
    let missing = i.missing_fields();
    if missing.is_empty() {
        doc.push(Block::Note(
            "Tous les champs que la convention demande sont renseignés dans Passerelle \
             (les mentions « à compléter » restantes ne sont pas gérées par l'application)."
                .into(),
        ));
    } else {
        let list: Vec<String> = missing.iter().map(|m| format!("• {m}")).collect();
        doc.push(Block::Note(format!(
            "Champs manquants ({}) :\n{}",
            missing.len(),
            list.join("\n")
        )));
    }
    let blocking: Vec<String> = input
        .findings
        .iter()
        .filter(|f| {
            f.is_blocking() && f.rule != crate::domain::rules::immersion::RuleId::MissingField
        })
        .map(|f| format!("bloquant : {}", f.message))
        .collect();
    let warnings: Vec<String> = input
        .findings
        .iter()
        .filter(|f| !f.is_blocking())
        .map(|f| format!("à vérifier : {}", f.message))
        .collect();
    if !blocking.is_empty() || !warnings.is_empty() {
        doc.heading("Points de vigilance (règles de la PMSMP)");
        doc.push(Block::Bullets(
            blocking.into_iter().chain(warnings).collect(),
        ));
    }

    doc.heading("1. Prescripteur");
    match &i.prescriber {
        Some(p) => doc.fields(vec![
            ("Type", p.kind.label().to_string()),
            ("Organisme", or_fill(&p.name)),
            ("Adresse", or_fill(&p.address)),
            ("Forme juridique", TO_FILL.into()),
            ("Conseiller référent", or_fill(&p.adviser)),
            ("Téléphone", opt_fill(p.phone.as_deref())),
            ("E-mail", opt_fill(p.email.as_deref())),
        ]),
        None => doc.paragraph(
            "Prescripteur à trouver : France Travail, mission locale, Cap emploi, SIAE, \
             conseil départemental ou structure délégataire (un opérateur CEP ne prescrit \
             pas une immersion).",
        ),
    };

    doc.heading("2. Bénéficiaire");
    let birth = match b.birth {
        Some(Birth::Date(d)) => fmt_date(d),
        Some(Birth::Year(y)) => format!("{y} (date exacte {TO_FILL})"),
        None => TO_FILL.into(),
    };
    let place = [b.postcode.as_deref(), b.commune.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let situation = [
        b.current_job
            .as_ref()
            .map(|j| format!("{} ({})", j.label, j.rome)),
        b.contract.map(|c| format!("salarié(e) en {}", c.label())),
        b.working_time.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    doc.fields(vec![
        ("Nom", b.last_name.to_uppercase()),
        ("Prénoms", or_fill(&b.first_name)),
        ("Date de naissance", birth),
        (
            "Adresse",
            if place.is_empty() {
                TO_FILL.into()
            } else {
                format!("{place} (adresse complète {TO_FILL})")
            },
        ),
        ("Situation professionnelle", or_fill(&situation)),
        ("Téléphone", opt_fill(b.phone.as_deref())),
        ("E-mail", opt_fill(b.email.as_deref())),
    ]);
    doc.push(Block::SubHeading(
        "Employeur actuel (signataire de la convention)".into(),
    ));
    doc.fields(vec![
        ("Raison sociale", or_fill(&i.employer.name)),
        ("SIRET", opt_fill(i.employer.siret.as_deref())),
        (
            "Immersion sur le temps de travail",
            yes_no(i.on_working_time),
        ),
    ]);

    doc.heading("3. Structure d'accueil");
    let idcc = match (&i.host.idcc, &i.host.branch) {
        (Some(idcc), Some(br)) => format!("{idcc} (branche {br})"),
        (Some(idcc), None) => idcc.clone(),
        (None, Some(br)) => format!("branche {br} (IDCC {TO_FILL})"),
        (None, None) => "sans convention collective ou à compléter".into(),
    };
    doc.fields(vec![
        ("Raison sociale", or_fill(&i.host.name)),
        ("SIRET", opt_fill(i.host.siret.as_deref())),
        ("Adresse", or_fill(&i.host.address)),
        ("Forme juridique", TO_FILL.into()),
        ("Activité principale", or_fill(&i.host.activity)),
        ("Convention collective (IDCC)", idcc),
    ]);
    doc.push(Block::SubHeading("Tuteur".into()));
    doc.fields(vec![
        ("Nom", or_fill(&i.tutor.name)),
        ("Fonction", or_fill(&i.tutor.role)),
        ("Téléphone", opt_fill(i.tutor.phone.as_deref())),
        ("E-mail", opt_fill(i.tutor.email.as_deref())),
    ]);

    doc.heading("4. Structure d'accompagnement");
    doc.fields(vec![
        (
            "Structure",
            format!("opérateur du conseil en évolution professionnelle ({TO_FILL} : nom, adresse, forme juridique)"),
        ),
        ("Conseiller référent", or_fill(input.advisor)),
    ]);

    doc.heading("5. Période d'immersion");
    let schedule = if i.schedule.is_empty() {
        or_fill(&i.schedule_text)
    } else {
        i.schedule.canonical()
    };
    doc.fields(vec![
        (
            "Dates",
            format!(
                "du {} au {} ({} jours calendaires, {} jours de présence)",
                fmt_date(i.start),
                fmt_date(i.end),
                i.calendar_days(),
                i.presence_days().len()
            ),
        ),
        ("Nombre d'heures", fmt_hours(i.total_minutes())),
        ("Horaires de présence", schedule),
        ("Lieu", or_fill(&i.host.address)),
        (
            "Métier visé",
            i.target
                .as_ref()
                .map(|t| format!("{} ({})", t.label, t.rome))
                .unwrap_or_else(|| TO_FILL.into()),
        ),
        (
            "Objectif (un seul)",
            i.objective
                .map(|o| o.label().to_string())
                .unwrap_or_else(|| TO_FILL.into()),
        ),
        ("Objectifs précis", or_fill(&i.goals)),
        ("Modalités d'évaluation", or_fill(&i.assessment)),
    ]);
    if !i.schedule.is_empty() {
        let days = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        let rows: Vec<Vec<String>> = days
            .iter()
            .enumerate()
            .filter(|(_, d)| !i.schedule.slots(**d).is_empty())
            .map(|(k, d)| {
                let slots: Vec<String> =
                    i.schedule.slots(*d).iter().map(|s| s.to_string()).collect();
                vec![
                    DAY_SHORT[k].to_string(),
                    slots.join(" "),
                    fmt_hours(i.schedule.day_minutes(*d)),
                ]
            })
            .collect();
        doc.push(Block::Table {
            header: vec!["Jour".into(), "Horaires".into(), "Heures".into()],
            rows,
            numeric: vec![2],
        });
    }

    doc.heading("6. Tâches confiées");
    doc.paragraph(&or_fill(&i.tasks));

    if let Some(orig) = i.renewal_of {
        doc.heading("Renouvellement");
        doc.fields(vec![
            ("Renouvelle l'immersion", orig.short()),
            ("Motif du renouvellement", or_fill(&i.renewal_reason)),
        ]);
    }

    doc.footer = format!(
        "Fiche préparée le {} avec Passerelle : document de travail. La convention se signe \
         sur le formulaire cerfa 13912 ou sur Immersion Facilitée. Elle contient des données \
         personnelles : à ne transmettre qu'aux parties de la convention.",
        fmt_date(input.today)
    );
    doc
}

/// The rule checks of an immersion with everything the store knows about
/// its person (other immersions, interviews, sessions registered to).
pub fn findings_of(
    store: &Store,
    imm: &Immersion,
    to_local: &dyn Fn(DateTime<Utc>) -> NaiveDateTime,
) -> Result<Vec<Finding>, StoreError> {
    let others = store.immersions_of(imm.beneficiary)?;
    let interviews = store.interviews_of(imm.beneficiary)?;
    let regs = store.registrations_of(imm.beneficiary)?;
    let mut sessions = Vec::new();
    for r in &regs {
        if let Some(s) = store.session(r.session)? {
            sessions.push(s);
        }
    }
    let appointments =
        super::agenda::appointments(imm.beneficiary, &interviews, &sessions, &regs, to_local);
    Ok(check(
        imm,
        &CheckContext {
            others: &others,
            appointments: &appointments,
        },
    ))
}

/// The sheet of a stored immersion, its file and findings read from the
/// store; `None` when the file is missing.
pub fn sheet_from_store(
    store: &Store,
    imm: &Immersion,
    advisor: &str,
    today: NaiveDate,
    to_local: &dyn Fn(DateTime<Utc>) -> NaiveDateTime,
) -> Result<Option<Document>, StoreError> {
    let Some(b) = store.beneficiary(imm.beneficiary)? else {
        return Ok(None);
    };
    let findings = findings_of(store, imm, to_local)?;
    Ok(Some(sheet(&ConventionInput {
        immersion: imm,
        beneficiary: &b,
        findings: &findings,
        advisor,
        today,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::immersion::fixtures::{complete, d};
    use crate::domain::{ImmersionStatus, Meta};
    use crate::transfer::document::{render, Format};

    fn person() -> Beneficiary {
        let mut b = Beneficiary::new(
            crate::domain::immersion::fixtures::ben(),
            "Dupont",
            "Léa",
            Meta::new(crate::domain::immersion::fixtures::t(0), "x"),
        );
        b.birth = Some(Birth::Date(d(1988, 4, 2)));
        b.postcode = Some("69003".into());
        b.commune = Some("Lyon".into());
        b
    }

    #[test]
    fn a_complete_immersion_fills_every_section() {
        let i = complete(1, d(2026, 12, 7), d(2026, 12, 18));
        let b = person();
        let findings = check(&i, &CheckContext::default());
        let doc = sheet(&ConventionInput {
            immersion: &i,
            beneficiary: &b,
            findings: &findings,
            advisor: "Camille Conseil",
            today: d(2026, 11, 28),
        });
        let md = render(&doc, Format::Markdown);
        for part in [
            "Tous les champs que la convention demande sont renseignés",
            "## 1\\. Prescripteur",
            "France Travail Lyon Part-Dieu",
            "**Date de naissance** : 02/04/1988",
            "**SIRET** : 12002701600357",
            "1261 (branche ALISFA)",
            "**Nombre d'heures** : 65 h",
            "lun–ven 9:00–12:00 13:30–17:00",
            "| ven | 9:00–12:00 13:30–17:00 | 6 h 30 |",
            "confirmer un projet professionnel",
            "**Conseiller référent** : Camille Conseil",
            "Fiche préparée le 28/11/2026",
        ] {
            assert!(md.contains(part), "« {part} » absent :\n{md}");
        }
        assert!(!md.contains("Champs manquants"));
        assert!(!md.contains("Points de vigilance"));
    }

    #[test]
    fn missing_fields_come_first_and_findings_follow() {
        let mut i = complete(1, d(2026, 3, 1), d(2026, 4, 1));
        i.prescriber = None;
        i.tutor.role.clear();
        i.status = ImmersionStatus::Brouillon;
        let findings = check(&i, &CheckContext::default());
        let doc = sheet(&ConventionInput {
            immersion: &i,
            beneficiary: &person(),
            findings: &findings,
            advisor: "",
            today: d(2026, 2, 1),
        });
        let html = render(&doc, Format::Html);
        let missing = html.find("Champs manquants (2)").expect("listed");
        let prescriber = html.find("<h2>1. Prescripteur</h2>").unwrap();
        assert!(missing < prescriber, "missing fields at the top");
        assert!(html.contains("• tuteur : fonction"));
        assert!(html.contains("• prescripteur"));
        assert!(html.contains("bloquant : du 01/03/2026 au 01/04/2026 : 31 jours"));
        assert!(html.contains("Prescripteur à trouver"));
        assert!(html.contains("<dt>Conseiller référent</dt><dd>à compléter</dd>"));
    }
}
