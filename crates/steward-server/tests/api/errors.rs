//! Errors that say what is wrong, where, with the right status, as problem
//! details, and without echoing what was sent (issue 10, item 22).

use serde_json::{Value, json};

use crate::helpers::*;

async fn problem(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "status {status}");
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_taken_identity_is_said_in_a_sentence_with_409() {
    let app = spawn_app().await;
    app.customer("anna@example.se").await;
    let (status, body) = problem(
        app.post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "age": 30, "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
            .await,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        body["detail"],
        "one of these identities already belongs to another subject"
    );
}

#[tokio::test]
async fn a_second_extension_is_a_conflict_not_bad_input() {
    let app = spawn_app().await;
    app.customer("anna@example.se").await;
    let (id, _) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    let path = format!("/v1/requests/{id}/extend");
    let extend = || {
        app.post(
            &path,
            &app.officer,
            json!({ "reason": "many requests this month" }),
        )
    };
    assert_eq!(extend().await.status(), 200);
    let (status, body) = problem(extend().await).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("already extended"),
        "{body}"
    );
}

#[tokio::test]
async fn ages_and_birth_dates_no_person_has_are_refused() {
    let app = spawn_app().await;
    let subject = |extra: Value| {
        let mut body = json!({ "subject_type": "customer_contact", "identities": [{ "kind": "email", "value": format!("{}@example.se", uuid::Uuid::new_v4()) }] });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        app.post("/v1/subjects", &app.service, body)
    };
    for (extra, field, says) in [
        (json!({ "age": 200 }), "age", "over 130"),
        (
            json!({ "birth_date": "0000-01-01" }),
            "birth_date",
            "130 years ago",
        ),
        (
            json!({ "birth_date": "2999-01-01" }),
            "birth_date",
            "in the future",
        ),
    ] {
        let (status, body) = problem(subject(extra.clone()).await).await;
        assert_eq!(status, 422, "{extra}");
        assert_eq!(body["field"], field, "{body}");
        assert!(body["detail"].as_str().unwrap().contains(says), "{body}");
    }
}

#[tokio::test]
async fn broken_bodies_get_their_own_status_as_problems() {
    let app = spawn_app().await;
    let raw = |body: &str, content_type: &str| {
        app.client
            .post(app.url("/v1/subjects"))
            .bearer_auth(&app.service)
            .header("content-type", content_type)
            .body(body.to_owned())
    };
    let (status, _) = problem(
        raw("{\"subject_type\": ", "application/json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "not JSON at all");
    let (status, _) = problem(raw("{}", "text/plain").send().await.unwrap()).await;
    assert_eq!(status, 415, "not declared as JSON");
    let huge = format!("{{\"subject_type\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let (status, _) = problem(raw(&huge, "application/json").send().await.unwrap()).await;
    assert_eq!(status, 413);
    let (status, _) = problem(app.client.put(app.url("/v1/notice")).send().await.unwrap()).await;
    assert_eq!(status, 405);
    let (status, body) = problem(
        raw(
            r#"{"subject_type": "customer_contact", "identities": [], "adress": 1}"#,
            "application/json",
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("unknown field `adress`"), "{detail}");
    assert!(!detail.contains("Failed to deserialize"), "{detail}");
}

#[tokio::test]
async fn a_value_sent_where_another_type_belongs_is_not_echoed() {
    let app = spawn_app().await;
    let (status, body) = problem(
        app.post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "age": "anna.svensson@example.se", "identities": [] }))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    let detail = body["detail"].as_str().unwrap();
    assert!(!detail.contains("anna.svensson"), "{detail}");
    assert!(detail.contains("invalid type: string"), "{detail}");
}
