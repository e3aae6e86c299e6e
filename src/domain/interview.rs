//! Interviews (entretiens) of the CEP.

use super::beneficiary::Meta;
use super::id::Id;
use super::time::{serde_micros, serde_opt_days};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// CEP level under the 2019 rules (arrêté du 29 mars 2019): two levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CepLevel {
    /// Niveau 1 : accueil individualisé.
    AccueilIndividualise,
    /// Niveau 2 : accompagnement personnalisé.
    AccompagnementPersonnalise,
}

impl CepLevel {
    pub fn number(self) -> u8 {
        match self {
            CepLevel::AccueilIndividualise => 1,
            CepLevel::AccompagnementPersonnalise => 2,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            CepLevel::AccueilIndividualise => "niveau 1 – accueil individualisé",
            CepLevel::AccompagnementPersonnalise => "niveau 2 – accompagnement personnalisé",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InterviewMode {
    OnSite,
    Phone,
    Video,
}

impl InterviewMode {
    pub fn label(self) -> &'static str {
        match self {
            InterviewMode::OnSite => "présentiel",
            InterviewMode::Phone => "téléphone",
            InterviewMode::Video => "visio",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interview {
    pub id: Id,
    pub beneficiary: Id,
    #[serde(with = "serde_micros")]
    pub at: DateTime<Utc>,
    pub duration_minutes: u16,
    pub level: CepLevel,
    pub mode: InterviewMode,
    pub place: String,
    pub topics: String,
    pub summary: String,
    pub decisions: String,
    #[serde(with = "serde_opt_days")]
    pub next_follow_up: Option<NaiveDate>,
    /// Scheduled ahead (date, time, duration, modality known; nothing
    /// recorded yet). False once it took place and was written up.
    /// Since envelope version 2.
    pub planned: bool,
    pub meta: Meta,
}
