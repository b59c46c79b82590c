//! Requests carried out by real `steward` processes: killed with SIGKILL in
//! the middle of the work, and two processes sharing one PostgreSQL database.
//!
//! The organisation's systems are two webhook services (a web shop and a
//! billing service) served by this test on loopback, so the test sees every
//! call Steward makes, can hold calls open while a process is killed, and
//! makes billing fail for addresses that start with `fail`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use steward_test_support::FreshDatabase;

use super::{http, repo_root, stderr, stdout, temp_dir};

/// The smallest valid policy, with the two webhook systems and a partner
/// who gets order data as it is stored, so must hear of erasures (Art. 19).
pub(super) fn policy(dir: &Path) -> PathBuf {
    let minimal = std::fs::read_to_string(
        repo_root().join("crates/steward-domain/tests/fixtures/minimal.toml"),
    )
    .expect("fixture");
    let text = format!(
        r#"{minimal}
[[recipient]]
id = "partner"
name = "Partner AB"
role = "independent_controller"
standing = true
purposes = ["orders"]
country = "SE"

[[system]]
id = "shop"
name = "Web shop"
categories = ["contact"]

[system.connector]
type = "webhook"
url_env = "TEST_SHOP_URL"
secret_env = "TEST_HOOK_SECRET"

[[system]]
id = "billing"
name = "Billing"
categories = ["credit"]

[system.connector]
type = "webhook"
url_env = "TEST_BILLING_URL"
secret_env = "TEST_HOOK_SECRET"
"#
    );
    let path = dir.join("policy.toml");
    std::fs::write(&path, text).expect("policy");
    path
}

/// A call Steward made to a service.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Call {
    system: String,
    action: String,
    request: String,
}

#[derive(Default)]
struct Services {
    calls: Mutex<Vec<Call>>,
    /// Who each service knows: (system, e-mail address).
    holds: Mutex<BTreeSet<(String, String)>>,
    /// Calls wait while this is false.
    open: Mutex<bool>,
    /// How long each call takes once open.
    delay: Duration,
}

pub(super) struct Hooks {
    pub(super) address: String,
    services: Arc<Services>,
    _runtime: tokio::runtime::Runtime,
}

impl Hooks {
    pub(super) fn start(people: &[String], open: bool, delay: Duration) -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let services = Arc::new(Services {
            holds: Mutex::new(
                people
                    .iter()
                    .flat_map(|p| {
                        [
                            ("shop".to_owned(), p.clone()),
                            ("billing".to_owned(), p.clone()),
                        ]
                    })
                    .collect(),
            ),
            open: Mutex::new(open),
            delay,
            ..Services::default()
        });
        let app = Router::new()
            .route("/{system}/{action}", post(answer))
            .with_state(Arc::clone(&services));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("addr"));
        runtime.spawn(async move { axum::serve(listener, app).await });
        Self {
            address,
            services,
            _runtime: runtime,
        }
    }

    fn calls(&self) -> Vec<Call> {
        self.services.calls.lock().unwrap().clone()
    }

    fn open(&self) {
        *self.services.open.lock().unwrap() = true;
    }

    fn holds(&self, system: &str, email: &str) -> bool {
        self.services
            .holds
            .lock()
            .unwrap()
            .contains(&(system.to_owned(), email.to_owned()))
    }
}

async fn answer(
    State(services): State<Arc<Services>>,
    UrlPath((system, action)): UrlPath<(String, String)>,
    body: String,
) -> (StatusCode, String) {
    let call: Value = serde_json::from_str(&body).unwrap_or_default();
    let email = call["identities"][0]["value"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    services.calls.lock().unwrap().push(Call {
        system: system.clone(),
        action: action.clone(),
        request: call["request_id"].as_str().unwrap_or("").to_owned(),
    });
    while !*services.open.lock().unwrap() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(services.delay).await;
    if system == "billing" && email.starts_with("fail") {
        return (StatusCode::SERVICE_UNAVAILABLE, "billing is down".into());
    }
    let key = (system.clone(), email.clone());
    let reply = match action.as_str() {
        "access" => {
            let held = services.holds.lock().unwrap().contains(&key);
            let category = if system == "shop" {
                "contact.email"
            } else {
                "credit"
            };
            let data: Vec<Value> = held
                .then(|| json!({ "category": category, "value": format!("{system} has {email}") }))
                .into_iter()
                .collect();
            json!({ "data": data })
        }
        "erase" => {
            services.holds.lock().unwrap().remove(&key);
            json!({ "erased": true, "kept": [] })
        }
        _ => json!({}),
    };
    (StatusCode::OK, reply.to_string())
}

/// One Steward installation: its policy, data folder and database, and the
/// environment that reaches the services. Workers give up after 3 attempts
/// and reclaim a dead worker's parts after `lease`.
pub(super) struct Installation {
    pub(super) dir: PathBuf,
    pub(super) policy: PathBuf,
    pub(super) database: Option<String>,
    pub(super) hooks: String,
    pub(super) lease: &'static str,
}

impl Installation {
    pub(super) fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_steward"));
        command
            .args(args)
            .current_dir(repo_root())
            .env_remove("STEWARD_KEK")
            .env("STEWARD_POLICY", &self.policy)
            .env("STEWARD_DATA_DIR", &self.dir)
            .env("STEWARD_JOB_LEASE", self.lease)
            .env("STEWARD_RETRY_BACKOFF", "100ms")
            .env("STEWARD_MAX_ATTEMPTS", "3")
            .env("TEST_SHOP_URL", format!("{}/shop", self.hooks))
            .env("TEST_BILLING_URL", format!("{}/billing", self.hooks))
            .env("TEST_HOOK_SECRET", "shared");
        match &self.database {
            Some(url) => command.env("STEWARD_DATABASE_URL", url),
            None => command.env_remove("STEWARD_DATABASE_URL"),
        };
        command
    }

    pub(super) fn run(&self, args: &[&str]) -> Output {
        let output = self.command(args).output().expect("run steward");
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        output
    }

    pub(super) fn token(&self, role: &str) -> String {
        stdout(&self.run(&["token", "create", "--role", role]))
            .trim()
            .to_owned()
    }

    pub(super) fn serve(&self, workers: &str) -> Server {
        use std::io::BufRead;
        let mut child = self
            .command(&["serve", "--listen", "127.0.0.1:0", "--workers", workers])
            .stderr(Stdio::piped())
            .spawn()
            .expect("steward serve");
        let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
        let serving = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.contains("serving"))
            .expect("a serving line");
        let address = serving
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("address")
            .to_owned();
        // Keep reading, so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(drop));
        Server { child, address }
    }
}

pub(super) struct Server {
    child: Child,
    pub(super) address: String,
}

impl Server {
    /// SIGKILL: no shutdown, no flush, parts left half done.
    fn kill_9(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Submits a request whose identity the officer checked; returns its id.
pub(super) fn submit(address: &str, officer: &str, kind: &str, email: &str) -> String {
    let body = json!({
        "kind": kind,
        "identities": [{ "kind": "email", "value": email }],
        "grounds": "I am no longer a customer",
        "identity_checked": true,
    });
    let (status, reply) = http(address, "POST", "/v1/requests", officer, &body.to_string());
    assert_eq!(status, 201, "{reply}");
    let reply: Value = serde_json::from_str(&reply).expect("json");
    reply["id"].as_str().expect("id").to_owned()
}

pub(super) fn view(address: &str, officer: &str, id: &str) -> Value {
    let (status, body) = http(address, "GET", &format!("/v1/requests/{id}"), officer, "");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("json")
}

const ENDED: [&str; 4] = ["completed", "partially_completed", "refused", "cancelled"];

/// Waits until every request has ended; returns their views by id.
pub(super) fn until_all_ended(
    address: &str,
    officer: &str,
    ids: &[String],
) -> BTreeMap<String, Value> {
    let start = Instant::now();
    loop {
        let views: BTreeMap<String, Value> = ids
            .iter()
            .map(|id| (id.clone(), view(address, officer, id)))
            .collect();
        if views
            .values()
            .all(|v| ENDED.contains(&v["state"].as_str().unwrap_or("")))
        {
            return views;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "requests still open after 90 s: {views:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A vault subject for `email` with one record; returns the subject's id.
pub(super) fn subject_with_record(address: &str, officer: &str, email: &str) -> String {
    let body = json!({ "subject_type": "customer", "age": 40, "identities": [{ "kind": "email", "value": email }] });
    let (status, reply) = http(address, "POST", "/v1/subjects", officer, &body.to_string());
    assert_eq!(status, 201, "{reply}");
    let id = serde_json::from_str::<Value>(&reply).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let record = json!({ "category": "credit", "value": "rating A", "purposes": ["orders"] });
    let (status, reply) = http(
        address,
        "POST",
        &format!("/v1/subjects/{id}/records"),
        officer,
        &record.to_string(),
    );
    assert_eq!(status, 201, "{reply}");
    id
}

pub(super) fn records_of(address: &str, officer: &str, subject: &str) -> usize {
    let (status, body) = http(
        address,
        "GET",
        &format!("/v1/subjects/{subject}"),
        officer,
        "",
    );
    if status == 404 {
        return 0;
    }
    assert_eq!(status, 200, "{body}");
    let held: Value = serde_json::from_str(&body).expect("json");
    held["records"].as_array().map_or(0, Vec::len)
}

/// A random delay: enough to land kills at different moments of the work.
fn some_millis(range: std::ops::Range<u64>) -> Duration {
    let random = uuid::Uuid::new_v4().as_u64_pair().0;
    Duration::from_millis(range.start + random % (range.end - range.start))
}

#[test]
fn kill_9_during_requests_loses_nothing_reruns_what_was_cut_off_and_never_claims_a_failed_part_done()
 {
    let dir = temp_dir(&format!("workers-crash-{}", uuid::Uuid::new_v4().simple()));
    let people: Vec<String> = (0..12)
        .map(|i| {
            if i % 4 == 3 {
                format!("fail{i}@example.se")
            } else {
                format!("person{i}@example.se")
            }
        })
        .collect();
    // Every call is held open until the first kill.
    let hooks = Hooks::start(&people, false, Duration::from_millis(20));
    let steward = Installation {
        policy: policy(&dir),
        dir: dir.to_path_buf(),
        database: None,
        hooks: hooks.address.clone(),
        // A killed worker's parts run again a second later.
        lease: "1s",
    };
    let officer = steward.token("privacy_officer");

    // Requests are taken first, by a server without workers...
    let server = steward.serve("0");
    let mut subjects = BTreeMap::new();
    let mut ids = Vec::new();
    let mut kinds = BTreeMap::new();
    for (i, email) in people.iter().enumerate() {
        let kind = if i % 2 == 0 { "erasure" } else { "access" };
        if kind == "erasure" {
            subjects.insert(
                email.clone(),
                subject_with_record(&server.address, &officer, email),
            );
        }
        let id = submit(&server.address, &officer, kind, email);
        kinds.insert(id.clone(), (kind, email.clone()));
        ids.push(id);
    }
    server.kill_9();
    // ...then two workers claim the parts. Kill while the services hold calls open: those parts are claimed,
    // half done, and nobody will hear how they ended.
    let start = Instant::now();
    let server = steward.serve("2");
    while hooks.calls().len() < 8 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no calls reached the services"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill_9();
    let in_flight: BTreeSet<Call> = hooks.calls().into_iter().collect();
    hooks.open();

    // Then kill again at moments the clock picks, submitting as we go.
    for round in 0..3 {
        let server = steward.serve("2");
        for person in 0..2 {
            let email = format!("late{round}-{person}@example.se");
            let id = submit(&server.address, &officer, "access", &email);
            kinds.insert(id.clone(), ("access", email));
            ids.push(id);
        }
        std::thread::sleep(some_millis(50..600));
        server.kill_9();
    }

    let server = steward.serve("2");
    let views = until_all_ended(&server.address, &officer, &ids);

    // Nothing acknowledged was lost, and each request ended as its systems did.
    assert_eq!(views.len(), ids.len());
    for (id, view) in &views {
        let (kind, email) = &kinds[id];
        let state = view["state"].as_str().unwrap();
        if email.starts_with("fail") {
            assert_eq!(state, "partially_completed", "{view:#}");
            let billing = view["parts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["system"] == "billing")
                .unwrap();
            assert_eq!(billing["state"], "failed", "{view:#}");
        } else {
            assert_eq!(state, "completed", "{view:#}");
        }
        // Each step happened once, however often the process died.
        let steps: Vec<&str> = view["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        let unique: BTreeSet<&str> = steps.iter().copied().collect();
        assert_eq!(steps.len(), unique.len(), "a step repeated: {view:#}");
        if *kind == "erasure" {
            assert!(!hooks.holds("shop", email), "{email} is still in the shop");
            assert_eq!(
                records_of(&server.address, &officer, &subjects[email]),
                0,
                "{email}'s vault records are erased"
            );
            // Art. 19: the partner heard of it exactly once.
            let letters: Vec<_> = std::fs::read_dir(dir.join("outbox/recipient"))
                .unwrap()
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with(id.as_str()))
                .collect();
            assert_eq!(letters.len(), 1, "one letter to the partner for {id}");
        }
        if *kind == "access" && state == "completed" {
            let (status, answer) = http(
                &server.address,
                "GET",
                &format!("/v1/requests/{id}/answer"),
                &officer,
                "",
            );
            assert_eq!(status, 200, "{answer}");
            let answer: Value = serde_json::from_str(&answer).unwrap();
            let expected = if email.starts_with("late") { 0 } else { 2 };
            assert_eq!(
                answer["data"].as_array().unwrap().len(),
                expected,
                "the shop's and billing's data, once each: {answer:#}"
            );
        }
    }
    // The calls cut off by the first kill were made again (at least once
    // each, the request id telling the service it is the same request).
    let calls = hooks.calls();
    for call in &in_flight {
        assert!(
            calls.iter().filter(|c| *c == call).count() >= 2,
            "{call:?} was not made again after the crash"
        );
    }
    // The vault's audit chain survived every kill.
    let admin = steward.token("admin");
    let (_, verdict) = http(&server.address, "GET", "/v1/audit/verify", &admin, "");
    assert!(verdict.contains("\"intact\":true"), "{verdict}");
    drop(server);
}

/// A fresh PostgreSQL database, dropped when the test ends.
pub(super) struct Database {
    /// Held so the database is dropped when the test ends.
    _fresh: FreshDatabase,
    pub(super) url: String,
    runtime: tokio::runtime::Runtime,
}

impl Database {
    pub(super) fn create() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let fresh = runtime.block_on(FreshDatabase::create(
            steward_test_support::Server::Postgres,
            "steward_workers",
        ));
        Self {
            url: fresh.url.clone(),
            _fresh: fresh,
            runtime,
        }
    }

    /// How many processes have claimed parts so far.
    fn working_processes(&self) -> usize {
        self.attempts()
            .iter()
            .filter_map(|(_, _, worker)| worker.split(':').nth(1))
            .filter(|pid| !pid.is_empty())
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// (job, attempts, worker of the first attempt) for every job.
    fn attempts(&self) -> Vec<(String, i64, String)> {
        use sqlx::Connection;
        self.runtime.block_on(async {
            let mut c = sqlx::PgConnection::connect(&self.url)
                .await
                .expect("connect");
            sqlx::query_as(
                "SELECT j.id, COUNT(a.attempt), COALESCE(MIN(a.worker), '') \
                 FROM jobs j LEFT JOIN job_attempts a ON a.job_id = j.id \
                 GROUP BY j.id",
            )
            .fetch_all(&mut c)
            .await
            .expect("attempts")
        })
    }
}

#[test]
fn two_worker_processes_on_one_postgres_database_run_every_part_exactly_once() {
    let dir = temp_dir(&format!("workers-two-{}", uuid::Uuid::new_v4().simple()));
    let database = Database::create();
    let people: Vec<String> = (0..40).map(|i| format!("person{i}@example.se")).collect();
    // Calls wait until both processes are working.
    let hooks = Hooks::start(&people, false, Duration::from_millis(5));
    let steward = Installation {
        policy: policy(&dir),
        dir: dir.to_path_buf(),
        database: Some(database.url.clone()),
        hooks: hooks.address.clone(),
        // Nothing is killed here: no part may run twice for a slow machine.
        lease: "5m",
    };
    let officer = steward.token("privacy_officer");
    // The API takes the requests; it runs no workers of its own.
    let server = steward.serve("0");
    let ids: Vec<String> = people
        .iter()
        .enumerate()
        .map(|(i, email)| {
            let kind = if i % 2 == 0 { "erasure" } else { "access" };
            submit(&server.address, &officer, kind, email)
        })
        .collect();

    let workers: Vec<Child> = (0..2)
        .map(|_| {
            steward
                .command(&["request", "work"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("steward request work")
        })
        .collect();
    let start = Instant::now();
    while database.working_processes() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the second process never claimed a part"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    hooks.open();
    let mut ran = 0;
    for worker in workers {
        let output = worker.wait_with_output().expect("wait");
        assert!(output.status.success(), "{}", stderr(&output));
        let line = stdout(&output);
        ran += line
            .strip_prefix("ran ")
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("unexpected output: {line}"));
    }

    let views = until_all_ended(&server.address, &officer, &ids);
    assert!(
        views.values().all(|v| v["state"] == "completed"),
        "{views:#?}"
    );
    let attempts = database.attempts();
    // vault, shop and billing for each; no letter to the partner, since
    // none of these people's data is in the vault for it to have received.
    assert_eq!(attempts.len(), 40 * 3);
    assert_eq!(
        ran,
        attempts.len(),
        "the two processes ran every part between them"
    );
    for (job, count, _) in &attempts {
        assert_eq!(*count, 1, "job {job} ran {count} times");
    }
    let processes: BTreeSet<&str> = attempts
        .iter()
        .map(|(_, _, worker)| worker.split(':').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        processes.len(),
        2,
        "both processes took part: {processes:?}"
    );
    // Each service saw each request once.
    let mut calls = hooks.calls();
    let total = calls.len();
    calls.sort();
    calls.dedup();
    assert_eq!(total, calls.len(), "a call was made twice");
    assert_eq!(total, 40 * 2);
    drop(server);
}
