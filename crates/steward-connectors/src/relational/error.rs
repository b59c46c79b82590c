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
