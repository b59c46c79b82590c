//! The vault's own cost, without HTTP: one record written (sealed, checked
//! against the policy, committed with its audit entry) and one purpose-bound
//! read (the subject's file read at once, every record decided, the allowed
//! ones opened, the read audited), on SQLite and on PostgreSQL. The vault is
//! built by `Application::build`, as `steward serve` builds it.

#![allow(clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use steward_domain::common::ids::SubjectId;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::crypto::SecretKey;
use steward_server::{Application, IdentityInput, NewRecord, NewSubject, Vault};
use steward_test_support::{
    FreshDatabase, Server, TempDir, policy_from, policy_text, test_settings,
};

async fn app(dir: &TempDir, database: Option<&FreshDatabase>) -> Application {
    let mut settings = test_settings(
        policy_from(&policy_text("connectel")),
        dir,
        &SecretKey::generate(),
    );
    settings.listen = None;
    settings.workers = 0;
    settings.database_url = database.map(|d| d.url.clone().into());
    Application::build(settings).await.expect("Steward")
}

async fn subject(vault: &Vault) -> SubjectId {
    vault
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
        .expect("subject")
}

fn record() -> NewRecord {
    NewRecord {
        category: "contact.email".into(),
        value: json!("anna.svensson@example.se"),
        source: None,
        purposes: vec!["customer_service".into()],
        derived_from: Vec::new(),
        collected_at: None,
    }
}

fn bench_backend(
    c: &mut Criterion,
    name: &str,
    app: &Application,
    runtime: &tokio::runtime::Runtime,
) {
    let vault = app.vault();
    let actor = Actor::cli();
    let writer = runtime.block_on(subject(vault));
    c.bench_function(&format!("{name}: write one record"), |b| {
        b.to_async(runtime).iter(|| async {
            vault
                .write_record(&actor, &writer, record())
                .await
                .expect("write")
        })
    });
    // A subject with ten records for the purpose, as a read finds it.
    let reader = runtime.block_on(async {
        let s = subject(vault).await;
        for _ in 0..10 {
            vault
                .write_record(&actor, &s, record())
                .await
                .expect("write");
        }
        s
    });
    c.bench_function(&format!("{name}: purpose-bound read of 10 records"), |b| {
        b.to_async(runtime).iter(|| async {
            vault
                .read(&actor, &reader, "customer_service")
                .await
                .expect("read")
        })
    });
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = TempDir::new("bench");
    let sqlite = runtime.block_on(app(&dir, None));
    bench_backend(c, "sqlite", &sqlite, &runtime);
    let database = runtime.block_on(FreshDatabase::create(Server::Postgres, "steward_bench"));
    let postgres_dir = TempDir::new("bench");
    let postgres = runtime.block_on(app(&postgres_dir, Some(&database)));
    bench_backend(c, "postgres", &postgres, &runtime);
}

criterion_group!(vault_benches, benches);
criterion_main!(vault_benches);
