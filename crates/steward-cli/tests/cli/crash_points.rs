//! An erasure stopped dead between each two of its steps, on SQLite and on
//! PostgreSQL: the process aborts at a named crash point (`STEWARD_CRASH_AT`,
//! debug builds only), as `kill -9` would stop it there, every time at the
//! same place. Another process then takes over. However it was cut, the
//! subject ends fully erased, the erasure is in the audit log once, the
//! chain verifies and the request is answered.
//!
//! The steps: a worker claims the parts (`part.claimed`); the vault's part
//! deletes the subject's key (in its own file on SQLite: `erase.key_deleted`)
//! and then its data; each part's outcome is recorded (`part.done_unrecorded`
//! before, `part.recorded` after); the answer is written when all parts have
//! ended (`request.parts_ended`).

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use steward_domain::common::ids::SubjectId;

use super::temp_dir;
use super::workers::{
    Database, Hooks, Installation, policy, subject_with_record, submit, until_all_ended,
};

const CRASH_POINTS: [&str; 5] = [
    "part.claimed",
    "erase.key_deleted",
    "part.done_unrecorded",
    "part.recorded",
    "request.parts_ended",
];

fn erasure_cut_at_every_step(on_postgres: bool) {
    for point in CRASH_POINTS {
        let dir = temp_dir(&format!("crash-{}", uuid::Uuid::new_v4().simple()));
        let database = on_postgres.then(Database::create);
        let email = "anna@example.se".to_owned();
        let hooks = Hooks::start(std::slice::from_ref(&email), true, Duration::ZERO);
        let steward = Installation {
            policy: policy(&dir),
            dir: dir.to_path_buf(),
            database: database.as_ref().map(|d| d.url.clone()),
            hooks: hooks.address.clone(),
            // The dead worker's parts are taken over a second later.
            lease: "1s",
        };
        let officer = steward.token("privacy_officer");
        let server = steward.serve("0");
        let subject = subject_with_record(&server.address, &officer, &email);
        let id = submit(&server.address, &officer, "erasure", &email);
        drop(server);

        // A worker that stops dead at the point.
        let mut crashing = steward
            .command(&["request", "work", "--follow"])
            .env("STEWARD_CRASH_AT", point)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("steward request work");
        let start = Instant::now();
        let status = loop {
            if let Some(status) = crashing.try_wait().expect("wait") {
                break status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{point}: the worker never reached its crash point"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(6),
            "{point}: the worker did not stop at its crash point: {status}"
        );
        if point == "erase.key_deleted" {
            // The cut lands between the two: on SQLite the key (in its own
            // file) is gone while the data is not; on PostgreSQL both are
            // one transaction, and neither is gone.
            let (file, erasures) = inspect(&steward, &subject);
            assert_eq!(file.key.is_none(), !on_postgres, "{point}");
            assert!(!file.records.is_empty() && file.subject.erased_at.is_none());
            assert_eq!(erasures, 0);
        }

        // Another process finishes what was left.
        let server = steward.serve("1");
        let views = until_all_ended(&server.address, &officer, std::slice::from_ref(&id));
        assert_eq!(
            views[&id]["state"], "completed",
            "{point}: {:#}",
            views[&id]
        );
        drop(server);

        let check = steward.run(&["audit", "verify"]);
        assert!(check.status.success(), "{point}: the chain does not verify");
        let (file, erasures) = inspect(&steward, &subject);
        assert!(
            file.subject.erased_at.is_some(),
            "{point}: not marked erased"
        );
        assert!(file.key.is_none(), "{point}: the key is still there");
        assert!(
            file.identities.is_empty() && file.records.is_empty() && file.events.is_empty(),
            "{point}: data left behind: {} identities, {} records",
            file.identities.len(),
            file.records.len()
        );
        assert_eq!(erasures, 1, "{point}: the erasure is audited once");
    }
}

/// The subject's file as the store holds it, and how many erasures the
/// audit log records.
fn inspect(steward: &Installation, subject: &str) -> (steward_store::SubjectFile, usize) {
    let url = steward
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", steward.dir.join("steward.db").display()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store: Arc<dyn steward_store::Store> =
            Arc::from(steward_store::open(&url).await.expect("the store opens"));
        let file = store
            .subject_file(&SubjectId::from(subject))
            .await
            .expect("read")
            .expect("the subject's row stays, marked erased");
        let (log, _) = store.audit_log().await.expect("the log");
        let erasures = log
            .iter()
            .filter(|e| e.event.action == "subject.erase")
            .count();
        (file, erasures)
    })
}

#[test]
fn an_erasure_cut_between_any_two_steps_on_sqlite_ends_fully_erased_and_audited() {
    erasure_cut_at_every_step(false);
}

#[test]
fn an_erasure_cut_between_any_two_steps_on_postgres_ends_fully_erased_and_audited() {
    erasure_cut_at_every_step(true);
}
