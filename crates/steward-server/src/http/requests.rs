//! The requester's side of rights requests: submit without a token, then
//! follow with the follow secret (header `Steward-Follow`): enter codes,
//! read the request and its answer, cancel. Officers reach the same routes
//! with their token.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::dto::{Codes, Format, NewRequest, QueueQuery, Reason, RequestView, Submitted};
use crate::http::error::{ApiError, Problem};
use crate::http::extract::{ApiJson, Caller, Follower, MaybeOfficer};
use crate::http::state::AppState;
use crate::rights::MAX_PAGE;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit, queue))
        .routes(routes!(view))
        .routes(routes!(verify))
        .routes(routes!(resend))
        .routes(routes!(answer))
        .routes(routes!(cancel))
}

/// Submits a request. Without a token (a subject): a code goes to each
/// identity, to be entered at `/verify`. With an officer's token the
/// identity may be vouched for (`identity_checked`). The answer carries the
/// follow secret, shown once.
#[utoipa::path(post, path = "/v1/requests", tag = "requests", request_body = NewRequest, responses((status = 201, body = Submitted), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem, description = "A limit is reached; `Retry-After` says when to try again", headers(("retry-after" = u64, description = "seconds")))))]
async fn submit(
    State(state): State<AppState>,
    MaybeOfficer(officer): MaybeOfficer,
    ApiJson(body): ApiJson<NewRequest>,
) -> Result<(StatusCode, ApiJson<Submitted>), ApiError> {
    let submitted = state.rights.submit(officer.as_ref(), body.into()).await?;
    Ok((StatusCode::CREATED, ApiJson(submitted.into())))
}

/// The queue: requests that still need something, due first first, a page
/// at a time. When more follow, the `Link` header names the next page
/// (`rel="next"`).
#[utoipa::path(get, path = "/v1/requests", tag = "requests", params(QueueQuery), security(("bearer" = [])), responses((status = 200, body = Vec<RequestView>, headers(("link" = String, description = "the next page, when there is one"))), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn queue(
    State(state): State<AppState>,
    _: Caller,
    query: Result<Query<QueueQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::Invalid {
        field: Some("limit".into()),
        message: format!("`limit` is a number of requests, `after` where a page starts: {e}"),
    })?;
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::Invalid {
            field: Some("limit".into()),
            message: format!("give between 1 and {MAX_PAGE} requests per page"),
        });
    }
    let after = query.after.as_deref().map(cursor::read).transpose()?;
    let page = state.rights.queue(after.as_ref(), limit).await?;
    let views: Vec<RequestView> = page.requests.into_iter().map(Into::into).collect();
    let mut response = ApiJson(views).into_response();
    if let Some(next) = page.next {
        let link = format!(
            "</v1/requests?limit={limit}&after={}>; rel=\"next\"",
            cursor::write(&next)
        );
        if let Ok(value) = header::HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

const DEFAULT_PAGE: usize = 50;

/// Where a page of the queue starts, as it travels in a URL: the due date,
/// the time received in nanoseconds and the id, joined by `_` (none of
/// them needs escaping).
mod cursor {
    use steward_store::QueueKey;

    use crate::http::error::ApiError;

    pub fn write(key: &QueueKey) -> String {
        format!(
            "{}_{}_{}",
            key.due_on,
            key.received_at.as_nanosecond(),
            key.id
        )
    }

    pub fn read(text: &str) -> Result<QueueKey, ApiError> {
        let bad = || ApiError::Invalid {
            field: Some("after".into()),
            message:
                "`after` is not where a page of the queue starts; take it from the `Link` header"
                    .into(),
        };
        let mut parts = text.splitn(3, '_');
        let (Some(due), Some(received), Some(id)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let received: i128 = received.parse().map_err(|_| bad())?;
        Ok(QueueKey {
            due_on: due.parse().map_err(|_| bad())?,
            received_at: jiff::Timestamp::from_nanosecond(received).map_err(|_| bad())?,
            id: id.to_owned().into(),
        })
    }
}

/// A request, its parts and its history: for its requester (header
/// `Steward-Follow`) or an officer.
#[utoipa::path(get, path = "/v1/requests/{id}", tag = "requests", params(("id" = String, Path)), responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn view(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
) -> Result<ApiJson<RequestView>, ApiError> {
    let progress = state
        .rights
        .progress(&id.into(), &follower.viewer())
        .await?;
    Ok(ApiJson(progress.into()))
}

/// Enters the codes sent to the claimed identities (header `Steward-Follow`).
#[utoipa::path(post, path = "/v1/requests/{id}/verify", tag = "requests", params(("id" = String, Path)), request_body = Codes, responses((status = 200, body = RequestView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem, description = "A limit is reached; `Retry-After` says when to try again", headers(("retry-after" = u64, description = "seconds")))))]
async fn verify(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Codes>,
) -> Result<ApiJson<RequestView>, ApiError> {
    let progress = state
        .rights
        .verify(&id.into(), follower.secret()?, &body.codes)
        .await?;
    Ok(ApiJson(progress.into()))
}

/// Sends new codes to the identities not yet verified.
#[utoipa::path(post, path = "/v1/requests/{id}/resend", tag = "requests", params(("id" = String, Path)), responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 429, body = Problem, description = "A limit is reached; `Retry-After` says when to try again", headers(("retry-after" = u64, description = "seconds")))))]
async fn resend(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.rights.resend(&id.into(), follower.secret()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The answer: JSON, a readable report (access), or a zip (portability).
#[utoipa::path(get, path = "/v1/requests/{id}/answer", tag = "requests", params(("id" = String, Path), Format), responses((status = 200, description = "The answer in the format asked for"), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn answer(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
    Query(query): Query<Format>,
) -> Result<Response, ApiError> {
    let format = query.format.unwrap_or_else(|| "json".into());
    let (content_type, bytes) = state
        .rights
        .answer(&id.into(), &follower.viewer(), &format)
        .await?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}

/// Cancels a request not yet being carried out (requester or officer).
#[utoipa::path(post, path = "/v1/requests/{id}/cancel", tag = "requests", params(("id" = String, Path)), request_body = Reason, responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel(
    State(state): State<AppState>,
    follower: Follower,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reason>,
) -> Result<StatusCode, ApiError> {
    state
        .rights
        .cancel(&follower.viewer(), &id.into(), &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
