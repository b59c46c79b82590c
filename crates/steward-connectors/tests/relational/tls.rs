//! The relational connector over TLS, through the test support's TLS proxy
//! (the machine's PostgreSQL and MariaDB speak plain TCP): verified against
//! the proxy's CA, and refused, naming why, when the certificate is not
//! trusted or the server offers no TLS.

use super::*;
use steward_connectors::relational::ConnectorError;
use steward_test_support::tls::{Protocol, TlsProxy};

async fn proxy(server: Server) -> TlsProxy {
    let protocol = match server {
        Server::Postgres => Protocol::Postgres,
        Server::MariaDb => Protocol::MySql,
    };
    TlsProxy::start(protocol, &server.admin_url()).await
}

/// The URL of the shop through `proxy`, verified against its CA.
fn verified(proxy: &TlsProxy, dialect: Dialect, url: &str) -> String {
    let ca = proxy.ca_file.display();
    match dialect {
        Dialect::Postgres => format!("{}?sslmode=verify-full&sslrootcert={ca}", proxy.url(url)),
        Dialect::MySql => format!("{}?ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}", proxy.url(url)),
    }
}

#[tokio::test]
async fn on_postgres_over_verified_tls_access_finds_the_person() {
    let proxy = proxy(Server::Postgres).await;
    let shop = shop_with(Dialect::Postgres, |url| {
        verified(&proxy, Dialect::Postgres, url)
    })
    .await;
    assert!(proxy.handshakes() >= 1);
    access_gathers_the_person_from_every_table_and_no_one_else(shop).await;
}

#[tokio::test]
async fn on_postgres_over_verified_tls_erasure_does_what_each_table_declares() {
    let proxy = proxy(Server::Postgres).await;
    let shop = shop_with(Dialect::Postgres, |url| {
        verified(&proxy, Dialect::Postgres, url)
    })
    .await;
    erasure_does_what_each_table_declares_and_leaves_others_alone(shop).await;
}

#[tokio::test]
async fn on_mariadb_over_verified_tls_access_finds_the_person() {
    let proxy = proxy(Server::MariaDb).await;
    let shop = shop_with(Dialect::MySql, |url| verified(&proxy, Dialect::MySql, url)).await;
    assert!(proxy.handshakes() >= 1);
    access_gathers_the_person_from_every_table_and_no_one_else(shop).await;
}

async fn refused(url: &str) -> String {
    let system: RelationalSystem = toml::from_str(SHOP).unwrap();
    let error = RelationalConnector::connect(url, system)
        .await
        .err()
        .unwrap_or_else(|| panic!("{url}: connected"));
    assert!(matches!(error, ConnectorError::Tls(_)), "{error}");
    error.to_string()
}

#[tokio::test]
async fn a_certificate_the_root_did_not_sign_is_refused_naming_why() {
    for (server, query) in [
        (Server::Postgres, "sslmode=verify-full&sslrootcert="),
        (Server::MariaDb, "ssl-mode=VERIFY_CA&ssl-ca="),
    ] {
        let database = FreshDatabase::create(server, "steward_tls").await;
        let proxy = proxy(server).await;
        let url = format!(
            "{}?{query}{}",
            proxy.url(&database.url),
            proxy.stranger_ca_file.display()
        );
        assert_eq!(
            refused(&url).await,
            "TLS with the database failed: invalid peer certificate: UnknownIssuer",
            "{server:?}"
        );
    }
}

#[tokio::test]
async fn tls_required_of_a_server_without_it_is_refused_naming_tls() {
    // The machine's MariaDB itself, which offers no TLS.
    let database = FreshDatabase::create(Server::MariaDb, "steward_tls").await;
    assert_eq!(
        refused(&format!("{}?ssl-mode=REQUIRED", database.url)).await,
        "TLS with the database failed: server does not support TLS"
    );
}

/// sqlx would ignore them (and on PostgreSQL log them with their values).
#[tokio::test]
async fn a_parameter_the_driver_does_not_read_is_refused_by_name_and_a_missing_root_by_path() {
    for (server, query, expected) in [
        (
            Server::Postgres,
            "sslpassword=hunter2",
            "the database URL: `sslpassword` is not a parameter its driver reads",
        ),
        (
            Server::MariaDb,
            "ssl_mode=REQUIRED",
            "the database URL: `ssl_mode` is not a parameter its driver reads",
        ),
        (
            Server::MariaDb,
            "ssl-mode=VERIFY_IDENTITY&ssl-ca=/nonexistent/ca.pem",
            "the database URL: ssl-ca=/nonexistent/ca.pem: No such file or directory",
        ),
    ] {
        let url = format!("{}?{query}", server.admin_url());
        let system: RelationalSystem = toml::from_str(SHOP).unwrap();
        let error = RelationalConnector::connect(&url, system)
            .await
            .err()
            .unwrap_or_else(|| panic!("{query}: connected"));
        let message = error.to_string();
        assert!(
            matches!(error, ConnectorError::Parameter(_)) && message.starts_with(expected),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
}
