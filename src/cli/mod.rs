//! Command line: no subcommand opens the TUI; subcommands serve scripted use.

use crate::app::runtime::Runtime;
use crate::app::{App, Keymap};
use crate::config::{self, Config};
use crate::domain::time::{Clock, SystemClock};
use crate::store::audit::AuditAction;
use crate::store::{Store, StoreError};
use crate::ui::Theme;
use clap::{Parser, Subcommand};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "passerelle",
    version,
    about = "Passerelle — l'outil des conseillers en évolution professionnelle (cohésion sociale)",
    long_about = "Sans sous-commande, ouvre l'interface plein écran. \
                  Les sous-commandes servent aux usages scriptés."
)]
pub struct Cli {
    /// Dossier des données (sinon PASSERELLE_DATA_DIR, la configuration, puis le dossier par défaut)
    #[arg(long, global = true, value_name = "CHEMIN")]
    pub data_dir: Option<PathBuf>,
    /// Fichier de configuration (sinon PASSERELLE_CONFIG, puis le dossier de configuration par défaut)
    #[arg(long, global = true, value_name = "CHEMIN")]
    pub config: Option<PathBuf>,
    /// Fichier contenant la phrase secrète de la base chiffrée (sinon
    /// PASSERELLE_PHRASE_SECRETE, ou la saisie au clavier dans un terminal)
    #[arg(long = "phrase-secrete-fichier", global = true, value_name = "FICHIER")]
    pub phrase_secrete_fichier: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

pub mod agenda;
pub mod audit;
pub mod base;
pub mod beneficiaires;
pub mod demarrage;
pub mod export;
pub mod french;
pub mod metiers;
pub mod out;
pub mod parcours;
pub mod secret;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Dossiers des bénéficiaires : import, liste, export, effacement
    #[command(subcommand)]
    Beneficiaires(beneficiaires::BeneficiairesCmd),
    /// Efface les dossiers clos dont le dernier contact est ancien
    Purge(beneficiaires::PurgeArgs),
    /// Crée un portefeuille de démonstration fictif
    Demo(beneficiaires::DemoArgs),
    /// Cherche des métiers dans le catalogue
    Metiers(metiers::MetiersArgs),
    /// Parcours d'un dossier : plan d'action, financements, éligibilité
    #[command(subcommand)]
    Parcours(parcours::ParcoursCmd),
    /// Exports : synthèse du parcours, fiche de convention d'immersion, agenda iCalendar,
    /// tableau des immersions
    #[command(subcommand)]
    Export(export::ExportCmd),
    /// Référentiel ROME : import d'une version plus récente
    #[command(subcommand)]
    Referentiel(metiers::ReferentielCmd),
    /// Mesures de vitesse (chiffres, pas de verdict)
    #[command(subcommand)]
    Bench(metiers::BenchCmd),
    /// Vérifie toute la base : enregistrements lisibles, index complets, fichier d'état
    Verifier(base::VerifierArgs),
    /// Écrit une sauvegarde de la base dans DOSSIER_DES_DONNEES/sauvegardes
    Sauvegarde,
    /// Liste les sauvegardes et en restaure une (la base actuelle est mise de côté)
    Restaurer(base::RestaurerArgs),
    /// Réécrit la base sans les pages périmées (effacement physique, place disque)
    Compacter,
    /// Crée une base chiffrée (phrase secrète), ou chiffre la base existante
    Init,
    /// Phrase secrète de la base chiffrée
    #[command(name = "phrase-secrete", subcommand)]
    PhraseSecrete(base::PhraseCmd),
    /// Affiche l'agenda : entretiens, immersions, séances d'information, échéances
    Agenda(agenda::AgendaArgs),
    /// Journal d'audit : qui a fait quoi, sur quel dossier, quand (sans données personnelles)
    Audit(audit::AuditArgs),
}

/// A CLI failure: message for stderr and exit code.
///
/// Exit codes: 0 success, 1 the work partly failed (lines rejected,
/// damage found, a write failed midway), 2 unusable input or store (bad
/// arguments or file, no store, damaged or locked store). A closed stdout
/// ends the command quietly with 141, like `cat` killed by SIGPIPE.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

/// Exit code of a command whose stdout was closed (128 + SIGPIPE).
pub const EXIT_PIPE_CLOSED: u8 = 141;

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
    pub fn runtime(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
    /// stdout was closed by the reader (`| head`): end quietly.
    pub fn pipe_closed() -> Failure {
        Failure {
            code: EXIT_PIPE_CLOSED,
            message: String::new(),
        }
    }
    /// A store that cannot be opened: unusable, exit 2.
    pub fn store_unusable(e: StoreError) -> Failure {
        tracing::error!("store open: {}", e.log_detail());
        Failure::usage(e.to_string())
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        tracing::error!("{}", e.log_detail());
        let code = match e {
            StoreError::Locked { .. }
            | StoreError::Missing { .. }
            | StoreError::Damaged { .. }
            | StoreError::NewerStore { .. }
            | StoreError::BadBackup { .. } => 2,
            _ => 1,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

/// Everything resolved before any work: config, data dir, keymap.
pub struct Setup {
    pub config: Config,
    pub config_path: Option<PathBuf>,
    pub data_dir: PathBuf,
    pub keymap: Keymap,
}

pub fn setup(cli: &Cli) -> Result<Setup, Failure> {
    let env_config = std::env::var(config::ENV_CONFIG).ok();
    let source = config::config_source(cli.config.as_deref(), env_config.as_deref());
    let config = config::load(&source).map_err(|e| Failure::usage(e.to_string()))?;
    let config_path = source.path().map(Path::to_path_buf);
    let user_keys = config
        .touches
        .iter()
        .map(|(k, v)| (k.clone(), v.keys()))
        .collect();
    let keymap = Keymap::with_overrides(&user_keys).map_err(|e| {
        let file = source.path().map(Path::to_path_buf).unwrap_or_default();
        // Name the line of the faulty binding, like other config errors.
        let line = e.action.as_deref().and_then(|name| {
            let text = std::fs::read_to_string(&file).ok()?;
            config::line_of_key(&text, "touches", name)
        });
        let err = config::ConfigError {
            file,
            line,
            key: None,
            message: e.message,
        };
        Failure::usage(err.to_string())
    })?;
    let env_data = std::env::var(config::ENV_DATA_DIR).ok();
    let data_dir = config::data_dir(cli.data_dir.as_deref(), env_data.as_deref(), &config)
        .ok_or_else(|| {
            Failure::usage(
                "Impossible de déterminer le dossier des données : indiquez --data-dir CHEMIN.",
            )
        })?;
    Ok(Setup {
        config,
        config_path,
        data_dir,
        keymap,
    })
}

/// Log file location inside the data directory.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("journaux")
}

/// Sends logs to `DATA/journaux/passerelle.log` (0600), never to the
/// screen. When the file cannot be created (read-only directory…), says
/// so once on stderr and goes on without a log.
fn init_logging(data_dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = log_dir(data_dir);
    let path = dir.join("passerelle.log");
    let file = crate::store::files::ensure_private_dir(&dir).and_then(|_| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(crate::store::files::FILE_MODE)
            .open(&path)
            .map_err(|e| StoreError::io(crate::store::IoAction::Write, &path, e))
    });
    let file = match file {
        Ok(f) => f,
        Err(e) => {
            let why = e.io_cause().unwrap_or(crate::store::IoCause::Other).what();
            out::warn(&format!(
                "passerelle : journal technique {} indisponible ({why}) : la commande continue \
                 sans journal.",
                path.display()
            ));
            return None;
        }
    };
    let _ = file.set_permissions(std::fs::Permissions::from_mode(
        crate::store::files::FILE_MODE,
    ));
    // The default queue holds 128 000 lines, allocated and touched at
    // start (4 MB of resident memory); a few thousand are plenty for this
    // app's log (the interface never waits on it: lines beyond a full
    // queue are dropped, as before).
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(4_096)
        .finish(file);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    tracing::subscriber::set_global_default(subscriber).ok()?;
    Some(guard)
}

/// Parses the command line with French help and errors.
pub fn parse_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Cli, Failure> {
    use clap::error::ErrorKind;
    use clap::{CommandFactory, FromArgMatches};
    let matches = french::frenchify(Cli::command())
        .try_get_matches_from(args)
        .map_err(|e| match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Failure {
                code: 0,
                message: french::translate_help(&e.to_string()),
            },
            _ => Failure::usage(french::error_message(&e)),
        })?;
    Cli::from_arg_matches(&matches).map_err(|e| Failure::usage(french::error_message(&e)))
}

/// Entry point used by `main`.
pub fn main_entry() -> ExitCode {
    // Every file and directory the process creates is private (0600 /
    // 0700), sled's included, whatever the user's umask.
    // SAFETY: umask only changes this process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
    let result = parse_args(std::env::args_os()).and_then(run);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) if f.code == 0 => {
            // Help or version text.
            match out::print(&f.message) {
                Err(p) => ExitCode::from(p.code),
                Ok(()) => ExitCode::SUCCESS,
            }
        }
        Err(f) => {
            if !f.message.is_empty() {
                out::warn(&format!("passerelle : {}", f.message));
            }
            ExitCode::from(f.code)
        }
    }
}

/// Runs an already parsed command line (tests call this).
pub fn main_with(cli: Cli) -> ExitCode {
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                out::warn(&format!("passerelle : {}", f.message));
            }
            ExitCode::from(f.code)
        }
    }
}

/// Whether a command may create the data directory and the store.
fn creates_store(cmd: &Option<Command>) -> bool {
    matches!(
        cmd,
        None | Some(Command::Demo(_))
            | Some(Command::Beneficiaires(
                beneficiaires::BeneficiairesCmd::Import(_)
            ))
            | Some(Command::Referentiel(metiers::ReferentielCmd::Import { .. }))
            | Some(Command::Referentiel(
                metiers::ReferentielCmd::ImportMobilites { .. }
            ))
    )
}

fn run(cli: Cli) -> Result<(), Failure> {
    let setup = setup(&cli)?;
    secret::set_file(cli.phrase_secrete_fichier.clone());
    if creates_store(&cli.command) {
        crate::store::files::prepare_data_dir(&setup.data_dir).map_err(Failure::store_unusable)?;
    }
    // The log lives in the data directory: only in one that holds (or is
    // about to hold) a store, never in a directory given by mistake.
    let store_dir = crate::store::Store::dir_in(&setup.data_dir);
    let has_store = store_dir.exists() || crate::store::files::manifest_of(&store_dir).exists();
    let _guard = (setup.data_dir.is_dir() && (has_store || creates_store(&cli.command)))
        .then(|| init_logging(&setup.data_dir))
        .flatten();
    match cli.command {
        None => run_tui(setup),
        Some(Command::Beneficiaires(c)) => beneficiaires::run(c, &setup),
        Some(Command::Purge(a)) => beneficiaires::purge(a, &setup),
        Some(Command::Demo(a)) => beneficiaires::demo(a, &setup),
        Some(Command::Metiers(a)) => metiers::search(a, &setup),
        Some(Command::Parcours(c)) => parcours::run(c, &setup),
        Some(Command::Export(c)) => export::run(c, &setup),
        Some(Command::Referentiel(c)) => metiers::referentiel(c, &setup),
        Some(Command::Bench(c)) => metiers::bench(c, &setup),
        Some(Command::Verifier(a)) => base::verifier(a, &setup),
        Some(Command::Sauvegarde) => base::sauvegarde(&setup),
        Some(Command::Restaurer(a)) => base::restaurer(a, &setup),
        Some(Command::Compacter) => base::compacter(&setup),
        Some(Command::Init) => base::init(&setup),
        Some(Command::PhraseSecrete(c)) => base::phrase(c, &setup),
        Some(Command::Agenda(a)) => agenda::run(a, &setup),
        Some(Command::Audit(a)) => audit::run(a, &setup),
    }
}

/// Opens (creating it if needed) the store of the data directory
/// (`DATA_DIR/base`); any failure is exit 2. A store this command creates
/// is encrypted at once (passphrase from its sources).
pub fn open_store(setup: &Setup) -> Result<Store, Failure> {
    let dir = Store::dir_in(&setup.data_dir);
    let created = !dir.join("db").exists();
    let store = Store::open(&dir).map_err(Failure::store_unusable)?;
    let store = secret::protect_new(store, created)?;
    if created && store.protection()? == crate::store::Protection::Encrypted {
        authored(&store, setup);
        audit(&store, AuditAction::Encryption, None, "base créée chiffrée")?;
    }
    secret::unlock(&store)?;
    authored(&store, setup);
    Ok(store)
}

/// [`open_store`] for a demonstration: a store created by this command is
/// marked as a demo (unencrypted by choice) instead of being encrypted.
pub fn open_demo_store(setup: &Setup) -> Result<Store, Failure> {
    let store = Store::open(&Store::dir_in(&setup.data_dir)).map_err(Failure::store_unusable)?;
    if store.counts()?.values().all(|n| *n == 0) {
        store.mark_demo()?;
    }
    secret::unlock(&store)?;
    authored(&store, setup);
    Ok(store)
}

/// Opens (creating it if needed) the store for public data only (the ROME
/// referential, the mobility file): neither encrypted nor unlocked here.
pub fn open_store_public(data_dir: &Path) -> Result<Store, Failure> {
    Store::open(&Store::dir_in(data_dir)).map_err(Failure::store_unusable)
}

/// Opens the existing store without unlocking it: for commands that copy
/// its files as they are (backups, compaction) or read only public data.
pub fn open_existing_locked(setup: &Setup) -> Result<Store, Failure> {
    let store =
        Store::open_existing(&Store::dir_in(&setup.data_dir)).map_err(Failure::store_unusable)?;
    authored(&store, setup);
    Ok(store)
}

/// Opens the existing store of the data directory; none is « aucune
/// base dans … », exit 2, and nothing is created.
pub fn open_existing(setup: &Setup) -> Result<Store, Failure> {
    let store = open_existing_locked(setup)?;
    secret::unlock(&store)?;
    Ok(store)
}

/// Names the advisor of the configuration as the author of what this
/// command writes in the audit log.
fn authored(store: &Store, setup: &Setup) {
    store.set_advisor(&setup.config.conseiller.nom);
}

/// Appends an event to the audit log, dated now. Personal data leaving
/// the store (exports) is audited before it is written out, so that no
/// export goes unrecorded even if writing fails midway.
pub fn audit(
    store: &Store,
    action: AuditAction,
    beneficiary: Option<crate::domain::Id>,
    detail: &str,
) -> Result<(), Failure> {
    store
        .record_audit(action, beneficiary, detail, chrono::Utc::now())
        .map_err(Failure::from)
}

/// The messages of [`find_by_id`], already naming what was typed.
pub struct IdMessages {
    pub unknown: String,
    pub invalid: String,
    /// `dossiers`, `immersions`: for « désigne 2 dossiers ».
    pub plural: &'static str,
}

/// Finds a record by its full id, or by at least 8 hex digits that end it
/// (the short id people see) or begin it. Unknown, malformed or ambiguous:
/// a usage failure (exit 2) with the given messages.
pub fn find_by_id<T>(
    text: &str,
    msg: &IdMessages,
    exact: impl FnOnce(crate::domain::Id) -> Result<Option<T>, StoreError>,
    all: impl FnOnce() -> Result<Vec<T>, StoreError>,
    id_of: impl Fn(&T) -> crate::domain::Id,
) -> Result<T, Failure> {
    let t = text.trim();
    if let Ok(id) = t.parse::<crate::domain::Id>() {
        return exact(id)?.ok_or_else(|| Failure::usage(msg.unknown.clone()));
    }
    let part = t.to_ascii_lowercase();
    let hex = part.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if part.len() < 8 || !hex {
        return Err(Failure::usage(msg.invalid.clone()));
    }
    let mut found: Vec<T> = all()?
        .into_iter()
        .filter(|r| {
            let full = id_of(r).to_string();
            full.ends_with(&part) || full.starts_with(&part)
        })
        .collect();
    match found.len() {
        0 => Err(Failure::usage(msg.unknown.clone())),
        1 => Ok(found.remove(0)),
        n => Err(Failure::usage(format!(
            "l'identifiant « {} » désigne {n} {} : donnez l'identifiant complet",
            out::escape(t),
            msg.plural
        ))),
    }
}

/// Local time now, for backup names.
pub fn local_stamp() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// Writes a backup before a bulk operation and rotates the automatic ones.
pub fn backup_before(store: &Store, reason: &str, setup: &Setup) -> Result<(), Failure> {
    let b = store.backup(reason, local_stamp()).map_err(|e| {
        let mut f = Failure::from(e);
        f.message = format!(
            "sauvegarde préalable impossible, rien n'a été modifié : {}",
            f.message
        );
        f
    })?;
    tracing::info!("backup before {reason}: {}", b.path.display());
    crate::store::backup::rotate(
        &store.paths().backups(),
        setup.config.sauvegardes.garder as usize,
    )?;
    Ok(())
}

/// What the TUI needs before its first frame, and what its exit needs.
pub(crate) struct TuiParts {
    pub app: App,
    pub runtime: Runtime,
    pub theme: Theme,
    /// Erased files in the store at start (more at exit: compact).
    erased_before: usize,
}

/// Opens the store and builds the app and its runtime, without any slow
/// work: no passphrase derivation (the lock screen asks, or a scripted
/// passphrase is derived after the first frame) and no file loaded (the
/// runtime loads them on a thread once the loop runs). `run_tui` and the
/// start-up benchmark share it.
pub(crate) fn prepare_tui(setup: &Setup) -> Result<TuiParts, Failure> {
    crate::catalog::Catalog::builtin_shared()
        .map_err(|e| Failure::runtime(format!("catalogue des métiers embarqué illisible : {e}")))?;
    let advisor = setup.config.conseiller.nom.clone();
    // No slow work and no question before the first frame: the lock
    // screen (or the first passphrase's) is the TUI's own.
    let (store, start) = secret::open_for_tui(&setup.data_dir, &advisor)?;
    let protection = store.protection()?;
    let erased_before = store.erased_ids()?.len();
    let clock: Box<dyn Clock> = Box::new(SystemClock);
    let mut runtime = Runtime::new(store, clock, advisor);
    runtime.structure = setup.config.conseiller.structure.clone();
    // The files and an imported referential load on a thread: the first
    // frame waits for neither.
    runtime.background = true;
    runtime.catalog_source = |store| metiers::load_catalog(store).map_err(|f| f.message);
    let mut app = App::new(setup.keymap.clone(), runtime.local_now());
    app.set_time(runtime.clock.now());
    app.data_dir = setup.data_dir.display().to_string();
    app.protection = Some(protection);
    app.set_idle_limit(setup.config.securite.idle_lock());
    match start {
        secret::TuiStart::Ready => {}
        secret::TuiStart::Unlock(scripted) => app.lock_at_start(scripted),
        secret::TuiStart::Setup { files } => app.setup_at_start(files),
    }
    crate::app::tui::start(&mut app, &mut runtime);
    Ok(TuiParts {
        app,
        runtime,
        theme: Theme::named(setup.config.interface.theme),
        erased_before,
    })
}

fn run_tui(setup: Setup) -> Result<(), Failure> {
    let TuiParts {
        mut app,
        runtime,
        theme,
        erased_before,
    } = prepare_tui(&setup)?;
    tracing::info!("TUI started");
    let keep = setup.config.sauvegardes.garder as usize;
    install_panic_hook(log_dir(&setup.data_dir).join("passerelle.log"));
    let runtime = crate::app::tui::run(&mut app, &theme, runtime).map_err(|e| match e {
        crate::app::tui::RunError::Terminal(e) => {
            tracing::error!("terminal: {e}");
            Failure::runtime(format!(
                "erreur du terminal : {} (Passerelle a besoin d'un vrai terminal)",
                crate::store::IoCause::of(&e).what()
            ))
        }
        crate::app::tui::RunError::Encrypt(e) => {
            let mut f = Failure::from(e);
            f.message = format!("la base n'a pas pu être chiffrée : {}", f.message);
            f
        }
    })?;
    if let Some(message) = app.exit_message.take() {
        // Three wrong passphrases: the store was never opened, nothing
        // is written (no flush, no backup).
        tracing::warn!("TUI stopped at the lock screen");
        return Err(Failure::usage(message));
    }
    if !app.store_opened {
        tracing::info!("TUI closed before the store was opened");
        return Ok(());
    }
    let store = runtime.into_store()?;
    store.flush()?;
    tracing::info!("TUI closed");
    // Erasures of the session: rewrite the store so that no byte of the
    // erased persons stays in its files.
    let store = if store.erased_ids()?.len() > erased_before {
        let (s, r) = crate::store::backup::compact(store)?;
        tracing::info!(
            "compacted at exit: {} -> {} bytes",
            r.bytes_before,
            r.bytes_after
        );
        s
    } else {
        store
    };
    daily_backup(&store, keep);
    Ok(())
}

/// At most one automatic backup a day, at a clean exit; a failure is
/// reported on stderr but the session's work is already saved.
fn daily_backup(store: &Store, keep: usize) {
    const DAILY: &str = "quotidienne";
    let dir = store.paths().backups();
    let today = local_stamp().date().format("%Y-%m-%d").to_string();
    let done_today = crate::store::backup::list(&dir)
        .map(|(all, _)| {
            all.iter()
                .any(|b| b.header.reason == DAILY && b.header.created.starts_with(&today))
        })
        .unwrap_or(false);
    if done_today {
        return;
    }
    let result = store
        .backup(DAILY, local_stamp())
        .and_then(|_| crate::store::backup::rotate(&dir, keep));
    if let Err(e) = result {
        out::warn(&format!(
            "passerelle : vos données sont enregistrées, mais la sauvegarde quotidienne a \
             échoué : {e}"
        ));
    }
}

/// On a panic: restore the terminal first, then say where the log is.
fn install_panic_hook(log_file: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some(crate::app::runtime::LOADER_THREAD) {
            // The interface goes on: the loop hears a failed load.
            tracing::error!("panic in the background load: {info}");
            return;
        }
        crate::app::tui::restore_terminal();
        tracing::error!("panic: {info}");
        out::warn(&format!(
            "\nPasserelle s'est arrêtée sur une erreur interne. Vos données enregistrées sont intactes.\n\
             Détails dans le journal : {}",
            log_file.display()
        ));
        previous(info);
    }));
}
