//! Records: written for the purposes they were collected for, read for one
//! purpose at a time.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{Created, NewRecord, ReadOutcome};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(write_record))
        .routes(routes!(read_data))
}

/// Stores a value for the purposes it was collected for.
#[utoipa::path(post, path = "/v1/subjects/{id}/records", tag = "records", params(("id" = String, Path)), request_body = NewRecord, security(("bearer" = [])), responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn write_record(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewRecord>,
) -> Result<(StatusCode, ApiJson<Created>), ApiError> {
    let record = state
        .vault
        .write_record(&caller, &id.into(), body.into())
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(Created {
            id: record.to_string(),
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReadQuery {
    /// The purpose the data will be used for.
    purpose: String,
}

/// A purpose-bound read: only what the purpose may use, only while its legal basis holds.
#[utoipa::path(get, path = "/v1/subjects/{id}/data", tag = "records", params(("id" = String, Path), ReadQuery), security(("bearer" = [])), responses((status = 200, body = ReadOutcome), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)))]
async fn read_data(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    query: Result<Query<ReadQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<ApiJson<ReadOutcome>, ApiError> {
    let Query(query) = query.map_err(|_| ApiError::Invalid {
        field: Some("purpose".into()),
        message: "every read states its purpose: add `?purpose=...`".into(),
    })?;
    let read = state
        .vault
        .read(&caller, &id.into(), &query.purpose)
        .await?;
    Ok(ApiJson(read.into()))
}
