//! When each connection syncs next: the configured interval, stretched so a day of cycles
//! fits the connection's share of its API's daily allowance, with jitter so connections (and
//! restarts) do not line up. Pure: the caller passes the numbers and the random draw.

use std::time::Duration;

/// The scheduling settings of the daemon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cadence {
    /// How often documents are synced when the budget allows.
    pub interval: Duration,
    /// Up to this share of the interval is added at random (0.0 to 0.5).
    pub jitter: f64,
    /// The share of the daily allowance scheduled cycles may use (0.0 to 1.0); the rest is
    /// left for backfills, re-reads and other apps.
    pub day_budget_share: f64,
}

impl Default for Cadence {
    fn default() -> Self {
        Self { interval: Duration::from_mins(5), jitter: 0.1, day_budget_share: 0.5 }
    }
}

/// The interval that keeps `calls_per_cycle` within the budget: never shorter than the
/// configured interval, longer when a day of cycles would spend more than the budget.
pub fn budgeted_interval(
    cadence: &Cadence,
    calls_per_cycle: usize,
    per_day: Option<u32>,
) -> Duration {
    let Some(per_day) = per_day else { return cadence.interval };
    let budget = f64::from(per_day) * cadence.day_budget_share;
    if budget < 1.0 || calls_per_cycle == 0 {
        return cadence.interval;
    }
    #[allow(clippy::cast_precision_loss)] // calls per cycle are small counts
    let cycles_per_day = budget / calls_per_cycle as f64;
    let needed = Duration::from_secs_f64(86_400.0 / cycles_per_day);
    needed.max(cadence.interval)
}

/// `interval` plus jitter; `draw` is a uniform random number in [0, 1).
pub fn with_jitter(interval: Duration, jitter: f64, draw: f64) -> Duration {
    interval + interval.mul_f64(jitter.clamp(0.0, 0.5) * draw.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_starter_tier_organisation_stretches_the_interval_to_fit_its_day() {
        // 1,000 calls a day, half of it for scheduled cycles, 10 calls a cycle: 50 cycles a day.
        let cadence = Cadence::default();
        let interval = budgeted_interval(&cadence, 10, Some(1000));
        assert_eq!(interval, Duration::from_secs(86_400 / 50));
    }

    #[test]
    fn a_roomy_allowance_keeps_the_configured_interval() {
        let cadence = Cadence::default();
        // 2,500 calls for scheduled cycles, 8 a cycle: 312 cycles fit, more than 288 a day.
        assert_eq!(budgeted_interval(&cadence, 8, Some(5000)), Duration::from_mins(5));
        assert_eq!(budgeted_interval(&cadence, 10, None), Duration::from_mins(5));
        assert_eq!(budgeted_interval(&cadence, 0, Some(1000)), Duration::from_mins(5));
    }

    #[test]
    fn a_standard_allowance_stretches_slightly_when_cycles_are_dear() {
        // 10 calls a cycle, 288 cycles a day would be 2,880 calls: more than the 2,500 share.
        let interval = budgeted_interval(&Cadence::default(), 10, Some(5000));
        assert_eq!(interval.as_secs(), 345);
    }

    #[test]
    fn jitter_adds_at_most_its_share() {
        let base = Duration::from_mins(5);
        assert_eq!(with_jitter(base, 0.1, 0.0), base);
        assert_eq!(with_jitter(base, 0.1, 0.999_999).as_secs(), 329);
        assert_eq!(with_jitter(base, 5.0, 0.5), base + base / 4, "jitter is capped at a half");
    }
}
