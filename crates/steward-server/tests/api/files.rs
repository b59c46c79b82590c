//! What Steward leaves on disk: its files are the owner's only whatever the
//! umask (the tests run under the usual 022), and letters do not outlive
//! their use: removed when the person is erased, or after the outbox's
//! retention.

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use serde_json::json;
use steward_server::clock::ManualClock;
use steward_server::{Worker, WorkerConfig};

use crate::helpers::*;

/// Every file and folder under `dir`, with its permission bits.
fn modes(dir: &Path) -> Vec<(String, u32, bool)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::metadata(&path).unwrap();
        out.push((
            path.display().to_string(),
            meta.permissions().mode() & 0o777,
            meta.is_dir(),
        ));
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        }
    }
    out
}

#[tokio::test]
async fn every_file_steward_writes_is_the_owners_only() {
    let app = spawn_with(policy_from(&connectel()), |s| {
        // A data directory Steward creates itself.
        s.data_dir = s.data_dir.join("fresh");
        s.key = None;
    })
    .await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    app.submit(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    let data_dir = &app.spawned.settings.data_dir;
    let all = modes(data_dir);
    let names: Vec<&str> = all.iter().map(|(p, _, _)| p.as_str()).collect();
    for expected in ["steward.db", "steward.db.keys", "kek.key", "outbox/email"] {
        assert!(
            names.iter().any(|n| n.ends_with(expected)),
            "{expected} in {names:?}"
        );
    }
    for (path, mode, is_dir) in &all {
        let wanted = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, wanted, "{path} is {mode:o}");
    }
}

#[tokio::test]
async fn letters_to_a_person_go_when_they_are_erased() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(
        &anna,
        "contact.email",
        json!("anna@example.se"),
        &["customer_service"],
    )
    .await;
    // A letter to someone else stays.
    let (other, _) = app
        .submit(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "bert@example.se" }] }))
        .await;
    let (id, secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    app.do_manual_parts(&id).await;
    let view = app.answered(&id, &secret).await;
    assert_eq!(view["state"], "completed", "{view}");
    let to_anna: Vec<String> = app
        .letters_for("", "email")
        .into_iter()
        .filter(|l| l.starts_with("To: anna@example.se"))
        .collect();
    assert_eq!(
        to_anna.len(),
        1,
        "only the letter that tells her the answer is ready: {to_anna:#?}"
    );
    assert!(app.codes_for(&id, "email").is_empty(), "her code is gone");
    assert_eq!(app.letters_for(&other, "email").len(), 1);
}

#[tokio::test]
async fn letters_left_in_the_outbox_go_after_its_retention() {
    let clock = Arc::new(ManualClock::new(
        "2026-11-02T10:00:00Z".parse::<Timestamp>().unwrap(),
    ));
    let app = spawn_with(policy_from(&connectel()), |s| {
        s.clock = clock.clone();
        s.outbox_retention = std::time::Duration::from_secs(3 * 24 * 3600);
    })
    .await;
    let (id, _) = app
        .submit(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna@example.se" }] }))
        .await;
    assert_eq!(app.letters_for(&id, "email").len(), 1);
    let sweep = || async {
        Worker::new(Arc::clone(&app.spawned.rights), WorkerConfig::default())
            .until_idle()
            .await
            .unwrap();
    };
    // Letters are dated by when they were written (the file's time): a
    // clock set to two days after that keeps them, four days removes them.
    let written: Timestamp = std::fs::read_dir(app.dir.join("outbox/email"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
        .map(|t| Timestamp::try_from(t).unwrap())
        .max()
        .unwrap();
    clock.set(written + jiff::SignedDuration::from_hours(48));
    sweep().await;
    assert_eq!(app.letters_for(&id, "email").len(), 1, "kept within 3 days");
    clock.set(written + jiff::SignedDuration::from_hours(96));
    sweep().await;
    assert!(
        app.letters_for(&id, "email").is_empty(),
        "removed after 3 days"
    );
}
