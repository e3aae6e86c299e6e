//! The imported ROME referential, in the public `referentiel` tree.
//!
//! Layout 2 (written today), a few large values instead of one key per
//! row:
//!
//! | key | value |
//! |---|---|
//! | `h` | envelope version 2: [`ReferentielLayout`] (label, counts, generation, sizes and CRCs) |
//! | `g` ++ generation u32 BE ++ `r` ++ chunk u32 BE | chunk of the rows blob: envelope of [`ReferentielRows`], its payload deflate-compressed |
//! | `g` ++ generation u32 BE ++ `s` ++ chunk u32 BE | chunk of the catalogue snapshot (search index) |
//!
//! Layout 1 (read, never written): `h` (envelope version 1:
//! [`ReferentielHeader`]), `f`/`a` ++ u32 BE one key per fiche /
//! appellation, `i` ++ u32 BE chunks of the snapshot.
//!
//! A replacement ([`ReferentielWriter`]) writes the new chunks under a
//! fresh generation, several small writes, then flushes; only then does
//! one transaction point `h` to them and set the counter and the store's
//! generation. A crash or an error before that switch leaves the previous
//! referential in force: the new generation's chunks are ignored, and
//! removed by the next import. The previous generation's (or layout 1's)
//! keys are removed after the switch. So sled never holds 100 000 new keys
//! in one batch (the 600 MB peak of layout 1), and the referential counter
//! counts fiches and appellations, not keys.
//!
//! The rows are the truth; the snapshot is a cache: a damaged snapshot is
//! ignored (the catalogue is rebuilt from the rows), damaged rows are a
//! clear error.

use super::codec::{encode_compressed, encode_with};
use super::error::StoreError;
use super::kind::RecordKind;
use super::legacy::{
    current, decode_referentiel_head, decode_referentiel_rows, BlobInfo, ReferentielHead,
    ReferentielHeader, ReferentielLayout, ReferentielRowsRef,
};
use super::{count_key, decode, u64_of, Store, GEN_KEY, META, REFERENTIEL_TREE};
use crate::domain::{Appellation, Referentiel, RomeFiche};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

/// Key of the header (both layouts).
const HEAD_KEY: &[u8] = b"h";
/// Prefix of the layout 2 chunks.
const GEN_PREFIX: u8 = b'g';
/// Part of a generation holding the rows blob.
const ROWS_PART: u8 = b'r';
/// Part of a generation holding the catalogue snapshot.
const INDEX_PART: u8 = b's';
/// Size of the values the blobs are cut into: small enough that sled's
/// leaves (16 values at most) stay small (1 MiB chunks made 16 MiB leaves
/// rewritten whole, and 2 MB more at the import's peak), large enough to
/// keep the keys few (≈ 550 for a 100 000-appellation snapshot).
pub(crate) const CHUNK: usize = 1 << 16;
/// Keys removed per batch when an old generation is cleared.
const REMOVE_BATCH: usize = 10_000;

const K: RecordKind = RecordKind::Referentiel;

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        kind: K,
        detail: detail.into(),
    }
}

fn chunk_key(generation: u32, part: u8, n: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(10);
    k.push(GEN_PREFIX);
    k.extend_from_slice(&generation.to_be_bytes());
    k.push(part);
    k.extend_from_slice(&n.to_be_bytes());
    k
}

/// The generation of a layout 2 chunk key.
fn generation_of(key: &[u8]) -> Option<u32> {
    match key {
        [GEN_PREFIX, a, b, c, d, ..] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

/// Why a blob could not be put back together, or `Ok` with its bytes.
fn read_blob(
    tree: &sled::Tree,
    generation: u32,
    part: u8,
    info: &BlobInfo,
) -> Result<Result<Vec<u8>, String>, StoreError> {
    let Ok(len) = usize::try_from(info.len) else {
        return Ok(Err("taille annoncée impossible".into()));
    };
    let mut out = Vec::with_capacity(len.min(1 << 30));
    for n in 0..info.chunks {
        match tree.get(chunk_key(generation, part, n))? {
            Some(v) => out.extend_from_slice(&v),
            None => {
                return Ok(Err(format!(
                    "morceau {} sur {} manquant",
                    n + 1,
                    info.chunks
                )))
            }
        }
    }
    if out.len() != len {
        return Ok(Err(format!("{} octets au lieu de {}", out.len(), info.len)));
    }
    if crc32(&out) != info.crc {
        return Ok(Err("contenu altéré (somme de contrôle différente)".into()));
    }
    Ok(Ok(out))
}

impl Store {
    /// The referential's header, if one is stored.
    pub(crate) fn referentiel_head(&self) -> Result<Option<ReferentielHead>, StoreError> {
        match self.referentiel.get(HEAD_KEY)? {
            None => Ok(None),
            Some(h) => decode_referentiel_head(&h).map(Some),
        }
    }

    /// Whether a referential is stored (its header is present).
    pub fn referentiel_stored(&self) -> Result<bool, StoreError> {
        Ok(self.referentiel.contains_key(HEAD_KEY)?)
    }

    /// The imported referential, if any.
    pub fn referentiel(&self) -> Result<Option<Referentiel>, StoreError> {
        match self.referentiel_head()? {
            None => Ok(None),
            Some(ReferentielHead::Rows(h)) => self.referentiel_layout_1(h).map(Some),
            Some(ReferentielHead::Chunks(l)) => {
                let blob = read_blob(&self.referentiel, l.generation, ROWS_PART, &l.rows)?
                    .map_err(|why| corrupt(format!("lignes du référentiel : {why}")))?;
                let rows = decode_referentiel_rows(&blob)?;
                if rows.fiches.len() != l.fiches as usize
                    || rows.appellations.len() != l.appellations as usize
                {
                    return Err(corrupt("nombre de lignes différent de l'en-tête"));
                }
                Ok(Some(Referentiel {
                    version: l.version,
                    fiches: rows.fiches,
                    appellations: rows.appellations,
                }))
            }
        }
    }

    /// Layout 1: one key per row.
    fn referentiel_layout_1(&self, header: ReferentielHeader) -> Result<Referentiel, StoreError> {
        let fiches = self
            .referentiel
            .scan_prefix(b"f")
            .map(|kv| decode::<RomeFiche>(&kv?.1))
            .collect::<Result<Vec<_>, _>>()?;
        let appellations = self
            .referentiel
            .scan_prefix(b"a")
            .map(|kv| decode::<Appellation>(&kv?.1))
            .collect::<Result<Vec<_>, _>>()?;
        if fiches.len() != header.fiches as usize
            || appellations.len() != header.appellations as usize
        {
            return Err(corrupt("nombre de lignes différent de l'en-tête"));
        }
        Ok(Referentiel {
            version: header.version,
            fiches,
            appellations,
        })
    }

    /// The catalogue snapshot stored with the imported referential (its
    /// chunks put back together), if any. Reads only those keys. A
    /// damaged snapshot is `None` (logged): it is only a cache, the
    /// catalogue is then rebuilt from the rows.
    pub fn referentiel_index(&self) -> Result<Option<Vec<u8>>, StoreError> {
        match self.referentiel_head()? {
            None => Ok(None),
            Some(ReferentielHead::Rows(_)) => {
                let mut out = Vec::new();
                for kv in self.referentiel.scan_prefix(b"i") {
                    out.extend_from_slice(&kv?.1);
                }
                Ok((!out.is_empty()).then_some(out))
            }
            Some(ReferentielHead::Chunks(l)) if l.index.len == 0 => Ok(None),
            Some(ReferentielHead::Chunks(l)) => {
                match read_blob(&self.referentiel, l.generation, INDEX_PART, &l.index)? {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(why) => {
                        tracing::warn!("stored catalogue snapshot damaged ({why}): not used");
                        Ok(None)
                    }
                }
            }
        }
    }

    /// What the referential's counter should say: fiches plus
    /// appellations of the header in force (0 without one). For a layout 1
    /// store, also its number of keys: what the counter said then.
    pub(crate) fn referentiel_counted(&self) -> Result<(u64, Option<u64>), StoreError> {
        Ok(match self.referentiel_head()? {
            None => (0, None),
            Some(ReferentielHead::Rows(h)) => {
                // Its keys, not the chunks an interrupted import left.
                let orphans = self.referentiel.scan_prefix([GEN_PREFIX]).count();
                (
                    u64::from(h.fiches) + u64::from(h.appellations),
                    Some(self.referentiel.len().saturating_sub(orphans) as u64),
                )
            }
            Some(ReferentielHead::Chunks(l)) => {
                (u64::from(l.fiches) + u64::from(l.appellations), None)
            }
        })
    }

    /// Problems of the stored referential beyond its rows (which
    /// [`Store::referentiel`] checks): a damaged snapshot, in French.
    pub(crate) fn referentiel_index_problem(&self) -> Result<Option<String>, StoreError> {
        let Some(ReferentielHead::Chunks(l)) = self.referentiel_head()? else {
            return Ok(None);
        };
        if l.index.len == 0 {
            return Ok(None);
        }
        Ok(
            read_blob(&self.referentiel, l.generation, INDEX_PART, &l.index)?
                .err()
                .map(|why| {
                    format!(
                        "index de recherche du référentiel ROME endommagé ({why}) : la recherche \
                         le reconstruit à chaque lancement, « verifier --reparer » le retire"
                    )
                }),
        )
    }

    /// Removes a damaged snapshot (the header then names none): searching
    /// rebuilds the index from the rows. `true` when one was removed. The
    /// caller holds the write lock and flushes.
    pub(crate) fn drop_damaged_referentiel_index(&self) -> Result<bool, StoreError> {
        if self.referentiel_index_problem()?.is_none() {
            return Ok(false);
        }
        let Some(ReferentielHead::Chunks(mut l)) = self.referentiel_head()? else {
            return Ok(false);
        };
        let mut batch = sled::Batch::default();
        for n in 0..l.index.chunks {
            batch.remove(chunk_key(l.generation, INDEX_PART, n));
        }
        l.index = BlobInfo::default();
        batch.insert(HEAD_KEY, encode_with(K, current::REFERENTIEL, 0, &l)?);
        self.referentiel.apply_batch(batch)?;
        Ok(true)
    }

    /// Replaces the stored referential (no catalogue snapshot), then
    /// flushes. See [`ReferentielWriter`].
    pub fn save_referentiel(&self, r: &Referentiel) -> Result<(), StoreError> {
        self.save_referentiel_indexed(r, &[])
    }

    /// [`Store::save_referentiel`] with the catalogue snapshot built from it
    /// (`catalog::Catalog::stored_snapshot`, empty for none), kept in the
    /// same public tree: [`Store::referentiel_index`] reads it back so
    /// that searching needs no rebuild.
    pub fn save_referentiel_indexed(
        &self,
        r: &Referentiel,
        index: &[u8],
    ) -> Result<(), StoreError> {
        let mut w = self.referentiel_writer()?;
        w.put_rows(EncodedRows::new(r)?)?;
        w.put_index(index)?;
        w.commit()
    }

    /// Starts replacing the stored referential: see [`ReferentielWriter`].
    /// Takes the store's write lock until the writer is dropped; removes
    /// the chunks an interrupted import left.
    pub fn referentiel_writer(&self) -> Result<ReferentielWriter<'_>, StoreError> {
        let guard = self.lock();
        self.spend_write()?;
        // A damaged header must not block the import that replaces it.
        let in_force = match self.referentiel_head() {
            Ok(Some(ReferentielHead::Chunks(l))) => Some(l.generation),
            _ => None,
        };
        let mut last = in_force.unwrap_or(0);
        let mut stale = sled::Batch::default();
        let mut n_stale = 0usize;
        for kv in self.referentiel.scan_prefix([GEN_PREFIX]) {
            let k = kv?.0;
            let Some(g) = generation_of(&k) else { continue };
            last = last.max(g);
            if Some(g) != in_force {
                stale.remove(k);
                n_stale += 1;
            }
        }
        if n_stale > 0 {
            tracing::info!("{n_stale} chunk(s) of an interrupted referential import removed");
            self.referentiel.apply_batch(stale)?;
        }
        let generation = last
            .checked_add(1)
            .ok_or_else(|| corrupt("numéro de génération épuisé"))?;
        Ok(ReferentielWriter {
            store: self,
            _guard: guard,
            generation,
            head: None,
            index: BlobInfo::default(),
        })
    }
}

/// The rows of a referential encoded for the store (compressed: a
/// tenth of their size in memory), so that the referential itself can be
/// dropped, or moved into a catalogue, before they are written.
pub struct EncodedRows {
    version: String,
    fiches: u32,
    appellations: u32,
    blob: Vec<u8>,
}

impl EncodedRows {
    pub fn new(r: &Referentiel) -> Result<EncodedRows, StoreError> {
        let too_big = || corrupt("trop de lignes");
        let fiches = u32::try_from(r.fiches.len()).map_err(|_| too_big())?;
        let appellations = u32::try_from(r.appellations.len()).map_err(|_| too_big())?;
        let blob = encode_compressed(
            K,
            current::REFERENTIEL_ROWS,
            &ReferentielRowsRef {
                fiches: &r.fiches,
                appellations: &r.appellations,
            },
        )?;
        Ok(EncodedRows {
            version: r.version.clone(),
            fiches,
            appellations,
            blob,
        })
    }

    /// Bytes of the encoded rows.
    pub fn len(&self) -> usize {
        self.blob.len()
    }

    pub fn is_empty(&self) -> bool {
        self.blob.is_empty()
    }
}

/// Replaces the stored referential in steps, so that neither the store
/// nor the caller holds everything at once: [`ReferentielWriter::put_rows`]
/// ([`EncodedRows`]) and [`ReferentielWriter::put_index`] (the snapshot),
/// in any order, then [`ReferentielWriter::commit`], the switch. Dropped without
/// `commit` (an error, a crash), it leaves the previous referential in
/// force.
pub struct ReferentielWriter<'a> {
    store: &'a Store,
    _guard: std::sync::MutexGuard<'a, ()>,
    generation: u32,
    /// Label, counts and the rows blob, once written.
    head: Option<(String, u32, u32, BlobInfo)>,
    index: BlobInfo,
}

impl<'a> ReferentielWriter<'a> {
    /// Writes one chunk of a blob under this writer's generation.
    fn put_chunk(&self, part: u8, n: u32, chunk: &[u8]) -> Result<(), StoreError> {
        self.store.spend_write()?;
        self.store
            .referentiel
            .insert(chunk_key(self.generation, part, n), chunk)?;
        Ok(())
    }

    /// Writes the chunks of one blob under this writer's generation.
    fn put_blob(&self, part: u8, bytes: &[u8]) -> Result<BlobInfo, StoreError> {
        let mut chunks = 0u32;
        for (n, chunk) in bytes.chunks(CHUNK).enumerate() {
            let n = u32::try_from(n).map_err(|_| corrupt("trop de morceaux"))?;
            self.put_chunk(part, n, chunk)?;
            chunks = n + 1;
        }
        Ok(BlobInfo {
            len: bytes.len() as u64,
            chunks,
            crc: crc32(bytes),
        })
    }

    /// Writes the referential's rows (not yet in force).
    pub fn put_rows(&mut self, rows: EncodedRows) -> Result<(), StoreError> {
        let info = self.put_blob(ROWS_PART, &rows.blob)?;
        self.head = Some((rows.version, rows.fiches, rows.appellations, info));
        Ok(())
    }

    /// Writes the catalogue snapshot (empty: none).
    pub fn put_index(&mut self, index: &[u8]) -> Result<(), StoreError> {
        let mut sink = self.index_sink();
        sink.push(index)?;
        sink.finish()
    }

    /// A `Write` sink for the catalogue snapshot, stored chunk by chunk as
    /// it is written (it is never held whole): see [`IndexSink`].
    pub fn index_sink(&mut self) -> IndexSink<'_, 'a> {
        IndexSink {
            buf: Vec::with_capacity(CHUNK),
            info: BlobInfo::default(),
            crc: flate2::Crc::new(),
            error: None,
            writer: self,
        }
    }

    /// Flushes the new chunks, then puts them in force in one transaction
    /// (header, counter, generation), flushes again (the manifest follows),
    /// and removes the previous referential's keys.
    pub fn commit(self) -> Result<(), StoreError> {
        let store = self.store;
        let Some((version, fiches, appellations, rows)) = self.head.clone() else {
            return Err(corrupt("import sans lignes"));
        };
        store.spend_write()?;
        // The chunks are durable before anything points to them.
        store.db.flush()?;
        let layout = ReferentielLayout {
            version,
            fiches,
            appellations,
            generation: self.generation,
            rows,
            index: self.index,
        };
        let head = encode_with(K, current::REFERENTIEL, 0, &layout)?;
        let count = (u64::from(fiches) + u64::from(appellations)).to_be_bytes();
        (&store.referentiel, &store.tx_trees[META])
            .transaction(|(r, meta)| {
                r.insert(HEAD_KEY, head.as_slice())?;
                meta.insert(count_key(REFERENTIEL_TREE), &count)?;
                let g = u64_of(meta.get(GEN_KEY)?) + 1;
                meta.insert(GEN_KEY, &g.to_be_bytes())?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(|e| match e {
                TransactionError::Abort(e) => e,
                TransactionError::Storage(e) => StoreError::from(e),
            })?;
        store.flush()?;
        // The new referential is durable and in force: what is left of
        // the previous one is garbage, removed now (or by the next import
        // if this fails).
        if let Err(e) = self.remove_others() {
            tracing::warn!(
                "previous referential not entirely removed: {}",
                e.log_detail()
            );
        }
        Ok(())
    }

    /// Removes every key but the header and this generation's chunks.
    fn remove_others(&self) -> Result<(), StoreError> {
        let tree = &self.store.referentiel;
        let mine = |k: &[u8]| k == HEAD_KEY || generation_of(k) == Some(self.generation);
        loop {
            let mut batch = sled::Batch::default();
            let mut n = 0;
            for kv in tree.iter() {
                let k = kv?.0;
                if !mine(&k) {
                    batch.remove(k);
                    n += 1;
                    if n == REMOVE_BATCH {
                        break;
                    }
                }
            }
            if n == 0 {
                break;
            }
            tree.apply_batch(batch)?;
        }
        self.store.db.flush()?;
        Ok(())
    }
}

/// The catalogue snapshot of a [`ReferentielWriter`], written chunk by
/// chunk as it comes (`std::io::Write`). [`IndexSink::finish`] records it;
/// [`IndexSink::abandon`] (a snapshot that could not be made: it is only
/// a cache) removes what was written and records none. A store error met
/// while writing is kept, and returned by both.
pub struct IndexSink<'w, 'a> {
    writer: &'w mut ReferentielWriter<'a>,
    buf: Vec<u8>,
    info: BlobInfo,
    crc: flate2::Crc,
    error: Option<StoreError>,
}

impl IndexSink<'_, '_> {
    /// Appends bytes, storing each full chunk.
    fn push(&mut self, mut bytes: &[u8]) -> Result<(), StoreError> {
        while !bytes.is_empty() {
            let take = (CHUNK - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buf.len() == CHUNK {
                self.store_chunk()?;
            }
        }
        Ok(())
    }

    fn store_chunk(&mut self) -> Result<(), StoreError> {
        let n = self.info.chunks;
        self.writer.put_chunk(INDEX_PART, n, &self.buf)?;
        self.crc.update(&self.buf);
        self.info.len += self.buf.len() as u64;
        self.info.chunks = n
            .checked_add(1)
            .ok_or_else(|| corrupt("trop de morceaux"))?;
        self.buf.clear();
        Ok(())
    }

    /// Stores the last chunk and records the snapshot in the writer.
    pub fn finish(mut self) -> Result<(), StoreError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if !self.buf.is_empty() {
            self.store_chunk()?;
        }
        self.info.crc = self.crc.sum();
        self.writer.index = self.info;
        Ok(())
    }

    /// Removes the chunks written so far; the writer records no snapshot.
    pub fn abandon(mut self) -> Result<(), StoreError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut batch = sled::Batch::default();
        for n in 0..self.info.chunks {
            batch.remove(chunk_key(self.writer.generation, INDEX_PART, n));
        }
        self.writer.store.referentiel.apply_batch(batch)?;
        self.writer.index = BlobInfo::default();
        Ok(())
    }
}

impl std::io::Write for IndexSink<'_, '_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            return Err(std::io::Error::other("écriture du référentiel en échec"));
        }
        match self.push(bytes) {
            Ok(()) => Ok(bytes.len()),
            Err(e) => {
                self.error = Some(e);
                Err(std::io::Error::other("écriture du référentiel en échec"))
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
