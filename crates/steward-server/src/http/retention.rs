//! Retention: what is due (a dry run), holds, and anonymised statistics.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{HoldView, NewHold, StatisticsView, SweepView};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;
use crate::vault::SweepOptions;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(due))
        .routes(routes!(add_hold))
        .routes(routes!(holds))
        .routes(routes!(release_hold))
        .routes(routes!(statistics))
}

/// What the sweep would remove today, per action, rule, category and
/// purposes, with counts (a dry run: nothing changes).
#[utoipa::path(get, path = "/v1/retention/due", tag = "records", security(("bearer" = [])), responses((status = 200, body = SweepView), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn due(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<ApiJson<SweepView>, ApiError> {
    let report = state
        .vault
        .sweep(
            &caller,
            SweepOptions {
                dry_run: true,
                ..SweepOptions::default()
            },
        )
        .await?;
    Ok(ApiJson(report.into()))
}

/// Puts a subject's data, or one record, on a legal or litigation hold:
/// the sweep leaves it until the hold ends or is released.
#[utoipa::path(post, path = "/v1/subjects/{id}/holds", tag = "records", params(("id" = String, Path)), request_body = NewHold, security(("bearer" = [])), responses((status = 201, body = HoldView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn add_hold(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewHold>,
) -> Result<(StatusCode, ApiJson<HoldView>), ApiError> {
    let until = body
        .until
        .as_deref()
        .map(|text| {
            text.parse::<jiff::civil::Date>()
                .map_err(|_| ApiError::Invalid {
                    field: Some("until".into()),
                    message: "not a day such as 2027-12-31".into(),
                })
        })
        .transpose()?;
    let hold = state
        .vault
        .add_hold(
            &caller,
            &id.into(),
            body.record.map(Into::into),
            &body.reason,
            until,
        )
        .await?;
    Ok((StatusCode::CREATED, ApiJson(hold.into())))
}

/// Every hold, newest first, released ones too.
#[utoipa::path(get, path = "/v1/holds", tag = "records", security(("bearer" = [])), responses((status = 200, body = Vec<HoldView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn holds(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<ApiJson<Vec<HoldView>>, ApiError> {
    let holds = state.vault.holds(&caller, None).await?;
    Ok(ApiJson(holds.into_iter().map(Into::into).collect()))
}

/// Ends a hold: its data is swept as its periods say.
#[utoipa::path(post, path = "/v1/holds/{id}/release", tag = "records", params(("id" = String, Path)), security(("bearer" = [])), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn release_hold(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.vault.release_hold(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatisticsQuery {
    /// Fields to group by, comma-separated: `month`, `rule`, or a field the
    /// anonymising rule keeps (`statistics`).
    by: Option<String>,
}

/// Anonymised data of a category, counted; a group smaller than the
/// policy's k (`[statistics] k`, 5 by default) is left out.
#[utoipa::path(get, path = "/v1/statistics/{category}", tag = "records", params(("category" = String, Path), StatisticsQuery), security(("bearer" = [])), responses((status = 200, body = StatisticsView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn statistics(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(category): Path<String>,
    Query(query): Query<StatisticsQuery>,
) -> Result<ApiJson<StatisticsView>, ApiError> {
    let by: Vec<String> = query
        .by
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect();
    let stats = state.vault.statistics(&caller, &category, &by).await?;
    Ok(ApiJson(stats.into()))
}
