//! The record envelope and the bincode configuration.
//!
//! Every value the store writes is
//! `[format version: u16 big-endian][flags: u8][bincode payload]`.
//!
//! * The version is per record kind ([`Stored::VERSION`]); reading an older
//!   version runs a migration in [`super::legacy`]; an unknown or newer one is
//!   [`StoreError::UnknownVersion`].
//! * Flags: `0` = clear payload. Bit 0 ([`FLAG_ENCRYPTED`]) is reserved for
//!   encryption; any bit set is [`StoreError::UnsupportedFlags`] until a
//!   version knows how to read it.
//! * Payload: bincode 1.3 with [`options`]: `DefaultOptions` = **varint**
//!   integers, little-endian, plus a 64 MiB limit (a corrupted length prefix
//!   cannot make us allocate gigabytes) and `reject_trailing_bytes` (bytes
//!   written by a newer layout are refused instead of silently dropped).
//!   This is *not* the layout of `bincode::serialize` (fixint): changing any
//!   option changes the bytes, so it would be a new format version.

use super::error::StoreError;
use super::kind::RecordKind;
use bincode::Options;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Flags bit reserved for an encrypted payload.
pub const FLAG_ENCRYPTED: u8 = 0b0000_0001;
/// Flags this build can read (none for now: only clear payloads).
pub const KNOWN_FLAGS: u8 = 0;
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
    let payload = options()
        .serialize(value)
        .map_err(|source| StoreError::Encode { kind, source })?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&version.to_be_bytes());
    out.push(flags);
    out.extend_from_slice(&payload);
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

/// Opens an envelope: checks flags, then dispatches on the version.
pub fn decode<T: Stored>(bytes: &[u8]) -> Result<T, StoreError> {
    let (version, flags, payload) = split(T::KIND, bytes)?;
    if flags & !KNOWN_FLAGS != 0 {
        return Err(StoreError::UnsupportedFlags {
            kind: T::KIND,
            flags,
        });
    }
    T::decode_version(version, payload)
}

/// Plain bincode decode of one payload layout (used by the version arms in
/// `legacy`).
pub fn payload<T: DeserializeOwned>(kind: RecordKind, bytes: &[u8]) -> Result<T, StoreError> {
    options()
        .deserialize(bytes)
        .map_err(|source| StoreError::Decode { kind, source })
}
