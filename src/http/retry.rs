//! Bounded retries with jittered exponential backoff.

use std::time::Duration;

use rand::Rng as _;

/// How often and how long to retry transient failures (5xx, timeouts, resets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first backoff's upper bound; each later one doubles it.
    pub base: Duration,
    /// No backoff is longer than this.
    pub max_backoff: Duration,
    /// How many rate-limit waits (429, Cin7's 503) one request may sit through.
    pub max_rate_limit_waits: u32,
    /// The longest server-requested wait cxsync sits through in place; longer ones become a
    /// `RateLimited` error for the caller to schedule around.
    pub max_server_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_rate_limit_waits: 10,
            max_server_wait: Duration::from_mins(2),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempt counts from 1): "full jitter", a random
    /// duration up to `base * 2^(attempt-1)`, capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling =
            self.base.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_but_never_passes_the_cap() {
        let policy = RetryPolicy {
            base: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(3) <= Duration::from_millis(400));
            assert!(policy.backoff(30) <= Duration::from_secs(1));
        }
        let spread: std::collections::BTreeSet<_> = (0..50).map(|_| policy.backoff(4)).collect();
        assert!(spread.len() > 10, "backoff is jittered");
    }
}
