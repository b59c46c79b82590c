//! `steward serve`: the HTTP API.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use steward_server::HttpSettings;

use super::vault::{self, VaultArgs, WitnessArgs};
use super::work::{WorkerArgs, duration};

#[derive(Args)]
#[command(
    after_help = "Examples:\n  steward serve --policy policies/connectel.toml\n  steward serve --policy policies/connectel.toml --listen 0.0.0.0:8080 \\\n      --database postgres://steward@db.internal/steward \\\n      --witness-dir /mnt/witness/steward\n\nThe first run creates steward-data/ with the database and a new key; create a\ntoken to call the API with `steward token create --policy ... --role admin`.\nThe API is described at http://127.0.0.1:8080/openapi.json.\nEvery hour (--checkpoint-every) it signs a checkpoint of the audit log and\nsends it to --witness-dir or --witness-url; see docs/auditing.md."
)]
pub struct ServeArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// Address and port to listen on.
    #[arg(long, env = "STEWARD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Workers that carry out requests in this process (0: leave it to
    /// `steward request work --follow` processes).
    #[arg(long, env = "STEWARD_WORKERS", default_value_t = 2)]
    pub workers: usize,
    #[command(flatten)]
    pub work: WorkerArgs,
    /// How often to sign a checkpoint of the audit log when it has grown
    /// (`off`: only on demand).
    #[arg(long, env = "STEWARD_CHECKPOINT_EVERY", default_value = "1h", value_parser = every)]
    pub checkpoint_every: Every,
    /// How often to sweep data whose retention has ended (`off`: only
    /// `steward retention run`). Reads refuse expired data in between.
    #[arg(long, env = "STEWARD_RETENTION_EVERY", default_value = "1h", value_parser = every)]
    pub retention_every: Every,
    #[command(flatten)]
    pub witness: WitnessArgs,
    /// Where data subjects reach the portal, for the links in letters
    /// (`https://privacy.example.se`); by default the address listened on.
    #[arg(long, env = "STEWARD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A proxy in front of Steward (repeat for several): calls from it are
    /// counted, for the limits per client, by the last address in its
    /// `X-Forwarded-For`. Without it every call behind a proxy counts as
    /// the proxy's.
    #[arg(
        long = "trusted-proxy",
        env = "STEWARD_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// How long a client may take to send a request's headers; then the
    /// connection is closed.
    #[arg(long, env = "STEWARD_HEADER_TIMEOUT", default_value = "10s", value_parser = duration)]
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body; then it is
    /// answered 408.
    #[arg(long, env = "STEWARD_BODY_TIMEOUT", default_value = "30s", value_parser = duration)]
    pub body_timeout: Duration,
    /// On Ctrl-C or SIGTERM, how long calls in flight may take before their
    /// connections are closed.
    #[arg(long, env = "STEWARD_SHUTDOWN_DEADLINE", default_value = "20s", value_parser = duration)]
    pub shutdown_deadline: Duration,
}

/// An interval, or none (`off`).
#[derive(Debug, Clone, Copy)]
pub struct Every(Option<Duration>);

fn every(text: &str) -> Result<Every, String> {
    match text.trim() {
        "off" => Ok(Every(None)),
        _ => duration(text).map(|d| Every(Some(d))),
    }
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut settings = args.vault.settings()?;
    settings.listen = Some(args.listen);
    settings.workers = args.workers;
    args.work.apply(&mut settings);
    settings.checkpoints.every = args.checkpoint_every.0;
    settings.retention_every = args.retention_every.0;
    settings.public_url = args.public_url;
    args.witness.apply(&mut settings);
    settings.http = HttpSettings {
        trusted_proxies: args.trusted_proxies,
        header_read_timeout: args.header_timeout,
        body_read_timeout: args.body_timeout,
        shutdown_deadline: args.shutdown_deadline,
    };
    let outbox = settings.outbox_dir();
    let app = vault::build(settings).await?;
    let vault = app.vault();
    let backend = vault.store().backend();
    let policy = format!("{} {}", vault.policy().meta.id, vault.policy().meta.version);
    let addr = app
        .local_addr()
        .ok_or_else(|| anyhow::anyhow!("the server has no listener"))?;
    let letters = if app.rights().outbox().sends_email() {
        format!(
            "e-mail goes through SMTP, other letters to {}",
            outbox.display()
        )
    } else {
        format!("letters go to {}", outbox.display())
    };
    eprintln!(
        "steward: serving policy {policy} on http://{addr} ({backend}); {letters}; Ctrl-C stops"
    );
    app.run_until_stopped().await?;
    eprintln!("steward: stopped");
    Ok(ExitCode::SUCCESS)
}
