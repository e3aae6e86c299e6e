//! Immersions (PMSMP, *période de mise en situation en milieu
//! professionnel*): a short work trial in a host structure, prescribed by a
//! body the law allows (France Travail, mission locale, Cap emploi, SIAE,
//! conseil départemental, delegated structure — a CEP operator is not one),
//! under a convention (cerfa 13912 or the Immersion Facilitée platform).
//!
//! This module holds the record, its status machine and renewal; the rule
//! checks live in [`crate::domain::rules::immersion`], the weekly schedule in
//! [`crate::domain::schedule`].
//!
//! Stored with bincode (positional): add fields only with a new envelope
//! version, enum variants only at the end. The layout before issue 10 is kept
//! frozen in [`v1`] with a conversion, for the store's migration.

use super::beneficiary::{Employer, Meta};
use super::id::Id;
use super::metier::TargetMetier;
use super::rules;
use super::rules::immersion::{blocking_reason, check, CheckContext};
use super::schedule::{plain, WeeklySchedule};
use super::time::{fmt_date, serde_days, serde_opt_days};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The single objective of a PMSMP (Code du travail, L.5135-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImmersionObjective {
    /// Découvrir un métier ou un secteur d'activité.
    DecouvrirMetier,
    /// Confirmer un projet professionnel.
    ConfirmerProjet,
    /// Initier une démarche de recrutement.
    InitierRecrutement,
}

impl ImmersionObjective {
    pub const ALL: [ImmersionObjective; 3] = [
        ImmersionObjective::DecouvrirMetier,
        ImmersionObjective::ConfirmerProjet,
        ImmersionObjective::InitierRecrutement,
    ];
    pub fn label(self) -> &'static str {
        match self {
            ImmersionObjective::DecouvrirMetier => "découvrir un métier ou un secteur d'activité",
            ImmersionObjective::ConfirmerProjet => "confirmer un projet professionnel",
            ImmersionObjective::InitierRecrutement => "initier une démarche de recrutement",
        }
    }
    /// Stable ASCII id for JSON, CSV and the command line.
    pub fn id(self) -> &'static str {
        match self {
            ImmersionObjective::DecouvrirMetier => "decouvrir",
            ImmersionObjective::ConfirmerProjet => "confirmer",
            ImmersionObjective::InitierRecrutement => "recrutement",
        }
    }
    /// From an id, a label, or free text naming it (`Découvrir le métier`,
    /// `confirmer son projet`, `embauche`): accent- and case-insensitive.
    pub fn parse(s: &str) -> Option<ImmersionObjective> {
        let p = plain(s);
        if p.contains("decouv") {
            Some(ImmersionObjective::DecouvrirMetier)
        } else if p.contains("confirm") {
            Some(ImmersionObjective::ConfirmerProjet)
        } else if p.contains("recrut") || p.contains("embauch") {
            Some(ImmersionObjective::InitierRecrutement)
        } else {
            None
        }
    }
}

/// Who may prescribe a PMSMP (L.5135-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PrescriberKind {
    FranceTravail,
    MissionLocale,
    CapEmploi,
    /// Structure d'insertion par l'activité économique, for its own employees.
    Siae,
    /// For RSA recipients.
    ConseilDepartemental,
    /// A body bound to France Travail, a mission locale or Cap emploi by a
    /// delegation convention.
    StructureDelegataire,
}

impl PrescriberKind {
    pub const ALL: [PrescriberKind; 6] = [
        PrescriberKind::FranceTravail,
        PrescriberKind::MissionLocale,
        PrescriberKind::CapEmploi,
        PrescriberKind::Siae,
        PrescriberKind::ConseilDepartemental,
        PrescriberKind::StructureDelegataire,
    ];
    pub fn label(self) -> &'static str {
        match self {
            PrescriberKind::FranceTravail => "France Travail",
            PrescriberKind::MissionLocale => "mission locale",
            PrescriberKind::CapEmploi => "Cap emploi",
            PrescriberKind::Siae => "SIAE (insertion par l'activité économique)",
            PrescriberKind::ConseilDepartemental => "conseil départemental",
            PrescriberKind::StructureDelegataire => {
                "structure délégataire (convention de délégation)"
            }
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            PrescriberKind::FranceTravail => "france-travail",
            PrescriberKind::MissionLocale => "mission-locale",
            PrescriberKind::CapEmploi => "cap-emploi",
            PrescriberKind::Siae => "siae",
            PrescriberKind::ConseilDepartemental => "conseil-departemental",
            PrescriberKind::StructureDelegataire => "structure-delegataire",
        }
    }
    pub fn from_id(id: &str) -> Option<PrescriberKind> {
        Self::ALL.into_iter().find(|k| k.id() == id.trim())
    }
}

/// The prescriber of the convention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prescriber {
    pub kind: PrescriberKind,
    /// Organisation, e.g. `France Travail Lyon Part-Dieu`.
    pub name: String,
    pub address: String,
    /// The référent adviser there.
    pub adviser: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The host structure (structure d'accueil).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    pub name: String,
    /// 14 digits, Luhn-checked (`rules::siret` when typed).
    pub siret: Option<String>,
    pub address: String,
    /// IDCC of its collective agreement, 4 digits (`branch::normalize_idcc`).
    pub idcc: Option<String>,
    /// Branch short id (`ECLAT`, `ALISFA`…), when it is one of ours.
    pub branch: Option<String>,
    /// Main activity.
    pub activity: String,
}

/// The tutor in the host structure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tutor {
    pub name: String,
    pub role: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Status of an immersion. Final: réalisée, annulée, refusée.
///
/// ```text
/// brouillon ⇄ prête à signer → signée → en cours → réalisée
///     └──────────┴──────────────┴─────────┴──→ annulée (motif)
///                prête à signer, signée ───→ refusée (motif)
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImmersionStatus {
    Brouillon,
    PreteASigner,
    Signee,
    EnCours,
    Realisee,
    Annulee,
    Refusee,
}

impl ImmersionStatus {
    pub const ALL: [ImmersionStatus; 7] = [
        ImmersionStatus::Brouillon,
        ImmersionStatus::PreteASigner,
        ImmersionStatus::Signee,
        ImmersionStatus::EnCours,
        ImmersionStatus::Realisee,
        ImmersionStatus::Annulee,
        ImmersionStatus::Refusee,
    ];
    pub fn label(self) -> &'static str {
        match self {
            ImmersionStatus::Brouillon => "brouillon",
            ImmersionStatus::PreteASigner => "prête à signer",
            ImmersionStatus::Signee => "signée",
            ImmersionStatus::EnCours => "en cours",
            ImmersionStatus::Realisee => "réalisée",
            ImmersionStatus::Annulee => "annulée",
            ImmersionStatus::Refusee => "refusée",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            ImmersionStatus::Brouillon => "brouillon",
            ImmersionStatus::PreteASigner => "prete-a-signer",
            ImmersionStatus::Signee => "signee",
            ImmersionStatus::EnCours => "en-cours",
            ImmersionStatus::Realisee => "realisee",
            ImmersionStatus::Annulee => "annulee",
            ImmersionStatus::Refusee => "refusee",
        }
    }
    pub fn from_id(id: &str) -> Option<ImmersionStatus> {
        Self::ALL.into_iter().find(|s| s.id() == id.trim())
    }
    /// No transition leaves a final status.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ImmersionStatus::Realisee | ImmersionStatus::Annulee | ImmersionStatus::Refusee
        )
    }
    /// Annulée and refusée need a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, ImmersionStatus::Annulee | ImmersionStatus::Refusee)
    }
    /// The statuses reachable in one step, in the order a picker shows them.
    pub fn next(self) -> &'static [ImmersionStatus] {
        use ImmersionStatus::*;
        match self {
            Brouillon => &[PreteASigner, Annulee],
            // Back to brouillon to correct the content before signature.
            PreteASigner => &[Signee, Brouillon, Refusee, Annulee],
            Signee => &[EnCours, Refusee, Annulee],
            EnCours => &[Realisee, Annulee],
            Realisee | Annulee | Refusee => &[],
        }
    }
    pub fn can_go_to(self, to: ImmersionStatus) -> bool {
        self.next().contains(&to)
    }
    /// Whether its content must pass the rule checks (no blocking finding).
    pub fn requires_checks(self) -> bool {
        matches!(
            self,
            ImmersionStatus::PreteASigner | ImmersionStatus::Signee
        )
    }
}

/// How much of the immersion took place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Realisation {
    Entiere,
    Partielle,
    NonRealisee,
}

impl Realisation {
    pub const ALL: [Realisation; 3] = [
        Realisation::Entiere,
        Realisation::Partielle,
        Realisation::NonRealisee,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Realisation::Entiere => "réalisée entièrement",
            Realisation::Partielle => "réalisée partiellement",
            Realisation::NonRealisee => "pas réalisée",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Realisation::Entiere => "entiere",
            Realisation::Partielle => "partielle",
            Realisation::NonRealisee => "non-realisee",
        }
    }
}

/// A contract offered by the host after the immersion. (Not the
/// beneficiary's `ContractType`: an offer can be an alternance or a CDD de
/// reconversion, which a current contract is not described as.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OfferedContract {
    Cdi,
    Cdd,
    /// CDD of the période de reconversion (external form).
    CddReconversion,
    /// Apprenticeship or professionalisation contract.
    Alternance,
    Interim,
    Autre,
}

impl OfferedContract {
    pub const ALL: [OfferedContract; 6] = [
        OfferedContract::Cdi,
        OfferedContract::Cdd,
        OfferedContract::CddReconversion,
        OfferedContract::Alternance,
        OfferedContract::Interim,
        OfferedContract::Autre,
    ];
    pub fn label(self) -> &'static str {
        match self {
            OfferedContract::Cdi => "CDI",
            OfferedContract::Cdd => "CDD",
            OfferedContract::CddReconversion => "CDD de reconversion",
            OfferedContract::Alternance => "alternance",
            OfferedContract::Interim => "intérim",
            OfferedContract::Autre => "autre",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            OfferedContract::Cdi => "cdi",
            OfferedContract::Cdd => "cdd",
            OfferedContract::CddReconversion => "cdd-reconversion",
            OfferedContract::Alternance => "alternance",
            OfferedContract::Interim => "interim",
            OfferedContract::Autre => "autre",
        }
    }
}

/// The outcome recorded after the immersion (bilan).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debrief {
    /// When the debrief took place.
    #[serde(with = "serde_opt_days")]
    pub on: Option<NaiveDate>,
    /// `None` until known (also for debriefs migrated from free text).
    pub realisation: Option<Realisation>,
    pub objectives_reached: Option<bool>,
    /// Hiring considered by the host.
    pub hiring: Option<bool>,
    pub contract_offered: Option<OfferedContract>,
    pub comments: String,
}

impl Debrief {
    /// A debrief is complete once the realisation is known.
    pub fn is_complete(&self) -> bool {
        self.realisation.is_some()
    }
    /// `réalisée entièrement · objectifs atteints · embauche : CDI`, for lists.
    pub fn summary(&self) -> String {
        let mut parts = vec![self
            .realisation
            .map_or("réalisation non renseignée", Realisation::label)
            .to_string()];
        match self.objectives_reached {
            Some(true) => parts.push("objectifs atteints".into()),
            Some(false) => parts.push("objectifs non atteints".into()),
            None => {}
        }
        match (self.hiring, self.contract_offered) {
            (Some(true), Some(c)) => parts.push(format!("embauche : {}", c.label())),
            (Some(true), None) => parts.push("embauche envisagée".into()),
            (Some(false), _) => parts.push("pas d'embauche".into()),
            (None, _) => {}
        }
        parts.join(" · ")
    }
}

/// One immersion of a beneficiary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Immersion {
    pub id: Id,
    pub beneficiary: Id,
    /// Target appellation (defaults to the plan's first target in the form).
    pub target: Option<TargetMetier>,
    pub objective: Option<ImmersionObjective>,
    pub host: Host,
    pub tutor: Tutor,
    /// Required before « prête à signer ».
    pub prescriber: Option<Prescriber>,
    /// The beneficiary's own employer, party to the convention.
    pub employer: Employer,
    /// Whether the immersion takes place on working time (`None` = not asked).
    pub on_working_time: Option<bool>,
    #[serde(with = "serde_days")]
    pub start: NaiveDate,
    #[serde(with = "serde_days")]
    pub end: NaiveDate,
    /// The schedule as typed (kept even when it cannot be parsed, e.g. after
    /// a migration); `schedule` is what it parsed to.
    pub schedule_text: String,
    pub schedule: WeeklySchedule,
    /// Tasks given to the beneficiary.
    pub tasks: String,
    /// Precise goals.
    pub goals: String,
    /// How the goals are assessed.
    pub assessment: String,
    pub status: ImmersionStatus,
    /// Reason of an annulée / refusée status; empty otherwise.
    pub status_reason: String,
    /// The immersion this one renews (at most one renewal).
    pub renewal_of: Option<Id>,
    pub renewal_reason: String,
    pub debrief: Option<Debrief>,
    pub meta: Meta,
}

/// Label of the missing-prescriber entry of [`Immersion::missing_fields`].
pub const FIELD_PRESCRIBER: &str = "prescripteur";
/// Label of the missing-schedule entry of [`Immersion::missing_fields`].
pub const FIELD_SCHEDULE: &str = "horaires de présence";

impl Immersion {
    /// A new draft with nothing but its dates.
    pub fn new(id: Id, beneficiary: Id, start: NaiveDate, end: NaiveDate, meta: Meta) -> Self {
        Immersion {
            id,
            beneficiary,
            target: None,
            objective: None,
            host: Host::default(),
            tutor: Tutor::default(),
            prescriber: None,
            employer: Employer::default(),
            on_working_time: None,
            start,
            end,
            schedule_text: String::new(),
            schedule: WeeklySchedule::default(),
            tasks: String::new(),
            goals: String::new(),
            assessment: String::new(),
            status: ImmersionStatus::Brouillon,
            status_reason: String::new(),
            renewal_of: None,
            renewal_reason: String::new(),
            debrief: None,
            meta,
        }
    }

    /// Parses and sets the schedule; on error nothing changes.
    pub fn set_schedule(&mut self, text: &str) -> Result<(), String> {
        self.schedule = WeeklySchedule::parse(text)?;
        self.schedule_text = text.trim().to_string();
        Ok(())
    }

    /// Calendar days from start to end, both included (0 if reversed).
    pub fn calendar_days(&self) -> i64 {
        ((self.end - self.start).num_days() + 1).max(0)
    }

    /// Total presence minutes over the whole period.
    pub fn total_minutes(&self) -> u32 {
        self.schedule.total_minutes(self.start, self.end)
    }

    /// Presence minutes in a full week of the schedule.
    pub fn weekly_minutes(&self) -> u32 {
        self.schedule.weekly_minutes()
    }

    /// The dates of the period on which the beneficiary is present.
    pub fn presence_days(&self) -> Vec<NaiveDate> {
        self.schedule.presence_days(self.start, self.end)
    }

    /// Neither annulée nor refusée: it counts for the rules and the agenda.
    pub fn is_active(&self) -> bool {
        !matches!(
            self.status,
            ImmersionStatus::Annulee | ImmersionStatus::Refusee
        )
    }

    pub fn is_renewal(&self) -> bool {
        self.renewal_of.is_some()
    }

    /// The period this immersion belongs to: the original's id for a
    /// renewal, its own id otherwise.
    pub fn period_root(&self) -> Id {
        self.renewal_of.unwrap_or(self.id)
    }

    /// Whether `day` is within the period.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// `(n, total)`: `day` is presence day `n` (from 1) of `total`, as the
    /// home screen shows `J3/10`; `None` if it is not a presence day.
    pub fn day_number(&self, day: NaiveDate) -> Option<(usize, usize)> {
        let days = self.presence_days();
        days.iter()
            .position(|d| *d == day)
            .map(|i| (i + 1, days.len()))
    }

    /// The status the dates call for, if it differs: a signed immersion
    /// whose start has come is « en cours »; one running past its end is
    /// « réalisée ». The caller proposes it; nothing changes by itself.
    pub fn due_status(&self, today: NaiveDate) -> Option<ImmersionStatus> {
        match self.status {
            ImmersionStatus::Signee if self.start <= today => Some(ImmersionStatus::EnCours),
            ImmersionStatus::EnCours if self.end < today => Some(ImmersionStatus::Realisee),
            _ => None,
        }
    }

    /// The immersion is over (signée, en cours or réalisée, end before
    /// `today`) and its debrief is missing or incomplete.
    pub fn debrief_overdue(&self, today: NaiveDate) -> bool {
        matches!(
            self.status,
            ImmersionStatus::Signee | ImmersionStatus::EnCours | ImmersionStatus::Realisee
        ) && self.end < today
            && !self.debrief.as_ref().is_some_and(Debrief::is_complete)
    }

    /// The fields the convention (cerfa 13912) needs that are still empty,
    /// as French labels, in the order of the form. The convention sheet lists
    /// them at the top; each is a blocking finding for « prête à signer ».
    pub fn missing_fields(&self) -> Vec<&'static str> {
        let blank = |s: &str| s.trim().is_empty();
        let mut out = Vec::new();
        let mut need = |missing: bool, label: &'static str| {
            if missing {
                out.push(label);
            }
        };
        need(self.target.is_none(), "métier visé");
        need(self.objective.is_none(), "objectif de l'immersion");
        need(blank(&self.host.name), "structure d'accueil : nom");
        need(self.host.siret.is_none(), "structure d'accueil : SIRET");
        need(blank(&self.host.address), "structure d'accueil : adresse");
        need(
            blank(&self.host.activity),
            "structure d'accueil : activité principale",
        );
        need(blank(&self.tutor.name), "tuteur : nom");
        need(blank(&self.tutor.role), "tuteur : fonction");
        need(
            self.prescriber.as_ref().is_none_or(|p| blank(&p.name)),
            FIELD_PRESCRIBER,
        );
        need(blank(&self.employer.name), "employeur actuel : nom");
        need(
            self.on_working_time.is_none(),
            "sur le temps de travail (oui / non)",
        );
        need(self.schedule.is_empty(), FIELD_SCHEDULE);
        need(blank(&self.tasks), "tâches confiées");
        need(blank(&self.goals), "objectifs précis");
        need(blank(&self.assessment), "modalités d'évaluation");
        need(
            self.renewal_of.is_some() && blank(&self.renewal_reason),
            "motif du renouvellement",
        );
        out
    }

    /// Changes the status, returning the changed copy (the caller saves it
    /// and touches `meta`). Refused with a French message when the move is
    /// not allowed, when annulée / refusée come without a reason, or — for
    /// « prête à signer » and « signée » — when the rule checks find a
    /// blocking problem (a missing prescriber is one).
    pub fn transition(
        &self,
        to: ImmersionStatus,
        reason: &str,
        ctx: &CheckContext<'_>,
    ) -> Result<Immersion, String> {
        let from = self.status;
        if to == from {
            return Err(format!("l'immersion est déjà « {} »", from.label()));
        }
        if !from.can_go_to(to) {
            let hint = if from.is_final() {
                format!(" : une immersion « {} » est close", from.label())
            } else {
                let next: Vec<String> = from
                    .next()
                    .iter()
                    .map(|s| format!("« {} »", s.label()))
                    .collect();
                format!(" (possible : {})", next.join(", "))
            };
            return Err(format!(
                "passage de « {} » à « {} » impossible{hint}",
                from.label(),
                to.label()
            ));
        }
        let reason = reason.trim();
        if to.needs_reason() && reason.is_empty() {
            return Err(format!(
                "un motif est obligatoire pour passer à « {} »",
                to.label()
            ));
        }
        if to.requires_checks() {
            if let Some(why) = blocking_reason(&check(self, ctx)) {
                return Err(format!("impossible de passer à « {} » : {why}", to.label()));
            }
        }
        let mut next = self.clone();
        next.status = to;
        next.status_reason = if to.needs_reason() {
            reason.to_string()
        } else {
            String::new()
        };
        Ok(next)
    }

    /// A renewal: a linked copy (same host, tutor, prescriber, objective,
    /// schedule, tasks…) with new dates and a reason, as a new draft.
    /// `others` are the person's immersions (this one may be among them).
    /// Refused when this immersion is itself a renewal or already renewed
    /// (one renewal at most), is not signed / running / done, or when the new
    /// dates are reversed or do not follow its end.
    pub fn renew(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        reason: &str,
        others: &[Immersion],
        new_id: Id,
        meta: Meta,
    ) -> Result<Immersion, String> {
        const ONCE: &str = "une PMSMP ne se renouvelle qu'une fois";
        let reason = reason.trim();
        if reason.is_empty() {
            return Err("le motif du renouvellement est obligatoire".into());
        }
        if self.renewal_of.is_some() {
            return Err(format!(
                "cette immersion est déjà un renouvellement : {ONCE}"
            ));
        }
        if let Some(r) = others
            .iter()
            .find(|o| o.id != self.id && o.is_active() && o.renewal_of == Some(self.id))
        {
            return Err(format!(
                "cette immersion a déjà été renouvelée (du {} au {}) : {ONCE}",
                fmt_date(r.start),
                fmt_date(r.end)
            ));
        }
        if !matches!(
            self.status,
            ImmersionStatus::Signee | ImmersionStatus::EnCours | ImmersionStatus::Realisee
        ) {
            return Err(format!(
                "une immersion « {} » ne peut pas être renouvelée \
                 (seulement signée, en cours ou réalisée)",
                self.status.label()
            ));
        }
        if end < start {
            return Err(format!(
                "la fin du renouvellement ({}) précède son début ({})",
                fmt_date(end),
                fmt_date(start)
            ));
        }
        if start <= self.end {
            return Err(format!(
                "le renouvellement doit commencer après la fin de la première période ({})",
                fmt_date(self.end)
            ));
        }
        let mut r = self.clone();
        r.id = new_id;
        r.start = start;
        r.end = end;
        r.status = ImmersionStatus::Brouillon;
        r.status_reason = String::new();
        r.renewal_of = Some(self.id);
        r.renewal_reason = reason.to_string();
        r.debrief = None;
        r.meta = meta;
        Ok(r)
    }

    /// `Crèche Les Lucioles, du 07/12/2026 au 18/12/2026 (brouillon)`.
    pub fn summary(&self) -> String {
        let host = if self.host.name.trim().is_empty() {
            "structure à préciser"
        } else {
            self.host.name.trim()
        };
        format!(
            "{host}, du {} au {} ({})",
            fmt_date(self.start),
            fmt_date(self.end),
            self.status.label()
        )
    }
}

// ----- migration from the first layout ---------------------------------------

/// The immersion record as stored before issue 10 (envelope version 1).
/// Frozen forever: same field order and types as it was written.
pub mod v1 {
    use crate::domain::beneficiary::Meta;
    use crate::domain::id::Id;
    use crate::domain::metier::TargetMetier;
    use crate::domain::time::serde_days;
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
}

/// Reason given to immersions that were « cancelled » in the first layout,
/// which had no reason field.
pub const V1_CANCEL_REASON: &str = "reprise d'une ancienne version";

/// Parses an old schedule leniently: as typed; or, as the first layout held
/// a *daily* schedule without days (`9:00–12:00 13:30–17:00`), as Monday to
/// Friday. Returns the text to keep (the canonical form when it parsed) and
/// the parsed schedule (empty when nothing parsed: the advisor retypes it).
fn lenient_schedule(text: &str) -> (String, WeeklySchedule) {
    let attempts = [text.to_string(), format!("lun-ven {text}")];
    attempts
        .iter()
        .find_map(|t| WeeklySchedule::parse(t).ok())
        .map(|s| (s.canonical(), s))
        .unwrap_or_else(|| (text.trim().to_string(), WeeklySchedule::default()))
}

impl From<v1::Immersion> for Immersion {
    fn from(o: v1::Immersion) -> Immersion {
        let (status, status_reason) = match o.status {
            v1::ImmersionStatus::Proposed => (ImmersionStatus::Brouillon, String::new()),
            v1::ImmersionStatus::AgreementSigned => (ImmersionStatus::Signee, String::new()),
            v1::ImmersionStatus::Running => (ImmersionStatus::EnCours, String::new()),
            v1::ImmersionStatus::Done => (ImmersionStatus::Realisee, String::new()),
            v1::ImmersionStatus::Cancelled => {
                (ImmersionStatus::Annulee, V1_CANCEL_REASON.to_string())
            }
        };
        let objective = ImmersionObjective::parse(&o.objective);
        // Free text that named no objective is kept as the precise goals.
        let goals = match objective {
            None => o.objective.trim().to_string(),
            Some(_) => String::new(),
        };
        let contact = o.tutor.contact.trim();
        let (phone, email) = match (rules::email(contact), rules::phone(contact)) {
            (Ok(Some(e)), _) => (None, Some(e)),
            (_, Ok(Some(p))) => (Some(p), None),
            _ if contact.is_empty() => (None, None),
            // Unrecognised contact: kept as typed, where it will be seen.
            _ => (Some(contact.to_string()), None),
        };
        let (schedule_text, schedule) = lenient_schedule(&o.schedule);
        let debrief = (!o.debrief.trim().is_empty()).then(|| Debrief {
            comments: o.debrief.trim().to_string(),
            ..Debrief::default()
        });
        Immersion {
            id: o.id,
            beneficiary: o.beneficiary,
            target: Some(o.target),
            objective,
            host: Host {
                name: o.host.name,
                siret: o.host.siret,
                address: o.host.address,
                idcc: None,
                branch: o.host.branch,
                activity: String::new(),
            },
            tutor: Tutor {
                name: o.tutor.name,
                role: o.tutor.role,
                phone,
                email,
            },
            prescriber: None,
            employer: Employer::default(),
            on_working_time: None,
            start: o.start,
            end: o.end,
            schedule_text,
            schedule,
            tasks: String::new(),
            goals,
            assessment: String::new(),
            status,
            status_reason,
            renewal_of: None,
            renewal_reason: String::new(),
            debrief,
            meta: o.meta,
        }
    }
}

/// Builders shared by the tests of the immersion modules.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use chrono::{DateTime, Utc};

    /// Valid (Luhn) SIRETs of two host structures and an employer.
    pub const SIRET_A: &str = "12002701600357";
    pub const SIRET_B: &str = "32987654300011";
    pub const SIRET_EMPLOYER: &str = "51200000000012";

    pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    pub fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }
    pub const T0: i64 = 1_780_000_000; // 2026-05-28
    pub fn id(n: u8) -> Id {
        Id::new_v7(T0 as u64 * 1000 + u64::from(n), [n; 10])
    }
    /// The beneficiary of every fixture immersion.
    pub fn ben() -> Id {
        id(200)
    }

    /// A complete draft: every convention field filled, host A, Monday to
    /// Friday 9h-12h 13h30-17h (32 h 30 a week), no rule broken when alone.
    pub fn complete(n: u8, start: NaiveDate, end: NaiveDate) -> Immersion {
        let mut i = Immersion::new(id(n), ben(), start, end, Meta::new(t(T0), "Camille"));
        i.target = Some(TargetMetier {
            ogr: 12_345,
            rome: "K1202".into(),
            label: "Éducateur / Éducatrice de jeunes enfants".into(),
        });
        i.objective = Some(ImmersionObjective::ConfirmerProjet);
        i.host = Host {
            name: "Crèche Les Lucioles".into(),
            siret: Some(SIRET_A.into()),
            address: "3 rue des Capucins, 69001 Lyon".into(),
            idcc: Some("1261".into()),
            branch: Some("ALISFA".into()),
            activity: "Accueil collectif de jeunes enfants".into(),
        };
        i.tutor = Tutor {
            name: "Claire Durand".into(),
            role: "Directrice".into(),
            phone: Some("04 72 00 00 00".into()),
            email: Some("direction@lucioles.example".into()),
        };
        i.prescriber = Some(Prescriber {
            kind: PrescriberKind::FranceTravail,
            name: "France Travail Lyon Part-Dieu".into(),
            address: "10 rue de la Part-Dieu, 69003 Lyon".into(),
            adviser: "Nadia Roux".into(),
            phone: None,
            email: None,
        });
        i.employer = Employer {
            name: "Centre social des Pentes".into(),
            siret: Some(SIRET_EMPLOYER.into()),
        };
        i.on_working_time = Some(true);
        i.set_schedule("lun-ven 9h-12h 13h30-17h").unwrap();
        i.tasks = "Accueil des enfants, activités d'éveil".into();
        i.goals = "Vérifier l'intérêt pour le travail en équipe".into();
        i.assessment = "Grille d'observation remplie par la tutrice".into();
        i
    }

    /// The same immersion with another status (no checks: a test shortcut).
    pub fn with_status(mut i: Immersion, s: ImmersionStatus) -> Immersion {
        i.status = s;
        i
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use ImmersionStatus::*;

    fn ctx(others: &[Immersion]) -> CheckContext<'_> {
        CheckContext {
            others,
            appointments: &[],
        }
    }

    fn two_weeks(n: u8) -> Immersion {
        complete(n, d(2026, 12, 7), d(2026, 12, 18))
    }

    #[test]
    fn every_legal_transition_is_accepted() {
        let legal = [
            (Brouillon, PreteASigner),
            (Brouillon, Annulee),
            (PreteASigner, Brouillon),
            (PreteASigner, Signee),
            (PreteASigner, Refusee),
            (PreteASigner, Annulee),
            (Signee, EnCours),
            (Signee, Refusee),
            (Signee, Annulee),
            (EnCours, Realisee),
            (EnCours, Annulee),
        ];
        for (from, to) in legal {
            let i = with_status(two_weeks(1), from);
            let next = i
                .transition(to, "motif donné", &ctx(&[]))
                .unwrap_or_else(|e| panic!("{from:?} → {to:?}: {e}"));
            assert_eq!(next.status, to);
            let expected_reason = if to.needs_reason() {
                "motif donné"
            } else {
                ""
            };
            assert_eq!(next.status_reason, expected_reason);
            // Nothing else changes.
            let mut back = with_status(next, from);
            back.status_reason.clear();
            assert_eq!(back, with_status(two_weeks(1), from));
        }
        // The table above is the whole machine: every other pair is refused.
        for from in ImmersionStatus::ALL {
            for to in ImmersionStatus::ALL {
                let ok = two_weeks(1);
                let r = with_status(ok, from).transition(to, "motif", &ctx(&[]));
                assert_eq!(r.is_ok(), legal.contains(&(from, to)), "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn illegal_transitions_say_why_in_french() {
        let i = two_weeks(1);
        assert_eq!(
            i.transition(Signee, "", &ctx(&[])).unwrap_err(),
            "passage de « brouillon » à « signée » impossible \
             (possible : « prête à signer », « annulée »)"
        );
        assert_eq!(
            i.transition(Brouillon, "", &ctx(&[])).unwrap_err(),
            "l'immersion est déjà « brouillon »"
        );
        assert_eq!(
            with_status(two_weeks(1), Realisee)
                .transition(Annulee, "trop tard", &ctx(&[]))
                .unwrap_err(),
            "passage de « réalisée » à « annulée » impossible : \
             une immersion « réalisée » est close"
        );
        assert!(i
            .transition(Refusee, "refus", &ctx(&[]))
            .unwrap_err()
            .contains("impossible"));
        assert!(with_status(two_weeks(1), EnCours)
            .transition(Refusee, "refus", &ctx(&[]))
            .is_err());
    }

    #[test]
    fn cancelling_or_refusing_needs_a_reason() {
        let i = with_status(two_weeks(1), Signee);
        for to in [Annulee, Refusee] {
            for blank in ["", "   "] {
                assert_eq!(
                    i.transition(to, blank, &ctx(&[])).unwrap_err(),
                    format!("un motif est obligatoire pour passer à « {} »", to.label())
                );
            }
            let done = i.transition(to, "  structure fermée ", &ctx(&[])).unwrap();
            assert_eq!(done.status_reason, "structure fermée");
        }
    }

    #[test]
    fn ready_to_sign_needs_a_prescriber_and_no_blocking_finding() {
        let mut i = two_weeks(1);
        i.prescriber = None;
        let err = i.transition(PreteASigner, "", &ctx(&[])).unwrap_err();
        assert!(
            err.starts_with("impossible de passer à « prête à signer » : prescripteur manquant"),
            "{err}"
        );
        assert!(
            err.contains("un opérateur CEP ne peut pas prescrire"),
            "{err}"
        );
        // Signing checks again: a prescriber removed after « prête à signer ».
        let ready = with_status(i.clone(), PreteASigner);
        assert!(ready
            .transition(Signee, "", &ctx(&[]))
            .unwrap_err()
            .contains("prescripteur"));

        // A blocking rule (31 days) is named.
        let long = complete(2, d(2026, 3, 1), d(2026, 4, 1));
        let err = long.transition(PreteASigner, "", &ctx(&[])).unwrap_err();
        assert!(err.contains("31 jours d'écart, 30 au plus"), "{err}");
        // Several blocking problems are all listed.
        let mut bare = Immersion::new(
            id(3),
            ben(),
            d(2026, 3, 1),
            d(2026, 3, 5),
            two_weeks(1).meta,
        );
        bare.set_schedule("lun-ven 9h-12h").unwrap();
        let err = bare.transition(PreteASigner, "", &ctx(&[])).unwrap_err();
        for piece in [
            "métier visé",
            "tuteur : nom",
            "prescripteur manquant",
            "modalités d'évaluation",
        ] {
            assert!(err.contains(piece), "{piece}: {err}");
        }
        // A warning (40 h a week) does not block.
        let mut busy = two_weeks(4);
        busy.set_schedule("lun-ven 8h-12h 13h-17h").unwrap();
        assert!(rules::immersion::check(&busy, &ctx(&[]))
            .iter()
            .any(|f| !f.is_blocking()));
        assert_eq!(
            busy.transition(PreteASigner, "", &ctx(&[])).unwrap().status,
            PreteASigner
        );
        // Other moves are not checked: a draft with gaps can be cancelled.
        assert!(bare
            .transition(Annulee, "abandon du projet", &ctx(&[]))
            .is_ok());
    }

    #[test]
    fn renewal_is_a_linked_draft_and_happens_once() {
        let orig = with_status(two_weeks(1), Realisee);
        let meta = Meta::new(t(T0 + 60), "Sam");
        // Renews `i` from `(start, end)` (December 2026 / January 2027 days).
        let renew = |i: &Immersion, start: u32, end: u32, reason: &str, all: &[Immersion]| {
            let day = |n: u32| {
                if n > 31 {
                    d(2027, 1, n - 31)
                } else {
                    d(2026, 12, n)
                }
            };
            i.renew(day(start), day(end), reason, all, id(3), meta.clone())
        };
        let r = renew(&orig, 35, 46, " objectifs non atteints ", &[]).unwrap();
        assert_eq!(r.id, id(3));
        assert_eq!(r.renewal_of, Some(orig.id));
        assert_eq!(r.renewal_reason, "objectifs non atteints");
        assert_eq!((r.start, r.end), (d(2027, 1, 4), d(2027, 1, 15)));
        assert_eq!(r.status, Brouillon);
        assert_eq!(r.debrief, None);
        assert_eq!(r.meta, meta);
        assert_eq!(
            (&r.host, &r.tutor, &r.prescriber, r.objective),
            (&orig.host, &orig.tutor, &orig.prescriber, orig.objective)
        );
        assert_eq!(r.period_root(), orig.id);

        // A second renewal of the same immersion is refused…
        let all = vec![orig.clone(), r.clone()];
        assert_eq!(
            renew(&orig, 60, 62, "encore", &all).unwrap_err(),
            "cette immersion a déjà été renouvelée (du 04/01/2027 au 15/01/2027) : \
             une PMSMP ne se renouvelle qu'une fois"
        );
        // …unless that renewal was cancelled.
        let cancelled = vec![orig.clone(), with_status(r.clone(), Annulee)];
        assert!(renew(&orig, 60, 62, "encore", &cancelled).is_ok());
        // A renewal cannot be renewed.
        let r_done = with_status(r, Realisee);
        assert!(renew(&r_done, 60, 62, "encore", &all)
            .unwrap_err()
            .contains("déjà un renouvellement"));
        // Reason, status and dates.
        assert!(renew(&orig, 35, 46, " ", &[])
            .unwrap_err()
            .contains("motif"));
        assert!(renew(&two_weeks(1), 35, 46, "x", &[])
            .unwrap_err()
            .contains("« brouillon » ne peut pas être renouvelée"));
        assert!(renew(&orig, 46, 35, "x", &[])
            .unwrap_err()
            .contains("précède"));
        assert_eq!(
            renew(&orig, 18, 31, "x", &[]).unwrap_err(),
            "le renouvellement doit commencer après la fin de la première période (18/12/2026)"
        );
        assert!(renew(&orig, 19, 31, "x", &[]).is_ok());
    }

    #[test]
    fn dates_drive_the_status_the_debrief_and_day_numbers() {
        let i = with_status(two_weeks(1), Signee); // Mon 7 → Fri 18 Dec 2026
        assert_eq!(i.due_status(d(2026, 12, 6)), None);
        assert_eq!(i.due_status(d(2026, 12, 7)), Some(EnCours));
        let running = with_status(i.clone(), EnCours);
        assert_eq!(running.due_status(d(2026, 12, 18)), None);
        assert_eq!(running.due_status(d(2026, 12, 19)), Some(Realisee));

        assert_eq!(i.day_number(d(2026, 12, 9)), Some((3, 10)));
        assert_eq!(i.day_number(d(2026, 12, 12)), None); // Saturday
        assert_eq!(i.total_minutes(), 10 * 390);
        assert_eq!(i.calendar_days(), 12);

        let done = with_status(two_weeks(1), Realisee);
        assert!(!done.debrief_overdue(d(2026, 12, 18)));
        assert!(done.debrief_overdue(d(2026, 12, 19)));
        let mut partial = done.clone();
        partial.debrief = Some(Debrief {
            comments: "à compléter".into(),
            ..Debrief::default()
        });
        assert!(partial.debrief_overdue(d(2026, 12, 19)));
        partial.debrief.as_mut().unwrap().realisation = Some(Realisation::Partielle);
        assert!(!partial.debrief_overdue(d(2026, 12, 19)));
        assert!(!with_status(two_weeks(1), Annulee).debrief_overdue(d(2027, 1, 1)));
        assert!(!two_weeks(1).debrief_overdue(d(2027, 1, 1))); // a draft
    }

    #[test]
    fn debrief_summary_and_labels() {
        let b = Debrief {
            on: Some(d(2026, 12, 21)),
            realisation: Some(Realisation::Entiere),
            objectives_reached: Some(true),
            hiring: Some(true),
            contract_offered: Some(OfferedContract::Alternance),
            comments: String::new(),
        };
        assert_eq!(
            b.summary(),
            "réalisée entièrement · objectifs atteints · embauche : alternance"
        );
        assert_eq!(Debrief::default().summary(), "réalisation non renseignée");
        // Ids are distinct ASCII and parse back.
        for s in ImmersionStatus::ALL {
            assert!(s.id().is_ascii());
            assert_eq!(ImmersionStatus::from_id(s.id()), Some(s));
        }
        for k in PrescriberKind::ALL {
            assert_eq!(PrescriberKind::from_id(k.id()), Some(k));
        }
        for o in ImmersionObjective::ALL {
            assert_eq!(ImmersionObjective::parse(o.id()), Some(o));
            assert_eq!(ImmersionObjective::parse(o.label()), Some(o));
        }
        assert_eq!(
            ImmersionObjective::parse("DÉCOUVRIR le métier"),
            Some(ImmersionObjective::DecouvrirMetier)
        );
        assert_eq!(ImmersionObjective::parse("voir"), None);
        assert_eq!(
            two_weeks(1).summary(),
            "Crèche Les Lucioles, du 07/12/2026 au 18/12/2026 (brouillon)"
        );
    }

    #[test]
    fn missing_fields_follow_the_convention() {
        assert!(two_weeks(1).missing_fields().is_empty());
        let bare = Immersion::new(
            id(1),
            ben(),
            d(2026, 1, 5),
            d(2026, 1, 9),
            two_weeks(1).meta,
        );
        let m = bare.missing_fields();
        assert_eq!(m.len(), 15, "{m:?}");
        assert!(m.contains(&FIELD_PRESCRIBER) && m.contains(&FIELD_SCHEDULE));
        let mut renewal = two_weeks(2);
        renewal.renewal_of = Some(id(1));
        assert_eq!(renewal.missing_fields(), vec!["motif du renouvellement"]);
    }

    fn v1_record(
        status: v1::ImmersionStatus,
        schedule: &str,
        objective: &str,
        contact: &str,
    ) -> v1::Immersion {
        v1::Immersion {
            id: id(5),
            beneficiary: ben(),
            target: TargetMetier {
                ogr: 12_345,
                rome: "K1202".into(),
                label: "Éducateur / Éducatrice de jeunes enfants".into(),
            },
            host: v1::Host {
                name: "Crèche Les Lucioles".into(),
                siret: Some(SIRET_A.into()),
                address: "3 rue des Capucins, 69001 Lyon".into(),
                branch: Some("ALISFA".into()),
            },
            tutor: v1::Tutor {
                name: "Claire Durand".into(),
                role: "Directrice".into(),
                contact: contact.into(),
            },
            start: d(2026, 9, 7),
            end: d(2026, 9, 11),
            schedule: schedule.into(),
            objective: objective.into(),
            status,
            debrief: String::new(),
            meta: Meta::new(t(T0 + 200), "conseil-lyon"),
        }
    }

    #[test]
    fn v1_records_convert_with_their_status_and_a_parsed_schedule() {
        use v1::ImmersionStatus as Old;
        for (old, new) in [
            (Old::Proposed, Brouillon),
            (Old::AgreementSigned, Signee),
            (Old::Running, EnCours),
            (Old::Done, Realisee),
            (Old::Cancelled, Annulee),
        ] {
            let i: Immersion = v1_record(old, "", "", "").into();
            assert_eq!(i.status, new, "{old:?}");
            let reason = if new == Annulee { V1_CANCEL_REASON } else { "" };
            assert_eq!(i.status_reason, reason);
        }
        // The first layout's daily schedule (no days) is read as Monday–Friday.
        let i: Immersion = v1_record(
            Old::AgreementSigned,
            "9:00–12:00 13:30–17:00",
            "Découvrir le métier",
            "04 72 00 00 00",
        )
        .into();
        assert_eq!(i.schedule_text, "lun–ven 9:00–12:00 13:30–17:00");
        assert_eq!(i.weekly_minutes(), 5 * 390);
        assert_eq!(i.total_minutes(), 5 * 390);
        assert_eq!(i.objective, Some(ImmersionObjective::DecouvrirMetier));
        assert_eq!(i.goals, "");
        assert_eq!(i.tutor.phone.as_deref(), Some("04 72 00 00 00"));
        assert_eq!(i.tutor.email, None);
        assert_eq!(i.host.siret.as_deref(), Some(SIRET_A));
        assert_eq!(i.host.branch.as_deref(), Some("ALISFA"));
        assert_eq!(i.target.as_ref().map(|t| t.rome.as_str()), Some("K1202"));
        assert_eq!(
            (i.start, i.end, i.id, i.beneficiary),
            (d(2026, 9, 7), d(2026, 9, 11), id(5), ben())
        );
        assert_eq!(i.meta.advisor, "conseil-lyon");
        // A schedule with days is kept; unparsable text is kept for retyping.
        let i: Immersion = v1_record(Old::Proposed, "mar jeu 8h-12h", "", "").into();
        assert_eq!(i.schedule_text, "mar jeu 8:00–12:00");
        let i: Immersion =
            v1_record(Old::Proposed, "le matin", "apprendre", "Claire, poste 12").into();
        assert_eq!(i.schedule_text, "le matin");
        assert!(i.schedule.is_empty());
        assert!(i.missing_fields().contains(&FIELD_SCHEDULE));
        assert_eq!(i.objective, None);
        assert_eq!(i.goals, "apprendre");
        assert_eq!(i.tutor.phone.as_deref(), Some("Claire, poste 12"));
        let i: Immersion = v1_record(Old::Proposed, "", "", "c.durand@lucioles.example").into();
        assert_eq!(i.tutor.email.as_deref(), Some("c.durand@lucioles.example"));
        // An old free-text debrief becomes the comments of an incomplete debrief.
        let mut old = v1_record(Old::Done, "", "", "");
        old.debrief = "Très bonne immersion.".into();
        let i: Immersion = old.into();
        let b = i.debrief.unwrap();
        assert_eq!(b.comments, "Très bonne immersion.");
        assert!(!b.is_complete());
    }

    #[test]
    fn v1_bytes_decode_and_new_records_round_trip() {
        let old = v1_record(v1::ImmersionStatus::Running, "9:00–12:00", "confirmer", "");
        let bytes = bincode::serialize(&old).unwrap();
        let back: v1::Immersion = bincode::deserialize(&bytes).unwrap();
        assert_eq!(back, old);
        // The new layout does not read old bytes as itself.
        assert!(bincode::deserialize::<Immersion>(&bytes).is_err());
        let mut new: Immersion = back.into();
        new.debrief = Some(Debrief {
            on: Some(d(2026, 9, 14)),
            realisation: Some(Realisation::Entiere),
            objectives_reached: Some(false),
            hiring: Some(false),
            contract_offered: None,
            comments: "RAS".into(),
        });
        new.renewal_of = Some(id(9));
        let bytes = bincode::serialize(&new).unwrap();
        assert_eq!(bincode::deserialize::<Immersion>(&bytes).unwrap(), new);
    }
}
