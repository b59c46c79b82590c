//! Subjects: created, found by an identity, shown whole, erased; their
//! identities, events, objections and restriction.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{
    Created, IdentityInput, NewEvent, NewObjection, NewSubject, Restriction, SubjectView,
};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_subject))
        .routes(routes!(lookup_subject))
        .routes(routes!(show_subject, erase_subject))
        .routes(routes!(add_identity))
        .routes(routes!(add_event))
        .routes(routes!(object))
        .routes(routes!(restrict))
}

/// Creates a subject with its identities.
#[utoipa::path(post, path = "/v1/subjects", tag = "subjects", request_body = NewSubject, security(("bearer" = [])), responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_subject(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<NewSubject>,
) -> Result<(StatusCode, ApiJson<Created>), ApiError> {
    let id = state.vault.create_subject(&caller, body.into()).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id: id.to_string() })))
}

/// Finds a subject by an identity. POST keeps the identity out of URLs and logs.
#[utoipa::path(post, path = "/v1/subjects/lookup", tag = "subjects", request_body = IdentityInput, security(("bearer" = [])), responses((status = 200, body = Created), (status = 404, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn lookup_subject(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<IdentityInput>,
) -> Result<ApiJson<Created>, ApiError> {
    let kind = body.kind.clone();
    match state.vault.find_subject(&caller, &body.into()).await? {
        Some(id) => Ok(ApiJson(Created { id: id.to_string() })),
        None => Err(ApiError::NotFound(format!(
            "no subject has this {kind} identity"
        ))),
    }
}

/// Everything held about a subject, decrypted.
#[utoipa::path(get, path = "/v1/subjects/{id}", tag = "subjects", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = SubjectView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn show_subject(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<SubjectView>, ApiError> {
    let whole = state.vault.subject_view(&caller, &id.into()).await?;
    Ok(ApiJson(whole.into()))
}

/// Erases a subject by crypto-shredding: its data key is destroyed.
#[utoipa::path(delete, path = "/v1/subjects/{id}", tag = "subjects", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn erase_subject(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.vault.erase(&caller, &id.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds an identity to a subject.
#[utoipa::path(post, path = "/v1/subjects/{id}/identities", tag = "subjects", params(("id" = String, Path)), request_body = IdentityInput, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_identity(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<IdentityInput>,
) -> Result<StatusCode, ApiError> {
    let subject = id.into();
    let input: crate::vault::IdentityInput = body.into();
    let kind = input.kind.clone();
    state.vault.add_identity(&caller, &subject, &input).await?;
    // Not the officer's own act: the person is told at the addresses known.
    if caller.role == steward_domain::vault::actor::Role::Service {
        state
            .rights
            .tell_of_added_identity(&caller, &subject, &kind)
            .await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Records a relationship event.
#[utoipa::path(post, path = "/v1/subjects/{id}/events", tag = "subjects", params(("id" = String, Path)), request_body = NewEvent, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_event(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewEvent>,
) -> Result<StatusCode, ApiError> {
    state
        .vault
        .record_event(&caller, &id.into(), &body.kind, body.at.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records an objection (Art. 21).
#[utoipa::path(post, path = "/v1/subjects/{id}/objections", tag = "subjects", params(("id" = String, Path)), request_body = NewObjection, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn object(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewObjection>,
) -> Result<StatusCode, ApiError> {
    state
        .vault
        .object(&caller, &id.into(), &body.purpose, body.compelling_grounds)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restricts processing to storage (Art. 18), or lifts the restriction.
#[utoipa::path(put, path = "/v1/subjects/{id}/restriction", tag = "subjects", params(("id" = String, Path)), request_body = Restriction, security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn restrict(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Restriction>,
) -> Result<StatusCode, ApiError> {
    state
        .vault
        .restrict(&caller, &id.into(), body.restricted)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
