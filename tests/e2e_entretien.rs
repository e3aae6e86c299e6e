//! End-to-end: the standard interview through the real binary in tmux —
//! raw mode, bracketed paste (a 20 KB summary pasted in one block, then
//! `Tab` lands after it), a resize to a too-small window (keys do nothing
//! unseen) and back, target métiers with undo / redo, a restart.

mod common;
use common::*;

#[test]
fn standard_interview_with_paste_and_resize() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux::start("passerelle-entretien", dir.path(), &[]);
    t.wait_for("1 Accueil");

    // A new file; the e-mail is pasted with the line break a mail client adds.
    tmux_new_file(&t, "Dupont", "Léa");
    t.paste("lea.dupont@exemple.fr\n");
    t.send(&["C-s"]);
    t.wait_for("Dossier enregistré");
    t.wait_for("DUPONT Léa · ");

    // An interview whose summary is a 20 KB paste; Tab comes after it.
    t.send(&["i"]);
    t.wait_for("Nouvel entretien");
    for _ in 0..6 {
        t.send(&["Tab"]);
    }
    let summary: String = (1..=400)
        .map(|n| format!("Ligne {n:03} du compte rendu, avec accents : éèàç.\n"))
        .collect::<String>()
        + "FIN-DU-COLLAGE";
    assert!(summary.len() > 20_000, "{}", summary.len());
    t.paste(&summary);
    t.send(&["Tab"]);
    t.type_text("Suite convenue.");
    t.send(&["C-s"]);
    t.wait_for("Entretien enregistré");
    t.wait_for("Entretiens (1)");

    // Too small: a message, and keys do nothing unseen; back to normal.
    t.resize(60, 20);
    t.wait_for("Fenêtre trop petite");
    t.send(&["n"]);
    t.send(&["3"]);
    t.type_text("xyz");
    t.resize(100, 30);
    let s = t.wait_for("Entretiens (1)");
    assert!(
        !s.contains("Nouveau dossier") && !s.contains("Fenêtre trop petite"),
        "{s}"
    );
    assert!(s.contains("2 Bénéficiaires"), "{s}");

    // A target métier, the Parcours screen, undo and redo.
    t.send(&["3"]);
    t.send(&["/"]);
    t.type_text("aide soignant");
    t.send(&["Enter"]);
    t.send(&["c"]);
    t.wait_for("Ajout du métier cible");
    t.send(&["4"]);
    t.wait_for("Métiers cibles (1)");
    t.wait_for("1. ");
    t.send(&["C-z"]);
    t.wait_for("Annulé : ajout du métier cible");
    t.send(&["C-y"]);
    t.wait_for("Rétabli : ajout du métier cible");
    t.send(&["q"]);
    assert_eq!(wait_exit(dir.path()), 0);
    drop(t);

    // What was saved: the whole paste, the e-mail without its line break.
    let out = cli(dir.path(), &["beneficiaires", "liste", "--json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_string();
    let out = cli(dir.path(), &["beneficiaires", "export", &id]);
    let export = String::from_utf8_lossy(&out.stdout);
    assert!(export.contains("lea.dupont@exemple.fr\""), "e-mail");
    assert!(export.contains("FIN-DU-COLLAGE"), "end of the paste");
    assert_eq!(export.matches("du compte rendu").count(), 400);
    assert!(export.contains("Suite convenue."));

    // Restart: the recent file opens with Entrée.
    std::fs::remove_file(dir.path().join("exit-status")).unwrap();
    let t = Tmux::start("passerelle-entretien2", dir.path(), &[]);
    t.wait_for("Récemment ouverts");
    t.wait_for("DUPONT Léa");
    t.send(&["Enter"]);
    t.wait_for("Entretiens (1)");
    t.send(&["4"]);
    t.wait_for("1. ");
    t.send(&["q"]);
    assert_eq!(wait_exit(dir.path()), 0);
}
