//! `steward`: declare your processing of personal data as code, and check,
//! render and export it.

mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "steward",
    version,
    about = "A privacy engine for the EU GDPR: processing declared as code, checked and enforced",
    long_about = "Steward reads a policy file (TOML) that declares how an organisation processes \
personal data: purposes and their legal bases, categories of data, retention, recipients, \
transfers, cookies and rights. It checks the policy against the GDPR, renders the privacy \
notice in English and Swedish, and exports the Art. 30 record of processing.",
    after_help = "Examples:\n  steward policy check policies/connectel.toml\n  steward serve --policy policies/connectel.toml\n  steward token create --policy policies/connectel.toml --role admin\n  steward policy render policies/elveta.toml --format html > notice.html\n  steward cookies scan https://www.example.se/ --policy policies/calectro.toml\n\nThe policy format is documented in docs/policy.md; the API in docs/api.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check, render and export policy files.
    #[command(subcommand)]
    Policy(commands::policy::PolicyCommand),
    /// Run the HTTP API.
    Serve(commands::serve::ServeArgs),
    /// Bulk-load subjects and their data from a JSON Lines file.
    Import(commands::import::ImportArgs),
    /// Handle rights requests: the queue, decisions, manual parts.
    #[command(subcommand)]
    Request(commands::request::RequestCommand),
    /// Show what is held about a subject.
    #[command(subcommand)]
    Subject(commands::subject::SubjectCommand),
    /// Release a subject's data to a declared recipient, and read the log.
    #[command(subcommand)]
    Disclosure(commands::disclosure::DisclosureCommand),
    /// Enforce retention: sweep expired data, look ahead, holds, statistics.
    #[command(subcommand)]
    Retention(commands::retention::RetentionCommand),
    /// Create API tokens.
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
    /// Verify the audit log.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// Rotate the key-encryption key.
    #[command(subcommand)]
    Keys(commands::keys::KeysCommand),
    /// Audit a website's cookies against the policy, in headless chromium.
    #[command(subcommand)]
    Cookies(commands::cookies::CookiesCommand),
}

/// The commands that touch stored data run on tokio.
fn run_async(command: Command) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        match command {
            Command::Policy(_) => unreachable_policy(),
            Command::Serve(args) => commands::serve::run(args).await,
            Command::Import(args) => commands::import::run(args).await,
            Command::Subject(command) => commands::subject::run(command).await,
            Command::Disclosure(command) => commands::disclosure::run(command).await,
            Command::Request(command) => commands::request::run(command).await,
            Command::Retention(command) => commands::retention::run(command).await,
            Command::Token(command) => commands::token::run(command).await,
            Command::Audit(command) => commands::audit::run(command).await,
            Command::Keys(command) => commands::keys::run(command).await,
            Command::Cookies(command) => commands::cookies::run(command).await,
        }
    })
}

fn unreachable_policy() -> anyhow::Result<ExitCode> {
    anyhow::bail!("policy commands run without the runtime")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Policy(command) => commands::policy::run(command),
        command => run_async(command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
