//! `steward subject show`.

use std::process::ExitCode;

use anyhow::bail;
use clap::Subcommand;
use steward_domain::vault::actor::Actor;
use steward_server::IdentityInput;
use steward_server::dto::SubjectView;

use super::vault::{self, VaultArgs};

#[derive(Subcommand)]
pub enum SubjectCommand {
    /// Show everything held about a subject, decrypted, as JSON.
    #[command(
        after_help = "Examples:\n  steward subject show --policy policies/connectel.toml 0193a6f2-...\n  steward subject show --policy policies/connectel.toml --email anna@example.se\n\nThe view is recorded in the audit log."
    )]
    Show {
        #[command(flatten)]
        vault: VaultArgs,
        /// The subject's id.
        id: Option<String>,
        /// Find the subject by e-mail instead.
        #[arg(long, conflicts_with = "id")]
        email: Option<String>,
    },
}

pub async fn run(command: SubjectCommand) -> anyhow::Result<ExitCode> {
    match command {
        SubjectCommand::Show { vault, id, email } => {
            let app = vault::open(&vault).await?;
            let vault = app.vault();
            let actor = Actor::cli();
            let id = match (id, email) {
                (Some(id), _) => id.into(),
                (None, Some(email)) => match vault
                    .find_subject(
                        &actor,
                        &IdentityInput {
                            kind: "email".into(),
                            value: email.clone(),
                        },
                    )
                    .await?
                {
                    Some(id) => id,
                    None => bail!("no subject has the e-mail address {email}"),
                },
                (None, None) => bail!("give the subject's id, or --email"),
            };
            let view: SubjectView = vault.subject_view(&actor, &id).await?.into();
            println!("{}", serde_json::to_string_pretty(&view)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
