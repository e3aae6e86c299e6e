//! End-to-end: the real binary in tmux, with a temporary data directory.

mod common;
use common::*;

#[test]
fn shell_help_quit_and_second_instance() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux::start("passerelle-shell", dir.path(), &[]);
    let screen = t.wait_for("1 Accueil");
    assert!(screen.contains("5 Agenda"), "{screen}");

    // While the first instance holds the store, a second one is refused.
    let out = cli(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("déjà ouvert"), "{err}");

    t.send(&["?"]);
    t.wait_for("Aide — Accueil");
    t.send(&["Escape"]);
    t.wait_gone("Aide — Accueil");
    t.send(&["3"]);
    t.wait_for("Métiers");
    t.send(&["q"]);
    assert_eq!(wait_exit(dir.path()), 0);
    // Logs went to a file in the data dir, not to the screen.
    assert!(dir.path().join("journaux/passerelle.log").exists());
}

#[test]
fn help_and_version_work_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--data-dir"));
    let out = cli(dir.path(), &["--version"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn invalid_config_is_a_clear_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[interface]\ntheme = \"fluo\"\n").unwrap();
    let out = cli(dir.path(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("c.toml") && err.contains("ligne 2") && err.contains("interface.theme"),
        "{err}"
    );
}

#[test]
fn a_panic_restores_the_terminal_and_names_the_log_file() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux::start_with_env(
        "passerelle-panic",
        dir.path(),
        &[("PASSERELLE_TEST_PANIQUE", "1")],
        &[],
    );
    let screen = t.wait_for("erreur interne");
    let log = dir.path().join("journaux/passerelle.log");
    assert!(screen.contains("journaux/passerelle.log"), "{screen}");
    // Back on the normal screen: the TUI header is gone.
    assert!(!screen.contains("1 Accueil"), "{screen}");
    assert_ne!(wait_exit(dir.path()), 0);
    let text = std::fs::read_to_string(log).unwrap();
    assert!(text.contains("panic"), "{text}");
}

#[test]
fn a_key_shared_by_two_actions_is_refused_naming_both_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[conseiller]\nnom = \"Camille\"\n\n[touches]\naide = \"?\"\nquitter = \"j\"\n",
    )
    .unwrap();
    let out = cli(dir.path(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for part in ["c.toml", "ligne 6", "« quitter »", "« bas »", "« j »"] {
        assert!(err.contains(part), "{part} missing in: {err}");
    }
    // A letter for a form action is refused too (it would be typed).
    std::fs::write(&cfg, "[touches]\nenregistrer = \"s\"\n").unwrap();
    let out = cli(dir.path(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ligne 2") && err.contains("enregistrer"),
        "{err}"
    );
}
