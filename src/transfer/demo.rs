//! A deterministic, clearly fictional demonstration case load.
//!
//! Names come from a fixed pseudo-random sequence (a linear congruential
//! generator with a constant seed), so two runs create the same people.
//! Everything is marked as fictional: employers are « Association fictive … »,
//! e-mails end in `@exemple.invalid` (a domain that cannot exist), and every
//! file's constraints field says « Dossier fictif de démonstration ». No phone
//! numbers are made up. Dates are placed relative to `today` so that the home
//! screen shows overdue and upcoming follow-ups, and a few closed files are
//! past the 2-year retention (to try `passerelle purge --dry-run`).

use super::{fold, IdSource};
use crate::domain::{
    apply_template, Beneficiary, Birth, Branches, Cents, CepLevel, ConsentRecord, ContractType,
    Dispositifs, Funder, FundingLine, FundingStatus, Immersion, InfoSession, Interview,
    InterviewMode, Meta, Plan, PlanTarget, Request, SessionRegistration, Status, Step, StepKind,
    StepStatus, TargetMetier, Templates,
};
use crate::store::{AnyRecord, Bulk, Store, StoreError, Write};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use std::fmt;

/// Default number of files.
pub const DEFAULT_COUNT: usize = 50;
/// Upper bound, to keep a typo from filling the disk.
pub const MAX_COUNT: usize = 10_000;
/// Domain of every demo e-mail (reserved, RFC 2606).
pub const EMAIL_DOMAIN: &str = "exemple.invalid";
/// Text placed in the constraints of every demo file.
pub const MARK: &str = "Dossier fictif de démonstration.";
/// Prefix of every demo employer.
pub const EMPLOYER_PREFIX: &str = "Association fictive";
/// Version label of the information notice in demo files.
pub const NOTICE_VERSION: &str = "démo";

const SEED: u64 = 0x5041_5353_4552_454c; // "PASSEREL"

/// A small LCG (Knuth's MMIX constants); good enough to vary demo data.
#[derive(Clone, Debug)]
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed)
    }
    pub fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }
    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u32() as usize) % n.max(1)
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// True with probability `percent` %.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.range(1, 100) <= percent
    }
}

const LAST_NAMES: [&str; 40] = [
    "Abadie",
    "Barbier",
    "Bertin",
    "Blanchard",
    "Bonnet",
    "Carpentier",
    "Chevalier",
    "Colin",
    "Da Costa",
    "Delorme",
    "Diallo",
    "Dumas",
    "Durand",
    "Fabre",
    "Fontaine",
    "Garnier",
    "Girard",
    "Guérin",
    "Hamon",
    "Haddad",
    "Jacob",
    "Joly",
    "Lacroix",
    "Le Goff",
    "Lemaire",
    "Marchand",
    "Mercier",
    "Meunier",
    "N'Diaye",
    "Nicolas",
    "Ollivier",
    "Perrin",
    "Picard",
    "Renaud",
    "Rolland",
    "Royer",
    "Schmitt",
    "Tessier",
    "Vidal",
    "Weber",
];

const FIRST_NAMES: [&str; 40] = [
    "Adèle",
    "Aïcha",
    "Alexandre",
    "Amandine",
    "Anthony",
    "Bérénice",
    "Camille",
    "Céline",
    "Chloé",
    "Damien",
    "Élodie",
    "Émilie",
    "Fatou",
    "Florian",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Jérôme",
    "Julie",
    "Karim",
    "Laetitia",
    "Léa",
    "Lucas",
    "Malik",
    "Manon",
    "Marion",
    "Mehdi",
    "Nadia",
    "Nathalie",
    "Noémie",
    "Olivier",
    "Pauline",
    "Rachid",
    "Sandrine",
    "Sébastien",
    "Sofia",
    "Stéphanie",
    "Thomas",
    "Valérie",
    "Yann",
];

const EMPLOYERS: [&str; 16] = [
    "des Tilleuls",
    "du Moulin",
    "Les Coquelicots",
    "La Passerelle verte",
    "du Quartier des Lilas",
    "Les Petits Pas",
    "du Val d'Ocre",
    "Les Ateliers du Canal",
    "La Ruche bleue",
    "des Trois Fontaines",
    "Le Fil d'Ariane",
    "du Plateau",
    "Les Jardins partagés",
    "La Boussole",
    "de la Rive haute",
    "Les Hirondelles",
];

const POSTCODES: [&str; 12] = [
    "69003", "13001", "33000", "59000", "35000", "44000", "31000", "67000", "34000", "21000",
    "63000", "87000",
];

const TOPICS: [&str; 8] = [
    "situation professionnelle, motivations",
    "compétences transférables",
    "pistes métiers et enquêtes métier",
    "financement de la formation (CPF, PTP)",
    "projet d'immersion (PMSMP)",
    "VAE : recevabilité et accompagnement",
    "contraintes de mobilité et d'horaires",
    "bilan du parcours et suites",
];

const SUMMARIES: [&str; 6] = [
    "Entretien fictif. La personne souhaite changer de métier après plusieurs années \
     dans sa structure ; premières pistes évoquées.",
    "Entretien fictif. Point sur les compétences acquises et les métiers proches ; \
     intérêt pour une enquête métier.",
    "Entretien fictif. Étude des financements possibles ; solde CPF vérifié par la personne.",
    "Entretien fictif. Préparation d'une immersion courte pour confirmer le projet.",
    "Entretien fictif. Retour sur les démarches engagées ; le projet se précise.",
    "Entretien fictif. Questionnement sur l'évolution interne ; échange avec l'employeur \
     envisagé avec l'accord de la personne.",
];

const DECISIONS: [&str; 5] = [
    "Rechercher deux offres de formation et les comparer.",
    "Contacter une structure pour une immersion.",
    "Rassembler les justificatifs pour la VAE.",
    "Faire le point sur le solde CPF en ligne.",
    "Préparer les questions pour l'enquête métier.",
];

/// What the demo created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub files: usize,
    pub interviews: usize,
    /// Files with a plan.
    pub plans: usize,
    pub closed: usize,
    /// Closed files past 2 years without contact (what a purge would list).
    pub past_retention: usize,
    /// Interviews planned ahead (among `interviews`).
    pub planned: usize,
    pub immersions: usize,
    pub sessions: usize,
    pub registrations: usize,
}

#[derive(Debug)]
pub enum DemoError {
    /// The store already holds files and `force` was not given.
    NotEmpty { files: usize },
    /// Writing stopped; `durable` is what was saved before.
    Store {
        source: StoreError,
        durable: Box<DemoReport>,
    },
}

/// Files written between two flushes.
pub const BATCH: usize = 500;

impl fmt::Display for DemoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoError::NotEmpty { files } => write!(
                f,
                "le stockage contient déjà {files} dossier{} : la démonstration n'est \
                 créée que dans un stockage vide (ou avec --force, qui ajoute les \
                 dossiers fictifs aux dossiers existants). Conseil : utilisez un dossier \
                 de données à part, par exemple --data-dir /tmp/passerelle-demo",
                if *files > 1 { "s" } else { "" }
            ),
            DemoError::Store { source, .. } => write!(f, "{source}"),
        }
    }
}

impl std::error::Error for DemoError {}

impl From<StoreError> for DemoError {
    fn from(source: StoreError) -> DemoError {
        DemoError::Store {
            source,
            durable: Box::default(),
        }
    }
}

/// One demo file with its interviews and plan (not saved).
#[derive(Clone, Debug)]
pub struct DemoFile {
    pub beneficiary: Beneficiary,
    /// Oldest first (the planned ones last).
    pub interviews: Vec<Interview>,
    pub plan: Option<Plan>,
    pub immersions: Vec<Immersion>,
    pub registrations: Vec<SessionRegistration>,
}

/// The demonstration: files with their records, and the information
/// sessions they are registered to.
#[derive(Clone, Debug)]
pub struct Demo {
    pub files: Vec<DemoFile>,
    pub sessions: Vec<InfoSession>,
}

fn days_before(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_sub_days(Days::new(n.into())).unwrap_or(d)
}

fn days_after(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_days(Days::new(n.into())).unwrap_or(d)
}

/// What the demo is built from.
#[derive(Clone, Copy, Debug)]
pub struct DemoOptions<'a> {
    /// Number of files (capped at [`MAX_COUNT`]).
    pub count: usize,
    /// Seed even if the store already holds files.
    pub force: bool,
    pub branches: &'a Branches,
    /// Typical current jobs per branch short id, picked from for each file.
    pub jobs: &'a [(String, TargetMetier)],
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub advisor: &'a str,
}

/// The demo as benchmarks build it: `count` files, fixed dates (28
/// November 2026), sequential ids, so every run measures the same data.
pub fn build_for_bench(branches: &Branches, count: usize) -> Demo {
    let opts = DemoOptions {
        jobs: &[],
        count,
        force: true,
        branches,
        today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default(),
        now: DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
        advisor: "banc",
    };
    build(&opts, &mut super::SequentialIds::default())
}

/// Builds the demo files and sessions. Same seed, same people: only the
/// dates (relative to `today`), ids and timestamps depend on the options.
pub fn build(opts: &DemoOptions, ids: &mut dyn IdSource) -> Demo {
    let DemoOptions {
        branches,
        jobs,
        today,
        now,
        advisor,
        ..
    } = *opts;
    let count = opts.count.min(MAX_COUNT);
    let mut rng = Lcg::new(SEED);
    // A separate stream for current jobs, so names stay the same with or
    // without a job list.
    let mut job_rng = Lcg::new(SEED ^ 0x9e37_79b9);
    // Branches with an IDCC (not "hors branche"), in display order.
    let usable: Vec<&str> = branches
        .list
        .iter()
        .filter(|b| !b.idcc.is_empty())
        .map(|b| b.short.as_str())
        .collect();
    let meta = Meta::new(now, advisor);
    // Plans draw from their own stream too.
    let mut plan_rng = Lcg::new(SEED ^ 0x7f4a_7c15);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let last = *rng.pick(&LAST_NAMES);
        let first = *rng.pick(&FIRST_NAMES);
        let mut b = Beneficiary::new(ids.next_id(now), last, first, meta.clone());
        b.birth = Some(Birth::Year(rng.range(1966, 2003) as i32));
        b.email = Some(format!(
            "{}.{}.{}@{EMAIL_DOMAIN}",
            fold(first).replace(' ', "-"),
            fold(last).replace(' ', "-"),
            i + 1
        ));
        b.postcode = Some(rng.pick(&POSTCODES).to_string());
        b.branch = (!usable.is_empty()).then(|| usable[i % usable.len()].to_string());
        b.employer.name = format!("{EMPLOYER_PREFIX} {}", rng.pick(&EMPLOYERS));
        let of_branch: Vec<&TargetMetier> = jobs
            .iter()
            .filter(|(short, _)| Some(short) == b.branch.as_ref())
            .map(|(_, t)| t)
            .collect();
        if !of_branch.is_empty() {
            b.current_job = Some((*job_rng.pick(&of_branch)).clone());
        }
        b.contract = Some(match rng.range(1, 10) {
            1..=5 => ContractType::Cdi,
            6..=7 => ContractType::Cdd,
            8 => ContractType::Aide,
            9 => ContractType::Interim,
            _ => ContractType::Autre,
        });
        b.working_time = Some(rng.pick(&["temps plein", "80 %", "mi-temps"]).to_string());
        let company = rng.range(3, 180) as u16;
        b.seniority_company_months = Some(company);
        b.seniority_total_months = Some(company + rng.range(0, 120) as u16);
        b.qualification_level = rng
            .pick(&[None, Some(3), Some(4), Some(4), Some(5), Some(6)])
            .to_owned();
        b.cpf_balance = Some(Cents::from_euros(i64::from(rng.range(0, 500)) * 10));
        b.request = Some(*rng.pick(&Request::ALL));
        b.constraints = MARK.to_string();

        // Interviews: 1 to 3, the first 20 to 400 days ago (800 to 900 days
        // for every tenth file, closed: past retention).
        let old = i % 10 == 9;
        let n = rng.range(1, 3) as usize;
        let mut day = if old {
            days_before(today, rng.range(800, 900))
        } else {
            days_before(today, rng.range(20, 400))
        };
        let mut interviews = Vec::with_capacity(n);
        for k in 0..n {
            if k > 0 {
                let next = days_after(day, rng.range(14, 60));
                if next > today {
                    break;
                }
                day = next;
            }
            let time = NaiveTime::from_hms_opt(rng.range(8, 16), *rng.pick(&[0, 30]), 0)
                .unwrap_or_default();
            let level = if k == 0 {
                CepLevel::AccueilIndividualise
            } else {
                CepLevel::AccompagnementPersonnalise
            };
            let mode = *rng.pick(&[
                InterviewMode::OnSite,
                InterviewMode::Phone,
                InterviewMode::Video,
            ]);
            interviews.push(Interview {
                id: ids.next_id(now),
                beneficiary: b.id,
                at: day.and_time(time).and_utc(),
                duration_minutes: *rng.pick(&[45, 60, 60, 90]),
                level,
                mode,
                place: match mode {
                    InterviewMode::OnSite => "Permanence fictive".into(),
                    _ => String::new(),
                },
                topics: rng.pick(&TOPICS).to_string(),
                summary: rng.pick(&SUMMARIES).to_string(),
                decisions: rng.pick(&DECISIONS).to_string(),
                next_follow_up: None,
                planned: false,
                meta: meta.clone(),
            });
        }
        let first_day = interviews[0].at.date_naive();
        let last_day = day;
        // Follow-ups from 10 days overdue to 6 weeks ahead, after the last
        // interview: the home screen has something in every section.
        let follow_up =
            days_before(days_after(today, rng.range(0, 52)), 10).max(days_after(last_day, 1));
        if let Some(last) = interviews.last_mut() {
            last.next_follow_up = Some(follow_up);
        }
        b.last_contact = Some(last_day);
        b.cep_level = interviews.iter().map(|i| i.level.number()).max();
        // Most files have a recorded notice; a few are flagged as missing it.
        if rng.chance(90) {
            b.consent.processing = Some(ConsentRecord {
                date: first_day,
                notice_version: NOTICE_VERSION.into(),
            });
            if rng.chance(60) {
                b.consent.survey_6_months = Some(ConsentRecord {
                    date: first_day,
                    notice_version: NOTICE_VERSION.into(),
                });
            }
        }
        if old || rng.chance(10) {
            let on = days_after(last_day, 10).min(today);
            b.status = Status::Closed {
                on,
                reason: rng
                    .pick(&[
                        "projet abouti",
                        "sans nouvelles de la personne",
                        "réorientation",
                    ])
                    .to_string(),
            };
        } else {
            b.next_follow_up = Some(follow_up);
        }
        let plan = demo_plan(i, &b, first_day, opts, &mut plan_rng, ids, &meta);
        out.push(DemoFile {
            beneficiary: b,
            interviews,
            plan,
            immersions: Vec::new(),
            registrations: Vec::new(),
        });
    }
    let sessions = super::demo_agenda::sessions(opts, ids);
    super::demo_agenda::add(&mut out, &sessions, opts, ids);
    // Every immersion is a step of its person's plan.
    for f in &mut out {
        if f.immersions.is_empty() {
            continue;
        }
        let started = f
            .immersions
            .iter()
            .map(|i| i.start)
            .min()
            .unwrap_or(opts.today);
        let plan = f.plan.get_or_insert_with(|| {
            Plan::new(
                ids.next_id(opts.now),
                f.beneficiary.id,
                started.min(opts.today),
                f.beneficiary.meta.clone(),
            )
        });
        for imm in &f.immersions {
            if let Some(t) = &imm.target {
                plan.add_target(t.clone().into());
            }
            plan.link_immersion(imm, ids.next_id(opts.now));
        }
    }
    Demo {
        files: out,
        sessions,
    }
}

/// Which kind of plan a demo file gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlanKind {
    /// A plan begun in 2025 with a Pro-A (legacy) contract.
    LegacyProA,
    /// A 2026 période de reconversion (template), begun on or after 1 February 2026.
    PeriodeReconversion,
    BilanImmersion,
    Vae,
    Ptp,
}

/// A status consistent with the step's dates seen from `today`.
fn status_on(s: &Step, today: NaiveDate) -> StepStatus {
    let started = s.start.is_some_and(|d| d <= today);
    let over = s.deadline().is_some_and(|d| d < today);
    match (started, over) {
        (_, true) => StepStatus::Fait,
        (true, false) => StepStatus::EnCours,
        _ => StepStatus::AFaire,
    }
}

/// The plan of demo file `i`: 4 files in 5 have one, with one or two
/// targets, template steps dated from the plan's start, statuses that
/// follow the dates and funding lines in varied states. Every fifth file
/// has a legacy Pro-A plan begun in 2025, the next one a 2026 période de
/// reconversion. None when the shipped reference data cannot be read.
fn demo_plan(
    i: usize,
    b: &Beneficiary,
    first_interview: NaiveDate,
    opts: &DemoOptions,
    rng: &mut Lcg,
    ids: &mut dyn IdSource,
    meta: &Meta,
) -> Option<Plan> {
    let kind = match i % 5 {
        0 => PlanKind::LegacyProA,
        1 => PlanKind::PeriodeReconversion,
        2 => PlanKind::BilanImmersion,
        3 => *rng.pick(&[PlanKind::Vae, PlanKind::Ptp]),
        _ => return None,
    };
    let (reference, templates) = (Dispositifs::builtin().ok()?, Templates::builtin().ok()?);
    let today = opts.today;
    let now = opts.now;
    let pro_a_start = NaiveDate::from_ymd_opt(2025, 11, 17)?;
    let periode_from = NaiveDate::from_ymd_opt(2026, 2, 1)?;
    let started_on = match kind {
        PlanKind::LegacyProA => pro_a_start.min(days_before(today, 30)),
        PlanKind::PeriodeReconversion => first_interview.max(periode_from).min(today),
        _ => first_interview.min(today),
    };
    let mut plan = Plan::new(ids.next_id(now), b.id, started_on, meta.clone());
    let current = b.current_job.as_ref().map(|j| j.rome.clone());
    let others: Vec<&TargetMetier> = opts
        .jobs
        .iter()
        .map(|(_, t)| t)
        .filter(|t| Some(&t.rome) != current.as_ref())
        .collect();
    if !others.is_empty() {
        for _ in 0..rng.range(1, 2) {
            let mut t = PlanTarget::from((*rng.pick(&others)).clone());
            if plan.targets.is_empty() {
                t.note = "Piste confirmée en entretien (démonstration).".into();
            }
            plan.add_target(t);
        }
    }
    let mut next_id = || ids.next_id(now);
    let steps = match kind {
        PlanKind::LegacyProA => {
            let mut s = Step::new(
                next_id(),
                StepKind::Formation,
                "Certification en alternance (Pro-A, avenant signé en 2025)",
            );
            s.organisation = "Organisme de formation fictif".into();
            s.start = Some(days_after(started_on, 45));
            s.end = s
                .start
                .and_then(|d| d.checked_add_months(chrono::Months::new(12)));
            s.hours = Some(400);
            s.cost = Cents::from_euros(3_660);
            s.funding = vec![FundingLine {
                funder: Funder::ProA,
                amount: Cents::from_euros(3_660),
                status: FundingStatus::Accorde,
                decided_on: Some(days_after(started_on, 20)),
            }];
            vec![s]
        }
        other => {
            let id = match other {
                PlanKind::PeriodeReconversion => "periode_reconversion",
                PlanKind::BilanImmersion => "bilan_immersion",
                PlanKind::Vae => "vae",
                _ => "ptp",
            };
            apply_template(templates.by_id(id)?, reference, started_on, &mut next_id)
        }
    };
    plan.add_steps(steps);
    // What is left on the CPF for the next CPF line.
    let mut cpf_left = b.cpf_balance.unwrap_or(Cents::ZERO);
    for s in &mut plan.steps {
        s.status = status_on(s, today);
        if s.funding.is_empty() {
            continue;
        }
        if s.cost == Cents::ZERO {
            s.cost = Cents::from_euros(match s.kind {
                StepKind::BilanCompetences => 1_800,
                StepKind::Vae => 1_200,
                _ => i64::from(rng.range(40, 90)) * 100,
            });
        }
        let mut left = s.cost;
        let n = s.funding.len();
        for (k, l) in s.funding.iter_mut().enumerate() {
            if l.amount == Cents::ZERO {
                l.amount = if l.funder == Funder::Cpf {
                    let a = cpf_left.min(left);
                    cpf_left = cpf_left - a;
                    a
                } else if k + 1 == n {
                    left
                } else {
                    Cents(left.0 / 2)
                };
            }
            left = (left - l.amount).max(Cents::ZERO);
            if l.funder == Funder::ProA {
                continue;
            }
            l.status = *rng.pick(&[
                FundingStatus::Envisage,
                FundingStatus::Demande,
                FundingStatus::Accorde,
                FundingStatus::Accorde,
                FundingStatus::Refuse,
            ]);
            if matches!(l.status, FundingStatus::Accorde | FundingStatus::Refuse) {
                l.decided_on = Some(days_before(today, rng.range(1, 20)).max(started_on));
            }
        }
        s.funding.retain(|l| l.amount > Cents::ZERO);
    }
    if kind == PlanKind::PeriodeReconversion {
        plan.facts.employer_agreement = Some(rng.chance(70));
    }
    Some(plan)
}

/// Creates the demo case load in `store`. Refuses a store that already
/// holds files unless `force`.
pub fn seed(
    store: &Store,
    opts: &DemoOptions,
    ids: &mut dyn IdSource,
) -> Result<DemoReport, DemoError> {
    let existing = store.beneficiary_count()?;
    if existing > 0 && !opts.force {
        return Err(DemoError::NotEmpty { files: existing });
    }
    let retention_limit = super::purge::cutoff(opts.today, super::purge::DEFAULT_DAYS);
    let Demo { files, sessions } = build(opts, ids);
    // The sessions first (no personal data, each saved and flushed): the
    // files' registrations point to them.
    for s in &sessions {
        store.save_session(s)?;
    }
    // The report of the first `n` files (only durable ones are reported).
    let report_of = |n: usize| {
        let mut report = DemoReport {
            sessions: sessions.len(),
            ..DemoReport::default()
        };
        for f in files.iter().take(n) {
            report.files += 1;
            report.interviews += f.interviews.len();
            report.plans += usize::from(f.plan.is_some());
            report.planned += f.interviews.iter().filter(|i| i.planned).count();
            report.immersions += f.immersions.len();
            report.registrations += f.registrations.len();
            if !f.beneficiary.status.is_open() {
                report.closed += 1;
                if f.beneficiary
                    .last_contact
                    .is_some_and(|d| d < retention_limit)
                {
                    report.past_retention += 1;
                }
            }
        }
        report
    };
    let mut bulk = Bulk::new(store, BATCH);
    for f in &files {
        // A file and its records (interviews, plan, immersions,
        // registrations): one transaction.
        let mut writes = vec![Write::Put(AnyRecord::from(f.beneficiary.clone()))];
        writes.extend(
            f.interviews
                .iter()
                .map(|i| Write::Put(AnyRecord::from(i.clone()))),
        );
        writes.extend(
            f.plan
                .iter()
                .map(|p| Write::Put(AnyRecord::from(p.clone()))),
        );
        writes.extend(
            f.immersions
                .iter()
                .map(|i| Write::Put(AnyRecord::from(i.clone()))),
        );
        writes.extend(
            f.registrations
                .iter()
                .map(|r| Write::Put(AnyRecord::from(r.clone()))),
        );
        if let Err(e) = bulk.write(&writes, "") {
            return Err(DemoError::Store {
                source: e.source,
                durable: Box::new(report_of(e.durable)),
            });
        }
    }
    match bulk.finish() {
        Ok(n) => Ok(report_of(n)),
        Err(e) => Err(DemoError::Store {
            source: e.source,
            durable: Box::new(report_of(e.durable)),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Branch;
    use crate::transfer::SequentialIds;

    fn branches() -> Branches {
        let b = |s: &str, idcc: &str| Branch {
            short: s.into(),
            display: s.into(),
            name: s.into(),
            idcc: idcc.into(),
            alias_idcc: vec![],
            employers: String::new(),
        };
        Branches {
            list: vec![b("ECLAT", "1518"), b("ALISFA", "1261"), b("HORS", "")],
        }
    }

    #[test]
    fn current_jobs_come_from_the_branch_list_without_changing_names() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let br = branches();
        let job = |rome: &str| TargetMetier {
            ogr: 1,
            rome: rome.into(),
            label: rome.into(),
        };
        let jobs = vec![
            ("ECLAT".to_string(), job("G1203")),
            ("ALISFA".to_string(), job("K1202")),
        ];
        let mut opts = DemoOptions {
            jobs: &jobs,
            count: 10,
            force: false,
            branches: &br,
            today,
            now,
            advisor: "x",
        };
        let with = build(&opts, &mut SequentialIds::default()).files;
        for f in &with {
            let expected = match f.beneficiary.branch.as_deref() {
                Some("ECLAT") => "G1203",
                _ => "K1202",
            };
            assert_eq!(f.beneficiary.current_job.as_ref().unwrap().rome, expected);
        }
        opts.jobs = &[];
        let without = build(&opts, &mut SequentialIds::default()).files;
        assert!(without.iter().all(|f| f.beneficiary.current_job.is_none()));
        let names = |v: &[DemoFile]| {
            v.iter()
                .map(|f| f.beneficiary.display_name())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&with), names(&without));
    }

    #[test]
    fn most_files_get_a_plan_including_legacy_pro_a_and_a_2026_periode() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let br = branches();
        let job = |rome: &str| TargetMetier {
            ogr: 1,
            rome: rome.into(),
            label: rome.into(),
        };
        let jobs = vec![
            ("ECLAT".to_string(), job("G1203")),
            ("ALISFA".to_string(), job("K1202")),
            ("ALISFA".to_string(), job("K1302")),
        ];
        let opts = DemoOptions {
            jobs: &jobs,
            count: 20,
            force: false,
            branches: &br,
            today,
            now,
            advisor: "x",
        };
        let files = build(&opts, &mut SequentialIds::default());
        let plans: Vec<&Plan> = files.files.iter().filter_map(|f| f.plan.as_ref()).collect();
        // 4 files in 5 get a plan, plus any file whose immersion needs one.
        let with_immersions_only = files
            .files
            .iter()
            .filter(|f| {
                f.plan
                    .as_ref()
                    .is_some_and(|p| p.steps.iter().all(|s| s.immersion.is_some()))
            })
            .count();
        assert_eq!(plans.len() - with_immersions_only, 16, "4 files in 5");
        let pro_a_start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let legacy = plans
            .iter()
            .filter(|p| p.started_on < pro_a_start)
            .filter(|p| {
                p.steps
                    .iter()
                    .any(|s| s.funding.iter().any(|l| l.funder == Funder::ProA))
            })
            .count();
        assert!(legacy >= 4, "{legacy}");
        let periode = plans
            .iter()
            .filter(|p| p.started_on >= NaiveDate::from_ymd_opt(2026, 2, 1).unwrap())
            .filter(|p| {
                p.steps.iter().any(|s| {
                    s.kind == StepKind::PeriodeReconversion
                        && s.funding
                            .iter()
                            .any(|l| l.funder == Funder::UniformationPeriodeReconversion)
                })
            })
            .count();
        assert!(periode >= 4, "{periode}");
        for (f, p) in files
            .files
            .iter()
            .filter_map(|f| f.plan.as_ref().map(|p| (f, p)))
        {
            assert_eq!(p.beneficiary, f.beneficiary.id);
            assert!(!p.targets.is_empty());
            assert!(p.steps.iter().all(|s| s.problems().is_empty()), "{p:?}");
            let current = f.beneficiary.current_job.as_ref().map(|j| &j.rome);
            assert!(p.targets.iter().all(|t| Some(&t.rome) != current));
        }
        // Varied states: every step status that follows from dates, and
        // funding lines in several states.
        let statuses: std::collections::BTreeSet<&str> = plans
            .iter()
            .flat_map(|p| p.steps.iter().map(|s| s.status.id()))
            .collect();
        assert!(statuses.len() >= 3, "{statuses:?}");
        let funding: std::collections::BTreeSet<&str> = plans
            .iter()
            .flat_map(|p| {
                p.steps
                    .iter()
                    .flat_map(|s| s.funding.iter().map(|l| l.status.id()))
            })
            .collect();
        assert!(funding.len() >= 3, "{funding:?}");
        // Deterministic: the same plans again (ids aside).
        let again = build(&opts, &mut SequentialIds { next: 500 });
        let shape = |v: &[DemoFile]| {
            v.iter()
                .map(|f| {
                    f.plan.as_ref().map(|p| {
                        (
                            p.started_on,
                            p.targets.clone(),
                            p.steps
                                .iter()
                                .map(|s| (s.kind, s.cost, s.status))
                                .collect::<Vec<_>>(),
                        )
                    })
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&files.files), shape(&again.files));
    }

    #[test]
    fn demo_is_deterministic_fictional_and_valid() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let br = branches();
        let opts = DemoOptions {
            jobs: &[],
            count: 50,
            force: false,
            branches: &br,
            today,
            now,
            advisor: "x",
        };
        let a = build(&opts, &mut SequentialIds::default()).files;
        let b = build(&opts, &mut SequentialIds { next: 1000 }).files;
        let names = |v: &[DemoFile]| {
            v.iter()
                .map(|f| f.beneficiary.display_name())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_eq!(a.len(), 50);
        let mut closed = 0;
        for f in &a {
            let ben = &f.beneficiary;
            assert!(ben.email.as_ref().unwrap().ends_with("@exemple.invalid"));
            assert!(crate::domain::rules::email(ben.email.as_ref().unwrap()).is_ok());
            assert!(ben.employer.name.starts_with("Association fictive "));
            let recorded: Vec<_> = f.interviews.iter().filter(|i| !i.planned).collect();
            assert!((1..=3).contains(&recorded.len()));
            assert!(ben.branch.as_deref() != Some("HORS"));
            for i in recorded {
                assert!(i.at.date_naive() <= today);
            }
            for i in f.interviews.iter().filter(|i| i.planned) {
                assert!(i.at.date_naive() > today, "planned ahead");
            }
            closed += usize::from(!ben.status.is_open());
        }
        assert!(closed >= 5, "{closed}");
        let branches_used: std::collections::BTreeSet<_> = a
            .iter()
            .filter_map(|f| f.beneficiary.branch.clone())
            .collect();
        assert_eq!(branches_used.len(), 2);
    }
    #[test]
    fn demo_agenda_covers_every_status_renewals_debriefs_sessions_and_a_conflict() {
        use crate::domain::agenda::to_paris;
        use crate::domain::rules::immersion::{check, CheckContext};
        use crate::domain::ImmersionStatus;
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let br = branches();
        let jobs = vec![(
            "ALISFA".to_string(),
            TargetMetier {
                ogr: 1,
                rome: "K1202".into(),
                label: "Éducateur / Éducatrice de jeunes enfants".into(),
            },
        )];
        let opts = DemoOptions {
            jobs: &jobs,
            count: 50,
            force: false,
            branches: &br,
            today,
            now,
            advisor: "x",
        };
        let demo = build(&opts, &mut SequentialIds::default());
        let again = build(&opts, &mut SequentialIds::default());
        let imms: Vec<&Immersion> = demo.files.iter().flat_map(|f| &f.immersions).collect();
        let imms2: Vec<&Immersion> = again.files.iter().flat_map(|f| &f.immersions).collect();
        assert_eq!(imms, imms2, "deterministic");
        for s in ImmersionStatus::ALL {
            assert!(imms.iter().any(|i| i.status == s), "{s:?}");
        }
        assert!(imms.iter().any(|i| i.renewal_of.is_some()));
        // Every immersion is a step of its person's plan.
        for f in demo.files.iter().filter(|f| !f.immersions.is_empty()) {
            let plan = f.plan.as_ref().expect("a plan for a file with immersions");
            for i in &f.immersions {
                let steps: Vec<_> = plan
                    .steps
                    .iter()
                    .filter(|s| s.immersion == Some(i.id))
                    .collect();
                assert_eq!(steps.len(), 1, "{:?}", i.id);
                assert_eq!(steps[0].kind, crate::domain::StepKind::Immersion);
                assert_eq!(steps[0].start, Some(i.start));
            }
        }
        assert!(imms
            .iter()
            .any(|i| i.debrief.as_ref().is_some_and(|b| b.is_complete())));
        assert!(imms.iter().any(|i| i.debrief_overdue(today)));
        // Ready or signed conventions pass the rules with the person's records.
        for i in imms.iter().filter(|i| i.status.requires_checks()) {
            let others: Vec<Immersion> = imms
                .iter()
                .filter(|o| o.beneficiary == i.beneficiary)
                .map(|o| (*o).clone())
                .collect();
            let f = check(
                i,
                &CheckContext {
                    others: &others,
                    appointments: &[],
                },
            );
            assert!(f.iter().all(|f| !f.is_blocking()), "{f:?}");
        }
        assert_eq!(demo.sessions.len(), 2);
        for s in &demo.sessions {
            assert!(s.validate().is_empty(), "{:?}", s.validate());
            assert!(s.start > now);
        }
        let planned = demo
            .files
            .iter()
            .flat_map(|f| &f.interviews)
            .filter(|i| i.planned)
            .count();
        assert!(planned >= 8, "{planned}");
        let regs: Vec<_> = demo
            .files
            .iter()
            .flat_map(|f| f.registrations.clone())
            .collect();
        assert_eq!(regs.len(), 5);
        let data = crate::transfer::agenda::AgendaData {
            interviews: demo
                .files
                .iter()
                .flat_map(|f| f.interviews.clone())
                .collect(),
            immersions: imms.iter().map(|i| (*i).clone()).collect(),
            sessions: demo.sessions.clone(),
            registrations: regs,
            ..Default::default()
        };
        let (_, conflicts) = crate::transfer::agenda::items(&data, &|_| "x".into(), &to_paris);
        assert!(!conflicts.is_empty(), "at least one conflict");
        // No demo immersion names a real structure.
        assert!(imms
            .iter()
            .all(|i| i.host.name.contains("fictif") || i.host.name.contains("fictive")));
    }
}
