//! `steward audit verify`.

use std::process::ExitCode;

use clap::Subcommand;

use super::vault::{self, VaultArgs};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the audit log's hash chain; exit 1 naming the first entry that
    /// was modified, deleted or reordered.
    #[command(
        after_help = "Examples:\n  steward audit verify --policy policies/connectel.toml\n\nKeep the printed head hash somewhere else: a later verification that ends\nat a different hash for the same entry means the log was rewritten."
    )]
    Verify {
        #[command(flatten)]
        vault: VaultArgs,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { vault } => {
            let app = vault::open(&vault).await?;
            match app.vault().verify_audit().await? {
                Ok(verified) => {
                    println!(
                        "audit log intact: {} entries, head {}",
                        verified.entries, verified.head
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(tamper) => {
                    println!("audit log TAMPERED: {tamper}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
