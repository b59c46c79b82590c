//! Calectro's four systems, as `policies/calectro.toml` declares them: the
//! CRM in the machine's PostgreSQL, the app database in its MariaDB,
//! Calectro Cloud in its Redis, and the newsletter service over HTTP on
//! loopback (a small axum service that checks Steward's signature). The
//! website declares no connector, so its part of each request is manual.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use sqlx::Connection;

use crate::helpers::*;

const NEWSLETTER_SECRET: &str = "shared-with-the-newsletter-service";

const CRM_SCHEMA: &str = r#"
    CREATE TABLE contacts (id serial PRIMARY KEY, email text, phone text, name text, company text, corporate_id text, address text);
    CREATE TABLE invoices (id serial PRIMARY KEY, contact_id int REFERENCES contacts(id), products text, total numeric(10,2));
    CREATE INDEX ON contacts (LOWER(email));
    CREATE INDEX ON invoices (contact_id)
"#;

const APP_SCHEMA: &str = r#"
    CREATE TABLE accounts (id int AUTO_INCREMENT PRIMARY KEY, login_email varchar(200), settings text);
    CREATE TABLE nearby_devices (id int AUTO_INCREMENT PRIMARY KEY, account_id int, device varchar(100), latitude double, longitude double, FOREIGN KEY (account_id) REFERENCES accounts(id))
"#;

/// The newsletter service's subscribers: address -> subscribed since.
type Subscribers = Arc<Mutex<BTreeMap<String, String>>>;

/// Calectro's systems holding two people: Anna (a prospect met at a trade
/// show, an app user, a subscriber) and Bob (a customer with an invoice, an
/// app user, a subscriber). Addresses are unique per test, so tests may run
/// side by side on the same Redis.
struct Calectro {
    anna: String,
    bob: String,
    crm_url: String,
    app_url: String,
    redis: redis::Client,
    newsletter_url: String,
    subscribers: Subscribers,
    _cleanup: Cleanup,
}

/// What the fixture made, removed when the test ends (even by a panic
/// halfway through making it).
struct Cleanup {
    databases: Vec<steward_test_support::FreshDatabase>,
    redis_keys: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let keys = std::mem::take(&mut self.redis_keys);
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(client) = redis::Client::open(redis_url())
                    && let Ok(mut c) = client.get_multiplexed_async_connection().await
                {
                    let _: Result<i64, _> = redis::cmd("DEL").arg(&keys).query_async(&mut c).await;
                }
            });
        })
        .join();
    }
}

/// Creates a database on `server` (dropped with `cleanup`), runs
/// `statements` in it, and returns its URL.
async fn database(
    cleanup: &mut Cleanup,
    server: steward_test_support::Server,
    prefix: &str,
    statements: &str,
) -> String {
    let fresh = steward_test_support::FreshDatabase::create(server, prefix).await;
    let url = fresh.url.clone();
    cleanup.databases.push(fresh);
    let mut db = sqlx::AnyConnection::connect(&url).await.expect("connect");
    for statement in statements
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        sqlx::query(statement)
            .execute(&mut db)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    url
}

async fn calectro() -> Calectro {
    sqlx::any::install_default_drivers();
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let anna = format!("anna.{tag}@example.se");
    let bob = format!("bob.{tag}@example.se");
    let crm_data = format!(
        "INSERT INTO contacts (email, phone, name, company, corporate_id, address) VALUES \
           ('{}', '+46701234567', 'Anna Andersson', 'Ljusteknik AB', '556000-1111', 'Storgatan 1, Täby'), \
           ('{bob}', '+46709999999', 'Bob Berg', 'Byggbolaget AB', '556000-2222', 'Lillgatan 2, Solna'); \
         INSERT INTO invoices (contact_id, products, total) VALUES (2, 'Smoke detector x10', 4990.00)",
        // Anna typed her address with capitals in the CRM.
        anna.replacen("anna", "Anna", 1)
    );
    let app_data = format!(
        "INSERT INTO accounts (login_email, settings) VALUES ('{anna}', 'language=sv,units=metric'), ('{bob}', 'language=en'); \
         INSERT INTO nearby_devices (account_id, device, latitude, longitude) VALUES (1, 'Calectro BLE gateway G-17', 59.4439, 18.0687), (2, 'Calectro BLE sensor S-2', 57.7089, 11.9746)"
    );
    let mut cleanup = Cleanup {
        redis_keys: [&anna, &bob]
            .iter()
            .flat_map(|e| [format!("session:{e}"), format!("profile:{e}")])
            .collect(),
        databases: Vec::new(),
    };
    let crm_url = database(
        &mut cleanup,
        steward_test_support::Server::Postgres,
        "calectro_crm",
        &format!("{CRM_SCHEMA}; {crm_data}"),
    )
    .await;
    let app_url = database(
        &mut cleanup,
        steward_test_support::Server::MariaDb,
        "calectro_app",
        &format!("{APP_SCHEMA}; {app_data}"),
    )
    .await;
    let redis = redis::Client::open(redis_url()).expect("redis url");
    let mut c = redis
        .get_multiplexed_async_connection()
        .await
        .expect("Redis on loopback");
    for (email, token, name, gateway) in [
        (&anna, "cloud-session-anna", "Anna A", "G-17"),
        (&bob, "cloud-session-bob", "Bob B", "S-2"),
    ] {
        let _: () = redis::cmd("SET")
            .arg(format!("session:{email}"))
            .arg(token)
            .query_async(&mut c)
            .await
            .unwrap();
        let _: () = redis::cmd("HSET")
            .arg(format!("profile:{email}"))
            .arg(&["display_name", name, "gateway", gateway, "theme", "dark"][..])
            .query_async(&mut c)
            .await
            .unwrap();
    }
    let subscribers: Subscribers = Arc::new(Mutex::new(BTreeMap::from([
        (anna.clone(), "2024-03-01".to_owned()),
        (bob.clone(), "2023-11-15".to_owned()),
    ])));
    let newsletter_url = newsletter_service(Arc::clone(&subscribers)).await;
    Calectro {
        _cleanup: cleanup,
        anna,
        bob,
        crm_url,
        app_url,
        redis,
        newsletter_url,
        subscribers,
    }
}

/// The newsletter service: answers access and erasure for its subscribers,
/// and refuses any call Steward did not sign.
async fn newsletter_service(subscribers: Subscribers) -> String {
    async fn call(
        action: &'static str,
        subscribers: Subscribers,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, String) {
        let expected = steward_connectors::webhook::signature(NEWSLETTER_SECRET.as_bytes(), &body);
        if headers
            .get("Steward-Signature")
            .and_then(|v| v.to_str().ok())
            != Some(expected.as_str())
        {
            return (StatusCode::UNAUTHORIZED, "bad signature".into());
        }
        let call: Value = serde_json::from_slice(&body).unwrap();
        let emails: Vec<String> = call["identities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "email")
            .map(|i| i["value"].as_str().unwrap().to_owned())
            .collect();
        let mut subscribers = subscribers.lock().unwrap();
        let reply = match action {
            "access" => {
                let data: Vec<Value> = emails
                    .iter()
                    .filter_map(|e| subscribers.get(e).map(|since| (e, since)))
                    .map(|(e, since)| json!({ "category": "contact.email", "value": { "address": e, "subscribed": since } }))
                    .collect();
                json!({ "data": data })
            }
            _ => {
                for email in &emails {
                    subscribers.remove(email);
                }
                json!({ "erased": true, "kept": [] })
            }
        };
        (StatusCode::OK, reply.to_string())
    }
    let app = Router::new()
        .route(
            "/access",
            post(|State(s): State<Subscribers>, h: HeaderMap, b: Bytes| call("access", s, h, b)),
        )
        .route(
            "/erase",
            post(|State(s): State<Subscribers>, h: HeaderMap, b: Bytes| call("erase", s, h, b)),
        )
        .with_state(subscribers);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

impl Calectro {
    /// Steward with Calectro's policy, its systems reached at this fixture.
    async fn steward(&self) -> TestApp {
        let environment = [
            ("CALECTRO_CRM_URL", self.crm_url.clone()),
            ("CALECTRO_APP_DB_URL", self.app_url.clone()),
            ("CALECTRO_CLOUD_URL", redis_url()),
            ("CALECTRO_NEWSLETTER_URL", self.newsletter_url.clone()),
            ("CALECTRO_NEWSLETTER_SECRET", NEWSLETTER_SECRET.into()),
        ];
        spawn_with(policy_from(&policy_text("calectro")), |settings| {
            settings.environment = environment
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect();
        })
        .await
    }

    async fn crm_contacts(&self) -> Vec<String> {
        let mut c = sqlx::AnyConnection::connect(&self.crm_url).await.unwrap();
        sqlx::query_scalar("SELECT COALESCE(email, '(cleared)') FROM contacts ORDER BY id")
            .fetch_all(&mut c)
            .await
            .unwrap()
    }

    /// Each contact as (e-mail, phone, name, address), cleared ones as "".
    async fn crm_rows(&self) -> Vec<(String, String, String, String)> {
        let mut c = sqlx::AnyConnection::connect(&self.crm_url).await.unwrap();
        sqlx::query_as(
            "SELECT COALESCE(email, ''), COALESCE(phone, ''), COALESCE(name, ''), COALESCE(address, '') FROM contacts ORDER BY id",
        )
        .fetch_all(&mut c)
        .await
        .unwrap()
    }

    async fn crm_invoices(&self) -> i64 {
        let mut c = sqlx::AnyConnection::connect(&self.crm_url).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM invoices")
            .fetch_one(&mut c)
            .await
            .unwrap()
    }

    async fn app_accounts(&self) -> Vec<String> {
        let mut c = sqlx::AnyConnection::connect(&self.app_url).await.unwrap();
        sqlx::query_scalar("SELECT login_email FROM accounts ORDER BY id")
            .fetch_all(&mut c)
            .await
            .unwrap()
    }

    async fn app_devices(&self) -> i64 {
        let mut c = sqlx::AnyConnection::connect(&self.app_url).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM nearby_devices")
            .fetch_one(&mut c)
            .await
            .unwrap()
    }

    async fn cloud_keys_of(&self, email: &str) -> i64 {
        let mut c = self.redis.get_multiplexed_async_connection().await.unwrap();
        redis::cmd("EXISTS")
            .arg(format!("session:{email}"))
            .arg(format!("profile:{email}"))
            .query_async(&mut c)
            .await
            .unwrap()
    }

    fn subscribed(&self, email: &str) -> bool {
        self.subscribers.lock().unwrap().contains_key(email)
    }
}

/// Each part of the request: (system, done, manual).
fn parts(view: &Value) -> Vec<(String, bool, bool)> {
    view["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["system"].as_str().unwrap().to_owned(),
                p["state"] == "done",
                p["manual"] == true,
            )
        })
        .collect()
}

#[tokio::test]
async fn an_access_request_returns_the_persons_data_from_all_four_systems() {
    let calectro = calectro().await;
    let app = calectro.steward().await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": calectro.anna }] }))
        .await;
    app.do_manual_parts(&id).await;
    let view = app.answered(&id, &secret).await;
    assert_eq!(view["state"], "completed", "{view}");
    let mut systems: Vec<(String, bool, bool)> = parts(&view);
    systems.sort();
    assert_eq!(
        systems,
        [
            ("app_db".into(), true, false),
            ("cloud".into(), true, false),
            ("crm".into(), true, false),
            ("newsletter".into(), true, false),
            ("vault".into(), true, false),
            ("website".into(), true, true),
        ],
        "the four connected systems did their part; the website's was manual"
    );
    let answer = app.answer(&id, &secret).await;
    let data = answer["data"].as_array().unwrap();
    let has = |category: &str, value: Value| {
        data.iter()
            .any(|d| d["category"] == category && d["value"] == value)
    };
    // The CRM (PostgreSQL), found though the address differs in case.
    assert!(has("contact.name", json!("Anna Andersson")), "{answer}");
    assert!(
        has("company.corporate_id", json!("556000-1111")),
        "{answer}"
    );
    // The app database (MariaDB), with both coordinates of one category.
    assert!(
        has("app.account_data", json!("language=sv,units=metric")),
        "{answer}"
    );
    assert!(has("location.precise", json!(59.4439)), "{answer}");
    assert!(has("location.precise", json!(18.0687)), "{answer}");
    assert!(
        has("app.account_data", json!("Calectro BLE gateway G-17")),
        "{answer}"
    );
    // Calectro Cloud (Redis): the session and the declared profile fields.
    assert!(
        has("app.account_data", json!("cloud-session-anna")),
        "{answer}"
    );
    assert!(has("app.account_data", json!("Anna A")), "{answer}");
    // The newsletter service (HTTP).
    assert!(
        has(
            "contact.email",
            json!({ "address": calectro.anna, "subscribed": "2024-03-01" })
        ),
        "{answer}"
    );
    let everything = answer.to_string();
    for other in ["Bob", "cloud-session-bob", "S-2", "57.7089", &calectro.bob] {
        assert!(
            !everything.contains(other),
            "{other} is not Anna's: {answer}"
        );
    }
    assert!(
        !everything.contains("dark"),
        "a field the declaration does not name is not reported as the person's"
    );
}

#[tokio::test]
async fn erasure_removes_the_person_from_all_four_systems_and_no_one_else() {
    let calectro = calectro().await;
    let app = calectro.steward().await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": calectro.anna }], "grounds": "I have deleted my app account" }))
        .await;
    app.do_manual_parts(&id).await;
    let view = app.answered(&id, &secret).await;
    assert_eq!(view["state"], "completed", "{view}");
    assert!(parts(&view).iter().all(|(_, done, _)| *done), "{view}");

    assert_eq!(
        calectro.crm_contacts().await,
        vec![calectro.bob.clone()],
        "CRM"
    );
    assert_eq!(calectro.crm_invoices().await, 1, "Bob's invoice stays");
    assert_eq!(
        calectro.app_accounts().await,
        vec![calectro.bob.clone()],
        "app database"
    );
    assert_eq!(calectro.app_devices().await, 1, "only Bob's device is left");
    assert_eq!(
        calectro.cloud_keys_of(&calectro.anna).await,
        0,
        "Calectro Cloud"
    );
    assert_eq!(calectro.cloud_keys_of(&calectro.bob).await, 2);
    assert!(!calectro.subscribed(&calectro.anna), "newsletter");
    assert!(calectro.subscribed(&calectro.bob));

    // Asked again, no system has anything of Anna.
    let (again, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": calectro.anna }] }))
        .await;
    app.do_manual_parts(&again).await;
    app.answered(&again, &secret).await;
    let answer = app.answer(&again, &secret).await;
    assert_eq!(answer["data"], json!([]), "{answer}");
}

/// Bob has an invoice, which Bokföringslagen keeps, and with it what it
/// names of him: his erasure clears his e-mail address and phone number and
/// keeps the rest, rather than failing on the invoice's reference to him.
#[tokio::test]
async fn erasure_keeps_what_the_bookkeeping_law_keeps_in_the_crm_and_says_so() {
    let calectro = calectro().await;
    let app = calectro.steward().await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": calectro.bob }] }))
        .await;
    app.do_manual_parts(&id).await;
    let view = app.answered(&id, &secret).await;
    assert_eq!(view["state"], "completed", "{view}");
    let rows = calectro.crm_rows().await;
    assert_eq!(
        rows[1],
        (
            String::new(),
            String::new(),
            "Bob Berg".to_owned(),
            "Lillgatan 2, Solna".to_owned()
        ),
        "Bob's contact keeps what his invoice needs"
    );
    assert_eq!(rows[0].2, "Anna Andersson", "Anna is untouched");
    assert_eq!(calectro.crm_invoices().await, 1, "the invoice stays");
    let answer = app.answer(&id, &secret).await;
    let kept = answer["kept"].to_string();
    assert!(kept.contains("Bokföringslagen"), "{answer}");
}
