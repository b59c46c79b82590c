//! Retention on a schedule: inside `steward serve`, the vault's sweep (and
//! the connected systems') at an interval; `steward retention run` calls
//! the same `run_once`. Several processes on one database may all run it:
//! the store removes and audits each record once.

use std::sync::Arc;
use std::time::Duration;

use steward_domain::vault::actor::Actor;

use crate::vault::{SweepOptions, SweepReport, Vault, VaultError};

pub struct Sweeper {
    vault: Arc<Vault>,
}

impl Sweeper {
    pub fn new(vault: Arc<Vault>) -> Self {
        Self { vault }
    }

    /// One sweep, as of the vault's clock.
    pub async fn run_once(
        &self,
        actor: &Actor,
        options: SweepOptions<'_>,
    ) -> Result<SweepReport, VaultError> {
        self.vault.sweep(actor, options).await
    }

    /// Sweeps at `every`, the first time at once (a restart after a long
    /// stop catches up).
    pub async fn run(self: Arc<Self>, every: Duration) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let actor = Actor::system();
        loop {
            ticks.tick().await;
            match self.run_once(&actor, SweepOptions::default()).await {
                Ok(report) if report.total() > 0 || report.subjects_shredded > 0 => {
                    tracing::info!(
                        removed = report.total(),
                        held = report.held,
                        subjects_shredded = report.subjects_shredded,
                        "retention sweep"
                    );
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "the retention sweep failed; it runs again at the next interval")
                }
            }
        }
    }
}
