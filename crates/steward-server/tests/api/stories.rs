//! What users of the API rely on, told as stories.

use serde_json::{Value, json};
use steward_domain::vault::actor::Actor;

use crate::helpers::*;

fn refused(read: &Value) -> Vec<(String, String)> {
    read["refused"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r["category"].as_str().unwrap_or("").to_owned(),
                        r["reason"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn categories(read: &Value) -> Vec<String> {
    read["records"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["category"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The README's curl session, on both backends.
async fn store_read_refuse_withdraw(app: TestApp) {
    // Given a customer whose e-mail is kept for customer service, and a call
    // recording kept on consent.
    let anna = app.customer("Anna.Svensson@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna.svensson@example.se"),
        &["customer_service"],
    )
    .await;
    app.store(
        &anna,
        "helpdesk.call_recording",
        json!({ "file": "call-1.ogg" }),
        &["support_call_recording"],
    )
    .await;
    let consent = app
        .post(
            &format!("/v1/subjects/{anna}/consents"),
            &app.service,
            json!({ "purpose": "support_call_recording", "method": "phone_menu" }),
        )
        .await;
    assert_eq!(consent.status(), 201);

    // When customer service reads, it gets the e-mail and nothing else.
    let read = app.read(&anna, "customer_service", &app.service).await;
    assert_eq!(categories(&read), ["contact.email"]);
    assert_eq!(read["records"][0]["value"], "anna.svensson@example.se");

    // A purpose the service token does not have is refused outright.
    let other = app
        .get(
            &format!("/v1/subjects/{anna}/data?purpose=marketing_tracking"),
            &app.service,
        )
        .await;
    assert_eq!(other.status(), 403);

    // Reading for the recording purpose works while consent holds...
    assert_eq!(
        categories(
            &app.read(&anna, "support_call_recording", &app.service)
                .await
        ),
        ["helpdesk.call_recording"]
    );
    // ...and stops the moment it is withdrawn.
    let withdrawn = app
        .delete(
            &format!("/v1/subjects/{anna}/consents/support_call_recording"),
            &app.service,
        )
        .await;
    assert_eq!(withdrawn.status(), 200);
    let after = app
        .read(&anna, "support_call_recording", &app.service)
        .await;
    assert!(categories(&after).is_empty());
    assert_eq!(
        refused(&after),
        [(
            "helpdesk.call_recording".to_owned(),
            "consent_withdrawn".to_owned()
        )]
    );

    // Every act is in an intact audit chain.
    let verdict: Value = app
        .get("/v1/audit/verify", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verdict["intact"], true, "{verdict}");
}

#[tokio::test]
async fn store_read_refuse_withdraw_on_sqlite() {
    store_read_refuse_withdraw(spawn_app().await).await;
}

#[tokio::test]
async fn store_read_refuse_withdraw_on_postgres() {
    store_read_refuse_withdraw(spawn_app_on_postgres().await).await;
}

#[tokio::test]
async fn a_read_never_mentions_data_the_purpose_does_not_use() {
    let app = spawn_app().await;
    // A prospect, whose tracking data exists for marketing.
    let anna = app.subject_of("prospect", "anna@example.se").await;
    // Tracking data is for marketing; customer service does not use it.
    app.store_as(
        &app.admin,
        &anna,
        "tracking.device",
        json!("Firefox"),
        &["marketing_tracking"],
    )
    .await;
    let read = app.read(&anna, "customer_service", &app.admin).await;
    assert!(
        categories(&read).is_empty() && refused(&read).is_empty(),
        "{read}"
    );
    // A customer-service token has no business with prospects at all.
    let service = app
        .get(
            &format!("/v1/subjects/{anna}/data?purpose=customer_service"),
            &app.service,
        )
        .await;
    assert_eq!(service.status(), 403);
}

#[tokio::test]
async fn data_collected_for_one_purpose_is_not_read_for_another_that_uses_the_category() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    // Collected for customer service only; helpdesk quality also uses e-mail addresses.
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let read = app.read(&anna, "helpdesk_quality", &app.admin).await;
    assert_eq!(
        refused(&read),
        [(
            "contact.email".to_owned(),
            "not_collected_for_purpose".to_owned()
        )]
    );
}

#[tokio::test]
async fn objection_stops_legitimate_interests_and_direct_marketing_objection_is_absolute() {
    let app = spawn_app().await;
    // A user of the service: gets service news and customer service.
    let anna = app.subject_of("service_user", "anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service", "service_news"],
    )
    .await;
    assert_eq!(
        categories(&app.read(&anna, "service_news", &app.admin).await),
        ["contact.email"]
    );
    // The helpdesk service runs no direct marketing, so it cannot record the objection...
    let elsewhere = app
        .post(
            &format!("/v1/subjects/{anna}/objections"),
            &app.service,
            json!({ "purpose": "direct_marketing" }),
        )
        .await;
    assert_eq!(elsewhere.status(), 403);
    // ...the newsletter service, through its unsubscribe link, can.
    let newsletter = app.token_for(&["service_news"]).await;
    let objected = app
        .post(
            &format!("/v1/subjects/{anna}/objections"),
            &newsletter,
            json!({ "purpose": "direct_marketing" }),
        )
        .await;
    assert_eq!(objected.status(), 204);
    assert_eq!(
        refused(&app.read(&anna, "service_news", &app.admin).await),
        [(
            "contact.email".to_owned(),
            "direct_marketing_objection".to_owned()
        )]
    );
    // No grounds override an objection to a direct-marketing purpose: it is
    // recorded, absolute, and the grounds are not.
    let bert = app.subject_of("service_user", "bert@example.se").await;
    app.store_as(
        &app.admin,
        &bert,
        "contact.email",
        json!("bert@example.se"),
        &["customer_service", "service_news"],
    )
    .await;
    let overridden = app
        .post(
            &format!("/v1/subjects/{bert}/objections"),
            &app.officer,
            json!({ "purpose": "service_news", "compelling_grounds": "we really want to" }),
        )
        .await;
    assert_eq!(overridden.status(), 204);
    assert_eq!(
        refused(&app.read(&bert, "service_news", &app.admin).await),
        [(
            "contact.email".to_owned(),
            "direct_marketing_objection".to_owned()
        )]
    );
    // The law gives no objection to a legal obligation, and to consent the
    // remedy is withdrawal: both are refused, saying so.
    for (purpose, says) in [
        ("bookkeeping", "Art. 21(1) gives no right to object"),
        ("support_call_recording", "withdraw it (Art. 7(3))"),
    ] {
        let refused = app
            .post(
                &format!("/v1/subjects/{bert}/objections"),
                &app.officer,
                json!({ "purpose": purpose }),
            )
            .await;
        assert_eq!(refused.status(), 422, "{purpose}");
        let problem: Value = refused.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(says),
            "{problem}"
        );
    }
    // Customer service (legitimate interests, not marketing) goes on until objected to.
    assert_eq!(
        categories(&app.read(&anna, "customer_service", &app.service).await),
        ["contact.email"]
    );
    app.post(
        &format!("/v1/subjects/{anna}/objections"),
        &app.service,
        json!({ "purpose": "customer_service" }),
    )
    .await;
    assert_eq!(
        refused(&app.read(&anna, "customer_service", &app.service).await),
        [("contact.email".to_owned(), "objected".to_owned())]
    );
    // A service cannot record compelling grounds; a privacy officer can.
    let by_service = app
        .post(
            &format!("/v1/subjects/{anna}/objections"),
            &app.service,
            json!({ "purpose": "customer_service", "compelling_grounds": "open invoice dispute" }),
        )
        .await;
    assert_eq!(by_service.status(), 403);
    app.post(
        &format!("/v1/subjects/{anna}/objections"),
        &app.officer,
        json!({ "purpose": "customer_service", "compelling_grounds": "open invoice dispute" }),
    )
    .await;
    assert_eq!(
        categories(&app.read(&anna, "customer_service", &app.service).await),
        ["contact.email"]
    );
}

#[tokio::test]
async fn restriction_blocks_purpose_bound_reads_until_lifted() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let restrict = app
        .client
        .put(app.url(&format!("/v1/subjects/{anna}/restriction")))
        .bearer_auth(&app.officer)
        .json(&json!({ "restricted": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(restrict.status(), 204);
    assert_eq!(
        refused(&app.read(&anna, "customer_service", &app.service).await),
        [("contact.email".to_owned(), "restricted".to_owned())]
    );
    app.client
        .put(app.url(&format!("/v1/subjects/{anna}/restriction")))
        .bearer_auth(&app.officer)
        .json(&json!({ "restricted": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        categories(&app.read(&anna, "customer_service", &app.service).await),
        ["contact.email"]
    );
}

#[tokio::test]
async fn erasure_makes_the_subject_gone_and_the_log_still_verifies() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    assert_eq!(
        app.delete(&format!("/v1/subjects/{anna}"), &app.service)
            .await
            .status(),
        403,
        "services cannot erase"
    );
    assert_eq!(
        app.delete(&format!("/v1/subjects/{anna}"), &app.officer)
            .await
            .status(),
        204
    );
    let read = app
        .get(
            &format!("/v1/subjects/{anna}/data?purpose=customer_service"),
            &app.service,
        )
        .await;
    assert_eq!(read.status(), 410);
    let lookup = app
        .post(
            "/v1/subjects/lookup",
            &app.service,
            json!({ "kind": "email", "value": "anna@example.se" }),
        )
        .await;
    assert_eq!(lookup.status(), 404);
    let verdict: Value = app
        .get("/v1/audit/verify", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verdict["intact"], true);
}

#[tokio::test]
async fn consent_given_before_a_material_change_no_longer_counts() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "helpdesk.call_recording",
        json!("rec"),
        &["support_call_recording"],
    )
    .await;
    app.post(
        &format!("/v1/subjects/{anna}/consents"),
        &app.service,
        json!({ "purpose": "support_call_recording", "method": "web_form" }),
    )
    .await;
    // The controller publishes version 3.2, changing the recording purpose materially.
    let text = connectel()
        .replacen("version = \"3.1\"", "version = \"3.2\"", 1)
        .replacen(
            "id = \"support_call_recording\"",
            "id = \"support_call_recording\"\nchanged_in = \"3.2\"",
            1,
        );
    let updated = app.reopened_with(policy_from(&text)).await;
    let vault = updated.vault();
    let read = vault
        .read(&Actor::cli(), &sid(&anna), "support_call_recording")
        .await
        .unwrap();
    assert!(read.records.is_empty());
    assert_eq!(read.withheld[0].reason, "consent_predates_material_change");
    // Consent asked again under 3.2 counts.
    vault
        .give_consent(
            &Actor::cli(),
            &sid(&anna),
            "support_call_recording",
            "web_form",
            None,
            steward_domain::vault::consent::GivenBy::Subject,
        )
        .await
        .unwrap();
    assert_eq!(
        vault
            .read(&Actor::cli(), &sid(&anna), "support_call_recording")
            .await
            .unwrap()
            .records
            .len(),
        1
    );
}

#[tokio::test]
async fn identities_are_normalised_unique_and_validated() {
    let app = spawn_app().await;
    let anna = app.customer("Anna@Example.SE").await;
    let found: Value = app
        .post(
            "/v1/subjects/lookup",
            &app.service,
            json!({ "kind": "email", "value": " anna@example.se" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["id"], anna.as_str());
    let twice = app.post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "age": 40, "identities": [{ "kind": "email", "value": "anna@example.se" }] })).await;
    assert_eq!(twice.status(), 409);
    let undeclared = app.post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "age": 40, "identities": [{ "kind": "shoe_size", "value": "42" }] })).await;
    assert_eq!(
        undeclared.status(),
        422,
        "identity kinds are the built-in ones or those the policy declares"
    );
    let bad = app.post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "age": 40, "identities": [{ "kind": "personnummer", "value": "19811218-9875" }] })).await;
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("check digit"),
        "{problem}"
    );
    assert_eq!(problem["field"], "identities.personnummer");
}

#[tokio::test]
async fn subjects_under_the_minimum_age_are_refused() {
    let app = spawn_app().await;
    let young = app.post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "birth_date": "2012-03-04", "identities": [{ "kind": "email", "value": "kid@example.se" }] })).await;
    assert_eq!(young.status(), 422);
    let problem: Value = young.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("minimum age of 18"),
        "{problem}"
    );
    // A personnummer proves the age on its own.
    let adult = app.post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "identities": [{ "kind": "personnummer", "value": "811218-9876" }] })).await;
    assert_eq!(adult.status(), 201);
    // A birth date that disagrees with the personnummer is not believed.
    let disagrees = app.post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "birth_date": "1970-01-01", "identities": [{ "kind": "personnummer", "value": "811218-9876" }] })).await;
    assert_eq!(disagrees.status(), 422);
    // A personnummer added later that shows a child is refused too.
    let anna = app.customer("anna.age@example.se").await;
    let child = app
        .post(
            &format!("/v1/subjects/{anna}/identities"),
            &app.officer,
            json!({ "kind": "personnummer", "value": "20140615-1231" }),
        )
        .await;
    assert_eq!(child.status(), 422);
}

#[tokio::test]
async fn writes_the_policy_does_not_allow_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    let cases = [
        (
            json!({ "category": "contact", "value": 1, "purposes": ["customer_service"] }),
            "category",
            "sub-categories",
        ),
        (
            json!({ "category": "contact.fax", "value": 1, "purposes": ["customer_service"] }),
            "category",
            "not declared",
        ),
        (
            json!({ "category": "tracking.device", "value": 1, "purposes": ["customer_service"] }),
            "purposes",
            "does not use",
        ),
        (
            json!({ "category": "contact.email", "value": 1, "purposes": [] }),
            "purposes",
            "name the purposes",
        ),
        (
            json!({ "category": "contact.email", "value": 1, "purposes": ["customer_service"], "source": "the internet" }),
            "source",
            "not a source",
        ),
    ];
    for (body, field, words) in cases {
        let response = app
            .post(
                &format!("/v1/subjects/{anna}/records"),
                &app.service,
                body.clone(),
            )
            .await;
        assert_eq!(response.status(), 422, "{body}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], field, "{body}");
        assert!(
            problem["detail"].as_str().unwrap().contains(words),
            "{problem}"
        );
    }
    // A purpose outside the service token's is forbidden, not invalid.
    let forbidden = app
        .post(
            &format!("/v1/subjects/{anna}/records"),
            &app.service,
            json!({ "category": "contact.email", "value": 1, "purposes": ["service_news"] }),
        )
        .await;
    assert_eq!(forbidden.status(), 403);
}

#[tokio::test]
async fn bad_input_of_any_kind_gets_a_problem_never_a_500() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    let paths = [
        "/v1/subjects".to_owned(),
        "/v1/subjects/lookup".to_owned(),
        format!("/v1/subjects/{anna}/records"),
        format!("/v1/subjects/{anna}/identities"),
        format!("/v1/subjects/{anna}/events"),
        format!("/v1/subjects/{anna}/consents"),
        format!("/v1/subjects/{anna}/objections"),
        "/v1/tokens".to_owned(),
    ];
    let bodies = [
        "",
        "null",
        "[]",
        "{",
        "\"text\"",
        "{\"unknown\": 1}",
        "{\"category\": 5}",
        "{\"kind\": \"email\", \"value\": \"\"}",
        "{\"kind\": \"never_heard_of_it\"}",
        "{\"purpose\": \"nope\", \"method\": \"x\"}",
    ];
    for path in &paths {
        for body in bodies {
            let response = app
                .client
                .post(app.url(path))
                .bearer_auth(&app.admin)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            assert!(
                (400..500).contains(&status),
                "{path} {body:?} gave {status}"
            );
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            assert_eq!(content_type, "application/problem+json", "{path} {body:?}");
        }
    }
    let unknown = app.get("/v1/subjects/not-a-subject", &app.admin).await;
    assert_eq!(unknown.status(), 404);
    let nowhere = app.get("/v2/anything", &app.admin).await;
    assert_eq!(nowhere.status(), 404);
}

#[tokio::test]
async fn a_consent_receipt_has_the_iso_27560_fields() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    let consent: Value = app
        .post(
            &format!("/v1/subjects/{anna}/consents"),
            &app.service,
            json!({ "purpose": "support_call_recording", "method": "web_form", "language": "en" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let receipt: Value = app
        .get(
            &format!("/v1/consents/{}/receipt", consent["id"].as_str().unwrap()),
            &app.auditor,
        )
        .await
        .json()
        .await
        .unwrap();
    for field in [
        "record_id",
        "data_subject",
        "jurisdiction",
        "legal_basis",
        "controller",
        "purposes",
        "notice",
        "collection_method",
        "consent_time",
        "state",
        "withdrawal_method",
        "language",
    ] {
        assert!(receipt.get(field).is_some(), "missing {field}: {receipt}");
    }
    assert_eq!(receipt["legal_basis"], "Art. 6(1)(a)");
    assert_eq!(receipt["controller"]["name"], "Connectel AB");
    assert_ne!(
        receipt["data_subject"],
        anna.as_str(),
        "the receipt names the subject by pseudonym"
    );
    assert_eq!(receipt["notice"]["text_sha256"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn the_notice_is_public_and_the_record_of_processing_is_not() {
    let app = spawn_app().await;
    let notice = app
        .client
        .get(app.url("/v1/notice?lang=sv&format=md"))
        .send()
        .await
        .unwrap();
    assert_eq!(notice.status(), 200);
    assert!(
        notice
            .text()
            .await
            .unwrap()
            .starts_with("# Integritetspolicy för Connectel AB")
    );
    let ropa = app
        .client
        .get(app.url("/v1/record-of-processing"))
        .send()
        .await
        .unwrap();
    assert_eq!(ropa.status(), 401);
    let csv = app
        .get("/v1/record-of-processing?format=csv", &app.auditor)
        .await;
    assert_eq!(csv.status(), 200);
    assert!(csv.text().await.unwrap().starts_with("Activity,Name,"));
}

#[tokio::test]
async fn metrics_count_requests() {
    let app = spawn_app().await;
    app.client.get(app.url("/healthz")).send().await.unwrap();
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("steward_http_requests_total"), "{metrics}");
    assert!(metrics.contains("path=\"/healthz\""), "{metrics}");
}

#[tokio::test]
async fn concurrent_reads_each_leave_one_entry_in_an_intact_chain() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let before: Value = app
        .get("/v1/audit/verify", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    let mut reads = Vec::new();
    for _ in 0..60 {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!(
                "/v1/subjects/{anna}/data?purpose=customer_service"
            )),
            app.service.clone(),
        );
        reads.push(tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for read in reads {
        assert_eq!(read.await.unwrap(), 200);
    }
    let after: Value = app
        .get("/v1/audit/verify", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["intact"], true, "{after}");
    // Sixty reads, plus the first verification's own absence from the log.
    assert_eq!(
        after["entries"].as_u64().unwrap(),
        before["entries"].as_u64().unwrap() + 60
    );
}

#[tokio::test]
async fn identity_kinds_the_policy_declares_find_subjects() {
    let text = connectel().replacen(
        "languages = [",
        "identity_kinds = [\"app_user_id\"]\nlanguages = [",
        1,
    );
    let app = spawn_with(policy_from(&text), |_| {}).await;
    let created = app.post("/v1/subjects", &app.service, json!({ "subject_type": "service_user", "age": 30, "identities": [{ "kind": "app_user_id", "value": "u-1017" }] })).await;
    assert_eq!(created.status(), 201);
    let found = app
        .post(
            "/v1/subjects/lookup",
            &app.service,
            json!({ "kind": "app_user_id", "value": "u-1017" }),
        )
        .await;
    assert_eq!(found.status(), 200);
}

#[tokio::test]
async fn only_holders_of_a_contract_purpose_may_create_a_contract_basis() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    // The helpdesk token holds no contract-based purpose.
    assert_eq!(
        app.event(&anna, &app.service, json!({ "kind": "contract_start" }))
            .await,
        403
    );
    // Ending things, or recording activity, narrows nothing: allowed.
    assert_eq!(
        app.event(&anna, &app.service, json!({ "kind": "last_activity" }))
            .await,
        204
    );
    assert_eq!(
        app.event(&anna, &app.officer, json!({ "kind": "contract_start" }))
            .await,
        204
    );
    assert_eq!(
        app.event(
            &anna,
            &app.officer,
            json!({ "kind": "contract_end", "at": "2999-01-01T00:00:00Z" })
        )
        .await,
        422,
        "events are facts that happened"
    );
}

#[tokio::test]
async fn events_count_in_time_order_not_text_order() {
    let app = spawn_app().await;
    let prospect = app.subject_of("prospect", "pia@example.se").await;
    app.store_as(
        &app.admin,
        &prospect,
        "contact.email",
        json!("pia@example.se"),
        &["demo"],
    )
    .await;
    // As text, "…00.5Z" sorts before "…00Z"; in time it comes after.
    for (kind, at) in [
        ("contract_start", "2020-01-01T00:00:00Z"),
        ("contract_end", "2020-01-01T00:00:00.5Z"),
    ] {
        assert_eq!(
            app.event(&prospect, &app.officer, json!({ "kind": kind, "at": at }))
                .await,
            204
        );
    }
    let read = app.read(&prospect, "demo", &app.admin).await;
    assert_eq!(
        refused(&read),
        [("contact.email".to_owned(), "no_active_contract".to_owned())],
        "{read}"
    );
}

#[tokio::test]
async fn birth_dates_prove_the_age_and_are_not_kept() {
    let app = spawn_app().await;
    let created: Value = app
        .post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "birth_date": "1981-12-18", "identities": [{ "kind": "email", "value": "born@example.se" }] }))
        .await
        .json()
        .await
        .unwrap();
    let url = format!("sqlite://{}", app.dir.join("steward.db").display());
    let mut raw = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let kept: Option<String> = sqlx::query_scalar("SELECT birth_date FROM subjects WHERE id = $1")
        .bind(created["id"].as_str().unwrap())
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(
        kept, None,
        "the birth date proved the age and was not stored"
    );
}

#[tokio::test]
async fn free_text_that_would_reach_the_audit_log_is_refused() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    for method in ["e-mail from anna.svensson@example.se", "web_form\u{0}", ""] {
        let given = app
            .post(
                &format!("/v1/subjects/{anna}/consents"),
                &app.service,
                json!({ "purpose": "support_call_recording", "method": method }),
            )
            .await;
        assert_eq!(given.status(), 422, "{method:?}");
    }
    let nul = app
        .post(
            &format!("/v1/subjects/{anna}/objections"),
            &app.officer,
            json!({ "purpose": "customer_service", "compelling_grounds": "case\u{0}" }),
        )
        .await;
    assert_eq!(nul.status(), 422);
    // Identity errors do not repeat the value.
    let bad: Value = app
        .post("/v1/subjects", &app.service, json!({ "subject_type": "customer_contact", "age": 30, "identities": [{ "kind": "personnummer", "value": "19811218-9875" }] }))
        .await
        .json()
        .await
        .unwrap();
    assert!(!bad["detail"].as_str().unwrap().contains("9875"), "{bad}");
}

#[tokio::test]
async fn a_record_relabelled_in_the_database_does_not_pass_the_purpose_check() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "helpdesk.call_recording",
        json!("secret recording"),
        &["support_call_recording"],
    )
    .await;
    // Consent given, so a recording may be used for customer service: only
    // the label stands between it and the read.
    let consent = app
        .post(
            &format!("/v1/subjects/{anna}/consents"),
            &app.service,
            json!({ "purpose": "support_call_recording", "method": "phone_keypad" }),
        )
        .await;
    assert_eq!(consent.status(), 201);
    let url = format!("sqlite://{}", app.dir.join("steward.db").display());
    let mut raw = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("UPDATE records SET purposes = '[\"customer_service\"]'")
        .execute(&mut raw)
        .await
        .unwrap();
    let read = app
        .get(
            &format!("/v1/subjects/{anna}/data?purpose=customer_service"),
            &app.service,
        )
        .await;
    assert_eq!(
        read.status(),
        500,
        "the ciphertext no longer matches its label"
    );
    assert!(!read.text().await.unwrap().contains("secret recording"));
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once() {
    let app = spawn_app().await;
    let (token, secret) = app
        .vault
        .create_token(
            &Actor::cli(),
            steward_domain::vault::actor::Role::Auditor,
            Vec::new(),
            "soon revoked",
        )
        .await
        .unwrap();
    assert_eq!(app.get("/v1/audit/verify", &secret).await.status(), 200);
    assert_eq!(
        app.delete(&format!("/v1/tokens/{}", token.id), &app.officer)
            .await
            .status(),
        403,
        "only admins revoke"
    );
    assert_eq!(
        app.delete(&format!("/v1/tokens/{}", token.id), &app.admin)
            .await
            .status(),
        204
    );
    assert_eq!(app.get("/v1/audit/verify", &secret).await.status(), 401);
    assert_eq!(
        app.delete(&format!("/v1/tokens/{}", token.id), &app.admin)
            .await
            .status(),
        404,
        "already revoked"
    );
}
