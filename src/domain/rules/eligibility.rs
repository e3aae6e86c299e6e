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
use crate::domain::dispositif::{
    group_thousands, Dispositif, DispositifInfo, Dispositifs, Funder, Parameter, Unit,
};
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

impl Hint {
    /// `PTP ✓ éligible`, for one-line lists.
    pub fn headline(&self) -> String {
        format!(
            "{} {} {}",
            self.dispositif.label(),
            self.verdict.symbol(),
            self.verdict.label()
        )
    }
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

/// `1 300 jours`.
fn days(n: u32) -> String {
    Unit::Jours.format(n.into())
}

fn contract_unknown(f: &mut Findings) {
    f.unknown("type de contrat inconnu");
}

fn not_yet_in_force(info: &DispositifInfo) -> Hint {
    let mut f = Findings::default();
    f.fail(format!(
        "pas encore en vigueur : ce dispositif s'applique à partir du {}",
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
                "{} travaillés sur les {window} derniers mois ({} requis)",
                days(n),
                group_thousands(need.into())
            )),
            Some(n) => f.fail(format!(
                "{} travaillés sur les {window} derniers mois, {} requis (congés sans solde, sabbatiques et disponibilités exclus)",
                days(n),
                group_thousands(need.into())
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
        "parcours commencé le {} : le dispositif {} est remplacé par la période de reconversion pour les parcours commencés à partir du {}",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::beneficiary::Meta;
    use crate::domain::id::Id;
    use crate::domain::plan::{FundingLine, StepStatus};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn reference() -> &'static Dispositifs {
        Dispositifs::builtin().unwrap()
    }

    /// The facts of one case; `input()` lends them to the rules.
    struct Case {
        contract: Option<ContractType>,
        company: Option<u16>,
        total: Option<u16>,
        level: Option<u8>,
        balance: Option<Cents>,
        started_on: NaiveDate,
        facts: EligibilityFacts,
        steps: Vec<Step>,
        interviews: Vec<NaiveDate>,
    }

    impl Case {
        fn input(&self) -> EligibilityInput<'_> {
            EligibilityInput {
                contract: self.contract,
                seniority_company_months: self.company,
                seniority_total_months: self.total,
                qualification_level: self.level,
                cpf_balance: self.balance,
                plan_started_on: self.started_on,
                facts: &self.facts,
                steps: &self.steps,
                cep_interviews: &self.interviews,
            }
        }
        fn hint(&self, d: Dispositif, on: NaiveDate) -> Hint {
            hint(d, &self.input(), reference(), on).unwrap()
        }
    }

    /// A CDI with 30 months, 14 in the company, level 4, nothing else known.
    fn cdi() -> Case {
        Case {
            contract: Some(ContractType::Cdi),
            company: Some(14),
            total: Some(30),
            level: Some(4),
            balance: Some(Cents(234_000)),
            started_on: d(2026, 3, 2),
            facts: EligibilityFacts::default(),
            steps: Vec::new(),
            interviews: Vec::new(),
        }
    }

    fn step(n: u8, kind: StepKind) -> Step {
        Step::new(Id([n; 16]), kind, &format!("Étape {n}"))
    }

    const ON: fn() -> NaiveDate = || d(2026, 3, 2);

    fn verdict(c: &Case, dispositif: Dispositif) -> Verdict {
        c.hint(dispositif, ON()).verdict
    }

    // ----- PTP -----------------------------------------------------------

    #[test]
    fn ptp_cdi_total_seniority_23_24_25_months() {
        let mut c = cdi();
        c.company = Some(12);
        for (total, expected) in [
            (23, Verdict::NonEligible),
            (24, Verdict::Eligible),
            (25, Verdict::Eligible),
        ] {
            c.total = Some(total);
            let h = c.hint(Dispositif::Ptp, ON());
            assert_eq!(h.verdict, expected, "{total} mois : {:?}", h.reasons);
            assert!(h.missing.is_empty());
        }
        c.total = Some(23);
        let h = c.hint(Dispositif::Ptp, ON());
        assert!(h
            .reasons
            .contains(&"ancienneté salariée totale : 23 mois, 24 requis".to_string()));
        assert_eq!(h.since, d(2019, 1, 1));
        assert!(h.rule.starts_with("art. L.6323-17-2 et D.6323-9 C. trav."));
    }

    #[test]
    fn ptp_cdi_company_seniority_11_12_months() {
        let mut c = cdi();
        c.company = Some(11);
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::NonEligible);
        assert!(h
            .reasons
            .contains(&"ancienneté dans l'entreprise : 11 mois, 12 requis".to_string()));
        c.company = Some(12);
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::Eligible);
        assert!(h
            .reasons
            .contains(&"ancienneté dans l'entreprise : 12 mois (12 requis)".to_string()));
    }

    #[test]
    fn ptp_unknown_data_is_listed_as_missing() {
        let mut c = cdi();
        c.total = None;
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert_eq!(h.missing, vec!["ancienneté salariée totale inconnue"]);
        // A known failure wins over an unknown datum.
        c.company = Some(3);
        assert_eq!(verdict(&c, Dispositif::Ptp), Verdict::NonEligible);
        c.contract = None;
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert_eq!(h.missing, vec!["type de contrat inconnu"]);
    }

    #[test]
    fn ptp_seniority_is_assessed_at_the_departure_date() {
        let mut c = cdi();
        c.total = Some(22);
        let mut training = step(1, StepKind::Formation);
        training.start = Some(d(2026, 5, 2));
        training.funding = vec![FundingLine::envisaged(Funder::TransitionsPro, Cents::ZERO)];
        c.steps.push(training);
        // 2 months short today, 2 months until the departure: to check.
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::AVerifier, "{:?}", h.reasons);
        assert!(h.reasons.iter().any(|r| r.contains(
            "il en manque 2 aujourd'hui ; l'ancienneté s'apprécie au départ en formation le 02/05/2026"
        )));
        // One day earlier, only one full month is left: not enough.
        c.steps[0].start = Some(d(2026, 5, 1));
        assert_eq!(verdict(&c, Dispositif::Ptp), Verdict::NonEligible);
        // A refused Transitions Pro line does not make a departure.
        c.steps[0].start = Some(d(2026, 5, 2));
        c.steps[0].funding[0].status = FundingStatus::Refuse;
        assert_eq!(verdict(&c, Dispositif::Ptp), Verdict::NonEligible);
    }

    #[test]
    fn ptp_exemptions_are_named() {
        let mut c = cdi();
        c.total = Some(5);
        c.company = Some(5);
        c.facts.boeth = Some(false);
        assert_eq!(verdict(&c, Dispositif::Ptp), Verdict::NonEligible);
        c.facts.boeth = Some(true);
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::Eligible);
        assert!(h.reasons[0].starts_with("RQTH ou bénéficiaire de l'obligation d'emploi"));
        c.facts.boeth = None;
        c.facts.dismissed_without_training = Some(true);
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::Eligible);
        assert!(h.reasons[0].starts_with("licencié pour motif économique ou inaptitude"));
        c.facts.dismissed_without_training = None;
        c.facts.long_absence_last_24_months = Some(true);
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::Eligible);
        assert!(h.reasons[0].starts_with("maladie professionnelle"));
    }

    #[test]
    fn ptp_cdd_rule() {
        let mut c = cdi();
        c.contract = Some(ContractType::Cdd);
        c.facts.months_employee_last_5_years = Some(24);
        c.facts.months_cdd_last_12_months = Some(4);
        assert_eq!(verdict(&c, Dispositif::Ptp), Verdict::Eligible);
        c.facts.months_cdd_last_12_months = Some(3);
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::NonEligible);
        assert!(h
            .reasons
            .contains(&"3 mois en CDD sur les 12 derniers mois, 4 requis".to_string()));
        c.facts.months_cdd_last_12_months = None;
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert_eq!(
            h.missing,
            vec!["mois en CDD sur les 12 derniers mois inconnus"]
        );
        c.facts.months_cdd_last_12_months = Some(6);
        c.facts.months_employee_last_5_years = Some(23);
        assert_eq!(verdict(&c, Dispositif::Ptp), Verdict::NonEligible);
        // Without the 5-year figure, a career shorter than 24 months decides.
        c.facts.months_employee_last_5_years = None;
        c.total = Some(20);
        assert_eq!(verdict(&c, Dispositif::Ptp), Verdict::NonEligible);
        c.total = Some(80);
        let h = c.hint(Dispositif::Ptp, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert_eq!(
            h.missing,
            vec!["mois d'activité salariée sur les 5 dernières années inconnus"]
        );
        c.contract = Some(ContractType::Interim);
        assert_eq!(verdict(&c, Dispositif::Ptp), Verdict::AVerifier);
    }

    // ----- démission-reconversion ------------------------------------------

    fn resigning() -> Case {
        let mut c = cdi();
        c.facts.days_worked_last_60_months = Some(1_300);
        c.facts.resignation_on = Some(d(2026, 6, 1));
        c.interviews = vec![d(2026, 2, 10)];
        c
    }

    #[test]
    fn demission_days_worked_1299_1300() {
        let mut c = resigning();
        let h = c.hint(Dispositif::DemissionReconversion, ON());
        assert_eq!(h.verdict, Verdict::Eligible, "{:?}", h.reasons);
        assert!(h.reasons.contains(
            &"1 300 jours travaillés sur les 60 derniers mois (1 300 requis)".to_string()
        ));
        assert_eq!(h.since, d(2019, 11, 1));
        c.facts.days_worked_last_60_months = Some(1_299);
        let h = c.hint(Dispositif::DemissionReconversion, ON());
        assert_eq!(h.verdict, Verdict::NonEligible);
        c.facts.days_worked_last_60_months = None;
        let h = c.hint(Dispositif::DemissionReconversion, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert_eq!(
            h.missing,
            vec!["jours travaillés sur les 60 derniers mois inconnus"]
        );
    }

    #[test]
    fn demission_is_for_cdi_only() {
        let mut c = resigning();
        for other in [ContractType::Cdd, ContractType::Interim, ContractType::Aide] {
            c.contract = Some(other);
            let h = c.hint(Dispositif::DemissionReconversion, ON());
            assert_eq!(h.verdict, Verdict::NonEligible);
            assert!(h.reasons[0].starts_with("réservée aux salariés en CDI"));
        }
    }

    #[test]
    fn demission_needs_a_cep_interview_before_the_resignation() {
        let mut c = resigning();
        // An interview on the resignation day itself is not before it.
        c.interviews = vec![d(2026, 6, 1)];
        let on = d(2026, 6, 5);
        let h = c.hint(Dispositif::DemissionReconversion, on);
        assert_eq!(h.verdict, Verdict::NonEligible);
        assert!(h
            .reasons
            .iter()
            .any(|r| r
                .starts_with("aucun entretien CEP enregistré avant la démission du 01/06/2026")));
        c.interviews = vec![d(2026, 5, 31), d(2026, 6, 1)];
        let h = c.hint(Dispositif::DemissionReconversion, on);
        assert_eq!(h.verdict, Verdict::Eligible);
        assert!(h
            .reasons
            .contains(&"entretien CEP du 31/05/2026 avant la démission du 01/06/2026".to_string()));
        // Resignation still ahead and no interview held yet: to check. A
        // planned interview after today does not count as held.
        c.interviews = vec![d(2026, 4, 1)];
        let h = c.hint(Dispositif::DemissionReconversion, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert!(h.missing.is_empty());
        // Unknown resignation date.
        c.facts.resignation_on = None;
        let h = c.hint(Dispositif::DemissionReconversion, ON());
        assert_eq!(h.missing, vec!["date de démission prévue inconnue"]);
    }

    #[test]
    fn demission_waits_for_the_attestation() {
        let mut c = resigning();
        c.facts.attestation_on = Some(d(2026, 6, 15));
        let h = c.hint(Dispositif::DemissionReconversion, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        c.facts.attestation_on = Some(d(2026, 5, 15));
        let h = c.hint(Dispositif::DemissionReconversion, ON());
        assert_eq!(h.verdict, Verdict::Eligible);
        assert!(h
            .reasons
            .iter()
            .any(|r| r.ends_with("inscription à France Travail au plus tard le 15/11/2026")));
    }

    // ----- période de reconversion ------------------------------------------

    fn periode_case(hours: u32, start: NaiveDate, end: NaiveDate) -> Case {
        let mut c = cdi();
        c.facts.employer_agreement = Some(true);
        let mut s = step(1, StepKind::PeriodeReconversion);
        s.hours = Some(hours);
        s.start = Some(start);
        s.end = Some(end);
        c.steps.push(s);
        c
    }

    #[test]
    fn periode_de_reconversion_from_1_february_2026() {
        let c = periode_case(300, d(2026, 3, 1), d(2026, 12, 1));
        let h = c.hint(Dispositif::PeriodeReconversion, d(2026, 1, 31));
        assert_eq!(h.verdict, Verdict::NonEligible);
        assert_eq!(
            h.reasons,
            vec!["pas encore en vigueur : ce dispositif s'applique à partir du 01/02/2026"]
        );
        assert_eq!(h.since, d(2026, 2, 1));
        let h = c.hint(Dispositif::PeriodeReconversion, d(2026, 2, 1));
        assert_eq!(
            h.verdict,
            Verdict::Eligible,
            "{:?} {:?}",
            h.reasons,
            h.missing
        );
        assert!(h
            .reasons
            .contains(&"300 h de formation prévues (450 h au plus)".to_string()));
        assert_eq!(h.since, d(2026, 2, 1));
    }

    #[test]
    fn periode_de_reconversion_hours_150_to_450() {
        let (a, b) = (d(2026, 3, 1), d(2026, 12, 1));
        let v = |h: u32, agreement: Option<bool>| {
            let mut c = periode_case(h, a, b);
            c.facts.extending_agreement = agreement;
            c.hint(Dispositif::PeriodeReconversion, ON())
        };
        assert_eq!(v(149, None).verdict, Verdict::NonEligible);
        assert_eq!(v(150, None).verdict, Verdict::Eligible);
        assert_eq!(v(450, None).verdict, Verdict::Eligible);
        let h = v(451, None);
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert_eq!(
            h.missing,
            vec!["accord d'entreprise ou de branche étendant la période non renseigné"]
        );
        assert_eq!(v(451, Some(false)).verdict, Verdict::NonEligible);
        assert_eq!(v(451, Some(true)).verdict, Verdict::Eligible);
        assert_eq!(v(2_100, Some(true)).verdict, Verdict::Eligible);
        assert_eq!(v(2_101, Some(true)).verdict, Verdict::NonEligible);
        // Hours add up over the période's steps.
        let mut c = periode_case(100, a, b);
        let mut more = step(2, StepKind::PeriodeReconversion);
        more.hours = Some(50);
        c.steps.push(more);
        assert_eq!(
            verdict(&c, Dispositif::PeriodeReconversion),
            Verdict::Eligible
        );
        c.steps[1].status = StepStatus::Abandonne;
        assert_eq!(
            verdict(&c, Dispositif::PeriodeReconversion),
            Verdict::NonEligible
        );
    }

    #[test]
    fn periode_de_reconversion_lasts_12_months_at_most() {
        let a = d(2026, 3, 1);
        let c = periode_case(300, a, d(2027, 3, 1));
        assert_eq!(
            verdict(&c, Dispositif::PeriodeReconversion),
            Verdict::Eligible
        );
        let mut c = periode_case(300, a, d(2027, 3, 2));
        let h = c.hint(Dispositif::PeriodeReconversion, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert!(h.reasons.contains(
            &"période du 01/03/2026 au 02/03/2027 : au-delà de 12 mois, il faut un accord d'entreprise ou de branche"
                .to_string()
        ));
        c.facts.extending_agreement = Some(true);
        assert_eq!(
            verdict(&c, Dispositif::PeriodeReconversion),
            Verdict::Eligible
        );
        let c = periode_case(300, a, d(2029, 3, 2));
        assert_eq!(
            verdict(&c, Dispositif::PeriodeReconversion),
            Verdict::NonEligible
        );
    }

    #[test]
    fn periode_de_reconversion_needs_the_employer_agreement() {
        let mut c = periode_case(300, d(2026, 3, 1), d(2026, 12, 1));
        c.facts.employer_agreement = None;
        let h = c.hint(Dispositif::PeriodeReconversion, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert_eq!(
            h.missing,
            vec!["accord écrit entre l'employeur et le salarié non renseigné"]
        );
        c.facts.employer_agreement = Some(false);
        assert_eq!(
            verdict(&c, Dispositif::PeriodeReconversion),
            Verdict::NonEligible
        );
        // No période step at all: hours and dates are missing.
        let mut c = cdi();
        c.facts.employer_agreement = Some(true);
        let h = c.hint(Dispositif::PeriodeReconversion, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert_eq!(
            h.missing,
            vec![
                "nombre d'heures de formation prévu inconnu",
                "dates de début et de fin de la période inconnues"
            ]
        );
    }

    // ----- legacy ----------------------------------------------------------

    #[test]
    fn pro_a_only_for_plans_begun_before_2026() {
        let mut c = cdi();
        c.started_on = d(2025, 12, 31);
        let h = c.hint(Dispositif::ProA, ON());
        assert_eq!(h.verdict, Verdict::Eligible, "{:?}", h.reasons);
        assert!(h.reasons[0].starts_with("ancien dispositif : parcours commencé le 31/12/2025"));
        c.started_on = d(2026, 1, 1);
        let h = c.hint(Dispositif::ProA, ON());
        assert_eq!(h.verdict, Verdict::NonEligible);
        assert_eq!(
            h.reasons,
            vec!["parcours commencé le 01/01/2026 : le dispositif Pro-A est remplacé par la période de reconversion pour les parcours commencés à partir du 01/01/2026"]
        );
        assert_eq!(h.since, d(2026, 1, 1));
        // The old conditions: CDI, below the licence.
        c.started_on = d(2025, 6, 1);
        c.level = Some(6);
        assert_eq!(verdict(&c, Dispositif::ProA), Verdict::NonEligible);
        c.level = Some(5);
        c.contract = Some(ContractType::Cdd);
        assert_eq!(verdict(&c, Dispositif::ProA), Verdict::NonEligible);
        c.contract = Some(ContractType::Cdi);
        c.level = None;
        assert_eq!(
            c.hint(Dispositif::ProA, ON()).missing,
            vec!["niveau de qualification inconnu"]
        );
    }

    #[test]
    fn transitions_collectives_only_for_plans_begun_before_2026() {
        let mut c = cdi();
        c.started_on = d(2025, 12, 31);
        let h = c.hint(Dispositif::TransitionsCollectives, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert_eq!(
            h.missing,
            vec!["emploi listé comme fragilisé par un accord GEPP de l'employeur"]
        );
        c.started_on = d(2026, 1, 1);
        let h = c.hint(Dispositif::TransitionsCollectives, ON());
        assert_eq!(h.verdict, Verdict::NonEligible);
        assert_eq!(h.since, d(2026, 1, 1));
        c.started_on = d(2020, 6, 1);
        assert_eq!(
            verdict(&c, Dispositif::TransitionsCollectives),
            Verdict::NonEligible
        );
    }

    // ----- CPF, CEP, bilan, VAE ----------------------------------------------

    fn cpf_line(c: &mut Case, n: u8, amount: i64, co_financer: Option<Funder>) {
        let mut s = step(n, StepKind::Formation);
        s.start = Some(d(2026, 4, 1));
        s.funding
            .push(FundingLine::envisaged(Funder::Cpf, Cents(amount)));
        if let Some(f) = co_financer {
            s.funding.push(FundingLine::envisaged(f, Cents(10_000)));
        }
        c.steps.push(s);
    }

    #[test]
    fn cpf_balance_and_participation() {
        let mut c = cdi();
        cpf_line(&mut c, 1, 150_000, None);
        cpf_line(&mut c, 2, 50_000, Some(Funder::Employeur));
        let h = c.hint(Dispositif::Cpf, ON());
        assert_eq!(h.verdict, Verdict::Eligible, "{:?}", h.reasons);
        assert_eq!(h.since, d(2026, 1, 1));
        assert!(
            h.reasons[0].starts_with("participation forfaitaire de 103,20 € par formation achetée")
        );
        assert!(h.reasons.contains(&"solde CPF : 2 340,00 €".to_string()));
        assert!(h.reasons.contains(
            &"« Étape 1 » : 1 500,00 € au 01/04/2026 — participation de 103,20 €".to_string()
        ));
        assert!(h.reasons.contains(
            &"« Étape 2 » : 500,00 € au 01/04/2026 — exonérée : cofinancement « employeur » sur la même étape"
                .to_string()
        ));
        // Lines beyond the balance.
        c.balance = Some(Cents(199_999));
        let h = c.hint(Dispositif::Cpf, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert!(h.reasons.contains(
            &"les lignes CPF (2 000,00 €) dépassent le solde : 0,01 € à cofinancer".to_string()
        ));
        c.balance = Some(Cents(200_000));
        assert_eq!(verdict(&c, Dispositif::Cpf), Verdict::Eligible);
        c.balance = None;
        assert_eq!(
            c.hint(Dispositif::Cpf, ON()).missing,
            vec!["solde CPF inconnu"]
        );
        c.balance = Some(Cents::ZERO);
        assert_eq!(verdict(&c, Dispositif::Cpf), Verdict::AVerifier);
    }

    #[test]
    fn cpf_participation_on_the_evaluation_date() {
        let c = cdi();
        let first = |on| c.hint(Dispositif::Cpf, on).reasons[0].clone();
        assert_eq!(
            first(d(2024, 5, 1)),
            "pas de participation avant le 2 mai 2024"
        );
        assert!(first(d(2024, 5, 2)).starts_with("participation forfaitaire de 100,00 €"));
        assert!(first(d(2025, 12, 31)).starts_with("participation forfaitaire de 102,23 €"));
        assert!(first(d(2026, 1, 1)).starts_with("participation forfaitaire de 103,20 €"));
        assert_eq!(
            c.hint(Dispositif::Cpf, d(2025, 12, 31)).since,
            d(2025, 1, 1)
        );
    }

    #[test]
    fn cep_counts_the_interviews_held() {
        let mut c = cdi();
        let h = c.hint(Dispositif::Cep, ON());
        assert_eq!(h.verdict, Verdict::Eligible);
        assert!(h
            .reasons
            .contains(&"aucun entretien CEP enregistré".to_string()));
        c.interviews = vec![d(2026, 2, 20), d(2026, 1, 5), d(2026, 4, 1)];
        let h = c.hint(Dispositif::Cep, ON());
        assert!(h
            .reasons
            .contains(&"2 entretiens CEP enregistrés, le dernier le 20/02/2026".to_string()));
        c.facts.resignation_on = Some(d(2026, 9, 1));
        let h = c.hint(Dispositif::Cep, ON());
        assert!(h
            .reasons
            .contains(&"obligatoire avant une démission-reconversion".to_string()));
    }

    #[test]
    fn bilan_lasts_24_hours_at_most() {
        let mut c = cdi();
        let mut s = step(1, StepKind::BilanCompetences);
        s.hours = Some(24);
        c.steps.push(s);
        assert_eq!(verdict(&c, Dispositif::BilanCompetences), Verdict::Eligible);
        c.steps[0].hours = Some(25);
        let h = c.hint(Dispositif::BilanCompetences, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert!(h
            .reasons
            .contains(&"« Étape 1 » : 25 h prévues, un bilan dure 24 h au plus".to_string()));
        let h = c.hint(Dispositif::BilanCompetences, d(2018, 12, 31));
        assert_eq!(h.verdict, Verdict::NonEligible);
    }

    #[test]
    fn vae_one_dossier_per_certification_and_year() {
        let mut c = cdi();
        let h = c.hint(Dispositif::Vae, ON());
        assert_eq!(h.verdict, Verdict::AVerifier);
        assert!(h.reasons[0].starts_with("30 mois d'expérience salariée"));
        for (n, due) in [(1, d(2026, 3, 1)), (2, d(2026, 11, 1)), (3, d(2027, 2, 1))] {
            let mut s = step(n, StepKind::Vae);
            s.title = "DEEJE ".into();
            s.due = Some(due);
            c.steps.push(s);
        }
        let h = c.hint(Dispositif::Vae, ON());
        assert!(h.reasons.contains(
            &"2 démarches VAE « deeje » en 2026 : un seul dossier par certification et par année civile"
                .to_string()
        ));
        assert!(!h.reasons.iter().any(|r| r.contains("en 2027")));
        c.total = None;
        assert_eq!(
            c.hint(Dispositif::Vae, ON()).missing,
            vec!["expérience professionnelle (ancienneté totale) inconnue"]
        );
    }

    // ----- all together ----------------------------------------------------

    #[test]
    fn one_hint_per_dispositif_in_json() {
        let c = resigning();
        let all = hints(&c.input(), reference(), ON());
        let ids: Vec<&str> = all.iter().map(|h| h.dispositif.id()).collect();
        assert_eq!(
            ids,
            [
                "cep",
                "bilan_competences",
                "vae",
                "cpf",
                "ptp",
                "demission_reconversion",
                "periode_reconversion",
                "pro_a",
                "transitions_collectives"
            ]
        );
        assert!(all
            .iter()
            .all(|h| !h.reasons.is_empty() && !h.rule.is_empty()));
        let json = serde_json::to_value(&all).unwrap();
        let periode = &json[6];
        assert_eq!(periode["dispositif"], "periode_reconversion");
        assert_eq!(periode["verdict"], "a_verifier");
        assert_eq!(periode["depuis"], "2026-02-01");
        assert!(periode["raisons"].is_array() && periode["manquant"].is_array());
        assert!(periode["regle"].as_str().unwrap().contains("L.6324-1"));
        assert_eq!(json[7]["verdict"], "non_eligible");
        assert_eq!(json[4]["verdict"], "eligible");
        assert_eq!(
            [Verdict::Eligible, Verdict::AVerifier, Verdict::NonEligible].map(|v| v.label()),
            ["éligible", "à vérifier", "non éligible"]
        );
        assert_eq!(hint(Dispositif::Pmsmp, &c.input(), reference(), ON()), None);
    }

    #[test]
    fn the_input_is_filled_from_the_beneficiary_and_the_plan() {
        let now = d(2026, 3, 2).and_hms_opt(9, 0, 0).unwrap().and_utc();
        let mut b = Beneficiary::new(Id([1; 16]), "Dupont", "Léa", Meta::new(now, "c"));
        b.contract = Some(ContractType::Cdi);
        b.seniority_company_months = Some(12);
        b.seniority_total_months = Some(24);
        b.cpf_balance = Some(Cents(100));
        let mut p = Plan::new(Id([2; 16]), b.id, d(2025, 10, 1), Meta::new(now, "c"));
        p.facts.boeth = Some(true);
        let interviews = [d(2026, 1, 1)];
        let input = EligibilityInput::new(&b, &p, &interviews);
        assert_eq!(input.contract, Some(ContractType::Cdi));
        assert_eq!(input.plan_started_on, d(2025, 10, 1));
        assert_eq!(input.facts.boeth, Some(true));
        assert_eq!(input.cpf_balance, Some(Cents(100)));
        let all = hints(&input, reference(), ON());
        assert_eq!(all[4].verdict, Verdict::Eligible);
        assert_eq!(all[7].dispositif, Dispositif::ProA);
        assert_ne!(all[7].verdict, Verdict::NonEligible);
    }
}
