//! `passerelle export …`: documents made from a file. Each document is one
//! variant of [`Export`] with its own arguments and function.

use super::beneficiaires::resolve_id;
use super::{out, Failure, Setup};
use crate::transfer::document::Format;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum Export {
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

pub fn run(cmd: Export, setup: &Setup) -> Result<(), Failure> {
    match cmd {
        Export::Synthese(a) => synthese(a, setup),
    }
}

fn synthese(a: SyntheseArgs, setup: &Setup) -> Result<(), Failure> {
    use crate::transfer::synthese::{self, Author};
    let store = super::open_existing(&setup.data_dir)?;
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
