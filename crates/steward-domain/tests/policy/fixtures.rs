//! Each file in tests/fixtures/broken/ ends with `# expect:` lines: exactly the
//! diagnostics `check` must report, with line, column and message, and may
//! give the first diagnostic's `# hint:`.

use super::*;

#[test]
fn the_minimal_policy_passes_with_warnings_denied() {
    let source = fixture("minimal.toml");
    let report = steward_domain::check(&source);
    assert!(
        report.passes(true),
        "{}",
        rendered(&report.diagnostics, &source)
    );
}

#[test]
fn every_broken_fixture_reports_exactly_its_expected_diagnostics() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 13,
        "one fixture per structural error code at least"
    );
    for file in files {
        let source = std::fs::read_to_string(&file).expect("fixture");
        let expected: Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no `# expect:` line",
            file.display()
        );
        let report = steward_domain::check(&source);
        assert!(!report.passes(false), "{} should fail", file.display());
        assert_eq!(
            summaries(&report.diagnostics, &source),
            expected,
            "{}",
            file.display()
        );
        if let Some(hint) = source.lines().find_map(|l| l.strip_prefix("# hint: ")) {
            assert_eq!(
                report.diagnostics[0].hint.as_deref(),
                Some(hint),
                "{}",
                file.display()
            );
        }
    }
}

#[test]
fn every_structural_error_code_has_a_fixture() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for rule in steward_domain::policy::diagnostic_codes::ALL
        .iter()
        .filter(|r| r.code.starts_with('E'))
    {
        let prefix = rule.code.to_ascii_lowercase();
        assert!(
            names.iter().any(|n| n.starts_with(&prefix)),
            "no fixture for {}",
            rule.code
        );
    }
}

#[test]
fn a_structurally_broken_file_is_not_linted() {
    // Lints on a half-read policy would be noise on top of the real error.
    let source = fixture("broken/e005_undeclared_reference.toml");
    let report = steward_domain::check(&source);
    assert!(report.policy.is_none());
    assert!(report.diagnostics.iter().all(|d| d.code().starts_with('E')));
}
