//! The command line against a hostile environment (issue 7): a permissive
//! umask, a closed stdout, a log directory that cannot be written, a
//! missing or mistyped data directory. Nothing panics; personal data stays
//! private whatever the umask; read commands create nothing.

mod common;

use common::{
    assert_no_internals, bin, cli, command, err_text, expect_exit, listed_ids, run_expect,
};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file and directory under `root`, recursively.
fn all_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(all_under(&p));
        }
        out.push(p);
    }
    out
}

/// Runs `sh -c SCRIPT passerelle ARGS…` (the binary is `$0` in the
/// script) with the isolated environment of `common::command`.
fn through_sh(data: &Path, script: &str, args: &[&str]) -> std::process::Output {
    let inner = command(data, args);
    let mut c = Command::new("sh");
    c.arg("-c").arg(script).arg(bin()).args(args);
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.output().unwrap()
}

/// Runs the binary under `umask 000` (set by `sh` before `exec`).
fn under_umask_000(data: &Path, args: &[&str]) -> std::process::Output {
    through_sh(data, "umask 000; exec \"$0\" \"$@\"", args)
}

/// True when this process can create files in `dir` despite its mode
/// (running as root): permission tests are then meaningless.
fn writable_anyway(dir: &Path) -> bool {
    let probe = dir.join(".sonde");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

#[test]
fn under_umask_000_the_data_dir_is_0700_and_every_file_0600() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("donnees");
    let report = tmp.path().join("rapport.txt");
    let csv = tmp.path().join("import.csv");
    std::fs::write(&csv, "nom;prenom;email\nDurand;Luc;luc@exemple.fr\nX;;\n").unwrap();
    let steps: [(&[&str], i32); 7] = [
        (&["demo", "--nombre", "5"], 0),
        (&["sauvegarde"], 0),
        (
            &[
                "beneficiaires",
                "import",
                csv.to_str().unwrap(),
                "--rapport",
                report.to_str().unwrap(),
            ],
            1,
        ),
        (&["beneficiaires", "liste", "--json"], 0),
        (&["compacter"], 0),
        (&["restaurer", "--oui"], 0),
        (&["verifier"], 0),
    ];
    for (args, code) in steps {
        expect_exit(
            &under_umask_000(&data, args),
            code,
            &format!("umask 000: {args:?}"),
        );
    }
    assert_eq!(mode(&data), 0o700, "data dir");
    let written = all_under(&data);
    for must in [
        "base.etat",
        "journaux/passerelle.log",
        "base/db",
        "base/conf",
    ] {
        assert!(written.contains(&data.join(must)), "{must} missing");
    }
    assert!(
        written
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "sauvegarde")),
        "no backup written"
    );
    for p in &written {
        let want = if p.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(p), want, "{}", p.display());
    }
    assert_eq!(mode(&report), 0o600, "--rapport file");

    // An existing, empty data directory with open permissions is made
    // private too.
    let open = tmp.path().join("ouvert");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    expect_exit(
        &under_umask_000(&open, &["demo", "--nombre", "1"]),
        0,
        "demo",
    );
    assert_eq!(mode(&open), 0o700);
}

/// Spawns a command whose stdout is closed before it writes anything.
fn with_closed_stdout(data: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = command(data, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), err_text(&out))
}

#[test]
fn a_closed_stdout_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    run_expect(&data, &["demo", "--nombre", "30"], 0);
    let csv = tmp.path().join("import.csv");
    std::fs::write(&csv, "nom;prenom\nDurand;Luc\n").unwrap();
    let csv = csv.to_str().unwrap();
    let commands: [&[&str]; 7] = [
        &["beneficiaires", "liste", "--json"],
        &["beneficiaires", "liste"],
        &["beneficiaires", "import", csv],
        &["metiers", "aide"],
        &["verifier"],
        &["referentiel", "info"],
        &["--help"],
    ];
    for args in commands {
        let (code, err) = with_closed_stdout(&data, args);
        assert_ne!(code, Some(101), "{args:?} panicked: {err}");
        assert!(
            matches!(code, Some(0) | Some(141)),
            "{args:?}: exit {code:?}, {err}"
        );
        assert!(err.is_empty(), "{args:?}: quiet on a closed pipe: {err}");
    }
    // The import was done even though its report could not be shown.
    assert_eq!(listed_ids(&data).len(), 31);

    // As a shell pipeline: `liste --json | head -c 10`, on an output far
    // larger than a pipe buffer.
    run_expect(&data, &["demo", "--nombre", "300", "--force"], 0);
    let o = through_sh(
        &data,
        "\"$0\" beneficiaires liste --json | head -c 10; echo \" fin\"",
        &[],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with('[') && out.ends_with(" fin\n"), "{out}");
    assert!(err_text(&o).is_empty(), "{}", err_text(&o));
}

#[test]
fn an_unwritable_log_gives_one_french_line_and_the_command_works() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    run_expect(&data, &["demo", "--nombre", "3"], 0);
    let logs = data.join("journaux");

    let check = |what: &str| {
        let o = cli(&data, &["beneficiaires", "liste", "--json"]);
        let (out, err) = expect_exit(&o, 0, what);
        assert!(out.starts_with('['), "{what}: {out}");
        assert_eq!(err.lines().count(), 1, "{what}: one line: {err}");
        assert!(
            err.contains("journal technique") && err.contains("sans journal"),
            "{what}: {err}"
        );
        assert_no_internals(&err);
    };

    // The log file's place is taken by a directory (works as root too).
    std::fs::remove_dir_all(&logs).unwrap();
    std::fs::create_dir_all(logs.join("passerelle.log")).unwrap();
    check("passerelle.log is a directory");

    // `journaux` is a file.
    std::fs::remove_dir_all(&logs).unwrap();
    std::fs::write(&logs, b"").unwrap();
    check("journaux is a file");

    // A read-only `journaux` (meaningless as root: skipped then).
    std::fs::remove_file(&logs).unwrap();
    std::fs::create_dir(&logs).unwrap();
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o500)).unwrap();
    if writable_anyway(&logs) {
        eprintln!("root: chmod 500 does not protect journaux/, case skipped");
    } else {
        check("journaux is read-only");
    }
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn metiers_works_without_a_usable_store() {
    let tmp = tempfile::tempdir().unwrap();
    // No data directory at all: it works and creates nothing.
    let missing = tmp.path().join("absent");
    let (out, err) = run_expect(&missing, &["metiers", "aide", "--limite", "3"], 0);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(err.is_empty(), "{err}");
    assert!(!missing.exists());

    // The store is open in another instance: the built-in catalogue, a
    // warning, exit 0.
    let data = tmp.path().join("d");
    run_expect(&data, &["demo", "--nombre", "1"], 0);
    {
        let _held = passerelle::store::Store::open(&data.join("base")).unwrap();
        let (out, err) = run_expect(&data, &["metiers", "aide", "--limite", "3"], 0);
        assert_eq!(out.lines().count(), 3, "{out}");
        assert!(err.contains("catalogue intégré"), "{err}");
        assert!(err.contains("déjà ouvert"), "{err}");
    }

    // A read-only data directory (skipped as root).
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o500)).unwrap();
    if writable_anyway(&data) {
        eprintln!("root: chmod 500 does not protect the data dir, case skipped");
    } else {
        let (out, _) = run_expect(&data, &["metiers", "aide", "--limite", "3"], 0);
        assert_eq!(out.lines().count(), 3, "{out}");
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn read_commands_on_a_missing_data_dir_say_so_and_create_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("faute-de-frappe");
    let commands: [&[&str]; 8] = [
        &["beneficiaires", "liste", "--json"],
        &["beneficiaires", "liste"],
        &["beneficiaires", "export", "0123456789abcdef"],
        &["beneficiaires", "supprimer", "0123456789abcdef", "--oui"],
        &["purge", "--dry-run"],
        &["verifier"],
        &["sauvegarde"],
        &["compacter"],
    ];
    for args in commands {
        let (out, err) = run_expect(&missing, args, 2);
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.contains(&format!("Aucune base dans {}", missing.display())),
            "{args:?}: {err}"
        );
        assert!(!missing.exists(), "{args:?} created the data directory");
    }
    // An existing directory without a store: same, and nothing written in it.
    let empty = tmp.path().join("vide");
    std::fs::create_dir(&empty).unwrap();
    for args in commands {
        let (_, err) = run_expect(&empty, args, 2);
        assert!(err.contains("Aucune base dans"), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    let (_, err) = run_expect(&missing, &["restaurer", "--oui"], 2);
    assert!(err.contains("rien à restaurer"), "{err}");
    assert!(!missing.exists());
}

#[test]
fn a_regular_file_as_data_dir_is_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("fichier");
    std::fs::write(&file, b"pas un dossier").unwrap();
    for args in [
        &["beneficiaires", "liste", "--json"][..],
        &["demo", "--nombre", "1"][..],
        &["verifier"][..],
    ] {
        // The home stays a real directory: only --data-dir is wrong.
        let home = tmp.path().join("home");
        let o = command(&home, &[])
            .arg("--data-dir")
            .arg(&file)
            .args(args)
            .output()
            .unwrap();
        let (_, err) = expect_exit(&o, 2, &format!("{args:?}"));
        assert!(err.contains("désigne un fichier"), "{args:?}: {err}");
        assert!(!err.contains("File exists"), "{args:?}: {err}");
        assert_no_internals(&err);
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"pas un dossier");
}
