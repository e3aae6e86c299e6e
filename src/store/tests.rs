//! Unit tests of the codec, the version dispatch and the lock.

use super::codec::{self, encode, encode_with, FLAG_ENCRYPTED};
use super::legacy::current;
use super::*;
use crate::domain::{Beneficiary, Meta};

fn sample() -> Beneficiary {
    let t = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
    let mut b = Beneficiary::new(Id([3; 16]), "Martin", "Inès", Meta::new(t, "conseil-1"));
    b.email = Some("ines@example.org".into());
    b.next_follow_up = NaiveDate::from_ymd_opt(2026, 12, 1);
    b
}

#[test]
fn envelope_layout_is_version_flags_payload() {
    let b = sample();
    let bytes = encode(&b).unwrap();
    assert_eq!(&bytes[..3], &[0, 2, 0]);
    assert_eq!(codec::decode::<Beneficiary>(&bytes).unwrap(), b);
    // varint bincode: not the fixint layout of `bincode::serialize`.
    assert_ne!(&bytes[3..], bincode::serialize(&b).unwrap().as_slice());
}

#[test]
fn unknown_versions_are_errors_not_panics() {
    let b = sample();
    for v in [0u16, 3, 99, u16::MAX] {
        let bytes = encode_with(RecordKind::Beneficiary, v, 0, &b).unwrap();
        match codec::decode::<Beneficiary>(&bytes) {
            Err(StoreError::UnknownVersion {
                kind: RecordKind::Beneficiary,
                found,
                supported: 2,
            }) => assert_eq!(found, v),
            other => panic!("version {v}: {other:?}"),
        }
    }
    let newer = encode_with(RecordKind::Beneficiary, 7, 0, &b).unwrap();
    let msg = codec::decode::<Beneficiary>(&newer)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("plus récente") && msg.contains("Mettez Passerelle à jour"),
        "{msg}"
    );
    let zero = encode_with(RecordKind::Beneficiary, 0, 0, &b).unwrap();
    let msg = codec::decode::<Beneficiary>(&zero).unwrap_err().to_string();
    assert!(msg.contains("version inconnue (0)"), "{msg}");
}

#[test]
fn a_version_1_file_decodes_without_its_targets() {
    use super::legacy::v1::BeneficiaryV1;
    let b = sample();
    let target = crate::domain::TargetMetier {
        ogr: 12_345,
        rome: "K1202".into(),
        label: "EJE".into(),
    };
    let old = BeneficiaryV1 {
        id: b.id,
        last_name: b.last_name.clone(),
        first_name: b.first_name.clone(),
        birth: None,
        email: b.email.clone(),
        phone: None,
        postcode: None,
        commune: None,
        region: None,
        branch: None,
        employer: Default::default(),
        contract: None,
        working_time: None,
        seniority_company_months: None,
        seniority_total_months: None,
        qualification_level: None,
        current_job: None,
        cpf_balance: None,
        request: None,
        constraints: String::new(),
        next_follow_up: b.next_follow_up,
        last_contact: None,
        status: crate::domain::Status::Open,
        consent: Default::default(),
        targets: vec![target.clone()],
        cep_level: None,
        meta: b.meta.clone(),
    };
    let bytes = encode_with(RecordKind::Beneficiary, 1, 0, &old).unwrap();
    assert_eq!(codec::decode::<Beneficiary>(&bytes).unwrap(), b);
    // The bytes of version 2 are not those of version 1.
    assert!(
        codec::payload::<BeneficiaryV1>(RecordKind::Beneficiary, &encode(&b).unwrap()[3..])
            .is_err()
    );
    assert_eq!(old.split().1, vec![target]);
}

#[test]
fn flag_bits_are_refused_clearly() {
    let b = sample();
    for flags in [0x80, 0xff, 0x02] {
        let bytes = encode_with(RecordKind::Beneficiary, 1, flags, &b).unwrap();
        let e = codec::decode::<Beneficiary>(&bytes).unwrap_err();
        assert!(matches!(e, StoreError::UnsupportedFlags { flags: f, .. } if f == flags));
        assert!(e.to_string().contains("chiffré"), "{e}");
    }
    // The encryption bit without a key: the passphrase is asked for.
    let bytes = encode_with(RecordKind::Beneficiary, 1, FLAG_ENCRYPTED, &b).unwrap();
    let e = codec::decode::<Beneficiary>(&bytes).unwrap_err();
    assert!(matches!(e, StoreError::KeyRequired), "{e:?}");
    assert!(e.to_string().contains("phrase secrète"), "{e}");
}

#[test]
fn the_codec_seals_confidential_kinds_and_binds_kind_and_version() {
    use super::crypto::{KdfParams, KeyFile, Secret};
    let (_, key) =
        KeyFile::create(&Secret::new("phrase de test"), KdfParams::FAST_FOR_TESTS).unwrap();
    let c = codec::Codec::encrypted(Some(key.clone()));
    let b = sample();
    let bytes = c.encode(&b).unwrap();
    assert_eq!(bytes[2], FLAG_ENCRYPTED);
    assert!(!bytes.windows(6).any(|w| w == b"Martin"));
    assert_eq!(c.decode::<Beneficiary>(&bytes).unwrap(), b);
    // Moved under another kind: the authentication fails.
    let e = c.decode::<crate::domain::Interview>(&bytes).unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}");
    // Public data stays clear even in an encrypted store.
    let fiche = crate::domain::RomeFiche {
        code: "K1202".into(),
        label: "Éducation de jeunes enfants".into(),
    };
    assert_eq!(c.encode(&fiche).unwrap()[2], 0);
    // Locked: neither read nor write.
    c.forget_key();
    assert!(matches!(
        c.decode::<Beneficiary>(&bytes),
        Err(StoreError::KeyRequired)
    ));
    assert!(matches!(c.encode(&b), Err(StoreError::KeyRequired)));
    // A clear codec still reads clear values.
    assert_eq!(
        codec::Codec::clear()
            .decode::<Beneficiary>(&encode(&b).unwrap())
            .unwrap(),
        b
    );
}

#[test]
fn truncated_trailing_and_short_values_are_decode_errors() {
    let b = sample();
    let bytes = encode(&b).unwrap();
    for len in 0..3 {
        assert!(matches!(
            codec::decode::<Beneficiary>(&bytes[..len]),
            Err(StoreError::Corrupt { .. })
        ));
    }
    for len in 3..bytes.len() {
        assert!(
            matches!(
                codec::decode::<Beneficiary>(&bytes[..len]),
                Err(StoreError::Decode { .. })
            ),
            "truncated to {len}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    let e = codec::decode::<Beneficiary>(&longer).unwrap_err();
    assert!(matches!(e, StoreError::Decode { .. }), "{e:?}");
    // No personal value in the message.
    assert!(!e.to_string().contains("Martin"));
}

#[test]
fn mutated_values_never_panic() {
    let bytes = encode(&sample()).unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut errors = 0;
    for _ in 0..5000 {
        let mut v = bytes.clone();
        for _ in 0..(next() % 4 + 1) {
            let i = 3 + (next() as usize) % (v.len() - 3);
            v[i] = next() as u8;
        }
        if codec::decode::<Beneficiary>(&v).is_err() {
            errors += 1;
        }
    }
    assert!(errors > 0);
    // Huge length prefixes hit the limit instead of allocating.
    let mut huge = vec![0, 1, 0];
    huge.extend_from_slice(&[16; 16]);
    huge.extend_from_slice(&[0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    assert!(codec::decode::<Beneficiary>(&huge).is_err());
}

#[test]
fn second_open_in_the_same_process_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let a = Store::open(&dir.path().join("base")).unwrap();
    let e = Store::open(&dir.path().join("base"))
        .err()
        .expect("second open must fail");
    assert!(e.is_locked(), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("déjà ouvert par une autre instance"), "{msg}");
    drop(a);
    // Once closed, it opens again.
    Store::open(&dir.path().join("base")).unwrap();
}

#[test]
fn newer_store_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path().join("base")).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("format", &(current::STORE_FORMAT + 1).to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let e = Store::open(&dir.path().join("base"))
        .err()
        .expect("newer format");
    assert!(
        matches!(
            e,
            StoreError::NewerStore {
                found,
                supported: current::STORE_FORMAT,
                ..
            } if found == current::STORE_FORMAT + 1
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("plus récente"));
}

#[test]
fn open_creates_missing_dir_and_writes_format() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("a/b");
    let s = Store::open(&sub).unwrap();
    let names: Vec<String> = s
        .tree_names_and_lengths()
        .unwrap()
        .into_iter()
        .map(|x| x.0)
        .collect();
    for n in TX_TREE_NAMES.iter().chain([&META_TREE, &REFERENTIEL_TREE]) {
        assert!(names.iter().any(|x| x == n), "{n} missing in {names:?}");
    }
    assert_eq!(
        s.db.open_tree("meta")
            .unwrap()
            .get("format")
            .unwrap()
            .unwrap()
            .as_ref(),
        &current::STORE_FORMAT.to_be_bytes()
    );
    // A file where the directory should be: a clear error, no panic.
    let file = dir.path().join("fichier");
    std::fs::write(&file, b"x").unwrap();
    let e = Store::open(&file.join("x")).err().unwrap();
    assert!(
        matches!(
            e,
            StoreError::Io {
                cause: IoCause::NotADirectory,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("désigne un fichier"), "{e}");
}

#[test]
fn store_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Store>();
    assert_send_sync::<StoreError>();
}

#[test]
fn close_and_reopen_in_a_loop() {
    // sled releases its file lock from background threads after a drop;
    // `open` must wait for it rather than report a false « déjà ouvert ».
    let dir = tempfile::tempdir().unwrap();
    for i in 0..30 {
        let s =
            Store::open(&dir.path().join("base")).unwrap_or_else(|e| panic!("round {i}: {e:?}"));
        s.set_recent(&[Id([i as u8; 16])]).unwrap();
        s.flush().unwrap();
    }
    let s = Store::open(&dir.path().join("base")).unwrap();
    assert_eq!(s.recent().unwrap(), vec![Id([29; 16])]);
    let t0 = std::time::Instant::now();
    let e = Store::open_waiting(&dir.path().join("base"), Duration::from_millis(100))
        .err()
        .unwrap();
    assert!(e.is_locked());
    assert!(t0.elapsed() >= Duration::from_millis(100));
}

#[test]
fn journal_keys_merge_across_stores_in_time_order() {
    // Two laptops (two store ids) journal at the same instant with the same
    // local counter: the keys differ, and keys sort by time first, so two
    // journals merge without collision and in time order.
    let t0 = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    let t1 = DateTime::from_timestamp(1_790_000_001, 0).unwrap();
    let (a, b) = (Id([1; 16]), Id([2; 16]));
    assert_ne!(journal_key(t0, a, 1), journal_key(t0, b, 1));
    assert!(journal_key(t0, b, 9) < journal_key(t1, a, 1));
    assert!(journal_key(t0, a, 1) < journal_key(t0, a, 2));
    assert_eq!(journal_key(t0, a, 1).len(), 32);
    // Every store gets its own random id at creation.
    let d1 = tempfile::tempdir().unwrap();
    let d2 = tempfile::tempdir().unwrap();
    let s1 = Store::open(&d1.path().join("base")).unwrap();
    let s2 = Store::open(&d2.path().join("base")).unwrap();
    assert_ne!(s1.id(), s2.id());
}

/// Rewrites a store's files as format 3 would have left them: every file
/// in envelope version 1 with `targets`, the format number 3.
fn as_format_3(dir: &std::path::Path, targets: &[(Id, Vec<crate::domain::TargetMetier>)]) {
    use super::legacy::v1::BeneficiaryV1;
    let db = sled::open(dir).unwrap();
    let bens = db.open_tree("beneficiaries").unwrap();
    for (id, list) in targets {
        let b: Beneficiary = codec::decode(&bens.get(id.0).unwrap().unwrap()).unwrap();
        let old = BeneficiaryV1 {
            id: b.id,
            last_name: b.last_name,
            first_name: b.first_name,
            birth: b.birth,
            email: b.email,
            phone: b.phone,
            postcode: b.postcode,
            commune: b.commune,
            region: b.region,
            branch: b.branch,
            employer: b.employer,
            contract: b.contract,
            working_time: b.working_time,
            seniority_company_months: b.seniority_company_months,
            seniority_total_months: b.seniority_total_months,
            qualification_level: b.qualification_level,
            current_job: b.current_job,
            cpf_balance: b.cpf_balance,
            request: b.request,
            constraints: b.constraints,
            next_follow_up: b.next_follow_up,
            last_contact: b.last_contact,
            status: b.status,
            consent: b.consent,
            targets: list.clone(),
            cep_level: b.cep_level,
            meta: b.meta,
        };
        let bytes = encode_with(RecordKind::Beneficiary, 1, 0, &old).unwrap();
        bens.insert(id.0, bytes).unwrap();
    }
    db.open_tree("meta")
        .unwrap()
        .insert("format", &3u16.to_be_bytes())
        .unwrap();
    db.flush().unwrap();
}

#[test]
fn format_4_moves_the_targets_of_files_into_their_plans() {
    use crate::domain::{Plan, PlanTarget, TargetMetier};
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let t = |ogr: u32, rome: &str| TargetMetier {
        ogr,
        rome: rome.into(),
        label: format!("métier {rome}"),
    };
    let created = DateTime::from_timestamp(1_760_000_000, 0).unwrap(); // 2025-10-09
    let no_plan = Beneficiary::new(Id([1; 16]), "Sans", "Plan", Meta::new(created, "c"));
    let with_plan = Beneficiary::new(Id([2; 16]), "Avec", "Plan", Meta::new(created, "c"));
    let no_targets = Beneficiary::new(Id([3; 16]), "Sans", "Cible", Meta::new(created, "c"));
    let mut plan = Plan::new(
        Id([9; 16]),
        with_plan.id,
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        Meta::new(created, "c"),
    );
    plan.add_target(PlanTarget::from(t(1, "K1202")));
    {
        let s = Store::open(&base).unwrap();
        for b in [&no_plan, &with_plan, &no_targets] {
            s.save_beneficiary(b).unwrap();
        }
        s.save_plan(&plan).unwrap();
    }
    as_format_3(
        &base,
        &[
            (no_plan.id, vec![t(5, "J1501"), t(6, "J1304")]),
            (with_plan.id, vec![t(1, "K1202"), t(7, "K2111")]),
        ],
    );
    let s = Store::open(&base).unwrap();
    assert_eq!(s.beneficiaries().unwrap().records.len(), 3);
    // A new plan, begun the day the file was created, targets in order.
    let p = s.plan_of(no_plan.id).unwrap().expect("plan created");
    let romes = |p: &Plan| p.targets.iter().map(|t| t.rome.clone()).collect::<Vec<_>>();
    assert_eq!(romes(&p), ["J1501", "J1304"]);
    assert_eq!(p.started_on, NaiveDate::from_ymd_opt(2025, 10, 9).unwrap());
    // The existing plan keeps its start; K1202 is not doubled.
    let p = s.plan_of(with_plan.id).unwrap().unwrap();
    assert_eq!(p.id, plan.id);
    assert_eq!(romes(&p), ["K1202", "K2111"]);
    assert_eq!(p.started_on, plan.started_on);
    assert_eq!(s.plan_of(no_targets.id).unwrap(), None);
    // Indexes and counters follow: the store checks sound, every file is
    // version 2 now.
    let report = check::check(&s).unwrap();
    assert!(report.is_sound(), "{:?}", report.problems);
    assert_eq!(s.counts().unwrap()["plans"], 2);
    for kv in s.tx_trees[BEN].iter() {
        assert_eq!(&kv.unwrap().1[..2], &current::BENEFICIARY.to_be_bytes());
    }
    // A backup was made before.
    assert!(crate::store::backup::list(&s.paths().backups())
        .unwrap()
        .0
        .iter()
        .any(|b| b.header.reason == "avant-migration"));
}

#[test]
fn the_audit_log_is_append_only_per_file_and_sealed_when_encrypted() {
    use super::audit::AuditAction;
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    let s = s
        .encrypt_with(
            &crypto::Secret::new("une phrase secrète de test"),
            crypto::KdfParams::FAST_FOR_TESTS,
            NaiveDate::from_ymd_opt(2026, 11, 28)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        )
        .unwrap();
    s.set_advisor("Claire Dubois");
    let b = sample();
    s.save_beneficiary(&b).unwrap();
    let t1 = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    let t2 = DateTime::from_timestamp(1_790_000_100, 0).unwrap();
    s.record_audit(AuditAction::Export, Some(b.id), "synthèse HTML", t1)
        .unwrap();
    s.record_audit(AuditAction::UnlockFailures, None, "2 échecs", t2)
        .unwrap();
    let all = s.audit_between(t1, t2).unwrap();
    assert_eq!(
        all.iter().map(|e| e.action).collect::<Vec<_>>(),
        vec![AuditAction::Export, AuditAction::UnlockFailures]
    );
    assert_eq!(all[0].advisor, "Claire Dubois");
    // The window is inclusive and nothing outside it shows.
    assert_eq!(s.audit_between(t2, t2).unwrap().len(), 1);
    let of_file = s.audit_of(b.id).unwrap();
    assert_eq!(of_file.len(), 1);
    assert_eq!(of_file[0].detail, "synthèse HTML");
    // An erasure is audited with the id only; the earlier events stay.
    s.erase_beneficiary(b.id).unwrap();
    let of_file = s.audit_of(b.id).unwrap();
    assert_eq!(
        of_file.iter().map(|e| e.action).collect::<Vec<_>>(),
        vec![AuditAction::Erasure, AuditAction::Export]
    );
    assert!(!of_file[0].detail.contains("Martin"));
    // Values in the audit tree are sealed, and the full check reads them.
    for kv in s.tx_trees[AUDIT].iter() {
        let v = kv.unwrap().1;
        assert!(!v
            .windows(7)
            .any(|w| w == b"Dubois ".as_slice() || w == b"synth\xc3\xa8s"));
        assert_ne!(v[2] & FLAG_ENCRYPTED, 0);
    }
    assert!(check::check(&s).unwrap().problems.is_empty());
}
