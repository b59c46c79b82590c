//! What Steward's tests share, so each test reads as its story:
//!
//! - [`TempDir`]: a directory removed when the test ends;
//! - [`FreshDatabase`]: a new database on the machine's PostgreSQL or
//!   MariaDB, dropped when the test ends, however it ends;
//! - [`policy_text`] and [`policy_from`]: the repository's policies;
//! - [`spawn_app`]: Steward started through the same
//!   [`Application::build`](steward_server::Application::build) as
//!   `steward serve`, on a free loopback port;
//! - [`tls::TlsProxy`]: a TLS endpoint with a CA of its own in front of
//!   those servers, which speak plain TCP.
//!
//! The servers are found at `STEWARD_TEST_POSTGRES`, `STEWARD_TEST_MARIADB`
//! and `STEWARD_TEST_REDIS`, by default on loopback; a test whose server is
//! missing fails and says which one it needed.

#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;
use steward_domain::policy::Policy;
use steward_domain::vault::crypto::{KeyEncryptionKey, SecretKey};
use steward_server::{Application, Rights, Settings, Vault, WorkerConfig};

pub mod tls;

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let path = std::env::temp_dir().join(format!("steward-{prefix}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).expect("a temporary directory");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The repository's root, from any crate's tests.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A policy of `policies/`, by name (`connectel`, `calectro`, ...).
pub fn policy_text(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("policies").join(format!("{name}.toml")))
        .expect("a policy of the repository")
}

/// A policy that must be valid.
pub fn policy_from(text: &str) -> Policy {
    let report = steward_domain::check(text);
    assert_eq!(
        report.errors(),
        0,
        "a test policy must be valid: {:?}",
        report.diagnostics
    );
    report.policy.expect("the policy")
}

/// The database servers the tests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Postgres,
    MariaDb,
}

impl Server {
    /// The URL of a database on the server that may create others.
    pub fn admin_url(self) -> String {
        match self {
            Server::Postgres => std::env::var("STEWARD_TEST_POSTGRES")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
            Server::MariaDb => std::env::var("STEWARD_TEST_MARIADB")
                .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into()),
        }
    }
}

pub fn redis_url() -> String {
    std::env::var("STEWARD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A fresh database, dropped when this is dropped.
pub struct FreshDatabase {
    pub url: String,
    pub name: String,
    server: Server,
}

impl FreshDatabase {
    pub async fn create(server: Server, prefix: &str) -> Self {
        sqlx::any::install_default_drivers();
        let admin = server.admin_url();
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let mut connection = sqlx::AnyConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("{server:?} on loopback at {admin}: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut connection)
            .await
            .expect("create a test database");
        let url = match admin.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("the admin URL {admin} must end in /DATABASE"),
        };
        Self { url, name, server }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let (admin, name, server) = (self.server.admin_url(), self.name.clone(), self.server);
        // Drop runs outside any runtime (or inside one that may be ending):
        // a thread of its own with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut c) = sqlx::AnyConnection::connect(&admin).await {
                    let drop = match server {
                        Server::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                        Server::MariaDb => format!("DROP DATABASE IF EXISTS {name}"),
                    };
                    let _ = sqlx::query(&drop).execute(&mut c).await;
                }
            });
        })
        .join();
    }
}

/// Steward, started as `steward serve` starts it.
pub struct SpawnedApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    pub vault: Arc<Vault>,
    pub rights: Arc<Rights>,
    /// The data directory (database, outbox); removed at the end.
    pub dir: TempDir,
    pub kek: KeyEncryptionKey,
    /// The settings it was built from, to build another on the same data.
    pub settings: Settings,
    /// The PostgreSQL database, when it runs on one.
    pub database: Option<FreshDatabase>,
}

/// The settings a test starts from: a temporary data directory, a fresh key,
/// a free loopback port, one worker that retries quickly.
pub fn test_settings(policy: Policy, dir: &TempDir, kek: &SecretKey) -> Settings {
    let mut settings = Settings::new(Arc::new(policy), dir.path());
    settings.key = Some(kek.to_hex().into());
    settings.listen = Some("127.0.0.1:0".parse().expect("an address"));
    settings.workers = 1;
    settings.worker = WorkerConfig {
        backoff: Duration::from_millis(50),
        max_attempts: 3,
        poll: Duration::from_millis(50),
        ..WorkerConfig::default()
    };
    settings
}

/// Steward with `policy` on a fresh SQLite file, as `configure` changes the
/// test settings.
pub async fn spawn_app(policy: Policy, configure: impl FnOnce(&mut Settings)) -> SpawnedApp {
    spawn(policy, None, configure).await
}

/// As [`spawn_app`], on a fresh PostgreSQL database.
pub async fn spawn_app_on_postgres(
    policy: Policy,
    configure: impl FnOnce(&mut Settings),
) -> SpawnedApp {
    let database = FreshDatabase::create(Server::Postgres, "steward_api").await;
    spawn(policy, Some(database), configure).await
}

async fn spawn(
    policy: Policy,
    database: Option<FreshDatabase>,
    configure: impl FnOnce(&mut Settings),
) -> SpawnedApp {
    let dir = TempDir::new("api");
    let secret = SecretKey::generate();
    let kek = KeyEncryptionKey::new(SecretKey::from_hex(&secret.to_hex()).expect("a key"));
    let mut settings = test_settings(policy, &dir, &secret);
    settings.database_url = database.as_ref().map(|d| d.url.clone().into());
    configure(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("Steward starts");
    let address = format!("http://{}", app.local_addr().expect("a listener"));
    let vault = Arc::clone(app.vault());
    let rights = Arc::clone(app.rights());
    tokio::spawn(app.run_until_stopped());
    SpawnedApp {
        address,
        vault,
        rights,
        dir,
        kek,
        settings,
        database,
    }
}
