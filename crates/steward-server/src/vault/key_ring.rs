//! The installation's keys and how data keys are used: the key-encryption
//! key, the blind-index and pseudonym keys, the key that seals what requests
//! carry, and each subject's data key, wrapped under the KEK. Only the vault
//! holds a key ring, so only the vault opens ciphertext.

use steward_domain::common::ids::{RecordId, SubjectId};
use steward_domain::vault::crypto::{
    BlindIndexKey, DataKey, FieldContext, KeyEncryptionKey, PseudonymKey, SecretKey,
};
use steward_store::{KeyStore, WrappedKey};

use crate::vault::error::{Result, VaultError, corrupt};

/// The version every field is sealed under today.
pub const KEY_VERSION: u32 = 1;

pub struct KeyRing {
    pub(crate) kek: KeyEncryptionKey,
    index: BlindIndexKey,
    pseudonyms: PseudonymKey,
    /// Seals what requests carry: claimed identities, new values, answers.
    requests: DataKey,
}

impl KeyRing {
    /// Loads (or, the first time, creates) the installation's keys under
    /// `kek`; refuses a KEK other than the one the database was set up with.
    pub async fn open(store: &dyn KeyStore, kek: KeyEncryptionKey) -> Result<Self> {
        let index = BlindIndexKey::new(system_key(store, &kek, "blind_index").await?);
        let pseudonyms = PseudonymKey::new(system_key(store, &kek, "pseudonym").await?);
        let requests = DataKey::from_secret(system_key(store, &kek, "requests").await?);
        Ok(Self {
            kek,
            index,
            pseudonyms,
            requests,
        })
    }

    pub fn kek(&self) -> &KeyEncryptionKey {
        &self.kek
    }

    pub fn blind_index(&self, kind: &str, normalised: &str) -> String {
        self.index.index(kind, normalised)
    }

    /// A subject's name in the audit log.
    pub fn pseudonym(&self, subject: &SubjectId) -> String {
        self.pseudonyms.pseudonym(subject.as_str())
    }

    /// A fresh data key for a new subject, and its wrapped form to store.
    pub fn new_data_key(&self, subject: &SubjectId) -> (DataKey, WrappedKey) {
        let key = DataKey::generate();
        let wrapped = WrappedKey {
            wrapped: self.kek.wrap(key.secret(), &subject_context(subject)),
            kek_id: self.kek.id().to_owned(),
            version: i64::from(KEY_VERSION),
        };
        (key, wrapped)
    }

    pub fn data_key(&self, subject: &SubjectId, wrapped: &WrappedKey) -> Result<DataKey> {
        Ok(DataKey::from_secret(
            self.kek
                .unwrap(&wrapped.wrapped, &subject_context(subject))?,
        ))
    }

    /// Seals a request's data, bound to the request and to what it is.
    pub fn seal_for_request(&self, request: &str, field: &str, plaintext: &[u8]) -> Vec<u8> {
        self.requests.seal(plaintext, context(request, field))
    }

    pub fn open_for_request(&self, request: &str, field: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        Ok(self.requests.open(sealed, context(request, field))?)
    }
}

fn context<'a>(subject: &'a str, field: &'a str) -> FieldContext<'a> {
    FieldContext {
        subject,
        field,
        key_version: KEY_VERSION,
    }
}

/// Seals one field of a subject's data under its data key.
pub fn seal(key: &DataKey, subject: &SubjectId, field: &str, plaintext: &[u8]) -> Vec<u8> {
    key.seal(plaintext, context(subject.as_str(), field))
}

pub fn open(key: &DataKey, subject: &SubjectId, field: &str, sealed: &[u8]) -> Result<Vec<u8>> {
    Ok(key.open(sealed, context(subject.as_str(), field))?)
}

/// A record's ciphertext is bound to its id, category and purposes: a row
/// relabelled in the database no longer opens, rather than passing the
/// purpose check under a false label.
pub fn record_field(id: &RecordId, category: &str, purposes: &[String]) -> String {
    let mut purposes = purposes.to_vec();
    purposes.sort();
    format!("record:{id}:{category}:{}", purposes.join(","))
}

pub fn identity_field(kind: &str) -> String {
    format!("identity:{kind}")
}

pub fn subject_context(subject: &SubjectId) -> String {
    format!("subject:{subject}")
}

pub fn system_context(name: &str) -> String {
    format!("system:{name}")
}

/// Loads a system key, creating it the first time; refuses a KEK other than
/// the one the database was set up with.
async fn system_key(store: &dyn KeyStore, kek: &KeyEncryptionKey, name: &str) -> Result<SecretKey> {
    let stored = match store.system_key(name).await? {
        Some(stored) => stored,
        None => {
            let fresh = SecretKey::generate();
            let wrapped = WrappedKey {
                wrapped: kek.wrap(&fresh, &system_context(name)),
                kek_id: kek.id().to_owned(),
                version: 1,
            };
            store.put_system_key_if_absent(name, &wrapped).await?
        }
    };
    if stored.kek_id != kek.id() {
        return Err(VaultError::WrongKey {
            expected: stored.kek_id,
            given: kek.id().to_owned(),
        });
    }
    kek.unwrap(&stored.wrapped, &system_context(name))
        .map_err(|e| corrupt(format!("system key `{name}`: {e}")))
}
