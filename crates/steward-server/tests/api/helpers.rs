//! `spawn_app`: the real server on a free loopback port, started by the same
//! `Application::build` as `steward serve`, on a fresh SQLite file (or a
//! fresh PostgreSQL database), with one token per role.

use std::path::PathBuf;
use std::sync::Arc;

use reqwest::{Client, Response};
use serde_json::{Value, json};
use steward_domain::policy::Policy;
use steward_domain::vault::actor::{Actor, Role};
use steward_domain::vault::crypto::KeyEncryptionKey;
use steward_server::{Settings, Vault};
pub use steward_test_support::{SpawnedApp, TempDir, policy_from, policy_text, redis_url};

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub vault: Arc<Vault>,
    pub kek: KeyEncryptionKey,
    /// The data directory: the database and the outbox.
    pub dir: PathBuf,
    pub admin: String,
    pub officer: String,
    pub auditor: String,
    /// A service limited to `customer_service` and `support_call_recording`
    /// (with another policy than Connectel's: its first purpose).
    pub service: String,
    /// The running app, its directory and database: removed when dropped.
    pub spawned: SpawnedApp,
}

/// Connectel's policy, but proving identities by e-mail code for every kind
/// of request: Connectel asks a signed request for a copy of one's data,
/// which a privacy officer checks (`identity.rs` tests that path); the
/// other tests follow a request from submission to answer by code.
pub fn connectel() -> String {
    let text = policy_text("connectel");
    assert!(text.contains("identity_verification = \"signed_request\""));
    text.replacen(
        "identity_verification = \"signed_request\"",
        "identity_verification = \"email_code\"",
        1,
    )
}

/// Connectel's policy (by code, see [`connectel`]) on a fresh SQLite file.
pub async fn spawn_app() -> TestApp {
    spawn_with(policy_from(&connectel()), |_| {}).await
}

/// Connectel's policy on a fresh PostgreSQL database.
pub async fn spawn_app_on_postgres() -> TestApp {
    let spawned =
        steward_test_support::spawn_app_on_postgres(policy_from(&connectel()), |_| {}).await;
    with_tokens(spawned).await
}

/// `policy` on a fresh SQLite file, the settings changed by `configure`
/// (the connectors' environment, SMTP, ...).
pub async fn spawn_with(policy: Policy, configure: impl FnOnce(&mut Settings)) -> TestApp {
    with_tokens(steward_test_support::spawn_app(policy, configure).await).await
}

async fn with_tokens(spawned: SpawnedApp) -> TestApp {
    let vault = Arc::clone(&spawned.vault);
    let token = |role: Role, purposes: &[&str]| {
        let vault = Arc::clone(&vault);
        let purposes: Vec<String> = purposes.iter().map(|p| (*p).to_owned()).collect();
        async move {
            vault
                .create_token(&Actor::cli(), role, purposes, "test")
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
        address: spawned.address.clone(),
        client: Client::new(),
        vault,
        kek: spawned.kek.clone(),
        dir: spawned.dir.path().to_owned(),
        spawned,
    }
}

/// Connectel's customer service and call recording; with another policy,
/// its first purpose.
fn service_purposes(policy: &Policy) -> Vec<&str> {
    let connectel = ["customer_service", "support_call_recording"];
    if connectel
        .iter()
        .all(|id| policy.purposes.iter().any(|p| p.id == *id))
    {
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

/// The part of a request's view that runs at `system` (`vault`, a system's
/// id, or `recipient:<id>`).
pub fn part<'a>(view: &'a Value, system: &str) -> &'a Value {
    view["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .find(|p| p["system"] == system)
        .unwrap_or_else(|| panic!("no part at {system}: {view}"))
}

/// A subject id from the API's text.
pub fn sid(id: &str) -> steward_domain::common::ids::SubjectId {
    id.into()
}

impl TestApp {
    /// Settings for another Steward on this one's data (or a copy of it in
    /// `data_dir`): no listener, no workers, the same key unless changed.
    pub fn settings_for(&self, data_dir: &std::path::Path) -> Settings {
        let mut settings = self.spawned.settings.clone();
        settings.data_dir = data_dir.to_owned();
        settings.listen = None;
        settings.workers = 0;
        settings
    }

    /// Another Steward on the same data, under `policy` (as after an update).
    pub async fn reopened_with(&self, policy: Policy) -> steward_server::Application {
        let mut settings = self.settings_for(&self.dir);
        settings.policy = Arc::new(policy);
        steward_server::Application::build(settings)
            .await
            .expect("Steward opens on the same data")
    }

    /// A service token for `purposes` (beside the one every app has).
    pub async fn token_for(&self, purposes: &[&str]) -> String {
        self.vault
            .create_token(
                &Actor::cli(),
                Role::Service,
                purposes.iter().map(|p| (*p).to_owned()).collect(),
                "test service",
            )
            .await
            .expect("token")
            .1
    }

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

    /// A subject of `subject_type` (aged 34) with an e-mail identity,
    /// created by an administrator (a service may create only the types its
    /// purposes concern).
    pub async fn subject_of(&self, subject_type: &str, email: &str) -> String {
        let response = self
            .post("/v1/subjects", &self.admin, json!({ "subject_type": subject_type, "age": 34, "identities": [{ "kind": "email", "value": email }] }))
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

    /// The newest code the outbox holds for `request` on `channel` (`email`,
    /// `phone`).
    pub fn code_for(&self, request: &str, channel: &str) -> String {
        self.codes_for(request, channel)
            .pop()
            .unwrap_or_else(|| panic!("no code for {request} in the {channel} outbox"))
    }

    /// Every code sent for `request` on `channel`, oldest first.
    pub fn codes_for(&self, request: &str, channel: &str) -> Vec<String> {
        self.letters_for(request, channel)
            .iter()
            .filter_map(|text| {
                text.lines()
                    .map(str::trim)
                    .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
                    .map(str::to_owned)
            })
            .collect()
    }

    /// Every letter about `request` on `channel`, oldest first (the outbox
    /// names letters by time).
    pub fn letters_for(&self, request: &str, channel: &str) -> Vec<String> {
        let folder = self.dir.join("outbox").join(channel);
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(&folder) {
            Ok(entries) => entries
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect(),
            Err(_) => Vec::new(),
        };
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("letter"))
            .filter(|text| text.contains(request))
            .collect()
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
    /// The request as an officer sees it.
    pub async fn officer_view(&self, id: &str) -> Value {
        self.get(&format!("/v1/requests/{id}"), &self.officer)
            .await
            .json()
            .await
            .expect("json")
    }

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
