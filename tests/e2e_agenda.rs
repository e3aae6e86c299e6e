//! End-to-end through the real binary in tmux: a file, an interview
//! planned ahead, an immersion scheduled next week from the file's
//! Immersions tab, then the Agenda shows its days and the conflict; the
//! command line sees the same agenda. Dates are relative to today (the
//! binary runs on the real clock).

mod common;
use chrono::{Datelike, Days, Utc};
use common::*;
use passerelle::domain::agenda::to_paris;

#[test]
fn scheduling_an_immersion_shows_it_in_the_agenda() {
    let dir = tempfile::tempdir().unwrap();
    let today = to_paris(Utc::now()).date();
    // Next week's Monday to Friday; an interview on its Wednesday, 10:00.
    let monday = today + Days::new(u64::from(7 - today.weekday().num_days_from_monday()));
    let friday = monday + Days::new(4);
    let wednesday = monday + Days::new(2);
    let fmt = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();

    let t = Tmux::start("passerelle-agenda", dir.path(), &[]);
    t.wait_for("1 Accueil");
    tmux_new_file(&t, "Benali", "Karim");
    t.send(&["C-s"]);
    t.wait_for("BENALI Karim · ");

    // The interview, planned ahead.
    t.send(&["p"]);
    t.wait_for("Entretien à planifier — BENALI Karim");
    t.type_text(&format!("{} 10h", fmt(wednesday)));
    t.send(&["C-s"]);
    t.wait_for("Entretien enregistré");

    // The immersion: its hours are computed as the schedule is typed.
    t.send(&["m"]);
    t.wait_for("Nouvelle immersion — BENALI Karim");
    t.type_text(&fmt(monday));
    t.send(&["Tab"]);
    t.type_text(&fmt(friday));
    t.send(&["Tab"]);
    t.type_text("lun-ven 9h-12h 13h30-17h");
    t.wait_for("32 h 30 au total sur 5 jours");
    t.wait_for("pendant l'immersion");
    // Métier visé, objectif, then the host's name.
    t.send(&["Tab", "Tab", "Tab"]);
    t.type_text("Régie Nord");
    t.send(&["C-s"]);
    t.wait_for("Immersion enregistrée (étape ajoutée au parcours)");

    // The Agenda, next week: the days and the conflict.
    t.send(&["5"]);
    t.wait_for("Semaine");
    t.send(&[">"]);
    let s = t.wait_for("⚠ 1 conflit");
    assert!(s.contains("I BENALI K"), "{s}");
    assert!(s.contains("9:00–17:00"), "{s}");
    assert!(s.contains("⚠ conflit : Entretien — BENALI Karim"), "{s}");
    t.send(&["q"]);
    assert_eq!(wait_exit(dir.path()), 0);
    drop(t);

    // The command line agrees.
    let (out, _) = exits(
        dir.path(),
        &[
            "agenda",
            "--json",
            "--du",
            &monday.to_string(),
            "--au",
            &friday.to_string(),
        ],
        0,
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.iter().filter(|r| r["type"] == "immersion").count(), 5);
    assert_eq!(rows.iter().filter(|r| r["conflit"] == true).count(), 2);
}
