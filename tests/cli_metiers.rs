//! The scripted métier search and the referential import, through the binary.

mod common;
use common::*;

#[test]
fn search_prints_ranked_lines_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(
        dir.path(),
        &["metiers", "gardien d'immeuble", "--limite", "3"],
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("K2501\t"), "{text}");

    let out = cli(
        dir.path(),
        &[
            "metiers",
            "educatrice jeunes enfants",
            "--json",
            "--limite",
            "5",
        ],
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert!(!arr.is_empty() && arr.len() <= 5);
    for key in [
        "ogr",
        "rome",
        "appellation",
        "rome_label",
        "branches",
        "score",
    ] {
        assert!(arr[0].get(key).is_some(), "missing {key}");
    }
    assert_eq!(arr[0]["rome"], "K1202");
}

#[test]
fn branch_filter_by_short_name_or_idcc_and_unknown_branch() {
    let dir = tempfile::tempdir().unwrap();
    let by_name = cli(
        dir.path(),
        &["metiers", "animateur", "--branche", "ECLAT", "--json"],
    );
    let by_idcc = cli(
        dir.path(),
        &["metiers", "animateur", "--branche", "1031", "--json"],
    );
    assert!(by_name.status.success() && by_idcc.status.success());
    assert_eq!(by_name.stdout, by_idcc.stdout, "1031 is an alias of ÉCLAT");
    let v: serde_json::Value = serde_json::from_slice(&by_name.stdout).unwrap();
    for row in v.as_array().unwrap() {
        let branches: Vec<&str> = row["branches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap())
            .collect();
        assert!(branches.contains(&"ECLAT"), "{row}");
        // The label keeps its accent, the id beside it is ASCII.
        let eclat = row["branches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == "ECLAT")
            .unwrap();
        assert_eq!(eclat["nom"], "ÉCLAT");
    }
    let out = cli(dir.path(), &["metiers", "animateur", "--branche", "2511"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("branche inconnue"));
}

#[test]
fn referential_import_then_search_covers_it_and_bad_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("appellations.csv");
    std::fs::write(
        &good,
        "ogr_appellation;rome_code;libelle_appellation_long;libelle_appellation_court\n\
         999001;K1302;Zythologue accompagnant / Zythologue accompagnante;Zythologue\n\
         15228;K2501;Gardien / Gardienne d'immeuble;Gardien d'immeuble\n",
    )
    .unwrap();
    // A malformed file (wrong separator) is refused and changes nothing.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "ogr_appellation,rome_code,libelle_appellation_long,libelle_appellation_court\n1,K1302,X,X\n").unwrap();
    let out = cli(
        dir.path(),
        &["referentiel", "import", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("séparateur"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nothing found: an empty list and exit 1, like grep.
    let out = cli(dir.path(), &["metiers", "zythologue", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().unwrap().is_empty());

    // A 2-line file would remove 11 000 appellations: refused unless the
    // advisor says it replaces the referential.
    let out = cli(
        dir.path(),
        &["referentiel", "import", good.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("retirerait") && err.contains("--remplacer"),
        "{err}"
    );
    let out = cli(dir.path(), &["referentiel", "info"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ROME test"));

    let out = cli(
        dir.path(),
        &[
            "referentiel",
            "import",
            good.to_str().unwrap(),
            "--version",
            "ROME test",
            "--remplacer",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("ajoutée"), "{report}");
    let out = cli(dir.path(), &["metiers", "zythologue", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["ogr"], 999001);
    // Curated branch mapping survives the import (by OGR code).
    let out = cli(
        dir.path(),
        &["metiers", "gardien d'immeuble", "--json", "--limite", "1"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v[0]["branches"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["id"] == "ESH"));
    let out = cli(dir.path(), &["referentiel", "info"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("ROME test"));
}
