//! `steward cookies scan` against sites served here on loopback, in real
//! headless chromium: one that breaks every rule the audit checks, one that
//! keeps them, and scans that cannot be made. The policy is
//! `tests/fixtures/cookie-site.toml`: `sid` necessary for 1 hour,
//! `consent` necessary for 1 year, `stats` statistics for 1 year, `ads_*`
//! marketing for 30 days.
//!
//! Each page carries Steward's banner controls (`data-steward-consent`); the
//! advertising pixel is served from `localhost` while the page is on
//! `127.0.0.1`, another site, so its cookie is a third-party one.

use std::process::Output;

use axum::Router;
use axum::http::HeaderMap;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use serde_json::Value;

use super::{stderr, stdout, steward};

const POLICY: &str = "crates/steward-cli/tests/fixtures/cookie-site.toml";
const DAY: u32 = 86_400;

#[derive(Clone, Copy, PartialEq)]
enum Site {
    /// Sets `sid` for 30 days (1 hour declared), an undeclared `tracker`,
    /// loads the advertising pixel whatever the visitor chose, and sets
    /// `stats` even on refusal.
    Careless,
    /// Sets only `sid` (1 hour) until asked; the pixel and `stats` only
    /// after accepting.
    Careful,
}

fn page(site: Site, port: u16, headers: &HeaderMap) -> impl IntoResponse + use<> {
    let accepted = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split("; ").any(|c| c == "consent=all"));
    let pixel = if site == Site::Careless || accepted {
        format!(r#"<img src="http://localhost:{port}/pixel.gif" alt="">"#)
    } else {
        String::new()
    };
    let sid = match site {
        Site::Careless => format!("sid=1; Path=/; Max-Age={}", 30 * DAY),
        Site::Careful => "sid=1; Path=/; Max-Age=3600; HttpOnly".to_owned(),
    };
    let tracker = match site {
        Site::Careless => "tracker=1; Path=/",
        // A second necessary cookie instead: both sites send two.
        Site::Careful => "sid=1; Path=/; Max-Age=3600; HttpOnly",
    };
    (
        AppendHeaders([(SET_COOKIE, sid), (SET_COOKIE, tracker.to_owned())]),
        Html(format!(
            r#"<!doctype html><html lang="en"><head><title>Shop</title></head><body>
<h1>Shop</h1>{pixel}
<div role="dialog" aria-label="Cookies">
<form method="post" action="/accept"><button data-steward-consent="accept-all">Accept all</button></form>
<form method="post" action="/refuse"><button data-steward-consent="refuse-all">Refuse all</button></form>
</div></body></html>"#
        )),
    )
}

fn consent(site: Site, choice: &str) -> impl IntoResponse + use<> {
    let year = 365 * DAY;
    let statistics = choice == "all" || site == Site::Careless;
    let stats = if statistics {
        format!("stats=1; Path=/; Max-Age={year}")
    } else {
        // Clears a statistics cookie a visitor may have from before.
        "stats=; Path=/; Max-Age=0".to_owned()
    };
    (
        AppendHeaders([
            (
                SET_COOKIE,
                format!("consent={choice}; Path=/; Max-Age={year}"),
            ),
            (SET_COOKIE, stats),
        ]),
        Redirect::to("/"),
    )
}

/// Serves `site` on a free loopback port, on a thread of its own (the
/// tests run `steward`, which blocks); returns the port.
fn serve(site: Site) -> u16 {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let router = Router::new()
                .route(
                    "/",
                    get(move |headers: HeaderMap| async move { page(site, port, &headers) }),
                )
                .route("/accept", post(move || async move { consent(site, "all") }))
                .route(
                    "/refuse",
                    post(move || async move { consent(site, "none") }),
                )
                .route(
                    "/pixel.gif",
                    get(|| async {
                        // Partitioned (CHIPS): set whether or not the
                        // browser blocks unpartitioned third-party cookies.
                        let ads = format!(
                            "ads_id=1; Path=/; Max-Age={}; SameSite=None; Secure; Partitioned",
                            30 * DAY
                        );
                        (AppendHeaders([(SET_COOKIE, ads)]), "GIF89a")
                    }),
                );
            sender.send(port).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    receiver.recv().unwrap()
}

fn scan(port: u16, extra: &[&str]) -> Output {
    let url = format!("http://127.0.0.1:{port}/");
    let mut args = vec![
        "cookies",
        "scan",
        &url,
        "--policy",
        POLICY,
        "--wait-ms",
        "300",
    ];
    args.extend_from_slice(extra);
    steward(&args)
}

fn findings(report: &Value) -> Vec<(String, String, String, String)> {
    let text = |f: &Value, key: &str| f[key].as_str().unwrap().to_owned();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(f, "visit"),
                text(f, "cookie"),
                text(f, "domain"),
                text(f, "problem"),
            )
        })
        .collect()
}

fn names(report: &Value, visit: &str) -> Vec<String> {
    report["visits"][visit]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}@{}",
                c["name"].as_str().unwrap(),
                c["domain"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_careless_site_is_reported_cookie_by_cookie_and_exits_1() {
    let port = serve(Site::Careless);
    let output = scan(port, &["--json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["url"], format!("http://127.0.0.1:{port}/"));
    let expected = [
        ("before", "ads_id", "localhost", "before_consent"),
        ("before", "sid", "127.0.0.1", "longer_than_declared"),
        ("before", "tracker", "127.0.0.1", "undeclared"),
        ("refused", "ads_id", "localhost", "after_refusal"),
        ("refused", "stats", "127.0.0.1", "after_refusal"),
    ]
    .map(|(v, c, d, p)| (v.into(), c.into(), d.into(), p.into()));
    assert_eq!(findings(&report), expected, "{report:#}");

    // The third-party pixel's cookie is read with the page's own.
    assert_eq!(
        names(&report, "before"),
        ["ads_id@localhost", "sid@127.0.0.1", "tracker@127.0.0.1"]
    );
    let list = report["findings"].as_array().unwrap();
    let ads = &list[0];
    assert_eq!(ads["declared"][0]["name"], "ads_*");
    assert_eq!(ads["declared"][0]["category"], "marketing");
    let sid = &list[1];
    assert_eq!(sid["declared"][0]["lifetime"], "1 hour");
    assert!(
        sid["detail"].as_str().unwrap().contains("(30 days after"),
        "{sid}"
    );
    assert_eq!(list[2]["declared"], serde_json::json!([]));
    let stats = &list[4];
    assert_eq!(stats["declared"][0]["category"], "statistics");
    assert!(
        report["visits"]["refused"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "consent" && c["expires"].is_string())
    );
}

#[test]
fn the_text_report_names_cookie_domain_visit_problem_and_declaration() {
    let port = serve(Site::Careless);
    let output = scan(port, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    for line in [
        "  before consent: 3 cookies: ads_id (localhost), sid (127.0.0.1), tracker (127.0.0.1)",
        "ads_id (localhost), before consent: set without consent: a marketing cookie, set before any consent",
        "  declared: `ads_*` marketing, 30 days",
        "sid (127.0.0.1), before consent: longer than declared: it expires ",
        "  declared: `sid` necessary, 1 hour",
        "tracker (127.0.0.1), before consent: undeclared: no [[cookie]] in the policy declares this name",
        "  declared: nothing",
        "stats (127.0.0.1), after refusing all: kept after refusal: a statistics cookie, still set after refusing all",
        "  declared: `stats` statistics, 1 year",
        "5 findings",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "no line `{line}` in:\n{text}"
        );
    }
}

#[test]
fn a_careful_site_passes_with_exit_0() {
    let port = serve(Site::Careful);
    let output = scan(port, &["--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(findings(&report), []);
    assert_eq!(names(&report, "before"), ["sid@127.0.0.1"]);
    assert_eq!(
        names(&report, "accepted"),
        [
            "ads_id@localhost",
            "consent@127.0.0.1",
            "sid@127.0.0.1",
            "stats@127.0.0.1"
        ]
    );
    assert_eq!(
        names(&report, "refused"),
        ["consent@127.0.0.1", "sid@127.0.0.1"]
    );

    let text = stdout(&scan(port, &[]));
    assert!(text.contains("no findings"), "{text}");
}

#[test]
fn a_scan_that_cannot_be_made_exits_2_and_says_why() {
    let port = serve(Site::Careful);
    let output = scan(port, &["--accept", "#no-such-banner"]);
    assert_eq!(output.status.code(), Some(2));
    let error = stderr(&output);
    assert!(error.contains("`#no-such-banner`"), "{error}");
    assert!(
        error.contains(&format!("http://127.0.0.1:{port}/")),
        "{error}"
    );
    assert!(error.contains("--accept"), "{error}");
    assert!(stdout(&output).is_empty());

    // Nothing listens on a port just freed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = scan(closed, &[]);
    assert_eq!(output.status.code(), Some(2));
    let error = stderr(&output);
    assert!(
        error.contains(&format!("cannot load http://127.0.0.1:{closed}/")),
        "{error}"
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["cookies", "scan", "http://127.0.0.1:9/", "--policy", POLICY])
        .current_dir(super::repo_root())
        .env("STEWARD_CHROMEDRIVER", "/nonexistent/chromedriver")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = stderr(&output);
    assert!(error.contains("/nonexistent/chromedriver"), "{error}");
    assert!(
        error.contains("apt-get install -y chromium chromium-driver"),
        "{error}"
    );

    let output = steward(&[
        "cookies",
        "scan",
        "http://127.0.0.1:9/",
        "--policy",
        "crates/steward-domain/tests/fixtures/broken/e002_unknown_key.toml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("fix them first"),
        "{}",
        stderr(&output)
    );
}
