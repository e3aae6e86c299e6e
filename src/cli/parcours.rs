//! `passerelle parcours voir ID [--json]` and `passerelle parcours
//! eligibilite ID [--date AAAA-MM-JJ] [--json]`: the plan of a file and its
//! eligibility hints, for scripts. Read-only: the store is never created.
//!
//! JSON amounts are integer cents (`"cout": 645000` is 6 450,00 €), dates
//! `AAAA-MM-JJ`, enumerations their ASCII ids (`formation`, `en_cours`,
//! `cpf`, `accorde`).

use super::beneficiaires::resolve_id;
use super::{out, Failure, Setup};
use crate::domain::rules::eligibility::{hints, EligibilityInput, Hint};
use crate::domain::time::fmt_date;
use crate::domain::{Beneficiary, Dispositifs, Id, Meta, Plan};
use crate::store::Store;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::{json, Value};

#[derive(Debug, Subcommand)]
pub enum ParcoursCmd {
    /// Affiche le parcours d'un dossier : cibles, étapes, financements, totaux, CPF
    Voir(VoirArgs),
    /// Indications d'éligibilité aux dispositifs (PTP, démission-reconversion…)
    #[command(
        long_about = "Indications d'éligibilité aux dispositifs, une par dispositif : \
        cep, bilan_competences, vae, cpf, ptp, demission_reconversion, periode_reconversion, \
        pro_a, transitions_collectives. Chacune dit « éligible », « à vérifier » ou « non \
        éligible », pourquoi, la règle et la date dont elle s'applique, et ce qui manque pour \
        décider. Ce sont des indications : elles ne bloquent rien.\n\n\
        JSON (--json) : [{\"dispositif\": \"ptp\", \"verdict\": \"eligible\" | \"a_verifier\" | \
        \"non_eligible\", \"raisons\": [\"…\"], \"regle\": \"…\", \"depuis\": \"AAAA-MM-JJ\", \
        \"manquant\": [\"…\"]}]"
    )]
    Eligibilite(EligibiliteArgs),
}

#[derive(Debug, Args)]
pub struct VoirArgs {
    /// Identifiant du dossier (complet, ou les 8 caractères affichés par « beneficiaires liste »)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Sortie JSON (montants en centimes)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EligibiliteArgs {
    /// Identifiant du dossier (complet, ou les 8 caractères affichés par « beneficiaires liste »)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Date d'évaluation (par défaut aujourd'hui)
    #[arg(long, value_name = "AAAA-MM-JJ", value_parser = parse_iso_date)]
    pub date: Option<NaiveDate>,
    /// Sortie JSON
    #[arg(long)]
    pub json: bool,
}

fn parse_iso_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("date invalide « {s} » : attendu AAAA-MM-JJ, ex. 2026-02-01"))
}

pub fn run(cmd: ParcoursCmd, setup: &Setup) -> Result<(), Failure> {
    match cmd {
        ParcoursCmd::Voir(a) => voir(a, setup),
        ParcoursCmd::Eligibilite(a) => eligibilite(a, setup),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn reference() -> Result<&'static Dispositifs, Failure> {
    Dispositifs::builtin().map_err(|e| Failure::runtime(e.to_string()))
}

fn iso(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| d.format("%Y-%m-%d").to_string().into())
}

/// The plan as `parcours voir --json` writes it.
pub fn plan_json(b: &Beneficiary, plan: &Plan, reference: &Dispositifs, today: NaiveDate) -> Value {
    let summary = plan.summary(b.cpf_balance, reference, today);
    let rank = |id: Id| plan.step_position(id).map(|i| i + 1);
    let cpf = &summary.cpf;
    json!({
        "id": plan.id.to_string(),
        "commence_le": iso(Some(plan.started_on)),
        "cibles": plan.targets.iter().enumerate().map(|(i, t)| json!({
            "rang": i + 1,
            "code_rome": t.rome,
            "code_ogr": (!crate::catalog::is_synthetic_ogr(t.ogr)).then_some(t.ogr),
            "libelle": t.label,
            "note": t.note,
        })).collect::<Vec<_>>(),
        "etapes": plan.steps.iter().enumerate().map(|(i, s)| json!({
            "rang": i + 1,
            "id": s.id.to_string(),
            "type": s.kind.id(),
            "intitule": s.title,
            "organisme": s.organisation,
            "debut": iso(s.start),
            "fin": iso(s.end),
            "echeance": iso(s.due),
            "heures": s.hours,
            "cout": s.cost.0,
            "statut": s.status.id(),
            "notes": s.notes,
            "financements": s.funding.iter().map(|l| json!({
                "financeur": l.funder.id(),
                "montant": l.amount.0,
                "statut": l.status.id(),
                "decision_le": iso(l.decided_on),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "totaux": summary.totals,
        "cpf": {
            "solde": cpf.balance.map(|c| c.0),
            "engage": cpf.committed.0,
            "accorde": cpf.granted.0,
            "manque": cpf.shortfall.map(|c| c.0),
            "solde_restant": cpf.balance_left.map(|c| c.0),
            "participation_totale": cpf.participation_total.0,
            "lignes": cpf.lines.iter().map(|l| json!({
                "etape": rank(l.step),
                "ligne": l.index + 1,
                "montant": l.amount.0,
                "statut": l.status.id(),
                "date": iso(Some(l.date)),
                "base_date": l.date_basis.id(),
                "participation": {
                    "montant": l.participation.amount.0,
                    "exoneration": l.participation.exemption.map(|e| e.id()),
                    "depuis": iso(l.participation.since),
                    "raison": l.participation.reason,
                },
            })).collect::<Vec<_>>(),
        },
    })
}

/// The plan as text (every string from the store escaped).
fn plan_text(b: &Beneficiary, plan: Option<&Plan>, reference: &Dispositifs) -> String {
    let e = out::escape;
    let mut s = format!("Parcours de {} ({})", e(&b.display_name()), b.id.short());
    let Some(p) = plan else {
        s.push_str(" : aucun parcours pour l'instant.\n");
        return s;
    };
    s.push_str(&format!(" — commencé le {}\n", fmt_date(p.started_on)));
    s.push_str("Métiers cibles :\n");
    if p.targets.is_empty() {
        s.push_str("  aucun\n");
    }
    for (i, t) in p.targets.iter().enumerate() {
        let note = if t.note.is_empty() {
            String::new()
        } else {
            format!(" — {}", e(&t.note.replace('\n', " ")))
        };
        s.push_str(&format!(
            "  {}. {} ({}){note}\n",
            i + 1,
            e(&t.label),
            e(&t.rome)
        ));
    }
    s.push_str("Étapes :\n");
    if p.steps.is_empty() {
        s.push_str("  aucune\n");
    }
    for (i, st) in p.steps.iter().enumerate() {
        let hours = st.hours.map(|h| format!(", {h} h")).unwrap_or_default();
        s.push_str(&format!(
            "  {}. {} {} [{}] — {}{hours} — {} — coût {}\n",
            i + 1,
            st.status.symbol(),
            e(&st.title),
            st.kind.label(),
            crate::transfer::synthese::step_dates(st),
            st.status.label(),
            st.cost
        ));
        if !st.organisation.is_empty() {
            s.push_str(&format!("       organisme : {}\n", e(&st.organisation)));
        }
        for l in &st.funding {
            let decided = l
                .decided_on
                .map(|d| format!(" le {}", fmt_date(d)))
                .unwrap_or_default();
            s.push_str(&format!(
                "       {} : {} {}{decided}\n",
                l.funder.label(),
                l.amount,
                l.status.label()
            ));
        }
    }
    let summary = p.summary(b.cpf_balance, reference, today());
    let t = summary.totals;
    s.push_str(&format!(
        "Financement : coût total {}, accordé {}, demandé {}, envisagé {}, reste à financer {}\n",
        t.cost, t.granted, t.requested, t.envisaged, t.remaining
    ));
    let c = &summary.cpf;
    s.push_str(&format!(
        "CPF : solde {}, engagé {}, participation forfaitaire due {}\n",
        c.balance.map_or("inconnu".into(), |b| b.to_string()),
        c.committed,
        c.participation_total
    ));
    s
}

fn voir(a: VoirArgs, setup: &Setup) -> Result<(), Failure> {
    let store = super::open_existing(setup)?;
    let b = resolve_id(&store, &a.id)?;
    let plan = store.plan_of(b.id)?;
    let reference = reference()?;
    if a.json {
        let doc = json!({
            "beneficiaire": {
                "id": b.id.to_string(),
                "nom": b.last_name,
                "prenom": b.first_name,
            },
            "parcours": plan.as_ref().map_or(Value::Null, |p| plan_json(&b, p, reference, today())),
            "montants": "centimes d'euro (entiers)",
        });
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::runtime(format!("JSON : {e}")))?;
        return out::println(&text);
    }
    out::print(&plan_text(&b, plan.as_ref(), reference))
}

/// The hints of file `b` on `on` (its plan, or one begun that day).
pub fn hints_of(store: &Store, b: &Beneficiary, on: NaiveDate) -> Result<Vec<Hint>, Failure> {
    let reference = reference()?;
    let plan = store
        .plan_of(b.id)?
        .unwrap_or_else(|| Plan::new(Id([0; 16]), b.id, on, Meta::new(chrono::Utc::now(), "")));
    let days: Vec<NaiveDate> = store
        .interviews_of(b.id)?
        .iter()
        .filter(|i| !i.planned)
        .map(|i| i.at.with_timezone(&chrono::Local).date_naive())
        .collect();
    Ok(hints(
        &EligibilityInput::new(b, &plan, &days),
        reference,
        on,
    ))
}

fn eligibilite(a: EligibiliteArgs, setup: &Setup) -> Result<(), Failure> {
    let store = super::open_existing(setup)?;
    let b = resolve_id(&store, &a.id)?;
    let on = a.date.unwrap_or_else(today);
    let list = hints_of(&store, &b, on)?;
    if a.json {
        let text = serde_json::to_string_pretty(&list)
            .map_err(|e| Failure::runtime(format!("JSON : {e}")))?;
        return out::println(&text);
    }
    let mut s = format!(
        "Éligibilité de {} ({}) au {} — indications, jamais un blocage :\n",
        out::escape(&b.display_name()),
        b.id.short(),
        fmt_date(on)
    );
    for h in &list {
        s.push_str(&format!(
            "\n{} — règle : {} (depuis le {})\n",
            h.headline(),
            h.rule,
            fmt_date(h.since)
        ));
        for r in &h.reasons {
            s.push_str(&format!("  • {}\n", out::escape(r)));
        }
        if !h.missing.is_empty() {
            s.push_str(&format!("  À renseigner : {}\n", h.missing.join(", ")));
        }
    }
    out::print(&s)
}
