//! `passerelle metiers`, `passerelle referentiel import`, `passerelle bench recherche`.

use super::{out, Failure, Setup};
use crate::catalog::import::{import_file, ImportOptions};
use crate::catalog::Catalog;
use crate::domain::Referentiel;
use crate::store::{EncodedRows, Store, StoreError};
use clap::{Args, Subcommand};
use std::io::IsTerminal;
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
    /// Sortie JSON : tableau de {ogr, rome, appellation, rome_label, branches: [{id, nom}], score}
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
        /// Libellé de version affiché dans l'écran Métiers (100 caractères au plus)
        #[arg(long, value_name = "TEXTE")]
        version: Option<String>,
        /// Accepte un fichier qui retirerait plus de 5 % des appellations actuelles
        #[arg(long)]
        remplacer: bool,
        /// Écrit la liste complète des lignes rejetées dans ce fichier
        #[arg(long, value_name = "FICHIER")]
        rapport: Option<PathBuf>,
    },
    /// Importe le fichier des mobilités ROME de France Travail (unix_rubrique_mobilite_v*_utf8.csv)
    #[command(
        long_about = "Importe le fichier officiel des mobilités entre métiers du ROME \
        (France Travail, « unix_rubrique_mobilite_v*_utf8.csv ») : l'écran Parcours en tire des \
        métiers cibles suggérés, en plus des passerelles fournies.\n\n\
        Colonnes lues (ordre libre, séparateur « , » « ; » ou tabulation) : code_rome, \
        code_rome_cible, code_type_mobilite (1 = proche, 2 = évolution), et si présentes \
        code_appellation_source, code_appellation_cible ; les autres sont ignorées.\n\n\
        Tout ou rien : une seule ligne invalide refuse le fichier et rien n'est modifié ; le \
        terminal montre au plus 20 lignes rejetées, --rapport FICHIER les écrit toutes. Un \
        nouvel import remplace le précédent. Une sauvegarde de la base est faite avant.\n\n\
        Code de sortie : 0 importé, 2 fichier refusé (rien n'a été modifié)."
    )]
    ImportMobilites {
        /// Fichier CSV UTF-8 avec en-tête
        #[arg(value_name = "FICHIER.csv")]
        fichier: PathBuf,
        /// Écrit la liste complète des lignes rejetées dans ce fichier
        #[arg(long, value_name = "FICHIER")]
        rapport: Option<PathBuf>,
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
        /// Écrit aussi la liste de stress en fichier de référentiel importable (CSV « ; »)
        #[arg(long, value_name = "FICHIER.csv")]
        referentiel: Option<PathBuf>,
    },
    /// Temps par frappe de la recherche dans la liste des dossiers, et du tri
    Dossiers {
        /// Nombre de dossiers fictifs générés en mémoire (100 000 au plus)
        #[arg(long, value_name = "N", default_value_t = 10_000)]
        nombre: usize,
    },
    /// Démarrage de l'interface : première image, base ouverte, dossiers chargés
    Demarrage {
        /// Nombre de dossiers de la base générée (sinon : 0, 10 000 et 100 000)
        #[arg(long, value_name = "N")]
        dossiers: Option<usize>,
        /// (interne) le processus mesuré
        #[arg(long, hide = true)]
        enfant: bool,
    },
    /// Coût du chiffrement : enregistrement et liste, base chiffrée ou en clair ; déverrouillage
    Base {
        /// Nombre de dossiers fictifs enregistrés dans chaque base
        #[arg(long, value_name = "N", default_value_t = 2_000)]
        dossiers: usize,
    },
}

/// The catalogue in force: the shipped one, or the imported referential,
/// read from the snapshot stored with it when that one is usable (no index
/// to rebuild), else rebuilt from its rows. Reads only the public
/// `referentiel` tree: usable on a locked store, from any thread.
pub fn load_catalog(store: &Store) -> Result<Arc<Catalog>, Failure> {
    if let Some(bytes) = store.referentiel_index().map_err(Failure::from)? {
        if let Some(c) = Catalog::from_stored_snapshot(&bytes) {
            return Ok(Arc::new(c));
        }
        tracing::info!("stored catalogue snapshot not usable by this build: index rebuilt");
    }
    let builtin = crate::app::metiers::builtin_catalog();
    match store.referentiel().map_err(Failure::from)? {
        Some(r) => Ok(Arc::new(Catalog::from_referentiel(r, &builtin))),
        None => Ok(builtin),
    }
}

/// The catalogue in force for a data directory, without creating anything:
/// the built-in one when there is no store. Searching métiers needs no
/// personal data: a store that cannot be read (open in another instance,
/// read-only, damaged) only costs the imported referential, with a
/// warning, never the search.
pub fn catalog_of(data_dir: &std::path::Path) -> Result<Arc<Catalog>, Failure> {
    Ok(catalog_and_store(data_dir).0)
}

/// [`catalog_of`], and the store it was read from (`Ok(None)`: no store),
/// or why it could not be opened: one open for both.
fn catalog_and_store(
    data_dir: &std::path::Path,
) -> (
    Arc<Catalog>,
    Result<Option<Store>, crate::store::StoreError>,
) {
    let builtin = crate::app::metiers::builtin_catalog;
    let unreadable = |why: String| {
        out::warn(&format!(
            "passerelle : référentiel importé inaccessible, recherche dans le catalogue \
             intégré. {why}"
        ));
        builtin()
    };
    match Store::open_existing(&Store::dir_in(data_dir)) {
        Ok(store) => match load_catalog(&store) {
            Ok(c) => (c, Ok(Some(store))),
            Err(f) => (unreadable(f.message), Ok(Some(store))),
        },
        Err(crate::store::StoreError::Missing { .. }) => (builtin(), Ok(None)),
        Err(e) => {
            tracing::error!("catalogue: {}", e.log_detail());
            (unreadable(e.to_string()), Err(e))
        }
    }
}

pub fn search(args: MetiersArgs, setup: &Setup) -> Result<(), Failure> {
    let catalog = catalog_of(&setup.data_dir)?;
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
                let branches: Vec<serde_json::Value> = a
                    .branches
                    .iter()
                    .map(|b| {
                        let nom = catalog
                            .branches()
                            .by_short(b)
                            .map_or(b.as_str(), |br| br.display.as_str());
                        serde_json::json!({ "id": b, "nom": nom })
                    })
                    .collect();
                Some(serde_json::json!({
                    // Synthetic codes (ROME 4.0 fiche-level rows) are not real OGR codes.
                    "ogr": (!crate::catalog::is_synthetic_ogr(a.ogr)).then_some(a.ogr),
                    "rome": a.rome,
                    "appellation": a.label,
                    "rome_label": catalog.fiche(&a.rome).map(|f| f.label.as_str()).unwrap_or(""),
                    "branches": branches,
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
    }
    out::print(&out)?;
    // The process ends here: freeing an imported referential's catalogue
    // (hundreds of thousands of small values) would cost more than the
    // search did; the system takes the memory back at exit. The built-in
    // catalogue is shared and outlives this anyway.
    std::mem::forget(catalog);
    if hits.is_empty() {
        // Like grep: nothing found is exit 1.
        return Err(Failure::runtime(format!(
            "aucun métier ne correspond à « {} »",
            out::escape(&args.query)
        )));
    }
    Ok(())
}

/// Longest version label accepted for an imported referential.
const VERSION_MAX: usize = 100;

pub fn referentiel(cmd: ReferentielCmd, setup: &Setup) -> Result<(), Failure> {
    match cmd {
        ReferentielCmd::Info => {
            let (catalog, store) = catalog_and_store(&setup.data_dir);
            let mobilites = match store.map_err(Failure::store_unusable)? {
                Some(store) => store.mobilites().map_err(Failure::from)?,
                None => None,
            };
            let mobilites = match mobilites {
                Some(m) => format!(
                    "Mobilités ROME : {} ({} lignes)",
                    out::escape(&m.version),
                    m.rows.len()
                ),
                None => "Mobilités ROME : non importées (passerelle referentiel \
                         import-mobilites FICHIER)"
                    .to_string(),
            };
            out::print(&format!(
                "{}\n{} fiches ROME, {} appellations\n{}\n{mobilites}\n",
                catalog.version(),
                catalog.fiches().len(),
                catalog.appellations().len(),
                catalog.info().licence
            ))
        }
        ReferentielCmd::ImportMobilites { fichier, rapport } => {
            import_mobilites(&fichier, rapport.as_deref(), setup)
        }
        ReferentielCmd::Import {
            fichier,
            ignorer_lignes_invalides,
            version,
            remplacer,
            rapport,
        } => {
            if let Some(v) = &version {
                if v.chars().count() > VERSION_MAX
                    || v.chars().any(crate::domain::rules::is_forbidden_char)
                {
                    return Err(Failure::usage(format!(
                        "libellé de version invalide : {VERSION_MAX} caractères au plus, sans \
                         caractère de contrôle"
                    )));
                }
            }
            let store = super::open_store_public(&setup.data_dir)?;
            let current = load_catalog(&store)?;
            let name = fichier
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let opts = ImportOptions {
                version: version.unwrap_or_else(|| {
                    format!(
                        "ROME importé le {} ({})",
                        chrono::Local::now().format("%d/%m/%Y"),
                        name.chars()
                            .filter(|c| !crate::domain::rules::is_forbidden_char(*c))
                            .take(60)
                            .collect::<String>()
                    )
                }),
                accept_rejected_lines: ignorer_lignes_invalides,
                replace: remplacer,
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
            // The current catalogue (100 000 appellations and their index
            // after a previous import) is not needed for saving.
            drop(current);
            give_back_free_memory();
            match result {
                Ok(imported) => {
                    if store.counts()?.values().any(|n| *n > 0) {
                        super::backup_before(&store, "avant-referentiel", setup)?;
                    }
                    let crate::catalog::Imported {
                        referentiel,
                        report,
                    } = imported;
                    let version = referentiel.version.clone();
                    let replaced = store.referentiel_stored().map_err(Failure::from)?;
                    save_imported(&store, referentiel).map_err(Failure::from)?;
                    if replaced {
                        // sled keeps the pages of the replaced referential
                        // (≈ 130 MB at 100 000 appellations) until its files
                        // are rewritten: done now, the import being durable.
                        give_back_free_memory();
                        if let Err(e) = crate::store::backup::compact(store) {
                            tracing::warn!(
                                "store not compacted after the import: {}",
                                e.log_detail()
                            );
                        }
                    }
                    let r = &report;
                    // What was done is shown first: a report file that
                    // cannot be written must not hide it.
                    out::print(&format!(
                        "Référentiel importé et enregistré : {}\n{}\n{}",
                        out::escape(&version),
                        r.summary_fr(),
                        rejected_text(&r.rejected, out::SHOWN_LINES)
                    ))?;
                    let reported = rapport.as_ref().is_none_or(|path| {
                        out::write_report(
                            path,
                            &format!(
                                "{}\n{}",
                                r.summary_fr(),
                                rejected_text(&r.rejected, usize::MAX)
                            ),
                        )
                    });
                    if r.rejected.is_empty() {
                        if reported {
                            Ok(())
                        } else {
                            Err(out::already_said())
                        }
                    } else {
                        Err(Failure::runtime(format!(
                            "{} ligne(s) rejetée(s), non importée(s)",
                            r.rejected.len()
                        )))
                    }
                }
                Err(e) => {
                    if let Some(r) = e.report() {
                        out::print(&rejected_text(&r.rejected, out::SHOWN_LINES))?;
                        if let Some(path) = &rapport {
                            out::write_report(path, &rejected_text(&r.rejected, usize::MAX));
                        }
                    }
                    Err(Failure::usage(format!(
                        "import refusé, rien n'a été modifié : {}",
                        out::escape(&e.to_string())
                    )))
                }
            }
        }
    }
}

/// Stores an imported referential with its catalogue snapshot, holding
/// as little as possible at once: the rows are encoded (compressed) first,
/// then moved into the catalogue whose snapshot is written chunk by chunk
/// as it is serialized (never whole in memory). Nothing is in force before the
/// final switch ([`crate::store::ReferentielWriter`]).
fn save_imported(store: &Store, referentiel: Referentiel) -> Result<(), StoreError> {
    let mut w = store.referentiel_writer()?;
    let rows = EncodedRows::new(&referentiel)?;
    {
        let catalog =
            Catalog::from_referentiel(referentiel, &crate::app::metiers::builtin_catalog());
        let mut sink = w.index_sink();
        match catalog.write_stored_snapshot(&mut sink) {
            Ok(()) => sink.finish()?,
            Err(e) => {
                // Only a cache: searching rebuilds the index without it.
                sink.abandon()?;
                tracing::warn!("catalogue snapshot not made: {e}");
            }
        }
    }
    give_back_free_memory();
    w.put_rows(rows)?;
    w.commit()
}

/// Returns the allocator's free pages to the system (glibc keeps the
/// memory of many small freed values resident): after the parse and after
/// the catalogue, so that the next step's peak does not add to theirs.
fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases unused pages of the allocator's
    // own heap; it takes no pointer and may be called at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// `Lignes rejetées :` and at most `limit` of them (escaped).
fn rejected_text(r: &[(usize, String)], limit: usize) -> String {
    if r.is_empty() {
        String::new()
    } else {
        format!("Lignes rejetées :\n{}", out::line_list(r, limit))
    }
}

/// `--rapport FICHIER`: the summary and every rejected line.
fn write_full_report(path: &std::path::Path, summary: &str, rejected: &[(usize, String)]) -> bool {
    out::write_report(
        path,
        &format!("{summary}\n{}", rejected_text(rejected, usize::MAX)),
    )
}

/// `referentiel import-mobilites`: all or nothing, with a report.
fn import_mobilites(
    fichier: &std::path::Path,
    rapport: Option<&std::path::Path>,
    setup: &Setup,
) -> Result<(), Failure> {
    use crate::catalog::mobilite::import_file;
    let store = super::open_store_public(&setup.data_dir)?;
    let catalog = load_catalog(&store)?;
    let name: String = fichier
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .filter(|c| !crate::domain::rules::is_forbidden_char(*c))
        .take(60)
        .collect();
    let version = format!(
        "{name}, importé le {}",
        chrono::Local::now().format("%d/%m/%Y")
    );
    match import_file(fichier, &catalog, &version) {
        Ok((mobilites, report)) => {
            if store.counts()?.values().any(|n| *n > 0) {
                super::backup_before(&store, "avant-mobilites", setup)?;
            }
            store.save_mobilites(&mobilites).map_err(Failure::from)?;
            out::print(&format!(
                "Fichier des mobilités importé et enregistré : {}\n{}\n",
                out::escape(&mobilites.version),
                out::escape(&report.summary_fr())
            ))?;
            match rapport {
                Some(path) if !out::write_report(path, &report.summary_fr()) => {
                    Err(out::already_said())
                }
                _ => Ok(()),
            }
        }
        Err(e) => {
            if let Some(r) = e.report() {
                out::print(&rejected_text(&r.rejected, out::SHOWN_LINES))?;
                if let Some(path) = rapport {
                    write_full_report(path, &r.summary_fr(), &r.rejected);
                }
            }
            Err(Failure::usage(format!(
                "import refusé, rien n'a été modifié : {}",
                out::escape(&e.to_string())
            )))
        }
    }
}

pub fn bench(cmd: BenchCmd, setup: &Setup) -> Result<(), Failure> {
    match cmd {
        BenchCmd::Recherche {
            stress,
            liste,
            referentiel,
        } => {
            let catalog = catalog_of(&setup.data_dir)?;
            if cfg!(debug_assertions) {
                out::warn("Attention : binaire de mise au point ; mesurez avec `cargo run --release -- bench recherche`.");
            }
            let mut out = std::io::stdout().lock();
            crate::catalog::bench::run_search_bench(
                &catalog,
                &mut out,
                stress,
                liste.as_deref(),
                referentiel.as_deref(),
            )
            .map_err(|e| Failure::runtime(format!("banc d'essai : {e}")))
        }
        BenchCmd::Dossiers { nombre } => {
            let max = crate::app::beneficiaires::bench::MAX_FILES;
            if !(1..=max).contains(&nombre) {
                return Err(Failure::usage(format!(
                    "--nombre : de 1 à {} dossiers",
                    crate::domain::dispositif::group_thousands(max as i64)
                )));
            }
            let catalog = crate::app::metiers::builtin_catalog();
            let mut out = std::io::stdout().lock();
            crate::app::beneficiaires::bench::run_list_bench(catalog.branches(), nombre, &mut out)
                .map_err(|e| Failure::runtime(format!("banc d'essai : {e}")))
        }
        BenchCmd::Demarrage { enfant: true, .. } => super::demarrage::child(setup),
        BenchCmd::Demarrage {
            dossiers,
            enfant: false,
        } => {
            let catalog = crate::app::metiers::builtin_catalog();
            let max = crate::app::beneficiaires::bench::MAX_FILES;
            if dossiers.is_some_and(|n| n > max) {
                return Err(Failure::usage(format!(
                    "--dossiers : au plus {max} dossiers"
                )));
            }
            let sizes = dossiers.map_or(vec![0, 10_000, max], |n| vec![n]);
            let mut out = std::io::stdout().lock();
            super::demarrage::run(&sizes, catalog.branches(), &mut out)
                .map_err(|e| Failure::runtime(format!("banc d'essai : {e}")))
        }
        BenchCmd::Base { dossiers } => {
            let catalog = crate::app::metiers::builtin_catalog();
            let mut out = std::io::stdout().lock();
            crate::transfer::bench_store::run(
                catalog.branches(),
                dossiers,
                crate::store::crypto::KdfParams::for_new_store(),
                &mut out,
            )
            .map_err(|e| Failure::runtime(format!("banc d'essai : {e}")))
        }
    }
}
