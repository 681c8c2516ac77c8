//! Sync: decides what to fetch for each connection and endpoint, and writes it to the store a
//! page at a time, each page with the cursor that follows it.
//!
//! Architecture:
//! - `xero`: one organisation's endpoints (see its notes on paging).
//! - `cin7`: one Cin7 Core account's endpoints (see its notes on unordered lists).
//! - `connection`: one connection's clients and one cycle of both sides.
//! - [`EndpointReport`]: what one endpoint's sync did, for logs and `sync --once`.

pub mod cin7;
pub mod connection;
pub mod reconcile;
pub mod xero;

use crate::store::{PageOutcome, StoreError};

/// Why one endpoint's sync stopped. Its committed pages stay; the next cycle resumes there.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Xero(#[from] crate::xero::client::XeroError),
    #[error(transparent)]
    Cin7(#[from] crate::cin7::core::Cin7Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A response page could not be read at all (its records are not where they should be).
    #[error("unreadable response: {0}")]
    Parse(String),
    /// The stored cursor is not what this version writes.
    #[error("{0}")]
    Cursor(String),
}

/// How many calls of one endpoint pass between progress lines.
pub const PROGRESS_EVERY: usize = 20;

/// What one endpoint's sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointReport {
    pub endpoint: String,
    pub calls: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub quarantined: usize,
    pub error: Option<String>,
}

impl EndpointReport {
    fn named(endpoint: &str) -> Self {
        Self { endpoint: endpoint.into(), ..Self::default() }
    }

    /// Adds a written page. A long read (a first backfill) logs its progress every
    /// [`PROGRESS_EVERY`] calls, inside the connection's span.
    fn add(&mut self, page: PageOutcome) {
        self.new += page.new;
        self.changed += page.changed;
        self.unchanged += page.unchanged;
        self.quarantined += page.quarantined;
        if self.calls > 0 && self.calls.is_multiple_of(PROGRESS_EVERY) {
            tracing::info!(
                endpoint = %self.endpoint,
                calls = self.calls,
                records = self.new + self.changed + self.unchanged,
                "still reading"
            );
        }
    }
}
