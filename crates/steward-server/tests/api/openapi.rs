//! The OpenAPI document lists every route the router serves (utoipa makes
//! both from the same handlers), and exactly the routes of the access table.

use std::collections::BTreeSet;

use serde_json::Value;
use steward_server::ROUTES;

use crate::helpers::*;

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_only_those() {
    let app = spawn_app().await;
    let spec: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1"),
        "OpenAPI 3.1"
    );
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let declared: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(declared.len(), ROUTES.len(), "each route once in the table");
    assert_eq!(documented, declared);
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}

/// HEAD is answered as GET is, and admitted as GET is.
#[tokio::test]
async fn head_requests_are_admitted_as_their_get() {
    let app = spawn_app().await;
    let head = |path: &str, token: Option<&str>| {
        let mut builder = app.client.head(app.url(path));
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        async move { builder.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(head("/healthz", None).await, 200);
    assert_eq!(head("/v1/notice", None).await, 200);
    assert_eq!(head("/v1/policy", None).await, 401);
    assert_eq!(head("/v1/policy", Some(&app.auditor)).await, 200);
    assert_eq!(
        head("/v1/record-of-processing", Some(&app.service)).await,
        403
    );
}
