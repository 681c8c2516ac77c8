//! Accounting of calls: every request the layer sends is reported to a [`CallRecorder`]
//! (the store implements it), with the limit headers the server returned.

use chrono::{DateTime, Utc};

/// One HTTP call as the call log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// `xero` or `cin7`.
    pub system: &'static str,
    /// The connection's name, or `None` for calls that belong to none (identity lookups).
    pub connection: Option<String>,
    /// The path, without query string (which may carry ids but never secrets).
    pub endpoint: String,
    pub method: String,
    /// `None` when no response arrived.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub limits: LimitHeaders,
}

/// The remaining-limit headers of a response (Xero sends them; Cin7 does not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LimitHeaders {
    /// `X-MinLimit-Remaining`
    pub min_remaining: Option<u32>,
    /// `X-DayLimit-Remaining`
    pub day_remaining: Option<u32>,
    /// `X-AppMinLimit-Remaining`
    pub app_min_remaining: Option<u32>,
    /// `Retry-After`, in seconds.
    pub retry_after_s: Option<u64>,
    /// `X-Rate-Limit-Problem`
    pub problem: Option<String>,
}

impl LimitHeaders {
    pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let number = |name: &str| text(name).and_then(|v| v.parse().ok());
        Self {
            min_remaining: number("x-minlimit-remaining"),
            day_remaining: number("x-daylimit-remaining"),
            app_min_remaining: number("x-appminlimit-remaining"),
            retry_after_s: text("retry-after").and_then(|v| v.parse().ok()),
            problem: text("x-rate-limit-problem").map(str::to_ascii_lowercase),
        }
    }
}

/// Somewhere to write the call log. Implementations must not fail the call: they log their
/// own errors.
pub trait CallRecorder: Send + Sync {
    fn record(&self, call: &CallRecord);
}

/// A recorder that keeps nothing (for tools and tests that do not need a log).
#[derive(Debug, Default)]
pub struct NoRecorder;

impl CallRecorder for NoRecorder {
    fn record(&self, _call: &CallRecord) {}
}
