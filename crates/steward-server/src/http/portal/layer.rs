//! The layer every portal page goes through, outside the admission layer:
//! it finds the [`Visit`] (language, CSRF code, Global Privacy Control),
//! sets the cookies that need setting, adds the security headers, and turns
//! every problem from below (the admission layer's limits too) into a page
//! in the visitor's language rather than JSON.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use cookie::SameSite;
use steward_domain::common::lang::Lang;
use steward_domain::vault::crypto::SecretKey;

use crate::http::portal::i18n;
use crate::http::portal::page;
use crate::http::portal::visit::{
    CSRF_COOKIE, LANG_COOKIE, Visit, append_cookie, read_cookies, session_cookie, well_formed,
};
use crate::http::state::AppState;

/// The Content-Security-Policy of every page: nothing but this origin's
/// own style sheet and images; no script at all; forms post only here; no
/// framing.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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
        path: without_lang(request.uri()),
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

/// The path and query asked for, but the language chosen: where the switch
/// to the other language leads (a form keeps its kind of request).
fn without_lang(uri: &axum::http::Uri) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
        .collect();
    if kept.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    }
}
