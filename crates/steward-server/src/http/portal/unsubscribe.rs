//! The one-click unsubscribe link of a mailing, in the browser: a GET
//! shows what following it does and asks; the POST acts. The POST takes
//! RFC 8058's `List-Unsubscribe=One-Click` from a mail client as it takes
//! the page's button: the link itself is the proof, so there is no CSRF
//! code to match (a mail client has none).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::http::error::ApiError;
use crate::http::portal::page::{Chrome, render};
use crate::http::portal::visit::Visit;
use crate::http::state::AppState;

#[derive(Template)]
#[template(path = "portal/unsubscribe.html")]
struct Unsubscribe {
    c: Chrome,
    token: String,
    done: bool,
}

fn unknown() -> ApiError {
    ApiError::NotFound("this unsubscribe link is not one of ours".into())
}

pub async fn confirm(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    if !state.rights.unsubscribe_link_is_valid(&token) {
        return Err(unknown());
    }
    Ok(render(
        &Unsubscribe {
            c: Chrome::new(&state, &visit, ""),
            token,
            done: false,
        },
        StatusCode::OK,
    ))
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    state.rights.unsubscribe(&token).await?;
    Ok(render(
        &Unsubscribe {
            c: Chrome::new(&state, &visit, ""),
            token,
            done: true,
        },
        StatusCode::OK,
    ))
}
