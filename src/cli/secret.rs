//! The passphrase on the command line, as restic or borg take theirs:
//! from `PASSERELLE_PHRASE_SECRETE`, from `--phrase-secrete-fichier
//! FICHIER`, or typed on a terminal without echo. Without any of them on a
//! non-terminal: a clear message and exit 2. The passphrase is never
//! logged, never echoed, and zeroized after use.

use super::{out, Failure};
use crate::store::crypto::{check_strength, Secret};
use crate::store::{Protection, Store, StoreError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Environment variable holding the passphrase.
pub const ENV: &str = "PASSERELLE_PHRASE_SECRETE";
/// Environment variable holding the new passphrase (`phrase-secrete
/// changer`, scripted).
pub const ENV_NEW: &str = "PASSERELLE_NOUVELLE_PHRASE_SECRETE";

/// `--phrase-secrete-fichier`, set once from the command line.
static FILE: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Records the global `--phrase-secrete-fichier` option.
pub fn set_file(path: Option<PathBuf>) {
    let _ = FILE.set(path);
}

fn read_file(path: &Path) -> Result<Secret, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "phrase secrète illisible dans {} : {}",
            path.display(),
            crate::store::IoCause::of(&e).what()
        ))
    })?;
    Ok(Secret::from_line(text))
}

/// Reads a line from the terminal without echoing it.
fn read_hidden(prompt: &str) -> Result<Secret, Failure> {
    use std::io::BufRead;
    let fd = libc::STDIN_FILENO;
    // SAFETY: plain termios calls on stdin, restored below on every path.
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    let have_term = unsafe { libc::tcgetattr(fd, &mut term) } == 0;
    let saved = term;
    if have_term {
        term.c_lflag &= !libc::ECHO;
        term.c_lflag |= libc::ECHONL;
        unsafe {
            libc::tcsetattr(fd, libc::TCSANOW, &term);
        }
    }
    out::warn_inline(prompt);
    let mut line = String::new();
    let r = std::io::stdin().lock().read_line(&mut line);
    if have_term {
        unsafe {
            libc::tcsetattr(fd, libc::TCSANOW, &saved);
        }
    }
    r.map_err(|e| {
        Failure::runtime(format!(
            "lecture de la phrase secrète : {}",
            crate::store::IoCause::of(&e).what()
        ))
    })?;
    Ok(Secret::from_line(line))
}

const NO_SOURCE: &str = "phrase secrète requise : définissez PASSERELLE_PHRASE_SECRETE, ou \
                         passez --phrase-secrete-fichier FICHIER, ou lancez la commande dans \
                         un terminal pour la taper";

/// The passphrase from the first source available.
pub fn obtain(prompt: &str) -> Result<Secret, Failure> {
    if let Ok(v) = std::env::var(ENV) {
        if !v.is_empty() {
            return Ok(Secret::from_line(v));
        }
    }
    if let Some(Some(path)) = FILE.get() {
        return read_file(path);
    }
    if std::io::stdin().is_terminal() {
        return read_hidden(prompt);
    }
    Err(Failure::usage(NO_SOURCE))
}

/// A new passphrase: from `PASSERELLE_NOUVELLE_PHRASE_SECRETE` (or, for a
/// store being created, the usual sources), else typed twice on a
/// terminal; its strength is checked (French explanation when too weak).
pub fn obtain_new(for_creation: bool) -> Result<Secret, Failure> {
    let scripted = std::env::var(ENV_NEW)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Secret::from_line);
    let secret = match scripted {
        Some(s) => s,
        None if for_creation
            && (std::env::var(ENV).is_ok_and(|v| !v.is_empty())
                || FILE.get().is_some_and(|f| f.is_some())) =>
        {
            obtain("")?
        }
        None if std::io::stdin().is_terminal() => {
            let a = read_hidden("Nouvelle phrase secrète (12 caractères au moins) : ")?;
            check_strength(a.expose()).map_err(Failure::usage)?;
            let b = read_hidden("La même, une seconde fois : ")?;
            if a.expose() != b.expose() {
                return Err(Failure::usage(
                    "les deux saisies diffèrent : rien n'a été modifié",
                ));
            }
            a
        }
        None => Err(Failure::usage(format!(
            "nouvelle phrase secrète requise : définissez {ENV_NEW}, ou lancez la commande dans \
             un terminal"
        )))?,
    };
    check_strength(secret.expose()).map_err(Failure::usage)?;
    Ok(secret)
}

/// Unlocks an encrypted store with the passphrase from its sources; a
/// clear or demonstration store needs nothing.
pub fn unlock(store: &Store) -> Result<(), Failure> {
    if !store.is_locked() {
        return Ok(());
    }
    let secret = obtain("Phrase secrète : ")?;
    store.unlock(&secret).map_err(|e| match e {
        StoreError::WrongPassphrase => {
            tracing::warn!("unlock failed (wrong passphrase)");
            Failure::usage(e.to_string())
        }
        other => Failure::from(other),
    })
}

/// A store that this command just created (`created`: it did not exist
/// before) is encrypted at once with the passphrase from its sources:
/// personal data is never written in clear outside a demonstration store.
pub fn protect_new(store: Store, created: bool) -> Result<Store, Failure> {
    let empty = store.counts()?.values().all(|n| *n == 0);
    if !created || store.protection()? != Protection::Clear || !empty {
        return Ok(store);
    }
    let secret = obtain_new(true)?;
    store
        .encrypt(&secret, super::local_stamp())
        .map_err(Failure::store_unusable)
}

/// How the TUI starts on the store [`open_for_tui`] opened.
#[derive(Debug)]
pub enum TuiStart {
    /// Open and readable (a demonstration store, or one just encrypted
    /// with a scripted passphrase).
    Ready,
    /// Encrypted: the lock screen comes first. With the passphrase from
    /// `PASSERELLE_PHRASE_SECRETE` or `--phrase-secrete-fichier` it
    /// unlocks at once (no prompt); without, it asks.
    Unlock(Option<Secret>),
    /// Clear (new, or from before encryption with `files` files): the
    /// first passphrase is chosen on a screen of the TUI.
    Setup { files: usize },
}

/// Whether a passphrase comes from the environment or a file (scripted
/// use): then nothing is asked.
fn scripted_source() -> bool {
    std::env::var(ENV).is_ok_and(|v| !v.is_empty()) || FILE.get().is_some_and(|f| f.is_some())
}

/// Opens the store the TUI works on, without any slow work (no Argon2)
/// and without asking anything on the terminal: the TUI draws its first
/// frame at once and asks itself (lock screen, first passphrase).
///
/// Scripted use keeps working as before: an encrypted store unlocks with
/// the passphrase of the environment or the file (inside the TUI, after
/// its first frame; a wrong one stops it with exit 2), and a clear store
/// is encrypted here with the scripted new passphrase, with its audit
/// event. A demonstration store opens as it is.
pub fn open_for_tui(data_dir: &Path, advisor: &str) -> Result<(Store, TuiStart), Failure> {
    let store = Store::open(&Store::dir_in(data_dir)).map_err(Failure::store_unusable)?;
    match store.protection()? {
        Protection::Demo => Ok((store, TuiStart::Ready)),
        Protection::Encrypted if scripted_source() => {
            let secret = obtain("")?;
            Ok((store, TuiStart::Unlock(Some(secret))))
        }
        Protection::Encrypted => Ok((store, TuiStart::Unlock(None))),
        Protection::Clear
            if scripted_source() || std::env::var(ENV_NEW).is_ok_and(|v| !v.is_empty()) =>
        {
            let secret = obtain_new(true)?;
            let (store, audit_error) = crate::app::runtime::encrypt_store(
                store,
                &secret,
                crate::store::crypto::KdfParams::for_new_store(),
                super::local_stamp(),
                chrono::Utc::now(),
                advisor,
            )
            .map_err(Failure::from)?;
            if let Some(e) = audit_error {
                return Err(Failure::from(e));
            }
            Ok((store, TuiStart::Ready))
        }
        Protection::Clear => {
            let files = store.beneficiary_count()?;
            Ok((store, TuiStart::Setup { files }))
        }
    }
}
