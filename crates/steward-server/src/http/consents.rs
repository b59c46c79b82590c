//! The consent ledger: consent given and withdrawn, and receipts.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use steward_domain::vault::consent::{ConsentReceipt, ConsentRecord};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::NewConsent;
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(give_consent))
        .routes(routes!(withdraw_consent))
        .routes(routes!(consent_receipt))
}

/// Records consent to a purpose.
#[utoipa::path(post, path = "/v1/subjects/{id}/consents", tag = "consents", params(("id" = String, Path)), request_body = NewConsent, security(("bearer" = [])), responses((status = 201, body = Object), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn give_consent(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewConsent>,
) -> Result<(StatusCode, ApiJson<ConsentRecord>), ApiError> {
    let record = state
        .vault
        .give_consent(
            &caller,
            &id.into(),
            &body.purpose,
            &body.method,
            body.language.as_deref(),
            body.given_by,
        )
        .await?;
    Ok((StatusCode::CREATED, ApiJson(record)))
}

/// Withdraws consent to a purpose; processing before it stays lawful.
#[utoipa::path(delete, path = "/v1/subjects/{id}/consents/{purpose}", tag = "consents", params(("id" = String, Path), ("purpose" = String, Path)), security(("bearer" = [])), responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn withdraw_consent(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((id, purpose)): Path<(String, String)>,
) -> Result<ApiJson<ConsentRecord>, ApiError> {
    Ok(ApiJson(
        state
            .vault
            .withdraw_consent(&caller, &id.into(), &purpose, "api")
            .await?,
    ))
}

/// The consent receipt, with the fields of ISO/IEC TS 27560.
#[utoipa::path(get, path = "/v1/consents/{id}/receipt", tag = "consents", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn consent_receipt(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<ConsentReceipt>, ApiError> {
    Ok(ApiJson(
        state.vault.consent_receipt(&caller, &id.into()).await?,
    ))
}
