//! `steward import FILE.jsonl`: bulk-loads subjects and their data.
//!
//! Each line is one subject. What the policy refuses is reported by line and
//! reason, and written in full to FILE.refused.jsonl, so nothing is lost.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::consent::GivenBy;
use steward_server::{IdentityInput, NewRecord, NewSubject, Vault};

use super::vault::{self, VaultArgs};

#[derive(Args)]
#[command(
    after_help = "Each line of FILE is a JSON object:\n\n  {\"subject_type\": \"customer_contact\",\n   \"identities\": [{\"kind\": \"email\", \"value\": \"anna@example.se\"}],\n   \"records\":    [{\"category\": \"contact.name\", \"value\": \"Anna\", \"purposes\": [\"customer_service\"], \"collected_at\": \"2021-05-03T10:00:00Z\"}],\n   \"events\":     [{\"kind\": \"relationship_start\", \"at\": \"2024-01-15T00:00:00Z\"}],\n   \"consents\":   [{\"purpose\": \"support_call_recording\", \"method\": \"import\"}]}\n\nA subject whose identity is already stored gets the new data added. A record's `collected_at` (optional, never in the future) is when it was collected: its retention runs from then, and one whose every period has already ended is refused, with the rule, by line.\n\nExamples:\n  steward import --policy policies/connectel.toml customers.jsonl"
)]
pub struct ImportArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// A JSON Lines file.
    pub file: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    subject_type: String,
    identities: Vec<IdentityInput>,
    birth_date: Option<String>,
    age: Option<u32>,
    #[serde(default)]
    records: Vec<NewRecord>,
    #[serde(default)]
    events: Vec<EventLine>,
    #[serde(default)]
    consents: Vec<ConsentLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventLine {
    kind: String,
    at: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentLine {
    purpose: String,
    method: String,
    language: Option<String>,
    /// `parental_responsibility` for a child's consent given by a parent.
    #[serde(default)]
    given_by: GivenBy,
}

#[derive(Default)]
struct Summary {
    subjects_created: u64,
    subjects_updated: u64,
    records: u64,
    events: u64,
    consents: u64,
    refused: Vec<(usize, String, String)>,
}

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let app = vault::open(&args.vault).await?;
    let vault = app.vault();
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let progress = ProgressBar::new(lines.len() as u64).with_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} lines ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut summary = Summary::default();
    let actor = Actor::cli();
    for (number, raw) in lines {
        import_line(vault, &actor, number, raw, &mut summary).await;
        progress.inc(1);
    }
    progress.finish_and_clear();
    println!(
        "imported {}: {} subjects created, {} updated, {} records, {} events, {} consents",
        args.file.display(),
        summary.subjects_created,
        summary.subjects_updated,
        summary.records,
        summary.events,
        summary.consents
    );
    if summary.refused.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let refused_path = refused_path(&args.file);
    write_refused(&refused_path, &summary.refused)?;
    println!(
        "refused {} item(s); all of them, with the input, are in {}:",
        summary.refused.len(),
        refused_path.display()
    );
    for (line, reason, _) in summary.refused.iter().take(20) {
        println!("  line {line}: {reason}");
    }
    if summary.refused.len() > 20 {
        println!("  ... and {} more", summary.refused.len() - 20);
    }
    Ok(ExitCode::FAILURE)
}

async fn import_line(
    vault: &Vault,
    actor: &Actor,
    number: usize,
    raw: &str,
    summary: &mut Summary,
) {
    let refuse = |reason: String, input: String| (number, reason, input);
    let line: Line = match serde_json::from_str(raw) {
        Ok(line) => line,
        Err(e) => {
            summary
                .refused
                .push(refuse(format!("not a subject line: {e}"), raw.to_owned()));
            return;
        }
    };
    let existing = match line.identities.first() {
        Some(first) => vault.find_subject(actor, first).await,
        None => Ok(None),
    };
    let subject_id = match existing {
        Ok(Some(id)) => {
            summary.subjects_updated += 1;
            id
        }
        Ok(None) => {
            let new = NewSubject {
                subject_type: line.subject_type.clone(),
                birth_date: line.birth_date.clone(),
                age: line.age,
                identities: line.identities.clone(),
            };
            match vault.create_subject(actor, new).await {
                Ok(id) => {
                    summary.subjects_created += 1;
                    id
                }
                Err(e) => {
                    summary.refused.push(refuse(e.to_string(), raw.to_owned()));
                    return;
                }
            }
        }
        Err(e) => {
            summary.refused.push(refuse(e.to_string(), raw.to_owned()));
            return;
        }
    };
    for record in line.records {
        let input = serde_json::json!({ "category": record.category, "purposes": record.purposes })
            .to_string();
        let category = record.category.clone();
        match vault.write_record(actor, &subject_id, record).await {
            Ok(_) => summary.records += 1,
            Err(e) => summary
                .refused
                .push(refuse(format!("record `{category}`: {}", e), input)),
        }
    }
    for event in line.events {
        match vault
            .record_event(actor, &subject_id, &event.kind, event.at.as_deref())
            .await
        {
            Ok(()) => summary.events += 1,
            Err(e) => summary.refused.push(refuse(
                format!("event `{}`: {}", event.kind, e),
                event.kind.clone(),
            )),
        }
    }
    for consent in line.consents {
        match vault
            .give_consent(
                actor,
                &subject_id,
                &consent.purpose,
                &consent.method,
                consent.language.as_deref(),
                consent.given_by,
            )
            .await
        {
            Ok(_) => summary.consents += 1,
            Err(e) => summary.refused.push(refuse(
                format!("consent to `{}`: {}", consent.purpose, e),
                consent.purpose.clone(),
            )),
        }
    }
}

fn refused_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".refused.jsonl");
    PathBuf::from(name)
}

fn write_refused(path: &Path, refused: &[(usize, String, String)]) -> anyhow::Result<()> {
    // Refused lines hold personal data: readable by the owner only.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    for (line, reason, input) in refused {
        writeln!(
            out,
            "{}",
            serde_json::json!({ "line": line, "reason": reason, "input": input })
        )?;
    }
    Ok(())
}
