//! The record envelope and the bincode configuration.
//!
//! Every value the store writes is
//! `[format version: u16 big-endian][flags: u8][bincode payload]`.
//!
//! * The version is per record kind ([`Stored::VERSION`]); reading an older
//!   version runs a migration in [`super::legacy`]; an unknown or newer one is
//!   [`StoreError::UnknownVersion`].
//! * Flags: `0` = clear payload; bit 0 ([`FLAG_ENCRYPTED`]) = the payload
//!   is sealed with the store's data key (XChaCha20-Poly1305, see
//!   [`super::crypto`]): `nonce ++ ciphertext ++ tag`, the record kind and
//!   the version authenticated as associated data. Any other bit is
//!   [`StoreError::UnsupportedFlags`].
//!
//! The [`Codec`] is the single choke point: the `Store` owns one and every
//! record value goes through it, so whether values are encrypted is decided
//! in one place. The free [`encode`] / [`decode`] only handle clear values
//! (public data such as the ROME referential, and tests).
//! * Payload: bincode 1.3 with [`options`]: `DefaultOptions` = **varint**
//!   integers, little-endian, plus a 64 MiB limit (a corrupted length prefix
//!   cannot make us allocate gigabytes) and `reject_trailing_bytes` (bytes
//!   written by a newer layout are refused instead of silently dropped).
//!   This is *not* the layout of `bincode::serialize` (fixint): changing any
//!   option changes the bytes, so it would be a new format version.

use super::crypto::DataKey;
use super::error::StoreError;
use super::kind::RecordKind;
use bincode::Options;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Flags bit reserved for an encrypted payload.
pub const FLAG_ENCRYPTED: u8 = 0b0000_0001;
/// Flags this build can read.
pub const KNOWN_FLAGS: u8 = FLAG_ENCRYPTED;
/// Envelope header length: version (2) + flags (1).
pub const HEADER_LEN: usize = 3;
/// Upper bound on one payload, for encoding and decoding.
pub const LIMIT: u64 = 64 * 1024 * 1024;

/// The one bincode configuration of the store (see the module doc).
pub fn options() -> impl Options {
    bincode::DefaultOptions::new()
        .with_limit(LIMIT)
        .reject_trailing_bytes()
}

/// A type the store persists in an envelope.
pub trait Stored: Serialize + Sized {
    const KIND: RecordKind;
    /// The version written today.
    const VERSION: u16;
    /// Decodes a payload written with `version` (current or older), running
    /// migrations. Implemented in [`super::legacy`].
    fn decode_version(version: u16, payload: &[u8]) -> Result<Self, StoreError>;
    /// Personal or working data, encrypted in an encrypted store; false for
    /// public reference data (the ROME referential), kept clear so that
    /// `metiers` works without the passphrase.
    const CONFIDENTIAL: bool = true;
}

/// Wraps a value in the current envelope.
pub fn encode<T: Stored>(value: &T) -> Result<Vec<u8>, StoreError> {
    encode_with(T::KIND, T::VERSION, 0, value)
}

/// Wraps a value with an explicit version and flags (tests, migrations).
pub fn encode_with<T: Serialize>(
    kind: RecordKind,
    version: u16,
    flags: u8,
    value: &T,
) -> Result<Vec<u8>, StoreError> {
    // Serialized straight after the header: no copy of a large payload.
    serialize_after(kind, envelope_header(version, flags), value)
}

/// The envelope's header, in a buffer the payload is then written to.
fn envelope_header(version: u16, flags: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + 64);
    out.extend_from_slice(&version.to_be_bytes());
    out.push(flags);
    out
}

/// Serializes `value` (with [`options`]) at the end of `out`.
fn serialize_after<W: std::io::Write, T: Serialize>(
    kind: RecordKind,
    mut out: W,
    value: &T,
) -> Result<W, StoreError> {
    options()
        .serialize_into(&mut out, value)
        .map_err(|source| StoreError::Encode { kind, source })?;
    Ok(out)
}

/// Flags bit of a payload compressed with deflate (large public values:
/// the referential's rows). Never combined with encryption.
pub const FLAG_DEFLATE: u8 = 0b0000_0010;

/// Wraps a value in an envelope whose payload is deflate-compressed
/// ([`FLAG_DEFLATE`]), serialized straight into the compressor. Read with
/// [`inflate`].
pub fn encode_compressed<T: Serialize>(
    kind: RecordKind,
    version: u16,
    value: &T,
) -> Result<Vec<u8>, StoreError> {
    let z = flate2::write::DeflateEncoder::new(
        envelope_header(version, FLAG_DEFLATE),
        flate2::Compression::fast(),
    );
    serialize_after(kind, z, value)?
        .finish()
        .map_err(|e| StoreError::Encode {
            kind,
            source: Box::new(bincode::ErrorKind::Io(e)),
        })
}

/// The payload of a [`encode_compressed`] envelope, decompressed (at most
/// [`LIMIT`] bytes).
pub fn inflate(kind: RecordKind, payload: &[u8]) -> Result<Vec<u8>, StoreError> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(payload)
        .take(LIMIT + 1)
        .read_to_end(&mut out)
        .map_err(|_| StoreError::Corrupt {
            kind,
            detail: "contenu compressé illisible".into(),
        })?;
    if out.len() as u64 > LIMIT {
        return Err(StoreError::Corrupt {
            kind,
            detail: "contenu compressé trop grand".into(),
        });
    }
    Ok(out)
}

/// Splits an envelope into `(version, flags, payload)`.
pub fn split(kind: RecordKind, bytes: &[u8]) -> Result<(u16, u8, &[u8]), StoreError> {
    if bytes.len() < HEADER_LEN {
        return Err(StoreError::Corrupt {
            kind,
            detail: format!("valeur de {} octet(s), en-tête incomplet", bytes.len()),
        });
    }
    let version = u16::from_be_bytes([bytes[0], bytes[1]]);
    Ok((version, bytes[2], &bytes[HEADER_LEN..]))
}

/// Opens a clear envelope: checks flags, then dispatches on the version.
/// An encrypted one is [`StoreError::KeyRequired`] (use a [`Codec`]).
pub fn decode<T: Stored>(bytes: &[u8]) -> Result<T, StoreError> {
    let (version, flags, payload) = split(T::KIND, bytes)?;
    if flags & !KNOWN_FLAGS != 0 {
        return Err(StoreError::UnsupportedFlags {
            kind: T::KIND,
            flags,
        });
    }
    if flags & FLAG_ENCRYPTED != 0 {
        return Err(StoreError::KeyRequired);
    }
    T::decode_version(version, payload)
}

/// Associated data of a sealed payload: the kind and the version, so a
/// value cannot be moved to another kind or version unnoticed.
fn aad(kind: RecordKind, version: u16) -> [u8; 3] {
    let v = version.to_be_bytes();
    [kind.code(), v[0], v[1]]
}

/// Seals the payload of a clear envelope (`kind` is the tree's kind);
/// an already sealed one is returned as is.
pub fn seal_envelope(key: &DataKey, kind: RecordKind, bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    let (version, flags, payload) = split(kind, bytes)?;
    if flags & FLAG_ENCRYPTED != 0 {
        return Ok(bytes.to_vec());
    }
    let sealed = key
        .seal(&aad(kind, version), payload)
        .map_err(|_| StoreError::Corrupt {
            kind,
            detail: "chiffrement impossible".into(),
        })?;
    let mut out = Vec::with_capacity(HEADER_LEN + sealed.len());
    out.extend_from_slice(&version.to_be_bytes());
    out.push(flags | FLAG_ENCRYPTED);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The store's codec: encodes and decodes every record value, sealing
/// confidential kinds when the store is encrypted. Holds the data key
/// while the store is unlocked; [`Codec::forget_key`] drops (and zeroizes)
/// it.
#[derive(Debug, Default)]
pub struct Codec {
    key: std::sync::RwLock<Option<DataKey>>,
    /// The store is encrypted: confidential values are sealed, and reading
    /// one needs the key.
    encrypted: std::sync::atomic::AtomicBool,
}

impl Codec {
    /// A codec for a clear store.
    pub fn clear() -> Codec {
        Codec::default()
    }

    /// A codec for an encrypted store, locked until [`Codec::set_key`].
    pub fn encrypted(key: Option<DataKey>) -> Codec {
        let c = Codec::default();
        c.encrypted.store(true, std::sync::atomic::Ordering::SeqCst);
        *c.key.write().unwrap_or_else(|p| p.into_inner()) = key;
        c
    }

    pub fn is_encrypted(&self) -> bool {
        self.encrypted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Encrypted and without its key.
    pub fn is_locked(&self) -> bool {
        self.is_encrypted() && self.key.read().map_or(true, |k| k.is_none())
    }

    pub fn set_key(&self, key: DataKey) {
        *self.key.write().unwrap_or_else(|p| p.into_inner()) = Some(key);
        self.encrypted
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Drops the data key (idle lock): reading or writing a confidential
    /// value is then [`StoreError::KeyRequired`].
    pub fn forget_key(&self) {
        *self.key.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// A copy of the data key, when unlocked (migrations, backups).
    pub(crate) fn key(&self) -> Option<DataKey> {
        self.key.read().ok().and_then(|k| k.clone())
    }

    /// Wraps a value in the current envelope, sealed when it must be.
    pub fn encode<T: Stored>(&self, value: &T) -> Result<Vec<u8>, StoreError> {
        let clear = encode(value)?;
        if !(T::CONFIDENTIAL && self.is_encrypted()) {
            return Ok(clear);
        }
        let key = self.key().ok_or(StoreError::KeyRequired)?;
        seal_envelope(&key, T::KIND, &clear)
    }

    /// Opens an envelope, sealed or clear.
    pub fn decode<T: Stored>(&self, bytes: &[u8]) -> Result<T, StoreError> {
        let (version, flags, payload) = split(T::KIND, bytes)?;
        if flags & !KNOWN_FLAGS != 0 {
            return Err(StoreError::UnsupportedFlags {
                kind: T::KIND,
                flags,
            });
        }
        if flags & FLAG_ENCRYPTED == 0 {
            return T::decode_version(version, payload);
        }
        let key = self.key().ok_or(StoreError::KeyRequired)?;
        let plain = key
            .open(&aad(T::KIND, version), payload)
            .map_err(|_| StoreError::Corrupt {
                kind: T::KIND,
                detail: "contenu chiffré altéré (authentification en échec)".into(),
            })?;
        T::decode_version(version, &plain)
    }
}

/// Plain bincode decode of one payload layout (used by the version arms in
/// `legacy`).
pub fn payload<T: DeserializeOwned>(kind: RecordKind, bytes: &[u8]) -> Result<T, StoreError> {
    options()
        .deserialize(bytes)
        .map_err(|source| StoreError::Decode { kind, source })
}
