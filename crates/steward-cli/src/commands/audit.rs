//! `steward audit verify` and `steward audit checkpoint`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::checkpoint::{CheckpointPublicKey, SignedCheckpoint};

use super::vault::{self, VaultArgs, WitnessArgs};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the audit log's hash chain; exit 1 naming the first entry that
    /// was modified, deleted or reordered. With --checkpoint, also prove the
    /// log still extends signed checkpoints kept elsewhere, which catches
    /// what the chain alone cannot: a rewrite of its end or of all of it.
    #[command(
        after_help = "Examples:\n  steward audit verify --policy policies/connectel.toml\n  steward audit verify --policy policies/connectel.toml \\\n      --checkpoint /mnt/witness/steward/checkpoints.log --public-key auditor/steward.pub\n\nWithout --checkpoint only the chain and the head recorded beside it are\nchecked: whoever owns the database can rewrite both. A checkpoint file may\nhold many checkpoints (a witness's checkpoints.log): the log must extend\nevery one. Give --public-key from your own copy; without it the signatures\nare checked with this installation's key (checkpoint.key)."
    )]
    Verify {
        #[command(flatten)]
        vault: VaultArgs,
        /// A file of signed checkpoints the log must extend.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// The public key the checkpoints must be signed with: 64 hex digits,
        /// or a file holding them.
        #[arg(long, requires = "checkpoint")]
        public_key: Option<String>,
    },
    /// Sign a checkpoint of the audit log now (its size and head hash) with
    /// the checkpoint key, record it, send it to the witnesses, and print it.
    #[command(
        after_help = "Examples:\n  steward audit checkpoint --policy policies/connectel.toml --output checkpoints.log\n  steward audit checkpoint --policy policies/connectel.toml --witness-dir /mnt/witness/steward\n  steward audit checkpoint --policy policies/connectel.toml --public-key > steward.pub\n\nKeep the checkpoints and the public key away from this installation: they\nare what `steward audit verify --checkpoint` checks the log against."
    )]
    Checkpoint {
        #[command(flatten)]
        vault: VaultArgs,
        #[command(flatten)]
        witness: WitnessArgs,
        /// Append the checkpoint to this file instead of printing it.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Print the checkpoint key's public key (64 hex digits) and sign nothing.
        #[arg(long, conflicts_with = "output")]
        public_key: bool,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify {
            vault,
            checkpoint: None,
            ..
        } => {
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
        AuditCommand::Verify {
            vault,
            checkpoint: Some(file),
            public_key,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read the checkpoint file {}", file.display()))?;
            let checkpoints = SignedCheckpoint::parse_all(&text)
                .with_context(|| format!("in the checkpoint file {}", file.display()))?;
            let key = public_key.as_deref().map(read_public_key).transpose()?;
            let app = vault::open(&vault).await?;
            match app.checkpoints().verify(&checkpoints, key.as_ref()).await? {
                Ok(extended) => {
                    let uncovered = match extended.uncovered {
                        0 => String::new(),
                        1 => "; 1 entry after it is not yet covered by a checkpoint".into(),
                        n => format!("; {n} entries after it are not yet covered by a checkpoint"),
                    };
                    println!(
                        "audit log intact: {} entries, extends the checkpoint of size {} signed at {}{uncovered}",
                        extended.entries, extended.latest.size, extended.latest.at
                    );
                    if key.is_none() {
                        eprintln!(
                            "steward: the signatures were checked with this installation's own key; give --public-key from your copy to check them with a key the installation cannot change"
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(not) => {
                    println!("audit log TAMPERED against {}: {not}", file.display());
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::Checkpoint {
            vault,
            witness,
            output,
            public_key,
        } => {
            let mut settings = vault.settings()?;
            witness.apply(&mut settings);
            let app = vault::open_with(settings).await?;
            if public_key {
                println!("{}", app.checkpoints().public_key().to_hex());
                return Ok(ExitCode::SUCCESS);
            }
            let issued = app.checkpoints().issue(&Actor::cli().id).await?;
            for failure in &issued.failures {
                eprintln!("steward: warning: a witness did not get the checkpoint: {failure}");
            }
            match output {
                None => print!("{}", issued.text),
                Some(path) => {
                    append(&path, &issued.text)
                        .with_context(|| format!("cannot append to {}", path.display()))?;
                    eprintln!(
                        "steward: checkpoint of size {} appended to {}",
                        issued.signed.checkpoint.size,
                        path.display()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A public key given as its 64 hex digits, or as a file holding them.
fn read_public_key(given: &str) -> anyhow::Result<CheckpointPublicKey> {
    if let Ok(key) = CheckpointPublicKey::from_hex(given) {
        return Ok(key);
    }
    let text = std::fs::read_to_string(given).with_context(|| {
        format!("--public-key {given}: neither 64 hexadecimal digits nor a file that can be read")
    })?;
    CheckpointPublicKey::from_hex(&text).with_context(|| format!("--public-key file {given}"))
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
