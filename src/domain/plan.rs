//! The reconversion plan (parcours): targets, steps and their funding.

use super::beneficiary::Meta;
use super::id::Id;
use super::metier::TargetMetier;
use super::money::Cents;
use super::time::serde_opt_days;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
    /// Projet de transition professionnelle, via Transitions Pro.
    Ptp,
    PeriodeReconversion,
    PlanDeveloppementCompetences,
    OpcoBranche,
    Employeur,
    Region,
    FranceTravail,
    Personnel,
    /// Legacy: only avenants signed before 2026-01-01.
    ProA,
    /// Legacy: replaced from 2026.
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

impl Plan {
    /// Sum of granted funding over all steps.
    pub fn granted(&self) -> Cents {
        self.steps
            .iter()
            .flat_map(|s| &s.funding)
            .filter(|f| f.status == FundingStatus::Granted)
            .fold(Cents::ZERO, |a, f| a + f.amount)
    }
}
