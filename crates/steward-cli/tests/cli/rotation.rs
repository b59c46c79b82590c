//! `steward keys rotate` while a server runs: on e7d5a7a it exited 0, and
//! subjects the running server created afterwards could not be decrypted
//! after a restart. It is refused now while any other process has the
//! database open, and works once they are stopped.

use std::time::Duration;

use super::temp_dir;
use super::workers::{Database, Hooks, Installation, policy, records_of, subject_with_record};
use super::{stderr, stdout};

fn rotation_waits_for_the_server(on_postgres: bool) {
    let dir = temp_dir(&format!("rotate-{}", uuid::Uuid::new_v4().simple()));
    let database = on_postgres.then(Database::create);
    let hooks = Hooks::start(&[], true, Duration::ZERO);
    let steward = Installation {
        policy: policy(&dir),
        dir: dir.to_path_buf(),
        database: database.as_ref().map(|d| d.url.clone()),
        hooks: hooks.address.clone(),
        lease: "5s",
    };
    let officer = steward.token("privacy_officer");
    let server = steward.serve("1");
    let before = subject_with_record(&server.address, &officer, "anna@example.se");

    let refused = steward.command(&["keys", "rotate"]).output().expect("run");
    assert!(!refused.status.success(), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("another Steward process has this database open"),
        "{}",
        stderr(&refused)
    );
    assert!(
        !dir.join("kek.key.new").exists(),
        "no new key is left behind"
    );
    // The server goes on, and what it stores now stays readable.
    let after = subject_with_record(&server.address, &officer, "bert@example.se");
    drop(server);

    let rotated = steward.run(&["keys", "rotate"]);
    assert!(stdout(&rotated).contains("rotated"), "{}", stdout(&rotated));
    let server = steward.serve("0");
    for subject in [&before, &after] {
        assert_eq!(records_of(&server.address, &officer, subject), 1);
    }
}

#[test]
fn key_rotation_is_refused_while_a_server_runs_on_sqlite() {
    rotation_waits_for_the_server(false);
}

#[test]
fn key_rotation_is_refused_while_a_server_runs_on_postgres() {
    rotation_waits_for_the_server(true);
}
