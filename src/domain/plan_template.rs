//! Plan templates (`assets/modeles_parcours.toml`): the usual steps of a
//! reconversion path, with dates relative to the day they are applied and
//! suggested funding lines. [`apply_template`] turns one into steps that the
//! advisor then edits.

use super::dispositif::{parsed_once, Dispositifs, Funder, Parameter};
use super::id::Id;
use super::money::Cents;
use super::plan::{FundingLine, Step, StepKind};
use chrono::{Days, Months, NaiveDate};
use serde::Deserialize;
use std::sync::OnceLock;

const TEMPLATES_TOML: &str = include_str!("../../assets/modeles_parcours.toml");

/// A shipped template file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("modèles de parcours invalides (modeles_parcours.toml) : {0}")]
pub struct TemplateError(pub String);

/// A date relative to the day a template is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offset {
    Days(u32),
    Weeks(u32),
    Months(u32),
}

impl Offset {
    /// `0j`, `+15j`, `2s` (weeks), `3m` (months).
    pub fn parse(s: &str) -> Result<Offset, String> {
        let t = s.trim();
        let t = t.strip_prefix('+').unwrap_or(t);
        let bad = || format!("décalage invalide « {s} » : ex. 15j, 2s, 3m");
        let unit = t.chars().last().ok_or_else(bad)?;
        let n: u32 = t[..t.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
        match unit {
            'j' => Ok(Offset::Days(n)),
            's' => Ok(Offset::Weeks(n)),
            'm' => Ok(Offset::Months(n)),
            _ => Err(bad()),
        }
    }

    /// `today` moved forward; a month-end is clamped (31/01 + 1m = 28/02).
    pub fn after(self, today: NaiveDate) -> Option<NaiveDate> {
        match self {
            Offset::Days(n) => today.checked_add_days(Days::new(n.into())),
            Offset::Weeks(n) => today.checked_add_days(Days::new(u64::from(n) * 7)),
            Offset::Months(n) => today.checked_add_months(Months::new(n)),
        }
    }
}

/// How a suggested amount is computed from the dated values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountRule {
    /// Step hours × the default hourly rate of the période de reconversion in
    /// force at the step's start (or the day applied).
    PeriodeReconversionHourlyRate,
}

impl AmountRule {
    pub fn id(self) -> &'static str {
        match self {
            AmountRule::PeriodeReconversionHourlyRate => "forfait_horaire_periode_reconversion",
        }
    }

    fn from_id(id: &str) -> Option<AmountRule> {
        [AmountRule::PeriodeReconversionHourlyRate]
            .into_iter()
            .find(|r| r.id() == id)
    }

    /// The amount, or a French note saying why it could not be computed.
    pub fn compute(
        self,
        hours: Option<u32>,
        on: NaiveDate,
        reference: &Dispositifs,
    ) -> Result<Cents, String> {
        match self {
            AmountRule::PeriodeReconversionHourlyRate => {
                let h = hours.ok_or("forfait horaire non calculé : heures inconnues")?;
                let rate = reference
                    .cents_on(Parameter::PeriodeReconversionTauxHoraire, on)
                    .map_err(|e| format!("forfait horaire non calculé : {e}"))?;
                Ok(Cents(rate.0.saturating_mul(i64::from(h))))
            }
        }
    }
}

/// A suggested funding line (always created "envisagé").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateFunding {
    pub funder: Funder,
    pub amount: Cents,
    pub computed: Option<AmountRule>,
}

/// A step of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateStep {
    pub kind: StepKind,
    pub title: String,
    pub organisation: String,
    pub notes: String,
    pub start: Option<Offset>,
    pub end: Option<Offset>,
    pub due: Option<Offset>,
    pub hours: Option<u32>,
    pub cost: Cents,
    pub cost_computed: Option<AmountRule>,
    pub funding: Vec<TemplateFunding>,
}

/// A plan template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// Stable ASCII id, e.g. `periode_reconversion`.
    pub id: String,
    /// French name shown in the picker.
    pub name: String,
    pub description: String,
    pub steps: Vec<TemplateStep>,
}

/// The shipped templates, in picker order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Templates {
    pub list: Vec<Template>,
}

static BUILTIN: OnceLock<Result<Templates, TemplateError>> = OnceLock::new();

impl Templates {
    /// The shipped templates, parsed once.
    pub fn builtin() -> Result<&'static Templates, TemplateError> {
        parsed_once(&BUILTIN, || Templates::parse(TEMPLATES_TOML))
    }

    pub fn by_id(&self, id: &str) -> Option<&Template> {
        self.list.iter().find(|t| t.id == id)
    }

    pub fn parse(text: &str) -> Result<Templates, TemplateError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| TemplateError(e.to_string()))?;
        let mut list: Vec<Template> = Vec::new();
        for m in raw.modele {
            let err = |what: String| TemplateError(format!("modèle « {} » : {what}", m.id));
            if list.iter().any(|t| t.id == m.id) {
                return Err(err("identifiant en double".into()));
            }
            if m.etape.is_empty() {
                return Err(err("aucune étape".into()));
            }
            let mut steps = Vec::new();
            for (i, e) in m.etape.into_iter().enumerate() {
                steps.push(parse_step(e).map_err(|w| err(format!("étape {} : {w}", i + 1)))?);
            }
            list.push(Template {
                id: m.id,
                name: m.nom,
                description: m.description,
                steps,
            });
        }
        Ok(Templates { list })
    }
}

fn parse_step(e: RawStep) -> Result<TemplateStep, String> {
    let offset = |s: Option<String>| s.as_deref().map(Offset::parse).transpose();
    let euros = |s: Option<String>| {
        s.as_deref()
            .map(Cents::parse_euros)
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let rule = |s: Option<String>| {
        s.map(|id| AmountRule::from_id(&id).ok_or(format!("calcul inconnu « {id} »")))
            .transpose()
    };
    let kind = StepKind::from_id(&e.r#type).ok_or(format!("type inconnu « {} »", e.r#type))?;
    if e.titre.trim().is_empty() {
        return Err("titre vide".into());
    }
    let mut funding = Vec::new();
    for f in e.financement {
        funding.push(TemplateFunding {
            funder: Funder::from_id(&f.financeur)
                .ok_or(format!("financeur inconnu « {} »", f.financeur))?,
            amount: euros(f.montant)?,
            computed: rule(f.calcul)?,
        });
    }
    Ok(TemplateStep {
        kind,
        title: e.titre,
        organisation: e.organisme,
        notes: e.notes,
        start: offset(e.debut)?,
        end: offset(e.fin)?,
        due: offset(e.echeance)?,
        hours: e.heures,
        cost: euros(e.cout)?,
        cost_computed: rule(e.cout_calcul)?,
        funding,
    })
}

/// The steps of `template` dated from `today`, with fresh ids from `ids`.
/// Funding lines are "envisagé"; computed amounts use the dated values in
/// force at the step's start (or `today`): when none is in force the amount
/// is 0 and the step's notes say why.
pub fn apply_template(
    template: &Template,
    reference: &Dispositifs,
    today: NaiveDate,
    ids: &mut impl FnMut() -> Id,
) -> Vec<Step> {
    template
        .steps
        .iter()
        .map(|t| {
            let mut step = Step::new(ids(), t.kind, &t.title);
            step.organisation = t.organisation.clone();
            step.start = t.start.and_then(|o| o.after(today));
            step.end = t.end.and_then(|o| o.after(today));
            step.due = t.due.and_then(|o| o.after(today));
            step.hours = t.hours;
            let on = step.start.unwrap_or(today);
            let mut notes = vec![t.notes.clone()];
            let mut amount = |fixed: Cents, rule: Option<AmountRule>| match rule {
                None => fixed,
                Some(r) => r.compute(t.hours, on, reference).unwrap_or_else(|why| {
                    if !notes.contains(&why) {
                        notes.push(why);
                    }
                    Cents::ZERO
                }),
            };
            step.cost = amount(t.cost, t.cost_computed);
            step.funding = t
                .funding
                .iter()
                .map(|f| FundingLine::envisaged(f.funder, amount(f.amount, f.computed)))
                .collect();
            notes.retain(|n| !n.is_empty());
            step.notes = notes.join("\n");
            step
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    modele: Vec<RawTemplate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    id: String,
    nom: String,
    description: String,
    etape: Vec<RawStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    r#type: String,
    titre: String,
    #[serde(default)]
    organisme: String,
    #[serde(default)]
    notes: String,
    debut: Option<String>,
    fin: Option<String>,
    echeance: Option<String>,
    heures: Option<u32>,
    cout: Option<String>,
    cout_calcul: Option<String>,
    #[serde(default)]
    financement: Vec<RawFunding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFunding {
    financeur: String,
    montant: Option<String>,
    calcul: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::{FundingStatus, StepStatus};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn counter() -> impl FnMut() -> Id {
        let mut n = 0u8;
        move || {
            n += 1;
            Id([n; 16])
        }
    }

    fn apply(id: &str, today: NaiveDate) -> Vec<Step> {
        let t = Templates::builtin().unwrap().by_id(id).unwrap();
        apply_template(t, Dispositifs::builtin().unwrap(), today, &mut counter())
    }

    #[test]
    fn offsets_parse_and_move_forward() {
        let today = d(2026, 1, 31);
        assert_eq!(Offset::parse("0j").unwrap().after(today), Some(today));
        assert_eq!(
            Offset::parse("+15j").unwrap().after(today),
            Some(d(2026, 2, 15))
        );
        assert_eq!(
            Offset::parse("2s").unwrap().after(today),
            Some(d(2026, 2, 14))
        );
        // Month ends are clamped.
        assert_eq!(
            Offset::parse("1m").unwrap().after(today),
            Some(d(2026, 2, 28))
        );
        assert_eq!(Offset::parse(" 12m ").unwrap(), Offset::Months(12));
        for bad in ["", "m", "3", "3x", "-3j", "3 j", "1,5m"] {
            assert!(
                Offset::parse(bad)
                    .unwrap_err()
                    .contains("décalage invalide"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_five_templates_are_shipped() {
        let names: Vec<&str> = Templates::builtin()
            .unwrap()
            .list
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            names,
            vec![
                "Reconversion avec bilan et immersion",
                "VAE",
                "PTP",
                "Période de reconversion",
                "Démission-reconversion"
            ]
        );
    }

    #[test]
    fn bilan_and_immersion_template() {
        let today = d(2026, 3, 2);
        let s = apply("bilan_immersion", today);
        let kinds: Vec<StepKind> = s.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            vec![
                StepKind::Information,
                StepKind::BilanCompetences,
                StepKind::Immersion,
                StepKind::SeanceInformation,
                StepKind::Formation
            ]
        );
        let bilan = &s[1];
        assert_eq!(bilan.start, Some(d(2026, 4, 2)));
        assert_eq!(bilan.end, Some(d(2026, 6, 2)));
        assert_eq!(bilan.hours, Some(24));
        assert_eq!(
            bilan.funding,
            vec![FundingLine::envisaged(Funder::Cpf, Cents::ZERO)]
        );
        // The immersion lasts two weeks.
        let imm = &s[2];
        assert_eq!(imm.start, Some(d(2026, 6, 1)));
        assert_eq!(imm.end, Some(d(2026, 6, 15)));
        assert_eq!(imm.immersion, None);
        assert_eq!(s[3].due, Some(d(2026, 7, 2)));
        assert_eq!(s[4].funding.len(), 2);
        // Fresh ids, one per step; everything starts "à faire".
        let ids: Vec<Id> = s.iter().map(|s| s.id).collect();
        assert_eq!(ids, (1..=5).map(|n| Id([n; 16])).collect::<Vec<_>>());
        assert!(s
            .iter()
            .all(|s| s.status == StepStatus::AFaire && s.problems().is_empty()));
    }

    #[test]
    fn vae_template() {
        let s = apply("vae", d(2026, 3, 2));
        assert_eq!(s.len(), 4);
        assert!(s[..3].iter().all(|s| s.kind == StepKind::Vae));
        assert_eq!(s[3].kind, StepKind::Certification);
        assert_eq!(s[3].due, Some(d(2026, 12, 2)));
        assert!(s[1].notes.contains("par année civile"));
        assert_eq!(s[2].funding[0].funder, Funder::Cpf);
    }

    #[test]
    fn ptp_template() {
        let s = apply("ptp", d(2026, 3, 2));
        assert_eq!(s.len(), 4);
        assert_eq!(s[2].organisation, "Transitions Pro");
        assert!(s[1].notes.contains("120 jours"));
        let training = &s[3];
        assert_eq!(training.kind, StepKind::Formation);
        assert_eq!(training.start, Some(d(2026, 10, 2)));
        assert_eq!(training.end, Some(d(2027, 10, 2)));
        assert_eq!(
            training.funding,
            vec![FundingLine::envisaged(Funder::TransitionsPro, Cents::ZERO)]
        );
    }

    #[test]
    fn periode_de_reconversion_template_prices_hours_at_the_default_rate() {
        let s = apply("periode_reconversion", d(2026, 3, 2));
        assert_eq!(s.len(), 3);
        let training = &s[2];
        assert_eq!(training.kind, StepKind::PeriodeReconversion);
        assert_eq!(training.hours, Some(300));
        // 300 h × 9,15 € = 2 745,00 €, in force at the start (02/06/2026).
        assert_eq!(training.cost, Cents(274_500));
        assert_eq!(training.funding.len(), 1);
        let line = &training.funding[0];
        assert_eq!(line.funder, Funder::UniformationPeriodeReconversion);
        assert_eq!(line.amount, Cents(274_500));
        assert_eq!(line.status, FundingStatus::Envisage);
        assert_eq!(line.decided_on, None);
        assert!(training.notes.is_empty(), "{}", training.notes);
    }

    #[test]
    fn a_rate_not_in_force_gives_zero_and_says_why() {
        // Applied on 1 Sept 2025: the step starts on 1 Dec 2025, before the
        // période de reconversion exists.
        let s = apply("periode_reconversion", d(2025, 9, 1));
        let training = &s[2];
        assert_eq!(training.start, Some(d(2025, 12, 1)));
        assert_eq!(training.cost, Cents::ZERO);
        assert_eq!(training.funding[0].amount, Cents::ZERO);
        assert_eq!(
            training.notes,
            "forfait horaire non calculé : aucune valeur de « forfait horaire par défaut de la \
             période de reconversion » en vigueur le 01/12/2025 (première valeur le 01/02/2026)"
        );
        // Applied on 1 Nov 2025: the start (1 Feb 2026) is the first day in force.
        let s = apply("periode_reconversion", d(2025, 11, 1));
        assert_eq!(s[2].start, Some(d(2026, 2, 1)));
        assert_eq!(s[2].cost, Cents(274_500));
    }

    #[test]
    fn demission_reconversion_template() {
        let s = apply("demission_reconversion", d(2026, 3, 2));
        assert_eq!(s.len(), 5);
        assert_eq!(s[0].due, Some(d(2026, 3, 17)));
        assert!(s[0].notes.contains("Obligatoire avant la démission"));
        assert_eq!(s[2].title, "Démission");
        assert!(s[0].due < s[2].due, "the CEP comes before the resignation");
        let funders: Vec<Funder> = s[4].funding.iter().map(|f| f.funder).collect();
        assert_eq!(
            funders,
            vec![Funder::Cpf, Funder::FranceTravail, Funder::Region]
        );
    }

    #[test]
    fn broken_template_files_are_refused_in_french() {
        let good = TEMPLATES_TOML;
        let cases = [
            (
                good.replace("type = \"certification\"", "type = \"jury\""),
                "type inconnu « jury »",
            ),
            (
                good.replace("financeur = \"region\"", "financeur = \"departement\""),
                "financeur inconnu",
            ),
            (
                good.replace("echeance = \"9m\"", "echeance = \"9 mois\""),
                "décalage invalide",
            ),
            (
                good.replace(
                    "calcul = \"forfait_horaire_periode_reconversion\"",
                    "calcul = \"x\"",
                ),
                "calcul inconnu « x »",
            ),
            (
                good.replace("id = \"vae\"", "id = \"ptp\""),
                "identifiant en double",
            ),
            (
                good.replace("heures = 300", "heures = \"300\""),
                "invalid type",
            ),
        ];
        for (text, expected) in cases {
            assert_ne!(text, good, "{expected}");
            let e = Templates::parse(&text).unwrap_err().to_string();
            assert!(e.starts_with("modèles de parcours invalides"), "{e}");
            assert!(e.contains(expected), "{e}");
        }
    }
}
