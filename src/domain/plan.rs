//! The reconversion plan (parcours): ranked target métiers, ordered steps,
//! their funding, the plan-specific facts the eligibility rules need, and the
//! figures the Parcours screen shows (totals, CPF picture).
//!
//! `Plan` is stored (bincode, positional): add enum variants only at the end
//! and never reorder fields without a new store version. The layout before
//! this one is frozen in [`v1`] with a conversion.

use super::beneficiary::Meta;
use super::dispositif::{Dispositif, Dispositifs, Funder, Parameter};
use super::id::Id;
use super::metier::TargetMetier;
use super::money::Cents;
use super::time::{fmt_date, serde_days, serde_opt_days};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a step is. Stored: add variants only at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Information,
    BilanCompetences,
    Immersion,
    Formation,
    Vae,
    Certification,
    PeriodeReconversion,
    Ptp,
    DemissionReconversion,
    RechercheEmploi,
    SeanceInformation,
    Autre,
}

impl StepKind {
    pub const ALL: [StepKind; 12] = [
        StepKind::Information,
        StepKind::BilanCompetences,
        StepKind::Immersion,
        StepKind::Formation,
        StepKind::Vae,
        StepKind::Certification,
        StepKind::PeriodeReconversion,
        StepKind::Ptp,
        StepKind::DemissionReconversion,
        StepKind::RechercheEmploi,
        StepKind::SeanceInformation,
        StepKind::Autre,
    ];

    pub fn id(self) -> &'static str {
        match self {
            StepKind::Information => "information",
            StepKind::BilanCompetences => "bilan_competences",
            StepKind::Immersion => "immersion",
            StepKind::Formation => "formation",
            StepKind::Vae => "vae",
            StepKind::Certification => "certification",
            StepKind::PeriodeReconversion => "periode_reconversion",
            StepKind::Ptp => "ptp",
            StepKind::DemissionReconversion => "demission_reconversion",
            StepKind::RechercheEmploi => "recherche_emploi",
            StepKind::SeanceInformation => "seance_information",
            StepKind::Autre => "autre",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StepKind::Information => "information",
            StepKind::BilanCompetences => "bilan de compétences",
            StepKind::Immersion => "immersion",
            StepKind::Formation => "formation",
            StepKind::Vae => "VAE",
            StepKind::Certification => "certification",
            StepKind::PeriodeReconversion => "période de reconversion",
            StepKind::Ptp => "PTP",
            StepKind::DemissionReconversion => "démission-reconversion",
            StepKind::RechercheEmploi => "recherche d'emploi",
            StepKind::SeanceInformation => "séance d'information",
            StepKind::Autre => "autre",
        }
    }

    /// The dispositif this kind of step belongs to, where there is one.
    pub fn dispositif(self) -> Option<Dispositif> {
        match self {
            StepKind::BilanCompetences => Some(Dispositif::BilanCompetences),
            StepKind::Immersion => Some(Dispositif::Pmsmp),
            StepKind::Vae => Some(Dispositif::Vae),
            StepKind::PeriodeReconversion => Some(Dispositif::PeriodeReconversion),
            StepKind::Ptp => Some(Dispositif::Ptp),
            StepKind::DemissionReconversion => Some(Dispositif::DemissionReconversion),
            _ => None,
        }
    }

    pub fn from_id(id: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// Progress of a step. Stored: add variants only at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    AFaire,
    EnCours,
    Fait,
    EnAttente,
    Abandonne,
}

impl StepStatus {
    pub const ALL: [StepStatus; 5] = [
        StepStatus::AFaire,
        StepStatus::EnCours,
        StepStatus::Fait,
        StepStatus::EnAttente,
        StepStatus::Abandonne,
    ];

    pub fn id(self) -> &'static str {
        match self {
            StepStatus::AFaire => "a_faire",
            StepStatus::EnCours => "en_cours",
            StepStatus::Fait => "fait",
            StepStatus::EnAttente => "en_attente",
            StepStatus::Abandonne => "abandonne",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StepStatus::AFaire => "à faire",
            StepStatus::EnCours => "en cours",
            StepStatus::Fait => "fait",
            StepStatus::EnAttente => "en attente",
            StepStatus::Abandonne => "abandonné",
        }
    }

    /// One-cell marker for lists (`✓ 14/11 Entretien…`); « ▶ » is the
    /// lists' cursor, so « en cours » is a half-filled circle.
    pub fn symbol(self) -> &'static str {
        match self {
            StepStatus::AFaire => "○",
            StepStatus::EnCours => "◐",
            StepStatus::Fait => "✓",
            StepStatus::EnAttente => "…",
            StepStatus::Abandonne => "✗",
        }
    }

    /// Done or dropped: nothing more to do, never overdue.
    pub fn is_closed(self) -> bool {
        matches!(self, StepStatus::Fait | StepStatus::Abandonne)
    }

    pub fn from_id(id: &str) -> Option<StepStatus> {
        StepStatus::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// State of a funding request. Stored: add variants only at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundingStatus {
    Envisage,
    Demande,
    Accorde,
    Refuse,
}

impl FundingStatus {
    pub const ALL: [FundingStatus; 4] = [
        FundingStatus::Envisage,
        FundingStatus::Demande,
        FundingStatus::Accorde,
        FundingStatus::Refuse,
    ];

    pub fn id(self) -> &'static str {
        match self {
            FundingStatus::Envisage => "envisage",
            FundingStatus::Demande => "demande",
            FundingStatus::Accorde => "accorde",
            FundingStatus::Refuse => "refuse",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FundingStatus::Envisage => "envisagé",
            FundingStatus::Demande => "demandé",
            FundingStatus::Accorde => "accordé",
            FundingStatus::Refuse => "refusé",
        }
    }

    pub fn from_id(id: &str) -> Option<FundingStatus> {
        FundingStatus::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// One source of money for a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingLine {
    pub funder: Funder,
    pub amount: Cents,
    pub status: FundingStatus,
    /// Date of the funder's decision (granted or refused).
    #[serde(with = "serde_opt_days")]
    pub decided_on: Option<NaiveDate>,
}

impl FundingLine {
    /// A line as first written down: envisagé, no decision.
    pub fn envisaged(funder: Funder, amount: Cents) -> FundingLine {
        FundingLine {
            funder,
            amount,
            status: FundingStatus::Envisage,
            decided_on: None,
        }
    }
}

/// A target métier of the plan, ranked by its position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTarget {
    /// OGR code of the appellation (may be a synthetic fiche-level code).
    pub ogr: u32,
    pub rome: String,
    pub label: String,
    /// The advisor's note (why this métier, what is left to explore).
    pub note: String,
}

impl PlanTarget {
    pub fn new(ogr: u32, rome: &str, label: &str) -> PlanTarget {
        PlanTarget {
            ogr,
            rome: rome.to_string(),
            label: label.to_string(),
            note: String::new(),
        }
    }

    /// Same métier (same appellation of the same fiche).
    pub fn same_metier(&self, other: &PlanTarget) -> bool {
        self.ogr == other.ogr && self.rome == other.rome
    }
}

impl From<TargetMetier> for PlanTarget {
    fn from(t: TargetMetier) -> PlanTarget {
        PlanTarget {
            ogr: t.ogr,
            rome: t.rome,
            label: t.label,
            note: String::new(),
        }
    }
}

/// One step of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub id: Id,
    pub kind: StepKind,
    pub title: String,
    /// Provider, host or body in charge (free text).
    pub organisation: String,
    #[serde(with = "serde_opt_days")]
    pub start: Option<NaiveDate>,
    #[serde(with = "serde_opt_days")]
    pub end: Option<NaiveDate>,
    /// Deadline for a one-off step (file to send, appointment).
    #[serde(with = "serde_opt_days")]
    pub due: Option<NaiveDate>,
    pub hours: Option<u32>,
    pub cost: Cents,
    pub status: StepStatus,
    pub notes: String,
    pub funding: Vec<FundingLine>,
    /// The immersion record this step stands for, if any.
    pub immersion: Option<Id>,
}

impl Step {
    /// An empty step to fill: à faire, no dates, no cost.
    pub fn new(id: Id, kind: StepKind, title: &str) -> Step {
        Step {
            id,
            kind,
            title: title.to_string(),
            organisation: String::new(),
            start: None,
            end: None,
            due: None,
            hours: None,
            cost: Cents::ZERO,
            status: StepStatus::AFaire,
            notes: String::new(),
            funding: Vec::new(),
            immersion: None,
        }
    }

    /// Not abandoned: counts in totals and rules.
    pub fn is_active(&self) -> bool {
        self.status != StepStatus::Abandonne
    }

    /// The date to sort and show the step by: start, else due, else end.
    pub fn date(&self) -> Option<NaiveDate> {
        self.start.or(self.due).or(self.end)
    }

    /// The date after which an open step is late: due, else end.
    pub fn deadline(&self) -> Option<NaiveDate> {
        self.due.or(self.end)
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.status.is_closed() && self.deadline().is_some_and(|d| d < today)
    }

    /// Appends a funding line; returns its index.
    pub fn add_funding(&mut self, line: FundingLine) -> usize {
        self.funding.push(line);
        self.funding.len() - 1
    }

    /// Removes the funding line at `index`.
    pub fn remove_funding(&mut self, index: usize) -> Option<FundingLine> {
        (index < self.funding.len()).then(|| self.funding.remove(index))
    }

    /// Sum of this step's lines in `status`.
    pub fn funded(&self, status: FundingStatus) -> Cents {
        self.funding
            .iter()
            .filter(|f| f.status == status)
            .fold(Cents::ZERO, |a, f| a + f.amount)
    }

    /// What an advisor should fix before saving, in French; empty when fine.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.title.trim().is_empty() {
            out.push("intitulé de l'étape obligatoire".to_string());
        }
        if let (Some(s), Some(e)) = (self.start, self.end) {
            if e < s {
                out.push(format!(
                    "la fin ({}) précède le début ({})",
                    fmt_date(e),
                    fmt_date(s)
                ));
            }
        }
        if self.hours == Some(0) {
            out.push("nombre d'heures nul : laissez vide s'il est inconnu".to_string());
        }
        if self.cost.0 < 0 {
            out.push("le coût ne peut pas être négatif".to_string());
        }
        for (i, f) in self.funding.iter().enumerate() {
            if f.amount.0 < 0 {
                out.push(format!(
                    "financement {} ({}) : montant négatif",
                    i + 1,
                    f.funder.label()
                ));
            }
        }
        out
    }
}

/// Plan-specific facts the eligibility rules need and the beneficiary record
/// does not hold. `None` means unknown. Stored: append fields only with a new
/// store version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityFacts {
    /// Days worked over the last 60 months (démission-reconversion).
    pub days_worked_last_60_months: Option<u32>,
    /// Months as an employee over the last 5 years (PTP, CDD rule).
    pub months_employee_last_5_years: Option<u16>,
    /// Months on CDD over the last 12 months (PTP, CDD rule).
    pub months_cdd_last_12_months: Option<u16>,
    /// RQTH or other bénéficiaire de l'obligation d'emploi (BOETH): no PTP
    /// seniority condition.
    pub boeth: Option<bool>,
    /// Laid off for economic reasons or unfitness, no training since: no PTP
    /// seniority condition.
    pub dismissed_without_training: Option<bool>,
    /// Occupational illness, or ≥ 6 months off for accident or illness, in
    /// the 24 months before the PTP request: no seniority condition.
    pub long_absence_last_24_months: Option<bool>,
    /// Written agreement between employer and employee for a période de
    /// reconversion.
    pub employer_agreement: Option<bool>,
    /// A company or branch agreement extends the période de reconversion
    /// (up to 2,100 h over 36 months).
    pub extending_agreement: Option<bool>,
    /// Planned (or actual) resignation date (démission-reconversion).
    #[serde(with = "serde_opt_days")]
    pub resignation_on: Option<NaiveDate>,
    /// Date of Transitions Pro's attestation du caractère réel et sérieux.
    #[serde(with = "serde_opt_days")]
    pub attestation_on: Option<NaiveDate>,
    /// Registered with France Travail from this date (CPF participation
    /// exemption from then on).
    #[serde(with = "serde_opt_days")]
    pub job_seeker_from: Option<NaiveDate>,
    /// The training is paid with C2P points (exempts the CPF participation).
    pub cpf_c2p: Option<bool>,
    /// AT/MP victim (≥ 10 % incapacity) using the reconversion abondement
    /// (exempts the CPF participation).
    pub cpf_at_mp: Option<bool>,
}

/// The reconversion plan of one beneficiary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: Id,
    pub beneficiary: Id,
    /// The date the plan was begun: decides the legacy dispositifs (Pro-A,
    /// Transitions collectives are open only to plans begun before 2026).
    #[serde(with = "serde_days")]
    pub started_on: NaiveDate,
    /// Ranked: the first is the preferred métier.
    pub targets: Vec<PlanTarget>,
    /// In the advisor's order.
    pub steps: Vec<Step>,
    pub facts: EligibilityFacts,
    pub meta: Meta,
}

/// Moves `v[index]` one place up (towards 0) or down; false at the edge.
fn move_item<T>(v: &mut [T], index: usize, up: bool) -> bool {
    let other = if up {
        index.checked_sub(1)
    } else {
        index.checked_add(1)
    };
    match other {
        Some(o) if o < v.len() && index < v.len() => {
            v.swap(index, o);
            true
        }
        _ => false,
    }
}

impl Plan {
    /// Adds the step « immersion » that stands for `imm` in the plan
    /// (kind, title from its métier, host, dates, hours, the link to it):
    /// the one place where an immersion becomes a step of the plan.
    pub fn link_immersion(&mut self, imm: &super::Immersion, step_id: Id) {
        let title = match &imm.target {
            Some(t) => format!("Immersion : {}", t.label),
            None => "Immersion en milieu professionnel (PMSMP)".to_string(),
        };
        let mut step = Step::new(step_id, StepKind::Immersion, &title);
        step.organisation = imm.host.name.trim().to_string();
        step.start = Some(imm.start);
        step.end = Some(imm.end);
        step.hours = Some(imm.total_minutes().div_ceil(60)).filter(|h| *h > 0);
        step.immersion = Some(imm.id);
        self.add_step(step);
    }

    pub fn new(id: Id, beneficiary: Id, started_on: NaiveDate, meta: Meta) -> Plan {
        Plan {
            id,
            beneficiary,
            started_on,
            targets: Vec::new(),
            steps: Vec::new(),
            facts: EligibilityFacts::default(),
            meta,
        }
    }

    // ----- targets ---------------------------------------------------------

    /// Adds a target at the end, once; false when the métier is already there.
    pub fn add_target(&mut self, t: PlanTarget) -> bool {
        if self.targets.iter().any(|x| x.same_metier(&t)) {
            return false;
        }
        self.targets.push(t);
        true
    }

    /// Position of a métier among the targets.
    pub fn target_position(&self, ogr: u32, rome: &str) -> Option<usize> {
        self.targets
            .iter()
            .position(|t| t.ogr == ogr && t.rome == rome)
    }

    pub fn remove_target(&mut self, index: usize) -> Option<PlanTarget> {
        (index < self.targets.len()).then(|| self.targets.remove(index))
    }

    /// Puts a removed target back (undo); `index` is clamped.
    pub fn insert_target(&mut self, index: usize, t: PlanTarget) {
        let i = index.min(self.targets.len());
        self.targets.insert(i, t);
    }

    pub fn move_target_up(&mut self, index: usize) -> bool {
        move_item(&mut self.targets, index, true)
    }

    pub fn move_target_down(&mut self, index: usize) -> bool {
        move_item(&mut self.targets, index, false)
    }

    // ----- steps -----------------------------------------------------------

    pub fn step_position(&self, id: Id) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    pub fn step(&self, id: Id) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn step_mut(&mut self, id: Id) -> Option<&mut Step> {
        self.steps.iter_mut().find(|s| s.id == id)
    }

    /// Appends a step.
    pub fn add_step(&mut self, step: Step) {
        self.steps.push(step);
    }

    /// Appends the steps of a template.
    pub fn add_steps(&mut self, steps: impl IntoIterator<Item = Step>) {
        self.steps.extend(steps);
    }

    /// Inserts a step at `index` (clamped): undo of a delete.
    pub fn insert_step(&mut self, index: usize, step: Step) {
        let i = index.min(self.steps.len());
        self.steps.insert(i, step);
    }

    /// Replaces the step with the same id (an edit); returns the old one.
    pub fn replace_step(&mut self, step: Step) -> Option<Step> {
        let slot = self.step_mut(step.id)?;
        Some(std::mem::replace(slot, step))
    }

    /// Removes a step; returns where it was, for undo.
    pub fn remove_step(&mut self, id: Id) -> Option<(usize, Step)> {
        let i = self.step_position(id)?;
        Some((i, self.steps.remove(i)))
    }

    pub fn move_step_up(&mut self, id: Id) -> bool {
        self.step_position(id)
            .is_some_and(|i| move_item(&mut self.steps, i, true))
    }

    pub fn move_step_down(&mut self, id: Id) -> bool {
        self.step_position(id)
            .is_some_and(|i| move_item(&mut self.steps, i, false))
    }

    /// Sets a step's status; returns the previous one (for the timeline),
    /// or None when the step does not exist.
    pub fn set_step_status(&mut self, id: Id, status: StepStatus) -> Option<StepStatus> {
        let s = self.step_mut(id)?;
        Some(std::mem::replace(&mut s.status, status))
    }

    /// Open steps whose deadline is before `today`.
    pub fn overdue_steps(&self, today: NaiveDate) -> Vec<&Step> {
        self.steps.iter().filter(|s| s.is_overdue(today)).collect()
    }

    // ----- figures ---------------------------------------------------------

    /// Money figures of the whole plan; see [`FundingTotals`].
    pub fn totals(&self) -> FundingTotals {
        self.steps
            .iter()
            .filter(|s| s.is_active())
            .map(FundingTotals::of_step)
            .fold(FundingTotals::default(), FundingTotals::add)
    }

    /// Totals and CPF picture together (screen, `parcours voir --json`).
    pub fn summary(
        &self,
        balance: Option<Cents>,
        reference: &Dispositifs,
        today: NaiveDate,
    ) -> PlanSummary {
        PlanSummary {
            totals: self.totals(),
            cpf: self.cpf_picture(balance, reference, today),
        }
    }

    /// The CPF picture; see [`CpfPicture`]. `balance` comes from the
    /// beneficiary; `today` dates the lines that have no other date.
    pub fn cpf_picture(
        &self,
        balance: Option<Cents>,
        reference: &Dispositifs,
        today: NaiveDate,
    ) -> CpfPicture {
        CpfPicture::compute(&self.steps, &self.facts, balance, reference, today)
    }
}

/// Everything `parcours voir` shows besides the plan itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    #[serde(rename = "totaux")]
    pub totals: FundingTotals,
    pub cpf: CpfPicture,
}

/// Money figures of a step or a plan, in cents.
///
/// Only active steps count (an abandoned step's cost and lines are left out).
/// Per step, `remaining = max(0, cost − granted − requested)` and
/// `surplus = max(0, granted + requested − cost)`; the plan's figures are the
/// sums over its steps, so one step's surplus never hides another's gap, and
/// `remaining − surplus = cost − granted − requested` always holds.
/// Envisaged lines are shown but do not reduce what remains to find; refused
/// lines count nowhere but in `refused`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FundingTotals {
    #[serde(rename = "cout_total")]
    pub cost: Cents,
    #[serde(rename = "accorde")]
    pub granted: Cents,
    #[serde(rename = "demande")]
    pub requested: Cents,
    #[serde(rename = "envisage")]
    pub envisaged: Cents,
    #[serde(rename = "refuse")]
    pub refused: Cents,
    /// Never negative.
    #[serde(rename = "reste_a_financer")]
    pub remaining: Cents,
    /// Never negative.
    #[serde(rename = "excedent")]
    pub surplus: Cents,
}

impl FundingTotals {
    pub fn of_step(s: &Step) -> FundingTotals {
        let granted = s.funded(FundingStatus::Accorde);
        let requested = s.funded(FundingStatus::Demande);
        let balance = s.cost - granted - requested;
        FundingTotals {
            cost: s.cost,
            granted,
            requested,
            envisaged: s.funded(FundingStatus::Envisage),
            refused: s.funded(FundingStatus::Refuse),
            remaining: balance.max(Cents::ZERO),
            surplus: (Cents::ZERO - balance).max(Cents::ZERO),
        }
    }

    fn add(self, o: FundingTotals) -> FundingTotals {
        FundingTotals {
            cost: self.cost + o.cost,
            granted: self.granted + o.granted,
            requested: self.requested + o.requested,
            envisaged: self.envisaged + o.envisaged,
            refused: self.refused + o.refused,
            remaining: self.remaining + o.remaining,
            surplus: self.surplus + o.surplus,
        }
    }
}

/// Which date a CPF line is valued at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CpfDateBasis {
    /// The line's decision date.
    Decision,
    /// The step's start.
    StepStart,
    /// Neither is known: the caller's "today".
    Today,
}

impl CpfDateBasis {
    pub fn id(self) -> &'static str {
        match self {
            CpfDateBasis::Decision => "decision",
            CpfDateBasis::StepStart => "step_start",
            CpfDateBasis::Today => "today",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CpfDateBasis::Decision => "date de décision",
            CpfDateBasis::StepStart => "début de l'étape",
            CpfDateBasis::Today => "aujourd'hui",
        }
    }
}

/// Why no participation forfaitaire is due on a CPF line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CpfExemption {
    /// An employer, branch or OPCO line (not refused) on the same step.
    CoFinancing(Funder),
    /// Registered with France Travail at the line's date.
    JobSeeker,
    /// Paid with C2P points.
    C2p,
    /// AT/MP victim using the reconversion abondement.
    AtMp,
}

impl CpfExemption {
    pub fn id(self) -> &'static str {
        match self {
            CpfExemption::CoFinancing(_) => "cofinancement",
            CpfExemption::JobSeeker => "demandeur_emploi",
            CpfExemption::C2p => "c2p",
            CpfExemption::AtMp => "at_mp",
        }
    }

    pub fn label(self) -> String {
        match self {
            CpfExemption::CoFinancing(f) => {
                format!("cofinancement « {} » sur la même étape", f.label())
            }
            CpfExemption::JobSeeker => "demandeur d'emploi à cette date".to_string(),
            CpfExemption::C2p => "points du compte professionnel de prévention (C2P)".to_string(),
            CpfExemption::AtMp => "abondement AT/MP (incapacité d'au moins 10 %)".to_string(),
        }
    }
}

/// The participation forfaitaire of one CPF line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Participation {
    /// Zero when exempt, not yet in force, refused, or unknown.
    #[serde(rename = "montant")]
    pub amount: Cents,
    #[serde(rename = "exoneration")]
    pub exemption: Option<CpfExemption>,
    /// From when the amount applies (None when exempt or unknown).
    #[serde(rename = "depuis")]
    pub since: Option<NaiveDate>,
    /// Why, in French.
    #[serde(rename = "raison")]
    pub reason: String,
}

/// One CPF funding line and its participation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CpfLine {
    #[serde(rename = "etape")]
    pub step: Id,
    #[serde(rename = "intitule")]
    pub step_title: String,
    /// Index of the line in the step's `funding`.
    #[serde(rename = "ligne")]
    pub index: usize,
    #[serde(rename = "montant")]
    pub amount: Cents,
    #[serde(rename = "statut")]
    pub status: FundingStatus,
    /// The date the participation is looked up at.
    pub date: NaiveDate,
    #[serde(rename = "base_date")]
    pub date_basis: CpfDateBasis,
    pub participation: Participation,
}

/// The CPF side of the plan: balance vs CPF lines, and the participation
/// forfaitaire due per line.
///
/// Rules:
/// - only active steps count; refused lines are listed but commit nothing and
///   owe nothing;
/// - a line is valued at its decision date, else its step's start, else
///   `today` (given by the caller);
/// - the participation is the amount in force on that date, unless an
///   employer / branch / OPCO line that is not refused sits on the same step
///   (even envisaged: the picture is a forecast), the beneficiary is a job
///   seeker on that date, or the C2P / AT-MP flags of the plan's facts are
///   set. Before 2 May 2024 the reference holds a zero with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CpfPicture {
    /// From the beneficiary's file; None when unknown.
    #[serde(rename = "solde")]
    pub balance: Option<Cents>,
    /// CPF lines not refused.
    #[serde(rename = "engage")]
    pub committed: Cents,
    /// CPF lines granted.
    #[serde(rename = "accorde")]
    pub granted: Cents,
    /// `max(0, committed − balance)` when the balance is known.
    #[serde(rename = "manque")]
    pub shortfall: Option<Cents>,
    /// `max(0, balance − committed)` when the balance is known.
    #[serde(rename = "solde_restant")]
    pub balance_left: Option<Cents>,
    /// Sum of the participations due.
    #[serde(rename = "participation_totale")]
    pub participation_total: Cents,
    #[serde(rename = "lignes")]
    pub lines: Vec<CpfLine>,
}

impl CpfPicture {
    /// The picture of `steps` (see [`Plan::cpf_picture`]).
    pub fn compute(
        steps: &[Step],
        facts: &EligibilityFacts,
        balance: Option<Cents>,
        reference: &Dispositifs,
        today: NaiveDate,
    ) -> Self {
        let mut lines = Vec::new();
        for step in steps.iter().filter(|s| s.is_active()) {
            let co_financing = step
                .funding
                .iter()
                .filter(|f| f.status != FundingStatus::Refuse)
                .map(|f| f.funder)
                .find(|f| reference.funder(*f).exempts_cpf_participation);
            for (index, line) in step.funding.iter().enumerate() {
                if line.funder != Funder::Cpf {
                    continue;
                }
                let (date, date_basis) = match (line.decided_on, step.start) {
                    (Some(d), _) => (d, CpfDateBasis::Decision),
                    (None, Some(d)) => (d, CpfDateBasis::StepStart),
                    (None, None) => (today, CpfDateBasis::Today),
                };
                let participation = if line.status == FundingStatus::Refuse {
                    Participation {
                        amount: Cents::ZERO,
                        exemption: None,
                        since: None,
                        reason: "ligne refusée : pas de participation".to_string(),
                    }
                } else {
                    participation(facts, co_financing, date, reference)
                };
                lines.push(CpfLine {
                    step: step.id,
                    step_title: step.title.clone(),
                    index,
                    amount: line.amount,
                    status: line.status,
                    date,
                    date_basis,
                    participation,
                });
            }
        }
        let sum = |keep: &dyn Fn(&CpfLine) -> bool| {
            lines
                .iter()
                .filter(|l| keep(l))
                .fold(Cents::ZERO, |a, l| a + l.amount)
        };
        let committed = sum(&|l| l.status != FundingStatus::Refuse);
        let granted = sum(&|l| l.status == FundingStatus::Accorde);
        let participation_total = lines
            .iter()
            .fold(Cents::ZERO, |a, l| a + l.participation.amount);
        CpfPicture {
            balance,
            committed,
            granted,
            shortfall: balance.map(|b| (committed - b).max(Cents::ZERO)),
            balance_left: balance.map(|b| (b - committed).max(Cents::ZERO)),
            participation_total,
            lines,
        }
    }
}

/// The participation due on a (not refused) CPF line dated `date`.
fn participation(
    facts: &EligibilityFacts,
    co_financing: Option<Funder>,
    date: NaiveDate,
    reference: &Dispositifs,
) -> Participation {
    let exemption = co_financing
        .map(CpfExemption::CoFinancing)
        .or_else(|| {
            facts
                .job_seeker_from
                .is_some_and(|d| d <= date)
                .then_some(CpfExemption::JobSeeker)
        })
        .or_else(|| (facts.cpf_c2p == Some(true)).then_some(CpfExemption::C2p))
        .or_else(|| (facts.cpf_at_mp == Some(true)).then_some(CpfExemption::AtMp));
    if let Some(e) = exemption {
        return Participation {
            amount: Cents::ZERO,
            exemption: Some(e),
            since: None,
            reason: format!("exonérée : {}", e.label()),
        };
    }
    let series = reference.series(Parameter::CpfParticipationForfaitaire);
    match series.value_on(date) {
        Ok(v) => Participation {
            amount: v.cents(),
            exemption: None,
            since: Some(v.from),
            reason: if v.note.is_empty() {
                format!(
                    "participation forfaitaire de {} en vigueur depuis le {} ({})",
                    v.cents(),
                    fmt_date(v.from),
                    v.source
                )
            } else {
                v.note.clone()
            },
        },
        Err(e) => Participation {
            amount: Cents::ZERO,
            exemption: None,
            since: None,
            reason: e.to_string(),
        },
    }
}

/// The plan layout of store format 1, frozen: never change these types.
/// [`Plan`]`: From<v1::Plan>` upgrades a stored one.
pub mod v1 {
    use super::super::beneficiary::Meta;
    use super::super::id::Id;
    use super::super::money::Cents;
    use super::super::time::serde_opt_days;
    use chrono::NaiveDate;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct TargetMetier {
        pub ogr: u32,
        pub rome: String,
        pub label: String,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum StepKind {
        Bilan,
        Immersion,
        Formation,
        Vae,
        Certification,
        PeriodeReconversion,
        Ptp,
        DemissionReconversion,
        RechercheEmploi,
        SeanceInformation,
        Autre,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum StepStatus {
        Todo,
        Doing,
        Done,
        Dropped,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Funder {
        Cpf,
        Ptp,
        PeriodeReconversion,
        PlanDeveloppementCompetences,
        OpcoBranche,
        Employeur,
        Region,
        FranceTravail,
        Personnel,
        ProA,
        TransitionsCollectives,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum FundingStatus {
        Planned,
        Requested,
        Granted,
        Refused,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct FundingLine {
        pub funder: Funder,
        pub amount: Cents,
        pub status: FundingStatus,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Step {
        pub kind: StepKind,
        pub title: String,
        #[serde(with = "serde_opt_days")]
        pub due: Option<NaiveDate>,
        pub status: StepStatus,
        pub cost: Cents,
        pub funding: Vec<FundingLine>,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Plan {
        pub id: Id,
        pub beneficiary: Id,
        pub targets: Vec<TargetMetier>,
        pub steps: Vec<Step>,
        pub meta: Meta,
    }
}

impl From<v1::StepKind> for StepKind {
    fn from(k: v1::StepKind) -> StepKind {
        use v1::StepKind as O;
        match k {
            O::Bilan => StepKind::BilanCompetences,
            O::Immersion => StepKind::Immersion,
            O::Formation => StepKind::Formation,
            O::Vae => StepKind::Vae,
            O::Certification => StepKind::Certification,
            O::PeriodeReconversion => StepKind::PeriodeReconversion,
            O::Ptp => StepKind::Ptp,
            O::DemissionReconversion => StepKind::DemissionReconversion,
            O::RechercheEmploi => StepKind::RechercheEmploi,
            O::SeanceInformation => StepKind::SeanceInformation,
            O::Autre => StepKind::Autre,
        }
    }
}

impl From<v1::StepStatus> for StepStatus {
    fn from(s: v1::StepStatus) -> StepStatus {
        match s {
            v1::StepStatus::Todo => StepStatus::AFaire,
            v1::StepStatus::Doing => StepStatus::EnCours,
            v1::StepStatus::Done => StepStatus::Fait,
            v1::StepStatus::Dropped => StepStatus::Abandonne,
        }
    }
}

impl From<v1::Funder> for Funder {
    /// The old "plan de développement" and "OPCO / branche" funders were
    /// Uniformation's pots; "PTP" was paid by Transitions Pro.
    fn from(f: v1::Funder) -> Funder {
        use v1::Funder as O;
        match f {
            O::Cpf => Funder::Cpf,
            O::Ptp => Funder::TransitionsPro,
            O::PeriodeReconversion => Funder::UniformationPeriodeReconversion,
            O::PlanDeveloppementCompetences => Funder::UniformationPlan,
            O::OpcoBranche => Funder::UniformationFondsConventionnels,
            O::Employeur => Funder::Employeur,
            O::Region => Funder::Region,
            O::FranceTravail => Funder::FranceTravail,
            O::Personnel => Funder::Personnel,
            O::ProA => Funder::ProA,
            O::TransitionsCollectives => Funder::TransitionsCollectives,
        }
    }
}

impl From<v1::FundingStatus> for FundingStatus {
    fn from(s: v1::FundingStatus) -> FundingStatus {
        match s {
            v1::FundingStatus::Planned => FundingStatus::Envisage,
            v1::FundingStatus::Requested => FundingStatus::Demande,
            v1::FundingStatus::Granted => FundingStatus::Accorde,
            v1::FundingStatus::Refused => FundingStatus::Refuse,
        }
    }
}

/// Step ids for a migrated plan (v1 steps had none): the plan's id with its
/// last two bytes xored with `index + 1`. Deterministic (migrating twice gives
/// the same ids), distinct within the plan and never the plan's own id.
fn derived_step_id(plan: Id, index: usize) -> Id {
    let mut b = plan.0;
    let n = (index as u16).wrapping_add(1).to_be_bytes();
    b[14] ^= n[0];
    b[15] ^= n[1];
    Id(b)
}

impl From<v1::Plan> for Plan {
    /// `started_on` is the creation date; the old targets are kept (with an
    /// empty note); facts are unknown.
    fn from(p: v1::Plan) -> Plan {
        let steps = p
            .steps
            .into_iter()
            .enumerate()
            .map(|(i, s)| Step {
                id: derived_step_id(p.id, i),
                kind: s.kind.into(),
                title: s.title,
                organisation: String::new(),
                start: None,
                end: None,
                due: s.due,
                hours: None,
                cost: s.cost,
                status: s.status.into(),
                notes: String::new(),
                funding: s
                    .funding
                    .into_iter()
                    .map(|f| FundingLine {
                        funder: f.funder.into(),
                        amount: f.amount,
                        status: f.status.into(),
                        decided_on: None,
                    })
                    .collect(),
                immersion: None,
            })
            .collect();
        Plan {
            id: p.id,
            beneficiary: p.beneficiary,
            started_on: p.meta.created_at.date_naive(),
            targets: p
                .targets
                .into_iter()
                .map(|t| PlanTarget {
                    ogr: t.ogr,
                    rome: t.rome,
                    label: t.label,
                    note: String::new(),
                })
                .collect(),
            steps,
            facts: EligibilityFacts::default(),
            meta: p.meta,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bincode::Options;
    use chrono::{DateTime, Utc};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(y: i32, m: u32, day: u32) -> DateTime<Utc> {
        d(y, m, day).and_hms_opt(9, 30, 0).unwrap().and_utc()
    }

    fn reference() -> &'static Dispositifs {
        Dispositifs::builtin().unwrap()
    }

    fn id(n: u8) -> Id {
        Id([n; 16])
    }

    fn plan() -> Plan {
        Plan::new(
            id(1),
            id(2),
            d(2026, 3, 2),
            Meta::new(at(2026, 3, 2), "conseil"),
        )
    }

    fn step(n: u8, cost: i64, funding: Vec<FundingLine>) -> Step {
        let mut s = Step::new(id(n), StepKind::Formation, &format!("Étape {n}"));
        s.cost = Cents(cost);
        s.funding = funding;
        s
    }

    fn line(funder: Funder, amount: i64, status: FundingStatus) -> FundingLine {
        FundingLine {
            funder,
            amount: Cents(amount),
            status,
            decided_on: None,
        }
    }

    fn codec() -> impl Options {
        bincode::DefaultOptions::new()
            .with_limit(64 * 1024 * 1024)
            .reject_trailing_bytes()
    }

    #[test]
    fn targets_are_unique_ranked_and_movable() {
        let mut p = plan();
        assert!(p.add_target(PlanTarget::new(1, "K1202", "EJE")));
        assert!(p.add_target(PlanTarget::new(2, "J1304", "Auxiliaire de puériculture")));
        assert!(p.add_target(PlanTarget::new(3, "K1207", "Animateur")));
        let mut dup = PlanTarget::new(2, "J1304", "autre libellé");
        dup.note = "doublon".into();
        assert!(!p.add_target(dup));
        // Same OGR under another fiche is another métier.
        assert!(p.add_target(PlanTarget::new(2, "J1305", "Autre fiche")));
        assert_eq!(p.targets.len(), 4);
        assert_eq!(p.target_position(3, "K1207"), Some(2));
        assert!(p.move_target_up(2));
        assert_eq!(p.target_position(3, "K1207"), Some(1));
        assert!(!p.move_target_up(0), "the first cannot go up");
        assert!(!p.move_target_down(3), "the last cannot go down");
        assert!(!p.move_target_down(9));
        assert!(p.move_target_down(0));
        let labels: Vec<&str> = p.targets.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Animateur",
                "EJE",
                "Auxiliaire de puériculture",
                "Autre fiche"
            ]
        );
        let removed = p.remove_target(1).unwrap();
        assert_eq!(removed.label, "EJE");
        assert_eq!(p.remove_target(7), None);
        p.insert_target(1, removed);
        assert_eq!(p.targets[1].label, "EJE");
        p.insert_target(99, PlanTarget::new(9, "A1101", "Fin"));
        assert_eq!(p.targets.last().unwrap().label, "Fin");
        let from_beneficiary: PlanTarget = TargetMetier {
            ogr: 5,
            rome: "K1202".into(),
            label: "EJE".into(),
        }
        .into();
        assert_eq!(from_beneficiary, PlanTarget::new(5, "K1202", "EJE"));
    }

    #[test]
    fn steps_are_added_edited_reordered_and_deleted_with_undo() {
        let mut p = plan();
        p.add_step(step(10, 0, vec![]));
        p.add_steps([step(11, 0, vec![]), step(12, 0, vec![])]);
        let order = |p: &Plan| p.steps.iter().map(|s| s.id.0[0]).collect::<Vec<_>>();
        assert_eq!(order(&p), [10, 11, 12]);
        assert!(p.move_step_up(id(12)));
        assert_eq!(order(&p), [10, 12, 11]);
        assert!(!p.move_step_up(id(10)));
        assert!(!p.move_step_down(id(11)));
        assert!(!p.move_step_down(id(99)), "unknown step");
        assert!(p.move_step_down(id(10)));
        assert_eq!(order(&p), [12, 10, 11]);
        // Edit: replace by id, the old one comes back for undo.
        let mut edited = p.step(id(10)).unwrap().clone();
        edited.title = "Formation DE EJE".into();
        let old = p.replace_step(edited).unwrap();
        assert_eq!(old.title, "Étape 10");
        assert_eq!(p.step(id(10)).unwrap().title, "Formation DE EJE");
        assert_eq!(p.replace_step(step(98, 0, vec![])), None);
        // Delete, then undo puts it back in place.
        let (pos, removed) = p.remove_step(id(10)).unwrap();
        assert_eq!(pos, 1);
        assert_eq!(order(&p), [12, 11]);
        assert_eq!(p.remove_step(id(10)), None);
        p.insert_step(pos, removed);
        assert_eq!(order(&p), [12, 10, 11]);
        // Status changes report the previous status, for the timeline.
        assert_eq!(
            p.set_step_status(id(10), StepStatus::EnCours),
            Some(StepStatus::AFaire)
        );
        assert_eq!(
            p.set_step_status(id(10), StepStatus::Fait),
            Some(StepStatus::EnCours)
        );
        assert_eq!(p.set_step_status(id(77), StepStatus::Fait), None);
    }

    #[test]
    fn overdue_steps_are_open_and_past_their_deadline() {
        let mut p = plan();
        let today = d(2026, 5, 10);
        let mut late = step(1, 0, vec![]);
        late.due = Some(d(2026, 5, 9));
        let mut due_today = step(2, 0, vec![]);
        due_today.due = Some(today);
        let mut done = step(3, 0, vec![]);
        done.due = Some(d(2026, 1, 1));
        done.status = StepStatus::Fait;
        let mut ended = step(4, 0, vec![]);
        ended.start = Some(d(2026, 1, 1));
        ended.end = Some(d(2026, 4, 30));
        ended.status = StepStatus::EnCours;
        let mut dropped = step(5, 0, vec![]);
        dropped.end = Some(d(2026, 1, 1));
        dropped.status = StepStatus::Abandonne;
        p.add_steps([late, due_today, done, ended, dropped]);
        let ids: Vec<u8> = p.overdue_steps(today).iter().map(|s| s.id.0[0]).collect();
        assert_eq!(ids, [1, 4]);
        assert_eq!(p.steps[3].date(), Some(d(2026, 1, 1)));
    }

    #[test]
    fn step_problems_are_explained_in_french() {
        let mut s = step(
            1,
            -5,
            vec![line(Funder::Region, -1, FundingStatus::Demande)],
        );
        s.title = "  ".into();
        s.start = Some(d(2026, 6, 2));
        s.end = Some(d(2026, 6, 1));
        s.hours = Some(0);
        assert_eq!(
            s.problems(),
            vec![
                "intitulé de l'étape obligatoire",
                "la fin (01/06/2026) précède le début (02/06/2026)",
                "nombre d'heures nul : laissez vide s'il est inconnu",
                "le coût ne peut pas être négatif",
                "financement 1 (Région) : montant négatif",
            ]
        );
        s.title = "Bilan".into();
        s.end = Some(d(2026, 6, 2));
        s.hours = Some(24);
        s.cost = Cents(0);
        s.funding[0].amount = Cents(0);
        assert!(s.problems().is_empty());
        assert_eq!(
            s.add_funding(line(Funder::Cpf, 1, FundingStatus::Envisage)),
            1
        );
        assert_eq!(s.remove_funding(0).unwrap().funder, Funder::Region);
        assert_eq!(s.remove_funding(5), None);
        assert_eq!(s.funding.len(), 1);
    }

    #[test]
    fn totals_in_cents() {
        let mut p = plan();
        // The Parcours screen example: 6 450,00 € cost, 1 200,00 € granted,
        // 4 000,00 € requested, 1 250,00 € left to find.
        p.add_step(step(
            1,
            120_000,
            vec![line(Funder::Cpf, 120_000, FundingStatus::Accorde)],
        ));
        p.add_step(step(
            2,
            525_001,
            vec![
                line(
                    Funder::UniformationPeriodeReconversion,
                    400_000,
                    FundingStatus::Demande,
                ),
                line(Funder::Employeur, 50_000, FundingStatus::Envisage),
                line(Funder::Region, 30_000, FundingStatus::Refuse),
            ],
        ));
        let t = p.totals();
        assert_eq!(t.cost, Cents(645_001));
        assert_eq!(t.granted, Cents(120_000));
        assert_eq!(t.requested, Cents(400_000));
        assert_eq!(t.envisaged, Cents(50_000));
        assert_eq!(t.refused, Cents(30_000));
        assert_eq!(t.remaining, Cents(125_001));
        assert_eq!(t.surplus, Cents::ZERO);
        assert_eq!(t.remaining.to_string(), "1 250,01 €");

        // An over-funded step does not pay for another step's gap.
        p.add_step(step(
            3,
            10_000,
            vec![line(Funder::Employeur, 10_001, FundingStatus::Accorde)],
        ));
        let t = p.totals();
        assert_eq!(t.remaining, Cents(125_001));
        assert_eq!(t.surplus, Cents(1));
        assert_eq!(
            t.remaining.0 - t.surplus.0,
            t.cost.0 - t.granted.0 - t.requested.0
        );

        // Exactly funded: nothing remains, nothing exceeds.
        let exact = FundingTotals::of_step(&step(
            4,
            10_000,
            vec![
                line(Funder::Cpf, 9_999, FundingStatus::Accorde),
                line(Funder::Personnel, 1, FundingStatus::Demande),
            ],
        ));
        assert_eq!((exact.remaining, exact.surplus), (Cents::ZERO, Cents::ZERO));

        // An abandoned step counts nowhere.
        p.set_step_status(id(2), StepStatus::Abandonne);
        let t = p.totals();
        assert_eq!(t.cost, Cents(130_000));
        assert_eq!(t.requested, Cents::ZERO);
        assert_eq!(t.remaining, Cents::ZERO);
        assert_eq!(plan().totals(), FundingTotals::default());
    }

    fn cpf_step(n: u8, start: Option<NaiveDate>, decided: Option<NaiveDate>) -> Step {
        let mut s = step(n, 200_000, vec![]);
        s.start = start;
        s.funding.push(FundingLine {
            funder: Funder::Cpf,
            amount: Cents(150_000),
            status: FundingStatus::Demande,
            decided_on: decided,
        });
        s
    }

    fn participation_on(start: NaiveDate) -> Participation {
        let mut p = plan();
        p.add_step(cpf_step(1, Some(start), None));
        let pic = p.cpf_picture(None, reference(), d(2030, 1, 1));
        assert_eq!(pic.lines[0].date_basis, CpfDateBasis::StepStart);
        pic.lines[0].participation.clone()
    }

    #[test]
    fn participation_amount_at_its_boundaries() {
        let before = participation_on(d(2024, 5, 1));
        assert_eq!(before.amount, Cents::ZERO);
        assert_eq!(before.reason, "pas de participation avant le 2 mai 2024");
        assert_eq!(before.exemption, None);
        let first = participation_on(d(2024, 5, 2));
        assert_eq!(first.amount, Cents(10_000));
        assert_eq!(first.since, Some(d(2024, 5, 2)));
        assert!(
            first.reason.contains("décret n° 2024-394"),
            "{}",
            first.reason
        );
        assert_eq!(participation_on(d(2025, 12, 31)).amount, Cents(10_223));
        let y2026 = participation_on(d(2026, 1, 1));
        assert_eq!(y2026.amount, Cents(10_320));
        assert_eq!(
            y2026.reason,
            "participation forfaitaire de 103,20 € en vigueur depuis le 01/01/2026 \
             (arrêté du 30 décembre 2025 (JO du 1er janvier 2026))"
        );
        // Before the CPF existed: no value in force, said plainly.
        let none = participation_on(d(2014, 6, 1));
        assert_eq!(none.amount, Cents::ZERO);
        assert!(none.reason.starts_with("aucune valeur"), "{}", none.reason);
    }

    #[test]
    fn the_line_date_is_the_decision_else_the_step_start_else_today() {
        let mut p = plan();
        p.add_step(cpf_step(1, Some(d(2026, 2, 1)), Some(d(2025, 11, 15))));
        p.add_step(cpf_step(2, Some(d(2025, 6, 1)), None));
        p.add_step(cpf_step(3, None, None));
        let pic = p.cpf_picture(None, reference(), d(2024, 6, 1));
        let got: Vec<(NaiveDate, CpfDateBasis, Cents)> = pic
            .lines
            .iter()
            .map(|l| (l.date, l.date_basis, l.participation.amount))
            .collect();
        assert_eq!(
            got,
            vec![
                (d(2025, 11, 15), CpfDateBasis::Decision, Cents(10_223)),
                (d(2025, 6, 1), CpfDateBasis::StepStart, Cents(10_223)),
                (d(2024, 6, 1), CpfDateBasis::Today, Cents(10_000)),
            ]
        );
        assert_eq!(pic.participation_total, Cents(30_446));
    }

    #[test]
    fn co_financing_on_the_same_step_exempts_the_participation() {
        let mut p = plan();
        let start = Some(d(2026, 4, 1));
        let mut with_employer = cpf_step(1, start, None);
        with_employer.add_funding(line(Funder::Employeur, 50_000, FundingStatus::Envisage));
        let mut with_opco = cpf_step(2, start, None);
        with_opco.add_funding(line(
            Funder::UniformationFondsConventionnels,
            1,
            FundingStatus::Accorde,
        ));
        let mut refused_employer = cpf_step(3, start, None);
        refused_employer.add_funding(line(Funder::Employeur, 50_000, FundingStatus::Refuse));
        let mut with_region = cpf_step(4, start, None);
        with_region.add_funding(line(Funder::Region, 50_000, FundingStatus::Accorde));
        // The employer pays on another step only: no exemption here.
        let alone = cpf_step(5, start, None);
        p.add_steps([
            with_employer,
            with_opco,
            refused_employer,
            with_region,
            alone,
        ]);
        let pic = p.cpf_picture(Some(Cents(500_000)), reference(), d(2026, 3, 2));
        let got: Vec<(Option<CpfExemption>, Cents)> = pic
            .lines
            .iter()
            .map(|l| (l.participation.exemption, l.participation.amount))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Some(CpfExemption::CoFinancing(Funder::Employeur)),
                    Cents::ZERO
                ),
                (
                    Some(CpfExemption::CoFinancing(
                        Funder::UniformationFondsConventionnels
                    )),
                    Cents::ZERO
                ),
                (None, Cents(10_320)),
                (None, Cents(10_320)),
                (None, Cents(10_320)),
            ]
        );
        assert_eq!(
            pic.lines[0].participation.reason,
            "exonérée : cofinancement « employeur » sur la même étape"
        );
        assert_eq!(pic.participation_total, Cents(30_960));
    }

    #[test]
    fn job_seekers_and_other_exemptions() {
        let mut p = plan();
        p.facts.job_seeker_from = Some(d(2026, 6, 1));
        p.add_step(cpf_step(1, Some(d(2026, 5, 31)), None));
        p.add_step(cpf_step(2, Some(d(2026, 6, 1)), None));
        let pic = p.cpf_picture(None, reference(), d(2026, 3, 2));
        assert_eq!(pic.lines[0].participation.amount, Cents(10_320));
        assert_eq!(
            pic.lines[1].participation.exemption,
            Some(CpfExemption::JobSeeker)
        );
        p.facts.job_seeker_from = None;
        p.facts.cpf_c2p = Some(true);
        let pic = p.cpf_picture(None, reference(), d(2026, 3, 2));
        assert!(pic
            .lines
            .iter()
            .all(|l| l.participation.exemption == Some(CpfExemption::C2p)));
        p.facts.cpf_c2p = Some(false);
        p.facts.cpf_at_mp = Some(true);
        let pic = p.cpf_picture(None, reference(), d(2026, 3, 2));
        assert_eq!(
            pic.lines[0].participation.exemption,
            Some(CpfExemption::AtMp)
        );
    }

    #[test]
    fn cpf_balance_against_the_cpf_lines() {
        let mut p = plan();
        let start = Some(d(2026, 4, 1));
        let mut a = cpf_step(1, start, None);
        a.funding[0].status = FundingStatus::Accorde;
        let mut refused = cpf_step(2, start, None);
        refused.funding[0].status = FundingStatus::Refuse;
        let mut dropped = cpf_step(3, start, None);
        dropped.status = StepStatus::Abandonne;
        p.add_steps([a, cpf_step(4, start, None), refused, dropped]);
        let pic = p.cpf_picture(Some(Cents(200_000)), reference(), d(2026, 3, 2));
        // The abandoned step is left out; the refused line owes nothing.
        assert_eq!(pic.lines.len(), 3);
        assert_eq!(pic.committed, Cents(300_000));
        assert_eq!(pic.granted, Cents(150_000));
        assert_eq!(pic.shortfall, Some(Cents(100_000)));
        assert_eq!(pic.balance_left, Some(Cents::ZERO));
        assert_eq!(pic.lines[2].participation.amount, Cents::ZERO);
        assert_eq!(pic.participation_total, Cents(20_640));
        // Balance exactly covering the lines: no shortfall.
        let pic = p.cpf_picture(Some(Cents(300_000)), reference(), d(2026, 3, 2));
        assert_eq!(
            (pic.shortfall, pic.balance_left),
            (Some(Cents::ZERO), Some(Cents::ZERO))
        );
        let pic = p.cpf_picture(None, reference(), d(2026, 3, 2));
        assert_eq!((pic.shortfall, pic.balance_left), (None, None));
        let summary = p.summary(Some(Cents(200_000)), reference(), d(2026, 3, 2));
        assert_eq!(summary.totals, p.totals());
        let v = serde_json::to_value(&summary).unwrap();
        assert_eq!(v["cpf"]["manque"], 100_000);
        assert_eq!(v["cpf"]["lignes"][0]["participation"]["montant"], 10_320);
        assert_eq!(v["totaux"]["demande"], 150_000);
    }

    #[test]
    fn ids_labels_and_json() {
        for k in StepKind::ALL {
            assert_eq!(StepKind::from_id(k.id()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.id())
            );
        }
        for s in StepStatus::ALL {
            assert_eq!(StepStatus::from_id(s.id()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.id())
            );
        }
        for s in FundingStatus::ALL {
            assert_eq!(FundingStatus::from_id(s.id()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.id())
            );
        }
        let labels: Vec<&str> = StepKind::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(
            labels,
            [
                "information",
                "bilan de compétences",
                "immersion",
                "formation",
                "VAE",
                "certification",
                "période de reconversion",
                "PTP",
                "démission-reconversion",
                "recherche d'emploi",
                "séance d'information",
                "autre"
            ]
        );
        let labels: Vec<&str> = StepStatus::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(
            labels,
            ["à faire", "en cours", "fait", "en attente", "abandonné"]
        );
        let labels: Vec<&str> = FundingStatus::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(labels, ["envisagé", "demandé", "accordé", "refusé"]);
        assert_eq!(StepKind::Immersion.dispositif(), Some(Dispositif::Pmsmp));
        assert_eq!(StepKind::Formation.dispositif(), None);
        let t = FundingTotals {
            remaining: Cents(125_000),
            ..FundingTotals::default()
        };
        let v = serde_json::to_value(t).unwrap();
        assert_eq!(v["reste_a_financer"], 125_000);
    }

    fn full_plan() -> Plan {
        let mut p = plan();
        p.add_target(PlanTarget {
            note: "premier choix".into(),
            ..PlanTarget::new(12_345, "K1202", "Éducateur / Éducatrice de jeunes enfants")
        });
        let mut s = cpf_step(1, Some(d(2026, 4, 1)), Some(d(2026, 3, 15)));
        s.end = Some(d(2027, 4, 1));
        s.due = Some(d(2026, 3, 31));
        s.hours = Some(300);
        s.organisation = "IRTS".into();
        s.notes = "Cours le samedi".into();
        s.immersion = Some(id(9));
        p.add_step(s);
        p.facts = EligibilityFacts {
            days_worked_last_60_months: Some(1_300),
            months_employee_last_5_years: Some(50),
            months_cdd_last_12_months: Some(0),
            boeth: Some(false),
            dismissed_without_training: None,
            long_absence_last_24_months: Some(false),
            employer_agreement: Some(true),
            extending_agreement: None,
            resignation_on: Some(d(2026, 9, 1)),
            attestation_on: None,
            job_seeker_from: Some(d(2026, 9, 2)),
            cpf_c2p: None,
            cpf_at_mp: Some(false),
        };
        p
    }

    #[test]
    fn a_plan_round_trips_through_the_store_codec() {
        let p = full_plan();
        let bytes = codec().serialize(&p).unwrap();
        let back: Plan = codec().deserialize(&bytes).unwrap();
        assert_eq!(back, p);
        // JSON (export) round-trips too.
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), p);
    }

    fn v1_plan() -> v1::Plan {
        use v1::{Funder as F, FundingLine as L, FundingStatus as S, StepKind as K};
        let funders = [
            F::Cpf,
            F::Ptp,
            F::PeriodeReconversion,
            F::PlanDeveloppementCompetences,
            F::OpcoBranche,
            F::Employeur,
            F::Region,
            F::FranceTravail,
            F::Personnel,
            F::ProA,
            F::TransitionsCollectives,
        ];
        let statuses = [S::Planned, S::Requested, S::Granted, S::Refused];
        let kinds = [
            K::Bilan,
            K::Immersion,
            K::Formation,
            K::Vae,
            K::Certification,
            K::PeriodeReconversion,
            K::Ptp,
            K::DemissionReconversion,
            K::RechercheEmploi,
            K::SeanceInformation,
            K::Autre,
        ];
        let step_statuses = [
            v1::StepStatus::Todo,
            v1::StepStatus::Doing,
            v1::StepStatus::Done,
            v1::StepStatus::Dropped,
        ];
        v1::Plan {
            id: Id::new_v7(1_780_000_000_000, [7; 10]),
            beneficiary: id(2),
            targets: vec![v1::TargetMetier {
                ogr: 12_345,
                rome: "K1202".into(),
                label: "EJE".into(),
            }],
            steps: kinds
                .iter()
                .enumerate()
                .map(|(i, k)| v1::Step {
                    kind: *k,
                    title: format!("étape {i}"),
                    due: (i % 2 == 0).then(|| d(2026, 9, 1 + i as u32)),
                    status: step_statuses[i % 4],
                    cost: Cents(1_000 * i as i64),
                    funding: vec![L {
                        funder: funders[i],
                        amount: Cents(i as i64),
                        status: statuses[i % 4],
                    }],
                })
                .collect(),
            meta: Meta::new(at(2025, 11, 20), "conseil-lyon"),
        }
    }

    #[test]
    fn a_v1_plan_decodes_and_converts() {
        let old = v1_plan();
        // Bytes written by the old layout decode with the frozen copy…
        let bytes = codec().serialize(&old).unwrap();
        let decoded: v1::Plan = codec().deserialize(&bytes).unwrap();
        assert_eq!(decoded, old);
        // …and not as the new layout (the store must migrate).
        assert!(codec().deserialize::<Plan>(&bytes).is_err());

        let new = Plan::from(decoded);
        assert_eq!(new.id, old.id);
        assert_eq!(new.beneficiary, old.beneficiary);
        assert_eq!(new.started_on, d(2025, 11, 20));
        assert_eq!(new.meta, old.meta);
        assert_eq!(new.facts, EligibilityFacts::default());
        assert_eq!(new.targets, vec![PlanTarget::new(12_345, "K1202", "EJE")]);
        let kinds: Vec<StepKind> = new.steps.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                StepKind::BilanCompetences,
                StepKind::Immersion,
                StepKind::Formation,
                StepKind::Vae,
                StepKind::Certification,
                StepKind::PeriodeReconversion,
                StepKind::Ptp,
                StepKind::DemissionReconversion,
                StepKind::RechercheEmploi,
                StepKind::SeanceInformation,
                StepKind::Autre,
            ]
        );
        let funders: Vec<Funder> = new.steps.iter().map(|s| s.funding[0].funder).collect();
        assert_eq!(
            funders,
            [
                Funder::Cpf,
                Funder::TransitionsPro,
                Funder::UniformationPeriodeReconversion,
                Funder::UniformationPlan,
                Funder::UniformationFondsConventionnels,
                Funder::Employeur,
                Funder::Region,
                Funder::FranceTravail,
                Funder::Personnel,
                Funder::ProA,
                Funder::TransitionsCollectives,
            ]
        );
        let statuses: Vec<(StepStatus, FundingStatus)> = new.steps[..4]
            .iter()
            .map(|s| (s.status, s.funding[0].status))
            .collect();
        assert_eq!(
            statuses,
            [
                (StepStatus::AFaire, FundingStatus::Envisage),
                (StepStatus::EnCours, FundingStatus::Demande),
                (StepStatus::Fait, FundingStatus::Accorde),
                (StepStatus::Abandonne, FundingStatus::Refuse),
            ]
        );
        let s2 = &new.steps[2];
        assert_eq!(
            (s2.due, s2.cost, s2.title.as_str()),
            (Some(d(2026, 9, 3)), Cents(2_000), "étape 2")
        );
        assert_eq!(new.steps[1].due, None);
        assert!(new.steps.iter().all(|s| s.funding[0].decided_on.is_none()
            && s.start.is_none()
            && s.hours.is_none()
            && s.immersion.is_none()));
        // Step ids: deterministic, distinct, never the plan's id.
        let mut ids: Vec<Id> = new.steps.iter().map(|s| s.id).collect();
        assert_eq!(Plan::from(old.clone()).steps[5].id, ids[5]);
        ids.push(new.id);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), new.steps.len() + 1);
    }
}
