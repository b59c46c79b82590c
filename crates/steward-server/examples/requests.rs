//! Times rights requests end to end against a running `steward serve` whose
//! policy declares the benchmark shop database (bench/requests.sh sets it up):
//! from the submission of a request whose identity an officer has checked to
//! the moment it is completed.
//!
//!   STEWARD_URL=http://127.0.0.1:18081 STEWARD_TOKEN=stw_… \
//!     cargo run --release -p steward-server --example requests
//!
//! Two clocks are reported: the client's (submit, then follow the request
//! every `POLL_MS` milliseconds, 1 by default, until it has ended) and the
//! server's own history (`submitted` to `answered`), which the polling's
//! granularity cannot blur (its load on the server can).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Client {
    http: reqwest::Client,
    url: String,
    token: String,
    /// How often a request is looked at while it runs (`POLL_MS`, 1 ms).
    poll: Duration,
}

/// One request's times, in milliseconds.
struct Timing {
    client: f64,
    server: f64,
}

impl Client {
    async fn submit(&self, kind: &str, email: &str) -> String {
        let response = self
            .http
            .post(format!("{}/v1/requests", self.url))
            .bearer_auth(&self.token)
            .json(&json!({
                "kind": kind,
                "identities": [{ "kind": "email", "value": email }],
                "grounds": "I am no longer a customer",
                "identity_checked": true,
            }))
            .send()
            .await
            .expect("submit");
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    async fn view(&self, id: &str) -> Value {
        self.http
            .get(format!("{}/v1/requests/{id}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("view")
            .json()
            .await
            .expect("json")
    }

    async fn answer(&self, id: &str) -> Value {
        self.http
            .get(format!("{}/v1/requests/{id}/answer", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("json")
    }

    /// Follows the request every millisecond until it has ended.
    async fn ended(&self, id: &str) -> Value {
        let start = Instant::now();
        loop {
            let view = self.view(id).await;
            match view["state"].as_str().unwrap_or("") {
                "completed" => return view,
                "partially_completed" | "refused" | "cancelled" => {
                    panic!("request {id} did not complete: {view:#}")
                }
                _ if start.elapsed() > Duration::from_secs(60) => {
                    panic!("request {id} still open after 60 s: {view:#}")
                }
                _ => tokio::time::sleep(self.poll).await,
            }
        }
    }

    /// Submits one request and waits for it.
    async fn time(&self, kind: &str, email: &str) -> (String, Timing) {
        let started = Instant::now();
        let id = self.submit(kind, email).await;
        let view = self.ended(&id).await;
        let client = started.elapsed().as_secs_f64() * 1000.0;
        (
            id,
            Timing {
                client,
                server: server_millis(&view),
            },
        )
    }
}

fn step_at(view: &Value, step: &str) -> jiff::Timestamp {
    view["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == step)
        .and_then(|s| s["at"].as_str())
        .unwrap_or_else(|| panic!("no `{step}` step: {view:#}"))
        .parse()
        .expect("a timestamp")
}

/// `submitted` to `answered`, by the server's clock.
fn server_millis(view: &Value) -> f64 {
    let span = step_at(view, "answered").duration_since(step_at(view, "submitted"));
    span.as_secs_f64() * 1000.0
}

fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn report(what: &str, timings: &[Timing]) {
    let client: Vec<f64> = timings.iter().map(|t| t.client).collect();
    let server: Vec<f64> = timings.iter().map(|t| t.server).collect();
    println!(
        "{what}: median {:.2} ms (client), {:.2} ms (server history); min {:.2} ms, max {:.2} ms (client); n = {}",
        median(&client),
        median(&server),
        client.iter().copied().fold(f64::INFINITY, f64::min),
        client.iter().copied().fold(0.0, f64::max),
        timings.len()
    );
}

#[tokio::main]
async fn main() {
    let client = std::sync::Arc::new(Client {
        http: reqwest::Client::new(),
        url: std::env::var("STEWARD_URL").unwrap_or_else(|_| "http://127.0.0.1:18081".into()),
        token: std::env::var("STEWARD_TOKEN").expect("STEWARD_TOKEN: an officer's token"),
        poll: Duration::from_millis(
            std::env::var("POLL_MS")
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or(1),
        ),
    });
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);

    // Warm up: connections to Steward's store and the shop are opened lazily.
    for n in 90_001..=90_003 {
        client.time("access", &format!("user{n}@example.com")).await;
    }

    let mut access = Vec::new();
    for n in 1..=rounds {
        let (id, timing) = client.time("access", &format!("user{n}@example.com")).await;
        let answer = client.answer(&id).await;
        let found = answer["data"].as_array().map_or(0, Vec::len);
        // The customer's 4 columns, 5 orders x 3, 2 tickets x 2, and for odd
        // customers the newsletter's 2.
        assert!(found >= 23, "access found only {found} values: {answer:#}");
        access.push(timing);
    }
    report("access", &access);

    let mut erasure = Vec::new();
    for n in 60_001..=60_000 + rounds {
        let email = format!("user{n}@example.com");
        let (_, timing) = client.time("erasure", &email).await;
        erasure.push(timing);
        // Nothing of the customer is left to find.
        let (id, _) = client.time("access", &email).await;
        let answer = client.answer(&id).await;
        assert_eq!(
            answer["data"],
            json!([]),
            "{email} was not erased: {answer:#}"
        );
    }
    report("erasure", &erasure);

    // 20 access requests submitted at once, timed to the last completion.
    let started = Instant::now();
    let mut submitting = tokio::task::JoinSet::new();
    for n in 101..=120 {
        let client = std::sync::Arc::clone(&client);
        submitting.spawn(async move {
            client
                .submit("access", &format!("user{n}@example.com"))
                .await
        });
    }
    let mut pending = submitting.join_all().await;
    let mut views = Vec::new();
    while !pending.is_empty() {
        let mut still = Vec::new();
        for id in pending {
            let view = client.view(&id).await;
            match view["state"].as_str().unwrap_or("") {
                "completed" => views.push(view),
                "partially_completed" | "refused" | "cancelled" => panic!("{view:#}"),
                _ => still.push(id),
            }
        }
        pending = still;
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "20 requests still open"
        );
        if !pending.is_empty() {
            tokio::time::sleep(client.poll).await;
        }
    }
    let client_ms = started.elapsed().as_secs_f64() * 1000.0;
    let first = views.iter().map(|v| step_at(v, "submitted")).min().unwrap();
    let last = views.iter().map(|v| step_at(v, "answered")).max().unwrap();
    println!(
        "20 access requests at once: {client_ms:.1} ms to the last completion (client), {:.1} ms from the first submission to the last answer (server history)",
        last.duration_since(first).as_secs_f64() * 1000.0
    );
}
