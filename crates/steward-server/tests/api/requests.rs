//! Data-subject requests through the API: a subject submits without a
//! token, proves each identity with the code from the outbox, and follows the
//! request; the worker carries it out; an officer does the manual parts
//! (Connectel's systems have no connectors, so each is a manual part).

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn an_access_request_returns_the_data_and_the_art_15_information() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "Anna@Example.se" }], "language": "sv" }))
        .await;
    app.do_manual_parts(&id).await;
    let view = app.answered(&id, &secret).await;
    assert_eq!(view["state"], "completed", "{view}");
    let steps: Vec<&str> = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["submitted", "verified", "started", "answered"]);
    let answer = app.answer(&id, &secret).await;
    assert_eq!(answer["data"][0]["value"], "anna@example.se", "{answer}");
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
    assert!(report.contains("anna@example.se"), "{report}");
    assert!(
        report.contains("Integritetsskyddsmyndigheten"),
        "the authority, in Swedish: {report}"
    );
    // Someone without the secret learns nothing, not even that it exists.
    let stranger = app
        .as_requester("GET", &format!("/v1/requests/{id}"), "guess", None)
        .await;
    assert_eq!(stranger.status(), 404);
    // The letter that carried the code is in the subject's language.
    let audit: Value = app
        .get("/v1/audit/verify", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["intact"], true, "{audit}");
}

#[tokio::test]
async fn a_verified_email_and_an_unverified_phone_reach_nobody_elses_data() {
    // Connectel as published: codes to e-mail and phone prove who asks for
    // an erasure (a copy of one's data needs a signed request, `identity.rs`).
    let app = spawn_with(policy_from(&policy_text("connectel")), |_| {}).await;
    app.customer("anna@example.se").await;
    let bert = app.customer("bert@example.se").await;
    // Added by an officer: an identity a service adds leads no request
    // anywhere (attacks.rs).
    app.post(
        &format!("/v1/subjects/{bert}/identities"),
        &app.officer,
        json!({ "kind": "phone", "value": "+46701234567" }),
    )
    .await;
    app.store(
        &bert,
        "contact.email",
        json!("bert@example.se"),
        &["customer_service"],
    )
    .await;
    let (id, secret) = app
        .submit(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "anna@example.se" }, { "kind": "phone", "value": "070-123 45 67" }] }))
        .await;
    // Only the e-mail is proven: the request waits, and reaches nothing.
    let code = app.code_for(&id, "email");
    let view: Value = app
        .as_requester(
            "POST",
            &format!("/v1/requests/{id}/verify"),
            &secret,
            Some(json!({ "codes": { "email": code } })),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["state"], "awaiting_verification", "{view}");
    assert_eq!(
        view["parts"],
        json!([]),
        "no part runs before every identity is proven"
    );
    let approve = app
        .post(
            &format!("/v1/requests/{id}/approve"),
            &app.officer,
            json!({}),
        )
        .await;
    assert_eq!(
        approve.status(),
        409,
        "an officer cannot push it past verification"
    );
    // A wrong code for the phone is counted, and refused.
    let wrong = app
        .as_requester(
            "POST",
            &format!("/v1/requests/{id}/verify"),
            &secret,
            Some(json!({ "codes": { "phone": "000000" } })),
        )
        .await;
    assert_eq!(wrong.status(), 422);
    // Proving both shows they belong to two people: refused, nobody's data read.
    let code = app.code_for(&id, "phone");
    app.as_requester(
        "POST",
        &format!("/v1/requests/{id}/verify"),
        &secret,
        Some(json!({ "codes": { "phone": code } })),
    )
    .await;
    let view = app.answered(&id, &secret).await;
    assert_eq!(view["state"], "refused", "{view}");
    assert!(
        view["detail"]["reason"]
            .as_str()
            .unwrap()
            .contains("Art. 12(6)")
    );
    assert_eq!(view["parts"], json!([]));
    // Both people the request reached are named (by pseudonym) in the audit log.
    let (entries, _) = app.vault.store().audit_log().await.unwrap();
    let named = |action: &str| -> std::collections::BTreeSet<String> {
        entries
            .iter()
            .filter(|e| e.event.action == action)
            .filter(|e| action != "subject.lookup" || e.event.detail["request"] == id)
            .filter_map(|e| e.event.subject.clone())
            .collect()
    };
    let created = named("subject.create");
    assert_eq!(created.len(), 2, "Anna and Bert");
    assert_eq!(named("subject.lookup"), created);
}

/// Anna, a customer with her e-mail address (for customer service) and an
/// invoice (for bookkeeping, which Bokföringslagen keeps).
async fn anna_with_an_invoice(app: &TestApp) -> String {
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    app.store_as(
        &app.admin,
        &anna,
        "billing.invoice",
        json!({ "number": "F-1001", "total": 499 }),
        &["bookkeeping"],
    )
    .await;
    anna
}

/// With some data kept (so the key lives on), an erasure still empties the
/// answers of the person's earlier requests.
#[tokio::test]
async fn an_erasure_that_keeps_some_data_still_empties_earlier_answers() {
    let app = spawn_app().await;
    anna_with_an_invoice(&app).await;
    let identities = json!([{ "kind": "email", "value": "anna@example.se" }]);
    let (access, access_secret) = app
        .submit_verified(json!({ "kind": "access", "identities": identities }))
        .await;
    app.do_manual_parts(&access).await;
    app.answered(&access, &access_secret).await;
    assert!(
        app.answer(&access, &access_secret)
            .await
            .to_string()
            .contains("anna@example.se")
    );
    let (erasure, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": identities }))
        .await;
    app.do_manual_parts(&erasure).await;
    app.answered(&erasure, &secret).await;
    assert_eq!(
        app.answer(&erasure, &secret).await["kept"][0]["what"],
        "billing.invoice"
    );
    let path = format!("/v1/requests/{access}/answer");
    assert_eq!(
        app.as_requester("GET", &path, &access_secret, None)
            .await
            .status(),
        410
    );
    assert_eq!(app.get(&path, &app.officer).await.status(), 410);
}

#[tokio::test]
async fn erasure_keeps_bookkeeping_data_and_says_until_when() {
    // An invoice of June 2025 is in the financial year that ends on 31
    // December 2025 (Connectel's is the calendar year): no event needed.
    let clock = std::sync::Arc::new(steward_server::clock::ManualClock::new(
        "2025-06-10T09:00:00Z".parse::<jiff::Timestamp>().unwrap(),
    ));
    let app = spawn_with(policy_from(&connectel()), |s| s.clock = clock.clone()).await;
    let anna = anna_with_an_invoice(&app).await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "anna@example.se" }], "grounds": "I am no longer a customer" }))
        .await;
    app.do_manual_parts(&id).await;
    let view = app.answered(&id, &secret).await;
    assert_eq!(view["state"], "completed", "{view}");
    let answer = app.answer(&id, &secret).await;
    let kept = answer["kept"].as_array().unwrap();
    assert_eq!(kept.len(), 1, "{answer}");
    assert_eq!(kept[0]["what"], "billing.invoice");
    assert_eq!(
        kept[0]["until"], "2032-12-31",
        "seven years after the end of the financial year"
    );
    assert!(
        kept[0]["reason"]
            .as_str()
            .unwrap()
            .contains("Bokföringslagen")
    );
    // The officer doing the accounting system's part by hand is told what
    // the law keeps there.
    let officer_view = app.officer_view(&id).await;
    let accounting = part(&officer_view, "accounting");
    assert!(
        accounting["hint"]
            .as_str()
            .unwrap()
            .contains("billing.invoice (for bookkeeping) under Bokföringslagen"),
        "{accounting}"
    );
    // The same, as a person reads it: the law, and the day in words.
    let md = app
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
    assert!(md.contains("Bokföringslagen"), "{md}");
    assert!(md.to_lowercase().contains("31 december 2032"), "{md}");
    assert!(!md.contains("2032-12-31"), "{md}");
    let held: Value = app
        .get(&format!("/v1/subjects/{anna}"), &app.officer)
        .await
        .json()
        .await
        .unwrap();
    let categories: Vec<&str> = held["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    assert_eq!(
        categories,
        ["billing.invoice"],
        "the e-mail is erased, the invoice kept"
    );
    // Art. 19: no disclosure is on record and the standing recipients of
    // this data are processors (instructed, not told): no letter goes.
    let letters = std::fs::read_dir(app.dir.join("outbox/recipient")).map_or(0, |d| d.count());
    assert_eq!(letters, 0);
}

#[tokio::test]
async fn restriction_blocks_a_purpose_bound_read_and_lifting_it_restores() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "restriction", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    assert_eq!(app.answered(&id, &secret).await["state"], "completed");
    let read = app.read(&anna, "customer_service", &app.service).await;
    assert_eq!(read["records"], json!([]), "{read}");
    assert_eq!(read["refused"][0]["reason"], "restricted", "{read}");
    let (id, secret) = app
        .submit_verified(json!({ "kind": "lift_restriction", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    assert_eq!(app.answered(&id, &secret).await["state"], "completed");
    let read = app.read(&anna, "customer_service", &app.service).await;
    assert_eq!(read["records"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn portability_gives_only_provided_data_on_consent_or_contract_in_a_zip() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let consent = app
        .post(
            &format!("/v1/subjects/{anna}/consents"),
            &app.service,
            json!({ "purpose": "support_call_recording", "method": "ivr" }),
        )
        .await;
    assert_eq!(consent.status(), 201);
    app.store(
        &anna,
        "helpdesk.call_recording",
        json!({ "file": "call-1.ogg" }),
        &["support_call_recording"],
    )
    .await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "portability", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    assert_eq!(app.answered(&id, &secret).await["state"], "completed");
    let answer = app.answer(&id, &secret).await;
    let categories: Vec<&str> = answer["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["category"].as_str().unwrap())
        .collect();
    assert_eq!(
        categories,
        ["helpdesk.call_recording"],
        "legitimate-interest data is not portable: {answer}"
    );
    assert!(
        answer["not_portable"][0]
            .as_str()
            .unwrap()
            .starts_with("contact.email")
    );
    let zip = app
        .as_requester(
            "GET",
            &format!("/v1/requests/{id}/answer?format=zip"),
            &secret,
            None,
        )
        .await;
    assert_eq!(zip.headers()["content-type"], "application/zip");
    let bytes = zip.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "a zip archive");
}

#[tokio::test]
async fn one_click_unsubscribe_is_honoured_at_once_and_cannot_be_forged() {
    let app = spawn_app().await;
    let anna = app.subject_of("service_user", "anna@example.se").await;
    app.store_as(
        &app.admin,
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["service_news"],
    )
    .await;
    let newsletter = app.newsletter_token().await;
    let link: Value = app
        .get(
            &format!("/v1/subjects/{anna}/unsubscribe-link"),
            &newsletter,
        )
        .await
        .json()
        .await
        .unwrap();
    let path = link["path"].as_str().unwrap();
    let forged = app
        .client
        // The last digit changed (a test that once passed the real link when it ended in 0).
        .post(app.url(&format!(
            "{}{}",
            &path[..path.len() - 1],
            if path.ends_with('0') { '1' } else { '0' }
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 404);
    let response = app.client.post(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let submitted: Value = response.json().await.unwrap();
    let id = submitted["id"].as_str().unwrap();
    // The vault stops at once; the systems holding the newsletter's data
    // (no connector here) each get a part for a person to stop it there.
    let mut view = Value::Null;
    for _ in 0..200 {
        view = app.officer_view(id).await;
        if view["parts"][0]["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let read = app.read(&anna, "service_news", &app.admin).await;
    assert_eq!(read["records"], json!([]), "{read}");
    let systems: Vec<&str> = view["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["manual"] == true)
        .map(|p| p["system"].as_str().unwrap())
        .collect();
    assert!(!systems.is_empty(), "{view}");
    app.do_manual_parts(id).await;
    let view = app
        .answered(id, submitted["follow_secret"].as_str().unwrap())
        .await;
    assert_eq!(view["state"], "completed", "{view}");
}

impl TestApp {
    /// A service whose purpose is direct marketing: Connectel's service news.
    async fn newsletter_token(&self) -> String {
        self.token_for(&["service_news"]).await
    }
}

/// The link bypassed the objection rule: any service got one, for any id,
/// and every click made a new request.
#[tokio::test]
async fn an_unsubscribe_link_is_for_mailings_to_real_subjects_and_a_replay_changes_nothing() {
    let app = spawn_app().await;
    let anna = app.subject_of("service_user", "anna@example.se").await;
    let link_for = |subject: String, token: String| {
        let app = &app;
        async move {
            app.get(&format!("/v1/subjects/{subject}/unsubscribe-link"), &token)
                .await
        }
    };
    // The helpdesk service sends no mailings.
    let helpdesk = link_for(anna.clone(), app.service.clone()).await;
    assert_eq!(helpdesk.status(), 403);
    let newsletter = app.newsletter_token().await;
    assert_eq!(
        link_for("no-such-subject".into(), newsletter.clone())
            .await
            .status(),
        404
    );
    // Nor for someone the newsletter does not go to (it is for users).
    let bert = app.customer("bert@example.se").await;
    assert_eq!(link_for(bert, newsletter.clone()).await.status(), 403);
    let link: Value = link_for(anna.clone(), newsletter.clone())
        .await
        .json()
        .await
        .unwrap();
    let url = app.url(link["path"].as_str().unwrap());
    let mut clicks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let client = app.client.clone();
        let url = url.clone();
        clicks.spawn(async move {
            let response = client.post(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = clicks.join_next().await {
        answers.push(answer.unwrap());
    }
    let first = &answers[0];
    for answer in &answers {
        assert_eq!(answer["id"], first["id"], "one request: {answers:#?}");
        assert_eq!(answer["follow_secret"], first["follow_secret"]);
    }
    let requests = app
        .vault
        .store()
        .requests_of_subject(&sid(&anna))
        .await
        .unwrap();
    assert_eq!(requests.len(), 1);
    app.do_manual_parts(first["id"].as_str().unwrap()).await;
    let view = app
        .answered(
            first["id"].as_str().unwrap(),
            first["follow_secret"].as_str().unwrap(),
        )
        .await;
    assert_eq!(view["state"], "completed", "{view}");
    // Clicked again later: the same request, finished.
    let again: Value = app
        .client
        .post(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&again["id"], &again["state"]),
        (&first["id"], &json!("completed"))
    );
    // An erased subject has no link to give.
    app.delete(&format!("/v1/subjects/{anna}"), &app.officer)
        .await;
    assert_eq!(link_for(anna, newsletter).await.status(), 410);
}

#[tokio::test]
async fn an_objection_to_a_purpose_on_contract_is_refused_with_the_reason() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/requests"))
        .json(&json!({ "kind": "objection", "purpose": "demo", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("Art. 21(1)"),
        "{problem}"
    );
}

/// Art. 20 is free: a portability request is never held for a fee, and does
/// not use up the year's free access copy (Connectel gives one).
#[tokio::test]
async fn portability_is_free_and_not_counted_as_an_access_copy() {
    let app = spawn_app().await;
    app.customer("anna@example.se").await;
    let ask = |kind: &str| json!({ "kind": kind, "identities": [{ "kind": "email", "value": "anna@example.se" }] });
    for kind in ["portability", "portability", "access"] {
        let (id, secret) = app.submit_verified(ask(kind)).await;
        let view: Value = app
            .as_requester("GET", &format!("/v1/requests/{id}"), &secret, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(view["held"], Value::Null, "{kind} is not held: {view}");
        app.do_manual_parts(&id).await;
        assert_eq!(app.answered(&id, &secret).await["state"], "completed");
    }
}

#[tokio::test]
async fn the_second_copy_in_a_year_waits_for_the_officer_and_extension_tells_the_subject() {
    let app = spawn_app().await;
    app.customer("anna@example.se").await;
    let body = json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] });
    let (first, secret) = app.submit_verified(body.clone()).await;
    app.do_manual_parts(&first).await;
    app.answered(&first, &secret).await;
    let (second, secret) = app.submit_verified(body).await;
    let view: Value = app
        .as_requester("GET", &format!("/v1/requests/{second}"), &secret, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["state"], "verified");
    assert!(view["held"].as_str().unwrap().starts_with("fee"), "{view}");
    let early = app
        .as_requester(
            "GET",
            &format!("/v1/requests/{second}/answer"),
            &secret,
            None,
        )
        .await;
    assert_eq!(early.status(), 409);
    let problem: Value = early.json().await.unwrap();
    assert_eq!(
        problem["detail"],
        format!("request `{second}` is not answered yet"),
        "the reason, said plainly"
    );
    let queue: Value = app
        .get("/v1/requests", &app.officer)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == second.as_str())
    );
    let extended: Value = app
        .post(
            &format!("/v1/requests/{second}/extend"),
            &app.officer,
            json!({ "reason": "many requests this month" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let again = app
        .post(
            &format!("/v1/requests/{second}/extend"),
            &app.officer,
            json!({ "reason": "still busy" }),
        )
        .await;
    assert_eq!(
        again.status(),
        409,
        "one extension only: a conflict with its state"
    );
    assert!(extended["due"].as_str().is_some());
    let letters: Vec<String> = std::fs::read_dir(app.dir.join("outbox/email"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        letters
            .iter()
            .any(|l| l.contains("many requests this month") && l.contains(&second))
    );
    assert_eq!(
        app.post(
            &format!("/v1/requests/{second}/approve"),
            &app.officer,
            json!({ "note": "fee waived" })
        )
        .await
        .status(),
        204
    );
    app.do_manual_parts(&second).await;
    assert_eq!(app.answered(&second, &secret).await["state"], "completed");
}

#[tokio::test]
async fn officer_endpoints_refuse_anonymous_forged_and_other_roles() {
    let app = spawn_app().await;
    for (method, template, access) in steward_server::ROUTES {
        let officers = matches!(access, steward_server::Access::Roles(roles) if !roles.contains(&steward_domain::vault::actor::Role::Service));
        let request_route = template.starts_with("/v1/requests");
        if !request_route || !(officers || *access == steward_server::Access::RequesterOrOfficer) {
            continue;
        }
        let path = &template.replace("{id}", "x").replace("{part}", "y");
        let (method, path) = (*method, path.as_str());
        let send = |token: Option<&str>| {
            let builder = match method {
                "GET" => app.client.get(app.url(path)),
                _ => app
                    .client
                    .post(app.url(path))
                    .json(
                        &if path.ends_with("approve") || path.ends_with("complete") {
                            json!({ "note": "n" })
                        } else if path.ends_with("confirm-identity") {
                            json!({ "evidence": "e" })
                        } else {
                            json!({ "reason": "r" })
                        },
                    ),
            };
            let builder = match token {
                Some(t) => builder.bearer_auth(t),
                None => builder,
            };
            async move { builder.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(send(None).await, 401, "{method} {path}");
        assert_eq!(send(Some("stw_forged")).await, 401, "{method} {path}");
        assert_eq!(
            send(Some(&app.service)).await,
            403,
            "{method} {path} as service"
        );
        assert_eq!(
            send(Some(&app.auditor)).await,
            403,
            "{method} {path} as auditor"
        );
        let expected = if path == "/v1/requests" { 200 } else { 404 };
        assert_eq!(
            send(Some(&app.officer)).await,
            expected,
            "{method} {path} as officer: admitted (no such request)"
        );
    }
}

/// Python's standard SMTP server (`smtpd`, Python 3.11 on this machine) on a
/// free loopback port, printing each message it receives.
struct SmtpServer {
    port: u16,
    child: std::process::Child,
    received: std::sync::Arc<std::sync::Mutex<String>>,
}

impl SmtpServer {
    fn start() -> Self {
        use std::io::Read;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = std::process::Command::new("python3")
            .args([
                "-u",
                "-W",
                "ignore",
                "-m",
                "smtpd",
                "-n",
                "-c",
                "DebuggingServer",
            ])
            .arg(format!("127.0.0.1:{port}"))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 with the smtpd module (Python 3.11)");
        let received = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = std::sync::Arc::clone(&received);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("python3 -m smtpd exited ({status}): this test needs Python 3.11's smtpd");
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        Self {
            port,
            child,
            received,
        }
    }

    /// The message that mentions `text`, once it has arrived.
    async fn message_with(&self, text: &str) -> String {
        for _ in 0..400 {
            let received = self.received.lock().unwrap().clone();
            if let Some(message) = received
                .split("---------- MESSAGE FOLLOWS ----------")
                .find(|m| m.contains(text))
            {
                return message.to_owned();
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("no message with {text} reached the SMTP server");
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn with_smtp_configured_the_code_goes_by_e_mail_not_to_the_folder() {
    let smtp = SmtpServer::start();
    let app = spawn_with(policy_from(&connectel()), |settings| {
        settings.smtp = Some(steward_server::SmtpSettings {
            url: format!("smtp://127.0.0.1:{}", smtp.port).into(),
            from: Some("privacy@connectel.example".into()),
        });
    })
    .await;
    let (id, secret) = app
        .submit(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }], "language": "en" }))
        .await;
    let message = smtp.message_with(&id).await;
    assert!(message.contains("To: anna@example.se"), "{message}");
    assert!(
        message.contains("From: privacy@connectel.example"),
        "{message}"
    );
    let code = message
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("b'")
                .trim_end_matches('\'')
                .trim()
        })
        .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
        .expect("a code in the e-mail");
    assert!(
        !app.dir.join("outbox/email").exists(),
        "the letter went by SMTP, not to the folder"
    );
    let response = app
        .as_requester(
            "POST",
            &format!("/v1/requests/{id}/verify"),
            &secret,
            Some(json!({ "codes": { "email": code } })),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

#[test]
fn smtp_settings_that_cannot_work_are_refused_with_the_reason() {
    let outbox = || steward_server::Outbox::new("/tmp/steward-unused");
    let error = outbox()
        .with_smtp("http://mail.example.com", "privacy@example.se")
        .err()
        .unwrap();
    assert!(
        error.to_string().starts_with("STEWARD_SMTP_URL: "),
        "{error}"
    );
    let error = outbox()
        .with_smtp("smtp://127.0.0.1:2525", "not an address")
        .err()
        .unwrap();
    assert_eq!(
        error.to_string(),
        "the sender address `not an address` is not an e-mail address"
    );
}

/// The vault's part of an erasure plans from what the store holds in clear:
/// it opens no value, and the worker appears in the log only for what it
/// erased, never for viewing the data it was about to delete.
#[tokio::test]
async fn an_erasure_opens_nothing_and_the_worker_only_erases() {
    let app = spawn_app().await;
    let anna = anna_with_an_invoice(&app).await;
    let bert = app.customer("bert@example.se").await;
    app.store(
        &bert,
        "contact.email",
        json!("bert@example.se"),
        &["customer_service"],
    )
    .await;
    for email in ["anna@example.se", "bert@example.se"] {
        let (id, secret) = app
            .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": email }], "grounds": "I am no longer a customer" }))
            .await;
        app.do_manual_parts(&id).await;
        assert_eq!(app.answered(&id, &secret).await["state"], "completed");
    }
    let (entries, _) = app.vault.store().audit_log().await.unwrap();
    let by_worker = |subject: &str| -> Vec<String> {
        let pseudonym = app.vault.pseudonym(&sid(subject));
        entries
            .iter()
            .filter(|e| e.event.actor == "worker" && e.event.subject.as_deref() == Some(&pseudonym))
            // The request's own steps (answered) are not acts on the data.
            .filter(|e| !e.event.action.starts_with("request."))
            .map(|e| e.event.action.clone())
            .collect()
    };
    assert_eq!(
        by_worker(&anna),
        ["records.erase"],
        "the invoice kept, the rest deleted"
    );
    assert_eq!(
        by_worker(&bert),
        ["subject.erase"],
        "nothing kept: crypto-shredded"
    );
}

/// A part whose stored result no longer opens (changed behind Steward's
/// back) is reported as not done, with the reason; the request is answered
/// as partially completed rather than waiting forever.
#[tokio::test]
async fn a_part_result_that_does_not_open_is_reported_not_hidden_or_waited_on() {
    let app = spawn_app().await;
    app.customer("anna@example.se").await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    // The vault's part runs at once; the manual parts wait for the officer.
    for _ in 0..200 {
        let parts = app
            .vault
            .store()
            .jobs_for_request(&id.as_str().into())
            .await
            .unwrap();
        if parts
            .iter()
            .any(|p| p.target.label() == "vault" && p.result_sealed.is_some())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let url = format!("sqlite://{}", app.dir.join("steward.db").display());
    let mut raw = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET result_sealed = X'00' WHERE request_id = $1 AND target = 'vault'")
        .bind(&id)
        .execute(&mut raw)
        .await
        .unwrap();
    app.do_manual_parts(&id).await;
    let view = app.answered(&id, &secret).await;
    assert_eq!(view["state"], "partially_completed", "{view}");
    let vault_part = view["detail"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["part"] == "vault:access")
        .unwrap()
        .clone();
    assert_eq!(vault_part["done"], false);
    assert!(
        vault_part["reason"]
            .as_str()
            .unwrap()
            .contains("cannot be read"),
        "{vault_part}"
    );
}

#[tokio::test]
async fn traffic_data_kept_by_the_law_after_an_erasure_is_not_used_for_billing() {
    let app = spawn_app().await;
    let anna = app.subject_of("service_user", "anna@example.se").await;
    let operator = app
        .token_for(&["usage_billing", "traffic_data_retention"])
        .await;
    // Only the most specific categories hold data; the error says which.
    let broad = app
        .post(
            &format!("/v1/subjects/{anna}/records"),
            &operator,
            json!({ "category": "traffic", "value": "x", "purposes": ["usage_billing"] }),
        )
        .await;
    assert_eq!(broad.status(), 422);
    let problem: Value = broad.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("`traffic.participants`, `traffic.source`"),
        "{problem}"
    );
    app.store_as(
        &operator,
        &anna,
        "traffic.destination",
        json!({ "call": "2026-11-30T10:00:00Z", "to": "+46701234567", "seconds": 61 }),
        &["usage_billing", "traffic_data_retention"],
    )
    .await;
    assert_eq!(
        app.read(&anna, "usage_billing", &operator).await["records"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let answer = app.answer(&id, &secret).await;
    assert_eq!(answer["kept"][0]["what"], "traffic.destination", "{answer}");

    // Kept because the law (Lag 2022:482) makes the operator keep it: for
    // that, and for nothing else.
    let billing = app.read(&anna, "usage_billing", &operator).await;
    assert_eq!(billing["records"], json!([]), "{billing}");
    assert_eq!(
        billing["refused"][0]["reason"], "kept_only_for_another_purpose",
        "{billing}"
    );
    let retention = app.read(&anna, "traffic_data_retention", &operator).await;
    assert_eq!(
        retention["records"].as_array().unwrap().len(),
        1,
        "{retention}"
    );
}

/// Art. 19 concerns the recipients the data was disclosed to, as the
/// disclosure log and the standing disclosures show: no letter to one that
/// never received any of this person's data, and none names more than the
/// recipient already holds.
#[tokio::test]
async fn only_recipients_that_received_the_persons_data_hear_of_the_erasure() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let letters = |id: &str| -> Vec<(String, String)> {
        let folder = app.dir.join("outbox/recipient");
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return Vec::new();
        };
        let mut found: Vec<(String, String)> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(id))
            .map(|p| {
                let name = p.file_stem().unwrap().to_string_lossy().into_owned();
                let recipient = name.trim_start_matches(&format!("{id}-")).to_owned();
                (recipient, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        found.sort();
        found
    };

    // Bertil's data went nowhere: the policy names new owners in a change
    // of control, but no disclosure to them is on record, so no one is told.
    let bertil = app.customer("bertil@example.se").await;
    app.store(
        &bertil,
        "contact.email",
        json!("bertil@example.se"),
        &["customer_service"],
    )
    .await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "bertil@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    assert_eq!(letters(&id), Vec::<(String, String)>::new());

    // Anna's went to the new owners, by a recorded disclosure: they are
    // told; not Google (website tracking), the police or the data
    // protection authorities (legal requests), who never had it.
    let disclosed = app
        .post(
            &format!("/v1/subjects/{anna}/disclosures"),
            &app.officer,
            json!({ "recipient": "new_owners", "purpose": "customer_service", "country": "DE" }),
        )
        .await;
    assert_eq!(
        disclosed.status(),
        201,
        "{}",
        disclosed.text().await.unwrap()
    );
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let sent = letters(&id);
    let told: Vec<&str> = sent.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(told, ["new_owners"], "{sent:?}");
    assert!(
        sent[0].1.contains("email: anna@example.se"),
        "{}",
        sent[0].1
    );

    // Google receives tracking data, not e-mail addresses.
    let visitor = app.subject_of("prospect", "visitor@example.se").await;
    app.store_as(
        &app.admin,
        &visitor,
        "tracking.device",
        json!("Firefox"),
        &["marketing_tracking"],
    )
    .await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "visitor@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    // Google does not get the address, so no letter can name the person
    // to it: the part fails, saying so, for an officer to do by hand.
    assert!(letters(&id).iter().all(|(r, _)| r != "google"));
    let view = app.officer_view(&id).await;
    let google = part(&view, "recipient:google");
    assert_eq!(google["state"], "failed", "{google}");
    assert!(
        google["last_error"]
            .as_str()
            .unwrap()
            .contains("tell them by hand"),
        "{google}"
    );
    // Done by hand, the request is answered again, in full.
    let done = app
        .post(
            &format!(
                "/v1/requests/{id}/parts/{}/complete",
                google["id"].as_str().unwrap()
            ),
            &app.officer,
            json!({ "note": "told Google through its erasure form by device id" }),
        )
        .await;
    assert_eq!(done.status(), 204, "{}", done.text().await.unwrap());
    assert_eq!(app.answered(&id, &secret).await["state"], "completed");

    // Someone Steward holds nothing about: no recipient hears of them.
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "nobody@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    assert_eq!(letters(&id), Vec::<(String, String)>::new());
}

/// A manual part can really be done: the officer sees whose data to look
/// up (audited), attaches what was found, and it reaches the answer; a
/// system that holds nothing says so; a failed part can be done by hand.
#[tokio::test]
async fn what_an_officer_finds_by_hand_reaches_the_answer() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;

    // Whose data: for officers only, and each look is in the log.
    let path = format!("/v1/requests/{id}/identities");
    for token in [&app.service, &app.auditor] {
        assert_eq!(app.get(&path, token).await.status(), 403);
    }
    assert_eq!(
        app.client
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        app.as_requester("GET", &path, &secret, None).await.status(),
        401,
        "the requester knows who they are"
    );
    let whose: Value = app.get(&path, &app.officer).await.json().await.unwrap();
    assert_eq!(whose["subject"], anna.as_str(), "{whose}");
    assert_eq!(
        whose["identities"][0]["value"], "anna@example.se",
        "{whose}"
    );
    let (log, _) = app.vault.store().audit_log().await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.event.action == "request.identities_shown")
    );

    let view = app.officer_view(&id).await;
    let part_of =
        |system: &str| -> String { part(&view, system)["id"].as_str().unwrap().to_owned() };
    let complete = |part: String, body: Value| {
        let app = &app;
        let id = id.clone();
        async move {
            app.post(
                &format!("/v1/requests/{id}/parts/{part}/complete"),
                &app.officer,
                body,
            )
            .await
        }
    };
    // The vault's own part is Steward's: retried, not done by hand.
    let vault = complete(part_of("vault"), json!({ "note": "did it" })).await;
    assert_eq!(vault.status(), 409);
    // A category the system does not hold is refused, naming it.
    let wrong = complete(
        part_of("accounting"),
        json!({ "note": "looked", "found": [{ "category": "contact.phone", "value": "x" }] }),
    )
    .await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("does not hold `contact.phone`")
    );
    assert_eq!(
        complete(
            part_of("accounting"),
            json!({ "note": "looked up in the ledger", "found": [{ "category": "billing.invoice", "value": { "number": "F-1001", "total": 499 } }] }),
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        complete(
            part_of("helpdesk"),
            json!({ "note": "searched", "found": [{ "category": "contact.phone", "value": "+46701234567" }] }),
        )
        .await
        .status(),
        204
    );
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let answer = app.answer(&id, &secret).await;
    let data = answer["data"].to_string();
    assert!(
        data.contains("F-1001") && data.contains("+46701234567"),
        "{answer}"
    );
}
