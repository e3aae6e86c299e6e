//! Encryption at rest.
//!
//! - A random **data key** (256 bits) encrypts every personal record with
//!   XChaCha20-Poly1305 (a fresh 192-bit random nonce per value; the record
//!   kind and envelope version are authenticated as associated data, so a
//!   value cannot be moved to another kind unnoticed).
//! - The data key is stored **wrapped** (encrypted with the same AEAD) under
//!   a key derived from the advisor's passphrase with Argon2id; the salt and
//!   the Argon2 parameters are stored beside it ([`KeyFile`], in the store's
//!   meta tree). A wrong passphrase fails the unwrap's authentication: it is
//!   detected without touching any record.
//! - Changing the passphrase re-wraps the data key: one small value is
//!   replaced, records are not rewritten, so an interruption leaves either
//!   the old or the new passphrase working.
//! - Secrets (passphrases, derived and data keys) are zeroized when dropped
//!   and never formatted (`Debug` prints `***`).

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// A passphrase, zeroized on drop.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(s.into()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// A passphrase read from a file or the environment: one trailing line
    /// break is not part of it.
    pub fn from_line(mut s: String) -> Secret {
        if s.ends_with('\n') {
            s.pop();
            if s.ends_with('\r') {
                s.pop();
            }
        }
        let secret = Secret::new(s.as_str());
        s.zeroize();
        secret
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The key that encrypts the records, zeroized on drop.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(***)")
    }
}

/// Why a cryptographic step failed (French messages for the advisor).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("phrase secrète incorrecte")]
    WrongPassphrase,
    #[error("donnée chiffrée altérée ou clé incorrecte")]
    Tampered,
    #[error("paramètres de chiffrement invalides")]
    BadParams,
}

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// The production setting: 64 MiB, 3 passes, 1 lane — about half a
    /// second on a recent laptop (see README for the measured figure).
    pub const DEFAULT: KdfParams = KdfParams {
        m_cost: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// Cheap parameters for tests only (never chosen by a release build).
    pub const FAST_FOR_TESTS: KdfParams = KdfParams {
        m_cost: 64,
        t_cost: 1,
        p_cost: 1,
    };

    /// The parameters new stores get: [`KdfParams::DEFAULT`], or the test
    /// ones when a debug build runs with `PASSERELLE_TEST_KDF_RAPIDE` set.
    pub fn for_new_store() -> KdfParams {
        #[cfg(debug_assertions)]
        if std::env::var_os("PASSERELLE_TEST_KDF_RAPIDE").is_some() {
            return KdfParams::FAST_FOR_TESTS;
        }
        KdfParams::DEFAULT
    }
}

/// What the store keeps to unlock: salt, parameters, the wrapped data key.
/// No secret in clear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    pub version: u16,
    pub salt: [u8; 16],
    pub params: KdfParams,
    pub nonce: [u8; 24],
    /// The data key encrypted under the passphrase key (32 bytes + tag).
    pub wrapped: Vec<u8>,
}

const KEYFILE_AAD: &[u8] = b"passerelle:cle-des-donnees:v1";

fn derive(
    passphrase: &Secret,
    salt: &[u8; 16],
    p: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let params =
        Params::new(p.m_cost, p.t_cost, p.p_cost, Some(32)).map_err(|_| CryptoError::BadParams)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase.expose().as_bytes(), salt, out.as_mut())
        .map_err(|_| CryptoError::BadParams)?;
    Ok(out)
}

fn random<const N: usize>() -> [u8; N] {
    use chacha20poly1305::aead::rand_core::RngCore;
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

fn wrap(data: &DataKey, passphrase: &Secret, params: KdfParams) -> Result<KeyFile, CryptoError> {
    let salt: [u8; 16] = random();
    let kek = derive(passphrase, &salt, params)?;
    let cipher =
        XChaCha20Poly1305::new_from_slice(kek.as_ref()).map_err(|_| CryptoError::BadParams)?;
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let wrapped = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: data.0.as_ref(),
                aad: KEYFILE_AAD,
            },
        )
        .map_err(|_| CryptoError::BadParams)?;
    let mut n = [0u8; 24];
    n.copy_from_slice(&nonce);
    Ok(KeyFile {
        version: 1,
        salt,
        params,
        nonce: n,
        wrapped,
    })
}

impl KeyFile {
    /// A new random data key, wrapped under `passphrase`.
    pub fn create(
        passphrase: &Secret,
        params: KdfParams,
    ) -> Result<(KeyFile, DataKey), CryptoError> {
        let key = DataKey(Zeroizing::new(random()));
        Ok((wrap(&key, passphrase, params)?, key))
    }

    /// Unwraps the data key; [`CryptoError::WrongPassphrase`] when the
    /// passphrase is not the one the key was wrapped with.
    pub fn unlock(&self, passphrase: &Secret) -> Result<DataKey, CryptoError> {
        let kek = derive(passphrase, &self.salt, self.params)?;
        let cipher =
            XChaCha20Poly1305::new_from_slice(kek.as_ref()).map_err(|_| CryptoError::BadParams)?;
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&self.nonce),
                    Payload {
                        msg: &self.wrapped,
                        aad: KEYFILE_AAD,
                    },
                )
                .map_err(|_| CryptoError::WrongPassphrase)?,
        );
        let mut key = Zeroizing::new([0u8; 32]);
        if plain.len() != 32 {
            return Err(CryptoError::Tampered);
        }
        key.copy_from_slice(&plain);
        Ok(DataKey(key))
    }

    /// The same data key wrapped under a new passphrase (new salt).
    pub fn rewrap(
        &self,
        old: &Secret,
        new: &Secret,
        params: KdfParams,
    ) -> Result<KeyFile, CryptoError> {
        let key = self.unlock(old)?;
        wrap(&key, new, params)
    }
}

/// Length of the nonce that starts every sealed value.
pub const NONCE_LEN: usize = 24;

impl DataKey {
    /// Encrypts `plain`; the result is `nonce ++ ciphertext ++ tag`.
    pub fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let cipher = XChaCha20Poly1305::new_from_slice(self.0.as_ref())
            .map_err(|_| CryptoError::BadParams)?;
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct = cipher
            .encrypt(&nonce, Payload { msg: plain, aad })
            .map_err(|_| CryptoError::BadParams)?;
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts what [`DataKey::seal`] produced with the same `aad`.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(CryptoError::Tampered);
        }
        let cipher = XChaCha20Poly1305::new_from_slice(self.0.as_ref())
            .map_err(|_| CryptoError::BadParams)?;
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Tampered)
    }
}

/// The minimum strength of a passphrase, explained in French when it is not
/// met: at least 12 characters, not a single repeated character or a run of
/// digits, and at least two kinds of characters or three words.
pub fn check_strength(passphrase: &str) -> Result<(), String> {
    const ADVICE: &str = "une phrase de quatre mots ou plus, facile à retenir pour vous et \
                          difficile à deviner (« le chat dort sur 3 coussins verts »), est \
                          plus sûre qu'un mot compliqué";
    let n = passphrase.chars().count();
    if n < 12 {
        return Err(format!(
            "phrase secrète trop courte ({n} caractère{}, 12 au moins) : {ADVICE}",
            if n > 1 { "s" } else { "" }
        ));
    }
    let distinct: std::collections::BTreeSet<char> = passphrase.chars().collect();
    if distinct.len() < 5 {
        return Err(format!("phrase secrète trop répétitive : {ADVICE}"));
    }
    let words = passphrase.split_whitespace().count();
    let kinds = [
        passphrase.chars().any(|c| c.is_lowercase()),
        passphrase.chars().any(|c| c.is_uppercase()),
        passphrase.chars().any(|c| c.is_ascii_digit()),
        passphrase
            .chars()
            .any(|c| !c.is_alphanumeric() && !c.is_whitespace()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    if words < 3 && kinds < 2 {
        return Err(format!(
            "phrase secrète trop simple (un seul type de caractères) : {ADVICE}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_unlock_and_rewrap() {
        let p = Secret::new("le chat dort sur 3 coussins");
        let (kf, key) = KeyFile::create(&p, KdfParams::FAST_FOR_TESTS).unwrap();
        let sealed = key.seal(b"aad", b"Dupont").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"Dupont"));
        let again = kf.unlock(&p).unwrap();
        assert_eq!(again.open(b"aad", &sealed).unwrap().as_slice(), b"Dupont");
        assert_eq!(
            kf.unlock(&Secret::new("le chat dort sur 3 coussinx"))
                .unwrap_err(),
            CryptoError::WrongPassphrase
        );
        // Another associated data or one flipped byte: refused.
        assert_eq!(
            again.open(b"autre", &sealed).unwrap_err(),
            CryptoError::Tampered
        );
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(again.open(b"aad", &bad).unwrap_err(), CryptoError::Tampered);
        // Re-wrapping keeps the data key: old values still open.
        let p2 = Secret::new("une autre phrase bien plus longue");
        let kf2 = kf.rewrap(&p, &p2, KdfParams::FAST_FOR_TESTS).unwrap();
        assert_ne!(kf2.salt, kf.salt);
        assert!(kf2.unlock(&p).is_err());
        let k2 = kf2.unlock(&p2).unwrap();
        assert_eq!(k2.open(b"aad", &sealed).unwrap().as_slice(), b"Dupont");
        // Nonces differ: the same value sealed twice looks different.
        assert_ne!(
            key.seal(b"aad", b"x").unwrap(),
            key.seal(b"aad", b"x").unwrap()
        );
        assert_eq!(format!("{p:?} {key:?}"), "Secret(***) DataKey(***)");
    }

    #[test]
    fn strength_rules_explain_in_french() {
        assert!(check_strength("court").unwrap_err().contains("trop courte"));
        assert!(check_strength("aaaaaaaaaaaaaaa")
            .unwrap_err()
            .contains("répétitive"));
        assert!(check_strength("abcdefghijklmn")
            .unwrap_err()
            .contains("trop simple"));
        assert!(check_strength("123456789012")
            .unwrap_err()
            .contains("trop simple"));
        assert!(check_strength("le chat dort sur le tapis").is_ok());
        assert!(check_strength("Tournesol2026!").is_ok());
        assert_eq!(
            Secret::from_line("phrase\r\n".into()).expose(),
            "phrase",
            "the trailing line break of a file is not part of it"
        );
    }
}
