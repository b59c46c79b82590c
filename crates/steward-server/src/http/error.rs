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
    /// The policy does not allow it (403): the rule's own code and the field.
    Refused {
        code: &'static str,
        field: &'static str,
        message: String,
    },
    Invalid {
        field: Option<String>,
        message: String,
    },
    NotFound(String),
    Conflict(String),
    Gone(String),
    /// The body is not JSON at all (400).
    BadRequest(String),
    /// The body is larger than the route takes (413).
    TooLarge(String),
    /// The body is not declared as JSON (415).
    UnsupportedMediaType(String),
    /// The route exists, not with this method (405).
    MethodNotAllowed,
    /// The client took too long to send the request (408).
    Timeout(String),
    /// A limit is reached (429), with when to try again if known.
    TooMany {
        detail: String,
        retry_after_seconds: Option<u64>,
    },
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
            ApiError::Refused { code, .. } => {
                (StatusCode::FORBIDDEN, code, "Not allowed by the policy")
            }
            ApiError::Invalid { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "Invalid input",
            ),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", "Not found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::Gone(_) => (StatusCode::GONE, "erased", "Erased"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request", "Bad request"),
            ApiError::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "Request body too large",
            ),
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
            ),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
            ),
            ApiError::Timeout(_) => (
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "Request not received in time",
            ),
            ApiError::TooMany { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many requests",
            ),
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
        let retry_after = match &self {
            ApiError::TooMany {
                retry_after_seconds,
                ..
            } => *retry_after_seconds,
            _ => None,
        };
        let (detail, field) = match self {
            ApiError::Unauthorized => (
                "send `Authorization: Bearer <token>` with a token from `steward token create`"
                    .to_owned(),
                None,
            ),
            ApiError::Invalid { field, message } => (message, field),
            ApiError::Refused { field, message, .. } => (message, Some(field.to_owned())),
            ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m)
            | ApiError::Gone(m)
            | ApiError::BadRequest(m)
            | ApiError::TooLarge(m)
            | ApiError::UnsupportedMediaType(m)
            | ApiError::Timeout(m) => (m, None),
            ApiError::MethodNotAllowed => (
                "this endpoint does not take this method; see /openapi.json".to_owned(),
                None,
            ),
            ApiError::TooMany { detail, .. } => (detail, None),
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
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
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
            VaultError::Conflict { .. } | VaultError::Taken(_) | VaultError::NotNow(_) => {
                ApiError::Conflict(error.to_string())
            }
            VaultError::Forbidden(message) => ApiError::Forbidden(message),
            VaultError::Refused {
                code,
                field,
                message,
            } => ApiError::Refused {
                code,
                field,
                message,
            },
            VaultError::Erased(_) => ApiError::Gone(error.to_string()),
            VaultError::TooMany {
                message,
                retry_after_seconds,
            } => ApiError::TooMany {
                detail: message,
                retry_after_seconds,
            },
            VaultError::WrongKey { .. }
            | VaultError::Store(_)
            | VaultError::Crypto(_)
            | VaultError::Internal(_) => ApiError::Internal(error.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest(format!(
                "the request body is not valid JSON: {}",
                plain_serde(&e.body_text())
            )),
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType(
                "send the body as JSON, with `Content-Type: application/json`".into(),
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::TooLarge("the request body is larger than this endpoint takes".into())
            }
            // serde's text names the field and the position: keep that,
            // without the values it was given.
            other => ApiError::Invalid {
                field: None,
                message: format!(
                    "the request body is not what this endpoint takes: {}",
                    plain_serde(&other.body_text())
                ),
            },
        }
    }
}

/// serde's message without axum's preamble and without the values it was
/// given (an identity sent where a number belongs must not come back).
fn plain_serde(text: &str) -> String {
    let mut rest = text
        .trim_start_matches("Failed to deserialize the JSON body into the target type: ")
        .trim_start_matches("Failed to parse the request body as JSON: ");
    let mut out = String::with_capacity(rest.len());
    loop {
        let found = ["invalid type: ", "invalid value: "]
            .iter()
            .filter_map(|marker| rest.find(marker).map(|at| (at, marker.len())))
            .min();
        let Some((at, len)) = found else { break };
        out.push_str(&rest[..at + len]);
        rest = &rest[at + len..];
        // `string "…"`, `integer `5``: keep the kind, drop the value.
        let stop = rest.find(',').unwrap_or(rest.len());
        if let Some(open) = rest.find(['"', '`']).filter(|open| *open < stop) {
            out.push_str(rest[..open].trim_end());
            rest = after_quoted(&rest[open..]);
        }
    }
    out.push_str(rest);
    out
}

/// What follows a quoted value (`"…"` with escapes, or `` `…` ``).
fn after_quoted(text: &str) -> &str {
    let mut chars = text.char_indices();
    let Some((_, quote)) = chars.next() else {
        return text;
    };
    let mut escaped = false;
    for (i, c) in chars {
        if escaped {
            escaped = false;
        } else if c == '\\' && quote == '"' {
            escaped = true;
        } else if c == quote {
            return &text[i + c.len_utf8()..];
        }
    }
    ""
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_the_problem_but_not_the_value() {
        assert_eq!(
            plain_serde(
                "Failed to deserialize the JSON body into the target type: identities[0].value: invalid type: integer `19811218`, expected a string at line 1 column 30"
            ),
            "identities[0].value: invalid type: integer, expected a string at line 1 column 30"
        );
        assert_eq!(
            plain_serde(
                r#"age: invalid type: string "anna \"the\" svensson@example.se", expected u32 at line 1 column 9"#
            ),
            "age: invalid type: string, expected u32 at line 1 column 9"
        );
        assert_eq!(
            plain_serde("unknown field `adress`, expected one of `kind`, `value`"),
            "unknown field `adress`, expected one of `kind`, `value`"
        );
    }
}
