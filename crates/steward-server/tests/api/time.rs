//! Dates where the controller is: a request is received on the day it is in
//! Stockholm, its deadline follows Regulation 1182/71 with Swedish holidays,
//! and the fee year turns at midnight in Stockholm, not in UTC.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};
use steward_server::clock::ManualClock;

use crate::helpers::*;

async fn at(moment: &str) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(moment.parse::<Timestamp>().unwrap()));
    let app = spawn_with(policy_from(&connectel()), |s| {
        s.clock = clock.clone();
    })
    .await;
    (app, clock)
}

#[tokio::test]
async fn a_request_at_half_past_midnight_in_stockholm_is_received_that_day() {
    // 22:30 UTC on 31 March is 00:30 on 1 April in Stockholm (summer time).
    let (app, _) = at("2026-03-31T22:30:00Z").await;
    let response = app
        .client
        .post(app.url("/v1/requests"))
        .json(&json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .send()
        .await
        .unwrap();
    let submitted: Value = response.json().await.unwrap();
    // A month from 1 April is 1 May, a public holiday, then a weekend:
    // Monday 4 May. (From 31 March, in UTC, it would be 30 April.)
    assert_eq!(submitted["due"], "2026-05-04", "{submitted}");
}

#[tokio::test]
async fn a_deadline_on_midsummer_eve_moves_to_monday() {
    let (app, _) = at("2026-05-19T08:00:00Z").await;
    let (id, secret) = app
        .submit(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "bert@example.se" }] }))
        .await;
    let view: Value = app
        .as_requester("GET", &format!("/v1/requests/{id}"), &secret, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["due"], "2026-06-22", "{view}");
}

#[tokio::test]
async fn the_free_copy_of_a_new_year_starts_at_midnight_in_stockholm() {
    let (app, clock) = at("2026-06-01T10:00:00Z").await;
    app.customer("anna@example.se").await;
    let body = json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] });
    let (first, secret) = app.submit_verified(body.clone()).await;
    app.do_manual_parts(&first).await;
    app.answered(&first, &secret).await;
    // 23:30 UTC on New Year's Eve is 00:30 on 1 January in Stockholm: the
    // year's free copy is a new one (in UTC it would still be 2026's).
    clock.set("2026-12-31T23:30:00Z".parse().unwrap());
    let (second, secret) = app.submit_verified(body).await;
    let view: Value = app
        .as_requester("GET", &format!("/v1/requests/{second}"), &secret, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["held"], Value::Null, "{view}");
    assert_eq!(
        view["due"], "2027-02-01",
        "received on 1 January where the controller is: {view}"
    );
}

#[tokio::test]
async fn a_letter_received_last_week_is_due_a_month_from_the_day_it_came() {
    // Entered on Monday 30 November; the letter came on Tuesday 24 November.
    let (app, _) = at("2026-11-30T09:00:00Z").await;
    let letter = json!({
        "kind": "access",
        "identities": [{ "kind": "email", "value": "anna@example.se" }],
        "identity_checked": true,
        "received": "2026-11-24",
        "channel": "letter",
    });
    let response = app.post("/v1/requests", &app.officer, letter.clone()).await;
    assert_eq!(response.status(), 201);
    let submitted: Value = response.json().await.unwrap();
    // A month from 24 November is Christmas Eve; with Christmas and a
    // Sunday after it, Monday 28 December (from the day it was entered, 30
    // November, it would be 30 December).
    assert_eq!(submitted["due"], "2026-12-28", "{submitted}");
    let id = submitted["id"].as_str().unwrap();
    let view = app.officer_view(id).await;
    // Midnight on 24 November in Stockholm (winter time) is 23:00 UTC.
    assert_eq!(view["received_at"], "2026-11-23T23:00:00Z", "{view}");
    let submit = &view["history"][0];
    assert_eq!(submit["step"], "submitted", "{view}");
    assert_eq!(submit["detail"]["channel"], "letter", "{view}");
    assert_eq!(submit["detail"]["received_on"], "2026-11-24", "{view}");

    // Only an officer says when and how a request came; a requester's own
    // word would move their deadline.
    let public = app
        .client
        .post(app.url("/v1/requests"))
        .json(&json!({ "kind": "access", "identities": [{ "kind": "email", "value": "bert@example.se" }], "received": "2026-11-01" }))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 403);
    let public = app
        .client
        .post(app.url("/v1/requests"))
        .json(&json!({ "kind": "access", "identities": [{ "kind": "email", "value": "bert@example.se" }], "channel": "phone" }))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 403);

    // A day still to come is not a receipt date.
    let mut tomorrow = letter.clone();
    tomorrow["received"] = json!("2026-12-01");
    let future = app.post("/v1/requests", &app.officer, tomorrow).await;
    assert_eq!(future.status(), 422);
    let problem: Value = future.json().await.unwrap();
    assert_eq!(problem["field"], "received", "{problem}");
}

/// A policy that promises less than the law's month is held to it: the
/// deadline the subject sees, the queue's order and "overdue" all count it.
#[tokio::test]
async fn a_policy_that_promises_two_weeks_is_held_to_two_weeks() {
    let text = connectel().replace(
        "response_deadline = \"1 month\"",
        "response_deadline = \"14 days\"",
    );
    let clock = Arc::new(ManualClock::new(
        "2026-03-02T09:00:00Z".parse::<Timestamp>().unwrap(),
    ));
    let app = spawn_with(policy_from(&text), |s| s.clock = clock.clone()).await;
    let (id, secret) = app
        .submit(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    let view: Value = app
        .as_requester("GET", &format!("/v1/requests/{id}"), &secret, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["due"], "2026-03-16", "{view}");
    // Three weeks on it is overdue, though the law's month has not run out.
    clock.set("2026-03-23T09:00:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(app.officer_view(&id).await["overdue"], true);
    // And too late to extend: an extension is decided within the period.
    let extend = app
        .post(
            &format!("/v1/requests/{id}/extend"),
            &app.officer,
            json!({ "reason": "many requests at once" }),
        )
        .await;
    assert_eq!(extend.status(), 409, "{}", extend.text().await.unwrap());
}
