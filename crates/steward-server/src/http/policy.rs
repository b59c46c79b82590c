//! The policy in force, the privacy notice (public) and the Art. 30 record
//! of processing.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_domain::common::lang::Lang;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{PolicySummary, PurposeSummary};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(notice))
        .routes(routes!(policy))
        .routes(routes!(record_of_processing))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct NoticeQuery {
    /// `en` or `sv`; the policy's default language if absent.
    lang: Option<String>,
    /// `html` (default) or `md`.
    format: Option<String>,
}

fn language(state: &AppState, code: Option<&str>) -> Result<Lang, ApiError> {
    let policy = state.vault.policy();
    match code {
        None => Ok(policy.meta.default_language),
        Some(code) => Lang::from_code(code)
            .filter(|l| policy.meta.languages.contains(l))
            .ok_or_else(|| ApiError::Invalid {
                field: Some("lang".into()),
                message: format!("`{code}` is not one of the policy's languages"),
            }),
    }
}

/// The privacy notice (Art. 13 and 14), public.
#[utoipa::path(get, path = "/v1/notice", tag = "policy", params(NoticeQuery), responses((status = 200, content_type = "text/html", body = String), (status = 422, body = Problem)))]
async fn notice(
    State(state): State<AppState>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, ApiError> {
    let lang = language(&state, query.lang.as_deref())?;
    let policy = state.vault.policy();
    let (text, content_type) = match query.format.as_deref().unwrap_or("html") {
        "html" => (
            steward_domain::publish::notice::html(policy, lang),
            "text/html; charset=utf-8",
        ),
        "md" => (
            steward_domain::publish::notice::markdown(policy, lang),
            "text/markdown; charset=utf-8",
        ),
        other => {
            return Err(ApiError::Invalid {
                field: Some("format".into()),
                message: format!("`{other}` is not `html` or `md`"),
            });
        }
    };
    let text = text.map_err(|e| ApiError::Internal(format!("rendering the notice: {e}")))?;
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}

/// The policy in force: its purposes, their legal bases and categories.
#[utoipa::path(get, path = "/v1/policy", tag = "policy", security(("bearer" = [])), responses((status = 200, body = PolicySummary), (status = 401, body = Problem)))]
async fn policy(
    State(state): State<AppState>,
    _: Caller,
) -> Result<ApiJson<PolicySummary>, ApiError> {
    let p = state.vault.policy();
    Ok(ApiJson(PolicySummary {
        id: p.meta.id.clone(),
        version: p.meta.version.to_string(),
        effective: p.meta.effective.to_string(),
        controller: p.controller.name.clone(),
        languages: p
            .meta
            .languages
            .iter()
            .map(|l| l.code().to_owned())
            .collect(),
        purposes: p
            .purposes
            .iter()
            .map(|purpose| PurposeSummary {
                id: purpose.id.clone(),
                legal_basis: purpose.legal_basis.map(|b| b.article().to_owned()),
                categories: p
                    .expand_categories(&purpose.categories)
                    .iter()
                    .map(|c| c.id.clone())
                    .collect(),
                direct_marketing: purpose.direct_marketing,
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecordQuery {
    /// `json` (default), `csv` or `md`.
    format: Option<String>,
    lang: Option<String>,
}

/// The Art. 30(1) record of processing activities.
#[utoipa::path(get, path = "/v1/record-of-processing", tag = "policy", params(RecordQuery), security(("bearer" = [])), responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn record_of_processing(
    State(state): State<AppState>,
    _: Caller,
    Query(query): Query<RecordQuery>,
) -> Result<Response, ApiError> {
    let lang = language(&state, query.lang.as_deref())?;
    let record =
        steward_domain::publish::record_of_processing::Record::build(state.vault.policy(), lang);
    let internal =
        |e: &dyn std::fmt::Display| ApiError::Internal(format!("record of processing: {e}"));
    let (text, content_type) = match query.format.as_deref().unwrap_or("json") {
        "json" => (record.json().map_err(|e| internal(&e))?, "application/json"),
        "csv" => (
            record.csv().map_err(|e| internal(&e))?,
            "text/csv; charset=utf-8",
        ),
        "md" => (record.markdown(), "text/markdown; charset=utf-8"),
        other => {
            return Err(ApiError::Invalid {
                field: Some("format".into()),
                message: format!("`{other}` is not `json`, `csv` or `md`"),
            });
        }
    };
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}
