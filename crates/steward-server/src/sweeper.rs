//! Retention on a schedule: inside `steward serve`, the vault's sweep (and
//! the connected systems') at an interval; `steward retention run` calls
//! the same `run_once`. Several processes on one database may all run it:
//! the store removes and audits each record once.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use steward_domain::policy::RetentionAction;
use steward_domain::vault::actor::Actor;

use crate::systems::{RetentionAudit, SweepAction, SweptBatch, Systems};
use crate::vault::{SweepLine, SweepOptions, SweepReport, Vault, VaultError};

pub struct Sweeper {
    vault: Arc<Vault>,
    systems: Arc<Systems>,
}

/// Rows of connected tables swept per statement and transaction.
const SYSTEM_BATCH: usize = 1_000;

impl Sweeper {
    pub fn new(vault: Arc<Vault>, systems: Arc<Systems>) -> Self {
        Self { vault, systems }
    }

    /// One sweep, as of the vault's clock: the vault's, then each connected
    /// table's (a line per table, `system` its id and `category` the table).
    pub async fn run_once(
        &self,
        actor: &Actor,
        options: SweepOptions<'_>,
    ) -> Result<SweepReport, VaultError> {
        let dry_run = options.dry_run;
        let mut report = self.vault.sweep(actor, options).await?;
        let audit = VaultAudit {
            vault: &self.vault,
            actor,
        };
        let tables = self
            .systems
            .sweep_retention(
                self.vault.policy(),
                self.vault.today(),
                dry_run,
                SYSTEM_BATCH,
                &audit,
            )
            .await
            .map_err(|e| VaultError::Internal(e.to_string()))?;
        for table in tables {
            if let Some(failure) = &table.failure {
                report.failures.push(format!(
                    "{} table `{}`: {failure}",
                    table.system, table.table
                ));
            }
            let count = if dry_run { table.due } else { table.acted };
            let action = match table.action {
                SweepAction::Delete => RetentionAction::Delete,
                SweepAction::Anonymise => RetentionAction::Anonymise,
                SweepAction::Review => RetentionAction::Review,
                SweepAction::Keep => {
                    report.held += table.due;
                    continue;
                }
            };
            if count > 0 {
                report.lines.push(SweepLine {
                    action,
                    rule: table.rule,
                    category: table.table,
                    purposes: Vec::new(),
                    system: table.system,
                    count,
                });
            }
        }
        Ok(report)
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

/// A connected table's batch, in Steward's audit log before it commits.
struct VaultAudit<'a> {
    vault: &'a Vault,
    actor: &'a Actor,
}

#[async_trait]
impl RetentionAudit for VaultAudit<'_> {
    async fn record(&self, batch: SweptBatch<'_>) -> Result<(), String> {
        let event = self
            .vault
            .act(self.actor, SweptBatch::AUDIT_ACTION, None, batch.detail());
        self.vault
            .store()
            .append_audit(event)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
