//! `passerelle export …`: documents and files for other tools. Each variant
//! is self-contained (its arguments, its function).
//!
//! Every export that names people says so on stderr: the file holds
//! personal data and must be kept and sent with care. Files are written
//! atomically with mode 0600 (`--sortie`); without `--sortie` the export
//! goes to stdout.

use super::beneficiaires::resolve_id;
use super::{out, Failure, Setup};
use crate::domain::agenda::{person_label, to_paris};
use crate::domain::time::{fmt_date, parse_date_input};
use crate::domain::{Id, Immersion};
use crate::store::audit::AuditAction;
use crate::store::Store;
use crate::transfer::agenda as ag;
use crate::transfer::document::{self, Format};
use crate::transfer::{convention, csv_out, ics};
use chrono::{Days, NaiveDate, Utc};
use clap::{Args, Subcommand};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// Synthèse de l'accompagnement à remettre à la personne (HTML ou Markdown)
    #[command(
        long_about = "Synthèse de l'accompagnement à remettre à la personne en fin de \
        CEP : situation, projet et métiers visés, plan d'action daté, dispositifs et \
        financements avec les totaux, immersions, prochain rendez-vous, conseiller et \
        structure ([conseiller] nom et structure de la configuration), date.\n\n\
        Seul ce que la personne a accepté de montrer y figure : la situation si la notice \
        d'information a été remise, l'employeur et la branche si elle a accepté le partage \
        avec l'employeur ou l'OPCO ; jamais ses coordonnées, sa date de naissance, ses \
        contraintes ni les comptes rendus d'entretien.\n\n\
        Sans --sortie, le document est écrit sur la sortie standard ; avec --sortie FICHIER, \
        dans ce fichier (lisible par vous seul)."
    )]
    Synthese(SyntheseArgs),
    /// Fiche de préparation de la convention d'immersion (PMSMP, cerfa 13912)
    #[command(
        long_about = "Fiche de préparation de la convention d'immersion (PMSMP, cerfa \
        13912) : tous les champs que la convention demande, à remettre au prescripteur ou à \
        reporter sur Immersion Facilitée. Les champs manquants sont listés en tête, suivis des \
        points de vigilance des règles (durée, heures, structure d'accueil…).\n\n\
        Le document contient des données personnelles.\n\n\
        Code de sortie : 0 écrit, 1 écriture impossible, 2 identifiant inconnu ou arguments \
        invalides."
    )]
    Convention(ConventionArgs),
    /// Agenda au format iCalendar (Outlook, Thunderbird, Agenda…)
    #[command(
        long_about = "Agenda au format iCalendar (RFC 5545) : entretiens, jours \
        d'immersion, séances d'information et échéances du parcours, en heure de Paris \
        (fuseau Europe/Paris décrit dans le fichier). Les identifiants (UID) sont stables : \
        réimporter un nouvel export met les événements à jour au lieu de les dupliquer.\n\n\
        Par défaut, du jour même à 90 jours plus tard. Dates : AAAA-MM-JJ, jj/mm/aaaa, \
        auj, demain, +2s…\n\n\
        Sans --anonyme, les noms des personnes figurent dans les événements."
    )]
    Ics(IcsArgs),
    /// Une ligne par immersion, pour un tableur (CSV « ; », UTF-8)
    #[command(
        long_about = "Une ligne par immersion (dates, heures, structure d'accueil, \
        branche, objectif, statut, résultat du bilan), pour un tableur : séparateur « ; », \
        UTF-8 avec BOM, dates jj/mm/aaaa, heures décimales à virgule.\n\n\
        Sans --nominatif, aucune colonne n'identifie la personne ni le tuteur ; avec, les \
        colonnes dossier, bénéficiaire, tuteur et les textes libres sont ajoutées."
    )]
    Immersions(ImmersionsArgs),
}

#[derive(Debug, Args)]
pub struct SyntheseArgs {
    /// Identifiant du dossier (complet, ou les 8 caractères affichés par « beneficiaires liste »)
    #[arg(value_name = "ID")]
    pub id: String,
    /// html (page A4 autonome, à imprimer) ou md (Markdown, lisible en texte brut)
    #[arg(long, value_name = "html|md", value_parser = Format::parse, default_value = "html")]
    pub format: Format,
    /// Écrit le document dans ce fichier (droits 0600) au lieu de la sortie standard
    #[arg(long, value_name = "FICHIER")]
    pub sortie: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConventionArgs {
    /// Identifiant de l'immersion (complet, ou ses 8 derniers caractères)
    #[arg(value_name = "IMMERSION_ID")]
    pub id: String,
    /// Format : html ou md
    #[arg(long, value_name = "html|md", value_parser = parse_doc_format)]
    pub format: Format,
    /// Fichier à écrire (sinon la sortie standard)
    #[arg(long, value_name = "FICHIER")]
    pub sortie: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IcsArgs {
    /// Premier jour (par défaut : aujourd'hui)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub du: Option<NaiveDate>,
    /// Dernier jour (par défaut : 90 jours après le premier)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub au: Option<NaiveDate>,
    /// Remplace les noms par leurs initiales
    #[arg(long)]
    pub anonyme: bool,
    /// Fichier à écrire (sinon la sortie standard)
    #[arg(long, value_name = "FICHIER")]
    pub sortie: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImmersionsArgs {
    /// Format : csv
    #[arg(long, value_name = "csv", value_parser = parse_csv_format)]
    pub format: CsvFormat,
    /// Ajoute les colonnes qui identifient la personne et le tuteur
    #[arg(long)]
    pub nominatif: bool,
    /// Fichier à écrire (sinon la sortie standard)
    #[arg(long, value_name = "FICHIER")]
    pub sortie: Option<PathBuf>,
}

/// The only table format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvFormat;

fn parse_doc_format(s: &str) -> Result<Format, String> {
    Format::parse(s)
}

fn parse_csv_format(s: &str) -> Result<CsvFormat, String> {
    if s.trim().eq_ignore_ascii_case("csv") {
        Ok(CsvFormat)
    } else {
        Err(format!("format inconnu « {} » (csv)", s.trim()))
    }
}

/// Today in Europe/Paris (the agenda's time).
pub fn today() -> NaiveDate {
    to_paris(Utc::now()).date()
}

/// A date on the command line: `AAAA-MM-JJ` and every form a date field
/// accepts (`jj/mm/aaaa`, `auj`, `+2s`…), relative to today.
pub fn parse_cli_date(s: &str) -> Result<NaiveDate, String> {
    parse_date_input(s, today())
}

/// The range `[du, au]` with its defaults (`au` = `du` + `span` days);
/// reversed bounds are a usage error.
pub fn range(
    du: Option<NaiveDate>,
    au: Option<NaiveDate>,
    span: u64,
) -> Result<(NaiveDate, NaiveDate), Failure> {
    let from = du.unwrap_or_else(today);
    let to = au.unwrap_or_else(|| from.checked_add_days(Days::new(span)).unwrap_or(from));
    if to < from {
        return Err(Failure::usage(format!(
            "la date de fin (--au {}) précède la date de début (--du {})",
            fmt_date(to),
            fmt_date(from)
        )));
    }
    Ok((from, to))
}

/// Writes an export to `path` (atomically, 0600) or to stdout, then says
/// on stderr when it holds personal data (`personal`: what it holds).
pub fn write_export(
    path: Option<&Path>,
    text: &str,
    personal: Option<&str>,
) -> Result<(), Failure> {
    match path {
        Some(p) => {
            crate::store::files::write_atomic(p, text.as_bytes()).map_err(|e| {
                Failure::runtime(format!(
                    "{} non écrit : {e}",
                    out::escape(&p.display().to_string())
                ))
            })?;
            out::println(&format!(
                "Écrit : {}",
                out::escape(&p.display().to_string())
            ))?;
        }
        None => out::print(text)?,
    }
    if let Some(what) = personal {
        out::warn(&format!(
            "passerelle : attention, cet export contient des données personnelles ({what}) : \
             conservez-le en lieu sûr et ne le transmettez qu'aux personnes concernées."
        ));
    }
    Ok(())
}

/// `HTML` / `Markdown`, for the audit log.
fn format_label(f: document::Format) -> &'static str {
    match f {
        document::Format::Html => "HTML",
        document::Format::Markdown => "Markdown",
    }
}

pub fn run(cmd: ExportCmd, setup: &Setup) -> Result<(), Failure> {
    match cmd {
        ExportCmd::Synthese(a) => synthese(a, setup),
        ExportCmd::Convention(a) => convention_cmd(a, setup),
        ExportCmd::Ics(a) => ics_cmd(a, setup),
        ExportCmd::Immersions(a) => immersions_cmd(a, setup),
    }
}

// ----- convention --------------------------------------------------------------

/// Finds an immersion by full id, or by at least 8 hex digits that end it
/// (the short id shown in the file) or begin it. Unknown or ambiguous: exit 2.
fn resolve_immersion(store: &Store, text: &str) -> Result<Immersion, Failure> {
    let t = out::escape(text.trim());
    super::find_by_id(
        text.trim(),
        &super::IdMessages {
            unknown: format!("aucune immersion ne porte l'identifiant « {t} »"),
            invalid: format!(
                "identifiant d'immersion invalide : « {t} » (l'identifiant complet ou ses 8 \
                 derniers caractères, tels qu'affichés dans l'onglet Immersions du dossier)"
            ),
            plural: "immersions",
        },
        |id| store.immersion(id),
        || Ok(store.immersions()?.records),
        |i| i.id,
    )
}

fn convention_cmd(a: ConventionArgs, setup: &Setup) -> Result<(), Failure> {
    let store = super::open_existing(setup)?;
    let imm = resolve_immersion(&store, &a.id)?;
    let doc = convention::sheet_from_store(
        &store,
        &imm,
        &setup.config.conseiller.nom,
        today(),
        &to_paris,
    )?
    .ok_or_else(|| {
        Failure::runtime(
            "le dossier de cette immersion est introuvable : lancez « passerelle verifier »",
        )
    })?;
    super::audit(
        &store,
        AuditAction::Export,
        Some(imm.beneficiary),
        &format!(
            "fiche de convention d'immersion ({})",
            format_label(a.format)
        ),
    )?;
    drop(store);
    write_export(
        a.sortie.as_deref(),
        &document::render(&doc, a.format),
        Some("identité de la personne, de son employeur et du tuteur"),
    )
}

// ----- ics ---------------------------------------------------------------------

/// The names of every file, as the agenda shows them (`DUPONT Léa`), or
/// their initials.
pub fn names(store: &Store, anonymous: bool) -> Result<HashMap<Id, String>, Failure> {
    Ok(store
        .beneficiaries()?
        .records
        .iter()
        .map(|b| (b.id, person_label(&b.display_name(), anonymous)))
        .collect())
}

/// The agenda items of `[from, to]` (Paris time) with conflicts marked,
/// and the damaged-records summary if any.
pub fn agenda_items(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    anonymous: bool,
) -> Result<(Vec<crate::domain::agenda::AgendaItem>, Option<String>), Failure> {
    let data = ag::load(store, from, to, today())?;
    let names = names(store, anonymous)?;
    let name = |id: Id| {
        names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "dossier inconnu".into())
    };
    let (all, _) = ag::items(&data, &name, &to_paris);
    let damaged = crate::store::Scan::<()> {
        records: Vec::new(),
        damaged: data.damaged,
    }
    .damaged_summary();
    Ok((ag::in_range(&all, from, to), damaged))
}

fn ics_cmd(a: IcsArgs, setup: &Setup) -> Result<(), Failure> {
    let (from, to) = range(a.du, a.au, 90)?;
    let store = super::open_existing(setup)?;
    let (items, damaged) = agenda_items(&store, from, to, a.anonyme)?;
    super::audit(
        &store,
        AuditAction::Export,
        None,
        &format!(
            "agenda iCalendar du {} au {}, {} rendez-vous{}",
            fmt_date(from),
            fmt_date(to),
            items.len(),
            if a.anonyme { ", initiales" } else { "" }
        ),
    )?;
    drop(store);
    let text = ics::agenda_calendar(&items, Utc::now());
    let personal = (!a.anonyme && !items.is_empty()).then_some(
        "noms des personnes dans les rendez-vous ; --anonyme les remplace par leurs initiales",
    );
    write_export(a.sortie.as_deref(), &text, personal)?;
    match damaged {
        Some(msg) => Err(Failure::runtime(msg)),
        None => Ok(()),
    }
}

// ----- immersions ----------------------------------------------------------------

fn immersions_cmd(a: ImmersionsArgs, setup: &Setup) -> Result<(), Failure> {
    let CsvFormat = a.format;
    let store = super::open_existing(setup)?;
    let scan = store.immersions()?;
    let names = names(&store, false)?;
    super::audit(
        &store,
        AuditAction::Export,
        None,
        &format!(
            "tableau des immersions ({}), {} ligne(s)",
            if a.nominatif { "nominatif" } else { "anonyme" },
            scan.records.len()
        ),
    )?;
    drop(store);
    let rows: Vec<(&Immersion, &str)> = scan
        .records
        .iter()
        .map(|i| (i, names.get(&i.beneficiary).map_or("", String::as_str)))
        .collect();
    let text = csv_out::immersions_csv(&rows, a.nominatif).map_err(Failure::runtime)?;
    let personal = a
        .nominatif
        .then_some("noms des personnes et des tuteurs, coordonnées des tuteurs, commentaires");
    write_export(a.sortie.as_deref(), &text, personal)?;
    match scan.damaged_summary() {
        Some(msg) => Err(Failure::runtime(msg)),
        None => Ok(()),
    }
}

fn synthese(a: SyntheseArgs, setup: &Setup) -> Result<(), Failure> {
    use crate::transfer::synthese::{self, Author};
    let store = super::open_existing(setup)?;
    let b = resolve_id(&store, &a.id)?;
    let author = Author {
        advisor: setup.config.conseiller.nom.clone(),
        structure: setup.config.conseiller.structure.clone(),
    };
    let today = chrono::Local::now().date_naive();
    let now = chrono::Utc::now();
    let err = |e: synthese::SynthesisError| match e {
        synthese::SynthesisError::Store(e) => Failure::from(e),
        other => Failure::runtime(other.to_string()),
    };
    super::audit(
        &store,
        AuditAction::Export,
        Some(b.id),
        &format!("synthèse du parcours ({})", format_label(a.format)),
    )?;
    match &a.sortie {
        Some(path) => {
            let path = synthese::write(&store, b.id, a.format, &author, Some(path), today, now)
                .map_err(err)?;
            out::println(&format!(
                "Synthèse écrite : {} (lisible par vous seul)",
                path.display()
            ))
        }
        None => {
            let doc = synthese::load(&store, b.id, &author, today, now).map_err(err)?;
            out::print(&crate::transfer::document::render(&doc, a.format))
        }
    }
}
