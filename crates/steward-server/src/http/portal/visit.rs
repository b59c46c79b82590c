//! What every portal page knows of its visitor, and what every portal
//! response carries: the language, the form-protection code (CSRF), the
//! Global Privacy Control signal; the security headers; and errors from
//! anywhere below (the admission layer's limits too) as a page in the
//! visitor's language rather than JSON.
//!
//! CSRF is a double submit: a random code in a `SameSite=Lax`, `HttpOnly`
//! cookie, repeated in a hidden field of every form; a POST whose field
//! does not match its cookie is refused. Another site can neither read the
//! cookie nor make the browser send it with a POST (`Lax` still sends it
//! when a link from elsewhere is followed, so arriving from a letter does
//! not replace it and break the forms open in other tabs).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use cookie::{Cookie, SameSite};
use steward_domain::common::lang::Lang;
use steward_domain::vault::crypto::SecretKey;
use subtle::ConstantTimeEq;

use crate::http::error::ApiError;
use crate::http::portal::i18n;
use crate::http::portal::page;
use crate::http::state::AppState;

pub const CSRF_COOKIE: &str = "steward_csrf";
pub const LANG_COOKIE: &str = "steward_lang";

/// The Content-Security-Policy of every page: nothing but this origin's
/// own style sheet and images; no script at all; forms post only here; no
/// framing.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The visitor, as the layer found them; handlers take it as an extractor.
#[derive(Debug, Clone)]
pub struct Visit {
    pub lang: Lang,
    pub csrf: String,
    /// `Sec-GPC: 1`: the visitor's browser sends Global Privacy Control.
    pub gpc: bool,
    /// The path and query asked for, for the language switch.
    pub path: String,
    pub cookies: Vec<(String, String)>,
}

impl Visit {
    /// A cookie the request carried.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Refuses a form whose CSRF field is not this visitor's code.
    pub fn check_csrf(&self, given: &str) -> Result<(), ApiError> {
        let matches = !given.is_empty() && bool::from(given.as_bytes().ct_eq(self.csrf.as_bytes()));
        if matches {
            Ok(())
        } else {
            Err(ApiError::Refused {
                code: "csrf",
                field: "csrf",
                message: "the form's protection code does not match this browser's; reload the page and send it again".into(),
            })
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visit {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Visit>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("a portal page was served without its layer".into()))
    }
}

/// The portal's layer: runs outside the admission layer, so its refusals
/// become pages too.
pub async fn layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let cookies = read_cookies(request.headers());
    let find = |name: &str| {
        cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let (csrf, new_csrf) = match find(CSRF_COOKIE).filter(|c| well_formed(c)) {
        Some(code) => (code, false),
        None => (SecretKey::generate().to_hex(), true),
    };
    let chosen = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")))
        .and_then(Lang::from_code);
    let remembered = find(LANG_COOKIE);
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = match chosen {
        Some(lang) => lang,
        None => i18n::negotiate(
            remembered.as_deref(),
            accept,
            state.vault.policy().meta.default_language,
        ),
    };
    let visit = Visit {
        lang,
        gpc: request
            .headers()
            .get("sec-gpc")
            .is_some_and(|v| v.as_bytes().trim_ascii() == b"1"),
        path: request.uri().path().to_owned(),
        csrf: csrf.clone(),
        cookies,
    };
    request.extensions_mut().insert(visit.clone());
    let response = next.run(request).await;
    let mut response = if is_problem(response.headers()) {
        problem_page(&state, &visit, response).await
    } else {
        response
    };
    let headers = response.headers_mut();
    if new_csrf {
        append_cookie(headers, session_cookie(CSRF_COOKIE, csrf, SameSite::Lax));
    }
    if let Some(lang) = chosen {
        let mut cookie = session_cookie(LANG_COOKIE, lang.code().to_owned(), SameSite::Lax);
        cookie.set_max_age(cookie::time::Duration::days(365));
        append_cookie(headers, cookie);
    }
    secure(headers);
    response
}

/// The headers every portal response carries. A handler that sets its
/// own Content-Security-Policy or Cache-Control (an answer, a style sheet)
/// keeps it.
pub fn secure(headers: &mut HeaderMap) {
    let fixed: [(&str, &'static str); 6] = [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(PAGE_CSP));
    // Pages show a person's requests and answers: never kept by a cache.
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
}

fn well_formed(code: &str) -> bool {
    code.len() == 64 && code.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn read_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_owned()))
        .filter_map(Result::ok)
        .map(|c| (c.name().to_owned(), c.value().to_owned()))
        .collect()
}

/// A cookie only this origin's pages send back over HTTPS (browsers
/// treat `localhost` and `127.0.0.1` as secure too), that no script
/// reads.
pub fn session_cookie(name: &str, value: String, same_site: SameSite) -> Cookie<'static> {
    let mut cookie = Cookie::new(name.to_owned(), value);
    cookie.set_http_only(true);
    cookie.set_secure(true);
    cookie.set_same_site(same_site);
    cookie.set_path("/");
    cookie
}

pub fn append_cookie(headers: &mut HeaderMap, cookie: Cookie<'_>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        headers.append(header::SET_COOKIE, value);
    }
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
}

/// A problem from below (a limit, a refusal, a failure) as a page: the
/// words for its kind in the visitor's language, the detail as sent.
async fn problem_page(state: &AppState, visit: &Visit, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let code = problem["code"].as_str().unwrap_or_default();
    let detail = problem["detail"].as_str().unwrap_or_default();
    let (key, detail) = match (parts.status, code) {
        (_, "csrf") => ("error.csrf", None),
        (StatusCode::NOT_FOUND, _) => ("error.404", None),
        (StatusCode::TOO_MANY_REQUESTS, _) => ("error.limit", None),
        (status, _) if status.is_server_error() => ("error.internal", Some(detail)),
        _ => ("error.title", Some(detail)),
    };
    let mut page = page::error(state, visit, parts.status, key, detail);
    if let Some(retry) = parts.headers.get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_visitors_own_code_passes() {
        let visit = Visit {
            lang: Lang::En,
            csrf: "a".repeat(64),
            gpc: false,
            path: "/".into(),
            cookies: Vec::new(),
        };
        assert!(visit.check_csrf(&"a".repeat(64)).is_ok());
        assert!(visit.check_csrf(&"b".repeat(64)).is_err());
        assert!(visit.check_csrf("").is_err());
        assert!(visit.check_csrf(&"a".repeat(63)).is_err());
        assert!(well_formed(&"0f".repeat(32)));
        assert!(!well_formed("<script>"));
    }

    #[test]
    fn cookies_are_http_only_secure_and_same_site() {
        let text = session_cookie(CSRF_COOKIE, "x".into(), SameSite::Strict).to_string();
        for part in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
    }
}
