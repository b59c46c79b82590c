//! Signed checkpoints against someone who owns the database (issue 10,
//! item 5): each rewrite below passes the head-only check, since the chain
//! is unkeyed and its head lives in the same database; `steward audit verify
//! --checkpoint` catches it, since the attacker cannot sign a checkpoint.
//! The attacker here has the SQLite file, not `checkpoint.key` and not the
//! auditor's copies of the checkpoints and the public key.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use steward_domain::vault::audit_chain::{AuditEvent, GENESIS};

use super::{repo_root, stderr, stdout, steward_in, temp_dir};

/// An installation with `before` acts, a checkpoint the auditor keeps (in
/// its own folder) and the public key, then `after` more acts.
struct Installation {
    dir: steward_test_support::TempDir,
    checkpoint: PathBuf,
    public_key: PathBuf,
    /// The checkpoint's size.
    size: u64,
}

fn installation(name: &str, before: usize, after: usize) -> Installation {
    let dir = temp_dir(name);
    let auditor = dir.join("auditor");
    std::fs::create_dir_all(&auditor).unwrap();
    for _ in 0..before {
        act(&dir);
    }
    let key = steward_in(&dir, &["audit", "checkpoint", "--public-key"]);
    assert!(key.status.success(), "{}", stderr(&key));
    let public_key = auditor.join("steward.pub");
    std::fs::write(&public_key, stdout(&key)).unwrap();
    let checkpoint = auditor.join("checkpoints.log");
    let output = checkpoint.to_string_lossy().into_owned();
    let signed = steward_in(&dir, &["audit", "checkpoint", "--output", &output]);
    assert!(signed.status.success(), "{}", stderr(&signed));
    for _ in 0..after {
        act(&dir);
    }
    let text = std::fs::read_to_string(&checkpoint).unwrap();
    let size = text
        .lines()
        .find_map(|l| l.strip_prefix("size "))
        .unwrap()
        .parse()
        .unwrap();
    Installation {
        dir,
        checkpoint,
        public_key,
        size,
    }
}

/// One audited act.
fn act(dir: &Path) {
    let output = steward_in(dir, &["token", "create", "--role", "auditor"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

impl Installation {
    fn verify_head_only(&self) -> Output {
        steward_in(&self.dir, &["audit", "verify"])
    }

    fn verify(&self) -> Output {
        let checkpoint = self.checkpoint.to_string_lossy().into_owned();
        let key = self.public_key.to_string_lossy().into_owned();
        steward_in(
            &self.dir,
            &[
                "audit",
                "verify",
                "--checkpoint",
                &checkpoint,
                "--public-key",
                &key,
            ],
        )
    }

    /// Runs the attacker's statements on the database, then rechains every
    /// entry from the first so that the chain and its head verify again.
    /// Steward's own copies of its checkpoints stay unless a statement
    /// deletes them.
    fn rewrite(&self, statements: &[&str]) {
        let url = format!("sqlite://{}", self.dir.join("steward.db").display());
        let statements: Vec<String> = statements.iter().map(|s| (*s).to_owned()).collect();
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                use sqlx::{Connection, Row};
                let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
                for statement in &statements {
                    sqlx::query(statement).execute(&mut db).await.unwrap();
                }
                let rows = sqlx::query("SELECT * FROM audit ORDER BY seq")
                    .fetch_all(&mut db)
                    .await
                    .unwrap();
                let mut prev = GENESIS.to_owned();
                for row in &rows {
                    let detail: String = row.get("detail");
                    let event = AuditEvent {
                        at: row.get("at"),
                        actor: row.get("actor"),
                        action: row.get("action"),
                        subject: row.get("subject"),
                        detail: serde_json::from_str(&detail).unwrap(),
                    };
                    let hash = event.hash_after(&prev);
                    sqlx::query("UPDATE audit SET prev_hash = $1, hash = $2 WHERE seq = $3")
                        .bind(&prev)
                        .bind(&hash)
                        .bind(row.get::<i64, _>("seq"))
                        .execute(&mut db)
                        .await
                        .unwrap();
                    prev = hash;
                }
                sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(rows.len() as i64)
                    .bind(&prev)
                    .execute(&mut db)
                    .await
                    .unwrap();
            });
    }
}

/// The head-only check passes (which is why checkpoints are needed), and
/// the check against the checkpoint fails naming `what`.
fn caught(installation: &Installation, what: &str) {
    let head_only = installation.verify_head_only();
    assert!(
        head_only.status.success() && stdout(&head_only).starts_with("audit log intact"),
        "the head-only check cannot see this rewrite: {}{}",
        stdout(&head_only),
        stderr(&head_only)
    );
    let verify = installation.verify();
    assert_eq!(
        verify.status.code(),
        Some(1),
        "{}{}",
        stdout(&verify),
        stderr(&verify)
    );
    assert!(
        stdout(&verify).starts_with("audit log TAMPERED") && stdout(&verify).contains(what),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn an_untouched_log_extends_its_checkpoint_and_counts_the_entries_after_it() {
    let installation = installation("checkpoint-intact", 3, 2);
    assert_eq!(installation.size, 3);
    let verify = installation.verify();
    assert!(verify.status.success(), "{}", stderr(&verify));
    // The signing's own entry and the two acts after it.
    assert_eq!(
        stdout(&verify).trim(),
        format!(
            "audit log intact: 6 entries, extends the checkpoint of size 3 signed at {}; 3 entries after it are not yet covered by a checkpoint",
            signed_at(&installation.checkpoint)
        )
    );
    let head_only = installation.verify_head_only();
    assert!(stdout(&head_only).starts_with("audit log intact: 6 entries, head "));
}

fn signed_at(checkpoint: &Path) -> String {
    let text = std::fs::read_to_string(checkpoint).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("at "))
        .unwrap()
        .to_owned()
}

#[test]
fn truncating_the_tail_and_moving_the_head_back_is_caught() {
    let installation = installation("checkpoint-truncated", 4, 1);
    installation.rewrite(&[
        "DELETE FROM audit WHERE seq > 2",
        "DELETE FROM audit_checkpoints",
    ]);
    caught(&installation, "the log has 2 entries, but the checkpoint");
}

#[test]
fn wiping_the_log_and_resetting_the_head_is_caught() {
    let installation = installation("checkpoint-wiped", 3, 1);
    installation.rewrite(&["DELETE FROM audit", "DELETE FROM audit_checkpoints"]);
    caught(&installation, "the log has 0 entries, but the checkpoint");
    // Refilled past the checkpoint's size, the log still is not the one signed.
    for _ in 0..5 {
        act(&installation.dir);
    }
    caught(
        &installation,
        "entry 3 is not the one the checkpoint signed",
    );
}

#[test]
fn editing_an_entry_and_recomputing_every_hash_after_it_is_caught() {
    let installation = installation("checkpoint-edited", 3, 2);
    installation.rewrite(&["UPDATE audit SET action = 'nothing.happened' WHERE seq = 2"]);
    caught(
        &installation,
        "entry 3 is not the one the checkpoint signed",
    );
}

#[test]
fn a_forged_entry_inside_the_checkpoint_is_caught_and_one_after_it_is_reported_uncovered() {
    // Inserted among the signed entries, correctly chained: entry 3 is then
    // another entry than the one signed.
    let inside = installation("checkpoint-forged-inside", 3, 0);
    inside.rewrite(&[
        "UPDATE audit SET seq = seq + 100 WHERE seq >= 2",
        "UPDATE audit SET seq = seq - 99 WHERE seq >= 100",
        "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (2, '2026-01-01T00:00:00Z', 'cli', 'consent.give', NULL, '{}', '', '')",
    ]);
    caught(&inside, "entry 3 is not the one the checkpoint signed");

    // Appended after the checkpoint, correctly chained: no signature covers
    // it yet, so verification passes and says how much is uncovered; the
    // next checkpoint from Steward is what makes it permanent.
    let after = installation("checkpoint-forged-after", 3, 0);
    after.rewrite(&[
        "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (5, '2026-01-01T00:00:00Z', 'cli', 'consent.give', NULL, '{}', '', '')",
    ]);
    let verify = after.verify();
    assert!(verify.status.success(), "{}", stderr(&verify));
    assert!(
        stdout(&verify).contains("extends the checkpoint of size 3")
            && stdout(&verify).contains("; 2 entries after it are not yet covered by a checkpoint"),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn a_checkpoint_altered_or_signed_with_another_key_is_refused() {
    let installation = installation("checkpoint-signatures", 2, 0);
    let text = std::fs::read_to_string(&installation.checkpoint).unwrap();
    std::fs::write(&installation.checkpoint, text.replace("size 2", "size 1")).unwrap();
    let verify = installation.verify();
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        stdout(&verify).contains("does not verify with key"),
        "{}",
        stdout(&verify)
    );

    // An attacker's own installation signs a checkpoint with its own key.
    let forger = temp_dir("checkpoint-forger");
    let forged = steward_in(&forger, &["audit", "checkpoint"]);
    assert!(forged.status.success(), "{}", stderr(&forged));
    std::fs::write(&installation.checkpoint, stdout(&forged)).unwrap();
    let verify = installation.verify();
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        stdout(&verify).contains("was signed by key")
            && stdout(&verify).contains("not by the key given"),
        "{}",
        stdout(&verify)
    );

    let garbage = std::fs::write(&installation.checkpoint, "hello\n");
    assert!(garbage.is_ok());
    let verify = installation.verify();
    assert_eq!(verify.status.code(), Some(2), "{}", stdout(&verify));
    assert!(
        stderr(&verify).contains("in the checkpoint file")
            && stderr(&verify).contains("not a checkpoint"),
        "{}",
        stderr(&verify)
    );
}

#[test]
fn steward_signs_no_checkpoint_of_a_log_that_no_longer_extends_its_last_one() {
    let installation = installation("checkpoint-refused", 3, 1);
    // The attacker edits and rechains, but leaves Steward's own checkpoints.
    installation.rewrite(&["UPDATE audit SET actor = 'someone else' WHERE seq = 1"]);
    let signed = steward_in(&installation.dir, &["audit", "checkpoint"]);
    assert!(!signed.status.success());
    assert!(
        stderr(&signed).contains("no longer extends this installation's last checkpoint"),
        "{}",
        stderr(&signed)
    );
}

#[test]
fn serve_signs_checkpoints_at_its_interval_into_the_witness_folder() {
    use std::io::BufRead;
    let dir = temp_dir("checkpoint-serve");
    act(&dir);
    let witness = dir.join("witness");
    let data = dir.to_string_lossy().into_owned();
    let witness_arg = witness.to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args([
            "serve",
            "--policy",
            "policies/connectel.toml",
            "--data-dir",
            &data,
            "--listen",
            "127.0.0.1:0",
            "--checkpoint-every",
            "1s",
            "--witness-dir",
            &witness_arg,
        ])
        .current_dir(repo_root())
        .env_remove("STEWARD_KEK")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    assert!(
        lines
            .by_ref()
            .map_while(Result::ok)
            .any(|l| l.contains("serving"))
    );
    let log = witness.join("checkpoints.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains("— steward ")) {
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint in {}",
            log.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Nothing happened since: the next intervals sign nothing more.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        text.matches("steward-audit-checkpoint v1").count(),
        1,
        "{text}"
    );
    assert!(text.contains("\nsize 1\n"), "{text}");
    let log_arg = log.to_string_lossy().into_owned();
    let verify = steward_in(&dir, &["audit", "verify", "--checkpoint", &log_arg]);
    assert!(
        verify.status.success(),
        "{}{}",
        stdout(&verify),
        stderr(&verify)
    );
    assert!(
        stdout(&verify).contains("extends the checkpoint of size 1"),
        "{}",
        stdout(&verify)
    );
}
