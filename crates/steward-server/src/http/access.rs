//! Who may call which route: ONE table, read by the admission layer that
//! runs before every handler (and before its body is read), by the
//! role-matrix test and by the OpenAPI test. A route not in the table is
//! refused.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use steward_domain::vault::actor::{Actor, Role};

use crate::http::error::ApiError;
use crate::http::state::AppState;

/// Who a route admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; a token is not looked at.
    Public,
    /// Anyone; an officer's token, if given, lets them act for someone
    /// (other tokens add nothing, and an invalid one is refused).
    PublicOrOfficer,
    /// A token with one of these roles.
    Roles(&'static [Role]),
    /// The requester's follow secret (header `Steward-Follow`), or an
    /// officer's token.
    RequesterOrOfficer,
    /// The requester's follow secret only.
    Requester,
    /// A portal page: anyone; tokens are not looked at. Its forms carry a
    /// CSRF code, and a request's pages the follow secret in a cookie,
    /// which the portal checks (`portal/visit.rs`, `portal/requests.rs`).
    Page,
}

pub const WRITERS: &[Role] = &[Role::Admin, Role::PrivacyOfficer, Role::Service];
pub const OFFICERS: &[Role] = &[Role::Admin, Role::PrivacyOfficer];
pub const OVERSIGHT: &[Role] = &[Role::Admin, Role::PrivacyOfficer, Role::Auditor];
pub const EVERYONE: &[Role] = &Role::TOKEN_ROLES;
pub const ADMINS: &[Role] = &[Role::Admin];
const CONSENT_READERS: &[Role] = &[
    Role::Admin,
    Role::PrivacyOfficer,
    Role::Service,
    Role::Auditor,
];

/// Every route: method, path as the router writes it, who it admits.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Access::Public),
    ("GET", "/metrics", Access::Public),
    ("GET", "/openapi.json", Access::Public),
    ("GET", "/v1/notice", Access::Public),
    ("GET", "/v1/policy", Access::Roles(EVERYONE)),
    ("GET", "/v1/record-of-processing", Access::Roles(OVERSIGHT)),
    ("GET", "/v1/audit/verify", Access::Roles(OVERSIGHT)),
    ("POST", "/v1/audit/checkpoints", Access::Roles(OVERSIGHT)),
    (
        "GET",
        "/v1/audit/checkpoints/latest",
        Access::Roles(OVERSIGHT),
    ),
    ("POST", "/v1/tokens", Access::Roles(ADMINS)),
    ("DELETE", "/v1/tokens/{id}", Access::Roles(ADMINS)),
    ("POST", "/v1/subjects", Access::Roles(WRITERS)),
    ("POST", "/v1/subjects/lookup", Access::Roles(WRITERS)),
    ("GET", "/v1/subjects/{id}", Access::Roles(OFFICERS)),
    ("DELETE", "/v1/subjects/{id}", Access::Roles(OFFICERS)),
    (
        "POST",
        "/v1/subjects/{id}/identities",
        Access::Roles(WRITERS),
    ),
    ("POST", "/v1/subjects/{id}/records", Access::Roles(WRITERS)),
    ("GET", "/v1/subjects/{id}/data", Access::Roles(WRITERS)),
    (
        "POST",
        "/v1/subjects/{id}/disclosures",
        Access::Roles(WRITERS),
    ),
    (
        "GET",
        "/v1/subjects/{id}/disclosures",
        Access::Roles(OFFICERS),
    ),
    ("GET", "/v1/disclosures", Access::Roles(OVERSIGHT)),
    ("GET", "/v1/retention/due", Access::Roles(OVERSIGHT)),
    ("POST", "/v1/subjects/{id}/holds", Access::Roles(OFFICERS)),
    ("GET", "/v1/holds", Access::Roles(OFFICERS)),
    ("POST", "/v1/holds/{id}/release", Access::Roles(OFFICERS)),
    ("GET", "/v1/statistics/{category}", Access::Roles(OVERSIGHT)),
    ("POST", "/v1/subjects/{id}/events", Access::Roles(WRITERS)),
    ("POST", "/v1/subjects/{id}/consents", Access::Roles(WRITERS)),
    (
        "DELETE",
        "/v1/subjects/{id}/consents/{purpose}",
        Access::Roles(WRITERS),
    ),
    (
        "POST",
        "/v1/subjects/{id}/objections",
        Access::Roles(WRITERS),
    ),
    (
        "PUT",
        "/v1/subjects/{id}/restriction",
        Access::Roles(OFFICERS),
    ),
    (
        "GET",
        "/v1/subjects/{id}/unsubscribe-link",
        Access::Roles(WRITERS),
    ),
    (
        "GET",
        "/v1/consents/{id}/receipt",
        Access::Roles(CONSENT_READERS),
    ),
    ("POST", "/v1/requests", Access::PublicOrOfficer),
    ("GET", "/v1/requests", Access::Roles(OFFICERS)),
    ("GET", "/v1/requests/{id}", Access::RequesterOrOfficer),
    ("POST", "/v1/requests/{id}/verify", Access::Requester),
    ("POST", "/v1/requests/{id}/resend", Access::Requester),
    (
        "GET",
        "/v1/requests/{id}/answer",
        Access::RequesterOrOfficer,
    ),
    (
        "POST",
        "/v1/requests/{id}/cancel",
        Access::RequesterOrOfficer,
    ),
    (
        "GET",
        "/v1/requests/{id}/identities",
        Access::Roles(OFFICERS),
    ),
    ("POST", "/v1/requests/{id}/approve", Access::Roles(OFFICERS)),
    (
        "POST",
        "/v1/requests/{id}/confirm-identity",
        Access::Roles(OFFICERS),
    ),
    ("POST", "/v1/requests/{id}/refuse", Access::Roles(OFFICERS)),
    ("POST", "/v1/requests/{id}/extend", Access::Roles(OFFICERS)),
    ("POST", "/v1/requests/{id}/retry", Access::Roles(OFFICERS)),
    (
        "POST",
        "/v1/requests/{id}/parts/{part}/complete",
        Access::Roles(OFFICERS),
    ),
    ("POST", "/v1/unsubscribe/{token}", Access::Public),
];

/// Every page of the portal (`http/portal/`), as [`ROUTES`] lists the
/// API's: the admission layer reads both.
pub const PAGES: &[(&str, &str, Access)] = &[
    ("GET", "/", Access::Page),
    ("GET", "/notice", Access::Page),
    ("GET", "/cookies", Access::Page),
    ("GET", "/rights", Access::Page),
    ("GET", "/assets/portal.css", Access::Page),
    ("GET", "/.well-known/gpc.json", Access::Page),
    ("GET", "/requests/new", Access::Page),
    ("POST", "/requests", Access::Page),
    ("GET", "/requests/{id}", Access::Page),
    ("POST", "/requests/{id}/verify", Access::Page),
    ("POST", "/requests/{id}/resend", Access::Page),
    ("POST", "/requests/{id}/cancel", Access::Page),
    ("GET", "/requests/{id}/answer", Access::Page),
    ("GET", "/follow", Access::Page),
    ("POST", "/follow", Access::Page),
    ("GET", "/account", Access::Page),
    ("POST", "/account/code", Access::Page),
    ("POST", "/account/sign-in", Access::Page),
    ("POST", "/account/sign-out", Access::Page),
    ("POST", "/account/consents/{purpose}/give", Access::Page),
    ("POST", "/account/consents/{purpose}/withdraw", Access::Page),
    ("GET", "/account/consents/{id}/receipt", Access::Page),
    ("GET", "/unsubscribe/{token}", Access::Page),
    ("POST", "/unsubscribe/{token}", Access::Page),
];

const FOLLOW_HEADER: &str = "steward-follow";

/// Who is calling, once admitted: put in the request's extensions for the
/// handler.
#[derive(Debug, Clone)]
pub enum Admitted {
    Anyone,
    Token(Actor),
    Requester(String),
}

/// The admission layer: finds the route in [`ROUTES`] and lets the call
/// through only as the table says; then, for callers without a token, the
/// limits per client address; then reads the body, within its size and
/// time (`throttle.rs`).
pub async fn admit(
    State(state): State<AppState>,
    path: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let route = path.as_ref().map_or("", |p| p.as_str());
    // HEAD is answered by a route's GET handler, and admitted as GET is.
    let method = match request.method().as_str() {
        "HEAD" => "GET",
        other => other,
    };
    let access = ROUTES
        .iter()
        .chain(PAGES)
        .find(|(m, path, _)| *path == route && *m == method)
        .map(|(_, _, access)| *access);
    let admitted = match access {
        Some(access) => decide(&state, access, request.headers()).await,
        // The path is served, with other methods.
        None if ROUTES
            .iter()
            .chain(PAGES)
            .any(|(_, path, _)| *path == route) =>
        {
            Err(ApiError::MethodNotAllowed)
        }
        None => Err(ApiError::Internal(format!(
            "{} {route} is not in the route table",
            request.method()
        ))),
    };
    let admitted = match admitted {
        Ok(admitted) => admitted,
        Err(error) => {
            // A refused call counts too: guessing tokens and secrets is limited.
            return match state.clients.check(&request, route, None) {
                Err(limited) => limited.into_response(),
                Ok(()) => error.into_response(),
            };
        }
    };
    if let Err(limited) = state.clients.check(&request, route, Some(&admitted)) {
        return limited.into_response();
    }
    let mut request = match state
        .clients
        .read_body(request, &admitted, crate::http::BODY_LIMIT)
        .await
    {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    request.extensions_mut().insert(admitted);
    next.run(request).await
}

async fn decide(
    state: &AppState,
    access: Access,
    headers: &HeaderMap,
) -> Result<Admitted, ApiError> {
    let bearer = headers.get(header::AUTHORIZATION).map(|v| {
        v.to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
    });
    let token = async |bearer: Option<&str>| -> Result<Actor, ApiError> {
        let secret = bearer.ok_or(ApiError::Unauthorized)?;
        state
            .vault
            .authenticate(secret)
            .await?
            .ok_or(ApiError::Unauthorized)
    };
    let follower = || {
        headers
            .get(FOLLOW_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|secret| Admitted::Requester(secret.trim().to_owned()))
            .ok_or(ApiError::Unauthorized)
    };
    let forbidden = |actor: &Actor| {
        ApiError::Forbidden(format!("the {} role may not use this endpoint", actor.role))
    };
    match access {
        Access::Public | Access::Page => Ok(Admitted::Anyone),
        Access::PublicOrOfficer => match bearer {
            None => Ok(Admitted::Anyone),
            Some(bearer) => {
                let actor = token(bearer).await?;
                Ok(if actor.role.is_officer() {
                    Admitted::Token(actor)
                } else {
                    Admitted::Anyone
                })
            }
        },
        Access::Roles(roles) => {
            let actor = token(bearer.flatten()).await?;
            if roles.contains(&actor.role) {
                Ok(Admitted::Token(actor))
            } else {
                Err(forbidden(&actor))
            }
        }
        Access::RequesterOrOfficer => match bearer {
            None => follower(),
            Some(bearer) => {
                let actor = token(bearer).await?;
                if actor.role.is_officer() {
                    Ok(Admitted::Token(actor))
                } else {
                    Err(forbidden(&actor))
                }
            }
        },
        Access::Requester => match bearer {
            None => follower(),
            Some(bearer) => {
                let actor = token(bearer).await?;
                Err(ApiError::Forbidden(format!(
                    "only the requester may do this, with the follow secret; the {} role may not",
                    actor.role
                )))
            }
        },
    }
}
