//! What can go wrong in the store, in terms the vault can act on: the caller
//! asked for something that conflicts, is missing or was erased, or the
//! database failed, or holds what Steward did not write.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The connection's TLS failed: a certificate refused, no TLS offered.
    #[error("TLS with the database failed: {0}")]
    Tls(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{what} `{id}` already exists")]
    Conflict { what: &'static str, id: String },
    #[error("{what} `{id}` does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("stored data is not what Steward wrote: {0}")]
    Corrupt(String),
    #[error("subject `{0}` has been erased")]
    Erased(String),
    #[error(
        "`{0}://` is not a database URL Steward supports: use sqlite://PATH or postgres://USER@HOST/DATABASE"
    )]
    UnsupportedUrl(String),
    /// A URL parameter the driver would ignore (a mistyped `sslmode` would
    /// leave TLS to chance) and log with its value; named, never its value.
    #[error(
        "the database URL: `{0}` is not a parameter its driver reads: use sslmode, sslrootcert, sslcert, sslkey, user, password, dbname, host, hostaddr, port, application_name, options"
    )]
    UnknownParameter(String),
    #[error("the database URL: {parameter}={path}: {reason}")]
    TlsFile {
        parameter: String,
        path: String,
        reason: String,
    },
    /// The data is in use in a way this process cannot share.
    #[error("{0}")]
    InUse(String),
    #[error("cannot prepare the database file {path}: {reason}")]
    File { path: String, reason: String },
}

/// A column that does not decode into its type is data Steward did not
/// write (or someone changed behind its back), not a database failure; a
/// failed TLS says so.
impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::ColumnDecode { index, source } => {
                StoreError::Corrupt(format!("column {index}: {source}"))
            }
            sqlx::Error::Tls(e) => StoreError::Tls(e.to_string()),
            // sqlx reports a refused certificate as I/O.
            sqlx::Error::Io(e) if e.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => {
                StoreError::Tls(e.to_string())
            }
            other => StoreError::Database(other),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A unique violation is a conflict with what is there; anything else is the
/// database's own failure.
pub(crate) fn conflict(error: sqlx::Error, what: &'static str, id: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
            what,
            id: id.to_owned(),
        },
        _ => error.into(),
    }
}
