//! The vault's own cost, without HTTP: one record written (sealed, checked
//! against the policy, committed with its audit entry) and one purpose-bound
//! read (state gathered, every record decided, the allowed ones opened, the
//! read audited), on SQLite and on PostgreSQL.

#![allow(clippy::expect_used)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use steward_domain::vault::crypto::KeyEncryptionKey;
use steward_server::auth::Actor;
use steward_server::clock::SystemClock;
use steward_server::vault::{IdentityInput, NewRecord, NewSubject, Vault};
use steward_store::Repository;

fn policy() -> steward_domain::policy::Policy {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/connectel.toml"
    ))
    .expect("policy");
    steward_domain::check(&text)
        .policy
        .expect("connectel checks")
}

async fn vault(store: Arc<dyn Repository>) -> (Vault, String) {
    let vault = Vault::open(
        store,
        Arc::new(policy()),
        KeyEncryptionKey::generate(),
        Arc::new(SystemClock),
    )
    .await
    .expect("vault");
    let subject = vault
        .create_subject(
            &Actor::cli(),
            NewSubject {
                subject_type: "customer_contact".into(),
                birth_date: None,
                age: Some(40),
                identities: vec![IdentityInput {
                    kind: "email".into(),
                    value: format!("{}@example.se", uuid::Uuid::new_v4()),
                }],
            },
        )
        .await
        .expect("subject");
    (vault, subject)
}

fn record() -> NewRecord {
    NewRecord {
        category: "contact.email".into(),
        value: json!("anna.svensson@example.se"),
        source: None,
        purposes: vec!["customer_service".into()],
    }
}

fn bench_backend(
    c: &mut Criterion,
    name: &str,
    store: Arc<dyn Repository>,
    runtime: &tokio::runtime::Runtime,
) {
    let (vault, subject) = runtime.block_on(vault(store));
    let actor = Actor::cli();
    c.bench_function(&format!("{name}: write one record"), |b| {
        b.to_async(runtime).iter(|| async {
            vault
                .write_record(&actor, &subject, record())
                .await
                .expect("write")
        })
    });
    // A subject with ten records for the purpose, as a read finds it.
    let (reader, reader_subject) = runtime.block_on(async {
        let (v, s) = vault_with_same_store(&vault).await;
        for _ in 0..10 {
            v.write_record(&actor, &s, record()).await.expect("write");
        }
        (v, s)
    });
    c.bench_function(&format!("{name}: purpose-bound read of 10 records"), |b| {
        b.to_async(runtime).iter(|| async {
            reader
                .read(&actor, &reader_subject, "customer_service")
                .await
                .expect("read")
        })
    });
}

async fn vault_with_same_store(vault: &Vault) -> (&Vault, String) {
    let subject = vault
        .create_subject(
            &Actor::cli(),
            NewSubject {
                subject_type: "customer_contact".into(),
                birth_date: None,
                age: Some(40),
                identities: vec![IdentityInput {
                    kind: "email".into(),
                    value: format!("{}@example.se", uuid::Uuid::new_v4()),
                }],
            },
        )
        .await
        .expect("subject");
    (vault, subject)
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = std::env::temp_dir().join(format!("steward-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let sqlite = runtime
        .block_on(steward_store::sqlite::SqliteStore::open(
            &dir.join("steward.db"),
        ))
        .expect("sqlite");
    bench_backend(c, "sqlite", Arc::new(sqlite), &runtime);
    let url = std::env::var("STEWARD_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/steward_bench".into());
    // A fresh database each run.
    runtime.block_on(async {
        use sqlx::Connection;
        let admin = format!(
            "{}/postgres",
            url.rsplit_once('/').map_or(url.as_str(), |(s, _)| s)
        );
        let name = url.rsplit('/').next().unwrap_or("steward_bench");
        let mut c = sqlx::PgConnection::connect(&admin).await.expect("postgres");
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut c)
            .await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await
            .expect("create");
    });
    let postgres = runtime
        .block_on(steward_store::postgres::PostgresStore::open(&url))
        .expect("postgres");
    bench_backend(c, "postgres", Arc::new(postgres), &runtime);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(vault_benches, benches);
criterion_main!(vault_benches);
