//! Every route, called with no token and with each role: 401 without a
//! token on protected routes, 403 for roles the route does not admit, and
//! neither for the roles it does.

use serde_json::{Value, json};
use steward_domain::vault::actor::{Actor, Role};
use steward_server::{Access, ROUTES};

use crate::helpers::*;

/// A valid request for each route, on a fresh subject so that erasure by one
/// call cannot change the next.
async fn request(app: &TestApp, method: &str, template: &str, token: Option<&str>) -> u16 {
    let email = format!("{}@example.se", uuid::Uuid::new_v4());
    // The newsletter goes to service users: its unsubscribe link is for one.
    let subject = if template == "/v1/subjects/{id}/unsubscribe-link" {
        app.subject_of("service_user", &email).await
    } else {
        app.customer(&email).await
    };
    // Held for the service's purpose: a service adds identities only to
    // people it holds data about (`attacks.rs` checks the others).
    app.store(
        &subject,
        "contact.name",
        json!("Anna"),
        &["customer_service"],
    )
    .await;
    let consent: Value = app
        .post(
            &format!("/v1/subjects/{subject}/consents"),
            &app.admin,
            json!({ "purpose": "support_call_recording", "method": "test" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let consent_id = consent["id"].as_str().unwrap().to_owned();
    let path = if template == "/v1/tokens/{id}" {
        let (token, _) = app
            .vault
            .create_token(&Actor::cli(), Role::Auditor, Vec::new(), "to revoke")
            .await
            .unwrap();
        template.replace("{id}", token.id.as_str())
    } else if template.starts_with("/v1/consents/") {
        template.replace("{id}", &consent_id)
    } else if template == "/v1/holds/{id}/release" {
        let hold = app
            .vault
            .add_hold(&Actor::cli(), &sid(&subject), None, "Case T 1-26", None)
            .await
            .unwrap();
        template.replace("{id}", &hold.id)
    } else if template == "/v1/statistics/{category}" {
        template.replace("{category}", "survey")
    } else {
        template
            .replace("{id}", &subject)
            .replace("{purpose}", "support_call_recording")
    };
    let body = match (method, template) {
        ("POST", "/v1/tokens") => json!({ "role": "auditor" }),
        ("POST", "/v1/subjects") => {
            json!({ "subject_type": "customer_contact", "age": 30, "identities": [{ "kind": "email", "value": format!("{}@example.se", uuid::Uuid::new_v4()) }] })
        }
        ("POST", "/v1/subjects/lookup") => json!({ "kind": "email", "value": email }),
        ("POST", "/v1/subjects/{id}/identities") => {
            json!({ "kind": "phone", "value": format!("+4670{}", &uuid::Uuid::new_v4().as_u128().to_string()[..7]) })
        }
        ("POST", "/v1/subjects/{id}/records") => {
            json!({ "category": "contact.email", "value": "x@example.se", "purposes": ["customer_service"] })
        }
        ("POST", "/v1/subjects/{id}/events") => json!({ "kind": "last_activity" }),
        ("POST", "/v1/subjects/{id}/consents") => {
            json!({ "purpose": "support_call_recording", "method": "test" })
        }
        ("POST", "/v1/subjects/{id}/objections") => json!({ "purpose": "customer_service" }),
        ("PUT", "/v1/subjects/{id}/restriction") => json!({ "restricted": true }),
        ("POST", "/v1/subjects/{id}/holds") => json!({ "reason": "Case T 1-26" }),
        ("POST", "/v1/subjects/{id}/disclosures") => {
            json!({ "recipient": "getaccept", "purpose": "customer_service", "categories": ["contact.name"] })
        }
        _ => Value::Null,
    };
    let url = if template == "/v1/subjects/{id}/data" {
        app.url(&format!("{path}?purpose=customer_service"))
    } else {
        app.url(&path)
    };
    let mut builder = match method {
        "GET" => app.client.get(url),
        "POST" => app.client.post(url).json(&body),
        "PUT" => app.client.put(url).json(&body),
        "DELETE" => app.client.delete(url),
        other => panic!("no method {other}"),
    };
    if let Some(token) = token {
        builder = builder.bearer_auth(token);
    }
    builder.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_route_admits_exactly_the_roles_it_declares() {
    let app = spawn_app().await;
    let tokens = [
        (Role::Admin, app.admin.clone()),
        (Role::PrivacyOfficer, app.officer.clone()),
        (Role::Service, app.service.clone()),
        (Role::Auditor, app.auditor.clone()),
    ];
    let newsletter = app.token_for(&["service_news"]).await;
    let mut checked = 0;
    // Requests and unsubscribe links follow their own rules (the follow
    // secret, no such request yet): `requests.rs` checks those routes.
    let routes: Vec<_> = ROUTES
        .iter()
        .filter(|(_, path, _)| {
            !path.starts_with("/v1/requests") && !path.starts_with("/v1/unsubscribe/")
        })
        .collect();
    for (method, path, access) in &routes {
        let roles = match access {
            Access::Public => None,
            Access::Roles(roles) => Some(*roles),
            other => panic!("{method} {path} is {other:?}: check it in requests.rs"),
        };
        let anonymous = request(&app, method, path, None).await;
        match roles {
            None => assert!(
                anonymous < 400,
                "{method} {path} is public but gave {anonymous}"
            ),
            Some(_) => assert_eq!(anonymous, 401, "{method} {path} without a token"),
        }
        let wrong = request(&app, method, path, Some("stw_not_a_real_token")).await;
        if roles.is_some() {
            assert_eq!(wrong, 401, "{method} {path} with a forged token");
        }
        for (role, token) in &tokens {
            // A service gets an unsubscribe link only for a marketing
            // purpose (`requests.rs` checks the one without).
            let token = if *path == "/v1/subjects/{id}/unsubscribe-link" && *role == Role::Service {
                &newsletter
            } else {
                token
            };
            let status = request(&app, method, path, Some(token)).await;
            let admitted = roles.is_none_or(|roles| roles.contains(role));
            if admitted {
                assert!(
                    (200..300).contains(&status),
                    "{method} {path} as {role:?} gave {status}"
                );
            } else {
                assert_eq!(status, 403, "{method} {path} as {role:?}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, routes.len() * 4);
    assert_eq!(routes.len(), 33, "every vault route is checked");
}

/// Steward's own role, which its workers act in, is no token's.
#[tokio::test]
async fn no_token_can_be_made_for_stewards_own_role() {
    let app = spawn_app().await;
    let response = app
        .post("/v1/tokens", &app.admin, json!({ "role": "system" }))
        .await;
    assert_eq!(response.status(), 422);
    let made = app
        .vault
        .create_token(&Actor::cli(), Role::System, Vec::new(), "worker")
        .await;
    assert!(made.is_err(), "the vault refuses it too");
}
