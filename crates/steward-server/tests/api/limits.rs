//! What a caller without a token can do to Steward, tried: guess a code from
//! many addresses at once, ask for codes and open requests without end,
//! send large bodies, send half a request and keep the connection, leave
//! requests unverified. Clients are told apart through a trusted proxy's
//! `X-Forwarded-For`, as they are in production behind one.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use reqwest::Response;
use serde_json::{Value, json};
use steward_server::clock::ManualClock;
use steward_server::{Settings, Worker, WorkerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn behind_proxy(settings: &mut Settings) {
    settings.http.trusted_proxies = vec![LOOPBACK];
}

async fn connectel(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_with(policy_from(&crate::helpers::connectel()), configure).await
}

/// A clock the test moves, from 2026-11-02 10:00 UTC.
fn manual_clock(settings: &mut Settings) -> Arc<ManualClock> {
    let clock = Arc::new(ManualClock::new(
        "2026-11-02T10:00:00Z".parse::<Timestamp>().unwrap(),
    ));
    settings.clock = clock.clone();
    clock
}

fn access_for(email: &str) -> Value {
    json!({ "kind": "access", "identities": [{ "kind": "email", "value": email }] })
}

impl TestApp {
    async fn submit_from(&self, client: &str, body: &Value) -> Response {
        self.client
            .post(self.url("/v1/requests"))
            .header("X-Forwarded-For", client)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn verify_from(&self, client: &str, id: &str, secret: &str, code: &str) -> Response {
        self.client
            .post(self.url(&format!("/v1/requests/{id}/verify")))
            .header("X-Forwarded-For", client)
            .header("Steward-Follow", secret)
            .json(&json!({ "codes": { "email": code } }))
            .send()
            .await
            .unwrap()
    }

    async fn resend(&self, id: &str, secret: &str) -> Response {
        self.as_requester("POST", &format!("/v1/requests/{id}/resend"), secret, None)
            .await
    }

    async fn audit_actions(&self, request: &str) -> Vec<String> {
        let (entries, _) = self.vault.store().audit_log().await.unwrap();
        entries
            .into_iter()
            .filter(|e| e.event.detail["request"] == request)
            .map(|e| e.event.action)
            .collect()
    }
}

/// A 429 as a client must read it: a problem, and when to come back.
async fn assert_too_many(response: Response) -> (Option<u64>, String) {
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 429, "{problem}");
    (retry_after, problem["detail"].as_str().unwrap().to_owned())
}

fn other_than(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[tokio::test]
async fn a_brute_force_from_many_addresses_gets_five_guesses_checked_then_429s() {
    let app = connectel(behind_proxy).await;
    let (id, secret) = app.submit(access_for("anna@example.se")).await;
    let right = app.code_for(&id, "email");
    let wrong = other_than(&right);
    let mut tries = tokio::task::JoinSet::new();
    for n in 0..50 {
        let client = app.client.clone();
        let url = app.url(&format!("/v1/requests/{id}/verify"));
        let secret = secret.clone();
        tries.spawn(async move {
            client
                .post(url)
                .header("X-Forwarded-For", format!("203.0.113.{n}"))
                .header("Steward-Follow", secret)
                .json(&json!({ "codes": { "email": wrong } }))
                .send()
                .await
                .unwrap()
        });
    }
    let (mut checked, mut limited) = (0, 0);
    while let Some(response) = tries.join_next().await {
        let response = response.unwrap();
        match response.status().as_u16() {
            422 => checked += 1,
            429 => {
                limited += 1;
                assert_too_many(response).await;
            }
            other => panic!("a guess answered {other}"),
        }
    }
    assert_eq!(
        (checked, limited),
        (5, 45),
        "five guesses at one code, no more"
    );
    let tries_audited = app
        .audit_actions(&id)
        .await
        .iter()
        .filter(|a| *a == "request.code")
        .count();
    assert_eq!(tries_audited, 5, "every guess checked is in the audit log");
    // The right code is too late now.
    let late = app.verify_from("203.0.113.99", &id, &secret, &right).await;
    let (_, detail) = assert_too_many(late).await;
    assert!(detail.contains("ask for a new one"), "{detail}");
    // The holder of the address hears of it, once.
    let warned: Vec<String> = app
        .letters_for(&id, "email")
        .into_iter()
        .filter(|l| l.contains("wrong code 5 times"))
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("To: anna@example.se"), "{}", warned[0]);
}

#[tokio::test]
async fn new_codes_come_a_minute_apart_and_three_at_most_per_request() {
    let mut clock = None;
    let app = connectel(|s| clock = Some(manual_clock(s))).await;
    let clock = clock.unwrap();
    let (id, secret) = app.submit(access_for("anna@example.se")).await;
    let (retry_after, detail) = assert_too_many(app.resend(&id, &secret).await).await;
    assert_eq!(retry_after, Some(60), "{detail}");
    clock.advance(SignedDuration::from_secs(61));
    assert_eq!(app.resend(&id, &secret).await.status(), 204);
    clock.advance(SignedDuration::from_secs(30));
    let (retry_after, _) = assert_too_many(app.resend(&id, &secret).await).await;
    assert_eq!(retry_after, Some(30));
    clock.advance(SignedDuration::from_secs(31));
    assert_eq!(app.resend(&id, &secret).await.status(), 204);
    let (retry_after, detail) = assert_too_many(app.resend(&id, &secret).await).await;
    assert_eq!(retry_after, None, "no wait helps: {detail}");
    assert!(detail.contains("submit a new request"), "{detail}");
    let codes = app.codes_for(&id, "email");
    assert_eq!(codes.len(), 3, "the first and two more");
    // Only the newest code works.
    let old = app
        .verify_from("198.51.100.1", &id, &secret, &codes[0])
        .await;
    if codes[0] != codes[2] {
        assert_eq!(old.status(), 422);
    }
    let newest = app
        .verify_from("198.51.100.1", &id, &secret, &codes[2])
        .await;
    assert_eq!(newest.status(), 200);
    let view: Value = newest.json().await.unwrap();
    assert_ne!(view["state"], "awaiting_verification", "{view}");
}

#[tokio::test]
async fn one_identity_gets_a_few_codes_an_hour_however_many_requests_are_opened() {
    let app = connectel(behind_proxy).await;
    for n in 0..5 {
        let response = app
            .submit_from(&format!("203.0.113.{n}"), &access_for("anna@example.se"))
            .await;
        assert_eq!(response.status(), 201);
    }
    let refused = app
        .submit_from("203.0.113.77", &access_for("Anna@Example.se"))
        .await;
    let (retry_after, detail) = assert_too_many(refused).await;
    assert!(
        retry_after.is_some_and(|s| s > 60 && s <= 3600),
        "{retry_after:?}"
    );
    assert!(detail.starts_with("identities.email"), "{detail}");
    assert!(
        !detail.contains("anna"),
        "the address is not echoed: {detail}"
    );
    let letters = std::fs::read_dir(app.dir.join("outbox/email"))
        .unwrap()
        .count();
    assert_eq!(letters, 5, "no letter for the refused request");
    // Someone else is not held up, nor is an officer who checked the identity.
    assert_eq!(
        app.submit_from("203.0.113.77", &access_for("bert@example.se"))
            .await
            .status(),
        201
    );
    let officer = app
        .client
        .post(app.url("/v1/requests"))
        .bearer_auth(&app.officer)
        .json(&json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }], "identity_checked": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(officer.status(), 201);
}

#[tokio::test]
async fn one_address_submits_ten_requests_a_minute_others_and_officers_are_not_held_up() {
    let app = connectel(behind_proxy).await;
    for n in 0..10 {
        let response = app
            .submit_from("198.51.100.7", &access_for(&format!("p{n}@example.se")))
            .await;
        assert_eq!(response.status(), 201);
    }
    let refused = app
        .submit_from("198.51.100.7", &access_for("p10@example.se"))
        .await;
    let (retry_after, _) = assert_too_many(refused).await;
    assert!(retry_after.is_some_and(|s| (1..=60).contains(&s)));
    assert_eq!(
        app.submit_from("198.51.100.8", &access_for("p11@example.se"))
            .await
            .status(),
        201
    );
    let officer = app
        .client
        .post(app.url("/v1/requests"))
        .header("X-Forwarded-For", "198.51.100.7")
        .bearer_auth(&app.officer)
        .json(&access_for("p12@example.se"))
        .send()
        .await
        .unwrap();
    assert_eq!(officer.status(), 201);
    // A client cannot pick its address: without a trusted proxy the header
    // is not believed, and everyone on loopback is one client.
    let direct = connectel(|_| {}).await;
    for n in 0..10 {
        let response = direct
            .submit_from(
                &format!("192.0.2.{n}"),
                &access_for(&format!("q{n}@example.se")),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    assert_too_many(
        direct
            .submit_from("192.0.2.200", &access_for("q10@example.se"))
            .await,
    )
    .await;
}

#[tokio::test]
async fn a_caller_without_a_token_sends_at_most_16_kib() {
    let app = connectel(|_| {}).await;
    let big = json!({
        "kind": "erasure",
        "identities": [{ "kind": "email", "value": "anna@example.se" }],
        "grounds": "x".repeat(20 * 1024),
    });
    let response = app
        .client
        .post(app.url("/v1/requests"))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(
        std::fs::read_dir(app.dir.join("outbox")).map_or(0, |d| d.count()),
        0,
        "nothing sent"
    );
    // An officer's token may send more; the grounds are still too long.
    let officer = app
        .client
        .post(app.url("/v1/requests"))
        .bearer_auth(&app.officer)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(officer.status(), 422);
}

#[tokio::test]
async fn requests_never_verified_are_removed_with_their_codes_after_seven_days() {
    let mut clock = None;
    let app = connectel(|s| clock = Some(manual_clock(s))).await;
    let clock = clock.unwrap();
    let (old, old_secret) = app.submit(access_for("anna@example.se")).await;
    clock.advance(SignedDuration::from_hours(24 * 2));
    let (recent, recent_secret) = app.submit(access_for("bert@example.se")).await;
    clock.advance(SignedDuration::from_hours(24 * 5) + SignedDuration::from_secs(60));
    let worker = Worker::new(Arc::clone(&app.spawned.rights), WorkerConfig::default());
    worker.until_idle().await.unwrap();
    let gone = app
        .as_requester("GET", &format!("/v1/requests/{old}"), &old_secret, None)
        .await;
    assert_eq!(gone.status(), 404);
    assert!(
        app.vault
            .store()
            .challenges(&old.clone().into())
            .await
            .unwrap()
            .is_empty(),
        "its codes went with it"
    );
    assert!(
        app.audit_actions(&old)
            .await
            .contains(&"request.expired".to_owned())
    );
    let kept = app
        .as_requester(
            "GET",
            &format!("/v1/requests/{recent}"),
            &recent_secret,
            None,
        )
        .await;
    assert_eq!(kept.status(), 200, "five days old: kept");
    let audit: Value = app
        .get("/v1/audit/verify", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["intact"], true, "{audit}");
}

#[tokio::test]
async fn the_queue_comes_a_page_at_a_time() {
    let app = connectel(|_| {}).await;
    let mut submitted = Vec::new();
    for n in 0..5 {
        submitted.push(app.submit(access_for(&format!("p{n}@example.se"))).await.0);
    }
    let mut seen = Vec::new();
    let mut next = Some("/v1/requests?limit=2".to_owned());
    let mut pages = 0;
    while let Some(path) = next.take() {
        let response = app.get(&path, &app.officer).await;
        assert_eq!(response.status(), 200);
        next = response.headers().get("link").map(|link| {
            let link = link.to_str().unwrap();
            assert!(link.ends_with("; rel=\"next\""), "{link}");
            link[1..link.find('>').unwrap()].to_owned()
        });
        let page: Vec<Value> = response.json().await.unwrap();
        assert!(page.len() <= 2);
        seen.extend(
            page.into_iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        pages += 1;
    }
    assert_eq!(pages, 3);
    seen.sort();
    submitted.sort();
    assert_eq!(seen, submitted, "every request once");
    for bad in ["limit=0", "limit=501", "limit=two", "after=nonsense"] {
        let response = app.get(&format!("/v1/requests?{bad}"), &app.officer).await;
        assert_eq!(response.status(), 422, "{bad}");
    }
    assert_eq!(app.get("/v1/requests", &app.service).await.status(), 403);
}

/// The settings of the tests below: clients get a second for their headers
/// and a second for their body.
fn impatient(settings: &mut Settings) {
    settings.http.header_read_timeout = Duration::from_secs(1);
    settings.http.body_read_timeout = Duration::from_secs(1);
}

async fn connect(app: &TestApp) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection; what it said. Bounded, so
/// a server that never closes fails the test instead of hanging it.
async fn read_to_close(stream: &mut tokio::net::TcpStream) -> String {
    let mut said = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut said)).await;
    assert!(read.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&said).into_owned()
}

#[tokio::test]
async fn a_client_that_sends_half_a_request_is_cut_off() {
    let app = connectel(impatient).await;
    // Half the headers: the connection is closed.
    let mut headers = connect(&app).await;
    headers
        .write_all(b"POST /v1/requests HTTP/1.1\r\nHost: steward\r\n")
        .await
        .unwrap();
    read_to_close(&mut headers).await;
    // Half the body: 408, and closed.
    let mut body = connect(&app).await;
    body.write_all(
        b"POST /v1/requests HTTP/1.1\r\nHost: steward\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"kind\":",
    )
    .await
    .unwrap();
    let said = read_to_close(&mut body).await;
    assert!(said.starts_with("HTTP/1.1 408"), "{said}");
    assert!(said.contains("application/problem+json"), "{said}");
    // Meanwhile others are served.
    assert_eq!(app.get("/healthz", "").await.status(), 200);
}

#[tokio::test]
async fn a_stop_does_not_wait_past_its_deadline_for_a_stuck_client() {
    let dir = TempDir::new("stop");
    let key = steward_domain::vault::crypto::SecretKey::generate();
    let mut settings =
        steward_test_support::test_settings(policy_from(&crate::helpers::connectel()), &dir, &key);
    settings.http.body_read_timeout = Duration::from_secs(3600);
    settings.http.shutdown_deadline = Duration::from_millis(500);
    let app = steward_server::Application::build(settings).await.unwrap();
    let address = app.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let mut stuck = tokio::net::TcpStream::connect(address).await.unwrap();
    stuck
        .write_all(b"POST /v1/requests HTTP/1.1\r\nHost: steward\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    // A whole call on another connection proves the stuck one was accepted
    // (connections are served in the order they come).
    let health = reqwest::get(format!("http://{address}/healthz"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    stop.send(()).unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(30), running).await;
    assert!(ended.is_ok(), "the server waited for the stuck client");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(30), stuck.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the stuck connection was closed");
}

#[tokio::test]
async fn public_reads_and_token_guesses_are_limited_per_address_health_is_not() {
    let app = connectel(|s| {
        behind_proxy(s);
        // The clock stands still: nothing comes back while the test runs.
        manual_clock(s);
        s.limits.public_per_client = steward_server::limits::Rate::new(20, Duration::from_secs(1));
    })
    .await;
    let get_from = |client: &'static str, path: &'static str, token: Option<&'static str>| {
        let request = app
            .client
            .get(app.url(path))
            .header("X-Forwarded-For", client);
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        async move { request.send().await.unwrap() }
    };
    for _ in 0..20 {
        assert_eq!(
            get_from("203.0.113.1", "/v1/notice", None).await.status(),
            200
        );
    }
    assert_too_many(get_from("203.0.113.1", "/v1/notice", None).await).await;
    for _ in 0..50 {
        assert_eq!(
            get_from("203.0.113.1", "/healthz", None).await.status(),
            200
        );
    }
    // Guessing tokens from another address: 401 until its limit, then 429.
    for _ in 0..20 {
        let guess = get_from("203.0.113.2", "/v1/policy", Some("guess")).await;
        assert_eq!(guess.status(), 401);
    }
    assert_too_many(get_from("203.0.113.2", "/v1/policy", Some("guess")).await).await;
    // A real token is not held up by its address's count.
    let policy = app
        .client
        .get(app.url("/v1/policy"))
        .header("X-Forwarded-For", "203.0.113.2")
        .bearer_auth(&app.service)
        .send()
        .await
        .unwrap();
    assert_eq!(policy.status(), 200);
}
