//! What every page's layout needs (the [`Chrome`]: language, controller,
//! navigation, the switch to the other language, the CSRF code), turning a
//! template into a response, and the error page.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use steward_domain::common::lang::Lang;

use crate::http::portal::i18n;
use crate::http::portal::visit::Visit;
use crate::http::state::AppState;

/// The layout's part of every page.
pub struct Chrome {
    pub lang: Lang,
    pub controller: String,
    /// Which navigation entry is this page (`notice`, `rights`, ...).
    pub here: &'static str,
    pub csrf: String,
    pub gpc: bool,
    pub has_cookies: bool,
    /// The same page in the other language.
    pub switch_href: String,
    pub switch_code: &'static str,
    pub switch_name: &'static str,
}

impl Chrome {
    pub fn new(state: &AppState, visit: &Visit, here: &'static str) -> Self {
        let policy = state.vault.policy();
        let other = if visit.lang == Lang::En {
            Lang::Sv
        } else {
            Lang::En
        };
        Chrome {
            lang: visit.lang,
            controller: policy.controller.name.clone(),
            here,
            csrf: visit.csrf.clone(),
            gpc: visit.gpc,
            has_cookies: !policy.cookies.is_empty(),
            switch_href: {
                let path = local_path(&visit.path);
                let join = if path.contains('?') { '&' } else { '?' };
                format!("{path}{join}lang={}", other.code())
            },
            switch_code: other.code(),
            switch_name: i18n::own_name(other),
        }
    }

    /// A portal text in the page's language.
    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    /// A portal text with the controller's name filled in.
    pub fn tc(&self, key: &str) -> String {
        i18n::tf(self.lang, key, &[("controller", &self.controller)])
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// `aria-current` for the navigation entry of this page.
    pub fn current(&self, entry: &str) -> &'static str {
        if self.here == entry { "page" } else { "false" }
    }
}

/// `path` if it can only lead to this site: `//evil.example` (or with a
/// backslash, which browsers read as a slash) would make the language
/// switch of a 404 page a link to another site.
fn local_path(path: &str) -> &str {
    let bytes = path.as_bytes();
    let foreign = bytes.first() != Some(&b'/')
        || matches!(bytes.get(1), Some(b'/' | b'\\'))
        || path.contains('\\');
    if foreign { "/" } else { path }
}

/// A 303 to a page of ours. (`Redirect::to` panics on a location that is
/// not a header value; a request id from a URL could make one.)
pub fn see_other(location: &str) -> Response {
    match header::HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// A rendered template, or the error page if it could not be rendered.
pub fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            let id = uuid::Uuid::now_v7();
            tracing::error!(error_id = %id, "a portal page could not be rendered: {error}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("Something went wrong on our side (error {id})."),
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    title: &'static str,
    message: &'static str,
    detail: Option<&'a str>,
}

/// The page for a failure: its words by kind, in the visitor's language.
pub fn error(
    state: &AppState,
    visit: &Visit,
    status: StatusCode,
    key: &str,
    detail: Option<&str>,
) -> Response {
    let c = Chrome::new(state, visit, "");
    let page = ErrorPage {
        title: c.t("error.title"),
        message: c.t(key),
        detail: detail.filter(|d| !d.is_empty()),
        c,
    };
    render(&page, status)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn the_language_switch_never_leads_to_another_site() {
        assert_eq!(local_path("/notice"), "/notice");
        assert_eq!(local_path("/requests/x/answer"), "/requests/x/answer");
        for foreign in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil",
            "evil",
            "",
            "/a\\b",
        ] {
            assert_eq!(local_path(foreign), "/", "{foreign}");
        }
    }
}
