//! What the vault (and the rights service built on it) answers when it
//! cannot do what was asked: the caller's mistake, named by field; a refusal;
//! or the store's or the keys' own failure.

use steward_domain::vault::crypto::CryptoError;
use steward_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Bad input: names the field and what is wrong with it.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{what} `{id}` does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{what} `{id}` already exists")]
    Conflict { what: &'static str, id: String },
    /// Something unique is taken already (409), said in a sentence.
    #[error("{0}")]
    Taken(String),
    #[error("{0}")]
    Forbidden(String),
    /// The policy does not allow it (403), with a stable code saying which
    /// rule, and the field at fault.
    #[error("{field}: {message}")]
    Refused {
        code: &'static str,
        field: &'static str,
        message: String,
    },
    /// The thing asked cannot be done in the state it is in (409).
    #[error("{0}")]
    NotNow(String),
    /// A limit is reached (429): which, and when to try again if known.
    #[error("{message}")]
    TooMany {
        message: String,
        retry_after_seconds: Option<u64>,
    },
    #[error("subject `{0}` has been erased")]
    Erased(String),
    #[error(
        "the key-encryption key does not match this database: it was created with key `{expected}`, this is key `{given}`. Use the original key file, or `steward keys rotate` from it."
    )]
    WrongKey { expected: String, given: String },
    #[error("storage: {0}")]
    Store(StoreError),
    #[error("stored data cannot be decrypted: {0}")]
    Crypto(#[from] CryptoError),
    /// Something Steward made could not be written or rendered: a bug, not
    /// the caller's doing.
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = VaultError> = std::result::Result<T, E>;

/// What the store reports about the caller's request stays that (404, 409,
/// 410); anything else is the store's own failure.
impl From<StoreError> for VaultError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Erased(id) => VaultError::Erased(id),
            StoreError::NotFound { what, id } => VaultError::NotFound { what, id },
            StoreError::Conflict { what, id } => VaultError::Conflict { what, id },
            other => VaultError::Store(other),
        }
    }
}

/// A rate limit reached, said as a sentence with the wait in it.
pub fn too_many(what: &str, limited: crate::limits::Limited) -> VaultError {
    let seconds = limited.retry_after_seconds();
    VaultError::TooMany {
        message: format!("{what}; try again in {}", wait_in_words(seconds)),
        retry_after_seconds: Some(seconds),
    }
}

fn wait_in_words(seconds: u64) -> String {
    match seconds {
        0..=1 => "a second".into(),
        2..=119 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}

pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> VaultError {
    VaultError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Data the store holds that does not read as what Steward wrote.
pub fn corrupt(message: impl Into<String>) -> VaultError {
    VaultError::Store(StoreError::Corrupt(message.into()))
}
