//! Store errors and the one mapping from store / file-system failures to
//! French messages with the right advice per cause.
//!
//! Messages are for the advisor: they say what happened and what to do.
//! They never contain personal data (only ids, kinds, versions and paths)
//! and never a library's internals: those go to the log (see
//! [`StoreError::log_detail`]).

use super::kind::RecordKind;
use crate::domain::Id;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a file-system operation failed, as far as the advice goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoCause {
    /// Permission denied (read-only directory, another user's files…).
    Permission,
    /// No space left on the device (or quota exceeded).
    DiskFull,
    /// The file system is mounted read-only.
    ReadOnlyFs,
    /// A regular file stands where a directory is expected.
    NotADirectory,
    /// The file or directory does not exist.
    NotFound,
    /// Anything else (hardware error, too many open files…).
    Other,
}

impl IoCause {
    pub fn of(e: &io::Error) -> IoCause {
        match e.raw_os_error() {
            Some(libc::ENOSPC) | Some(libc::EDQUOT) => return IoCause::DiskFull,
            Some(libc::EROFS) => return IoCause::ReadOnlyFs,
            Some(libc::ENOTDIR) | Some(libc::EEXIST) => return IoCause::NotADirectory,
            Some(libc::EACCES) | Some(libc::EPERM) => return IoCause::Permission,
            Some(libc::ENOENT) => return IoCause::NotFound,
            _ => {}
        }
        match e.kind() {
            io::ErrorKind::PermissionDenied => IoCause::Permission,
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => IoCause::DiskFull,
            io::ErrorKind::ReadOnlyFilesystem => IoCause::ReadOnlyFs,
            io::ErrorKind::NotADirectory => IoCause::NotADirectory,
            io::ErrorKind::NotFound => IoCause::NotFound,
            _ => IoCause::Other,
        }
    }

    /// What happened, in French (no advice).
    pub fn what(self) -> &'static str {
        match self {
            IoCause::Permission => "accès refusé",
            IoCause::DiskFull => "disque plein",
            IoCause::ReadOnlyFs => "disque en lecture seule",
            IoCause::NotADirectory => "ce n'est pas un dossier",
            IoCause::NotFound => "fichier ou dossier introuvable",
            IoCause::Other => "erreur d'entrée-sortie",
        }
    }

    /// What to do about it, in French.
    pub fn advice(self) -> &'static str {
        match self {
            IoCause::Permission => {
                "vérifiez les droits d'accès du dossier (il doit appartenir à votre compte \
                 et être modifiable)"
            }
            IoCause::DiskFull => {
                "libérez de la place sur le disque puis recommencez ; ce qui était déjà \
                 enregistré est intact"
            }
            IoCause::ReadOnlyFs => {
                "le disque ou la clé est en lecture seule : choisissez un dossier de données \
                 modifiable (--data-dir)"
            }
            IoCause::NotADirectory => {
                "le chemin désigne un fichier là où un dossier est attendu : indiquez un dossier \
                 (--data-dir pour le dossier des données) ou déplacez ce fichier"
            }
            IoCause::NotFound => "vérifiez le chemin (--data-dir)",
            IoCause::Other => {
                "réessayez ; si l'erreur se répète, le disque est peut-être défaillant : \
                 le détail est dans le journal technique"
            }
        }
    }
}

/// A French verb phrase for what was being done: « créer », « écrire »…
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoAction {
    Create,
    Open,
    Read,
    Write,
    Rename,
    Remove,
}

impl IoAction {
    /// « de créer », « d'ouvrir »…: the infinitive after « Impossible ».
    fn after_de(self) -> &'static str {
        match self {
            IoAction::Create => "de créer",
            IoAction::Open => "d'ouvrir",
            IoAction::Read => "de lire",
            IoAction::Write => "d'écrire",
            IoAction::Rename => "de renommer",
            IoAction::Remove => "de supprimer",
        }
    }
}

/// What is wrong with a store that is refused at open (or reported by
/// `verifier`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Damage {
    /// The store holds fewer changes than its manifest says were durable:
    /// sled silently lost the end of its files.
    Behind {
        store_generation: u64,
        manifest_generation: u64,
        /// How many records of each kind are missing.
        missing: Vec<(RecordKind, u64)>,
    },
    /// The store directory or one of its files has disappeared.
    MissingFiles { what: String },
    /// The manifest (`base.etat`) is missing or unreadable.
    Manifest { what: String },
    /// The manifest belongs to another store.
    OtherStore,
    /// sled could not read its own files (checksum, configuration…).
    Unreadable { what: String },
}

impl Damage {
    /// Whether `verifier --reparer` can accept the store as it is (not
    /// when its files are gone: only a backup can help then).
    pub fn can_be_accepted(&self) -> bool {
        !matches!(self, Damage::MissingFiles { .. })
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::Behind {
                store_generation,
                manifest_generation,
                missing,
            } => {
                write!(
                    f,
                    "la base a perdu des modifications enregistrées (elle en est à la \
                     modification n° {store_generation}, son fichier d'état à la n° \
                     {manifest_generation})"
                )?;
                if !missing.is_empty() {
                    let parts: Vec<String> = missing.iter().map(|(k, n)| k.count(*n)).collect();
                    write!(f, " ; manquent : {}", parts.join(", "))?;
                }
                Ok(())
            }
            Damage::MissingFiles { what } => write!(f, "{what}"),
            Damage::Manifest { what } => write!(f, "{what}"),
            Damage::OtherStore => write!(
                f,
                "le fichier d'état base.etat appartient à une autre base (dossier copié ou \
                 remplacé à la main)"
            ),
            Damage::Unreadable { what } => write!(f, "{what}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (another Passerelle) holds the data directory.
    #[error(
        "Le dossier de données {} est déjà ouvert par une autre instance de Passerelle. \
         Fermez-la puis réessayez.",
        data_dir(path).display()
    )]
    Locked { path: PathBuf },

    /// A command that only reads found no store.
    #[error(
        "Aucune base dans {} : vérifiez le dossier des données (--data-dir, \
         PASSERELLE_DATA_DIR ou la configuration).",
        data_dir(path).display()
    )]
    Missing { path: PathBuf },

    /// A file-system operation failed.
    #[error("Impossible {} {} : {}. Que faire : {}.", action.after_de(), path.display(), cause.what(), cause.advice())]
    Io {
        action: IoAction,
        path: PathBuf,
        cause: IoCause,
        #[source]
        source: io::Error,
    },

    /// The store is damaged: refused at open, never opened half.
    #[error(
        "La base de {} est endommagée : {damage}. Rien n'a été modifié. \
         Que faire : « passerelle verifier » pour le détail, « passerelle restaurer » pour \
         revenir à la dernière sauvegarde (la base actuelle est mise de côté){}.",
        data_dir(path).display(),
        if damage.can_be_accepted() {
            ", ou « passerelle verifier --reparer » pour accepter l'état actuel"
        } else {
            ""
        }
    )]
    Damaged { path: PathBuf, damage: Damage },

    /// The store as a whole was written by a newer Passerelle.
    #[error(
        "Les données de {} ont été écrites par une version plus récente de Passerelle \
         (format {found}, cette version lit jusqu'au format {supported}). \
         Mettez Passerelle à jour ; les données n'ont pas été modifiées.",
        data_dir(path).display()
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
         Lancez « passerelle verifier »."
    )]
    Corrupt { kind: RecordKind, detail: String },

    #[error(
        "Un enregistrement ({kind}) est illisible. Lancez « passerelle verifier » ; \
         « passerelle restaurer » revient à la dernière sauvegarde."
    )]
    Decode {
        kind: RecordKind,
        #[source]
        source: bincode::Error,
    },

    #[error("Impossible d'encoder l'enregistrement ({kind}).")]
    Encode {
        kind: RecordKind,
        #[source]
        source: bincode::Error,
    },

    #[error("{} introuvable (identifiant {}).", capitalize(kind.label()), id.short())]
    NotFound { kind: RecordKind, id: Id },

    /// A failure inside the database while working (not at open).
    #[error("Erreur de la base de données : {}. Que faire : {}.", cause.what(), cause.advice())]
    Sled {
        cause: IoCause,
        #[source]
        source: sled::Error,
    },

    /// The store is encrypted and was not unlocked.
    #[error(
        "La base est chiffrée : indiquez la phrase secrète (PASSERELLE_PHRASE_SECRETE, \
         --phrase-secrete-fichier FICHIER, ou au clavier dans un terminal)."
    )]
    KeyRequired,

    /// The passphrase does not open the store's key. Nothing was written.
    #[error("Phrase secrète incorrecte : la base n'a pas été ouverte et rien n'a été modifié.")]
    WrongPassphrase,

    /// A backup file that cannot be used.
    #[error("Sauvegarde {} inutilisable : {reason}.", path.display())]
    BadBackup { path: PathBuf, reason: String },
}

impl From<sled::Error> for StoreError {
    fn from(source: sled::Error) -> StoreError {
        let cause = match &source {
            sled::Error::Io(e) => IoCause::of(e),
            _ => IoCause::Other,
        };
        tracing::error!("sled: {source:?}");
        StoreError::Sled { cause, source }
    }
}

impl StoreError {
    /// True when the data directory is held by another process.
    pub fn is_locked(&self) -> bool {
        matches!(self, StoreError::Locked { .. })
    }

    /// A file-system failure at `path`.
    pub fn io(action: IoAction, path: &Path, source: io::Error) -> StoreError {
        let cause = IoCause::of(&source);
        tracing::error!("{action:?} {}: {source}", path.display());
        StoreError::Io {
            action,
            path: path.to_path_buf(),
            cause,
            source,
        }
    }

    /// The same error about the store directory `dir` (an error found on
    /// a scratch copy is reported about the store it copies).
    pub fn at(self, dir: &Path) -> StoreError {
        let path = dir.to_path_buf();
        match self {
            StoreError::Damaged { damage, .. } => StoreError::Damaged { path, damage },
            StoreError::Locked { .. } => StoreError::Locked { path },
            StoreError::Missing { .. } => StoreError::Missing { path },
            StoreError::NewerStore {
                found, supported, ..
            } => StoreError::NewerStore {
                path,
                found,
                supported,
            },
            other => other,
        }
    }

    /// Why one record cannot be read, in a few French words (for the
    /// lines of `verifier`'s report, which carries the advice itself).
    pub fn record_problem(&self) -> String {
        match self {
            StoreError::Decode { .. } => "contenu endommagé".into(),
            StoreError::Corrupt { detail, .. } => detail.clone(),
            StoreError::UnknownVersion {
                found, supported, ..
            } if found > supported => {
                format!("écrit par une version plus récente de Passerelle (version {found})")
            }
            StoreError::UnknownVersion { found, .. } => format!("version inconnue ({found})"),
            StoreError::UnsupportedFlags { .. } => {
                "chiffré, ou option inconnue de cette version".into()
            }
            other => other.to_string(),
        }
    }

    /// The cause of an I/O-like failure, if this is one.
    pub fn io_cause(&self) -> Option<IoCause> {
        match self {
            StoreError::Io { cause, .. } | StoreError::Sled { cause, .. } => Some(*cause),
            _ => None,
        }
    }

    /// Technical detail for the log file (never shown on screen).
    pub fn log_detail(&self) -> String {
        use std::error::Error;
        let mut s = format!("{self:?}");
        let mut src = self.source();
        while let Some(e) = src {
            s.push_str(&format!(" <- {e}"));
            src = e.source();
        }
        s
    }
}

/// The data directory of a store directory (`DATA/base` → `DATA`), for
/// messages that speak of the data directory.
fn data_dir(store_dir: &Path) -> &Path {
    match store_dir.file_name() {
        Some(n) if n == "base" => store_dir.parent().unwrap_or(store_dir),
        _ => store_dir,
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
             les données sont peut-être endommagées. Lancez « passerelle verifier »."
        )
    }
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_give_their_own_advice() {
        let cases = [
            (libc::ENOSPC, IoCause::DiskFull, "libérez de la place"),
            (libc::EACCES, IoCause::Permission, "droits d'accès"),
            (libc::EROFS, IoCause::ReadOnlyFs, "lecture seule"),
            (libc::ENOTDIR, IoCause::NotADirectory, "désigne un fichier"),
        ];
        for (errno, cause, advice) in cases {
            let e = StoreError::io(
                IoAction::Write,
                Path::new("/d/base"),
                io::Error::from_raw_os_error(errno),
            );
            assert_eq!(e.io_cause(), Some(cause));
            let msg = e.to_string();
            assert!(msg.contains(advice), "{msg}");
            assert!(!msg.contains("os error"), "no library internals: {msg}");
            assert!(!msg.contains("restaurez"), "{msg}");
            assert!(msg.starts_with("Impossible d'écrire /d/base : "), "{msg}");
        }
    }

    #[test]
    fn store_level_messages_name_the_data_directory() {
        let e = StoreError::Missing {
            path: PathBuf::from("/srv/donnees/base"),
        };
        assert!(e.to_string().contains("/srv/donnees "), "{e}");
        let e = StoreError::Damaged {
            path: PathBuf::from("/srv/donnees/base"),
            damage: Damage::Behind {
                store_generation: 10,
                manifest_generation: 12,
                missing: vec![(RecordKind::Beneficiary, 23), (RecordKind::Interview, 1)],
            },
        };
        let msg = e.to_string();
        assert!(
            msg.contains("manquent : 23 dossiers, 1 entretien. Rien")
                && msg.contains("passerelle restaurer"),
            "{msg}"
        );
    }
}
