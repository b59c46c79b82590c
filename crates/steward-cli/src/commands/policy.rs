//! `steward policy ...`: check, render, ropa, explain.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use steward_domain::CheckReport;
use steward_domain::common::lang::Lang;
use steward_domain::policy::Policy;
use steward_domain::policy::diagnostic_codes;
use steward_domain::publish::{notice, record_of_processing};

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Parse, validate and lint policy files.
    ///
    /// Reports every problem with its file, line and column, a stable code
    /// (E... for the file's structure, L... for the linter's legal rules) and
    /// a hint. Exits 0 when no errors are found, 1 otherwise.
    ///
    /// Then it lists the policy's notes: each value assumed where the
    /// notice gives none (`assumed = { field = "why" }`), and each
    /// deviation, where the published notice's own words are unlawful or
    /// contradict themselves and the organisation should correct them.
    /// Notes never fail a check.
    #[command(
        after_help = "Examples:\n  steward policy check policies/*.toml\n  steward policy check --deny-warnings policies/connectel.toml\n  steward policy explain L001"
    )]
    Check {
        /// Policy files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Fail on warnings too, as CI should.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Render the privacy notice (Art. 13 and 14) from a policy.
    #[command(
        after_help = "Examples:\n  steward policy render policies/connectel.toml\n  steward policy render policies/elveta.toml --lang en --format html -o notice.html"
    )]
    Render {
        file: PathBuf,
        /// Language; the policy's default language if not given.
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        #[arg(long, value_enum, default_value_t = NoticeFormat::Md)]
        format: NoticeFormat,
        /// A draft for the organisation to review: a last section lists
        /// every assumption and deviation. Assumed values are marked
        /// "(to be confirmed)" in every rendering, draft or not.
        #[arg(long)]
        draft: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Export the Art. 30(1) record of processing activities, one row per purpose.
    #[command(
        after_help = "Examples:\n  steward policy ropa policies/qlocx.toml --format csv > ropa.csv\n  steward policy ropa policies/elveta.toml --format md"
    )]
    Ropa {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = RopaFormat::Md)]
        format: RopaFormat,
        /// Language; the policy's default language if not given.
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Publish the policy as the new version of the notice: compared with
    /// the version published last, its material changes are named, the
    /// publication is recorded, and each person a change concerns is
    /// written to (consent a change no longer covers is refused until given
    /// again). The first publication only records the version.
    #[command(
        after_help = "Examples:\n  steward policy publish --policy policies/connectel.toml\n\nRaise `[policy] version` for each publication; a purpose whose consent must be asked again names the new version in `changed_in`."
    )]
    Publish {
        #[command(flatten)]
        vault: super::vault::VaultArgs,
    },
    /// Explain a diagnostic code, or list them all.
    #[command(
        after_help = "Examples:\n  steward policy explain\n  steward policy explain L001\n  steward policy explain conflicting-retention"
    )]
    Explain {
        /// A code such as L001, or a rule name such as conflicting-retention.
        code: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Sv,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Self {
        match lang {
            LangArg::En => Lang::En,
            LangArg::Sv => Lang::Sv,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum NoticeFormat {
    Md,
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RopaFormat {
    Csv,
    Json,
    Md,
}

pub fn run(command: PolicyCommand) -> anyhow::Result<ExitCode> {
    match command {
        PolicyCommand::Check {
            files,
            deny_warnings,
        } => check(&files, deny_warnings),
        PolicyCommand::Render {
            file,
            lang,
            format,
            draft,
            output,
        } => {
            let policy = load(&file)?;
            let lang = chosen_language(&policy, lang, &file)?;
            let document = if draft {
                notice::draft(&policy, lang)
            } else {
                notice::NoticeDocument::build(&policy, lang)
            };
            let text = match format {
                NoticeFormat::Md => document.to_markdown(),
                NoticeFormat::Html => document.to_html(),
            }
            .context("rendering the notice")?;
            emit(output.as_deref(), &text)?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Ropa {
            file,
            format,
            lang,
            output,
        } => {
            let policy = load(&file)?;
            let lang = chosen_language(&policy, lang, &file)?;
            let record = record_of_processing::Record::build(&policy, lang);
            let text = match format {
                RopaFormat::Csv => record.csv()?,
                RopaFormat::Json => record.json()?,
                RopaFormat::Md => record.markdown(),
            };
            emit(output.as_deref(), &text)?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Explain { code } => explain(code.as_deref()),
        PolicyCommand::Publish { vault } => {
            tokio::runtime::Runtime::new()?.block_on(publish(vault))
        }
    }
}

/// Checks every file, even after one fails or cannot be read, so one run
/// shows everything; exit 2 if a file could not be read, else 1 on failure.
fn check(files: &[PathBuf], deny_warnings: bool) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let mut unreadable = false;
    let stderr = std::io::stderr();
    let mut out = stderr.lock();
    for file in files {
        let source = match read(file) {
            Ok(source) => source,
            Err(error) => {
                writeln!(out, "error: {error:#}")?;
                unreadable = true;
                continue;
            }
        };
        let report = steward_domain::check(&source);
        for diagnostic in &report.diagnostics {
            write!(
                out,
                "{}",
                diagnostic.render(&file.display().to_string(), &source)
            )?;
        }
        // The connectors' tables and keys are read by the server; check them
        // here too, so a broken declaration is found before Steward starts.
        let connector_error = report.policy.as_ref().and_then(|policy| {
            steward_server::Systems::from_policy(policy, &Default::default()).err()
        });
        if let Some(error) = &connector_error {
            writeln!(out, "error: {}: {error}", file.display())?;
        }
        let mut assumptions = 0;
        let mut deviations = 0;
        for note in report.policy.iter().flat_map(|p| &p.notes) {
            let at = steward_domain::policy::diagnostic::Position::of(&source, note.span.start);
            let place = format!("{}:{}:{}", file.display(), at.line, at.column);
            match &note.kind {
                steward_domain::policy::NoteKind::Assumed { field, reason } => {
                    assumptions += 1;
                    writeln!(
                        out,
                        "{place}: note: {} `{}` assumes `{field}`: {reason}",
                        note.section, note.id
                    )?;
                }
                steward_domain::policy::NoteKind::Deviation {
                    notice,
                    reading,
                    law,
                } => {
                    deviations += 1;
                    writeln!(
                        out,
                        "{place}: finding: {} `{}`: the published notice says \u{201c}{notice}\u{201d}; Steward enforces: {reading}{}. Correct the published notice.",
                        note.section,
                        note.id,
                        law.as_ref().map(|l| format!(" ({l})")).unwrap_or_default()
                    )?;
                }
            }
        }
        let errors = report.errors() + usize::from(connector_error.is_some());
        let passed = report.passes(deny_warnings) && connector_error.is_none();
        failed |= !passed;
        writeln!(
            out,
            "{}: {} ({} error{}, {} warning{}{}{})",
            file.display(),
            if passed { "ok" } else { "FAILED" },
            errors,
            plural(errors),
            report.warnings(),
            plural(report.warnings()),
            if deny_warnings && report.warnings() > 0 {
                ", warnings denied"
            } else {
                ""
            },
            if assumptions + deviations > 0 {
                format!(
                    "; {assumptions} assumption{}, {deviations} deviation{} from the published notice",
                    plural(assumptions),
                    plural(deviations)
                )
            } else {
                String::new()
            }
        )?;
    }
    Ok(if unreadable {
        ExitCode::from(2)
    } else if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn explain(code: Option<&str>) -> anyhow::Result<ExitCode> {
    match code {
        None => {
            for rule in diagnostic_codes::ALL {
                println!(
                    "{}  {:<8} {:<36} {}",
                    rule.code,
                    severity(rule),
                    rule.name,
                    rule.summary
                );
            }
        }
        Some(code) => {
            let Some(rule) = diagnostic_codes::find(code) else {
                bail!("no rule `{code}`; `steward policy explain` lists them all");
            };
            println!(
                "{} {} ({})\n\n{}",
                rule.code,
                rule.name,
                severity(rule),
                rule.summary
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn severity(rule: &diagnostic_codes::Rule) -> &'static str {
    match rule.severity {
        steward_domain::policy::diagnostic::Severity::Error => "error",
        steward_domain::policy::diagnostic::Severity::Warning => "warning",
    }
}

/// Reads and checks a policy for rendering; refuses one with errors, since a
/// notice or record from a broken policy would tell the subject wrong things.
pub fn load(file: &Path) -> anyhow::Result<Policy> {
    let source = read(file)?;
    let report: CheckReport = steward_domain::check(&source);
    let name = file.display().to_string();
    match report.policy {
        Some(policy) if report.errors() == 0 => {
            for warning in &report.diagnostics {
                eprint!("{}", warning.render(&name, &source));
            }
            Ok(policy)
        }
        _ => {
            for diagnostic in &report.diagnostics {
                eprint!("{}", diagnostic.render(&name, &source));
            }
            bail!(
                "{name} has {} error{}; fix them first (`steward policy check {name}`)",
                report.errors(),
                plural(report.errors())
            )
        }
    }
}

fn chosen_language(policy: &Policy, lang: Option<LangArg>, file: &Path) -> anyhow::Result<Lang> {
    let lang = lang.map_or(policy.meta.default_language, Lang::from);
    if !policy.meta.languages.contains(&lang) {
        bail!(
            "{} is written in {}, not in {}; add `{}` to [policy] languages and its texts",
            file.display(),
            policy
                .meta
                .languages
                .iter()
                .map(|l| l.english_name())
                .collect::<Vec<_>>()
                .join(" and "),
            lang.english_name(),
            lang.code()
        );
    }
    Ok(lang)
}

fn read(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file)
        .with_context(|| format!("cannot read policy file {}", file.display()))
}

fn emit(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => match std::io::stdout().lock().write_all(text.as_bytes()) {
            // The reader went away (`| head`): nothing is lost, stop quietly.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            result => Ok(result?),
        },
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

async fn publish(args: super::vault::VaultArgs) -> anyhow::Result<ExitCode> {
    let text = read(&args.policy)?;
    let app = super::vault::open(&args).await?;
    let published = app
        .rights()
        .publish_notice(&steward_domain::vault::actor::Actor::cli(), &text)
        .await?;
    match &published.previous {
        None => println!(
            "published version {} (the first: nothing to compare with, no one written to)",
            published.version
        ),
        Some(previous) => {
            println!(
                "published version {} (after {previous}): {} material change{}",
                published.version,
                published.changes.len(),
                plural(published.changes.len())
            );
            for change in &published.changes {
                println!("  {} `{}`", change.kind.as_str(), change.what);
            }
            println!(
                "wrote to {} {} ({} letter{})",
                published.subjects_told,
                if published.subjects_told == 1 {
                    "person"
                } else {
                    "people"
                },
                published.letters,
                plural(published.letters)
            );
            if published.unreachable > 0 {
                println!(
                    "{} concerned {} no proven address: tell them another way",
                    published.unreachable,
                    if published.unreachable == 1 {
                        "person has"
                    } else {
                        "people have"
                    }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
