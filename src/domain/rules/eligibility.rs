//! Eligibility hints, one per dispositif: pure functions over the
//! beneficiary's facts, the plan, the dates of the recorded CEP interviews
//! and a date. They advise; they never block anything.
//!
//! Each [`Hint`] says *éligible*, *à vérifier* or *non éligible*, why (in
//! French), the rule it applies and the date that rule applies from, and the
//! missing data when it cannot decide. Thresholds come from the dated values
//! of [`Dispositifs`], looked up on the evaluation date.
//!
//! How a verdict is reached: any failed condition gives *non éligible*; else
//! any unknown datum or point to check gives *à vérifier*; else *éligible*.

use crate::domain::beneficiary::{Beneficiary, ContractType};
use crate::domain::dispositif::{Dispositif, DispositifInfo, Dispositifs, Funder, Parameter};
use crate::domain::money::Cents;
use crate::domain::plan::{CpfPicture, EligibilityFacts, FundingStatus, Plan, Step, StepKind};
use crate::domain::time::fmt_date;
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The answer of a hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Eligible,
    AVerifier,
    NonEligible,
}

impl Verdict {
    /// JSON id: `eligible`, `a_verifier`, `non_eligible`.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Eligible => "eligible",
            Verdict::AVerifier => "a_verifier",
            Verdict::NonEligible => "non_eligible",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Eligible => "éligible",
            Verdict::AVerifier => "à vérifier",
            Verdict::NonEligible => "non éligible",
        }
    }

    /// One-cell marker (`PTP ✓ éligible`).
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::Eligible => "✓",
            Verdict::AVerifier => "⚠",
            Verdict::NonEligible => "✗",
        }
    }
}

/// One eligibility hint. Serialises as the `parcours eligibilite --json`
/// entries: `dispositif`, `verdict`, `raisons`, `regle`, `depuis`, `manquant`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hint {
    pub dispositif: Dispositif,
    pub verdict: Verdict,
    /// Why, in French.
    #[serde(rename = "raisons")]
    pub reasons: Vec<String>,
    /// The rule cited.
    #[serde(rename = "regle")]
    pub rule: String,
    /// The date the rule applies from.
    #[serde(rename = "depuis")]
    pub since: NaiveDate,
    /// The data needed to decide, when unknown.
    #[serde(rename = "manquant")]
    pub missing: Vec<String>,
}

/// What the rules read, filled by the caller from the beneficiary, the plan
/// and the interviews (no store types).
#[derive(Clone, Copy, Debug)]
pub struct EligibilityInput<'a> {
    pub contract: Option<ContractType>,
    pub seniority_company_months: Option<u16>,
    pub seniority_total_months: Option<u16>,
    pub qualification_level: Option<u8>,
    pub cpf_balance: Option<Cents>,
    pub plan_started_on: NaiveDate,
    pub facts: &'a EligibilityFacts,
    pub steps: &'a [Step],
    /// Dates of the recorded CEP interviews (any order). Only those on or
    /// before the evaluation date count as held.
    pub cep_interviews: &'a [NaiveDate],
}

impl<'a> EligibilityInput<'a> {
    pub fn new(
        beneficiary: &Beneficiary,
        plan: &'a Plan,
        cep_interviews: &'a [NaiveDate],
    ) -> EligibilityInput<'a> {
        EligibilityInput {
            contract: beneficiary.contract,
            seniority_company_months: beneficiary.seniority_company_months,
            seniority_total_months: beneficiary.seniority_total_months,
            qualification_level: beneficiary.qualification_level,
            cpf_balance: beneficiary.cpf_balance,
            plan_started_on: plan.started_on,
            facts: &plan.facts,
            steps: &plan.steps,
            cep_interviews,
        }
    }
}

/// All hints, in [`Dispositif::HINTED`] order, evaluated on `on`.
pub fn hints(input: &EligibilityInput, reference: &Dispositifs, on: NaiveDate) -> Vec<Hint> {
    Dispositif::HINTED
        .into_iter()
        .filter_map(|d| hint(d, input, reference, on))
        .collect()
}

/// The hint for one dispositif; None for those without one (plan de
/// développement, PMSMP: the immersion rules live elsewhere).
pub fn hint(
    d: Dispositif,
    input: &EligibilityInput,
    reference: &Dispositifs,
    on: NaiveDate,
) -> Option<Hint> {
    let c = Ctx {
        input,
        reference,
        on,
    };
    // Dispositifs that did not exist before their date. (The CEP, the CPF
    // and VAE existed under earlier rules; legacy ones go by the plan's start.)
    let dated = [
        Dispositif::BilanCompetences,
        Dispositif::Ptp,
        Dispositif::DemissionReconversion,
        Dispositif::PeriodeReconversion,
    ];
    let info = reference.dispositif(d);
    if dated.contains(&d) && on < info.since {
        return Some(not_yet_in_force(info));
    }
    Some(match d {
        Dispositif::Cep => cep(&c),
        Dispositif::BilanCompetences => bilan(&c),
        Dispositif::Vae => vae(&c),
        Dispositif::Cpf => cpf(&c),
        Dispositif::Ptp => ptp(&c),
        Dispositif::DemissionReconversion => demission(&c),
        Dispositif::PeriodeReconversion => periode(&c),
        Dispositif::ProA => pro_a(&c),
        Dispositif::TransitionsCollectives => transitions_collectives(&c),
        Dispositif::PlanDeveloppementCompetences | Dispositif::Pmsmp => return None,
    })
}

struct Ctx<'a, 'b> {
    input: &'b EligibilityInput<'a>,
    reference: &'b Dispositifs,
    on: NaiveDate,
}

impl Ctx<'_, '_> {
    fn info(&self, d: Dispositif) -> &DispositifInfo {
        self.reference.dispositif(d)
    }

    fn count(&self, p: Parameter) -> Result<u32, String> {
        self.reference
            .count_on(p, self.on)
            .map_err(|e| e.to_string())
    }

    /// Active steps of one kind.
    fn steps_of(&self, kind: StepKind) -> impl Iterator<Item = &Step> {
        self.input
            .steps
            .iter()
            .filter(move |s| s.is_active() && s.kind == kind)
    }

    /// Interviews held on or before the evaluation date, oldest first.
    fn interviews_held(&self) -> Vec<NaiveDate> {
        let mut v: Vec<NaiveDate> = self
            .input
            .cep_interviews
            .iter()
            .copied()
            .filter(|d| *d <= self.on)
            .collect();
        v.sort();
        v
    }
}

/// Collects the findings of one hint.
#[derive(Default)]
struct Findings {
    failed: bool,
    to_check: bool,
    reasons: Vec<String>,
    missing: Vec<String>,
}

impl Findings {
    fn ok(&mut self, reason: impl Into<String>) {
        self.reasons.push(reason.into());
    }
    fn fail(&mut self, reason: impl Into<String>) {
        self.failed = true;
        self.reasons.push(reason.into());
    }
    fn check(&mut self, reason: impl Into<String>) {
        self.to_check = true;
        self.reasons.push(reason.into());
    }
    /// Unknown data (each listed once).
    fn unknown(&mut self, missing: impl Into<String>) {
        self.to_check = true;
        let m = missing.into();
        if !self.missing.contains(&m) {
            self.missing.push(m);
        }
    }
    /// A threshold that could not be looked up: the hint cannot decide.
    fn threshold<T>(&mut self, r: Result<T, String>) -> Option<T> {
        r.map_err(|e| self.unknown(e)).ok()
    }
    fn hint(self, info: &DispositifInfo, since: NaiveDate) -> Hint {
        let verdict = if self.failed {
            Verdict::NonEligible
        } else if self.to_check || !self.missing.is_empty() {
            Verdict::AVerifier
        } else {
            Verdict::Eligible
        };
        Hint {
            dispositif: info.dispositif,
            verdict,
            reasons: self.reasons,
            rule: info.rule.clone(),
            since,
            missing: self.missing,
        }
    }
}

/// Whole months from `from` to `to` (0 when `to` is not after `from`).
fn months_between(from: NaiveDate, to: NaiveDate) -> u32 {
    if to <= from {
        return 0;
    }
    let mut m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if to.day() < from.day() {
        m -= 1;
    }
    u32::try_from(m).unwrap_or(0)
}

fn contract_unknown(f: &mut Findings) {
    f.unknown("type de contrat inconnu");
}

fn not_yet_in_force(info: &DispositifInfo) -> Hint {
    let mut f = Findings::default();
    f.fail(format!(
        "pas encore en vigueur : {} s'applique à partir du {}",
        info.dispositif.name(),
        fmt_date(info.since)
    ));
    f.hint(info, info.since)
}

// ----- CEP ---------------------------------------------------------------

fn cep(c: &Ctx) -> Hint {
    let info = c.info(Dispositif::Cep);
    let mut f = Findings::default();
    f.ok("gratuit et ouvert à tout actif, salarié compris ; confidentiel et hors de l'entreprise");
    let held = c.interviews_held();
    match held.last() {
        None => f.ok("aucun entretien CEP enregistré"),
        Some(last) => f.ok(format!(
            "{} entretien{} CEP enregistré{}, le dernier le {}",
            held.len(),
            if held.len() > 1 { "s" } else { "" },
            if held.len() > 1 { "s" } else { "" },
            fmt_date(*last)
        )),
    }
    if c.input.facts.resignation_on.is_some() {
        f.ok("obligatoire avant une démission-reconversion");
    }
    f.hint(info, info.since)
}

// ----- bilan de compétences ----------------------------------------------

fn bilan(c: &Ctx) -> Hint {
    let info = c.info(Dispositif::BilanCompetences);
    let mut f = Findings::default();
    f.ok("ouvert à tout actif ; financé par le CPF, ou par le plan de l'employeur avec l'accord du salarié");
    if let Some(max) = f.threshold(c.count(Parameter::BilanHeuresMax)) {
        for s in c.steps_of(StepKind::BilanCompetences) {
            match s.hours {
                Some(h) if h > max => f.check(format!(
                    "« {} » : {h} h prévues, un bilan dure {max} h au plus",
                    s.title
                )),
                Some(h) => f.ok(format!("« {} » : {h} h prévues ({max} h au plus)", s.title)),
                None => {}
            }
        }
    }
    f.ok("le document de synthèse appartient au bénéficiaire");
    f.hint(info, info.since)
}

// ----- VAE ---------------------------------------------------------------

fn vae(c: &Ctx) -> Hint {
    let info = c.info(Dispositif::Vae);
    let mut f = Findings::default();
    if c.on < info.since {
        f.check(format!(
            "avant le {} : règles antérieures à la réforme de la VAE",
            fmt_date(info.since)
        ));
        return f.hint(info, info.since);
    }
    match c.input.seniority_total_months {
        None => f.unknown("expérience professionnelle (ancienneté totale) inconnue"),
        Some(0) => f.check("aucune expérience salariée connue : la VAE suppose une expérience en rapport avec la certification"),
        Some(m) => f.check(format!(
            "{m} mois d'expérience salariée : vérifier qu'elle est en rapport direct avec la certification visée"
        )),
    }
    // One dossier per certification and calendar year: two VAE steps with the
    // same title in the same year look like two dossiers.
    let mut seen: BTreeMap<(String, i32), usize> = BTreeMap::new();
    for s in c.steps_of(StepKind::Vae) {
        if let Some(d) = s.date() {
            *seen
                .entry((s.title.trim().to_lowercase(), d.year()))
                .or_default() += 1;
        }
    }
    for ((title, year), n) in seen {
        if n > 1 {
            f.check(format!(
                "{n} démarches VAE « {title} » en {year} : un seul dossier par certification et par année civile"
            ));
        }
    }
    if let Some(h) = f.threshold(c.count(Parameter::VaeCongeHeures)) {
        f.ok(format!("congé VAE de {h} h, demandé à l'employeur"));
    }
    f.hint(info, info.since)
}

// ----- CPF ---------------------------------------------------------------

fn cpf(c: &Ctx) -> Hint {
    let info = c.info(Dispositif::Cpf);
    let mut f = Findings::default();
    let series = c.reference.series(Parameter::CpfParticipationForfaitaire);
    let since = match series.value_on(c.on) {
        Ok(v) => {
            if v.note.is_empty() {
                f.ok(format!(
                    "participation forfaitaire de {} par formation achetée (depuis le {}), sauf cofinancement de l'employeur, de la branche ou de l'OPCO sur la même étape, ou demandeur d'emploi",
                    v.cents(),
                    fmt_date(v.from)
                ));
            } else {
                f.ok(v.note.clone());
            }
            v.from.max(info.since)
        }
        Err(e) => {
            f.unknown(e.to_string());
            info.since
        }
    };
    let picture = CpfPicture::compute(
        c.input.steps,
        c.input.facts,
        c.input.cpf_balance,
        c.reference,
        c.on,
    );
    match c.input.cpf_balance {
        None => f.unknown("solde CPF inconnu"),
        Some(b) if b <= Cents::ZERO => f.check("solde CPF nul : un cofinancement est nécessaire"),
        Some(b) => f.ok(format!("solde CPF : {b}")),
    }
    if let Some(short) = picture.shortfall.filter(|s| *s > Cents::ZERO) {
        f.check(format!(
            "les lignes CPF ({}) dépassent le solde : {short} à cofinancer",
            picture.committed
        ));
    }
    for l in picture
        .lines
        .iter()
        .filter(|l| l.status != FundingStatus::Refuse)
    {
        f.ok(format!(
            "« {} » : {} au {} — {}",
            l.step_title,
            l.amount,
            fmt_date(l.date),
            if l.participation.amount > Cents::ZERO {
                format!("participation de {}", l.participation.amount)
            } else {
                l.participation.reason.clone()
            }
        ));
    }
    if let (Ok(cap), Ok(cap_low)) = (
        c.reference.cents_on(Parameter::CpfPlafond, c.on),
        c.reference.cents_on(Parameter::CpfPlafondPeuQualifie, c.on),
    ) {
        f.ok(format!(
            "plafond du compte : {cap} ({cap_low} sans qualification de niveau 3)"
        ));
    }
    f.hint(info, since)
}

// ----- PTP ---------------------------------------------------------------

/// The PTP's departure date: the earliest start of an active PTP step or of
/// a step funded by Transitions Pro (seniority is assessed on that date).
fn ptp_departure(c: &Ctx) -> Option<NaiveDate> {
    c.input
        .steps
        .iter()
        .filter(|s| s.is_active())
        .filter(|s| {
            s.kind == StepKind::Ptp
                || s.funding.iter().any(|l| {
                    l.funder == Funder::TransitionsPro && l.status != FundingStatus::Refuse
                })
        })
        .filter_map(|s| s.start)
        .min()
}

/// `have` months against `need`, with the months left before the departure.
fn seniority(
    f: &mut Findings,
    what: &str,
    have: Option<u16>,
    need: u32,
    until_departure: Option<(u32, NaiveDate)>,
) {
    match have {
        None => f.unknown(format!("{what} inconnue")),
        Some(m) if u32::from(m) >= need => f.ok(format!("{what} : {m} mois ({need} requis)")),
        Some(m) => {
            let short = need - u32::from(m);
            match until_departure {
                Some((months, d)) if months >= short => f.check(format!(
                    "{what} : {m} mois, il en manque {short} aujourd'hui ; l'ancienneté s'apprécie au départ en formation le {}",
                    fmt_date(d)
                )),
                _ => f.fail(format!("{what} : {m} mois, {need} requis")),
            }
        }
    }
}

fn ptp(c: &Ctx) -> Hint {
    let info = c.info(Dispositif::Ptp);
    let mut f = Findings::default();
    let facts = c.input.facts;
    let exemptions = [
        (
            facts.boeth,
            "RQTH ou bénéficiaire de l'obligation d'emploi : pas de condition d'ancienneté",
        ),
        (
            facts.dismissed_without_training,
            "licencié pour motif économique ou inaptitude sans formation depuis : pas de condition d'ancienneté",
        ),
        (
            facts.long_absence_last_24_months,
            "maladie professionnelle, ou absence d'au moins 6 mois pour accident ou maladie, dans les 24 derniers mois : pas de condition d'ancienneté",
        ),
    ];
    if let Some((_, why)) = exemptions.iter().find(|(flag, _)| *flag == Some(true)) {
        f.ok(*why);
        f.ok("projet validé par Transitions Pro après positionnement préalable par l'organisme de formation");
        return f.hint(info, info.since);
    }
    let need_total = f.threshold(c.count(Parameter::PtpAncienneteSalarieeMois));
    let need_company = f.threshold(c.count(Parameter::PtpAncienneteEntrepriseMois));
    let need_cdd = f.threshold(c.count(Parameter::PtpCddMois12Derniers));
    let departure = ptp_departure(c)
        .filter(|d| *d > c.on)
        .map(|d| (months_between(c.on, d), d));
    match c.input.contract {
        None => contract_unknown(&mut f),
        Some(ContractType::Cdi) => {
            f.ok("CDI : 24 mois d'ancienneté salariée dont 12 dans l'entreprise");
            if let Some(n) = need_total {
                seniority(
                    &mut f,
                    "ancienneté salariée totale",
                    c.input.seniority_total_months,
                    n,
                    departure,
                );
            }
            if let Some(n) = need_company {
                seniority(
                    &mut f,
                    "ancienneté dans l'entreprise",
                    c.input.seniority_company_months,
                    n,
                    departure,
                );
            }
            if let (Some(t), Some(e)) = (
                c.input.seniority_total_months,
                c.input.seniority_company_months,
            ) {
                if t < e {
                    f.check("ancienneté totale inférieure à celle dans l'entreprise : vérifiez la saisie");
                }
            }
        }
        Some(ContractType::Cdd) => {
            f.ok("CDD : 24 mois d'activité salariée sur les 5 dernières années, dont 4 mois en CDD sur les 12 derniers mois");
            if let Some(n) = need_total {
                match (facts.months_employee_last_5_years, c.input.seniority_total_months) {
                    (Some(m), _) => seniority(
                        &mut f,
                        "activité salariée sur les 5 dernières années",
                        Some(m),
                        n,
                        None,
                    ),
                    // Less in a whole career is less in 5 years.
                    (None, Some(t)) if u32::from(t) < n => seniority(
                        &mut f,
                        "ancienneté salariée totale",
                        Some(t),
                        n,
                        None,
                    ),
                    (None, _) => f.unknown("mois d'activité salariée sur les 5 dernières années inconnus"),
                }
            }
            if let Some(n) = need_cdd {
                match facts.months_cdd_last_12_months {
                    None => f.unknown("mois en CDD sur les 12 derniers mois inconnus"),
                    Some(m) if u32::from(m) >= n => {
                        f.ok(format!("{m} mois en CDD sur les 12 derniers mois ({n} requis)"))
                    }
                    Some(m) => f.fail(format!(
                        "{m} mois en CDD sur les 12 derniers mois, {n} requis"
                    )),
                }
            }
            f.ok("ne comptent pas pour les mois en CDD : contrats aidés (CAE), apprentissage, professionnalisation, contrats d'étudiant, CDD suivi d'un CDI");
        }
        Some(ContractType::Interim) => {
            f.check("intérimaire : conditions d'ancienneté particulières, à vérifier auprès de Transitions Pro")
        }
        Some(ContractType::Aide) => f.check(
            "contrat aidé / CDDI : règle CDI ou CDD selon le contrat ; les mois en CAE ne comptent pas pour les 4 mois en CDD",
        ),
        Some(ContractType::Autre) => {
            f.check("type de contrat « autre » : conditions à vérifier auprès de Transitions Pro")
        }
    }
    f.hint(info, info.since)
}

// ----- démission-reconversion ------------------------------------------------

fn demission(c: &Ctx) -> Hint {
    let info = c.info(Dispositif::DemissionReconversion);
    let mut f = Findings::default();
    let facts = c.input.facts;
    match c.input.contract {
        None => contract_unknown(&mut f),
        Some(ContractType::Cdi) => f.ok("CDI de droit privé"),
        Some(other) => f.fail(format!(
            "réservée aux salariés en CDI (contrat : {})",
            other.label()
        )),
    }
    let need = f.threshold(c.count(Parameter::DemissionJoursTravailles));
    let window = f.threshold(c.count(Parameter::DemissionFenetreMois));
    if let (Some(need), Some(window)) = (need, window) {
        match facts.days_worked_last_60_months {
            None => f.unknown(format!(
                "jours travaillés sur les {window} derniers mois inconnus"
            )),
            Some(n) if n >= need => f.ok(format!(
                "{n} jours travaillés sur les {window} derniers mois ({need} requis)"
            )),
            Some(n) => f.fail(format!(
                "{n} jours travaillés sur les {window} derniers mois, {need} requis (congés sans solde, sabbatiques et disponibilités exclus)"
            )),
        }
    }
    let held = c.interviews_held();
    match facts.resignation_on {
        Some(r) => match held.iter().rev().find(|d| **d < r) {
            Some(d) => f.ok(format!(
                "entretien CEP du {} avant la démission du {}",
                fmt_date(*d),
                fmt_date(r)
            )),
            None if r <= c.on => f.fail(format!(
                "aucun entretien CEP enregistré avant la démission du {} : le CEP est obligatoire avant la démission",
                fmt_date(r)
            )),
            None => f.check(format!(
                "aucun entretien CEP enregistré : obligatoire avant la démission prévue le {}",
                fmt_date(r)
            )),
        },
        None => {
            f.unknown("date de démission prévue inconnue");
            match held.last() {
                None => f.ok("aucun entretien CEP enregistré : obligatoire avant la démission"),
                Some(d) => f.ok(format!("dernier entretien CEP le {}", fmt_date(*d))),
            }
        }
    }
    match (facts.attestation_on, facts.resignation_on) {
        (Some(a), Some(r)) if r < a => f.check(format!(
            "démission prévue le {} avant l'attestation de Transitions Pro du {} : attendre l'attestation",
            fmt_date(r),
            fmt_date(a)
        )),
        (Some(a), _) => {
            let months = f.threshold(c.count(Parameter::DemissionDelaiInscriptionMois));
            let mut reason = format!(
                "attestation du caractère réel et sérieux du {}",
                fmt_date(a)
            );
            if let Some(limit) = months.and_then(|m| a.checked_add_months(Months::new(m))) {
                reason.push_str(&format!(
                    " ; inscription à France Travail au plus tard le {}",
                    fmt_date(limit)
                ));
            }
            f.ok(reason);
        }
        (None, _) => f.ok(
            "attestation du caractère réel et sérieux à obtenir de Transitions Pro avant la démission",
        ),
    }
    f.hint(info, info.since)
}

// ----- période de reconversion -------------------------------------------

fn periode(c: &Ctx) -> Hint {
    let info = c.info(Dispositif::PeriodeReconversion);
    let mut f = Findings::default();
    let facts = c.input.facts;
    f.ok("ouverte à tout salarié, sans condition d'âge, d'ancienneté ni de diplôme");
    let agreement = facts.extending_agreement;
    let min = f.threshold(c.count(Parameter::PeriodeReconversionHeuresMin));
    let max = f.threshold(c.count(Parameter::PeriodeReconversionHeuresMax));
    let max_agreed = f.threshold(c.count(Parameter::PeriodeReconversionHeuresMaxAccord));
    let months = f.threshold(c.count(Parameter::PeriodeReconversionDureeMaxMois));
    let months_agreed = f.threshold(c.count(Parameter::PeriodeReconversionDureeMaxMoisAccord));
    let steps: Vec<&Step> = c.steps_of(StepKind::PeriodeReconversion).collect();
    if steps.is_empty() {
        f.ok("aucune étape « période de reconversion » dans le parcours");
    }
    // Hours: the sum over the période's steps that give them.
    let hours: Option<u32> = steps
        .iter()
        .filter_map(|s| s.hours)
        .fold(None, |a, h| Some(a.unwrap_or(0) + h));
    if let (Some(min), Some(max), Some(max_agreed)) = (min, max, max_agreed) {
        match hours {
            None => f.unknown("nombre d'heures de formation prévu inconnu"),
            Some(h) if h < min => f.fail(format!(
                "{h} h de formation prévues : {min} h au moins (sauf VAE ou CléA)"
            )),
            Some(h) => agreed_limit(
                &mut f,
                &format!("{h} h de formation prévues"),
                (h <= max, &format!("{max} h")),
                (h <= max_agreed, &format!("{max_agreed} h")),
                agreement,
            ),
        }
    }
    // Length: from the first start to the last end of the période's steps.
    let first = steps.iter().filter_map(|s| s.start).min();
    let last = steps.iter().filter_map(|s| s.end).max();
    if let (Some(months), Some(months_agreed)) = (months, months_agreed) {
        match (first, last) {
            (Some(a), Some(b)) => {
                let within = |m: u32| a.checked_add_months(Months::new(m)).is_some_and(|l| b <= l);
                agreed_limit(
                    &mut f,
                    &format!("période du {} au {}", fmt_date(a), fmt_date(b)),
                    (within(months), &format!("{months} mois")),
                    (within(months_agreed), &format!("{months_agreed} mois")),
                    agreement,
                );
            }
            _ => f.unknown("dates de début et de fin de la période inconnues"),
        }
    }
    match facts.employer_agreement {
        None => f.unknown("accord écrit entre l'employeur et le salarié non renseigné"),
        Some(true) => f.ok("accord écrit entre l'employeur et le salarié"),
        Some(false) => f.fail(
            "pas d'accord de l'employeur : la période de reconversion se fait à son initiative, avec l'accord du salarié",
        ),
    }
    f.ok("dossier transmis à l'OPCO par l'employeur dans les 30 jours qui précèdent le début");
    f.hint(info, info.since)
}

/// A quantity of the période de reconversion against its normal limit and
/// the limit a company or branch agreement allows: `(fits, limit)` pairs.
fn agreed_limit(
    f: &mut Findings,
    what: &str,
    (fits_normal, normal): (bool, &str),
    (fits_agreed, agreed): (bool, &str),
    agreement: Option<bool>,
) {
    if fits_normal {
        f.ok(format!("{what} ({normal} au plus)"));
    } else if !fits_agreed {
        f.fail(format!("{what} : {agreed} au plus, même avec un accord"));
    } else {
        match agreement {
            Some(true) => f.ok(format!(
                "{what} : au-delà de {normal}, permis par l'accord d'entreprise ou de branche ({agreed} au plus)"
            )),
            Some(false) => f.fail(format!(
                "{what} : {normal} au plus sans accord d'entreprise ou de branche"
            )),
            None => {
                f.check(format!(
                    "{what} : au-delà de {normal}, il faut un accord d'entreprise ou de branche"
                ));
                f.unknown("accord d'entreprise ou de branche étendant la période non renseigné");
            }
        }
    }
}

// ----- legacy: Pro-A and Transitions collectives -------------------------

/// Non éligible when the plan was begun on or after the dispositif's
/// replacement date; None when the legacy rules still apply.
fn replaced(c: &Ctx, d: Dispositif) -> Option<Hint> {
    let info = c.info(d);
    let cutoff = info.replaced_on?;
    if c.input.plan_started_on < cutoff {
        return None;
    }
    let mut f = Findings::default();
    f.fail(format!(
        "parcours commencé le {} : {} est remplacé par la période de reconversion pour les parcours commencés à partir du {}",
        fmt_date(c.input.plan_started_on),
        d.label(),
        fmt_date(cutoff)
    ));
    Some(f.hint(info, cutoff))
}

fn legacy_reason(c: &Ctx, d: Dispositif) -> String {
    let info = c.info(d);
    match info.replaced_on {
        Some(cutoff) => format!(
            "ancien dispositif : parcours commencé le {}, avant le {}",
            fmt_date(c.input.plan_started_on),
            fmt_date(cutoff)
        ),
        None => "ancien dispositif".to_string(),
    }
}

fn pro_a(c: &Ctx) -> Hint {
    if let Some(h) = replaced(c, Dispositif::ProA) {
        return h;
    }
    let info = c.info(Dispositif::ProA);
    let mut f = Findings::default();
    f.ok(legacy_reason(c, Dispositif::ProA));
    if let Some(cutoff) = info.replaced_on {
        f.ok(format!(
            "seul un avenant Pro-A conclu avant le {} garde l'ancienne règle",
            fmt_date(cutoff)
        ));
    }
    match c.input.contract {
        None => contract_unknown(&mut f),
        Some(ContractType::Cdi) => f.ok("CDI"),
        Some(other) => f.fail(format!(
            "Pro-A était réservée aux salariés en CDI (contrat : {})",
            other.label()
        )),
    }
    match c.input.qualification_level {
        None => f.unknown("niveau de qualification inconnu"),
        Some(l) if l >= 6 => f.fail(format!(
            "niveau {l} : Pro-A était réservée aux qualifications inférieures à la licence (niveau 6)"
        )),
        Some(l) => f.ok(format!("niveau {l}, inférieur à la licence")),
    }
    f.hint(info, info.since)
}

fn transitions_collectives(c: &Ctx) -> Hint {
    if let Some(h) = replaced(c, Dispositif::TransitionsCollectives) {
        return h;
    }
    let info = c.info(Dispositif::TransitionsCollectives);
    let mut f = Findings::default();
    if c.input.plan_started_on < info.since {
        f.fail(format!(
            "parcours commencé le {}, avant le lancement du dispositif le {}",
            fmt_date(c.input.plan_started_on),
            fmt_date(info.since)
        ));
        return f.hint(info, info.since);
    }
    f.ok(legacy_reason(c, Dispositif::TransitionsCollectives));
    f.unknown("emploi listé comme fragilisé par un accord GEPP de l'employeur");
    f.ok("parcours certifiant vers un métier porteur de la région, rémunération maintenue");
    f.hint(info, info.since)
}
