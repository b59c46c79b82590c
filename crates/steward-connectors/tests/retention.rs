//! The retention sweep of connected tables against real PostgreSQL and
//! MariaDB databases: people (with their times in a column with a time
//! zone, one without, and a date), their notes (deleted with them) and
//! their invoices (kept). The cutoffs come from rules of a policy, through
//! the domain's arithmetic; the controller is in Europe/Stockholm and
//! "today" is 15 March 2026.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Mutex;

use async_trait::async_trait;
use jiff::civil::{Date, date};
use sqlx::Connection;
use steward_connectors::relational::{
    ConnectorError, Dialect, Erase, RelationalConnector, RelationalSystem, TableOutcome,
};
use steward_connectors::retention::{BatchAudit, DueBefore, SweepOptions};
use steward_domain::policy::cutoff;
use steward_test_support::{FreshDatabase, Server};

const TODAY: Date = date(2026, 3, 15);

const POSTGRES: &str = r#"
    CREATE TABLE people (id serial PRIMARY KEY, email text, name text, city text,
        created_at timestamptz, created_local timestamp, created_on date,
        ended_at timestamptz, paid_on date);
    CREATE TABLE notes (id serial PRIMARY KEY, person_id int REFERENCES people(id), body text);
    CREATE TABLE invoices (id serial PRIMARY KEY, person_id int REFERENCES people(id), total numeric(10,2), issued_on date)
"#;

// TIMESTAMP NULL DEFAULT NULL: no automatic "on update" time that an
// anonymising UPDATE would move.
const MARIADB: &str = r#"
    CREATE TABLE people (id int AUTO_INCREMENT PRIMARY KEY, email varchar(200), name varchar(200), city varchar(200),
        created_at TIMESTAMP NULL DEFAULT NULL, created_local DATETIME NULL, created_on DATE NULL,
        ended_at TIMESTAMP NULL DEFAULT NULL, paid_on DATE NULL);
    CREATE TABLE notes (id int AUTO_INCREMENT PRIMARY KEY, person_id int, body text, FOREIGN KEY (person_id) REFERENCES people(id));
    CREATE TABLE invoices (id int AUTO_INCREMENT PRIMARY KEY, person_id int, total decimal(10,2), issued_on DATE NULL, FOREIGN KEY (person_id) REFERENCES people(id))
"#;

/// The declaration, with `{people}` the rest of the `people` table's
/// fields (its erasure and retention) and `{invoices}` the invoices'.
const DECLARATION: &str = r#"
[[table]]
name = "people"
key = "id"
identities = { email = "email" }
columns = { email = "contact.email", name = "contact.name", city = "contact.city", created_at = "contact.since" }
{people}

[[table]]
name = "notes"
key = "id"
parent = { column = "person_id", table = "people" }
columns = { body = "contact.note" }
erase = "delete"

[[table]]
name = "invoices"
key = "id"
parent = { column = "person_id", table = "people" }
columns = { total = "purchases" }
erase = "keep"
hold = "Bokföringslagen (1999:1078) 7 kap. 2 §"
{invoices}
"#;

const PEOPLE_DELETED: &str = "erase = \"delete\"\nanonymise = [\"email\", \"name\"]\nhold = \"Bokföringslagen (1999:1078) 7 kap. 2 §\"";

/// One person: when collected (in UTC), the same moment as Stockholm's
/// wall clock, and as Stockholm's date; when their contract ended; when
/// they paid.
struct Person {
    created_utc: &'static str,
    local: &'static str,
    ended_utc: Option<&'static str>,
    paid_on: Option<&'static str>,
}

const fn person(created_utc: &'static str, local: &'static str) -> Person {
    Person {
        created_utc,
        local,
        ended_utc: None,
        paid_on: None,
    }
}

/// Around the day boundary of a 30-day rule on 15 March 2026: collected on
/// 13 February (Stockholm) is kept through today, on 12 February is due.
const BOUNDARY: [Person; 4] = [
    // 1: 00:00:30 on 13 February in Stockholm, still 12 February in UTC.
    person("2026-02-12 23:00:30", "2026-02-13 00:00:30"),
    // 2: a minute before midnight in Stockholm on 12 February.
    person("2026-02-12 22:59:30", "2026-02-12 23:59:30"),
    // 3: long ago.
    person("2025-01-01 11:00:00", "2025-01-01 12:00:00"),
    // 4: yesterday.
    person("2026-03-14 11:00:00", "2026-03-14 12:00:00"),
];

struct Db {
    dialect: Dialect,
    url: String,
    _database: FreshDatabase,
}

async fn database(dialect: Dialect) -> Db {
    let server = match dialect {
        Dialect::Postgres => Server::Postgres,
        Dialect::MySql => Server::MariaDb,
    };
    let database = FreshDatabase::create(server, "steward_retention").await;
    let db = Db {
        dialect,
        url: database.url.clone(),
        _database: database,
    };
    let schema = match dialect {
        Dialect::Postgres => POSTGRES,
        Dialect::MySql => MARIADB,
    };
    for statement in schema.split(';') {
        db.execute(statement).await;
    }
    db
}

impl Db {
    async fn connection(&self) -> sqlx::AnyConnection {
        let mut c = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        if self.dialect == Dialect::MySql {
            // The fixture writes TIMESTAMP values in UTC.
            sqlx::query("SET time_zone = '+00:00'")
                .execute(&mut c)
                .await
                .unwrap();
        }
        c
    }

    async fn execute(&self, sql: &str) {
        let mut c = self.connection().await;
        sqlx::query(sql)
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    async fn count(&self, sql: &str) -> i64 {
        let mut c = self.connection().await;
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The ids left in `people`, in order.
    async fn people(&self) -> Vec<i64> {
        let sql = match self.dialect {
            Dialect::Postgres => "SELECT CAST(id AS BIGINT) FROM people ORDER BY id",
            Dialect::MySql => "SELECT CAST(id AS SIGNED) FROM people ORDER BY id",
        };
        let mut c = self.connection().await;
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_all(&mut c)
            .await
            .unwrap()
    }

    /// Inserts `people` (ids from 1, in order) in one statement.
    async fn add_people(&self, people: &[Person]) {
        let time = |utc: &str| match self.dialect {
            Dialect::Postgres => format!("'{utc}+00'"),
            Dialect::MySql => format!("'{utc}'"),
        };
        let rows: Vec<String> = people
            .iter()
            .enumerate()
            .map(|(n, p)| {
                format!(
                    "('person{n}@example.se', 'Person {n}', 'Uppsala', {}, '{}', '{}', {}, {})",
                    time(p.created_utc),
                    p.local,
                    &p.local[..10],
                    p.ended_utc.map_or("NULL".into(), time),
                    p.paid_on.map_or("NULL".into(), |d| format!("'{d}'")),
                )
            })
            .collect();
        for chunk in rows.chunks(1_000) {
            self.execute(&format!(
                "INSERT INTO people (email, name, city, created_at, created_local, created_on, ended_at, paid_on) VALUES {}",
                chunk.join(", ")
            ))
            .await;
        }
    }

    async fn connector(&self, people: &str, invoices: &str) -> RelationalConnector {
        let declaration = DECLARATION
            .replace("{people}", people)
            .replace("{invoices}", invoices);
        let system: RelationalSystem = toml::from_str(&declaration).unwrap();
        system.validate().unwrap();
        RelationalConnector::connect(&self.url, system)
            .await
            .unwrap()
    }
}

/// The cutoffs of a retention rule written as a policy writes it.
fn due(rule: &str) -> DueBefore {
    let source = format!(
        r#"
[policy]
id = "t"
version = "1"
effective = 2025-01-01
languages = ["en"]
[controller]
name = "T"
address = "A"
email = "p@t.se"
[[subject_type]]
id = "customer"
name = {{ en = "Customers" }}
[[category]]
id = "contact"
name = {{ en = "Contact" }}
[[purpose]]
id = "p"
name = {{ en = "P" }}
description = {{ en = "D" }}
legal_basis = "legal_obligation"
law = "Law"
categories = ["contact"]
subjects = ["customer"]
[[retention]]
id = "r"
categories = ["contact"]
purposes = ["p"]
{rule}
"#
    );
    let policy = steward_test_support::policy_from(&source);
    let c = cutoff::cutoffs(
        &policy.retention[0],
        TODAY,
        policy.controller.financial_year,
    )
    .unwrap();
    DueBefore {
        time_before: c.time,
        event_before: c.event,
        minimum_before: c.minimum,
        maximum_before: c.maximum,
        time_zone: policy.controller.time_zone.clone(),
    }
}

/// Every batch the sweep reports, as the audit log would hold it.
#[derive(Default)]
struct Audit {
    batches: Mutex<Vec<Vec<TableOutcome>>>,
    refuse: bool,
}

#[async_trait]
impl BatchAudit for Audit {
    async fn batch(&self, changes: &[TableOutcome]) -> Result<(), String> {
        if self.refuse {
            return Err("the audit log is full".into());
        }
        self.batches.lock().unwrap().push(changes.to_vec());
        Ok(())
    }
}

impl Audit {
    fn batches(&self) -> Vec<Vec<(String, Erase, u64)>> {
        self.batches
            .lock()
            .unwrap()
            .iter()
            .map(|b| {
                b.iter()
                    .map(|c| (c.table.clone(), c.action, c.rows))
                    .collect()
            })
            .collect()
    }
}

const RUN: SweepOptions = SweepOptions {
    batch: 1_000,
    dry_run: false,
};
const DRY: SweepOptions = SweepOptions {
    batch: 1_000,
    dry_run: true,
};

fn retention(fields: &str) -> String {
    format!("retention = {{ rule = \"r\", {fields} }}")
}

macro_rules! on_both_databases {
    ($($test:ident),* $(,)?) => {
        mod on_postgres {
            $(#[tokio::test] async fn $test() { super::$test(super::Dialect::Postgres).await })*
        }
        mod on_mariadb {
            $(#[tokio::test] async fn $test() { super::$test(super::Dialect::MySql).await })*
        }
    };
}

on_both_databases!(
    rows_past_the_period_go_in_batches_and_newer_rows_stay,
    the_day_ends_at_midnight_where_the_controller_is_for_every_column_type,
    a_period_after_an_event_waits_for_the_event,
    minimum_and_maximum_windows_bound_the_sweep,
    anonymise_clears_only_the_listed_columns,
    keep_counts_and_changes_nothing,
    a_row_a_kept_row_refers_to_is_cleared_and_goes_when_that_row_has_gone,
    the_sweep_may_delete_what_erasure_keeps_once_the_law_period_ends,
    a_batch_the_audit_refuses_is_rolled_back,
    a_time_column_that_is_no_date_is_named,
);

async fn rows_past_the_period_go_in_batches_and_newer_rows_stay(dialect: Dialect) {
    let db = database(dialect).await;
    let mut people: Vec<Person> = (0..2_500)
        .map(|_| person("2023-05-01 10:00:00", "2023-05-01 12:00:00"))
        .collect();
    people.extend((0..500).map(|_| person("2026-03-01 10:00:00", "2026-03-01 11:00:00")));
    db.add_people(&people).await;
    let connector = db
        .connector(
            &format!(
                "{PEOPLE_DELETED}\n{}",
                retention("time_column = \"created_at\"")
            ),
            "",
        )
        .await;
    let rule = due("period = \"24 months\"");
    let audit = Audit::default();

    let dry = connector.sweep("people", &rule, DRY, &audit).await.unwrap();
    assert_eq!((dry.due, dry.acted, dry.batches), (2_500, 0, 0));
    assert!(audit.batches().is_empty(), "a dry run audits nothing");
    assert_eq!(db.count("SELECT count(*) FROM people").await, 3_000);

    let run = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!((run.due, run.acted, run.batches), (2_500, 2_500, 3));
    assert_eq!(run.action, Erase::Delete);
    let batches = audit.batches();
    let per_batch: Vec<u64> = batches.iter().map(|b| b[0].2).collect();
    assert_eq!(per_batch, [1_000, 1_000, 500], "{batches:?}");
    assert!(
        batches
            .iter()
            .flatten()
            .all(|c| c.0 == "people" && c.1 == Erase::Delete)
    );
    assert_eq!(db.count("SELECT count(*) FROM people").await, 500);
    assert_eq!(
        db.count("SELECT count(*) FROM people WHERE created_on < '2026-01-01'")
            .await,
        0
    );

    let again = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!((again.due, again.acted, again.batches), (0, 0, 0));
    assert_eq!(audit.batches().len(), 3, "nothing more audited");
}

async fn the_day_ends_at_midnight_where_the_controller_is_for_every_column_type(dialect: Dialect) {
    let rule = due("period = \"30 days\"");
    assert_eq!(rule.time_before, Some(date(2026, 2, 13)));
    for column in ["created_at", "created_local", "created_on"] {
        let db = database(dialect).await;
        db.add_people(&BOUNDARY).await;
        let connector = db
            .connector(
                &format!(
                    "{PEOPLE_DELETED}\n{}",
                    retention(&format!("time_column = \"{column}\""))
                ),
                "",
            )
            .await;
        let audit = Audit::default();
        let dry = connector.sweep("people", &rule, DRY, &audit).await.unwrap();
        let run = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
        assert_eq!((dry.due, run.due, run.acted), (2, 2, 2), "{column}");
        // Collected 00:00:30 on 13 February in Stockholm: kept through
        // today; a minute before that midnight: gone.
        assert_eq!(db.people().await, [1, 4], "{column}");
    }
}

async fn a_period_after_an_event_waits_for_the_event(dialect: Dialect) {
    let db = database(dialect).await;
    let long_ago = "2020-01-01 12:00:00";
    db.add_people(&[
        // 1: the contract has not ended.
        person(long_ago, long_ago),
        // 2: ended 23:30 on 14 March 2025 in Stockholm: 12 months ran out yesterday.
        Person {
            ended_utc: Some("2025-03-14 22:30:00"),
            ..person(long_ago, long_ago)
        },
        // 3: ended 00:30 on 15 March 2025 in Stockholm: kept through today.
        Person {
            ended_utc: Some("2025-03-14 23:30:00"),
            ..person(long_ago, long_ago)
        },
    ])
    .await;
    let connector = db
        .connector(
            &format!(
                "{PEOPLE_DELETED}\n{}",
                retention("time_column = \"created_at\", event_column = \"ended_at\"")
            ),
            "",
        )
        .await;
    let rule = due("period = \"12 months\"\nafter = \"contract_end\"");
    assert_eq!(
        (rule.time_before, rule.event_before),
        (None, Some(date(2025, 3, 15)))
    );
    let audit = Audit::default();
    let run = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!((run.due, run.acted), (1, 1));
    assert_eq!(db.people().await, [1, 3]);
}

async fn minimum_and_maximum_windows_bound_the_sweep(dialect: Dialect) {
    let db = database(dialect).await;
    let paid = |created: &'static str, paid: Option<&'static str>| Person {
        paid_on: paid,
        ..person(created, created)
    };
    db.add_people(&[
        // 1: paid, but the 6 months' minimum runs to 1 April.
        paid("2025-10-01 12:00:00", Some("2025-10-05")),
        // 2: paid, and the minimum ended yesterday.
        paid("2025-09-14 12:00:00", Some("2025-09-20")),
        // 3: never paid, and the 24 months' maximum ended yesterday.
        paid("2024-03-14 12:00:00", None),
        // 4: never paid, the maximum ends today.
        paid("2024-03-15 12:00:00", None),
        // 5: paid today: kept through today.
        paid("2024-06-01 12:00:00", Some("2026-03-15")),
        // 6: paid yesterday.
        paid("2024-06-01 12:00:00", Some("2026-03-14")),
    ])
    .await;
    let connector = db
        .connector(
            &format!(
                "{PEOPLE_DELETED}\n{}",
                retention("time_column = \"created_at\", event_column = \"paid_on\"")
            ),
            "",
        )
        .await;
    let rule = due(
        "period = \"0 days\"\nafter = \"invoice_paid\"\nminimum = \"6 months\"\nmaximum = \"24 months\"",
    );
    let audit = Audit::default();
    let dry = connector.sweep("people", &rule, DRY, &audit).await.unwrap();
    let run = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!((dry.due, run.acted), (3, 3));
    assert_eq!(db.people().await, [1, 4, 5]);
}

async fn anonymise_clears_only_the_listed_columns(dialect: Dialect) {
    let db = database(dialect).await;
    db.add_people(&BOUNDARY).await;
    let connector = db
        .connector(
            &format!(
                "erase = \"anonymise\"\nanonymise = [\"email\", \"name\"]\n{}",
                retention("time_column = \"created_at\"")
            ),
            "",
        )
        .await;
    let rule = due("period = \"30 days\"");
    let audit = Audit::default();
    let dry = connector.sweep("people", &rule, DRY, &audit).await.unwrap();
    let run = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!((dry.due, run.acted, run.action), (2, 2, Erase::Anonymise));
    assert_eq!(db.people().await, [1, 2, 3, 4], "the rows stay");
    assert_eq!(
        db.count("SELECT count(*) FROM people WHERE email IS NULL AND name IS NULL AND city = 'Uppsala' AND created_at IS NOT NULL AND id IN (2, 3)").await,
        2,
        "only the listed columns cleared"
    );
    assert_eq!(
        db.count("SELECT count(*) FROM people WHERE email IS NOT NULL AND name IS NOT NULL AND id IN (1, 4)").await,
        2
    );
    assert_eq!(
        audit.batches(),
        [[("people".to_owned(), Erase::Anonymise, 2)]]
    );
    let again = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!((again.due, again.acted), (0, 0), "cleared rows are done");
}

async fn keep_counts_and_changes_nothing(dialect: Dialect) {
    let db = database(dialect).await;
    db.add_people(&BOUNDARY).await;
    let connector = db
        .connector(
            &format!(
                "erase = \"keep\"\nhold = \"A court's order\"\n{}",
                retention("time_column = \"created_at\"")
            ),
            "",
        )
        .await;
    let rule = due("period = \"30 days\"");
    let audit = Audit::default();
    let run = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!((run.due, run.acted, run.action), (2, 0, Erase::Keep));
    assert_eq!(run.hold.as_deref(), Some("A court's order"));
    assert!(audit.batches().is_empty());
    assert_eq!(
        db.count("SELECT count(*) FROM people WHERE email IS NOT NULL")
            .await,
        4
    );
}

async fn a_row_a_kept_row_refers_to_is_cleared_and_goes_when_that_row_has_gone(dialect: Dialect) {
    let db = database(dialect).await;
    db.add_people(&BOUNDARY).await;
    // Person 2 has an invoice (kept); person 3 notes (deleted with them).
    db.execute("INSERT INTO invoices (person_id, total, issued_on) VALUES (2, 100, '2026-02-12')")
        .await;
    db.execute(
        "INSERT INTO notes (person_id, body) VALUES (3, 'called'), (3, 'called again'), (4, 'new')",
    )
    .await;
    let connector = db
        .connector(
            &format!(
                "{PEOPLE_DELETED}\n{}",
                retention("time_column = \"created_at\"")
            ),
            "",
        )
        .await;
    let rule = due("period = \"30 days\"");
    let audit = Audit::default();
    let dry = connector.sweep("people", &rule, DRY, &audit).await.unwrap();
    let run = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!((dry.due, run.due, run.acted), (2, 2, 2));
    let changes: Vec<(&str, Erase, u64)> = run
        .changes
        .iter()
        .map(|c| (c.table.as_str(), c.action, c.rows))
        .collect();
    assert_eq!(
        changes,
        [
            ("people", Erase::Anonymise, 1),
            ("people", Erase::Delete, 1),
            ("notes", Erase::Delete, 2),
            ("invoices", Erase::Keep, 1),
        ]
    );
    assert_eq!(db.people().await, [1, 2, 4]);
    assert_eq!(
        db.count("SELECT count(*) FROM people WHERE id = 2 AND email IS NULL AND name IS NULL")
            .await,
        1,
        "kept for its invoice, without the e-mail address and the name"
    );
    assert_eq!(db.count("SELECT count(*) FROM notes").await, 1);
    assert_eq!(db.count("SELECT count(*) FROM invoices").await, 1);

    let again = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!(
        (again.due, again.acted),
        (0, 0),
        "a second sweep finds nothing"
    );
    // Once the invoice has gone, so does the rest of person 2.
    db.execute("DELETE FROM invoices").await;
    let later = connector.sweep("people", &rule, RUN, &audit).await.unwrap();
    assert_eq!((later.due, later.acted), (1, 1));
    assert_eq!(db.people().await, [1, 4]);
}

async fn the_sweep_may_delete_what_erasure_keeps_once_the_law_period_ends(dialect: Dialect) {
    let db = database(dialect).await;
    db.add_people(&BOUNDARY).await;
    db.execute(
        "INSERT INTO invoices (person_id, total, issued_on) VALUES (1, 10, '2018-12-31'), (1, 20, '2019-01-01'), (4, 30, '2018-06-01')",
    )
    .await;
    let connector = db
        .connector(
            PEOPLE_DELETED,
            &retention("time_column = \"issued_on\", erase = \"delete\""),
        )
        .await;
    // Bokföringslagen: the seventh year after the financial year's end.
    let rule =
        due("period = \"7 years\"\nafter = \"financial_year_end\"\ncalendar_year_end = true");
    assert_eq!(rule.time_before, Some(date(2019, 1, 1)));
    let audit = Audit::default();
    let run = connector
        .sweep("invoices", &rule, RUN, &audit)
        .await
        .unwrap();
    assert_eq!((run.due, run.acted, run.action), (2, 2, Erase::Delete));
    assert_eq!(
        db.count("SELECT count(*) FROM invoices WHERE issued_on = '2019-01-01'")
            .await,
        1
    );
    assert_eq!(db.count("SELECT count(*) FROM invoices").await, 1);
    assert_eq!(
        db.people().await,
        [1, 2, 3, 4],
        "the people are not this rule's"
    );
}

async fn a_batch_the_audit_refuses_is_rolled_back(dialect: Dialect) {
    let db = database(dialect).await;
    db.add_people(&BOUNDARY).await;
    let connector = db
        .connector(
            &format!(
                "{PEOPLE_DELETED}\n{}",
                retention("time_column = \"created_at\"")
            ),
            "",
        )
        .await;
    let audit = Audit {
        refuse: true,
        ..Audit::default()
    };
    let error = connector
        .sweep("people", &due("period = \"30 days\""), RUN, &audit)
        .await
        .unwrap_err();
    assert!(matches!(error, ConnectorError::Audit(_)), "{error}");
    assert_eq!(db.people().await, [1, 2, 3, 4]);
}

async fn a_time_column_that_is_no_date_is_named(dialect: Dialect) {
    let db = database(dialect).await;
    for (column, expected) in [
        (
            "city",
            "table `people`: `retention.time_column` is `city`, of type",
        ),
        (
            "created",
            "table `people` has no column `created` (its `retention.time_column`)",
        ),
    ] {
        let connector = db
            .connector(
                &format!(
                    "{PEOPLE_DELETED}\n{}",
                    retention(&format!("time_column = \"{column}\""))
                ),
                "",
            )
            .await;
        let error = connector
            .sweep(
                "people",
                &due("period = \"30 days\""),
                DRY,
                &Audit::default(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&error, ConnectorError::Declaration(m) if m.contains(expected)),
            "{error}"
        );
    }
}

#[test]
fn retention_declarations_that_cannot_work_are_refused_with_the_reason() {
    let table = |fields: &str| {
        format!(
            "[[table]]\nname = \"people\"\nkey = \"id\"\nidentities = {{ email = \"email\" }}\nerase = \"delete\"\n{fields}"
        )
    };
    let cases = [
        (
            table("retention = { time_column = \"created_at\" }"),
            "table `people`: `retention` needs `rule`",
        ),
        (
            table("retention = { rule = \"r\" }"),
            "table `people`: `retention` needs `time_column`",
        ),
        (
            table("retention = { rule = \"r\", time_column = \"email\" }"),
            "table `people`: `retention.time_column` is `email`, which is an identity column",
        ),
        (
            table("retention = { rule = \"r\", time_column = \"at\", event_column = \"at\" }"),
            "table `people`: `retention.event_column` is `time_column` (`at`)",
        ),
        (
            table(
                "retention = { rule = \"r\", time_column = \"at\", time_zone = \"Mars/Olympus\" }",
            ),
            "table `people`: `retention.time_zone` is `Mars/Olympus`, which is no time zone",
        ),
        (
            table("retention = { rule = \"r\", time_column = \"at\", erase = \"anonymise\" }"),
            "table `people`: `retention.erase` is `anonymise` but the table lists no `anonymise` columns",
        ),
    ];
    for (declaration, words) in cases {
        let system: RelationalSystem = toml::from_str(&declaration).unwrap();
        let error = system.validate().unwrap_err().to_string();
        assert!(error.contains(words), "{declaration}:\n{error}");
    }
}
