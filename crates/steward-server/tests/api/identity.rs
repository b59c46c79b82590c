//! The policy's `identity_verification` is the method applied: Connectel
//! asks a signed request for a copy of one's data, which a privacy officer
//! checks and records; a holder of parental responsibility may ask for a
//! child where the policy allows it; a code goes only to the channel the
//! policy names.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};
use steward_server::clock::ManualClock;

use crate::helpers::*;

async fn submit_raw(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/v1/requests"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_copy_of_ones_data_under_connectel_waits_for_an_officer_to_check_the_signed_request() {
    let clock = Arc::new(ManualClock::new(
        "2026-11-02T09:00:00Z".parse::<Timestamp>().unwrap(),
    ));
    // Connectel's own policy, as published: signed requests.
    let app = spawn_with(policy_from(&policy_text("connectel")), |s| {
        s.clock = clock.clone();
    })
    .await;
    app.customer("anna@example.se").await;
    let (status, submitted) = submit_raw(
        &app,
        json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }),
    )
    .await;
    assert_eq!(status, 201, "{submitted}");
    assert_eq!(submitted["state"], "awaiting_verification");
    assert!(
        submitted["waits_for"]
            .as_str()
            .unwrap()
            .contains("signed request"),
        "{submitted}"
    );
    let id = submitted["id"].as_str().unwrap().to_owned();
    let secret = submitted["follow_secret"].as_str().unwrap().to_owned();
    // No code went out, and none can be entered.
    assert!(app.codes_for(&id, "email").is_empty());
    let tried = app
        .as_requester(
            "POST",
            &format!("/v1/requests/{id}/verify"),
            &secret,
            Some(json!({ "codes": { "email": "123456" } })),
        )
        .await;
    assert_eq!(tried.status(), 409);
    // Other rights are proven by the details that identify the requester:
    // an erasure gets its code as before.
    let (_, erasure) = submit_raw(
        &app,
        json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "bo@example.se" }] }),
    )
    .await;
    assert!(erasure.get("waits_for").is_none(), "{erasure}");
    assert_eq!(
        app.codes_for(erasure["id"].as_str().unwrap(), "email")
            .len(),
        1
    );
    // A request proven by codes is not an officer's to confirm.
    let by_code = app
        .post(
            &format!(
                "/v1/requests/{}/confirm-identity",
                erasure["id"].as_str().unwrap()
            ),
            &app.officer,
            json!({ "evidence": "looked fine" }),
        )
        .await;
    assert_eq!(by_code.status(), 409);

    // Waiting for the officer is not waiting for a code: it is not expired.
    clock.advance(jiff::SignedDuration::from_hours(24 * 30));
    app.spawned.rights.expire_unverified().await.unwrap();
    assert_eq!(
        app.officer_view(&id).await["state"],
        "awaiting_verification"
    );

    // Only an officer confirms, and what they saw is kept sealed.
    let path = format!("/v1/requests/{id}/confirm-identity");
    let seen = json!({ "evidence": "signed letter of 2 November, signature matches the agreement on file AG-7731" });
    let as_service = app.post(&path, &app.service, seen.clone()).await;
    assert_eq!(as_service.status(), 403);
    let confirmed = app.post(&path, &app.officer, seen).await;
    assert_eq!(
        confirmed.status(),
        200,
        "{}",
        confirmed.text().await.unwrap()
    );
    app.do_manual_parts(&id).await;
    let view = app.answered(&id, &secret).await;
    assert_eq!(view["state"], "completed", "{view}");
    let officer = app.officer_view(&id).await;
    let steps: Vec<&str> = officer["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert!(steps.contains(&"identity_confirmed"), "{steps:?}");
    let db = std::fs::read(app.dir.join("steward.db")).unwrap();
    let wal = std::fs::read(app.dir.join("steward.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(7).any(|w| w == b"AG-7731"),
            "the evidence is in the database in clear"
        );
    }
    // Confirmed once: a second confirmation has nothing to confirm.
    let again = app
        .post(&path, &app.officer, json!({ "evidence": "again" }))
        .await;
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn a_holder_of_parental_responsibility_asks_for_a_child_where_the_policy_allows_it() {
    let body = json!({
        "kind": "erasure",
        "identities": [{ "kind": "email", "value": "kid@example.se" }],
        "guardian": "Maria Andersson, mother"
    });
    // Elveta takes no such requests.
    let elveta = spawn_with(policy_from(&policy_text("elveta")), |_| {}).await;
    let (status, problem) = submit_raw(&elveta, body.clone()).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "guardian");

    // Connectel's notice lets a parent or guardian ask for a child
    // ("7. Children"), and its policy says so.
    let text = connectel();
    assert!(text.contains("guardian_requests = true"));
    let app = spawn_with(policy_from(&text), |_| {}).await;
    app.customer("kid@example.se").await;
    let (status, submitted) = submit_raw(&app, body).await;
    assert_eq!(status, 201, "{submitted}");
    // No code proves parental responsibility: an officer checks it.
    assert!(
        submitted["waits_for"]
            .as_str()
            .unwrap()
            .contains("parental responsibility"),
        "{submitted}"
    );
    let id = submitted["id"].as_str().unwrap().to_owned();
    let secret = submitted["follow_secret"].as_str().unwrap().to_owned();
    assert!(app.codes_for(&id, "email").is_empty());
    let confirmed = app
        .post(
            &format!("/v1/requests/{id}/confirm-identity"),
            &app.officer,
            json!({ "evidence": "met in person; birth certificate shows Maria as the mother" }),
        )
        .await;
    assert_eq!(
        confirmed.status(),
        200,
        "{}",
        confirmed.text().await.unwrap()
    );
    app.do_manual_parts(&id).await;
    assert_eq!(app.answered(&id, &secret).await["state"], "completed");
    let history = app.officer_view(&id).await["history"].clone();
    let submitted_step = &history[0]["detail"];
    assert_eq!(submitted_step["by_guardian"], true, "{history}");
    let confirmed_step = history
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "identity_confirmed")
        .unwrap();
    assert_eq!(confirmed_step["detail"]["by_guardian"], true);
}

#[tokio::test]
async fn a_code_goes_only_to_the_channel_the_policy_names() {
    // Elveta verifies by e-mail code.
    let app = spawn_with(policy_from(&policy_text("elveta")), |_| {}).await;
    let (status, problem) = submit_raw(
        &app,
        json!({ "kind": "access", "identities": [{ "kind": "phone", "value": "+46701234567" }] }),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("your e-mail address"),
        "{problem}"
    );
}
