use super::*;
use crate::domain::{
    ConsentRecord, ContractType, Funder, FundingLine, FundingStatus, InterviewMode, Meta,
    PlanTarget, Request, StepKind, StepStatus, TargetMetier,
};
use crate::transfer::document::render;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn now() -> DateTime<Utc> {
    d(2026, 11, 28).and_hms_opt(9, 30, 0).unwrap().and_utc()
}

fn consent() -> Option<ConsentRecord> {
    Some(ConsentRecord {
        date: d(2026, 11, 2),
        notice_version: "v1".into(),
    })
}

fn file() -> Beneficiary {
    let mut b = Beneficiary::new(Id([3; 16]), "Dupont", "Léa", Meta::new(now(), "x"));
    b.employer.name = "<script>O'Brien & fils</script>".into();
    b.branch = Some("ECLAT".into());
    b.contract = Some(ContractType::Cdi);
    b.seniority_company_months = Some(30);
    b.seniority_total_months = Some(96);
    b.qualification_level = Some(4);
    b.cpf_balance = Some(Cents(150_000));
    b.request = Some(Request::Reconversion);
    b.current_job = Some(TargetMetier {
        ogr: 1,
        rome: "G1203".into(),
        label: "Animateur / Animatrice périscolaire".into(),
    });
    b.email = Some("lea.dupont@exemple.fr".into());
    b.constraints = "suivi médical".into();
    b.consent.processing = consent();
    b.consent.share_employer_opco = consent();
    b.next_follow_up = Some(d(2026, 12, 5));
    b
}

fn plan() -> Plan {
    let mut p = Plan::new(
        Id([4; 16]),
        Id([3; 16]),
        d(2026, 11, 14),
        Meta::new(now(), "x"),
    );
    p.add_target(PlanTarget {
        note: "confirmée par l'immersion".into(),
        ..PlanTarget::new(12_345, "K1202", "Éducateur / Éducatrice de jeunes enfants")
    });
    let mut bilan = Step::new(
        Id([5; 16]),
        StepKind::BilanCompetences,
        "Bilan de compétences",
    );
    bilan.start = Some(d(2027, 1, 4));
    bilan.end = Some(d(2027, 3, 1));
    bilan.hours = Some(24);
    bilan.cost = Cents(180_000);
    bilan.status = StepStatus::EnCours;
    bilan.funding = vec![FundingLine {
        funder: Funder::Cpf,
        amount: Cents(120_000),
        status: FundingStatus::Accorde,
        decided_on: Some(d(2026, 12, 15)),
    }];
    let mut formation = Step::new(Id([6; 16]), StepKind::Formation, "DE EJE <b>");
    formation.due = Some(d(2027, 9, 1));
    formation.cost = Cents(645_000);
    formation.funding = vec![FundingLine::envisaged(
        Funder::UniformationPeriodeReconversion,
        Cents(400_000),
    )];
    p.add_steps([bilan, formation]);
    p
}

fn input<'a>(
    b: &'a Beneficiary,
    p: Option<&'a Plan>,
    interviews: &'a [Interview],
    author: &'a Author,
    branches: &'a Branches,
) -> SynthesisInput<'a> {
    SynthesisInput {
        beneficiary: b,
        plan: p,
        interviews,
        immersions: &[],
        branches,
        reference: Dispositifs::builtin().unwrap(),
        author,
        today: d(2026, 11, 28),
        now: now(),
    }
}

fn branches() -> Branches {
    crate::catalog::Catalog::builtin_shared()
        .unwrap()
        .branches()
        .clone()
}

#[test]
fn the_synthesis_holds_the_plan_the_financing_and_escapes_everything() {
    let (b, p, br) = (file(), plan(), branches());
    let author = Author {
        advisor: "Camille Martin".into(),
        structure: "CEP Auvergne-Rhône-Alpes".into(),
    };
    let doc = build(&input(&b, Some(&p), &[], &author, &br));
    let html = render(&doc, Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    // The employer renders as text.
    assert!(html.contains("&lt;script&gt;O&#39;Brien &amp; fils&lt;/script&gt;"));
    assert!(!html.contains("<script>") && !html.contains("<b>"));
    assert!(html.contains("DE EJE &lt;b&gt;"));
    for part in [
        "Léa DUPONT",
        "Éducateur / Éducatrice de jeunes enfants (K1202) — confirmée par l&#39;immersion",
        "du 04/01/2027 au 01/03/2027",
        "échéance 01/09/2027",
        "24 h",
        "en cours",
        "<td class=\"num\">1 200,00 €</td>",
        "Coût total</dt><dd>8 250,00 €",
        "Accordé</dt><dd>1 200,00 €",
        "Reste à financer</dt><dd>7 050,00 €",
        "période de reconversion — en vigueur depuis le 01/02/2026",
        "bilan de compétences — en vigueur depuis le 01/01/2019",
        "PTP",
        "Camille Martin, CEP Auvergne-Rhône-Alpes",
        "samedi 5 décembre 2026 (date à confirmer)",
        "ÉCLAT",
        "2 ans et 6 mois",
        "8 ans",
    ] {
        if part == "PTP" {
            assert!(!html.contains(part), "no PTP step, no PTP: {part}");
            continue;
        }
        assert!(html.contains(part), "« {part} » absent :\n{html}");
    }
    // CPF: the participation is due on the bilan (no co-financing), at the
    // 2026 value since the line was decided in December 2026.
    assert!(
        html.contains("Participation forfaitaire due</dt><dd>103,20 €"),
        "{html}"
    );
    // Never: contact details, constraints.
    assert!(!html.contains("lea.dupont") && !html.contains("suivi médical"));

    let md = render(&doc, Format::Markdown);
    assert!(
        md.contains("\\<script\\>O'Brien &amp; fils\\</script\\>"),
        "{md}"
    );
    assert!(md.contains("| 2 | DE EJE \\<b\\> | formation |"), "{md}");
    assert!(md.contains("- **Reste à financer** : 7 050,00 €"));
    assert!(md.contains("Document établi le 28/11/2026 par Camille Martin"));
}

#[test]
fn only_what_the_person_agreed_to_show() {
    let br = branches();
    let author = Author::default();
    // No share consent: no employer, no branch; the rest of the situation.
    let mut b = file();
    b.consent.share_employer_opco = None;
    let html = render(&build(&input(&b, None, &[], &author, &br)), Format::Html);
    assert!(!html.contains("Brien") && !html.contains("ÉCLAT"), "{html}");
    assert!(html.contains("pas d&#39;accord de partage"));
    assert!(html.contains("CDI"));
    // No notice given: no situation at all, not even the CPF balance.
    b.consent.processing = None;
    let html = render(
        &build(&input(&b, Some(&plan()), &[], &author, &br)),
        Format::Html,
    );
    assert!(html.contains("Situation non reprise"));
    assert!(
        !html.contains("CDI") && !html.contains("Solde CPF"),
        "{html}"
    );
    assert!(html.contains("votre conseiller ou conseillère"));
    assert!(html.contains("Le plan d&#39;action") || html.contains("Plan d&#39;action"));
}

#[test]
fn next_appointment_prefers_a_planned_interview() {
    let (b, br, author) = (file(), branches(), Author::default());
    let planned = Interview {
        id: Id([9; 16]),
        beneficiary: b.id,
        at: d(2026, 12, 3).and_hms_opt(13, 0, 0).unwrap().and_utc(),
        duration_minutes: 60,
        level: crate::domain::CepLevel::AccompagnementPersonnalise,
        mode: InterviewMode::Video,
        place: String::new(),
        topics: String::new(),
        summary: "secret".into(),
        decisions: String::new(),
        next_follow_up: None,
        planned: true,
        meta: Meta::new(now(), "x"),
    };
    let list = [planned];
    let html = render(&build(&input(&b, None, &list, &author, &br)), Format::Html);
    assert!(html.contains("jeudi 3 décembre 2026 à"), "{html}");
    assert!(!html.contains("secret"));
    let mut b2 = b.clone();
    b2.next_follow_up = None;
    let html = render(&build(&input(&b2, None, &[], &author, &br)), Format::Html);
    assert!(html.contains("à convenir"));
}

#[test]
fn file_names_use_the_short_id_not_the_name() {
    let name = file_name(Id([3; 16]), d(2026, 11, 28), Format::Markdown);
    assert_eq!(
        name,
        format!("synthese-{}-2026-11-28.md", Id([3; 16]).short())
    );
    assert_eq!(months(30), "2 ans et 6 mois");
    assert_eq!(months(12), "1 an");
    assert_eq!(months(5), "5 mois");
}
