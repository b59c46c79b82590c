//! How workers carry out requests' parts, shared by `steward serve` and
//! `steward request work`.

use std::time::Duration;

use clap::Args;
use steward_server::WorkerConfig;

#[derive(Args, Debug, Clone)]
pub struct WorkerArgs {
    /// How long a claimed part is its worker's alone. A process killed while
    /// working holds its parts this long; then another worker runs them again.
    #[arg(long, env = "STEWARD_JOB_LEASE", default_value = "60s", value_parser = duration)]
    pub job_lease: Duration,
    /// Delay before a failed part's first retry; each next one doubles, up to
    /// an hour.
    #[arg(long, env = "STEWARD_RETRY_BACKOFF", default_value = "5s", value_parser = duration)]
    pub retry_backoff: Duration,
    /// Attempts before a part counts as failed (its request then ends
    /// partially completed).
    #[arg(long, env = "STEWARD_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(i64).range(1..))]
    pub max_attempts: i64,
}

impl WorkerArgs {
    pub fn config(&self) -> WorkerConfig {
        WorkerConfig {
            lease: self.job_lease,
            backoff: self.retry_backoff,
            max_attempts: self.max_attempts,
            ..WorkerConfig::default()
        }
    }
}

/// `500ms`, `5s`, `2m`, `1h 30m`: a positive duration.
fn duration(text: &str) -> Result<Duration, String> {
    let parsed: jiff::SignedDuration = text
        .parse()
        .map_err(|e| format!("`{text}` is not a duration like `500ms`, `5s` or `2m`: {e}"))?;
    match Duration::try_from(parsed) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(format!("`{text}` must be longer than zero")),
    }
}
