//! Signed audit checkpoints over the API: who may sign and read them, that
//! each reaches the witnesses (a folder, a URL on loopback), and that no
//! checkpoint is signed of a log that does not verify.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use steward_domain::vault::checkpoint::{CheckpointPublicKey, SignedCheckpoint};

use crate::helpers::*;

/// The public key as an auditor would have it: from the key file, not the API.
fn public_key(app: &TestApp) -> CheckpointPublicKey {
    let seed = std::fs::read_to_string(app.dir.join("checkpoint.key")).unwrap();
    let seed = steward_domain::vault::crypto::SecretKey::from_hex(&seed).unwrap();
    steward_domain::vault::checkpoint::CheckpointKey::from_secret(&seed).public_key()
}

async fn sign(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut builder = app.client.post(app.url("/v1/audit/checkpoints"));
    if let Some(token) = token {
        builder = builder.bearer_auth(token);
    }
    builder.send().await.unwrap()
}

#[tokio::test]
async fn oversight_roles_sign_and_read_checkpoints_and_others_are_refused() {
    let app = spawn_app().await;
    let latest = app.get("/v1/audit/checkpoints/latest", &app.auditor).await;
    assert_eq!(latest.status(), 404, "none signed yet");
    assert_eq!(sign(&app, None).await.status(), 401);
    assert_eq!(sign(&app, Some("stw_not_a_real_token")).await.status(), 401);
    assert_eq!(sign(&app, Some(&app.service)).await.status(), 403);
    let key = public_key(&app);
    let mut last = 0;
    for token in [&app.admin, &app.officer, &app.auditor] {
        let response = sign(&app, Some(token)).await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        let signed = SignedCheckpoint::parse(body["text"].as_str().unwrap()).unwrap();
        assert_eq!(signed.verify(&key), Ok(()));
        assert_eq!(body["public_key"], key.to_hex());
        // Each signing is itself an audit entry, after what it covers.
        assert!(signed.checkpoint.size > last);
        assert_eq!(body["audit_seq"], signed.checkpoint.size + 1);
        last = signed.checkpoint.size;
    }
    let anonymous = app
        .client
        .get(app.url("/v1/audit/checkpoints/latest"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        app.get("/v1/audit/checkpoints/latest", &app.service)
            .await
            .status(),
        403
    );
    for token in [&app.admin, &app.officer, &app.auditor] {
        let latest: Value = app
            .get("/v1/audit/checkpoints/latest", token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(latest["size"], last);
    }
    let verdict: Value = app
        .get("/v1/audit/verify", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verdict["intact"], true);
}

#[tokio::test]
async fn each_checkpoint_reaches_the_witness_folder_and_url() {
    let received = Arc::new(Mutex::new(Vec::<String>::new()));
    let witness = {
        let received = Arc::clone(&received);
        axum::Router::new().route(
            "/witness",
            axum::routing::post(move |body: String| async move {
                received.lock().unwrap().push(body);
                "kept"
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/witness", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, witness).await });
    let folder = TempDir::new("witness");
    let folder_path = folder.path().join("steward");
    let app = spawn_with(policy_from(&connectel()), |settings| {
        settings.checkpoints.witness_dir = Some(folder_path.clone());
        settings.checkpoints.witness_url = Some(url.clone());
    })
    .await;
    let mut texts = Vec::new();
    for _ in 0..2 {
        let body: Value = sign(&app, Some(&app.auditor)).await.json().await.unwrap();
        assert_eq!(body["witness_failures"], json!([]));
        texts.push(body["text"].as_str().unwrap().to_owned());
    }
    assert_eq!(*received.lock().unwrap(), texts);
    let log = std::fs::read_to_string(folder_path.join("checkpoints.log")).unwrap();
    assert_eq!(log, texts.concat());
    let kept = SignedCheckpoint::parse_all(&log).unwrap();
    assert_eq!(kept.len(), 2);
    for signed in &kept {
        assert_eq!(signed.verify(&public_key(&app)), Ok(()));
    }
}

#[tokio::test]
async fn a_witness_that_cannot_be_reached_is_named_and_the_checkpoint_still_signed() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/witness", closed.local_addr().unwrap());
    drop(closed);
    let app = spawn_with(policy_from(&connectel()), |settings| {
        settings.checkpoints.witness_url = Some(url.clone());
    })
    .await;
    let response = sign(&app, Some(&app.admin)).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let failures = body["witness_failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].as_str().unwrap().starts_with(&url),
        "{failures:?}"
    );
}

#[tokio::test]
async fn no_checkpoint_is_signed_of_a_log_that_does_not_verify() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(&anna, "contact.name", json!("Anna"), &["customer_service"])
        .await;
    let url = format!("sqlite://{}", app.dir.join("steward.db").display());
    let mut raw = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("UPDATE audit SET action = 'nothing.happened' WHERE seq = 2")
        .execute(&mut raw)
        .await
        .unwrap();
    let response = sign(&app, Some(&app.admin)).await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains(
            "the audit log does not verify, so no checkpoint is signed: entry 2 was modified"
        ),
        "{problem}"
    );
    assert_eq!(
        app.get("/v1/audit/checkpoints/latest", &app.admin)
            .await
            .status(),
        404
    );
}
