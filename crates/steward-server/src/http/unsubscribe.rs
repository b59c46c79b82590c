//! One-click unsubscribe (RFC 8058): the link, and what following it does.

use axum::extract::{Path, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{Submitted, UnsubscribeLink};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(unsubscribe))
        .routes(routes!(unsubscribe_link))
}

/// One-click unsubscribe (RFC 8058): the link in a mailing. An objection to
/// direct marketing, which Art. 21(3) makes absolute: honoured at once.
/// Following the link again answers the same request.
#[utoipa::path(post, path = "/v1/unsubscribe/{token}", tag = "requests", params(("token" = String, Path)), responses((status = 200, body = Submitted), (status = 404, body = Problem)))]
async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<ApiJson<Submitted>, ApiError> {
    Ok(ApiJson(state.rights.unsubscribe(&token).await?.into()))
}

/// The one-click unsubscribe link for a subject, for a mailing.
/// A service gets one only if one of its purposes is direct marketing.
#[utoipa::path(get, path = "/v1/subjects/{id}/unsubscribe-link", tag = "requests", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = UnsubscribeLink), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn unsubscribe_link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<UnsubscribeLink>, ApiError> {
    let token = state.rights.unsubscribe_link(&caller, &id.into()).await?;
    Ok(ApiJson(UnsubscribeLink {
        path: format!("/v1/unsubscribe/{token}"),
        page: format!("/unsubscribe/{token}"),
    }))
}
