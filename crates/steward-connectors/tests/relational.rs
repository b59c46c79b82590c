//! The relational connector against a real PostgreSQL database: a small shop
//! with customers, orders and their lines, support tickets and a newsletter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sqlx::{Connection, PgPool};
use steward_connectors::relational::{Erase, Identity, RelationalSystem};

const SHOP: &str = r#"
[[table]]
name = "customers"
key = "id"
identities = { email = "email", phone = "phone" }
columns = { name = "contact.name", email = "contact.email", phone = "contact.phone" }
erase = "delete"

[[table]]
name = "orders"
key = "id"
parent = { column = "customer_id", table = "customers" }
columns = { total = "order.total", delivery_address = "contact.address" }
erase = "anonymise"
anonymise = ["delivery_address", "customer_id"]

[[table]]
name = "order_lines"
key = "id"
parent = { column = "order_id", table = "orders" }
columns = { product = "order.product" }
erase = "keep"
hold = "Bokföringslagen (1999:1078) 7 kap. 2 §"

[[table]]
name = "tickets"
key = "id"
parent = { column = "customer_id", table = "customers" }
columns = { body = "support.message" }
erase = "delete"

[[table]]
name = "newsletter"
key = "id"
identities = { "e\"mail" = "email" }
columns = { "e\"mail" = "contact.email" }
erase = "delete"
"#;

struct Shop {
    pool: PgPool,
    name: String,
}

impl Drop for Shop {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut c)
                        .await;
                }
            });
        })
        .join();
    }
}

fn admin_url() -> String {
    std::env::var("STEWARD_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh database with Anna's and Bob's data.
async fn shop() -> Shop {
    let admin = admin_url();
    let name = format!("steward_shop_{}", uuid::Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL on loopback");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await
        .unwrap();
    let url = format!(
        "{}/{name}",
        admin.rsplit_once('/').map_or(admin.as_str(), |(s, _)| s)
    );
    let pool = PgPool::connect(&url).await.unwrap();
    sqlx::raw_sql(
        r#"
        CREATE TABLE customers (id serial PRIMARY KEY, email text, name text, phone text);
        CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric, delivery_address text);
        CREATE TABLE order_lines (id serial PRIMARY KEY, order_id int REFERENCES orders(id), product text);
        CREATE TABLE tickets (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), body text);
        CREATE TABLE newsletter (id serial PRIMARY KEY, "e""mail" text);
        INSERT INTO customers (email, name, phone) VALUES ('Anna@Example.se', 'Anna', '+46701234567'), ('bob@example.se', 'Bob', '+46709999999');
        INSERT INTO orders (customer_id, total, delivery_address) VALUES (1, 100, 'Storgatan 1'), (1, 250, 'Storgatan 1'), (2, 75, 'Lillgatan 2');
        INSERT INTO order_lines (order_id, product) VALUES (1, 'lamp'), (2, 'sofa'), (2, 'rug'), (3, 'chair');
        INSERT INTO tickets (customer_id, body) VALUES (1, 'my lamp is broken'), (2, 'where is my chair');
        INSERT INTO newsletter ("e""mail") VALUES ('anna@example.se'), ('bob@example.se');
        "#,
    )
    .execute(&pool)
    .await
    .unwrap();
    Shop { pool, name }
}

fn system() -> RelationalSystem {
    let system: RelationalSystem = toml::from_str(SHOP).unwrap();
    system.validate().unwrap();
    system
}

const ANNA: [Identity<'static>; 1] = [Identity {
    kind: "email",
    value: "anna@example.se",
}];

#[tokio::test]
async fn access_gathers_the_person_from_every_table_and_no_one_else() {
    let shop = shop().await;
    let found = system().access(&shop.pool, &ANNA).await.unwrap();
    let tables: Vec<(&str, usize)> = [
        "customers",
        "orders",
        "order_lines",
        "tickets",
        "newsletter",
    ]
    .iter()
    .map(|t| (*t, found.iter().filter(|r| r.table == *t).count()))
    .collect();
    assert_eq!(
        tables,
        [
            ("customers", 1),
            ("orders", 2),
            ("order_lines", 3),
            ("tickets", 1),
            ("newsletter", 1)
        ]
    );
    let everything = serde_json::to_string(&found).unwrap();
    assert!(everything.contains("my lamp is broken") && everything.contains("sofa"));
    assert!(
        !everything.contains("Bob")
            && !everything.contains("chair")
            && !everything.contains("Lillgatan")
    );
    let customer = found.iter().find(|r| r.table == "customers").unwrap();
    assert_eq!(customer.data["contact.name"], "Anna");
    // Found by phone too.
    let by_phone = system()
        .access(
            &shop.pool,
            &[Identity {
                kind: "phone",
                value: "+46701234567",
            }],
        )
        .await
        .unwrap();
    assert_eq!(by_phone.iter().filter(|r| r.table == "orders").count(), 2);
}

#[tokio::test]
async fn erasure_does_what_each_table_declares_and_leaves_others_alone() {
    let shop = shop().await;
    let outcomes = system().erase(&shop.pool, &ANNA).await.unwrap();
    let summary: Vec<(&str, Erase, u64)> = outcomes
        .iter()
        .map(|o| (o.table.as_str(), o.action, o.rows))
        .collect();
    assert_eq!(
        summary,
        [
            ("customers", Erase::Delete, 1),
            ("newsletter", Erase::Delete, 1),
            ("orders", Erase::Anonymise, 2),
            ("tickets", Erase::Delete, 1),
            ("order_lines", Erase::Keep, 3),
        ]
    );
    assert_eq!(
        outcomes[4].hold.as_deref(),
        Some("Bokföringslagen (1999:1078) 7 kap. 2 §")
    );
    let count = |sql: &'static str| async {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&shop.pool)
            .await
            .unwrap()
    };
    assert_eq!(
        count("SELECT count(*) FROM customers WHERE name = 'Anna'").await,
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM orders WHERE delivery_address IS NULL AND customer_id IS NULL")
            .await,
        2,
        "kept for the books, without her"
    );
    assert_eq!(count("SELECT count(*) FROM order_lines").await, 4);
    assert_eq!(count("SELECT count(*) FROM tickets").await, 1);
    // Bob is untouched.
    assert_eq!(
        count("SELECT count(*) FROM customers WHERE name = 'Bob'").await,
        1
    );
    assert_eq!(
        count("SELECT count(*) FROM orders WHERE delivery_address = 'Lillgatan 2'").await,
        1
    );
    // Nothing of Anna is found any more.
    let after = system().access(&shop.pool, &ANNA).await.unwrap();
    assert!(after.is_empty(), "{after:?}");
}

#[tokio::test]
async fn identity_values_are_bound_never_spliced() {
    let shop = shop().await;
    let hostile = [Identity {
        kind: "email",
        value: "x' OR '1'='1",
    }];
    assert!(
        system()
            .access(&shop.pool, &hostile)
            .await
            .unwrap()
            .is_empty()
    );
    let outcomes = system().erase(&shop.pool, &hostile).await.unwrap();
    assert!(outcomes.iter().all(|o| o.rows == 0));
    let customers: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(&shop.pool)
        .await
        .unwrap();
    assert_eq!(customers, 2);
}

#[test]
fn declarations_that_cannot_work_are_refused_with_the_reason() {
    let cases = [
        (
            "[[table]]\nname = \"a\"\nkey = \"id\"\nparent = { column = \"x\", table = \"nope\" }\nerase = \"delete\"",
            "not declared",
        ),
        (
            "[[table]]\nname = \"a\"\nkey = \"id\"\nidentities = { email = \"email\" }\nerase = \"anonymise\"",
            "lists no `anonymise` columns",
        ),
        (
            "[[table]]\nname = \"a\"\nkey = \"id\"\nidentities = { email = \"email\" }\nerase = \"keep\"",
            "gives no `hold`",
        ),
        (
            "[[table]]\nname = \"a\"\nkey = \"id\"\nerase = \"delete\"",
            "no one can be found",
        ),
        (
            "[[table]]\nname = \"a\"\nkey = \"id\"\nparent = { column = \"b_id\", table = \"b\" }\nerase = \"delete\"\n[[table]]\nname = \"b\"\nkey = \"id\"\nparent = { column = \"a_id\", table = \"a\" }\nerase = \"delete\"",
            "cycle",
        ),
    ];
    for (declaration, words) in cases {
        let system: RelationalSystem = toml::from_str(declaration).unwrap();
        let error = system.validate().unwrap_err().to_string();
        assert!(error.contains(words), "{declaration}: {error}");
    }
}
