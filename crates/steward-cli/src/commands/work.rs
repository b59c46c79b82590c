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
    /// How long a request waits for its codes to be entered before it is
    /// removed, with the identities it claimed (`7d`, `48h`).
    #[arg(long, env = "STEWARD_UNVERIFIED_LIFETIME", default_value = "7d", value_parser = duration)]
    pub unverified_lifetime: Duration,
    /// How long a letter waits in the outbox folder for its gateway before
    /// it is removed (letters to a person erased go at once).
    #[arg(long, env = "STEWARD_OUTBOX_RETENTION", default_value = "7d", value_parser = duration)]
    pub outbox_retention: Duration,
}

impl WorkerArgs {
    /// What the workers' sweeps use from the settings.
    pub fn apply(&self, settings: &mut steward_server::Settings) {
        settings.worker = self.config();
        settings.limits.unverified_lifetime = self.unverified_lifetime;
        settings.outbox_retention = self.outbox_retention;
    }

    pub fn config(&self) -> WorkerConfig {
        WorkerConfig {
            lease: self.job_lease,
            backoff: self.retry_backoff,
            max_attempts: self.max_attempts,
            ..WorkerConfig::default()
        }
    }
}

/// `500ms`, `5s`, `2m`, `1h 30m`, `7d`: a positive duration.
pub fn duration(text: &str) -> Result<Duration, String> {
    // Days are 24 hours here: a lifetime, not a calendar span.
    let parsed: jiff::SignedDuration = match text.trim().strip_suffix('d') {
        Some(days) if days.trim().parse::<u32>().is_ok() => jiff::SignedDuration::from_hours(
            24 * i64::from(days.trim().parse::<u32>().unwrap_or(0)),
        ),
        _ => text.parse().map_err(|e| {
            format!("`{text}` is not a duration like `500ms`, `5s`, `2m` or `7d`: {e}")
        })?,
    };
    match Duration::try_from(parsed) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(format!("`{text}` must be longer than zero")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(duration("7d"), Ok(Duration::from_secs(7 * 24 * 3600)));
        assert_eq!(duration("48h"), Ok(Duration::from_secs(48 * 3600)));
        assert!(duration("0d").unwrap_err().contains("longer than zero"));
        assert!(duration("soon").unwrap_err().contains("like `500ms`"));
    }
}
