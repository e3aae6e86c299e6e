//! Import of a ROME referential file (layout of France Travail's appellation table).

use std::io::Write;

use passerelle::catalog::{import_file, parse_referentiel, Catalog, ImportError, ImportOptions};

const HEADER: &str = "ogr_appellation;rome_code;libelle_appellation_long;libelle_appellation_court";

fn cat() -> &'static Catalog {
    Catalog::builtin_shared().expect("catalogue embarqué")
}

fn strict() -> ImportOptions {
    ImportOptions {
        version: "ROME importé (test)".into(),
        accept_rejected_lines: false,
        replace: true,
    }
}

fn lenient() -> ImportOptions {
    ImportOptions {
        accept_rejected_lines: true,
        ..strict()
    }
}

fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f.flush().unwrap();
    f
}

#[test]
fn valid_file_imports_and_reports_changes() {
    let c = cat();
    // 10984 unchanged, 11009 relabelled, 99999001 new under a new fiche.
    let text = format!(
        "{HEADER}\r\n\
         10984;K1206;Animateur / Animatrice d'activités sociales et de vie locale;Animateur / Animatrice d'activités sociales et de vie locale\r\n\
         11009;K1206;Animateur / Animatrice de convivialité;\r\n\
         99999001;X1234;\"Référent / Référente « parcours ; emploi »\";Référent parcours\r\n\
         \r\n"
    );
    let f = temp_file(text.as_bytes());
    let mut calls = Vec::new();
    let imp = import_file(f.path(), c, &strict(), |done, total| {
        calls.push((done, total))
    })
    .unwrap();
    let r = &imp.report;
    assert_eq!(r.total, 3);
    assert!(r.rejected.is_empty());
    assert_eq!((r.added, r.changed), (1, 1));
    // Everything else of the shipped catalogue is gone (synthetic ROME 4.0 rows not counted).
    assert_eq!(r.removed, 11_118 - 2);
    assert_eq!(r.new_fiches, vec!["X1234".to_string()]);
    assert_eq!(calls.last(), Some(&(3, 3)));
    assert!(r.summary_fr().contains("1 ajoutée(s)"));

    let re = &imp.referentiel;
    assert_eq!(re.version, "ROME importé (test)");
    assert_eq!(re.appellations.len(), 3);
    let new = re
        .appellations
        .iter()
        .find(|a| a.ogr == 99_999_001)
        .unwrap();
    assert_eq!(new.label, "Référent / Référente « parcours ; emploi »");
    assert_eq!(new.short_label, "Référent parcours");
    let relabelled = re.appellations.iter().find(|a| a.ogr == 11009).unwrap();
    assert_eq!(
        relabelled.short_label, relabelled.label,
        "empty short label takes the long one"
    );
    // Fiche labels: known codes keep theirs, new codes are labelled by their code.
    let label = |code: &str| {
        re.fiches
            .iter()
            .find(|f| f.code == code)
            .unwrap()
            .label
            .clone()
    };
    assert_eq!(label("K1206"), "Intervention socioculturelle");
    assert_eq!(label("X1234"), "X1234");

    // The new catalogue keeps the curated branch mapping and the passerelles.
    let nc = Catalog::from_referentiel(imp.referentiel.clone(), c);
    let i = nc.by_ogr(10984).unwrap();
    assert!(nc.appellations()[i].branches.contains(&"ECLAT".to_string()));
    let h = nc.search("referent parcours", None, 1);
    assert_eq!(nc.appellations()[h[0].idx].ogr, 99_999_001);
    assert!(nc.info().imported);
    assert_eq!(nc.version(), "ROME importé (test)");
    // ROME 4.0 fiche-level rows absent from the file are kept (targets stay resolvable).
    assert!(nc.fiche("K1306").is_some());
    assert!(nc
        .search("gardien", None, 5)
        .iter()
        .all(|h| nc.appellations()[h.idx].rome != "K2501"));
}

#[test]
fn bom_and_lf_are_accepted() {
    let text = format!("\u{feff}{HEADER}\n10984;K1206;Animateur;Animateur\n");
    let imp = parse_referentiel(text.as_bytes(), cat(), &strict(), |_, _| {}).unwrap();
    assert_eq!(imp.report.total, 1);
    assert_eq!(imp.report.changed, 1);
    assert_eq!(imp.referentiel.appellations[0].label, "Animateur");
}

#[test]
fn malformed_lines_are_reported_with_line_numbers_and_refuse_the_file() {
    let text = format!(
        "{HEADER}\n\
         10984;K1206;Animateur;Animateur\n\
         10985;K12O6;Code ROME avec une lettre O;x\n\
         10986;K1206;trois colonnes\n\
         ;K1206;Sans OGR;x\n\
         10987;K1206;;x\n\
         10988;K1206;\"libellé sur\ndeux lignes\";x\n\
         11009;K1206;Bon libellé;Bon libellé\n"
    );
    let err = parse_referentiel(text.as_bytes(), cat(), &strict(), |_, _| {}).unwrap_err();
    let report = match &err {
        ImportError::LignesRejetees { report } => report.clone(),
        other => panic!("attendu LignesRejetees, obtenu {other:?}"),
    };
    let lines: Vec<usize> = report.rejected.iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 7]);
    assert!(
        report.rejected[0]
            .1
            .contains("code ROME invalide « K12O6 »"),
        "{:?}",
        report.rejected[0]
    );
    assert!(
        report.rejected[1].1.contains("4 colonnes attendues, 3"),
        "{:?}",
        report.rejected[1]
    );
    assert!(
        report.rejected[2].1.contains("code OGR invalide"),
        "{:?}",
        report.rejected[2]
    );
    assert!(
        report.rejected[3].1.contains("libellé"),
        "{:?}",
        report.rejected[3]
    );
    // A quoted newline is read as one record (the line numbers after it
    // stay right) and refused as a control character in a label.
    assert!(
        report.rejected[4].1.contains("caractère de contrôle"),
        "{:?}",
        report.rejected[4]
    );
    assert_eq!(report.total, 7);
    let msg = err.to_string();
    assert!(msg.contains("5 ligne(s) invalide(s) sur 7"), "{msg}");
    assert!(
        msg.contains("n'a pas été importé") && msg.contains("ligne 3"),
        "{msg}"
    );
    assert_eq!(err.report(), Some(&report));

    // Opt-in: import the valid lines, list the rejected ones.
    let imp = parse_referentiel(text.as_bytes(), cat(), &lenient(), |_, _| {}).unwrap();
    assert_eq!(imp.referentiel.appellations.len(), 2);
    assert_eq!(imp.report.rejected.len(), 5);
    assert_eq!(imp.report.valid(), 2);
}

#[test]
fn an_unclosed_quote_refuses_the_file_and_names_its_line() {
    let text = format!(
        "{HEADER}\n10984;K1206;Animateur;Animateur\n10988;K1206;\"guillemet ouvert;x\n11009;K1206;B;B\n"
    );
    let err = parse_referentiel(text.as_bytes(), cat(), &strict(), |_, _| {}).unwrap_err();
    assert_eq!(err, ImportError::GuillemetNonFerme { line: 3 });
    assert!(err.to_string().contains("ligne 3"), "{err}");
}

#[test]
fn a_file_that_would_remove_most_of_the_referential_is_refused_without_replace() {
    let text = format!("{HEADER}\n10984;K1206;Animateur;Animateur\n");
    let opts = ImportOptions {
        replace: false,
        ..strict()
    };
    let err = parse_referentiel(text.as_bytes(), cat(), &opts, |_, _| {}).unwrap_err();
    match err {
        ImportError::TropDeSuppressions {
            removed, current, ..
        } => {
            assert_eq!(current, removed + 1);
            assert!(removed > 11_000, "{removed}");
        }
        other => panic!("{other:?}"),
    }
    // The whole current referential plus one new line is accepted as is.
    let mut full = format!("{HEADER}\n");
    for a in cat().appellations() {
        if !passerelle::catalog::is_synthetic_ogr(a.ogr) {
            full.push_str(&format!(
                "{};{};{};{}\n",
                a.ogr, a.rome, a.label, a.short_label
            ));
        }
    }
    full.push_str("999001;K1302;Zythologue;Zythologue\n");
    let imp = parse_referentiel(full.as_bytes(), cat(), &opts, |_, _| {}).unwrap();
    assert_eq!(imp.report.removed, 0);
    assert_eq!(imp.report.added, 1);
}

#[test]
fn duplicated_ogr_codes_reject_every_occurrence() {
    let text = format!(
        "{HEADER}\n\
         10984;K1206;Animateur A;A\n\
         11009;K1206;Autre;Autre\n\
         10984;K1207;Animateur B;B\n"
    );
    let err = parse_referentiel(text.as_bytes(), cat(), &strict(), |_, _| {}).unwrap_err();
    let report = err.report().expect("rapport").clone();
    assert_eq!(report.rejected.len(), 2);
    assert_eq!(report.rejected[0].0, 2);
    assert_eq!(report.rejected[1].0, 4);
    assert!(
        report.rejected[0]
            .1
            .contains("code OGR 10984 en double (lignes 2, 4)"),
        "{:?}",
        report.rejected
    );

    let imp = parse_referentiel(text.as_bytes(), cat(), &lenient(), |_, _| {}).unwrap();
    assert_eq!(imp.referentiel.appellations.len(), 1);
    assert_eq!(imp.referentiel.appellations[0].ogr, 11009);
}

#[test]
fn wrong_separator_refuses_the_file() {
    let text = "ogr_appellation,rome_code,libelle_appellation_long,libelle_appellation_court\n\
                10984,K1206,Animateur,Animateur\n";
    let err = parse_referentiel(text.as_bytes(), cat(), &strict(), |_, _| {}).unwrap_err();
    assert!(
        matches!(err, ImportError::Separateur { ref found } if found == ","),
        "{err:?}"
    );
    assert!(err.to_string().contains("« ; »"), "{err}");
    assert!(err.report().is_none());

    let tabs = HEADER.replace(';', "\t");
    let err = parse_referentiel(tabs.as_bytes(), cat(), &strict(), |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("tabulation"), "{err}");
}

#[test]
fn non_utf8_bytes_refuse_the_file_with_the_line() {
    let mut bytes = format!("{HEADER}\n10984;K1206;Animateur;Animateur\n11009;K1206;").into_bytes();
    bytes.extend_from_slice(b"Educateur sp\xe9cialis\xe9;x\n"); // Latin-1 "é"
    let f = temp_file(&bytes);
    let err = import_file(f.path(), cat(), &strict(), |_, _| {}).unwrap_err();
    assert_eq!(err, ImportError::Encodage { line: 3 });
    let msg = err.to_string();
    assert!(msg.contains("UTF-8") && msg.contains("ligne 3"), "{msg}");
}

#[test]
fn bad_header_empty_and_hopeless_files_are_refused() {
    let c = cat();
    let e = parse_referentiel(
        b"code;rome;label;court\n1;K1202;A;A\n",
        c,
        &strict(),
        |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(e, ImportError::EnTete { .. }), "{e:?}");
    assert!(e.to_string().contains("en-tête incorrect"));

    let e = parse_referentiel(b"", c, &strict(), |_, _| {}).unwrap_err();
    assert_eq!(e, ImportError::Vide);
    let e = parse_referentiel(b"\xEF\xBB\xBF \r\n", c, &strict(), |_, _| {}).unwrap_err();
    assert_eq!(e, ImportError::Vide);

    let e = parse_referentiel(
        format!("{HEADER}\r\n\r\n").as_bytes(),
        c,
        &strict(),
        |_, _| {},
    )
    .unwrap_err();
    assert_eq!(e, ImportError::AucuneDonnee);

    // Nothing valid left: refused even when rejected lines are accepted.
    let text = format!("{HEADER}\nx;K1202;A;A\n1;K12;B;B\n");
    let e = parse_referentiel(text.as_bytes(), c, &lenient(), |_, _| {}).unwrap_err();
    match e {
        ImportError::AucuneLigneValide { report } => assert_eq!(report.rejected.len(), 2),
        other => panic!("{other:?}"),
    }

    let missing = std::path::Path::new("/nonexistent/dir/rome.csv");
    let e = import_file(missing, c, &strict(), |_, _| {}).unwrap_err();
    assert!(
        e.to_string().starts_with("impossible de lire le fichier"),
        "{e}"
    );
}

#[test]
fn progress_reaches_the_total_on_a_large_file() {
    let mut text = String::from(HEADER);
    text.push('\n');
    for i in 0..2000 {
        text.push_str(&format!("{};K1202;Métier {i};\n", 500_000 + i));
    }
    let mut calls = Vec::new();
    let imp =
        parse_referentiel(text.as_bytes(), cat(), &strict(), |d, t| calls.push((d, t))).unwrap();
    assert_eq!(imp.report.added, 2000);
    assert!(calls.len() >= 4);
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(calls.last(), Some(&(2000, 2000)));
}
