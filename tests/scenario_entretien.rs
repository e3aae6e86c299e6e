//! The standard interview, in process: the whole app (keymap → update →
//! runtime on a temporary store → draw on `TestBackend`) driven by a key
//! script through the real event loop, with a fixed clock. New file,
//! interview, two target métiers from the Métiers screen, the Parcours
//! screen, undo / redo, a plan template applied, a step funded, a funded
//! formation step added by hand, then a restart on the same data and the
//! file found again. Frames and stored records are both checked.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::screen_text;
use passerelle::app::runtime::Runtime;
use passerelle::app::tui::{self, Scripted};
use passerelle::app::{App, Keymap};
use passerelle::domain::time::FixedClock;
use passerelle::store::Store;
use passerelle::ui::Theme;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use std::path::Path;

/// A key script, counting command keys and typed characters apart.
#[derive(Default)]
struct Script {
    events: Vec<Event>,
    keys: usize,
    chars: usize,
}

impl Script {
    fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) -> &mut Script {
        self.events.push(Event::Key(KeyEvent::new_with_kind(
            code,
            modifiers,
            KeyEventKind::Press,
        )));
        self
    }
    /// A command key (`2`, `n`, `Tab`, `Entrée`…).
    fn key(&mut self, code: KeyCode) -> &mut Script {
        self.keys += 1;
        self.press(code, KeyModifiers::NONE)
    }
    fn ch(&mut self, c: char) -> &mut Script {
        self.key(KeyCode::Char(c))
    }
    fn ctrl(&mut self, c: char) -> &mut Script {
        self.keys += 1;
        self.press(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    /// Text typed into a field or a search box.
    fn text(&mut self, s: &str) -> &mut Script {
        for c in s.chars() {
            self.chars += 1;
            self.press(KeyCode::Char(c), KeyModifiers::NONE);
        }
        self
    }
    fn take(&mut self) -> Scripted {
        Scripted::new(std::mem::take(&mut self.events))
    }
}

struct Session {
    term: Terminal<TestBackend>,
    app: App,
    rt: Runtime,
}

/// The app on the store of `dir`, as `passerelle` starts it.
fn start(dir: &Path) -> Session {
    let store = Store::open(&dir.join("base")).expect("store opens");
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap();
    let mut rt = Runtime::new(store, Box::new(FixedClock(at)), "Camille Conseil".into());
    let mut app = App::new(Keymap::default(), rt.local_now());
    app.data_dir = dir.display().to_string();
    tui::start(&mut app, &mut rt);
    let term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    Session { term, app, rt }
}

impl Session {
    /// Runs the script through the event loop; returns the last frame.
    fn run(&mut self, script: &mut Script) -> String {
        let mut events = script.take();
        tui::run_loop(
            &mut self.term,
            &mut events,
            &mut self.app,
            &Theme::default(),
            &mut self.rt,
        )
        .expect("event loop");
        screen_text(self.term.backend().buffer())
    }
}

fn assert_shows(frame: &str, parts: &[&str]) {
    for p in parts {
        assert!(frame.contains(p), "« {p} » absent de l'écran :\n{frame}");
    }
}

#[test]
fn the_standard_interview_end_to_end_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = start(dir.path());
    let mut k = Script::default();

    // A new file.
    let f = s.run(k.ch('2'));
    assert_shows(&f, &["Aucun dossier pour l'instant"]);
    k.ch('n').text("Dupont").key(KeyCode::Tab).text("Léa");
    k.key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .text("lea.dupont@exemple.fr");
    // The information notice given today: two section jumps back (from
    // Coordonnées to Identité, then round to Consentement) and Espace.
    k.key(KeyCode::PageUp)
        .key(KeyCode::PageUp)
        .key(KeyCode::Char(' '));
    let f = s.run(k.ctrl('s'));
    assert_shows(&f, &["✓ Dossier enregistré", "DUPONT Léa · "]);

    // An interview: summary, decisions, next follow-up.
    k.ch('i');
    for _ in 0..6 {
        k.key(KeyCode::Tab);
    }
    k.text("Projet : éducatrice de jeunes enfants.");
    k.key(KeyCode::Tab).text("Immersion en crèche à organiser.");
    k.key(KeyCode::Tab).text("+1s");
    let f = s.run(k.ctrl('s'));
    assert_shows(
        &f,
        &["✓ Entretien enregistré", "Entretiens (1)", "▶28/11/2026"],
    );

    // Two target métiers from the Métiers screen.
    k.ch('3').ch('/').text("aide soignant").key(KeyCode::Enter);
    let f = s.run(k.ch('c'));
    assert_shows(&f, &["Ajout du métier cible", "(J1501) : enregistré"]);
    k.ch('/').key(KeyCode::Esc).text("educateur jeunes enfants");
    k.key(KeyCode::Enter);
    let f = s.run(k.ch('c'));
    assert_shows(&f, &["Ajout du métier cible", "(K1202) : enregistré"]);

    // The Parcours screen lists them in order.
    let f = s.run(k.ch('4'));
    assert_shows(
        &f,
        &["Métiers cibles (2)", "1. ", "(J1501)", "2. ", "(K1202)"],
    );
    let id = s.app.open_beneficiary.as_ref().unwrap().id;
    let targets = |s: &Session| {
        s.rt.store
            .plan_of(id)
            .unwrap()
            .unwrap()
            .targets
            .iter()
            .map(|t| t.rome.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(targets(&s), ["J1501", "K1202"]);

    // Undo, then redo, the second métier: the bar says which.
    let f = s.run(k.ctrl('z'));
    assert_shows(&f, &["Annulé : ajout du métier cible", "(K1202)"]);
    assert!(!f.contains("2. "), "{f}");
    assert_eq!(targets(&s), ["J1501"]);
    let f = s.run(k.ctrl('y'));
    assert_shows(&f, &["Rétabli : ajout du métier cible", "2. "]);
    assert_eq!(targets(&s), ["J1501", "K1202"]);
    // The interview walk ends here (its key count is checked below).
    let interview_keys = (k.keys, k.chars);

    // A template: m, Entrée (the first one), its five steps dated from today.
    let f = s.run(k.ch('m'));
    assert_shows(
        &f,
        &[
            "Modèle de parcours",
            "▶ Reconversion avec bilan et immersion",
        ],
    );
    let f = s.run(k.key(KeyCode::Enter));
    assert_shows(
        &f,
        &[
            "Modèle « Reconversion avec bilan et immersion » appliqué (5 étapes) : enregistré",
            "Étapes (5)",
            "○ 28/11/26",
            "Bilan de compétences",
        ],
    );
    let plan = |s: &Session| s.rt.store.plan_of(id).unwrap().unwrap();
    assert_eq!(plan(&s).steps.len(), 5);
    // The plan began with the first target, today.
    assert_eq!(
        plan(&s).started_on,
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    );

    // Fund the bilan (2nd step): its cost, then its CPF line (empty amount =
    // the cost), requested.
    k.key(KeyCode::Down)
        .ch('f')
        .key(KeyCode::PageUp)
        .text("1800");
    k.key(KeyCode::PageDown).key(KeyCode::Tab).ctrl('u');
    k.key(KeyCode::Tab).key(KeyCode::Right);
    let f = s.run(k.ctrl('s'));
    assert_shows(
        &f,
        &[
            "✓ Modification de l'étape 2 (bilan de compétences) : financement 1",
            "1 800 € demandé",
            "Coût total        1 800,00 €",
            "Demandé           1 800,00 €",
            // The bilan starts on 28/12/2026: the 2026 participation; the
            // formation's CPF line has an employer line beside it: exempt.
            "Part. forfaitaire   103,20 €",
        ],
    );
    let bilan = plan(&s).steps[1].clone();
    assert_eq!(bilan.kind, passerelle::domain::StepKind::BilanCompetences);
    assert_eq!(bilan.cost, passerelle::domain::Cents(180_000));
    assert_eq!(bilan.funding.len(), 1);
    assert_eq!(
        (bilan.funding[0].amount, bilan.funding[0].status),
        (
            passerelle::domain::Cents(180_000),
            passerelle::domain::FundingStatus::Demande
        )
    );

    // A funded formation step by hand (formation is the type proposed): n,
    // Tab, its title, PgSuiv (cost), the cost, PgSuiv (financing), c (CPF),
    // Ctrl-S.
    let before = (k.keys, k.chars);
    k.ch('n').key(KeyCode::Tab).text("CAP AEPE");
    k.key(KeyCode::PageDown)
        .text("2400")
        .key(KeyCode::PageDown)
        .ch('c');
    let f = s.run(k.ctrl('s'));
    let funded_step = (k.keys - before.0, k.chars - before.1);
    assert_shows(
        &f,
        &["Ajout de l'étape 6 (formation), financement CPF : enregistré"],
    );
    let last = plan(&s).steps.last().unwrap().clone();
    assert_eq!(last.title, "CAP AEPE");
    assert_eq!(last.cost, passerelle::domain::Cents(240_000));
    assert_eq!(last.funding[0].funder, passerelle::domain::Funder::Cpf);
    assert_eq!(last.funding[0].amount, passerelle::domain::Cents(240_000));
    eprintln!(
        "étape de formation financée : {} touches + {} caractères tapés",
        funded_step.0, funded_step.1
    );
    assert_eq!(funded_step, (6, 12));

    // Quit.
    s.run(k.ch('q'));
    assert!(s.app.should_quit);
    drop(s);

    // Restart on the same data: the file is among the recent ones.
    let mut s = start(dir.path());
    let f = s.run(&mut Script::default());
    assert_shows(&f, &["Récemment ouverts", "DUPONT Léa"]);
    let f = s.run(k.key(KeyCode::Enter));
    assert_shows(
        &f,
        &["DUPONT Léa · ", "Entretiens (1)", "lea.dupont@exemple.fr"],
    );
    let f = s.run(k.ch('4'));
    assert_shows(&f, &["1. ", "(J1501)", "2. ", "(K1202)"]);

    // The store holds what the screens said.
    let file = s.rt.store.beneficiary(id).unwrap().unwrap();
    assert_eq!(file.email.as_deref(), Some("lea.dupont@exemple.fr"));
    assert_eq!(file.next_follow_up, NaiveDate::from_ymd_opt(2026, 12, 5));
    let notice = file.consent.processing.as_ref().expect("notice recorded");
    assert_eq!(notice.date, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
    let interviews = s.rt.store.interviews_of(id).unwrap();
    assert_eq!(interviews.len(), 1);
    assert_eq!(
        interviews[0].summary,
        "Projet : éducatrice de jeunes enfants."
    );
    assert_eq!(interviews[0].decisions, "Immersion en crèche à organiser.");
    let notes: Vec<String> =
        s.rt.store
            .journal_of(id)
            .unwrap()
            .into_iter()
            .map(|e| e.note)
            .collect();
    for prefix in [
        "création du dossier",
        "nouvel entretien",
        "ajout du métier cible",
        "annulation : ajout du métier cible",
        "rétablissement : ajout du métier cible",
        "modèle « Reconversion avec bilan et immersion » appliqué (5 étapes)",
        "modification de l'étape 2 (bilan de compétences) : financement 1 (CPF) : envisagé → demandé",
        "ajout de l'étape 6 (formation), financement CPF",
    ] {
        assert!(
            notes.iter().any(|n| n.starts_with(prefix)),
            "{prefix} missing in {notes:?}"
        );
    }
    assert!(notes
        .iter()
        .all(|n| !n.contains("Dupont") && !n.contains("lea.")));

    // Keys of the whole walk (reported in the note). Before the
    // shortcuts, the same walk took 30 keys + 147 characters without the
    // notice, and the notice cost 20 Tabs from the e-mail plus its date
    // typed out (10 characters): 50 + 157.
    let (keys, chars) = interview_keys;
    eprintln!("entretien standard : {keys} touches + {chars} caractères tapés");
    assert!(keys <= 33 && chars <= 140, "{keys} + {chars}");
}

/// Scheduling ahead, in process: a file, an interview planned for
/// Wednesday 2 December at 10:00, an immersion from Monday 30 November to
/// Friday 4 December (its step added to a new plan in the same change), a
/// refused « prête à signer » (no prescriber), then the Agenda: the
/// immersion days with their hours and the conflict, Entrée opens the file.
/// Frames and stored records are both checked.
#[test]
fn scheduling_an_immersion_and_seeing_it_in_the_agenda() {
    use passerelle::domain::{ImmersionStatus, StepKind};
    let dir = tempfile::tempdir().unwrap();
    let mut s = start(dir.path());
    let mut k = Script::default();
    k.ch('2')
        .ch('n')
        .text("Benali")
        .key(KeyCode::Tab)
        .text("Karim");
    let f = s.run(k.ctrl('s'));
    assert_shows(&f, &["✓ Dossier enregistré", "BENALI Karim · "]);
    let id = s.app.open_beneficiary.as_ref().unwrap().id;

    // An interview planned ahead: « à venir » is preset, the date typed.
    k.ch('p').text("02/12/2026 10h");
    let f = s.run(k.ctrl('s'));
    assert_shows(&f, &["✓ Entretien enregistré", "à venir · "]);

    // The immersion: dates, schedule (hours computed beside), target
    // métier from the catalogue, objective, host with a valid SIRET.
    k.ch('m')
        .text("30/11/2026")
        .key(KeyCode::Tab)
        .text("04/12/2026");
    k.key(KeyCode::Tab).text("lun-ven 9h-12h 13h30-17h");
    let f = s.run(&mut k);
    assert_shows(
        &f,
        &[
            "Nouvelle immersion — BENALI Karim",
            "→ 32 h 30 par semaine · 32 h 30 au total sur 5 jours",
            "Règles de la PMSMP",
            "⚠ Entretien le mer. 02/12 à 10:00 pendant l'immersion",
        ],
    );
    k.key(KeyCode::Tab).text("educateur jeunes enfants");
    k.key(KeyCode::Tab).key(KeyCode::Char(' '));
    k.key(KeyCode::Tab).text("Régie Nord");
    k.key(KeyCode::Tab).text("12002701600357");
    let f = s.run(k.ctrl('s'));
    assert_shows(
        &f,
        &[
            "✓ Immersion enregistrée (étape ajoutée au parcours)",
            "30/11/2026 → 04/12/2026  Régie Nord · brouillon · 32 h 30",
        ],
    );
    // « prête à signer » is refused, with the French reason.
    k.ch('t');
    let f = s.run(k.ctrl('s'));
    assert_shows(
        &f,
        &["Non enregistré : impossible de passer à « prête à signer »"],
    );
    let f = s.run(k.key(KeyCode::Esc));
    assert!(!f.contains("Statut de l'immersion"), "{f}");

    // The Agenda: next week shows the immersion days and the conflict.
    let f = s.run(k.ch('5'));
    assert_shows(
        &f,
        &["Semaine 48 — du 23/11 au 29/11/2026", "aucun conflit"],
    );
    let f = s.run(k.ch('>'));
    assert_shows(
        &f,
        &[
            "Semaine 49 — du 30/11 au 06/12/2026",
            "⚠ 1 conflit",
            "I BENALI K",
            "9:00–17:00",
            "⚠10:00–11:00",
            "⚠ conflit : Entretien — BENALI Karim (mer. 02/12 10:00–11:00) pendant Immersion",
        ],
    );
    // Wednesday, the interview, Entrée: the file.
    k.ch('h').ch('h').ch('h').ch('j');
    let f = s.run(&mut k);
    assert_shows(
        &f,
        &[
            "mercredi 2 décembre 2026 — 2 éléments",
            "Entretien — BENALI Karim · présentiel · à venir",
        ],
    );
    let f = s.run(k.key(KeyCode::Enter));
    assert_shows(&f, &["BENALI Karim · ", "Entretiens (1)"]);

    // The store: the planned interview, the immersion, the plan and its
    // step linked to the immersion, the timeline's notes.
    let interviews = s.rt.store.interviews_of(id).unwrap();
    assert_eq!(interviews.len(), 1);
    assert!(interviews[0].planned);
    assert_eq!(
        passerelle::domain::agenda::to_paris(interviews[0].at),
        NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    );
    let imms = s.rt.store.immersions_of(id).unwrap();
    assert_eq!(imms.len(), 1);
    let imm = &imms[0];
    assert_eq!(imm.status, ImmersionStatus::Brouillon);
    assert_eq!(imm.host.name, "Régie Nord");
    assert_eq!(imm.host.siret.as_deref(), Some("12002701600357"));
    assert_eq!(imm.total_minutes(), 5 * 390);
    assert_eq!(imm.target.as_ref().map(|t| t.rome.as_str()), Some("K1202"));
    let plan = s.rt.store.plan_of(id).unwrap().expect("a plan was created");
    assert_eq!(
        plan.started_on,
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    );
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].kind, StepKind::Immersion);
    assert_eq!(plan.steps[0].immersion, Some(imm.id));
    assert_eq!(plan.steps[0].start, Some(imm.start));
    let notes: Vec<String> =
        s.rt.store
            .journal_of(id)
            .unwrap()
            .into_iter()
            .map(|e| e.note)
            .collect();
    assert!(
        notes.contains(
            &"nouvelle immersion du 30/11/2026 au 04/12/2026 (étape ajoutée au parcours)"
                .to_string()
        ),
        "{notes:?}"
    );
    assert!(notes
        .iter()
        .all(|n| !n.contains("Benali") && !n.contains("Karim")));

    // Undo takes the immersion and the plan step back together.
    let f = s.run(k.ctrl('z'));
    assert_shows(
        &f,
        &["Annulé : nouvelle immersion du 30/11/2026 au 04/12/2026"],
    );
    assert!(s.rt.store.immersions_of(id).unwrap().is_empty());
    assert!(s.rt.store.plan_of(id).unwrap().is_none());
}
