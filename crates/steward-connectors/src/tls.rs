//! TLS to a relational system: the URL's parameters checked before sqlx
//! reads them, and a failed TLS told apart from the database's other
//! failures (sqlx reports a refused certificate as I/O).

use crate::dialect::Dialect;

/// What failed, if it was TLS.
pub(crate) fn failure(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Tls(e) => Some(e.to_string()),
        sqlx::Error::Io(e) if e.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => {
            Some(e.to_string())
        }
        _ => None,
    }
}

/// The URL's query parameters are ones sqlx 0.8 reads for `dialect`, and
/// the certificate files they name can be read: sqlx would ignore any
/// other parameter (a mistyped `ssl-mode` leaves TLS to chance; PostgreSQL's
/// driver also logs it with its value), and says of a missing file only "No
/// such file or directory". No value is reported but a file's path.
pub(crate) fn check_parameters(dialect: Dialect, url: &str) -> Result<(), String> {
    let (known, files): (&[&str], &[&str]) = match dialect {
        Dialect::Postgres => (
            &[
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
            ],
            &[
                "sslrootcert",
                "ssl-root-cert",
                "ssl-ca",
                "sslcert",
                "ssl-cert",
                "sslkey",
                "ssl-key",
            ],
        ),
        Dialect::MySql => (
            &[
                "sslmode",
                "ssl-mode",
                "sslca",
                "ssl-ca",
                "sslcert",
                "ssl-cert",
                "sslkey",
                "ssl-key",
                "charset",
                "collation",
                "statement-cache-capacity",
                "socket",
                "timezone",
                "time-zone",
            ],
            &[
                "sslca", "ssl-ca", "sslcert", "ssl-cert", "sslkey", "ssl-key",
            ],
        ),
    };
    let query = url.split_once('?').map_or("", |(_, query)| query);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let option = dialect == Dialect::Postgres && key.starts_with("options[");
        if !known.contains(&key) && !option {
            return Err(format!(
                "`{key}` is not a parameter its driver reads: use {}",
                known.join(", ")
            ));
        }
        // A percent-encoded path is left to sqlx, which decodes it.
        if files.contains(&key) && !value.contains('%') {
            std::fs::metadata(value).map_err(|e| format!("{key}={value}: {e}"))?;
        }
    }
    Ok(())
}
