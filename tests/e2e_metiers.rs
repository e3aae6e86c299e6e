//! End-to-end: type a query on the Métiers screen and open a related métier.

mod common;
use common::*;

#[test]
fn type_a_query_and_open_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux::start("passerelle-metiers", dir.path(), &[]);
    t.wait_for("1 Accueil");
    t.send(&["3"]);
    t.wait_for("Référentiel ROME");
    t.send(&["/"]);
    t.type_text("auxilliaire de vie");
    t.wait_for("Recherche : auxilliaire de vie");
    // The misspelt query still finds the fiche K1302 (detail pane title).
    t.wait_for("K1302 Assistance auprès");
    // Leave the search box, focus the detail pane, open the first related métier.
    t.send(&["Enter"]);
    t.send(&["Enter"]);
    t.wait_for("Entrée ouvre");
    t.send(&["Enter"]);
    let screen = t.wait_for("Échap pour revenir");
    assert!(
        !screen.contains("Recherche : auxilliaire de vie"),
        "{screen}"
    );
    t.send(&["Escape"]);
    t.wait_for("Recherche : auxilliaire de vie");
    t.send(&["Escape", "Escape", "Escape"]);
    t.send(&["q"]);
    assert_eq!(wait_exit(dir.path()), 0);
}
