//! The Redis connector against the machine's Redis on loopback
//! (`STEWARD_TEST_REDIS`, default redis://127.0.0.1:6379). Each test uses its
//! own key prefix and removes its keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use steward_connectors::Identity;
use steward_connectors::keyvalue::{KeyErase, KeyValueConnector, KeyValueSystem};
use steward_test_support::redis_url;

#[path = "keyvalue/tls.rs"]
mod tls;

struct Sessions {
    connector: KeyValueConnector,
    client: redis::Client,
    prefix: String,
}

impl Sessions {
    async fn raw(&self) -> redis::aio::MultiplexedConnection {
        self.client
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }

    async fn exists(&self, key: &str) -> bool {
        redis::cmd("EXISTS")
            .arg(format!("{}{key}", self.prefix))
            .query_async(&mut self.raw().await)
            .await
            .unwrap()
    }

    async fn cleanup(&self) {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.prefix))
            .query_async(&mut self.raw().await)
            .await
            .unwrap();
        if !keys.is_empty() {
            let _: i64 = redis::cmd("DEL")
                .arg(&keys)
                .query_async(&mut self.raw().await)
                .await
                .unwrap();
        }
    }
}

/// A web shop's Redis: sessions by e-mail, a profile hash by customer id, a
/// newsletter set, and audit counters kept under a hold.
async fn sessions() -> Sessions {
    sessions_at(&redis_url()).await
}

/// As [`sessions`], the connector on `url` (the data is written directly).
async fn sessions_at(url: &str) -> Sessions {
    let prefix = format!("steward-test-{}:", uuid::Uuid::new_v4().simple());
    let declaration = format!(
        r#"
[[key]]
pattern = "{p}session:{{email}}"
type = "string"
category = "technical.session"
erase = "delete"

[[key]]
pattern = "{p}profile:{{customer_id}}"
type = "hash"
fields = {{ name = "contact.name", city = "contact.city", street = "contact.city" }}
erase = "delete"

[[key]]
pattern = "{{email}}"
type = "set_member"
set = "{p}newsletter"
category = "marketing.newsletter"
erase = "delete"

[[key]]
pattern = "{p}logins:{{email}}"
type = "string"
category = "technical.login_count"
erase = "keep"
hold = "security logs, 30 days"
"#,
        p = prefix
    );
    let system: KeyValueSystem = toml::from_str(&declaration).unwrap();
    let client = redis::Client::open(redis_url()).unwrap();
    let mut c = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis on loopback");
    for (command, args) in [
        (
            "SET",
            vec![
                format!("{prefix}session:anna@example.se"),
                "tok-anna".into(),
            ],
        ),
        (
            "SET",
            vec![format!("{prefix}session:bob@example.se"), "tok-bob".into()],
        ),
        (
            "HSET",
            vec![
                format!("{prefix}profile:c-1"),
                "name".into(),
                "Anna".into(),
                "city".into(),
                "Täby".into(),
                "street".into(),
                "Storgatan 1".into(),
                "color".into(),
                "blue".into(),
            ],
        ),
        (
            "SADD",
            vec![
                format!("{prefix}newsletter"),
                "anna@example.se".into(),
                "bob@example.se".into(),
            ],
        ),
        (
            "SET",
            vec![format!("{prefix}logins:anna@example.se"), "17".into()],
        ),
    ] {
        let _: redis::Value = redis::cmd(command)
            .arg(args)
            .query_async(&mut c)
            .await
            .unwrap();
    }
    let connector = KeyValueConnector::connect(url, system).await.unwrap();
    Sessions {
        connector,
        client,
        prefix,
    }
}

const ANNA: [Identity<'static>; 2] = [
    Identity {
        kind: "email",
        value: "anna@example.se",
    },
    Identity {
        kind: "customer_id",
        value: "c-1",
    },
];

#[tokio::test]
async fn access_reads_each_declared_key_of_the_person() {
    let s = sessions().await;
    let found = s.connector.access(&ANNA).await.unwrap();
    let data: Vec<(String, serde_json::Value)> = found
        .iter()
        .flat_map(|f| {
            f.data
                .values()
                .map(|d| (d.category.clone(), d.value.clone()))
        })
        .collect();
    assert!(data.contains(&("technical.session".into(), "tok-anna".into())));
    assert!(data.contains(&("contact.name".into(), "Anna".into())));
    assert!(data.contains(&("contact.city".into(), "Täby".into())));
    assert!(
        data.contains(&("contact.city".into(), "Storgatan 1".into())),
        "two fields of one category are both found"
    );
    assert!(data.iter().any(|(c, _)| c == "marketing.newsletter"));
    assert!(!serde_json::to_string(&found).unwrap().contains("tok-bob"));
    assert!(
        !serde_json::to_string(&found).unwrap().contains("blue"),
        "undeclared fields are not the person's data here"
    );
    s.cleanup().await;
}

#[tokio::test]
async fn erasure_deletes_the_persons_keys_and_membership_and_keeps_what_is_held() {
    let s = sessions().await;
    let outcomes = s.connector.erase(&ANNA).await.unwrap();
    let summary: Vec<(KeyErase, bool)> = outcomes.iter().map(|o| (o.action, o.found)).collect();
    assert_eq!(
        summary,
        [
            (KeyErase::Delete, true),
            (KeyErase::Delete, true),
            (KeyErase::Delete, true),
            (KeyErase::Keep, true)
        ]
    );
    assert!(!s.exists("session:anna@example.se").await);
    assert!(!s.exists("profile:c-1").await);
    assert!(
        s.exists("logins:anna@example.se").await,
        "kept under its hold"
    );
    // Bob is untouched.
    assert!(s.exists("session:bob@example.se").await);
    let bob_subscribed: bool = redis::cmd("SISMEMBER")
        .arg(format!("{}newsletter", s.prefix))
        .arg("bob@example.se")
        .query_async(&mut s.raw().await)
        .await
        .unwrap();
    assert!(bob_subscribed);
    // Nothing of Anna is found any more, but the held counter.
    let after = s.connector.access(&ANNA).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].data["value"].category, "technical.login_count");
    s.cleanup().await;
}

#[test]
fn declarations_that_cannot_work_are_refused() {
    let cases = [
        (
            "[[key]]\npattern = \"session\"\ntype = \"string\"\ncategory = \"c\"\nerase = \"delete\"",
            "no identity in braces",
        ),
        (
            "[[key]]\npattern = \"s:{email}\"\ntype = \"string\"\nerase = \"delete\"",
            "needs `category`",
        ),
        (
            "[[key]]\npattern = \"p:{email}\"\ntype = \"hash\"\nerase = \"delete\"",
            "needs `fields`",
        ),
        (
            "[[key]]\npattern = \"{email}\"\ntype = \"set_member\"\ncategory = \"c\"\nerase = \"delete\"",
            "needs `set`",
        ),
        (
            "[[key]]\npattern = \"s:{email}\"\ntype = \"string\"\ncategory = \"c\"\nerase = \"keep\"",
            "no `hold`",
        ),
    ];
    for (declaration, words) in cases {
        let system: KeyValueSystem = toml::from_str(declaration).unwrap();
        let error = system.validate().unwrap_err().to_string();
        assert!(error.contains(words), "{declaration}: {error}");
    }
}
