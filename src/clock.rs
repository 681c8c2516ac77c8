//! The one place that reads the wall clock. Everything else takes a [`Clock`] (or a `now`
//! value) so tests can pin time; clippy's `disallowed-methods` enforces this.

use chrono::{DateTime, SecondsFormat, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always reads the same instant; for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The store's timestamp format: RFC 3339 in UTC with milliseconds, e.g.
/// `2026-11-25T14:43:41.123Z`. Sorts correctly as text.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_with_millis_and_sort_as_text() {
        let early = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.006+10:00").unwrap();
        let late = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.1+00:00").unwrap();
        let (early, late) = (timestamp(early.into()), timestamp(late.into()));
        assert_eq!(early, "2026-01-01T17:04:05.006Z");
        assert_eq!(late, "2026-01-02T03:04:05.100Z");
        assert!(early < late);
    }
}
