//! The simulated servers' rate limits: calls per rolling minute, calls in flight, calls per
//! rolling day, on the simulator's scaled clock.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Limits of one tenant (Xero organisation or Cin7 account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimLimits {
    pub per_minute: usize,
    pub concurrent: usize,
    pub per_day: usize,
}

/// Which limit a call broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    Minute,
    Concurrent,
    Day { retry_after: Duration },
}

/// The remaining counts after an admitted call (for Xero's limit headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remaining {
    pub minute: usize,
    pub day: usize,
}

/// One tenant's counters.
#[derive(Debug)]
pub struct Limiter {
    limits: SimLimits,
    minute: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    minute_log: VecDeque<Instant>,
    day_log: VecDeque<Instant>,
    in_flight: usize,
}

/// Held while a call is in flight.
#[derive(Debug)]
pub struct Flight<'a>(&'a Limiter);

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        self.0.state.lock().expect("limiter lock").in_flight -= 1;
    }
}

impl Limiter {
    pub fn new(limits: SimLimits, minute: Duration) -> Self {
        Self { limits, minute, state: Mutex::new(State::default()) }
    }

    /// Counts a call, or says which limit it breaks (a refused call is not counted).
    pub fn admit(&self) -> Result<(Flight<'_>, Remaining), Breach> {
        let now = Instant::now();
        let day = self.minute * 1440;
        let mut state = self.state.lock().expect("limiter lock");
        prune(&mut state.minute_log, now, self.minute);
        prune(&mut state.day_log, now, day);
        if state.day_log.len() >= self.limits.per_day {
            let oldest = *state.day_log.front().expect("non-empty when full");
            return Err(Breach::Day { retry_after: (oldest + day).saturating_duration_since(now) });
        }
        if state.in_flight >= self.limits.concurrent {
            return Err(Breach::Concurrent);
        }
        if state.minute_log.len() >= self.limits.per_minute {
            return Err(Breach::Minute);
        }
        state.minute_log.push_back(now);
        state.day_log.push_back(now);
        state.in_flight += 1;
        let remaining = Remaining {
            minute: self.limits.per_minute - state.minute_log.len(),
            day: self.limits.per_day - state.day_log.len(),
        };
        Ok((Flight(self), remaining))
    }
}

fn prune(log: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while log.front().is_some_and(|at| now.duration_since(*at) >= window) {
        log.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_of_calls_is_allowed_and_the_next_is_refused() {
        let limiter = Limiter::new(
            SimLimits { per_minute: 3, concurrent: 10, per_day: 100 },
            Duration::from_mins(1),
        );
        for left in [2, 1, 0] {
            let (_flight, remaining) = limiter.admit().unwrap();
            assert_eq!(remaining.minute, left);
        }
        assert_eq!(limiter.admit().unwrap_err(), Breach::Minute);
    }

    #[test]
    fn calls_in_flight_are_capped_and_released() {
        let limiter = Limiter::new(
            SimLimits { per_minute: 100, concurrent: 1, per_day: 100 },
            Duration::from_mins(1),
        );
        let first = limiter.admit().unwrap();
        assert_eq!(limiter.admit().unwrap_err(), Breach::Concurrent);
        drop(first);
        assert!(limiter.admit().is_ok());
    }

    #[test]
    fn the_day_limit_says_when_it_resets() {
        let limiter = Limiter::new(
            SimLimits { per_minute: 100, concurrent: 10, per_day: 1 },
            Duration::from_mins(1),
        );
        drop(limiter.admit().unwrap());
        match limiter.admit().unwrap_err() {
            Breach::Day { retry_after } => assert!(retry_after > Duration::from_secs(86_000)),
            other => panic!("{other:?}"),
        }
    }
}
