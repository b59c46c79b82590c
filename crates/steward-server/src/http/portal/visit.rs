//! What every portal page knows of its visitor (found by `layer.rs`): the
//! language, the form-protection code (CSRF), the Global Privacy Control
//! signal, the cookies; and how the portal's cookies are written.
//!
//! CSRF is a double submit: a random code in a `SameSite=Lax`, `HttpOnly`
//! cookie, repeated in a hidden field of every form; a POST whose field
//! does not match its cookie is refused. Another site can neither read the
//! cookie nor make the browser send it with a POST (`Lax` still sends it
//! when a link from elsewhere is followed, so arriving from a letter does
//! not replace it and break the forms open in other tabs).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};
use steward_domain::common::lang::Lang;
use subtle::ConstantTimeEq;

use crate::http::error::ApiError;

pub const CSRF_COOKIE: &str = "steward_csrf";
pub const LANG_COOKIE: &str = "steward_lang";

/// A form that sends nothing but its CSRF code (a button).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

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

pub fn well_formed(code: &str) -> bool {
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
