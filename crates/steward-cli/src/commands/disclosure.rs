//! `steward disclosure record|list|transfers`: release a subject's data to
//! a recipient the policy declares, and read the log.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use steward_domain::vault::actor::Actor;
use steward_domain::vault::disclosure::Derogation;
use steward_server::dto::{self, DisclosureOutcome, DisclosureView};
use steward_server::{DerogationUsed, LegalRequest, NewDisclosure};

use super::vault::{self, VaultArgs};

#[derive(Subcommand)]
pub enum DisclosureCommand {
    /// Release a subject's data to a recipient and log it; prints what was
    /// released, to hand over, as JSON.
    #[command(
        after_help = "Data goes only to a recipient the policy declares, for a purpose it declares it for, of the categories it receives, while the purpose's legal basis holds. A third country needs adequacy, the policy's safeguard, or an Art. 49(1) derogation named for this disclosure; an authority, the legal request behind it.\n\nExamples:\n  steward disclosure record --policy policies/connectel.toml --subject 0193a6f2-... \\\n      --recipient new_owners --purpose customer_service --country DE\n  steward disclosure record --policy policies/connectel.toml --subject 0193a6f2-... \\\n      --recipient law_enforcement --purpose legal_requests --category traffic \\\n      --authority 'Polismyndigheten' --ground 'Beslut om husrannsakan, 28 kap. 1 § RB' --reference AM-123456-26\n  steward disclosure record --policy policies/connectel.toml --subject 0193a6f2-... \\\n      --recipient sproutvideo --purpose customer_relations --country US \\\n      --derogation explicit_consent --derogation-reason 'consented in the webinar sign-up on 2026-11-30'\n\nWho asked and why are sealed under the subject's key; the audit log records the act without them."
    )]
    Record(RecordArgs),
    /// A subject's disclosures, oldest first, as JSON.
    List {
        #[command(flatten)]
        vault: VaultArgs,
        /// The subject's id.
        #[arg(long)]
        subject: String,
    },
    /// Every recipient the policy declares, with what the log shows went to
    /// it by country and safeguard (the record of processing's transfers,
    /// declared against actual), as JSON.
    Transfers {
        #[command(flatten)]
        vault: VaultArgs,
    },
}

#[derive(Args)]
pub struct RecordArgs {
    #[command(flatten)]
    vault: VaultArgs,
    /// The subject's id.
    #[arg(long)]
    subject: String,
    /// A recipient id of the policy.
    #[arg(long)]
    recipient: String,
    /// The purpose the data goes for.
    #[arg(long)]
    purpose: String,
    /// A category to release (repeat for more); none: all the recipient
    /// receives for the purpose.
    #[arg(long = "category")]
    categories: Vec<String>,
    /// Where the data goes (ISO 3166 code); needed when the policy places
    /// the recipient in a region.
    #[arg(long)]
    country: Option<String>,
    /// The Art. 49(1) point a third-country transfer rests on.
    #[arg(long, requires = "derogation_reason", value_parser = parse_derogation)]
    derogation: Option<Derogation>,
    /// Why the derogation applies to this disclosure.
    #[arg(long, requires = "derogation")]
    derogation_reason: Option<String>,
    /// The requesting authority or court (for an authority).
    #[arg(long, requires = "ground")]
    authority: Option<String>,
    /// The legal ground it cites: a warrant, a court order, a provision.
    #[arg(long, requires = "authority")]
    ground: Option<String>,
    /// The request's case number or reference.
    #[arg(long, requires = "authority")]
    reference: Option<String>,
}

fn parse_derogation(text: &str) -> Result<Derogation, String> {
    text.parse()
        .map_err(|e: steward_domain::common::names::UnknownName| e.to_string())
}

pub async fn run(command: DisclosureCommand) -> anyhow::Result<ExitCode> {
    let actor = Actor::cli();
    match command {
        DisclosureCommand::Record(args) => {
            let app = vault::open(&args.vault).await?;
            let input = NewDisclosure {
                recipient: args.recipient,
                purpose: args.purpose,
                categories: args.categories,
                country: args.country,
                derogation: args
                    .derogation
                    .zip(args.derogation_reason)
                    .map(|(point, reason)| DerogationUsed { point, reason }),
                legal_request: args.authority.zip(args.ground).map(|(authority, ground)| {
                    LegalRequest {
                        authority,
                        ground,
                        reference: args.reference,
                    }
                }),
            };
            let disclosed = app
                .vault()
                .disclose(&actor, &args.subject.as_str().into(), input)
                .await?;
            let nothing = disclosed.logged.is_none();
            let outcome: DisclosureOutcome = disclosed.into();
            println!("{}", serde_json::to_string_pretty(&outcome)?);
            if nothing {
                eprintln!("nothing was released (see `refused` for why), so nothing was disclosed");
                return Ok(ExitCode::from(2));
            }
            Ok(ExitCode::SUCCESS)
        }
        DisclosureCommand::List { vault, subject } => {
            let app = vault::open(&vault).await?;
            let logged = app
                .vault()
                .disclosures(&actor, &subject.as_str().into())
                .await
                .with_context(|| format!("the disclosures of subject {subject}"))?;
            let views: Vec<DisclosureView> = logged.into_iter().map(Into::into).collect();
            println!("{}", serde_json::to_string_pretty(&views)?);
            Ok(ExitCode::SUCCESS)
        }
        DisclosureCommand::Transfers { vault } => {
            let app = vault::open(&vault).await?;
            let counts = app.vault().disclosure_counts(&actor).await?;
            let transfers = dto::transfers(app.vault().policy(), counts);
            println!("{}", serde_json::to_string_pretty(&transfers)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
