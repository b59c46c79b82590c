//! PostgreSQL: the path past one machine. Several `steward` processes share
//! one database; the audit head row is locked (`FOR UPDATE`) for each append,
//! so appends from all of them form one chain, and workers claim jobs with
//! `FOR UPDATE SKIP LOCKED`.
//!
//! The key store is the `subject_keys` table of the same database, written in
//! the same transaction as the data: keep it out of long-lived backups (see
//! the migration), since an old copy of it would still hold erased subjects'
//! keys.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::{Result, Sharing, StoreError};

pub struct PostgresStore {
    pool: PgPool,
    /// Holds the advisory lock, shared or alone, while the store is open
    /// (`sharing.rs`).
    _lock: tokio::sync::Mutex<sqlx::PgConnection>,
}

type Db = sqlx::Postgres;
type Backend = PostgresStore;

/// What PostgreSQL's SQL says differently.
mod dialect {
    /// How a writing transaction begins.
    pub const BEGIN_WRITE: &str = "BEGIN";
    pub const NAME: &str = "postgres";
    pub const FOR_UPDATE: &str = " FOR UPDATE";
    pub const FOR_SHARE: &str = " FOR SHARE";
    pub const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
    pub const JSON_ARRAY_AGG: &str = "json_agg";
    pub const JSON_OBJECT: &str = "json_build_object";
    /// Keys are a table beside the data, written in its transactions.
    pub const KEYS: &str = "";
    pub const KEYS_APART: bool = false;

    pub fn hex(column: &str) -> String {
        format!("encode({column}, 'hex')")
    }

    pub fn json_of_text(column: &str) -> String {
        format!("{column}::json")
    }
}

#[path = "sql/mod.rs"]
mod sql;

impl PostgresStore {
    /// Connects and applies migrations, shared with other processes.
    pub async fn open(url: &str) -> Result<Self> {
        Self::open_as(url, Sharing::Shared).await
    }

    /// As [`Self::open`], alone with the data if `sharing` says so.
    pub async fn open_as(url: &str, sharing: Sharing) -> Result<Self> {
        check_parameters(url)?;
        let lock = crate::sharing::advisory_lock(url, sharing).await?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self {
            pool,
            _lock: tokio::sync::Mutex::new(lock),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn keys(&self) -> &PgPool {
        &self.pool
    }
}

/// The URL's query parameters are ones sqlx-postgres 0.8 reads, and the
/// certificate files they name can be read: sqlx would ignore any other
/// parameter (a mistyped `sslmode` leaves TLS to chance) and log it with
/// its value (`sslpassword=...`), and says of a missing file only "No such
/// file or directory".
fn check_parameters(url: &str) -> Result<()> {
    const KNOWN: [&str; 18] = [
        "sslmode",
        "ssl-mode",
        "sslrootcert",
        "ssl-root-cert",
        "ssl-ca",
        "sslcert",
        "ssl-cert",
        "sslkey",
        "ssl-key",
        "statement-cache-capacity",
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "application_name",
        "options",
    ];
    const FILES: [&str; 7] = [
        "sslrootcert",
        "ssl-root-cert",
        "ssl-ca",
        "sslcert",
        "ssl-cert",
        "sslkey",
        "ssl-key",
    ];
    let query = url.split_once('?').map_or("", |(_, query)| query);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let option = key.starts_with("options[") && key.ends_with(']');
        if !KNOWN.contains(&key) && !option {
            return Err(StoreError::UnknownParameter(key.to_owned()));
        }
        // A percent-encoded path is left to sqlx, which decodes it.
        if FILES.contains(&key) && !value.contains('%') {
            std::fs::metadata(value).map_err(|e| StoreError::TlsFile {
                parameter: key.to_owned(),
                path: value.to_owned(),
                reason: e.to_string(),
            })?;
        }
    }
    Ok(())
}
