//! Whether a process may share the data with others: every process holds
//! the installation's lock shared while its store is open, and what must
//! be alone with the data (a key rotation: keys made by another process
//! meanwhile would be wrapped with the old key) takes it exclusively, or is
//! refused. On SQLite the lock is a file lock on `PATH.lock`; on PostgreSQL
//! an advisory lock, held by a connection of its own. Both go when the
//! process does, however it ends.

use std::path::Path;

use crate::{Result, StoreError};

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// With any number of other processes (serving, working, commands).
    Shared,
    /// With no other process: refused while another has the data open.
    Alone,
}

/// The advisory lock's key on PostgreSQL ("STEWARD" in ASCII): one per
/// database, as advisory locks are.
pub(crate) const ADVISORY_KEY: i64 = 0x0053_5445_5741_5244;

pub(crate) fn in_use() -> StoreError {
    StoreError::InUse(
        "another Steward process has this database open (a server, a worker or a command); stop it first".into(),
    )
}

pub(crate) fn rotating() -> StoreError {
    StoreError::InUse(
        "a key rotation has this database to itself; try again when it is done".into(),
    )
}

/// Takes the lock file beside an SQLite database, as `sharing` says; the
/// returned file holds the lock until it is dropped.
pub(crate) fn lock_file(database: &Path, sharing: Sharing) -> Result<std::fs::File> {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    let path = std::path::PathBuf::from(name);
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).map_err(|e| StoreError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let taken = match sharing {
        Sharing::Shared => file.try_lock_shared(),
        Sharing::Alone => file.try_lock(),
    };
    match taken {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(match sharing {
            Sharing::Shared => rotating(),
            Sharing::Alone => in_use(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        }),
    }
}

/// Takes the advisory lock on a PostgreSQL database, as `sharing` says, on
/// a connection of its own; the lock lasts as long as the connection.
pub(crate) async fn advisory_lock(url: &str, sharing: Sharing) -> Result<sqlx::PgConnection> {
    use sqlx::Connection;
    let mut lock = sqlx::PgConnection::connect(url).await?;
    let take = match sharing {
        Sharing::Shared => "SELECT pg_try_advisory_lock_shared($1)",
        Sharing::Alone => "SELECT pg_try_advisory_lock($1)",
    };
    // A process that has just stopped may hold its lock until the server
    // notices its connection is gone: ask a few times.
    for attempt in 0..10 {
        if attempt > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        let taken: bool = sqlx::query_scalar(take)
            .bind(ADVISORY_KEY)
            .fetch_one(&mut lock)
            .await?;
        if taken {
            return Ok(lock);
        }
    }
    Err(match sharing {
        Sharing::Shared => rotating(),
        Sharing::Alone => in_use(),
    })
}
