//! Configuration file, defaults and data-directory resolution.
//!
//! Lookup order for the file: `--config PATH`, then `PASSERELLE_CONFIG`, then
//! the platform config dir (`~/.config/passerelle/config.toml` on Linux).
//! Data directory: `--data-dir`, then `PASSERELLE_DATA_DIR`, then
//! `[donnees] dossier` in the file, then the platform data dir.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub const ENV_CONFIG: &str = "PASSERELLE_CONFIG";
pub const ENV_DATA_DIR: &str = "PASSERELLE_DATA_DIR";

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub conseiller: AdvisorConfig,
    pub donnees: DataConfig,
    pub securite: SecurityConfig,
    pub interface: InterfaceConfig,
    pub sauvegardes: BackupConfig,
    /// Action name (kebab-case, see `passerelle --help` / the help overlay)
    /// → one key or a list of keys, e.g. `nouveau = "n"` or `aide = ["?", "F1"]`.
    pub touches: BTreeMap<String, KeyList>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdvisorConfig {
    /// Advisor name, recorded as the author of every change.
    pub nom: String,
    /// Region of the CEP operator, e.g. `Auvergne-Rhône-Alpes`.
    pub region: String,
    /// The advisor's structure, named on the documents handed to people.
    pub structure: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    pub dossier: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Minutes without a key pressed before the screen of an encrypted
    /// store locks (the key is dropped from memory); 0 = never. At most
    /// [`MAX_LOCK_MINUTES`].
    pub verrouillage_minutes: u32,
}

/// Default of `[securite] verrouillage_minutes`.
pub const DEFAULT_LOCK_MINUTES: u32 = 5;
/// Longest idle delay accepted (a working day).
pub const MAX_LOCK_MINUTES: u32 = 480;

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            verrouillage_minutes: DEFAULT_LOCK_MINUTES,
        }
    }
}

impl SecurityConfig {
    /// How long without input before the idle lock; None when disabled.
    pub fn idle_lock(&self) -> Option<chrono::Duration> {
        (self.verrouillage_minutes > 0)
            .then(|| chrono::Duration::minutes(i64::from(self.verrouillage_minutes)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Number of automatic backups kept in `DATA/sauvegardes` (the daily
    /// one at exit and those made before bulk operations); backups made
    /// with `passerelle sauvegarde` are never removed.
    pub garder: u32,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig { garder: 7 }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    #[default]
    Sombre,
    Clair,
    Contraste,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InterfaceConfig {
    pub theme: ThemeName,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<String> {
        match self {
            KeyList::One(s) => vec![s.clone()],
            KeyList::Many(v) => v.clone(),
        }
    }
}

/// A configuration problem, reported before the terminal is touched.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Configuration invalide : {}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ", ligne {l}")?;
        }
        if let Some(k) = &self.key {
            write!(f, ", clé « {k} »")?;
        }
        write!(f, " : {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Where the configuration comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    /// Given explicitly (flag or environment): must exist.
    Explicit(PathBuf),
    /// The platform default: may be missing (then defaults apply).
    Default(PathBuf),
    /// No config location could be determined (no home directory).
    None,
}

impl ConfigSource {
    pub fn path(&self) -> Option<&Path> {
        match self {
            ConfigSource::Explicit(p) | ConfigSource::Default(p) => Some(p),
            ConfigSource::None => None,
        }
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("fr", "Passerelle", "passerelle")
}

/// Resolves the config file location from the flag and the environment.
pub fn config_source(flag: Option<&Path>, env: Option<&str>) -> ConfigSource {
    if let Some(p) = flag {
        return ConfigSource::Explicit(p.to_path_buf());
    }
    if let Some(e) = env.filter(|e| !e.is_empty()) {
        return ConfigSource::Explicit(PathBuf::from(e));
    }
    match project_dirs() {
        Some(d) => ConfigSource::Default(d.config_dir().join("config.toml")),
        None => ConfigSource::None,
    }
}

/// Loads the configuration: a missing default file gives the defaults.
pub fn load(source: &ConfigSource) -> Result<Config, ConfigError> {
    let (path, must_exist) = match source {
        ConfigSource::Explicit(p) => (p, true),
        ConfigSource::Default(p) => (p, false),
        ConfigSource::None => return Ok(Config::default()),
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => Ok(Config::default()),
        Err(e) => Err(ConfigError {
            file: path.clone(),
            line: None,
            key: None,
            message: if e.kind() == std::io::ErrorKind::NotFound {
                "fichier introuvable".into()
            } else {
                format!(
                    "lecture impossible ({})",
                    crate::store::IoCause::of(&e).what()
                )
            },
        }),
    }
}

/// Parses a config text; errors name the file, the line and the key.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let config = toml::from_str::<Config>(text).map_err(|e| {
        let (line, key) = match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                let key = key_at_line(text, line);
                (Some(line), key)
            }
            None => (None, None),
        };
        ConfigError {
            file: path.to_path_buf(),
            line,
            key,
            message: e.message().trim().to_string(),
        }
    })?;
    check_ranges(&config, text, path)?;
    Ok(config)
}

/// Values the types accept but Passerelle does not (same error style:
/// file, line, key).
fn check_ranges(config: &Config, text: &str, path: &Path) -> Result<(), ConfigError> {
    let minutes = config.securite.verrouillage_minutes;
    if minutes > MAX_LOCK_MINUTES {
        return Err(ConfigError {
            file: path.to_path_buf(),
            line: line_of_key(text, "securite", "verrouillage_minutes"),
            key: Some("securite.verrouillage_minutes".into()),
            message: format!(
                "{minutes} minutes : le verrouillage doit intervenir au plus tard après \
                 {MAX_LOCK_MINUTES} minutes d'inactivité (0 pour ne jamais verrouiller)"
            ),
        });
    }
    Ok(())
}

/// The `section.key` defined on a given line, if the line is `key = …`.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    let mut section = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') && t.ends_with(']') {
            section = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
        if i + 1 == line {
            if let Some((k, _)) = t.split_once('=') {
                let k = k.trim().trim_matches('"');
                return Some(if section.is_empty() {
                    k.to_string()
                } else {
                    format!("{section}.{k}")
                });
            }
            if t.starts_with('[') {
                return Some(section);
            }
            return None;
        }
    }
    None
}

/// The line (1-based) where `key = …` is defined inside `[section]`.
pub fn line_of_key(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('[') && t.ends_with(']') {
            current = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        } else if current == section {
            if let Some((k, _)) = t.split_once('=') {
                if k.trim().trim_matches('"') == key {
                    return Some(i + 1);
                }
            }
        }
    }
    None
}

/// Resolves the data directory (see the module doc for the order).
pub fn data_dir(flag: Option<&Path>, env: Option<&str>, config: &Config) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    if let Some(e) = env.filter(|e| !e.is_empty()) {
        return Some(PathBuf::from(e));
    }
    if let Some(p) = &config.donnees.dossier {
        return Some(p.clone());
    }
    project_dirs().map(|d| d.data_dir().to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_and_documents_every_section() {
        let text = include_str!("../config.example.toml");
        let c = parse(text, Path::new("config.example.toml")).unwrap();
        assert_eq!(c.interface.theme, ThemeName::Sombre);
        assert!(!c.touches.is_empty());
        for section in [
            "[conseiller]",
            "[donnees]",
            "[securite]",
            "[interface]",
            "[sauvegardes]",
            "[touches]",
        ] {
            assert!(text.contains(section), "{section}");
        }
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = "[conseiller]\nnom = \"A\"\n\n[interface]\nthemme = \"clair\"\n";
        let e = parse(text, Path::new("/tmp/x.toml")).unwrap_err();
        assert_eq!(e.line, Some(5));
        assert_eq!(e.key.as_deref(), Some("interface.themme"));
        let msg = e.to_string();
        assert!(
            msg.contains("/tmp/x.toml") && msg.contains("ligne 5"),
            "{msg}"
        );
    }

    #[test]
    fn wrong_value_type_is_reported() {
        let text = "[securite]\nverrouillage_minutes = \"dix\"\n";
        let e = parse(text, Path::new("c.toml")).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert_eq!(e.key.as_deref(), Some("securite.verrouillage_minutes"));
    }

    #[test]
    fn idle_lock_defaults_to_five_minutes_zero_disables_and_bounds_are_checked() {
        let p = Path::new("c.toml");
        let c = parse("", p).unwrap();
        assert_eq!(c.securite.verrouillage_minutes, DEFAULT_LOCK_MINUTES);
        assert_eq!(c.securite.idle_lock(), Some(chrono::Duration::minutes(5)));
        let c = parse("[securite]\nverrouillage_minutes = 0\n", p).unwrap();
        assert_eq!(c.securite.idle_lock(), None);
        // Boundary: the maximum is accepted, one more is refused with
        // the line and the key.
        let ok = format!("[securite]\nverrouillage_minutes = {MAX_LOCK_MINUTES}\n");
        assert!(parse(&ok, p).is_ok());
        let text = format!(
            "[conseiller]\nnom = \"A\"\n[securite]\nverrouillage_minutes = {}\n",
            MAX_LOCK_MINUTES + 1
        );
        let e = parse(&text, p).unwrap_err();
        assert_eq!(e.line, Some(4));
        assert_eq!(e.key.as_deref(), Some("securite.verrouillage_minutes"));
        assert!(e.to_string().contains("au plus tard"), "{e}");
        // Negative: refused by the type, same style.
        let e = parse("[securite]\nverrouillage_minutes = -3\n", p).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert_eq!(e.key.as_deref(), Some("securite.verrouillage_minutes"));
    }

    #[test]
    fn missing_default_file_gives_defaults_but_explicit_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("absent.toml");
        assert_eq!(
            load(&ConfigSource::Default(p.clone())),
            Ok(Config::default())
        );
        assert!(load(&ConfigSource::Explicit(p)).is_err());
    }

    #[test]
    fn finds_the_line_of_a_key_in_its_section() {
        let text = "[conseiller]\nnom = \"A\"\n[touches]\naide = \"?\"\nquitter = \"x\"\n";
        assert_eq!(line_of_key(text, "touches", "quitter"), Some(5));
        assert_eq!(line_of_key(text, "conseiller", "quitter"), None);
    }

    #[test]
    fn data_dir_order() {
        let mut c = Config::default();
        c.donnees.dossier = Some(PathBuf::from("/from/config"));
        assert_eq!(
            data_dir(Some(Path::new("/flag")), Some("/env"), &c),
            Some(PathBuf::from("/flag"))
        );
        assert_eq!(
            data_dir(None, Some("/env"), &c),
            Some(PathBuf::from("/env"))
        );
        assert_eq!(
            data_dir(None, None, &c),
            Some(PathBuf::from("/from/config"))
        );
        assert_eq!(
            config_source(None, Some("/e.toml")),
            ConfigSource::Explicit(PathBuf::from("/e.toml"))
        );
    }
}
