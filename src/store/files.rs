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
//! | `DATA/sauvegardes/` | backups |

use super::error::{IoAction, StoreError};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

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
