//! The privacy officer's decisions on requests.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{
    Due, IdentityEvidence, Note, PartDone, Reason, RequestView, Retried, WhoseDataView,
};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(approve))
        .routes(routes!(refuse))
        .routes(routes!(extend))
        .routes(routes!(retry))
        .routes(routes!(complete_part))
        .routes(routes!(whose_data))
        .routes(routes!(confirm_identity))
}

/// Confirms the identities of a request that waits for an officer's check
/// (the policy's method is not a code, or a guardian asks), recording what
/// was seen; the request then goes on.
#[utoipa::path(post, path = "/v1/requests/{id}/confirm-identity", tag = "requests", params(("id" = String, Path)), request_body = IdentityEvidence, security(("bearer" = [])), responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn confirm_identity(
    State(state): State<AppState>,
    Caller(officer): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<IdentityEvidence>,
) -> Result<ApiJson<RequestView>, ApiError> {
    let progress = state
        .rights
        .confirm_identity(&officer, &id.into(), &body.evidence)
        .await?;
    Ok(ApiJson(progress.into()))
}

/// Whose data a request is about: the identities it was made with (the
/// verified ones once started) and the subject, for doing manual parts.
/// Each look is audited.
#[utoipa::path(get, path = "/v1/requests/{id}/identities", tag = "requests", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = WhoseDataView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn whose_data(
    State(state): State<AppState>,
    Caller(officer): Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<WhoseDataView>, ApiError> {
    Ok(ApiJson(
        state.rights.whose_data(&officer, &id.into()).await?.into(),
    ))
}

/// Starts a request held for a decision (a fee may apply).
#[utoipa::path(post, path = "/v1/requests/{id}/approve", tag = "requests", params(("id" = String, Path)), request_body = Note, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn approve(
    State(state): State<AppState>,
    Caller(officer): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Note>,
) -> Result<StatusCode, ApiError> {
    state
        .rights
        .approve(&officer, &id.into(), body.note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses a request with its legal reason (e.g. Art. 12(5)(b)).
#[utoipa::path(post, path = "/v1/requests/{id}/refuse", tag = "requests", params(("id" = String, Path)), request_body = Reason, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn refuse(
    State(state): State<AppState>,
    Caller(officer): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<StatusCode, ApiError> {
    state
        .rights
        .refuse(&officer, &id.into(), &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Extends the deadline once by two months; the subject is told why.
#[utoipa::path(post, path = "/v1/requests/{id}/extend", tag = "requests", params(("id" = String, Path)), request_body = Reason, security(("bearer" = [])), responses((status = 200, body = Due), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn extend(
    State(state): State<AppState>,
    Caller(officer): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<ApiJson<Due>, ApiError> {
    let due = state
        .rights
        .extend(&officer, &id.into(), &body.reason)
        .await?;
    Ok(ApiJson(Due {
        due: due.to_string(),
    }))
}

/// Runs a request's failed parts again.
#[utoipa::path(post, path = "/v1/requests/{id}/retry", tag = "requests", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = Retried), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn retry(
    State(state): State<AppState>,
    Caller(officer): Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<Retried>, ApiError> {
    let parts = state.rights.retry(&officer, &id.into()).await?;
    Ok(ApiJson(Retried { parts }))
}

/// Records that a manual part (or a failed one, after a fix) was done by
/// hand, how, and for access what was found.
#[utoipa::path(post, path = "/v1/requests/{id}/parts/{part}/complete", tag = "requests", params(("id" = String, Path), ("part" = String, Path)), request_body = PartDone, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn complete_part(
    State(state): State<AppState>,
    Caller(officer): Caller,
    Path((id, part)): Path<(String, String)>,
    ApiJson(body): ApiJson<PartDone>,
) -> Result<StatusCode, ApiError> {
    let note = body.note.unwrap_or_default();
    let found = body
        .found
        .into_iter()
        .map(|f| steward_connectors::Found {
            category: f.category,
            value: f.value,
            location: "found by hand".into(),
        })
        .collect();
    state
        .rights
        .complete_part(&officer, &id.into(), &part.into(), &note, found)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
