//! Disclosures through the vault on Connectel's policy: only to a declared
//! recipient, for its purposes and categories, to a country Chapter V
//! covers; logged with what names people sealed; the access answer and the
//! record of transfers follow the log.

use serde_json::{Value, json};

use crate::helpers::*;

async fn disclose(app: &TestApp, subject: &str, token: &str, body: Value) -> (u16, Value) {
    let response = app
        .post(&format!("/v1/subjects/{subject}/disclosures"), token, body)
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn logged(app: &TestApp, subject: &str) -> Vec<Value> {
    let response = app
        .get(&format!("/v1/subjects/{subject}/disclosures"), &app.officer)
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_policy_decides_who_may_receive_what_where_and_refusals_leave_no_trace() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    app.store(
        &anna,
        "helpdesk.conversation",
        json!("my router"),
        &["customer_service"],
    )
    .await;
    let refused = [
        // No such recipient in the notice.
        (
            json!({ "recipient": "data_broker", "purpose": "customer_service" }),
            "recipient_not_declared",
            "recipient",
        ),
        // GetAccept signs agreements: not for the news.
        (
            json!({ "recipient": "getaccept", "purpose": "service_news" }),
            "purpose_not_declared_for_recipient",
            "purpose",
        ),
        // ... and it gets agreements and contact details, not tickets.
        (
            json!({ "recipient": "getaccept", "purpose": "customer_service", "categories": ["helpdesk.conversation"] }),
            "category_not_declared_for_recipient",
            "categories",
        ),
        // New owners are declared inside the EU/EEA, with no safeguard for
        // anywhere else.
        (
            json!({ "recipient": "new_owners", "purpose": "customer_service", "country": "US" }),
            "transfer_without_safeguard",
            "country",
        ),
        // GetAccept is in Sweden.
        (
            json!({ "recipient": "getaccept", "purpose": "customer_service", "country": "DK" }),
            "country_not_declared_for_recipient",
            "country",
        ),
        // AWS may be anywhere: the country must be named.
        (
            json!({ "recipient": "aws", "purpose": "customer_service" }),
            "country_needed",
            "country",
        ),
    ];
    for (body, code, field) in refused {
        let (status, problem) = disclose(&app, &anna, &app.officer, body.clone()).await;
        assert_eq!(status, 403, "{body} gave {problem}");
        assert_eq!(problem["code"], code, "{body} gave {problem}");
        assert_eq!(problem["field"], field, "{body} gave {problem}");
    }
    // A service discloses only for its own purposes.
    let news = app.token_for(&["service_news"]).await;
    let (status, problem) = disclose(
        &app,
        &anna,
        &news,
        json!({ "recipient": "getaccept", "purpose": "customer_service" }),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    assert!(logged(&app, &anna).await.is_empty());
    let (entries, _) = app.vault.store().audit_log().await.unwrap();
    assert!(entries.iter().all(|e| e.event.action != "disclosure"));

    // Declared: released and logged, only the categories asked.
    let (status, done) = disclose(
        &app,
        &anna,
        &app.service,
        json!({ "recipient": "getaccept", "purpose": "customer_service", "categories": ["contact"] }),
    )
    .await;
    assert_eq!(status, 201, "{done}");
    let values: Vec<&Value> = done["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["value"])
        .collect();
    assert_eq!(values, [&json!("anna@example.se")], "{done}");
    assert_eq!(done["disclosure"]["country"], "SE");
    assert_eq!(done["disclosure"]["safeguard"], Value::Null);
    assert_eq!(done["disclosure"]["categories"], json!(["contact.email"]));
    let log = logged(&app, &anna).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["recipient"], "getaccept");
}

#[tokio::test]
async fn transfers_on_a_derogation_or_a_legal_request_record_why_sealed_under_the_subject_key() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_relations", "legal_requests"],
    )
    .await;
    // SproutVideo (US) rests on Art. 49(1): the point must be named each time.
    let webinar =
        json!({ "recipient": "sproutvideo", "purpose": "customer_relations", "country": "US" });
    let (status, problem) = disclose(&app, &anna, &app.officer, webinar.clone()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("derogation_not_recorded")),
        "{problem}"
    );
    let mut with_point = webinar.clone();
    with_point["derogation"] = json!({ "point": "explicit_consent", "reason": "ticked the webinar consent box on 2026-11-30, told of the US risks" });
    let (status, done) = disclose(&app, &anna, &app.officer, with_point).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["disclosure"]["safeguard"], "derogation");
    assert_eq!(
        done["disclosure"]["derogation"]["point"],
        "explicit_consent"
    );

    // The police get data only on a stated legal request.
    let police = json!({ "recipient": "law_enforcement", "purpose": "legal_requests" });
    let (status, problem) = disclose(&app, &anna, &app.officer, police.clone()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("legal_request_missing")),
        "{problem}"
    );
    let mut stated = police.clone();
    stated["legal_request"] = json!({ "authority": "Polismyndigheten Region Stockholm", "ground": "Beslut om husrannsakan, 28 kap. 1 § RB", "reference": "AM-123456-26" });
    let (status, done) = disclose(&app, &anna, &app.officer, stated).await;
    assert_eq!(status, 201, "{done}");

    let log = logged(&app, &anna).await;
    assert_eq!(log.len(), 2);
    assert_eq!(
        log[0]["derogation"]["reason"],
        "ticked the webinar consent box on 2026-11-30, told of the US risks"
    );
    assert_eq!(
        log[1]["legal_request"]["authority"],
        "Polismyndigheten Region Stockholm"
    );
    assert_eq!(log[1]["legal_request"]["reference"], "AM-123456-26");
    // Neither the database nor the audit log holds who asked or why in clear.
    let db = std::fs::read(app.dir.join("steward.db")).unwrap();
    let wal = std::fs::read(app.dir.join("steward.db-wal")).unwrap_or_default();
    for secret in ["Polismyndigheten", "AM-123456-26", "webinar consent box"] {
        for bytes in [&db, &wal] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "`{secret}` is in the database in clear"
            );
        }
    }
    let (entries, _) = app.vault.store().audit_log().await.unwrap();
    let disclosures: Vec<&Value> = entries
        .iter()
        .filter(|e| e.event.action == "disclosure")
        .map(|e| &e.event.detail)
        .collect();
    assert_eq!(disclosures.len(), 2);
    assert_eq!(disclosures[1]["recipient"], "law_enforcement");
    assert_eq!(disclosures[1]["legal_request"], true);
    assert_eq!(disclosures[1]["basis"], "Art. 6(1)(c)");
    assert!(!disclosures[1].to_string().contains("Polis"));

    // Declared against actual, for the record of processing.
    let transfers: Vec<Value> = app
        .get("/v1/disclosures", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    let of = |id: &str| {
        transfers
            .iter()
            .find(|t| t["recipient"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(of("sproutvideo")["declared_country"], "US");
    assert_eq!(
        of("sproutvideo")["actual"],
        json!([{ "country": "US", "safeguard": "derogation", "count": 1, "last_at": of("sproutvideo")["actual"][0]["last_at"] }])
    );
    assert_eq!(of("law_enforcement")["actual"][0]["count"], 1);
    assert_eq!(of("freshworks")["standing"], true);
    assert_eq!(of("new_owners")["actual"], json!([]));

    // The police on a warrant are not a recipient the person is told of,
    // nor one told of an erasure (Art. 4(9)); SproutVideo is.
    let received: Vec<String> = app
        .vault
        .received_by(&sid(&anna))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.recipient)
        .collect();
    assert!(received.contains(&"sproutvideo".to_owned()), "{received:?}");
    assert!(
        !received.contains(&"law_enforcement".to_owned()),
        "{received:?}"
    );

    // Erased, the log goes with the person; the audit keeps the acts.
    let erased = app
        .delete(&format!("/v1/subjects/{anna}"), &app.officer)
        .await;
    assert!(erased.status().is_success(), "{}", erased.status());
    let gone = app
        .get(&format!("/v1/subjects/{anna}/disclosures"), &app.officer)
        .await;
    assert_eq!(gone.status(), 410);
}

#[tokio::test]
async fn nothing_the_legal_basis_holds_back_is_disclosed() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.name",
        json!("Anna"),
        &["support_call_recording"],
    )
    .await;
    // Call recordings rest on consent, and Anna gave none.
    let (status, done) = disclose(
        &app,
        &anna,
        &app.officer,
        json!({ "recipient": "freshworks", "purpose": "support_call_recording", "country": "US" }),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["disclosure"], Value::Null);
    assert_eq!(done["records"], json!([]));
    assert_eq!(done["refused"][0]["reason"], "no_consent", "{done}");
    assert!(logged(&app, &anna).await.is_empty());
}

#[tokio::test]
async fn the_access_answer_names_the_recipients_that_received_the_data() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let (status, _) = disclose(
        &app,
        &anna,
        &app.officer,
        json!({ "recipient": "new_owners", "purpose": "customer_service", "country": "DE" }),
    )
    .await;
    assert_eq!(status, 201);
    let (id, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let answer = app.answer(&id, &secret).await;
    let received: Vec<(&str, bool)> = answer["received"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["recipient"].as_str().unwrap(),
                r["standing"].as_bool().unwrap(),
            )
        })
        .collect();
    // Customer service data sits in the helpdesk (Freshworks), on AWS and
    // with GetAccept as it is stored; the new owners got it by the log.
    assert_eq!(
        received,
        [
            ("getaccept", true),
            ("freshworks", true),
            ("aws", true),
            ("new_owners", false)
        ],
        "{answer}"
    );
    let report = app
        .as_requester(
            "GET",
            &format!("/v1/requests/{id}/answer?format=md"),
            &secret,
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    let received_at = report
        .find("These recipients have received data about you")
        .expect(&report);
    let owners = report
        .find("New owners in a change of control")
        .expect(&report);
    assert!(owners > received_at, "{report}");
    assert!(report.contains("Germany"), "{report}");
    // Every recipient of customer-service data has some of Anna's: none
    // is left to list as one that only may receive it.
    assert!(!report.contains("may also receive"), "{report}");
}
