//! The portal in a real browser: Debian's chromium, headless, through
//! chromedriver (`steward-browser`). Each story checks every page it
//! visits with axe-core (no serious or critical WCAG 2.1 AA violation) and
//! saves screenshots to `target/screenshots/`; with
//! `STEWARD_UPDATE_SCREENSHOTS=1` also to `docs/screenshots/`, the ones
//! the README shows. A machine without chromium fails here and says how to
//! install it.

use std::path::PathBuf;

use serde_json::json;
use steward_browser::fantoccini::Locator;
use steward_browser::{Browser, Viewport};
use steward_test_support::repo_root;

use crate::helpers::{TestApp, spawn_app};

async fn browser(viewport: Viewport) -> Browser {
    match Browser::start_with(viewport).await {
        Ok(browser) => browser,
        Err(error) => panic!("the browser tests need chromium: {error}"),
    }
}

/// Saves a screenshot of what the browser shows, and checks the page with
/// axe-core.
async fn look(browser: &Browser, name: &str) {
    let violations = browser.serious_violations().await.unwrap();
    assert!(
        violations.is_empty(),
        "{name}: serious accessibility violations:\n{violations}"
    );
    let file = format!("{name}.png");
    browser
        .screenshot(&repo_root().join("target/screenshots").join(&file))
        .await
        .unwrap();
    if std::env::var_os("STEWARD_UPDATE_SCREENSHOTS").is_some() {
        let docs: PathBuf = repo_root().join("docs/screenshots").join(&file);
        browser.screenshot(&docs).await.unwrap();
    }
}

async fn click(browser: &Browser, css: &str) {
    browser
        .client()
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn fill(browser: &Browser, css: &str, text: &str) {
    browser
        .client()
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

async fn lang_of(browser: &Browser) -> String {
    browser
        .client()
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_subject_reads_the_notice_and_the_rights_in_swedish() {
    let app = spawn_app().await;
    let browser = browser(Viewport::Desktop).await;
    browser.goto(&app.url("/")).await.unwrap();
    assert_eq!(
        lang_of(&browser).await,
        "en",
        "headless chromium asks for English"
    );
    look(&browser, "home-en").await;
    click(&browser, "a.lang").await;
    assert_eq!(lang_of(&browser).await, "sv");
    look(&browser, "home-sv").await;
    click(&browser, "nav a[href='/notice']").await;
    let title = steward_domain::publish::notice::NoticeDocument::build(
        app.vault.policy(),
        steward_domain::common::lang::Lang::Sv,
    )
    .title;
    // The Swedish notice: the choice is remembered.
    browser.wait_for_text(&title).await.unwrap();
    assert_eq!(lang_of(&browser).await, "sv");
    look(&browser, "notice-sv").await;
    click(&browser, "nav a[href='/cookies']").await;
    look(&browser, "cookies-sv").await;
    click(&browser, "nav a[href='/rights']").await;
    look(&browser, "rights-sv").await;
    click(&browser, "a[href='/requests/new?kind=erasure']").await;
    look(&browser, "request-erasure-sv").await;
    click(&browser, "nav a[href='/follow']").await;
    look(&browser, "follow-sv").await;
    click(&browser, "nav a[href='/rights']").await;
    click(&browser, "a.lang").await;
    look(&browser, "rights-en").await;
    browser.goto(&app.url("/notice")).await.unwrap();
    look(&browser, "notice-en").await;
    browser.goto(&app.url("/cookies")).await.unwrap();
    look(&browser, "cookies-en").await;
    browser.close().await.unwrap();
}

/// Waits until the status page says the request is answered, reloading.
async fn until_answered(app: &TestApp, browser: &Browser, id: &str) {
    for _ in 0..200 {
        let text = browser.text().await.unwrap();
        if text.contains("answered in full") || text.contains("answered in part") {
            return;
        }
        app.do_manual_parts(id).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        browser.client().refresh().await.unwrap();
    }
    panic!("request {id} was not answered");
}

#[tokio::test]
async fn a_subject_asks_for_their_data_confirms_by_code_and_downloads_the_report() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let browser = browser(Viewport::Desktop).await;
    browser.goto(&app.url("/rights")).await.unwrap();
    click(&browser, "a[href='/requests/new?kind=access']").await;
    look(&browser, "request-access-en").await;
    fill(&browser, "#identity", "anna@example.se").await;
    click(&browser, "form button[type=submit]").await;
    browser.wait_for("#verify").await.unwrap();
    let url = browser.client().current_url().await.unwrap();
    let id = url.path().strip_prefix("/requests/").unwrap().to_owned();
    look(&browser, "status-verify-en").await;
    let text = browser.text().await.unwrap();
    assert!(
        text.contains("Follow code"),
        "the follow code is shown once"
    );

    fill(&browser, "#code_email", &app.code_for(&id, "email")).await;
    click(&browser, "form[action$='/verify'] button").await;
    until_answered(&app, &browser, &id).await;
    look(&browser, "status-answered-en").await;
    click(&browser, "a.lang").await;
    browser.wait_for_text("helt besvarad").await.unwrap();
    look(&browser, "status-answered-sv").await;
    click(&browser, "a.lang").await;

    // The answered letter's link, followed from another site (a webmail on
    // `localhost` is another site than `127.0.0.1`): the page opens as
    // it is, the follow cookie sent with the top-level navigation.
    let target = app.url(&format!("/requests/{id}"));
    let webmail = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let target = target.clone();
            async move {
                axum::response::Html(format!(
                    "<!DOCTYPE html><html lang=en><title>mail</title><a id=letter href=\"{target}\">your answer</a></html>"
                ))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, webmail).await });
    browser
        .goto(&format!("http://localhost:{port}/"))
        .await
        .unwrap();
    click(&browser, "#letter").await;
    browser.wait_for_text("answered in full").await.unwrap();

    // The download link, followed with the browser's own cookie (the
    // page's CSP lets no script fetch anything, rightly).
    let href = browser
        .client()
        .find(Locator::Css("a[href$='format=md']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let cookie = browser
        .client()
        .get_named_cookie("steward_follow")
        .await
        .unwrap();
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.secure(), Some(true));
    let download = app
        .client
        .get(app.url(&href))
        .header("cookie", format!("steward_follow={}", cookie.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(download.text().await.unwrap().contains("anna@example.se"));

    click(&browser, "a[href$='/answer']").await;
    // The report, read in the browser.
    browser.wait_for_text("anna@example.se").await.unwrap();
    let violations = browser.serious_violations().await.unwrap();
    assert!(violations.is_empty(), "the report:\n{violations}");
    browser
        .screenshot(&repo_root().join("target/screenshots/answer-en.png"))
        .await
        .unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_subject_signs_in_gives_and_withdraws_a_consent_and_downloads_the_receipt() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    let browser = browser(Viewport::Desktop).await;
    browser.goto(&app.url("/account?lang=sv")).await.unwrap();
    look(&browser, "sign-in-sv").await;
    fill(&browser, "#identity", "anna@example.se").await;
    click(&browser, "form button[type=submit]").await;
    browser.wait_for("#code").await.unwrap();
    let mut code = None;
    for _ in 0..100 {
        code = app
            .letters_for("", "email")
            .iter()
            .rev()
            .find(|l| l.contains("logga in") || l.contains("sign in"))
            .and_then(|l| {
                l.lines()
                    .map(str::trim)
                    .find(|x| x.len() == 8 && x.chars().all(|c| c.is_ascii_digit()))
                    .map(str::to_owned)
            });
        if code.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let code = code.expect("a sign-in code");
    fill(&browser, "#code", &code).await;
    click(&browser, "form button[type=submit]").await;
    browser
        .wait_for("#consent-support_call_recording")
        .await
        .unwrap();
    click(&browser, "#consent-support_call_recording form button").await;
    browser
        .wait_for_text("Du har gett ditt samtycke.")
        .await
        .unwrap();
    look(&browser, "account-given-sv").await;
    // Withdrawing is one click too, on the same place.
    click(&browser, "#consent-support_call_recording form button").await;
    browser
        .wait_for_text("Du har inte gett ditt samtycke.")
        .await
        .unwrap();
    click(&browser, "#consent-support_call_recording summary").await;
    look(&browser, "account-withdrawn-sv").await;
    click(&browser, "a.lang").await;
    look(&browser, "account-en").await;
    let ledger = app
        .vault
        .own_consents(&crate::helpers::sid(&anna))
        .await
        .unwrap();
    assert_eq!(ledger.len(), 1);
    assert!(ledger[0].withdrawn_at.is_some(), "recorded in the ledger");
    // The receipt's link, followed with the browser's own cookies.
    let href = browser
        .client()
        .find(Locator::Css("a[href$='/receipt']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let cookies = browser.client().get_all_cookies().await.unwrap();
    let header = cookies
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let receipt = app
        .client
        .get(app.url(&href))
        .header("cookie", header)
        .send()
        .await
        .unwrap();
    assert_eq!(receipt.status(), 200);
    let body: serde_json::Value = receipt.json().await.unwrap();
    assert!(body.to_string().contains(ledger[0].id.as_str()), "{body}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_subject_unsubscribes_from_a_mailings_link_on_a_phone() {
    let app = spawn_app().await;
    let anna = app.subject_of("service_user", "anna@example.se").await;
    let newsletter = app.token_for(&["service_news"]).await;
    let link: serde_json::Value = app
        .get(
            &format!("/v1/subjects/{anna}/unsubscribe-link"),
            &newsletter,
        )
        .await
        .json()
        .await
        .unwrap();
    let browser = browser(Viewport::Phone).await;
    browser
        .goto(&app.url(&format!("{}?lang=sv", link["page"].as_str().unwrap())))
        .await
        .unwrap();
    look(&browser, "unsubscribe-sv-phone").await;
    click(&browser, "a.lang").await;
    look(&browser, "unsubscribe-en-phone").await;
    click(&browser, "a.lang").await;
    click(&browser, "form button").await;
    browser
        .wait_for_text("skickar ingen mer direktmarknadsföring")
        .await
        .unwrap();
    look(&browser, "unsubscribed-sv-phone").await;
    browser.close().await.unwrap();
}
