//! `steward request ...`: the privacy officer's side of rights requests,
//! on the same database the server uses, and `steward request work` to carry
//! out queued parts without a server.

use std::process::ExitCode;

use clap::Subcommand;
use steward_domain::vault::actor::Actor;
use steward_server::dto::{RequestView, Submitted, WhoseDataView};
use steward_server::{IdentityInput, MAX_PAGE, NewRequest, Viewer, Worker};

use super::vault::{self, VaultArgs};
use super::work::WorkerArgs;

const EXAMPLES: &str = "Examples:\n  steward request list --policy policies/connectel.toml\n  steward request submit --policy policies/connectel.toml --kind access --email anna@example.se --identity-checked\n  steward request submit --policy policies/connectel.toml --kind rectification --email anna@example.se --category contact.name --value 'Anna Berg' --identity-checked --received 2026-11-24 --channel letter\n  steward request show --policy policies/connectel.toml 0194… --identities\n  steward request complete-part --policy policies/connectel.toml 0194… 0195… --note \"looked up in the CRM\" --found contact.name='Anna Berg' --found contact.phone=+46701234567\n  steward request extend --policy policies/connectel.toml 0194… --reason \"many requests this month\"\n  steward request complete-part --policy policies/connectel.toml 0194… 0195… --note \"restricted in the CRM by hand\"\n  steward request work --policy policies/connectel.toml\n  steward request work --policy policies/connectel.toml --database postgres://steward@db/steward --follow";

#[derive(Subcommand)]
pub enum RequestCommand {
    /// The queue: requests that need something, due first.
    #[command(after_help = EXAMPLES)]
    List {
        #[command(flatten)]
        vault: VaultArgs,
    },
    /// One request: its state, parts and history, as JSON.
    #[command(after_help = EXAMPLES)]
    Show {
        #[command(flatten)]
        vault: VaultArgs,
        id: String,
        /// Also the identities it was made with and the subject (what a
        /// manual part looks the person up by); the look is audited.
        #[arg(long)]
        identities: bool,
    },
    /// Submit a request for someone whose identity you checked yourself
    /// (without --identity-checked, codes go to the outbox as for subjects).
    #[command(after_help = EXAMPLES)]
    Submit {
        #[command(flatten)]
        vault: VaultArgs,
        /// access, portability, rectification, erasure, restriction,
        /// lift_restriction, objection, consent_withdrawal or unsubscribe.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Objection and consent withdrawal: the purpose.
        #[arg(long)]
        purpose: Option<String>,
        /// Rectification: the category to correct.
        #[arg(long)]
        category: Option<String>,
        /// Rectification: its correct value, as JSON (`{"street": "Storgatan 1"}`)
        /// or, if not JSON, as a plain string (`"Anna Berg"`).
        #[arg(long)]
        value: Option<String>,
        /// Erasure: the Art. 17(1) ground (e.g. `no_longer_necessary`);
        /// objection: the subject's particular situation, in their words.
        #[arg(long)]
        grounds: Option<String>,
        /// The language of the letters: `en` or `sv` (the policy's default
        /// language if left out).
        #[arg(long)]
        language: Option<String>,
        /// You checked the identity another way (in person, by e-ID): no
        /// codes are sent and the request starts at once.
        #[arg(long)]
        identity_checked: bool,
        /// The day the request reached you, when before today
        /// (`2026-11-24`): the one-month deadline runs from it (Art. 12(3)).
        #[arg(long, value_name = "YYYY-MM-DD")]
        received: Option<jiff::civil::Date>,
        /// How it came: web, email, letter, phone, in_person or other
        /// (web if left out).
        #[arg(long)]
        channel: Option<String>,
        /// A request for a child by a holder of parental responsibility
        /// ("Maria Andersson, mother"), where the policy takes them; the
        /// identities given are the child's. Without --identity-checked it
        /// waits for `request confirm-identity`.
        #[arg(long)]
        guardian: Option<String>,
    },
    /// Confirm the identity of a request that waits for a privacy officer's
    /// check (the policy's method is a signed request or a manual check, or
    /// a guardian asks), recording what you saw; it then goes on.
    #[command(
        after_help = "Examples:\n  steward request confirm-identity 0193a6f2-... --evidence 'signed letter of 2 November; signature matches the agreement on file'\n\nWhat you saw is kept sealed with the request; the history records who confirmed it and how."
    )]
    ConfirmIdentity {
        #[command(flatten)]
        vault: VaultArgs,
        id: String,
        /// What you saw: the signed letter, the document shown, the e-ID.
        #[arg(long)]
        evidence: String,
    },
    /// Start a request held for a decision (a fee may apply).
    #[command(after_help = EXAMPLES)]
    Approve {
        #[command(flatten)]
        vault: VaultArgs,
        id: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Refuse with the legal reason.
    #[command(after_help = EXAMPLES)]
    Refuse {
        #[command(flatten)]
        vault: VaultArgs,
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Extend the deadline once by two months; the subject is told why.
    #[command(after_help = EXAMPLES)]
    Extend {
        #[command(flatten)]
        vault: VaultArgs,
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Run failed parts again.
    #[command(after_help = EXAMPLES)]
    Retry {
        #[command(flatten)]
        vault: VaultArgs,
        id: String,
    },
    /// Record that a manual part was done.
    #[command(after_help = EXAMPLES)]
    CompletePart {
        #[command(flatten)]
        vault: VaultArgs,
        id: String,
        part: String,
        /// What was done, in a few words (kept in the log: no personal data).
        #[arg(long)]
        note: String,
        /// Access: a value found by hand, as CATEGORY=VALUE (VALUE as JSON,
        /// or else as the plain string typed); once per value. Left out: the
        /// system holds nothing about the person. It reaches the answer.
        #[arg(long, value_name = "CATEGORY=VALUE")]
        found: Vec<String>,
    },
    /// Carry out queued parts until none is runnable, then stop (for cron);
    /// with --follow, keep working until stopped (a worker process beside
    /// `steward serve --workers 0`). Any number may share one PostgreSQL
    /// database: each part runs in one of them.
    #[command(after_help = EXAMPLES)]
    Work {
        #[command(flatten)]
        vault: VaultArgs,
        #[command(flatten)]
        work: WorkerArgs,
        /// Keep working (and waiting for new parts) until stopped.
        #[arg(long)]
        follow: bool,
    },
}

pub async fn run(command: RequestCommand) -> anyhow::Result<ExitCode> {
    let actor = Actor::cli();
    match command {
        RequestCommand::List { vault } => {
            let app = vault::open(&vault).await?;
            let mut requests = Vec::new();
            let mut after = None;
            loop {
                let page = app.rights().queue(after.as_ref(), MAX_PAGE).await?;
                requests.extend(page.requests);
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            for r in requests {
                let r = RequestView::from(r);
                println!(
                    "{}  {:<18} {:<22} due {}{}{}",
                    r.id,
                    r.kind,
                    r.state,
                    r.due,
                    if r.overdue { "  OVERDUE" } else { "" },
                    r.held.map(|h| format!("  held: {h}")).unwrap_or_default()
                );
            }
        }
        RequestCommand::Show {
            vault,
            id,
            identities,
        } => {
            let app = vault::open(&vault).await?;
            let view: RequestView = app
                .rights()
                .progress(&id.as_str().into(), &Viewer::Officer(&actor))
                .await?
                .into();
            let mut shown = serde_json::to_value(&view)?;
            if identities {
                let whose: WhoseDataView = app
                    .rights()
                    .whose_data(&actor, &id.as_str().into())
                    .await?
                    .into();
                shown["whose_data"] = serde_json::to_value(whose)?;
            }
            println!("{}", serde_json::to_string_pretty(&shown)?);
        }
        RequestCommand::Submit {
            vault,
            kind,
            email,
            phone,
            purpose,
            category,
            value,
            grounds,
            language,
            identity_checked,
            received,
            channel,
            guardian,
        } => {
            let kind = kind
                .parse()
                .map_err(|e| anyhow::anyhow!("--kind: {e}; see --help"))?;
            let channel = channel
                .map(|c| c.parse())
                .transpose()
                .map_err(|e| anyhow::anyhow!("--channel: {e}; see --help"))?;
            // A value that is not JSON is the plain string the officer typed.
            let value =
                value.map(|v| serde_json::from_str(&v).unwrap_or(serde_json::Value::String(v)));
            let app = vault::open(&vault).await?;
            let identities: Vec<IdentityInput> = [("email", email), ("phone", phone)]
                .into_iter()
                .filter_map(|(k, v)| {
                    v.map(|value| IdentityInput {
                        kind: k.to_owned(),
                        value,
                    })
                })
                .collect();
            let submitted = app
                .rights()
                .submit(
                    Some(&actor),
                    NewRequest {
                        kind,
                        identities,
                        language,
                        purpose,
                        category,
                        value,
                        grounds,
                        identity_checked,
                        received,
                        channel,
                        guardian,
                    },
                )
                .await?;
            let submitted = Submitted::from(submitted);
            println!("{}", serde_json::to_string_pretty(&submitted)?);
        }
        RequestCommand::Approve { vault, id, note } => {
            vault::open(&vault)
                .await?
                .rights()
                .approve(&actor, &id.as_str().into(), note)
                .await?;
            println!("approved {id}");
        }
        RequestCommand::Refuse { vault, id, reason } => {
            vault::open(&vault)
                .await?
                .rights()
                .refuse(&actor, &id.as_str().into(), &reason)
                .await?;
            println!("refused {id}");
        }
        RequestCommand::ConfirmIdentity {
            vault,
            id,
            evidence,
        } => {
            let progress = vault::open(&vault)
                .await?
                .rights()
                .confirm_identity(&actor, &id.as_str().into(), &evidence)
                .await?;
            println!(
                "confirmed the identity for {id}: {}",
                progress.request.status
            );
        }
        RequestCommand::Extend { vault, id, reason } => {
            let due = vault::open(&vault)
                .await?
                .rights()
                .extend(&actor, &id.as_str().into(), &reason)
                .await?;
            println!("extended {id}: due {due}");
        }
        RequestCommand::Retry { vault, id } => {
            let count = vault::open(&vault)
                .await?
                .rights()
                .retry(&actor, &id.as_str().into())
                .await?;
            println!("{count} part(s) of {id} queued again");
        }
        RequestCommand::CompletePart {
            vault,
            id,
            part,
            note,
            found,
        } => {
            let found = found
                .into_iter()
                .map(|pair| {
                    let (category, value) = pair.split_once('=').ok_or_else(|| {
                        anyhow::anyhow!(
                            "--found `{pair}`: write CATEGORY=VALUE, e.g. billing.invoice=F-1001"
                        )
                    })?;
                    Ok(steward_server::Found {
                        category: category.trim().to_owned(),
                        value: serde_json::from_str(value)
                            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned())),
                        location: "found by hand".into(),
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            vault::open(&vault)
                .await?
                .rights()
                .complete_part(
                    &actor,
                    &id.as_str().into(),
                    &part.as_str().into(),
                    &note,
                    found,
                )
                .await?;
            println!("part {part} of {id} done");
        }
        RequestCommand::Work {
            vault,
            work,
            follow,
        } => {
            // It carries out parts: it tells of systems it cannot reach.
            let mut settings = vault.settings()?;
            work.apply(&mut settings);
            let app = vault::build(settings).await?;
            let worker = Worker::new(app.rights().clone(), work.config());
            if follow {
                eprintln!("steward: worker {} started; Ctrl-C stops", worker.name());
                tokio::select! {
                    () = worker.run() => {}
                    () = steward_server::shutdown_signal() => eprintln!("steward: worker stopped"),
                }
            } else {
                let ran = worker.until_idle().await?;
                println!("ran {ran} part(s); nothing more is runnable now");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
