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
const FORMAT: u32 = 3;
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
    let mut h = Hash64::new(seed);
    h.update(bytes);
    h.finish()
}

const HASH_K: u64 = 0x9E37_79B9_7F4A_7C15;

/// [`hash64`] over bytes that come in pieces (same result as over their
/// concatenation); also a `Write` sink, to hash a serialization without
/// holding it.
pub(crate) struct Hash64 {
    h: u64,
    /// Bytes of an incomplete 8-byte word.
    pending: [u8; 8],
    n_pending: usize,
    len: u64,
}

impl Hash64 {
    pub(crate) fn new(seed: u64) -> Hash64 {
        Hash64 {
            h: seed ^ HASH_K,
            pending: [0; 8],
            n_pending: 0,
            len: 0,
        }
    }

    fn word(&mut self, w: [u8; 8]) {
        self.h = (self.h ^ u64::from_le_bytes(w))
            .wrapping_mul(HASH_K)
            .rotate_left(31);
    }

    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.n_pending > 0 {
            let take = (8 - self.n_pending).min(bytes.len());
            self.pending[self.n_pending..self.n_pending + take].copy_from_slice(&bytes[..take]);
            self.n_pending += take;
            bytes = &bytes[take..];
            if self.n_pending < 8 {
                return;
            }
            self.word(self.pending);
            self.n_pending = 0;
        }
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(w);
        }
        let rest = chunks.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.n_pending = rest.len();
    }

    pub(crate) fn finish(&self) -> u64 {
        let mut h = self.h;
        for &b in &self.pending[..self.n_pending] {
            h = (h ^ u64::from(b)).wrapping_mul(HASH_K).rotate_left(31);
        }
        h ^= self.len;
        h ^= h >> 29;
        h = h.wrapping_mul(HASH_K);
        h ^ (h >> 32)
    }
}

impl std::io::Write for Hash64 {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
    let mut out = Vec::new();
    encode_to(parts, fingerprint, &mut out)?;
    Ok(out)
}

/// [`encode`] written to `out` as it is serialized, never held whole in
/// memory (a 100 000-appellation snapshot is ≈ 35 MB): a first pass only
/// hashes the payload, whose hash the header carries.
pub(crate) fn encode_to(
    parts: &PartsRef<'_>,
    fingerprint: u64,
    out: &mut impl std::io::Write,
) -> Result<(), String> {
    let mut hash = Hash64::new(0);
    options()
        .serialize_into(&mut hash, parts)
        .map_err(|e| e.to_string())?;
    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8..12].copy_from_slice(&FORMAT.to_le_bytes());
    header[12..20].copy_from_slice(&fingerprint.to_le_bytes());
    header[20..28].copy_from_slice(&hash.finish().to_le_bytes());
    out.write_all(&header).map_err(|e| e.to_string())?;
    options()
        .serialize_into(out, parts)
        .map_err(|e| e.to_string())
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

    #[test]
    fn the_hash_of_pieces_is_the_hash_of_the_whole() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7919 % 251) as u8).collect();
        for seed in [0, 42] {
            let whole = hash64(seed, &bytes);
            for cuts in [
                vec![],
                vec![1],
                vec![3, 11],
                vec![7, 8, 9, 500, 999],
                vec![1000],
            ] {
                let mut h = Hash64::new(seed);
                let mut at = 0;
                for c in cuts {
                    h.update(&bytes[at..c]);
                    at = c;
                }
                h.update(&bytes[at..]);
                assert_eq!(h.finish(), whole);
            }
            assert_ne!(hash64(seed, &bytes[..999]), whole);
        }
    }

    #[test]
    fn a_snapshot_written_to_a_sink_is_the_one_in_memory() {
        let c = Catalog::from_assets().unwrap();
        let mut streamed = Vec::new();
        c.write_stored_snapshot(&mut streamed).unwrap();
        assert_eq!(streamed, c.stored_snapshot().unwrap());
        assert!(Catalog::from_stored_snapshot(&streamed).is_some());
    }

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
