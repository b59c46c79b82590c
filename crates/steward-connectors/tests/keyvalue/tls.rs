//! The Redis connector over `rediss://`, through the test support's TLS
//! proxy (the machine's Redis speaks plain TCP): verified against the CA
//! named by `sslrootcert`, refused under any other root.

use super::*;
use steward_test_support::tls::{Protocol, TlsProxy};

fn rediss(proxy: &TlsProxy) -> String {
    proxy.url(&redis_url()).replacen("redis://", "rediss://", 1)
}

#[tokio::test]
async fn over_rediss_verified_against_the_ca_access_reads_the_person() {
    let proxy = TlsProxy::start(Protocol::Redis, &redis_url()).await;
    let url = format!("{}?sslrootcert={}", rediss(&proxy), proxy.ca_file.display());
    let s = sessions_at(&url).await;
    let found = s.connector.access(&ANNA).await.unwrap();
    s.cleanup().await;
    let everything = serde_json::to_string(&found).unwrap();
    assert!(everything.contains("tok-anna") && everything.contains("Täby"));
    assert!(!everything.contains("tok-bob"));
    assert_eq!(
        proxy.handshakes(),
        1,
        "one multiplexed connection, over TLS"
    );
}

#[tokio::test]
async fn over_rediss_a_certificate_the_root_did_not_sign_is_refused_naming_why() {
    let proxy = TlsProxy::start(Protocol::Redis, &redis_url()).await;
    let system: KeyValueSystem = toml::from_str(
        r#"
[[key]]
pattern = "session:{email}"
type = "string"
category = "technical.session"
erase = "delete"
"#,
    )
    .unwrap();
    for (url, why) in [
        (
            format!(
                "{}?sslrootcert={}",
                rediss(&proxy),
                proxy.stranger_ca_file.display()
            ),
            "another CA",
        ),
        // No root given: the web PKI's roots, which know no test CA.
        (rediss(&proxy), "the web PKI roots"),
    ] {
        let error = KeyValueConnector::connect(&url, system.clone())
            .await
            .err()
            .unwrap_or_else(|| panic!("{why}: connected"));
        assert!(
            error
                .to_string()
                .contains("invalid peer certificate: UnknownIssuer"),
            "{why}: {error}"
        );
    }
    // The host name is checked: the certificate names only localhost.
    let by_address = format!(
        "{}?sslrootcert={}",
        proxy
            .url_by_address(&redis_url())
            .replacen("redis://", "rediss://", 1),
        proxy.ca_file.display()
    );
    let error = KeyValueConnector::connect(&by_address, system.clone())
        .await
        .err()
        .expect("127.0.0.1 is not a name of the certificate");
    assert!(
        error
            .to_string()
            .contains("certificate not valid for name \"127.0.0.1\""),
        "{error}"
    );
    // No check at all is not built in.
    let insecure = format!("{}#insecure", rediss(&proxy));
    let error = KeyValueConnector::connect(&insecure, system.clone())
        .await
        .err()
        .expect("#insecure is refused");
    assert!(error.to_string().contains("insecure"), "{error}");
    let missing = format!("{}?sslrootcert=/nonexistent/ca.pem", rediss(&proxy));
    let error = KeyValueConnector::connect(&missing, system)
        .await
        .err()
        .expect("no such file");
    assert!(
        error
            .to_string()
            .starts_with("the TLS root certificate /nonexistent/ca.pem: "),
        "{error}"
    );
    assert_eq!(proxy.handshakes(), 0);
}
