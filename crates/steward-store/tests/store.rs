//! The storage suite: every test runs on SQLite (a fresh file) and on
//! PostgreSQL (a fresh database on the machine's server, at
//! `STEWARD_TEST_POSTGRES`, default postgres://postgres@127.0.0.1:5432/postgres),
//! the conformance of both backends to one interface, concurrency included.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::{Date, date};

use sqlx::Connection;
use steward_domain::common::ids::RequestId;
use steward_domain::common::lang::Lang;
use steward_domain::policy::Event;
use steward_domain::rights::parts::{PartAction, PartState, PartTarget};
use steward_domain::rights::request::{
    PartOutcome, RequestKind, RequestStatus, SealedUnder, StateDetail,
};
use steward_domain::vault::actor::Role;
use steward_domain::vault::audit_chain::{self, AuditEvent, Tamper};
use steward_domain::vault::consent::{ConsentRecord, GivenBy};
use steward_domain::vault::identity::Provenance;
use steward_store::postgres::PostgresStore;
use steward_store::sqlite::SqliteStore;
use steward_store::*;
use steward_test_support::{FreshDatabase, Server, TempDir};

#[path = "store/tls.rs"]
mod tls;

/// A time as the tests write it.
fn t(text: &str) -> Timestamp {
    text.parse().expect("a time")
}

/// A time in milliseconds since the epoch, as the job tests count.
fn ms(millis: i64) -> Timestamp {
    Timestamp::from_millisecond(millis).expect("a time")
}

fn lease(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// A part's result as a worker would hand it over (sealed, in real life).
macro_rules! sealed {
    ($($json:tt)+) => {
        serde_json::json!($($json)+).to_string().into_bytes()
    };
}

/// Everything held about a subject that must exist.
async fn file(b: &Backend, id: &str) -> SubjectFile {
    b.store
        .subject_file(&id.into())
        .await
        .unwrap()
        .expect("the subject is there")
}

/// A store under test, and a way to reach its tables behind its back.
struct Backend {
    store: Arc<dyn Store>,
    raw: Raw,
}

enum Raw {
    /// The directory is held so it is removed when the test ends.
    Sqlite(std::path::PathBuf, #[allow(dead_code)] TempDir),
    /// The database is dropped when the test ends, however it ends.
    Postgres(FreshDatabase),
}

async fn sqlite() -> Backend {
    let dir = TempDir::new("store");
    let path = dir.path().join("steward.db");
    let store = SqliteStore::open(&path).await.expect("open sqlite");
    Backend {
        store: Arc::new(store),
        raw: Raw::Sqlite(path, dir),
    }
}

/// A fresh database per test, so tests never see each other's rows.
async fn postgres() -> Backend {
    let database = FreshDatabase::create(Server::Postgres, "steward_test").await;
    let store = PostgresStore::open(&database.url)
        .await
        .expect("open postgres");
    Backend {
        store: Arc::new(store),
        raw: Raw::Postgres(database),
    }
}

impl Backend {
    /// Runs SQL directly on the data database, as an attacker with file or
    /// database access would.
    async fn tamper(&self, sql: &str) {
        match &self.raw {
            Raw::Sqlite(path, _) => {
                let url = format!("sqlite://{}", path.display());
                let mut c = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("raw sqlite");
                sqlx::query(sql).execute(&mut c).await.expect("tamper");
            }
            Raw::Postgres(database) => {
                let mut c = sqlx::PgConnection::connect(&database.url)
                    .await
                    .expect("raw postgres");
                sqlx::query(sql).execute(&mut c).await.expect("tamper");
            }
        }
    }
}

macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test] async fn $test() { super::$test(super::sqlite().await).await })*
        }
        mod on_postgres {
            $(#[tokio::test] async fn $test() { super::$test(super::postgres().await).await })*
        }
    };
}

on_both_backends!(
    subjects_are_found_by_identity_and_identities_are_unique,
    records_are_written_replaced_and_read_back,
    consent_is_withdrawn_without_rewriting_when_it_was_given,
    objections_and_flags_are_kept,
    erasure_deletes_the_key_and_the_data_and_the_log_still_verifies,
    every_change_is_in_the_audit_chain,
    modified_entries_are_detected,
    deleted_entries_are_detected,
    deleting_the_newest_entries_is_detected,
    reordered_entries_are_detected,
    concurrent_appends_form_one_chain,
    the_first_system_key_stored_wins,
    key_rotation_replaces_every_wrapped_key,
    tokens_are_found_by_hash,
    jobs_run_once_retry_later_and_record_every_attempt,
    a_dead_workers_job_is_claimed_again_and_the_late_worker_is_fenced,
    two_workers_claim_disjoint_jobs,
    manual_jobs_are_never_claimed_and_are_completed_once,
    checkpoints_are_kept_with_the_entry_that_records_them,
    disclosures_are_logged_counted_and_go_with_an_erased_subject,
    a_records_lineage_is_kept_and_read_back_in_the_subject_file,
    failed_jobs_are_retried_and_claimed_again,
    delete_records_deletes_only_the_listed_records_of_that_subject,
    a_request_is_stored_with_its_codes_and_first_step,
    a_request_is_stored_already_started_in_one_transaction,
    a_request_moves_on_only_from_the_state_it_was_read_in,
    concurrent_updates_of_one_request_let_exactly_one_win,
    open_requests_come_due_date_first_and_closed_ones_are_left_out,
    a_code_try_is_taken_only_while_one_is_left,
    parallel_tries_take_no_more_than_there_are,
    a_code_is_replaced_only_within_its_sends_and_spacing,
    unverified_requests_are_removed_with_their_codes_and_history,
    the_queue_comes_in_pages,
    request_history_keeps_its_order,
    the_subject_file_holds_everything_about_one_subject,
    a_stored_time_that_does_not_read_is_corrupt_data_not_a_default,
    a_process_alone_with_the_data_and_others_exclude_each_other,
    the_sweep_reads_only_what_is_due_in_pages,
    a_due_record_is_removed_and_audited_once_however_many_sweeps_try,
    parallel_sweeps_remove_each_record_once,
    holds_are_kept_released_once_and_go_to_the_right_subject,
);

fn event(action: &str) -> AuditEvent {
    AuditEvent {
        at: "2026-11-22T10:00:00Z".into(),
        actor: "test".into(),
        action: action.into(),
        subject: Some("pseudonym".into()),
        detail: serde_json::json!({}),
    }
}

fn subject(id: &str) -> Subject {
    Subject {
        id: id.into(),
        subject_type: "customer".into(),
        created_at: t("2026-11-22T10:00:00Z"),
        erased_at: None,
        restricted: false,
        objects_to_marketing: false,
        own_consent_from: None,
    }
}

fn identity(subject_id: &str, index: &str) -> StoredIdentity {
    StoredIdentity {
        id: format!("{subject_id}-{index}").into(),
        subject_id: subject_id.into(),
        kind: "email".into(),
        blind_index: index.into(),
        value_sealed: vec![1, 2, 3],
        created_at: t("2026-11-22T10:00:00Z"),
        provenance: Provenance::Creation,
    }
}

fn key(byte: u8) -> WrappedKey {
    WrappedKey {
        wrapped: vec![byte; 72],
        kek_id: "kek1".into(),
        version: 1,
    }
}

async fn with_subject(b: &Backend, id: &str, index: &str) {
    b.store
        .create_subject(
            &subject(id),
            &key(7),
            &[identity(id, index)],
            event("subject.create"),
        )
        .await
        .expect("create subject");
}

fn record(id: &str, subject_id: &str, value: &[u8]) -> StoredRecord {
    StoredRecord {
        id: id.into(),
        subject_id: subject_id.into(),
        category: "contact.email".into(),
        value_sealed: value.to_vec(),
        source: "subject".into(),
        purposes: vec!["orders".into(), "newsletter".into()],
        collected_at: t("2026-11-22T10:00:00Z"),
        updated_at: t("2026-11-22T10:00:00Z"),
        kept_for: None,
        derived_from: None,
        recompute_since: None,
        retention_due: None,
        review_since: None,
    }
}

async fn subjects_are_found_by_identity_and_identities_are_unique(b: Backend) {
    with_subject(&b, "s1", "idx-anna").await;
    let found = b
        .store
        .subject_by_identity("email", "idx-anna")
        .await
        .unwrap();
    assert_eq!(
        found.map(|h| (h.subject.id, h.provenance)),
        Some(("s1".into(), Provenance::Creation))
    );
    // An identity a service adds later keeps how it came: a lookup says so.
    let mut added = identity("s1", "idx-added");
    added.provenance = Provenance::Service;
    b.store
        .add_identity(&added, None, event("identity.add"))
        .await
        .unwrap();
    let found = b
        .store
        .subject_by_identity("email", "idx-added")
        .await
        .unwrap();
    assert_eq!(found.map(|h| h.provenance), Some(Provenance::Service));
    let file = b.store.subject_file(&"s1".into()).await.unwrap().unwrap();
    let mut provenances: Vec<(String, Provenance)> = file
        .identities
        .iter()
        .map(|i| (i.blind_index.clone(), i.provenance))
        .collect();
    provenances.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        provenances,
        [
            ("idx-added".to_owned(), Provenance::Service),
            ("idx-anna".to_owned(), Provenance::Creation)
        ]
    );
    assert!(
        b.store
            .subject_by_identity("email", "idx-other")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        b.store
            .subject_by_identity("phone", "idx-anna")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        b.store.subject_key(&"s1".into()).await.unwrap(),
        Some(key(7))
    );
    // The same identity for a second subject is refused, and nothing of it is kept.
    let err = b
        .store
        .create_subject(
            &subject("s2"),
            &key(8),
            &[identity("s2", "idx-anna")],
            event("subject.create"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                what: "identity",
                ..
            }
        ),
        "{err}"
    );
    assert!(b.store.subject(&"s2".into()).await.unwrap().is_none());
}

async fn records_are_written_replaced_and_read_back(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    b.store
        .write_record(&record("r1", "s1", b"v1"), event("record.write"))
        .await
        .unwrap();
    b.store
        .write_record(&record("r2", "s1", b"v2"), event("record.write"))
        .await
        .unwrap();
    let mut replaced = record("r1", "s1", b"v1b");
    replaced.purposes = vec!["orders".into()];
    b.store
        .write_record(&replaced, event("record.write"))
        .await
        .unwrap();
    let records = b.store.records(&"s1".into()).await.unwrap();
    assert_eq!(records.len(), 2);
    let r1 = records.iter().find(|r| r.id == "r1").unwrap();
    assert_eq!(r1.value_sealed, b"v1b");
    assert_eq!(r1.purposes, ["orders"]);
    assert!(b.store.records(&"nobody".into()).await.unwrap().is_empty());
}

async fn consent_is_withdrawn_without_rewriting_when_it_was_given(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    let consent = ConsentRecord {
        id: "c1".into(),
        subject_id: "s1".into(),
        purpose: "newsletter".into(),
        given_at: t("2026-01-01T00:00:00Z"),
        withdrawn_at: None,
        policy_version: "3.1".into(),
        method: "web_form".into(),
        notice_hash: "abc".into(),
        language: Lang::Sv,
        withdrawal_method: None,
        given_by: GivenBy::ParentalResponsibility,
    };
    b.store
        .give_consent(&consent, event("consent.give"))
        .await
        .unwrap();
    b.store
        .withdraw_consent(
            &"c1".into(),
            t("2026-02-01T00:00:00Z"),
            "api",
            event("consent.withdraw"),
        )
        .await
        .unwrap();
    let stored = b.store.consent(&"c1".into()).await.unwrap().unwrap();
    assert_eq!(stored.given_at, t("2026-01-01T00:00:00Z"));
    assert_eq!(stored.given_by, GivenBy::ParentalResponsibility);
    assert_eq!(stored.withdrawn_at, Some(t("2026-02-01T00:00:00Z")));
    let again = b
        .store
        .withdraw_consent(
            &"c1".into(),
            t("2026-03-01T00:00:00Z"),
            "api",
            event("consent.withdraw"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::NotFound { .. })));
    assert_eq!(b.store.consents(&"s1".into()).await.unwrap(), [stored]);
}

async fn objections_and_flags_are_kept(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    let objection = Objection {
        subject_id: "s1".into(),
        purpose: "fraud".into(),
        at: t("2026-01-01T00:00:00Z"),
        compelling_grounds: None,
    };
    b.store
        .set_objection(&objection, event("objection"))
        .await
        .unwrap();
    let overridden = Objection {
        compelling_grounds: Some("ongoing fraud case".into()),
        ..objection
    };
    b.store
        .set_objection(&overridden, event("objection"))
        .await
        .unwrap();
    assert_eq!(file(&b, "s1").await.objections, [overridden]);
    b.store
        .set_flags(
            &"s1".into(),
            SubjectFlags {
                restricted: Some(true),
                objects_to_marketing: None,
            },
            event("restrict"),
        )
        .await
        .unwrap();
    let s = b.store.subject(&"s1".into()).await.unwrap().unwrap();
    assert!(s.restricted && !s.objects_to_marketing);
    let missing = b
        .store
        .set_flags(&"nobody".into(), SubjectFlags::default(), event("restrict"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
}

async fn erasure_deletes_the_key_and_the_data_and_the_log_still_verifies(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    with_subject(&b, "s2", "i2").await;
    b.store
        .write_record(&record("r1", "s1", b"v"), event("record.write"))
        .await
        .unwrap();
    b.store
        .erase_subject(
            &"s1".into(),
            t("2026-11-23T00:00:00Z"),
            event("subject.erase"),
        )
        .await
        .unwrap();
    assert!(b.store.subject_key(&"s1".into()).await.unwrap().is_none());
    assert!(b.store.records(&"s1".into()).await.unwrap().is_empty());
    assert!(file(&b, "s1").await.identities.is_empty());
    assert!(
        b.store
            .subject_by_identity("email", "i1")
            .await
            .unwrap()
            .is_none()
    );
    let erased = b.store.subject(&"s1".into()).await.unwrap().unwrap();
    assert_eq!(erased.erased_at, Some(t("2026-11-23T00:00:00Z")));
    // The other subject is untouched.
    assert!(b.store.subject_key(&"s2".into()).await.unwrap().is_some());
    let (entries, head) = b.store.audit_log().await.unwrap();
    assert_eq!(
        audit_chain::verify(&entries, Some(head)).map(|v| v.entries),
        Ok(4)
    );
}

async fn every_change_is_in_the_audit_chain(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    b.store
        .write_record(&record("r1", "s1", b"v"), event("record.write"))
        .await
        .unwrap();
    b.store
        .add_identity(&identity("s1", "i1b"), None, event("identity.add"))
        .await
        .unwrap();
    b.store
        .add_event(
            &StoredEvent {
                id: "e1".into(),
                subject_id: "s1".into(),
                kind: Event::RelationshipStart,
                at: t("2026-01-01T00:00:00Z"),
            },
            &[],
            event("event.add"),
        )
        .await
        .unwrap();
    b.store.append_audit(event("read.allowed")).await.unwrap();
    let (entries, head) = b.store.audit_log().await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "subject.create",
            "record.write",
            "identity.add",
            "event.add",
            "read.allowed"
        ]
    );
    assert_eq!(head, 5);
    assert!(audit_chain::verify(&entries, Some(head)).is_ok());
}

async fn five_entries(b: &Backend) {
    for i in 0..5 {
        b.store
            .append_audit(event(&format!("act{i}")))
            .await
            .unwrap();
    }
}

async fn verdict(b: &Backend) -> Result<audit_chain::Verified, Tamper> {
    let (entries, head) = b.store.audit_log().await.unwrap();
    audit_chain::verify(&entries, Some(head))
}

async fn modified_entries_are_detected(b: Backend) {
    five_entries(&b).await;
    b.tamper("UPDATE audit SET actor = 'someone else' WHERE seq = 3")
        .await;
    assert_eq!(verdict(&b).await, Err(Tamper::Modified { seq: 3 }));
}

async fn deleted_entries_are_detected(b: Backend) {
    five_entries(&b).await;
    b.tamper("DELETE FROM audit WHERE seq = 2").await;
    assert_eq!(
        verdict(&b).await,
        Err(Tamper::Deleted { first: 2, last: 2 })
    );
}

async fn deleting_the_newest_entries_is_detected(b: Backend) {
    five_entries(&b).await;
    b.tamper("DELETE FROM audit WHERE seq >= 4").await;
    assert_eq!(
        verdict(&b).await,
        Err(Tamper::Truncated {
            last: 3,
            expected: 5
        })
    );
}

async fn reordered_entries_are_detected(b: Backend) {
    five_entries(&b).await;
    // Swap the positions of entries 2 and 3.
    b.tamper("UPDATE audit SET seq = 100 WHERE seq = 2").await;
    b.tamper("UPDATE audit SET seq = 2 WHERE seq = 3").await;
    b.tamper("UPDATE audit SET seq = 3 WHERE seq = 100").await;
    assert_eq!(
        verdict(&b).await,
        Err(Tamper::Reordered { seq: 2, follows: 3 })
    );
}

async fn concurrent_appends_form_one_chain(b: Backend) {
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = Arc::clone(&b.store);
        tasks.push(tokio::spawn(async move {
            store.append_audit(event(&format!("act{i}"))).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(verdict(&b).await.map(|v| v.entries), Ok(40));
}

async fn the_first_system_key_stored_wins(b: Backend) {
    let first = b
        .store
        .put_system_key_if_absent("blind_index", &key(1))
        .await
        .unwrap();
    let second = b
        .store
        .put_system_key_if_absent("blind_index", &key(2))
        .await
        .unwrap();
    assert_eq!(first, key(1));
    assert_eq!(second, key(1));
}

async fn key_rotation_replaces_every_wrapped_key(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    b.store
        .put_system_key_if_absent("pseudonym", &key(1))
        .await
        .unwrap();
    let rotated: Vec<(KeyName, WrappedKey)> = b
        .store
        .wrapped_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|(name, _)| {
            (
                name,
                WrappedKey {
                    wrapped: vec![9; 72],
                    kek_id: "kek2".into(),
                    version: 1,
                },
            )
        })
        .collect();
    assert_eq!(rotated.len(), 2);
    b.store
        .replace_wrapped_keys(&rotated, event("keys.rotate"))
        .await
        .unwrap();
    let after = b.store.wrapped_keys().await.unwrap();
    assert!(
        after
            .iter()
            .all(|(_, k)| k.kek_id == "kek2" && k.wrapped == vec![9; 72])
    );
}

async fn tokens_are_found_by_hash(b: Backend) {
    let token = StoredToken {
        id: "t1".into(),
        hash: "hash1".into(),
        role: Role::Service,
        purposes: vec!["orders".into()],
        description: "web shop".into(),
        created_at: t("2026-11-22T10:00:00Z"),
        revoked_at: None,
    };
    b.store
        .create_token(&token, event("token.create"))
        .await
        .unwrap();
    assert_eq!(b.store.token_by_hash("hash1").await.unwrap(), Some(token));
    assert!(b.store.token_by_hash("hash2").await.unwrap().is_none());
}

/// Two `steward` nodes on one PostgreSQL database: separate pools, one chain.
#[tokio::test]
async fn two_postgres_nodes_extend_one_audit_chain() {
    let first = postgres().await;
    let Raw::Postgres(url) = &first.raw else {
        unreachable!()
    };
    let second: Arc<dyn Store> =
        Arc::new(PostgresStore::open(&url.url).await.expect("second node"));
    let mut tasks = Vec::new();
    for i in 0..30 {
        for store in [Arc::clone(&first.store), Arc::clone(&second)] {
            tasks.push(tokio::spawn(async move {
                store.append_audit(event(&format!("act{i}"))).await
            }));
        }
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(verdict(&first).await.map(|v| v.entries), Ok(60));
}

fn jobs(request: &str, n: usize) -> Vec<NewJob> {
    (0..n)
        .map(|i| NewJob {
            id: format!("{request}-job{i:03}").into(),
            request_id: request.into(),
            target: PartTarget::System(format!("system{}", i % 3)),
            action: PartAction::Erase,
            manual: false,
        })
        .collect()
}

async fn jobs_run_once_retry_later_and_record_every_attempt(b: Backend) {
    b.store
        .enqueue_jobs(&jobs("req", 3), ms(1_000), event("request.jobs"))
        .await
        .unwrap();
    let claimed = b
        .store
        .claim_jobs("w1", ms(1_000), lease(60_000), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(claimed.iter().all(|j| j.state == PartState::Running
        && j.attempts == 1
        && j.worker.as_deref() == Some("w1")));
    assert!(
        b.store
            .claim_jobs("w2", ms(1_001), lease(60_000), 10)
            .await
            .unwrap()
            .is_empty(),
        "claimed jobs are not claimed twice"
    );

    let [done, retried, failed] = [&claimed[0].id, &claimed[1].id, &claimed[2].id];
    assert!(
        b.store
            .finish_job(
                done,
                "w1",
                ms(2_000),
                &JobOutcome::Done(sealed!({ "rows": 4 }))
            )
            .await
            .unwrap()
    );
    assert!(
        b.store
            .finish_job(
                retried,
                "w1",
                ms(2_000),
                &JobOutcome::Retry {
                    error: "connection refused".into(),
                    at: ms(5_000)
                }
            )
            .await
            .unwrap()
    );
    assert!(
        b.store
            .finish_job(
                failed,
                "w1",
                ms(2_000),
                &JobOutcome::Failed("no such table".into())
            )
            .await
            .unwrap()
    );
    assert!(
        !b.store
            .finish_job(done, "w1", ms(2_001), &JobOutcome::Failed("again".into()))
            .await
            .unwrap(),
        "a finished job stays finished"
    );

    assert!(
        b.store
            .claim_jobs("w2", ms(4_999), lease(60_000), 10)
            .await
            .unwrap()
            .is_empty(),
        "a retry waits for its time"
    );
    let again = b
        .store
        .claim_jobs("w2", ms(5_000), lease(60_000), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((&again[0].id, again[0].attempts), (retried, 2));
    assert!(
        b.store
            .finish_job(retried, "w2", ms(6_000), &JobOutcome::Done(sealed!({})))
            .await
            .unwrap()
    );

    let states: Vec<PartState> = b
        .store
        .jobs_for_request(&"req".into())
        .await
        .unwrap()
        .iter()
        .map(|j| j.state)
        .collect();
    assert_eq!(
        states,
        [PartState::Done, PartState::Done, PartState::Failed]
    );
    let attempts = b.store.job_attempts(retried).await.unwrap();
    let summary: Vec<(i64, &str, Option<&str>)> = attempts
        .iter()
        .map(|a| {
            (
                a.attempt,
                a.worker.as_str(),
                a.outcome.map(AttemptOutcome::as_str),
            )
        })
        .collect();
    assert_eq!(summary, [(1, "w1", Some("retry")), (2, "w2", Some("done"))]);
    assert_eq!(attempts[0].error.as_deref(), Some("connection refused"));
}

async fn a_dead_workers_job_is_claimed_again_and_the_late_worker_is_fenced(b: Backend) {
    b.store
        .enqueue_jobs(&jobs("req", 1), ms(0), event("request.jobs"))
        .await
        .unwrap();
    let first = b
        .store
        .claim_jobs("w1", ms(0), lease(1_000), 1)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        b.store
            .claim_jobs("w2", ms(999), lease(1_000), 1)
            .await
            .unwrap()
            .is_empty(),
        "the lease still holds"
    );
    // w1 is presumed dead: its lease ran out.
    let second = b
        .store
        .claim_jobs("w2", ms(1_001), lease(1_000), 1)
        .await
        .unwrap();
    assert_eq!((second.len(), second[0].attempts), (1, 2));
    // w1 comes back late: its outcome is refused, w2's is kept.
    assert!(
        !b.store
            .finish_job(
                &first[0].id,
                "w1",
                ms(1_500),
                &JobOutcome::Done(sealed!("stale"))
            )
            .await
            .unwrap()
    );
    assert!(
        b.store
            .finish_job(
                &first[0].id,
                "w2",
                ms(1_600),
                &JobOutcome::Done(sealed!("fresh"))
            )
            .await
            .unwrap()
    );
    let job = &b.store.jobs_for_request(&"req".into()).await.unwrap()[0];
    assert_eq!(job.result_sealed, Some(sealed!("fresh")));
    let outcomes: Vec<Option<String>> = b
        .store
        .job_attempts(&job.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.outcome.map(|o| o.as_str().to_owned()))
        .collect();
    assert_eq!(
        outcomes,
        [Some("lease_expired".into()), Some("done".into())]
    );
}

/// Two workers, each with its own connection pool where the backend allows:
/// every job is claimed and run exactly once.
async fn two_workers_claim_disjoint_jobs(b: Backend) {
    b.store
        .enqueue_jobs(&jobs("req", 120), ms(0), event("request.jobs"))
        .await
        .unwrap();
    let second: Arc<dyn Store> = match &b.raw {
        Raw::Postgres(database) => Arc::new(PostgresStore::open(&database.url).await.unwrap()),
        Raw::Sqlite(..) => Arc::clone(&b.store),
    };
    let mut workers = Vec::new();
    for (name, store) in [("w1", Arc::clone(&b.store)), ("w2", second)] {
        workers.push(tokio::spawn(async move {
            let mut ran = Vec::new();
            loop {
                let claimed = store
                    .claim_jobs(name, ms(10), lease(60_000), 7)
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return ran;
                }
                for job in claimed {
                    assert!(
                        store
                            .finish_job(&job.id, name, ms(20), &JobOutcome::Done(sealed!(name)))
                            .await
                            .unwrap()
                    );
                    ran.push(job.id);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "no job ran twice");
    assert_eq!(all.len(), 120, "every job ran");
}

#[tokio::test]
async fn rotation_refuses_to_commit_while_a_key_remains_under_the_old_kek() {
    for b in [sqlite().await, postgres().await] {
        with_subject(&b, "s1", "i1").await;
        let rotated: Vec<(KeyName, WrappedKey)> = b
            .store
            .wrapped_keys()
            .await
            .unwrap()
            .into_iter()
            .map(|(name, _)| {
                (
                    name,
                    WrappedKey {
                        wrapped: vec![9; 72],
                        kek_id: "kek2".into(),
                        version: 1,
                    },
                )
            })
            .collect();
        // A running server creates a subject under the old key meanwhile.
        with_subject(&b, "s2", "i2").await;
        let result = b
            .store
            .replace_wrapped_keys(&rotated, event("keys.rotate"))
            .await;
        assert!(
            matches!(
                result,
                Err(StoreError::Conflict {
                    what: "key rotation",
                    ..
                })
            ),
            "{result:?}"
        );
        assert!(
            b.store
                .wrapped_keys()
                .await
                .unwrap()
                .iter()
                .all(|(_, k)| k.kek_id == "kek1"),
            "nothing changed"
        );
    }
}

#[tokio::test]
async fn writes_for_an_erased_subject_are_refused() {
    for b in [sqlite().await, postgres().await] {
        with_subject(&b, "s1", "i1").await;
        b.store
            .erase_subject(
                &"s1".into(),
                t("2026-01-01T00:00:00Z"),
                event("subject.erase"),
            )
            .await
            .unwrap();
        let write = b
            .store
            .write_record(&record("r1", "s1", b"v"), event("record.write"))
            .await;
        assert!(matches!(write, Err(StoreError::Erased(_))), "{write:?}");
        let identity = b
            .store
            .add_identity(&identity("s1", "i9"), None, event("identity.add"))
            .await;
        assert!(
            matches!(identity, Err(StoreError::Erased(_))),
            "{identity:?}"
        );
    }
}

async fn checkpoints_are_kept_with_the_entry_that_records_them(b: Backend) {
    assert_eq!(b.store.latest_checkpoint().await.unwrap(), None);
    b.store.append_audit(event("one")).await.unwrap();
    for size in [1, 2] {
        let checkpoint = StoredCheckpoint {
            size,
            text: format!("steward-audit-checkpoint v1\nsize {size}\n"),
        };
        let entry = b
            .store
            .record_checkpoint(&checkpoint, event("audit.checkpoint"))
            .await
            .unwrap();
        let latest = b.store.latest_checkpoint().await.unwrap().unwrap();
        assert_eq!(latest.audit_seq, entry.seq);
        assert_eq!(latest.checkpoint, checkpoint, "the latest, not the first");
    }
    assert_eq!(audit_len(&b).await, 3);
    assert!(verdict(&b).await.is_ok());
}

async fn a_records_lineage_is_kept_and_read_back_in_the_subject_file(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    b.store
        .write_record(&record("r1", "s1", b"v"), event("record.write"))
        .await
        .unwrap();
    let derived = StoredRecord {
        category: "profile".into(),
        derived_from: Some(vec!["r1".into()]),
        recompute_since: Some(t("2026-11-23T00:00:00Z")),
        ..record("r2", "s1", b"p")
    };
    b.store
        .write_record(&derived, event("record.write"))
        .await
        .unwrap();
    assert_eq!(b.store.records(&"s1".into()).await.unwrap()[1], derived);
    assert_eq!(
        file(&b, "s1").await.records[1],
        derived,
        "in the one-statement file too"
    );
}

fn disclosure(
    id: &str,
    subject: &str,
    recipient: &str,
    country: &str,
    at: &str,
) -> StoredDisclosure {
    StoredDisclosure {
        id: id.into(),
        subject_id: subject.into(),
        recipient: recipient.into(),
        purpose: "orders".into(),
        categories: vec!["contact.email".into()],
        country: country.into(),
        safeguard: (country != "SE").then(|| "standard_contractual_clauses".into()),
        derogation: None,
        legal_request: false,
        detail_sealed: Some(b"sealed".to_vec()),
        at: t(at),
    }
}

async fn disclosures_are_logged_counted_and_go_with_an_erased_subject(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    with_subject(&b, "s2", "i2").await;
    for d in [
        disclosure("d2", "s1", "cloud", "US", "2026-11-24T00:00:00Z"),
        disclosure("d1", "s1", "carrier", "SE", "2026-11-23T00:00:00Z"),
        disclosure("d3", "s2", "cloud", "US", "2026-11-25T00:00:00Z"),
    ] {
        b.store
            .record_disclosure(&d, event("disclosure"))
            .await
            .unwrap();
    }
    let of_s1 = b.store.disclosures(&"s1".into()).await.unwrap();
    let ids: Vec<&str> = of_s1.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["d1", "d2"], "oldest first, only the subject's");
    assert_eq!(
        of_s1[1],
        disclosure("d2", "s1", "cloud", "US", "2026-11-24T00:00:00Z")
    );
    let counts = b.store.disclosure_counts().await.unwrap();
    let seen: Vec<(&str, &str, i64, Timestamp)> = counts
        .iter()
        .map(|c| (c.recipient.as_str(), c.country.as_str(), c.count, c.last_at))
        .collect();
    assert_eq!(
        seen,
        [
            ("carrier", "SE", 1, t("2026-11-23T00:00:00Z")),
            ("cloud", "US", 2, t("2026-11-25T00:00:00Z")),
        ]
    );
    b.store
        .erase_subject(
            &"s1".into(),
            t("2026-11-26T00:00:00Z"),
            event("subject.erase"),
        )
        .await
        .unwrap();
    assert!(b.store.disclosures(&"s1".into()).await.unwrap().is_empty());
    assert_eq!(b.store.disclosures(&"s2".into()).await.unwrap().len(), 1);
    // No disclosure is logged for someone erased.
    let late = b
        .store
        .record_disclosure(
            &disclosure("d4", "s1", "cloud", "US", "2026-11-27T00:00:00Z"),
            event("disclosure"),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Erased(_))), "{late:?}");
    assert_eq!(audit_len(&b).await, 2 + 3 + 1);
}

async fn audit_len(b: &Backend) -> usize {
    b.store.audit_log().await.unwrap().0.len()
}

fn manual_job(request: &str, id: &str) -> NewJob {
    NewJob {
        id: id.into(),
        request_id: request.into(),
        target: PartTarget::System("warehouse_db".into()),
        action: PartAction::Restrict,
        manual: true,
    }
}

async fn manual_jobs_are_never_claimed_and_are_completed_once(b: Backend) {
    let mut queued = jobs("req", 1);
    queued.push(manual_job("req", "req-manual"));
    b.store
        .enqueue_jobs(&queued, ms(1_000), event("request.jobs"))
        .await
        .unwrap();
    let claimed = b
        .store
        .claim_jobs("w1", ms(1_000), lease(1), 10)
        .await
        .unwrap();
    assert_eq!(
        claimed.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["req-job000"]
    );
    // Not even much later, nor after the automatic job's lease ran out.
    let later = b
        .store
        .claim_jobs("w2", ms(1_000_000), lease(1), 10)
        .await
        .unwrap();
    assert!(later.iter().all(|j| !j.manual), "{later:?}");
    let stored = b.store.jobs_for_request(&"req".into()).await.unwrap();
    let manual = stored.iter().find(|j| j.id == "req-manual").unwrap();
    assert!(manual.manual && manual.state == PartState::Pending && manual.attempts == 0);
    assert!(stored.iter().any(|j| j.id == "req-job000" && !j.manual));

    let before = audit_len(&b).await;
    // An automatic job is not an officer's to complete.
    assert!(
        !b.store
            .complete_manual_job(
                &"req-job000".into(),
                ms(2_000),
                &sealed!({}),
                event("job.manual")
            )
            .await
            .unwrap()
    );
    assert_eq!(audit_len(&b).await, before, "nothing recorded");
    assert!(
        b.store
            .complete_manual_job(
                &"req-manual".into(),
                ms(2_000),
                &sealed!({ "by": "officer" }),
                event("job.manual")
            )
            .await
            .unwrap()
    );
    assert_eq!(audit_len(&b).await, before + 1);
    assert!(
        !b.store
            .complete_manual_job(
                &"req-manual".into(),
                ms(3_000),
                &sealed!({ "by": "someone else" }),
                event("job.manual")
            )
            .await
            .unwrap(),
        "a completed part stays completed"
    );
    assert!(
        !b.store
            .complete_manual_job(&"nope".into(), ms(3_000), &sealed!({}), event("job.manual"))
            .await
            .unwrap()
    );
    assert_eq!(audit_len(&b).await, before + 1);
    let done = b
        .store
        .jobs_for_request(&"req".into())
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.id == "req-manual")
        .unwrap();
    assert_eq!(done.state, PartState::Done);
    assert_eq!(done.result_sealed, Some(sealed!({ "by": "officer" })));
    // An automatic part that failed for good may be done by hand after a fix.
    assert!(
        b.store
            .finish_job(
                &"req-job000".into(),
                // Its lease ran out under w1; w2 claimed it again above.
                "w2",
                ms(1_000_500),
                &JobOutcome::Failed("the CRM was down".into())
            )
            .await
            .unwrap()
    );
    assert!(
        b.store
            .complete_manual_job(
                &"req-job000".into(),
                ms(1_001_000),
                &sealed!({ "by": "officer", "note": "done by hand" }),
                event("job.manual")
            )
            .await
            .unwrap()
    );
    assert!(verdict(&b).await.is_ok());
}

async fn failed_jobs_are_retried_and_claimed_again(b: Backend) {
    b.store
        .enqueue_jobs(&jobs("req", 2), ms(0), event("request.jobs"))
        .await
        .unwrap();
    b.store
        .enqueue_jobs(&jobs("other", 1), ms(0), event("request.jobs"))
        .await
        .unwrap();
    let claimed = b
        .store
        .claim_jobs("w1", ms(0), lease(60_000), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    for job in &claimed {
        let outcome = if job.id == "req-job001" {
            JobOutcome::Done(sealed!({}))
        } else {
            JobOutcome::Failed("no such table".into())
        };
        assert!(
            b.store
                .finish_job(&job.id, "w1", ms(1_000), &outcome)
                .await
                .unwrap()
        );
    }
    let before = audit_len(&b).await;
    assert_eq!(
        b.store
            .retry_failed_jobs(&"req".into(), ms(5_000), event("request.retry"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(audit_len(&b).await, before + 1);
    let stored = b.store.jobs_for_request(&"req".into()).await.unwrap();
    let retried = stored.iter().find(|j| j.id == "req-job000").unwrap();
    assert_eq!(retried.state, PartState::Pending);
    assert_eq!(retried.run_after, ms(5_000));
    assert_eq!(retried.last_error.as_deref(), Some("no such table"));
    assert_eq!(
        (retried.worker.as_deref(), retried.lease_until),
        (None, None)
    );
    let kept = stored.iter().find(|j| j.id == "req-job001").unwrap();
    assert_eq!(kept.state, PartState::Done, "a done job is not rerun");
    assert_eq!(
        b.store.jobs_for_request(&"other".into()).await.unwrap()[0].state,
        PartState::Failed,
        "another request's failed job stays failed"
    );

    assert!(
        b.store
            .claim_jobs("w2", ms(4_999), lease(60_000), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = b
        .store
        .claim_jobs("w2", ms(5_000), lease(60_000), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id.as_str(), again[0].attempts), ("req-job000", 2));
    assert!(
        b.store
            .finish_job(
                &"req-job000".into(),
                "w2",
                ms(6_000),
                &JobOutcome::Done(sealed!({}))
            )
            .await
            .unwrap()
    );
    let outcomes: Vec<Option<String>> = b
        .store
        .job_attempts(&"req-job000".into())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.outcome.map(|o| o.as_str().to_owned()))
        .collect();
    assert_eq!(outcomes, [Some("failed".into()), Some("done".into())]);
    assert_eq!(
        b.store
            .retry_failed_jobs(&"req".into(), ms(7_000), event("request.retry"))
            .await
            .unwrap(),
        0
    );
    assert!(verdict(&b).await.is_ok());
}

async fn delete_records_deletes_only_the_listed_records_of_that_subject(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    with_subject(&b, "s2", "i2").await;
    for (id, subject) in [("r1", "s1"), ("r2", "s1"), ("r3", "s1"), ("r4", "s2")] {
        b.store
            .write_record(&record(id, subject, b"v"), event("record.write"))
            .await
            .unwrap();
    }
    let before = audit_len(&b).await;
    // r4 is another subject's: named here, it is still not deleted.
    b.store
        .delete_records(
            &"s1".into(),
            &["r1".into(), "r3".into(), "r4".into(), "missing".into()],
            &[Kept {
                record: "r2".into(),
                purposes: vec!["orders".into()],
                due: Some(date(2031, 12, 31)),
            }],
            event("records.delete"),
        )
        .await
        .unwrap();
    assert_eq!(audit_len(&b).await, before + 1);
    let ids = |records: Vec<StoredRecord>| records.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(b.store.records(&"s1".into()).await.unwrap()), ["r2"]);
    assert_eq!(ids(b.store.records(&"s2".into()).await.unwrap()), ["r4"]);
    // The one kept is limited to what keeps it, in the subject's file too.
    let file = b.store.subject_file(&"s1".into()).await.unwrap().unwrap();
    assert_eq!(file.records[0].kept_for, Some(vec!["orders".to_owned()]));
    assert_eq!(
        file.records[0].retention_due,
        Some(date(2031, 12, 31)),
        "kept until the day the erasure's answer gives"
    );
    assert_eq!(file.records[0].purposes, ["orders", "newsletter"]);
    let other = b.store.subject_file(&"s2".into()).await.unwrap().unwrap();
    assert_eq!(other.records[0].kept_for, None);

    let missing = b
        .store
        .delete_records(
            &"nobody".into(),
            &["r2".into()],
            &[],
            event("records.delete"),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
    b.store
        .erase_subject(
            &"s2".into(),
            t("2026-11-23T00:00:00Z"),
            event("subject.erase"),
        )
        .await
        .unwrap();
    let erased = b
        .store
        .delete_records(&"s2".into(), &["r4".into()], &[], event("records.delete"))
        .await;
    assert!(matches!(erased, Err(StoreError::Erased(_))), "{erased:?}");
    assert!(verdict(&b).await.is_ok());
}

fn request(id: &str, state: &str, due_on: &str, received_at: &str) -> StoredRequest {
    StoredRequest {
        id: id.into(),
        kind: RequestKind::Access,
        status: state.parse().unwrap(),
        state_detail: None,
        subject_id: None,
        language: Lang::Sv,
        payload_sealed: vec![4, 5, 6],
        follow_hash: format!("follow-{id}"),
        received_at: t(received_at),
        due_on: due_on.parse().unwrap(),
        extended_on: None,
        extension_reason: None,
        held: None,
        result_sealed: None,
        updated_at: t(received_at),
        sealed_under: SealedUnder::Installation,
    }
}

fn challenge(request_id: &str, kind: &str) -> StoredChallenge {
    StoredChallenge {
        request_id: request_id.into(),
        identity_kind: kind.into(),
        code_hash: format!("hash-{kind}"),
        expires_at: Timestamp::from_second(1_800_000_000).unwrap(),
        attempts: 0,
        verified: false,
        sends: 1,
        last_sent_at: Timestamp::from_second(1_799_999_100).unwrap(),
    }
}

fn step(request_id: &str, name: &str, detail: serde_json::Value) -> RequestStep {
    RequestStep {
        request_id: request_id.into(),
        at: t("2026-11-22T10:00:00Z"),
        step: name.into(),
        actor: "subject".into(),
        detail,
    }
}

async fn submit(b: &Backend, request: &StoredRequest, challenges: &[StoredChallenge]) {
    b.store
        .create_request(
            request,
            challenges,
            &[step(
                request.id.as_str(),
                "submitted",
                serde_json::json!({}),
            )],
            &[],
            ms(0),
            vec![event("request.submit")],
        )
        .await
        .expect("create request");
}

async fn a_request_is_stored_already_started_in_one_transaction(b: Backend) {
    let before = audit_len(&b).await;
    let stored = request("q9", "in_progress", "2026-12-22", "2026-11-22T10:00:00Z");
    let steps = [
        step("q9", "submitted", serde_json::json!({})),
        step(
            "q9",
            "started",
            serde_json::json!({ "parts": ["warehouse_db"] }),
        ),
    ];
    b.store
        .create_request(
            &stored,
            &[],
            &steps,
            &[manual_job("q9", "j9")],
            ms(0),
            vec![event("request.submit"), event("request.start")],
        )
        .await
        .unwrap();
    assert_eq!(b.store.request(&"q9".into()).await.unwrap(), Some(stored));
    assert_eq!(b.store.request_history(&"q9".into()).await.unwrap(), steps);
    let jobs = b.store.jobs_for_request(&"q9".into()).await.unwrap();
    assert_eq!(
        jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["j9"]
    );
    assert_eq!(audit_len(&b).await, before + 2);
    // A job that cannot be stored takes the request with it.
    let failed = b
        .store
        .create_request(
            &request("q10", "in_progress", "2026-12-22", "2026-11-22T10:00:00Z"),
            &[],
            &[step("q10", "submitted", serde_json::json!({}))],
            &[manual_job("q10", "j9")],
            ms(0),
            vec![event("request.submit")],
        )
        .await;
    assert!(failed.is_err(), "the job id is taken");
    assert!(b.store.request(&"q10".into()).await.unwrap().is_none());
    assert!(
        b.store
            .request_history(&"q10".into())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(audit_len(&b).await, before + 2);
}

async fn a_request_is_stored_with_its_codes_and_first_step(b: Backend) {
    let mut stored = request(
        "q1",
        "awaiting_verification",
        "2026-12-22",
        "2026-11-22T10:00:00Z",
    );
    stored.state_detail = Some(StateDetail {
        reason: Some("kept apart".into()),
        parts: Vec::new(),
    });
    stored.result_sealed = Some(vec![9, 9]);
    submit(
        &b,
        &stored,
        &[challenge("q1", "phone"), challenge("q1", "email")],
    )
    .await;
    assert_eq!(
        b.store.request(&"q1".into()).await.unwrap(),
        Some(stored.clone())
    );
    assert!(b.store.request(&"q2".into()).await.unwrap().is_none());
    assert_eq!(
        b.store.challenges(&"q1".into()).await.unwrap(),
        [challenge("q1", "email"), challenge("q1", "phone")]
    );
    assert_eq!(
        b.store.request_history(&"q1".into()).await.unwrap(),
        [step("q1", "submitted", serde_json::json!({}))]
    );

    let before = audit_len(&b).await;
    let again = b
        .store
        .create_request(
            &request("q1", "received", "2027-01-01", "2026-11-23T10:00:00Z"),
            &[challenge("q1", "postal")],
            &[step("q1", "submitted", serde_json::json!({}))],
            &[],
            ms(0),
            vec![event("request.submit")],
        )
        .await;
    assert!(
        matches!(
            &again,
            Err(StoreError::Conflict { what: "request", id }) if id == "q1"
        ),
        "{again:?}"
    );
    assert_eq!(audit_len(&b).await, before, "nothing of it is kept");
    assert_eq!(b.store.request(&"q1".into()).await.unwrap(), Some(stored));
    assert_eq!(b.store.challenges(&"q1".into()).await.unwrap().len(), 2);
    assert_eq!(
        b.store.request_history(&"q1".into()).await.unwrap().len(),
        1
    );
    assert!(verdict(&b).await.is_ok());
}

async fn a_request_moves_on_only_from_the_state_it_was_read_in(b: Backend) {
    let original = request("q1", "received", "2026-12-22", "2026-11-22T10:00:00Z");
    submit(&b, &original, &[]).await;
    let mut started = original.clone();
    started.status = RequestStatus::InProgress;
    started.subject_id = Some("s1".into());
    started.state_detail = Some(StateDetail {
        reason: None,
        parts: vec![PartOutcome {
            part: "crm:access".into(),
            done: false,
            reason: None,
        }],
    });
    started.held = Some("review".into());
    started.extended_on = Some("2026-12-01".parse().unwrap());
    started.extension_reason = Some("complex".into());
    started.due_on = "2027-02-22".parse().unwrap();
    started.language = Lang::En;
    started.payload_sealed = vec![7, 7, 7];
    started.result_sealed = Some(vec![1]);
    started.updated_at = t("2026-11-22T11:00:00Z");
    let work = vec![
        NewJob {
            id: "q1-crm".into(),
            request_id: "q1".into(),
            target: PartTarget::System("crm".into()),
            action: PartAction::Access,
            manual: false,
        },
        manual_job("q1", "q1-warehouse"),
    ];
    let started_step = step("q1", "started", serde_json::json!({ "parts": 2 }));

    let before = audit_len(&b).await;
    // Someone read the request in another state: nothing is written.
    assert!(
        !b.store
            .update_request(
                &started,
                RequestStatus::AwaitingVerification,
                &started_step,
                &work,
                ms(5_000),
                event("request.start")
            )
            .await
            .unwrap()
    );
    assert_eq!(audit_len(&b).await, before, "no audit entry");
    assert_eq!(
        b.store.request(&"q1".into()).await.unwrap(),
        Some(original.clone())
    );
    assert_eq!(
        b.store.request_history(&"q1".into()).await.unwrap().len(),
        1
    );
    assert!(
        b.store
            .jobs_for_request(&"q1".into())
            .await
            .unwrap()
            .is_empty()
    );
    // Nor for a request that does not exist.
    let mut ghost = started.clone();
    ghost.id = "ghost".into();
    assert!(
        !b.store
            .update_request(
                &ghost,
                RequestStatus::Received,
                &step("ghost", "started", serde_json::json!({})),
                &[],
                ms(5_000),
                event("request.start")
            )
            .await
            .unwrap()
    );
    assert_eq!(audit_len(&b).await, before);

    assert!(
        b.store
            .update_request(
                &started,
                RequestStatus::Received,
                &started_step,
                &work,
                ms(5_000),
                event("request.start")
            )
            .await
            .unwrap()
    );
    assert_eq!(audit_len(&b).await, before + 1);
    assert_eq!(
        b.store.request(&"q1".into()).await.unwrap(),
        Some(started.clone())
    );
    assert_eq!(
        b.store.request_history(&"q1".into()).await.unwrap(),
        [
            step("q1", "submitted", serde_json::json!({})),
            started_step.clone()
        ]
    );
    let queued = b.store.jobs_for_request(&"q1".into()).await.unwrap();
    let summary: Vec<(&str, PartState, Timestamp, bool)> = queued
        .iter()
        .map(|j| (j.id.as_str(), j.state, j.run_after, j.manual))
        .collect();
    assert_eq!(
        summary,
        [
            ("q1-crm", PartState::Pending, ms(5_000), false),
            ("q1-warehouse", PartState::Pending, ms(5_000), true)
        ]
    );
    let claimed = b
        .store
        .claim_jobs("w1", ms(5_000), lease(60_000), 10)
        .await
        .unwrap();
    assert_eq!(
        claimed.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["q1-crm"]
    );
    assert_eq!(
        b.store.requests_of_subject(&"s1".into()).await.unwrap(),
        [started.clone()]
    );

    // A second, stale writer that also read `received` loses.
    assert!(
        !b.store
            .update_request(
                &original,
                RequestStatus::Received,
                &step("q1", "cancelled", serde_json::json!({})),
                &[],
                ms(6_000),
                event("request.cancel")
            )
            .await
            .unwrap()
    );
    assert_eq!(audit_len(&b).await, before + 1);
    assert_eq!(
        b.store.request_history(&"q1".into()).await.unwrap().len(),
        2
    );
    assert!(verdict(&b).await.is_ok());
}

/// Many writers (on PostgreSQL from two pools, as two nodes would) move the
/// same request from the same state: one wins, the others write nothing.
async fn concurrent_updates_of_one_request_let_exactly_one_win(b: Backend) {
    submit(
        &b,
        &request("q1", "received", "2026-12-22", "2026-11-22T10:00:00Z"),
        &[],
    )
    .await;
    let second: Arc<dyn Store> = match &b.raw {
        Raw::Postgres(database) => Arc::new(PostgresStore::open(&database.url).await.unwrap()),
        Raw::Sqlite(..) => Arc::clone(&b.store),
    };
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = if i % 2 == 0 {
            Arc::clone(&b.store)
        } else {
            Arc::clone(&second)
        };
        tasks.push(tokio::spawn(async move {
            let mut next = request("q1", "in_progress", "2026-12-22", "2026-11-22T10:00:00Z");
            next.held = Some(format!("writer {i}"));
            let job = NewJob {
                id: format!("q1-job-{i}").into(),
                request_id: "q1".into(),
                target: PartTarget::System("crm".into()),
                action: PartAction::Access,
                manual: false,
            };
            store
                .update_request(
                    &next,
                    RequestStatus::Received,
                    &step("q1", "started", serde_json::json!({ "writer": i })),
                    &[job],
                    ms(1_000),
                    event("request.start"),
                )
                .await
                .unwrap()
        }));
    }
    let mut won = 0;
    for task in tasks {
        if task.await.unwrap() {
            won += 1;
        }
    }
    assert_eq!(won, 1);
    assert_eq!(
        b.store.request_history(&"q1".into()).await.unwrap().len(),
        2
    );
    assert_eq!(
        b.store.jobs_for_request(&"q1".into()).await.unwrap().len(),
        1
    );
    assert_eq!(verdict(&b).await.map(|v| v.entries), Ok(2));
}

async fn open_requests_come_due_date_first_and_closed_ones_are_left_out(b: Backend) {
    let cases = [
        ("late", "in_progress", "2026-12-30", "2026-11-01T00:00:00Z"),
        ("done", "completed", "2026-12-01", "2026-11-01T00:00:00Z"),
        ("soon-b", "received", "2026-12-10", "2026-11-02T00:00:00Z"),
        ("refused", "refused", "2026-12-01", "2026-11-01T00:00:00Z"),
        (
            "soon-a",
            "awaiting_verification",
            "2026-12-10",
            "2026-11-01T00:00:00Z",
        ),
        (
            "cancelled",
            "cancelled",
            "2026-12-01",
            "2026-11-01T00:00:00Z",
        ),
        (
            "partial",
            "partially_completed",
            "2026-12-05",
            "2026-11-03T00:00:00Z",
        ),
    ];
    for (id, state, due, received) in cases {
        let mut r = request(id, state, due, received);
        r.subject_id = Some(if id.starts_with("soon") { "s1" } else { "s2" }.into());
        submit(&b, &r, &[]).await;
    }
    let open: Vec<RequestId> = b
        .store
        .open_requests(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(open, ["partial", "soon-a", "soon-b", "late"]);
    let of_s1: Vec<RequestId> = b
        .store
        .requests_of_subject(&"s1".into())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(of_s1, ["soon-a", "soon-b"], "oldest first");
    assert!(
        b.store
            .requests_of_subject(&"s9".into())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn awaiting(b: &Backend, id: &str, challenges: &[StoredChallenge]) {
    submit(
        b,
        &request(
            id,
            "awaiting_verification",
            "2026-12-22",
            "2026-11-22T10:00:00Z",
        ),
        challenges,
    )
    .await;
}

/// A moment before the test challenges' codes expire.
fn before_expiry() -> Timestamp {
    Timestamp::from_second(1_799_999_999).unwrap()
}

async fn a_code_try_is_taken_only_while_one_is_left(b: Backend) {
    awaiting(
        &b,
        "q1",
        &[challenge("q1", "email"), challenge("q1", "phone")],
    )
    .await;
    let before = audit_len(&b).await;
    for n in 1..=3 {
        let taken = b
            .store
            .take_code_try(
                &"q1".into(),
                "email",
                before_expiry(),
                3,
                event("request.code"),
            )
            .await
            .unwrap()
            .expect("a try is left");
        assert_eq!(taken.attempts, n);
        assert_eq!(taken.code_hash, "hash-email", "the hash to compare with");
    }
    let none_left = b
        .store
        .take_code_try(
            &"q1".into(),
            "email",
            before_expiry(),
            3,
            event("request.code"),
        )
        .await
        .unwrap();
    assert_eq!(none_left, None);
    assert_eq!(
        audit_len(&b).await,
        before + 3,
        "a try refused writes nothing"
    );
    // An expired code gives no try; a proven identity gives none either.
    let after_expiry = Timestamp::from_second(1_800_000_001).unwrap();
    assert_eq!(
        b.store
            .take_code_try(
                &"q1".into(),
                "phone",
                after_expiry,
                3,
                event("request.code")
            )
            .await
            .unwrap(),
        None
    );
    b.store
        .prove_identity(&"q1".into(), "phone", event("request.identity_proven"))
        .await
        .unwrap();
    assert_eq!(
        b.store
            .take_code_try(
                &"q1".into(),
                "phone",
                before_expiry(),
                3,
                event("request.code")
            )
            .await
            .unwrap(),
        None
    );
    let held = b.store.challenges(&"q1".into()).await.unwrap();
    assert_eq!(
        held.iter()
            .map(|c| (c.attempts, c.verified))
            .collect::<Vec<_>>(),
        [(3, false), (0, true)]
    );
    assert_eq!(
        b.store
            .take_code_try(
                &"q2".into(),
                "email",
                before_expiry(),
                3,
                event("request.code")
            )
            .await
            .unwrap(),
        None,
        "no such request"
    );
    assert!(verdict(&b).await.is_ok());
}

/// The brute force of a code: many tries at once get no more than the
/// limit checked (read, compared and written back, they got 6 to 27).
async fn parallel_tries_take_no_more_than_there_are(b: Backend) {
    awaiting(&b, "q1", &[challenge("q1", "email")]).await;
    let tries = (0..40).map(|_| {
        let store = Arc::clone(&b.store);
        tokio::spawn(async move {
            store
                .take_code_try(
                    &"q1".into(),
                    "email",
                    before_expiry(),
                    5,
                    event("request.code"),
                )
                .await
                .unwrap()
                .is_some()
        })
    });
    let mut taken = 0;
    for t in tries.collect::<Vec<_>>() {
        taken += usize::from(t.await.unwrap());
    }
    assert_eq!(taken, 5);
    assert_eq!(
        b.store.challenges(&"q1".into()).await.unwrap()[0].attempts,
        5
    );
    assert!(verdict(&b).await.is_ok());
}

async fn a_code_is_replaced_only_within_its_sends_and_spacing(b: Backend) {
    let first = challenge("q1", "email");
    awaiting(&b, "q1", std::slice::from_ref(&first)).await;
    b.store
        .take_code_try(
            &"q1".into(),
            "email",
            before_expiry(),
            5,
            event("request.code"),
        )
        .await
        .unwrap();
    let sent_at = |second: i64| Timestamp::from_second(second).unwrap();
    let fresh = |second: i64| StoredChallenge {
        code_hash: format!("hash-{second}"),
        expires_at: sent_at(second + 900),
        last_sent_at: sent_at(second),
        ..first.clone()
    };
    let before = audit_len(&b).await;
    // Too soon after the first: the last went after `spaced_since`.
    assert!(
        !b.store
            .replace_code(
                &fresh(1_800_000_000),
                3,
                sent_at(1_799_999_000),
                event("request.code_sent")
            )
            .await
            .unwrap()
    );
    assert!(
        b.store
            .replace_code(
                &fresh(1_800_000_000),
                3,
                sent_at(1_799_999_940),
                event("request.code_sent")
            )
            .await
            .unwrap()
    );
    let held = &b.store.challenges(&"q1".into()).await.unwrap()[0];
    assert_eq!(
        (
            held.code_hash.as_str(),
            held.attempts,
            held.sends,
            held.last_sent_at
        ),
        ("hash-1800000000", 0, 2, sent_at(1_800_000_000)),
        "a new code, its tries back, one send more"
    );
    assert!(
        b.store
            .replace_code(
                &fresh(1_800_000_100),
                3,
                sent_at(1_800_000_040),
                event("request.code_sent")
            )
            .await
            .unwrap()
    );
    assert!(
        !b.store
            .replace_code(
                &fresh(1_800_000_200),
                3,
                sent_at(1_800_000_140),
                event("request.code_sent")
            )
            .await
            .unwrap(),
        "three codes sent: no more"
    );
    assert_eq!(audit_len(&b).await, before + 2);
    b.store
        .prove_identity(&"q1".into(), "email", event("request.identity_proven"))
        .await
        .unwrap();
    assert!(
        !b.store
            .replace_code(
                &fresh(1_800_000_300),
                9,
                sent_at(1_800_000_300),
                event("request.code_sent")
            )
            .await
            .unwrap(),
        "a proven identity gets no new code"
    );
    assert!(verdict(&b).await.is_ok());
}

async fn unverified_requests_are_removed_with_their_codes_and_history(b: Backend) {
    awaiting(&b, "old", &[challenge("old", "email")]).await;
    let mut newer = request(
        "new",
        "awaiting_verification",
        "2026-12-25",
        "2026-11-25T10:00:00Z",
    );
    submit(&b, &newer, &[challenge("new", "email")]).await;
    let mut started = request(
        "started",
        "in_progress",
        "2026-12-20",
        "2026-11-20T10:00:00Z",
    );
    started.subject_id = Some("s1".into());
    submit(&b, &started, &[challenge("started", "email")]).await;

    let stale = b
        .store
        .unverified_requests_before(t("2026-11-24T00:00:00Z"), 10)
        .await
        .unwrap();
    assert_eq!(stale, [RequestId::from("old")], "only unverified, only old");
    let before = audit_len(&b).await;
    assert!(
        b.store
            .remove_unverified_request(&"old".into(), event("request.expired"))
            .await
            .unwrap()
    );
    assert!(b.store.request(&"old".into()).await.unwrap().is_none());
    assert!(b.store.challenges(&"old".into()).await.unwrap().is_empty());
    assert!(
        b.store
            .request_history(&"old".into())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !b.store
            .remove_unverified_request(&"started".into(), event("request.expired"))
            .await
            .unwrap(),
        "a request that started stays"
    );
    assert!(b.store.request(&"started".into()).await.unwrap().is_some());
    assert_eq!(audit_len(&b).await, before + 1);
    newer.state_detail = None;
    assert_eq!(b.store.request(&"new".into()).await.unwrap(), Some(newer));
    assert!(verdict(&b).await.is_ok());
}

async fn the_queue_comes_in_pages(b: Backend) {
    // Same due date and time received: the id decides.
    for id in ["r3", "r1", "r5", "r2", "r4"] {
        submit(
            &b,
            &request(id, "received", "2026-12-10", "2026-11-10T00:00:00Z"),
            &[],
        )
        .await;
    }
    submit(
        &b,
        &request("r0", "received", "2026-12-09", "2026-11-12T00:00:00Z"),
        &[],
    )
    .await;
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = b.store.open_requests(after.as_ref(), 2).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        let last = page.last().unwrap();
        after = Some(QueueKey {
            due_on: last.due_on,
            received_at: last.received_at,
            id: last.id.clone(),
        });
        seen.extend(page.into_iter().map(|r| r.id));
    }
    assert_eq!(seen, ["r0", "r1", "r2", "r3", "r4", "r5"]);
    let in_state = b
        .store
        .requests_in_state(RequestStatus::Received)
        .await
        .unwrap();
    assert_eq!(in_state.len(), 6);
    assert!(
        b.store
            .requests_in_state(RequestStatus::InProgress)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn request_history_keeps_its_order(b: Backend) {
    let mut current = request("q1", "received", "2026-12-22", "2026-11-22T10:00:00Z");
    submit(&b, &current, &[]).await;
    submit(
        &b,
        &request("q2", "received", "2026-12-22", "2026-11-22T10:00:00Z"),
        &[],
    )
    .await;
    let mut expected = vec![step("q1", "submitted", serde_json::json!({}))];
    // Steps all at the same time, with names out of alphabetical order: only
    // the order they were written in orders them.
    for (i, (state, name)) in [
        ("awaiting_verification", "verification_sent"),
        ("verified", "verified"),
        ("in_progress", "started"),
        ("in_progress", "extended"),
        ("completed", "completed"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut next = current.clone();
        next.status = state.parse().unwrap();
        let s = step("q1", name, serde_json::json!({ "n": i }));
        assert!(
            b.store
                .update_request(&next, current.status, &s, &[], ms(0), event("request.step"))
                .await
                .unwrap()
        );
        expected.push(s);
        current = next;
    }
    assert_eq!(
        b.store.request_history(&"q1".into()).await.unwrap(),
        expected
    );
    assert_eq!(
        b.store.request_history(&"q2".into()).await.unwrap(),
        [step("q2", "submitted", serde_json::json!({}))]
    );
    assert!(
        b.store
            .request_history(&"q3".into())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        b.store
            .open_requests(None, 100)
            .await
            .unwrap()
            .iter()
            .all(|r| r.id != "q1"),
        "completed"
    );
    assert!(verdict(&b).await.is_ok());
}

/// The subject file is everything held about one subject, as the separate
/// reads see it, in one read: what a purpose-bound read decides on.
async fn the_subject_file_holds_everything_about_one_subject(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    with_subject(&b, "s2", "i2").await;
    b.store
        .add_identity(&identity("s1", "i1b"), None, event("identity.add"))
        .await
        .unwrap();
    for (id, subject) in [("r2", "s1"), ("r1", "s1"), ("r9", "s2")] {
        b.store
            .write_record(&record(id, subject, b"v"), event("record.write"))
            .await
            .unwrap();
    }
    let consent = ConsentRecord {
        id: "c1".into(),
        subject_id: "s1".into(),
        purpose: "newsletter".into(),
        given_at: t("2026-01-01T00:00:00.5Z"),
        withdrawn_at: Some(t("2026-02-01T00:00:00Z")),
        policy_version: "3.1".into(),
        method: "web_form".into(),
        notice_hash: "abc".into(),
        language: Lang::Sv,
        withdrawal_method: Some("api".into()),
        given_by: GivenBy::Subject,
    };
    b.store
        .give_consent(&consent, event("consent.give"))
        .await
        .unwrap();
    let happened = StoredEvent {
        id: "e1".into(),
        subject_id: "s1".into(),
        kind: Event::ContractStart,
        at: t("2026-01-02T03:04:05.123456789Z"),
    };
    b.store
        .add_event(&happened, &[], event("event.add"))
        .await
        .unwrap();
    let objection = Objection {
        subject_id: "s1".into(),
        purpose: "fraud".into(),
        at: t("2026-01-03T00:00:00Z"),
        compelling_grounds: Some("a case \"in court\"".into()),
    };
    b.store
        .set_objection(&objection, event("objection"))
        .await
        .unwrap();

    let held = file(&b, "s1").await;
    assert_eq!(
        Some(held.subject.clone()),
        b.store.subject(&"s1".into()).await.unwrap()
    );
    assert_eq!(held.key, Some(key(7)));
    assert_eq!(
        held.identities
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>(),
        ["s1-i1", "s1-i1b"]
    );
    assert_eq!(held.identities[0].value_sealed, [1, 2, 3]);
    assert_eq!(held.records, b.store.records(&"s1".into()).await.unwrap());
    assert_eq!(held.records.len(), 2, "none of the other subject's");
    assert_eq!(held.records[0].purposes, ["orders", "newsletter"]);
    assert_eq!(held.consents, [consent]);
    assert_eq!(held.events, [happened]);
    assert_eq!(held.objections, [objection]);
    assert!(
        b.store
            .subject_file(&"nobody".into())
            .await
            .unwrap()
            .is_none()
    );

    b.store
        .erase_subject(
            &"s1".into(),
            t("2026-03-01T00:00:00Z"),
            event("subject.erase"),
        )
        .await
        .unwrap();
    let erased = file(&b, "s1").await;
    assert!(erased.key.is_none() && erased.records.is_empty() && erased.identities.is_empty());
    assert_eq!(erased.subject.erased_at, Some(t("2026-03-01T00:00:00Z")));
}

/// A time Steward did not write (changed behind its back) is an error that
/// says so, never the start of 1970 or any other stand-in.
async fn a_stored_time_that_does_not_read_is_corrupt_data_not_a_default(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    b.store
        .add_event(
            &StoredEvent {
                id: "e1".into(),
                subject_id: "s1".into(),
                kind: Event::RelationshipStart,
                at: t("2026-01-01T00:00:00Z"),
            },
            &[],
            event("event.add"),
        )
        .await
        .unwrap();
    b.tamper("UPDATE events SET at = 'last spring' WHERE id = 'e1'")
        .await;
    let read = b.store.subject_file(&"s1".into()).await;
    assert!(
        matches!(&read, Err(StoreError::Corrupt(message)) if message.contains("the events of subject s1")),
        "{read:?}"
    );
    b.tamper("UPDATE subjects SET created_at = 'yesterday' WHERE id = 's1'")
        .await;
    let read = b.store.subject(&"s1".into()).await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{read:?}");
}

/// A database the first release wrote (migrations 1 to 3), with parts in
/// its form: the store opened on it reads them as typed parts, the sealed
/// results kept byte for byte.
#[tokio::test]
async fn jobs_stored_by_the_first_release_read_as_typed_parts() {
    let dir = TempDir::new("store");
    let path = dir.path().join("steward.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    first_release("sqlite").await.run(&pool).await.unwrap();
    for statement in FIRST_RELEASE_JOBS {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let store = SqliteStore::open(&path).await.unwrap();
    assert_typed_parts(&store).await;
    store.close().await;

    let database = FreshDatabase::create(Server::Postgres, "steward_test").await;
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    first_release("postgres").await.run(&pool).await.unwrap();
    for statement in FIRST_RELEASE_JOBS {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let store = PostgresStore::open(&database.url).await.unwrap();
    assert_typed_parts(&store).await;
    store.close().await;
}

const FIRST_RELEASE_JOBS: [&str; 3] = [
    "INSERT INTO jobs (id, request_id, system, action, payload, state, attempts, run_after, created_at, updated_at, result) VALUES ('j1', 'q1', 'vault', 'erasure', '{}', 'done', 1, 0, 0, 0, '{\"sealed\":\"0a0bff\"}')",
    "INSERT INTO jobs (id, request_id, system, action, payload, state, attempts, run_after, created_at, updated_at) VALUES ('j2', 'q1', 'crm', 'erase', '{}', 'pending', 0, 0, 1, 1)",
    "INSERT INTO jobs (id, request_id, system, action, payload, state, attempts, run_after, created_at, updated_at) VALUES ('j3', 'q1', 'recipient:partner', 'notify', '{}', 'failed', 8, 0, 2, 2)",
];

async fn assert_typed_parts(store: &dyn Store) {
    let jobs = store.jobs_for_request(&"q1".into()).await.unwrap();
    let parts: Vec<(PartTarget, PartAction, PartState, Option<Vec<u8>>)> = jobs
        .into_iter()
        .map(|j| (j.target, j.action, j.state, j.result_sealed))
        .collect();
    assert_eq!(
        parts,
        [
            (
                PartTarget::Vault,
                PartAction::Erase,
                PartState::Done,
                Some(vec![0x0a, 0x0b, 0xff])
            ),
            (
                PartTarget::System("crm".into()),
                PartAction::Erase,
                PartState::Pending,
                None
            ),
            (
                PartTarget::Recipient("partner".into()),
                PartAction::Notify,
                PartState::Failed,
                None
            ),
        ]
    );
}

/// The first release's migrations, 1 to 3, as it shipped them.
async fn first_release(backend: &str) -> sqlx::migrate::Migrator {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let to = TempDir::new("migrations");
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if ["0001", "0002", "0003"].iter().any(|v| name.starts_with(v)) {
            std::fs::copy(entry.path(), to.path().join(&name)).unwrap();
        }
    }
    sqlx::migrate::Migrator::new(to.path()).await.unwrap()
}

/// A key rotation must be alone with the data: refused while another
/// process has it open, and others refused while it runs.
async fn a_process_alone_with_the_data_and_others_exclude_each_other(b: Backend) {
    let url = match &b.raw {
        Raw::Sqlite(path, _) => format!("sqlite://{}", path.display()),
        Raw::Postgres(database) => database.url.clone(),
    };
    let alone = steward_store::open_as(&url, Sharing::Alone).await;
    assert!(
        matches!(&alone, Err(StoreError::InUse(m)) if m.contains("another Steward process")),
        "{:?}",
        alone.err()
    );
    let second = steward_store::open(&url).await;
    assert!(second.is_ok(), "shared with another sharer");
    drop(second);
    drop(b.store);
    let alone = steward_store::open_as(&url, Sharing::Alone)
        .await
        .expect("alone once the others are gone");
    let shared = steward_store::open(&url).await;
    assert!(
        matches!(&shared, Err(StoreError::InUse(m)) if m.contains("key rotation")),
        "{:?}",
        shared.err()
    );
    drop(alone);
    assert!(steward_store::open(&url).await.is_ok());
}

fn due(id: &str, subject: &str, day: Option<Date>) -> StoredRecord {
    StoredRecord {
        retention_due: day,
        ..record(id, subject, b"v")
    }
}

async fn the_sweep_reads_only_what_is_due_in_pages(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    for (id, day) in [
        ("r1", Some(date(2026, 1, 10))),
        ("r2", Some(date(2026, 1, 10))),
        ("r3", Some(date(2026, 2, 1))),
        ("r4", Some(date(2026, 3, 1))),
        ("r5", None),
    ] {
        b.store
            .write_record(&due(id, "s1", day), event("record.write"))
            .await
            .unwrap();
    }
    let ids = |records: Vec<StoredRecord>| {
        records
            .into_iter()
            .map(|r| r.id.to_string())
            .collect::<Vec<_>>()
    };
    // Due before 1 March: kept through a day before it; r4's last day is 1 March.
    let today = date(2026, 3, 1);
    assert_eq!(b.store.due_count(today).await.unwrap(), 3);
    let first = b.store.due_records(today, None, 2).await.unwrap();
    assert_eq!(ids(first.clone()), ["r1", "r2"]);
    let last = first.last().unwrap();
    let after = Some((last.retention_due.unwrap(), last.id.clone()));
    assert_eq!(
        ids(b.store.due_records(today, after.clone(), 2).await.unwrap()),
        ["r3"]
    );
    // An event moves r3's end: it is no longer in the index's due part.
    b.store
        .add_event(
            &StoredEvent {
                id: "e1".into(),
                subject_id: "s1".into(),
                kind: Event::ContractEnd,
                at: t("2026-02-01T00:00:00Z"),
            },
            &[DueDay {
                record: "r3".into(),
                due: Some(date(2027, 2, 1)),
            }],
            event("event.add"),
        )
        .await
        .unwrap();
    assert_eq!(b.store.due_records(today, after, 2).await.unwrap(), vec![]);
    b.store
        .set_due_days(&[DueDay {
            record: "r1".into(),
            due: None,
        }])
        .await
        .unwrap();
    assert_eq!(
        ids(b.store.due_records(today, None, 10).await.unwrap()),
        ["r2"]
    );
}

fn removal(id: &str, subject: &str, day: Date, anonymised: bool) -> Removal {
    Removal {
        record: id.into(),
        subject: subject.into(),
        last_day: day,
        anonymised: anonymised.then(|| Anonymised {
            id: format!("a-{id}"),
            category: "survey".into(),
            rule: "surveys".into(),
            month: "2026-01".into(),
            fields: serde_json::json!({ "score": 4 }),
        }),
        audit: event("retention.delete"),
    }
}

async fn a_due_record_is_removed_and_audited_once_however_many_sweeps_try(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    let day = date(2026, 1, 10);
    for id in ["r1", "r2"] {
        b.store
            .write_record(&due(id, "s1", Some(day)), event("record.write"))
            .await
            .unwrap();
    }
    let before = audit_len(&b).await;
    let removed = b
        .store
        .remove_expired(vec![
            removal("r1", "s1", day, true),
            removal("r2", "s1", day, false),
        ])
        .await
        .unwrap();
    assert_eq!(removed.len(), 2);
    assert_eq!(audit_len(&b).await, before + 2, "one entry per record");
    // The same removals again (a second node, a retried batch): nothing.
    let again = b
        .store
        .remove_expired(vec![
            removal("r1", "s1", day, true),
            removal("r2", "s1", day, false),
        ])
        .await
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(audit_len(&b).await, before + 2);
    let kept = b.store.anonymised("survey").await.unwrap();
    assert_eq!(kept.len(), 1, "anonymised once");
    assert_eq!(kept[0].fields, serde_json::json!({ "score": 4 }));
    // A record whose last day changed since the sweep read it stays.
    b.store
        .write_record(
            &due("r3", "s1", Some(date(2027, 1, 1))),
            event("record.write"),
        )
        .await
        .unwrap();
    assert!(
        b.store
            .remove_expired(vec![removal("r3", "s1", day, false)])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(b.store.records(&"s1".into()).await.unwrap().len(), 1);
    assert!(verdict(&b).await.is_ok());
}

async fn parallel_sweeps_remove_each_record_once(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    let day = date(2026, 1, 10);
    let ids: Vec<String> = (0..40).map(|i| format!("r{i:02}")).collect();
    for id in &ids {
        b.store
            .write_record(&due(id, "s1", Some(day)), event("record.write"))
            .await
            .unwrap();
    }
    let before = audit_len(&b).await;
    let store = std::sync::Arc::new(b.store);
    let mut sweeps = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        let batch: Vec<Removal> = ids.iter().map(|id| removal(id, "s1", day, true)).collect();
        sweeps.push(tokio::spawn(async move {
            store.remove_expired(batch).await.unwrap().len()
        }));
    }
    let mut total = 0;
    for sweep in sweeps {
        total += sweep.await.unwrap();
    }
    assert_eq!(total, 40, "each record removed by exactly one sweep");
    let (entries, _) = store.audit_log().await.unwrap();
    assert_eq!(entries.len(), before + 40);
    assert_eq!(store.anonymised("survey").await.unwrap().len(), 40);
}

async fn holds_are_kept_released_once_and_go_to_the_right_subject(b: Backend) {
    with_subject(&b, "s1", "i1").await;
    with_subject(&b, "s2", "i2").await;
    b.store
        .write_record(&record("r1", "s1", b"v"), event("record.write"))
        .await
        .unwrap();
    let hold = |id: &str, subject: &str, record: Option<&str>| StoredHold {
        id: id.into(),
        subject_id: subject.into(),
        record_id: record.map(Into::into),
        reason: "Tvist 2026-014".into(),
        until_day: Some(date(2027, 12, 31)),
        created_at: t("2026-11-22T10:00:00Z"),
        released_at: None,
    };
    b.store
        .add_hold(&hold("h1", "s1", Some("r1")), event("retention.hold"))
        .await
        .unwrap();
    b.store
        .add_hold(&hold("h2", "s2", None), event("retention.hold"))
        .await
        .unwrap();
    // A record of another subject cannot be held under this one.
    let wrong = b
        .store
        .add_hold(&hold("h3", "s2", Some("r1")), event("retention.hold"))
        .await;
    assert!(
        matches!(wrong, Err(StoreError::NotFound { .. })),
        "{wrong:?}"
    );
    let of_s1 = b.store.holds(Some(&["s1".into()])).await.unwrap();
    assert_eq!(of_s1, vec![hold("h1", "s1", Some("r1"))]);
    b.store
        .release_hold(
            "h1",
            t("2026-12-01T00:00:00Z"),
            event("retention.hold_released"),
        )
        .await
        .unwrap();
    let again = b
        .store
        .release_hold(
            "h1",
            t("2026-12-02T00:00:00Z"),
            event("retention.hold_released"),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::NotFound { .. })),
        "released once"
    );
    let all = b.store.holds(None).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all.iter().find(|h| h.id == "h1").unwrap().released_at,
        Some(t("2026-12-01T00:00:00Z"))
    );
}
