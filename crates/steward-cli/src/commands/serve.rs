//! `steward serve`: the HTTP API.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;
use steward_server::startup::Application;

use super::vault::{self, VaultArgs};

#[derive(Args)]
#[command(
    after_help = "Examples:\n  steward serve --policy policies/connectel.toml\n  steward serve --policy policies/connectel.toml --listen 0.0.0.0:8080 \\\n      --database postgres://steward@db.internal/steward\n\nThe first run creates steward-data/ with the database and a new key; create a\ntoken to call the API with `steward token create --policy ... --role admin`.\nThe API is described at http://127.0.0.1:8080/openapi.json."
)]
pub struct ServeArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// Address and port to listen on.
    #[arg(long, env = "STEWARD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let vault = vault::open(&args.vault).await?;
    let backend = vault.store().backend();
    let policy = format!("{} {}", vault.policy().meta.id, vault.policy().meta.version);
    let app = Application::build(args.listen, vault)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    let addr = app.local_addr()?;
    eprintln!("steward: serving policy {policy} on http://{addr} ({backend}); Ctrl-C stops");
    app.run_until_stopped().await?;
    eprintln!("steward: stopped");
    Ok(ExitCode::SUCCESS)
}
