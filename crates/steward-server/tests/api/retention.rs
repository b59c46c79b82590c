//! Retention at read time, with the clock moved forward: the moment a
//! record's period for a purpose ends, a purpose-bound read refuses it
//! (`retention_expired`, naming the rule), whether or not anything has
//! removed it yet. Connectel's periods.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use steward_server::clock::ManualClock;

use crate::helpers::*;

async fn at(moment: &str) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(moment.parse::<Timestamp>().unwrap()));
    let app = spawn_with(policy_from(&connectel()), |s| s.clock = clock.clone()).await;
    (app, clock)
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

/// What a read refused, as (category, reason, rule).
fn refused(read: &Value) -> Vec<(String, String, String)> {
    read["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["category"].as_str().unwrap().to_owned(),
                r["reason"].as_str().unwrap().to_owned(),
                r["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_call_recording_is_refused_the_day_after_its_30_days() {
    let (app, clock) = at("2026-03-02T09:00:00Z").await;
    let anna = app.customer("anna@example.se").await;
    let consent = app
        .post(
            &format!("/v1/subjects/{anna}/consents"),
            &app.admin,
            json!({ "purpose": "support_call_recording", "method": "phone_keypad" }),
        )
        .await;
    assert_eq!(consent.status(), 201);
    app.store_as(
        &app.admin,
        &anna,
        "helpdesk.call_recording",
        json!("call-0302.ogg"),
        &["support_call_recording"],
    )
    .await;
    // Kept for 30 days: through 1 April, where the controller is.
    clock.advance(days(30));
    let read = app.read(&anna, "support_call_recording", &app.admin).await;
    assert_eq!(read["records"].as_array().unwrap().len(), 1, "{read}");
    clock.advance(days(1));
    let read = app.read(&anna, "support_call_recording", &app.admin).await;
    assert_eq!(read["records"], json!([]), "{read}");
    assert_eq!(
        refused(&read),
        [(
            "helpdesk.call_recording".to_owned(),
            "retention_expired".to_owned(),
            "helpdesk_call_recordings".to_owned()
        )]
    );
}

#[tokio::test]
async fn traffic_data_is_kept_at_least_6_months_and_never_past_24() {
    let (app, clock) = at("2025-01-10T09:00:00Z").await;
    let make = |phone: &'static str| {
        app.post(
            "/v1/subjects",
            &app.admin,
            json!({ "subject_type": "communication_participant", "identities": [{ "kind": "phone", "value": phone }] }),
        )
    };
    let paid = make("+46701000001").await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unpaid = make("+46701000002").await.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for subject in [&paid, &unpaid] {
        app.store_as(
            &app.admin,
            subject,
            "traffic.duration",
            json!(62),
            &["traffic_data_retention"],
        )
        .await;
    }
    // The invoice is paid ten days later: the data may go at once, but
    // the law keeps it 6 months.
    clock.advance(days(10));
    assert_eq!(
        app.event(&paid, &app.admin, json!({ "kind": "invoice_paid" }))
            .await,
        204
    );
    let records = |read: &Value| read["records"].as_array().unwrap().len();
    clock.advance(days(170));
    assert_eq!(
        records(&app.read(&paid, "traffic_data_retention", &app.admin).await),
        1,
        "within 6 months"
    );
    clock.advance(days(10));
    let read = app.read(&paid, "traffic_data_retention", &app.admin).await;
    assert_eq!(records(&read), 0, "past 6 months, paid: {read}");
    // Unpaid, it stays until the 24 months run out.
    assert_eq!(
        records(
            &app.read(&unpaid, "traffic_data_retention", &app.admin)
                .await
        ),
        1
    );
    clock.set("2027-01-11T09:00:00Z".parse().unwrap());
    let read = app
        .read(&unpaid, "traffic_data_retention", &app.admin)
        .await;
    assert_eq!(records(&read), 0, "past 24 months: {read}");
    assert_eq!(refused(&read)[0].2, "traffic_data");
}

#[tokio::test]
async fn a_lead_goes_after_13_months_unless_a_customer_relationship_forms() {
    let (app, clock) = at("2025-01-15T09:00:00Z").await;
    let lead = app.subject_of("prospect", "lead@example.se").await;
    let customer = app.subject_of("prospect", "won@example.se").await;
    for subject in [&lead, &customer] {
        app.store_as(
            &app.admin,
            subject,
            "contact.email",
            json!("x@example.se"),
            &["customer_relations"],
        )
        .await;
    }
    clock.advance(days(100));
    assert_eq!(
        app.event(
            &customer,
            &app.admin,
            json!({ "kind": "relationship_start" })
        )
        .await,
        204
    );
    clock.set("2026-06-01T09:00:00Z".parse().unwrap());
    let read = app.read(&lead, "customer_relations", &app.admin).await;
    assert_eq!(read["records"], json!([]), "{read}");
    assert_eq!(refused(&read)[0].2, "leads");
    // Became a customer: the lead rule no longer governs the address.
    let read = app.read(&customer, "customer_relations", &app.admin).await;
    assert_eq!(read["records"].as_array().unwrap().len(), 1, "{read}");
}

/// Bookkeeping: the current financial year plus seven, known from the
/// record's date without anyone recording the year's end.
#[tokio::test]
async fn an_invoice_from_march_2024_is_kept_through_2031_and_refused_after() {
    let (app, clock) = at("2024-03-15T09:00:00Z").await;
    let anna = app.customer("anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "billing.invoice",
        json!({ "number": "F-1001", "total": 4990 }),
        &["bookkeeping"],
    )
    .await;
    // The last day it is kept, where the controller is.
    clock.set("2031-12-31T12:00:00Z".parse().unwrap());
    let read = app.read(&anna, "bookkeeping", &app.admin).await;
    assert_eq!(read["records"].as_array().unwrap().len(), 1, "{read}");
    // Midnight in Stockholm is 23:00 UTC in winter: the first of January.
    clock.set("2031-12-31T23:30:00Z".parse().unwrap());
    let read = app.read(&anna, "bookkeeping", &app.admin).await;
    assert_eq!(read["records"], json!([]), "{read}");
    assert_eq!(refused(&read)[0].1, "retention_expired");
}

/// Data brought with its history keeps its dates: its periods run from when
/// it was collected, and one already past every period is not stored.
#[tokio::test]
async fn a_record_brought_with_its_collection_date_keeps_its_periods() {
    let (app, clock) = at("2026-03-02T09:00:00Z").await;
    let anna = app.customer("anna@example.se").await;
    let records = format!("/v1/subjects/{anna}/records");
    let recording = |collected_at: &str| json!({ "category": "helpdesk.call_recording", "value": "old.ogg", "purposes": ["customer_service"], "collected_at": collected_at });
    let too_old = app
        .post(&records, &app.admin, recording("2026-01-10T09:00:00Z"))
        .await;
    assert_eq!(too_old.status(), 403);
    let problem: Value = too_old.json().await.unwrap();
    assert_eq!(problem["code"], "retention_expired", "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("helpdesk_call_recordings"),
        "{problem}"
    );
    let future = app
        .post(&records, &app.admin, recording("2026-04-01T09:00:00Z"))
        .await;
    assert_eq!(future.status(), 422);
    let recent = app
        .post(&records, &app.admin, recording("2026-02-20T09:00:00Z"))
        .await;
    assert_eq!(recent.status(), 201);
    // 30 days from 20 February: through 22 March.
    clock.set("2026-03-23T09:00:00Z".parse().unwrap());
    let consent = app
        .post(
            &format!("/v1/subjects/{anna}/consents"),
            &app.admin,
            json!({ "purpose": "support_call_recording", "method": "phone_keypad" }),
        )
        .await;
    assert_eq!(consent.status(), 201);
    let read = app.read(&anna, "customer_service", &app.admin).await;
    assert_eq!(refused(&read)[0].1, "retention_expired", "{read}");
}
