//! The files of a store and the file-system discipline around them:
//! private permissions, atomic replacement (write, fsync, rename, fsync the
//! directory) and the crash-safe swap of a whole store directory.
//!
//! Layout, for a store directory `DATA/base`:
//!
//! | path | what |
//! |---|---|
//! | `DATA/base/` | the sled database |
//! | `DATA/base.etat` | the manifest (see [`super::manifest`]) |
//! | `DATA/base.nouvelle/` + `.etat` | a store being built (compaction, restore, migration) |
//! | `DATA/base.bascule` | marker: a swap is under way (see [`swap_in`]) |
//! | `DATA/base.avant-*/` + `.etat` | a store set aside by a restore |
//! | `DATA/base.verrou` | lock held while a process has the store open (see [`StoreLock`]) |
//! | `DATA/base.empreinte` | seal: the store's files as the last clean close left them (see [`seal`]) |
//! | `DATA/base.controle/` + `.etat` | scratch copy checked before opening a store that was not closed cleanly (see [`Scratch`]) |
//! | `DATA/sauvegardes/` | backups |
//!
//! Why the seal and the scratch copy: sled's recovery *writes* into the
//! files it opens (it overwrites everything after the first damaged spot
//! and writes a new snapshot), even when the store is then refused. So a
//! store whose files are not exactly as Passerelle left them (a crash, a
//! cut or altered file) is first opened on a copy; only when the copy
//! passes the checks is the real store opened. A refused store is never
//! written to.

use super::error::{IoAction, StoreError};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Mode of every directory the app creates.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file the app writes.
pub const FILE_MODE: u32 = 0o600;

/// The paths that belong to one store directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorePaths {
    pub dir: PathBuf,
}

impl StorePaths {
    pub fn new(dir: &Path) -> StorePaths {
        StorePaths {
            dir: dir.to_path_buf(),
        }
    }
    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self
            .dir
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "base".into());
        name.push(suffix);
        self.dir.with_file_name(name)
    }
    /// `DATA/base.etat`
    pub fn manifest(&self) -> PathBuf {
        manifest_of(&self.dir)
    }
    /// `DATA/base.nouvelle`
    pub fn staging(&self) -> PathBuf {
        self.sibling(".nouvelle")
    }
    /// `DATA/base.bascule`
    pub fn swap_marker(&self) -> PathBuf {
        self.sibling(".bascule")
    }
    /// `DATA/base.ancienne` (removed after a compaction)
    pub fn old(&self) -> PathBuf {
        self.sibling(".ancienne")
    }
    /// `DATA/base.avant-<what>-<stamp>`: a store set aside and kept.
    pub fn set_aside(&self, what: &str, stamp: &str) -> PathBuf {
        self.sibling(&format!(".avant-{what}-{stamp}"))
    }
    /// `DATA/base.verrou`
    pub fn lock_file(&self) -> PathBuf {
        self.sibling(".verrou")
    }
    /// `DATA/base.empreinte`
    pub fn seal_file(&self) -> PathBuf {
        self.sibling(".empreinte")
    }
    /// `DATA/base.controle`
    pub fn scratch(&self) -> PathBuf {
        self.sibling(".controle")
    }
    /// The data directory (`DATA`).
    pub fn data_dir(&self) -> &Path {
        self.dir.parent().unwrap_or(Path::new("."))
    }
    /// `DATA/sauvegardes`
    pub fn backups(&self) -> PathBuf {
        self.data_dir().join("sauvegardes")
    }
    /// sled's main file.
    pub fn db_file(&self) -> PathBuf {
        self.dir.join("db")
    }
    pub fn conf_file(&self) -> PathBuf {
        self.dir.join("conf")
    }
}

/// The manifest that goes with a store directory: `X` → `X.etat`.
pub fn manifest_of(dir: &Path) -> PathBuf {
    let mut name = dir
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "base".into());
    name.push(".etat");
    dir.with_file_name(name)
}

/// Creates a directory (and its parents) with mode 0700; an existing one
/// is set to 0700 too.
pub fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {
            if m.permissions().mode() & 0o777 != DIR_MODE {
                fs::set_permissions(dir, fs::Permissions::from_mode(DIR_MODE))
                    .map_err(|e| StoreError::io(IoAction::Write, dir, e))?;
            }
            Ok(())
        }
        Ok(_) => Err(StoreError::io(
            IoAction::Create,
            dir,
            std::io::Error::from_raw_os_error(libc::ENOTDIR),
        )),
        Err(_) => fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)
            .map_err(|e| StoreError::io(IoAction::Create, dir, e)),
    }
}

/// Prepares the data directory: created 0700 when missing; an existing
/// one is set to 0700 only when it is Passerelle's (it holds a store, a
/// manifest, logs or backups, or is empty) — never a shared directory such
/// as `/tmp` given by mistake.
pub fn prepare_data_dir(dir: &Path) -> Result<(), StoreError> {
    match fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(StoreError::io(
            IoAction::Create,
            dir,
            std::io::Error::from_raw_os_error(libc::ENOTDIR),
        )),
        Ok(m) => {
            let ours = ["base", "base.etat", "journaux", "sauvegardes"]
                .iter()
                .any(|n| dir.join(n).exists())
                || fs::read_dir(dir).is_ok_and(|mut e| e.next().is_none());
            if ours && m.permissions().mode() & 0o777 != DIR_MODE {
                if let Err(e) = fs::set_permissions(dir, fs::Permissions::from_mode(DIR_MODE)) {
                    tracing::warn!("chmod 700 {}: {e}", dir.display());
                }
            }
            Ok(())
        }
        Err(_) => fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)
            .map_err(|e| StoreError::io(IoAction::Create, dir, e)),
    }
}

/// Sets 0700 on `dir` and every directory below it, 0600 on every file
/// (stores written by earlier versions followed the umask).
pub fn make_private_tree(dir: &Path) -> Result<(), StoreError> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    let want = if meta.is_dir() { DIR_MODE } else { FILE_MODE };
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    if meta.permissions().mode() & 0o777 != want {
        fs::set_permissions(dir, fs::Permissions::from_mode(want))
            .map_err(|e| StoreError::io(IoAction::Write, dir, e))?;
    }
    if meta.is_dir() {
        let entries = fs::read_dir(dir).map_err(|e| StoreError::io(IoAction::Read, dir, e))?;
        for entry in entries.flatten() {
            make_private_tree(&entry.path())?;
        }
    }
    Ok(())
}

/// fsync of a directory, so that a rename inside it is durable.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(IoAction::Write, dir, e))
}

/// Replaces `path` atomically with `bytes`, mode 0600: write a temporary
/// file beside it, fsync, rename over, fsync the directory. A crash leaves
/// the old or the new content, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(FILE_MODE)
            .open(&tmp)
            .map_err(|e| StoreError::io(IoAction::Write, &tmp, e))?;
        f.write_all(bytes)
            .and_then(|_| f.sync_all())
            .map_err(|e| StoreError::io(IoAction::Write, &tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| StoreError::io(IoAction::Rename, path, e))?;
        sync_dir(path.parent().unwrap_or(Path::new(".")))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates a new private file (0600) for writing, replacing any old one.
pub fn create_private_file(path: &Path) -> Result<fs::File, StoreError> {
    let f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)
        .map_err(|e| StoreError::io(IoAction::Create, path, e))?;
    // An existing file keeps its old mode through `open`: force it.
    f.set_permissions(fs::Permissions::from_mode(FILE_MODE))
        .map_err(|e| StoreError::io(IoAction::Write, path, e))?;
    Ok(f)
}

/// A non-blocking exclusive `flock` on `file`: `Ok(false)` when another
/// open file holds it.
fn try_flock(file: &fs::File) -> std::io::Result<bool> {
    loop {
        // SAFETY: flock on a file descriptor we own; no memory involved.
        let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if r == 0 {
            return Ok(true);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) => return Ok(false),
            _ => return Err(e),
        }
    }
}

/// The lock a process holds on a store while it has it open
/// (`DATA/base.verrou`, released when dropped). It is taken before
/// anything else is done to the store (finishing a swap, checking a copy),
/// so a second process never reads files that the first one is writing.
#[derive(Debug)]
pub struct StoreLock {
    _file: fs::File,
}

impl StoreLock {
    /// Takes the lock, retrying for `wait`; [`StoreError::Locked`] when
    /// another process (or another `Store` of this one) keeps it.
    pub fn acquire(paths: &StorePaths, wait: Duration) -> Result<StoreLock, StoreError> {
        let path = paths.lock_file();
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(FILE_MODE)
            .open(&path)
            // A read-only directory: an existing lock file still locks.
            .or_else(|e| fs::File::open(&path).map_err(|_| e))
            .map_err(|e| StoreError::io(IoAction::Open, &path, e))?;
        let deadline = Instant::now() + wait;
        loop {
            match try_flock(&file) {
                Ok(true) => return Ok(StoreLock { _file: file }),
                Ok(false) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Ok(false) => {
                    return Err(StoreError::Locked {
                        path: paths.dir.clone(),
                    })
                }
                Err(e) => return Err(StoreError::io(IoAction::Open, &path, e)),
            }
        }
    }
}

/// What the files of a store look like: for every file under the store
/// directory and for the manifest, its name, inode, size and change time
/// (`ctime`, which every write, truncation or `chmod` moves and which
/// cannot be set back by hand). `None` when a file cannot be examined.
fn fingerprint(paths: &StorePaths) -> Option<String> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = format!("{rel}{}", entry.file_name().to_string_lossy());
            let m = fs::symlink_metadata(entry.path())?;
            if m.is_dir() {
                walk(&entry.path(), &format!("{name}/"), out)?;
            } else {
                out.push(describe(&name, &m));
            }
        }
        Ok(())
    }
    fn describe(name: &str, m: &fs::Metadata) -> String {
        format!(
            "{name} {} {} {}.{:09}",
            m.ino(),
            m.len(),
            m.ctime(),
            m.ctime_nsec()
        )
    }
    let mut lines = Vec::new();
    walk(&paths.dir, "base/", &mut lines).ok()?;
    let m = fs::metadata(paths.manifest()).ok()?;
    lines.push(describe("etat", &m));
    lines.sort();
    Some(lines.join("\n"))
}

/// Records the files of a store just closed (see [`is_sealed`]). Waits
/// (a little) until sled has really let go of its files: its background
/// threads may still hold the database file for a few milliseconds after
/// the last handle is dropped. Not sealing is always safe: the next open
/// only takes the slower way (a check on a copy).
pub fn seal(paths: &StorePaths) {
    let Ok(db) = fs::File::open(paths.db_file()) else {
        return;
    };
    let deadline = Instant::now() + Duration::from_millis(500);
    loop {
        match try_flock(&db) {
            Ok(true) => break,
            Ok(false) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                tracing::warn!("store not sealed: sled still holds {}", paths.dir.display());
                return;
            }
        }
    }
    if let Some(f) = fingerprint(paths) {
        if let Err(e) = write_atomic(&paths.seal_file(), f.as_bytes()) {
            tracing::warn!("store not sealed: {}", e.log_detail());
        }
    }
    drop(db);
}

/// True when the store's files are exactly as the last clean close left
/// them (nothing written, cut or replaced since).
pub fn is_sealed(paths: &StorePaths) -> bool {
    match (fs::read_to_string(paths.seal_file()), fingerprint(paths)) {
        (Ok(saved), Some(now)) => saved == now,
        _ => false,
    }
}

/// Forgets the seal: the store is about to be written.
pub fn unseal(paths: &StorePaths) {
    if let Err(e) = fs::remove_file(paths.seal_file()) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!("seal not removed: {e}");
        }
    }
}

/// Copies a directory tree (files 0600, directories 0700).
fn copy_tree(from: &Path, to: &Path) -> Result<(), StoreError> {
    ensure_private_dir(to)?;
    let entries = fs::read_dir(from).map_err(|e| StoreError::io(IoAction::Read, from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(IoAction::Read, from, e))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let m = fs::symlink_metadata(&src).map_err(|e| StoreError::io(IoAction::Read, &src, e))?;
        if m.is_dir() {
            copy_tree(&src, &dst)?;
        } else if m.is_file() {
            fs::copy(&src, &dst).map_err(|e| StoreError::io(IoAction::Write, &dst, e))?;
        }
    }
    Ok(())
}

/// A scratch copy of a store and its manifest (`DATA/base.controle`),
/// removed when dropped: sled may open and recover it freely.
#[derive(Debug)]
pub struct Scratch {
    pub paths: StorePaths,
}

impl Scratch {
    /// Copies the store of `paths` (removing any leftover copy first).
    pub fn of(paths: &StorePaths) -> Result<Scratch, StoreError> {
        let scratch = Scratch {
            paths: StorePaths::new(&paths.scratch()),
        };
        scratch.clear();
        copy_tree(&paths.dir, &scratch.paths.dir)?;
        if paths.manifest().exists() {
            fs::copy(paths.manifest(), scratch.paths.manifest())
                .map_err(|e| StoreError::io(IoAction::Write, &scratch.paths.manifest(), e))?;
        }
        Ok(scratch)
    }

    fn clear(&self) {
        for p in [self.paths.dir.clone(), self.paths.manifest()] {
            if let Err(e) = remove_all(&p) {
                tracing::warn!("scratch copy not removed: {}", e.log_detail());
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Removes a scratch copy left by an interrupted check.
pub fn remove_scratch(paths: &StorePaths) {
    if paths.scratch().exists() || manifest_of(&paths.scratch()).exists() {
        drop(Scratch {
            paths: StorePaths::new(&paths.scratch()),
        });
    }
}

/// Removes sled's snapshot files (`snap.*`) of a store directory: sled
/// then rebuilds its page table from the log alone. Used only on a copy,
/// or when the advisor accepts the store as it is (`verifier --reparer`).
pub fn remove_snapshots(dir: &Path) -> Result<usize, StoreError> {
    let mut n = 0;
    let entries = fs::read_dir(dir).map_err(|e| StoreError::io(IoAction::Read, dir, e))?;
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with("snap.") {
            remove_all(&entry.path())?;
            n += 1;
        }
    }
    Ok(n)
}

fn rename(from: &Path, to: &Path) -> Result<(), StoreError> {
    fs::rename(from, to).map_err(|e| StoreError::io(IoAction::Rename, from, e))
}

fn remove_all(path: &Path) -> Result<(), StoreError> {
    let r = if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(IoAction::Remove, path, e)),
    }
}

/// Where the current store goes when a new one is swapped in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Aside {
    /// Deleted once the swap is done (compaction, migration).
    Delete,
    /// Kept under this directory name (restore).
    Keep(PathBuf),
}

/// Replaces the store at `paths.dir` by the complete store built at
/// `paths.staging()` (with its manifest). Crash-safe: a marker file names
/// where the current store goes; [`recover_swap`] finishes an interrupted
/// swap at the next open, so there is always a complete store (the old or
/// the new one) and never none.
pub fn swap_in(paths: &StorePaths, aside: &Aside) -> Result<(), StoreError> {
    let staging = paths.staging();
    sync_dir(&staging)?;
    let target = match aside {
        Aside::Delete => paths.old(),
        Aside::Keep(p) => p.clone(),
    };
    let marker = format!(
        "{}\n{}\n",
        target.display(),
        if matches!(aside, Aside::Delete) {
            "supprimer"
        } else {
            "garder"
        }
    );
    write_atomic(&paths.swap_marker(), marker.as_bytes())?;
    recover_swap(paths)
}

/// Finishes a swap that was interrupted (see [`swap_in`]); does nothing
/// when none is under way. Removes a staging store left by a build that
/// was interrupted before its swap began.
pub fn recover_swap(paths: &StorePaths) -> Result<(), StoreError> {
    let marker_path = paths.swap_marker();
    let staging = paths.staging();
    let staging_manifest = manifest_of(&staging);
    let marker = match fs::read_to_string(&marker_path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // No swap under way: a staging store is an unfinished build.
            if staging.exists() || staging_manifest.exists() {
                tracing::warn!(
                    "removing an unfinished store build at {}",
                    staging.display()
                );
                remove_all(&staging)?;
                remove_all(&staging_manifest)?;
            }
            return Ok(());
        }
        Err(e) => return Err(StoreError::io(IoAction::Read, &marker_path, e)),
    };
    let mut lines = marker.lines();
    let target = PathBuf::from(lines.next().unwrap_or_default());
    let delete_old = lines.next() == Some("supprimer");
    if target.as_os_str().is_empty() {
        return Err(StoreError::Damaged {
            path: paths.dir.clone(),
            damage: super::error::Damage::Manifest {
                what: format!("marqueur de bascule {} illisible", marker_path.display()),
            },
        });
    }
    let data = paths.data_dir().to_path_buf();
    if staging.exists() {
        // The new store is not in place yet: set the current one aside.
        if paths.dir.exists() && !target.exists() {
            rename(&paths.dir, &target)?;
        }
        let (cur_m, target_m) = (paths.manifest(), manifest_of(&target));
        if cur_m.exists() && !target_m.exists() {
            rename(&cur_m, &target_m)?;
        }
        sync_dir(&data)?;
        if paths.dir.exists() {
            // Cannot happen unless someone recreated it meanwhile.
            return Err(StoreError::Damaged {
                path: paths.dir.clone(),
                damage: super::error::Damage::MissingFiles {
                    what: format!(
                        "une bascule de base est en cours mais {} existe encore",
                        paths.dir.display()
                    ),
                },
            });
        }
        rename(&staging, &paths.dir)?;
    }
    if staging_manifest.exists() {
        rename(&staging_manifest, &paths.manifest())?;
    }
    sync_dir(&data)?;
    if delete_old {
        remove_all(&target)?;
        remove_all(&manifest_of(&target))?;
    }
    fs::remove_file(&marker_path).map_err(|e| StoreError::io(IoAction::Remove, &marker_path, e))?;
    sync_dir(&data)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_a_store() {
        let p = StorePaths::new(Path::new("/d/base"));
        assert_eq!(p.manifest(), PathBuf::from("/d/base.etat"));
        assert_eq!(p.staging(), PathBuf::from("/d/base.nouvelle"));
        assert_eq!(
            manifest_of(&p.staging()),
            PathBuf::from("/d/base.nouvelle.etat")
        );
        assert_eq!(p.backups(), PathBuf::from("/d/sauvegardes"));
    }

    fn store_like(dir: &Path, content: &str) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("db"), content).unwrap();
        fs::write(manifest_of(dir), content).unwrap();
    }

    #[test]
    fn a_swap_interrupted_at_every_step_finishes_at_recovery() {
        // Simulate a crash after each rename of the swap by replaying the
        // steps by hand, then check recovery always ends with the new
        // store in place and the old one deleted.
        for crash_after in 0..4 {
            let d = tempfile::tempdir().unwrap();
            let paths = StorePaths::new(&d.path().join("base"));
            store_like(&paths.dir, "ancienne");
            store_like(&paths.staging(), "nouvelle");
            let target = paths.old();
            write_atomic(
                &paths.swap_marker(),
                format!("{}\nsupprimer\n", target.display()).as_bytes(),
            )
            .unwrap();
            let steps: [(PathBuf, PathBuf); 4] = [
                (paths.dir.clone(), target.clone()),
                (paths.manifest(), manifest_of(&target)),
                (paths.staging(), paths.dir.clone()),
                (manifest_of(&paths.staging()), paths.manifest()),
            ];
            for (from, to) in steps.iter().take(crash_after) {
                fs::rename(from, to).unwrap();
            }
            recover_swap(&paths).unwrap();
            assert_eq!(fs::read_to_string(paths.db_file()).unwrap(), "nouvelle");
            assert_eq!(fs::read_to_string(paths.manifest()).unwrap(), "nouvelle");
            assert!(!target.exists() && !paths.swap_marker().exists());
            assert!(!paths.staging().exists());
        }
    }

    #[test]
    fn an_unfinished_build_without_marker_is_removed() {
        let d = tempfile::tempdir().unwrap();
        let paths = StorePaths::new(&d.path().join("base"));
        store_like(&paths.dir, "actuelle");
        store_like(&paths.staging(), "à moitié");
        recover_swap(&paths).unwrap();
        assert!(!paths.staging().exists());
        assert_eq!(fs::read_to_string(paths.db_file()).unwrap(), "actuelle");
    }

    #[test]
    fn atomic_writes_are_private_whatever_the_umask() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o666)).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let sub = d.path().join("a/b");
        ensure_private_dir(&sub).unwrap();
        assert_eq!(
            fs::metadata(&sub).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
}
