//! Disclosures: data released to a declared recipient and logged; a
//! subject's log for the officer; declared against actual transfers.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{
    self, DisclosureOutcome, DisclosureView, NewDisclosure, RecipientTransfers,
};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(disclose, list))
        .routes(routes!(transfers))
}

/// Releases a subject's data to a recipient, if the policy declares it for
/// the purpose and the categories, and the country is covered (Chapter V);
/// logs it. Answers the data to hand over.
#[utoipa::path(post, path = "/v1/subjects/{id}/disclosures", tag = "records", params(("id" = String, Path)), request_body = NewDisclosure, security(("bearer" = [])), responses((status = 201, description = "Released and logged", body = DisclosureOutcome), (status = 200, description = "Nothing could be released: nothing was disclosed", body = DisclosureOutcome), (status = 401, body = Problem), (status = 403, description = "The token, or the policy, does not allow it", body = Problem), (status = 404, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn disclose(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewDisclosure>,
) -> Result<(StatusCode, ApiJson<DisclosureOutcome>), ApiError> {
    let disclosed = state
        .vault
        .disclose(&caller, &id.into(), body.into())
        .await?;
    let status = if disclosed.logged.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, ApiJson(disclosed.into())))
}

/// A subject's disclosures, oldest first, with who asked and why.
#[utoipa::path(get, path = "/v1/subjects/{id}/disclosures", tag = "records", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = Vec<DisclosureView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<Vec<DisclosureView>>, ApiError> {
    let logged = state.vault.disclosures(&caller, &id.into()).await?;
    Ok(ApiJson(logged.into_iter().map(Into::into).collect()))
}

/// Every recipient the policy declares, with what the log shows went to it,
/// by country and safeguard: the record of processing's transfers, declared
/// against actual.
#[utoipa::path(get, path = "/v1/disclosures", tag = "policy", security(("bearer" = [])), responses((status = 200, body = Vec<RecipientTransfers>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn transfers(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<ApiJson<Vec<RecipientTransfers>>, ApiError> {
    let counts = state.vault.disclosure_counts(&caller).await?;
    Ok(ApiJson(dto::transfers(state.vault.policy(), counts)))
}
