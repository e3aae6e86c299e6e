//! The scripted commands of the reconversion plan, through the binary:
//! `parcours voir|eligibilite`, `export synthese`, `referentiel
//! import-mobilites`. Each test has its own temp data directory.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::{exits, fails, ok};
use passerelle::domain::*;
use passerelle::store::Store;
use serde_json::Value;
use std::path::Path;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn meta() -> Meta {
    Meta::new(
        DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap(),
        "conseil",
    )
}

fn id(n: u8) -> Id {
    Id::new_v7(1_790_000_000_000 + n as u64, [n; 10])
}

fn consent() -> Option<ConsentRecord> {
    Some(ConsentRecord {
        date: d(2026, 11, 2),
        notice_version: "v1".into(),
    })
}

/// A file (CDI, 28 months in the company, 96 in all) whose employer is
/// markup, with a plan: two targets, a bilan on the CPF, a formation.
fn seed(dir: &Path) -> (Beneficiary, Plan) {
    let s = Store::open(&dir.join("base")).unwrap();
    let mut b = Beneficiary::new(id(1), "Dupont", "Léa", meta());
    b.employer.name = "<script>O'Brien & fils</script>".into();
    b.contract = Some(ContractType::Cdi);
    b.seniority_company_months = Some(28);
    b.seniority_total_months = Some(96);
    b.cpf_balance = Some(Cents(100_000));
    b.consent.processing = consent();
    b.consent.share_employer_opco = consent();
    let mut p = Plan::new(id(2), b.id, d(2026, 11, 14), meta());
    p.add_target(PlanTarget::new(
        12_345,
        "K1202",
        "Éducateur / Éducatrice de jeunes enfants",
    ));
    p.add_target(PlanTarget::new(0, "J1304", "Auxiliaire de puériculture"));
    let mut bilan = Step::new(id(3), StepKind::BilanCompetences, "Bilan | *urgent*");
    bilan.start = Some(d(2027, 1, 11));
    bilan.cost = Cents(150_000);
    bilan.funding = vec![FundingLine {
        funder: Funder::Cpf,
        amount: Cents(150_000),
        status: FundingStatus::Accorde,
        decided_on: Some(d(2026, 12, 1)),
    }];
    let mut formation = Step::new(id(4), StepKind::Formation, "DE EJE");
    formation.due = Some(d(2027, 9, 1));
    formation.cost = Cents(500_000);
    formation.funding = vec![FundingLine::envisaged(Funder::Employeur, Cents(100_000))];
    p.add_steps([bilan, formation]);
    s.save_beneficiary(&b).unwrap();
    s.save_plan(&p).unwrap();
    let mut other = Beneficiary::new(id(5), "Martin", "Zoé", meta());
    other.contract = Some(ContractType::Cdd);
    s.save_beneficiary(&other).unwrap();
    (b, p)
}

#[test]
fn parcours_voir_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = seed(dir.path());
    let v: Value = serde_json::from_str(&ok(
        dir.path(),
        &["parcours", "voir", &b.id.short(), "--json"],
    ))
    .unwrap();
    assert_eq!(v["beneficiaire"]["id"], b.id.to_string());
    assert_eq!(v["montants"], "centimes d'euro (entiers)");
    let p = &v["parcours"];
    assert_eq!(p["commence_le"], "2026-11-14");
    assert_eq!(p["cibles"][0]["rang"], 1);
    assert_eq!(p["cibles"][0]["code_rome"], "K1202");
    assert_eq!(p["cibles"][0]["code_ogr"], 12_345);
    let steps = p["etapes"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["type"], "bilan_competences");
    assert_eq!(steps[0]["statut"], "a_faire");
    assert_eq!(steps[0]["debut"], "2027-01-11");
    assert_eq!(steps[0]["cout"], 150_000);
    assert_eq!(steps[0]["financements"][0]["financeur"], "cpf");
    assert_eq!(steps[0]["financements"][0]["decision_le"], "2026-12-01");
    assert_eq!(steps[1]["echeance"], "2027-09-01");
    // Totals in cents: 6 500 € cost, 1 500 € granted, 1 000 € envisaged
    // (not counted as found), 5 000 € left.
    let t = &p["totaux"];
    assert_eq!(
        (
            t["cout_total"].as_i64(),
            t["accorde"].as_i64(),
            t["envisage"].as_i64()
        ),
        (Some(650_000), Some(150_000), Some(100_000))
    );
    assert_eq!(t["reste_a_financer"], 500_000);
    // CPF picture: 1 000 € balance for 1 500 € committed; the 2026
    // participation (decided on 01/12/2026, no co-financing on the bilan).
    let c = &p["cpf"];
    assert_eq!(c["solde"], 100_000);
    assert_eq!(c["engage"], 150_000);
    assert_eq!(c["manque"], 50_000);
    assert_eq!(c["participation_totale"], 10_320);
    assert_eq!(c["lignes"][0]["etape"], 1);
    assert_eq!(c["lignes"][0]["base_date"], "decision");
    assert_eq!(c["lignes"][0]["participation"]["depuis"], "2026-01-01");
    assert_eq!(c["lignes"][0]["participation"]["exoneration"], Value::Null);

    // Text: readable, escaped.
    let text = ok(dir.path(), &["parcours", "voir", &b.id.to_string()]);
    assert!(text.contains("Parcours de DUPONT Léa"), "{text}");
    assert!(text.contains("1. Éducateur / Éducatrice de jeunes enfants (K1202)"));
    assert!(text.contains("reste à financer 5 000,00 €"), "{text}");

    // A file without a plan: null, exit 0.
    let out = ok(
        dir.path(),
        &["parcours", "voir", &id(5).to_string(), "--json"],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["parcours"], Value::Null);
}

#[test]
fn parcours_commands_exit_2_on_unknown_ids_missing_stores_and_bad_dates() {
    let empty = tempfile::tempdir().unwrap();
    let err = fails(empty.path(), &["parcours", "voir", "12345678"], 2);
    assert!(err.contains("Aucune base"), "{err}");
    assert!(!empty.path().join("base").exists(), "nothing created");
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let err = fails(dir.path(), &["parcours", "voir", "ffffffff"], 2);
    assert!(
        err.contains("aucun dossier ne porte l'identifiant"),
        "{err}"
    );
    let err = fails(dir.path(), &["parcours", "eligibilite", "zz"], 2);
    assert!(err.contains("identifiant invalide"), "{err}");
    let err = fails(
        dir.path(),
        &[
            "parcours",
            "eligibilite",
            &id(1).to_string(),
            "--date",
            "31/01/2026",
        ],
        2,
    );
    assert!(err.contains("attendu AAAA-MM-JJ"), "{err}");
}

fn hints(dir: &Path, who: Id, date: &str) -> Vec<Value> {
    let out = ok(
        dir,
        &[
            "parcours",
            "eligibilite",
            &who.to_string(),
            "--date",
            date,
            "--json",
        ],
    );
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn parcours_eligibilite_json_one_entry_per_dispositif_dated() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = seed(dir.path());
    let list = hints(dir.path(), b.id, "2026-11-28");
    let ids: Vec<&str> = list
        .iter()
        .map(|h| h["dispositif"].as_str().unwrap())
        .collect();
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
    for h in &list {
        assert!(
            ["eligible", "a_verifier", "non_eligible"].contains(&h["verdict"].as_str().unwrap()),
            "{h}"
        );
        assert!(!h["raisons"].as_array().unwrap().is_empty(), "{h}");
        assert!(!h["regle"].as_str().unwrap().is_empty());
        let since = h["depuis"].as_str().unwrap();
        assert!(
            NaiveDate::parse_from_str(since, "%Y-%m-%d").is_ok(),
            "{since}"
        );
    }
    let ptp = &list[4];
    assert_eq!(
        ptp["verdict"], "eligible",
        "CDI, 96 months of which 28 here"
    );
    // The plan began in 2026: no Pro-A.
    assert_eq!(list[7]["verdict"], "non_eligible");
    // Période de reconversion: not in force on 31 January 2026, in force
    // the next day.
    let before = &hints(dir.path(), b.id, "2026-01-31")[6];
    let after = &hints(dir.path(), b.id, "2026-02-01")[6];
    assert_eq!(before["verdict"], "non_eligible", "{before}");
    assert_ne!(after["verdict"], "non_eligible", "{after}");
    assert_eq!(after["depuis"], "2026-02-01");
    // Text output names the rules.
    let text = ok(dir.path(), &["parcours", "eligibilite", &b.id.to_string()]);
    assert!(text.contains("PTP ✓ éligible — règle :"), "{text}");
}

#[test]
fn export_synthese_in_html_and_markdown_escapes_every_personal_string() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = seed(dir.path());
    let html = ok(
        dir.path(),
        &["export", "synthese", &b.id.to_string(), "--format", "html"],
    );
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;O&#39;Brien &amp; fils&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    for part in [
        "Éducateur / Éducatrice de jeunes enfants (K1202)",
        "Bilan | *urgent*",
        "à partir du 11/01/2027",
        "échéance 01/09/2027",
        "Reste à financer</dt><dd>5 000,00 €",
        "Participation forfaitaire due</dt><dd>103,20 €",
    ] {
        assert!(html.contains(part), "« {part} » absent :\n{html}");
    }
    for external in ["http://", "https://", "src=", "<link"] {
        assert!(!html.contains(external), "{external}");
    }
    let md = ok(
        dir.path(),
        &["export", "synthese", &b.id.short(), "--format", "md"],
    );
    assert!(
        md.contains("\\<script\\>O'Brien &amp; fils\\</script\\>"),
        "{md}"
    );
    assert!(md.contains("Bilan \\| \\*urgent\\*"), "{md}");
    assert!(md.contains("| N° | Étape | Type |"), "{md}");

    // --sortie: a private file, and a message.
    let path = dir.path().join("synthese.html");
    let out = ok(
        dir.path(),
        &[
            "export",
            "synthese",
            &b.id.to_string(),
            "--sortie",
            path.to_str().unwrap(),
        ],
    );
    assert!(out.contains("Synthèse écrite"), "{out}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), html);

    let err = fails(
        dir.path(),
        &["export", "synthese", &b.id.to_string(), "--format", "pdf"],
        2,
    );
    assert!(err.contains("format inconnu « pdf » (html ou md)"), "{err}");
    fails(dir.path(), &["export", "synthese", "ffffffff"], 2);
}

const HEADER: &str = "code_rome,code_rome_cible,code_appellation_source,code_appellation_cible,\
                      code_type_mobilite,libelle_type_mobilite";

#[test]
fn import_mobilites_all_or_nothing_with_a_capped_report() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("unix_rubrique_mobilite_v460_utf8.csv");
    std::fs::write(
        &good,
        format!("{HEADER}\nK1302,J1501,,,2,Si évolution\nK1302,K1304,,,1,Proche\n"),
    )
    .unwrap();
    let out = ok(
        dir.path(),
        &["referentiel", "import-mobilites", good.to_str().unwrap()],
    );
    assert!(
        out.contains("Fichier des mobilités importé et enregistré"),
        "{out}"
    );
    assert!(
        out.contains("2 mobilité(s) enregistrée(s) (1 proche(s), 1 évolution(s))"),
        "{out}"
    );
    let info = ok(dir.path(), &["referentiel", "info"]);
    assert!(
        info.contains("Mobilités ROME : unix_rubrique_mobilite_v460_utf8.csv"),
        "{info}"
    );
    assert!(info.contains("(2 lignes)"), "{info}");

    // A bad file (25 bad lines, one with an escape sequence): refused,
    // nothing changed, 20 lines shown, all in --rapport.
    let mut bad = format!("{HEADER}\nK1302,J1501,,,1,x\n");
    for i in 0..24 {
        bad.push_str(&format!("K1302,J1501,,,{},x\n", 3 + i));
    }
    bad.push_str("K13\u{1b}[31m02,J1501,,,1,x\n");
    let bad_path = dir.path().join("mauvais.csv");
    std::fs::write(&bad_path, bad).unwrap();
    let report = dir.path().join("rapport.txt");
    let before = Store::open_existing(&dir.path().join("base"))
        .unwrap()
        .mobilites()
        .unwrap();
    let (out, err) = exits(
        dir.path(),
        &[
            "referentiel",
            "import-mobilites",
            bad_path.to_str().unwrap(),
            "--rapport",
            report.to_str().unwrap(),
        ],
        2,
    );
    assert!(err.contains("import refusé, rien n'a été modifié"), "{err}");
    assert!(err.contains("25 ligne(s) invalide(s) sur 26"), "{err}");
    assert_eq!(out.matches("  ligne ").count(), 20, "{out}");
    assert!(out.contains("… et 5 autres (la liste complète : --rapport FICHIER)"));
    assert!(!out.contains('\u{1b}'), "escaped on the terminal");
    let full = std::fs::read_to_string(&report).unwrap();
    assert_eq!(full.matches("  ligne ").count(), 25, "{full}");
    let after = Store::open_existing(&dir.path().join("base"))
        .unwrap()
        .mobilites()
        .unwrap();
    assert_eq!(after, before, "the previous import is untouched");
    assert_eq!(after.unwrap().rows.len(), 2);

    // A wrong header: refused, exit 2.
    let wrong = dir.path().join("appellations.csv");
    std::fs::write(&wrong, "ogr;rome\n1;K1302\n").unwrap();
    let err = fails(
        dir.path(),
        &["referentiel", "import-mobilites", wrong.to_str().unwrap()],
        2,
    );
    assert!(err.contains("colonne(s) manquante(s)"), "{err}");
    // The tree is counted and checked: the store is sound.
    ok(dir.path(), &["verifier"]);
}
