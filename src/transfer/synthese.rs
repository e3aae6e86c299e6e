//! The synthesis handed to the employee at the end of the CEP: situation,
//! project and target métiers, the dated action plan, dispositifs and
//! financing with totals, immersions, next appointment, the advisor and
//! the date. Built with the one document model ([`super::document`]), so
//! every personal string is escaped in HTML and in Markdown.
//!
//! ## What the document shows (consent rule)
//!
//! The document is the person's own, but it is usually shown to the
//! employer or the OPCO to ask for funding. So:
//! - always: the person's name, the project (targets and their notes), the
//!   action plan, the financing, the immersions (métier, host, dates,
//!   status), the next appointment, the advisor and the date;
//! - the situation (current métier, contract, seniorities, qualification
//!   level, CPF balance) only when the information notice was given and
//!   the processing consented to (`consent.processing`); otherwise a note
//!   says it is left out;
//! - the employer and the branch only when the person also agreed to share
//!   with the employer / OPCO (`consent.share_employer_opco`);
//! - never: contact details, birth date, constraints (they may hold health
//!   information), interview summaries or the change history.

use super::document::{Block, Document, Format};
use crate::domain::time::{fmt_date, fmt_long_day};
use crate::domain::{
    Beneficiary, Branches, Cents, Dispositif, Dispositifs, Id, Immersion, Interview, Plan, Step,
};
use crate::store::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::path::{Path, PathBuf};

/// Who writes the document (from the configuration).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Author {
    /// `[conseiller] nom`.
    pub advisor: String,
    /// `[conseiller] structure`.
    pub structure: String,
}

/// What the synthesis is built from.
#[derive(Clone, Copy, Debug)]
pub struct SynthesisInput<'a> {
    pub beneficiary: &'a Beneficiary,
    pub plan: Option<&'a Plan>,
    /// Any order.
    pub interviews: &'a [Interview],
    pub immersions: &'a [Immersion],
    pub branches: &'a Branches,
    pub reference: &'a Dispositifs,
    pub author: &'a Author,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

fn months(n: u16) -> String {
    let (y, m) = (n / 12, n % 12);
    let years = match y {
        0 => String::new(),
        1 => "1 an".to_string(),
        y => format!("{y} ans"),
    };
    match (y, m) {
        (_, 0) if y > 0 => years,
        (0, m) => format!("{m} mois"),
        (_, m) => format!("{years} et {m} mois"),
    }
}

/// `du 01/02/2027 au 30/06/2027`, `à partir du …`, `échéance …`, `—`.
pub fn step_dates(s: &Step) -> String {
    let mut parts = Vec::new();
    match (s.start, s.end) {
        (Some(a), Some(b)) => parts.push(format!("du {} au {}", fmt_date(a), fmt_date(b))),
        (Some(a), None) => parts.push(format!("à partir du {}", fmt_date(a))),
        (None, Some(b)) => parts.push(format!("jusqu'au {}", fmt_date(b))),
        (None, None) => {}
    }
    if let Some(d) = s.due {
        parts.push(format!("échéance {}", fmt_date(d)));
    }
    if parts.is_empty() {
        "à dater".to_string()
    } else {
        parts.join(", ")
    }
}

fn situation(input: &SynthesisInput, doc: &mut Document) {
    let b = input.beneficiary;
    doc.heading("Votre situation");
    if b.consent.processing.is_none() {
        doc.push(Block::Note(
            "Situation non reprise : la notice d'information n'a pas été remise (aucun \
             consentement au traitement enregistré)."
                .into(),
        ));
        return;
    }
    let mut f: Vec<(&str, String)> = Vec::new();
    if let Some(j) = &b.current_job {
        f.push(("Métier actuel", format!("{} ({})", j.label, j.rome)));
    }
    if let Some(c) = b.contract {
        f.push(("Contrat", c.label().to_string()));
    }
    if let Some(w) = &b.working_time {
        f.push(("Temps de travail", w.clone()));
    }
    if let Some(m) = b.seniority_company_months {
        f.push(("Ancienneté dans l'entreprise", months(m)));
    }
    if let Some(m) = b.seniority_total_months {
        f.push(("Ancienneté totale de salarié", months(m)));
    }
    f.push((
        "Niveau de qualification",
        b.qualification_level
            .map(|n| format!("niveau {n}"))
            .unwrap_or_else(|| "non renseigné".into()),
    ));
    if let Some(c) = b.cpf_balance {
        f.push(("Solde CPF déclaré", c.to_string()));
    }
    let shared = b.consent.share_employer_opco.is_some();
    if shared {
        if !b.employer.name.trim().is_empty() {
            f.push(("Employeur", b.employer.name.clone()));
        }
        if let Some(s) = &b.branch {
            let name = input
                .branches
                .by_short(s)
                .map_or(s.clone(), |br| br.display.clone());
            f.push(("Branche", name));
        }
    }
    doc.fields(f);
    if !shared {
        doc.push(Block::Note(
            "Employeur et branche non repris : pas d'accord de partage avec l'employeur ou \
             l'OPCO."
                .into(),
        ));
    }
}

fn project(input: &SynthesisInput, doc: &mut Document) {
    let b = input.beneficiary;
    doc.heading("Votre projet");
    if let Some(r) = b.request {
        doc.paragraph(&format!("Demande : {}.", r.label()));
    }
    let targets = input.plan.map(|p| p.targets.as_slice()).unwrap_or(&[]);
    if targets.is_empty() {
        doc.paragraph("Aucun métier visé n'est encore choisi.");
        return;
    }
    doc.push(Block::SubHeading(
        "Métiers visés, par ordre de préférence".into(),
    ));
    doc.push(Block::Bullets(
        targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let note = if t.note.trim().is_empty() {
                    String::new()
                } else {
                    format!(" — {}", t.note.trim())
                };
                format!("{}. {} ({}){note}", i + 1, t.label, t.rome)
            })
            .collect(),
    ));
}

fn action_plan(plan: &Plan, doc: &mut Document) {
    doc.heading("Plan d'action");
    if plan.steps.is_empty() {
        doc.paragraph("Aucune étape n'est encore prévue.");
        return;
    }
    doc.push(Block::Table {
        header: [
            "N°",
            "Étape",
            "Type",
            "Organisme",
            "Dates",
            "Durée",
            "Statut",
        ]
        .map(String::from)
        .to_vec(),
        rows: plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    (i + 1).to_string(),
                    s.title.clone(),
                    s.kind.label().to_string(),
                    if s.organisation.is_empty() {
                        "—".into()
                    } else {
                        s.organisation.clone()
                    },
                    step_dates(s),
                    s.hours.map_or("—".into(), |h| format!("{h} h")),
                    s.status.label().to_string(),
                ]
            })
            .collect(),
        numeric: vec![0, 5],
    });
}

fn financing(input: &SynthesisInput, plan: &Plan, doc: &mut Document) {
    doc.heading("Dispositifs et financement");
    let mut dispositifs: Vec<Dispositif> = Vec::new();
    for s in plan.steps.iter().filter(|s| s.is_active()) {
        let from_lines = s
            .funding
            .iter()
            .filter_map(|l| input.reference.funder(l.funder).dispositif);
        for d in s.kind.dispositif().into_iter().chain(from_lines) {
            if !dispositifs.contains(&d) {
                dispositifs.push(d);
            }
        }
    }
    if !dispositifs.is_empty() {
        doc.push(Block::SubHeading("Dispositifs mobilisés".into()));
        doc.push(Block::Bullets(
            dispositifs
                .iter()
                .map(|d| {
                    let info = input.reference.dispositif(*d);
                    let name = if d.name() == d.label() {
                        d.label().to_string()
                    } else {
                        format!("{} ({})", d.label(), d.name())
                    };
                    format!("{name} — en vigueur depuis le {}", fmt_date(info.since))
                })
                .collect(),
        ));
    }
    let rows: Vec<Vec<String>> = plan
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_active())
        .flat_map(|(i, s)| {
            let cost = vec![
                format!("{}. {}", i + 1, s.title),
                "coût de l'étape".into(),
                s.cost.to_string(),
                String::new(),
                String::new(),
            ];
            let lines = s.funding.iter().map(move |l| {
                vec![
                    format!("{}. {}", i + 1, s.title),
                    l.funder.label().to_string(),
                    l.amount.to_string(),
                    l.status.label().to_string(),
                    l.decided_on.map(fmt_date).unwrap_or_default(),
                ]
            });
            (s.cost > Cents::ZERO || !s.funding.is_empty())
                .then_some(cost)
                .into_iter()
                .chain(lines)
        })
        .collect();
    if rows.is_empty() {
        doc.paragraph("Aucun coût ni financement n'est encore indiqué.");
        return;
    }
    doc.push(Block::Table {
        header: ["Étape", "Financeur", "Montant", "Statut", "Décision le"]
            .map(String::from)
            .to_vec(),
        rows,
        numeric: vec![2],
    });
    let balance = input
        .beneficiary
        .consent
        .processing
        .as_ref()
        .and(input.beneficiary.cpf_balance);
    let summary = plan.summary(balance, input.reference, input.today);
    let t = summary.totals;
    let mut totals = vec![
        ("Coût total", t.cost.to_string()),
        ("Accordé", t.granted.to_string()),
        ("Demandé", t.requested.to_string()),
        ("Envisagé", t.envisaged.to_string()),
        ("Reste à financer", t.remaining.to_string()),
    ];
    if t.surplus > Cents::ZERO {
        totals.push(("Excédent", t.surplus.to_string()));
    }
    doc.push(Block::SubHeading("Totaux".into()));
    doc.fields(totals);
    let cpf = &summary.cpf;
    if !cpf.lines.is_empty() {
        doc.push(Block::SubHeading("Compte personnel de formation".into()));
        let mut f = Vec::new();
        if let Some(b) = cpf.balance {
            f.push(("Solde CPF déclaré", b.to_string()));
        }
        f.push(("Engagé sur le CPF", cpf.committed.to_string()));
        if let Some(s) = cpf.shortfall.filter(|s| *s > Cents::ZERO) {
            f.push(("Au-delà du solde", s.to_string()));
        }
        f.push((
            "Participation forfaitaire due",
            cpf.participation_total.to_string(),
        ));
        doc.fields(f);
        doc.push(Block::Bullets(
            cpf.lines
                .iter()
                .map(|l| {
                    format!(
                        "{} : {} ({})",
                        l.step_title, l.participation.amount, l.participation.reason
                    )
                })
                .collect(),
        ));
    }
}

fn immersions(input: &SynthesisInput, doc: &mut Document) {
    if input.immersions.is_empty() {
        return;
    }
    let mut list: Vec<&Immersion> = input.immersions.iter().collect();
    list.sort_by_key(|m| (m.start, m.id));
    doc.heading("Immersions en milieu professionnel");
    doc.push(Block::Table {
        header: ["Métier", "Structure d'accueil", "Du", "Au", "Statut"]
            .map(String::from)
            .to_vec(),
        rows: list
            .iter()
            .map(|m| {
                vec![
                    m.target
                        .as_ref()
                        .map_or("—".into(), |t| format!("{} ({})", t.label, t.rome)),
                    m.host.name.clone(),
                    fmt_date(m.start),
                    fmt_date(m.end),
                    m.status.label().to_string(),
                ]
            })
            .collect(),
        numeric: vec![],
    });
}

/// The next appointment: the first interview planned after `now`, else
/// the file's next follow-up date.
fn next_appointment(input: &SynthesisInput) -> String {
    let next = input
        .interviews
        .iter()
        .filter(|i| i.planned && i.at >= input.now)
        .min_by_key(|i| i.at);
    if let Some(i) = next {
        let local = i.at.with_timezone(&chrono::Local);
        return format!(
            "{} à {} ({})",
            fmt_long_day(local.date_naive()),
            local.format("%H:%M"),
            i.mode.label()
        );
    }
    match input
        .beneficiary
        .next_follow_up
        .filter(|d| *d >= input.today)
    {
        Some(d) => format!("{} (date à confirmer)", fmt_long_day(d)),
        None => "à convenir".into(),
    }
}

/// The synthesis document (pure).
pub fn build(input: &SynthesisInput) -> Document {
    let b = input.beneficiary;
    let mut doc = Document::new("Synthèse de votre accompagnement");
    doc.subtitle = format!(
        "{} {} — conseil en évolution professionnelle, le {}",
        b.first_name,
        b.last_name.to_uppercase(),
        fmt_date(input.today)
    );
    situation(input, &mut doc);
    project(input, &mut doc);
    match input.plan {
        Some(p) => {
            doc.push(Block::Paragraph(format!(
                "Parcours commencé le {}.",
                fmt_date(p.started_on)
            )));
            action_plan(p, &mut doc);
            financing(input, p, &mut doc);
        }
        None => {
            doc.heading("Plan d'action");
            doc.paragraph("Le plan d'action reste à construire.");
        }
    }
    immersions(input, &mut doc);
    doc.heading("Prochain rendez-vous");
    doc.paragraph(&next_appointment(input));
    let who = match (input.author.advisor.trim(), input.author.structure.trim()) {
        ("", "") => "votre conseiller ou conseillère en évolution professionnelle".to_string(),
        (a, "") => a.to_string(),
        ("", s) => s.to_string(),
        (a, s) => format!("{a}, {s}"),
    };
    doc.footer = format!(
        "Document établi le {} par {who}. Il vous appartient : vous seul décidez de le \
         transmettre.",
        fmt_date(input.today)
    );
    doc
}

/// Why a synthesis was not written.
#[derive(Debug, thiserror::Error)]
pub enum SynthesisError {
    #[error("aucun dossier ne porte l'identifiant {0}")]
    NotFound(Id),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("données de référence illisibles : {0}")]
    Reference(String),
}

/// Reads what the synthesis of file `id` needs and builds it.
pub fn load(
    store: &Store,
    id: Id,
    author: &Author,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Document, SynthesisError> {
    let b = store.beneficiary(id)?.ok_or(SynthesisError::NotFound(id))?;
    let plan = store.plan_of(id)?;
    let interviews = store.interviews_of(id)?;
    let immersions = store.immersions_of(id)?;
    let reference = Dispositifs::builtin().map_err(|e| SynthesisError::Reference(e.to_string()))?;
    let branches = crate::catalog::Catalog::builtin_shared()
        .map(|c| c.branches().clone())
        .unwrap_or_default();
    Ok(build(&SynthesisInput {
        beneficiary: &b,
        plan: plan.as_ref(),
        interviews: &interviews,
        immersions: &immersions,
        branches: &branches,
        reference,
        author,
        today,
        now,
    }))
}

/// Folder of the documents written from the TUI: `DATA/documents`.
pub fn documents_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("documents")
}

/// `synthese-1a2b3c4d-2026-11-28.html`: the short id, not the name (file
/// names show in listings and backups of the folder).
pub fn file_name(id: Id, today: NaiveDate, format: Format) -> String {
    format!(
        "synthese-{}-{}.{}",
        id.short(),
        today.format("%Y-%m-%d"),
        format.extension()
    )
}

/// Writes the synthesis of `id` (0600, atomically) at `path`, or in
/// `DATA/documents` (created 0700) under [`file_name`]; returns the path.
pub fn write(
    store: &Store,
    id: Id,
    format: Format,
    author: &Author,
    path: Option<&Path>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<PathBuf, SynthesisError> {
    let doc = load(store, id, author, today, now)?;
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let dir = documents_dir(store.paths().data_dir());
            crate::store::files::ensure_private_dir(&dir)?;
            dir.join(file_name(id, today, format))
        }
    };
    let text = super::document::render(&doc, format);
    crate::store::files::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests;
