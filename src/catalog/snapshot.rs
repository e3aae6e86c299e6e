//! Compact serialized form of a built catalogue: its parsed data and its
//! search index, so that a process starts searching without re-parsing the
//! assets nor rebuilding the index (≈ 1 s for 100 000 appellations).
//!
//! Two uses:
//! - the shipped catalogue's snapshot, `assets/catalogue.index`, embedded
//!   with `include_bytes!` (see [`super::Catalog::builtin`]). A unit test
//!   checks it is exactly what the assets build today; regenerate it with
//!   `PASSERELLE_ECRIRE_INDEX=1 cargo test --lib catalog::snapshot`;
//! - an imported referential's snapshot, stored next to its rows in the
//!   store's public `referentiel` tree ([`crate::store::Store::referentiel_index`]).
//!
//! A snapshot is a cache, never the reference: a wrong magic, format,
//! fingerprint or checksum, a decode error or an inconsistent index makes
//! [`decode`] answer `None`, and the caller builds the catalogue from its
//! source as before. Layout: `magic (8) | format u32 LE | fingerprint u64 LE
//! | checksum u64 LE | bincode payload`.
//!
//! Fingerprints: the shipped snapshot is bound to the asset texts
//! ([`assets_fingerprint`]); a stored one to the shipped snapshot's bytes and
//! the assets ([`stored_fingerprint`]), so any change of the index code that
//! changes the shipped snapshot (which the unit test forces to be
//! regenerated) or of the assets also retires every stored snapshot.

use std::sync::OnceLock;

use bincode::Options;
use serde::{Deserialize, Serialize};

use crate::domain::{Appellation, Branch, RomeFiche};

use super::search::{Index, Sigle};
use super::{CatalogInfo, Passerelle};

const MAGIC: &[u8; 8] = b"PSRLIDX\x01";
/// Bump when the payload layout changes.
const FORMAT: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 8 + 8;
/// Largest payload decoded (a 100 000-appellation referential takes ≈ 40 MB).
const LIMIT: u64 = 1 << 30;

/// The shipped catalogue's snapshot.
pub(crate) const EMBEDDED: &[u8] = include_bytes!("../../assets/catalogue.index");

/// What a snapshot holds, borrowed for writing.
#[derive(Serialize)]
pub(crate) struct PartsRef<'a> {
    pub info: &'a CatalogInfo,
    pub fiches: &'a [RomeFiche],
    pub appellations: &'a [Appellation],
    pub branches: &'a [Branch],
    pub passerelles: &'a [Passerelle],
    pub sigles: &'a [Sigle],
    pub index: &'a Index,
}

/// What a snapshot holds, owned after reading (same field order as [`PartsRef`]).
#[derive(Deserialize)]
pub(crate) struct Parts {
    pub info: CatalogInfo,
    pub fiches: Vec<RomeFiche>,
    pub appellations: Vec<Appellation>,
    pub branches: Vec<Branch>,
    pub passerelles: Vec<Passerelle>,
    pub sigles: Vec<Sigle>,
    pub index: Index,
}

fn options() -> impl Options {
    bincode::DefaultOptions::new()
        .with_limit(LIMIT)
        .reject_trailing_bytes()
}

/// A fast 64-bit hash (checksum and fingerprints, not security).
pub(crate) fn hash64(seed: u64, bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = seed ^ K;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(31);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(31);
    }
    h ^= bytes.len() as u64;
    h ^= h >> 29;
    h = h.wrapping_mul(K);
    h ^ (h >> 32)
}

/// Fingerprint of the shipped asset texts and of the snapshot format.
pub(crate) fn assets_fingerprint() -> u64 {
    static FP: OnceLock<u64> = OnceLock::new();
    *FP.get_or_init(|| {
        super::ASSET_TEXTS
            .iter()
            .fold(u64::from(FORMAT), |h, t| hash64(h, t.as_bytes()))
    })
}

/// Fingerprint a stored (imported referential) snapshot must carry.
pub(crate) fn stored_fingerprint() -> u64 {
    static FP: OnceLock<u64> = OnceLock::new();
    *FP.get_or_init(|| hash64(assets_fingerprint(), EMBEDDED))
}

/// Serializes a catalogue's parts under `fingerprint`.
pub(crate) fn encode(parts: &PartsRef<'_>, fingerprint: u64) -> Result<Vec<u8>, String> {
    // The payload is serialized in place after the header (its hash is
    // filled in last): no second copy of a 40 MB snapshot.
    let size = options()
        .serialized_size(parts)
        .map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(HEADER_LEN + usize::try_from(size).unwrap_or(0));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&fingerprint.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    options()
        .serialize_into(&mut out, parts)
        .map_err(|e| e.to_string())?;
    let hash = hash64(0, &out[HEADER_LEN..]);
    out[HEADER_LEN - 8..HEADER_LEN].copy_from_slice(&hash.to_le_bytes());
    Ok(out)
}

/// The parts of a snapshot made under `fingerprint`, when it is intact and
/// consistent; `None` otherwise (the caller rebuilds).
pub(crate) fn decode(bytes: &[u8], fingerprint: u64) -> Option<Parts> {
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return None;
    }
    let u64_at = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let mut f = [0u8; 4];
    f.copy_from_slice(&bytes[8..12]);
    if u32::from_le_bytes(f) != FORMAT || u64_at(12) != fingerprint {
        return None;
    }
    let payload = &bytes[HEADER_LEN..];
    if hash64(0, payload) != u64_at(20) {
        return None;
    }
    let mut parts: Parts = options().deserialize(payload).ok()?;
    if !parts.index.finish(parts.appellations.len()) {
        return None;
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::super::Catalog;
    use super::*;

    /// The embedded snapshot is exactly what the assets build today. After
    /// changing the assets or the index code, regenerate it:
    /// `PASSERELLE_ECRIRE_INDEX=1 cargo test --lib catalog::snapshot`.
    #[test]
    fn embedded_snapshot_is_current() {
        let fresh = Catalog::from_assets().unwrap();
        let bytes = fresh.snapshot(assets_fingerprint()).unwrap();
        if std::env::var_os("PASSERELLE_ECRIRE_INDEX").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/catalogue.index");
            std::fs::write(path, &bytes).unwrap();
            return;
        }
        assert!(
            bytes == EMBEDDED,
            "assets/catalogue.index is stale: regenerate it with \
             PASSERELLE_ECRIRE_INDEX=1 cargo test --lib catalog::snapshot"
        );
    }

    #[test]
    fn decoded_catalogue_searches_like_the_built_one() {
        let fresh = Catalog::from_assets().unwrap();
        let loaded = Catalog::builtin().unwrap();
        assert_eq!(loaded.appellations(), fresh.appellations());
        assert_eq!(loaded.fiches(), fresh.fiches());
        for q in [
            "educ",
            "aide a domicile",
            "tisf",
            "educatuer",
            "K1202",
            "aidsoign",
        ] {
            assert_eq!(loaded.search(q, None, 50), fresh.search(q, None, 50), "{q}");
        }
        assert_eq!(
            loaded.search("anim", Some("ECLAT"), 20),
            fresh.search("anim", Some("ECLAT"), 20)
        );
        assert_eq!(
            loaded.appellations_of("K1202"),
            fresh.appellations_of("K1202")
        );
    }

    #[test]
    fn damaged_or_foreign_snapshots_are_refused() {
        let c = Catalog::builtin_shared().unwrap();
        let good = c.snapshot(7).unwrap();
        assert!(decode(&good, 7).is_some());
        assert!(decode(&good, 8).is_none(), "other fingerprint");
        assert!(decode(&good[..good.len() - 1], 7).is_none(), "cut");
        assert!(decode(&good[..10], 7).is_none(), "header cut");
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x40;
        assert!(decode(&flipped, 7).is_none(), "checksum");
        let mut other = good.clone();
        other[8] = other[8].wrapping_add(1);
        assert!(decode(&other, 7).is_none(), "format");
        assert!(decode(b"", 7).is_none());
    }

    #[test]
    fn an_inconsistent_index_with_a_valid_checksum_is_refused() {
        let c = Catalog::builtin_shared().unwrap();
        // A snapshot whose appellations do not match its index: one dropped.
        let apps = &c.appellations()[1..];
        let parts = PartsRef {
            info: c.info(),
            fiches: c.fiches(),
            appellations: apps,
            branches: &c.branches().list,
            passerelles: c.passerelles(),
            sigles: &c.sigles,
            index: &c.index,
        };
        let bytes = encode(&parts, 3).unwrap();
        assert!(decode(&bytes, 3).is_none());
    }
}
