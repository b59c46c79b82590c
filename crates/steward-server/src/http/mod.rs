//! The HTTP API under `/v1`, plus `/healthz`, `/metrics` and `/openapi.json`.
//! Every handler is registered through utoipa, so the OpenAPI document and
//! the router cannot disagree; who may call each route is in one table
//! ([`access::ROUTES`]), enforced by the admission layer before any handler
//! runs. Errors are RFC 9457 problem details (`error.rs`); bodies are in
//! `dto/`, the only types that describe themselves to the document.
//!
//! One file per resource: `subjects.rs`, `records.rs`, `consents.rs`,
//! `disclosures.rs`, `retention.rs`, `tokens.rs`, `policy.rs`, `audit.rs`, `operations.rs`, `requests.rs`
//! (the requester's side), `officer.rs`, `unsubscribe.rs`; `throttle.rs`
//! holds what callers without a token may send (rate, size, time).

pub mod access;
mod audit;
mod consents;
mod disclosures;
pub mod dto;
mod error;
mod extract;
mod officer;
mod operations;
mod policy;
mod portal;
mod records;
mod requests;
mod retention;
mod state;
mod subjects;
mod throttle;
mod tokens;
mod unsubscribe;

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::app::HttpSettings;
use crate::checkpoints::Checkpoints;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::throttle::ClientLimits;
use crate::limits::Limits;
use crate::rights::Rights;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Steward",
        description = "A privacy engine for the EU GDPR. Personal data is stored and read only for a declared purpose on a valid legal basis; every act is in a tamper-evident audit log. Errors are RFC 9457 problem details.",
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "subjects", description = "Data subjects, their identities and rights"),
        (name = "records", description = "Personal data, written and read by purpose"),
        (name = "consents", description = "The consent ledger"),
        (name = "policy", description = "The policy, the privacy notice, the record of processing"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "requests", description = "Data-subject requests: submitted and followed by subjects, handled by privacy officers"),
        (name = "operations", description = "Health, metrics, tokens"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// One recorder per process: tests start many apps in one process.
fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

async fn track(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().to_string();
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("steward_http_requests_total", "method" => method, "path" => path.clone(), "status" => status).increment(1);
    metrics::histogram!("steward_http_request_duration_seconds", "path" => path)
        .record(start.elapsed().as_secs_f64());
    response
}

/// The largest body any route takes; callers without a token may send
/// less (`throttle.rs`).
pub const BODY_LIMIT: usize = 1024 * 1024;

async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

/// A path nobody serves: a page for a browser, a problem for a program.
async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let browser = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if browser && !uri.path().starts_with("/v1/") {
        return portal::pages::not_found(&state, &headers, uri.path());
    }
    ApiError::NotFound("no such endpoint; see /openapi.json".into()).into_response()
}

/// The whole router, with its state.
pub fn router(
    rights: Arc<Rights>,
    checkpoints: Arc<Checkpoints>,
    limits: &Limits,
    http: &HttpSettings,
) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(operations::router())
        .merge(policy::router())
        .merge(audit::router())
        .merge(tokens::router())
        .merge(subjects::router())
        .merge(records::router())
        .merge(consents::router())
        .merge(disclosures::router())
        .merge(retention::router())
        .merge(requests::router())
        .merge(officer::router())
        .merge(unsubscribe::router())
        .split_for_parts();
    let rights_clock = rights.vault().clock();
    let notices = Arc::new(
        steward_domain::common::lang::Lang::ALL
            .iter()
            .map(|lang| {
                steward_domain::publish::notice::NoticeDocument::build(
                    rights.vault().policy(),
                    *lang,
                )
            })
            .collect(),
    );
    let state = AppState {
        vault: Arc::clone(rights.vault()),
        rights,
        checkpoints,
        metrics: prometheus(),
        openapi: Arc::new(api),
        clients: Arc::new(ClientLimits::new(limits, http, rights_clock)),
        notices,
    };
    // The portal's pages are admitted and counted as the API's routes are;
    // its own layer is outside both, so their refusals become pages.
    let portal = portal::routes()
        .route_layer(middleware::from_fn_with_state(state.clone(), access::admit))
        .route_layer(middleware::from_fn(track))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            portal::layer::layer,
        ));
    router
        .route_layer(middleware::from_fn_with_state(state.clone(), access::admit))
        .route_layer(middleware::from_fn(track))
        .merge(portal)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Bodies past this are refused by the JSON extractor, as a problem.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
