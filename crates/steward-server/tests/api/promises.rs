//! The policy's own settings, obeyed at run time rather than only rendered
//! into the notice: who is not normally stored, which source may provide
//! which data. (The promised response deadline: `time.rs`.)

use serde_json::json;

use crate::helpers::*;

/// Elveta tells partner customers their data is not normally stored: it is
/// kept only for the purposes that concern them (monitoring, security),
/// each write flagged in the audit log as the exception; with no such
/// purpose, nothing about them is kept at all.
async fn create(app: &TestApp, subject_type: &str, email: &str) -> reqwest::Response {
    app.post(
        "/v1/subjects",
        &app.admin,
        json!({ "subject_type": subject_type, "age": 40, "identities": [{ "kind": "email", "value": email }] }),
    )
    .await
}

#[tokio::test]
async fn people_the_notice_says_are_not_stored_are_stored_only_by_exception() {
    let app = spawn_with(policy_from(&policy_text("elveta")), |_| {}).await;
    let partner = create(&app, "partner_customer", "partner@example.se").await;
    assert_eq!(partner.status(), 201);
    let id = partner.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.store_as(
        &app.admin,
        &id,
        "technical.logs",
        json!("login 09:12"),
        &["security"],
    )
    .await;
    let direct = create(&app, "direct_customer", "direct@example.se").await;
    assert_eq!(direct.status(), 201);
    let (entries, _) = app.vault.store().audit_log().await.unwrap();
    let flagged: Vec<(&str, bool)> = entries
        .iter()
        .filter(|e| ["subject.create", "record.write"].contains(&e.event.action.as_str()))
        .map(|e| {
            (
                e.event.action.as_str(),
                e.event.detail["not_normally_stored"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flagged,
        [
            ("subject.create", true),
            ("record.write", true),
            ("subject.create", false)
        ]
    );

    // Without a purpose for them, the notice's promise is absolute.
    let text = policy_text("elveta").replace(
        "subjects = [\"direct_customer\", \"partner_customer\"]",
        "subjects = [\"direct_customer\"]",
    );
    let app = spawn_with(policy_from(&text), |_| {}).await;
    let refused = create(&app, "partner_customer", "partner@example.se").await;
    assert_eq!(refused.status(), 403);
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["code"], "not_normally_stored", "{problem}");
    assert_eq!(problem["field"], "subject_type");
}

/// The notice names what is obtained from each source: Connectel gets
/// traffic data from its customers (the operators), nothing else.
#[tokio::test]
async fn a_source_provides_only_the_categories_the_notice_names_for_it() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    let records = format!("/v1/subjects/{anna}/records");
    let write = |category: &'static str, value: serde_json::Value, purpose: &'static str| {
        app.post(
            &records,
            &app.admin,
            json!({ "category": category, "value": value, "purposes": [purpose], "source": "customers" }),
        )
    };
    let wrong = write(
        "contact.email",
        json!("anna@example.se"),
        "customer_service",
    )
    .await;
    assert_eq!(wrong.status(), 403);
    let problem: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(
        problem["code"], "source_not_declared_for_category",
        "{problem}"
    );
    assert_eq!(problem["field"], "source");
    // Traffic data from the operator: named for `traffic`, so for its leaves.
    let traffic = write("traffic.duration", json!(62), "security_obligation").await;
    assert_eq!(traffic.status(), 201, "{}", traffic.text().await.unwrap());
    // From the subject: always (the notice says most data comes from them).
    let own = app
        .post(
            &format!("/v1/subjects/{anna}/records"),
            &app.admin,
            json!({ "category": "contact.email", "value": "anna@example.se", "purposes": ["customer_service"] }),
        )
        .await;
    assert_eq!(own.status(), 201);
}
