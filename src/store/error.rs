//! Store errors. Messages are in French and meant for the advisor: they say
//! what happened and what to do. They never contain personal data (only ids,
//! kinds, versions and paths).

use super::kind::RecordKind;
use crate::domain::Id;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (another Passerelle) holds the data directory.
    #[error(
        "Le dossier de données {} est déjà ouvert par une autre instance de Passerelle. \
         Fermez-la puis réessayez.",
        path.display()
    )]
    Locked { path: PathBuf },

    #[error(
        "Impossible de créer le dossier de données {} : {source}. \
         Vérifiez le chemin et les droits d'accès.",
        path.display()
    )]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "Impossible d'ouvrir les données de {} : {source}. \
         Les fichiers sont peut-être endommagés : restaurez une sauvegarde \
         ou contactez le support (ne supprimez rien).",
        path.display()
    )]
    Open {
        path: PathBuf,
        #[source]
        source: sled::Error,
    },

    /// The store as a whole was written by a newer Passerelle.
    #[error(
        "Les données de {} ont été écrites par une version plus récente de Passerelle \
         (format {found}, cette version lit jusqu'au format {supported}). \
         Mettez Passerelle à jour ; les données n'ont pas été modifiées.",
        path.display()
    )]
    NewerStore {
        path: PathBuf,
        found: u16,
        supported: u16,
    },

    /// A record's envelope carries a version this build cannot read.
    #[error("{}", unknown_version(*kind, *found, *supported))]
    UnknownVersion {
        kind: RecordKind,
        found: u16,
        supported: u16,
    },

    /// The flags byte says the payload is encrypted, or holds bits this
    /// version does not know.
    #[error(
        "Un enregistrement ({kind}) est chiffré ou utilise une option inconnue \
         (indicateurs {flags:#04x}) : cette version de Passerelle ne sait pas le lire. \
         Mettez Passerelle à jour."
    )]
    UnsupportedFlags { kind: RecordKind, flags: u8 },

    /// The bytes do not form a valid envelope (too short…).
    #[error(
        "Un enregistrement ({kind}) est endommagé : {detail}. \
         Restaurez une sauvegarde ou contactez le support."
    )]
    Corrupt { kind: RecordKind, detail: String },

    #[error(
        "Un enregistrement ({kind}) est illisible : {source}. \
         Restaurez une sauvegarde ou contactez le support."
    )]
    Decode {
        kind: RecordKind,
        #[source]
        source: bincode::Error,
    },

    #[error("Impossible d'encoder l'enregistrement ({kind}) : {source}.")]
    Encode {
        kind: RecordKind,
        #[source]
        source: bincode::Error,
    },

    #[error("{} introuvable (identifiant {id}).", capitalize(kind.label()))]
    NotFound { kind: RecordKind, id: Id },

    #[error(
        "Erreur de la base de données : {0}. \
         Si elle se répète, fermez Passerelle et restaurez une sauvegarde."
    )]
    Sled(#[from] sled::Error),
}

impl StoreError {
    /// True when the data directory is held by another process; the binary
    /// exits with code 2 in that case.
    pub fn is_locked(&self) -> bool {
        matches!(self, StoreError::Locked { .. })
    }
}

fn unknown_version(kind: RecordKind, found: u16, supported: u16) -> String {
    if found > supported {
        format!(
            "Un enregistrement ({kind}) a été écrit par une version plus récente de Passerelle \
             (version {found}, cette version lit jusqu'à la version {supported}). \
             Mettez Passerelle à jour."
        )
    } else {
        format!(
            "Un enregistrement ({kind}) porte une version inconnue ({found}) : \
             les données sont peut-être endommagées. \
             Restaurez une sauvegarde ou contactez le support."
        )
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
