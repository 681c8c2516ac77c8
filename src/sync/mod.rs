//! Sync: decides what to fetch for each connection and endpoint, and writes it to the store a
//! page at a time, each page with the cursor that follows it.
//!
//! Architecture:
//! - `xero`: one organisation's endpoints (see its notes on paging).
//! - `cin7`: one Cin7 Core account's endpoints (see its notes on unordered lists).
//! - `omni`: one Cin7 Omni account's endpoints (see its notes on windows and refusals).
//! - `connection`: one connection's clients and one cycle of both sides.
//! - `progress`: progress of long reads, as log lines or a terminal spinner.
//! - [`EndpointReport`]: what one endpoint's sync did, for logs and `sync --once`.

pub mod cin7;
pub mod connection;
pub mod omni;
pub mod progress;
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
    Omni(#[from] crate::cin7::omni::OmniError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A response page could not be read at all (its records are not where they should be).
    #[error("unreadable response: {0}")]
    Parse(String),
    /// The stored cursor is not what this version writes.
    #[error("{0}")]
    Cursor(String),
}

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

    /// Adds a written page, and shows the read's progress (see `progress`).
    fn add(&mut self, page: PageOutcome) {
        self.new += page.new;
        self.changed += page.changed;
        self.unchanged += page.unchanged;
        self.quarantined += page.quarantined;
        progress::page(self);
    }
}
