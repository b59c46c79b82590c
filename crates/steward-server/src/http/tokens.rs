//! API tokens: created and revoked by administrators.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{CreatedToken, NewToken};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token))
        .routes(routes!(revoke_token))
}

/// Creates an API token.
#[utoipa::path(post, path = "/v1/tokens", tag = "operations", request_body = NewToken, security(("bearer" = [])), responses((status = 201, body = CreatedToken), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, ApiJson<CreatedToken>), ApiError> {
    let (token, secret) = state
        .vault
        .create_token(&caller, body.role.into(), body.purposes, &body.description)
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(CreatedToken {
            id: token.id.to_string(),
            role: token.role.to_string(),
            purposes: token.purposes,
            secret,
        }),
    ))
}

/// Revokes a token; it then authenticates nothing.
#[utoipa::path(delete, path = "/v1/tokens/{id}", tag = "operations", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.vault.revoke_token(&caller, &id.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}
