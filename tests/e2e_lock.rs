//! End-to-end (the real binary in tmux): the lock screen asks for the
//! passphrase without showing it, three wrong ones stop Passerelle with
//! exit 2; a form survives a resize to 20×5 and back, then saves.

mod common;
use common::*;

/// No passphrase from the environment: the TUI asks for it.
const ASK: &[(&str, &str)] = &[("PASSERELLE_PHRASE_SECRETE", "")];

#[test]
fn the_lock_screen_hides_the_passphrase_and_a_form_survives_a_resize() {
    let dir = tempfile::tempdir().unwrap();
    run_expect(dir.path(), &["init"], 0);
    let t = Tmux::start_with_env("passerelle-verrou", dir.path(), ASK, &[]);
    t.wait_for("Base verrouillée");
    t.type_text(TEST_PASSPHRASE);
    let screen = t.wait_for("•••••••••••••••");
    for part in ["phrase secrète des", "tests 2026", "des tests"] {
        assert!(!screen.contains(part), "« {part} » visible :\n{screen}");
    }
    t.send(&["Enter"]);
    t.wait_for("1 Accueil");

    // A form, typed; the window shrinks to 20×5 and comes back.
    tmux_new_file(&t, "Dupont", "Léa");
    t.type_text("lea.dupont@exemple.fr");
    t.resize(20, 5);
    t.wait_gone("lea.dupont@exemple.fr");
    t.resize(80, 24);
    let screen = t.wait_for("lea.dupont@exemple.fr");
    assert!(
        screen.contains("Dupont") && screen.contains("Léa"),
        "{screen}"
    );
    t.send(&["C-s"]);
    t.wait_for("Dossier enregistré");
    t.send(&["q"]);
    assert_eq!(wait_exit(dir.path()), 0);
    drop(t);
    let store = open_unlocked(dir.path());
    assert_eq!(store.beneficiary_count().unwrap(), 1);
}

#[test]
fn three_wrong_passphrases_stop_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    run_expect(dir.path(), &["init"], 0);
    let t = Tmux::start_with_env("passerelle-verrou-faux", dir.path(), ASK, &[]);
    t.wait_for("Base verrouillée");
    for n in 1..=2 {
        t.type_text("pas la bonne phrase");
        t.send(&["Enter"]);
        t.wait_for(&format!("encore {} essai", 3 - n));
    }
    t.type_text("pas la bonne phrase");
    t.send(&["Enter"]);
    assert_eq!(wait_exit(dir.path()), 2);
    let screen = t.wait_for("la base n'a pas été ouverte");
    assert!(!screen.contains("pas la bonne"), "{screen}");
}
