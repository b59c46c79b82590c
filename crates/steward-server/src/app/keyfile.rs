//! Where the key-encryption key comes from: a value given in the settings
//! (from `STEWARD_KEK`, 64 hexadecimal digits), or a key file, generated on
//! first run; and where a rotation writes the next key before switching.
//! The audit checkpoints' signing key comes the same way
//! (`STEWARD_CHECKPOINT_KEY`, or `checkpoint.key`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use steward_domain::vault::checkpoint::CheckpointKey;
use steward_domain::vault::crypto::{KeyEncryptionKey, SecretKey};

/// The environment variable operators set the key in.
pub const ENV_VAR: &str = "STEWARD_KEK";
/// The environment variable for the audit checkpoints' signing key (its
/// 32-byte Ed25519 seed, 64 hexadecimal digits).
pub const CHECKPOINT_ENV_VAR: &str = "STEWARD_CHECKPOINT_KEY";

/// What happened while finding the key, for the operator to read.
pub enum KeySource {
    Environment,
    File,
    Generated,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{var} is set but is not a key: {reason}")]
    Environment { var: &'static str, reason: String },
    #[error("key file {path}: {reason}")]
    File { path: String, reason: String },
}

/// The KEK given (from the environment), else the one in `path`, else a new
/// one written to `path` (readable by the owner only).
pub fn load_or_create(
    given: Option<&SecretString>,
    path: &Path,
) -> Result<(KeyEncryptionKey, KeySource), KeyFileError> {
    let (key, source) = secret_or_file(given, ENV_VAR, path)?;
    Ok((KeyEncryptionKey::new(key), source))
}

/// The checkpoints' signing key, found as the KEK is: given, else in
/// `path`, else made and written there.
pub fn load_or_create_checkpoint_key(
    given: Option<&SecretString>,
    path: &Path,
) -> Result<(CheckpointKey, KeySource), KeyFileError> {
    let (seed, source) = secret_or_file(given, CHECKPOINT_ENV_VAR, path)?;
    Ok((CheckpointKey::from_secret(&seed), source))
}

fn secret_or_file(
    given: Option<&SecretString>,
    var: &'static str,
    path: &Path,
) -> Result<(SecretKey, KeySource), KeyFileError> {
    if let Some(text) = given {
        let key =
            SecretKey::from_hex(text.expose_secret()).map_err(|e| KeyFileError::Environment {
                var,
                reason: e.to_string(),
            })?;
        return Ok((key, KeySource::Environment));
    }
    let file_error = |reason: String| KeyFileError::File {
        path: path.display().to_string(),
        reason,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = SecretKey::from_hex(&text).map_err(|e| file_error(e.to_string()))?;
            Ok((key, KeySource::File))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            match write(path, &key) {
                Ok(()) => Ok((key, KeySource::Generated)),
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    secret_or_file(None, var, path)
                }
                Err(e) => Err(file_error(e.to_string())),
            }
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

/// Where a rotation writes the new key before switching to it.
pub fn pending_path(key_file: &Path) -> PathBuf {
    let mut name = key_file.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}
