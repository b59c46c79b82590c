//! Crypto-shredding against a real copy of the database files, and key
//! rotation.

use serde_json::json;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::crypto::{KeyEncryptionKey, SecretKey};
use steward_server::{Application, IdentityInput, VaultError};
use steward_store::sqlite::keys_path;

use crate::helpers::*;

fn copy_database(from: &std::path::Path, to: &std::path::Path) {
    // The database with its write-ahead log: what a file-level backup holds.
    for suffix in ["", "-wal", "-shm"] {
        let source = std::path::PathBuf::from(format!("{}{suffix}", from.display()));
        if source.exists() {
            std::fs::copy(&source, format!("{}{suffix}", to.display())).unwrap();
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_copy_of_the_database_taken_before_erasure_reveals_nothing_afterwards() {
    let app = spawn_app().await;
    let anna = app.customer("anna.shred@example.se").await;
    app.store(
        &anna,
        "contact.name",
        json!("Anna Shredded-Svensson"),
        &["customer_service"],
    )
    .await;
    let ben = app.customer("ben@example.se").await;
    app.store(
        &ben,
        "contact.name",
        json!("Ben Kept"),
        &["customer_service"],
    )
    .await;

    // A backup of the data database, taken while Anna is still there.
    let db = app.dir.join("steward.db");
    let backup_dir = TempDir::new("backup");
    let backup = backup_dir.path().join("steward.db");
    copy_database(&db, &backup);
    let mut bytes = std::fs::read(&backup).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", backup.display())) {
        bytes.extend(wal);
    }
    // Encrypted at rest: neither her name nor her e-mail is in the file.
    assert!(!contains(&bytes, b"Shredded-Svensson"));
    assert!(!contains(&bytes, b"anna.shred@example.se"));

    // Anna is erased.
    assert_eq!(
        app.delete(&format!("/v1/subjects/{anna}"), &app.officer)
            .await
            .status(),
        204
    );

    // The attacker has the old copy, the key-encryption key and today's key store.
    std::fs::copy(keys_path(&db), keys_path(&backup)).unwrap();
    let restored = Application::build(app.settings_for(backup_dir.path()))
        .await
        .unwrap();
    let vault = restored.vault();
    let store = vault.store();
    // Her records are in the copy, still sealed...
    let sealed = store.records(&sid(&anna)).await.unwrap();
    assert_eq!(sealed.len(), 1);
    // ...and no key in the key store opens them.
    assert!(store.subject_key(&sid(&anna)).await.unwrap().is_none());
    let read = vault
        .read(&Actor::cli(), &sid(&anna), "customer_service")
        .await;
    assert!(matches!(read, Err(VaultError::Erased(_))), "{read:?}");
    let view = vault.subject_view(&Actor::cli(), &sid(&anna)).await;
    assert!(matches!(view, Err(VaultError::Erased(_))), "{view:?}");
    for (name, key) in store.wrapped_keys().await.unwrap() {
        if let steward_store::KeyName::Subject(other) = name {
            let unwrapped = app.kek.unwrap(&key.wrapped, &format!("subject:{anna}"));
            assert!(
                unwrapped.is_err(),
                "the key of {other} must not open Anna's data"
            );
        }
    }
    // Ben, not erased, is still readable from the same copy.
    let ben_read = vault
        .read(&Actor::cli(), &sid(&ben), "customer_service")
        .await
        .unwrap();
    assert_eq!(ben_read.records[0].value, "Ben Kept");
}

#[tokio::test]
async fn rotation_rewraps_every_key_and_retires_the_old_one() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(&anna, "contact.name", json!("Anna"), &["customer_service"])
        .await;
    let secret = SecretKey::generate();
    let new_kek = KeyEncryptionKey::new(SecretKey::from_hex(&secret.to_hex()).unwrap());
    let rotated = app.vault.rotate(&Actor::cli(), &new_kek).await.unwrap();
    assert!(rotated >= 3, "Anna's data key and the two system keys");
    let old = Application::build(app.settings_for(&app.dir)).await;
    let refused = old.err().unwrap();
    assert!(
        matches!(refused.downcast_ref(), Some(VaultError::WrongKey { .. })),
        "{refused:#}"
    );
    let mut settings = app.settings_for(&app.dir);
    settings.key = Some(secret.to_hex().into());
    let reopened = Application::build(settings).await.unwrap();
    let new = reopened.vault();
    assert_eq!(
        new.read(&Actor::cli(), &sid(&anna), "customer_service")
            .await
            .unwrap()
            .records[0]
            .value,
        "Anna"
    );
    // The blind index survived: Anna is still found by her e-mail.
    let found = new
        .find_subject(
            &Actor::cli(),
            &IdentityInput {
                kind: "email".into(),
                value: "anna@example.se".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(found, Some(sid(&anna)));
}

#[tokio::test]
async fn tampering_with_the_stored_log_is_reported_by_the_api() {
    let app = spawn_app().await;
    let anna = app.customer("anna@example.se").await;
    app.store(&anna, "contact.name", json!("Anna"), &["customer_service"])
        .await;
    let url = format!("sqlite://{}", app.dir.join("steward.db").display());
    let mut raw = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("UPDATE audit SET action = 'nothing.happened' WHERE seq = 3")
        .execute(&mut raw)
        .await
        .unwrap();
    let verdict: serde_json::Value = app
        .get("/v1/audit/verify", &app.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verdict["intact"], false);
    assert_eq!(verdict["tamper"]["kind"], "modified");
    assert_eq!(verdict["tamper"]["seq"], 3);
}

#[tokio::test]
async fn an_answer_about_a_person_goes_with_their_key_when_they_are_erased() {
    let app = spawn_app().await;
    let anna = app.customer("anna.answer@example.se").await;
    app.store(
        &anna,
        "contact.name",
        json!("Anna Answered-Svensson"),
        &["customer_service"],
    )
    .await;
    let identities = json!([{ "kind": "email", "value": "anna.answer@example.se" }]);
    let (access, access_secret) = app
        .submit_verified(json!({ "kind": "access", "identities": identities }))
        .await;
    app.do_manual_parts(&access).await;
    app.answered(&access, &access_secret).await;
    let answer = app.answer(&access, &access_secret).await;
    assert!(answer.to_string().contains("Answered-Svensson"), "{answer}");

    // A backup taken now holds the answer, sealed.
    let db = app.dir.join("steward.db");
    let backup_dir = TempDir::new("answer-backup");
    let backup = backup_dir.path().join("steward.db");
    copy_database(&db, &backup);

    let (erasure, erasure_secret) = app
        .submit_verified(json!({ "kind": "erasure", "identities": identities }))
        .await;
    app.do_manual_parts(&erasure).await;
    let view = app.answered(&erasure, &erasure_secret).await;
    assert_eq!(view["state"], "completed", "{view}");

    // The access answer is gone for the requester and for an officer...
    let path = format!("/v1/requests/{access}/answer");
    let requester = app.as_requester("GET", &path, &access_secret, None).await;
    assert_eq!(requester.status(), 410);
    assert_eq!(app.get(&path, &app.officer).await.status(), 410);
    // ...and from the backup, with the key-encryption key and today's keys.
    std::fs::copy(keys_path(&db), keys_path(&backup)).unwrap();
    let restored = Application::build(app.settings_for(backup_dir.path()))
        .await
        .unwrap();
    let officer = Actor::cli();
    let from_backup = restored
        .rights()
        .answer(
            &access.as_str().into(),
            &steward_server::Viewer::Officer(&officer),
            "json",
        )
        .await;
    assert!(
        matches!(from_backup, Err(VaultError::Erased(_))),
        "{:?}",
        from_backup.map(|(content_type, _)| content_type)
    );

    // The erasure's own answer is still there, and names nothing erased.
    let erased = app
        .as_requester(
            "GET",
            &format!("/v1/requests/{erasure}/answer"),
            &erasure_secret,
            None,
        )
        .await;
    assert_eq!(erased.status(), 200);
    let text = erased.text().await.unwrap();
    assert!(
        !text.contains("Answered-Svensson") && !text.contains("anna.answer"),
        "{text}"
    );
}

#[tokio::test]
async fn a_request_open_when_its_person_is_erased_ends_saying_so() {
    let app = spawn_app().await;
    let anna = app.customer("anna.open@example.se").await;
    app.store(
        &anna,
        "contact.name",
        json!("Anna Open"),
        &["customer_service"],
    )
    .await;
    let (access, secret) = app
        .submit_verified(json!({ "kind": "access", "identities": [{ "kind": "email", "value": "anna.open@example.se" }] }))
        .await;
    // The vault's part has run; the manual ones wait. Then she is erased.
    for _ in 0..200 {
        let view = app.officer_view(&access).await;
        if part(&view, "vault")["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(
        app.delete(&format!("/v1/subjects/{anna}"), &app.officer)
            .await
            .status(),
        204
    );
    app.do_manual_parts(&access).await;
    let view = app.answered(&access, &secret).await;
    assert_eq!(view["state"], "partially_completed", "{view}");
    let answer = app.answer(&access, &secret).await;
    assert!(!answer.to_string().contains("Anna Open"), "{answer}");
    assert!(
        answer
            .to_string()
            .contains("erased while this request was open"),
        "{answer}"
    );
}
