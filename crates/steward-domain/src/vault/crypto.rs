//! Envelope encryption and keyed hashes.
//!
//! - Each subject's values are sealed with the subject's own [`DataKey`]
//!   (XChaCha20-Poly1305), with subject, field and key version as associated
//!   data, so a ciphertext moved to another subject or field fails to open.
//! - Data keys are stored only wrapped by the [`KeyEncryptionKey`]; erasing a
//!   subject deletes its wrapped key, after which nothing of it can be opened.
//! - Identities are found through a [`BlindIndexKey`] (HMAC-SHA-256), never by
//!   their plain text; the audit log names subjects by a keyed pseudonym.

use std::fmt;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload, rand_core::RngCore};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error(
        "the data cannot be decrypted: wrong key, or the ciphertext or its context was altered"
    )]
    Decrypt,
    #[error("a key must be 32 bytes written as 64 hexadecimal digits; got {0}")]
    KeyFormat(String),
}

/// 32 secret bytes, wiped from memory when dropped and never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretKey([u8; KEY_LEN]);

impl SecretKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let array: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::KeyFormat(format!("{} bytes", bytes.len())))?;
        Ok(Self(array))
    }

    /// Reads the hexadecimal form that key files and environment variables use.
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let text = text.trim();
        let mut bytes = hex_decode(text).ok_or_else(|| {
            CryptoError::KeyFormat(format!(
                "{} characters that are not all hexadecimal digits",
                text.len()
            ))
        })?;
        let key = Self::from_bytes(&bytes);
        bytes.zeroize();
        key
    }

    pub fn to_hex(&self) -> String {
        hex_encode(&self.0)
    }

    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// Encrypts `plaintext` under `key`: a fresh random 24-byte nonce, then the
/// ciphertext with its tag. Random nonces are safe at this size (192 bits).
fn seal(key: &SecretKey, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    // Encryption with a valid key and nonce cannot fail for in-memory data.
    if let Ok(ciphertext) = cipher.encrypt(
        &nonce,
        Payload {
            msg: plaintext,
            aad,
        },
    ) {
        out.extend_from_slice(&ciphertext);
    }
    out
}

fn open(key: &SecretKey, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < NONCE_LEN {
        return Err(CryptoError::Decrypt);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| CryptoError::Decrypt)
}

/// The key-encryption key (KEK): wraps every subject's data key. Its id (a
/// hash prefix, not the key) is stored beside each wrapped key so rotation
/// knows which keys are still under the old KEK.
#[derive(Clone)]
pub struct KeyEncryptionKey {
    key: SecretKey,
    id: String,
}

impl KeyEncryptionKey {
    pub fn new(key: SecretKey) -> Self {
        let digest = Sha256::digest([b"steward-kek-id:".as_slice(), key.as_bytes()].concat());
        let id = hex_encode(&digest[..8]);
        Self { key, id }
    }

    pub fn generate() -> Self {
        Self::new(SecretKey::generate())
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn secret(&self) -> &SecretKey {
        &self.key
    }

    /// Wraps `key` for storage; `context` (e.g. the subject id) must be given
    /// again to unwrap it, so a wrapped key cannot be moved to another subject.
    pub fn wrap(&self, key: &SecretKey, context: &str) -> Vec<u8> {
        seal(
            &self.key,
            key.as_bytes(),
            &aad(&[b"steward/wrap/v1", context.as_bytes()]),
        )
    }

    pub fn unwrap(&self, wrapped: &[u8], context: &str) -> Result<SecretKey, CryptoError> {
        let mut bytes = open(
            &self.key,
            wrapped,
            &aad(&[b"steward/wrap/v1", context.as_bytes()]),
        )?;
        let key = SecretKey::from_bytes(&bytes);
        bytes.zeroize();
        key.map_err(|_| CryptoError::Decrypt)
    }
}

impl fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyEncryptionKey({})", self.id)
    }
}

/// Where a value belongs; bound into its ciphertext as associated data.
#[derive(Debug, Clone, Copy)]
pub struct FieldContext<'a> {
    pub subject: &'a str,
    /// E.g. `record:contact.email` or `identity:email`.
    pub field: &'a str,
    pub key_version: u32,
}

impl FieldContext<'_> {
    fn aad(&self) -> Vec<u8> {
        aad(&[
            b"steward/field/v1",
            self.subject.as_bytes(),
            self.field.as_bytes(),
            &self.key_version.to_be_bytes(),
        ])
    }
}

/// A subject's own data key.
#[derive(Clone, Debug)]
pub struct DataKey(SecretKey);

impl DataKey {
    pub fn generate() -> Self {
        Self(SecretKey::generate())
    }

    pub fn from_secret(key: SecretKey) -> Self {
        Self(key)
    }

    pub fn secret(&self) -> &SecretKey {
        &self.0
    }

    pub fn seal(&self, plaintext: &[u8], context: FieldContext<'_>) -> Vec<u8> {
        seal(&self.0, plaintext, &context.aad())
    }

    pub fn open(&self, sealed: &[u8], context: FieldContext<'_>) -> Result<Vec<u8>, CryptoError> {
        open(&self.0, sealed, &context.aad())
    }
}

/// Finds identities without storing them: the same kind and normalised value
/// always give the same index, and the index reveals nothing without the key.
#[derive(Clone, Debug)]
pub struct BlindIndexKey(SecretKey);

impl BlindIndexKey {
    pub fn new(key: SecretKey) -> Self {
        Self(key)
    }

    pub fn index(&self, kind: &str, normalised_value: &str) -> String {
        hex_encode(&hmac(
            &self.0,
            &[
                b"steward/index/v1",
                kind.as_bytes(),
                normalised_value.as_bytes(),
            ],
        ))
    }
}

/// Names subjects in the audit log. A pseudonym, not an anonymisation: with
/// the key it links back, which is why the key is kept apart from the log.
#[derive(Clone, Debug)]
pub struct PseudonymKey(SecretKey);

impl PseudonymKey {
    pub fn new(key: SecretKey) -> Self {
        Self(key)
    }

    pub fn pseudonym(&self, subject_id: &str) -> String {
        let mac = hmac(&self.0, &[b"steward/pseudonym/v1", subject_id.as_bytes()]);
        hex_encode(&mac[..16])
    }
}

fn hmac(key: &SecretKey, parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return [0; 32],
    };
    mac.update(&aad(parts));
    mac.finalize().into_bytes().into()
}

/// Length-prefixed concatenation, so ("ab", "c") and ("a", "bc") differ.
fn aad(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len() + 4).sum());
    for part in parts {
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

pub fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

pub fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// SHA-256 as hexadecimal, for hash chains and token hashes.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    hex_encode(&Sha256::digest(aad(parts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context<'a>(subject: &'a str, field: &'a str) -> FieldContext<'a> {
        FieldContext {
            subject,
            field,
            key_version: 1,
        }
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_subject_field_and_version() {
        let key = DataKey::generate();
        let sealed = key.seal(b"anna@example.se", context("s1", "identity:email"));
        assert_eq!(
            key.open(&sealed, context("s1", "identity:email"))
                .as_deref(),
            Ok(&b"anna@example.se"[..])
        );
        assert_eq!(
            key.open(&sealed, context("s2", "identity:email")),
            Err(CryptoError::Decrypt)
        );
        assert_eq!(
            key.open(&sealed, context("s1", "identity:phone")),
            Err(CryptoError::Decrypt)
        );
        let v2 = FieldContext {
            key_version: 2,
            ..context("s1", "identity:email")
        };
        assert_eq!(key.open(&sealed, v2), Err(CryptoError::Decrypt));
        assert_eq!(
            DataKey::generate().open(&sealed, context("s1", "identity:email")),
            Err(CryptoError::Decrypt)
        );
    }

    #[test]
    fn a_flipped_bit_or_a_truncated_ciphertext_is_refused() {
        let key = DataKey::generate();
        let mut sealed = key.seal(b"value", context("s", "f"));
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(
            key.open(&sealed, context("s", "f")),
            Err(CryptoError::Decrypt)
        );
        assert_eq!(
            key.open(&sealed[..10], context("s", "f")),
            Err(CryptoError::Decrypt)
        );
    }

    #[test]
    fn the_same_value_seals_differently_each_time() {
        let key = DataKey::generate();
        assert_ne!(
            key.seal(b"x", context("s", "f")),
            key.seal(b"x", context("s", "f"))
        );
    }

    #[test]
    fn wrapped_keys_unwrap_only_with_the_same_kek_and_context() {
        let kek = KeyEncryptionKey::generate();
        let dek = SecretKey::generate();
        let wrapped = kek.wrap(&dek, "subject-1");
        assert_eq!(kek.unwrap(&wrapped, "subject-1"), Ok(dek));
        assert_eq!(kek.unwrap(&wrapped, "subject-2"), Err(CryptoError::Decrypt));
        assert_eq!(
            KeyEncryptionKey::generate().unwrap(&wrapped, "subject-1"),
            Err(CryptoError::Decrypt)
        );
    }

    #[test]
    fn kek_ids_are_stable_and_do_not_reveal_the_key() {
        let secret = SecretKey::generate();
        let a = KeyEncryptionKey::new(secret.clone());
        assert_eq!(a.id(), KeyEncryptionKey::new(secret.clone()).id());
        assert_eq!(a.id().len(), 16);
        assert!(!secret.to_hex().contains(a.id()));
        assert_eq!(format!("{a:?}"), format!("KeyEncryptionKey({})", a.id()));
        assert_eq!(format!("{secret:?}"), "SecretKey(…)");
    }

    #[test]
    fn blind_indexes_are_deterministic_per_key_and_separate_kinds() {
        let key = BlindIndexKey::new(SecretKey::generate());
        assert_eq!(key.index("email", "a@b.se"), key.index("email", "a@b.se"));
        assert_ne!(
            key.index("email", "a@b.se"),
            key.index("customer_id", "a@b.se")
        );
        assert_ne!(
            key.index("email", "a@b.se"),
            BlindIndexKey::new(SecretKey::generate()).index("email", "a@b.se")
        );
        // Length prefixes: moving a boundary changes the index.
        assert_ne!(key.index("ab", "c"), key.index("a", "bc"));
    }

    #[test]
    fn keys_round_trip_through_hex_and_bad_hex_is_explained() {
        let key = SecretKey::generate();
        assert_eq!(SecretKey::from_hex(&key.to_hex()), Ok(key));
        assert!(matches!(
            SecretKey::from_hex("abc"),
            Err(CryptoError::KeyFormat(_))
        ));
        assert!(matches!(
            SecretKey::from_hex(&"zz".repeat(32)),
            Err(CryptoError::KeyFormat(_))
        ));
        assert!(SecretKey::from_hex(&"ab".repeat(31)).is_err());
    }
}
