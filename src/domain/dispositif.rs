//! Dispositifs, funders and dated reference values.
//!
//! The data lives in `assets/dispositifs.toml` (embedded with `include_str!`);
//! this module holds the enums the rest of the code matches on, and
//! [`Dispositifs`], the parsed reference: one [`DispositifInfo`] per
//! dispositif, one [`FunderInfo`] per funder and one [`ValueSeries`] per
//! dated [`Parameter`]. Parsing checks that the file covers every enum member
//! exactly once, so the lookups below never fail.
//!
//! Every amount or threshold carries the date from which it applies; a value
//! applies until the next one of the same parameter. [`ValueSeries::value_on`]
//! gives the value in force on a date, or [`ReferenceError::NotInForce`]
//! before the first one.

use super::money::Cents;
use super::time::fmt_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const DISPOSITIFS_TOML: &str = include_str!("../../assets/dispositifs.toml");

/// Errors of the reference data and of dated lookups, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("données de référence invalides ({file}) : {reason}")]
    Asset { file: &'static str, reason: String },
    #[error(
        "aucune valeur de « {label} » en vigueur le {} (première valeur le {})",
        fmt_date(*.date),
        fmt_date(*.first)
    )]
    NotInForce {
        label: String,
        date: NaiveDate,
        first: NaiveDate,
    },
    #[error("« {label} » n'est pas exprimé en {expected}")]
    WrongUnit {
        label: String,
        expected: &'static str,
    },
}

/// A dispositif of reconversion or financing (state 2026).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dispositif {
    Cep,
    BilanCompetences,
    Vae,
    Cpf,
    Ptp,
    DemissionReconversion,
    PeriodeReconversion,
    /// Legacy: only avenants concluded before 2026-01-01.
    ProA,
    /// Legacy: replaced from 2026.
    TransitionsCollectives,
    PlanDeveloppementCompetences,
    Pmsmp,
}

impl Dispositif {
    pub const ALL: [Dispositif; 11] = [
        Dispositif::Cep,
        Dispositif::BilanCompetences,
        Dispositif::Vae,
        Dispositif::Cpf,
        Dispositif::Ptp,
        Dispositif::DemissionReconversion,
        Dispositif::PeriodeReconversion,
        Dispositif::ProA,
        Dispositif::TransitionsCollectives,
        Dispositif::PlanDeveloppementCompetences,
        Dispositif::Pmsmp,
    ];

    /// The dispositifs that get an eligibility hint, in display order.
    pub const HINTED: [Dispositif; 9] = [
        Dispositif::Cep,
        Dispositif::BilanCompetences,
        Dispositif::Vae,
        Dispositif::Cpf,
        Dispositif::Ptp,
        Dispositif::DemissionReconversion,
        Dispositif::PeriodeReconversion,
        Dispositif::ProA,
        Dispositif::TransitionsCollectives,
    ];

    /// Stable ASCII id (JSON, assets): `ptp`, `demission_reconversion`…
    pub fn id(self) -> &'static str {
        match self {
            Dispositif::Cep => "cep",
            Dispositif::BilanCompetences => "bilan_competences",
            Dispositif::Vae => "vae",
            Dispositif::Cpf => "cpf",
            Dispositif::Ptp => "ptp",
            Dispositif::DemissionReconversion => "demission_reconversion",
            Dispositif::PeriodeReconversion => "periode_reconversion",
            Dispositif::ProA => "pro_a",
            Dispositif::TransitionsCollectives => "transitions_collectives",
            Dispositif::PlanDeveloppementCompetences => "plan_developpement_competences",
            Dispositif::Pmsmp => "pmsmp",
        }
    }

    /// Short French label, as on the Parcours screen.
    pub fn label(self) -> &'static str {
        match self {
            Dispositif::Cep => "CEP",
            Dispositif::BilanCompetences => "bilan de compétences",
            Dispositif::Vae => "VAE",
            Dispositif::Cpf => "CPF",
            Dispositif::Ptp => "PTP",
            Dispositif::DemissionReconversion => "démission-reconversion",
            Dispositif::PeriodeReconversion => "période de reconversion",
            Dispositif::ProA => "Pro-A",
            Dispositif::TransitionsCollectives => "Transitions collectives",
            Dispositif::PlanDeveloppementCompetences => "plan de développement des compétences",
            Dispositif::Pmsmp => "immersion (PMSMP)",
        }
    }

    /// Full French name.
    pub fn name(self) -> &'static str {
        match self {
            Dispositif::Cep => "conseil en évolution professionnelle",
            Dispositif::BilanCompetences => "bilan de compétences",
            Dispositif::Vae => "validation des acquis de l'expérience",
            Dispositif::Cpf => "compte personnel de formation",
            Dispositif::Ptp => "projet de transition professionnelle",
            Dispositif::DemissionReconversion => "démission pour reconversion professionnelle",
            Dispositif::PeriodeReconversion => "période de reconversion",
            Dispositif::ProA => "reconversion ou promotion par alternance (Pro-A)",
            Dispositif::TransitionsCollectives => "Transitions collectives (Transco)",
            Dispositif::PlanDeveloppementCompetences => "plan de développement des compétences",
            Dispositif::Pmsmp => "période de mise en situation en milieu professionnel",
        }
    }

    pub fn from_id(id: &str) -> Option<Dispositif> {
        Dispositif::ALL.into_iter().find(|d| d.id() == id)
    }
}

/// Who pays a funding line. Stored (bincode, by position): add variants only
/// at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Funder {
    Cpf,
    /// Uniformation, legal contribution: plan of employers < 50 employees.
    UniformationPlan,
    /// Uniformation, the branch's conventional contributions.
    UniformationFondsConventionnels,
    /// Uniformation, flat rate of the période de reconversion.
    UniformationPeriodeReconversion,
    Employeur,
    TransitionsPro,
    Region,
    FranceTravail,
    Agefiph,
    /// The beneficiary pays (reste à charge).
    Personnel,
    /// Legacy: only avenants concluded before 2026-01-01.
    ProA,
    /// Legacy: replaced from 2026.
    TransitionsCollectives,
}

impl Funder {
    pub const ALL: [Funder; 12] = [
        Funder::Cpf,
        Funder::UniformationPlan,
        Funder::UniformationFondsConventionnels,
        Funder::UniformationPeriodeReconversion,
        Funder::Employeur,
        Funder::TransitionsPro,
        Funder::Region,
        Funder::FranceTravail,
        Funder::Agefiph,
        Funder::Personnel,
        Funder::ProA,
        Funder::TransitionsCollectives,
    ];

    /// Stable ASCII id (JSON, assets).
    pub fn id(self) -> &'static str {
        match self {
            Funder::Cpf => "cpf",
            Funder::UniformationPlan => "uniformation_plan",
            Funder::UniformationFondsConventionnels => "uniformation_fonds_conventionnels",
            Funder::UniformationPeriodeReconversion => "uniformation_periode_reconversion",
            Funder::Employeur => "employeur",
            Funder::TransitionsPro => "transitions_pro",
            Funder::Region => "region",
            Funder::FranceTravail => "france_travail",
            Funder::Agefiph => "agefiph",
            Funder::Personnel => "personnel",
            Funder::ProA => "pro_a",
            Funder::TransitionsCollectives => "transitions_collectives",
        }
    }

    /// French label for pickers and documents.
    pub fn label(self) -> &'static str {
        match self {
            Funder::Cpf => "CPF",
            Funder::UniformationPlan => "Uniformation – plan de développement (< 50 salariés)",
            Funder::UniformationFondsConventionnels => {
                "Uniformation – fonds conventionnels de branche"
            }
            Funder::UniformationPeriodeReconversion => "Uniformation – période de reconversion",
            Funder::Employeur => "employeur",
            Funder::TransitionsPro => "Transitions Pro",
            Funder::Region => "Région",
            Funder::FranceTravail => "France Travail",
            Funder::Agefiph => "Agefiph",
            Funder::Personnel => "personnel (reste à charge)",
            Funder::ProA => "Pro-A (ancien dispositif)",
            Funder::TransitionsCollectives => "Transitions collectives (ancien dispositif)",
        }
    }

    /// Label of at most 14 characters for narrow columns.
    pub fn short_label(self) -> &'static str {
        match self {
            Funder::Cpf => "CPF",
            Funder::UniformationPlan => "Unif. plan",
            Funder::UniformationFondsConventionnels => "Unif. branche",
            Funder::UniformationPeriodeReconversion => "Unif. période",
            Funder::Employeur => "employeur",
            Funder::TransitionsPro => "Transitions Pro",
            Funder::Region => "Région",
            Funder::FranceTravail => "France Travail",
            Funder::Agefiph => "Agefiph",
            Funder::Personnel => "personnel",
            Funder::ProA => "Pro-A",
            Funder::TransitionsCollectives => "Transco",
        }
    }

    pub fn from_id(id: &str) -> Option<Funder> {
        Funder::ALL.into_iter().find(|f| f.id() == id)
    }
}

/// Unit of a dated value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Stored as cents.
    Euros,
    Heures,
    Jours,
    Mois,
}

impl Unit {
    /// ASCII id, also the French word (`euros`, `heures`, `jours`, `mois`).
    pub fn id(self) -> &'static str {
        match self {
            Unit::Euros => "euros",
            Unit::Heures => "heures",
            Unit::Jours => "jours",
            Unit::Mois => "mois",
        }
    }

    /// `103,20 €`, `150 h`, `1 300 jours`, `24 mois`.
    pub fn format(self, value: i64) -> String {
        match self {
            Unit::Euros => Cents(value).to_string(),
            Unit::Heures => format!("{} h", group_thousands(value)),
            Unit::Jours => format!("{} jours", group_thousands(value)),
            Unit::Mois => format!("{} mois", group_thousands(value)),
        }
    }

    fn from_id(id: &str) -> Option<Unit> {
        [Unit::Euros, Unit::Heures, Unit::Jours, Unit::Mois]
            .into_iter()
            .find(|u| u.id() == id)
    }
}

/// `1300` → `1 300` (plain space, as money amounts).
pub(crate) fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A dated amount or threshold of the reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Parameter {
    /// CPF participation forfaitaire, per training bought.
    CpfParticipationForfaitaire,
    CpfCreditAnnuel,
    CpfPlafond,
    /// For holders without a level-3 qualification.
    CpfCreditAnnuelPeuQualifie,
    CpfPlafondPeuQualifie,
    /// Default OPCO flat rate per hour of the période de reconversion.
    PeriodeReconversionTauxHoraire,
    PeriodeReconversionMontantMoyen,
    PeriodeReconversionHeuresMin,
    PeriodeReconversionHeuresMax,
    PeriodeReconversionDureeMaxMois,
    /// Limits under a company or branch agreement.
    PeriodeReconversionHeuresMaxAccord,
    PeriodeReconversionDureeMaxMoisAccord,
    PtpAncienneteSalarieeMois,
    PtpAncienneteEntrepriseMois,
    #[serde(rename = "ptp_cdd_mois_12_derniers")]
    PtpCddMois12Derniers,
    DemissionJoursTravailles,
    DemissionFenetreMois,
    DemissionDelaiInscriptionMois,
    BilanHeuresMax,
    VaeCongeHeures,
}

impl Parameter {
    pub const ALL: [Parameter; 20] = [
        Parameter::CpfParticipationForfaitaire,
        Parameter::CpfCreditAnnuel,
        Parameter::CpfPlafond,
        Parameter::CpfCreditAnnuelPeuQualifie,
        Parameter::CpfPlafondPeuQualifie,
        Parameter::PeriodeReconversionTauxHoraire,
        Parameter::PeriodeReconversionMontantMoyen,
        Parameter::PeriodeReconversionHeuresMin,
        Parameter::PeriodeReconversionHeuresMax,
        Parameter::PeriodeReconversionDureeMaxMois,
        Parameter::PeriodeReconversionHeuresMaxAccord,
        Parameter::PeriodeReconversionDureeMaxMoisAccord,
        Parameter::PtpAncienneteSalarieeMois,
        Parameter::PtpAncienneteEntrepriseMois,
        Parameter::PtpCddMois12Derniers,
        Parameter::DemissionJoursTravailles,
        Parameter::DemissionFenetreMois,
        Parameter::DemissionDelaiInscriptionMois,
        Parameter::BilanHeuresMax,
        Parameter::VaeCongeHeures,
    ];

    /// Key in `assets/dispositifs.toml`.
    pub fn id(self) -> &'static str {
        match self {
            Parameter::CpfParticipationForfaitaire => "cpf_participation_forfaitaire",
            Parameter::CpfCreditAnnuel => "cpf_credit_annuel",
            Parameter::CpfPlafond => "cpf_plafond",
            Parameter::CpfCreditAnnuelPeuQualifie => "cpf_credit_annuel_peu_qualifie",
            Parameter::CpfPlafondPeuQualifie => "cpf_plafond_peu_qualifie",
            Parameter::PeriodeReconversionTauxHoraire => "periode_reconversion_taux_horaire",
            Parameter::PeriodeReconversionMontantMoyen => "periode_reconversion_montant_moyen",
            Parameter::PeriodeReconversionHeuresMin => "periode_reconversion_heures_min",
            Parameter::PeriodeReconversionHeuresMax => "periode_reconversion_heures_max",
            Parameter::PeriodeReconversionDureeMaxMois => "periode_reconversion_duree_max_mois",
            Parameter::PeriodeReconversionHeuresMaxAccord => {
                "periode_reconversion_heures_max_accord"
            }
            Parameter::PeriodeReconversionDureeMaxMoisAccord => {
                "periode_reconversion_duree_max_mois_accord"
            }
            Parameter::PtpAncienneteSalarieeMois => "ptp_anciennete_salariee_mois",
            Parameter::PtpAncienneteEntrepriseMois => "ptp_anciennete_entreprise_mois",
            Parameter::PtpCddMois12Derniers => "ptp_cdd_mois_12_derniers",
            Parameter::DemissionJoursTravailles => "demission_jours_travailles",
            Parameter::DemissionFenetreMois => "demission_fenetre_mois",
            Parameter::DemissionDelaiInscriptionMois => "demission_delai_inscription_mois",
            Parameter::BilanHeuresMax => "bilan_heures_max",
            Parameter::VaeCongeHeures => "vae_conge_heures",
        }
    }

    /// The unit the code computes with; the asset must agree.
    pub fn unit(self) -> Unit {
        match self {
            Parameter::CpfParticipationForfaitaire
            | Parameter::CpfCreditAnnuel
            | Parameter::CpfPlafond
            | Parameter::CpfCreditAnnuelPeuQualifie
            | Parameter::CpfPlafondPeuQualifie
            | Parameter::PeriodeReconversionTauxHoraire
            | Parameter::PeriodeReconversionMontantMoyen => Unit::Euros,
            Parameter::PeriodeReconversionHeuresMin
            | Parameter::PeriodeReconversionHeuresMax
            | Parameter::PeriodeReconversionHeuresMaxAccord
            | Parameter::BilanHeuresMax
            | Parameter::VaeCongeHeures => Unit::Heures,
            Parameter::DemissionJoursTravailles => Unit::Jours,
            Parameter::PeriodeReconversionDureeMaxMois
            | Parameter::PeriodeReconversionDureeMaxMoisAccord
            | Parameter::PtpAncienneteSalarieeMois
            | Parameter::PtpAncienneteEntrepriseMois
            | Parameter::PtpCddMois12Derniers
            | Parameter::DemissionFenetreMois
            | Parameter::DemissionDelaiInscriptionMois => Unit::Mois,
        }
    }

    pub fn from_id(id: &str) -> Option<Parameter> {
        Parameter::ALL.into_iter().find(|p| p.id() == id)
    }
}

/// One value of a parameter, in force from `from` until the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatedValue {
    pub from: NaiveDate,
    /// Cents for [`Unit::Euros`], a count otherwise.
    pub value: i64,
    /// The legal source.
    pub source: String,
    /// Shown instead of the amount when set (e.g. "pas de participation
    /// avant le 2 mai 2024").
    pub note: String,
}

impl DatedValue {
    pub fn cents(&self) -> Cents {
        Cents(self.value)
    }
}

/// The history of one parameter, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValueSeries {
    pub parameter: Parameter,
    /// French label, e.g. `participation forfaitaire CPF`.
    pub label: String,
    pub history: Vec<DatedValue>,
}

impl ValueSeries {
    pub fn unit(&self) -> Unit {
        self.parameter.unit()
    }

    /// The first date with a value (parsing guarantees one).
    pub fn first_date(&self) -> Option<NaiveDate> {
        self.history.first().map(|v| v.from)
    }

    /// The value in force on `date`: the last one whose `from` is on or
    /// before it.
    pub fn value_on(&self, date: NaiveDate) -> Result<&DatedValue, ReferenceError> {
        self.history
            .iter()
            .rev()
            .find(|v| v.from <= date)
            .ok_or_else(|| ReferenceError::NotInForce {
                label: self.label.clone(),
                date,
                first: self.first_date().unwrap_or(date),
            })
    }

    /// `103,20 €` or the value's note.
    pub fn describe(&self, v: &DatedValue) -> String {
        if v.note.is_empty() {
            self.unit().format(v.value)
        } else {
            v.note.clone()
        }
    }
}

/// Reference facts about a dispositif.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DispositifInfo {
    pub dispositif: Dispositif,
    /// In force from.
    pub since: NaiveDate,
    /// Legacy dispositifs: plans begun on or after this date no longer use it.
    pub replaced_on: Option<NaiveDate>,
    /// The rule cited to the advisor, in French.
    pub rule: String,
    pub legal_basis: String,
    pub description: String,
    /// H / M / L, as in the reference notes.
    pub confidence: String,
}

/// Reference facts about a funder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FunderInfo {
    pub funder: Funder,
    pub dispositif: Option<Dispositif>,
    /// An employer, branch or OPCO co-financing: on the same step it exempts
    /// the CPF participation forfaitaire.
    pub exempts_cpf_participation: bool,
    pub legacy: bool,
    pub description: String,
}

/// The parsed `assets/dispositifs.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispositifs {
    /// In the order of [`Dispositif::ALL`].
    dispositifs: Vec<DispositifInfo>,
    /// In the order of [`Funder::ALL`].
    funders: Vec<FunderInfo>,
    /// In the order of [`Parameter::ALL`].
    values: Vec<ValueSeries>,
}

static BUILTIN: OnceLock<Result<Dispositifs, ReferenceError>> = OnceLock::new();

/// An embedded asset parsed on first use and kept; its error is handed out
/// again on every call.
pub(crate) fn parsed_once<T, E: Clone>(
    cell: &'static OnceLock<Result<T, E>>,
    parse: impl FnOnce() -> Result<T, E>,
) -> Result<&'static T, E> {
    cell.get_or_init(parse).as_ref().map_err(Clone::clone)
}

impl Dispositifs {
    /// The shipped reference, parsed once.
    pub fn builtin() -> Result<&'static Dispositifs, ReferenceError> {
        parsed_once(&BUILTIN, || Dispositifs::parse(DISPOSITIFS_TOML))
    }

    pub fn dispositif(&self, d: Dispositif) -> &DispositifInfo {
        &self.dispositifs[d as usize]
    }

    pub fn dispositifs(&self) -> &[DispositifInfo] {
        &self.dispositifs
    }

    pub fn funder(&self, f: Funder) -> &FunderInfo {
        &self.funders[f as usize]
    }

    pub fn funders(&self) -> &[FunderInfo] {
        &self.funders
    }

    pub fn series(&self, p: Parameter) -> &ValueSeries {
        &self.values[p as usize]
    }

    pub fn all_series(&self) -> &[ValueSeries] {
        &self.values
    }

    pub fn value_on(&self, p: Parameter, date: NaiveDate) -> Result<&DatedValue, ReferenceError> {
        self.series(p).value_on(date)
    }

    /// An amount in force on `date`.
    pub fn cents_on(&self, p: Parameter, date: NaiveDate) -> Result<Cents, ReferenceError> {
        self.expect_unit(p, Unit::Euros)?;
        self.value_on(p, date).map(DatedValue::cents)
    }

    /// A count (hours, days, months) in force on `date`.
    pub fn count_on(&self, p: Parameter, date: NaiveDate) -> Result<u32, ReferenceError> {
        if p.unit() == Unit::Euros {
            return Err(ReferenceError::WrongUnit {
                label: self.series(p).label.clone(),
                expected: "heures, jours ou mois",
            });
        }
        self.value_on(p, date)
            .map(|v| u32::try_from(v.value).unwrap_or(0))
    }

    fn expect_unit(&self, p: Parameter, unit: Unit) -> Result<(), ReferenceError> {
        if p.unit() == unit {
            Ok(())
        } else {
            Err(ReferenceError::WrongUnit {
                label: self.series(p).label.clone(),
                expected: unit.id(),
            })
        }
    }

    /// Parses and checks the reference file.
    pub fn parse(text: &str) -> Result<Dispositifs, ReferenceError> {
        const F: &str = "dispositifs.toml";
        let err = |reason: String| ReferenceError::Asset { file: F, reason };
        let raw: RawFile = toml::from_str(text).map_err(|e| err(e.to_string()))?;

        let dispositifs = complete(
            F,
            "dispositif",
            &Dispositif::ALL,
            Dispositif::id,
            raw.dispositifs,
            |d, r| {
                Ok(DispositifInfo {
                    dispositif: d,
                    since: iso_date(&r.depuis).map_err(&err)?,
                    replaced_on: r
                        .remplace_le
                        .as_deref()
                        .map(iso_date)
                        .transpose()
                        .map_err(&err)?,
                    rule: non_empty(r.regle, "regle", d.id()).map_err(&err)?,
                    legal_basis: r.base_legale,
                    description: r.description,
                    confidence: r.confiance,
                })
            },
        )?;

        let funders = complete(
            F,
            "financeur",
            &Funder::ALL,
            Funder::id,
            raw.financeurs,
            |f, r| {
                let dispositif = match r.dispositif.as_deref() {
                    None => None,
                    Some(id) => Some(Dispositif::from_id(id).ok_or_else(|| {
                        err(format!(
                            "financeur {} : dispositif inconnu « {id} »",
                            f.id()
                        ))
                    })?),
                };
                Ok(FunderInfo {
                    funder: f,
                    dispositif,
                    exempts_cpf_participation: r.cofinancement_exonerant,
                    legacy: r.ancien,
                    description: r.description,
                })
            },
        )?;

        let values = complete(
            F,
            "valeur",
            &Parameter::ALL,
            Parameter::id,
            raw.valeurs,
            |p, r| parse_series(p, r).map_err(&err),
        )?;

        Ok(Dispositifs {
            dispositifs,
            funders,
            values,
        })
    }
}

/// Builds one item per enum member, in enum order, from a map keyed by id;
/// unknown and missing ids are errors.
fn complete<E: Copy, R, T>(
    file: &'static str,
    what: &str,
    all: &[E],
    id: fn(E) -> &'static str,
    mut raw: BTreeMap<String, R>,
    build: impl Fn(E, R) -> Result<T, ReferenceError>,
) -> Result<Vec<T>, ReferenceError> {
    let mut out = Vec::with_capacity(all.len());
    for &e in all {
        let r = raw.remove(id(e)).ok_or_else(|| ReferenceError::Asset {
            file,
            reason: format!("{what} « {} » manquant", id(e)),
        })?;
        out.push(build(e, r)?);
    }
    if let Some(unknown) = raw.keys().next() {
        return Err(ReferenceError::Asset {
            file,
            reason: format!("{what} inconnu « {unknown} »"),
        });
    }
    Ok(out)
}

fn iso_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("date invalide « {s} » (AAAA-MM-JJ attendu)"))
}

fn non_empty(s: String, field: &str, id: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err(format!("{id} : « {field} » vide"))
    } else {
        Ok(s)
    }
}

fn parse_series(p: Parameter, r: RawSeries) -> Result<ValueSeries, String> {
    let unit = Unit::from_id(&r.unite)
        .ok_or_else(|| format!("{} : unité inconnue « {} »", p.id(), r.unite))?;
    if unit != p.unit() {
        return Err(format!(
            "{} : unité « {} » au lieu de « {} »",
            p.id(),
            unit.id(),
            p.unit().id()
        ));
    }
    if r.historique.is_empty() {
        return Err(format!("{} : historique vide", p.id()));
    }
    let mut history: Vec<DatedValue> = Vec::with_capacity(r.historique.len());
    for v in r.historique {
        let from = iso_date(&v.depuis)?;
        if history.last().is_some_and(|prev| prev.from >= from) {
            return Err(format!(
                "{} : les dates doivent croître ({})",
                p.id(),
                v.depuis
            ));
        }
        let value = match (unit, &v.valeur) {
            (Unit::Euros, toml::Value::String(s)) => {
                Cents::parse_euros(s)
                    .map_err(|e| format!("{} : {e}", p.id()))?
                    .0
            }
            (Unit::Euros, _) => {
                return Err(format!("{} : montant en texte attendu (\"9,15\")", p.id()))
            }
            (_, toml::Value::Integer(n)) if *n >= 0 && *n <= i64::from(u32::MAX) => *n,
            (_, _) => return Err(format!("{} : entier positif attendu", p.id())),
        };
        if v.source.trim().is_empty() {
            return Err(format!("{} : source manquante ({})", p.id(), v.depuis));
        }
        history.push(DatedValue {
            from,
            value,
            source: v.source,
            note: v.note,
        });
    }
    Ok(ValueSeries {
        parameter: p,
        label: r.libelle,
        history,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    dispositifs: BTreeMap<String, RawDispositif>,
    financeurs: BTreeMap<String, RawFunder>,
    valeurs: BTreeMap<String, RawSeries>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDispositif {
    depuis: String,
    #[serde(default)]
    remplace_le: Option<String>,
    regle: String,
    base_legale: String,
    description: String,
    confiance: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFunder {
    #[serde(default)]
    dispositif: Option<String>,
    cofinancement_exonerant: bool,
    ancien: bool,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeries {
    unite: String,
    libelle: String,
    historique: Vec<RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValue {
    depuis: String,
    valeur: toml::Value,
    source: String,
    #[serde(default)]
    note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn r() -> &'static Dispositifs {
        Dispositifs::builtin().unwrap()
    }

    #[test]
    fn the_shipped_reference_parses_and_covers_every_enum_member() {
        let r = r();
        for (i, d) in Dispositif::ALL.into_iter().enumerate() {
            assert_eq!(r.dispositifs()[i].dispositif, d);
            assert!(!r.dispositif(d).rule.is_empty(), "{}", d.id());
        }
        for f in Funder::ALL {
            assert_eq!(r.funder(f).funder, f);
        }
        for p in Parameter::ALL {
            assert_eq!(r.series(p).parameter, p);
            assert!(!r.series(p).label.is_empty());
        }
    }

    #[test]
    fn every_parameter_has_a_value_every_day_from_its_first_date_to_2030() {
        let r = r();
        let end = d(2030, 12, 31);
        for s in r.all_series() {
            let mut day = s.first_date().unwrap();
            while day <= end {
                assert!(
                    s.value_on(day).is_ok(),
                    "{} : pas de valeur le {day}",
                    s.parameter.id()
                );
                day = day.succ_opt().unwrap();
            }
            // And nothing before the first date: the lookup says so.
            let before = s.first_date().unwrap().pred_opt().unwrap();
            let e = s.value_on(before).unwrap_err();
            assert!(matches!(e, ReferenceError::NotInForce { .. }));
        }
    }

    #[test]
    fn cpf_participation_at_its_boundaries() {
        let r = r();
        let p = Parameter::CpfParticipationForfaitaire;
        // None before 2 May 2024: zero, and the reason says so.
        let v = r.value_on(p, d(2024, 5, 1)).unwrap();
        assert_eq!(v.cents(), Cents::ZERO);
        assert_eq!(
            r.series(p).describe(v),
            "pas de participation avant le 2 mai 2024"
        );
        assert_eq!(r.cents_on(p, d(2024, 5, 2)), Ok(Cents(10_000)));
        assert_eq!(r.cents_on(p, d(2024, 12, 31)), Ok(Cents(10_000)));
        assert_eq!(r.cents_on(p, d(2025, 1, 1)), Ok(Cents(10_223)));
        assert_eq!(r.cents_on(p, d(2025, 12, 31)), Ok(Cents(10_223)));
        assert_eq!(r.cents_on(p, d(2026, 1, 1)), Ok(Cents(10_320)));
        assert_eq!(
            r.series(p).describe(r.value_on(p, d(2026, 6, 1)).unwrap()),
            "103,20 €"
        );
        // Before the CPF existed there is no value at all.
        let e = r.cents_on(p, d(2014, 12, 31)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "aucune valeur de « participation forfaitaire CPF » en vigueur le 31/12/2014 \
             (première valeur le 01/01/2015)"
        );
    }

    #[test]
    fn periode_de_reconversion_values_start_on_1_february_2026() {
        let r = r();
        let rate = Parameter::PeriodeReconversionTauxHoraire;
        assert!(r.cents_on(rate, d(2026, 1, 31)).is_err());
        assert_eq!(r.cents_on(rate, d(2026, 2, 1)), Ok(Cents(915)));
        let c = |p| r.count_on(p, d(2026, 2, 1)).unwrap();
        assert_eq!(c(Parameter::PeriodeReconversionHeuresMin), 150);
        assert_eq!(c(Parameter::PeriodeReconversionHeuresMax), 450);
        assert_eq!(c(Parameter::PeriodeReconversionDureeMaxMois), 12);
        assert_eq!(c(Parameter::PtpAncienneteSalarieeMois), 24);
        assert_eq!(c(Parameter::PtpAncienneteEntrepriseMois), 12);
        assert_eq!(c(Parameter::DemissionJoursTravailles), 1300);
        assert_eq!(
            r.series(Parameter::DemissionJoursTravailles).describe(
                r.value_on(Parameter::DemissionJoursTravailles, d(2026, 2, 1))
                    .unwrap()
            ),
            "1 300 jours"
        );
    }

    #[test]
    fn units_are_checked() {
        let r = r();
        let today = d(2026, 3, 1);
        assert!(matches!(
            r.count_on(Parameter::CpfPlafond, today),
            Err(ReferenceError::WrongUnit { .. })
        ));
        assert!(matches!(
            r.cents_on(Parameter::BilanHeuresMax, today),
            Err(ReferenceError::WrongUnit { .. })
        ));
    }

    #[test]
    fn funders_know_their_dispositif_and_the_cpf_exemption() {
        let r = r();
        // dispositifs.md §4: employer, branch agreement or OPCO co-financing.
        let exempting: Vec<Funder> = Funder::ALL
            .into_iter()
            .filter(|f| r.funder(*f).exempts_cpf_participation)
            .collect();
        assert_eq!(
            exempting,
            vec![
                Funder::UniformationPlan,
                Funder::UniformationFondsConventionnels,
                Funder::UniformationPeriodeReconversion,
                Funder::Employeur,
                Funder::ProA,
            ]
        );
        assert_eq!(r.funder(Funder::Cpf).dispositif, Some(Dispositif::Cpf));
        assert_eq!(
            r.funder(Funder::TransitionsPro).dispositif,
            Some(Dispositif::Ptp)
        );
        assert_eq!(r.funder(Funder::Region).dispositif, None);
        assert!(r.funder(Funder::ProA).legacy && r.funder(Funder::TransitionsCollectives).legacy);
        assert!(!r.funder(Funder::Cpf).legacy);
        assert_eq!(
            r.dispositif(Dispositif::ProA).replaced_on,
            Some(d(2026, 1, 1))
        );
        assert_eq!(
            r.dispositif(Dispositif::PeriodeReconversion).since,
            d(2026, 2, 1)
        );
    }

    #[test]
    fn ids_are_stable_ascii_and_match_serde() {
        for x in Dispositif::ALL {
            assert!(x.id().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert_eq!(
                serde_json::to_string(&x).unwrap(),
                format!("\"{}\"", x.id())
            );
            assert_eq!(Dispositif::from_id(x.id()), Some(x));
            assert!(!x.label().is_empty() && !x.name().is_empty());
        }
        for x in Funder::ALL {
            assert!(x.id().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert_eq!(
                serde_json::to_string(&x).unwrap(),
                format!("\"{}\"", x.id())
            );
            assert_eq!(Funder::from_id(x.id()), Some(x));
            assert!(x.short_label().chars().count() <= 15, "{}", x.short_label());
        }
        for x in Parameter::ALL {
            assert_eq!(
                serde_json::to_string(&x).unwrap(),
                format!("\"{}\"", x.id())
            );
            assert_eq!(Parameter::from_id(x.id()), Some(x));
        }
        assert_eq!(
            Funder::UniformationPlan.label(),
            "Uniformation – plan de développement (< 50 salariés)"
        );
    }

    #[test]
    fn broken_reference_files_are_refused_in_french() {
        let good = DISPOSITIFS_TOML;
        let cases = [
            (good.replace("[financeurs.agefiph]", "[financeurs.agefip]"), "financeur « agefiph » manquant"),
            (
                good.replace(
                    "{ depuis = \"2025-01-01\", valeur = \"102,23\"",
                    "{ depuis = \"2024-01-01\", valeur = \"102,23\"",
                ),
                "les dates doivent croître",
            ),
            (good.replace("valeur = \"9,15\"", "valeur = \"9,155\""), "deux décimales"),
            (good.replace("valeur = 1300", "valeur = \"1300\""), "entier positif attendu"),
            (
                good.replace("unite = \"jours\"", "unite = \"heures\""),
                "unité « heures » au lieu de « jours »",
            ),
            (good.replace("depuis = \"2019-11-01\"", "depuis = \"01/11/2019\""), "date invalide"),
            (good.replace("dispositif = \"ptp\"", "dispositif = \"ptq\""), "dispositif inconnu « ptq »"),
            (format!("{good}\n[dispositifs.cif]\ndepuis = \"2000-01-01\"\nregle = \"x\"\nbase_legale = \"\"\ndescription = \"\"\nconfiance = \"L\"\n"), "dispositif inconnu « cif »"),
        ];
        for (text, expected) in cases {
            assert_ne!(
                text, good,
                "the replacement for « {expected} » did not apply"
            );
            let e = Dispositifs::parse(&text).unwrap_err().to_string();
            assert!(e.contains(expected), "{e}");
            assert!(e.starts_with("données de référence invalides (dispositifs.toml)"));
        }
    }
}
