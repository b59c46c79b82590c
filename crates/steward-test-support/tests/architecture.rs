//! The architecture invariants of ARCHITECTURE.md that a tool can check,
//! checked on the source itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use steward_test_support::repo_root;

/// Every `.rs` file under `crates/<crate>/src`, by crate.
fn sources() -> BTreeMap<String, Vec<PathBuf>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(repo_root().join("crates")).unwrap() {
        let krate = entry.unwrap().path();
        let src = krate.join("src");
        if !src.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        walk(&src, &mut files);
        files.sort();
        out.insert(
            krate.file_name().unwrap().to_string_lossy().into_owned(),
            files,
        );
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text without comments (doc links and prose are not code) and without
/// its tests (an inline `#[cfg(test)]` module, at the end by convention).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_source_file_is_over_700_lines_but_the_text_catalogue() {
    let mut long = Vec::new();
    for files in sources().values() {
        for file in files {
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            if lines > 700 && !file.ends_with("publish/catalogue.rs") {
                long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(long.is_empty(), "split these by what they hold: {long:#?}");
}

/// A file's module path in its crate: `src/vault/read.rs` is `vault::read`,
/// `src/vault/mod.rs` is `vault`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The paths a `use` tree names, its braces expanded: `a::{b, c::d}` is
/// `a::b` and `a::c::d`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or(tree).trim().to_owned()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .filter(|i| !i.trim().is_empty())
        .flat_map(|i| expand(i).into_iter().map(|p| format!("{prefix}{p}")))
        .collect()
}

/// What one module is: the names it defines, the names it brings in by
/// `use` (and from where), its glob imports, and every path it mentions.
#[derive(Default)]
struct Module {
    defined: BTreeSet<String>,
    imported: BTreeMap<String, Vec<String>>,
    globs: Vec<Vec<String>>,
    mentions: Vec<Vec<String>>,
}

/// A path as written in `module`, made absolute in its crate; `None` for
/// paths into other crates.
fn absolute(module: &[String], children: &BTreeSet<String>, path: &str) -> Option<Vec<String>> {
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let (mut base, rest) = match segments.first().copied() {
        Some("crate") => (Vec::new(), &segments[1..]),
        Some("super") => {
            let mut parent = module.to_vec();
            parent.pop();
            (parent, &segments[1..])
        }
        Some("self") => (module.to_vec(), &segments[1..]),
        Some(first) if children.contains(first) => (module.to_vec(), &segments[..]),
        _ => return None,
    };
    base.extend(rest.iter().map(|s| (*s).to_owned()));
    Some(base)
}

fn parse_module(module: &[String], text: &str) -> Module {
    let mut out = Module::default();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '!'))
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        if matches!(
            pair[0],
            "struct"
                | "enum"
                | "fn"
                | "type"
                | "const"
                | "static"
                | "trait"
                | "mod"
                | "macro_rules!"
        ) {
            out.defined.insert(pair[1].to_owned());
        }
    }
    let children: BTreeSet<String> = text
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
        })
        .collect();
    for statement in text.split(';') {
        let statement = statement.trim();
        let tree = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|prefix| statement.strip_prefix(prefix));
        let Some(tree) = tree else {
            continue;
        };
        for path in expand(tree) {
            let (path, alias) = match path.split_once(" as ") {
                Some((p, a)) => (p.trim().to_owned(), Some(a.trim().to_owned())),
                None => (path, None),
            };
            let Some(full) = absolute(module, &children, &path) else {
                continue;
            };
            if full.last().is_some_and(|s| s == "*") {
                let glob = full[..full.len() - 1].to_vec();
                out.mentions.push(glob.clone());
                out.globs.push(glob);
            } else if let Some(name) = alias.or_else(|| full.last().cloned()) {
                out.imported.insert(name, full.clone());
                out.mentions.push(full);
            }
        }
    }
    for (at, _) in text.match_indices("crate::") {
        let rest: String = text[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        // `crate::{...}` is a use tree, read above.
        if rest.ends_with("::") {
            continue;
        }
        if let Some(full) = absolute(module, &children, &rest) {
            out.mentions.push(full);
        }
    }
    out
}

/// The module that defines what `path` names: through the deepest module
/// on the way, then through its imports (re-exports included) and globs.
fn resolve(
    modules: &BTreeMap<Vec<String>, Module>,
    path: &[String],
    depth: usize,
) -> Option<Vec<String>> {
    let owner = (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains_key(prefix))?;
    let rest = &path[owner.len()..];
    let (Some(name), Some(module)) = (rest.first(), modules.get(&owner)) else {
        return Some(owner);
    };
    if depth > 8 || module.defined.contains(name) {
        return Some(owner);
    }
    if let Some(target) = module.imported.get(name) {
        let mut next = target.clone();
        next.extend(rest[1..].iter().cloned());
        return resolve(modules, &next, depth + 1).or(Some(owner));
    }
    for glob in &module.globs {
        let defines = |m: &Module| m.defined.contains(name) || m.imported.contains_key(name);
        if modules.get(glob).is_some_and(defines) {
            let mut next = glob.clone();
            next.extend(rest.iter().cloned());
            return resolve(modules, &next, depth + 1);
        }
    }
    Some(owner)
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let mut cycles = Vec::new();
    for (krate, files) in sources() {
        let src = repo_root().join("crates").join(&krate).join("src");
        let modules: BTreeMap<Vec<String>, Module> = files
            .iter()
            .map(|f| {
                let module = module_of(&src, f);
                let parsed = parse_module(&module, &code(f));
                (module, parsed)
            })
            .collect();
        let mut edges: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
        for (name, module) in &modules {
            for mention in &module.mentions {
                if let Some(target) = resolve(&modules, mention, 0)
                    && &target != name
                {
                    edges.entry(name).or_default().insert(target);
                }
            }
        }
        if std::env::var("ARCH_DEBUG").is_ok_and(|k| k == krate) {
            for (from, targets) in &edges {
                eprintln!("{from:?} -> {targets:?}");
            }
        }
        for (from, targets) in &edges {
            for to in targets {
                if edges.get(to).is_some_and(|back| back.contains(*from)) && *from < to {
                    cycles.push(format!(
                        "{krate}: {} <-> {}",
                        from.join("::"),
                        to.join("::")
                    ));
                }
            }
        }
        if files.len() > 1 {
            assert!(
                !edges.is_empty(),
                "{krate}: no imports found at all; the check would pass on anything"
            );
        }
    }
    assert!(
        cycles.is_empty(),
        "modules that import each other (ARCH_DEBUG=<crate> prints the graph): {cycles:#?}"
    );
}

#[test]
fn the_domain_does_no_io() {
    let manifest =
        std::fs::read_to_string(repo_root().join("crates/steward-domain/Cargo.toml")).unwrap();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap();
    let pure = [
        "askama",
        "chacha20poly1305",
        "ed25519-dalek",
        "hmac",
        "sha2",
        "subtle",
        "zeroize",
        "csv",
        "jiff",
        "serde",
        "serde_json",
        "strsim",
        "thiserror",
        "toml",
    ];
    for line in dependencies.lines().filter(|l| l.contains('=')) {
        let name = line.split(['.', '=', ' ']).next().unwrap().trim();
        assert!(
            pure.contains(&name),
            "steward-domain depends on `{name}`; the domain does no I/O, so its dependencies are pure"
        );
    }
    for file in &sources()["steward-domain"] {
        let text = code(file);
        for io in [
            "std::fs",
            "std::net",
            "std::env",
            "std::process",
            "tokio",
            "std::io::std",
        ] {
            assert!(
                !text.contains(io),
                "{} uses {io}: the domain does no I/O",
                file.display()
            );
        }
    }
}

#[test]
fn only_the_vault_holds_keys_and_opens_ciphertext() {
    let key_types = ["DataKey", "FieldContext", "BlindIndexKey", "PseudonymKey"];
    let allowed = |file: &Path| {
        let path = file.to_string_lossy();
        path.contains("steward-server/src/vault/") || path.contains("steward-domain/src/vault/")
    };
    for files in sources().values() {
        for file in files.iter().filter(|f| !allowed(f)) {
            let text = code(file);
            for key in key_types {
                assert!(
                    !text.contains(key),
                    "{} uses {key}: only the vault holds keys and opens ciphertext",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn every_change_the_store_makes_commits_with_its_audit_entry() {
    let interface =
        std::fs::read_to_string(repo_root().join("crates/steward-store/src/lib.rs")).unwrap();
    let reads = [
        "subject",
        "subject_by_identity",
        "subject_file",
        "records",
        "consents",
        "consent",
        "subject_key",
        "system_key",
        "wrapped_keys",
        "jobs_for_request",
        "job_attempts",
        "request",
        "open_requests",
        "requests_in_state",
        "unverified_requests_before",
        "requests_of_subject",
        "challenges",
        "request_history",
        "disclosures",
        "disclosure_counts",
        "concerned_subjects",
        "latest_publication",
        "token_by_hash",
        "audit_log",
        "latest_checkpoint",
        "backend",
        "due_records",
        "due_count",
        "events_of",
        "under_review",
        "holds",
        "anonymised",
        "subjects_with_records",
        "retention_state",
    ];
    // Bookkeeping of the store's own machinery, not an act on anyone's data;
    // the retention index's last days are computed from audited facts (the
    // writes, events and erasures that moved them) and its fingerprint of
    // the rules.
    let mut unaudited_writes = [
        "put_system_key_if_absent",
        "claim_jobs",
        "finish_job",
        "set_due_days",
        "set_retention_state",
    ];
    unaudited_writes.sort();
    // Writes whose audit entries come inside their argument, one per item.
    let audited_inside = ["remove_expired"];
    let mut without = Vec::new();
    for signature in interface.split("fn ").skip(1) {
        let name: String = signature
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let head = signature.split(['{', ';']).next().unwrap();
        if name == "open"
            || name == "open_as"
            || reads.contains(&name.as_str())
            || audited_inside.contains(&name.as_str())
        {
            continue;
        }
        if !head.contains("AuditEvent") && !name.starts_with("append_audit") {
            without.push(name);
        }
    }
    without.sort();
    assert_eq!(
        without, unaudited_writes,
        "every write of the store takes its audit entry; a new write must, or be named here with why"
    );
}

#[test]
fn the_backends_hold_no_query_text() {
    for backend in ["sqlite.rs", "postgres.rs"] {
        let text = code(&repo_root().join("crates/steward-store/src").join(backend));
        for keyword in ["SELECT ", "INSERT INTO", "DELETE FROM", " SET "] {
            assert!(
                !text.contains(keyword),
                "{backend} writes `{keyword}`: queries are written once, in sql/"
            );
        }
    }
}
