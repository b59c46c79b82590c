//! The privacy portal: the pages data subjects use in a browser, served by
//! `steward serve` itself. Server-rendered (askama), no JavaScript, nothing
//! loaded from elsewhere; English and Swedish.
//!
//! `layer.rs` is the layer every page goes through (language, CSRF code,
//! Global Privacy Control, security headers, errors as pages), `visit.rs`
//! what it finds of the visitor and the portal's cookies; `page.rs`
//! the layout's data and rendering; `i18n.rs` the portal's words; one file
//! per area: `pages.rs` (reading), `requests.rs` (making and following a
//! request), `unsubscribe.rs` (a mailing's link). Who may open each page
//! is in [`crate::http::access::PAGES`], beside the API's table.

mod account;
mod i18n;
pub mod layer;
mod page;
pub mod pages;
mod requests;
mod unsubscribe;
pub mod visit;

use axum::Router;
use axum::routing::get;

use crate::http::state::AppState;

/// The portal's routes, without their layers (`http::router` adds the
/// admission, the metrics and [`layer::layer`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/notice", get(pages::notice))
        .route("/cookies", get(pages::cookies))
        .route("/rights", get(pages::rights))
        .route("/assets/portal.css", get(pages::style))
        .route("/.well-known/gpc.json", get(pages::gpc))
        .route("/requests/new", get(requests::new_request))
        .route("/requests", axum::routing::post(requests::submit))
        .route("/requests/{id}", get(requests::status))
        .route(
            "/requests/{id}/verify",
            axum::routing::post(requests::verify),
        )
        .route(
            "/requests/{id}/resend",
            axum::routing::post(requests::resend),
        )
        .route(
            "/requests/{id}/cancel",
            axum::routing::post(requests::cancel),
        )
        .route("/requests/{id}/answer", get(requests::answer))
        .route("/follow", get(requests::follow).post(requests::open))
        .route("/account", get(account::account))
        .route("/account/code", axum::routing::post(account::send_code))
        .route("/account/sign-in", axum::routing::post(account::sign_in))
        .route("/account/sign-out", axum::routing::post(account::sign_out))
        .route(
            "/account/consents/{purpose}/give",
            axum::routing::post(account::give),
        )
        .route(
            "/account/consents/{purpose}/withdraw",
            axum::routing::post(account::withdraw),
        )
        .route("/account/consents/{id}/receipt", get(account::receipt))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
        )
}
