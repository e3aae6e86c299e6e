//! The beneficiary's file (dossier).

use super::id::Id;
use super::metier::TargetMetier;
use super::money::Cents;
use super::time::{serde_days, serde_micros, serde_opt_days};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Who changed a record and when; carried by every record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    #[serde(with = "serde_micros")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "serde_micros")]
    pub updated_at: DateTime<Utc>,
    /// Advisor who changed it last (from the config).
    pub advisor: String,
}

impl Meta {
    pub fn new(now: DateTime<Utc>, advisor: &str) -> Meta {
        Meta {
            created_at: now,
            updated_at: now,
            advisor: advisor.to_string(),
        }
    }
    pub fn touch(&mut self, now: DateTime<Utc>, advisor: &str) {
        self.updated_at = now;
        self.advisor = advisor.to_string();
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Birth {
    Year(i32),
    #[serde(with = "serde_days")]
    Date(NaiveDate),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractType {
    Cdi,
    Cdd,
    Interim,
    /// Contrat aidé / CDDI (insertion).
    Aide,
    Autre,
}

impl ContractType {
    pub const ALL: [ContractType; 5] = [
        ContractType::Cdi,
        ContractType::Cdd,
        ContractType::Interim,
        ContractType::Aide,
        ContractType::Autre,
    ];
    pub fn label(self) -> &'static str {
        match self {
            ContractType::Cdi => "CDI",
            ContractType::Cdd => "CDD",
            ContractType::Interim => "intérim",
            ContractType::Aide => "contrat aidé / CDDI",
            ContractType::Autre => "autre",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    Reconversion,
    EvolutionInterne,
    Formation,
    Vae,
    CreationActivite,
    Questionnement,
}

impl Request {
    pub const ALL: [Request; 6] = [
        Request::Reconversion,
        Request::EvolutionInterne,
        Request::Formation,
        Request::Vae,
        Request::CreationActivite,
        Request::Questionnement,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Request::Reconversion => "reconversion",
            Request::EvolutionInterne => "évolution interne",
            Request::Formation => "formation / certification",
            Request::Vae => "VAE",
            Request::CreationActivite => "création d'activité",
            Request::Questionnement => "questionnement",
        }
    }
}

/// Consent to one processing, with the notice version it was given under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    #[serde(with = "serde_days")]
    pub date: NaiveDate,
    pub notice_version: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Information notice given (RGPD art. 13) and consent to processing.
    pub processing: Option<ConsentRecord>,
    /// Consent to share with the employer / OPCO.
    pub share_employer_opco: Option<ConsentRecord>,
    /// Consent to the 6-month satisfaction survey.
    pub survey_6_months: Option<ConsentRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Open,
    Closed {
        #[serde(with = "serde_days")]
        on: NaiveDate,
        reason: String,
    },
}

impl Status {
    pub fn is_open(&self) -> bool {
        matches!(self, Status::Open)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employer {
    pub name: String,
    /// 14 digits, Luhn-checked, when given.
    pub siret: Option<String>,
}

/// A beneficiary's file. Stored (envelope version 2; version 1, which also
/// held the target métiers now kept by the plan, is
/// `store::legacy::v1::BeneficiaryV1`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beneficiary {
    pub id: Id,
    pub last_name: String,
    pub first_name: String,
    pub birth: Option<Birth>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    pub commune: Option<String>,
    pub region: Option<String>,
    /// Branch short id (see `assets/branches.toml`), or None when unknown.
    pub branch: Option<String>,
    pub employer: Employer,
    pub contract: Option<ContractType>,
    /// Working time, free form (`temps plein`, `80 %`, `24 h/sem.`).
    pub working_time: Option<String>,
    pub seniority_company_months: Option<u16>,
    pub seniority_total_months: Option<u16>,
    /// Nomenclature 2019: 3 to 8; None = no qualification / unknown.
    pub qualification_level: Option<u8>,
    pub current_job: Option<TargetMetier>,
    pub cpf_balance: Option<Cents>,
    pub request: Option<Request>,
    pub constraints: String,
    #[serde(with = "serde_opt_days")]
    pub next_follow_up: Option<NaiveDate>,
    #[serde(with = "serde_opt_days")]
    pub last_contact: Option<NaiveDate>,
    pub status: Status,
    pub consent: Consent,
    /// Highest CEP level reached (1 or 2).
    pub cep_level: Option<u8>,
    pub meta: Meta,
}

impl Beneficiary {
    pub fn new(id: Id, last_name: &str, first_name: &str, meta: Meta) -> Beneficiary {
        Beneficiary {
            id,
            last_name: last_name.to_string(),
            first_name: first_name.to_string(),
            birth: None,
            email: None,
            phone: None,
            postcode: None,
            commune: None,
            region: None,
            branch: None,
            employer: Employer::default(),
            contract: None,
            working_time: None,
            seniority_company_months: None,
            seniority_total_months: None,
            qualification_level: None,
            current_job: None,
            cpf_balance: None,
            request: None,
            constraints: String::new(),
            next_follow_up: None,
            last_contact: None,
            status: Status::Open,
            consent: Consent::default(),
            cep_level: None,
            meta,
        }
    }

    /// `DUPONT Léa`
    pub fn display_name(&self) -> String {
        display_name(&self.last_name, &self.first_name)
    }
}

/// How a person is named on screen: `DUPONT Léa` (last name in capitals).
pub fn display_name(last_name: &str, first_name: &str) -> String {
    format!("{} {}", last_name.to_uppercase(), first_name)
}

/// Validates a SIRET: 14 digits and the Luhn check.
pub fn valid_siret(s: &str) -> bool {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 14 || s.chars().any(|c| !c.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siret_luhn() {
        // SIRET of the Insee head office, a public example that passes Luhn.
        assert!(valid_siret("12002701600357"));
        assert!(!valid_siret("12002701600358"));
        assert!(!valid_siret("1200270160035"));
        assert!(!valid_siret("1200270160035a"));
    }

    #[test]
    fn display_name_puts_the_last_name_in_capitals() {
        let now = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let b = Beneficiary::new(Id([0; 16]), "Dupont", "Léa", Meta::new(now, "x"));
        assert_eq!(b.display_name(), "DUPONT Léa");
    }
}
