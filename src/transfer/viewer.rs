//! Opening a written document with the system's default viewer: `xdg-open`
//! (Linux and other Unix), `open` (macOS), or the command named by
//! `PASSERELLE_VISIONNEUSE` (tests, unusual desktops). The viewer is
//! started detached — its output discarded, never waited for by the
//! caller — so the TUI never blocks; a thread reaps it when it ends.

use std::path::Path;
use std::process::{Command, Stdio};

/// Environment variable naming the viewer command.
pub const ENV_VIEWER: &str = "PASSERELLE_VISIONNEUSE";

/// The viewer command: the environment's, else the platform's.
pub fn viewer_command() -> String {
    match std::env::var(ENV_VIEWER) {
        Ok(v) if !v.trim().is_empty() => v.trim().to_string(),
        _ if cfg!(target_os = "macos") => "open".to_string(),
        _ => "xdg-open".to_string(),
    }
}

/// Starts the viewer on `path`; Err (in French) when it cannot be started.
pub fn open(path: &Path) -> Result<(), String> {
    open_with(&viewer_command(), path)
}

/// Starts `cmd path` detached (see the module doc).
pub fn open_with(cmd: &str, path: &Path) -> Result<(), String> {
    let child = Command::new(cmd)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                format!("la commande « {cmd} » est introuvable")
            } else {
                format!("« {cmd} » n'a pas pu démarrer ({e})")
            };
            format!(
                "Impossible d'ouvrir {} : {why}. Ouvrez le fichier avec votre navigateur.",
                path.display()
            )
        })?;
    let mut child = child;
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_viewer_is_a_french_message_not_a_panic() {
        let path = Path::new("/tmp/x.html");
        let e = open_with("passerelle-visionneuse-introuvable", path).unwrap_err();
        assert!(
            e.contains("introuvable") && e.contains("/tmp/x.html"),
            "{e}"
        );
        // A viewer that starts: no wait, no error.
        assert!(open_with("true", path).is_ok());
    }
}
