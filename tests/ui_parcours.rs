//! Snapshot tests of the Parcours screen (TestBackend, fixed date: samedi
//! 28 novembre 2026, 9 h 30) at 80×24 and 120×40: targets and suggestions,
//! steps with their funding, the always-visible totals and CPF picture, the
//! eligibility hints; the step form, the template picker and the
//! eligibility detail.

mod common;
use chrono::{DateTime, NaiveDate, Utc};
use common::{fixed_now, press, render, screen_text as text};
use passerelle::app::{Action, App, Keymap, Outcome, Screen};
use passerelle::domain::{
    Beneficiary, Cents, ConsentRecord, ContractType, Funder, FundingLine, FundingStatus, Id, Meta,
    Plan, PlanTarget, Step, StepKind, StepStatus, TargetMetier,
};
use ratatui::crossterm::event::KeyCode;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn meta() -> Meta {
    Meta::new(
        DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap(),
        "Camille",
    )
}

fn id(n: u8) -> Id {
    Id::new_v7(1_790_000_000_000 + n as u64, [n; 10])
}

fn file() -> Beneficiary {
    let mut b = Beneficiary::new(id(1), "Dupont", "Léa", meta());
    b.branch = Some("ECLAT".into());
    b.contract = Some(ContractType::Cdi);
    b.seniority_company_months = Some(28);
    b.seniority_total_months = Some(96);
    b.cpf_balance = Some(Cents(234_000));
    b.current_job = Some(TargetMetier {
        ogr: 0,
        rome: "K1302".into(),
        label: "Auxiliaire de vie sociale".into(),
    });
    b.consent.processing = Some(ConsentRecord {
        date: d(2026, 11, 14),
        notice_version: "v1-2026".into(),
    });
    b
}

fn plan() -> Plan {
    let mut p = Plan::new(id(2), id(1), d(2026, 11, 14), meta());
    let mut t = PlanTarget::new(12_345, "K1202", "Éducateur / Éducatrice de jeunes enfants");
    t.note = "confirmée par l'immersion".into();
    p.add_target(t);
    p.add_target(PlanTarget::new(
        38_001,
        "J1304",
        "Auxiliaire de puériculture",
    ));
    let mut info = Step::new(id(3), StepKind::Information, "Entretien CEP niveau 2");
    info.due = Some(d(2026, 11, 14));
    info.status = StepStatus::Fait;
    let mut imm = Step::new(
        id(4),
        StepKind::Immersion,
        "Immersion — crèche Les Lucioles",
    );
    imm.start = Some(d(2026, 12, 5));
    imm.end = Some(d(2026, 12, 18));
    imm.status = StepStatus::EnCours;
    let mut bilan = Step::new(id(5), StepKind::BilanCompetences, "Bilan de compétences");
    bilan.start = Some(d(2027, 1, 11));
    bilan.end = Some(d(2027, 3, 1));
    bilan.hours = Some(24);
    bilan.cost = Cents(120_000);
    bilan.organisation = "Prestataire Qualiopi".into();
    bilan.funding = vec![FundingLine {
        funder: Funder::Cpf,
        amount: Cents(120_000),
        status: FundingStatus::Accorde,
        decided_on: Some(d(2026, 11, 20)),
    }];
    let mut form = Step::new(id(6), StepKind::Formation, "DE éducateur de jeunes enfants");
    form.start = Some(d(2027, 3, 1));
    form.end = Some(d(2028, 6, 30));
    form.hours = Some(1_500);
    form.cost = Cents(525_000);
    form.funding = vec![
        FundingLine {
            funder: Funder::UniformationPeriodeReconversion,
            amount: Cents(400_000),
            status: FundingStatus::Demande,
            decided_on: None,
        },
        FundingLine::envisaged(Funder::Employeur, Cents(50_000)),
    ];
    p.add_steps([info, imm, bilan, form]);
    p
}

/// The file open on the Parcours screen with its plan loaded.
fn app(plan: Option<Plan>) -> App {
    let mut a = App::new(Keymap::default(), fixed_now());
    let b = file();
    a.effect_done(Outcome::BeneficiariesLoaded {
        beneficiaries: vec![b.clone()].into(),
        damaged: Vec::new(),
        recent: Vec::new(),
    });
    passerelle::app::beneficiaires::open_file(&mut a, b.id);
    common::record_loaded(&mut a, std::slice::from_ref(&b));
    a.effect_done(Outcome::PlanLoaded {
        beneficiary: b.id,
        plan,
    });
    a.update(Action::GoTo(Screen::Parcours));
    a
}

fn shows(s: &str, parts: &[&str]) {
    for p in parts {
        assert!(s.contains(p), "« {p} » absent :\n{s}");
    }
}

#[test]
fn the_parcours_screen_at_80x24_and_120x40() {
    let mut a = app(Some(plan()));
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    let s = text(&render(&a, 80, 24));
    shows(
        &s,
        &[
            "Métiers cibles (2)",
            "(K1202)",
            "Suggestions depuis K1302",
            "Étapes (4)",
            "✓ 14/11/26",
            // The title keeps its room; the funding says what fits.
            "▶○ 11/01/27 Bilan de compétences 1 200 € accordé",
            "◐ 05/12/26 Immersion",
            // 1 200 + 5 250 €; 1 200 € granted; 4 000 € requested; 500 € envisaged.
            "Coût total        6 450,00 €",
            "Accordé           1 200,00 €",
            "Demandé           4 000,00 €",
            "Envisagé            500,00 €",
            "Reste à financer  1 250,00 €",
            "Solde             2 340,00 €",
            "Engagé            1 200,00 €",
            // The CPF line was granted on 20/11/2026: the 2026 amount, no
            // co-financing on that step.
            "Part. forfaitaire   103,20 €",
            "✓ PTP",
            "Éligibilité au 28/11/2026",
        ],
    );
    // Every line fits (no wrapping garbage) and the bar shows the keys.
    assert!(s.lines().all(|l| l.chars().count() <= 80));
    let bar = s.lines().last().unwrap();
    assert!(bar.contains("n étape") && bar.contains("s statut"), "{bar}");
    insta::assert_snapshot!("parcours_80x24", s);

    let s = text(&render(&a, 120, 40));
    shows(
        &s,
        &[
            "1. Éducateur / Éducatrice de jeunes enfants (K1202) — confirmée",
            "à faire",
            "en cours",
            "CPF 1 200 € accordé",
            "Unif. période 4 000 € demandé +1",
            // Details of the selected step and its lines, when there is room.
            "Prestataire Qualiopi",
            "CPF : 1 200,00 € accordé le 20/11/2026",
            // One line per hint, with its first reason.
            "PTP éligible —",
            "Pro-A non éligible",
        ],
    );
    insta::assert_snapshot!("parcours_120x40", s);
}

#[test]
fn an_empty_plan_says_what_to_do_and_the_zones_move() {
    let mut a = app(None);
    let s = text(&render(&a, 80, 24));
    shows(
        &s,
        &[
            "Métiers cibles (0)",
            "Aucun métier cible",
            "Aucune étape.",
            "n nouvelle étape · m modèle de parcours",
            "Coût total            0,00 €",
            "(tarif actuel)      103,20 €",
        ],
    );
    assert!(!s.contains("parcours commencé"), "no plan yet:\n{s}");
    // → : steps → targets → suggestions, marked by the cursor.
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Right);
    let s = text(&render(&a, 80, 24));
    assert!(
        s.lines()
            .any(|l| l.contains("▶ ") && l.contains(" · passerelle")),
        "{s}"
    );
}

#[test]
fn form_picker_and_eligibility_detail() {
    let mut a = app(Some(plan()));
    // The funding of the selected step (f): the form opens on its first line.
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Char('f'));
    let s = text(&render(&a, 80, 24));
    shows(
        &s,
        &[
            "Étape : bilan de compétences",
            "Financement",
            "Financeur 1",
            "◂ CPF ▸",
        ],
    );
    insta::assert_snapshot!("parcours_step_form_80x24", s);
    press(&mut a, KeyCode::Esc);
    assert!(
        a.parcours.form.is_none(),
        "unchanged: closes without asking"
    );

    press(&mut a, KeyCode::Char('m'));
    let s = text(&render(&a, 80, 24));
    shows(
        &s,
        &[
            "Modèle de parcours",
            "▶ Reconversion avec bilan et immersion (5 étapes)",
            "VAE",
            "Période de reconversion",
            "Démission-reconversion",
        ],
    );
    insta::assert_snapshot!("parcours_templates_80x24", s);
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.parcours.templates, None);

    press(&mut a, KeyCode::Char('v'));
    let s = text(&render(&a, 120, 40));
    shows(
        &s,
        &[
            "projet de transition professionnelle — éligible",
            "Règle :",
            "(depuis le",
            "validation des acquis de l'expérience — à vérifier",
        ],
    );
    insta::assert_snapshot!("parcours_eligibility_detail_120x40", s);
}
