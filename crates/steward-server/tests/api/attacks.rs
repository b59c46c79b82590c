//! Attacks by a service token: what a token limited to one purpose can do
//! to a subject it has no business with, through the rights requests.

use serde_json::{Value, json};
use steward_domain::vault::actor::{Actor, Role};

use crate::helpers::*;

impl TestApp {
    async fn token_for(&self, purposes: &[&str]) -> String {
        self.vault
            .create_token(
                &Actor::cli(),
                Role::Service,
                purposes.iter().map(|p| (*p).to_owned()).collect(),
                "attacker",
            )
            .await
            .unwrap()
            .1
    }
}

/// The chain that erased a victim on e7d5a7a: a bookkeeping token (refused
/// on reads with 403) added its own address to the victim, asked for
/// erasure with it, entered the code it received, and the victim was
/// erased; the same with access returned the victim's data.
#[tokio::test]
async fn an_identity_a_service_adds_never_unlocks_a_request_for_someone_else() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let bookkeeping = app.token_for(&["bookkeeping"]).await;
    assert_eq!(
        app.get(
            &format!("/v1/subjects/{anna}/data?purpose=customer_service"),
            &bookkeeping
        )
        .await
        .status(),
        403
    );
    let added = app
        .post(
            &format!("/v1/subjects/{anna}/identities"),
            &bookkeeping,
            json!({ "kind": "email", "value": "mallory@example.se" }),
        )
        .await;
    assert!(added.status().is_success(), "{}", added.status());

    // Access with the address it holds: nothing of Anna's comes back.
    let (access, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "mallory@example.se" }] }))
        .await;
    app.do_manual_parts(&access).await;
    app.answered(&access, &secret).await;
    let answer = app.answer(&access, &secret).await;
    assert!(
        !answer.to_string().contains("anna@example.se"),
        "Anna's data reached the attacker: {answer}"
    );
    // Erasure with it: Anna is not erased.
    let (erasure, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "mallory@example.se" }] }))
        .await;
    app.do_manual_parts(&erasure).await;
    app.answered(&erasure, &secret).await;
    let read = app.read(&anna, "customer_service", &app.service).await;
    assert_eq!(
        read["records"][0]["value"], "anna@example.se",
        "Anna's data is still there: {read}"
    );
    let whole: Value = app
        .get(&format!("/v1/subjects/{anna}"), &app.officer)
        .await
        .json()
        .await
        .unwrap();
    let provenances: Vec<&str> = whole["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["provenance"].as_str().unwrap())
        .collect();
    assert_eq!(provenances, ["creation", "service"], "{whole}");
}

#[tokio::test]
async fn an_identity_an_officer_adds_finds_the_subject_for_her_requests() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let added = app
        .post(
            &format!("/v1/subjects/{anna}/identities"),
            &app.officer,
            json!({ "kind": "email", "value": "anna@work.example" }),
        )
        .await;
    assert!(added.status().is_success());
    let (id, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@work.example" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let answer = app.answer(&id, &secret).await;
    assert_eq!(answer["data"][0]["value"], "anna@example.se", "{answer}");
}
