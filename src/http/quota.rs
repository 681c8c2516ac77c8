//! One system-and-tenant's share of an API: call rate, concurrency, daily allowance, and what
//! the server's limit headers say about it.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use governor::clock::Clock as _;
use governor::{DefaultDirectRateLimiter, Quota as GovernorQuota, RateLimiter};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::calls::LimitHeaders;

/// The limits one quota enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaSpec {
    /// Calls per minute the server allows; cxsync keeps a little below it (see
    /// [`QuotaSpec::effective_per_minute`]).
    pub per_minute: u32,
    pub per_second: Option<u32>,
    /// Requests in flight at once.
    pub concurrent: Option<u32>,
    /// Calls per rolling day.
    pub per_day: Option<u32>,
    /// Besides 429, statuses that mean "over the limit" (Cin7 Core answers 503).
    pub rate_limit_503: bool,
    /// How long a "minute" lasts: 60 s in production, shorter in tests (every window,
    /// server-sent wait and day scales with it).
    pub minute: Duration,
    /// How the minute's calls are spread over it.
    pub pacing: Pacing,
}

/// How a quota spreads its calls over a minute. Either way no rolling minute holds more than
/// [`QuotaSpec::effective_per_minute`] calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// One call every minute ÷ N, never two closer: for a budget other integrations draw on
    /// too (Cin7's minute is the account's), which a burst would leave empty for them.
    Even,
    /// Calls go as soon as they are ready until N went in the last minute; the next waits until
    /// the oldest of them is a minute old. For a budget that is cxsync's alone (Xero counts each
    /// app's calls to each organisation apart). The same calls a minute as `Even`, but a short
    /// cycle is not stretched over seconds, and a long backfill sleeps once a minute instead of
    /// before every call.
    Window,
}

impl QuotaSpec {
    /// The calls cxsync lets into a minute (see [`Pacing`]): a headroom of one call in twenty
    /// (at least one), because other integrations may share the server's counter and windows
    /// never line up.
    pub fn effective_per_minute(&self) -> u32 {
        self.per_minute.saturating_sub((self.per_minute / 20).max(1)).max(1)
    }

    /// A duration stated by the server or the API's rules (in real seconds), on this quota's
    /// time scale.
    pub fn scaled(&self, real: Duration) -> Duration {
        real.mul_f64(self.minute.as_secs_f64() / 60.0)
    }
}

/// Limiter, semaphore and day log for one (system, connection).
#[derive(Debug)]
pub struct Quota {
    pub(super) system: &'static str,
    pub(super) connection: String,
    pub(super) spec: QuotaSpec,
    /// The even pace; `None` under [`Pacing::Window`] (see `Quota::log_call`).
    per_minute: Option<DefaultDirectRateLimiter>,
    per_second: Option<DefaultDirectRateLimiter>,
    pub(super) app: Option<Arc<AppLimit>>,
    semaphore: Option<Arc<Semaphore>>,
    state: Mutex<QuotaState>,
}

/// What the quota knows now; see [`Quota::status`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuotaStatus {
    pub last_limits: LimitHeaders,
    /// Calls sent in the last rolling day (by this process).
    pub calls_last_day: usize,
    pub parked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
struct QuotaState {
    /// Calls sent in the last day, oldest first (under [`Pacing::Window`] its tail is the
    /// last minute's calls).
    day_log: VecDeque<Instant>,
    pause_until: Option<Instant>,
    parked_until: Option<(Instant, DateTime<Utc>)>,
    last_limits: LimitHeaders,
}

/// A limit shared by every tenant of one app (Xero's 10,000 calls per minute per app).
#[derive(Debug)]
pub struct AppLimit {
    limiter: DefaultDirectRateLimiter,
    pause_until: Mutex<Option<Instant>>,
}

impl AppLimit {
    pub fn new(per_minute: u32, minute: Duration) -> Self {
        Self { limiter: limiter(per_minute, minute), pause_until: Mutex::new(None) }
    }
}

fn limiter(per_window: u32, window: Duration) -> DefaultDirectRateLimiter {
    let n = per_window.max(1);
    let period = (window / n).max(Duration::from_nanos(1));
    let quota = GovernorQuota::with_period(period)
        .expect("period is positive")
        .allow_burst(NonZeroU32::MIN);
    RateLimiter::direct(quota)
}

/// Waits until `limiter` lets a call through, on the runtime's own timer. (governor's
/// `until_ready` waits on a timer thread of its own, which woke the sync's thread from another
/// thread before every paced call.)
async fn until_ready(limiter: &DefaultDirectRateLimiter) {
    while let Err(not_until) = limiter.check() {
        tokio::time::sleep(not_until.wait_time_from(limiter.clock().now())).await;
    }
}

/// The outcome of asking to send now.
pub(super) enum Admission {
    Go(Option<tokio::sync::OwnedSemaphorePermit>),
    Parked(DateTime<Utc>),
}

impl Quota {
    pub(super) fn new(
        system: &'static str,
        connection: &str,
        spec: QuotaSpec,
        app: Option<Arc<AppLimit>>,
    ) -> Self {
        Self {
            system,
            connection: connection.to_string(),
            spec,
            per_minute: match spec.pacing {
                Pacing::Even => Some(limiter(spec.effective_per_minute(), spec.minute)),
                Pacing::Window => None,
            },
            per_second: spec.per_second.map(|n| limiter(n, spec.minute / 60)),
            app,
            semaphore: spec.concurrent.map(|n| Arc::new(Semaphore::new(n.max(1) as usize))),
            state: Mutex::new(QuotaState::default()),
        }
    }

    /// A snapshot for health checks, metrics and budget planning.
    pub fn status(&self) -> QuotaStatus {
        let mut state = self.state.lock().expect("quota lock");
        let day = self.spec.scaled(Duration::from_hours(24));
        prune(&mut state.day_log, day);
        QuotaStatus {
            last_limits: state.last_limits.clone(),
            calls_last_day: state.day_log.len(),
            parked_until: state
                .parked_until
                .filter(|(at, _)| *at > Instant::now())
                .map(|(_, utc)| utc),
        }
    }

    /// Waits until a call may be sent: not parked, under the day allowance, paced by the rate
    /// limiters, and with a concurrency permit. Returns the permit to hold during the call.
    pub(super) async fn admit(&self, now_utc: DateTime<Utc>) -> Admission {
        loop {
            let wait = {
                let mut state = self.state.lock().expect("quota lock");
                let now = Instant::now();
                if let Some((until, utc)) = state.parked_until {
                    if until > now {
                        return Admission::Parked(utc);
                    }
                    state.parked_until = None;
                }
                let day = self.spec.scaled(Duration::from_hours(24));
                prune(&mut state.day_log, day);
                if let (Some(max), Some(oldest)) =
                    (self.spec.per_day, state.day_log.front().copied())
                    && state.day_log.len() >= max as usize
                {
                    let until = oldest + day;
                    let utc = now_utc + chrono::Duration::from_std(until - now).unwrap_or_default();
                    state.parked_until = Some((until, utc));
                    return Admission::Parked(utc);
                }
                state.pause_until.filter(|until| *until > now).map(|until| until - now)
            };
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => break,
            }
        }
        if let Some(app) = &self.app {
            let pause = *app.pause_until.lock().expect("app lock");
            if let Some(until) = pause.filter(|until| *until > Instant::now()) {
                tokio::time::sleep_until(until).await;
            }
            until_ready(&app.limiter).await;
        }
        if let Some(per_second) = &self.per_second {
            until_ready(per_second).await;
        }
        if let Some(per_minute) = &self.per_minute {
            until_ready(per_minute).await;
        }
        let permit = match &self.semaphore {
            Some(semaphore) => Some(
                Arc::clone(semaphore).acquire_owned().await.expect("semaphore is never closed"),
            ),
            None => None,
        };
        // Logged only once nothing else can hold the call back, so that the logs hold the
        // moments calls were sent.
        while let Some(until) = self.log_call() {
            tokio::time::sleep_until(until).await;
        }
        Admission::Go(permit)
    }

    /// Logs a call sent now, or, under [`Pacing::Window`] with the last minute's calls all
    /// spent, says when the oldest of them leaves it.
    fn log_call(&self) -> Option<Instant> {
        let mut state = self.state.lock().expect("quota lock");
        let now = Instant::now();
        if self.spec.pacing == Pacing::Window {
            // The minute is spent when the call N back is less than a minute old; the next may
            // go once that one is.
            let spent = state.day_log.len().checked_sub(self.spec.effective_per_minute() as usize);
            if let Some(&nth) = spent.and_then(|at| state.day_log.get(at))
                && now.duration_since(nth) < self.spec.minute
            {
                return Some(nth + self.spec.minute);
            }
        }
        state.day_log.push_back(now);
        None
    }

    /// Takes in what a response's headers say about the limits: nothing left this minute
    /// pauses this tenant for a minute, nothing left for the app pauses every tenant of it.
    pub(super) fn observe(&self, limits: &LimitHeaders) {
        let mut state = self.state.lock().expect("quota lock");
        if limits.min_remaining == Some(0) {
            state.pause_until = Some(Instant::now() + self.spec.minute);
        }
        if let (Some(app), Some(0)) = (&self.app, limits.app_min_remaining) {
            *app.pause_until.lock().expect("app lock") = Some(Instant::now() + self.spec.minute);
        }
        if limits != &LimitHeaders::default() {
            state.last_limits = limits.clone();
        }
    }

    /// Stops every call of this tenant for `wait` (a day-limit breach).
    pub(super) fn park(&self, wait: Duration, now_utc: DateTime<Utc>) -> DateTime<Utc> {
        let utc = now_utc + chrono::Duration::from_std(wait).unwrap_or_default();
        self.state.lock().expect("quota lock").parked_until = Some((Instant::now() + wait, utc));
        utc
    }
}

fn prune(log: &mut VecDeque<Instant>, window: Duration) {
    let now = Instant::now();
    while log.front().is_some_and(|at| now.duration_since(*at) >= window) {
        log.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headroom_is_one_in_twenty_and_at_least_one() {
        let spec = |per_minute| QuotaSpec {
            per_minute,
            per_second: None,
            concurrent: None,
            per_day: None,
            rate_limit_503: false,
            minute: Duration::from_mins(1),
            pacing: Pacing::Even,
        };
        assert_eq!(spec(60).effective_per_minute(), 57);
        assert_eq!(spec(50).effective_per_minute(), 48);
        assert_eq!(spec(10).effective_per_minute(), 9);
        assert_eq!(spec(1).effective_per_minute(), 1);
    }

    #[test]
    fn scaling_follows_the_length_of_a_minute() {
        let spec = QuotaSpec {
            per_minute: 60,
            per_second: None,
            concurrent: None,
            per_day: None,
            rate_limit_503: false,
            minute: Duration::from_millis(600),
            pacing: Pacing::Even,
        };
        assert_eq!(spec.scaled(Duration::from_mins(1)), Duration::from_millis(600));
        assert_eq!(spec.scaled(Duration::from_hours(24)), Duration::from_secs(864));
    }

    /// When each call is let through, as offsets from the start: call `i` asks to go at
    /// `asks[i]` seconds, or when call `i - 1` went if that is later.
    async fn admitted(quota: &Quota, asks: &[u64]) -> Vec<u64> {
        let start = Instant::now();
        let mut went = Vec::new();
        for ask in asks {
            tokio::time::sleep_until(start + Duration::from_secs(*ask)).await;
            assert!(matches!(quota.admit(DateTime::UNIX_EPOCH).await, Admission::Go(_)));
            went.push((Instant::now() - start).as_secs());
        }
        went
    }

    fn window_quota() -> Quota {
        let spec = QuotaSpec {
            per_minute: 4, // less the headroom, 3
            per_second: None,
            concurrent: None,
            per_day: None,
            rate_limit_503: false,
            minute: Duration::from_mins(1),
            pacing: Pacing::Window,
        };
        Quota::new("xero", "acme", spec, None)
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_lets_a_minutes_calls_go_at_once_then_waits_for_the_oldest() {
        let went = admitted(&window_quota(), &[0, 0, 0, 0, 0, 10, 70, 75, 200]).await;
        assert_eq!(went, [0, 0, 0, 60, 60, 60, 120, 120, 200]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_sends_each_call_as_early_as_the_rolling_minute_allows() {
        // Irregular asks: bursts, gaps longer and shorter than a minute.
        let asks = [0, 1, 2, 3, 4, 5, 30, 31, 95, 96, 97, 98, 150, 151, 152, 153, 154, 400, 401];
        let went = admitted(&window_quota(), &asks).await;
        for (i, at) in went.iter().enumerate() {
            let previous = if i == 0 { 0 } else { went[i - 1] };
            let freed = if i >= 3 { went[i - 3] + 60 } else { 0 };
            assert_eq!(*at, asks[i].max(previous).max(freed), "call {i}: {went:?}");
        }
    }
}
