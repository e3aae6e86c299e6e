//! `passerelle audit`: the change journal and the audit log merged, with
//! the advisor of the configuration as author, and no personal value.

mod common;

use chrono::DateTime;
use common::{cli_env, open_unlocked, TEST_PASSPHRASE};
use passerelle::domain::*;
use passerelle::store::{AnyRecord, Write};
use std::path::Path;

const NAME: &str = "Zorglubienne";
const EMAIL: &str = "zorglubienne@exemple.invalid";
const NEW_EMAIL: &str = "nouvelle.adresse@exemple.invalid";
const NEW_PASSPHRASE: &str = "une toute autre phrase, bien plus longue";

/// Runs the CLI with the test config (advisor « Claire Dubois ») and a
/// passphrase; expects `code`; returns (stdout, stderr).
fn run(dir: &Path, passphrase: &str, args: &[&str], code: i32) -> (String, String) {
    let config = dir.join("config.toml");
    let mut env = vec![
        ("PASSERELLE_CONFIG", config.to_str().unwrap()),
        ("PASSERELLE_PHRASE_SECRETE", passphrase),
    ];
    if args[0] == "phrase-secrete" {
        env.push(("PASSERELLE_NOUVELLE_PHRASE_SECRETE", NEW_PASSPHRASE));
    }
    let o = cli_env(dir, &env, args);
    common::expect_exit(&o, code, &format!("passerelle {args:?}"))
}

fn events(dir: &Path, passphrase: &str) -> Vec<serde_json::Value> {
    let (out, _) = run(dir, passphrase, &["audit", "--json"], 0);
    serde_json::from_str::<Vec<serde_json::Value>>(&out).expect("JSON array")
}

fn actions(ev: &[serde_json::Value]) -> Vec<String> {
    ev.iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn audit_lists_who_did_what_on_which_file_without_personal_values() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("config.toml"),
        "[conseiller]\nnom = \"Claire Dubois\"\n",
    )
    .unwrap();
    run(dir, TEST_PASSPHRASE, &["init"], 0);
    // A file created then changed (as the TUI does: journaled writes).
    let id = {
        let s = open_unlocked(dir);
        let t = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let mut b = Beneficiary::new(Id::generate(), NAME, "Léa", Meta::new(t, "Claire Dubois"));
        b.email = Some(EMAIL.into());
        s.apply(&[Write::Put(AnyRecord::from(b.clone()))]).unwrap();
        b.email = Some(NEW_EMAIL.into());
        b.meta
            .touch(t + chrono::Duration::minutes(5), "Claire Dubois");
        s.apply(&[Write::Put(AnyRecord::from(b.clone()))]).unwrap();
        b.id
    };
    let (json, warn) = run(
        dir,
        TEST_PASSPHRASE,
        &["beneficiaires", "export", &id.to_string()],
        0,
    );
    assert!(json.contains(NEW_EMAIL), "the export itself holds the data");
    let _ = warn;
    run(dir, TEST_PASSPHRASE, &["phrase-secrete", "changer"], 0);

    let ev = events(dir, NEW_PASSPHRASE);
    let acts = actions(&ev);
    for expected in [
        "chiffrement",
        "creation",
        "modification",
        "export",
        "phrase_secrete",
    ] {
        assert!(acts.iter().any(|a| a == expected), "{expected} in {acts:?}");
    }
    let change = ev
        .iter()
        .find(|e| e["action"] == "modification")
        .expect("a change");
    assert_eq!(change["dossier"], id.to_string());
    assert!(
        change["champs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "email"),
        "{change}"
    );
    let export = ev.iter().find(|e| e["action"] == "export").unwrap();
    assert_eq!(export["conseiller"], "Claire Dubois");
    assert_eq!(export["dossier"], id.to_string());
    // Time order.
    let instants: Vec<&str> = ev.iter().map(|e| e["instant"].as_str().unwrap()).collect();
    let mut sorted = instants.clone();
    sorted.sort();
    assert_eq!(instants, sorted);
    // No personal value, in JSON or text.
    let (text, _) = run(dir, NEW_PASSPHRASE, &["audit"], 0);
    for out in [serde_json::to_string(&ev).unwrap(), text.clone()] {
        for secret in [NAME, EMAIL, NEW_EMAIL] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
    }
    assert!(
        text.contains("Claire Dubois") && text.contains("export"),
        "{text}"
    );
    assert!(text.contains("(email)"), "{text}");

    // An erasure removes the person's journal but is itself audited.
    run(
        dir,
        NEW_PASSPHRASE,
        &["beneficiaires", "supprimer", &id.to_string(), "--oui"],
        0,
    );
    let ev = events(dir, NEW_PASSPHRASE);
    let acts = actions(&ev);
    assert!(!acts.iter().any(|a| a == "modification"), "{acts:?}");
    let erased = ev.iter().find(|e| e["action"] == "effacement").unwrap();
    assert_eq!(erased["dossier"], id.to_string());
    assert_eq!(erased["conseiller"], "Claire Dubois");

    // Windows: a past window is empty; a reversed one is refused.
    let (text, _) = run(dir, NEW_PASSPHRASE, &["audit", "--au", "01/01/2001"], 0);
    assert!(text.contains("Aucun événement"), "{text}");
    let (_, err) = run(
        dir,
        NEW_PASSPHRASE,
        &["audit", "--du", "02/01/2001", "--au", "01/01/2001"],
        2,
    );
    assert!(err.contains("précède"), "{err}");
    // A restore is audited in the restored store.
    run(dir, NEW_PASSPHRASE, &["sauvegarde"], 0);
    run(dir, NEW_PASSPHRASE, &["restaurer", "--oui"], 0);
    let acts = actions(&events(dir, NEW_PASSPHRASE));
    assert_eq!(
        acts.last().map(String::as_str),
        Some("restauration"),
        "{acts:?}"
    );
    // The old passphrase no longer opens it: exit 2, nothing written.
    let before = common::tree_bytes(&dir.join("base"));
    let (_, err) = run(dir, TEST_PASSPHRASE, &["audit"], 2);
    assert!(
        err.to_lowercase().contains("phrase secrète incorrecte"),
        "{err}"
    );
    assert_eq!(before, common::tree_bytes(&dir.join("base")));
}
