//! The browser as Steward's tests and cookie audit use it: Debian's
//! chromium through chromedriver, pages served on loopback by axum. No
//! mocks: a machine without chromium fails here, saying how to install it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use steward_browser::cookies::{Source, all_cookies};
use steward_browser::{Browser, INSTALL_HINT, Viewport};

/// What every page of these tests is sent with: no script of the page's
/// own may run, not even inline, so axe-core must come in through WebDriver.
const STRICT_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'";

/// Serves `router` on a free loopback port; returns its port.
async fn serve(router: Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    port
}

fn strict(body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_SECURITY_POLICY, STRICT_CSP)], Html(body))
}

async fn browser(viewport: Viewport) -> Browser {
    match Browser::start_with(viewport).await {
        Ok(browser) => browser,
        Err(error) => panic!("these tests need chromium: {error}"),
    }
}

/// An image without a text alternative and an input without a label, both
/// WCAG 2.1 A failures axe-core calls critical; and an inline script the
/// policy must block.
const INACCESSIBLE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Broken</title>
<script>document.title = "the script ran";</script></head>
<body><main><h1>Sign up</h1>
<img src="/logo.png">
<form><input type="text" name="email"></form>
</main></body></html>"#;

const ACCESSIBLE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Fine</title></head>
<body><main><h1>Sign up</h1>
<img src="/logo.png" alt="Steward">
<form><label for="email">E-mail address</label>
<input type="email" id="email" name="email"></form>
<p id="status">Ready.</p>
</main></body></html>"#;

#[tokio::test]
async fn a_missing_driver_names_the_path_and_how_to_install_it() {
    let missing = std::env::temp_dir().join("steward-no-such-chromedriver");
    let error = Browser::start_at(&missing, Path::new("/usr/bin/chromium"), Viewport::Desktop)
        .await
        .err()
        .expect("no browser without a driver");
    let text = error.to_string();
    assert!(text.contains(INSTALL_HINT), "{text}");
    assert_eq!(INSTALL_HINT, "apt-get install -y chromium chromium-driver");
    assert!(text.contains("steward-no-such-chromedriver"), "{text}");
    assert!(text.contains("STEWARD_CHROMEDRIVER"), "{text}");
}

#[tokio::test]
async fn a_missing_chromium_names_its_variable() {
    let missing = std::env::temp_dir().join("steward-no-such-chromium");
    let error = Browser::start_at(
        Path::new("/usr/bin/chromedriver"),
        &missing,
        Viewport::Desktop,
    )
    .await
    .err()
    .expect("no browser without chromium");
    let text = error.to_string();
    assert!(text.contains("STEWARD_CHROMIUM"), "{text}");
    assert!(text.contains(INSTALL_HINT), "{text}");
}

#[tokio::test]
async fn axe_finds_serious_violations_under_a_strict_content_security_policy() {
    let port = serve(Router::new().route("/", get(|| async { strict(INACCESSIBLE) }))).await;
    let browser = browser(Viewport::Desktop).await;
    browser
        .goto(&format!("http://127.0.0.1:{port}/"))
        .await
        .unwrap();
    // The policy is in force: the page's own script did not run.
    assert_eq!(browser.client().title().await.unwrap(), "Broken");

    let violations = browser.accessibility().await.unwrap();
    let ids: Vec<&str> = violations.iter().map(|v| v.id.as_str()).collect();
    assert!(ids.contains(&"image-alt"), "{violations:?}");
    assert!(ids.contains(&"label"), "{violations:?}");
    let image = violations.iter().find(|v| v.id == "image-alt").unwrap();
    assert_eq!(image.targets, ["img"]);
    assert!(image.is_serious(), "{image}");
    assert!(!image.help.is_empty());

    let serious = browser.serious_violations().await.unwrap();
    assert!(serious.contains("image-alt (critical)"), "{serious}");
    assert!(serious.contains("label (critical)"), "{serious}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn axe_finds_nothing_on_an_accessible_page() {
    let port = serve(Router::new().route("/", get(|| async { strict(ACCESSIBLE) }))).await;
    let browser = browser(Viewport::Desktop).await;
    browser
        .goto(&format!("http://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let violations = browser.accessibility().await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(browser.serious_violations().await.unwrap(), "");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_phone_sized_window_shows_the_page_and_saves_a_screenshot() {
    let port = serve(Router::new().route("/", get(|| async { strict(ACCESSIBLE) }))).await;
    let browser = browser(Viewport::Phone).await;
    browser
        .goto(&format!("http://127.0.0.1:{port}/"))
        .await
        .unwrap();
    let width = browser
        .client()
        .execute("return window.innerWidth", Vec::new())
        .await
        .unwrap();
    assert_eq!(width, 390);
    browser.wait_for("#status").await.unwrap();
    assert!(browser.text().await.unwrap().contains("Ready."));
    assert!(browser.wait_for_text("Sign up").await.is_ok());

    let dir = std::env::temp_dir().join(format!("steward-browser-shot-{port}"));
    let file = dir.join("nested/page.png");
    browser.screenshot(&file).await.unwrap();
    let png = std::fs::read(&file).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // The width in the PNG's header: the phone's, not a desktop window's.
    assert_eq!(png[16..20], 390u32.to_be_bytes());
    std::fs::remove_dir_all(&dir).unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn every_cookie_is_read_third_party_ones_included() {
    // The page on 127.0.0.1 loads an image from localhost: another site,
    // whose cookie WebDriver's own cookie list would not show.
    let router = Router::new()
        .route(
            "/",
            get(|| async {
                (
                    [(header::SET_COOKIE, "sid=1; Path=/; HttpOnly")],
                    Html(r#"<!doctype html><title>Shop</title><img id="pixel" alt="">"#),
                )
            }),
        )
        .route(
            "/pixel.gif",
            get(|| async {
                (
                    [(
                        header::SET_COOKIE,
                        "ads_id=2; Path=/; Max-Age=86400; SameSite=None; Secure",
                    )],
                    "GIF89a",
                )
            }),
        );
    let port = serve(router).await;
    let browser = browser(Viewport::Desktop).await;
    browser
        .goto(&format!("http://127.0.0.1:{port}/"))
        .await
        .unwrap();
    // The image is set from here, not from the page: no script runs there.
    browser
        .client()
        .execute(
            "const img = document.getElementById('pixel'); \
             return new Promise(done => { img.onload = img.onerror = done; img.src = arguments[0]; })",
            vec![format!("http://localhost:{port}/pixel.gif").into()],
        )
        .await
        .unwrap();

    let jar = all_cookies(browser.client()).await.unwrap();
    assert_eq!(jar.source, Source::AllCookies);
    let sid = jar.cookies.iter().find(|c| c.name == "sid").unwrap();
    assert_eq!(sid.domain, "127.0.0.1");
    assert_eq!(sid.expires, None);
    assert!(sid.http_only);
    let ads = jar.cookies.iter().find(|c| c.name == "ads_id");
    let ads = ads.unwrap_or_else(|| panic!("no third-party cookie in {:?}", jar.cookies));
    assert_eq!(ads.domain, "localhost");
    assert!(ads.expires.is_some() && ads.secure);
    // WebDriver alone sees only the document's own.
    let own = browser.client().get_all_cookies().await.unwrap();
    assert!(own.iter().all(|c| c.name() != "ads_id"), "{own:?}");
    browser.close().await.unwrap();
}

/// The processes whose command line names `needle`.
fn processes_naming(needle: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| std::fs::read(entry.ok()?.path().join("cmdline")).ok())
        .map(|line| String::from_utf8_lossy(&line).replace('\0', " "))
        .filter(|line| line.contains(needle))
        .collect()
}

#[tokio::test]
async fn a_browser_dropped_unclosed_leaves_no_chromium_or_profile_behind() {
    let browser = browser(Viewport::Desktop).await;
    browser.goto("about:blank").await.unwrap();
    let profile = browser.profile().to_owned();
    let flag = format!("--user-data-dir={}", profile.display());
    assert!(!processes_naming(&flag).is_empty(), "chromium runs");
    // As when a test fails with its browser open.
    drop(browser);
    let mut left = processes_naming(&flag);
    for _ in 0..50 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        left = processes_naming(&flag);
    }
    assert!(left.is_empty(), "still running: {left:#?}");
    assert!(!profile.exists(), "{}", profile.display());
}
