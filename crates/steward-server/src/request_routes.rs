//! The request endpoints: subjects submit, verify, follow and download
//! without a token (the follow secret, header `Steward-Follow`, proves the
//! request is theirs); privacy officers work the queue with theirs.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Actor, Role};
use crate::error::{ApiError, Problem};
use crate::requests::{NewRequest, RequestView, Submitted, Viewer};
use crate::routes::{ApiJson, Caller, OFFICERS, WRITERS, admit};
use crate::startup::AppState;

const FOLLOW_HEADER: &str = "steward-follow";

/// An officer's token, or the requester's follow secret.
pub enum Follower {
    Officer(Actor),
    Requester(String),
}

impl Follower {
    fn viewer(&self) -> Viewer<'_> {
        match self {
            Follower::Officer(actor) => Viewer::Officer(actor),
            Follower::Requester(secret) => Viewer::Requester(secret),
        }
    }
}

impl FromRequestParts<AppState> for Follower {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            let Officer(actor) = Officer::from_request_parts(parts, state).await?;
            return Ok(Follower::Officer(actor));
        }
        parts
            .headers
            .get(FOLLOW_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|secret| Follower::Requester(secret.trim().to_owned()))
            .ok_or(ApiError::Unauthorized)
    }
}

/// A token, if one is given (a subject submits without).
pub struct MaybeCaller(Option<Actor>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            let Caller(actor) = Caller::from_request_parts(parts, state).await?;
            Ok(MaybeCaller(Some(actor)))
        } else {
            Ok(MaybeCaller(None))
        }
    }
}

/// A privacy officer's (or admin's) token; checked before the body is read,
/// so other roles get 403 whatever they send.
pub struct Officer(Actor);

impl FromRequestParts<AppState> for Officer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        admit(&caller, OFFICERS)?;
        Ok(Officer(caller.0))
    }
}

/// Who each route admits: `public`, `requester or officer` (the follow
/// secret or an officer's token), `officer`, or `writer` (officers and
/// services). The OpenAPI test and the authorisation test read this table.
pub const ACCESS: &[(&str, &str, &str)] = &[
    ("POST", "/v1/requests", "public"),
    ("GET", "/v1/requests", "officer"),
    ("GET", "/v1/requests/{id}", "requester or officer"),
    ("POST", "/v1/requests/{id}/verify", "requester"),
    ("POST", "/v1/requests/{id}/resend", "requester"),
    ("GET", "/v1/requests/{id}/answer", "requester or officer"),
    ("POST", "/v1/requests/{id}/cancel", "requester or officer"),
    ("POST", "/v1/requests/{id}/approve", "officer"),
    ("POST", "/v1/requests/{id}/refuse", "officer"),
    ("POST", "/v1/requests/{id}/extend", "officer"),
    ("POST", "/v1/requests/{id}/retry", "officer"),
    ("POST", "/v1/requests/{id}/parts/{part}/complete", "officer"),
    ("POST", "/v1/unsubscribe/{token}", "public"),
    ("GET", "/v1/subjects/{id}/unsubscribe-link", "writer"),
];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit, queue))
        .routes(routes!(view))
        .routes(routes!(verify))
        .routes(routes!(resend))
        .routes(routes!(answer))
        .routes(routes!(cancel))
        .routes(routes!(approve))
        .routes(routes!(refuse))
        .routes(routes!(extend))
        .routes(routes!(retry))
        .routes(routes!(complete_part))
        .routes(routes!(unsubscribe))
        .routes(routes!(unsubscribe_link))
}

/// Submits a request. Without a token (a subject): a code goes to each
/// identity, to be entered at `/verify`. With an officer's token the
/// identity may be vouched for (`identity_checked`). The answer carries the
/// follow secret, shown once.
#[utoipa::path(post, path = "/v1/requests", tag = "requests", request_body = NewRequest, responses((status = 201, body = Submitted), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn submit(
    State(state): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    ApiJson(body): ApiJson<NewRequest>,
) -> Result<(StatusCode, ApiJson<Submitted>), ApiError> {
    // Other roles submit as anyone would: the token adds nothing.
    let officer = caller.filter(|a| matches!(a.role, Role::Admin | Role::PrivacyOfficer));
    let submitted = state.requests.submit(officer.as_ref(), body).await?;
    Ok((StatusCode::CREATED, ApiJson(submitted)))
}

/// The queue: every request that still needs something, due first first.
#[utoipa::path(get, path = "/v1/requests", tag = "requests", security(("bearer" = [])), responses((status = 200, body = Vec<RequestView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn queue(
    State(state): State<AppState>,
    Officer(actor): Officer,
) -> Result<ApiJson<Vec<RequestView>>, ApiError> {
    Ok(ApiJson(state.requests.queue(&actor).await?))
}

/// A request, its parts and its history: for its requester (header
/// `Steward-Follow`) or an officer.
#[utoipa::path(get, path = "/v1/requests/{id}", tag = "requests", params(("id" = String, Path)), responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn view(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
) -> Result<ApiJson<RequestView>, ApiError> {
    Ok(ApiJson(state.requests.view(&id, &follower.viewer()).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Codes {
    /// The code received, by identity kind: `{ "email": "123456" }`.
    codes: BTreeMap<String, String>,
}

/// Enters the codes sent to the claimed identities (header `Steward-Follow`).
#[utoipa::path(post, path = "/v1/requests/{id}/verify", tag = "requests", params(("id" = String, Path)), request_body = Codes, responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn verify(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Codes>,
) -> Result<ApiJson<RequestView>, ApiError> {
    let Follower::Requester(secret) = follower else {
        return Err(ApiError::Forbidden(
            "only the requester enters codes".into(),
        ));
    };
    Ok(ApiJson(
        state.requests.verify(&id, &secret, &body.codes).await?,
    ))
}

/// Sends new codes to the identities not yet verified.
#[utoipa::path(post, path = "/v1/requests/{id}/resend", tag = "requests", params(("id" = String, Path)), responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn resend(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let Follower::Requester(secret) = follower else {
        return Err(ApiError::Forbidden(
            "only the requester asks for new codes".into(),
        ));
    };
    state.requests.resend(&id, &secret).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct Format {
    /// `json` (default); `md` or `html` for access; `zip` for portability.
    format: Option<String>,
}

/// The answer: JSON, a readable report (access), or a zip (portability).
#[utoipa::path(get, path = "/v1/requests/{id}/answer", tag = "requests", params(("id" = String, Path), Format), responses((status = 200, description = "The answer in the format asked for"), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn answer(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
    Query(query): Query<Format>,
) -> Result<Response, ApiError> {
    let format = query.format.unwrap_or_else(|| "json".into());
    let (content_type, bytes) = state
        .requests
        .answer(&id, &follower.viewer(), &format)
        .await?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    note: Option<String>,
}

/// Cancels a request not yet being carried out (requester or officer).
#[utoipa::path(post, path = "/v1/requests/{id}/cancel", tag = "requests", params(("id" = String, Path)), request_body = Reason, responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<StatusCode, ApiError> {
    state
        .requests
        .cancel(&follower.viewer(), &id, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a request held for a decision (a fee may apply).
#[utoipa::path(post, path = "/v1/requests/{id}/approve", tag = "requests", params(("id" = String, Path)), request_body = Note, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn approve(
    State(state): State<AppState>,
    Officer(actor): Officer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Note>,
) -> Result<StatusCode, ApiError> {
    state.requests.approve(&actor, &id, body.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses a request with its legal reason (e.g. Art. 12(5)(b)).
#[utoipa::path(post, path = "/v1/requests/{id}/refuse", tag = "requests", params(("id" = String, Path)), request_body = Reason, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn refuse(
    State(state): State<AppState>,
    Officer(actor): Officer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<StatusCode, ApiError> {
    state.requests.refuse(&actor, &id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Due {
    due: String,
}

/// Extends the deadline once by two months; the subject is told why.
#[utoipa::path(post, path = "/v1/requests/{id}/extend", tag = "requests", params(("id" = String, Path)), request_body = Reason, security(("bearer" = [])), responses((status = 200, body = Due), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn extend(
    State(state): State<AppState>,
    Officer(actor): Officer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<ApiJson<Due>, ApiError> {
    let due = state.requests.extend(&actor, &id, &body.reason).await?;
    Ok(ApiJson(Due { due }))
}

#[derive(Serialize, ToSchema)]
pub struct Retried {
    parts: u64,
}

/// Runs a request's failed parts again.
#[utoipa::path(post, path = "/v1/requests/{id}/retry", tag = "requests", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = Retried), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn retry(
    State(state): State<AppState>,
    Officer(actor): Officer,
    Path(id): Path<String>,
) -> Result<ApiJson<Retried>, ApiError> {
    let parts = state.requests.retry(&actor, &id).await?;
    Ok(ApiJson(Retried { parts }))
}

/// Records that a manual part was done, and how.
#[utoipa::path(post, path = "/v1/requests/{id}/parts/{part}/complete", tag = "requests", params(("id" = String, Path), ("part" = String, Path)), request_body = Note, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn complete_part(
    State(state): State<AppState>,
    Officer(actor): Officer,
    Path((id, part)): Path<(String, String)>,
    ApiJson(body): ApiJson<Note>,
) -> Result<StatusCode, ApiError> {
    let note = body.note.unwrap_or_default();
    state
        .requests
        .complete_part(&actor, &id, &part, &note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One-click unsubscribe (RFC 8058): the link in a mailing. An objection to
/// direct marketing, which Art. 21(3) makes absolute: honoured at once.
#[utoipa::path(post, path = "/v1/unsubscribe/{token}", tag = "requests", params(("token" = String, Path)), responses((status = 200, body = Submitted), (status = 404, body = Problem)))]
async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<ApiJson<Submitted>, ApiError> {
    Ok(ApiJson(state.requests.unsubscribe(&token).await?))
}

#[derive(Serialize, ToSchema)]
pub struct UnsubscribeLink {
    /// The path to POST to; put it in `List-Unsubscribe` with
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    path: String,
}

/// The one-click unsubscribe link for a subject, for a mailing.
#[utoipa::path(get, path = "/v1/subjects/{id}/unsubscribe-link", tag = "requests", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = UnsubscribeLink), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn unsubscribe_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<UnsubscribeLink>, ApiError> {
    admit(&caller, WRITERS)?;
    let token = state.requests.unsubscribe_token(&id);
    Ok(ApiJson(UnsubscribeLink {
        path: format!("/v1/unsubscribe/{token}"),
    }))
}
