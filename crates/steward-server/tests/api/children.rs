//! Art. 8: below the age of digital consent (13 in Sweden), a child's own
//! consent does not count; a holder of parental responsibility's does, and
//! is recorded as theirs. Only the day the child's own consent starts to
//! count is kept, never the birth date.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};
use steward_server::clock::ManualClock;

use crate::helpers::*;

async fn calectro_on(moment: &str) -> (TestApp, Arc<ManualClock>, String) {
    let clock = Arc::new(ManualClock::new(moment.parse::<Timestamp>().unwrap()));
    let app = spawn_with(policy_from(&policy_text("calectro")), |s| {
        s.clock = clock.clone();
    })
    .await;
    let newsletter = app.token_for(&["newsletter"]).await;
    (app, clock, newsletter)
}

async fn subscriber(app: &TestApp, token: &str, email: &str, age: Value) -> String {
    let mut body = json!({ "subject_type": "newsletter_subscriber", "identities": [{ "kind": "email", "value": email }] });
    for (key, value) in age.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = app.post("/v1/subjects", token, body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.store_as(token, &id, "contact.email", json!(email), &["newsletter"])
        .await;
    id
}

async fn consent(
    app: &TestApp,
    token: &str,
    subject: &str,
    given_by: Option<&str>,
) -> (u16, Value) {
    let mut body = json!({ "purpose": "newsletter", "method": "web_form" });
    if let Some(by) = given_by {
        body["given_by"] = json!(by);
    }
    let response = app
        .post(&format!("/v1/subjects/{subject}/consents"), token, body)
        .await;
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_twelve_year_olds_own_consent_does_not_count_and_a_parents_does() {
    let (app, _, token) = calectro_on("2026-12-01T10:00:00Z").await;
    let child = subscriber(
        &app,
        &token,
        "kid@example.se",
        json!({ "birth_date": "2014-06-15" }),
    )
    .await;

    let (status, problem) = consent(&app, &token, &child, None).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "given_by", "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("until 2027-06-15"),
        "{problem}"
    );
    let read = app.read(&child, "newsletter", &token).await;
    assert_eq!(read["records"], json!([]), "{read}");

    let (status, record) = consent(&app, &token, &child, Some("parental_responsibility")).await;
    assert_eq!(status, 201, "{record}");
    assert_eq!(record["given_by"], "parental_responsibility");
    let read = app.read(&child, "newsletter", &token).await;
    assert_eq!(read["records"].as_array().unwrap().len(), 1, "{read}");

    // The birth date is not kept: only the day their own consent counts.
    let view: Value = app
        .get(&format!("/v1/subjects/{child}"), &app.officer)
        .await
        .json()
        .await
        .unwrap();
    assert!(!view.to_string().contains("2014"), "{view}");
}

#[tokio::test]
async fn from_an_age_alone_a_child_consents_on_their_own_a_year_later_at_the_latest() {
    let (app, clock, token) = calectro_on("2026-12-01T10:00:00Z").await;
    let child = subscriber(&app, &token, "twelve@example.se", json!({ "age": 12 })).await;
    let adult = subscriber(&app, &token, "grown@example.se", json!({ "age": 40 })).await;
    assert_eq!(consent(&app, &token, &child, None).await.0, 422);
    assert_eq!(consent(&app, &token, &adult, None).await.0, 201);

    // A year on they are 13 whatever their birthday: their consent counts.
    clock.set("2027-12-01T10:00:00Z".parse().unwrap());
    assert_eq!(consent(&app, &token, &child, None).await.0, 201);
    let read = app.read(&child, "newsletter", &token).await;
    assert_eq!(read["records"].as_array().unwrap().len(), 1, "{read}");
}

#[tokio::test]
async fn a_personnummer_added_later_shows_a_child_and_their_own_consent_stops_counting() {
    let (app, _, token) = calectro_on("2026-12-01T10:00:00Z").await;
    // Created with no age at all: taken as of age.
    let child = subscriber(&app, &token, "later@example.se", json!({})).await;
    let added = app
        .post(
            &format!("/v1/subjects/{child}/identities"),
            &app.officer,
            json!({ "kind": "personnummer", "value": "20140615-1231" }),
        )
        .await;
    assert!(
        added.status().is_success(),
        "{}",
        added.text().await.unwrap()
    );
    let (status, problem) = consent(&app, &token, &child, None).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("until 2027-06-15"),
        "{problem}"
    );
}
