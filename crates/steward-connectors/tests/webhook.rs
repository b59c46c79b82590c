//! The webhook connector against a real HTTP service on loopback that checks
//! Steward's signature, as a newsletter service would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use steward_connectors::Identity;
use steward_connectors::webhook::{
    Kept, WebhookConnector, WebhookErasure, WebhookError, WebhookItem, signature,
};

const SECRET: &[u8] = b"shared-with-the-newsletter-service";

fn signed(headers: &HeaderMap, body: &Bytes) -> bool {
    headers
        .get("Steward-Signature")
        .and_then(|v| v.to_str().ok())
        == Some(signature(SECRET, body).as_str())
}

/// A newsletter service: knows Anna's subscription, keeps her consent proof.
async fn service() -> String {
    let app = Router::new()
        .route(
            "/hooks/access",
            post(|headers: HeaderMap, body: Bytes| async move {
                if !signed(&headers, &body) {
                    return (StatusCode::UNAUTHORIZED, "bad signature".to_owned());
                }
                let call: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let anna = call["identities"].as_array().unwrap().iter().any(|i| i["value"] == "anna@example.se");
                let data = if anna { r#"[{"category": "marketing.newsletter", "value": {"subscribed": "2024-03-01"}}]"# } else { "[]" };
                (StatusCode::OK, format!(r#"{{"data": {data}}}"#))
            }),
        )
        .route(
            "/hooks/erase",
            post(|headers: HeaderMap, body: Bytes| async move {
                if !signed(&headers, &body) {
                    return (StatusCode::UNAUTHORIZED, "bad signature".to_owned());
                }
                (StatusCode::OK, r#"{"erased": true, "kept": [{"category": "consent.proof", "reason": "proof of consent, 3 years"}]}"#.to_owned())
            }),
        )
        .route("/broken/access", post(|| async { (StatusCode::OK, "<html>maintenance</html>") }))
        .route("/down/access", post(|| async { (StatusCode::SERVICE_UNAVAILABLE, "try later") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

const ANNA: [Identity<'static>; 1] = [Identity {
    kind: "email",
    value: "anna@example.se",
}];

#[tokio::test]
async fn access_and_erasure_through_a_signed_webhook() {
    let base = service().await;
    let hook = WebhookConnector::new(&format!("{base}/hooks/"), SECRET).unwrap();
    let found = hook.access("req-1", &ANNA).await.unwrap();
    assert_eq!(
        found,
        [WebhookItem {
            category: "marketing.newsletter".into(),
            value: serde_json::json!({ "subscribed": "2024-03-01" })
        }]
    );
    let bob = hook
        .access(
            "req-2",
            &[Identity {
                kind: "email",
                value: "bob@example.se",
            }],
        )
        .await
        .unwrap();
    assert!(bob.is_empty());
    let erased = hook.erase("req-1", &ANNA).await.unwrap();
    assert_eq!(
        erased,
        WebhookErasure {
            erased: true,
            kept: vec![Kept {
                category: "consent.proof".into(),
                reason: "proof of consent, 3 years".into()
            }]
        }
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_service_and_reported() {
    let base = service().await;
    let hook = WebhookConnector::new(&format!("{base}/hooks"), b"not the secret").unwrap();
    match hook.access("req-1", &ANNA).await {
        Err(WebhookError::Status { status: 401, body }) => assert_eq!(body, "bad signature"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn answers_outside_the_contract_are_errors_that_say_so() {
    let base = service().await;
    let broken = WebhookConnector::new(&format!("{base}/broken"), SECRET).unwrap();
    assert!(matches!(
        broken.access("r", &ANNA).await,
        Err(WebhookError::Reply(_))
    ));
    let down = WebhookConnector::new(&format!("{base}/down"), SECRET).unwrap();
    let error = down.access("r", &ANNA).await.unwrap_err();
    assert_eq!(error.to_string(), "the service answered 503: try later");
    let nowhere = WebhookConnector::new("http://127.0.0.1:1", SECRET).unwrap();
    assert!(matches!(
        nowhere.access("r", &ANNA).await,
        Err(WebhookError::Unreachable(_))
    ));
}
