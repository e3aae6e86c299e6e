//! Backups, restore and compaction: everything that copies a whole store.
//!
//! A **backup** is a gzip-compressed logical copy of every tree
//! (`DATA/sauvegardes/AAAAMMJJ-HHMMSS-raison.sauvegarde`, mode 0600), with
//! a small header (store id, generation, counts) readable without
//! decompressing the rest. gzip's CRC and an entry count at the end catch
//! a damaged or truncated file.
//!
//! **Restore** and **compaction** build a complete new store beside the
//! current one (`DATA/base.nouvelle`), then swap it in with the crash-safe
//! [`files::swap_in`]: at every moment there is a complete store on disk.
//! Compaction rewrites only the live data, so pages that sled kept after
//! an erasure are gone once the old files are deleted.

use super::error::{IoAction, StoreError};
use super::files::{self, Aside, StorePaths};
use super::manifest::Manifest;
use super::{manifest_of_db, open_db, OpenMode, Store, LOCK_WAIT};
use crate::domain::Id;
use chrono::NaiveDateTime;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"PASSERELLE-SAUVEGARDE\n";
const BACKUP_VERSION: u16 = 1;
/// File name extension of backups.
pub const EXTENSION: &str = "sauvegarde";
/// The reason of backups made on demand: they are never rotated away.
pub const MANUAL: &str = "manuelle";
/// Largest key or value accepted from a backup file.
const MAX_ENTRY: u32 = 256 * 1024 * 1024;

const TAG_END: u8 = 0;
const TAG_TREE: u8 = 1;
const TAG_ENTRY: u8 = 2;

/// What a backup holds, from its header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupHeader {
    pub store_id: String,
    pub generation: u64,
    pub format: u16,
    /// Local date and time of the backup, `AAAA-MM-JJ HH:MM:SS`.
    pub created: String,
    /// Why it was made: `quotidienne`, `manuelle`, `avant-import`…
    pub reason: String,
    pub counts: BTreeMap<String, u64>,
}

/// A backup file and its header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub header: BackupHeader,
    pub size: u64,
}

impl BackupInfo {
    /// Number of files (dossiers) in the backup.
    pub fn files(&self) -> u64 {
        self.header
            .counts
            .get("beneficiaries")
            .copied()
            .unwrap_or(0)
    }
    pub fn is_manual(&self) -> bool {
        self.header.reason == MANUAL
    }
}

fn bad(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::BadBackup {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Writes a backup of `db` into `dir` (created 0700 if needed); `stamp` is
/// the local time of the backup. Returns what was written, once durable.
pub fn create(
    db: &sled::Db,
    dir: &Path,
    reason: &str,
    stamp: NaiveDateTime,
) -> Result<BackupInfo, StoreError> {
    files::ensure_private_dir(dir)?;
    let m = manifest_of_db(db)?;
    let header = BackupHeader {
        store_id: m.store_id.to_string(),
        generation: m.generation,
        format: m.format,
        created: stamp.format("%Y-%m-%d %H:%M:%S").to_string(),
        reason: reason.to_string(),
        counts: m.counts,
    };
    let base = format!("{}-{reason}", stamp.format("%Y%m%d-%H%M%S"));
    let mut path = dir.join(format!("{base}.{EXTENSION}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.{EXTENSION}"));
        n += 1;
    }
    let tmp = path.with_extension("tmp");
    let result = (|| {
        let file = files::create_private_file(&tmp)?;
        let werr = |e: std::io::Error| StoreError::io(IoAction::Write, &tmp, e);
        let mut gz = GzEncoder::new(BufWriter::new(file), Compression::default());
        gz.write_all(MAGIC).map_err(werr)?;
        gz.write_all(&BACKUP_VERSION.to_be_bytes()).map_err(werr)?;
        let h = serde_json::to_vec(&header).map_err(|e| bad(&path, e.to_string()))?;
        gz.write_all(&(h.len() as u32).to_be_bytes())
            .map_err(werr)?;
        gz.write_all(&h).map_err(werr)?;
        let mut entries: u64 = 0;
        for name in db.tree_names() {
            let tree = db.open_tree(&name)?;
            gz.write_all(&[TAG_TREE]).map_err(werr)?;
            write_chunk(&mut gz, &name).map_err(werr)?;
            for kv in tree.iter() {
                let (k, v) = kv?;
                gz.write_all(&[TAG_ENTRY]).map_err(werr)?;
                write_chunk(&mut gz, &k).map_err(werr)?;
                write_chunk(&mut gz, &v).map_err(werr)?;
                entries += 1;
            }
        }
        gz.write_all(&[TAG_END]).map_err(werr)?;
        gz.write_all(&entries.to_be_bytes()).map_err(werr)?;
        let file = gz
            .finish()
            .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
            .map_err(werr)?;
        file.sync_all().map_err(werr)?;
        std::fs::rename(&tmp, &path).map_err(|e| StoreError::io(IoAction::Rename, &tmp, e))?;
        files::sync_dir(dir)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    tracing::info!("backup written: {} ({size} bytes)", path.display());
    Ok(BackupInfo { path, header, size })
}

fn write_chunk(w: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    w.write_all(&(bytes.len() as u32).to_be_bytes())?;
    w.write_all(bytes)
}

fn read_exact_or(r: &mut impl Read, buf: &mut [u8], path: &Path) -> Result<(), StoreError> {
    r.read_exact(buf)
        .map_err(|_| bad(path, "fichier tronqué ou endommagé"))
}

fn read_u32(r: &mut impl Read, path: &Path) -> Result<u32, StoreError> {
    let mut b = [0u8; 4];
    read_exact_or(r, &mut b, path)?;
    Ok(u32::from_be_bytes(b))
}

fn read_chunk(r: &mut impl Read, path: &Path) -> Result<Vec<u8>, StoreError> {
    let n = read_u32(r, path)?;
    if n > MAX_ENTRY {
        return Err(bad(path, "taille d'entrée invalide (fichier endommagé)"));
    }
    let mut v = vec![0u8; n as usize];
    read_exact_or(r, &mut v, path)?;
    Ok(v)
}

/// Opens a backup and reads its header; the reader is positioned on the
/// first tree.
fn open_reader(path: &Path) -> Result<(impl Read, BackupHeader), StoreError> {
    let file = std::fs::File::open(path).map_err(|e| StoreError::io(IoAction::Open, path, e))?;
    let mut r = GzDecoder::new(BufReader::new(file));
    let mut magic = vec![0u8; MAGIC.len()];
    r.read_exact(&mut magic)
        .map_err(|_| bad(path, "ce n'est pas une sauvegarde de Passerelle"))?;
    if magic != MAGIC {
        return Err(bad(path, "ce n'est pas une sauvegarde de Passerelle"));
    }
    let mut v = [0u8; 2];
    read_exact_or(&mut r, &mut v, path)?;
    let version = u16::from_be_bytes(v);
    if version != BACKUP_VERSION {
        return Err(bad(
            path,
            format!("version de sauvegarde {version} inconnue (mettez Passerelle à jour)"),
        ));
    }
    let h = read_chunk(&mut r, path)?;
    let header: BackupHeader =
        serde_json::from_slice(&h).map_err(|_| bad(path, "en-tête illisible"))?;
    Ok((r, header))
}

/// Reads a backup's header (and its size) without reading the rest.
pub fn info(path: &Path) -> Result<BackupInfo, StoreError> {
    let (_, header) = open_reader(path)?;
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(BackupInfo {
        path: path.to_path_buf(),
        header,
        size,
    })
}

/// Backup files that could not be read, with the reason.
pub type Unreadable = Vec<(PathBuf, String)>;

/// The backups in `dir`, newest first. Unreadable files are returned apart
/// with the reason (they are listed, never silently ignored).
pub fn list(dir: &Path) -> Result<(Vec<BackupInfo>, Unreadable), StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(StoreError::io(IoAction::Read, dir, e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == EXTENSION))
        .collect();
    // Names start with the date: reverse name order is newest first.
    paths.sort();
    paths.reverse();
    let mut good = Vec::new();
    let mut bad_files = Vec::new();
    for p in paths {
        match info(&p) {
            Ok(i) => good.push(i),
            Err(e) => bad_files.push((p, e.to_string())),
        }
    }
    Ok((good, bad_files))
}

/// Removes the oldest automatic backups so that at most `keep` remain;
/// backups made on demand are kept. Returns the removed paths.
pub fn rotate(dir: &Path, keep: usize) -> Result<Vec<PathBuf>, StoreError> {
    let (all, _) = list(dir)?;
    let mut removed = Vec::new();
    for b in all.iter().filter(|b| !b.is_manual()).skip(keep) {
        std::fs::remove_file(&b.path).map_err(|e| StoreError::io(IoAction::Remove, &b.path, e))?;
        removed.push(b.path.clone());
    }
    Ok(removed)
}

/// Builds a complete store at `paths.staging()` (removing any leftover),
/// filled by `fill`, flushed, with its manifest. Nothing is swapped.
pub(crate) fn build_staging(
    paths: &StorePaths,
    fill: impl FnOnce(&sled::Db) -> Result<(), StoreError>,
) -> Result<Manifest, StoreError> {
    let staging = paths.staging();
    let staging_manifest = files::manifest_of(&staging);
    let clear = || -> Result<(), StoreError> {
        for p in [&staging, &staging_manifest] {
            let r = if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            };
            if let Err(e) = r {
                if e.kind() != std::io::ErrorKind::NotFound {
                    return Err(StoreError::io(IoAction::Remove, p, e));
                }
            }
        }
        Ok(())
    };
    clear()?;
    let built = (|| {
        files::ensure_private_dir(&staging)?;
        let db = open_db(&staging, LOCK_WAIT)?;
        fill(&db)?;
        db.flush()?;
        let m = manifest_of_db(&db)?;
        m.write(&staging_manifest)?;
        drop(db);
        files::make_private_tree(&staging)?;
        Ok(m)
    })();
    if built.is_err() {
        // A half-built store holds personal data and nothing of use.
        if let Err(e) = clear() {
            tracing::warn!("unfinished store build left: {}", e.log_detail());
        }
    }
    built
}

/// Copies every tree of `from` into `to` (batches of 10 000 entries).
pub(crate) fn copy_trees(from: &sled::Db, to: &sled::Db, skip: &[&str]) -> Result<u64, StoreError> {
    copy_trees_with(from, to, skip, &|_, v| Ok(v.to_vec()))
}

/// A function that rewrites a value on its way to another store (or
/// backup): `(tree name, value) -> new value`.
pub(crate) type Rewrite<'a> = dyn Fn(&str, &[u8]) -> Result<Vec<u8>, StoreError> + 'a;

/// [`copy_trees`] passing every value through `rewrite` (sealing values
/// when a store becomes encrypted).
pub(crate) fn copy_trees_with(
    from: &sled::Db,
    to: &sled::Db,
    skip: &[&str],
    rewrite: &Rewrite,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for name in from.tree_names() {
        if skip.iter().any(|s| s.as_bytes() == name.as_ref()) {
            continue;
        }
        let src = from.open_tree(&name)?;
        let dst = to.open_tree(&name)?;
        let tree_name = String::from_utf8_lossy(&name).into_owned();
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for kv in src.iter() {
            let (k, v) = kv?;
            batch.insert(k, rewrite(&tree_name, &v)?);
            in_batch += 1;
            n += 1;
            if in_batch == 10_000 {
                dst.apply_batch(std::mem::take(&mut batch))?;
                in_batch = 0;
            }
        }
        dst.apply_batch(batch)?;
    }
    Ok(n)
}

/// Loads a backup file into a fresh staging store (see [`build_staging`]),
/// checking its integrity on the way (gzip CRC, entry count).
fn load_into_staging(
    backup: &Path,
    paths: &StorePaths,
    keyfile: Option<&[u8]>,
) -> Result<Manifest, StoreError> {
    let (mut r, header) = open_reader(backup)?;
    if header.format > super::legacy::current::STORE_FORMAT {
        return Err(bad(
            backup,
            format!(
                "écrite par une version plus récente de Passerelle (format {}) : mettez \
                 Passerelle à jour",
                header.format
            ),
        ));
    }
    build_staging(paths, |db| {
        let mut tree: Option<sled::Tree> = None;
        let mut entries: u64 = 0;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        loop {
            let mut tag = [0u8; 1];
            read_exact_or(&mut r, &mut tag, backup)?;
            match tag[0] {
                TAG_TREE => {
                    if let Some(t) = tree.take() {
                        t.apply_batch(std::mem::take(&mut batch))?;
                        in_batch = 0;
                    }
                    let name = read_chunk(&mut r, backup)?;
                    tree = Some(db.open_tree(name)?);
                }
                TAG_ENTRY => {
                    let k = read_chunk(&mut r, backup)?;
                    let v = read_chunk(&mut r, backup)?;
                    if tree.is_none() {
                        return Err(bad(backup, "entrée hors de toute table"));
                    }
                    batch.insert(k, v);
                    in_batch += 1;
                    entries += 1;
                    if in_batch == 10_000 {
                        if let Some(t) = &tree {
                            t.apply_batch(std::mem::take(&mut batch))?;
                        }
                        in_batch = 0;
                    }
                }
                TAG_END => {
                    if let Some(t) = tree.take() {
                        t.apply_batch(std::mem::take(&mut batch))?;
                    }
                    let mut n = [0u8; 8];
                    read_exact_or(&mut r, &mut n, backup)?;
                    if u64::from_be_bytes(n) != entries {
                        return Err(bad(backup, "nombre d'entrées incohérent"));
                    }
                    if let Some(kf) = keyfile {
                        db.open_tree(super::META_TREE)?
                            .insert(super::KEYFILE_KEY, kf)?;
                    }
                    // Reading to the end makes gzip check its CRC.
                    let mut rest = Vec::new();
                    r.read_to_end(&mut rest)
                        .map_err(|_| bad(backup, "somme de contrôle fausse (fichier endommagé)"))?;
                    if !rest.is_empty() {
                        return Err(bad(backup, "données en trop après la fin"));
                    }
                    return Ok(());
                }
                _ => return Err(bad(backup, "fichier endommagé (marqueur inconnu)")),
            }
        }
    })
}

/// What a restore did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreReport {
    pub restored: BackupInfo,
    /// Where the store that was in place went (None when there was none).
    pub set_aside: Option<PathBuf>,
    /// Persons erased since the backup, erased again in the restored store.
    pub erased_again: usize,
    /// Erasures that could not be replayed (encrypted store, no
    /// passphrase given): run `restaurer` again with the passphrase.
    pub pending_erasures: usize,
}

/// Restores `backup` as the store of `paths`: builds it beside the
/// current one, then swaps it in and keeps the current store aside under
/// `base.avant-restauration-<stamp>`. Works when the current store is
/// damaged or missing; refuses while another instance holds it. Persons
/// in the current store's erasure register are erased again from the
/// restored one (a restore never brings back an erased person).
pub fn restore(
    backup: &Path,
    paths: &StorePaths,
    stamp: NaiveDateTime,
    secret: Option<&super::crypto::Secret>,
) -> Result<RestoreReport, StoreError> {
    let info = info(backup)?;
    files::ensure_private_dir(paths.data_dir())?;
    files::recover_swap(paths)?;
    // The erasure register of the store in place, if it can be read
    // (opened like `verifier` does: a damaged store is read on a copy and
    // left as it is, since it is kept aside).
    let mut erased: Vec<Id> = Vec::new();
    // The wrapped key of the store in place: a backup of the same store
    // made before a passphrase change opens with today's passphrase.
    let mut keyfile: Option<Vec<u8>> = None;
    match Store::open_with(&paths.dir, OpenMode::Check, LOCK_WAIT) {
        Ok(store) => {
            if store.id().to_string() == info.header.store_id {
                keyfile = store
                    .db()
                    .open_tree(super::META_TREE)?
                    .get(super::KEYFILE_KEY)?
                    .map(|v| v.to_vec());
            }
            match store.erased_ids() {
                Ok(ids) => erased = ids,
                Err(e) => tracing::warn!("erasure register unreadable: {}", e.log_detail()),
            }
        }
        Err(e) if e.is_locked() => return Err(e),
        Err(StoreError::Missing { .. }) => {}
        Err(e) => tracing::warn!("restore over an unreadable store: {}", e.log_detail()),
    }
    load_into_staging(backup, paths, keyfile.as_deref())?;
    let set_aside = if paths.dir.exists() {
        let target = paths.set_aside("restauration", &stamp.format("%Y%m%d-%H%M%S").to_string());
        files::swap_in(paths, &Aside::Keep(target.clone()))?;
        Some(target)
    } else {
        files::swap_in(paths, &Aside::Delete)?;
        None
    };
    let mut erased_again = 0;
    let mut pending_erasures = 0;
    if !erased.is_empty() {
        let store = Store::open_fresh(&paths.dir, LOCK_WAIT)?;
        if store.is_locked() {
            match secret {
                Some(s) => store.unlock(s)?,
                None => {
                    // Erasing needs to read the records: say so, keep the
                    // register (ids only) so the next unlocked run does it.
                    store.record_erased(&erased, stamp.date())?;
                    pending_erasures = erased.len();
                    return Ok(RestoreReport {
                        restored: info,
                        set_aside,
                        erased_again,
                        pending_erasures,
                    });
                }
            }
        }
        let day = stamp.date();
        for id in &erased {
            match store.erase_beneficiary_on(*id, day) {
                Ok(_) => erased_again += 1,
                Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        store.record_erased(&erased, day)?;
        if erased_again > 0 {
            compact(store)?;
        }
    }
    Ok(RestoreReport {
        restored: info,
        set_aside,
        erased_again,
        pending_erasures,
    })
}

/// What a compaction did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompactReport {
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub entries: u64,
}

/// Total size of the files under `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_size(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// Rewrites the live data of `store` into a fresh store, swaps it in and
/// deletes the old files (crash-safe, see [`files::swap_in`]), then
/// reopens it. After an erasure, this is what removes the person's bytes
/// from the files.
pub fn compact(store: Store) -> Result<(Store, CompactReport), StoreError> {
    let paths = store.paths().clone();
    store.flush()?;
    let bytes_before = dir_size(&paths.dir);
    let mut entries = 0;
    build_staging(&paths, |db| {
        entries = copy_trees(store.db(), db, &[])?;
        Ok(())
    })?;
    drop(store);
    files::swap_in(&paths, &Aside::Delete)?;
    let store = Store::open_fresh(&paths.dir, LOCK_WAIT)?;
    let bytes_after = dir_size(&paths.dir);
    Ok((
        store,
        CompactReport {
            bytes_before,
            bytes_after,
            entries,
        },
    ))
}

impl Store {
    /// Writes a backup of this store into `DATA/sauvegardes`.
    pub fn backup(&self, reason: &str, stamp: NaiveDateTime) -> Result<BackupInfo, StoreError> {
        self.flush()?;
        create(self.db(), &self.paths().backups(), reason, stamp)
    }

    /// Adds ids to the erasure register (without erasing anything).
    pub fn record_erased(&self, ids: &[Id], day: chrono::NaiveDate) -> Result<(), StoreError> {
        use chrono::Datelike;
        let tree = self.db().open_tree("erased")?;
        for id in ids {
            tree.insert(id.0, &day.num_days_from_ce().to_be_bytes())?;
        }
        self.db().flush()?;
        Ok(())
    }
}

/// Rewrites every backup of `dir` whose records are clear so that they are
/// sealed with `key` (and carry the wrapped key `keyfile` in their meta
/// tree, so that they restore as an encrypted store): after a store is
/// encrypted, no clear copy of it stays in `sauvegardes/`. Each file is
/// rewritten beside itself then renamed over (0600).
pub(crate) fn encrypt_backups(
    dir: &Path,
    key: &super::crypto::DataKey,
    keyfile: &[u8],
) -> Result<usize, StoreError> {
    let (all, _) = list(dir)?;
    let mut n = 0;
    for b in all {
        rewrite_backup(&b.path, key, keyfile)?;
        n += 1;
    }
    Ok(n)
}

fn rewrite_backup(
    path: &Path,
    key: &super::crypto::DataKey,
    keyfile: &[u8],
) -> Result<(), StoreError> {
    let (mut r, header) = open_reader(path)?;
    let tmp = path.with_extension("tmp");
    let result = (|| {
        let file = files::create_private_file(&tmp)?;
        let werr = |e: std::io::Error| StoreError::io(IoAction::Write, &tmp, e);
        let mut gz = GzEncoder::new(BufWriter::new(file), Compression::default());
        gz.write_all(MAGIC).map_err(werr)?;
        gz.write_all(&BACKUP_VERSION.to_be_bytes()).map_err(werr)?;
        let h = serde_json::to_vec(&header).map_err(|e| bad(path, e.to_string()))?;
        gz.write_all(&(h.len() as u32).to_be_bytes())
            .map_err(werr)?;
        gz.write_all(&h).map_err(werr)?;
        let mut tree = String::new();
        let mut entries: u64 = 0;
        let mut read_entries: u64 = 0;
        // The wrapped key goes at the end of the meta tree's section.
        let end_tree =
            |gz: &mut GzEncoder<BufWriter<std::fs::File>>, tree: &str, entries: &mut u64| {
                if tree == super::META_TREE {
                    gz.write_all(&[TAG_ENTRY])?;
                    write_chunk(gz, super::KEYFILE_KEY)?;
                    write_chunk(gz, keyfile)?;
                    *entries += 1;
                }
                Ok::<(), std::io::Error>(())
            };
        loop {
            let mut tag = [0u8; 1];
            read_exact_or(&mut r, &mut tag, path)?;
            match tag[0] {
                TAG_TREE => {
                    end_tree(&mut gz, &tree, &mut entries).map_err(werr)?;
                    let name = read_chunk(&mut r, path)?;
                    tree = String::from_utf8_lossy(&name).into_owned();
                    gz.write_all(&[TAG_TREE]).map_err(werr)?;
                    write_chunk(&mut gz, &name).map_err(werr)?;
                }
                TAG_ENTRY => {
                    let k = read_chunk(&mut r, path)?;
                    let v = read_chunk(&mut r, path)?;
                    read_entries += 1;
                    let is_marker = tree == super::META_TREE
                        && (k == super::KEYFILE_KEY || k == super::DEMO_KEY);
                    if is_marker {
                        continue;
                    }
                    let v = super::seal_value(key, &tree, &v)?;
                    gz.write_all(&[TAG_ENTRY]).map_err(werr)?;
                    write_chunk(&mut gz, &k).map_err(werr)?;
                    write_chunk(&mut gz, &v).map_err(werr)?;
                    entries += 1;
                }
                TAG_END => {
                    end_tree(&mut gz, &tree, &mut entries).map_err(werr)?;
                    let mut n = [0u8; 8];
                    read_exact_or(&mut r, &mut n, path)?;
                    if u64::from_be_bytes(n) != read_entries {
                        return Err(bad(path, "nombre d'entrées incohérent"));
                    }
                    gz.write_all(&[TAG_END]).map_err(werr)?;
                    gz.write_all(&entries.to_be_bytes()).map_err(werr)?;
                    break;
                }
                _ => return Err(bad(path, "fichier endommagé (marqueur inconnu)")),
            }
        }
        let file = gz
            .finish()
            .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
            .map_err(werr)?;
        file.sync_all().map_err(werr)?;
        std::fs::rename(&tmp, path).map_err(|e| StoreError::io(IoAction::Rename, &tmp, e))?;
        files::sync_dir(path.parent().unwrap_or(Path::new(".")))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
