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

fn reasons(read: &serde_json::Value) -> Vec<(String, String)> {
    read["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["category"].as_str().unwrap().to_owned(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Connectel: "we may continue processing your personal data based on
/// other legal grounds, except for direct marketing".
#[tokio::test]
async fn withdrawing_consent_to_marketing_stops_marketing_on_legitimate_interests() {
    let app = spawn_app().await;
    let lead = app.subject_of("prospect", "lead@example.se").await;
    app.store_as(
        &app.admin,
        &lead,
        "contact.email",
        json!("lead@example.se"),
        &["customer_relations"],
    )
    .await;
    let consents = format!("/v1/subjects/{lead}/consents");
    let given = app
        .post(
            &consents,
            &app.admin,
            json!({ "purpose": "marketing_tracking", "method": "cookie_banner" }),
        )
        .await;
    assert_eq!(given.status(), 201, "{}", given.text().await.unwrap());
    let read = app.read(&lead, "customer_relations", &app.admin).await;
    assert_eq!(read["records"].as_array().unwrap().len(), 1, "{read}");
    let withdrawn = app
        .delete(&format!("{consents}/marketing_tracking"), &app.admin)
        .await;
    assert!(withdrawn.status().is_success(), "{}", withdrawn.status());
    let read = app.read(&lead, "customer_relations", &app.admin).await;
    assert_eq!(read["records"], json!([]), "{read}");
    assert_eq!(
        reasons(&read),
        [(
            "contact.email".to_owned(),
            "marketing_consent_withdrawn".to_owned()
        )]
    );
}

/// Connectel records helpdesk calls "if you consent to it": customer
/// service, on legitimate interests, uses the helpdesk but the recordings
/// only while that consent is in force.
#[tokio::test]
async fn call_recordings_need_consent_whatever_purpose_reads_them() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "helpdesk.call_recording",
        json!("call-0412.ogg"),
        &["customer_service", "support_call_recording"],
    )
    .await;
    let read = app.read(&anna, "customer_service", &app.admin).await;
    assert_eq!(
        reasons(&read),
        [(
            "helpdesk.call_recording".to_owned(),
            "category_needs_consent".to_owned()
        )],
        "{read}"
    );
    let given = app
        .post(
            &format!("/v1/subjects/{anna}/consents"),
            &app.admin,
            json!({ "purpose": "support_call_recording", "method": "phone_keypad" }),
        )
        .await;
    assert_eq!(given.status(), 201, "{}", given.text().await.unwrap());
    let read = app.read(&anna, "customer_service", &app.admin).await;
    assert_eq!(read["records"][0]["value"], "call-0412.ogg", "{read}");
}

/// A demo is booked "at your request, before any agreement is made".
#[tokio::test]
async fn a_demo_is_given_before_any_contract_exists() {
    let app = spawn_app().await;
    let lead = app.subject_of("prospect", "lead@example.se").await;
    app.store_as(
        &app.admin,
        &lead,
        "contact.email",
        json!("lead@example.se"),
        &["demo"],
    )
    .await;
    let read = app.read(&lead, "demo", &app.admin).await;
    assert_eq!(read["records"].as_array().unwrap().len(), 1, "{read}");
}

/// The other party to a call is never met: no age is asked of them, but
/// one known to be under Connectel's 18 is still refused.
#[tokio::test]
async fn people_whose_age_cannot_be_known_are_not_asked_it() {
    let app = spawn_app().await;
    let participant = |age: Option<u32>| {
        let mut body = json!({ "subject_type": "communication_participant", "identities": [{ "kind": "phone", "value": format!("+46701{:06}", age.unwrap_or(0)) }] });
        if let Some(age) = age {
            body["age"] = json!(age);
        }
        body
    };
    let unknown = app
        .post("/v1/subjects", &app.admin, participant(None))
        .await;
    assert_eq!(unknown.status(), 201, "{}", unknown.text().await.unwrap());
    let minor = app
        .post("/v1/subjects", &app.admin, participant(Some(15)))
        .await;
    assert_eq!(minor.status(), 422);
    // A customer contact is someone Connectel deals with: asked as before.
    let contact = app
        .post(
            "/v1/subjects",
            &app.admin,
            json!({ "subject_type": "customer_contact", "identities": [{ "kind": "email", "value": "c@example.se" }] }),
        )
        .await;
    assert_eq!(contact.status(), 422);
}

/// A read for a purpose that profiles is on record as one, with what the
/// policy says it leads to: no solely automated decision with legal effect.
#[tokio::test]
async fn a_profiling_read_is_audited_as_profiling_without_legal_effect() {
    let app = spawn_with(policy_from(&policy_text("calectro")), |_| {}).await;
    let anna = app.subject_of("customer", "anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "customer_needs",
        json!("smoke detectors for warehouses"),
        &["offer_tailoring"],
    )
    .await;
    let read = app.read(&anna, "offer_tailoring", &app.admin).await;
    assert_eq!(read["records"].as_array().unwrap().len(), 1, "{read}");
    app.read(&anna, "product_delivery", &app.admin).await;
    let (entries, _) = app.vault.store().audit_log().await.unwrap();
    let reads: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e.event.action == "read")
        .map(|e| &e.event.detail)
        .collect();
    assert_eq!(reads[0]["profiling"], true, "{}", reads[0]);
    assert_eq!(reads[0]["automated_decision_with_legal_effect"], false);
    assert!(reads[1].get("profiling").is_none(), "{}", reads[1]);
}

/// Derived data names what it came from: correcting an input flags what
/// was computed from it, which is withheld until computed again; the access
/// report says what was computed and from what.
#[tokio::test]
async fn derived_data_follows_its_inputs_and_the_answer_explains_it() {
    let app = spawn_with(policy_from(&policy_text("calectro")), |_| {}).await;
    let anna = app.subject_of("customer", "anna@example.se").await;
    let bert = app.subject_of("customer", "bert@example.se").await;
    let purchase = app
        .store_as(
            &app.admin,
            &anna,
            "purchases",
            json!("10 smoke detectors"),
            &["offer_tailoring"],
        )
        .await;
    let berts = app
        .store_as(
            &app.admin,
            &bert,
            "purchases",
            json!("1 gateway"),
            &["offer_tailoring"],
        )
        .await;
    let records = format!("/v1/subjects/{anna}/records");
    let derive = |from: Vec<String>, category: &'static str| json!({ "category": category, "value": "needs detectors for warehouses", "purposes": ["offer_tailoring"], "derived_from": from });
    // Someone else's record, or data the policy does not derive: refused.
    for (body, what) in [
        (
            derive(vec![berts], "customer_needs"),
            "not one of this subject's",
        ),
        (
            derive(vec![purchase.clone()], "purchases"),
            "not derived data",
        ),
    ] {
        let refused = app.post(&records, &app.admin, body).await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains(what), "{text}");
    }
    let made = app
        .post(
            &records,
            &app.admin,
            derive(vec![purchase.clone()], "customer_needs"),
        )
        .await;
    assert_eq!(made.status(), 201, "{}", made.text().await.unwrap());
    let read = app.read(&anna, "offer_tailoring", &app.admin).await;
    let needs = read["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == "customer_needs")
        .unwrap()
        .clone();
    assert_eq!(needs["derived_from"], json!([purchase]), "{read}");

    // The access report explains it.
    let (id, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
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
    assert!(report.contains("computed by us from: "), "{report}");

    // Anna corrects her purchases: the needs computed from them are wrong.
    let (id, secret) = app
        .submit_verified(json!({ "kind": "rectification", "identities": [{ "kind": "email", "value": "anna@example.se" }], "category": "purchases", "value": "2 smoke detectors" }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let read = app.read(&anna, "offer_tailoring", &app.admin).await;
    assert!(
        read["refused"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["category"] == "customer_needs"
                && r["reason"] == "recompute_after_rectification"),
        "{read}"
    );

    // Erasing the purchase erases what was computed from it.
    app.vault
        .erase_records(
            &steward_domain::vault::actor::Actor::cli(),
            &sid(&anna),
            &[purchase.as_str().into()],
            &[],
        )
        .await
        .unwrap();
    let left: Vec<String> = app
        .vault
        .store()
        .records(&sid(&anna))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.category)
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Elveta promises "all personal data" on a portability request, more than
/// Art. 20: the answer keeps what the notice promises.
#[tokio::test]
async fn a_policy_that_promises_all_data_on_portability_gives_all_of_it() {
    let text = policy_text("elveta");
    assert!(text.contains("portability = \"all_data\""));
    let app = spawn_with(policy_from(&text), |_| {}).await;
    let anna = app.subject_of("direct_customer", "anna@example.se").await;
    // Monitoring rests on legitimate interests: outside Art. 20.
    app.store_as(
        &app.admin,
        &anna,
        "technical.logs",
        json!("login 09:12"),
        &["monitoring"],
    )
    .await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "portability", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let answer = app.answer(&id, &secret).await;
    let categories: Vec<&str> = answer["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["technical.logs"], "{answer}");
    assert_eq!(answer["not_portable"], json!([]));
}

/// Cadcraft's notice gives no e-mail address: the placeholder the policy
/// assumes is no one's to send mail from.
#[tokio::test]
async fn an_assumed_controller_address_is_never_the_mail_sender() {
    let dir = TempDir::new("assumed-sender");
    let key = steward_domain::vault::crypto::SecretKey::generate();
    let mut settings =
        steward_test_support::test_settings(policy_from(&policy_text("cadcraft")), &dir, &key);
    settings.smtp = Some(steward_server::SmtpSettings {
        url: "smtp://127.0.0.1:2525".to_owned().into(),
        from: None,
    });
    let error = steward_server::Application::build(settings)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("STEWARD_MAIL_FROM"), "{error}");
}

/// A correction reaches everything computed from it, however many steps
/// removed: Qlocx's order feeds the purchase history, which feeds the segment.
#[tokio::test]
async fn a_correction_flags_every_step_derived_from_it() {
    let app = spawn_with(policy_from(&policy_text("qlocx")), |_| {}).await;
    let anna = app.subject_of("customer_contact", "anna@example.se").await;
    let records = format!("/v1/subjects/{anna}/records");
    let write = |category: &'static str, value: &'static str, from: Vec<String>| json!({ "category": category, "value": value, "purposes": ["customer_insights"], "derived_from": from });
    let order = app
        .store_as(
            &app.admin,
            &anna,
            "order.item",
            json!("lock Q-100"),
            &["customer_insights"],
        )
        .await;
    let made: serde_json::Value = app
        .post(
            &records,
            &app.admin,
            write("purchase_history", "1 lock", vec![order]),
        )
        .await
        .json()
        .await
        .unwrap();
    let history = made["id"].as_str().unwrap().to_owned();
    let segment = app
        .post(
            &records,
            &app.admin,
            write("customer_segment", "smart-lock buyer", vec![history]),
        )
        .await;
    assert_eq!(segment.status(), 201, "{}", segment.text().await.unwrap());
    app.vault
        .rectify(
            &steward_domain::vault::actor::Actor::cli(),
            &sid(&anna),
            "order.item",
            &json!("lock Q-200"),
        )
        .await
        .unwrap();
    let read = app.read(&anna, "customer_insights", &app.admin).await;
    let mut stale: Vec<&str> = read["refused"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reason"] == "recompute_after_rectification")
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    stale.sort();
    assert_eq!(stale, ["customer_segment", "purchase_history"], "{read}");
    // Nothing new may be computed from a value awaiting recomputation.
    let from_stale = app
        .post(
            &records,
            &app.admin,
            write(
                "customer_segment",
                "x",
                vec![made["id"].as_str().unwrap().to_owned()],
            ),
        )
        .await;
    assert_eq!(from_stale.status(), 422);
}
