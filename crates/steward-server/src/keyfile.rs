//! Where the key-encryption key comes from: `STEWARD_KEK` (64 hexadecimal
//! digits), or a key file, generated with a clear message on first run.

use std::io::Write as _;
use std::path::Path;

use steward_domain::vault::crypto::{KeyEncryptionKey, SecretKey};

pub const ENV_VAR: &str = "STEWARD_KEK";

/// What happened while finding the key, for the operator to read.
pub enum KeySource {
    Environment,
    File,
    Generated,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{ENV_VAR} is set but is not a key: {0}")]
    Environment(String),
    #[error("key file {path}: {reason}")]
    File { path: String, reason: String },
}

/// Reads the KEK from the environment, else from `path`, else generates one
/// into `path` (readable by the owner only).
pub fn load_or_create(path: &Path) -> Result<(KeyEncryptionKey, KeySource), KeyFileError> {
    if let Ok(text) = std::env::var(ENV_VAR) {
        let key =
            SecretKey::from_hex(&text).map_err(|e| KeyFileError::Environment(e.to_string()))?;
        return Ok((KeyEncryptionKey::new(key), KeySource::Environment));
    }
    let file_error = |reason: String| KeyFileError::File {
        path: path.display().to_string(),
        reason,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = SecretKey::from_hex(&text).map_err(|e| file_error(e.to_string()))?;
            Ok((KeyEncryptionKey::new(key), KeySource::File))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            write(path, &key).map_err(|e| file_error(e.to_string()))?;
            Ok((KeyEncryptionKey::new(key), KeySource::Generated))
        }
        Err(e) => Err(file_error(e.to_string())),
    }
}

/// Writes a key file durably, owner-readable only, never replacing a file
/// that exists (a lost key is lost data).
pub fn write(path: &Path, key: &SecretKey) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(format!("{}\n", key.to_hex()).as_bytes())?;
    file.sync_all()
}

/// Reads a key file that must exist (no environment, no generation).
pub fn load_existing(path: &Path) -> Result<(KeyEncryptionKey, KeySource), KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| KeyFileError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let key = SecretKey::from_hex(&text).map_err(|e| KeyFileError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok((KeyEncryptionKey::new(key), KeySource::File))
}
