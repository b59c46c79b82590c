//! The privacy portal over real HTTP, without a browser: every page in both
//! languages, its headers, CSRF on every form, the follow secret's cookie,
//! the unsubscribe page, Global Privacy Control. `portal_browser.rs`
//! walks the same pages in chromium.

use std::collections::BTreeMap;

use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::redirect::Policy as Redirects;
use serde_json::json;
use steward_server::{Access, PAGES};

use crate::helpers::{TestApp, policy_text, spawn_app, spawn_with};

/// A visitor: its own cookies, no redirects followed (the tests read them).
struct Visitor<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: BTreeMap<(String, String), String>,
    language: &'static str,
}

struct Page {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers["location"].to_str().unwrap()
    }
}

impl<'a> Visitor<'a> {
    fn new(app: &'a TestApp, language: &'static str) -> Self {
        Visitor {
            app,
            client: reqwest::Client::builder()
                .redirect(Redirects::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            language,
        }
    }

    /// The cookies a browser would send to `path` (by name and path prefix).
    fn cookie_header(&self, path: &str) -> String {
        let mut sent: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
        for ((name, scope), value) in &self.cookies {
            let applies = path == scope
                || path.starts_with(&format!("{}/", scope.trim_end_matches('/')))
                || scope == "/";
            // The most specific path wins, as in a browser.
            if applies
                && sent
                    .get(name.as_str())
                    .is_none_or(|(s, _)| s.len() < scope.len())
            {
                sent.insert(name, (scope, value));
            }
        }
        sent.iter()
            .map(|(name, (_, value))| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let path = attributes
                .split(';')
                .find_map(|a| a.trim().strip_prefix("Path="))
                .unwrap_or("/");
            self.cookies
                .insert((name.to_owned(), path.to_owned()), value.to_owned());
        }
    }

    async fn send(&mut self, builder: reqwest::RequestBuilder, path: &str) -> Page {
        let response = builder
            .header("accept", "text/html")
            .header("accept-language", self.language)
            .header(
                "cookie",
                self.cookie_header(path.split('?').next().unwrap()),
            )
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.keep(&headers);
        Page {
            status,
            headers,
            body: response.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let builder = self.client.get(self.app.url(path));
        self.send(builder, path).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let builder = self.client.post(self.app.url(path)).form(form);
        self.send(builder, path).await
    }

    fn csrf(&self) -> String {
        self.cookies[&("steward_csrf".to_owned(), "/".to_owned())].clone()
    }
}

fn assert_page(page: &Page, path: &str) {
    assert!(
        !page.body.contains("⟦missing text⟧"),
        "{path} lacks a text:\n{}",
        page.body
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    assert_eq!(page.headers["x-content-type-options"], "nosniff", "{path}");
    assert_eq!(page.headers["referrer-policy"], "no-referrer", "{path}");
    // Nothing is loaded from elsewhere: no script at all, no remote file.
    assert!(!page.body.contains("<script"), "{path} has a script");
    for attribute in [
        "src=\"http",
        "href=\"//",
        "@import",
        "<link rel=\"stylesheet\" href=\"http",
    ] {
        assert!(
            !page.body.contains(attribute),
            "{path} loads from elsewhere: {attribute}"
        );
    }
}

#[tokio::test]
async fn every_page_renders_in_both_languages_with_its_headers() {
    for policy in ["connectel", "calectro", "elveta", "qlocx", "cadcraft"] {
        let app = spawn_with(crate::helpers::policy_from(&policy_text(policy)), |_| {}).await;
        for (language, lang) in [("sv-SE,sv;q=0.9,en;q=0.5", "sv"), ("en-GB", "en")] {
            let mut visitor = Visitor::new(&app, language);
            let mut paths = vec![
                "/".to_owned(),
                "/notice".into(),
                "/cookies".into(),
                "/rights".into(),
                "/requests/new".into(),
                "/follow".into(),
                "/account".into(),
                "/no/such/page".into(),
            ];
            for kind in [
                "access",
                "portability",
                "rectification",
                "erasure",
                "restriction",
                "objection",
                "consent_withdrawal",
                "unsubscribe",
            ] {
                paths.push(format!("/requests/new?kind={kind}"));
            }
            for path in &paths {
                let page = visitor.get(path).await;
                let expected = if path.starts_with("/no/") { 404 } else { 200 };
                assert_eq!(page.status, expected, "{policy} {path}: {}", page.body);
                assert!(
                    page.body.contains(&format!("<html lang=\"{lang}\">")),
                    "{policy} {path} in {lang}"
                );
                assert_page(&page, path);
            }
        }
    }
}

#[tokio::test]
async fn the_notice_page_is_the_rendered_notice_and_the_switch_remembers_the_language() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app, "en");
    let page = visitor.get("/notice?lang=sv").await;
    let document = steward_domain::publish::notice::NoticeDocument::build(
        app.vault.policy(),
        steward_domain::common::lang::Lang::Sv,
    );
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&#34;")
            .replace('\'', "&#39;")
    };
    assert!(page.body.contains(&escape(&document.title)));
    for section in &document.sections {
        assert!(
            page.body.contains(&format!(
                "<h2 id=\"h-{}\">{}</h2>",
                section.id,
                escape(&section.heading)
            )),
            "section {}",
            section.id
        );
    }
    // The switch keeps the rest of the address: a form stays the same form.
    let form = visitor.get("/requests/new?kind=erasure&lang=en").await;
    assert!(
        form.body
            .contains("href=\"/requests/new?kind=erasure&#38;lang=sv\""),
        "{}",
        form.body
    );
    visitor.get("/rights?lang=sv").await;
    let remembered = visitor.get("/rights").await;
    assert!(
        remembered.body.contains("<html lang=\"sv\">"),
        "the choice outlasts the page"
    );
    assert!(
        remembered.body.contains("href=\"/rights?lang=en\""),
        "the switch leads back"
    );
}

#[tokio::test]
async fn a_crafted_path_does_not_make_the_language_switch_a_link_elsewhere() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app, "en");
    for path in ["//evil.example", "/\\evil.example"] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(
            page.body.contains("href=\"/?lang=sv\""),
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("evil.example?lang"), "{path}");
    }
}

#[tokio::test]
async fn a_form_without_this_browsers_code_is_refused_as_a_page() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app, "en");
    visitor.get("/requests/new?kind=access").await;
    let form = |csrf: &'static str| {
        [
            ("csrf", csrf),
            ("kind", "access"),
            ("identity", "anna@example.se"),
        ]
    };
    for (forged, why) in [
        ("", "no code"),
        ("00", "a short code"),
        ("ab", "another code"),
    ] {
        let page = visitor.post("/requests", &form(forged)).await;
        assert_eq!(page.status, 403, "{why}");
        assert!(
            page.body.contains("This form has expired"),
            "{why}: {}",
            page.body
        );
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    // Another browser's cookie with this field: refused too.
    let mut stranger = Visitor::new(&app, "en");
    stranger.get("/").await;
    let code = visitor.csrf();
    let page = stranger
        .post(
            "/requests",
            &[
                ("csrf", code.as_str()),
                ("kind", "access"),
                ("identity", "a@example.se"),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    assert!(app.letters_for("", "email").is_empty(), "no code was sent");
}

#[tokio::test]
async fn an_access_request_is_made_confirmed_followed_and_answered_in_the_browser() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;

    let mut visitor = Visitor::new(&app, "sv");
    visitor.get("/requests/new?kind=access").await;
    let csrf = visitor.csrf();
    let made = visitor
        .post(
            "/requests",
            &[
                ("csrf", &csrf),
                ("kind", "access"),
                ("identity", "Anna@Example.se"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let location = made.location().to_owned();
    let id = location
        .strip_prefix("/requests/")
        .and_then(|rest| rest.strip_suffix("?new=1"))
        .unwrap()
        .to_owned();
    let follow = made.headers["set-cookie"].to_str().unwrap();
    for part in [
        "steward_follow=",
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
        &format!("Path=/requests/{id}"),
    ] {
        assert!(follow.contains(part), "{follow} lacks {part}");
    }
    let status = visitor.get(&location).await;
    assert_eq!(status.status, 200);
    assert_page(&status, &location);
    assert!(
        status
            .body
            .contains("väntar på att du bekräftar att det är du")
    );
    assert!(
        status.body.contains("Uppföljningskod"),
        "the follow code is shown once"
    );
    // One month, moved past a weekend or holiday where the controller is.
    let due = steward_domain::common::lang::date_in_words(
        app.officer_view(&id).await["due"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
        steward_domain::common::lang::Lang::Sv,
    );
    assert!(
        status.body.contains(&due),
        "the deadline, {due}, in words: {}",
        status.body
    );

    let wrong = visitor
        .post(
            &format!("/requests/{id}/verify"),
            &[("csrf", &csrf), ("code_email", "000000")],
        )
        .await;
    assert_eq!(wrong.status, 422, "a wrong code is said on the page");
    let code = app.code_for(&id, "email");
    let verified = visitor
        .post(
            &format!("/requests/{id}/verify"),
            &[("csrf", &csrf), ("code_email", &code)],
        )
        .await;
    assert_eq!(verified.status, 303, "{}", verified.body);
    let mut page = visitor.get(&format!("/requests/{id}")).await;
    for _ in 0..300 {
        if page.body.contains("helt besvarad") || page.body.contains("delvis besvarad") {
            break;
        }
        app.do_manual_parts(&id).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = visitor.get(&format!("/requests/{id}")).await;
    }
    assert!(page.body.contains("besvarad"), "{}", page.body);
    assert!(
        page.body
            .contains("Våra egna register</span>: <span class=\"part-state\">klart"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Uppföljningskod</dt>"),
        "shown only once"
    );
    let report = visitor.get(&format!("/requests/{id}/answer")).await;
    assert_eq!(report.status, 200);
    assert!(
        report.body.contains("anna@example.se"),
        "the report holds her data"
    );
    let csp = report.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script"),
        "{csp}"
    );
    let download = visitor
        .get(&format!("/requests/{id}/answer?format=md"))
        .await;
    assert_eq!(download.status, 200);
    assert!(
        download.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"request-")
    );

    // Someone else, without the cookie, gets the follow form; with a wrong
    // secret, nothing.
    let mut stranger = Visitor::new(&app, "en");
    let page = stranger.get(&format!("/requests/{id}")).await;
    assert!(page.body.contains("Follow code") && !page.body.contains("anna@"));
    let answer = stranger.get(&format!("/requests/{id}/answer")).await;
    assert_eq!(answer.status, 404);
    assert!(!answer.body.contains("anna@"));
    let csrf = stranger.csrf();
    let guess = stranger
        .post(
            "/follow",
            &[("csrf", &csrf), ("id", &id), ("secret", "guess")],
        )
        .await;
    assert_eq!(guess.status, 422);
    assert!(guess.body.contains("do not match a request"));
}

#[tokio::test]
async fn a_follow_code_opens_its_request_in_another_browser_and_only_its_own() {
    let app = spawn_app().await;
    let (first, secret) = app
        .submit(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "a@example.se" }] }))
        .await;
    let (second, _) = app
        .submit(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "b@example.se" }] }))
        .await;
    let mut visitor = Visitor::new(&app, "en");
    visitor.get("/follow").await;
    let csrf = visitor.csrf();
    let opened = visitor
        .post(
            "/follow",
            &[("csrf", &csrf), ("id", &first), ("secret", &secret)],
        )
        .await;
    assert_eq!(opened.status, 303);
    let page = visitor.get(&format!("/requests/{first}")).await;
    assert!(page.body.contains("See your data"), "{}", page.body);
    // The first request's secret does not open the second, even sent by hand.
    let forged = visitor
        .client
        .get(app.url(&format!("/requests/{second}")))
        .header("cookie", format!("steward_follow={secret}"))
        .send()
        .await
        .unwrap();
    let body = forged.text().await.unwrap();
    assert!(body.contains("do not match a request"), "{body}");
}

#[tokio::test]
async fn guessing_follow_codes_is_limited_per_address() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app, "en");
    visitor.get("/follow").await;
    let csrf = visitor.csrf();
    let mut limited = None;
    for attempt in 0..200 {
        let page = visitor
            .post(
                "/follow",
                &[
                    ("csrf", &csrf),
                    ("id", "x"),
                    ("secret", &format!("{attempt}")),
                ],
            )
            .await;
        if page.status == 429 {
            limited = Some(page);
            break;
        }
    }
    let page = limited.expect("a limit is reached");
    assert!(page.body.contains("Too many tries"), "{}", page.body);
    assert!(page.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn the_unsubscribe_link_asks_first_then_acts_once_also_by_one_click_post() {
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
    let path = link["page"]
        .as_str()
        .unwrap_or_else(|| panic!("{link}"))
        .to_owned();
    assert!(
        path.starts_with("/unsubscribe/"),
        "mailings link to the portal: {path}"
    );
    let mut visitor = Visitor::new(&app, "en");
    let asked = visitor.get(&path).await;
    assert_eq!(asked.status, 200);
    assert_page(&asked, &path);
    assert!(asked.body.contains("Stop all direct marketing"));
    let queue: serde_json::Value = app
        .get("/v1/requests", &app.officer)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !queue.to_string().contains("unsubscribe"),
        "opening the page did nothing (a mail scanner follows links)"
    );
    // RFC 8058: the mail client's POST carries no cookie and no CSRF code.
    let one_click = reqwest::Client::new()
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200);
    let again = visitor
        .post(&path, &[("List-Unsubscribe", "One-Click")])
        .await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains("sends you no more direct marketing"));
    let forged = visitor.get("/unsubscribe/not-a-link.forged").await;
    assert_eq!(forged.status, 404);
    assert!(
        forged.body.contains("There is no such page"),
        "{}",
        forged.body
    );
    assert!(!forged.body.contains("Stop marketing"));
}

#[tokio::test]
async fn global_privacy_control_is_declared_and_acknowledged() {
    let app = spawn_app().await;
    let declared: serde_json::Value = reqwest::get(app.url("/.well-known/gpc.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(declared["gpc"], true);
    let page = reqwest::Client::new()
        .get(app.url("/"))
        .header("sec-gpc", "1")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Global Privacy Control signal"));
    let without = reqwest::get(app.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!without.contains("Global Privacy Control signal"));
}

/// Every page in the table is served (none is left to the 500 "not in the
/// route table"), tokens change nothing, and the API's routes do not
/// answer as pages.
#[tokio::test]
async fn every_page_in_the_table_is_served_to_anyone_and_a_token_changes_nothing() {
    let app = spawn_app().await;
    assert!(PAGES.iter().all(|(_, _, access)| *access == Access::Page));
    for (method, template, _) in PAGES {
        let path = template
            .replace("{id}", "nope")
            .replace("{token}", "nope")
            .replace("{purpose}", "nope");
        for token in [None, Some(app.admin.as_str()), Some("stw_forged")] {
            let mut builder = match *method {
                "GET" => app.client.get(app.url(&path)),
                _ => app.client.post(app.url(&path)).form(&[("csrf", "x")]),
            };
            if let Some(token) = token {
                builder = builder.bearer_auth(token);
            }
            let response = builder.send().await.unwrap();
            let status = response.status().as_u16();
            assert!(
                [200, 303, 403, 404].contains(&status),
                "{method} {path} with {token:?}: {status}"
            );
            if *method == "POST" && path != "/unsubscribe/nope" {
                assert_eq!(status, 403, "{method} {path} needs the form's code");
            }
        }
    }
}

#[tokio::test]
async fn the_answered_letter_links_to_the_requests_page_in_the_portal() {
    let app = spawn_app().await;
    app.customer("anna@example.se").await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let letter = app
        .letters_for(&id, "email")
        .into_iter()
        .find(|l| l.contains("is answered"))
        .expect("the answered letter");
    let link = format!("{}/requests/{id}", app.address);
    assert!(
        letter.contains(&format!("Read it here: {link}")),
        "{letter}"
    );
    // The link opens the follow form, which the follow code then opens.
    let mut visitor = Visitor::new(&app, "en");
    let page = visitor.get(&format!("/requests/{id}")).await;
    assert!(
        page.body.contains(&format!("value=\"{id}\"")),
        "the number is filled in"
    );
}

/// The newest sign-in code in the outbox, once it is there (the letter is
/// written beside the answer, not before it).
async fn sign_in_code(app: &TestApp) -> Option<String> {
    for _ in 0..100 {
        let code = app
            .letters_for("", "email")
            .iter()
            .rev()
            .find(|l| l.contains("asked to sign in"))
            .and_then(|text| {
                text.lines()
                    .map(str::trim)
                    .find(|l| l.len() == 8 && l.chars().all(|c| c.is_ascii_digit()))
                    .map(str::to_owned)
            });
        if code.is_some() {
            return code;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    None
}

async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Visitor<'a> {
    let mut visitor = Visitor::new(app, "en");
    visitor.get("/account").await;
    let csrf = visitor.csrf();
    let sent = visitor
        .post("/account/code", &[("csrf", &csrf), ("identity", email)])
        .await;
    assert_eq!(sent.status, 200);
    let code = sign_in_code(app).await.expect("a sign-in code");
    let signed = visitor
        .post(
            "/account/sign-in",
            &[("csrf", &csrf), ("identity", email), ("code", &code)],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let cookie = signed.headers["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "steward_session=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/account",
        "Max-Age=1800",
    ] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    visitor
}

#[tokio::test]
async fn a_subject_signs_in_with_a_code_and_gives_and_withdraws_a_consent_in_one_click() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    let mut visitor = signed_in(&app, "anna@example.se").await;
    let page = visitor.get("/account").await;
    assert_eq!(page.status, 200);
    assert_page(&page, "/account");
    assert!(
        page.body.contains("id=\"consent-support_call_recording\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("You have not given your consent."));
    let csrf = visitor.csrf();
    let given = visitor
        .post(
            "/account/consents/support_call_recording/give",
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(given.status, 303, "{}", given.body);
    let ledger = app
        .vault
        .own_consents(&crate::helpers::sid(&anna))
        .await
        .unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].method, "privacy_portal");
    assert!(ledger[0].withdrawn_at.is_none());
    let page = visitor.get("/account").await;
    assert!(page.body.contains("You have given your consent."));
    let withdrawn = visitor
        .post(
            "/account/consents/support_call_recording/withdraw",
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(withdrawn.status, 303);
    let again = visitor
        .post(
            "/account/consents/support_call_recording/withdraw",
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(again.status, 303, "a second click changes nothing");
    let ledger = app
        .vault
        .own_consents(&crate::helpers::sid(&anna))
        .await
        .unwrap();
    assert_eq!(
        ledger[0].withdrawal_method.as_deref(),
        Some("privacy_portal")
    );
    let page = visitor.get("/account").await;
    assert!(page.body.contains("withdrawn"), "the history shows it");
    let receipt = format!("/account/consents/{}/receipt", ledger[0].id);
    assert!(page.body.contains(&receipt));
    let download = visitor.get(&receipt).await;
    assert_eq!(download.status, 200);
    assert!(
        download.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let json: serde_json::Value = serde_json::from_str(&download.body).unwrap();
    assert!(
        json.to_string().contains("support_call_recording"),
        "{json}"
    );

    // A consent without the form's code, or without a session, is refused.
    let forged = visitor
        .post(
            "/account/consents/support_call_recording/give",
            &[("csrf", "x")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let mut stranger = Visitor::new(&app, "en");
    stranger.get("/account").await;
    let theirs = stranger.csrf();
    let anonymous = stranger
        .post(
            "/account/consents/support_call_recording/give",
            &[("csrf", &theirs)],
        )
        .await;
    assert_eq!(anonymous.status, 403);
    assert_eq!(
        stranger.get(&receipt).await.status,
        403,
        "a receipt needs the session"
    );
    assert_eq!(
        app.vault
            .own_consents(&crate::helpers::sid(&anna))
            .await
            .unwrap()
            .len(),
        1,
        "nothing was recorded by them"
    );
}

#[tokio::test]
async fn a_session_is_only_for_its_browser_its_subject_and_ends_at_sign_out() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    let bo = app.customer("bo@example.se").await;
    let mut visitor = signed_in(&app, "anna@example.se").await;
    let session = visitor.cookies[&("steward_session".to_owned(), "/account".to_owned())].clone();
    // The session cookie in another browser (another CSRF cookie) is nothing.
    let mut thief = Visitor::new(&app, "en");
    thief.get("/").await;
    thief.cookies.insert(
        ("steward_session".into(), "/account".into()),
        session.clone(),
    );
    let page = thief.get("/account").await;
    assert!(page.body.contains("Send me a code"), "{}", page.body);
    // Nor is a session rewritten for another subject.
    let forged = session.replacen(&anna, &bo, 1);
    assert_ne!(forged, session);
    visitor
        .cookies
        .insert(("steward_session".into(), "/account".into()), forged);
    assert!(
        visitor
            .get("/account")
            .await
            .body
            .contains("Send me a code")
    );
    visitor.cookies.insert(
        ("steward_session".into(), "/account".into()),
        session.clone(),
    );
    assert!(visitor.get("/account").await.body.contains("Sign out"));
    // Bo's receipt is not found from Anna's session.
    app.post(
        &format!("/v1/subjects/{bo}/consents"),
        &app.service,
        json!({ "purpose": "support_call_recording", "method": "phone_menu" }),
    )
    .await;
    let bos = app
        .vault
        .own_consents(&crate::helpers::sid(&bo))
        .await
        .unwrap();
    let page = visitor
        .get(&format!("/account/consents/{}/receipt", bos[0].id))
        .await;
    assert_eq!(page.status, 404);
    // Signing out: the copy kept of the session cookie no longer works.
    let csrf = visitor.csrf();
    let out = visitor.post("/account/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    visitor
        .cookies
        .insert(("steward_session".into(), "/account".into()), session);
    assert!(
        visitor
            .get("/account")
            .await
            .body
            .contains("Send me a code")
    );
}

#[tokio::test]
async fn signing_in_tells_nobody_who_is_a_customer_and_codes_work_only_where_asked() {
    let app = spawn_app().await;
    app.customer("anna@example.se").await;
    let mut visitor = Visitor::new(&app, "en");
    visitor.get("/account").await;
    let csrf = visitor.csrf();
    let unknown = visitor
        .post(
            "/account/code",
            &[("csrf", &csrf), ("identity", "nobody@example.se")],
        )
        .await;
    let known = visitor
        .post(
            "/account/code",
            &[("csrf", &csrf), ("identity", "anna@example.se")],
        )
        .await;
    assert_eq!(unknown.status, known.status);
    assert!(unknown.body.contains("If we hold this address"));
    assert_eq!(
        unknown.body.replace("nobody@example.se", "X"),
        known.body.replace("anna@example.se", "X"),
        "the same page either way"
    );
    let code = sign_in_code(&app).await.unwrap();
    let letters = app.letters_for("", "email");
    assert_eq!(letters.len(), 1, "one code, to Anna only");
    // Anna's code in another browser: refused.
    let mut other = Visitor::new(&app, "en");
    other.get("/account").await;
    let theirs = other.csrf();
    let page = other
        .post(
            "/account/sign-in",
            &[
                ("csrf", &theirs),
                ("identity", "anna@example.se"),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("That code is not right"));
    // Guessing is limited per identity.
    let mut limited = false;
    for guess in 0..50 {
        let page = other
            .post(
                "/account/sign-in",
                &[
                    ("csrf", &theirs),
                    ("identity", "anna@example.se"),
                    ("code", &format!("{guess:06}")),
                ],
            )
            .await;
        if page.status == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "tries at sign-in codes are limited");
}

#[tokio::test]
async fn a_portability_answer_downloads_as_a_zip_from_its_link() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "portability", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    app.answered(&id, &secret).await;
    let mut visitor = Visitor::new(&app, "en");
    visitor.get("/follow").await;
    let csrf = visitor.csrf();
    visitor
        .post(
            "/follow",
            &[("csrf", &csrf), ("id", &id), ("secret", &secret)],
        )
        .await;
    let page = visitor.get(&format!("/requests/{id}")).await;
    let link = format!("/requests/{id}/answer?format=zip");
    assert!(page.body.contains(&link), "{}", page.body);
    assert!(
        !page.body.contains("format=md"),
        "no readable report for portability"
    );
    let response = visitor
        .client
        .get(app.url(&link))
        .header(
            "cookie",
            visitor.cookie_header(&format!("/requests/{id}/answer")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".zip\"")
    );
    let bytes = response.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["data.csv", "data.json"]);
}

#[tokio::test]
async fn a_signed_in_subjects_gpc_signal_is_recorded_once_as_an_objection_to_direct_marketing() {
    let app = spawn_app().await;
    let anna = app.subject_of("service_user", "anna@example.se").await;
    let visitor = signed_in(&app, "anna@example.se").await;
    let open = |gpc: bool| {
        let mut builder = visitor
            .client
            .get(app.url("/account"))
            .header("cookie", visitor.cookie_header("/account"));
        if gpc {
            builder = builder.header("sec-gpc", "1");
        }
        async move { builder.send().await.unwrap().text().await.unwrap() }
    };
    let without = open(false).await;
    assert!(!without.contains("is now recorded as your objection"));
    let first = open(true).await;
    assert!(
        first.contains("is now recorded as your objection to direct marketing"),
        "{first}"
    );
    let second = open(true).await;
    assert!(!second.contains("is now recorded"), "once");
    let entries: serde_json::Value = app
        .get("/v1/audit/verify", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(entries["intact"], true, "{entries}");
    let stored = app
        .vault
        .store()
        .subject(&crate::helpers::sid(&anna))
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.objects_to_marketing,
        "the vault refuses marketing reads from now on"
    );
}

/// The review found that a code could be tried without one ever being
/// sent, and under a policy that offers no sign-in at all.
#[tokio::test]
async fn no_code_can_be_tried_that_was_not_sent_nor_where_sign_in_is_not_offered() {
    let app = spawn_app().await;
    app.customer("anna@example.se").await;
    let mut visitor = Visitor::new(&app, "en");
    visitor.get("/account").await;
    let csrf = visitor.csrf();
    // No code asked for: no ticket, so every guess is wrong, the right
    // digest included.
    let page = visitor
        .post(
            "/account/sign-in",
            &[
                ("csrf", &csrf),
                ("identity", "anna@example.se"),
                ("code", "12345678"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    // A forged ticket is not one Steward made.
    visitor.cookies.insert(
        ("steward_sign_in".into(), "/account".into()),
        format!("{}.{}", "a".repeat(64), "b".repeat(32)),
    );
    let page = visitor
        .post(
            "/account/sign-in",
            &[
                ("csrf", &csrf),
                ("identity", "anna@example.se"),
                ("code", "12345678"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);

    // Cadcraft checks identities by hand: no sign-in, by any door.
    let cadcraft = spawn_with(
        crate::helpers::policy_from(&policy_text("cadcraft")),
        |_| {},
    )
    .await;
    let mut visitor = Visitor::new(&cadcraft, "en");
    let page = visitor.get("/account").await;
    assert!(
        page.body.contains("we check who you are another way"),
        "{}",
        page.body
    );
    let csrf = visitor.csrf();
    for (path, form) in [
        (
            "/account/code",
            vec![("csrf", csrf.as_str()), ("identity", "a@example.se")],
        ),
        (
            "/account/sign-in",
            vec![
                ("csrf", csrf.as_str()),
                ("identity", "a@example.se"),
                ("code", "12345678"),
            ],
        ),
    ] {
        assert_eq!(visitor.post(path, &form).await.status, 403, "{path}");
    }
}

#[tokio::test]
async fn signing_in_never_spends_the_limits_of_rights_requests() {
    let app = spawn_app().await;
    app.customer("anna@example.se").await;
    let mut visitor = Visitor::new(&app, "en");
    visitor.get("/account").await;
    let csrf = visitor.csrf();
    let mut limited = false;
    for _ in 0..30 {
        let page = visitor
            .post(
                "/account/code",
                &[("csrf", &csrf), ("identity", "anna@example.se")],
            )
            .await;
        if page.status == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "codes to sign in are limited");
    // Her request still gets its code.
    let (id, _) = app
        .submit(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    assert_eq!(app.codes_for(&id, "email").len(), 1);
}
