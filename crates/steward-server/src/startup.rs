//! Builds the application: binds the listener (port 0 in tests), assembles
//! the router with its OpenAPI document, metrics and tracing.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::requests::Requests;
use crate::routes::{self, ApiJson};
use crate::vault::Vault;

#[derive(Clone)]
pub struct AppState {
    pub vault: Arc<Vault>,
    pub requests: Arc<Requests>,
    pub metrics: PrometheusHandle,
    pub openapi: Arc<utoipa::openapi::OpenApi>,
}

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

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, body = Object)))]
async fn openapi(State(state): State<AppState>) -> ApiJson<utoipa::openapi::OpenApi> {
    ApiJson(state.openapi.as_ref().clone())
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

async fn not_found() -> Response {
    ApiError::NotFound("no such endpoint; see /openapi.json".into()).into_response()
}

/// The whole router, with state: for the server and for tests.
pub fn app(requests: Arc<Requests>) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(openapi))
        .merge(routes::router())
        .merge(crate::request_routes::router())
        .split_for_parts();
    let state = AppState {
        vault: Arc::clone(requests.vault()),
        requests,
        metrics: prometheus(),
        openapi: Arc::new(api),
    };
    router
        .route_layer(middleware::from_fn(track))
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(1024 * 1024))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
}

impl Application {
    /// Binds `addr` (use port 0 for any free port) and builds the router.
    pub async fn build(addr: SocketAddr, requests: Arc<Requests>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        Ok(Self {
            listener,
            router: app(requests),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

/// Ctrl-C or SIGTERM: how an operator or a service manager stops Steward.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
