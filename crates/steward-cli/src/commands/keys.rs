//! `steward keys rotate`.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use steward_domain::vault::actor::Actor;
use steward_domain::vault::crypto::{KeyEncryptionKey, SecretKey};
use steward_server::keyfile::{self, pending_path};

use super::vault::{self, VaultArgs};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Re-wrap every data key under a new key-encryption key, and replace the key file.
    #[command(
        after_help = "Examples:\n  steward keys rotate --policy policies/connectel.toml\n\nThe new key is written to KEY_FILE.new first; only after the database holds\nevery key under it does it replace KEY_FILE. If rotation is interrupted,\nthe next start finishes it. Rotation needs a key file: with STEWARD_KEK set,\nrotate from a key file and then update the variable. It is refused while any\nother Steward process (a server, a worker) has the database open: stop them\nfirst."
    )]
    Rotate {
        #[command(flatten)]
        vault: VaultArgs,
    },
}

pub async fn run(command: KeysCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeysCommand::Rotate { vault: args } => {
            if std::env::var(keyfile::ENV_VAR).is_ok() {
                bail!(
                    "{} is set: rotation replaces a key file, so unset it and pass --key-file",
                    keyfile::ENV_VAR
                );
            }
            let mut settings = args.settings()?;
            // Keys another process made meanwhile would be wrapped with the
            // old key, and lost with it: rotation is refused while one runs.
            settings.alone = true;
            let key_file = settings.key_file();
            let app = vault::build(settings).await?;
            let pending = pending_path(&key_file);
            let secret = SecretKey::generate();
            keyfile::write(&pending, &secret)
                .with_context(|| format!("cannot write the new key to {}", pending.display()))?;
            let new_kek = KeyEncryptionKey::new(secret);
            let count = app.vault().rotate(&Actor::cli(), &new_kek).await?;
            std::fs::rename(&pending, &key_file).with_context(|| {
                format!(
                    "cannot move {} to {}",
                    pending.display(),
                    key_file.display()
                )
            })?;
            println!(
                "rotated {count} keys to key {}; {} now holds it",
                new_kek.id(),
                key_file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
