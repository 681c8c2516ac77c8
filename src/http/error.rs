//! What can go wrong with one API call, as data the sync loop can act on.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Errors from the shared HTTP layer. None of them carries a secret: URLs are logged without
/// query strings that could hold one, and headers are never included.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The server said we are over a limit and the wait it asked for is longer than cxsync
    /// waits in place (or the retries ran out). `problem` is Xero's `X-Rate-Limit-Problem`
    /// (`minute`, `day`, `concurrent`, `appminute`) where given.
    #[error(
        "{system} rate limit reached{} on {endpoint}: retry after {}s",
        problem.as_deref().map(|p| format!(" ({p})")).unwrap_or_default(),
        retry_after.as_secs()
    )]
    RateLimited { system: String, endpoint: String, retry_after: Duration, problem: Option<String> },
    /// This tenant used its daily call allowance; nothing is sent until `until`. Other
    /// connections are not affected.
    #[error(
        "{system} daily call limit for connection `{connection}` is used up: calls resume at \
         {until} (other connections keep running)"
    )]
    Parked { system: String, connection: String, until: DateTime<Utc> },
    /// No response arrived in time, or the connection failed or was reset.
    #[error("{system} {endpoint}: {kind} after {attempts} attempt(s): {message}")]
    Transport {
        system: String,
        endpoint: String,
        kind: TransportKind,
        attempts: u32,
        message: String,
    },
    /// The server answered with an error status that retrying will not fix (4xx), or a 5xx
    /// that persisted through every retry. `body` is the first part of the response text.
    #[error("{system} {endpoint}: HTTP {status} after {attempts} attempt(s): {body}")]
    Status { system: String, endpoint: String, status: u16, attempts: u32, body: String },
    /// The HTTP client could not be built (TLS setup).
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
}

/// Which transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Timeout,
    Connect,
    /// The body ended early or the connection dropped mid-response.
    Body,
    Other,
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timed out",
            Self::Connect => "could not connect",
            Self::Body => "response cut short",
            Self::Other => "request failed",
        })
    }
}

impl HttpError {
    /// Whether trying again later (next cycle) can succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Parked { .. } | Self::Transport { .. } => true,
            Self::Status { status, .. } => *status >= 500,
            Self::Setup(_) => false,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}
