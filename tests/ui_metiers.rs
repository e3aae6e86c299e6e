//! Snapshot tests of the Métiers screen (TestBackend, fixed date).

mod common;
use common::{fixed_now, press, render, screen_text as text, type_text as type_str};
use passerelle::app::{Action, App, Keymap, Screen};
use passerelle::ui::Theme;
use ratatui::crossterm::event::KeyCode;

fn app() -> App {
    let mut a = App::new(Keymap::default(), fixed_now());
    a.update(Action::GoTo(Screen::Metiers));
    a
}

#[test]
fn query_branch_filter_and_detail_pane() {
    let mut a = app();
    // Branch filter: cycle to ALISFA (second branch in the data).
    press(&mut a, KeyCode::Char('b'));
    press(&mut a, KeyCode::Char('b'));
    assert_eq!(a.metiers.branch.as_deref(), Some("ALISFA"));
    press(&mut a, KeyCode::Char('/'));
    type_str(&mut a, "educ jeun");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    let s = text(&render(&a, 100, 30));
    assert!(s.contains("Branche : ALISFA"), "{s}");
    assert!(s.contains("K1202"), "{s}");
    assert!(s.contains("Métiers voisins"), "{s}");
    insta::assert_snapshot!("metiers_educ_jeun_alisfa_100x30", s);
}

#[test]
fn matched_letters_are_highlighted_in_the_accented_original() {
    let mut a = app();
    press(&mut a, KeyCode::Char('/'));
    type_str(&mut a, "educateur");
    let buf = render(&a, 100, 30);
    let theme = Theme::default();
    // Find the first result row (the selected one, marked ▶) and check that
    // the accented É is drawn with the highlight style.
    let (x0, y) = (0..30)
        .flat_map(|y| (0..100).map(move |x| (x, y)))
        .find(|&(x, y)| buf[(x, y)].symbol() == "▶")
        .expect("a selected row");
    let first = &buf[(x0 + 1, y)];
    assert_eq!(first.symbol(), "É");
    assert!(first.modifier.contains(theme.highlight.add_modifier));
    // A letter after the matched word is not highlighted.
    let row: String = (x0 + 1..100)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect();
    let after = row.find('/').expect("Éducateur / Éducatrice");
    let cell = &buf[(x0 + 1 + row[..after].chars().count() as u16, y)];
    assert!(!cell.modifier.contains(theme.highlight.add_modifier));
}

#[test]
fn no_result_shows_a_helpful_message() {
    let mut a = app();
    press(&mut a, KeyCode::Char('/'));
    type_str(&mut a, "xqzwv");
    let s = text(&render(&a, 80, 24));
    assert!(s.contains("Aucun métier ne correspond à « xqzwv »"), "{s}");
    insta::assert_snapshot!("metiers_no_result_80x24", s);
}

#[test]
fn a_target_marked_on_metiers_shows_on_the_parcours_screen() {
    use passerelle::app::Outcome;
    use passerelle::domain::{Beneficiary, Id, Meta, Plan, PlanTarget};
    let mut a = app();
    let meta = Meta::new(chrono::DateTime::from_timestamp(0, 0).unwrap(), "x");
    let b = Beneficiary::new(Id::new_v7(1, [7; 10]), "Dupont", "Léa", meta.clone());
    a.update(Action::GoTo(Screen::Parcours));
    let s = text(&render(&a, 80, 24));
    assert!(s.contains("Aucun dossier ouvert"), "{s}");
    let id = b.id;
    let b_record = b.clone();
    a.effect_done(Outcome::BeneficiariesLoaded {
        damaged: Vec::new(),
        beneficiaries: vec![b.clone()].into(),
        recent: vec![],
    });
    a.update(Action::GoTo(Screen::Beneficiaires));
    passerelle::app::beneficiaires::open_file(&mut a, id);
    common::record_loaded(&mut a, &[b_record]);
    // The plan as the runtime loads it.
    let mut plan = Plan::new(Id::new_v7(2, [8; 10]), id, a.now.date(), meta);
    plan.add_target(PlanTarget::new(
        12345,
        "K1202",
        "Éducateur / Éducatrice de jeunes enfants",
    ));
    a.effect_done(Outcome::PlanLoaded {
        beneficiary: id,
        plan: Some(plan),
    });
    a.update(Action::GoTo(Screen::Parcours));
    assert_eq!(a.open_beneficiary.as_ref().map(|o| o.id), Some(id));
    let s = text(&render(&a, 80, 24));
    assert!(s.contains("Métiers cibles (1)"), "{s}");
    // At 80 columns the label is cut before its code, never the code.
    assert!(s.contains("1. Éducateur / Éducatrice d… (K1202)"), "{s}");
    let s = text(&render(&a, 120, 40));
    assert!(
        s.contains("1. Éducateur / Éducatrice de jeunes enfants (K1202)"),
        "{s}"
    );
}

#[test]
fn hiding_the_detail_pane_names_the_fiche_once_or_adds_a_rome_label_column() {
    let mut a = app();
    press(&mut a, KeyCode::Char('/'));
    type_str(&mut a, "gardien immeuble");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('v'));
    let s = text(&render(&a, 100, 30));
    // Every row is K2501: the fiche is named in the title, not on each row.
    let title = s.lines().nth(2).unwrap();
    assert!(title.contains("K2501 Gardiennage de locaux"), "{title}");
    assert!(!s.contains("Libellé ROME"), "{s}");
    let row = s.lines().find(|l| l.contains("▶")).unwrap();
    assert!(row.contains("Gardien / Gardienne d'immeuble"), "{row}");
    insta::assert_snapshot!("metiers_table_full_width_100x30", s);

    // Rows from several fiches: a ROME label column, filled only on the
    // first row of each fiche and where it says more than the appellation.
    press(&mut a, KeyCode::Char('/'));
    type_str(&mut a, "animateur");
    press(&mut a, KeyCode::Enter);
    let s = text(&render(&a, 120, 40));
    assert!(s.contains("Libellé ROME"), "{s}");
    assert!(s.contains("Intervention socioculturelle"), "{s}");
    let rows: Vec<&str> = s.lines().filter(|l| l.contains(" K1206 ")).collect();
    let with_label = rows
        .iter()
        .filter(|l| l.contains("Intervention socioculturelle"))
        .count();
    assert!(rows.len() > with_label, "{s}");
}

/// At 80 and 120 columns the rows stay distinguishable: a long appellation
/// that starts like the row above shows where it differs; branches come in
/// one order (row and detail pane agree).
#[test]
fn results_stay_distinguishable_at_80_and_120_columns() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = app();
        press(&mut a, KeyCode::Char('/'));
        type_str(&mut a, "educ jeun");
        press(&mut a, KeyCode::Enter);
        let s = text(&render(&a, w, h));
        let rows: Vec<&str> = s
            .lines()
            .filter(|l| l.contains(" K1202 "))
            .map(|l| l.split(" K1202 ").next().unwrap())
            .collect();
        assert!(rows.len() >= 5, "{s}");
        let mut distinct = rows.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), rows.len(), "rows read the same:\n{s}");
        assert!(s.contains("coordonnat"), "{s}");
        // Branches: same order in the row and in the detail pane.
        assert!(s.contains("Branches : ÉCLAT, ALISFA,"), "{s}");
        let first_row = s.lines().find(|l| l.contains("▶")).unwrap();
        assert!(first_row.contains("K1202 ÉCLAT"), "{first_row}");
        assert!(!s.contains("ALISFA, ÉCLAT"), "{s}");
        insta::assert_snapshot!(format!("metiers_educ_jeun_{w}x{h}"), s);
    }
}

/// `/` selects the previous query: typing replaces it.
#[test]
fn slash_selects_the_previous_query() {
    let mut a = app();
    press(&mut a, KeyCode::Char('/'));
    type_str(&mut a, "educ jeun");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('/'));
    let buf = render(&a, 100, 30);
    // The selected query is drawn reversed.
    let (x, y) = (" Recherche : ".chars().count() as u16, 1);
    assert_eq!(buf[(x, y)].symbol(), "e");
    assert!(buf[(x, y)]
        .modifier
        .contains(ratatui::style::Modifier::REVERSED));
    type_str(&mut a, "tisf");
    let s = text(&render(&a, 100, 30));
    assert!(s.contains("Recherche : tisf▏"), "{s}");
    assert!(s.contains("1 résultat"), "{s}");
}
