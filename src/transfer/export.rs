//! Everything stored about one person, as JSON: the person's own copy
//! (right of access and portability, RGPD art. 15 and 20).
//!
//! The document is written for the person: French keys, ISO dates
//! (`2026-05-28`), instants in RFC 3339 (UTC), amounts as decimal euros
//! (`"1234.50"`), enumerations as their French labels (« CDI »,
//! « présentiel », « ouvert »), ids as UUID text — no internal
//! representation. Its layout is versioned ([`FORMAT`], [`VERSION`]) and
//! documented in README.
//!
//! Which records belong to the person comes from the store's one table of
//! person-owned kinds ([`Store::records_of`] follows `idx_children`), and
//! each kind is turned into JSON by an exhaustive `match` on [`AnyRecord`]:
//! a new kind cannot be forgotten. A test checks that every field of every
//! record type is exported, so a new field cannot be forgotten either.

use crate::domain::{
    Beneficiary, Birth, Branches, Cents, ConsentRecord, Id, Immersion, InfoSession, Interview,
    Meta, Plan, SessionRegistration, Status, TargetMetier,
};
use crate::store::{AnyRecord, JournalEntry, Store, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

/// Identifies the document format.
pub const FORMAT: &str = "passerelle.export-personne";
/// Version 2: French keys and labels (version 1 mirrored the internal types).
pub const VERSION: u32 = 2;

/// The full export of one person.
#[derive(Clone, Debug)]
pub struct PersonExport {
    /// The file first, then every record linked to it.
    pub records: Vec<AnyRecord>,
    /// Change journal about the person and their records, newest first.
    pub journal: Vec<JournalEntry>,
    /// The information sessions the person is registered to.
    pub sessions: Vec<InfoSession>,
}

fn date(d: NaiveDate) -> Value {
    d.format("%Y-%m-%d").to_string().into()
}

fn opt_date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, date)
}

fn instant(t: DateTime<Utc>) -> Value {
    t.to_rfc3339_opts(SecondsFormat::Secs, true).into()
}

/// `"1234.50"`: decimal euros, never a float.
pub fn euros(c: Cents) -> Value {
    let sign = if c.0 < 0 { "-" } else { "" };
    let a = c.0.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100).into()
}

fn opt_str(s: &Option<String>) -> Value {
    s.as_deref().map_or(Value::Null, Value::from)
}

fn id(i: Id) -> Value {
    i.to_string().into()
}

fn metier(t: &TargetMetier) -> Value {
    json!({
        "code_rome": t.rome,
        "code_ogr": (!crate::catalog::is_synthetic_ogr(t.ogr)).then_some(t.ogr),
        "libelle": t.label,
    })
}

fn consent(c: &Option<ConsentRecord>) -> Value {
    c.as_ref().map_or(
        Value::Null,
        |c| json!({ "date": date(c.date), "version_notice": c.notice_version }),
    )
}

fn meta(m: &Meta) -> Value {
    json!({
        "cree_le": instant(m.created_at),
        "modifie_le": instant(m.updated_at),
        "modifie_par": m.advisor,
    })
}

fn dossier(b: &Beneficiary, branches: &Branches) -> Value {
    let branche = b.branch.as_deref().map_or(Value::Null, |s| {
        let br = branches.by_short(s);
        json!({
            "id": s,
            "nom": br.map_or(s, |br| br.display.as_str()),
            "idcc": br.map(|br| br.idcc.as_str()).filter(|i| !i.is_empty()),
        })
    });
    let (statut, clos_le, motif) = match &b.status {
        Status::Open => ("ouvert", Value::Null, Value::Null),
        Status::Closed { on, reason } => ("clos", date(*on), Value::from(reason.as_str())),
    };
    json!({
        "identifiant": id(b.id),
        "nom": b.last_name,
        "prenom": b.first_name,
        "naissance": match b.birth {
            None => Value::Null,
            Some(Birth::Year(y)) => json!({ "annee": y }),
            Some(Birth::Date(d)) => json!({ "date": date(d) }),
        },
        "email": opt_str(&b.email),
        "telephone": opt_str(&b.phone),
        "code_postal": opt_str(&b.postcode),
        "commune": opt_str(&b.commune),
        "region": opt_str(&b.region),
        "branche": branche,
        "employeur": { "nom": b.employer.name, "siret": opt_str(&b.employer.siret) },
        "contrat": b.contract.map(|c| c.label()),
        "temps_de_travail": opt_str(&b.working_time),
        "anciennete_entreprise_mois": b.seniority_company_months,
        "anciennete_totale_mois": b.seniority_total_months,
        "niveau_qualification": b.qualification_level,
        "metier_actuel": b.current_job.as_ref().map_or(Value::Null, metier),
        "solde_cpf_euros": b.cpf_balance.map_or(Value::Null, euros),
        "demande": b.request.map(|r| r.label()),
        "contraintes": b.constraints,
        "prochain_suivi": opt_date(b.next_follow_up),
        "dernier_contact": opt_date(b.last_contact),
        "statut": statut,
        "clos_le": clos_le,
        "motif_cloture": motif,
        "consentements": {
            "traitement_notice_remise": consent(&b.consent.processing),
            "partage_employeur_opco": consent(&b.consent.share_employer_opco),
            "enquete_6_mois": consent(&b.consent.survey_6_months),
        },
        "niveau_cep_atteint": b.cep_level,
        "suivi": meta(&b.meta),
    })
}

fn entretien(i: &Interview) -> Value {
    json!({
        "identifiant": id(i.id),
        "date_heure": instant(i.at),
        "duree_minutes": i.duration_minutes,
        "niveau_cep": i.level.label(),
        "modalite": i.mode.label(),
        "lieu": i.place,
        "themes": i.topics,
        "synthese": i.summary,
        "decisions": i.decisions,
        "prochain_suivi": opt_date(i.next_follow_up),
        "prevu": i.planned,
        "suivi": meta(&i.meta),
    })
}

fn parcours(p: &Plan) -> Value {
    let f = &p.facts;
    json!({
        "identifiant": id(p.id),
        "commence_le": date(p.started_on),
        "metiers_cibles": p.targets.iter().map(|t| json!({
            "code_rome": t.rome,
            "code_ogr": (!crate::catalog::is_synthetic_ogr(t.ogr)).then_some(t.ogr),
            "libelle": t.label,
            "note": t.note,
        })).collect::<Vec<_>>(),
        "etapes": p.steps.iter().map(|s| json!({
            "identifiant": id(s.id),
            "type": s.kind.label(),
            "intitule": s.title,
            "organisme": s.organisation,
            "debut": opt_date(s.start),
            "fin": opt_date(s.end),
            "echeance": opt_date(s.due),
            "heures": s.hours,
            "cout_euros": euros(s.cost),
            "statut": s.status.label(),
            "notes": s.notes,
            "financements": s.funding.iter().map(|l| json!({
                "financeur": l.funder.label(),
                "montant_euros": euros(l.amount),
                "statut": l.status.label(),
                "decision_le": opt_date(l.decided_on),
            })).collect::<Vec<_>>(),
            "immersion": s.immersion.map(id),
        })).collect::<Vec<_>>(),
        "elements_d_eligibilite": {
            "jours_travailles_60_derniers_mois": f.days_worked_last_60_months,
            "mois_salarie_5_dernieres_annees": f.months_employee_last_5_years,
            "mois_en_cdd_12_derniers_mois": f.months_cdd_last_12_months,
            "beneficiaire_obligation_emploi": f.boeth,
            "licencie_sans_formation_depuis": f.dismissed_without_training,
            "longue_absence_24_derniers_mois": f.long_absence_last_24_months,
            "accord_employeur": f.employer_agreement,
            "accord_etendant_la_periode": f.extending_agreement,
            "demission_le": opt_date(f.resignation_on),
            "attestation_le": opt_date(f.attestation_on),
            "demandeur_emploi_depuis": opt_date(f.job_seeker_from),
            "cpf_points_c2p": f.cpf_c2p,
            "cpf_victime_at_mp": f.cpf_at_mp,
        },
        "suivi": meta(&p.meta),
    })
}

fn immersion(m: &Immersion) -> Value {
    json!({
        "identifiant": id(m.id),
        "metier": m.target.as_ref().map_or(Value::Null, metier),
        "objectif": m.objective.map(|o| o.label()),
        "structure_d_accueil": {
            "nom": m.host.name,
            "siret": opt_str(&m.host.siret),
            "adresse": m.host.address,
            "idcc": opt_str(&m.host.idcc),
            "branche": opt_str(&m.host.branch),
            "activite": m.host.activity,
        },
        "tuteur": {
            "nom": m.tutor.name,
            "fonction": m.tutor.role,
            "telephone": opt_str(&m.tutor.phone),
            "email": opt_str(&m.tutor.email),
        },
        "prescripteur": m.prescriber.as_ref().map_or(Value::Null, |p| json!({
            "type": p.kind.label(),
            "nom": p.name,
            "adresse": p.address,
            "conseiller": p.adviser,
            "telephone": opt_str(&p.phone),
            "email": opt_str(&p.email),
        })),
        "employeur": { "nom": m.employer.name, "siret": opt_str(&m.employer.siret) },
        "sur_le_temps_de_travail": m.on_working_time,
        "debut": date(m.start),
        "fin": date(m.end),
        "horaires": m.schedule.canonical(),
        "horaires_saisis": m.schedule_text,
        "taches": m.tasks,
        "objectifs_precis": m.goals,
        "modalites_d_evaluation": m.assessment,
        "statut": m.status.label(),
        "motif_du_statut": m.status_reason,
        "renouvellement_de": m.renewal_of.map(id),
        "motif_du_renouvellement": m.renewal_reason,
        "bilan": m.debrief.as_ref().map_or(Value::Null, |d| json!({
            "date": opt_date(d.on),
            "realisation": d.realisation.map(|r| r.label()),
            "objectifs_atteints": d.objectives_reached,
            "embauche": d.hiring,
            "contrat_propose": d.contract_offered.map(|c| c.label()),
            "commentaires": d.comments,
        })),
        "suivi": meta(&m.meta),
    })
}

fn historique(e: &JournalEntry) -> Value {
    json!({
        "date": instant(e.at),
        "conseiller": e.advisor,
        "objet": e.kind.label(),
        "identifiant": id(e.id),
        "operation": e.op.label(),
        "champs": e.fields,
        "note": e.note,
    })
}

/// The section of the document a kind goes to.
fn section(r: &AnyRecord) -> &'static str {
    match r {
        AnyRecord::Beneficiary(_) => "dossier",
        AnyRecord::Interview(_) => "entretiens",
        AnyRecord::Plan(_) => "parcours",
        AnyRecord::Immersion(_) => "immersions",
        AnyRecord::Registration(_) => "seances_d_information",
    }
}

fn inscription(r: &SessionRegistration, sessions: &[InfoSession]) -> Value {
    let s = sessions.iter().find(|s| s.id == r.session);
    json!({
        "identifiant": id(r.id),
        "seance": id(r.session),
        "theme": s.map(|s| s.topic.as_str()),
        "debut": s.map_or(Value::Null, |s| instant(s.start)),
        "lieu": s.map(|s| s.location()),
        "inscrit_le": date(r.registered_on),
        "suivi": meta(&r.meta),
    })
}

fn record_json(r: &AnyRecord, branches: &Branches, sessions: &[InfoSession]) -> Value {
    match r {
        AnyRecord::Beneficiary(b) => dossier(b, branches),
        AnyRecord::Interview(i) => entretien(i),
        AnyRecord::Plan(p) => parcours(p),
        AnyRecord::Immersion(m) => immersion(m),
        AnyRecord::Registration(r) => inscription(r, sessions),
    }
}

impl PersonExport {
    /// Reads everything about `id`; `None` when there is no such file.
    pub fn load(store: &Store, id: Id) -> Result<Option<PersonExport>, StoreError> {
        let records = store.records_of(id)?;
        if !matches!(records.first(), Some(AnyRecord::Beneficiary(_))) {
            return Ok(None);
        }
        let mut sessions = Vec::new();
        for r in &records {
            if let AnyRecord::Registration(reg) = r {
                if let Some(s) = store.session(reg.session)? {
                    sessions.push(s);
                }
            }
        }
        Ok(Some(PersonExport {
            records,
            journal: store.journal_of(id)?,
            sessions,
        }))
    }

    /// The document, stamped with `now`.
    pub fn to_json(&self, now: DateTime<Utc>, branches: &Branches) -> Value {
        let mut doc = Map::new();
        doc.insert("format".into(), FORMAT.into());
        doc.insert("version".into(), VERSION.into());
        doc.insert("exporte_le".into(), instant(now));
        doc.insert(
            "a_propos".into(),
            "Copie de toutes les données enregistrées sur vous par votre conseiller ou \
             conseillère en évolution professionnelle (droit d'accès et de portabilité)."
                .into(),
        );
        doc.insert(
            "unites".into(),
            json!({
                "dates": "AAAA-MM-JJ",
                "instants": "RFC 3339, UTC",
                "montants": "euros, texte décimal avec un point (\"1234.50\")",
            }),
        );
        doc.insert("dossier".into(), Value::Null);
        for key in [
            "entretiens",
            "parcours",
            "immersions",
            "seances_d_information",
        ] {
            doc.insert(key.into(), Value::Array(Vec::new()));
        }
        for r in &self.records {
            let v = record_json(r, branches, &self.sessions);
            match doc.get_mut(section(r)) {
                Some(Value::Array(a)) => a.push(v),
                Some(slot) => *slot = v,
                None => {}
            }
        }
        // Interviews newest first.
        if let Some(Value::Array(a)) = doc.get_mut("entretiens") {
            a.sort_by(|x, y| y["date_heure"].as_str().cmp(&x["date_heure"].as_str()));
        }
        doc.insert(
            "historique".into(),
            self.journal.iter().map(historique).collect(),
        );
        Value::Object(doc)
    }
}

/// Pretty JSON of everything stored about `id`; `None` for an unknown id.
pub fn person_json(
    store: &Store,
    id: Id,
    now: DateTime<Utc>,
    branches: &Branches,
) -> Result<Option<String>, StoreError> {
    Ok(PersonExport::load(store, id)?.map(|e| {
        serde_json::to_string_pretty(&e.to_json(now, branches)).unwrap_or_else(|_| "{}".into())
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;
    use serde::Serialize;

    fn t() -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).unwrap()
    }

    fn branches() -> Branches {
        crate::catalog::Catalog::builtin_shared()
            .unwrap()
            .branches()
            .clone()
    }

    /// Top-level serde field names of a record (what the store keeps).
    fn fields<T: Serialize>(r: &T) -> Vec<String> {
        match serde_json::to_value(r).unwrap() {
            Value::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    fn sample_file() -> Beneficiary {
        let mut b = Beneficiary::new(
            Id::new_v7(1_780_000_000_000, [3; 10]),
            "Dupont",
            "Léa",
            Meta::new(t(), "Camille"),
        );
        b.birth = Some(Birth::Date(NaiveDate::from_ymd_opt(1984, 3, 12).unwrap()));
        b.branch = Some("ECLAT".into());
        b.contract = Some(ContractType::Cdi);
        b.cpf_balance = Some(Cents(123_450));
        b.next_follow_up = NaiveDate::from_ymd_opt(2026, 6, 1);
        b.status = Status::Closed {
            on: NaiveDate::from_ymd_opt(2026, 5, 30).unwrap(),
            reason: "projet abouti".into(),
        };
        b.consent.processing = Some(ConsentRecord {
            date: NaiveDate::from_ymd_opt(2026, 5, 2).unwrap(),
            notice_version: "2026-01".into(),
        });
        b
    }

    #[test]
    fn the_document_speaks_french_with_iso_dates_and_labels() {
        let b = sample_file();
        let i = Interview {
            id: Id::new_v7(1_780_000_000_001, [4; 10]),
            beneficiary: b.id,
            at: t(),
            duration_minutes: 60,
            level: CepLevel::AccompagnementPersonnalise,
            mode: InterviewMode::OnSite,
            place: "Lyon".into(),
            topics: String::new(),
            summary: "Synthèse".into(),
            decisions: String::new(),
            next_follow_up: None,
            planned: false,
            meta: Meta::new(t(), "Camille"),
        };
        let e = PersonExport {
            records: vec![AnyRecord::from(b.clone()), AnyRecord::from(i)],
            journal: vec![],
            sessions: vec![],
        };
        let v = e.to_json(t(), &branches());
        let d = &v["dossier"];
        assert_eq!(v["format"], FORMAT);
        assert_eq!(v["version"], 2);
        assert_eq!(d["identifiant"], b.id.to_string());
        assert_eq!(d["naissance"]["date"], "1984-03-12");
        assert_eq!(d["contrat"], "CDI");
        assert_eq!(d["statut"], "clos");
        assert_eq!(d["clos_le"], "2026-05-30");
        assert_eq!(d["solde_cpf_euros"], "1234.50");
        assert_eq!(d["branche"]["nom"], "ÉCLAT");
        assert_eq!(
            d["consentements"]["traitement_notice_remise"]["date"],
            "2026-05-02"
        );
        assert_eq!(v["entretiens"][0]["modalite"], "présentiel");
        assert_eq!(v["entretiens"][0]["date_heure"], "2026-05-28T20:26:40Z");
        // No internal representation anywhere.
        let text = v.to_string();
        for internal in [
            "\"Year\"",
            "\"Date\"",
            "\"Cdi\"",
            "\"OnSite\"",
            "\"Closed\"",
            "last_name",
        ] {
            assert!(!text.contains(internal), "{internal} in {text}");
        }
    }

    /// The exporter names every stored field: a new field in a record type
    /// makes this test fail until the export learns it.
    #[test]
    fn every_stored_field_is_exported() {
        let b = sample_file();
        let known: &[(&str, &[&str])] = &[
            (
                "Beneficiary",
                &[
                    "id",
                    "last_name",
                    "first_name",
                    "birth",
                    "email",
                    "phone",
                    "postcode",
                    "commune",
                    "region",
                    "branch",
                    "employer",
                    "contract",
                    "working_time",
                    "seniority_company_months",
                    "seniority_total_months",
                    "qualification_level",
                    "current_job",
                    "cpf_balance",
                    "request",
                    "constraints",
                    "next_follow_up",
                    "last_contact",
                    "status",
                    "consent",
                    "cep_level",
                    "meta",
                ],
            ),
            (
                "Interview",
                &[
                    "id",
                    "beneficiary",
                    "at",
                    "duration_minutes",
                    "level",
                    "mode",
                    "place",
                    "topics",
                    "summary",
                    "decisions",
                    "next_follow_up",
                    "planned",
                    "meta",
                ],
            ),
            (
                "Plan",
                &[
                    "id",
                    "beneficiary",
                    "started_on",
                    "targets",
                    "steps",
                    "facts",
                    "meta",
                ],
            ),
            (
                "Immersion",
                &[
                    "id",
                    "beneficiary",
                    "target",
                    "objective",
                    "host",
                    "tutor",
                    "prescriber",
                    "employer",
                    "on_working_time",
                    "start",
                    "end",
                    "schedule_text",
                    "schedule",
                    "tasks",
                    "goals",
                    "assessment",
                    "status",
                    "status_reason",
                    "renewal_of",
                    "renewal_reason",
                    "debrief",
                    "meta",
                ],
            ),
        ];
        let plan = Plan::new(
            Id([5; 16]),
            b.id,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            Meta::new(t(), "x"),
        );
        let imm = Immersion::new(
            Id([6; 16]),
            b.id,
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            Meta::new(t(), "x"),
        );
        let interview_fields = {
            let i = Interview {
                id: Id([7; 16]),
                beneficiary: b.id,
                at: t(),
                duration_minutes: 1,
                level: CepLevel::AccueilIndividualise,
                mode: InterviewMode::Phone,
                place: String::new(),
                topics: String::new(),
                summary: String::new(),
                decisions: String::new(),
                next_follow_up: None,
                planned: false,
                meta: Meta::new(t(), "x"),
            };
            fields(&i)
        };
        let actual = [
            ("Beneficiary", fields(&b)),
            ("Interview", interview_fields),
            ("Plan", fields(&plan)),
            ("Immersion", fields(&imm)),
        ];
        for ((name, mut have), (_, want)) in actual.into_iter().zip(known) {
            let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            have.sort();
            want.sort();
            assert_eq!(
                have, want,
                "{name}: update transfer::export for the new fields"
            );
        }
        // And the plan's eligibility facts, field by field.
        let facts = fields(&EligibilityFacts::default());
        assert_eq!(facts.len(), 13, "{facts:?}: update elements_d_eligibilite");
    }
}
