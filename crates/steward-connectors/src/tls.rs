//! A failed TLS told apart from the database's other failures, so the
//! message says it was TLS: sqlx reports a refused certificate as I/O.

use crate::relational::ConnectorError;

impl From<sqlx::Error> for ConnectorError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::Tls(e) => ConnectorError::Tls(e.to_string()),
            sqlx::Error::Io(e) if e.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => {
                ConnectorError::Tls(e.to_string())
            }
            other => ConnectorError::Database(other),
        }
    }
}
