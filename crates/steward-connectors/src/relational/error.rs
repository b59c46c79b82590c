//! What a relational system's declaration or database can answer wrongly.

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("database: {0}")]
    Database(sqlx::Error),
    #[error("TLS with the database failed: {0}")]
    Tls(String),
    #[error("the database URL: {0}")]
    Parameter(String),
    #[error("system declaration: {0}")]
    Declaration(String),
    /// A retention sweep's batch could not be audited, so it was not made.
    #[error("the audit log did not take the batch, so it was rolled back: {0}")]
    Audit(String),
}

impl From<sqlx::Error> for ConnectorError {
    fn from(error: sqlx::Error) -> Self {
        match crate::tls::failure(&error) {
            Some(tls) => ConnectorError::Tls(tls),
            None => ConnectorError::Database(error),
        }
    }
}

pub type Result<T, E = ConnectorError> = std::result::Result<T, E>;
