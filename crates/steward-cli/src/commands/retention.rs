//! `steward retention run|simulate|holds|statistics|review`: carry out the
//! policy's retention periods, see ahead what they will remove, keep data
//! under a legal hold, and read what anonymisation kept.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;
use jiff::civil::Date;
use steward_domain::policy::RetentionAction;
use steward_domain::vault::actor::Actor;
use steward_server::clock::{Clock, ManualClock, SystemClock};
use steward_server::{SweepLine, SweepOptions, SweepReport};

use super::vault::{self, VaultArgs};

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Delete, anonymise or flag for review every record whose retention
    /// period has ended, as the policy's rules say.
    #[command(
        after_help = "Reads refuse expired data the day its period ends; this removes it. `steward serve` runs it every hour (--retention-every). Each deletion and anonymisation is in the audit log with the rule that caused it.\n\nExamples:\n  steward retention run --policy policies/connectel.toml --dry-run\n  steward retention run --policy policies/connectel.toml\n  steward retention run --policy policies/connectel.toml --dry-run --now 2027-06-01\n\nA dry run changes nothing and lists what would go, per action, rule, category and purposes, with counts."
    )]
    Run(RunArgs),
    /// See ahead, month by month, what retention will remove; changes nothing.
    #[command(
        after_help = "Each month's line is what a sweep would remove in that month if nothing new happened (no new events, holds ending on their day). It reads the same index as the sweep, so nothing is copied or changed.\n\nExample:\n  steward retention simulate --policy policies/connectel.toml --until 2028-12-31"
    )]
    Simulate(SimulateArgs),
    /// Legal or litigation holds: data under one is not swept.
    #[command(subcommand)]
    Holds(HoldsCommand),
    /// Count anonymised data, in groups of at least the policy's k.
    #[command(
        after_help = "Anonymised data has no link to anyone; it is shown only counted, and a group of fewer than k records (`[statistics] k`, 5 unless the policy says) is left out.\n\nExample:\n  steward retention statistics --policy policies/connectel.toml --category survey --by month --by score"
    )]
    Statistics(StatisticsArgs),
    /// Records whose `review` rule has ended, awaiting an officer's decision.
    Review {
        #[command(flatten)]
        vault: VaultArgs,
    },
}

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    vault: VaultArgs,
    /// Report what would be removed; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Run as of this time or day (RFC 3339, or YYYY-MM-DD for its first
    /// moment where the controller is) instead of now.
    #[arg(long)]
    now: Option<String>,
    /// Allow a real run with --now in the future: it deletes data before
    /// its period has ended. For test data only.
    #[arg(long, requires = "now")]
    allow_future: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Records per transaction.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    batch: u32,
}

#[derive(Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    vault: VaultArgs,
    /// The last day to look ahead to (YYYY-MM-DD).
    #[arg(long)]
    until: Date,
    /// Print the months as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum HoldsCommand {
    /// Put a subject's data (or one record) on hold.
    #[command(
        after_help = "Example:\n  steward retention holds add --policy policies/elveta.toml --subject 0193a6f2-... \\\n      --reason 'Tvist 2026-014, Solna tingsrätt' --until 2027-12-31\n\nWithout --until the hold lasts until released. A hold stops the sweep only: reads for purposes whose period has ended are still refused. Write no personal data in the reason."
    )]
    Add {
        #[command(flatten)]
        vault: VaultArgs,
        #[arg(long)]
        subject: String,
        /// One record only.
        #[arg(long)]
        record: Option<String>,
        /// Why, e.g. the case and the court.
        #[arg(long)]
        reason: String,
        /// The last day it holds (YYYY-MM-DD).
        #[arg(long)]
        until: Option<Date>,
    },
    /// Every hold (or one subject's), newest first.
    List {
        #[command(flatten)]
        vault: VaultArgs,
        #[arg(long)]
        subject: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// End a hold: its data is swept as its periods say.
    Release {
        #[command(flatten)]
        vault: VaultArgs,
        /// The hold's id, as `holds add` or `holds list` print it.
        id: String,
    },
}

#[derive(Args)]
pub struct StatisticsArgs {
    #[command(flatten)]
    vault: VaultArgs,
    /// The category anonymised.
    #[arg(long)]
    category: String,
    /// Group by `month` (of collection), `rule`, or a field the rule keeps
    /// (repeat for more).
    #[arg(long)]
    by: Vec<String>,
}

pub async fn run(command: RetentionCommand) -> anyhow::Result<ExitCode> {
    let actor = Actor::cli();
    match command {
        RetentionCommand::Run(args) => run_sweep(args, &actor).await,
        RetentionCommand::Simulate(args) => simulate(args, &actor).await,
        RetentionCommand::Holds(command) => holds(command, &actor).await,
        RetentionCommand::Statistics(args) => {
            let app = vault::open(&args.vault).await?;
            let stats = app
                .vault()
                .statistics(&actor, &args.category, &args.by)
                .await?;
            println!("{}", serde_json::to_string_pretty(&stats)?);
            Ok(ExitCode::SUCCESS)
        }
        RetentionCommand::Review { vault } => {
            let app = vault::open(&vault).await?;
            let records = app.vault().under_review(&actor).await?;
            let list: Vec<serde_json::Value> = records
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "record": r.id, "subject": r.subject_id, "category": r.category,
                        "purposes": r.kept_for.as_ref().unwrap_or(&r.purposes),
                        "kept_through": r.retention_due.map(|d| d.to_string()),
                        "review_since": r.review_since.map(|t| t.to_string()),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn run_sweep(args: RunArgs, actor: &Actor) -> anyhow::Result<ExitCode> {
    let mut settings = args.vault.settings()?;
    if let Some(text) = &args.now {
        let at = parse_moment(text, &settings.policy.controller.time_zone)?;
        if at > SystemClock.now() && !args.dry_run && !args.allow_future {
            bail!(
                "--now {text} is in the future: a real run would delete data before its period ends. Add --dry-run to see what would go then, or --allow-future on test data"
            );
        }
        settings.clock = Arc::new(ManualClock::new(at));
    }
    let app = vault::open_with(settings).await?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} due records ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: u64, total: u64| {
        bar.set_length(total.max(done));
        bar.set_position(done);
    };
    let report = app
        .sweeper()
        .run_once(
            actor,
            SweepOptions {
                dry_run: args.dry_run,
                batch: args.batch,
                progress: Some(&progress),
            },
        )
        .await?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report, app.vault().policy());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &SweepReport, policy: &steward_domain::policy::Policy) {
    let day = report.today.map(|d| d.to_string()).unwrap_or_default();
    let zone = policy.controller.time_zone.iana_name().unwrap_or("UTC");
    if report.dry_run {
        println!("Retention as of {day} ({zone}), dry run: nothing was changed.");
    } else {
        println!("Retention as of {day} ({zone}).");
    }
    if report.lines.is_empty() {
        println!("  nothing is due.");
    }
    for line in &report.lines {
        println!("  {}", describe(line, report.dry_run));
    }
    if report.held > 0 {
        println!(
            "  {} due record(s) kept under a hold in force (`steward retention holds list`).",
            report.held
        );
    }
    if report.rescheduled > 0 {
        println!(
            "  {} record(s) no longer due (an event or an erasure moved their end): rescheduled.",
            report.rescheduled
        );
    }
    for failure in &report.failures {
        println!("  not swept: {failure}");
    }
    if report.subjects_shredded > 0 {
        println!(
            "  {} subject(s) had no data left: their keys were destroyed.",
            report.subjects_shredded
        );
    }
}

fn describe(line: &SweepLine, dry_run: bool) -> String {
    let verb = match (line.action, dry_run) {
        (RetentionAction::Delete, true) => "would delete",
        (RetentionAction::Delete, false) => "deleted",
        (RetentionAction::Anonymise, true) => "would anonymise",
        (RetentionAction::Anonymise, false) => "anonymised",
        (RetentionAction::Review, true) => "would flag for review",
        (RetentionAction::Review, false) => "flagged for review",
    };
    if line.purposes.is_empty() {
        // A connected system's table.
        return format!(
            "{verb} {:>7} rows of table {} (rule `{}`, in {})",
            line.count, line.category, line.rule, line.system
        );
    }
    format!(
        "{verb} {:>7} × {} for {} (rule `{}`, in {})",
        line.count,
        line.category,
        line.purposes.join(", "),
        line.rule,
        line.system
    )
}

async fn simulate(args: SimulateArgs, actor: &Actor) -> anyhow::Result<ExitCode> {
    let mut settings = args.vault.settings()?;
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    settings.clock = clock.clone();
    let zone = settings.policy.controller.time_zone.clone();
    let app = vault::open_with(settings).await?;
    let today = SystemClock.now().to_zoned(zone.clone()).date();
    if args.until < today {
        bail!("--until {} is before today ({today})", args.until);
    }
    // What is due on the first day of each month (and the day after
    // `until`): the difference between two is what goes in between.
    let mut days = vec![today];
    let mut next = today.first_of_month();
    loop {
        next = next.checked_add(jiff::Span::new().months(1))?;
        let end = args.until.tomorrow()?;
        if next >= end {
            days.push(end);
            break;
        }
        days.push(next);
    }
    let mut before: Vec<SweepLine> = Vec::new();
    let mut months = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let start = day.to_zoned(zone.clone())?.timestamp();
        clock.set(start);
        let report = app
            .sweeper()
            .run_once(
                actor,
                SweepOptions {
                    dry_run: true,
                    ..SweepOptions::default()
                },
            )
            .await?;
        if i > 0 {
            let from = days[i - 1];
            let to = day.yesterday()?;
            let mut lines = Vec::new();
            for line in &report.lines {
                let earlier = before
                    .iter()
                    .find(|b| {
                        b.rule == line.rule
                            && b.category == line.category
                            && b.purposes == line.purposes
                            && b.action == line.action
                    })
                    .map_or(0, |b| b.count);
                if line.count > earlier {
                    lines.push(SweepLine {
                        count: line.count - earlier,
                        ..line.clone()
                    });
                }
            }
            months.push((from, to, lines));
        }
        before = report.lines;
    }
    if args.json {
        let json: Vec<serde_json::Value> = months
            .iter()
            .map(|(from, to, lines)| serde_json::json!({ "from": from.to_string(), "through": to.to_string(), "lines": lines }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "What retention removes from {today} through {}, if nothing new happens (nothing was changed):",
        args.until
    );
    for (from, to, lines) in &months {
        let total: u64 = lines.iter().map(|l| l.count).sum();
        println!("{} ({from} – {to}): {total}", from.strftime("%Y-%m"));
        for line in lines {
            println!(
                "    {}",
                describe(line, true).trim_start_matches("would ").to_owned()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn holds(command: HoldsCommand, actor: &Actor) -> anyhow::Result<ExitCode> {
    match command {
        HoldsCommand::Add {
            vault,
            subject,
            record,
            reason,
            until,
        } => {
            let app = vault::open(&vault).await?;
            let hold = app
                .vault()
                .add_hold(
                    actor,
                    &subject.as_str().into(),
                    record.map(|r| r.as_str().into()),
                    &reason,
                    until,
                )
                .await?;
            println!("{}", hold.id);
            eprintln!(
                "steward: held {} of subject {} {}",
                hold.record_id
                    .map_or("all data".to_owned(), |r| format!("record {r}")),
                hold.subject_id,
                hold.until_day
                    .map_or("until released".to_owned(), |d| format!("through {d}"))
            );
            Ok(ExitCode::SUCCESS)
        }
        HoldsCommand::List {
            vault,
            subject,
            json,
        } => {
            let app = vault::open(&vault).await?;
            let subject = subject.map(|s| s.as_str().into());
            let holds = app.vault().holds(actor, subject.as_ref()).await?;
            let today = app.vault().today();
            let list: Vec<serde_json::Value> = holds
                .iter()
                .map(|h| {
                    let in_force =
                        h.released_at.is_none() && h.until_day.is_none_or(|u| u >= today);
                    serde_json::json!({
                        "id": h.id, "subject": h.subject_id, "record": h.record_id,
                        "reason": h.reason, "until": h.until_day.map(|d| d.to_string()),
                        "created_at": h.created_at.to_string(),
                        "released_at": h.released_at.map(|t| t.to_string()),
                        "in_force": in_force,
                    })
                })
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("no holds");
            } else {
                for h in &holds {
                    let state = match (h.released_at, h.until_day) {
                        (Some(at), _) => format!("released {at}"),
                        (None, Some(u)) if u < today => format!("ended {u}"),
                        (None, Some(u)) => format!("in force through {u}"),
                        (None, None) => "in force until released".to_owned(),
                    };
                    println!(
                        "{}  subject {}{}  {state}  — {}",
                        h.id,
                        h.subject_id,
                        h.record_id
                            .as_ref()
                            .map_or(String::new(), |r| format!(" record {r}")),
                        h.reason
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        HoldsCommand::Release { vault, id } => {
            let app = vault::open(&vault).await?;
            app.vault().release_hold(actor, &id).await?;
            eprintln!("steward: released hold {id}; its data is swept as its periods say");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A time (RFC 3339), or a day: its first moment where the controller is.
fn parse_moment(text: &str, zone: &jiff::tz::TimeZone) -> anyhow::Result<Timestamp> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    let day: Date = text.parse().with_context(|| {
        format!("--now {text}: not a time (2027-06-01T00:00:00Z) or a day (2027-06-01)")
    })?;
    Ok(day.to_zoned(zone.clone())?.timestamp())
}
