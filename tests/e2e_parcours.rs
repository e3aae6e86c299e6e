//! End-to-end: the reconversion plan through the real binary in tmux — a
//! new file, a target métier from the Métiers screen, the Parcours screen:
//! a template applied, a step funded, a funded formation step added by
//! hand, a status changed, the synthesis written (0600, in the data
//! directory) and its viewer offer declined; then the CLI reads the same
//! plan back (`parcours voir --json`, `export synthese`).

mod common;
use common::*;

#[test]
fn a_plan_built_in_the_tui_reads_back_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    // A viewer that cannot start, should the offer be accepted by mistake.
    let t = Tmux::start_with_env(
        "passerelle-parcours",
        dir.path(),
        &[("PASSERELLE_VISIONNEUSE", "passerelle-visionneuse-absente")],
        &[],
    );
    t.wait_for("1 Accueil");
    tmux_new_file(&t, "Dupont", "Léa");
    t.send(&["C-s"]);
    t.wait_for("Dossier enregistré");

    // A target métier from the Métiers screen.
    t.send(&["3"]);
    t.send(&["/"]);
    t.type_text("educateur jeunes enfants");
    t.send(&["Enter"]);
    t.send(&["c"]);
    t.wait_for("Ajout du métier cible");

    // The Parcours screen: a template (m, Entrée).
    t.send(&["4"]);
    t.wait_for("Métiers cibles (1)");
    t.send(&["m"]);
    t.wait_for("Modèle de parcours");
    t.send(&["Enter"]);
    t.wait_for("Étapes (5)");

    // Fund the bilan: its cost, its CPF line (empty amount = the cost).
    t.send(&["Down", "f"]);
    t.wait_for("Financeur 1");
    t.send(&["PPage"]);
    t.type_text("1800");
    t.send(&["NPage", "Tab", "C-u", "Tab", "Right", "C-s"]);
    t.wait_for("1 800 € demandé");
    t.wait_for("Demandé           1 800,00 €");

    // A funded formation step by hand, then its status.
    t.send(&["n"]);
    t.wait_for("Nouvelle étape");
    t.send(&["f", "Tab"]);
    t.type_text("CAP AEPE");
    t.send(&["NPage"]);
    t.type_text("2400");
    t.send(&["NPage", "c", "C-s"]);
    t.wait_for("Étapes (6)");
    t.send(&["s"]);
    t.wait_for("à faire → en cours");

    // The synthesis: written, then the offer to open it declined.
    t.send(&["p"]);
    let s = t.wait_for("Synthèse enregistrée dans");
    assert!(s.contains("documents"), "{s}");
    t.send(&["Escape"]);
    t.wait_gone("L'ouvrir avec");
    t.send(&["q"]);
    assert_eq!(wait_exit(dir.path()), 0);
    drop(t);

    let docs: Vec<_> = std::fs::read_dir(dir.path().join("documents"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(docs.len(), 1, "{docs:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&docs[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let html = std::fs::read_to_string(&docs[0]).unwrap();
    assert!(
        html.contains("CAP AEPE") && html.contains("Léa DUPONT"),
        "{html}"
    );

    // The CLI reads the same plan.
    let out = cli(dir.path(), &["beneficiaires", "liste", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_string();
    let out = cli(dir.path(), &["parcours", "voir", &id, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &v["parcours"];
    assert_eq!(p["cibles"][0]["code_rome"], "K1202");
    assert_eq!(p["etapes"].as_array().unwrap().len(), 6);
    assert_eq!(p["etapes"][1]["type"], "bilan_competences");
    assert_eq!(p["etapes"][1]["financements"][0]["montant"], 180_000);
    assert_eq!(p["etapes"][1]["financements"][0]["statut"], "demande");
    assert_eq!(p["etapes"][5]["intitule"], "CAP AEPE");
    assert_eq!(p["etapes"][5]["statut"], "en_cours");
    assert_eq!(p["totaux"]["cout_total"], 420_000);
    let out = cli(dir.path(), &["export", "synthese", &id, "--format", "md"]);
    assert!(out.status.success());
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("# Synthèse de votre accompagnement"), "{md}");
    assert!(md.contains("CAP AEPE"));
}
