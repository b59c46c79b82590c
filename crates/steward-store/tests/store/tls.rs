//! The PostgreSQL store over TLS, through the test support's TLS proxy (the
//! machine's PostgreSQL speaks plain TCP): verified against the proxy's CA,
//! required without verification, and refused, naming the certificate's
//! fault, under a CA that did not sign it.

use super::*;
use steward_test_support::tls::{Protocol, TlsProxy};

async fn proxied() -> (FreshDatabase, TlsProxy) {
    let database = FreshDatabase::create(Server::Postgres, "steward_tls").await;
    let proxy = TlsProxy::start(Protocol::Postgres, &database.url).await;
    (database, proxy)
}

#[tokio::test]
async fn the_store_opens_over_verified_tls_and_reads_back_what_it_wrote() {
    let (database, proxy) = proxied().await;
    let url = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        proxy.url(&database.url),
        proxy.ca_file.display()
    );
    let store = PostgresStore::open(&url).await.expect("open over TLS");
    let b = Backend {
        store: Arc::new(store),
        raw: Raw::Postgres(database),
    };
    with_subject(&b, "s1", "idx-anna").await;
    let found = b
        .store
        .subject_by_identity("email", "idx-anna")
        .await
        .unwrap();
    assert_eq!(found.map(|h| h.subject.id), Some("s1".into()));
    assert!(
        proxy.handshakes() >= 2,
        "the lock's connection and the pool's go through TLS: {}",
        proxy.handshakes()
    );
}

#[tokio::test]
async fn sslmode_require_connects_without_verifying_and_disable_is_refused_by_a_tls_only_server() {
    let (database, proxy) = proxied().await;
    let url = proxy.url(&database.url);
    let store = PostgresStore::open(&format!("{url}?sslmode=require"))
        .await
        .expect("open over TLS, unverified");
    store.close().await;
    assert!(proxy.handshakes() >= 1);

    let error = PostgresStore::open(&format!("{url}?sslmode=disable"))
        .await
        .err()
        .expect("the proxy speaks only TLS");
    assert!(matches!(error, StoreError::Database(_)), "{error}");
}

#[tokio::test]
async fn a_certificate_the_root_did_not_sign_is_refused_naming_why() {
    let (database, proxy) = proxied().await;
    let url = proxy.url(&database.url);
    for (query, why) in [
        (
            format!(
                "sslmode=verify-full&sslrootcert={}",
                proxy.stranger_ca_file.display()
            ),
            "another CA",
        ),
        // No root given: the web PKI's roots, which know no test CA.
        ("sslmode=verify-full".to_owned(), "the web PKI roots"),
        (
            format!(
                "sslmode=verify-ca&sslrootcert={}",
                proxy.stranger_ca_file.display()
            ),
            "verify-ca",
        ),
    ] {
        let error = PostgresStore::open(&format!("{url}?{query}"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{why}: the certificate is not trusted"));
        let message = error.to_string();
        assert!(
            matches!(error, StoreError::Tls(_))
                && message
                    == "TLS with the database failed: invalid peer certificate: UnknownIssuer",
            "{why}: {message}"
        );
    }
    assert_eq!(proxy.handshakes(), 0, "no handshake completed");
}

/// libpq's `verify-ca` skips the host name; sqlx 0.8.6 means to, but with
/// rustls 0.23.46 it checks it as `verify-full` does (its verifier lets only
/// the old form of the name error through). Stricter, so safe: if this
/// starts to fail, docs/api.md's TLS section must say so.
#[tokio::test]
async fn a_host_the_certificate_does_not_name_is_refused_under_verify_full_and_verify_ca() {
    let (database, proxy) = proxied().await;
    let ca = proxy.ca_file.display();
    let by_address = proxy.url_by_address(&database.url);
    for mode in ["verify-full", "verify-ca"] {
        let error = PostgresStore::open(&format!("{by_address}?sslmode={mode}&sslrootcert={ca}"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{mode}: 127.0.0.1 is not a name of the certificate"));
        assert_eq!(
            error.to_string(),
            "TLS with the database failed: invalid peer certificate: \
             certificate not valid for name \"127.0.0.1\"; \
             certificate is only valid for DnsName(\"localhost\")",
            "{mode}"
        );
    }
    let store = PostgresStore::open(&format!("{by_address}?sslmode=require"))
        .await
        .expect("require checks nothing");
    store.close().await;
}

/// sqlx would ignore them, and log them with their values.
#[tokio::test]
async fn a_parameter_the_driver_does_not_read_is_refused_by_name_and_a_missing_root_by_path() {
    let url = Server::Postgres.admin_url();
    for (query, expected) in [
        (
            "sslmode=verify-full&sslpassword=hunter2",
            "the database URL: `sslpassword` is not a parameter its driver reads",
        ),
        (
            "sslmdoe=verify-full",
            "the database URL: `sslmdoe` is not a parameter its driver reads",
        ),
        (
            "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
            "the database URL: sslrootcert=/nonexistent/ca.pem: No such file or directory",
        ),
    ] {
        let error = PostgresStore::open(&format!("{url}?{query}"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{query}: opened"));
        let message = error.to_string();
        assert!(message.starts_with(expected), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
}
