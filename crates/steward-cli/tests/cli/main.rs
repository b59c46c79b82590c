//! The `steward` binary as a user runs it: exit codes, messages, files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod checkpoints;
mod cookie_scan;
mod crash_points;
mod rotation;
mod workers;

use std::path::PathBuf;
use std::process::{Command, Output};

use steward_test_support::TempDir;

fn steward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("run steward")
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const BROKEN: &str = "crates/steward-domain/tests/fixtures/broken/e002_unknown_key.toml";

fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("cli-{name}"))
}

#[test]
fn check_passes_all_source_policies_with_warnings_denied() {
    let output = steward(&[
        "policy",
        "check",
        "--deny-warnings",
        "policies/calectro.toml",
        "policies/cadcraft.toml",
        "policies/elveta.toml",
        "policies/connectel.toml",
        "policies/qlocx.toml",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output)
            .matches(": ok (0 errors, 0 warnings")
            .count(),
        5
    );
}

#[test]
fn check_reports_file_line_column_code_and_hint_and_exits_1() {
    let output = steward(&["policy", "check", BROKEN]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "{BROKEN}:10:1: error[E002] unknown-key: unknown key `adress`"
        )),
        "{err}"
    );
    assert!(err.contains("= hint: did you mean `address`?"), "{err}");
    assert!(err.contains("FAILED (1 error, 0 warnings)"), "{err}");
}

#[test]
fn warnings_fail_only_when_denied() {
    let dir = temp_dir("warnings");
    let file = dir.join("warning.toml");
    let source = std::fs::read_to_string(
        repo_root().join("crates/steward-domain/tests/fixtures/minimal.toml"),
    )
    .expect("fixture")
        + "\n[[category]]\nid = \"location\"\nname = { en = \"Location\", sv = \"Plats\" }\n";
    std::fs::write(&file, source).expect("write");
    let path = file.to_string_lossy().into_owned();
    let allowed = steward(&["policy", "check", &path]);
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    assert!(stderr(&allowed).contains("warning[L010] unused-category"));
    let denied = steward(&["policy", "check", "--deny-warnings", &path]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(stderr(&denied).contains("warnings denied"));
}

#[test]
fn check_reads_connector_declarations_as_the_server_would() {
    let dir = temp_dir("connector");
    let file = dir.join("calectro.toml");
    // The CRM's contacts table maps a column to a category the CRM is not
    // said to hold: the notice would not tell the truth.
    let source = std::fs::read_to_string(repo_root().join("policies/calectro.toml"))
        .expect("policy")
        .replacen(
            "columns = { name = \"contact.name\",",
            "columns = { settings = \"app.account_data\", name = \"contact.name\",",
            1,
        );
    std::fs::write(&file, source).expect("write");
    let output = steward(&["policy", "check", &file.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("system `crm`: the connector maps data to category `app.account_data`, which is not among the system's `categories`"),
        "{err}"
    );
    // The summary goes on to count Calectro's assumptions and deviations.
    assert!(err.contains("FAILED (1 error, 0 warnings;"), "{err}");
}

#[test]
fn a_missing_file_is_a_clear_error_with_exit_2() {
    let output = steward(&[
        "policy",
        "check",
        "policies/nope.toml",
        "policies/elveta.toml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("cannot read policy file policies/nope.toml"),
        "{err}"
    );
    assert!(
        err.contains("policies/elveta.toml: ok"),
        "the other files are still checked: {err}"
    );
}

#[test]
fn render_defaults_to_the_policy_language_and_honours_lang_and_format() {
    let swedish = steward(&["policy", "render", "policies/elveta.toml"]);
    assert!(swedish.status.success(), "{}", stderr(&swedish));
    assert!(stdout(&swedish).starts_with("# Integritetspolicy för Picofrost AB"));
    let english = steward(&[
        "policy",
        "render",
        "policies/elveta.toml",
        "--lang",
        "en",
        "--format",
        "html",
    ]);
    assert!(english.status.success());
    assert!(stdout(&english).contains("<html lang=\"en\">"));
    assert!(stdout(&english).contains("<h1>Privacy notice of Picofrost AB</h1>"));
}

#[test]
fn render_writes_to_a_file_with_output() {
    let dir = temp_dir("render");
    let file = dir.join("notice.html");
    let path = file.to_string_lossy().into_owned();
    let output = steward(&[
        "policy",
        "render",
        "policies/connectel.toml",
        "--format",
        "html",
        "-o",
        &path,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let html = std::fs::read_to_string(&file).expect("written");
    assert!(html.contains("<section id=\"retention\">"));
}

#[test]
fn render_refuses_a_policy_with_errors() {
    let output = steward(&["policy", "render", BROKEN]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("error[E002]"), "{err}");
    assert!(err.contains("has 1 error; fix them first"), "{err}");
    assert!(stdout(&output).is_empty(), "no half notice is printed");
}

#[test]
fn ropa_exports_csv_json_and_markdown() {
    let csv = steward(&["policy", "ropa", "policies/qlocx.toml", "--format", "csv"]);
    assert!(csv.status.success());
    assert!(
        stdout(&csv).starts_with(
            "Activity,Name,\"(a) Controller, joint controllers, representative, DPO\","
        )
    );
    let json = steward(&["policy", "ropa", "policies/elveta.toml", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(value["policy"], "elveta");
    assert_eq!(value["language"], "sv");
    let md = steward(&["policy", "ropa", "policies/cadcraft.toml"]);
    assert!(
        stdout(&md).starts_with("# Record of processing activities (Art. 30(1) GDPR): cadcraft")
    );
}

#[test]
fn explain_lists_every_rule_and_explains_one() {
    let all = steward(&["policy", "explain"]);
    assert!(all.status.success());
    assert_eq!(stdout(&all).lines().count(), steward_rule_count());
    let one = steward(&["policy", "explain", "L001"]);
    assert!(stdout(&one).starts_with("L001 conflicting-retention (error)"));
    let unknown = steward(&["policy", "explain", "X999"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no rule `X999`"));
}

fn steward_rule_count() -> usize {
    let docs = std::fs::read_to_string(repo_root().join("docs/policy.md")).expect("docs");
    docs.lines()
        .filter(|l| l.starts_with("| E0") || l.starts_with("| L0"))
        .count()
}

#[test]
fn every_command_teaches_with_examples_in_its_help() {
    for command in [
        &["--help"][..],
        &["policy", "check", "--help"],
        &["policy", "render", "--help"],
        &["policy", "ropa", "--help"],
        &["policy", "explain", "--help"],
        &["serve", "--help"],
        &["import", "--help"],
        &["subject", "show", "--help"],
        &["token", "create", "--help"],
        &["token", "revoke", "--help"],
        &["audit", "verify", "--help"],
        &["audit", "checkpoint", "--help"],
        &["keys", "rotate", "--help"],
        &["request", "list", "--help"],
        &["request", "submit", "--help"],
        &["request", "complete-part", "--help"],
        &["request", "work", "--help"],
        &["cookies", "scan", "--help"],
    ] {
        let output = steward(command);
        assert!(output.status.success());
        assert!(stdout(&output).contains("Examples:"), "{command:?}");
    }
}

#[test]
fn output_piped_into_a_reader_that_stops_early_ends_quietly() {
    use std::process::Stdio;
    // The JSON record is larger than a pipe's buffer, so steward is still
    // writing when the reader goes away, as with `| head`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["policy", "ropa", "policies/qlocx.toml", "--format", "json"])
        .current_dir(repo_root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("Broken pipe"),
        "{}",
        stderr(&output)
    );
}

/// Runs steward with a policy and a data directory of its own.
fn steward_in(dir: &std::path::Path, args: &[&str]) -> Output {
    let mut full = args.to_vec();
    let data = dir.to_string_lossy().into_owned();
    full.extend(["--policy", "policies/connectel.toml", "--data-dir", &data]);
    Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(&full)
        .current_dir(repo_root())
        .env_remove("STEWARD_KEK")
        .output()
        .expect("run steward")
}

#[test]
fn vault_commands_from_first_token_to_key_rotation() {
    let dir = temp_dir("vault");
    // The first command creates the database and the key, and says so.
    let token = steward_in(&dir, &["token", "create", "--role", "admin"]);
    assert!(token.status.success(), "{}", stderr(&token));
    assert!(stdout(&token).trim().starts_with("stw_"));
    assert!(
        stderr(&token).contains("generated a new key-encryption key"),
        "{}",
        stderr(&token)
    );
    assert!(dir.join("kek.key").exists() && dir.join("steward.db.keys").exists());
    let service = steward_in(&dir, &["token", "create", "--role", "service"]);
    assert_eq!(service.status.code(), Some(2));
    assert!(
        stderr(&service).contains("needs the purposes"),
        "{}",
        stderr(&service)
    );

    // Import: two good subjects, one line the policy refuses, one that is not JSON.
    let file = dir.join("people.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"subject_type": "customer_contact", "age": 40, "identities": [{"kind": "email", "value": "anna@example.se"}], "records": [{"category": "contact.name", "value": "Anna", "purposes": ["customer_service"]}], "events": [{"kind": "relationship_start"}]}"#, "\n",
            r#"{"subject_type": "customer_contact", "age": 50, "identities": [{"kind": "email", "value": "ben@example.se"}], "records": [{"category": "contact.fax", "value": "1", "purposes": ["customer_service"]}]}"#, "\n",
            r#"{"subject_type": "customer_contact", "age": 12, "identities": [{"kind": "email", "value": "kid@example.se"}]}"#, "\n",
            "not json\n",
        ),
    )
    .unwrap();
    let path = file.to_string_lossy().into_owned();
    let import = steward_in(&dir, &["import", &path]);
    assert_eq!(
        import.status.code(),
        Some(1),
        "refusals make the import fail"
    );
    let out = stdout(&import);
    assert!(
        out.contains("2 subjects created, 0 updated, 1 records, 1 events"),
        "{out}"
    );
    assert!(out.contains("line 2: record `contact.fax`"), "{out}");
    assert!(
        out.contains("line 3: birth_date: the subject is 12"),
        "{out}"
    );
    assert!(out.contains("line 4: not a subject line"), "{out}");
    let refused = std::fs::read_to_string(dir.join("people.jsonl.refused.jsonl")).unwrap();
    assert_eq!(refused.lines().count(), 3, "every refusal is kept");

    // Subject show decrypts what is held.
    let show = steward_in(&dir, &["subject", "show", "--email", "anna@example.se"]);
    assert!(show.status.success(), "{}", stderr(&show));
    let view: serde_json::Value = serde_json::from_str(&stdout(&show)).unwrap();
    assert_eq!(view["identities"][0]["value"], "anna@example.se");
    assert_eq!(view["records"][0]["value"], "Anna");

    // The log is intact; rotation keeps everything readable under a new key.
    assert!(steward_in(&dir, &["audit", "verify"]).status.success());
    let old_key = std::fs::read_to_string(dir.join("kek.key")).unwrap();
    let rotate = steward_in(&dir, &["keys", "rotate"]);
    assert!(rotate.status.success(), "{}", stderr(&rotate));
    assert_ne!(
        std::fs::read_to_string(dir.join("kek.key")).unwrap(),
        old_key
    );
    assert!(!dir.join("kek.key.new").exists());
    assert!(
        steward_in(&dir, &["subject", "show", "--email", "anna@example.se"])
            .status
            .success()
    );
    let verify = steward_in(&dir, &["audit", "verify"]);
    assert!(
        stdout(&verify).starts_with("audit log intact"),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn a_wrong_key_is_refused_with_advice() {
    let dir = temp_dir("wrong-key");
    assert!(
        steward_in(&dir, &["token", "create", "--role", "admin"])
            .status
            .success()
    );
    std::fs::write(dir.join("kek.key"), format!("{}\n", "ab".repeat(32))).unwrap();
    let output = steward_in(&dir, &["audit", "verify"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("does not match this database"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn serve_starts_answers_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = temp_dir("serve");
    let data = dir.to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args([
            "serve",
            "--policy",
            "policies/connectel.toml",
            "--data-dir",
            &data,
            "--listen",
            "127.0.0.1:0",
        ])
        .current_dir(repo_root())
        .env_remove("STEWARD_KEK")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let serving = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("serving"))
        .expect("a serving line");
    let address = serving
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"backend\":\"sqlite\""), "{response}");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "a graceful stop exits 0");
    assert!(lines.map_while(Result::ok).any(|l| l.contains("stopped")));
}

/// Starts `steward serve` on a free port; returns the child and its address.
fn start_server(
    dir: &std::path::Path,
) -> (
    std::process::Child,
    String,
    std::io::Lines<std::io::BufReader<std::process::ChildStderr>>,
) {
    use std::io::BufRead;
    let data = dir.to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args([
            "serve",
            "--policy",
            "policies/connectel.toml",
            "--data-dir",
            &data,
            "--listen",
            "127.0.0.1:0",
        ])
        .current_dir(repo_root())
        .env_remove("STEWARD_KEK")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let serving = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("serving"))
        .expect("a serving line");
    let address = serving
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    (child, address, lines)
}

/// A minimal HTTP/1.1 request over a fresh connection; returns (status, body).
fn http(address: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[test]
fn kill_9_loses_no_acknowledged_write() {
    let dir = temp_dir("crash");
    let token = stdout(&steward_in(&dir, &["token", "create", "--role", "admin"]))
        .trim()
        .to_owned();
    let (mut server, address, _log) = start_server(&dir);
    let (status, body) = http(
        &address,
        "POST",
        "/v1/subjects",
        &token,
        r#"{"subject_type":"customer_contact","age":40,"identities":[{"kind":"email","value":"crash@example.se"}]}"#,
    );
    assert_eq!(status, 201, "{body}");
    let subject = body
        .split("\"id\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    // Writes are acknowledged one by one; the server is killed right after the last answer.
    let mut acknowledged = 0;
    for i in 0..40 {
        let record = format!(
            r#"{{"category":"contact.name","value":"name {i}","purposes":["customer_service"]}}"#
        );
        let (status, _) = http(
            &address,
            "POST",
            &format!("/v1/subjects/{subject}/records"),
            &token,
            &record,
        );
        assert_eq!(status, 201);
        acknowledged += 1;
    }
    server.kill().unwrap(); // SIGKILL: no shutdown, no flush.
    server.wait().unwrap();

    let (mut restarted, address, _log) = start_server(&dir);
    let (status, body) = http(
        &address,
        "GET",
        &format!("/v1/subjects/{subject}/data?purpose=customer_service"),
        &token,
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body.matches("\"category\":\"contact.name\"").count(),
        acknowledged,
        "every acknowledged write survived"
    );
    let (_, verdict) = http(&address, "GET", "/v1/audit/verify", &token, "");
    assert!(verdict.contains("\"intact\":true"), "{verdict}");
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}

#[test]
fn an_officer_works_a_request_from_the_command_line() {
    let dir = temp_dir("request");
    let submitted = steward_in(
        &dir,
        &[
            "request",
            "submit",
            "--kind",
            "restriction",
            "--email",
            "anna@example.se",
            "--identity-checked",
        ],
    );
    assert!(submitted.status.success(), "{}", stderr(&submitted));
    let body: serde_json::Value = serde_json::from_str(&stdout(&submitted)).expect("json");
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(body["state"], "in_progress");
    let list = steward_in(&dir, &["request", "list"]);
    assert!(stdout(&list).contains(&id), "{}", stdout(&list));
    // The vault's part and the Art. 19 letters to recipients run; Connectel's
    // systems have no connectors, so theirs wait for a person.
    let work = steward_in(&dir, &["request", "work"]);
    let ran = stdout(&work);
    assert!(
        ran.starts_with("ran ") && !ran.starts_with("ran 0"),
        "{ran}"
    );
    let show = steward_in(&dir, &["request", "show", &id]);
    let view: serde_json::Value = serde_json::from_str(&stdout(&show)).expect("json");
    let manual: Vec<String> = view["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter(|p| p["manual"] == true)
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(!manual.is_empty());
    for part in &manual {
        let done = steward_in(
            &dir,
            &[
                "request",
                "complete-part",
                &id,
                part,
                "--note",
                "restricted by hand",
            ],
        );
        assert!(done.status.success(), "{}", stderr(&done));
    }
    let show = steward_in(&dir, &["request", "show", &id]);
    let view: serde_json::Value = serde_json::from_str(&stdout(&show)).expect("json");
    assert_eq!(view["state"], "completed", "{view}");
}

#[test]
fn an_officer_enters_a_rectification_that_came_by_letter() {
    let dir = temp_dir("rectify");
    let file = dir.join("anna.jsonl");
    std::fs::write(
        &file,
        r#"{"subject_type": "customer_contact", "age": 40, "identities": [{"kind": "email", "value": "anna@example.se"}], "records": [{"category": "contact.name", "value": "Anna Svensson", "purposes": ["customer_service"]}]}"#,
    )
    .unwrap();
    let import = steward_in(&dir, &["import", &file.to_string_lossy()]);
    assert!(import.status.success(), "{}", stderr(&import));
    // The binary under test reads the system clock, so the test must too.
    #[allow(clippy::disallowed_methods)]
    let received = (jiff::Zoned::now() - jiff::Span::new().days(6))
        .date()
        .to_string();
    let submitted = steward_in(
        &dir,
        &[
            "request",
            "submit",
            "--kind",
            "rectification",
            "--email",
            "anna@example.se",
            "--category",
            "contact.name",
            "--value",
            "Anna Berg",
            "--language",
            "sv",
            "--identity-checked",
            "--received",
            &received,
            "--channel",
            "letter",
        ],
    );
    assert!(submitted.status.success(), "{}", stderr(&submitted));
    let body: serde_json::Value = serde_json::from_str(&stdout(&submitted)).expect("json");
    let id = body["id"].as_str().expect("id").to_owned();
    let work = steward_in(&dir, &["request", "work"]);
    assert!(work.status.success(), "{}", stderr(&work));
    let show = steward_in(&dir, &["subject", "show", "--email", "anna@example.se"]);
    let subject: serde_json::Value = serde_json::from_str(&stdout(&show)).expect("json");
    assert_eq!(subject["records"][0]["value"], "Anna Berg", "{subject}");
    let show = steward_in(&dir, &["request", "show", &id]);
    let view: serde_json::Value = serde_json::from_str(&stdout(&show)).expect("json");
    assert_eq!(view["history"][0]["detail"]["channel"], "letter", "{view}");
    assert_eq!(
        view["history"][0]["detail"]["received_on"],
        received.as_str()
    );

    // A misspelt channel names the flag and what it accepts.
    let wrong = steward_in(
        &dir,
        &[
            "request",
            "submit",
            "--kind",
            "access",
            "--email",
            "anna@example.se",
            "--channel",
            "fax",
        ],
    );
    assert_eq!(wrong.status.code(), Some(2), "{}", stderr(&wrong));
    assert!(stderr(&wrong).contains("--channel"), "{}", stderr(&wrong));
}

#[test]
fn an_officer_records_a_disclosure_to_the_police_and_reads_it_back() {
    let dir = temp_dir("disclose");
    let file = dir.join("anna.jsonl");
    std::fs::write(
        &file,
        r#"{"subject_type": "customer_contact", "age": 40, "identities": [{"kind": "email", "value": "anna@example.se"}], "records": [{"category": "contact.email", "value": "anna@example.se", "purposes": ["legal_requests"]}]}"#,
    )
    .unwrap();
    let import = steward_in(&dir, &["import", &file.to_string_lossy()]);
    assert!(import.status.success(), "{}", stderr(&import));
    let show = steward_in(&dir, &["subject", "show", "--email", "anna@example.se"]);
    let subject: serde_json::Value = serde_json::from_str(&stdout(&show)).expect("json");
    let id = subject["id"].as_str().expect("id").to_owned();
    let police = [
        "disclosure",
        "record",
        "--subject",
        &id,
        "--recipient",
        "law_enforcement",
        "--purpose",
        "legal_requests",
    ];
    // Without the legal request behind it: refused, naming what is missing.
    let refused = steward_in(&dir, &police);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("legal ground"),
        "{}",
        stderr(&refused)
    );
    let mut stated = police.to_vec();
    stated.extend([
        "--authority",
        "Polismyndigheten",
        "--ground",
        "Beslut om husrannsakan",
        "--reference",
        "AM-1",
    ]);
    let done = steward_in(&dir, &stated);
    assert!(done.status.success(), "{}", stderr(&done));
    let outcome: serde_json::Value = serde_json::from_str(&stdout(&done)).expect("json");
    assert_eq!(
        outcome["records"][0]["value"], "anna@example.se",
        "{outcome}"
    );
    let list = steward_in(&dir, &["disclosure", "list", "--subject", &id]);
    let log: serde_json::Value = serde_json::from_str(&stdout(&list)).expect("json");
    assert_eq!(
        log[0]["legal_request"]["authority"], "Polismyndigheten",
        "{log}"
    );
    let transfers = steward_in(&dir, &["disclosure", "transfers"]);
    let transfers: serde_json::Value = serde_json::from_str(&stdout(&transfers)).expect("json");
    let police = transfers
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["recipient"] == "law_enforcement")
        .unwrap();
    assert_eq!(police["actual"][0]["count"], 1, "{police}");
}

/// A connector may not delete what a retention rule keeps under a law:
/// Calectro's CRM once deleted contacts whose names and addresses its
/// invoices (kept by Bokföringslagen) need, and the invoices' reference
/// made every such erasure fail.
#[test]
fn check_refuses_a_connector_that_deletes_what_the_law_keeps() {
    let dir = temp_dir("crm-retention");
    let text = std::fs::read_to_string(repo_root().join("policies/calectro.toml"))
        .unwrap()
        .replacen("anonymise = [\"email\", \"phone\"]\n", "", 1);
    let path = dir.join("calectro.toml");
    std::fs::write(&path, text).unwrap();
    let output = steward(&["policy", "check", &path.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("table `contacts` deletes, with its row,")
            && err.contains("bookkeeping_seven_years")
            && err.contains("Bokföringslagen"),
        "{err}"
    );
}

/// Runs steward on `policy` (a file path) with a data directory of its own.
fn steward_on(dir: &std::path::Path, policy: &std::path::Path, args: &[&str]) -> Output {
    let mut full = args.to_vec();
    let data = dir.to_string_lossy().into_owned();
    let policy = policy.to_string_lossy().into_owned();
    full.extend(["--policy", &policy, "--data-dir", &data]);
    Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(&full)
        .current_dir(repo_root())
        .env_remove("STEWARD_KEK")
        .output()
        .expect("run steward")
}

#[test]
fn publishing_a_new_notice_names_its_changes_and_writes_to_whom_they_concern() {
    let dir = temp_dir("publish");
    let v1 = repo_root().join("policies/connectel.toml");
    let file = dir.join("people.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"subject_type": "customer_contact", "age": 40, "identities": [{"kind": "email", "value": "anna@example.se"}], "consents": [{"purpose": "support_call_recording", "method": "import"}]}"#,
            "\n",
            r#"{"subject_type": "prospect", "age": 40, "identities": [{"kind": "email", "value": "lead@example.se"}], "records": [{"category": "contact.email", "value": "lead@example.se", "purposes": ["demo"]}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let import = steward_on(&dir, &v1, &["import", &file.to_string_lossy()]);
    assert!(import.status.success(), "{}", stderr(&import));
    let first = steward_on(&dir, &v1, &["policy", "publish"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("the first"), "{}", stdout(&first));
    // The same version again: nothing new to publish.
    let again = steward_on(&dir, &v1, &["policy", "publish"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("raise `[policy] version`"),
        "{}",
        stderr(&again)
    );

    // Version 3.2 records calls in a way the old consent does not cover.
    let text = std::fs::read_to_string(&v1).unwrap();
    assert!(text.contains("version = \"3.1\""));
    let v2_text = text
        .replacen("version = \"3.1\"", "version = \"3.2\"", 1)
        .replacen(
            "id = \"support_call_recording\"\n",
            "id = \"support_call_recording\"\nchanged_in = \"3.2\"\n",
            1,
        );
    let v2 = dir.join("connectel-3.2.toml");
    std::fs::write(&v2, v2_text).unwrap();
    let second = steward_on(&dir, &v2, &["policy", "publish"]);
    assert!(second.status.success(), "{}", stderr(&second));
    let out = stdout(&second);
    assert!(
        out.contains("consent_again `support_call_recording`"),
        "{out}"
    );
    assert!(out.contains("wrote to 1 person (1 letter)"), "{out}");
    // Anna, who consented, is told; the lead, whom it does not concern, not.
    let letters: Vec<String> = std::fs::read_dir(dir.join("outbox/email"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .filter(|l| l.contains("version 3.2"))
        .collect();
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert!(letters[0].contains("anna@example.se"), "{}", letters[0]);
    assert!(
        letters[0].contains("ask for your consent again"),
        "{}",
        letters[0]
    );
}

/// Today, and `days` from now, as the CLI's real clock has them (UTC days;
/// the margins below are whole days wider than any time zone).
#[allow(clippy::disallowed_methods)]
fn days_from_now(days: i64) -> jiff::Timestamp {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24 * days))
        .unwrap()
}

fn day_in(days: i64) -> String {
    days_from_now(days).to_string()[..10].to_owned()
}

#[test]
fn retention_from_the_command_line_dry_run_simulate_holds_run_and_statistics() {
    let dir = temp_dir("retention");
    let file = dir.join("people.jsonl");
    let mut lines = String::new();
    // A call recording of 20 days ago: its 30 days end in 10.
    lines.push_str(&format!(
        r#"{{"subject_type": "customer_contact", "age": 40, "identities": [{{"kind": "email", "value": "anna@example.se"}}], "records": [{{"category": "helpdesk.call_recording", "value": "call.ogg", "purposes": ["support_call_recording"], "collected_at": "{}"}}]}}"#,
        days_from_now(-20)
    ));
    lines.push('\n');
    // Five survey answers of 80 days ago: anonymised in 10 days.
    for i in 0..5 {
        lines.push_str(&format!(
            r#"{{"subject_type": "customer_contact", "age": 40, "identities": [{{"kind": "email", "value": "p{i}@example.se"}}], "records": [{{"category": "survey", "value": {{"survey": "helpdesk", "rating": 5, "comment": "fine"}}, "purposes": ["helpdesk_quality"], "collected_at": "{}"}}]}}"#,
            days_from_now(-80)
        ));
        lines.push('\n');
    }
    std::fs::write(&file, lines).unwrap();
    let import = steward_in(&dir, &["import", &file.to_string_lossy()]);
    assert!(import.status.success(), "{}", stderr(&import));

    let now = steward_in(&dir, &["retention", "run", "--dry-run"]);
    assert!(now.status.success(), "{}", stderr(&now));
    assert!(stdout(&now).contains("nothing is due"), "{}", stdout(&now));

    let later = day_in(12);
    let ahead = steward_in(&dir, &["retention", "run", "--dry-run", "--now", &later]);
    let out = stdout(&ahead);
    assert!(out.contains("dry run: nothing was changed"), "{out}");
    assert!(
        out.contains("would delete       1 × helpdesk.call_recording for support_call_recording (rule `helpdesk_call_recordings`, in vault)"),
        "{out}"
    );
    assert!(
        out.contains(
            "would anonymise       5 × survey for helpdesk_quality (rule `surveys`, in vault)"
        ),
        "{out}"
    );

    let simulate = steward_in(&dir, &["retention", "simulate", "--until", &day_in(70)]);
    let out = stdout(&simulate);
    assert!(simulate.status.success(), "{}", stderr(&simulate));
    assert!(out.contains("nothing was changed"), "{out}");
    assert!(
        out.contains("delete       1 × helpdesk.call_recording"),
        "{out}"
    );
    let months = out.lines().filter(|l| l.starts_with("20")).count();
    assert!(months >= 3, "one line a month: {out}");

    // A real run in the future deletes early: refused unless asked for.
    let early = steward_in(&dir, &["retention", "run", "--now", &later]);
    assert!(!early.status.success());
    assert!(
        stderr(&early).contains("--allow-future"),
        "{}",
        stderr(&early)
    );

    let anna = steward_in(&dir, &["subject", "show", "--email", "anna@example.se"]);
    let anna: serde_json::Value = serde_json::from_str(&stdout(&anna)).unwrap();
    let anna = anna["id"].as_str().unwrap().to_owned();
    let hold = steward_in(
        &dir,
        &[
            "retention",
            "holds",
            "add",
            "--subject",
            &anna,
            "--reason",
            "Complaint 2026-31 to IMY",
        ],
    );
    assert!(hold.status.success(), "{}", stderr(&hold));
    let hold_id = stdout(&hold).trim().to_owned();
    let list = steward_in(&dir, &["retention", "holds", "list"]);
    assert!(
        stdout(&list).contains("in force until released"),
        "{}",
        stdout(&list)
    );

    let run = steward_in(
        &dir,
        &[
            "retention",
            "run",
            "--now",
            &later,
            "--allow-future",
            "--json",
        ],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let report: serde_json::Value = serde_json::from_str(&stdout(&run)).unwrap();
    assert_eq!(report["held"], 1, "{report}");
    assert_eq!(report["lines"][0]["action"], "anonymise", "{report}");
    assert_eq!(report["lines"][0]["count"], 5);

    let stats = steward_in(
        &dir,
        &[
            "retention",
            "statistics",
            "--category",
            "survey",
            "--by",
            "rating",
        ],
    );
    let stats: serde_json::Value = serde_json::from_str(&stdout(&stats)).unwrap();
    assert_eq!(
        stats["groups"],
        serde_json::json!([{ "key": [5], "count": 5 }])
    );

    let release = steward_in(&dir, &["retention", "holds", "release", &hold_id]);
    assert!(release.status.success(), "{}", stderr(&release));
    let run = steward_in(
        &dir,
        &["retention", "run", "--now", &later, "--allow-future"],
    );
    let out = stdout(&run);
    assert!(
        out.contains("deleted       1 × helpdesk.call_recording"),
        "{out}"
    );
    assert!(out.contains("1 subject(s) had no data left"), "{out}");
}
