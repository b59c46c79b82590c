//! `spawn_app`: the real server on a free loopback port, on a fresh SQLite
//! file (or a fresh PostgreSQL database), with one token per role.

use std::path::PathBuf;
use std::sync::Arc;

use reqwest::{Client, Response};
use serde_json::{Value, json};
use sqlx::Connection;
use steward_domain::policy::Policy;
use steward_domain::vault::crypto::KeyEncryptionKey;
use steward_server::auth::{Actor, Role};
use steward_server::clock::SystemClock;
use steward_server::outbox::Outbox;
use steward_server::requests::Requests;
use steward_server::startup::Application;
use steward_server::systems::Systems;
use steward_server::vault::Vault;
use steward_server::worker::{Worker, WorkerConfig};
use steward_store::Repository;

pub struct TestApp {
    pub address: String,
    pub store: Arc<dyn Repository>,
    pub client: Client,
    pub vault: Arc<Vault>,
    pub kek: KeyEncryptionKey,
    pub dir: TempDir,
    pub admin: String,
    pub officer: String,
    pub auditor: String,
    /// A service limited to `customer_service` and `support_call_recording`
    /// (with another policy than Connectel's: its first purpose).
    pub service: String,
    /// The PostgreSQL database to drop when the test ends.
    pub postgres_database: Option<String>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let Some(name) = self.postgres_database.take() else {
            return;
        };
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut c)
                        .await;
                }
            });
        })
        .join();
    }
}

pub fn postgres_admin_url() -> String {
    std::env::var("STEWARD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!("steward-api-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn policy_text(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("policies").join(format!("{name}.toml")))
        .expect("policy")
}

pub fn policy_from(text: &str) -> Policy {
    let report = steward_domain::check(text);
    assert_eq!(report.errors(), 0, "test policy must be valid");
    report.policy.expect("policy")
}

/// Connectel's policy on a fresh SQLite file.
pub async fn spawn_app() -> TestApp {
    let dir = TempDir::new();
    let store = steward_store::sqlite::SqliteStore::open(&dir.0.join("steward.db"))
        .await
        .expect("sqlite");
    spawn_with(
        Arc::new(store),
        policy_from(&policy_text("connectel")),
        KeyEncryptionKey::generate(),
        dir,
    )
    .await
}

/// Connectel's policy on a fresh PostgreSQL database.
pub async fn spawn_app_on_postgres() -> TestApp {
    let admin = postgres_admin_url();
    let name = format!("steward_api_{}", uuid::Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL on loopback");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await
        .expect("create database");
    let url = format!(
        "{}/{name}",
        admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(server, _)| server)
    );
    let store = steward_store::postgres::PostgresStore::open(&url)
        .await
        .expect("postgres");
    let mut app = spawn_with(
        Arc::new(store),
        policy_from(&policy_text("connectel")),
        KeyEncryptionKey::generate(),
        TempDir::new(),
    )
    .await;
    app.postgres_database = Some(name);
    app
}

pub async fn spawn_with(
    store: Arc<dyn Repository>,
    policy: Policy,
    kek: KeyEncryptionKey,
    dir: TempDir,
) -> TestApp {
    spawn_with_systems(store, policy, kek, dir, &|_| None).await
}

/// As [`spawn_with`], with the policy's connected systems reached through
/// the URLs and secrets `env` gives; a worker runs with a short backoff.
pub async fn spawn_with_systems(
    store: Arc<dyn Repository>,
    policy: Policy,
    kek: KeyEncryptionKey,
    dir: TempDir,
    env: &dyn Fn(&str) -> Option<String>,
) -> TestApp {
    let outbox = Outbox::new(dir.0.join("outbox"));
    spawn_with_outbox(store, policy, kek, dir, env, outbox).await
}

/// As [`spawn_with_systems`], with letters going to `outbox`.
pub async fn spawn_with_outbox(
    store: Arc<dyn Repository>,
    policy: Policy,
    kek: KeyEncryptionKey,
    dir: TempDir,
    env: &dyn Fn(&str) -> Option<String>,
    outbox: Outbox,
) -> TestApp {
    let systems = Systems::from_policy(&policy, env).expect("systems");
    let vault = Arc::new(
        Vault::open(
            Arc::clone(&store),
            Arc::new(policy),
            kek.clone(),
            Arc::new(SystemClock),
        )
        .await
        .expect("vault"),
    );
    let requests = Arc::new(Requests::new(Arc::clone(&vault), Arc::new(systems), outbox));
    let config = WorkerConfig {
        backoff: std::time::Duration::from_millis(50),
        max_attempts: 3,
        poll: std::time::Duration::from_millis(50),
        ..WorkerConfig::default()
    };
    tokio::spawn(Worker::new(Arc::clone(&requests), config).run());
    let app = Application::build("127.0.0.1:0".parse().expect("addr"), Arc::clone(&requests))
        .await
        .expect("bind");
    let address = format!("http://{}", app.local_addr().expect("addr"));
    tokio::spawn(app.run_until_stopped());
    let token = |role: Role, purposes: &[&str]| {
        let vault = Arc::clone(&vault);
        let purposes: Vec<String> = purposes.iter().map(|p| (*p).to_owned()).collect();
        async move {
            vault
                .create_token(&cli_actor(), role, purposes, "test")
                .await
                .expect("token")
                .1
        }
    };
    TestApp {
        admin: token(Role::Admin, &[]).await,
        officer: token(Role::PrivacyOfficer, &[]).await,
        auditor: token(Role::Auditor, &[]).await,
        service: token(Role::Service, &service_purposes(vault.policy())).await,
        address,
        store,
        client: Client::new(),
        vault,
        kek,
        dir,
        postgres_database: None,
    }
}

/// Connectel's customer service and call recording; with another policy,
/// its first purpose.
fn service_purposes(policy: &Policy) -> Vec<&str> {
    let connectel = ["customer_service", "support_call_recording"];
    if policy.purposes.iter().any(|p| p.id == connectel[0]) {
        connectel.to_vec()
    } else {
        policy
            .purposes
            .iter()
            .take(1)
            .map(|p| p.id.as_str())
            .collect()
    }
}

fn cli_actor() -> Actor {
    Actor::cli()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// A customer contact (aged 34) with an e-mail identity; returns the id.
    pub async fn customer(&self, email: &str) -> String {
        self.subject_of("customer_contact", email).await
    }

    /// A subject of `subject_type` (aged 34) with an e-mail identity.
    pub async fn subject_of(&self, subject_type: &str, email: &str) -> String {
        let response = self
            .post("/v1/subjects", &self.service, json!({ "subject_type": subject_type, "age": 34, "identities": [{ "kind": "email", "value": email }] }))
            .await;
        assert_eq!(
            response.status(),
            201,
            "{}",
            response.text().await.unwrap_or_default()
        );
        response.json::<Value>().await.expect("json")["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    pub async fn store(
        &self,
        subject: &str,
        category: &str,
        value: Value,
        purposes: &[&str],
    ) -> String {
        self.store_as(&self.service, subject, category, value, purposes)
            .await
    }

    pub async fn store_as(
        &self,
        token: &str,
        subject: &str,
        category: &str,
        value: Value,
        purposes: &[&str],
    ) -> String {
        let response = self
            .post(
                &format!("/v1/subjects/{subject}/records"),
                token,
                json!({ "category": category, "value": value, "purposes": purposes }),
            )
            .await;
        assert_eq!(
            response.status(),
            201,
            "{}",
            response.text().await.unwrap_or_default()
        );
        response.json::<Value>().await.expect("json")["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Posts a relationship event; returns the status.
    pub async fn event(&self, subject: &str, token: &str, body: Value) -> u16 {
        self.post(&format!("/v1/subjects/{subject}/events"), token, body)
            .await
            .status()
            .as_u16()
    }

    pub async fn read(&self, subject: &str, purpose: &str, token: &str) -> Value {
        let response = self
            .get(
                &format!("/v1/subjects/{subject}/data?purpose={purpose}"),
                token,
            )
            .await;
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.text().await.unwrap_or_default()
        );
        response.json().await.expect("json")
    }
}

/// Requests, as a subject makes and follows them.
impl TestApp {
    /// Submits without a token; returns the id and the follow secret.
    pub async fn submit(&self, body: Value) -> (String, String) {
        let response = self
            .client
            .post(self.url("/v1/requests"))
            .json(&body)
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            201,
            "{}",
            response.text().await.unwrap_or_default()
        );
        let body: Value = response.json().await.expect("json");
        (
            body["id"].as_str().expect("id").to_owned(),
            body["follow_secret"].as_str().expect("secret").to_owned(),
        )
    }

    /// The code the outbox holds for `request` on `channel` (`email`, `phone`).
    pub fn code_for(&self, request: &str, channel: &str) -> String {
        let folder = self.dir.0.join("outbox").join(channel);
        for entry in std::fs::read_dir(&folder).expect("outbox folder") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("letter");
            if text.contains(request) {
                let code = text
                    .lines()
                    .map(str::trim)
                    .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
                    .expect("a code in the letter");
                return code.to_owned();
            }
        }
        panic!("no letter for {request} in {}", folder.display());
    }

    pub async fn as_requester(
        &self,
        method: &str,
        path: &str,
        secret: &str,
        body: Option<Value>,
    ) -> Response {
        let builder = match method {
            "GET" => self.client.get(self.url(path)),
            _ => self.client.post(self.url(path)),
        };
        let builder = builder.header("Steward-Follow", secret);
        let builder = match body {
            Some(body) => builder.json(&body),
            None => builder,
        };
        builder.send().await.expect("request")
    }

    /// Submits, reads each code from the outbox and enters it.
    pub async fn submit_verified(&self, body: Value) -> (String, String) {
        let (id, secret) = self.submit(body.clone()).await;
        let mut codes = serde_json::Map::new();
        for identity in body["identities"].as_array().expect("identities") {
            let kind = identity["kind"].as_str().expect("kind");
            codes.insert(kind.to_owned(), Value::from(self.code_for(&id, kind)));
        }
        let response = self
            .as_requester(
                "POST",
                &format!("/v1/requests/{id}/verify"),
                &secret,
                Some(json!({ "codes": codes })),
            )
            .await;
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.text().await.unwrap_or_default()
        );
        (id, secret)
    }

    /// Follows the request until it is answered (or 30 s pass).
    pub async fn answered(&self, id: &str, secret: &str) -> Value {
        for _ in 0..600 {
            let view: Value = self
                .as_requester("GET", &format!("/v1/requests/{id}"), secret, None)
                .await
                .json()
                .await
                .expect("json");
            let state = view["state"].as_str().unwrap_or_default();
            if ["completed", "partially_completed", "refused", "cancelled"].contains(&state) {
                return view;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("request {id} was not answered in 30 s");
    }

    pub async fn answer(&self, id: &str, secret: &str) -> Value {
        let response = self
            .as_requester("GET", &format!("/v1/requests/{id}/answer"), secret, None)
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }
}

impl TestApp {
    /// Does every manual part as the officer, once the request has started.
    pub async fn do_manual_parts(&self, id: &str) {
        let mut view: Value = Value::Null;
        for _ in 0..200 {
            view = self
                .get(&format!("/v1/requests/{id}"), &self.officer)
                .await
                .json()
                .await
                .unwrap();
            if view["state"] != "verified" && view["state"] != "awaiting_verification" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        for part in view["parts"].as_array().unwrap() {
            if part["manual"] == true && part["state"] == "pending" {
                let path = format!(
                    "/v1/requests/{id}/parts/{}/complete",
                    part["id"].as_str().unwrap()
                );
                let response = self
                    .post(
                        &path,
                        &self.officer,
                        json!({ "note": "done in the system by hand" }),
                    )
                    .await;
                assert_eq!(response.status(), 204, "{}", response.text().await.unwrap());
            }
        }
    }
}
