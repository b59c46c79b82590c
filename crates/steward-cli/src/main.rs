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
    after_help = "Examples:\n  steward policy check policies/connectel.toml\n  steward policy render policies/elveta.toml --format html > notice.html\n  steward policy ropa policies/qlocx.toml --format csv\n\nThe policy format is documented in docs/policy.md."
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Policy(command) => commands::policy::run(command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
