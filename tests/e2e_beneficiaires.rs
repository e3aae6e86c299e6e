//! End-to-end: create a file and log an interview through the keyboard in
//! the real binary (tmux), quit, restart on the same data directory and find
//! both again.

mod common;
use common::*;

#[test]
fn create_file_and_interview_then_find_them_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux::start("passerelle-benef", dir.path(), &[]);
    t.wait_for("1 Accueil");

    // Screen 2, new file.
    tmux_new_file(&t, "Dupont", "Léa");
    t.type_text("lea.dupont@exemple.fr");
    // Ctrl-S refused while a field is invalid.
    t.send(&["Tab"]);
    t.type_text("06 12");
    t.send(&["C-s"]);
    t.wait_for("Non enregistré");
    t.send(&["BSpace", "BSpace", "BSpace", "BSpace", "BSpace"]);
    t.send(&["C-s"]);
    t.wait_for("Dossier enregistré");
    t.wait_for("DUPONT Léa · ");

    // A new interview with a multi-line summary.
    t.send(&["i"]);
    t.wait_for("Nouvel entretien");
    for _ in 0..6 {
        t.send(&["Tab"]);
    }
    t.type_text("Premier échange sur le projet.");
    t.send(&["Enter"]);
    t.type_text("Piste VAE à étudier.");
    t.send(&["Tab"]);
    t.type_text("Demander le livret 1.");
    t.send(&["Tab"]);
    let next = (chrono::Local::now().date_naive() + chrono::Duration::days(7))
        .format("%d/%m/%Y")
        .to_string();
    t.type_text(&next);
    t.send(&["C-s"]);
    t.wait_for("Entretien enregistré");
    t.wait_for("Entretiens (1)");
    t.send(&["q"]);
    assert_eq!(wait_exit(dir.path()), 0);
    drop(t);

    // Restart on the same data: the file and its interview are there.
    std::fs::remove_file(dir.path().join("exit-status")).unwrap();
    let t = Tmux::start("passerelle-benef2", dir.path(), &[]);
    let home = t.wait_for("Récemment ouverts");
    t.wait_for("DUPONT Léa");
    assert!(home.contains("1 Accueil"), "{home}");
    t.send(&["2"]);
    t.wait_for("1 dossier");
    t.send(&["/"]);
    t.type_text("dup");
    t.send(&["Enter"]);
    t.wait_for("Entretiens (1)");
    let s = t.wait_for("lea.dupont@exemple.fr");
    assert!(s.contains(&format!("prochain suivi {next}")), "{s}");
    t.send(&["Right"]);
    t.send(&["Enter"]);
    let s = t.wait_for("Piste VAE à étudier.");
    assert!(s.contains("Premier échange sur le projet."), "{s}");
    assert!(s.contains("Demander le livret 1."), "{s}");
    t.send(&["Escape", "Escape", "q"]);
    assert_eq!(wait_exit(dir.path()), 0);
}
