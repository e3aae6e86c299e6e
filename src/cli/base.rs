//! `passerelle verifier`, `sauvegarde`, `restaurer`, `compacter`: the
//! store's health and its backups.

use super::{local_stamp, out, Failure, Setup};
use crate::store::audit::AuditAction;
use crate::store::backup::{self, BackupInfo};
use crate::store::check;
use crate::store::{OpenMode, Store, StoreError, LOCK_WAIT};
use clap::Args;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct VerifierArgs {
    /// Accepte l'état actuel : reconstruit les index et les compteurs, réécrit le fichier
    /// d'état (les enregistrements illisibles restent signalés)
    #[arg(long)]
    pub reparer: bool,
}

#[derive(Debug, Args)]
pub struct RestaurerArgs {
    /// Sauvegarde à restaurer (chemin, ou nom dans le dossier des sauvegardes) ; sans elle,
    /// la liste est affichée et la plus récente est proposée
    #[arg(value_name = "FICHIER")]
    pub fichier: Option<PathBuf>,
    /// Restaure sans demander de confirmation (scripts)
    #[arg(long)]
    pub oui: bool,
}

/// `50 dossiers, 120 entretiens, …` from per-tree counts.
pub fn counts_line(counts: &BTreeMap<String, u64>) -> String {
    crate::store::counted_kinds()
        .iter()
        .map(|(name, kind)| kind.count(counts.get(*name).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// « s » for a French plural (0 and 1 are singular).
fn plural_s(n: usize) -> &'static str {
    if n > 1 {
        "s"
    } else {
        ""
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 10 * 1024 * 1024 {
        format!("{} Mo", bytes / (1024 * 1024))
    } else if bytes >= 1024 {
        format!("{} Ko", bytes.div_ceil(1024))
    } else {
        format!("{bytes} octets")
    }
}

pub fn verifier(a: VerifierArgs, setup: &Setup) -> Result<(), Failure> {
    let dir = Store::dir_in(&setup.data_dir);
    let mode = if a.reparer {
        OpenMode::Repair
    } else {
        OpenMode::Check
    };
    let store = match Store::open_with(&dir, mode, LOCK_WAIT) {
        Ok(s) => s,
        Err(e @ (StoreError::Damaged { .. } | StoreError::NewerStore { .. })) => {
            // sled itself cannot read the files: that is the report.
            tracing::error!("verifier: {}", e.log_detail());
            out::println(&format!("Base de {} :", setup.data_dir.display()))?;
            out::println(&format!("  - {e}"))?;
            let what = if a.reparer {
                "la base est trop endommagée pour être réparée : restaurez une sauvegarde \
                 (« passerelle restaurer »)"
            } else {
                "la base est endommagée (voir ci-dessus)"
            };
            return Err(Failure::runtime(what));
        }
        Err(e) => return Err(Failure::store_unusable(e)),
    };
    // The check reads every record: an encrypted store is unlocked first.
    super::secret::unlock(&store)?;
    if a.reparer {
        let r = check::repair(&store)?;
        let mut text = format!(
            "Réparation : la base est acceptée telle qu'elle est ({}).\n",
            counts_line(&r.counts)
        );
        if r.lost.is_empty() {
            text.push_str("Aucun enregistrement perdu par rapport au fichier d'état.\n");
        } else {
            let parts: Vec<String> = r.lost.iter().map(|(k, n)| k.count(*n)).collect();
            text.push_str(&format!(
                "Perdus par rapport au dernier état enregistré, et abandonnés : {}. \
                 Une sauvegarde (« passerelle restaurer ») peut encore les contenir.\n",
                parts.join(", ")
            ));
        }
        text.push_str(&format!(
            "{} entrée{} d'index ajoutée{}, {} retirée{}, {} compteur{} corrigé{} ; le fichier \
             d'état décrit maintenant la base telle qu'elle est.\n",
            r.index_entries_added,
            plural_s(r.index_entries_added),
            plural_s(r.index_entries_added),
            r.index_entries_removed,
            plural_s(r.index_entries_removed),
            r.counters_fixed,
            plural_s(r.counters_fixed),
            plural_s(r.counters_fixed),
        ));
        if r.index_removed {
            text.push_str(
                "Index de recherche du référentiel ROME endommagé retiré : la recherche le \
                 reconstruit à partir des lignes du référentiel (réimportez le référentiel pour \
                 le retrouver).\n",
            );
        }
        out::print(&text)?;
        drop(store);
        return verifier(VerifierArgs { reparer: false }, setup);
    }
    let report = check::check(&store)?;
    let mut text = format!(
        "Base de {} (modification n° {}) :\n  {}\n",
        setup.data_dir.display(),
        store.generation()?,
        counts_line(&report.counts)
    );
    if report.is_sound() {
        text.push_str("Aucun problème trouvé.\n");
        return out::print(&text);
    }
    let n = report.problems.len();
    text.push_str(&format!(
        "{n} problème{s} trouvé{s} :\n",
        s = if n > 1 { "s" } else { "" }
    ));
    for p in &report.problems {
        text.push_str(&format!("  - {p}\n"));
    }
    text.push_str(
        "Que faire : « passerelle restaurer » revient à la dernière sauvegarde (la base \
         actuelle est mise de côté) ; « passerelle verifier --reparer » accepte l'état actuel.\n",
    );
    out::print(&text)?;
    Err(Failure::runtime(format!(
        "{n} problème{} dans la base",
        if n > 1 { "s" } else { "" }
    )))
}

fn describe(b: &BackupInfo) -> String {
    format!(
        "{}  {}  {} dossier{}  {}  {}",
        b.header.created,
        b.header.reason,
        b.files(),
        if b.files() > 1 { "s" } else { "" },
        human_size(b.size),
        b.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    )
}

pub fn sauvegarde(setup: &Setup) -> Result<(), Failure> {
    let store = super::open_existing_locked(setup)?;
    let b = store.backup(backup::MANUAL, local_stamp())?;
    out::println(&format!(
        "Sauvegarde écrite : {}\n  {} ({}). Elle contient des données personnelles : gardez-la \
         sur un support chiffré.",
        b.path.display(),
        counts_line(&b.header.counts),
        human_size(b.size)
    ))
}

fn resolve_backup(given: &Path, dir: &Path) -> PathBuf {
    if given.exists() || given.components().count() > 1 {
        given.to_path_buf()
    } else {
        dir.join(given)
    }
}

pub fn restaurer(a: RestaurerArgs, setup: &Setup) -> Result<(), Failure> {
    let paths = crate::store::files::StorePaths::new(&Store::dir_in(&setup.data_dir));
    if !setup.data_dir.is_dir() {
        return Err(Failure::usage(format!(
            "aucun dossier de données {} : rien à restaurer",
            setup.data_dir.display()
        )));
    }
    let dir = paths.backups();
    let chosen = match &a.fichier {
        Some(f) => backup::info(&resolve_backup(f, &dir))?,
        None => {
            let (all, unreadable) = backup::list(&dir)?;
            for (p, why) in &unreadable {
                out::warn(&format!("  (illisible) {} : {why}", p.display()));
            }
            if all.is_empty() {
                return Err(Failure::usage(format!(
                    "aucune sauvegarde dans {}",
                    dir.display()
                )));
            }
            let mut list = format!(
                "Sauvegardes dans {} (la plus récente d'abord) :\n",
                dir.display()
            );
            for (i, b) in all.iter().enumerate() {
                list.push_str(&format!("  {}. {}\n", i + 1, describe(b)));
            }
            out::print(&list)?;
            if a.oui {
                all[0].clone()
            } else if !std::io::stdin().is_terminal() {
                return Err(Failure::usage(
                    "restauration refusée : choix impossible (l'entrée n'est pas un terminal). \
                     Indiquez le FICHIER, ou --oui pour la plus récente.",
                ));
            } else {
                let answer = out::ask("Numéro de la sauvegarde à restaurer [1] : ")?;
                let n: usize = if answer.is_empty() {
                    1
                } else {
                    answer.parse().map_err(|_| {
                        Failure::usage(format!("« {answer} » n'est pas un numéro de la liste"))
                    })?
                };
                all.get(n.wrapping_sub(1)).cloned().ok_or_else(|| {
                    Failure::usage(format!("pas de sauvegarde n° {n} dans la liste"))
                })?
            }
        }
    };
    if !a.oui {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::usage(
                "restauration refusée : confirmation impossible (l'entrée n'est pas un \
                 terminal). Ajoutez --oui.",
            ));
        }
        let answer = out::ask(&format!(
            "Restaurer la sauvegarde du {} ({}) ? La base actuelle sera mise de côté, pas \
             effacée. (oui/non) ",
            chosen.header.created,
            counts_line(&chosen.header.counts)
        ))?;
        if !out::is_yes(&answer) {
            return out::println("Restauration annulée : rien n'a été modifié.");
        }
    }
    // Persons erased since the backup are erased again: in an encrypted
    // store that needs the passphrase.
    let encrypted = Store::open_with(&paths.dir, OpenMode::Check, LOCK_WAIT)
        .ok()
        .is_some_and(|s| s.protection().ok() == Some(crate::store::Protection::Encrypted));
    let secret = if encrypted {
        Some(super::secret::obtain("Phrase secrète de la base : ")?)
    } else {
        None
    };
    let r = backup::restore(&chosen.path, &paths, local_stamp(), secret.as_ref())?;
    audit_restore(
        setup,
        &r.restored.header.created.to_string(),
        secret.as_ref(),
    )?;
    let mut text = format!(
        "Sauvegarde du {} restaurée : {}.\n",
        r.restored.header.created,
        counts_line(&r.restored.header.counts)
    );
    if let Some(p) = &r.set_aside {
        text.push_str(&format!(
            "La base qui était en place est gardée dans {} : supprimez-la quand vous n'en avez \
             plus besoin (elle contient des données personnelles).\n",
            p.display()
        ));
    }
    if r.pending_erasures > 0 {
        text.push_str(&format!(
            "{} personne(s) effacée(s) depuis cette sauvegarde y figure(nt) encore : relancez \
             Passerelle avec la phrase secrète pour les effacer à nouveau.\n",
            r.pending_erasures
        ));
    }
    if r.erased_again > 0 {
        text.push_str(&format!(
            "{} personne{} effacée{} depuis cette sauvegarde l'{} été à nouveau.\n",
            r.erased_again,
            if r.erased_again > 1 { "s" } else { "" },
            if r.erased_again > 1 { "s" } else { "" },
            if r.erased_again > 1 { "ont" } else { "a" },
        ));
    }
    out::print(&text)
}

/// Records the restore in the audit log of the restored store (which
/// holds the log as it was at the backup, plus this event).
fn audit_restore(
    setup: &Setup,
    created: &str,
    secret: Option<&crate::store::crypto::Secret>,
) -> Result<(), Failure> {
    let store = super::open_existing_locked(setup)?;
    if store.is_locked() {
        match secret {
            Some(s) => store.unlock(s).map_err(Failure::from)?,
            // A restored encrypted store over a clear one: the event waits
            // for the passphrase, which this command did not ask for.
            None => return Ok(()),
        }
    }
    super::audit(
        &store,
        AuditAction::Restore,
        None,
        &format!("sauvegarde du {created} restaurée"),
    )
}

pub fn compacter(setup: &Setup) -> Result<(), Failure> {
    let store = super::open_existing_locked(setup)?;
    let (_, r) = backup::compact(store)?;
    out::println(&format!(
        "Base compactée : {} → {} ({} entrées réécrites).",
        human_size(r.bytes_before),
        human_size(r.bytes_after),
        r.entries
    ))
}

#[derive(Debug, clap::Subcommand)]
pub enum PhraseCmd {
    /// Remplace la phrase secrète (l'ancienne, puis la nouvelle deux fois ; ou
    /// PASSERELLE_PHRASE_SECRETE et PASSERELLE_NOUVELLE_PHRASE_SECRETE)
    Changer,
}

/// `passerelle init`: creates an encrypted store, or encrypts the clear
/// store in place (a store from before encryption: its records are
/// rewritten encrypted, clear backups too).
pub fn init(setup: &Setup) -> Result<(), Failure> {
    crate::store::files::prepare_data_dir(&setup.data_dir).map_err(Failure::store_unusable)?;
    let store = Store::open(&Store::dir_in(&setup.data_dir)).map_err(Failure::store_unusable)?;
    match store.protection()? {
        crate::store::Protection::Encrypted => {
            return Err(Failure::usage(format!(
                "la base de {} est déjà chiffrée (pour changer de phrase secrète : « passerelle \
                 phrase-secrete changer »)",
                setup.data_dir.display()
            )))
        }
        crate::store::Protection::Demo => {
            return Err(Failure::usage(
                "c'est une base de démonstration (fictive, non chiffrée) : créez la base réelle \
                 dans un autre dossier de données",
            ))
        }
        crate::store::Protection::Clear => {}
    }
    let had_records = store.counts()?.values().any(|n| *n > 0);
    let secret = super::secret::obtain_new(true)?;
    let store = store
        .encrypt(&secret, local_stamp())
        .map_err(Failure::from)?;
    let n = store.beneficiary_count()?;
    store.set_advisor(&setup.config.conseiller.nom);
    super::audit(
        &store,
        AuditAction::Encryption,
        None,
        &if had_records {
            format!(
                "base existante chiffrée ({})",
                crate::store::RecordKind::Beneficiary.count(n as u64)
            )
        } else {
            "base créée chiffrée".to_string()
        },
    )?;
    out::println(&if had_records {
        format!(
            "Base de {} chiffrée ({}) : tout est réécrit chiffré, les anciennes pages effacées, \
             les sauvegardes chiffrées. Gardez la phrase secrète en lieu sûr : sans elle, les \
             données sont perdues.",
            setup.data_dir.display(),
            crate::store::RecordKind::Beneficiary.count(n as u64),
        )
    } else {
        format!(
            "Base chiffrée créée dans {}. Gardez la phrase secrète en lieu sûr : sans elle, les \
             données sont perdues.",
            setup.data_dir.display()
        )
    })
}

pub fn phrase(cmd: PhraseCmd, setup: &Setup) -> Result<(), Failure> {
    match cmd {
        PhraseCmd::Changer => {
            let store = super::open_existing_locked(setup)?;
            if store.protection()? != crate::store::Protection::Encrypted {
                return Err(Failure::usage(
                    "la base n'est pas chiffrée : « passerelle init » la chiffre",
                ));
            }
            let old = super::secret::obtain("Phrase secrète actuelle : ")?;
            let new = super::secret::obtain_new(false)?;
            store.change_passphrase(&old, &new).map_err(|e| match e {
                StoreError::WrongPassphrase => Failure::usage(e.to_string()),
                other => Failure::from(other),
            })?;
            tracing::info!("passphrase changed");
            // The event is written under the new passphrase (one more
            // derivation: the old key is not kept).
            store.unlock(&new).map_err(Failure::from)?;
            super::audit(
                &store,
                AuditAction::PassphraseChange,
                None,
                "phrase secrète changée",
            )?;
            out::println(
                "Phrase secrète changée : l'ancienne n'ouvre plus la base (les sauvegardes \
                 faites avant s'ouvrent avec celle qui était en vigueur, ou la nouvelle une fois \
                 restaurées ici).",
            )
        }
    }
}
