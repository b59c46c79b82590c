//! `steward token create`.

use std::process::ExitCode;

use anyhow::bail;
use clap::Subcommand;
use steward_domain::vault::actor::{Actor, Role};

use super::vault::{self, VaultArgs};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token; its secret is printed once and never stored.
    #[command(
        after_help = "Roles:\n  admin            everything, including tokens\n  privacy_officer  subjects, records, consents, erasure, the record of processing, the audit log\n  service          stores and reads data only for its --purpose(s)\n  auditor          the audit log and the record of processing; no personal data\n\nExamples:\n  steward token create --policy policies/connectel.toml --role admin\n  steward token create --policy policies/connectel.toml --role service \\\n      --purpose customer_service --purpose support_call_recording --description helpdesk"
    )]
    Create {
        #[command(flatten)]
        vault: VaultArgs,
        /// admin, privacy_officer, service or auditor.
        #[arg(long)]
        role: String,
        /// For services: a purpose the token may use (repeat for several).
        #[arg(long = "purpose")]
        purposes: Vec<String>,
        /// What the token is for.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Revoke a token by its id (printed when it was created).
    #[command(
        after_help = "Examples:\n  steward token revoke --policy policies/connectel.toml 01a201ec-0181-7641-8d99-44497169bb41"
    )]
    Revoke {
        #[command(flatten)]
        vault: VaultArgs,
        /// The token's id.
        id: String,
    },
}

pub async fn run(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Revoke { vault, id } => {
            let app = vault::open(&vault).await?;
            app.vault()
                .revoke_token(&Actor::cli(), &id.as_str().into())
                .await?;
            println!("revoked token {id}");
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Create {
            vault,
            role,
            purposes,
            description,
        } => {
            let role = match role.parse::<Role>() {
                Ok(role) if Role::TOKEN_ROLES.contains(&role) => role,
                _ => {
                    bail!("`{role}` is not a role: use admin, privacy_officer, service or auditor")
                }
            };
            let app = vault::open(&vault).await?;
            let (token, secret) = app
                .vault()
                .create_token(&Actor::cli(), role, purposes, &description)
                .await?;
            eprintln!(
                "steward: created {} token {}; the secret below is shown only now:",
                token.role, token.id
            );
            println!("{secret}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
