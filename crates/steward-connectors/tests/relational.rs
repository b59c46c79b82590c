//! The relational connector against a real PostgreSQL database: a small shop
//! with customers, orders and their lines, support tickets and a newsletter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sqlx::Connection;
use steward_connectors::Identity;
use steward_connectors::relational::{Dialect, Erase, RelationalConnector, RelationalSystem};
use steward_test_support::{FreshDatabase, Server};

#[path = "relational/tls.rs"]
mod tls;

const SHOP: &str = r#"
[[table]]
name = "customers"
key = "id"
identities = { email = "email", phone = "phone" }
# Stored as typed ("Anna@Example.se"): compared case-insensitively.
fold_case = ["email"]
columns = { name = "contact.name", email = "contact.email", phone = "contact.phone" }
erase = "delete"

[[table]]
name = "orders"
key = "id"
parent = { column = "customer_id", table = "customers" }
columns = { total = "order.details", placed = "order.details", delivery_address = "contact.address" }
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
# Found through the customer, or by the address a guest wrote from.
parent = { column = "customer_id", table = "customers" }
identities = { guest_email = "email" }
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
    connector: RelationalConnector,
    /// Dropped when the test ends.
    database: FreshDatabase,
}

const POSTGRES_SHOP: &str = r#"
    CREATE TABLE customers (id serial PRIMARY KEY, email text, name text, phone text);
    CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric, placed date DEFAULT '2026-01-02', delivery_address text);
    CREATE TABLE order_lines (id serial PRIMARY KEY, order_id int REFERENCES orders(id), product text);
    CREATE TABLE tickets (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), guest_email text, body text);
    CREATE TABLE newsletter (id serial PRIMARY KEY, "e""mail" text);
    INSERT INTO newsletter ("e""mail") VALUES ('anna@example.se'), ('bob@example.se');
"#;

const MARIADB_SHOP: &str = r#"
    CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, email varchar(200), name varchar(200), phone varchar(50));
    CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, customer_id int NULL, total decimal(10,2), placed date DEFAULT '2026-01-02', delivery_address varchar(200), FOREIGN KEY (customer_id) REFERENCES customers(id));
    CREATE TABLE order_lines (id int AUTO_INCREMENT PRIMARY KEY, order_id int, product varchar(200), FOREIGN KEY (order_id) REFERENCES orders(id));
    CREATE TABLE tickets (id int AUTO_INCREMENT PRIMARY KEY, customer_id int, guest_email varchar(200), body text, FOREIGN KEY (customer_id) REFERENCES customers(id));
    CREATE TABLE newsletter (id int AUTO_INCREMENT PRIMARY KEY, `e"mail` varchar(200));
    INSERT INTO newsletter (`e"mail`) VALUES ('anna@example.se'), ('bob@example.se');
"#;

const SHOP_DATA: &str = r#"
    INSERT INTO customers (email, name, phone) VALUES ('Anna@Example.se', 'Anna', '+46701234567'), ('bob@example.se', 'Bob', '+46709999999');
    INSERT INTO orders (customer_id, total, delivery_address) VALUES (1, 100, 'Storgatan 1'), (1, 250, 'Storgatan 1'), (2, 75, 'Lillgatan 2');
    INSERT INTO order_lines (order_id, product) VALUES (1, 'lamp'), (2, 'sofa'), (2, 'rug'), (3, 'chair');
    INSERT INTO tickets (customer_id, guest_email, body) VALUES (1, NULL, 'my lamp is broken'), (2, NULL, 'where is my chair'), (NULL, 'anna@example.se', 'before I had an account');
"#;

/// A fresh database with Anna's and Bob's data.
async fn shop(dialect: Dialect) -> Shop {
    shop_with(dialect, str::to_owned).await
}

/// As [`shop`], the connector on the URL `connect_to` makes of the database's.
async fn shop_with(dialect: Dialect, connect_to: impl FnOnce(&str) -> String) -> Shop {
    let server = match dialect {
        Dialect::Postgres => Server::Postgres,
        Dialect::MySql => Server::MariaDb,
    };
    let database = FreshDatabase::create(server, "steward_shop").await;
    let url = database.url.clone();
    let mut db = sqlx::AnyConnection::connect(&url).await.unwrap();
    let schema = match dialect {
        Dialect::Postgres => POSTGRES_SHOP,
        Dialect::MySql => MARIADB_SHOP,
    };
    for statement in schema
        .split(';')
        .chain(SHOP_DATA.split(';'))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        sqlx::query(statement)
            .execute(&mut db)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    let system: RelationalSystem = toml::from_str(SHOP).unwrap();
    let connector = RelationalConnector::connect(&connect_to(&url), system)
        .await
        .unwrap();
    Shop {
        connector,
        database,
    }
}

async fn count(shop: &Shop, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(shop.connector_pool())
        .await
        .unwrap()
}

trait PoolOf {
    fn connector_pool(&self) -> &sqlx::AnyPool;
}

impl PoolOf for Shop {
    fn connector_pool(&self) -> &sqlx::AnyPool {
        self.connector.pool()
    }
}

macro_rules! on_both_databases {
    ($($test:ident),* $(,)?) => {
        mod on_postgres {
            $(#[tokio::test] async fn $test() { super::$test(super::shop(super::Dialect::Postgres).await).await })*
        }
        mod on_mariadb {
            $(#[tokio::test] async fn $test() { super::$test(super::shop(super::Dialect::MySql).await).await })*
        }
    };
}

on_both_databases!(
    access_gathers_the_person_from_every_table_and_no_one_else,
    erasure_does_what_each_table_declares_and_leaves_others_alone,
    identity_values_are_bound_never_spliced,
    a_declared_column_the_database_lacks_is_named_when_connecting,
);

async fn a_declared_column_the_database_lacks_is_named_when_connecting(shop: Shop) {
    let url = shop.database.url.clone();
    for (declaration, expected) in [
        (
            SHOP.replace(
                "identities = { email = \"email\", phone",
                "identities = { emial = \"email\", phone",
            ),
            "table `customers` has no column `emial`",
        ),
        (
            SHOP.replace("name = \"tickets\"", "name = \"ticket\""),
            "table `ticket` is not in the database",
        ),
    ] {
        let system: RelationalSystem = toml::from_str(&declaration).unwrap();
        let error = RelationalConnector::connect(&url, system)
            .await
            .err()
            .expect("the declaration does not match the database");
        assert!(
            matches!(&error, steward_connectors::relational::ConnectorError::Declaration(m) if m == expected),
            "{error}"
        );
    }
    // MySQL's column names ignore case; PostgreSQL's quoted ones do not.
    let upper = SHOP.replacen(
        "columns = { name = \"contact.name\"",
        "columns = { NAME = \"contact.name\"",
        1,
    );
    let connected = RelationalConnector::connect(&url, toml::from_str(&upper).unwrap()).await;
    assert_eq!(
        connected.is_ok(),
        shop.connector.dialect() == Dialect::MySql,
        "{:?}",
        connected.err()
    );
}

const ANNA: [Identity<'static>; 1] = [Identity {
    kind: "email",
    value: "anna@example.se",
}];

async fn access_gathers_the_person_from_every_table_and_no_one_else(shop: Shop) {
    let found = shop.connector.access(&ANNA).await.unwrap();
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
            ("tickets", 2),
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
    assert_eq!(customer.data["name"].category, "contact.name");
    assert_eq!(customer.data["name"].value, "Anna");
    let order = found.iter().find(|r| r.table == "orders").unwrap();
    assert_eq!(
        (
            &order.data["total"].category,
            &order.data["placed"].category
        ),
        (&"order.details".to_owned(), &"order.details".to_owned()),
        "two columns of one category are both found"
    );
    // Found by phone too.
    let by_phone = shop
        .connector
        .access(&[Identity {
            kind: "phone",
            value: "+46701234567",
        }])
        .await
        .unwrap();
    assert_eq!(by_phone.iter().filter(|r| r.table == "orders").count(), 2);
    // By both at once (values bound through nested parent subqueries), and
    // with Bob's address too: each row once, everyone's rows found.
    let both = shop
        .connector
        .access(&[
            Identity {
                kind: "phone",
                value: "+46701234567",
            },
            Identity {
                kind: "email",
                value: "anna@example.se",
            },
            Identity {
                kind: "email",
                value: "bob@example.se",
            },
        ])
        .await
        .unwrap();
    let count = |table: &str| both.iter().filter(|r| r.table == table).count();
    assert_eq!(
        (count("customers"), count("orders"), count("order_lines")),
        (2, 3, 4)
    );
}

async fn erasure_does_what_each_table_declares_and_leaves_others_alone(shop: Shop) {
    let outcomes = shop.connector.erase(&ANNA).await.unwrap();
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
            // Found both ways, listed and counted once.
            ("tickets", Erase::Delete, 2),
            ("order_lines", Erase::Keep, 3),
        ]
    );
    assert_eq!(
        outcomes[4].hold.as_deref(),
        Some("Bokföringslagen (1999:1078) 7 kap. 2 §")
    );
    assert_eq!(
        count(&shop, "SELECT count(*) FROM customers WHERE name = 'Anna'").await,
        0
    );
    assert_eq!(
        count(
            &shop,
            "SELECT count(*) FROM orders WHERE delivery_address IS NULL AND customer_id IS NULL"
        )
        .await,
        2,
        "kept for the books, without her"
    );
    assert_eq!(count(&shop, "SELECT count(*) FROM order_lines").await, 4);
    assert_eq!(count(&shop, "SELECT count(*) FROM tickets").await, 1);
    // Bob is untouched.
    assert_eq!(
        count(&shop, "SELECT count(*) FROM customers WHERE name = 'Bob'").await,
        1
    );
    assert_eq!(
        count(
            &shop,
            "SELECT count(*) FROM orders WHERE delivery_address = 'Lillgatan 2'"
        )
        .await,
        1
    );
    // Nothing of Anna is found any more.
    let after = shop.connector.access(&ANNA).await.unwrap();
    assert!(after.is_empty(), "{after:?}");
}

async fn identity_values_are_bound_never_spliced(shop: Shop) {
    let hostile = [Identity {
        kind: "email",
        value: "x' OR '1'='1",
    }];
    assert!(shop.connector.access(&hostile).await.unwrap().is_empty());
    let outcomes = shop.connector.erase(&hostile).await.unwrap();
    assert!(outcomes.iter().all(|o| o.rows == 0));
    assert_eq!(count(&shop, "SELECT count(*) FROM customers").await, 2);
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
