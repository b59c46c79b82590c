//! Times the relational connector on the benchmark "shop" database that
//! shared/bench/shop.sql generates (100,000 customers, 5 orders and 2 tickets
//! each, half of them on the newsletter):
//!
//!   psql -v n=100000 -d shop -f ../shared/bench/shop.sql
//!   cargo run --release -p steward-connectors --example shop
//!
//! Access is timed for 20 customers, erasure for 10 others (which it
//! deletes: regenerate the database to run it again). Prints medians.

#![allow(clippy::expect_used)]

use std::time::Instant;

use steward_connectors::Identity;
use steward_connectors::relational::{RelationalConnector, RelationalSystem};

const SHOP: &str = r#"
[[table]]
name = "customers"
key = "id"
identities = { email = "email" }
columns = { name = "contact.name", email = "contact.email", phone = "contact.phone", address = "contact.address" }
erase = "delete"

[[table]]
name = "orders"
key = "id"
parent = { column = "customer_id", table = "customers" }
columns = { total = "order.total", shipping_address = "contact.address" }
erase = "delete"

[[table]]
name = "support_tickets"
key = "id"
identities = { customer_email = "email" }
columns = { body = "support.message" }
erase = "delete"

[[table]]
name = "newsletter"
key = "email"
identities = { email = "email" }
columns = { email = "contact.email" }
erase = "delete"
"#;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
    let url = std::env::var("STEWARD_SHOP_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/shop".into());
    let system: RelationalSystem = toml::from_str(SHOP).expect("declaration");
    let shop = RelationalConnector::connect(&url, system)
        .await
        .expect("the shop database");

    let mut access = Vec::new();
    for n in 1..=20 {
        let email = format!("user{n}@example.com");
        let started = Instant::now();
        let found = shop
            .access(&[Identity {
                kind: "email",
                value: &email,
            }])
            .await
            .expect("access");
        access.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(found.iter().filter(|r| r.table == "orders").count(), 5);
    }
    let mut erase = Vec::new();
    for n in 50_001..=50_010 {
        let email = format!("user{n}@example.com");
        let started = Instant::now();
        shop.erase(&[Identity {
            kind: "email",
            value: &email,
        }])
        .await
        .expect("erase");
        erase.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "access, one customer (8 rows over 4 tables): median {:.2} ms",
        median(access)
    );
    println!(
        "erasure, one customer (deleting 9 rows): median {:.2} ms",
        median(erase)
    );
}
