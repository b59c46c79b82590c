//! The privacy officer's decisions on requests.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{Due, Note, Reason, Retried};
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

/// Records that a manual part was done, and how.
#[utoipa::path(post, path = "/v1/requests/{id}/parts/{part}/complete", tag = "requests", params(("id" = String, Path), ("part" = String, Path)), request_body = Note, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn complete_part(
    State(state): State<AppState>,
    Caller(officer): Caller,
    Path((id, part)): Path<(String, String)>,
    ApiJson(body): ApiJson<Note>,
) -> Result<StatusCode, ApiError> {
    let note = body.note.unwrap_or_default();
    state
        .rights
        .complete_part(&officer, &id.into(), &part.into(), &note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
