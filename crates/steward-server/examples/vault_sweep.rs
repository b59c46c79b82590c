//! Times the retention sweep over a large store: RECORDS records (1,000,000
//! by default) of which DUE_PERCENT (10) are past their period, on SQLite
//! or, with `--postgres`, a fresh PostgreSQL database; then the sweep when
//! nothing is due, which reads only the index and must not grow with the
//! store.
//!
//!   cargo run --release -p steward-server --example vault_sweep
//!   cargo run --release -p steward-server --example vault_sweep -- --postgres
//!   RECORDS=100000 cargo run --release -p steward-server --example vault_sweep
//!
//! The records are Connectel's: call recordings collected 60 days before the
//! sweep (30 days' retention, so due) and invoices (kept seven years), ten
//! per subject, one in ten due. They are written with SQL, each with the last
//! day the vault computes for it, because a million writes through the API
//! would time the API, not the sweep.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use jiff::Timestamp;
use sqlx::Connection;
use steward_domain::policy::retention::{self, Events};
use steward_domain::vault::actor::Actor;
use steward_server::clock::ManualClock;
use steward_server::{Application, Settings, SweepOptions};
use steward_test_support::{FreshDatabase, Server, TempDir};

const SUBJECT_BATCH: usize = 10_000;

#[tokio::main]
async fn main() {
    let records: usize = std::env::var("RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let due_percent: usize = std::env::var("DUE_PERCENT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let postgres = std::env::args().any(|a| a == "--postgres");
    let policy_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/connectel.toml");
    let text = std::fs::read_to_string(policy_path).unwrap();
    let policy = Arc::new(steward_domain::check(&text).policy.expect("the policy"));

    let collected: Timestamp = "2026-03-01T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(collected));
    let dir = TempDir::new("retention-bench");
    let database = if postgres {
        Some(FreshDatabase::create(Server::Postgres, "steward_bench").await)
    } else {
        None
    };
    let mut settings = Settings::new(Arc::clone(&policy), dir.path());
    settings.clock = clock.clone();
    settings.key = Some("11".repeat(32).into());
    settings.database_url = database.as_ref().map(|d| d.url.clone().into());
    let app = Application::build(settings).await.expect("steward opens");

    // The last days the vault computes for these two kinds of record.
    let day = collected
        .to_zoned(policy.controller.time_zone.clone())
        .date();
    let last_day = |category: &str, purpose: &str| {
        retention::due(
            &policy,
            category,
            &[purpose.to_owned()],
            day,
            &Events::new(),
        )
        .expect("a counted rule")
        .last_day
        .to_string()
    };
    let recording_due = last_day("helpdesk.call_recording", "support_call_recording");
    let invoice_due = last_day("billing.invoice", "bookkeeping");

    let started = Instant::now();
    let url = match &database {
        Some(d) => d.url.clone(),
        None => format!("sqlite://{}", dir.path().join("steward.db").display()),
    };
    let subjects = records / 10;
    let due_every = 100 / due_percent.max(1);
    let at = collected.to_string();
    if postgres {
        let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query("INSERT INTO subjects (id, subject_type, created_at) SELECT 's' || lpad(g::text, 8, '0'), 'customer_contact', $1 FROM generate_series(1, $2) g")
            .bind(&at).bind(subjects as i64).execute(&mut c).await.unwrap();
        sqlx::query(
            "INSERT INTO records (id, subject_id, category, value_sealed, source, purposes, collected_at, updated_at, retention_due)
             SELECT 'r' || lpad(g::text, 9, '0'), 's' || lpad((1 + (g - 1) / 10)::text, 8, '0'),
                    CASE WHEN g % $1 = 0 THEN 'helpdesk.call_recording' ELSE 'billing.invoice' END,
                    '\\x00'::bytea, 'subject',
                    CASE WHEN g % $1 = 0 THEN '[\"support_call_recording\"]' ELSE '[\"bookkeeping\"]' END,
                    $2, $2, CASE WHEN g % $1 = 0 THEN $3 ELSE $4 END
             FROM generate_series(1, $5) g",
        )
        .bind(due_every as i64).bind(&at).bind(&recording_due).bind(&invoice_due).bind(records as i64)
        .execute(&mut c).await.unwrap();
        sqlx::query("ANALYZE records")
            .execute(&mut c)
            .await
            .unwrap();
    } else {
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("PRAGMA busy_timeout = 10000")
            .execute(&mut c)
            .await
            .unwrap();
        for first in (0..subjects).step_by(SUBJECT_BATCH) {
            let last = (first + SUBJECT_BATCH).min(subjects);
            let mut tx = c.begin().await.unwrap();
            for s in first..last {
                let subject = format!("s{:08}", s + 1);
                sqlx::query("INSERT INTO subjects (id, subject_type, created_at) VALUES ($1, 'customer_contact', $2)")
                    .bind(&subject).bind(&at).execute(&mut *tx).await.unwrap();
                for k in 0..10 {
                    let g = s * 10 + k + 1;
                    let due = g % due_every == 0;
                    sqlx::query("INSERT INTO records (id, subject_id, category, value_sealed, source, purposes, collected_at, updated_at, retention_due) VALUES ($1, $2, $3, x'00', 'subject', $4, $5, $5, $6)")
                        .bind(format!("r{g:09}"))
                        .bind(&subject)
                        .bind(if due { "helpdesk.call_recording" } else { "billing.invoice" })
                        .bind(if due { r#"["support_call_recording"]"# } else { r#"["bookkeeping"]"# })
                        .bind(&at)
                        .bind(if due { &recording_due } else { &invoice_due })
                        .execute(&mut *tx).await.unwrap();
                }
            }
            tx.commit().await.unwrap();
        }
        sqlx::query("ANALYZE").execute(&mut c).await.unwrap();
    }
    let backend = if postgres { "PostgreSQL" } else { "SQLite" };
    println!(
        "{backend}: {records} records of {subjects} subjects written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    clock.set("2026-05-01T09:00:00Z".parse().unwrap());
    let vault = app.vault();
    let system = Actor::system();
    let dry = Instant::now();
    let report = vault
        .sweep(
            &system,
            SweepOptions {
                dry_run: true,
                ..SweepOptions::default()
            },
        )
        .await
        .unwrap();
    let dry = dry.elapsed().as_secs_f64();
    println!("dry run: {} due, {dry:.2} s", report.total());

    let swept = Instant::now();
    let report = vault.sweep(&system, SweepOptions::default()).await.unwrap();
    let seconds = swept.elapsed().as_secs_f64();
    println!(
        "sweep: {} records removed in {seconds:.2} s: {:.0} records/s",
        report.total(),
        report.total() as f64 / seconds
    );
    let mut idle = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let report = vault.sweep(&system, SweepOptions::default()).await.unwrap();
        assert_eq!(report.total(), 0);
        idle.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    idle.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "sweep with nothing due ({} records stored): median {:.2} ms of 5",
        records - report.total() as usize,
        idle[2]
    );
}
