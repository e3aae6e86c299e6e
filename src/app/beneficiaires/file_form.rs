//! The create / edit form of a beneficiary's file: fields, validators
//! (wrapping `domain::rules`) and the conversion to a `Beneficiary`.

use crate::app::form::{Ctx, Field, Form, Validation, MAX_DATE};
use crate::catalog::fold::fold;
use crate::catalog::Catalog;
use crate::domain::rules;
use crate::domain::time::fmt_date;
use crate::domain::{
    Beneficiary, Birth, Branch, Branches, ConsentRecord, ContractType, Request, Status,
    TargetMetier,
};
use chrono::NaiveDate;
use std::sync::{Arc, Mutex, OnceLock};

/// Version of the information notice proposed by default.
pub const NOTICE_VERSION: &str = "v1-2026";

/// Length limits of the file's fields, in characters.
/// Typing and pasting stop where the name rule would refuse.
const MAX_NAME: usize = crate::domain::rules::NAME_MAX;
const MAX_EMAIL: usize = 254;
const MAX_SHORT: usize = 120;
const MAX_CODE: usize = 30;
const MAX_NOTE: usize = 2_000;

/// The 18 French regions, for the region choice.
pub const REGIONS: [&str; 18] = [
    "Auvergne-Rhône-Alpes",
    "Bourgogne-Franche-Comté",
    "Bretagne",
    "Centre-Val de Loire",
    "Corse",
    "Grand Est",
    "Guadeloupe",
    "Guyane",
    "Hauts-de-France",
    "Île-de-France",
    "La Réunion",
    "Martinique",
    "Mayotte",
    "Normandie",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur",
];

const NONE: &str = "—";

/// The branches of the shipped catalogue (empty if it cannot be read,
/// never a panic).
pub fn branches() -> &'static Branches {
    static EMPTY: OnceLock<Branches> = OnceLock::new();
    match Catalog::builtin_shared() {
        Ok(c) => c.branches(),
        Err(e) => {
            tracing::error!("catalogue illisible : {e}");
            EMPTY.get_or_init(Branches::default)
        }
    }
}

/// The best match, in `catalog` (the one in force), for what was typed in
/// the current-job field. The last answer is cached (validators run on
/// every key), keyed by the catalogue too: an imported referential is
/// searched as soon as it is in force.
pub fn best_job(catalog: &Catalog, query: &str) -> Option<TargetMetier> {
    type Cached = (usize, String, usize, String, Option<TargetMetier>);
    static LAST: Mutex<Option<Cached>> = Mutex::new(None);
    let q = query.trim();
    if q.is_empty() {
        return None;
    }
    let who = (
        catalog as *const Catalog as usize,
        catalog.version(),
        catalog.len(),
    );
    let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((ptr, version, len, k, v)) = last.as_ref() {
        if (*ptr, version.as_str(), *len) == who && k == q {
            return v.clone();
        }
    }
    let found = catalog
        .search(q, None, 1)
        .first()
        .and_then(|h| catalog.target(h.idx));
    *last = Some((
        who.0,
        who.1.to_string(),
        who.2,
        q.to_string(),
        found.clone(),
    ));
    found
}

/// The catalogue a form checks against: the one in force, given when the
/// form was built (the shipped one otherwise).
pub(crate) fn catalog_of(c: Option<&Catalog>) -> Option<&Catalog> {
    c.or_else(|| Catalog::builtin_shared().ok())
}

/// A branch typed by short name, display name (accents optional), IDCC, or a
/// word of its full name when that word designates one branch only.
pub fn resolve_branch(key: &str) -> Option<&'static Branch> {
    let all = branches();
    let k = key.trim();
    if k.is_empty() {
        return None;
    }
    if let Some(b) = all.resolve(k) {
        return Some(b);
    }
    let fk = fold(k);
    if let Some(b) = all
        .list
        .iter()
        .find(|b| fold(&b.short) == fk || fold(&b.display) == fk)
    {
        return Some(b);
    }
    if fk.chars().count() < 4 {
        return None;
    }
    let mut hits = all.list.iter().filter(|b| fold(&b.name).contains(&fk));
    match (hits.next(), hits.next()) {
        (Some(b), None) => Some(b),
        _ => None,
    }
}

fn ok<T>(r: rules::Check<T>) -> Validation {
    r.map(|_| None)
}

fn v_last(s: &str, _: &Ctx) -> Validation {
    ok(rules::name(s, "Nom"))
}
fn v_first(s: &str, _: &Ctx) -> Validation {
    ok(rules::name(s, "Prénom"))
}
fn v_birth(s: &str, c: &Ctx) -> Validation {
    ok(rules::birth(s, c.today))
}
pub(crate) fn v_email(s: &str, _: &Ctx) -> Validation {
    ok(rules::email(s))
}
pub(crate) fn v_phone(s: &str, _: &Ctx) -> Validation {
    ok(rules::phone(s))
}
fn v_postcode(s: &str, _: &Ctx) -> Validation {
    ok(rules::postcode(s))
}
fn v_branch(s: &str, _: &Ctx) -> Validation {
    if s.trim().is_empty() {
        return Ok(None);
    }
    match resolve_branch(s) {
        Some(b) if b.idcc.is_empty() => Ok(Some(format!("→ {}", b.display))),
        Some(b) => Ok(Some(format!("→ {} (IDCC {})", b.display, b.idcc))),
        None => Err("branche inconnue : nom court (ex. ÉCLAT) ou IDCC (ex. 1518)".into()),
    }
}
pub(crate) fn v_siret(s: &str, _: &Ctx) -> Validation {
    ok(rules::siret(s))
}
fn v_months(s: &str, _: &Ctx) -> Validation {
    ok(rules::months(s))
}
fn v_total_months(s: &str, c: &Ctx) -> Validation {
    let total = rules::months(s)?;
    let company = rules::months(&c.value("anc_entreprise")).ok().flatten();
    match (total, company) {
        (Some(t), Some(e)) if t < e => Err("inférieure à l'ancienneté dans l'entreprise".into()),
        _ => Ok(None),
    }
}
fn v_level(s: &str, _: &Ctx) -> Validation {
    ok(rules::qualification_level(s))
}
pub(crate) fn v_job(s: &str, c: &Ctx) -> Validation {
    if s.trim().is_empty() {
        return Ok(None);
    }
    match catalog_of(c.catalog).and_then(|cat| best_job(cat, s)) {
        Some(j) => Ok(Some(format!("→ {} ({})", j.label, j.rome))),
        None => Err("aucun métier trouvé dans le catalogue : précisez".into()),
    }
}
fn v_cpf(s: &str, _: &Ctx) -> Validation {
    match rules::cpf_balance(s)? {
        Some(c) => Ok(Some(format!("= {c}"))),
        None => Ok(None),
    }
}
fn v_follow_up(s: &str, c: &Ctx) -> Validation {
    match rules::date(s, c.today)? {
        Some(d) if d < c.today => Ok(Some("date passée".into())),
        _ => Ok(None),
    }
}
fn v_reason(s: &str, c: &Ctx) -> Validation {
    if c.value("statut") == "clos" && s.trim().is_empty() {
        return Err("motif obligatoire pour clore le dossier".into());
    }
    Ok(None)
}
fn v_past_date(s: &str, c: &Ctx) -> Validation {
    match rules::date(s, c.today)? {
        Some(d) if d > c.today => Err("date dans le futur".into()),
        _ => Ok(None),
    }
}
fn v_notice_version(s: &str, c: &Ctx) -> Validation {
    let given = c.value("notice") == "remise" || !c.value("notice_date").trim().is_empty();
    if given && s.trim().is_empty() {
        return Err("version de la notice obligatoire".into());
    }
    Ok(None)
}
fn consent_date(s: &str, c: &Ctx, choice: &str, yes: &str, what: &str) -> Validation {
    if c.value(choice) == yes && s.trim().is_empty() {
        return Err(format!("date {what} obligatoire"));
    }
    v_past_date(s, c)
}
fn v_notice_date(s: &str, c: &Ctx) -> Validation {
    consent_date(s, c, "notice", "remise", "de remise")
}
fn v_share_date(s: &str, c: &Ctx) -> Validation {
    consent_date(s, c, "partage", "oui", "de l'accord")
}
fn v_survey_date(s: &str, c: &Ctx) -> Validation {
    consent_date(s, c, "enquete", "oui", "de l'accord")
}

/// The consent choices and their date fields: « oui » with an empty date
/// takes today's date (one key records that the notice was given today).
const CONSENTS: [(&str, &str, &str); 3] = [
    ("notice", "notice_date", "remise"),
    ("partage", "partage_date", "oui"),
    ("enquete", "enquete_date", "oui"),
];

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(fmt_date).unwrap_or_default()
}

fn opt_str(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

fn index_of<T: PartialEq + Copy>(all: &[T], v: Option<T>) -> usize {
    v.and_then(|v| all.iter().position(|x| *x == v))
        .map(|i| i + 1)
        .unwrap_or(0)
}

/// What the current-job field shows for a stored job.
pub fn job_text(j: &TargetMetier) -> String {
    j.label.clone()
}

/// The form, filled from `b` (edit) or empty (new file), checked against
/// `catalog` (the one in force).
pub fn build(b: Option<&Beneficiary>, today: NaiveDate, catalog: Arc<Catalog>) -> Form {
    let empty;
    let b = match b {
        Some(b) => b,
        None => {
            empty = Beneficiary::new(
                crate::domain::Id([0; 16]),
                "",
                "",
                crate::domain::Meta::new(chrono::DateTime::UNIX_EPOCH, ""),
            );
            &empty
        }
    };
    let title = if b.last_name.is_empty() {
        "Nouveau dossier".to_string()
    } else {
        format!("Dossier {}", b.display_name())
    };
    let mut regions = vec![NONE];
    regions.extend(REGIONS);
    let region = b
        .region
        .as_deref()
        .and_then(|r| REGIONS.iter().position(|x| *x == r))
        .map(|i| i + 1)
        .unwrap_or(0);
    let mut contracts = vec![NONE];
    contracts.extend(ContractType::ALL.iter().map(|c| c.label()));
    let mut requests = vec![NONE];
    requests.extend(Request::ALL.iter().map(|r| r.label()));
    let branch = b
        .branch
        .as_deref()
        .map(|s| {
            branches()
                .by_short(s)
                .map(|x| x.display.clone())
                .unwrap_or(s.to_string())
        })
        .unwrap_or_default();
    let birth = match b.birth {
        Some(Birth::Year(y)) => y.to_string(),
        Some(Birth::Date(d)) => fmt_date(d),
        None => String::new(),
    };
    let (closed, reason) = match &b.status {
        Status::Open => (0, String::new()),
        Status::Closed { reason, .. } => (1, reason.clone()),
    };
    let c = &b.consent;
    let notice_version = c
        .processing
        .as_ref()
        .map(|r| r.notice_version.clone())
        .unwrap_or_else(|| NOTICE_VERSION.to_string());
    let yes_no = ["non", "oui"];
    let fields = vec![
        Field::text("nom", "Nom", &b.last_name)
            .required()
            .validate_with(v_last)
            .max_len(MAX_NAME)
            .section("Identité"),
        Field::text("prenom", "Prénom", &b.first_name)
            .required()
            .validate_with(v_first)
            .max_len(MAX_NAME),
        Field::text("naissance", "Naissance", &birth)
            .validate_with(v_birth)
            .max_len(MAX_DATE)
            .placeholder("aaaa ou jj/mm/aaaa"),
        Field::text("email", "E-mail", opt_str(&b.email))
            .validate_with(v_email)
            .max_len(MAX_EMAIL)
            .section("Coordonnées"),
        Field::text("telephone", "Téléphone", opt_str(&b.phone))
            .validate_with(v_phone)
            .max_len(MAX_CODE),
        Field::text("code_postal", "Code postal", opt_str(&b.postcode))
            .validate_with(v_postcode)
            .max_len(MAX_CODE),
        Field::text("commune", "Commune", opt_str(&b.commune)).max_len(MAX_SHORT),
        Field::choice("region", "Région", &regions, region),
        Field::text("branche", "Branche", &branch)
            .validate_with(v_branch)
            .max_len(MAX_NAME)
            .section("Emploi")
            .placeholder("nom ou IDCC"),
        Field::text("employeur", "Employeur", &b.employer.name).max_len(MAX_SHORT),
        Field::text("siret", "SIRET", b.employer.siret.as_deref().unwrap_or(""))
            .validate_with(v_siret)
            .max_len(MAX_CODE)
            .placeholder("facultatif, 14 chiffres"),
        Field::choice(
            "contrat",
            "Contrat",
            &contracts,
            index_of(&ContractType::ALL, b.contract),
        ),
        Field::text("temps", "Temps de travail", opt_str(&b.working_time))
            .max_len(MAX_SHORT)
            .placeholder("temps plein, 80 %…"),
        Field::text(
            "anc_entreprise",
            "Ancienneté entreprise",
            &b.seniority_company_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
        )
        .validate_with(v_months)
        .max_len(MAX_CODE)
        .placeholder("en mois"),
        Field::text(
            "anc_totale",
            "Ancienneté totale",
            &b.seniority_total_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
        )
        .validate_with(v_total_months)
        .max_len(MAX_CODE)
        .placeholder("en mois"),
        Field::text(
            "niveau",
            "Niveau de qualification",
            &b.qualification_level
                .map(|n| n.to_string())
                .unwrap_or_default(),
        )
        .validate_with(v_level)
        .max_len(MAX_CODE)
        .placeholder("3 à 8, ou aucun"),
        Field::text(
            "metier",
            "Métier actuel",
            &b.current_job.as_ref().map(job_text).unwrap_or_default(),
        )
        .validate_with(v_job)
        .max_len(MAX_SHORT)
        .placeholder("intitulé ou code ROME"),
        Field::text(
            "cpf",
            "Solde CPF (€)",
            &b.cpf_balance
                .map(|c| c.to_string().trim_end_matches(" €").to_string())
                .unwrap_or_default(),
        )
        .validate_with(v_cpf)
        .max_len(MAX_CODE),
        Field::choice(
            "demande",
            "Demande",
            &requests,
            index_of(&Request::ALL, b.request),
        )
        .section("Demande et suivi"),
        Field::area("contraintes", "Contraintes", &b.constraints)
            .max_len(MAX_NOTE)
            .placeholder("mobilité, horaires…"),
        Field::date(
            "prochain_suivi",
            "Prochain suivi",
            &opt_date(b.next_follow_up),
        )
        .validate_with(v_follow_up),
        Field::choice("statut", "Statut", &["ouvert", "clos"], closed),
        Field::text("motif", "Motif de clôture", &reason)
            .validate_with(v_reason)
            .max_len(MAX_SHORT),
        Field::choice(
            "notice",
            "Notice d'information",
            &["non remise", "remise"],
            usize::from(c.processing.is_some()),
        )
        .section("Consentement (RGPD)"),
        Field::date(
            "notice_date",
            "  remise le",
            &opt_date(c.processing.as_ref().map(|r| r.date)),
        )
        .validate_with(v_notice_date),
        Field::text("notice_version", "Version de la notice", &notice_version)
            .validate_with(v_notice_version)
            .max_len(MAX_CODE),
        Field::choice(
            "partage",
            "Partage employeur/OPCO",
            &yes_no,
            usize::from(c.share_employer_opco.is_some()),
        ),
        Field::date(
            "partage_date",
            "  accord du",
            &opt_date(c.share_employer_opco.as_ref().map(|r| r.date)),
        )
        .validate_with(v_share_date),
        Field::choice(
            "enquete",
            "Enquête à 6 mois",
            &yes_no,
            usize::from(c.survey_6_months.is_some()),
        ),
        Field::date(
            "enquete_date",
            "  accord du",
            &opt_date(c.survey_6_months.as_ref().map(|r| r.date)),
        )
        .validate_with(v_survey_date),
    ];
    Form::new(title, fields, today).with_catalog(catalog)
}

/// After each edit: a consent switched to « oui » gets today's date when
/// its date is empty (so « notice given today » is one key: Espace on the
/// notice choice); switched back, its date is emptied; a date typed while
/// the choice says no switches it to « oui ».
pub fn after_change(form: &mut Form) {
    let today = fmt_date(form.today);
    let edited = form.focused().map(|f| f.key);
    for (choice, date, yes_label) in CONSENTS {
        let yes = form.selected(choice) == 1;
        let has_date = !form.value(date).trim().is_empty();
        if edited == Some(choice) {
            if yes && !has_date {
                form.set(date, &today);
            } else if !yes && has_date {
                form.set(date, "");
            }
        } else if edited == Some(date) && !yes && has_date {
            form.set(choice, yes_label);
        }
    }
}

/// Builds the file from a valid form over `base` (the stored file, or a
/// new one): fields the form does not show (targets, CEP level, last
/// contact, meta) are kept.
pub fn to_beneficiary(form: &Form, mut b: Beneficiary) -> Result<Beneficiary, String> {
    let v = |k: &str| form.value(k);
    let today = form.today;
    b.last_name = rules::name(&v("nom"), "Nom")?;
    b.first_name = rules::name(&v("prenom"), "Prénom")?;
    b.birth = rules::birth(&v("naissance"), today)?;
    b.email = rules::email(&v("email"))?;
    b.phone = rules::phone(&v("telephone"))?;
    b.postcode = rules::postcode(&v("code_postal"))?;
    let commune = v("commune").trim().to_string();
    b.commune = (!commune.is_empty()).then_some(commune);
    let region = form.selected("region");
    b.region = region
        .checked_sub(1)
        .and_then(|i| REGIONS.get(i))
        .map(|s| s.to_string());
    let branch = v("branche");
    b.branch = if branch.trim().is_empty() {
        None
    } else {
        Some(
            resolve_branch(&branch)
                .ok_or("branche inconnue")?
                .short
                .clone(),
        )
    };
    b.employer.name = v("employeur").trim().to_string();
    b.employer.siret = rules::siret(&v("siret"))?;
    b.contract = form
        .selected("contrat")
        .checked_sub(1)
        .and_then(|i| ContractType::ALL.get(i).copied());
    let wt = v("temps").trim().to_string();
    b.working_time = (!wt.is_empty()).then_some(wt);
    b.seniority_company_months = rules::months(&v("anc_entreprise"))?;
    b.seniority_total_months = rules::months(&v("anc_totale"))?;
    b.qualification_level = rules::qualification_level(&v("niveau"))?;
    // Keep the stored job (and its OGR code) when the text did not change;
    // otherwise the best catalogue match of what was typed.
    let job_typed = v("metier");
    let unchanged = b
        .current_job
        .as_ref()
        .is_some_and(|old| job_text(old) == job_typed.trim());
    if !unchanged {
        b.current_job = if job_typed.trim().is_empty() {
            None
        } else {
            let catalog = catalog_of(form.catalog.as_deref());
            Some(
                catalog
                    .and_then(|c| best_job(c, &job_typed))
                    .ok_or("métier actuel : aucun métier trouvé")?,
            )
        };
    }
    b.cpf_balance = rules::cpf_balance(&v("cpf"))?;
    b.request = form
        .selected("demande")
        .checked_sub(1)
        .and_then(|i| Request::ALL.get(i).copied());
    b.constraints = v("contraintes").trim_end().to_string();
    b.next_follow_up = rules::date(&v("prochain_suivi"), today)?;
    b.status = if v("statut") == "clos" {
        let on = match &b.status {
            Status::Closed { on, .. } => *on,
            Status::Open => today,
        };
        Status::Closed {
            on,
            reason: v("motif").trim().to_string(),
        }
    } else {
        Status::Open
    };
    let version = v("notice_version").trim().to_string();
    let record = |d: Option<NaiveDate>| {
        d.map(|date| ConsentRecord {
            date,
            notice_version: version.clone(),
        })
    };
    let consent = |choice: &str, date: &str| -> Result<Option<ConsentRecord>, String> {
        Ok(if form.selected(choice) == 1 {
            record(rules::date(&v(date), today)?.or(Some(today)))
        } else {
            None
        })
    };
    b.consent.processing = consent("notice", "notice_date")?;
    b.consent.share_employer_opco = consent("partage", "partage_date")?;
    b.consent.survey_6_months = consent("enquete", "enquete_date")?;
    Ok(b)
}
