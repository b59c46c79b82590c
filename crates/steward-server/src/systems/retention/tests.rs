//! A table's `retention` checked against the policy (the errors `policy
//! check` prints), and the sweep of a connected PostgreSQL table through
//! `Systems`, each changing batch audited.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use jiff::civil::date;
use sqlx::Connection;
use steward_domain::policy::Policy;

use super::{RetentionAudit, SweepAction, SweepError, SweptBatch};
use crate::systems::Systems;

/// A shop whose support tickets are kept 24 months; `{tickets}` is the
/// rest of the tickets table's declaration.
const POLICY: &str = r#"
[policy]
id = "shop"
version = "1"
effective = 2025-01-01
languages = ["en"]
[controller]
name = "Shop AB"
address = "Box 1, Stockholm"
email = "privacy@shop.se"
[[subject_type]]
id = "customer"
name = { en = "Customers" }
[[category]]
id = "contact"
name = { en = "Contact details" }
[[category]]
id = "contact.email"
name = { en = "E-mail address" }
[[category]]
id = "support"
name = { en = "Support tickets" }
[[category]]
id = "purchases"
name = { en = "Purchases" }
[[purpose]]
id = "tickets"
name = { en = "tickets" }
description = { en = "We answer your questions." }
legal_basis = "contract"
categories = ["contact", "support"]
subjects = ["customer"]
[[purpose]]
id = "agreements"
name = { en = "agreements" }
description = { en = "We answer your questions." }
legal_basis = "contract"
categories = ["contact", "support"]
subjects = ["customer"]
[[purpose]]
id = "leads"
name = { en = "leads" }
description = { en = "We answer your questions." }
legal_basis = "contract"
categories = ["contact", "support"]
subjects = ["customer"]
[[purpose]]
id = "disputes"
name = { en = "disputes" }
description = { en = "We answer your questions." }
legal_basis = "contract"
categories = ["contact", "support"]
subjects = ["customer"]
[[purpose]]
id = "messages_only"
name = { en = "messages_only" }
description = { en = "We answer your questions." }
legal_basis = "contract"
categories = ["support"]
subjects = ["customer"]
[[purpose]]
id = "everything"
name = { en = "everything" }
description = { en = "We answer your questions." }
legal_basis = "contract"
categories = ["contact", "support", "purchases"]
subjects = ["customer"]
[[purpose]]
id = "flagged"
name = { en = "flagged" }
description = { en = "We answer your questions." }
legal_basis = "contract"
categories = ["contact", "support"]
subjects = ["customer"]
[[purpose]]
id = "bookkeeping"
name = { en = "Bookkeeping" }
description = { en = "We keep our books." }
legal_basis = "legal_obligation"
law = "Bokföringslagen (1999:1078)"
categories = ["purchases"]
subjects = ["customer"]
[[retention]]
id = "tickets"
categories = ["support", "contact"]
purposes = ["tickets"]
period = "24 months"
[[retention]]
id = "agreements"
categories = ["support", "contact"]
purposes = ["agreements"]
period = "120 months"
after = "contract_end"
[[retention]]
id = "leads"
categories = ["support", "contact"]
purposes = ["leads"]
period = "13 months"
unless = "relationship_start"
[[retention]]
id = "disputes"
categories = ["support", "contact"]
purposes = ["disputes"]
indefinite = true
justification = { en = "Until the dispute is settled." }
[[retention]]
id = "messages_only"
categories = ["support"]
purposes = ["messages_only"]
period = "6 months"
[[retention]]
id = "books"
categories = ["purchases"]
purposes = ["bookkeeping"]
period = "7 years"
after = "financial_year_end"
calendar_year_end = true
law = "Bokföringslagen (1999:1078) 7 kap. 2 §"
[[retention]]
id = "everything"
categories = ["support", "contact", "purchases"]
purposes = ["everything"]
period = "24 months"
[[retention]]
id = "flagged"
categories = ["support", "contact"]
purposes = ["flagged"]
period = "24 months"
action = "review"
[[system]]
id = "helpdesk"
name = { en = "Helpdesk" }
categories = ["contact", "support", "purchases"]
[system.connector]
type = "postgres"
url_env = "HELPDESK_URL"
[[system.connector.table]]
name = "tickets"
key = "id"
identities = { email = "email" }
columns = {columns}
{tickets}
"#;

const COLUMNS: &str = r#"{ email = "contact.email", body = "support" }"#;

fn policy(tickets: &str) -> Policy {
    policy_with_columns(COLUMNS, tickets)
}

fn policy_with_columns(columns: &str, tickets: &str) -> Policy {
    let text = POLICY
        .replace("{columns}", columns)
        .replace("{tickets}", tickets);
    let report = steward_domain::check(&text);
    match report.policy {
        Some(policy) if report.errors() == 0 => policy,
        _ => panic!("{:?}", report.diagnostics),
    }
}

fn refusal(tickets: &str) -> String {
    match Systems::from_policy(&policy(tickets), &HashMap::new()) {
        Ok(_) => panic!("accepted: {tickets}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_good_declaration_is_accepted() {
    for tickets in [
        "erase = \"delete\"\nretention = { rule = \"tickets\", time_column = \"created_at\" }",
        "erase = \"delete\"\nretention = { rule = \"agreements\", time_column = \"created_at\", event_column = \"ended_at\", time_zone = \"UTC\" }",
        "erase = \"anonymise\"\nanonymise = [\"email\"]\nretention = { rule = \"tickets\", time_column = \"created_at\" }",
    ] {
        let built = Systems::from_policy(&policy(tickets), &HashMap::new());
        assert!(built.is_ok(), "{tickets}: {:?}", built.err());
    }
}

#[test]
fn declarations_the_policy_cannot_back_are_refused_naming_system_table_and_field() {
    let cases = [
        (
            "erase = \"delete\"\nretention = { rule = \"ticket\", time_column = \"created_at\" }",
            "system `helpdesk`: table `tickets`: `retention.rule` is `ticket`, which is no retention rule of the policy (its rules: `tickets`, `agreements`, `leads`, `disputes`, `messages_only`, `books`, `everything`, `flagged`)",
        ),
        (
            "erase = \"delete\"\nretention = { rule = \"disputes\", time_column = \"created_at\" }",
            "system `helpdesk`: table `tickets`: retention rule `disputes` is indefinite: it never ends, so there is nothing to sweep; remove `retention` from the table (its rows stay under the rule's justification)",
        ),
        (
            "erase = \"delete\"\nretention = { rule = \"leads\", time_column = \"created_at\" }",
            "system `helpdesk`: table `tickets`: retention rule `leads` stops applying `unless` relationship_start happens first, which a table's dates cannot tell; a table can follow only a rule without `unless`",
        ),
        (
            "erase = \"delete\"\nretention = { rule = \"agreements\", time_column = \"created_at\" }",
            "system `helpdesk`: table `tickets`: retention rule `agreements` counts from `contract_end`, so `retention` needs `event_column`: the date or timestamp column holding when it happened (NULL while it has not)",
        ),
        (
            "erase = \"delete\"\nretention = { rule = \"tickets\", time_column = \"created_at\", event_column = \"closed_at\" }",
            "system `helpdesk`: table `tickets`: `retention.event_column` is `closed_at`, but retention rule `tickets` counts from collection, not from an event; remove `event_column`, or name a rule that counts `after` an event",
        ),
        (
            "erase = \"delete\"\nretention = { rule = \"messages_only\", time_column = \"created_at\" }",
            "system `helpdesk`: table `tickets`: retention rule `messages_only` does not cover `contact.email` (column `email`) that the sweep deletes; its categories are `support`: add them to the rule, or declare the table under a rule that covers them",
        ),
        (
            "erase = \"delete\"\nretention = { rule = \"tickets\" }",
            "system `helpdesk`: system declaration: table `tickets`: `retention` needs `time_column`, the date or timestamp column holding when each row was collected",
        ),
        (
            "erase = \"delete\"\nretention = { rule = \"tickets\", time_colum = \"created_at\" }",
            "system `helpdesk`: table `tickets`: unknown field `time_colum`, expected one of `rule`, `time_column`, `event_column`, `erase`, `time_zone`",
        ),
    ];
    for (tickets, expected) in cases {
        assert_eq!(refusal(tickets), expected, "{tickets}");
    }
}

#[test]
fn a_sweep_that_deletes_what_erasure_keeps_may_not_delete_what_another_law_keeps() {
    let columns = r#"{ email = "contact.email", body = "support", total = "purchases" }"#;
    let kept = "erase = \"keep\"\nhold = \"Bokföringslagen\"\n";
    let refused = Systems::from_policy(
        &policy_with_columns(
            columns,
            &format!(
                "{kept}retention = {{ rule = \"everything\", time_column = \"created_at\", erase = \"delete\" }}"
            ),
        ),
        &HashMap::new(),
    );
    assert_eq!(
        refused.err().map(|e| e.to_string()).as_deref(),
        Some(
            "system `helpdesk`: table `tickets`: the sweep under retention rule `everything` deletes column `total` (purchases), which retention rule `books` keeps (Bokföringslagen (1999:1078) 7 kap. 2 §); declare the table under the rule that keeps it longest"
        )
    );
    // Under the law's own rule, the rows go when it ends.
    let books = r#"{ total = "purchases" }"#;
    let accepted = Systems::from_policy(
        &policy_with_columns(
            books,
            &format!(
                "{kept}retention = {{ rule = \"books\", time_column = \"created_at\", erase = \"delete\" }}"
            ),
        ),
        &HashMap::new(),
    );
    assert!(accepted.is_ok(), "{:?}", accepted.err());
}

/// A database of its own on the machine's PostgreSQL, dropped at the end.
struct Database {
    admin: String,
    name: String,
    url: String,
}

impl Database {
    async fn create() -> Self {
        sqlx::any::install_default_drivers();
        let admin = std::env::var("STEWARD_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("steward_sweep_{}", uuid::Uuid::new_v4().simple());
        let mut c = sqlx::AnyConnection::connect(&admin)
            .await
            .expect("PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await
            .expect("create");
        let url = format!("{}/{name}", admin.rsplit_once('/').expect("/db").0);
        Self { admin, name, url }
    }

    async fn run(&self, sql: &str) -> i64 {
        let mut c = sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("connect");
        if sql.starts_with("SELECT") {
            sqlx::query_scalar(sql).fetch_one(&mut c).await.expect(sql)
        } else {
            sqlx::query(sql).execute(&mut c).await.expect(sql);
            0
        }
    }

    async fn drop(self) {
        if let Ok(mut c) = sqlx::AnyConnection::connect(&self.admin).await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut c)
            .await;
        }
    }
}

#[derive(Default)]
struct Log {
    entries: Mutex<Vec<serde_json::Value>>,
    refuse: bool,
}

#[async_trait]
impl RetentionAudit for Log {
    async fn record(&self, batch: SweptBatch<'_>) -> Result<(), String> {
        if self.refuse {
            return Err("the disk is full".into());
        }
        self.entries.lock().expect("log").push(batch.detail());
        Ok(())
    }
}

#[tokio::test]
async fn the_systems_sweep_audits_each_batch_and_a_dry_run_changes_nothing() {
    let db = Database::create().await;
    db.run("CREATE TABLE tickets (id serial PRIMARY KEY, email text, body text, created_at timestamptz)")
        .await;
    // Three tickets from 2023, one from last week.
    db.run("INSERT INTO tickets (email, body, created_at) VALUES ('a@x.se', 'help', '2023-01-01 10:00+00'), ('b@x.se', 'help', '2023-06-01 10:00+00'), ('c@x.se', 'help', '2023-09-01 10:00+00'), ('d@x.se', 'help', '2026-03-08 10:00+00')")
        .await;
    let environment = HashMap::from([("HELPDESK_URL".to_owned(), db.url.clone())]);
    let today = date(2026, 3, 15);
    let policy = policy(
        "erase = \"delete\"\nretention = { rule = \"tickets\", time_column = \"created_at\" }",
    );
    let systems = Systems::from_policy(&policy, &environment).expect("systems");
    let log = Log::default();

    let dry = systems
        .sweep_retention(&policy, today, true, 2, &log)
        .await
        .expect("dry run");
    assert_eq!(dry.len(), 1);
    let table = &dry[0];
    assert_eq!(
        (
            table.system.as_str(),
            table.table.as_str(),
            table.rule.as_str()
        ),
        ("helpdesk", "tickets", "tickets")
    );
    assert_eq!(
        (table.action, table.due, table.acted),
        (SweepAction::Delete, 3, 0)
    );
    assert!(log.entries.lock().expect("log").is_empty());
    assert_eq!(db.run("SELECT count(*) FROM tickets").await, 4);

    // The audit refuses: the batch is rolled back and the sweep stops.
    let refusing = Log {
        refuse: true,
        ..Log::default()
    };
    let stopped = systems
        .sweep_retention(&policy, today, false, 2, &refusing)
        .await;
    assert!(
        matches!(&stopped, Err(SweepError::Audit { table, .. }) if table == "tickets"),
        "{stopped:?}"
    );
    assert_eq!(db.run("SELECT count(*) FROM tickets").await, 4);

    let run = systems
        .sweep_retention(&policy, today, false, 2, &log)
        .await
        .expect("run");
    assert_eq!((run[0].due, run[0].acted, run[0].batches), (3, 3, 2));
    assert_eq!(run[0].failure, None);
    let entries = log.entries.lock().expect("log").clone();
    assert_eq!(
        entries,
        [
            serde_json::json!({"system": "helpdesk", "table": "tickets", "rule": "tickets",
                "changes": [{"table": "tickets", "action": "delete", "rows": 2}]}),
            serde_json::json!({"system": "helpdesk", "table": "tickets", "rule": "tickets",
                "changes": [{"table": "tickets", "action": "delete", "rows": 1}]}),
        ]
    );
    assert_eq!(db.run("SELECT count(*) FROM tickets").await, 1);

    // A rule whose action is review is counted for an officer, never acted on.
    db.run("INSERT INTO tickets (email, body, created_at) VALUES ('e@x.se', 'help', '2023-01-01 10:00+00')")
        .await;
    let review = policy_with_rule("flagged");
    let systems = Systems::from_policy(&review, &environment).expect("systems");
    let counted = systems
        .sweep_retention(&review, today, false, 2, &log)
        .await
        .expect("review");
    assert_eq!(
        (counted[0].action, counted[0].due, counted[0].acted),
        (SweepAction::Review, 1, 0)
    );
    assert_eq!(db.run("SELECT count(*) FROM tickets").await, 2);

    // A system that cannot be reached fails its tables, not the sweep.
    let systems = Systems::from_policy(&policy, &HashMap::new()).expect("systems");
    let failed = systems
        .sweep_retention(&policy, today, false, 2, &log)
        .await
        .expect("a failure per table");
    assert_eq!(
        failed[0].failure.as_deref(),
        Some("the environment variable `HELPDESK_URL` (the connection URL) is not set")
    );
    db.drop().await;
}

fn policy_with_rule(rule: &str) -> Policy {
    policy(&format!(
        "erase = \"delete\"\nretention = {{ rule = \"{rule}\", time_column = \"created_at\" }}"
    ))
}
