//! Snapshot tests of the application shell (header, help overlay, too-small
//! message) rendered with ratatui's TestBackend at a fixed date.

mod common;
use common::{fixed_now, render, screen_text as text};
use passerelle::app::{Action, App, Keymap, Screen};
use passerelle::ui::Theme;

fn app() -> App {
    App::new(Keymap::default(), fixed_now())
}

#[test]
fn header_lists_the_five_screens_and_the_date() {
    let a = app();
    let s = text(&render(&a, 100, 30));
    let header = s.lines().next().unwrap();
    for t in [
        "1 Accueil",
        "2 Bénéficiaires",
        "3 Métiers",
        "4 Parcours",
        "5 Agenda",
        "sam. 28/11 09:30",
    ] {
        assert!(header.contains(t), "missing {t} in {header}");
    }
    insta::assert_snapshot!("accueil_100x30", s);
}

#[test]
fn active_tab_is_highlighted() {
    let mut a = app();
    a.update(Action::GoTo(Screen::Parcours));
    let buf = render(&a, 100, 30);
    let theme = Theme::default();
    let header: String = (0..100).map(|x| buf[(x, 0)].symbol().to_string()).collect();
    let col = header.find("4 Parcours").unwrap();
    let col = header[..col].chars().count() as u16;
    assert_eq!(buf[(col, 0)].bg, theme.active_tab.bg.unwrap());
    let col1 = header[..header.find("1 Accueil").unwrap()].chars().count() as u16;
    assert_ne!(buf[(col1, 0)].bg, theme.active_tab.bg.unwrap());
}

#[test]
fn help_overlay_is_generated_from_the_keymap() {
    let mut a = app();
    a.update(Action::Help);
    let s = text(&render(&a, 80, 24));
    assert!(s.contains("Aide — Accueil"));
    assert!(s.contains("quitter Passerelle") || s.contains("↓ suite"));
    insta::assert_snapshot!("help_accueil_80x24", s);

    // A rebound key shows up in the help: the overlay reads the keymap.
    let mut user = std::collections::BTreeMap::new();
    user.insert("ecran-suivant".to_string(), vec!["F8".to_string()]);
    let mut b = App::new(Keymap::with_overrides(&user).unwrap(), a.now);
    b.update(Action::Help);
    let s = text(&render(&b, 100, 40));
    let line = s.lines().find(|l| l.contains("écran suivant")).unwrap();
    assert!(line.contains("F8") && !line.contains("Tab "), "{line}");
}

#[test]
fn too_small_terminal_shows_a_message_and_recovers() {
    let mut a = app();
    let s = text(&render(&a, 60, 20));
    assert!(s.contains("Fenêtre trop petite"));
    assert!(s.contains("60×20"));
    insta::assert_snapshot!("too_small_60x20", s);
    a.update(Action::Resize(80, 24));
    let s = text(&render(&a, 80, 24));
    assert!(!s.contains("Fenêtre trop petite"));
    assert!(s.contains("1 Accueil"));
}

#[test]
fn every_screen_is_built_none_is_a_placeholder() {
    let mut a = app();
    for screen in Screen::ALL {
        a.update(Action::GoTo(screen));
        let s = text(&render(&a, 80, 24));
        assert!(!s.contains("Bientôt sur cet écran"), "{screen:?}:\n{s}");
        assert!(s.contains(screen.title()), "{screen:?}:\n{s}");
    }
}

#[test]
fn command_palette_lists_matching_actions() {
    let mut a = app();
    a.update(Action::Palette);
    for c in "aide".chars() {
        a.update(Action::Text(common::key(
            ratatui::crossterm::event::KeyCode::Char(c),
        )));
    }
    let s = text(&render(&a, 80, 24));
    assert!(s.contains("> aide"), "{s}");
    assert!(s.contains("afficher cette aide"), "{s}");
    insta::assert_snapshot!("palette_aide_80x24", s);
}

use passerelle::app::{Confirm, Modal, Outcome, Reply, StatusLevel};
use passerelle::domain::{Beneficiary, Id, Meta};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The app on the file list, with one file, at `w`×`h`.
fn on_files(w: u16, h: u16) -> App {
    let mut a = app();
    a.update(Action::Resize(w, h));
    let meta = Meta::new(
        chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
        "x",
    );
    let mut b = Beneficiary::new(
        Id::new_v7(1_790_000_000_000, [1; 10]),
        "Dupont",
        "Léa",
        meta,
    );
    b.email = Some("lea.dupont@exemple.fr".into());
    a.effect_done(Outcome::BeneficiariesLoaded {
        beneficiaries: vec![b],
        damaged: Vec::new(),
        recent: Vec::new(),
    });
    a.update(Action::GoTo(Screen::Beneficiaires));
    a
}

#[test]
fn help_inside_a_form_lists_the_form_keys() {
    for (w, h) in [(80, 24), (100, 30)] {
        let mut a = on_files(w, h);
        a.update(Action::New);
        common::press(&mut a, KeyCode::F(1));
        let s = text(&render(&a, w, h));
        assert!(s.contains("Aide — formulaire"), "{s}");
        for line in [
            "champ suivant",
            "champ précédent",
            "choix suivant",
            "enregistrer le formulaire",
            "quitter le formulaire",
        ] {
            assert!(s.contains(line), "{line} missing:\n{s}");
        }
        assert!(
            !s.contains("écran suivant"),
            "Tab is not « écran suivant » in a form"
        );
        let save = s
            .lines()
            .find(|l| l.contains("enregistrer le formulaire"))
            .unwrap();
        assert!(save.contains("Ctrl-S"), "{save}");
        insta::assert_snapshot!(format!("help_form_{w}x{h}"), s);
    }
}

#[test]
fn the_palette_in_a_form_shows_form_and_global_commands_with_keys() {
    let mut a = on_files(80, 24);
    a.update(Action::New);
    a.update(Action::Palette);
    let s = text(&render(&a, 80, 24));
    let save = s
        .lines()
        .find(|l| l.contains("enregistrer le formulaire"))
        .unwrap();
    assert!(save.contains("Ctrl-S"), "{save}");
    insta::assert_snapshot!("palette_form_80x24", s);
    for c in "metiers".chars() {
        common::press(&mut a, KeyCode::Char(c));
    }
    let s = text(&render(&a, 80, 24));
    let go = s.lines().find(|l| l.contains("aller aux Métiers")).unwrap();
    assert!(
        go.contains("F4") && !go.contains(" 3 "),
        "only F4 works in a form: {go}"
    );
}

#[test]
fn the_status_message_never_covers_the_key_hints() {
    for (w, h) in [(80, 24), (100, 30)] {
        let mut a = on_files(w, h);
        a.set_status(StatusLevel::Success, "Dossier enregistré");
        let s = text(&render(&a, w, h));
        let bar = s.lines().nth(h as usize - 1).unwrap().to_string();
        assert!(bar.ends_with("✓ Dossier enregistré"), "{bar}");
        // Every hint shown is whole; the cut ones are replaced by « … ».
        let left = bar.split("✓").next().unwrap();
        for piece in left.split("  ").map(str::trim).filter(|p| !p.is_empty()) {
            assert!(
                piece == "…" || a.hints().iter().any(|(k, l)| format!("{k} {l}") == piece),
                "« {piece} » is not a whole hint: {bar}"
            );
        }
        insta::assert_snapshot!(format!("status_and_hints_{w}x{h}"), bar);
        // A long message is cut itself, never mixed with the keys.
        a.set_status(StatusLevel::Error, "x".repeat(200));
        let s = text(&render(&a, w, h));
        let bar = s.lines().nth(h as usize - 1).unwrap();
        assert!(bar.contains("✗ xxx") && bar.ends_with('…'), "{bar}");
    }
}

#[test]
fn a_duplicate_file_asks_with_three_answers_from_the_keymap() {
    for (w, h) in [(80, 24), (100, 30)] {
        let mut a = on_files(w, h);
        let id = a.benef.list.rows[0].b.id;
        a.modals.push(Modal::Confirm(
            Confirm::new(
                Screen::Beneficiaires,
                "Un dossier existe déjà : DUPONT Léa (mêmes nom et prénom). Ouvrir ce dossier plutôt que d'en créer un second ?",
                Reply::OpenExisting(id),
            )
            .labels("ouvrir le dossier existant", "revenir au formulaire")
            .or("créer quand même", Reply::CreateDuplicate),
        ));
        let s = text(&render(&a, w, h));
        for part in [
            "o / Entrée",
            "ouvrir le dossier existant",
            "créer quand même",
            "n / Échap",
            "revenir au formulaire",
            "DUPONT Léa",
        ] {
            assert!(s.contains(part), "{part} missing:\n{s}");
        }
        insta::assert_snapshot!(format!("confirm_duplicate_{w}x{h}"), s);
        // The answer keys are the keymap's.
        let c = a.key_to_action(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE));
        assert_eq!(c, Some(Action::Other));
    }
}

#[test]
fn the_parcours_screen_marks_the_chosen_target_and_its_keys() {
    let mut a = on_files(100, 30);
    let id = a.benef.list.rows[0].b.id;
    passerelle::app::beneficiaires::open_file(&mut a, id);
    let meta = Meta::new(
        chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
        "x",
    );
    let mut plan = passerelle::domain::Plan::new(
        Id::new_v7(1_790_000_000_001, [2; 10]),
        id,
        a.now.date(),
        meta,
    );
    for (ogr, rome, label) in [
        (1, "J1501", "Aide-soignant / Aide-soignante"),
        (2, "K1202", "Éducateur / Éducatrice de jeunes enfants"),
    ] {
        plan.add_target(passerelle::domain::PlanTarget::new(ogr, rome, label));
    }
    a.effect_done(Outcome::PlanLoaded {
        beneficiary: id,
        plan: Some(plan),
    });
    a.update(Action::GoTo(Screen::Parcours));
    // ← twice: from the steps to the targets.
    common::press(&mut a, KeyCode::Left);
    common::press(&mut a, KeyCode::Left);
    common::press(&mut a, KeyCode::Down);
    let s = text(&render(&a, 100, 30));
    let chosen = s.lines().find(|l| l.contains("▶ 2.")).unwrap();
    assert!(chosen.contains("(K1202)"), "{chosen}");
    let bar = s.lines().last().unwrap();
    assert!(bar.contains("n étape") && bar.contains("m modèle"), "{bar}");
    insta::assert_snapshot!("parcours_targets_100x30", s);
}
