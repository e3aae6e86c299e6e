//! `passerelle metiers`, `passerelle referentiel import`, `passerelle bench recherche`.

use super::{open_store, Failure, Setup};
use crate::catalog::import::{import_file, ImportOptions};
use crate::catalog::Catalog;
use crate::store::Store;
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct MetiersArgs {
    /// Mots cherchés (appellation, libellé ou code ROME, sigle) ; accents et casse indifférents
    #[arg(value_name = "RECHERCHE")]
    pub query: String,
    /// Limiter à une branche : nom court (ECLAT, ALISFA, BAD…) ou IDCC (1518, 2941…)
    #[arg(long, value_name = "BRANCHE")]
    pub branche: Option<String>,
    /// Nombre maximal de résultats
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limite: usize,
    /// Sortie JSON : tableau de {ogr, rome, appellation, rome_label, branches, score}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReferentielCmd {
    /// Importe un fichier officiel d'appellations ROME (ogr;rome;libellé long;libellé court)
    Import {
        /// Fichier CSV « ; », UTF-8, avec en-tête
        #[arg(value_name = "FICHIER.csv")]
        fichier: PathBuf,
        /// Importer quand même les lignes valides si certaines lignes sont rejetées
        #[arg(long)]
        ignorer_lignes_invalides: bool,
        /// Libellé de version affiché dans l'écran Métiers
        #[arg(long, value_name = "TEXTE")]
        version: Option<String>,
    },
    /// Affiche la version du référentiel utilisé
    Info,
}

#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Temps par frappe de la recherche de métiers (médiane, p99)
    Recherche {
        /// Taille de la liste de stress générée (0 pour l'omettre)
        #[arg(long, value_name = "N", default_value_t = 100_000)]
        stress: usize,
        /// Écrit aussi la liste de stress dans ce fichier (une ligne par entrée, pour fzf --filter)
        #[arg(long, value_name = "FICHIER")]
        liste: Option<PathBuf>,
    },
    /// Temps par frappe de la recherche dans la liste des dossiers, et du tri
    Dossiers {
        /// Nombre de dossiers fictifs générés en mémoire (10 000 au plus)
        #[arg(long, value_name = "N", default_value_t = 10_000)]
        nombre: usize,
    },
}

/// The catalogue in force: the shipped one, or the imported referential.
pub fn load_catalog(store: &Store) -> Result<Arc<Catalog>, Failure> {
    let builtin = crate::app::metiers::builtin_catalog();
    match store.referentiel().map_err(Failure::from)? {
        Some(r) => Ok(Arc::new(Catalog::from_referentiel(r, &builtin))),
        None => Ok(builtin),
    }
}

pub fn search(args: MetiersArgs, setup: &Setup) -> Result<(), Failure> {
    let store = open_store(&setup.data_dir)?;
    let catalog = load_catalog(&store)?;
    drop(store);
    let branch = match &args.branche {
        None => None,
        Some(key) => Some(
            catalog
                .branches()
                .resolve(key)
                .map(|b| b.short.clone())
                .ok_or_else(|| {
                    let known: Vec<&str> = catalog
                        .branches()
                        .list
                        .iter()
                        .map(|b| b.short.as_str())
                        .collect();
                    Failure::usage(format!(
                        "branche inconnue : « {key} » (connues : {}, ou un IDCC)",
                        known.join(", ")
                    ))
                })?,
        ),
    };
    let hits = catalog.search(&args.query, branch.as_deref(), args.limite);
    let mut out = String::new();
    if args.json {
        let rows: Vec<serde_json::Value> = hits
            .iter()
            .filter_map(|h| {
                let a = catalog.appellation(h.idx)?;
                Some(serde_json::json!({
                    // Synthetic codes (ROME 4.0 fiche-level rows) are not real OGR codes.
                    "ogr": (!crate::catalog::is_synthetic_ogr(a.ogr)).then_some(a.ogr),
                    "rome": a.rome,
                    "appellation": a.label,
                    "rome_label": catalog.fiche(&a.rome).map(|f| f.label.as_str()).unwrap_or(""),
                    "branches": a.branches,
                    "score": h.score,
                }))
            })
            .collect();
        let text = serde_json::to_string_pretty(&rows)
            .map_err(|e| Failure::runtime(format!("JSON : {e}")))?;
        out.push_str(&text);
        out.push('\n');
    } else {
        for h in &hits {
            let Some(a) = catalog.appellation(h.idx) else {
                continue;
            };
            let rome_label = catalog
                .fiche(&a.rome)
                .map(|f| f.label.as_str())
                .unwrap_or("");
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                a.rome,
                a.label,
                rome_label,
                catalog.branches_label(&a.branches)
            ));
        }
        if hits.is_empty() {
            eprintln!("Aucun métier ne correspond à « {} ».", args.query);
        }
    }
    write_stdout(&out)
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub fn write_stdout(text: &str) -> Result<(), Failure> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::runtime(format!("écriture impossible : {e}")))
        }
        _ => Ok(()),
    }
}

pub fn referentiel(cmd: ReferentielCmd, setup: &Setup) -> Result<(), Failure> {
    match cmd {
        ReferentielCmd::Info => {
            let store = open_store(&setup.data_dir)?;
            let catalog = load_catalog(&store)?;
            println!("{}", catalog.version());
            println!(
                "{} fiches ROME, {} appellations",
                catalog.fiches().len(),
                catalog.appellations().len()
            );
            println!("{}", catalog.info().licence);
            Ok(())
        }
        ReferentielCmd::Import {
            fichier,
            ignorer_lignes_invalides,
            version,
        } => {
            let store = open_store(&setup.data_dir)?;
            let current = load_catalog(&store)?;
            let name = fichier
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let opts = ImportOptions {
                version: version.unwrap_or_else(|| {
                    format!(
                        "ROME importé le {} ({name})",
                        chrono::Local::now().format("%d/%m/%Y")
                    )
                }),
                accept_rejected_lines: ignorer_lignes_invalides,
            };
            let bar = std::io::stderr().is_terminal().then(|| {
                let b = indicatif::ProgressBar::new(0);
                b.set_style(
                    indicatif::ProgressStyle::with_template("Import {bar:40} {pos}/{len} lignes")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            });
            let result = import_file(&fichier, &current, &opts, |done, total| {
                if let Some(b) = &bar {
                    b.set_length(total as u64);
                    b.set_position(done as u64);
                }
            });
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            match result {
                Ok(imported) => {
                    store
                        .save_referentiel(&imported.referentiel)
                        .map_err(Failure::from)?;
                    println!("Référentiel importé : {}", imported.referentiel.version);
                    println!("{}", imported.report.summary_fr());
                    print_rejected(&imported.report.rejected);
                    Ok(())
                }
                Err(e) => {
                    if let Some(r) = e.report() {
                        print_rejected(&r.rejected);
                    }
                    Err(Failure::usage(format!(
                        "import refusé, rien n'a été modifié : {e}"
                    )))
                }
            }
        }
    }
}

fn print_rejected(rejected: &[(usize, String)]) {
    const SHOWN: usize = 50;
    for (line, why) in rejected.iter().take(SHOWN) {
        eprintln!("  ligne {line} : {why}");
    }
    if rejected.len() > SHOWN {
        eprintln!("  … et {} autres lignes rejetées", rejected.len() - SHOWN);
    }
}

pub fn bench(cmd: BenchCmd, setup: &Setup) -> Result<(), Failure> {
    match cmd {
        BenchCmd::Recherche { stress, liste } => {
            let store = open_store(&setup.data_dir)?;
            let catalog = load_catalog(&store)?;
            drop(store);
            if cfg!(debug_assertions) {
                eprintln!("Attention : binaire de mise au point ; mesurez avec `cargo run --release -- bench recherche`.");
            }
            let mut out = std::io::stdout().lock();
            crate::catalog::bench::run_search_bench(&catalog, &mut out, stress, liste.as_deref())
                .map_err(|e| Failure::runtime(format!("banc d'essai : {e}")))
        }
        BenchCmd::Dossiers { nombre } => {
            let catalog = crate::app::metiers::builtin_catalog();
            let mut out = std::io::stdout().lock();
            crate::app::beneficiaires::bench::run_list_bench(catalog.branches(), nombre, &mut out)
                .map_err(|e| Failure::runtime(format!("banc d'essai : {e}")))
        }
    }
}
