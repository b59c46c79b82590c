//! Attacks by a service token: what a token limited to one purpose can do
//! to a subject it has no business with, through the rights requests.

use serde_json::{Value, json};

use crate::helpers::*;

/// The chain that erased a victim on e7d5a7a: a bookkeeping token (refused
/// on reads with 403) added its own address to the victim, asked for
/// erasure with it, entered the code it received, and the victim was
/// erased; the same with access returned the victim's data.
#[tokio::test]
async fn an_identity_a_service_adds_never_unlocks_a_request_for_someone_else() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let bookkeeping = app.token_for(&["bookkeeping"]).await;
    assert_eq!(
        app.get(
            &format!("/v1/subjects/{anna}/data?purpose=customer_service"),
            &bookkeeping
        )
        .await
        .status(),
        403
    );
    // It holds nothing of Anna's for bookkeeping: it may not add to her.
    let refused = app
        .post(
            &format!("/v1/subjects/{anna}/identities"),
            &bookkeeping,
            json!({ "kind": "email", "value": "mallory@example.se" }),
        )
        .await;
    assert_eq!(refused.status(), 403);
    // A customer-service token holds her e-mail for its purpose, so it may
    // add an address; that address still leads nowhere in a request.
    let helpdesk = app.token_for(&["customer_service"]).await;
    let added = app
        .post(
            &format!("/v1/subjects/{anna}/identities"),
            &helpdesk,
            json!({ "kind": "email", "value": "mallory@example.se" }),
        )
        .await;
    assert!(added.status().is_success(), "{}", added.status());
    // Anna is told at the address she gave, without the new one's value.
    let told: Vec<String> = std::fs::read_dir(app.dir.join("outbox/email"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .filter(|text| text.contains("anna@example.se"))
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("A new identity of the kind email")
            || told[0].contains("En ny identitet av typen email"),
        "{}",
        told[0]
    );
    assert!(!told[0].contains("mallory"), "{}", told[0]);

    // Access with the address it holds: nothing of Anna's comes back.
    let (access, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "mallory@example.se" }] }))
        .await;
    app.do_manual_parts(&access).await;
    app.answered(&access, &secret).await;
    let answer = app.answer(&access, &secret).await;
    assert!(
        !answer.to_string().contains("anna@example.se"),
        "Anna's data reached the attacker: {answer}"
    );
    // Erasure with it: Anna is not erased.
    let (erasure, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "mallory@example.se" }] }))
        .await;
    app.do_manual_parts(&erasure).await;
    app.answered(&erasure, &secret).await;
    let read = app.read(&anna, "customer_service", &app.service).await;
    assert_eq!(
        read["records"][0]["value"], "anna@example.se",
        "Anna's data is still there: {read}"
    );
    let whole: Value = app
        .get(&format!("/v1/subjects/{anna}"), &app.officer)
        .await
        .json()
        .await
        .unwrap();
    let provenances: Vec<&str> = whole["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["provenance"].as_str().unwrap())
        .collect();
    assert_eq!(provenances, ["creation", "service"], "{whole}");
}

#[tokio::test]
async fn an_identity_an_officer_adds_finds_the_subject_for_her_requests() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let added = app
        .post(
            &format!("/v1/subjects/{anna}/identities"),
            &app.officer,
            json!({ "kind": "email", "value": "anna@work.example" }),
        )
        .await;
    assert!(added.status().is_success());
    let (id, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@work.example" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let answer = app.answer(&id, &secret).await;
    assert_eq!(answer["data"][0]["value"], "anna@example.se", "{answer}");
}

/// A bookkeeping token against a prospect (a type bookkeeping does not
/// concern): every route that names a subject, and every rights-request
/// chain open to it, and the prospect is exactly as before.
#[tokio::test]
async fn a_one_purpose_token_gets_nothing_from_any_route_against_a_subject_it_does_not_concern() {
    let app = spawn_app().await;
    let victim = app.subject_of("prospect", "victim@example.se").await;
    app.store_as(
        &app.admin,
        &victim,
        "contact.email",
        json!("victim@example.se"),
        &["customer_relations"],
    )
    .await;
    let officer_view = || async {
        let mut view: Value = app
            .get(&format!("/v1/subjects/{victim}"), &app.officer)
            .await
            .json()
            .await
            .unwrap();
        // The officer's look is itself no change to the subject.
        view.as_object_mut().unwrap().remove("viewed_at");
        view
    };
    let before = officer_view().await;
    let consent: Value = app
        .post(
            &format!("/v1/subjects/{victim}/consents"),
            &app.admin,
            json!({ "purpose": "marketing_tracking", "method": "cookie_banner" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let consent_id = consent["id"].as_str().unwrap();
    let with_consent = officer_view().await;
    let attacker = app.token_for(&["bookkeeping"]).await;

    let subject = format!("/v1/subjects/{victim}");
    let calls: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", subject.clone(), None),
        ("DELETE", subject.clone(), None),
        ("GET", format!("{subject}/data?purpose=bookkeeping"), None),
        (
            "GET",
            format!("{subject}/data?purpose=customer_relations"),
            None,
        ),
        (
            "POST",
            format!("{subject}/identities"),
            Some(json!({ "kind": "email", "value": "mallory@example.se" })),
        ),
        (
            "POST",
            format!("{subject}/records"),
            Some(
                json!({ "category": "billing.invoice", "value": "x", "purposes": ["bookkeeping"] }),
            ),
        ),
        (
            "POST",
            format!("{subject}/events"),
            Some(json!({ "kind": "relationship_end" })),
        ),
        (
            "POST",
            format!("{subject}/consents"),
            Some(json!({ "purpose": "marketing_tracking", "method": "forged" })),
        ),
        (
            "DELETE",
            format!("{subject}/consents/marketing_tracking"),
            None,
        ),
        (
            "POST",
            format!("{subject}/objections"),
            Some(json!({ "purpose": "customer_relations" })),
        ),
        (
            "POST",
            format!("{subject}/objections"),
            Some(json!({ "purpose": "direct_marketing" })),
        ),
        (
            "PUT",
            format!("{subject}/restriction"),
            Some(json!({ "restricted": true })),
        ),
        ("GET", format!("{subject}/unsubscribe-link"), None),
        ("GET", format!("/v1/consents/{consent_id}/receipt"), None),
        ("GET", "/v1/requests".to_owned(), None),
        // An erasure "checked" by the token itself.
        (
            "POST",
            "/v1/requests".to_owned(),
            Some(
                json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "victim@example.se" }], "identity_checked": true }),
            ),
        ),
    ];
    for (method, path, body) in &calls {
        let mut builder = match *method {
            "GET" => app.client.get(app.url(path)),
            "POST" => app.client.post(app.url(path)),
            "PUT" => app.client.put(app.url(path)),
            "DELETE" => app.client.delete(app.url(path)),
            other => panic!("{other}"),
        };
        if let Some(body) = body {
            builder = builder.json(body);
        }
        let response = builder.bearer_auth(&attacker).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(
            status == 403 || status == 404,
            "{method} {path} gave {status}: {text}"
        );
        assert!(
            !text.contains("victim@example.se"),
            "{method} {path}: {text}"
        );
    }
    // Looking the victim up by address: for this token, no one is there.
    let lookup = app
        .post(
            "/v1/subjects/lookup",
            &attacker,
            json!({ "kind": "email", "value": "victim@example.se" }),
        )
        .await;
    assert_eq!(lookup.status(), 404, "{}", lookup.text().await.unwrap());

    // The public chains: the codes go to the victim's address, never to the
    // token; without them nothing starts.
    let (access, secret) = app
        .submit(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "victim@example.se" }] }))
        .await;
    let answer = app
        .as_requester(
            "GET",
            &format!("/v1/requests/{access}/answer"),
            &secret,
            None,
        )
        .await;
    assert!(!answer.status().is_success());
    let (erasure, _) = app
        .submit(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "victim@example.se" }] }))
        .await;
    let guessed = app
        .as_requester(
            "POST",
            &format!("/v1/requests/{erasure}/verify"),
            &attacker,
            Some(json!({ "codes": { "email": "000000" } })),
        )
        .await;
    assert_eq!(guessed.status(), 404, "the token is no follow secret");

    // Nothing about the victim changed.
    assert_eq!(officer_view().await, with_consent);
    assert_ne!(before, with_consent, "the consent given by the admin shows");
}
