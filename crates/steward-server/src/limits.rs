//! Rate limits: how often one client address, or one identity, may do a
//! thing (GCRA, from `governor`). A limit allows a burst, then one more
//! every period. Counts live in this process and run on the application's
//! clock, so a test that moves the clock moves them too; each instance of
//! Steward keeps its own (the per-request limits on codes are in the
//! database and hold across instances).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

use crate::clock::Clock;

/// A burst, then one more every `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub every: Duration,
}

impl Rate {
    pub const fn new(burst: u32, every: Duration) -> Self {
        Self { burst, every }
    }

    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.every.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// The limits Steward applies, all in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests submitted from one client address (officers are not limited).
    pub submissions_per_client: Rate,
    /// Calls by a requester (follow, verify, resend, cancel, answer) and
    /// unsubscribe links, from one client address.
    pub follow_per_client: Rate,
    /// Other calls without a token (the notice, health, metrics, the
    /// OpenAPI document), from one client address.
    pub public_per_client: Rate,
    /// Letters with a code to one identity, over all requests.
    pub codes_per_identity: Rate,
    /// Tries at codes for one identity, over all requests: what bounds a
    /// brute force that opens request after request.
    pub tries_per_identity: Rate,
    /// How long a request waits for its codes before it is removed, with
    /// what it claimed (7 days unless set).
    pub unverified_lifetime: Duration,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl Default for Limits {
    fn default() -> Self {
        Self {
            submissions_per_client: Rate::new(10, MINUTE),
            follow_per_client: Rate::new(60, Duration::from_secs(1)),
            public_per_client: Rate::new(300, Duration::from_millis(10)),
            codes_per_identity: Rate::new(5, HOUR),
            tries_per_identity: Rate::new(10, HOUR),
            unverified_lifetime: 7 * 24 * HOUR,
        }
    }
}

impl Limits {
    /// No limit a test or a benchmark would meet by accident; the
    /// per-request limits on codes still hold.
    pub fn generous() -> Self {
        let many = Rate::new(1_000_000, Duration::from_nanos(1));
        Self {
            submissions_per_client: many,
            follow_per_client: many,
            public_per_client: many,
            codes_per_identity: many,
            tries_per_identity: many,
            ..Self::default()
        }
    }
}

/// Told when a limit is reached: how long until the next try may succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// Whole seconds, at least one: what `Retry-After` says.
    pub fn retry_after_seconds(&self) -> u64 {
        self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0)
    }
}

/// The application's clock as governor counts time: nanoseconds since the
/// epoch. A clock set back counts as standing still.
#[derive(Clone)]
struct AppClock(Arc<dyn Clock>);

impl GovernorClock for AppClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let nanos = self.0.now().as_nanosecond();
        Nanos::from(u64::try_from(nanos).unwrap_or(0))
    }
}

/// One limit, counted per key (a client address, an identity's hash).
pub struct Limiter {
    limiter: RateLimiter<String, DashMapStateStore<String>, AppClock, NoOpMiddleware<Nanos>>,
    clock: AppClock,
}

impl Limiter {
    pub fn new(rate: Rate, clock: Arc<dyn Clock>) -> Self {
        let clock = AppClock(clock);
        Self {
            limiter: RateLimiter::new(rate.quota(), DashMapStateStore::default(), clock.clone()),
            clock,
        }
    }

    /// Counts one use by `key`, or says how long it must wait.
    pub fn check(&self, key: &str) -> Result<(), Limited> {
        // The key is copied only to look it up: governor's keyed store
        // takes the key by reference and clones it when it is new.
        self.limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| Limited {
                retry_after: not_until.wait_time_from(self.clock.now()),
            })
    }

    /// Forgets keys whose count is back where it started, so keys seen once
    /// (many client addresses) do not add up.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use jiff::{SignedDuration, Timestamp};

    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn a_burst_then_one_per_period_and_keys_count_apart() {
        let clock = Arc::new(ManualClock::new(
            Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * 400),
        ));
        let limiter = Limiter::new(Rate::new(3, Duration::from_secs(60)), clock.clone());
        for _ in 0..3 {
            assert_eq!(limiter.check("a"), Ok(()));
        }
        let limited = limiter.check("a").expect_err("the burst is spent");
        assert_eq!(limited.retry_after_seconds(), 60);
        assert_eq!(limiter.check("b"), Ok(()), "another key has its own");
        clock.advance(SignedDuration::from_secs(59));
        assert_eq!(
            limiter.check("a").map_err(|l| l.retry_after_seconds()),
            Err(1)
        );
        clock.advance(SignedDuration::from_secs(1));
        assert_eq!(limiter.check("a"), Ok(()), "one more after a period");
        assert!(limiter.check("a").is_err());
    }

    #[test]
    fn idle_keys_are_forgotten() {
        let clock = Arc::new(ManualClock::new(
            Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * 400),
        ));
        let limiter = Limiter::new(Rate::new(2, Duration::from_secs(1)), clock.clone());
        for n in 0..100 {
            let _ = limiter.check(&format!("client-{n}"));
        }
        assert_eq!(limiter.len(), 100);
        clock.advance(SignedDuration::from_secs(10));
        limiter.forget_idle();
        assert!(limiter.is_empty());
    }
}
