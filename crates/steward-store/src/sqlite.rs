//! The embedded default: SQLite in a local file (`steward.db`), with the key
//! store in a second file beside it (`steward.db.keys`).
//!
//! One connection writes (transactions never contend for SQLite's write lock)
//! while a small pool reads alongside it (WAL mode); readers see the key
//! store attached as `keys`, so the subject file is one statement.
//! Durability: `synchronous = FULL`, so an acknowledged write survives a
//! crash or power loss. The key store keeps no write-ahead log, where erased
//! keys could linger.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::Executor;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{Result, Sharing, StoreError};

pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    keys: SqlitePool,
    path: PathBuf,
    /// Held, shared or alone, while the store is open (`sharing.rs`).
    _lock: std::fs::File,
}

type Db = sqlx::Sqlite;
type Backend = SqliteStore;

/// What SQLite's SQL says differently.
mod dialect {
    /// How a writing transaction begins.
    pub const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
    pub const NAME: &str = "sqlite";
    /// One writer at a time: nothing to lock.
    pub const FOR_UPDATE: &str = "";
    pub const FOR_SHARE: &str = "";
    pub const SKIP_LOCKED: &str = "";
    pub const JSON_ARRAY_AGG: &str = "json_group_array";
    pub const JSON_OBJECT: &str = "json_object";
    /// Keys live in a file of their own, attached to readers as `keys`, and
    /// are written apart from (before) the data.
    pub const KEYS: &str = "keys.";
    pub const KEYS_APART: bool = true;

    pub fn hex(column: &str) -> String {
        format!("hex({column})")
    }

    pub fn json_of_text(column: &str) -> String {
        format!("json({column})")
    }
}

#[path = "sql/mod.rs"]
mod sql;

/// Creates `file` readable and writable by its owner only, or makes it so
/// (with the log and shared-memory files beside it, if there are any).
fn owner_only(file: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(file)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            let sibling = PathBuf::from(name);
            if sibling.exists() {
                std::fs::set_permissions(&sibling, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and its key store at
    /// `path.keys`, and applies migrations, shared with other processes.
    pub async fn open(path: &Path) -> Result<Self> {
        Self::open_as(path, Sharing::Shared).await
    }

    /// As [`Self::open`], alone with the data if `sharing` says so.
    pub async fn open_as(path: &Path, sharing: Sharing) -> Result<Self> {
        let lock = crate::sharing::lock_file(path, sharing)?;
        let keys_path = keys_path(path);
        // Owner-only, whatever the umask: SQLite gives the files it adds
        // beside a database (its log, its shared memory) the database's mode.
        for file in [path, keys_path.as_path()] {
            owner_only(file).map_err(|e| StoreError::File {
                path: file.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        let options = |file: &Path, journal: SqliteJournalMode| {
            SqliteConnectOptions::from_str("sqlite://").map(|o| {
                o.filename(file)
                    .create_if_missing(true)
                    .journal_mode(journal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // Deleted content is overwritten, not left in free pages.
                    .pragma("secure_delete", "ON")
            })
        };
        // The key store keeps no write-ahead log, where erased keys could linger.
        let keys = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options(&keys_path, SqliteJournalMode::Delete)?)
            .await?;
        sqlx::migrate!("./migrations/sqlite-keys")
            .run(&keys)
            .await?;
        let data = options(path, SqliteJournalMode::Wal)?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(data.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let attach = keys_path.to_string_lossy().into_owned();
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .after_connect(move |connection, _| {
                let attach = attach.clone();
                Box::pin(async move {
                    // Read-only, as the connection itself is.
                    connection
                        .execute(sqlx::query("ATTACH DATABASE $1 AS keys").bind(attach))
                        .await
                        .map(drop)
                })
            })
            .connect_with(data.read_only(true))
            .await?;
        Ok(Self {
            writer,
            reader,
            keys,
            path: path.to_owned(),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes all connections, checkpointing the write-ahead log into the file.
    pub async fn close(&self) {
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.writer)
            .await;
        self.reader.close().await;
        self.writer.close().await;
        self.keys.close().await;
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    fn keys(&self) -> &SqlitePool {
        &self.keys
    }
}

/// Where the key store of the database at `path` lives.
pub fn keys_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".keys");
    PathBuf::from(name)
}
