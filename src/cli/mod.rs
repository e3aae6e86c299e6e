//! Command line: no subcommand opens the TUI; subcommands serve scripted use.

use crate::app::runtime::Runtime;
use crate::app::{App, Keymap};
use crate::config::{self, Config};
use crate::domain::time::{Clock, SystemClock};
use crate::store::{Store, StoreError};
use crate::ui::Theme;
use clap::{Parser, Subcommand};
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
    #[command(subcommand)]
    pub command: Option<Command>,
}

pub mod beneficiaires;
pub mod metiers;

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
    /// Référentiel ROME : import d'une version plus récente
    #[command(subcommand)]
    Referentiel(metiers::ReferentielCmd),
    /// Mesures de vitesse (chiffres, pas de verdict)
    #[command(subcommand)]
    Bench(metiers::BenchCmd),
}

/// A CLI failure: message for stderr and exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

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
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        let code = if matches!(e, StoreError::Locked { .. }) {
            2
        } else {
            1
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

/// Sends logs to a file in the data directory, never to the screen.
fn init_logging(data_dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = log_dir(data_dir);
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "passerelle.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    tracing::subscriber::set_global_default(subscriber).ok()?;
    Some(guard)
}

/// Entry point used by `main`.
pub fn main_with(cli: Cli) -> ExitCode {
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("passerelle : {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let setup = setup(&cli)?;
    std::fs::create_dir_all(&setup.data_dir).map_err(|e| {
        Failure::usage(format!(
            "Impossible de créer le dossier des données {} : {e}",
            setup.data_dir.display()
        ))
    })?;
    let _guard = init_logging(&setup.data_dir);
    match cli.command {
        None => run_tui(setup),
        Some(Command::Beneficiaires(c)) => beneficiaires::run(c, &setup),
        Some(Command::Purge(a)) => beneficiaires::purge(a, &setup),
        Some(Command::Demo(a)) => beneficiaires::demo(a, &setup),
        Some(Command::Metiers(a)) => metiers::search(a, &setup),
        Some(Command::Referentiel(c)) => metiers::referentiel(c, &setup),
        Some(Command::Bench(c)) => metiers::bench(c, &setup),
    }
}

/// Opens the store of the data directory (`DATA_DIR/base`).
pub fn open_store(data_dir: &Path) -> Result<Store, Failure> {
    Store::open(&data_dir.join("base")).map_err(Failure::from)
}

fn run_tui(setup: Setup) -> Result<(), Failure> {
    crate::catalog::Catalog::builtin_shared()
        .map_err(|e| Failure::runtime(format!("catalogue des métiers embarqué illisible : {e}")))?;
    let store = open_store(&setup.data_dir)?;
    let catalog = metiers::load_catalog(&store)?;
    tracing::info!("TUI started");
    let clock: Box<dyn Clock> = Box::new(SystemClock);
    let mut runtime = Runtime::new(store, clock, setup.config.conseiller.nom.clone());
    let mut app = App::new(setup.keymap, runtime.local_now());
    app.data_dir = setup.data_dir.display().to_string();
    crate::app::metiers::set_catalog(&mut app, catalog);
    crate::app::tui::start(&mut app, &mut runtime);
    let theme = Theme::named(setup.config.interface.theme);
    install_panic_hook(log_dir(&setup.data_dir).join("passerelle.log"));
    crate::app::tui::run(&mut app, &theme, &mut runtime)
        .map_err(|e| Failure::runtime(format!("erreur du terminal : {e}")))?;
    runtime
        .store
        .flush()
        .map_err(|e| Failure::runtime(e.to_string()))?;
    tracing::info!("TUI closed");
    Ok(())
}

/// On a panic: restore the terminal first, then say where the log is.
fn install_panic_hook(log_file: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        crate::app::tui::restore_terminal();
        tracing::error!("panic: {info}");
        eprintln!(
            "\nPasserelle s'est arrêtée sur une erreur interne. Vos données enregistrées sont intactes.\n\
             Détails dans le journal : {}",
            log_file.display()
        );
        previous(info);
    }));
}
