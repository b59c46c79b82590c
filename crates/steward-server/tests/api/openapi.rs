//! The OpenAPI document lists every route, and every route is in it.

use std::collections::BTreeSet;

use serde_json::Value;
use steward_server::routes::ACCESS;

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
    let declared: BTreeSet<(String, String)> = ACCESS
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .chain(
            steward_server::request_routes::ACCESS
                .iter()
                .filter(|(_, p, _)| *p != "/v1/subjects/{id}/unsubscribe-link")
                .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())),
        )
        .collect();
    assert_eq!(documented, declared);
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}
