//! Every cookie the browser holds, third-party ones included, with its
//! expiry: what the cookie audit (`steward cookies scan`) compares with a
//! policy.
//!
//! WebDriver's own Get All Cookies answers only the cookies of the current
//! document's origin, so a tracker's pixel on another domain goes unseen.
//! chromedriver passes Chrome DevTools Protocol commands through
//! (`POST /session/{id}/goog/cdp/execute`); `Storage.getCookies` (and the
//! older `Network.getAllCookies`) answer the whole cookie store. Only when
//! neither works does this fall back to WebDriver, and says so in
//! [`Jar::source`].

use fantoccini::Client;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{Value, json};

use crate::BrowserError;

/// A cookie as the browser stores it. The value is not kept: the audit
/// needs none, and it may be personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCookie {
    pub name: String,
    /// The domain it is sent to, as the browser stores it (`.example.com`
    /// for a domain cookie, `example.com` for a host-only one).
    pub domain: String,
    pub path: String,
    /// When it expires, in seconds since the Unix epoch; `None` for a
    /// session cookie.
    pub expires: Option<i64>,
    pub secure: bool,
    pub http_only: bool,
    /// `Strict`, `Lax` or `None`, when the cookie says.
    pub same_site: Option<String>,
}

/// Where the cookies were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The browser's whole cookie store, through the DevTools Protocol.
    AllCookies,
    /// WebDriver's cookies of the current document only: third-party
    /// cookies are missed.
    DocumentOnly,
}

/// The cookies read, and from where.
#[derive(Debug, Clone)]
pub struct Jar {
    pub cookies: Vec<StoredCookie>,
    pub source: Source,
}

/// A DevTools Protocol command through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        // Without a session the path is one chromedriver refuses, which
        // ends in the WebDriver fallback.
        let session = session_id.unwrap_or("none");
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": {} });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Every cookie the browser holds.
pub async fn all_cookies(client: &Client) -> Result<Jar, BrowserError> {
    for cmd in ["Storage.getCookies", "Network.getAllCookies"] {
        if let Ok(answer) = client.issue_cmd(Cdp { cmd }).await
            && let Some(list) = answer.get("cookies").and_then(Value::as_array)
        {
            return Ok(Jar {
                cookies: list.iter().filter_map(from_cdp).collect(),
                source: Source::AllCookies,
            });
        }
    }
    let cookies = client
        .get_all_cookies()
        .await?
        .iter()
        .map(|c| StoredCookie {
            name: c.name().to_owned(),
            domain: c.domain().unwrap_or_default().to_owned(),
            path: c.path().unwrap_or("/").to_owned(),
            expires: c.expires_datetime().map(|at| at.unix_timestamp()),
            secure: c.secure().unwrap_or(false),
            http_only: c.http_only().unwrap_or(false),
            same_site: c.same_site().map(|s| s.to_string()),
        })
        .collect();
    Ok(Jar {
        cookies,
        source: Source::DocumentOnly,
    })
}

/// One cookie of a DevTools `Network.Cookie` object.
fn from_cdp(value: &Value) -> Option<StoredCookie> {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    let flag = |key: &str| value.get(key).and_then(Value::as_bool).unwrap_or(false);
    let session = flag("session");
    let expires = value.get("expires").and_then(Value::as_f64);
    Some(StoredCookie {
        name: text("name")?,
        domain: text("domain").unwrap_or_default(),
        path: text("path").unwrap_or_else(|| "/".to_owned()),
        // Session cookies carry `expires: -1`.
        #[allow(clippy::cast_possible_truncation)]
        expires: match expires {
            Some(at) if !session && at > 0.0 => Some(at.floor() as i64),
            _ => None,
        },
        secure: flag("secure"),
        http_only: flag("httpOnly"),
        same_site: text("sameSite"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devtools_cookies_are_read_with_their_expiry() {
        let persistent = from_cdp(&json!({
            "name": "_ga", "value": "GA1.1", "domain": ".example.com", "path": "/",
            "expires": 1_800_000_000.25, "size": 9, "httpOnly": false, "secure": true,
            "session": false, "sameSite": "Lax"
        }))
        .unwrap();
        assert_eq!(persistent.expires, Some(1_800_000_000));
        assert_eq!(persistent.domain, ".example.com");
        assert!(persistent.secure);
        assert_eq!(persistent.same_site.as_deref(), Some("Lax"));
        let session = from_cdp(&json!({
            "name": "sid", "value": "x", "domain": "example.com", "path": "/",
            "expires": -1, "session": true, "httpOnly": true, "secure": false
        }))
        .unwrap();
        assert_eq!(session.expires, None);
        assert!(session.http_only);
        assert!(from_cdp(&json!({ "value": "nameless" })).is_none());
    }
}
