//! Times the retention sweep of the benchmark shop's support tickets, as
//! `bench/shop-policy.toml` declares it (`support_tickets`, deleted 24
//! months after `created_at`), on a database `bench/retention-systems.sh`
//! made: a dry run (counting), the sweep itself, and a second sweep that
//! finds nothing due (then once more after VACUUM).
//!
//!   STEWARD_SHOP_URL=postgres://postgres@127.0.0.1:5432/shop \
//!     cargo run --release -p steward-connectors --example retention_sweep -- \
//!     [policy file] [today, e.g. 2026-03-15] [batch]
//!
//! The cutoffs come from the policy's rule through the domain's arithmetic,
//! in the controller's time zone. Each batch is "audited" into a counter
//! here (the server appends an audit entry per batch; that cost is not in
//! these figures).

#![allow(clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use steward_connectors::relational::{RelationalConnector, RelationalSystem, TableOutcome};
use steward_connectors::retention::{BatchAudit, DueBefore, SweepOptions};
use steward_domain::policy::cutoff;

/// Counts the batches it is told of.
#[derive(Default)]
struct Counted(AtomicU64);

#[async_trait]
impl BatchAudit for Counted {
    async fn batch(&self, _: &[TableOutcome]) -> Result<(), String> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let policy_file = args
        .next()
        .unwrap_or_else(|| "bench/shop-policy.toml".into());
    let today: jiff::civil::Date = args
        .next()
        .unwrap_or_else(|| "2026-03-15".into())
        .parse()
        .expect("today as YYYY-MM-DD");
    let batch: usize = args
        .next()
        .map_or(1_000, |b| b.parse().expect("the batch size"));
    let url = std::env::var("STEWARD_SHOP_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/shop".into());

    let source = std::fs::read_to_string(&policy_file).expect("the policy file");
    let policy = steward_domain::check(&source)
        .policy
        .expect("a valid policy");
    let connector = policy
        .systems
        .iter()
        .find(|s| s.id == "shop")
        .and_then(|s| s.connector.as_ref())
        .expect("the shop system's connector");
    let system: RelationalSystem = toml::Value::Table(connector.declaration.clone())
        .try_into()
        .expect("the shop's declaration");
    let table = system
        .tables
        .iter()
        .find(|t| t.name == "support_tickets")
        .expect("support_tickets");
    let rule_id = table
        .retention
        .as_ref()
        .and_then(|r| r.rule.clone())
        .expect("support_tickets declares a retention rule");
    let rule = policy
        .retention
        .iter()
        .find(|r| r.id == rule_id)
        .expect("the rule");
    let c = cutoff::cutoffs(rule, today, policy.controller.financial_year).expect("cutoffs");
    let due = DueBefore {
        time_before: c.time,
        event_before: c.event,
        minimum_before: c.minimum,
        maximum_before: c.maximum,
        time_zone: policy.controller.time_zone.clone(),
    };
    let shop = RelationalConnector::connect(&url, system)
        .await
        .expect("the shop database");
    let audit = Counted::default();
    let run = |dry_run| SweepOptions { batch, dry_run };

    let started = Instant::now();
    let dry = shop
        .sweep("support_tickets", &due, run(true), &audit)
        .await
        .expect("dry run");
    let dry_time = started.elapsed();
    println!(
        "rule `{rule_id}` on {today}: tickets created before {} are due",
        c.time.map_or("-".into(), |d| d.to_string())
    );
    println!(
        "dry run: {} due, counted in {:.1} ms",
        dry.due,
        dry_time.as_secs_f64() * 1e3
    );

    let started = Instant::now();
    let swept = shop
        .sweep("support_tickets", &due, run(false), &audit)
        .await
        .expect("sweep");
    let sweep_time = started.elapsed();
    println!(
        "sweep: {} deleted in {} batches of at most {batch}, {:.1} ms: {:.0} rows/s",
        swept.acted,
        swept.batches,
        sweep_time.as_secs_f64() * 1e3,
        swept.acted as f64 / sweep_time.as_secs_f64()
    );

    let started = Instant::now();
    let again = shop
        .sweep("support_tickets", &due, run(false), &audit)
        .await
        .expect("second sweep");
    println!(
        "second sweep: {} due, {:.1} ms",
        again.due,
        started.elapsed().as_secs_f64() * 1e3
    );
    // The deleted rows' index entries linger until the table is vacuumed
    // (autovacuum would soon): time nothing due after that too.
    sqlx::query("VACUUM ANALYZE support_tickets")
        .execute(shop.pool())
        .await
        .expect("vacuum");
    let started = Instant::now();
    let vacuumed = shop
        .sweep("support_tickets", &due, run(false), &audit)
        .await
        .expect("sweep after vacuum");
    println!(
        "after VACUUM: {} due, {:.1} ms",
        vacuumed.due,
        started.elapsed().as_secs_f64() * 1e3
    );
    println!("batches audited: {}", audit.0.load(Ordering::Relaxed));
}
