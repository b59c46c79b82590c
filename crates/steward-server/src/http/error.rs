//! Errors at the HTTP edge, as RFC 9457 problem details. Internal details are
//! logged, never sent: the client gets a stable `code` and a clear message.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::vault::VaultError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem: `/problems/{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable: `invalid_input`, `unauthorized`, `forbidden`, ...
    pub code: String,
    /// The input field at fault, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    Forbidden(String),
    Invalid {
        field: Option<String>,
        message: String,
    },
    NotFound(String),
    Conflict(String),
    Gone(String),
    Internal(String),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
            ),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            ApiError::Invalid { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "Invalid input",
            ),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", "Not found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::Gone(_) => (StatusCode::GONE, "erased", "Erased"),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, title) = self.parts();
        let (detail, field) = match self {
            ApiError::Unauthorized => (
                "send `Authorization: Bearer <token>` with a token from `steward token create`"
                    .to_owned(),
                None,
            ),
            ApiError::Invalid { field, message } => (message, field),
            ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::Gone(m) => (m, None),
            ApiError::Internal(m) => {
                let id = uuid::Uuid::now_v7();
                tracing::error!(error_id = %id, "{m}");
                (
                    format!(
                        "something went wrong on our side; quote error id {id} when reporting it"
                    ),
                    None,
                )
            }
        };
        let problem = Problem {
            kind: format!("/problems/{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            field,
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<VaultError> for ApiError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::Invalid { field, message } => ApiError::Invalid {
                field: Some(field),
                message,
            },
            VaultError::NotFound { .. } => ApiError::NotFound(error.to_string()),
            VaultError::Conflict { .. } | VaultError::NotNow(_) => {
                ApiError::Conflict(error.to_string())
            }
            VaultError::Forbidden(message) => ApiError::Forbidden(message),
            VaultError::Erased(_) => ApiError::Gone(error.to_string()),
            VaultError::WrongKey { .. }
            | VaultError::Store(_)
            | VaultError::Crypto(_)
            | VaultError::Internal(_) => ApiError::Internal(error.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // serde's text names the field and the position: keep it.
        ApiError::Invalid {
            field: None,
            message: format!(
                "the request body is not what this endpoint takes: {}",
                rejection.body_text()
            ),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::Invalid {
            field: None,
            message: rejection.body_text(),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::Invalid {
            field: None,
            message: rejection.body_text(),
        }
    }
}
