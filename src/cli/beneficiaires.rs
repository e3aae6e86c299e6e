//! `passerelle beneficiaires …`, `passerelle purge`, `passerelle demo`.
//!
//! Thin layer over [`crate::transfer`]: argument parsing, French output,
//! confirmation and exit codes (0 done, 1 runtime failure, 2 usage: bad file,
//! unknown id, refused confirmation, store locked).

use super::{out, Failure, Setup};
use crate::catalog::Catalog;
use crate::domain::time::fmt_date;
use crate::domain::{Beneficiary, Branches};
use crate::store::Store;
use crate::transfer::demo::{self, DemoError, DemoOptions};
use crate::transfer::export;
use crate::transfer::import::{self, ImportError, ImportOptions, ImportReport};
use crate::transfer::purge::{self, PurgeReport};
use crate::transfer::{fold, short_id, RandomIds};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum BeneficiairesCmd {
    /// Crée des dossiers à partir d'un fichier CSV (séparateur « ; » ou « , », encodage UTF-8)
    #[command(long_about = "Crée des dossiers à partir d'un fichier CSV.\n\n\
        En-tête attendu (ordre libre, majuscules et accents indifférents ; seules les colonnes \
        nom et prenom sont obligatoires) :\n  \
        nom;prenom;email;telephone;code_postal;idcc;employeur;contrat;anciennete_mois;niveau;solde_cpf\n\
        Colonnes facultatives en plus : anciennete_totale_mois, date_naissance, commune, siret.\n\n\
        Chaque valeur est vérifiée comme dans le formulaire ; une ligne invalide (valeur \
        incorrecte, trop ou trop peu de colonnes, caractère de contrôle) est signalée avec son \
        numéro et la raison, sans empêcher les autres. Une personne déjà enregistrée (mêmes nom, \
        prénom et date de naissance, ou même adresse e-mail) n'est pas créée une seconde fois. \
        Le terminal montre au plus 20 lignes rejetées ; --rapport FICHIER les écrit toutes. \
        Une sauvegarde de la base est faite avant l'import.\n\n\
        Code de sortie : 0 si toutes les lignes ont été importées, 1 si des lignes ont été \
        rejetées ou si l'import a été interrompu (le nombre affiché ne compte que les dossiers \
        enregistrés), 2 si le fichier est illisible ou son en-tête invalide.")]
    Import(ImportArgs),
    /// Liste les dossiers (tableau, ou JSON avec --json)
    Liste(ListeArgs),
    /// Exporte en JSON tout ce qui est enregistré sur une personne (droit d'accès, portabilité)
    Export(IdArgs),
    /// Efface définitivement un dossier et tout ce qui s'y rattache (droit à l'effacement)
    Supprimer(SupprimerArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Fichier CSV à importer
    #[arg(value_name = "FICHIER.csv")]
    pub fichier: PathBuf,
    /// Écrit le compte rendu complet (toutes les lignes rejetées) dans ce fichier
    #[arg(long, value_name = "FICHIER")]
    pub rapport: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListeArgs {
    /// Sortie JSON (un tableau d'objets) au lieu du tableau
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    /// Identifiant du dossier (complet, ou les 8 caractères affichés par « liste »)
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct SupprimerArgs {
    /// Identifiant du dossier (complet, ou les 8 caractères affichés par « liste »)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Efface sans demander de confirmation
    #[arg(long)]
    pub oui: bool,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Efface les dossiers clos dont le dernier contact date de plus de N jours (730 = 2 ans)
    #[arg(long = "avant-jours", value_name = "N", default_value_t = purge::DEFAULT_DAYS)]
    pub avant_jours: u32,
    /// Affiche seulement les dossiers concernés, sans rien effacer
    #[arg(long = "dry-run")]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Nombre de dossiers fictifs à créer
    #[arg(
        long,
        value_name = "N",
        default_value_t = demo::DEFAULT_COUNT,
        value_parser = parse_count
    )]
    pub nombre: usize,
    /// Ajoute les dossiers fictifs même si le stockage contient déjà des dossiers
    #[arg(long)]
    pub force: bool,
}

fn parse_count(s: &str) -> Result<usize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("« {s} » n'est pas un nombre entier"))?;
    if !(1..=demo::MAX_COUNT).contains(&n) {
        return Err(format!("de 1 à {} dossiers", demo::MAX_COUNT));
    }
    Ok(n)
}

pub fn run(cmd: BeneficiairesCmd, setup: &Setup) -> Result<(), Failure> {
    match cmd {
        BeneficiairesCmd::Import(a) => import_cmd(a, setup),
        BeneficiairesCmd::Liste(a) => liste(a, setup),
        BeneficiairesCmd::Export(a) => export_cmd(a, setup),
        BeneficiairesCmd::Supprimer(a) => supprimer(a, setup),
    }
}

// ----- helpers ---------------------------------------------------------------

/// `1 dossier`, `3 dossiers`, `0 dossier` (French: 0 and 1 are singular).
fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n <= 1 { singular } else { plural })
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn branches() -> Result<Branches, Failure> {
    Catalog::builtin_shared()
        .map(|c| c.branches().clone())
        .map_err(|e| Failure::runtime(e.to_string()))
}

/// Finds a file by full id, or by at least 8 hex digits that end it (the
/// short id shown by `liste`) or begin it. Unknown or ambiguous: exit 2.
pub(crate) fn resolve_id(store: &Store, text: &str) -> Result<Beneficiary, Failure> {
    let t = text.trim();
    super::find_by_id(
        t,
        &super::IdMessages {
            unknown: format!(
                "aucun dossier ne porte l'identifiant « {t} » \
                 (voir « passerelle beneficiaires liste »)"
            ),
            invalid: format!(
                "identifiant invalide : « {t} » (attendu : l'identifiant complet ou ses 8 derniers \
                 caractères, tels qu'affichés par « passerelle beneficiaires liste »)"
            ),
            plural: "dossiers",
        },
        |id| store.beneficiary(id),
        || Ok(store.beneficiaries()?.records),
        |b| b.id,
    )
}

// ----- import ----------------------------------------------------------------

/// Below this many files to create, no progress bar.
const PROGRESS_MIN: usize = 100;

fn import_cmd(a: ImportArgs, setup: &Setup) -> Result<(), Failure> {
    let bytes = std::fs::read(&a.fichier).map_err(|e| {
        Failure::usage(format!(
            "impossible de lire {} : {}",
            a.fichier.display(),
            crate::store::IoCause::of(&e).what()
        ))
    })?;
    let store = super::open_store(setup)?;
    let branches = branches()?;
    let opts = ImportOptions {
        branches: &branches,
        now: Utc::now(),
        today: today(),
        advisor: &setup.config.conseiller.nom,
    };
    let mut bar: Option<indicatif::ProgressBar> = None;
    let tty = std::io::stderr().is_terminal();
    let mut progress = |done: usize, total: usize| {
        if done == 0 && tty && total >= PROGRESS_MIN {
            let b = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "Import {bar:40} {pos}/{len} dossiers (reste {eta})",
            ) {
                b.set_style(style);
            }
            bar = Some(b);
        } else if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    };
    let name = out::escape(&a.fichier.display().to_string());
    let planned = import::plan_csv(&store, &bytes, &opts, &mut RandomIds)
        .map_err(|e| Failure::usage(format!("{name} : {}", out::escape(&e.to_string()))))?;
    // A backup only when something will be written into a store that
    // already holds files (a refused file changes nothing at all).
    if !planned.new.is_empty() && store.beneficiary_count()? > 0 {
        super::backup_before(&store, "avant-import", setup)?;
    }
    let result = import::write_planned(&store, planned, &mut progress);
    if let Some(b) = bar.take() {
        b.finish_and_clear();
    }
    let (report, failure) = match result {
        Ok(report) => (report, None),
        Err(ImportError::Store {
            line,
            source,
            report,
        }) => {
            let mut f = Failure::from(source);
            f.code = 1;
            f.message = format!(
                "import interrompu à la ligne {line} : {} Seuls les {} annoncés ci-dessus \
                 sont enregistrés.",
                f.message,
                count(report.created.len(), "dossier", "dossiers"),
            );
            (*report, Some(f))
        }
        Err(e) => {
            return Err(Failure::usage(format!(
                "{name} : {}",
                out::escape(&e.to_string())
            )))
        }
    };
    // What was done is shown first: a report file that cannot be written
    // must not hide it.
    out::print(&import_report(&name, &report, out::SHOWN_LINES))?;
    let reported = a
        .rapport
        .as_ref()
        .is_none_or(|path| out::write_report(path, &import_report(&name, &report, usize::MAX)));
    if let Some(f) = failure {
        return Err(f);
    }
    let refused = report.rejected.len() + report.duplicates.len();
    if refused > 0 {
        return Err(Failure::runtime(format!(
            "{} non importée{} (voir ci-dessus)",
            count(refused, "ligne", "lignes"),
            if refused > 1 { "s" } else { "" }
        )));
    }
    if !reported {
        return Err(out::already_said());
    }
    Ok(())
}

/// The import report; `limit` caps the lines listed per section.
fn import_report(name: &str, r: &ImportReport, limit: usize) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Import de {name} : {} lue{}.\n",
        count(r.lines, "ligne", "lignes"),
        if r.lines > 1 { "s" } else { "" }
    ));
    out.push_str(&format!(
        "{} créé{} et enregistré{}.\n",
        count(r.created.len(), "dossier", "dossiers"),
        if r.created.len() > 1 { "s" } else { "" },
        if r.created.len() > 1 { "s" } else { "" }
    ));
    if !r.rejected.is_empty() {
        out.push_str(&format!(
            "{} rejetée{} :\n",
            count(r.rejected.len(), "ligne", "lignes"),
            if r.rejected.len() > 1 { "s" } else { "" }
        ));
        out.push_str(&out::line_list(&r.rejected, limit));
    }
    if !r.duplicates.is_empty() {
        out.push_str(&format!(
            "{} non importé{} :\n",
            count(r.duplicates.len(), "doublon", "doublons"),
            if r.duplicates.len() > 1 { "s" } else { "" }
        ));
        out.push_str(&out::line_list(&r.duplicates, limit));
    }
    if !r.ignored_columns.is_empty() {
        let cols: Vec<String> = r.ignored_columns.iter().map(|c| out::escape(c)).collect();
        out.push_str(&format!(
            "Colonne{} ignorée{} : « {} »\n",
            if cols.len() > 1 { "s" } else { "" },
            if cols.len() > 1 { "s" } else { "" },
            cols.join(" », « ")
        ));
    }
    out
}

// ----- liste -----------------------------------------------------------------

fn liste(a: ListeArgs, setup: &Setup) -> Result<(), Failure> {
    let store = super::open_existing(setup)?;
    let branches = branches()?;
    let scan = store.beneficiaries()?;
    drop(store);
    // One unreadable file is reported, never hides the others; the
    // command then exits 1 (the work partly failed).
    let damaged = scan.damaged_summary();
    let result = print_list(a, scan.records, &branches);
    match damaged {
        Some(msg) => {
            result?;
            Err(Failure::runtime(msg))
        }
        None => result,
    }
}

fn print_list(a: ListeArgs, mut all: Vec<Beneficiary>, branches: &Branches) -> Result<(), Failure> {
    all.sort_by_cached_key(|b| (fold(&b.last_name), fold(&b.first_name), b.id));
    if a.json {
        let v: Vec<serde_json::Value> = all.iter().map(|b| list_json(b, branches)).collect();
        let text = serde_json::to_string_pretty(&v)
            .map_err(|e| Failure::runtime(format!("erreur JSON : {e}")))?;
        return out::println(&text);
    }
    if all.is_empty() {
        return out::println("Aucun dossier.");
    }
    let header = ["id", "nom", "prénom", "branche", "statut", "prochain suivi"];
    let rows: Vec<[String; 6]> = all
        .iter()
        .map(|b| {
            [
                short_id(b.id),
                b.last_name.to_uppercase(),
                b.first_name.clone(),
                b.branch
                    .as_deref()
                    .map(|s| {
                        branches
                            .by_short(s)
                            .map_or(s.to_string(), |br| br.display.clone())
                    })
                    .unwrap_or_else(|| "—".into()),
                status_label(b).to_string(),
                b.next_follow_up.map(fmt_date).unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.extend(std::iter::repeat_n(' ', w - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = String::new();
    out.push_str(&line(&header));
    out.push('\n');
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        out.push_str(&line(&cells));
        out.push('\n');
    }
    out.push_str(&format!("{}\n", count(rows.len(), "dossier", "dossiers")));
    out::print(&out)
}

fn status_label(b: &Beneficiary) -> &'static str {
    if b.status.is_open() {
        "ouvert"
    } else {
        "clos"
    }
}

fn iso(d: Option<NaiveDate>) -> serde_json::Value {
    d.map_or(serde_json::Value::Null, |d| {
        d.format("%Y-%m-%d").to_string().into()
    })
}

/// One object of `liste --json`.
fn list_json(b: &Beneficiary, branches: &Branches) -> serde_json::Value {
    let branch = b.branch.as_deref().and_then(|s| branches.by_short(s));
    let idcc = branch.map(|br| br.idcc.as_str()).filter(|i| !i.is_empty());
    serde_json::json!({
        "id": b.id.to_string(),
        "nom": b.last_name,
        "prenom": b.first_name,
        "idcc": idcc,
        "branche": b.branch,
        "statut": status_label(b),
        "prochain_suivi": iso(b.next_follow_up),
        "dernier_contact": iso(b.last_contact),
        "notice_remise": b.consent.processing.is_some(),
    })
}

// ----- export ----------------------------------------------------------------

fn export_cmd(a: IdArgs, setup: &Setup) -> Result<(), Failure> {
    let store = super::open_existing(setup)?;
    let b = resolve_id(&store, &a.id)?;
    let json = export::person_json(&store, b.id, Utc::now(), &branches()?)?.ok_or_else(|| {
        Failure::usage(format!("aucun dossier ne porte l'identifiant « {} »", a.id))
    })?;
    super::audit(
        &store,
        crate::store::audit::AuditAction::Export,
        Some(b.id),
        "données de la personne (JSON, droit d'accès)",
    )?;
    out::println(&json)
}

// ----- supprimer -------------------------------------------------------------

fn supprimer(a: SupprimerArgs, setup: &Setup) -> Result<(), Failure> {
    let store = super::open_existing(setup)?;
    let b = resolve_id(&store, &a.id)?;
    let what = format!("le dossier {} ({})", b.display_name(), short_id(b.id));
    if !a.oui {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::usage(format!(
                "effacement refusé : confirmation impossible (l'entrée n'est pas un terminal). \
                 Ajoutez --oui pour effacer {what} sans question."
            )));
        }
        let answer = out::ask(&format!(
            "Effacer définitivement {what} et tout ce qui s'y rattache \
             (entretiens, parcours, immersions, historique) ? (oui/non) "
        ))?;
        if !out::is_yes(&answer) {
            return out::println("Effacement annulé : rien n'a été modifié.");
        }
    }
    let r = store.erase_beneficiary(b.id)?;
    let mut p = PurgeReport::default();
    p.add(&r);
    out::println(&format!("Effacé : {what}.\n{}", removed_summary(&p)))?;
    physical_erasure(store)
}

/// Rewrites the store after an erasure so that the erased bytes leave its
/// files (sled keeps superseded pages until their space is reused).
fn physical_erasure(store: Store) -> Result<(), Failure> {
    match crate::store::backup::compact(store) {
        Ok(_) => {
            out::println("Effacement physique : la base a été réécrite sans les données effacées.")
        }
        Err(e) => {
            let mut f = Failure::from(e);
            f.message = format!(
                "l'effacement est enregistré, mais la réécriture de la base a échoué ; \
                 relancez « passerelle compacter » : {}",
                f.message
            );
            Err(f)
        }
    }
}

/// `12 enregistrements effacés : 1 dossier, 3 entretiens, … (et 5 entrées d'index).`
fn removed_summary(p: &PurgeReport) -> String {
    let n = p.records();
    format!(
        "{} effacé{} : {}, {}, {}, {}, {} (et {}).",
        count(n, "enregistrement", "enregistrements"),
        if n > 1 { "s" } else { "" },
        count(p.files, "dossier", "dossiers"),
        count(p.interviews, "entretien", "entretiens"),
        count(p.plans, "parcours", "parcours"),
        count(p.immersions, "immersion", "immersions"),
        count(p.journal_entries, "entrée du journal", "entrées du journal"),
        count(p.index_entries, "entrée d'index", "entrées d'index"),
    )
}

// ----- purge -----------------------------------------------------------------

pub fn purge(args: PurgeArgs, setup: &Setup) -> Result<(), Failure> {
    let store = super::open_existing(setup)?;
    let today = today();
    let limit = purge::cutoff(today, args.avant_jours);
    let list = purge::candidates(&store, today, args.avant_jours)?;
    if list.is_empty() {
        return out::println(&format!(
            "Aucun dossier clos sans contact depuis le {} ({}) : rien à effacer.",
            fmt_date(limit),
            count(args.avant_jours as usize, "jour", "jours")
        ));
    }
    let mut out = format!(
        "{} clos sans contact depuis le {} ({}) :\n",
        count(list.len(), "dossier", "dossiers"),
        fmt_date(limit),
        count(args.avant_jours as usize, "jour", "jours")
    );
    for c in &list {
        out.push_str(&format!(
            "  {}  {}  dernier contact le {}, clos le {}\n",
            short_id(c.id),
            c.name,
            fmt_date(c.last_contact),
            fmt_date(c.closed_on)
        ));
    }
    if args.dry_run {
        out.push_str("Simulation (--dry-run) : rien n'a été effacé.\n");
        return out::print(&out);
    }
    out::print(&out)?;
    super::backup_before(&store, "avant-purge", setup)?;
    match purge::erase(&store, &list) {
        Ok(r) => {
            out::println(&format!("Purge terminée. {}", removed_summary(&r)))?;
            physical_erasure(store)
        }
        Err((e, r)) => {
            out::println(&format!("Purge interrompue. {}", removed_summary(&r)))?;
            Err(Failure::from(e))
        }
    }
}

// ----- demo ------------------------------------------------------------------

pub fn demo(args: DemoArgs, setup: &Setup) -> Result<(), Failure> {
    let store = super::open_demo_store(setup)?;
    let branches = branches()?;
    let catalog = crate::app::metiers::builtin_catalog();
    let jobs: Vec<(String, crate::domain::TargetMetier)> = branches
        .list
        .iter()
        .flat_map(|b| {
            catalog
                .search("", Some(&b.short), 8)
                .into_iter()
                .filter_map(|h| catalog.target(h.idx))
                .map(|t| (b.short.clone(), t))
                .collect::<Vec<_>>()
        })
        .collect();
    let opts = DemoOptions {
        jobs: &jobs,
        count: args.nombre,
        force: args.force,
        branches: &branches,
        today: today(),
        now: Utc::now(),
        advisor: &setup.config.conseiller.nom,
    };
    let summary = |r: &demo::DemoReport| {
        format!(
            "{} fictif{} ({} dont {} à venir, {}, {}, {} à {}), {} dont {} au-delà de la \
             durée de conservation de 2 ans",
            count(r.files, "dossier", "dossiers"),
            if r.files > 1 { "s" } else { "" },
            count(r.interviews, "entretien", "entretiens"),
            r.planned,
            count(r.plans, "parcours", "parcours"),
            count(r.immersions, "immersion", "immersions"),
            count(r.registrations, "inscription", "inscriptions"),
            count(r.sessions, "séance d'information", "séances d'information"),
            count(r.closed, "dossier clos", "dossiers clos"),
            r.past_retention,
        )
    };
    match demo::seed(&store, &opts, &mut RandomIds) {
        Ok(r) => out::println(&format!(
            "Démonstration créée : {}.\n\
             Tous les noms sont inventés ; employeurs « {} … », adresses @{}.\n\
             Pour l'ouvrir :\n  {}",
            summary(&r),
            demo::EMPLOYER_PREFIX,
            demo::EMAIL_DOMAIN,
            open_command(&setup.data_dir),
        )),
        Err(DemoError::NotEmpty { files }) => {
            Err(Failure::usage(DemoError::NotEmpty { files }.to_string()))
        }
        Err(DemoError::Store { source, durable }) => {
            out::println(&format!(
                "Démonstration interrompue : seuls {} sont enregistrés.",
                summary(&durable)
            ))?;
            Err(Failure::runtime(source.to_string()))
        }
    }
}

/// The exact command that opens the TUI on `data_dir`: the program as it
/// was called, with the data directory quoted for a POSIX shell.
pub fn open_command(data_dir: &std::path::Path) -> String {
    let program = std::env::args()
        .next()
        .filter(|p| p.contains('/'))
        .unwrap_or_else(|| "passerelle".to_string());
    let dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    format!(
        "{} --data-dir {}",
        shell_quote(&program),
        shell_quote(&dir.display().to_string())
    )
}

/// `'…'` quoting for a POSIX shell (only when needed).
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
