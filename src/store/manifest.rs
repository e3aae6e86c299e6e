//! The manifest: a small text file beside the store (`DATA/base.etat`)
//! that records the last durable change (generation) and the number of
//! records of each tree at that moment.
//!
//! sled recovers a store whose files lost their tail *silently* (it opens
//! the older state). Counters kept inside sled roll back with the data,
//! so only a file outside sled can notice: the manifest is replaced
//! atomically after every durable save or batch, and compared at open.

use super::error::{Damage, StoreError};
use super::files::write_atomic;
use crate::domain::Id;
use std::collections::BTreeMap;
use std::path::Path;

/// What the manifest records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub format: u16,
    pub store_id: Id,
    /// Number of write transactions made durable so far.
    pub generation: u64,
    /// Records per counted tree (tree name → count).
    pub counts: BTreeMap<String, u64>,
}

const HEADER: &str = "# Passerelle — état de la base. Ne pas modifier à la main : \
                      ce fichier permet de détecter une base endommagée.";

impl Manifest {
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{HEADER}\nformat = {}\nbase = {}\ngeneration = {}\n",
            self.format, self.store_id, self.generation
        );
        for (k, v) in &self.counts {
            s.push_str(&format!("{k} = {v}\n"));
        }
        s
    }

    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut counts = BTreeMap::new();
        let (mut format, mut id, mut generation) = (None, None, None);
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| format!("ligne {} illisible", n + 1))?;
            let bad = || format!("ligne {} : valeur de « {k} » illisible", n + 1);
            match k {
                "format" => format = Some(v.parse::<u16>().map_err(|_| bad())?),
                "base" => id = Some(v.parse::<Id>().map_err(|_| bad())?),
                "generation" => generation = Some(v.parse::<u64>().map_err(|_| bad())?),
                _ => {
                    counts.insert(k.to_string(), v.parse::<u64>().map_err(|_| bad())?);
                }
            }
        }
        Ok(Manifest {
            format: format.ok_or("« format » manque")?,
            store_id: id.ok_or("« base » manque")?,
            generation: generation.ok_or("« generation » manque")?,
            counts,
        })
    }

    /// Reads the manifest; `Ok(None)` when there is none.
    pub fn read(path: &Path) -> Result<Option<Manifest>, StoreError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Manifest::parse(&text)
                .map(Some)
                .map_err(|what| StoreError::Damaged {
                    path: path.with_extension(""),
                    damage: Damage::Manifest {
                        what: format!(
                            "le fichier d'état {} est illisible ({what})",
                            path.display()
                        ),
                    },
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io(super::error::IoAction::Read, path, e)),
        }
    }

    /// Replaces the manifest atomically (0600).
    pub fn write(&self, path: &Path) -> Result<(), StoreError> {
        write_atomic(path, self.to_text().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let mut m = Manifest {
            format: 2,
            store_id: Id([7; 16]),
            generation: 42,
            counts: BTreeMap::new(),
        };
        m.counts.insert("beneficiaries".into(), 50);
        m.counts.insert("journal".into(), 120);
        assert_eq!(Manifest::parse(&m.to_text()), Ok(m.clone()));
        assert!(Manifest::parse("format = 2\n").is_err());
        let e = Manifest::parse("format = 2\nbase = x\ngeneration = 1\n").unwrap_err();
        assert!(e.contains("ligne 2"), "{e}");
    }
}
