//! Retention carried out, with the clock moved forward: the sweep removes
//! (or anonymises) each record the day after its period ends and not a day
//! before, holds stop it, erasure's "until" is kept to, several nodes
//! remove each record once, and every counted rule of the five policies is
//! enforced on the day its end falls.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Value, json};
use steward_domain::policy::retention::{self, Events};
use steward_domain::policy::{Event, Policy, RetentionAction, RetentionPeriod};
use steward_domain::vault::actor::Actor;
use steward_server::clock::ManualClock;
use steward_server::{IdentityInput, NewRecord, NewSubject, SweepOptions, SweepReport, Vault};

use crate::helpers::*;

async fn at(policy: &str, moment: &str) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(moment.parse::<Timestamp>().unwrap()));
    let app = spawn_with(policy_from(policy), |s| s.clock = clock.clone()).await;
    (app, clock)
}

/// Noon where the controller is, on `day`.
fn noon(vault: &Vault, day: Date) -> Timestamp {
    day.at(12, 0, 0, 0)
        .to_zoned(vault.policy().controller.time_zone.clone())
        .unwrap()
        .timestamp()
}

async fn sweep(vault: &Vault) -> SweepReport {
    vault
        .sweep(&Actor::system(), SweepOptions::default())
        .await
        .expect("the sweep runs")
}

async fn record_ids(vault: &Vault, subject: &str) -> Vec<String> {
    vault
        .store()
        .records(&sid(subject))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .collect()
}

async fn audit_actions(vault: &Vault, action: &str) -> Vec<Value> {
    let (entries, _) = vault.store().audit_log().await.unwrap();
    entries
        .into_iter()
        .filter(|e| e.event.action == action)
        .map(|e| e.event.detail)
        .collect()
}

#[tokio::test]
async fn a_call_recording_is_removed_the_day_after_its_30_days_and_audited_with_its_rule() {
    let (app, clock) = at(&connectel(), "2026-03-02T09:00:00Z").await;
    let anna = app.customer("anna@example.se").await;
    let recording = app
        .store_as(
            &app.admin,
            &anna,
            "helpdesk.call_recording",
            json!("call-0302.ogg"),
            &["support_call_recording"],
        )
        .await;
    let email = app
        .store(
            &anna,
            "contact.email",
            json!("anna@example.se"),
            &["customer_service"],
        )
        .await;
    // 1 April is its last day.
    clock.set("2026-04-01T20:00:00Z".parse().unwrap());
    assert_eq!(sweep(&app.vault).await.total(), 0);
    assert_eq!(record_ids(&app.vault, &anna).await.len(), 2);
    // 2 April in Stockholm (22:30 UTC on 1 April): due. A dry run first,
    // over HTTP, as an auditor sees it: nothing changes.
    clock.set("2026-04-01T22:30:00Z".parse().unwrap());
    let due: Value = app
        .get("/v1/retention/due", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(due["today"], "2026-04-02", "{due}");
    assert_eq!(due["dry_run"], true);
    assert_eq!(
        due["lines"],
        json!([{ "action": "delete", "rule": "helpdesk_call_recordings", "category": "helpdesk.call_recording", "purposes": ["support_call_recording"], "system": "vault", "count": 1 }])
    );
    assert_eq!(
        record_ids(&app.vault, &anna).await.len(),
        2,
        "a dry run changes nothing"
    );
    let report = sweep(&app.vault).await;
    assert_eq!(report.total(), 1);
    assert_eq!(record_ids(&app.vault, &anna).await, [email]);
    let deleted = audit_actions(&app.vault, "retention.delete").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["record"], recording.as_str());
    assert_eq!(deleted[0]["rule"], "helpdesk_call_recordings");
    assert_eq!(deleted[0]["kept_through"], "2026-04-01");
    assert!(
        !deleted[0].to_string().contains("call-0302"),
        "no personal data in the entry"
    );
    // Nothing is removed twice.
    assert_eq!(sweep(&app.vault).await.total(), 0);
    assert_eq!(audit_actions(&app.vault, "retention.delete").await.len(), 1);
}

#[tokio::test]
async fn a_subject_whose_last_record_goes_is_shredded() {
    let (app, clock) = at(&connectel(), "2026-03-02T09:00:00Z").await;
    let anna = app.customer("anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "helpdesk.call_recording",
        json!("call.ogg"),
        &["support_call_recording"],
    )
    .await;
    clock.set("2026-05-01T09:00:00Z".parse().unwrap());
    let report = sweep(&app.vault).await;
    assert_eq!(report.subjects_shredded, 1);
    let subject = app
        .vault
        .store()
        .subject(&sid(&anna))
        .await
        .unwrap()
        .unwrap();
    assert!(subject.erased_at.is_some());
    assert_eq!(
        app.vault.store().subject_key(&sid(&anna)).await.unwrap(),
        None,
        "its key destroyed"
    );
    let lookup = app
        .post(
            "/v1/subjects/lookup",
            &app.admin,
            json!({ "kind": "email", "value": "anna@example.se" }),
        )
        .await;
    assert_eq!(lookup.status(), 404, "its identities gone");
    assert_eq!(
        audit_actions(&app.vault, "retention.subject_shredded")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn agreements_are_kept_while_in_force_and_120_months_after_they_end() {
    let (app, clock) = at(&connectel(), "2019-05-01T09:00:00Z").await;
    let anna = app.customer("anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "agreement",
        json!({ "number": "A-77" }),
        &["customer_service"],
    )
    .await;
    // Years in force: no end known, nothing due.
    clock.set("2027-06-30T09:00:00Z".parse().unwrap());
    assert_eq!(sweep(&app.vault).await.total(), 0);
    assert_eq!(
        app.event(&anna, &app.admin, json!({ "kind": "contract_end" }))
            .await,
        204
    );
    clock.set(noon(&app.vault, jiff::civil::date(2037, 6, 30)));
    assert_eq!(
        sweep(&app.vault).await.total(),
        0,
        "the 120th month's last day"
    );
    assert_eq!(record_ids(&app.vault, &anna).await.len(), 1);
    clock.set(noon(&app.vault, jiff::civil::date(2037, 7, 1)));
    assert_eq!(sweep(&app.vault).await.total(), 1);
    assert!(record_ids(&app.vault, &anna).await.is_empty());
}

#[tokio::test]
async fn traffic_data_stays_6_months_even_when_paid_and_goes_by_24_when_not() {
    let (app, clock) = at(&connectel(), "2025-01-10T09:00:00Z").await;
    let participant = |phone: &'static str| {
        app.post(
            "/v1/subjects",
            &app.admin,
            json!({ "subject_type": "communication_participant", "identities": [{ "kind": "phone", "value": phone }] }),
        )
    };
    let paid = participant("+46701000001")
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unpaid = participant("+46701000002")
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
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
    clock.set("2025-01-20T09:00:00Z".parse().unwrap());
    assert_eq!(
        app.event(&paid, &app.admin, json!({ "kind": "invoice_paid" }))
            .await,
        204
    );
    // Paid, but the law keeps it 6 months: through 10 July.
    clock.set(noon(&app.vault, jiff::civil::date(2025, 7, 10)));
    assert_eq!(sweep(&app.vault).await.total(), 0);
    clock.set(noon(&app.vault, jiff::civil::date(2025, 7, 11)));
    assert_eq!(sweep(&app.vault).await.total(), 1);
    assert!(record_ids(&app.vault, &paid).await.is_empty());
    assert_eq!(record_ids(&app.vault, &unpaid).await.len(), 1);
    // Never paid: gone after 24 months however long payment waits.
    clock.set(noon(&app.vault, jiff::civil::date(2027, 1, 10)));
    assert_eq!(sweep(&app.vault).await.total(), 0);
    clock.set(noon(&app.vault, jiff::civil::date(2027, 1, 11)));
    assert_eq!(sweep(&app.vault).await.total(), 1);
    assert!(record_ids(&app.vault, &unpaid).await.is_empty());
}

#[tokio::test]
async fn bookkeeping_from_march_2024_is_kept_through_2031_and_removed_after() {
    let (app, clock) = at(&connectel(), "2024-03-15T09:00:00Z").await;
    let anna = app.customer("anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "billing.invoice",
        json!({ "number": "F-1001", "total": 4990 }),
        &["bookkeeping"],
    )
    .await;
    clock.set("2031-12-31T22:59:00Z".parse().unwrap());
    assert_eq!(
        sweep(&app.vault).await.total(),
        0,
        "23:59 on 31 December in Stockholm"
    );
    clock.set("2031-12-31T23:00:00Z".parse().unwrap());
    assert_eq!(sweep(&app.vault).await.total(), 1, "midnight in Stockholm");
}

#[tokio::test]
async fn a_lead_is_removed_after_13_months_unless_it_became_a_customer() {
    let (app, clock) = at(&connectel(), "2025-01-15T09:00:00Z").await;
    let lead = app.subject_of("prospect", "lead@example.se").await;
    let won = app.subject_of("prospect", "won@example.se").await;
    for subject in [&lead, &won] {
        app.store_as(
            &app.admin,
            subject,
            "contact.email",
            json!("x@example.se"),
            &["customer_relations"],
        )
        .await;
    }
    clock.set("2025-04-01T09:00:00Z".parse().unwrap());
    assert_eq!(
        app.event(&won, &app.admin, json!({ "kind": "relationship_start" }))
            .await,
        204
    );
    clock.set(noon(&app.vault, jiff::civil::date(2026, 2, 15)));
    assert_eq!(
        sweep(&app.vault).await.total(),
        0,
        "the 13th month's last day"
    );
    clock.set(noon(&app.vault, jiff::civil::date(2026, 2, 16)));
    let report = sweep(&app.vault).await;
    assert_eq!(report.total(), 1);
    assert_eq!(report.lines[0].rule, "leads");
    assert!(record_ids(&app.vault, &lead).await.is_empty());
    assert_eq!(
        record_ids(&app.vault, &won).await.len(),
        1,
        "a customer's address stays"
    );
}

/// Survey answers are anonymised after 90 days and still counted; a group
/// of fewer than five is never shown.
#[tokio::test]
async fn survey_answers_are_anonymised_after_90_days_and_counted_in_groups_of_five_or_more() {
    let (app, clock) = at(&connectel(), "2026-01-05T09:00:00Z").await;
    for i in 0..9 {
        let person = app.customer(&format!("p{i}@example.se")).await;
        // Five rate 4; four rate 2.
        let rating = if i < 5 { 4 } else { 2 };
        app.store_as(
            &app.admin,
            &person,
            "survey",
            json!({ "survey": "helpdesk-2026-01", "rating": rating, "comment": format!("I am person {i}") }),
            &["helpdesk_quality"],
        )
        .await;
    }
    clock.set(noon(&app.vault, jiff::civil::date(2026, 4, 5)));
    assert_eq!(sweep(&app.vault).await.total(), 0, "the 90th day");
    clock.set(noon(&app.vault, jiff::civil::date(2026, 4, 6)));
    let report = sweep(&app.vault).await;
    assert_eq!(report.total(), 9);
    assert_eq!(report.lines[0].action, RetentionAction::Anonymise);
    assert_eq!(
        report.subjects_shredded, 9,
        "nothing else was held about them"
    );
    let stats: Value = app
        .get("/v1/statistics/survey?by=survey,rating", &app.officer)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["k"], 5);
    assert_eq!(
        stats["groups"],
        json!([{ "key": ["helpdesk-2026-01", 4], "count": 5 }]),
        "the group of four is left out: {stats}"
    );
    assert_eq!(stats["suppressed_groups"], 1);
    let all: Value = app
        .get("/v1/statistics/survey?by=month", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["groups"], json!([{ "key": ["2026-01"], "count": 9 }]));
    // What is kept names nobody: no comment, no subject, no record.
    let rows = app.vault.store().anonymised("survey").await.unwrap();
    assert_eq!(rows.len(), 9);
    for row in &rows {
        assert_eq!(row.fields.as_object().unwrap().len(), 2, "{:?}", row.fields);
        assert!(!row.fields.to_string().contains("person"));
    }
    // Only fields the rule keeps may be grouped by; services may not read.
    let comment = app
        .get("/v1/statistics/survey?by=comment", &app.officer)
        .await;
    assert_eq!(comment.status(), 422);
    let problem: Value = comment.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("`rating`"),
        "{problem}"
    );
    assert_eq!(
        app.get("/v1/statistics/survey", &app.service)
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn calectros_comments_are_kept_indefinitely_under_their_justification() {
    let (app, clock) = at(&policy_text("calectro"), "2026-01-05T09:00:00Z").await;
    let visitor = app.subject_of("commenter", "reader@example.se").await;
    app.store_as(
        &app.admin,
        &visitor,
        "comment.text",
        json!("Great article!"),
        &["comments"],
    )
    .await;
    clock.set("2076-01-05T09:00:00Z".parse().unwrap());
    assert_eq!(sweep(&app.vault).await.total(), 0);
    assert_eq!(record_ids(&app.vault, &visitor).await.len(), 1);
    let due: Value = app
        .get("/v1/retention/due", &app.officer)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(due["lines"], json!([]));
}

/// Erasure meets retention: what the law keeps, the answer gives a day
/// for; once it has passed, the sweep removes it without anyone acting.
/// Elveta's sales data serves the contract (no end while it runs) and
/// bookkeeping: after the erasure only bookkeeping keeps it.
#[tokio::test]
async fn what_an_erasure_keeps_for_bookkeeping_goes_the_day_after_the_answer_says() {
    let (app, clock) = at(&policy_text("elveta"), "2025-06-10T09:00:00Z").await;
    let kund = app.subject_of("direct_customer", "kund@example.se").await;
    app.store_as(
        &app.admin,
        &kund,
        "sales.invoice",
        json!({ "order": "O-1", "total": 1200 }),
        &["bookkeeping", "service_delivery"],
    )
    .await;
    clock.set("2040-01-01T09:00:00Z".parse().unwrap());
    assert_eq!(sweep(&app.vault).await.total(), 0, "the contract keeps it");
    clock.set("2025-06-12T09:00:00Z".parse().unwrap());
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "kund@example.se" }], "grounds": "I have left" }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let answer = app.answer(&id, &secret).await;
    assert_eq!(answer["kept"][0]["until"], "2032-12-31", "{answer}");
    clock.set(noon(&app.vault, jiff::civil::date(2032, 12, 31)));
    assert_eq!(sweep(&app.vault).await.total(), 0);
    clock.set(noon(&app.vault, jiff::civil::date(2033, 1, 1)));
    let report = sweep(&app.vault).await;
    assert_eq!(report.total(), 1);
    assert_eq!(
        report.lines[0].purposes,
        ["bookkeeping"],
        "kept for bookkeeping only"
    );
    assert_eq!(report.subjects_shredded, 1);
}

/// A litigation hold keeps Elveta's bookkeeping past its seven years; once
/// released, the next sweep removes it.
#[tokio::test]
async fn a_hold_keeps_elvetas_bookkeeping_past_its_period_until_released() {
    let (app, clock) = at(&policy_text("elveta"), "2024-03-15T09:00:00Z").await;
    let kund = app.subject_of("direct_customer", "kund@example.se").await;
    let sale = app
        .store_as(
            &app.admin,
            &kund,
            "sales.invoice",
            json!({ "order": "O-1", "total": 1200 }),
            &["bookkeeping"],
        )
        .await;
    let hold: Value = app
        .post(
            &format!("/v1/subjects/{kund}/holds"),
            &app.officer,
            json!({ "reason": "Tvist 2031-07, Solna tingsrätt", "record": sale }),
        )
        .await
        .json()
        .await
        .unwrap();
    let hold_id = hold["id"].as_str().unwrap().to_owned();
    assert_eq!(hold["until"], Value::Null);
    // Who may hold and release: officers only.
    assert_eq!(
        app.post(
            &format!("/v1/subjects/{kund}/holds"),
            &app.service,
            json!({ "reason": "x" })
        )
        .await
        .status(),
        403
    );
    assert_eq!(app.get("/v1/holds", &app.auditor).await.status(), 403);
    assert_eq!(
        app.post(
            &format!("/v1/holds/{hold_id}/release"),
            &app.service,
            json!({})
        )
        .await
        .status(),
        403
    );
    clock.set(noon(&app.vault, jiff::civil::date(2032, 1, 1)));
    let report = sweep(&app.vault).await;
    assert_eq!(
        (report.total(), report.held),
        (0, 1),
        "held past 31 December 2031"
    );
    assert_eq!(
        record_ids(&app.vault, &kund).await,
        std::slice::from_ref(&sale)
    );
    // Held is not usable: the period has ended, the read refuses it.
    let read = app.read(&kund, "bookkeeping", &app.admin).await;
    assert_eq!(read["records"], json!([]), "{read}");
    let list: Value = app
        .get("/v1/holds", &app.officer)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["reason"], "Tvist 2031-07, Solna tingsrätt");
    let released = app
        .post(
            &format!("/v1/holds/{hold_id}/release"),
            &app.officer,
            json!({}),
        )
        .await;
    assert_eq!(released.status(), 204);
    let again = app
        .post(
            &format!("/v1/holds/{hold_id}/release"),
            &app.officer,
            json!({}),
        )
        .await;
    assert_eq!(again.status(), 404, "released once");
    assert_eq!(sweep(&app.vault).await.total(), 1);
    assert!(record_ids(&app.vault, &kund).await.is_empty());
}

#[tokio::test]
async fn a_hold_with_an_end_stops_holding_on_the_day_after() {
    let (app, clock) = at(&connectel(), "2026-03-02T09:00:00Z").await;
    let anna = app.customer("anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "helpdesk.call_recording",
        json!("c.ogg"),
        &["support_call_recording"],
    )
    .await;
    let held = app
        .post(
            &format!("/v1/subjects/{anna}/holds"),
            &app.officer,
            json!({ "reason": "Complaint 2026-31 to the supervisory authority", "until": "2026-06-30" }),
        )
        .await;
    assert_eq!(held.status(), 201);
    let past = app
        .post(
            &format!("/v1/subjects/{anna}/holds"),
            &app.officer,
            json!({ "reason": "x", "until": "2026-01-01" }),
        )
        .await;
    assert_eq!(past.status(), 422);
    clock.set(noon(&app.vault, jiff::civil::date(2026, 6, 30)));
    assert_eq!(sweep(&app.vault).await.held, 1);
    clock.set(noon(&app.vault, jiff::civil::date(2026, 7, 1)));
    assert_eq!(sweep(&app.vault).await.total(), 1);
}

/// Three nodes on one PostgreSQL database sweep at once: every record is
/// removed, and audited, exactly once.
#[tokio::test]
async fn nodes_sweeping_one_database_at_once_remove_each_record_once() {
    let clock = Arc::new(ManualClock::new(
        "2026-03-02T09:00:00Z".parse::<Timestamp>().unwrap(),
    ));
    let spawned = steward_test_support::spawn_app_on_postgres(policy_from(&connectel()), |s| {
        s.clock = clock.clone()
    })
    .await;
    let vault = Arc::clone(&spawned.vault);
    for i in 0..30 {
        let subject = vault
            .create_subject(
                &Actor::cli(),
                NewSubject {
                    subject_type: "customer_contact".into(),
                    birth_date: None,
                    age: Some(40),
                    identities: vec![IdentityInput {
                        kind: "email".into(),
                        value: format!("n{i}@example.se"),
                    }],
                },
            )
            .await
            .unwrap();
        for _ in 0..3 {
            vault
                .write_record(
                    &Actor::cli(),
                    &subject,
                    new_record(
                        "helpdesk.call_recording",
                        json!("c.ogg"),
                        "support_call_recording",
                        None,
                    ),
                )
                .await
                .unwrap();
        }
    }
    let mut others = Vec::new();
    for _ in 0..2 {
        let mut settings = spawned.settings.clone();
        settings.listen = None;
        settings.workers = 0;
        others.push(steward_server::Application::build(settings).await.unwrap());
    }
    clock.set("2026-05-01T09:00:00Z".parse().unwrap());
    let small = || SweepOptions {
        batch: 7,
        ..SweepOptions::default()
    };
    let system = Actor::system();
    let (a, b, c) = tokio::join!(
        vault.sweep(&system, small()),
        others[0].vault().sweep(&system, small()),
        others[1].vault().sweep(&system, small()),
    );
    let removed = a.unwrap().total() + b.unwrap().total() + c.unwrap().total();
    assert_eq!(removed, 90);
    assert_eq!(audit_actions(&vault, "retention.delete").await.len(), 90);
    assert_eq!(
        audit_actions(&vault, "retention.subject_shredded")
            .await
            .len(),
        30
    );
    let (entries, head) = vault.store().audit_log().await.unwrap();
    assert!(steward_domain::vault::audit_chain::verify(&entries, Some(head)).is_ok());
}

fn new_record(
    category: &str,
    value: Value,
    purpose: &str,
    collected_at: Option<Timestamp>,
) -> NewRecord {
    NewRecord {
        category: category.into(),
        value,
        source: None,
        purposes: vec![purpose.into()],
        collected_at,
        derived_from: Vec::new(),
    }
}

/// Every counted rule of the five policies, for one category and purpose
/// it governs: the record stays through the last day the domain computes
/// (from its hand-checked arithmetic) and is gone, or anonymised, or
/// flagged, the day after. Indefinite rules keep data fifty years on.
#[tokio::test]
async fn every_retention_rule_of_the_five_policies_is_enforced_on_its_day() {
    let mut untested = Vec::new();
    let mut tested = 0;
    for name in ["cadcraft", "calectro", "connectel", "elveta", "qlocx"] {
        let start: Timestamp = "2025-03-10T09:00:00Z".parse().unwrap();
        let (app, clock) = at(&policy_text(name), "2025-03-10T09:00:00Z").await;
        let policy: &Policy = app.vault.policy();
        for rule in &policy.retention {
            let Some((category, purpose, subject_type)) = writable(policy, rule) else {
                untested.push(format!(
                    "{name}/{}: no category, purpose and subject type to write",
                    rule.id
                ));
                continue;
            };
            clock.set(start);
            let subject = app
                .vault
                .create_subject(
                    &Actor::cli(),
                    NewSubject {
                        subject_type: subject_type.clone(),
                        birth_date: None,
                        age: Some(40),
                        identities: vec![IdentityInput {
                            kind: "email".into(),
                            value: format!("{}.{}@example.se", rule.id.replace('_', "-"), tested),
                        }],
                    },
                )
                .await
                .unwrap();
            let written = app
                .vault
                .write_record(
                    &Actor::cli(),
                    &subject,
                    new_record(&category, json!({ "v": 1 }), &purpose, None),
                )
                .await;
            let record = match written {
                Ok(id) => id.to_string(),
                Err(e) => {
                    untested.push(format!(
                        "{name}/{}: {category} for {purpose} refused: {e}",
                        rule.id
                    ));
                    continue;
                }
            };
            // The events the rule waits for, ten days later (and `unless`
            // never happens: the rule governs).
            let mut events = Events::new();
            if let RetentionPeriod::Counted { after, .. } = &rule.period {
                for event in after
                    .iter()
                    .filter(|e| !matches!(e, Event::Collection | Event::FinancialYearEnd))
                {
                    let at = start
                        .checked_add(jiff::SignedDuration::from_hours(240))
                        .unwrap();
                    clock.set(at);
                    app.vault
                        .record_event(&Actor::cli(), &subject, event.as_str(), None)
                        .await
                        .unwrap();
                    events.insert(*event, app.vault.local_date(at));
                }
            }
            let collected = app.vault.local_date(start);
            let due = retention::due(
                policy,
                &category,
                std::slice::from_ref(&purpose),
                collected,
                &events,
            );
            let present = |ids: Vec<String>| ids.contains(&record);
            match due {
                None => {
                    // Indefinite (or awaiting an event no one records).
                    clock.set("2075-03-10T09:00:00Z".parse().unwrap());
                    sweep(&app.vault).await;
                    assert!(
                        present(record_ids(&app.vault, subject.as_str()).await),
                        "{name}/{} kept",
                        rule.id
                    );
                }
                Some(due) => {
                    clock.set(noon(&app.vault, due.last_day));
                    sweep(&app.vault).await;
                    assert!(
                        present(record_ids(&app.vault, subject.as_str()).await),
                        "{name}/{}: {category} for {purpose} gone on its last day {}",
                        rule.id,
                        due.last_day
                    );
                    clock.set(noon(&app.vault, due.last_day.tomorrow().unwrap()));
                    let report = sweep(&app.vault).await;
                    let after = present(record_ids(&app.vault, subject.as_str()).await);
                    match due.action() {
                        RetentionAction::Review => assert!(after && report.total() >= 1),
                        _ => assert!(
                            !after,
                            "{name}/{}: {category} for {purpose} still stored the day after {}",
                            rule.id, due.last_day
                        ),
                    }
                }
            }
            tested += 1;
        }
    }
    assert!(untested.is_empty(), "rules not tested: {untested:#?}");
    assert!(tested > 40, "{tested} rules");
}

/// A leaf category the rule names that one of its purposes uses, that
/// purpose, and a subject type it concerns.
fn writable(
    policy: &Policy,
    rule: &steward_domain::policy::RetentionRule,
) -> Option<(String, String, String)> {
    for purpose in policy
        .purposes
        .iter()
        .filter(|p| rule.purposes.contains(&p.id))
    {
        let uses = policy.expand_categories(&purpose.categories);
        for category in policy.expand_categories(&rule.categories) {
            let leaf = !policy
                .categories
                .iter()
                .any(|c| c.id.starts_with(&format!("{}.", category.id)));
            if leaf && uses.iter().any(|u| u.id == category.id) {
                let subject_type = purpose.subjects.first()?.clone();
                return Some((category.id.clone(), purpose.id.clone(), subject_type));
            }
        }
    }
    None
}
