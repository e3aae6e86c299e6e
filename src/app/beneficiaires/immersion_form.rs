//! The immersion forms: the convention's content (dates, weekly schedule
//! with its computed hours, target métier from the catalogue, objective,
//! host, tutor, prescriber, current employer, tasks, goals, assessment), and
//! the small forms to change its status, renew it, record its debrief and
//! register the file to an information session.
//!
//! Each field is checked as it is typed (SIRET with its Luhn key, dates,
//! the schedule with the hours it makes); the rule checks of the whole
//! immersion are shown beside the form by the Immersions tab (they need
//! the person's other records).

use super::file_form::{best_job, catalog_of, v_email, v_job, v_phone, v_siret};
use crate::app::form::{Ctx, Field, Form, Validation};
use crate::catalog::Catalog;
use crate::domain::branch::normalize_idcc;
use crate::domain::immersion::{
    Debrief, Host, ImmersionObjective, ImmersionStatus, OfferedContract, Prescriber,
    PrescriberKind, Realisation, Tutor,
};
use crate::domain::schedule::{fmt_hours, WeeklySchedule};
use crate::domain::time::{fmt_date, parse_date_input};
use crate::domain::{rules, Beneficiary, Employer, Immersion, TargetMetier};
use chrono::NaiveDate;
use std::sync::Arc;

/// First option of the optional choices.
const UNSET: &str = "—";
/// Example shown in the empty schedule field.
pub const SCHEDULE_PLACEHOLDER: &str = "lun-ven 9h-12h 13h30-17h";

fn text_of(s: Option<&str>) -> String {
    s.unwrap_or_default().to_string()
}

fn opt_text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn date_of(c: &Ctx, key: &str) -> Option<NaiveDate> {
    parse_date_input(&c.value(key), c.today).ok()
}

fn v_date(s: &str, c: &Ctx) -> Validation {
    rules::date(s, c.today).map(|_| None)
}

fn v_end(s: &str, c: &Ctx) -> Validation {
    let end = rules::date(s, c.today)?;
    match (date_of(c, "debut"), end) {
        (Some(start), Some(end)) if end < start => Err("avant la date de début".into()),
        (Some(start), Some(end)) => Ok(Some(format!(
            "{} jours calendaires",
            (end - start).num_days() + 1
        ))),
        _ => Ok(None),
    }
}

/// The schedule parses, and beside it: hours a week and over the period.
fn v_schedule(s: &str, c: &Ctx) -> Validation {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let w = WeeklySchedule::parse(s)?;
    let week = format!("{} par semaine", fmt_hours(w.weekly_minutes()));
    Ok(Some(match (date_of(c, "debut"), date_of(c, "fin")) {
        (Some(a), Some(b)) if a <= b => format!(
            "→ {week} · {} au total sur {} jours",
            fmt_hours(w.total_minutes(a, b)),
            w.presence_days(a, b).len()
        ),
        _ => format!("→ {week}"),
    }))
}

fn v_idcc(s: &str, _: &Ctx) -> Validation {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let idcc = normalize_idcc(s).ok_or("IDCC : 1 à 4 chiffres")?;
    Ok(Some(match super::branches().by_idcc(&idcc) {
        Some(b) => format!("→ branche {}", b.display),
        None => "→ hors des branches de la cohésion sociale".into(),
    }))
}

/// The options of the objective choice.
fn objectives() -> Vec<&'static str> {
    std::iter::once("— à choisir —")
        .chain(ImmersionObjective::ALL.iter().map(|o| o.label()))
        .collect()
}

fn prescribers() -> Vec<&'static str> {
    std::iter::once("— à trouver —")
        .chain(PrescriberKind::ALL.iter().map(|k| k.label()))
        .collect()
}

const YES_NO: [&str; 3] = [UNSET, "oui", "non"];

fn yes_no_index(b: Option<bool>) -> usize {
    match b {
        None => 0,
        Some(true) => 1,
        Some(false) => 2,
    }
}

fn yes_no(form: &Form, key: &str) -> Option<bool> {
    match form.selected(key) {
        1 => Some(true),
        2 => Some(false),
        _ => None,
    }
}

fn index_in<T: PartialEq + Copy>(all: &[T], v: Option<T>) -> usize {
    v.and_then(|v| all.iter().position(|x| *x == v))
        .map_or(0, |i| i + 1)
}

fn pick<T: Copy>(all: &[T], selected: usize) -> Option<T> {
    selected.checked_sub(1).and_then(|i| all.get(i).copied())
}

/// The immersion form: `imm` to edit, or a new one for `file` whose target
/// métier defaults to `default_target` (the plan's first target) and whose
/// employer is the file's.
pub fn build(
    file: &Beneficiary,
    imm: Option<&Immersion>,
    default_target: Option<&TargetMetier>,
    today: NaiveDate,
    catalog: Arc<Catalog>,
) -> Form {
    let title = match imm {
        Some(i) => format!(
            "Immersion de {} — {}",
            file.display_name(),
            i.status.label()
        ),
        None => format!("Nouvelle immersion — {}", file.display_name()),
    };
    let target = imm.map_or(default_target, |i| i.target.as_ref());
    let host = imm.map(|i| i.host.clone()).unwrap_or_default();
    let tutor = imm.map(|i| i.tutor.clone()).unwrap_or_default();
    let presc = imm.and_then(|i| i.prescriber.clone());
    let employer = imm.map_or_else(|| file.employer.clone(), |i| i.employer.clone());
    let p = |f: fn(&Prescriber) -> String| presc.as_ref().map(f).unwrap_or_default();
    let t = |f: fn(&Immersion) -> &String| imm.map(|i| f(i).clone()).unwrap_or_default();
    let fields = vec![
        Field::date(
            "debut",
            "Début",
            &imm.map(|i| fmt_date(i.start)).unwrap_or_default(),
        )
        .required()
        .validate_with(v_date)
        .section("Immersion"),
        Field::date(
            "fin",
            "Fin",
            &imm.map(|i| fmt_date(i.end)).unwrap_or_default(),
        )
        .required()
        .validate_with(v_end),
        Field::text("horaires", "Horaires", &t(|i| &i.schedule_text))
            .placeholder(SCHEDULE_PLACEHOLDER)
            .validate_with(v_schedule),
        Field::text(
            "metier",
            "Métier visé",
            &target.map(|t| t.label.clone()).unwrap_or_default(),
        )
        .validate_with(v_job),
        Field::choice(
            "objectif",
            "Objectif (un seul)",
            &objectives(),
            index_in(&ImmersionObjective::ALL, imm.and_then(|i| i.objective)),
        ),
        Field::text("accueil_nom", "Nom", &host.name).section("Structure d'accueil"),
        Field::text("accueil_siret", "SIRET", &text_of(host.siret.as_deref()))
            .validate_with(v_siret)
            .max_len(20),
        Field::text("accueil_adresse", "Adresse", &host.address),
        Field::text("accueil_idcc", "IDCC", &text_of(host.idcc.as_deref()))
            .validate_with(v_idcc)
            .max_len(4),
        Field::text("accueil_activite", "Activité principale", &host.activity),
        Field::text("tuteur_nom", "Nom", &tutor.name).section("Tuteur"),
        Field::text("tuteur_fonction", "Fonction", &tutor.role),
        Field::text("tuteur_tel", "Téléphone", &text_of(tutor.phone.as_deref()))
            .validate_with(v_phone),
        Field::text("tuteur_email", "E-mail", &text_of(tutor.email.as_deref()))
            .validate_with(v_email),
        Field::choice(
            "prescripteur",
            "Type",
            &prescribers(),
            index_in(&PrescriberKind::ALL, presc.as_ref().map(|p| p.kind)),
        )
        .section("Prescripteur (un opérateur CEP ne prescrit pas)"),
        Field::text("presc_nom", "Organisme", &p(|p| p.name.clone())),
        Field::text("presc_adresse", "Adresse", &p(|p| p.address.clone())),
        Field::text(
            "presc_conseiller",
            "Conseiller référent",
            &p(|p| p.adviser.clone()),
        ),
        Field::text(
            "presc_tel",
            "Téléphone",
            &p(|p| text_of(p.phone.as_deref())),
        )
        .validate_with(v_phone),
        Field::text("presc_email", "E-mail", &p(|p| text_of(p.email.as_deref())))
            .validate_with(v_email),
        Field::text("employeur", "Employeur actuel", &employer.name)
            .section("Employeur de la personne"),
        Field::text(
            "employeur_siret",
            "SIRET",
            &text_of(employer.siret.as_deref()),
        )
        .validate_with(v_siret)
        .max_len(20),
        Field::choice(
            "temps_travail",
            "Sur le temps de travail",
            &YES_NO,
            yes_no_index(imm.and_then(|i| i.on_working_time)),
        ),
        Field::area("taches", "Tâches confiées", &t(|i| &i.tasks)).section("Contenu"),
        Field::area("objectifs", "Objectifs précis", &t(|i| &i.goals)),
        Field::area(
            "evaluation",
            "Modalités d'évaluation",
            &t(|i| &i.assessment),
        ),
    ];
    Form::new(title, fields, today).with_catalog(catalog)
}

/// The target métier typed: the stored one (or the default) when its label
/// was kept, else the catalogue's best match.
fn target_of(
    form: &Form,
    stored: Option<&TargetMetier>,
    default: Option<&TargetMetier>,
) -> Result<Option<TargetMetier>, String> {
    let typed = form.value("metier");
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    if let Some(t) = stored.or(default).filter(|t| t.label == typed) {
        return Ok(Some(t.clone()));
    }
    let catalog = catalog_of(form.catalog.as_deref());
    catalog
        .and_then(|c| best_job(c, typed))
        .map(Some)
        .ok_or_else(|| "métier visé : aucun métier trouvé dans le catalogue".to_string())
}

/// Builds the immersion from a valid form over `base` (the stored one, or
/// a new draft): status, renewal and debrief are kept.
pub fn to_immersion(
    form: &Form,
    mut base: Immersion,
    default_target: Option<&TargetMetier>,
) -> Result<Immersion, String> {
    let v = |k: &str| form.value(k);
    let today = form.today;
    base.start = rules::date(&v("debut"), today)?.ok_or("date de début obligatoire")?;
    base.end = rules::date(&v("fin"), today)?.ok_or("date de fin obligatoire")?;
    let schedule = v("horaires");
    if schedule.trim().is_empty() {
        base.schedule_text.clear();
        base.schedule = WeeklySchedule::default();
    } else {
        base.set_schedule(&schedule)?;
    }
    base.target = target_of(form, base.target.as_ref(), default_target)?;
    base.objective = pick(&ImmersionObjective::ALL, form.selected("objectif"));
    let idcc = opt_text(&v("accueil_idcc"))
        .map(|s| normalize_idcc(&s).ok_or("IDCC : 1 à 4 chiffres"))
        .transpose()?;
    base.host = Host {
        name: v("accueil_nom").trim().to_string(),
        siret: rules::siret(&v("accueil_siret"))?,
        address: v("accueil_adresse").trim().to_string(),
        branch: idcc
            .as_deref()
            .and_then(|i| super::branches().by_idcc(i))
            .map(|b| b.short.clone()),
        idcc,
        activity: v("accueil_activite").trim().to_string(),
    };
    base.tutor = Tutor {
        name: v("tuteur_nom").trim().to_string(),
        role: v("tuteur_fonction").trim().to_string(),
        phone: rules::phone(&v("tuteur_tel"))?,
        email: rules::email(&v("tuteur_email"))?,
    };
    base.prescriber =
        pick(&PrescriberKind::ALL, form.selected("prescripteur")).map(|kind| Prescriber {
            kind,
            name: v("presc_nom").trim().to_string(),
            address: v("presc_adresse").trim().to_string(),
            adviser: v("presc_conseiller").trim().to_string(),
            phone: None,
            email: None,
        });
    if let Some(p) = base.prescriber.as_mut() {
        p.phone = rules::phone(&v("presc_tel"))?;
        p.email = rules::email(&v("presc_email"))?;
    }
    base.employer = Employer {
        name: v("employeur").trim().to_string(),
        siret: rules::siret(&v("employeur_siret"))?,
    };
    base.on_working_time = yes_no(form, "temps_travail");
    base.tasks = v("taches").trim_end().to_string();
    base.goals = v("objectifs").trim_end().to_string();
    base.assessment = v("evaluation").trim_end().to_string();
    Ok(base)
}

// ----- status ----------------------------------------------------------------------

fn v_reason(s: &str, c: &Ctx) -> Validation {
    let to = ImmersionStatus::ALL
        .into_iter()
        .find(|st| st.label() == c.value("statut"));
    if to.is_some_and(ImmersionStatus::needs_reason) && s.trim().is_empty() {
        return Err("motif obligatoire pour annuler ou refuser".into());
    }
    Ok(None)
}

/// The status form: the statuses reachable from the current one (the one
/// the dates call for first), and a reason (annulée, refusée).
pub fn build_status(imm: &Immersion, today: NaiveDate) -> Form {
    let next = imm.status.next();
    let labels: Vec<&str> = next.iter().map(|s| s.label()).collect();
    let due = imm
        .due_status(today)
        .and_then(|d| next.iter().position(|s| *s == d))
        .unwrap_or(0);
    Form::new(
        format!("Statut de l'immersion — {}", imm.summary()),
        vec![
            Field::choice("statut", "Nouveau statut", &labels, due),
            Field::text("motif", "Motif", &imm.status_reason).validate_with(v_reason),
        ],
        today,
    )
}

/// The status chosen and the reason typed.
pub fn chosen_status(form: &Form, imm: &Immersion) -> Option<(ImmersionStatus, String)> {
    let to = imm.status.next().get(form.selected("statut")).copied()?;
    Some((to, form.value("motif")))
}

// ----- renewal ---------------------------------------------------------------------

fn v_renewal_reason(s: &str, _: &Ctx) -> Validation {
    if s.trim().is_empty() {
        return Err("motif du renouvellement obligatoire".into());
    }
    Ok(None)
}

/// The renewal form: new dates (from the day after the end) and a reason.
pub fn build_renewal(imm: &Immersion, today: NaiveDate) -> Form {
    let start = imm.end.succ_opt().map(fmt_date).unwrap_or_default();
    Form::new(
        format!("Renouvellement — {}", imm.summary()),
        vec![
            Field::date("debut", "Début", &start)
                .required()
                .validate_with(v_date),
            Field::date("fin", "Fin", "")
                .required()
                .validate_with(v_end),
            Field::text("motif", "Motif du renouvellement", "")
                .required()
                .validate_with(v_renewal_reason),
        ],
        today,
    )
}

/// The dates and reason of a renewal form.
pub fn renewal_of(form: &Form) -> Result<(NaiveDate, NaiveDate, String), String> {
    let d = |k: &str| -> Result<NaiveDate, String> {
        rules::date(&form.value(k), form.today)?.ok_or_else(|| "date obligatoire".to_string())
    };
    Ok((d("debut")?, d("fin")?, form.value("motif")))
}

// ----- debrief ---------------------------------------------------------------------

fn realisations() -> Vec<&'static str> {
    std::iter::once("— à renseigner —")
        .chain(Realisation::ALL.iter().map(|r| r.label()))
        .collect()
}

fn contracts() -> Vec<&'static str> {
    std::iter::once("— aucun —")
        .chain(OfferedContract::ALL.iter().map(|c| c.label()))
        .collect()
}

fn v_debrief_date(s: &str, c: &Ctx) -> Validation {
    match rules::date(s, c.today)? {
        Some(d) if d > c.today => Err("date dans le futur".into()),
        _ => Ok(None),
    }
}

/// The debrief form (a debrief already recorded is shown for editing).
pub fn build_debrief(imm: &Immersion, today: NaiveDate) -> Form {
    let b = imm.debrief.clone().unwrap_or_default();
    Form::new(
        format!("Bilan de l'immersion — {}", imm.summary()),
        vec![
            Field::date("date", "Date du bilan", &fmt_date(b.on.unwrap_or(today)))
                .validate_with(v_debrief_date),
            Field::choice(
                "realisation",
                "Réalisation",
                &realisations(),
                index_in(&Realisation::ALL, b.realisation),
            ),
            Field::choice(
                "atteints",
                "Objectifs atteints",
                &YES_NO,
                yes_no_index(b.objectives_reached),
            ),
            Field::choice("embauche", "Embauche", &YES_NO, yes_no_index(b.hiring)),
            Field::choice(
                "contrat",
                "Contrat proposé",
                &contracts(),
                index_in(&OfferedContract::ALL, b.contract_offered),
            ),
            Field::area("commentaires", "Commentaires", &b.comments),
        ],
        today,
    )
}

/// The debrief of a valid form.
pub fn to_debrief(form: &Form) -> Result<Debrief, String> {
    Ok(Debrief {
        on: rules::date(&form.value("date"), form.today)?,
        realisation: pick(&Realisation::ALL, form.selected("realisation")),
        objectives_reached: yes_no(form, "atteints"),
        hiring: yes_no(form, "embauche"),
        contract_offered: pick(&OfferedContract::ALL, form.selected("contrat")),
        comments: form.value("commentaires").trim_end().to_string(),
    })
}

// ----- registration ----------------------------------------------------------------

/// The form to register a file to one of `options` (label of each
/// session, in order).
pub fn build_registration(who: &str, options: &[String], today: NaiveDate) -> Form {
    let labels: Vec<&str> = options.iter().map(String::as_str).collect();
    Form::new(
        format!("Inscription à une séance d'information — {who}"),
        vec![Field::choice("seance", "Séance", &labels, 0)],
        today,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::immersion::fixtures::{complete, d, SIRET_A};
    use crate::domain::{Id, Meta};

    fn person() -> Beneficiary {
        let mut b = Beneficiary::new(
            Id([7; 16]),
            "Dupont",
            "Léa",
            Meta::new(chrono::DateTime::from_timestamp(0, 0).unwrap(), "x"),
        );
        b.employer = Employer {
            name: "MJC Montplaisir".into(),
            siret: Some("12002701600357".into()),
        };
        b
    }

    fn today() -> NaiveDate {
        d(2026, 11, 28)
    }

    fn target() -> TargetMetier {
        TargetMetier {
            ogr: 4242,
            rome: "K1202".into(),
            label: "Éducateur / Éducatrice de jeunes enfants".into(),
        }
    }

    #[test]
    fn a_new_form_takes_the_plan_target_and_the_file_employer() {
        let f = build(
            &person(),
            None,
            Some(&target()),
            today(),
            crate::app::metiers::builtin_catalog(),
        );
        assert_eq!(
            f.value("metier"),
            "Éducateur / Éducatrice de jeunes enfants"
        );
        assert_eq!(f.value("employeur"), "MJC Montplaisir");
        assert_eq!(f.value("employeur_siret"), "12002701600357");
        assert_eq!(f.value("prescripteur"), "— à trouver —");
        assert!(!f.is_valid(), "dates are required");
    }

    #[test]
    fn fields_check_what_is_typed_and_show_the_hours() {
        let mut f = build(
            &person(),
            None,
            None,
            today(),
            crate::app::metiers::builtin_catalog(),
        );
        f.set("debut", "07/12/2026");
        f.set("fin", "18/12/2026");
        f.set("horaires", "lun-ven 9h-12h 13h30-17h");
        assert_eq!(
            f.field("horaires").unwrap().hint.as_deref(),
            Some("→ 32 h 30 par semaine · 65 h au total sur 10 jours")
        );
        assert_eq!(
            f.field("fin").unwrap().hint.as_deref(),
            Some("→ vendredi 18 décembre 2026 · 12 jours calendaires")
        );
        f.set("horaires", "lun-ven 9h-25h");
        assert!(f.field("horaires").unwrap().error.is_some());
        f.set("fin", "01/12/2026");
        assert_eq!(
            f.field("fin").unwrap().error.as_deref(),
            Some("avant la date de début")
        );
        // The SIRET's Luhn key: one digit off is refused.
        f.set("accueil_siret", SIRET_A);
        assert!(f.field("accueil_siret").unwrap().error.is_none());
        f.set("accueil_siret", "12002701600358");
        assert!(f
            .field("accueil_siret")
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("clé de contrôle"));
        f.set("accueil_idcc", "1261");
        assert_eq!(
            f.field("accueil_idcc").unwrap().hint.as_deref(),
            Some("→ branche ALISFA")
        );
        f.set("accueil_idcc", "12a");
        assert!(f.field("accueil_idcc").unwrap().error.is_some());
    }

    #[test]
    fn editing_round_trips_the_content_and_keeps_the_rest() {
        let mut imm = complete(1, d(2026, 12, 7), d(2026, 12, 18));
        imm.status = ImmersionStatus::Signee;
        let f = build(
            &person(),
            Some(&imm),
            None,
            today(),
            crate::app::metiers::builtin_catalog(),
        );
        assert!(f.is_valid(), "{:?}", f.first_error().map(|i| &f.fields[i]));
        let back = to_immersion(&f, imm.clone(), None).unwrap();
        assert_eq!(back.host.branch.as_deref(), Some("ALISFA"));
        assert_eq!(back, imm, "nothing typed, nothing changed");
        // A prescriber type chosen « à trouver » removes it.
        let mut f2 = f.clone();
        f2.set("prescripteur", "— à trouver —");
        assert_eq!(
            to_immersion(&f2, imm.clone(), None).unwrap().prescriber,
            None
        );
    }

    #[test]
    fn status_renewal_and_debrief_forms() {
        let mut imm = complete(1, d(2026, 11, 23), d(2026, 11, 27));
        imm.status = ImmersionStatus::Signee;
        let mut f = build_status(&imm, today());
        // The dates call for « en cours »: proposed first.
        assert_eq!(f.value("statut"), "en cours");
        f.set("statut", "annulée");
        assert!(f.field("motif").unwrap().error.is_some());
        f.set("motif", "structure fermée");
        assert_eq!(
            chosen_status(&f, &imm),
            Some((ImmersionStatus::Annulee, "structure fermée".to_string()))
        );
        let r = build_renewal(&imm, today());
        assert_eq!(r.value("debut"), "28/11/2026");
        assert!(!r.is_valid(), "end and reason are required");
        let mut b = build_debrief(&imm, today());
        b.set("realisation", "réalisée partiellement");
        b.set("atteints", "non");
        b.set("contrat", "CDD de reconversion");
        let debrief = to_debrief(&b).unwrap();
        assert_eq!(debrief.on, Some(today()));
        assert_eq!(debrief.realisation, Some(Realisation::Partielle));
        assert_eq!(debrief.objectives_reached, Some(false));
        assert_eq!(debrief.hiring, None);
        assert_eq!(
            debrief.contract_offered,
            Some(OfferedContract::CddReconversion)
        );
    }
}
