//! Immersions (PMSMP): short work trials in a host structure.

use super::beneficiary::Meta;
use super::id::Id;
use super::metier::TargetMetier;
use super::time::serde_days;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImmersionStatus {
    Proposed,
    AgreementSigned,
    Running,
    Done,
    Cancelled,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    pub name: String,
    pub siret: Option<String>,
    pub address: String,
    pub branch: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tutor {
    pub name: String,
    pub role: String,
    pub contact: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Immersion {
    pub id: Id,
    pub beneficiary: Id,
    pub target: TargetMetier,
    pub host: Host,
    pub tutor: Tutor,
    #[serde(with = "serde_days")]
    pub start: NaiveDate,
    #[serde(with = "serde_days")]
    pub end: NaiveDate,
    /// Daily schedule, e.g. `9:00–12:00 13:30–17:00`.
    pub schedule: String,
    pub objective: String,
    pub status: ImmersionStatus,
    pub debrief: String,
    pub meta: Meta,
}
