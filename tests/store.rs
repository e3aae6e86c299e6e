//! Integration tests of the sled store.
//!
//! The fixture `tests/fixtures/store-v1/` is a store written by format 1
//! (with the code of that time, which can no longer write it); it must keep
//! opening, migrated, with the same content forever. `tests/fixtures/store-v4/`
//! is a store of format 4 (with its manifest). To rewrite the latter (only
//! when a *new* fixture is wanted after a format change — then give it a new
//! path and keep this one), run:
//!
//! ```sh
//! cargo test --test store write_fixture_store_v4 -- --ignored --exact
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use passerelle::domain::*;
use passerelle::store::{ErasureReport, JournalEntry, Op, RecordKind, Store, StoreError};
use std::path::{Path, PathBuf};

// ----- builders -------------------------------------------------------------

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const T0: i64 = 1_780_000_000; // 2026-05-28

fn id(n: u8) -> Id {
    Id::new_v7(T0 as u64 * 1000 + n as u64, [n; 10])
}

fn target(ogr: u32, rome: &str, label: &str) -> TargetMetier {
    TargetMetier {
        ogr,
        rome: rome.into(),
        label: label.into(),
    }
}

fn consent(day: NaiveDate) -> Option<ConsentRecord> {
    Some(ConsentRecord {
        date: day,
        notice_version: "2026-01".into(),
    })
}

/// A beneficiary with every field filled.
fn full_beneficiary(n: u8) -> Beneficiary {
    Beneficiary {
        id: id(n),
        last_name: "Martin".into(),
        first_name: "Inès".into(),
        birth: Some(Birth::Date(d(1984, 3, 9))),
        email: Some("ines.martin@example.org".into()),
        phone: Some("06 12 34 56 78".into()),
        postcode: Some("69003".into()),
        commune: Some("Lyon".into()),
        region: Some("Auvergne-Rhône-Alpes".into()),
        branch: Some("ALISFA".into()),
        employer: Employer {
            name: "Centre social des Pentes".into(),
            siret: Some("12002701600357".into()),
        },
        contract: Some(ContractType::Cdi),
        working_time: Some("80 %".into()),
        seniority_company_months: Some(74),
        seniority_total_months: Some(190),
        qualification_level: Some(4),
        current_job: Some(target(
            38_001,
            "K1207",
            "Animateur / Animatrice socioculturel",
        )),
        cpf_balance: Some(Cents(412_050)),
        request: Some(Request::Reconversion),
        constraints: "Pas de permis ; garde d'enfants le mercredi".into(),
        next_follow_up: Some(d(2026, 6, 15)),
        last_contact: Some(d(2026, 5, 28)),
        status: Status::Closed {
            on: d(2026, 5, 28),
            reason: "projet abouti".into(),
        },
        consent: Consent {
            processing: consent(d(2026, 1, 12)),
            share_employer_opco: consent(d(2026, 1, 13)),
            survey_6_months: consent(d(2026, 1, 14)),
        },
        cep_level: Some(2),
        meta: Meta::new(t(T0), "conseil-lyon"),
    }
}

fn minimal_beneficiary(n: u8, last: &str, follow_up: Option<NaiveDate>) -> Beneficiary {
    let mut b = Beneficiary::new(
        id(n),
        last,
        "Paul",
        Meta::new(t(T0 + n as i64), "conseil-lyon"),
    );
    b.next_follow_up = follow_up;
    b
}

fn interview(n: u8, ben: Id, at: DateTime<Utc>) -> Interview {
    Interview {
        id: id(n),
        beneficiary: ben,
        at,
        duration_minutes: 75,
        level: CepLevel::AccompagnementPersonnalise,
        mode: InterviewMode::Video,
        place: "Visio Teams".into(),
        topics: "Projet EJE, financement".into(),
        summary: "Motivation confirmée ; immersion à organiser.".into(),
        decisions: "Contacter la crèche Les Lucioles".into(),
        next_follow_up: Some(d(2026, 7, 1)),
        planned: false,
        meta: Meta::new(at, "conseil-lyon"),
    }
}

/// A plan as the v1 fixture stores it (`domain::plan::v1`), read back
/// through the migration to the current `Plan`.
fn plan(n: u8, ben: Id) -> Plan {
    use passerelle::domain::plan::v1;
    Plan::from(v1::Plan {
        id: id(n),
        beneficiary: ben,
        targets: vec![v1::TargetMetier {
            ogr: 12_345,
            rome: "K1202".into(),
            label: "Éducateur / Éducatrice de jeunes enfants".into(),
        }],
        steps: vec![
            v1::Step {
                kind: v1::StepKind::Immersion,
                title: "PMSMP en crèche".into(),
                due: Some(d(2026, 9, 1)),
                status: v1::StepStatus::Doing,
                cost: Cents::ZERO,
                funding: vec![],
            },
            v1::Step {
                kind: v1::StepKind::Formation,
                title: "DEEJE en VAE".into(),
                due: None,
                status: v1::StepStatus::Todo,
                cost: Cents(650_000),
                funding: vec![
                    v1::FundingLine {
                        funder: v1::Funder::Cpf,
                        amount: Cents(412_050),
                        status: v1::FundingStatus::Granted,
                    },
                    v1::FundingLine {
                        funder: v1::Funder::OpcoBranche,
                        amount: Cents(237_950),
                        status: v1::FundingStatus::Requested,
                    },
                ],
            },
        ],
        meta: Meta::new(t(T0 + 100), "conseil-lyon"),
    })
}

/// Built in the first layout (`immersion::v1`, what the v1 fixture store
/// holds) and converted, as the store does when it reads version 1.
fn immersion(n: u8, ben: Id) -> Immersion {
    immersion::v1::Immersion {
        id: id(n),
        beneficiary: ben,
        target: target(12_345, "K1202", "Éducateur / Éducatrice de jeunes enfants"),
        host: immersion::v1::Host {
            name: "Crèche Les Lucioles".into(),
            siret: Some("12002701600357".into()),
            address: "3 rue des Capucins, 69001 Lyon".into(),
            branch: Some("ALISFA".into()),
        },
        tutor: immersion::v1::Tutor {
            name: "Claire Durand".into(),
            role: "Directrice".into(),
            contact: "04 72 00 00 00".into(),
        },
        start: d(2026, 9, 7),
        end: d(2026, 9, 11),
        schedule: "9:00–12:00 13:30–17:00".into(),
        objective: "Découvrir le métier".into(),
        status: immersion::v1::ImmersionStatus::AgreementSigned,
        debrief: String::new(),
        meta: Meta::new(t(T0 + 200), "conseil-lyon"),
    }
    .into()
}

fn referentiel(version: &str, n: usize) -> Referentiel {
    Referentiel {
        version: version.into(),
        fiches: (0..n)
            .map(|i| RomeFiche {
                code: format!("K12{i:02}"),
                label: format!("Fiche {i}"),
            })
            .collect(),
        appellations: (0..n * 2)
            .map(|i| Appellation {
                ogr: 10_000 + i as u32,
                rome: format!("K12{:02}", i / 2),
                label: format!("Appellation {i}"),
                short_label: format!("App. {i}"),
                branches: vec!["ECLAT".into(), "ALISFA".into()],
            })
            .collect(),
    }
}

fn lengths(s: &Store) -> Vec<(String, usize)> {
    let mut v = s.tree_names_and_lengths().unwrap();
    v.sort();
    v
}

fn len_of(s: &Store, tree: &str) -> usize {
    lengths(s)
        .into_iter()
        .find(|(n, _)| n == tree)
        .unwrap_or_else(|| panic!("no tree {tree}"))
        .1
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

// ----- round trips ----------------------------------------------------------

#[test]
fn every_record_kind_round_trips_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let b = full_beneficiary(1);
    let i = interview(2, b.id, t(T0 + 3600));
    let p = plan(3, b.id);
    let m = immersion(4, b.id);
    let r = referentiel("ROME test", 3);
    {
        let s = Store::open(&dir.path().join("base")).unwrap();
        assert_eq!(s.referentiel().unwrap(), None);
        s.save_beneficiary(&b).unwrap();
        s.save_interview(&i).unwrap();
        s.save_plan(&p).unwrap();
        s.save_immersion(&m).unwrap();
        s.save_referentiel(&r).unwrap();
        s.set_recent(&[b.id]).unwrap();
        s.flush().unwrap();
        assert_eq!(s.beneficiary(b.id).unwrap().as_ref(), Some(&b));
    }
    let s = Store::open(&dir.path().join("base")).unwrap();
    assert_eq!(s.beneficiary(b.id).unwrap(), Some(b.clone()));
    assert_eq!(s.beneficiaries().unwrap().records, vec![b.clone()]);
    assert_eq!(s.beneficiary_count().unwrap(), 1);
    assert_eq!(s.interview(i.id).unwrap(), Some(i.clone()));
    assert_eq!(s.plan(p.id).unwrap(), Some(p.clone()));
    assert_eq!(s.immersion(m.id).unwrap(), Some(m.clone()));
    assert_eq!(s.interviews_of(b.id).unwrap(), vec![i]);
    assert_eq!(s.plans_of(b.id).unwrap(), vec![p.clone()]);
    assert_eq!(s.plans().unwrap().records, vec![p]);
    assert_eq!(s.immersions_of(b.id).unwrap(), vec![m.clone()]);
    assert_eq!(s.immersions().unwrap().records, vec![m]);
    assert_eq!(s.referentiel().unwrap(), Some(r));
    assert_eq!(s.recent().unwrap(), vec![b.id]);
    assert_eq!(s.beneficiary(id(99)).unwrap(), None);
}

#[test]
fn referentiel_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    s.save_referentiel(&referentiel("v1", 5)).unwrap();
    // Counted in fiches and appellations; stored as a header and one blob.
    assert_eq!(s.counts().unwrap()["referentiel"], 5 + 10);
    assert_eq!(len_of(&s, "referentiel"), 2);
    let small = referentiel("v2", 2);
    s.save_referentiel(&small).unwrap();
    assert_eq!(s.counts().unwrap()["referentiel"], 2 + 4);
    assert_eq!(len_of(&s, "referentiel"), 2);
    assert_eq!(s.referentiel().unwrap(), Some(small));
}

// ----- indexes --------------------------------------------------------------

#[test]
fn follow_up_index_follows_updates_without_stale_entries() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let mut a = minimal_beneficiary(1, "Alpha", Some(d(2026, 6, 10)));
    let b = minimal_beneficiary(2, "Bravo", Some(d(2026, 6, 5)));
    let c = minimal_beneficiary(3, "Charlie", None);
    for x in [&a, &b, &c] {
        s.save_beneficiary(x).unwrap();
    }
    assert_eq!(
        s.follow_ups_until(d(2026, 12, 31)).unwrap(),
        vec![(d(2026, 6, 5), b.id), (d(2026, 6, 10), a.id)]
    );
    assert_eq!(
        s.follow_ups_until(d(2026, 6, 9)).unwrap(),
        vec![(d(2026, 6, 5), b.id)]
    );
    assert_eq!(s.follow_ups_until(d(2026, 6, 4)).unwrap(), vec![]);

    // Move a's follow-up before b's: the old entry disappears.
    a.next_follow_up = Some(d(2026, 6, 1));
    a.meta.touch(t(T0 + 50), "conseil-2");
    s.save_beneficiary(&a).unwrap();
    assert_eq!(
        s.follow_ups_until(d(2026, 12, 31)).unwrap(),
        vec![(d(2026, 6, 1), a.id), (d(2026, 6, 5), b.id)]
    );
    assert_eq!(len_of(&s, "idx_follow_up"), 2);

    // Clearing it removes the entry.
    a.next_follow_up = None;
    s.save_beneficiary(&a).unwrap();
    assert_eq!(
        s.follow_ups_until(d(2026, 12, 31)).unwrap(),
        vec![(d(2026, 6, 5), b.id)]
    );
    assert_eq!(len_of(&s, "idx_follow_up"), 1);
    assert_eq!(s.beneficiary(a.id).unwrap().unwrap().next_follow_up, None);
}

#[test]
fn interview_indexes_follow_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let a = minimal_beneficiary(1, "Alpha", None);
    let b = minimal_beneficiary(2, "Bravo", None);
    s.save_beneficiary(&a).unwrap();
    s.save_beneficiary(&b).unwrap();
    let i1 = interview(10, a.id, t(T0 + 1000));
    let mut i2 = interview(11, a.id, t(T0 + 5000));
    let i3 = interview(12, b.id, t(T0 + 3000));
    for i in [&i1, &i2, &i3] {
        s.save_interview(i).unwrap();
    }
    // Newest first.
    assert_eq!(s.interviews_of(a.id).unwrap(), vec![i2.clone(), i1.clone()]);
    let ids = |v: Vec<Interview>| v.into_iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s.interviews_between(t(T0), t(T0 + 4000)).unwrap()),
        vec![i1.id, i3.id]
    );
    assert_eq!(
        ids(s.interviews_between(t(T0 + 3000), t(T0 + 3000)).unwrap()),
        vec![i3.id]
    );
    assert!(s
        .interviews_between(t(T0 + 9000), t(T0))
        .unwrap()
        .is_empty());

    // Move i2 earlier and to beneficiary b: both indexes move.
    i2.at = t(T0 + 500);
    i2.beneficiary = b.id;
    s.save_interview(&i2).unwrap();
    assert_eq!(ids(s.interviews_of(a.id).unwrap()), vec![i1.id]);
    assert_eq!(ids(s.interviews_of(b.id).unwrap()), vec![i3.id, i2.id]);
    assert_eq!(
        ids(s.interviews_between(t(T0), t(T0 + 9000)).unwrap()),
        vec![i2.id, i1.id, i3.id]
    );
    assert_eq!(len_of(&s, "idx_interviews_by_date"), 3);
    assert_eq!(len_of(&s, "idx_children"), 3);

    // Delete: record and both index entries go; a second delete is NotFound.
    let gone = s
        .delete_interview(i1.id, t(T0 + 9999), "conseil-2")
        .unwrap();
    assert_eq!(gone, i1);
    assert_eq!(s.interview(i1.id).unwrap(), None);
    assert!(s.interviews_of(a.id).unwrap().is_empty());
    assert_eq!(len_of(&s, "idx_interviews_by_date"), 2);
    assert_eq!(len_of(&s, "idx_children"), 2);
    assert_eq!(len_of(&s, "interviews"), 2);
    let e = s
        .delete_interview(i1.id, t(T0 + 9999), "conseil-2")
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::NotFound {
                kind: RecordKind::Interview,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("Entretien introuvable"), "{e}");
}

#[test]
fn plans_and_immersions_delete_with_their_index_entries() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let a = minimal_beneficiary(1, "Alpha", None);
    s.save_beneficiary(&a).unwrap();
    let p = plan(20, a.id);
    let m = immersion(21, a.id);
    s.save_plan(&p).unwrap();
    s.save_immersion(&m).unwrap();
    assert_eq!(s.delete_plan(p.id, t(T0 + 1001), "c").unwrap(), p);
    assert_eq!(s.delete_immersion(m.id, t(T0 + 1002), "c").unwrap(), m);
    assert!(s.plans_of(a.id).unwrap().is_empty());
    assert!(s.immersions_of(a.id).unwrap().is_empty());
    for tree in ["plans", "immersions", "idx_children"] {
        assert_eq!(len_of(&s, tree), 0, "{tree}");
    }
    let j = s.journal_of(a.id).unwrap();
    assert_eq!(j[0].op, Op::Deleted);
    assert_eq!(j[0].kind, RecordKind::Immersion);
    assert_eq!(j[0].at, t(T0 + 1002));
    assert_eq!(j[1].op, Op::Deleted);
    assert_eq!(j[1].kind, RecordKind::Plan);
}

#[test]
fn records_need_an_existing_beneficiary() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let e = s.save_interview(&interview(2, id(1), t(T0))).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::NotFound {
                kind: RecordKind::Beneficiary,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(len_of(&s, "interviews"), 0);
    assert_eq!(len_of(&s, "journal"), 0);
}

// ----- journal --------------------------------------------------------------

#[test]
fn journal_names_changed_fields_without_values() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let mut b = minimal_beneficiary(1, "Zanzibar", None);
    s.save_beneficiary(&b).unwrap();
    // An identical save is a no-op.
    s.save_beneficiary(&b).unwrap();
    assert_eq!(s.journal_len().unwrap(), 1);

    b.email = Some("secret.mail@example.org".into());
    b.next_follow_up = Some(d(2026, 7, 7));
    b.meta.touch(t(T0 + 60), "conseil-2");
    s.save_beneficiary(&b).unwrap();
    let other = minimal_beneficiary(2, "Other", None);
    s.save_beneficiary(&other).unwrap();
    s.save_interview(&interview(3, b.id, t(T0 + 120))).unwrap();

    let j = s.journal_of(b.id).unwrap();
    assert_eq!(j.len(), 3);
    assert_eq!(
        j[0],
        JournalEntry {
            at: t(T0 + 120),
            advisor: "conseil-lyon".into(),
            kind: RecordKind::Interview,
            id: id(3),
            beneficiary: b.id,
            op: Op::Created,
            fields: vec![
                "at",
                "beneficiary",
                "decisions",
                "duration_minutes",
                "level",
                "mode",
                "next_follow_up",
                "place",
                "summary",
                "topics"
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            note: String::new(),
        }
    );
    assert_eq!(j[1].op, Op::Updated);
    assert_eq!(j[1].advisor, "conseil-2");
    assert_eq!(j[1].at, t(T0 + 60));
    assert_eq!(j[1].fields, vec!["email", "next_follow_up"]);
    assert_eq!(j[2].op, Op::Created);
    assert!(j[2].fields.contains(&"last_name".to_string()));
    assert_eq!(s.journal_of(other.id).unwrap().len(), 1);
    assert_eq!(s.journal_len().unwrap(), 4);
    let latest = s.journal_latest(2).unwrap();
    assert_eq!(latest.len(), 2);
    // Newest first in time (journal keys begin with the instant, so the
    // journals of two laptops merge in time order).
    assert_eq!(latest[0], j[0]);
    assert_eq!(latest[1], j[1]);

    // No personal value anywhere in the journal trees or in any key.
    for (tree, k, v) in s.dump().unwrap() {
        for secret in ["Zanzibar", "secret.mail", "Paul", "Motivation"] {
            assert!(
                !contains(&k, secret.as_bytes()),
                "{secret} in a key of {tree}"
            );
            if tree.contains("journal") {
                assert!(!contains(&v, secret.as_bytes()), "{secret} in {tree}");
            }
        }
    }
}

// ----- erasure --------------------------------------------------------------

/// Saves a beneficiary with 2 interviews, a plan, an immersion and an update.
fn populate(s: &Store, n: u8, name: &str) -> Vec<Id> {
    let mut b = minimal_beneficiary(n, name, Some(d(2026, 6, n as u32)));
    s.save_beneficiary(&b).unwrap();
    b.constraints = format!("{name} contrainte");
    b.meta.touch(t(T0 + 10), "c");
    s.save_beneficiary(&b).unwrap();
    let mut i = interview(n + 1, b.id, t(T0 + n as i64 * 100));
    i.summary = format!("{name} résumé");
    s.save_interview(&i).unwrap();
    s.save_interview(&interview(n + 2, b.id, t(T0 + n as i64 * 100 + 1)))
        .unwrap();
    s.save_plan(&plan(n + 3, b.id)).unwrap();
    s.save_immersion(&immersion(n + 4, b.id)).unwrap();
    s.delete_interview(id(n + 2), t(T0 + 20), "c").unwrap();
    vec![b.id, id(n + 1), id(n + 2), id(n + 3), id(n + 4)]
}

#[test]
fn erasure_leaves_no_trace_in_any_tree() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let gone = populate(&s, 10, "Effacee");
    let kept = populate(&s, 20, "Gardee");
    s.save_referentiel(&referentiel("v", 1)).unwrap();
    s.set_recent(&[gone[0], kept[0]]).unwrap();

    // Baseline: a store that only ever held the kept beneficiary.
    let base_dir = tempfile::tempdir().unwrap();
    let base = Store::open(&base_dir.path().join("base")).unwrap();
    populate(&base, 20, "Gardee");
    base.save_referentiel(&referentiel("v", 1)).unwrap();
    base.set_recent(&[kept[0]]).unwrap();

    let report = s.erase_beneficiary(gone[0]).unwrap();
    assert_eq!(
        report,
        ErasureReport {
            beneficiary: true,
            interviews: 1,
            plans: 1,
            immersions: 1,
            registrations: 0,
            // create, update, 2 interview creations, plan, immersion, delete
            journal_entries: 7,
            // follow-up, children (interview, plan, immersion), interview by
            // date, immersion by start, 7 journal
            index_entries: 13,
            recent: true,
        }
    );
    assert_eq!(
        without_register(lengths(&s)),
        without_register(lengths(&base))
    );
    for (tree, k, v) in s.dump().unwrap() {
        for i in &gone {
            if tree == "erased" && k == gone[0].0 {
                // The erasure register keeps the bare id (no data): a
                // restored backup is erased again from it.
                continue;
            }
            if tree == "audit" {
                // The audit log says this id was erased (checked below);
                // it holds no other data of the person.
                continue;
            }
            assert!(!contains(&k, &i.0), "id {i} in a key of {tree}");
            assert!(!contains(&v, &i.0), "id {i} in a value of {tree}");
        }
        assert!(!contains(&v, b"Effacee"), "name in {tree}");
    }
    assert_eq!(s.erased_ids().unwrap(), vec![gone[0]]);
    let audit = s.audit_of(gone[0]).unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(
        audit[0].action,
        passerelle::store::audit::AuditAction::Erasure
    );
    assert_eq!(s.beneficiary(gone[0]).unwrap(), None);
    assert!(s.journal_of(gone[0]).unwrap().is_empty());
    assert!(s.interviews_of(gone[0]).unwrap().is_empty());
    assert_eq!(s.recent().unwrap(), vec![kept[0]]);
    // The other file is intact.
    assert_eq!(
        s.beneficiary(kept[0]).unwrap(),
        base.beneficiary(kept[0]).unwrap()
    );
    assert_eq!(s.interviews_of(kept[0]).unwrap().len(), 1);
    assert_eq!(s.journal_of(kept[0]).unwrap().len(), 7);
    // Nothing left to erase.
    let e = s.erase_beneficiary(gone[0]).unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    // And it is durable.
    drop(s);
    let s = Store::open(&dir.path().join("base")).unwrap();
    assert_eq!(
        without_register(lengths(&s)),
        without_register(lengths(&base))
    );
}

fn without_register(v: Vec<(String, usize)>) -> Vec<(String, usize)> {
    // The erasure register and the audit log record the erasure itself.
    v.into_iter()
        .filter(|(n, _)| n != "erased" && n != "audit")
        .collect()
}

// ----- corruption and versions ---------------------------------------------

#[test]
fn corrupted_and_unknown_values_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (id(1), id(2), id(3));
    {
        let s = Store::open(&dir.path().join("base")).unwrap();
        for (n, name) in [(1, "A"), (2, "B"), (3, "C")] {
            s.save_beneficiary(&minimal_beneficiary(n, name, None))
                .unwrap();
        }
    }
    {
        // Tamper with the raw values through sled itself.
        let db = sled::open(dir.path().join("base")).unwrap();
        let tree = db.open_tree("beneficiaries").unwrap();
        let v = tree.get(a.0).unwrap().unwrap().to_vec();
        tree.insert(a.0, &v[..v.len() - 4]).unwrap(); // truncated payload
        let mut v99 = tree.get(b.0).unwrap().unwrap().to_vec();
        v99[..2].copy_from_slice(&99u16.to_be_bytes()); // newer version
        tree.insert(b.0, v99).unwrap();
        let mut enc = tree.get(c.0).unwrap().unwrap().to_vec();
        enc[2] = 1; // encrypted flag
        tree.insert(c.0, enc).unwrap();
        db.flush().unwrap();
    }
    let s = Store::open(&dir.path().join("base")).unwrap();
    let e = s.beneficiary(a).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Decode {
                kind: RecordKind::Beneficiary,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("illisible"), "{e}");
    let e = s.beneficiary(b).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::UnknownVersion {
                kind: RecordKind::Beneficiary,
                found: 99,
                supported: 2
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("plus récente"), "{e}");
    // A value marked encrypted in a clear store: the key is asked for.
    let e = s.beneficiary(c).unwrap_err();
    assert!(matches!(e, StoreError::KeyRequired), "{e:?}");
    // Tolerant reading: the three unreadable files are reported with their
    // ids, the list itself does not fail.
    s.save_beneficiary(&minimal_beneficiary(4, "D", None))
        .unwrap();
    let scan = s.beneficiaries().unwrap();
    assert_eq!(scan.records.len(), 1);
    assert_eq!(scan.records[0].last_name, "D");
    let ids: Vec<_> = scan.damaged.iter().map(|d| d.id).collect();
    assert_eq!(ids, vec![Some(a), Some(b), Some(c)]);
    let msg = scan.damaged_summary().unwrap();
    assert!(
        msg.contains("3 enregistrements illisibles") && msg.contains(&a.short()),
        "{msg}"
    );
    // Updating a record whose stored value is unreadable is refused, not
    // silently overwritten.
    assert!(s
        .save_beneficiary(&minimal_beneficiary(1, "A2", None))
        .is_err());
}

// ----- locking --------------------------------------------------------------

#[test]
fn second_open_in_same_process_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let _s = Store::open(&dir.path().join("base")).unwrap();
    let e = Store::open(&dir.path().join("base"))
        .err()
        .expect("must be locked");
    assert!(e.is_locked(), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "Le dossier de données {} est déjà ouvert par une autre instance de Passerelle. \
             Fermez-la puis réessayez.",
            dir.path().display()
        )
    );
}

const LOCK_PROBE_ENV: &str = "PASSERELLE_TEST_LOCK_PROBE_DIR";

#[test]
fn second_process_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "lock_probe_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LOCK_PROBE_ENV, dir.path().join("base"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("PROBE: LOCKED"), "{stdout}");
    drop(s);
}

/// Child side of `second_process_is_locked` (does nothing when run alone).
#[test]
#[ignore]
fn lock_probe_child() {
    let Some(dir) = std::env::var_os(LOCK_PROBE_ENV) else {
        return;
    };
    match Store::open(Path::new(&dir)) {
        Err(e) if e.is_locked() => println!("PROBE: LOCKED"),
        Err(e) => panic!("unexpected error: {e:?}"),
        Ok(_) => panic!("the second process opened the store"),
    }
}

// ----- fixture --------------------------------------------------------------

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v1")
}

/// The content of the v1 fixture. Never change it: the fixture must keep
/// decoding to exactly these values.
fn fixture_records() -> (Vec<Beneficiary>, Interview, Plan, Immersion, Referentiel) {
    let full = full_beneficiary(1);
    let mut second = minimal_beneficiary(2, "Bernard", Some(d(2026, 6, 2)));
    second.meta.touch(t(T0 + 30), "conseil-annecy");
    (
        vec![full.clone(), second],
        interview(3, full.id, t(T0 + 3600)),
        plan(4, full.id),
        immersion(5, full.id),
        referentiel("ROME fixture", 2),
    )
}

/// The fixture's plan once format 4 moved the file's targets into it.
fn migrated_plan(mut p: Plan) -> Plan {
    p.add_target(PlanTarget::from(target(
        0,
        "K2111",
        "Formateur / Formatrice",
    )));
    p
}

/// Asserts that `s` holds the fixture's records as today's format reads
/// them; returns its files.
fn assert_fixture_records(s: &Store) -> Vec<Beneficiary> {
    let (bens, i, p, m, r) = fixture_records();
    assert_eq!(s.beneficiaries().unwrap().records, bens);
    assert_eq!(s.interviews_of(bens[0].id).unwrap(), vec![i]);
    assert_eq!(s.plans_of(bens[0].id).unwrap(), vec![migrated_plan(p)]);
    assert_eq!(s.immersions_of(bens[0].id).unwrap(), vec![m]);
    assert_eq!(s.referentiel().unwrap(), Some(r));
    bens
}

/// `tests/fixtures/store-v4`: a store of format 4 (`base/` and its
/// manifest `base.etat`).
fn fixture_dir_v4() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v4")
}

fn fixture_mobilites() -> Mobilities {
    Mobilities {
        version: "mobilités fixture".into(),
        rows: vec![
            Mobility {
                from_rome: "K1302".into(),
                from_ogr: None,
                to_rome: "J1501".into(),
                to_ogr: None,
                kind: MobilityKind::Evolution,
            },
            Mobility {
                from_rome: "K1302".into(),
                from_ogr: Some(38_001),
                to_rome: "K1304".into(),
                to_ogr: Some(12_345),
                kind: MobilityKind::Proche,
            },
        ],
    }
}

/// Rewrites `tests/fixtures/store-v4`. Run only on purpose (see the
/// module doc): `cargo test --test store write_fixture_store_v4 -- --ignored --exact`.
#[test]
#[ignore]
fn write_fixture_store_v4() {
    let root = fixture_dir_v4();
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("base");
    let (bens, i, p, m, r) = fixture_records();
    let s = Store::open(&dir).unwrap();
    let mut first = bens[1].clone();
    first.meta.updated_at = first.meta.created_at;
    first.next_follow_up = None;
    s.save_beneficiary(&first).unwrap();
    for b in &bens {
        s.save_beneficiary(b).unwrap();
    }
    s.save_interview(&i).unwrap();
    s.save_plan(&migrated_plan(p)).unwrap();
    s.save_immersion(&m).unwrap();
    s.save_referentiel(&r).unwrap();
    s.save_mobilites(&fixture_mobilites()).unwrap();
    s.set_recent(&[bens[1].id, bens[0].id]).unwrap();
    s.flush().unwrap();
}

#[test]
fn fixture_store_v4_still_opens() {
    let root = fixture_dir_v4();
    assert!(
        root.join("base/db").exists(),
        "fixture missing: run write_fixture_store_v4"
    );
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root, tmp.path());
    let s = Store::open(&tmp.path().join("base")).unwrap();
    let bens = assert_fixture_records(&s);
    assert_eq!(s.mobilites().unwrap(), Some(fixture_mobilites()));
    assert_eq!(s.recent().unwrap(), vec![bens[1].id, bens[0].id]);
    let report = passerelle::store::check::check(&s).unwrap();
    assert!(report.is_sound(), "{:?}", report.problems);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn fixture_store_v1_still_opens() {
    assert!(
        fixture_dir().join("db").exists(),
        "fixture missing: run write_fixture_store"
    );
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture_dir(), &tmp.path().join("base"));
    let s = Store::open(&tmp.path().join("base")).unwrap();
    let (bens, i, p, m, r) = fixture_records();
    assert_eq!(s.beneficiaries().unwrap().records, bens);
    assert_eq!(s.interviews_of(bens[0].id).unwrap(), vec![i]);
    // Format 4: the file's target métiers (K1202, then K2111) moved to its
    // plan, which already held K1202: K2111 is added after it, once.
    assert_eq!(s.plans_of(bens[0].id).unwrap(), vec![migrated_plan(p)]);
    assert_eq!(s.plan_of(bens[1].id).unwrap(), None, "no targets, no plan");
    assert_eq!(s.immersions_of(bens[0].id).unwrap(), vec![m]);
    assert_eq!(s.referentiel().unwrap(), Some(r));
    assert_eq!(s.recent().unwrap(), vec![bens[1].id, bens[0].id]);
    assert_eq!(
        s.follow_ups_until(d(2026, 12, 31)).unwrap(),
        vec![(d(2026, 6, 2), bens[1].id), (d(2026, 6, 15), bens[0].id)]
    );
    let j = s.journal_of(bens[1].id).unwrap();
    assert_eq!(
        j.iter().map(|e| e.op).collect::<Vec<_>>(),
        vec![Op::Updated, Op::Created]
    );
    assert_eq!(j[0].fields, vec!["next_follow_up"]);
    assert_eq!(j[0].advisor, "conseil-annecy");
    assert_eq!(s.journal_len().unwrap(), 6);
    // The format stays writable: a new save works and reads back.
    let mut b = bens[1].clone();
    b.constraints = "nouvelle contrainte".into();
    s.save_beneficiary(&b).unwrap();
    assert_eq!(s.beneficiary(b.id).unwrap(), Some(b));
}

/// The v1 fixture migrates to today's format, then is encrypted (as the
/// TUI or `passerelle init` does on first unlock): same records, and no
/// name or e-mail left in any file of the data directory.
#[test]
fn fixture_store_v1_migrates_then_encrypts() {
    use passerelle::store::crypto::{KdfParams, Secret};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    copy_dir(&fixture_dir(), &Store::dir_in(data));
    let s = Store::open(&Store::dir_in(data)).unwrap();
    let stamp = d(2026, 11, 28).and_hms_opt(9, 0, 0).unwrap();
    let pass = Secret::new("phrase du test de migration v1");
    let s = s
        .encrypt_with(&pass, KdfParams::FAST_FOR_TESTS, stamp)
        .unwrap();
    drop(s);
    let s = Store::open(&Store::dir_in(data)).unwrap();
    assert!(s.is_locked());
    assert!(
        s.beneficiaries()
            .map_or(true, |scan| scan.records.is_empty()),
        "nothing reads before unlock"
    );
    s.unlock(&pass).unwrap();
    assert_fixture_records(&s);
    assert_eq!(s.journal_len().unwrap(), 6);
    drop(s);
    let mut files = 0;
    let mut stack = vec![data.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            for secret in ["ines.martin@example.org", "Martin", "06 12 34 56 78"] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret} in {}",
                    path.display()
                );
            }
        }
    }
    assert!(files > 2, "the store and its backup were read");
}

// ----- multi-record writes ----------------------------------------------------

#[test]
fn apply_writes_several_records_in_one_transaction_or_none() {
    use passerelle::store::{AnyRecord, Write};
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let b = minimal_beneficiary(1, "Dupont", None);
    let i = interview(2, b.id, t(1_790_000_000));
    s.apply(&[
        Write::Put(AnyRecord::from(b.clone())),
        Write::Put(AnyRecord::from(i.clone())),
    ])
    .unwrap();
    assert_eq!(s.beneficiary(b.id).unwrap(), Some(b.clone()));
    assert_eq!(s.interviews_of(b.id).unwrap(), vec![i.clone()]);
    let journal = s.journal_len().unwrap();

    // The second write fails (its file does not exist): the first one,
    // a valid change, must not be kept either.
    let mut b2 = b.clone();
    b2.last_name = "Durand".into();
    let orphan = interview(3, id(99), t(1_790_086_400));
    let e = s
        .apply(&[
            Write::Put(AnyRecord::from(b2)),
            Write::Put(AnyRecord::from(orphan)),
        ])
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    assert_eq!(s.beneficiary(b.id).unwrap(), Some(b.clone()));
    assert_eq!(s.journal_len().unwrap(), journal);

    // Deleting through apply journals the deletion and removes the indexes.
    s.apply(&[Write::Delete {
        kind: RecordKind::Interview,
        id: i.id,
        at: t(1_790_172_800),
        advisor: "conseil".into(),
    }])
    .unwrap();
    assert!(s.interviews_of(b.id).unwrap().is_empty());
    assert_eq!(s.journal_len().unwrap(), journal + 1);
}

// ----- information sessions, registrations, date indexes -----------------------

#[test]
fn sessions_registrations_and_immersion_dates_follow_their_indexes() {
    use passerelle::store::check;
    use passerelle::store::{AnyRecord, Write};
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let a = minimal_beneficiary(1, "Alpha", None);
    let b = minimal_beneficiary(2, "Bravo", None);
    s.save_beneficiary(&a).unwrap();
    s.save_beneficiary(&b).unwrap();
    let session = InfoSession {
        id: id(30),
        start: t(T0 + 86_400 * 3),
        duration_minutes: 90,
        place: "Lyon".into(),
        video_link: String::new(),
        topic: "Reconversion".into(),
        organiser: "CEP".into(),
        capacity: 10,
        meta: Meta::new(t(T0), "c"),
    };
    s.save_session(&session).unwrap();
    let reg = |n: u8, ben: Id| SessionRegistration {
        id: id(n),
        session: session.id,
        beneficiary: ben,
        registered_on: d(2026, 5, 28),
        meta: Meta::new(t(T0 + n as i64), "c"),
    };
    s.apply(&[
        Write::Put(AnyRecord::from(reg(31, a.id))),
        Write::Put(AnyRecord::from(reg(32, b.id))),
    ])
    .unwrap();
    assert_eq!(s.registrations_of_session(session.id).unwrap().len(), 2);
    assert_eq!(s.registrations_of(a.id).unwrap(), vec![reg(31, a.id)]);
    assert_eq!(
        s.sessions_between(t(T0), t(T0 + 86_400 * 7)).unwrap(),
        vec![session.clone()]
    );
    assert!(s.sessions_between(t(T0), t(T0 + 3600)).unwrap().is_empty());

    // An immersion is found by the dates it runs.
    let m = immersion(40, a.id);
    s.save_immersion(&m).unwrap();
    let running = s.immersions_running_between(m.end, m.end).unwrap();
    assert_eq!(running.len(), 1);
    let after = m.end.succ_opt().unwrap();
    assert!(s
        .immersions_running_between(after, after)
        .unwrap()
        .is_empty());
    assert!(check::check(&s).unwrap().is_sound());

    // Erasing a person removes their registration and its session index
    // entry; the session and the other registration stay.
    let r = s.erase_beneficiary(a.id).unwrap();
    assert_eq!(r.registrations, 1);
    assert_eq!(
        s.registrations_of_session(session.id).unwrap(),
        vec![reg(32, b.id)]
    );
    assert!(
        check::check(&s).unwrap().is_sound(),
        "{:?}",
        check::check(&s)
    );

    // Deleting the session removes the remaining registrations with it.
    let removed = s.delete_session(session.id, t(T0 + 100), "c").unwrap();
    assert_eq!(removed.len(), 1);
    assert!(s.registrations_of(b.id).unwrap().is_empty());
    assert_eq!(s.session(session.id).unwrap(), None);
    let report = check::check(&s).unwrap();
    assert!(report.is_sound(), "{report:?}");
    assert_eq!(report.counts["sessions"], 0);
    assert_eq!(report.counts["registrations"], 0);
}
