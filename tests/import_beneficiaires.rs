//! Library-level tests of the CSV reader and the beneficiary import
//! (`passerelle::transfer::{csv, import}`), against a real store in a temp dir.

use chrono::{DateTime, NaiveDate, Utc};
use passerelle::catalog::Catalog;
use passerelle::csvfile::{self as csv, CsvError};
use passerelle::domain::{Beneficiary, Birth, Branches, Cents, ContractType, Id, Meta};
use passerelle::store::Store;
use passerelle::transfer::import::{import_csv, ImportError, ImportOptions, ImportReport};
use passerelle::transfer::{short_id, SequentialIds};
use std::time::Instant;

const HEADER: &str =
    "nom;prenom;email;telephone;code_postal;idcc;employeur;contrat;anciennete_mois;niveau;solde_cpf";

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_000_000, 0).unwrap() // 2026-05-28
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 28).unwrap()
}

fn branches() -> Branches {
    Catalog::builtin_shared().unwrap().branches().clone()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("base")).unwrap();
    (dir, s)
}

fn import(store: &Store, bytes: &[u8]) -> Result<ImportReport, ImportError> {
    let br = branches();
    let opts = ImportOptions {
        branches: &br,
        now: now(),
        today: today(),
        advisor: "Camille Conseil",
    };
    import_csv(
        store,
        bytes,
        &opts,
        &mut SequentialIds::default(),
        &mut |_, _| {},
    )
}

fn names(store: &Store) -> Vec<String> {
    let mut v: Vec<String> = store
        .beneficiaries()
        .unwrap()
        .records
        .iter()
        .map(Beneficiary::display_name)
        .collect();
    v.sort();
    v
}

fn lines(r: &ImportReport) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    (
        r.created.iter().map(|x| x.0).collect(),
        r.rejected.iter().map(|x| x.0).collect(),
        r.duplicates.iter().map(|x| x.0).collect(),
    )
}

#[test]
fn bom_crlf_quotes_and_empty_lines() {
    let (_d, s) = store();
    let text = format!(
        "\u{feff}{HEADER}\r\n\
         \r\n\
         Dupont;Léa;lea.dupont@exemple.fr;06 12 34 56 78;69003;1261;\"Centre social \"\"Les Pentes\"\"; Lyon\";CDI;74;4;\"4 120,50\"\r\n\
         ;;;;;;;;;;\r\n\
         \"Le Goff\";\"Anne-Marie\";;;;;;;;;\r\n\
         \r\n"
    );
    let r = import(&s, text.as_bytes()).unwrap();
    assert_eq!(lines(&r), (vec![3, 5], vec![], vec![]), "{r:?}");
    assert_eq!(r.lines, 2);
    let all = s.beneficiaries().unwrap().records;
    let lea = all.iter().find(|b| b.first_name == "Léa").unwrap();
    assert_eq!(lea.employer.name, "Centre social \"Les Pentes\"; Lyon");
    assert_eq!(lea.branch.as_deref(), Some("ALISFA"));
    assert_eq!(lea.contract, Some(ContractType::Cdi));
    assert_eq!(lea.seniority_company_months, Some(74));
    assert_eq!(lea.qualification_level, Some(4));
    assert_eq!(lea.cpf_balance, Some(Cents(412_050)));
    assert_eq!(lea.phone.as_deref(), Some("06 12 34 56 78"));
    assert_eq!(lea.meta, Meta::new(now(), "Camille Conseil"));
    assert_eq!(names(&s), vec!["DUPONT Léa", "LE GOFF Anne-Marie"]);
}

#[test]
fn comma_separated_with_columns_in_any_order_and_accented_headers() {
    let (_d, s) = store();
    let text = "Prénom,NOM,Code postal,E-mail,IDCC,Contrat,Remarque\n\
                Karim,Haddad,13001,k.haddad@exemple.fr,218,intérim,à rappeler\n\
                Inès,Martin,,,ECLAT,\"contrat aidé\",\n";
    let r = import(&s, text.as_bytes()).unwrap();
    assert_eq!(lines(&r), (vec![2, 3], vec![], vec![]), "{r:?}");
    assert_eq!(r.ignored_columns, vec!["Remarque"]);
    let all = s.beneficiaries().unwrap().records;
    let karim = all.iter().find(|b| b.first_name == "Karim").unwrap();
    assert_eq!(karim.postcode.as_deref(), Some("13001"));
    assert_eq!(karim.contract, Some(ContractType::Interim));
    assert!(karim.branch.is_some(), "IDCC 218 (0218) must resolve");
    let ines = all.iter().find(|b| b.first_name == "Inès").unwrap();
    assert_eq!(ines.branch.as_deref(), Some("ECLAT"));
    assert_eq!(ines.contract, Some(ContractType::Aide));
}

#[test]
fn crlf_file_with_multiline_quoted_value_keeps_line_numbers() {
    let (_d, s) = store();
    let text = "nom;prenom;email\r\nA\"b;Jo;x\r\n\"Durand\";\"Luc\r\nAndré\";luc@exemple.fr\r\nMartin;Léa;lea@\r\n";
    let r = import(&s, text.as_bytes()).unwrap();
    // Line 2: a quote inside a name; line 3 starts a record spanning 2 lines
    // (a line break in a first name is invalid); line 5: bad e-mail.
    let (created, rejected, _) = lines(&r);
    assert!(created.is_empty(), "{r:?}");
    assert_eq!(rejected, vec![2, 3, 5]);
    assert!(r.rejected[2].1.contains("adresse e-mail invalide"), "{r:?}");
}

#[test]
fn non_utf8_file_is_refused_with_its_line() {
    let (_d, s) = store();
    // "Hélène" in Windows-1252 on line 3.
    let mut bytes = format!("{HEADER}\nDupont;Léa\n").into_bytes();
    bytes.extend_from_slice(b"Martin;H\xE9l\xE8ne\nDurand;Luc\n");
    match import(&s, &bytes) {
        Err(ImportError::Csv(CsvError::NotUtf8 { line })) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
    let e = import(&s, &bytes).unwrap_err().to_string();
    assert!(e.contains("ligne 3") && e.contains("UTF-8"), "{e}");
    assert_eq!(s.beneficiary_count().unwrap(), 0, "nothing is created");
}

#[test]
fn header_without_names_is_refused() {
    let (_d, s) = store();
    let e = import(&s, b"email;telephone\na@exemple.fr;0612345678\n").unwrap_err();
    assert!(matches!(e, ImportError::Header(_)), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("« nom »") && msg.contains("« prenom »"),
        "{msg}"
    );
    assert!(matches!(
        import(&s, b"\r\n\r\n"),
        Err(ImportError::Csv(CsvError::Empty))
    ));
    assert_eq!(s.beneficiary_count().unwrap(), 0);
}

#[test]
fn rejected_lines_carry_line_numbers_and_french_reasons_and_never_stop_good_ones() {
    let (_d, s) = store();
    let text = format!(
        "{HEADER}\n\
         Dupont;Léa;lea.dupont;;;;;;;;\n\
         Martin;Inès;;;6900;;;;;;\n\
         Bernard;Paul;;;;9999;;;;;\n\
         ;Sans Nom;;;;;;;;;\n\
         Petit;Jean;;;;;;stage;;;\n\
         Robert;Anne;;;;;;;700;2;deux mille\n\
         R2D2;Luc;;0612;;;;;;;\n\
         Moreau;Chloé;chloe@exemple.fr;;;;;;;;\n\
         Trop;De;;;;;;;;;;valeur en trop\n"
    );
    let r = import(&s, text.as_bytes()).unwrap();
    assert_eq!(lines(&r).0, vec![9]);
    let reasons: Vec<(usize, &str)> = r.rejected.iter().map(|(l, m)| (*l, m.as_str())).collect();
    let expect = [
        (2, "adresse e-mail invalide : il manque « @ »"),
        (3, "code postal invalide : 5 chiffres"),
        (4, "IDCC inconnu : « 9999 »"),
        (5, "Nom obligatoire"),
        (6, "contrat inconnu : « stage »"),
        (7, "ancienneté : plus de 50 ans"),
        (7, "niveau : de 3 (CAP) à 8"),
        (7, "solde CPF : montant invalide"),
        (8, "caractère « 2 » inattendu dans le nom"),
        (8, "numéro de téléphone invalide"),
        (10, "12 valeurs pour 11 colonnes"),
    ];
    for (line, needle) in expect {
        let got = reasons
            .iter()
            .find(|(l, _)| *l == line)
            .unwrap_or_else(|| panic!("ligne {line} non rejetée : {reasons:?}"));
        assert!(
            got.1.contains(needle),
            "ligne {line} : « {} » ne contient pas « {needle} »",
            got.1
        );
    }
    assert_eq!(reasons.len(), 8, "{reasons:?}");
    assert_eq!(names(&s), vec!["MOREAU Chloé"]);
}

#[test]
fn duplicates_within_the_file_and_against_the_store_are_reported_not_doubled() {
    let (_d, s) = store();
    // Already stored: Léa Dupont born 12/03/1984, and someone with this e-mail.
    let mut lea = Beneficiary::new(
        Id::new_v7(1, [9; 10]),
        "Dupont",
        "Léa",
        Meta::new(now(), "x"),
    );
    lea.birth = Some(Birth::Date(NaiveDate::from_ymd_opt(1984, 3, 12).unwrap()));
    s.save_beneficiary(&lea).unwrap();
    let mut other = Beneficiary::new(
        Id::new_v7(2, [8; 10]),
        "Autre",
        "Personne",
        Meta::new(now(), "x"),
    );
    other.email = Some("deja@exemple.fr".into());
    s.save_beneficiary(&other).unwrap();

    let text = "nom;prenom;date_naissance;email\n\
                DUPONT;Lea;12/03/1984;\n\
                Dupont;Léa;1990;\n\
                Nouveau;Client;;DEJA@exemple.fr\n\
                Martin;Inès;1975;ines@exemple.fr\n\
                martín;INES;1975;\n\
                Bernard;Zoé;;ines@EXEMPLE.fr\n\
                Homonyme;Sans Date;;\n\
                Homonyme;Sans Date;;\n";
    let r = import(&s, text.as_bytes()).unwrap();
    let (created, rejected, dups) = lines(&r);
    assert!(rejected.is_empty(), "{r:?}");
    // Line 3: same names, another birth year: a namesake, created.
    // Lines 8-9: same names without birth dates: not enough to call them duplicates.
    assert_eq!(created, vec![3, 5, 8, 9]);
    assert_eq!(dups, vec![2, 4, 6, 7]);
    let reason = |l: usize| r.duplicates.iter().find(|d| d.0 == l).unwrap().1.clone();
    assert!(
        reason(2).contains(&format!("dossier {}", short_id(lea.id))),
        "{}",
        reason(2)
    );
    assert!(reason(2).contains("date de naissance"));
    assert!(reason(4).contains(&short_id(other.id)) && reason(4).contains("e-mail"));
    assert!(reason(6).contains("doublon de la ligne 5"), "{}", reason(6));
    assert!(reason(7).contains("doublon de la ligne 5") && reason(7).contains("e-mail"));
    assert_eq!(s.beneficiary_count().unwrap(), 2 + 4);

    // Importing the same file again creates nothing new... except the
    // namesakes without birth dates, which cannot be told apart.
    let again = import(&s, text.as_bytes()).unwrap();
    assert_eq!(lines(&again).0, vec![8, 9]);
}

#[test]
fn ids_time_and_progress_are_injected() {
    let (_d, s) = store();
    let br = branches();
    let opts = ImportOptions {
        branches: &br,
        now: now(),
        today: today(),
        advisor: "A",
    };
    let mut calls = Vec::new();
    let mut n = 0u8;
    let mut ids = |_now: DateTime<Utc>| {
        n += 1;
        Id::new_v7(1_000, [n; 10])
    };
    let r = import_csv(
        &s,
        b"nom;prenom\nUn;Alain\nDeux;Bea\nT3;Claire\nQuatre;Dan\n",
        &opts,
        &mut ids,
        &mut |done, total| calls.push((done, total)),
    )
    .unwrap();
    // An id is drawn for every line, rejected ones too.
    assert_eq!(
        r.created,
        vec![
            (2, Id::new_v7(1_000, [1; 10])),
            (3, Id::new_v7(1_000, [2; 10])),
            (5, Id::new_v7(1_000, [4; 10]))
        ]
    );
    assert_eq!(calls, vec![(0, 3), (1, 3), (2, 3), (3, 3)]);
    let b = s.beneficiary(Id::new_v7(1_000, [2; 10])).unwrap().unwrap();
    assert_eq!(b.meta.created_at, now());
}

#[test]
fn ten_thousand_lines() {
    let (_d, s) = store();
    let mut text = String::from(HEADER);
    text.push_str("\r\n");
    for i in 0..10_000u32 {
        // Every 1000th line has a bad postcode; every line is someone else.
        let cp = if i % 1000 == 999 { "1234" } else { "69003" };
        text.push_str(&format!(
            "Nom{};Prénom;p{i}@exemple.fr;;{cp};1261;\"Employeur; n° {i}\";CDD;{};5;{}\r\n",
            letters(i),
            i % 600,
            i % 5000
        ));
    }
    // Last line duplicates the first one's e-mail.
    text.push_str("Autre;Personne;p0@exemple.fr;;;;;;;;\r\n");
    let table = csv::parse(text.as_bytes()).unwrap();
    assert_eq!(table.records.len(), 10_001);
    let start = Instant::now();
    let r = import(&s, text.as_bytes()).unwrap();
    eprintln!("10 000 lignes importées en {:?}", start.elapsed());
    assert_eq!(r.lines, 10_001);
    assert_eq!(r.created.len(), 9_990);
    assert_eq!(r.rejected.len(), 10);
    assert_eq!(
        r.rejected[0].0, 1_001,
        "header is line 1, the 1000th data line is 1001"
    );
    assert_eq!(r.duplicates, vec![(10_002, r.duplicates[0].1.clone())]);
    assert!(r.duplicates[0].1.contains("doublon de la ligne 2"));
    assert_eq!(s.beneficiary_count().unwrap(), 9_990);
}

/// `0 → a`, `25 → z`, `26 → ba`: names must be letters only.
fn letters(mut i: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}
