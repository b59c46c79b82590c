//! What handlers take from a request: a JSON body whose rejections become
//! problem details, and the caller as the admission layer admitted them.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use steward_domain::vault::actor::Actor;

use crate::http::access::Admitted;
use crate::http::error::ApiError;
use crate::rights::Viewer;

/// A JSON body whose rejections become problem details.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn admitted(parts: &Parts) -> Result<&Admitted, ApiError> {
    // Every route is behind the admission layer; a handler without it is a
    // wiring mistake, refused rather than let through.
    parts
        .extensions
        .get::<Admitted>()
        .ok_or_else(|| ApiError::Internal("a route ran without admission".into()))
}

/// The token holder a route admitted.
pub struct Caller(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match admitted(parts)? {
            Admitted::Token(actor) => Ok(Caller(actor.clone())),
            _ => Err(ApiError::Unauthorized),
        }
    }
}

/// An officer acting for someone, if one is (a subject submits without).
pub struct MaybeOfficer(pub Option<Actor>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeOfficer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(MaybeOfficer(match admitted(parts)? {
            Admitted::Token(actor) if actor.role.is_officer() => Some(actor.clone()),
            _ => None,
        }))
    }
}

/// An officer's token, or the requester's follow secret.
pub enum Follower {
    Officer(Actor),
    Requester(String),
}

impl Follower {
    pub fn viewer(&self) -> Viewer<'_> {
        match self {
            Follower::Officer(actor) => Viewer::Officer(actor),
            Follower::Requester(secret) => Viewer::Requester(secret),
        }
    }

    /// The follow secret; officers have none.
    pub fn secret(&self) -> Result<&str, ApiError> {
        match self {
            Follower::Requester(secret) => Ok(secret),
            Follower::Officer(_) => Err(ApiError::Forbidden(
                "only the requester may do this, with the follow secret".into(),
            )),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Follower {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match admitted(parts)? {
            // The route table admits only officers' tokens here; checked
            // again, as a request's data is at stake.
            Admitted::Token(actor) if actor.role.is_officer() => {
                Ok(Follower::Officer(actor.clone()))
            }
            Admitted::Token(actor) => Err(ApiError::Forbidden(format!(
                "the {} role may not follow requests",
                actor.role
            ))),
            Admitted::Requester(secret) => Ok(Follower::Requester(secret.clone())),
            Admitted::Anyone => Err(ApiError::Unauthorized),
        }
    }
}
