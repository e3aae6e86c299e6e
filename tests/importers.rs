//! The two CSV importers through the binary (issue 7): `beneficiaires
//! import` and `referentiel import`. Strict column counts, control
//! characters refused in every column and never echoed raw, a capped
//! terminal report with the full list in `--rapport`, exit 1 when lines are
//! rejected, nothing changed (not even a backup) when the file is refused;
//! the referential import shares the reader (line numbers survive a quoted
//! newline), refuses a file that would remove most of the referential, and
//! label lengths are enforced.

mod common;

use common::{assert_no_internals, run_expect};
use passerelle::store::{DumpRow, Store};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn dump(data: &Path) -> Vec<DumpRow> {
    Store::open_existing(&Store::dir_in(data))
        .unwrap()
        .dump()
        .unwrap()
}

fn backups(data: &Path) -> usize {
    std::fs::read_dir(data.join("sauvegardes")).map_or(0, |d| d.count())
}

fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `passerelle COMMAND FILE EXTRA…`, expecting exit `code`, never showing
/// library internals.
fn run_on(
    data: &Path,
    command: [&str; 2],
    file: &Path,
    extra: &[&str],
    code: i32,
) -> (String, String) {
    let mut args = vec![command[0], command[1], file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (out, err) = run_expect(data, &args, code);
    assert_no_internals(&format!("{out}{err}"));
    (out, err)
}

fn import(data: &Path, csv: &Path, extra: &[&str], code: i32) -> (String, String) {
    run_on(data, ["beneficiaires", "import"], csv, extra, code)
}

fn referentiel(data: &Path, file: &Path, extra: &[&str], code: i32) -> (String, String) {
    run_on(data, ["referentiel", "import"], file, extra, code)
}

#[test]
fn too_few_and_too_many_values_are_both_rejected_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let csv = write(
        tmp.path(),
        "colonnes.csv",
        "nom;prenom;email;employeur\n\
         Dupont;Léa\n\
         Martin;Inès;ines@exemple.fr;Asso;en trop\n\
         Durand;Luc;luc@exemple.fr;Asso;\n\
         Bernard;Zoé;zoe@exemple.fr;Asso\n\
         Petit;Jo;jo@exemple.fr\n"
            .as_bytes(),
    );
    let (out, err) = import(&data, &csv, &[], 1);
    assert!(out.contains("2 dossiers créés"), "{out}");
    assert!(
        out.contains("ligne 2 : 2 valeurs pour 4 colonnes : la ligne est incomplète"),
        "{out}"
    );
    assert!(out.contains("ligne 3 : 5 valeurs pour 4 colonnes"), "{out}");
    // One value short is as wrong as two; an empty trailing cell is not
    // a value.
    assert!(out.contains("ligne 6 : 3 valeurs pour 4 colonnes"), "{out}");
    assert!(
        !out.contains("ligne 4 :") && !out.contains("ligne 5 :"),
        "{out}"
    );
    assert!(err.contains("3 lignes non importées"), "{err}");
}

const COLUMNS: [&str; 15] = [
    "nom",
    "prenom",
    "email",
    "telephone",
    "code_postal",
    "idcc",
    "employeur",
    "contrat",
    "anciennete_mois",
    "anciennete_totale_mois",
    "niveau",
    "solde_cpf",
    "date_naissance",
    "commune",
    "siret",
];

/// Valid values for [`COLUMNS`]; line `k` gets its own e-mail.
fn valid_values(k: usize) -> Vec<String> {
    [
        "Dupont",
        "Léa",
        &format!("lea{k}@exemple.fr"),
        "0612345678",
        "69003",
        "1261",
        "Centre social",
        "CDI",
        "12",
        "24",
        "5",
        "100",
        "01/02/1980",
        "Lyon",
        "12002701600357",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn control_characters_are_refused_in_every_column_and_never_echoed_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    // An unknown column whose name holds an escape sequence, too.
    let mut text = format!("{};notes\x1b[2J\n", COLUMNS.join(";"));
    // Line 2: every value valid (the test can fail: these values pass).
    text.push_str(&format!("{};ok\n", valid_values(0).join(";")));
    let bad = ['\x1b', '\x07', '\u{202e}'];
    let mut expected = Vec::new();
    for (col, name) in COLUMNS.iter().enumerate() {
        for (n, c) in bad.iter().enumerate() {
            let mut v = valid_values(3 + col * 3 + n);
            v[col].insert(1, *c);
            text.push_str(&format!("{};ok\n", v.join(";")));
            expected.push((format!("U+{:04X}", *c as u32), *name));
        }
    }
    // The bad characters in the ignored column are refused as well.
    text.push_str(&format!(
        "{};\x1b[5mclignote\x07\n",
        valid_values(99).join(";")
    ));
    let csv = write(tmp.path(), "controle\x1b[31m.csv", text.as_bytes());
    let report = tmp.path().join("rapport.txt");
    let (out, err) = import(&data, &csv, &["--rapport", report.to_str().unwrap()], 1);
    for raw in bad {
        assert!(
            !out.contains(raw) && !err.contains(raw),
            "raw {raw:?} shown"
        );
    }
    assert!(out.contains("1 dossier créé"), "{out}");
    assert!(out.contains("46 lignes rejetées"), "{out}");
    assert!(out.contains("controle\\u{001b}[31m.csv"), "{out}");
    assert!(out.contains("« notes\\u{001b}[2J »"), "{out}");
    let full = std::fs::read_to_string(&report).unwrap();
    for (i, (code, column)) in expected.iter().enumerate() {
        let line = 3 + i;
        let want = format!(
            "ligne {line} : caractère de contrôle ou invisible ({code}) dans la colonne « {column} »"
        );
        assert!(full.contains(&want), "« {want} » missing in:\n{full}");
    }
    assert!(
        full.contains("dans la colonne « notes\\u{001b}[2J »"),
        "{full}"
    );
    for raw in bad {
        assert!(!full.contains(raw), "raw {raw:?} in the report");
    }
}

#[test]
fn a_thousand_rejected_lines_show_twenty_and_a_count_the_report_has_them_all() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let mut text = String::from("nom;prenom;email\nBon;Exemple;bon@exemple.fr\n");
    for i in 0..1_000 {
        text.push_str(&format!("Nom;Prénom;pas-une-adresse-{i}\n"));
    }
    // A huge value quoted back in a reason is cut short.
    text.push_str(&format!("Long;Contrat;{}\n", "x".repeat(100_000)));
    let csv = write(tmp.path(), "rejets.csv", text.as_bytes());
    let report = tmp.path().join("rapport.txt");
    let (out, err) = import(&data, &csv, &["--rapport", report.to_str().unwrap()], 1);
    let shown = out.lines().filter(|l| l.starts_with("  ligne ")).count();
    assert_eq!(shown, 20, "{out}");
    assert!(out.contains("1001 lignes rejetées"), "{out}");
    assert!(
        out.contains("… et 981 autres (la liste complète : --rapport FICHIER)"),
        "{out}"
    );
    assert!(out.contains("1 dossier créé"), "{out}");
    assert!(out.len() < 8_000, "terminal report of {} bytes", out.len());
    assert!(err.contains("1001 lignes non importées"), "{err}");
    let full = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        full.lines().filter(|l| l.starts_with("  ligne ")).count(),
        1_001
    );
    assert!(full.contains("ligne 1002 : "), "{}", &full[..200]);
    assert!(full.len() < 200_000, "the 100 000-character value is cut");
    assert_eq!(
        std::fs::metadata(&report).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn a_refused_file_changes_nothing_not_even_the_backups() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    run_expect(&data, &["demo", "--nombre", "5"], 0);
    let before = dump(&data);
    let refused: [(&str, &[u8], &str); 4] = [
        ("latin1.csv", b"nom;prenom\nDupont;L\xE9a\n", "UTF-8"),
        (
            "entete.csv",
            b"name;first_name\nDupont;Lea\n",
            "en-tête invalide",
        ),
        (
            "guillemet.csv",
            b"nom;prenom\nDupont;\"Lea\nMartin;Ines\n",
            "guillemet",
        ),
        ("vide.csv", b"\n\n", "vide"),
    ];
    for (name, bytes, why) in refused {
        let csv = write(tmp.path(), name, bytes);
        let (out, err) = import(&data, &csv, &[], 2);
        assert!(err.contains(why), "{name}: {err}");
        assert!(out.is_empty(), "{name}: {out}");
        assert_eq!(dump(&data), before, "{name} changed the store");
        assert_eq!(backups(&data), 0, "{name}: a backup for nothing");
    }
    // Every line rejected: nothing written, no backup either.
    let csv = write(
        tmp.path(),
        "rejets.csv",
        b"nom;prenom;email\nA;B;pas-une-adresse\n",
    );
    import(&data, &csv, &[], 1);
    assert_eq!(dump(&data), before);
    assert_eq!(backups(&data), 0);
    // Something to write: a backup first, then the new file.
    let csv = write(tmp.path(), "bon.csv", b"nom;prenom\nNouveau;Dossier\n");
    import(&data, &csv, &[], 0);
    assert_eq!(backups(&data), 1);
    assert_eq!(common::listed_ids(&data).len(), 6);
}

const REF_HEADER: &str =
    "ogr_appellation;rome_code;libelle_appellation_long;libelle_appellation_court\n";

#[test]
fn referential_lines_keep_their_numbers_across_a_quoted_newline() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let file = write(
        tmp.path(),
        "ref.csv",
        format!(
            "{REF_HEADER}\
             10;K1202;\"Éducateur\n spécialisé\";Éducateur\n\
             11;K1202;Animateur;Animateur\n\
             xx;K1202;A;A\n"
        )
        .as_bytes(),
    );
    let (out, err) = referentiel(&data, &file, &[], 2);
    // Line 2 spans two physical lines: the bad OGR code is on line 5.
    assert!(
        out.contains("ligne 2 : libellé long : caractère de contrôle"),
        "{out}"
    );
    assert!(out.contains("ligne 5 : code OGR invalide « xx »"), "{out}");
    assert!(!out.contains("ligne 4 :"), "{out}");
    assert!(err.contains("rien n'a été modifié"), "{err}");
}

#[test]
fn a_short_referential_is_refused_without_remplacer_and_long_labels_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    run_expect(&data, &["demo", "--nombre", "2"], 0);
    let (info_before, _) = run_expect(&data, &["referentiel", "info"], 0);
    let before = dump(&data);
    let three = write(
        tmp.path(),
        "trois.csv",
        format!("{REF_HEADER}10;K1202;Éducateur;Éducateur\n11;K1202;Animateur;Animateur\n")
            .as_bytes(),
    );
    let (_, err) = referentiel(&data, &three, &[], 2);
    assert!(
        err.contains("retirerait") && err.contains("--remplacer"),
        "{err}"
    );
    assert_eq!(dump(&data), before, "the stored referential changed");
    assert_eq!(
        run_expect(&data, &["referentiel", "info"], 0).0,
        info_before
    );
    assert_eq!(backups(&data), 0);

    // With --remplacer it is the new referential (after a backup).
    referentiel(&data, &three, &["--remplacer", "--version", "Essai"], 0);
    let (info, _) = run_expect(&data, &["referentiel", "info"], 0);
    assert!(info.starts_with("Essai\n") && info != info_before, "{info}");
    assert_eq!(backups(&data), 1);

    // A 5 MB label: the line is rejected, the file refused, the message
    // short, the stored referential unchanged.
    let stored = dump(&data);
    let huge = write(
        tmp.path(),
        "enorme.csv",
        format!(
            "{REF_HEADER}10;K1202;Éducateur;Éducateur\n11;K1202;{};Animateur\n",
            "é".repeat(2_500_000)
        )
        .as_bytes(),
    );
    assert!(std::fs::metadata(&huge).unwrap().len() > 5_000_000);
    let (out, err) = referentiel(&data, &huge, &[], 2);
    assert!(
        out.contains("ligne 3 : libellé long trop long (2500000 caractères, 250 au plus)"),
        "{}",
        out.chars().take(500).collect::<String>()
    );
    assert!(
        out.len() + err.len() < 2_000,
        "{} bytes shown",
        out.len() + err.len()
    );
    assert_eq!(dump(&data), stored);
    // The boundary: 250 characters pass.
    let max = write(
        tmp.path(),
        "max.csv",
        format!(
            "{REF_HEADER}10;K1202;Éducateur;Éducateur\n11;K1202;{};Animateur\n",
            "é".repeat(250)
        )
        .as_bytes(),
    );
    referentiel(&data, &max, &[], 0);
}

#[test]
fn a_report_file_that_cannot_be_written_hides_nothing_of_the_import() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    let csv = write(tmp.path(), "un.csv", b"nom;prenom\nDurand;Luc\n");
    let nowhere = tmp.path().join("absent/rapport.txt");
    let (out, err) = import(&data, &csv, &["--rapport", nowhere.to_str().unwrap()], 1);
    // The import is done and said so; the report's failure is said apart.
    assert!(out.contains("1 dossier créé et enregistré"), "{out}");
    assert!(
        err.contains("n'a pas pu être écrit (fichier ou dossier introuvable)"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(common::listed_ids(&data).len(), 1);
}
