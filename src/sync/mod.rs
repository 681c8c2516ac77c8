//! Sync: decides what to fetch for each connection and endpoint, and writes it to the store a
//! page at a time, each page with the cursor that follows it.
//!
//! Architecture:
//! - `xero`: one organisation's endpoints (see its notes on paging).
//! - `cin7`: one Cin7 Core account's endpoints (see its notes on unordered lists).
//! - `omni`: one Cin7 Omni account's endpoints (see its notes on windows and refusals).
//! - `connection`: one connection's clients and one cycle of both sides.
//! - `batch`: pages fetched but not yet committed, so small pages commit several at a time.
//! - `progress`: progress of long reads, as log lines or a terminal spinner.
//! - [`EndpointReport`]: what one endpoint's sync did, for logs and `sync --once`.

pub mod batch;
pub mod cin7;
pub mod connection;
pub mod omni;
pub mod progress;
pub mod reconcile;
pub mod xero;

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::model::System;
use crate::store::{PageOutcome, Quarantined, Store, StoreError, lock};

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

/// Records how one endpoint's sync ended in `sync_cursors`; the report keeps what its
/// committed pages did, and the error if any.
fn finish(
    store: &Mutex<Store>,
    connection: &str,
    system: System,
    now: DateTime<Utc>,
    mut report: EndpointReport,
    result: Result<(), SyncError>,
) -> EndpointReport {
    if let Err(err) = result {
        tracing::error!(connection, endpoint = %report.endpoint, "{err}");
        report.error = Some(err.to_string());
    }
    let finished = lock(store).finish_endpoint(
        connection,
        system,
        &report.endpoint,
        report.error.as_deref(),
        now,
    );
    if let Err(err) = finished {
        tracing::error!(connection, endpoint = %report.endpoint, "could not record the sync result: {err}");
    }
    report
}

/// Logs each record of a page that is quarantined instead of stored.
fn warn_quarantined(connection: &str, endpoint: &str, quarantined: &[Quarantined]) {
    for rejected in quarantined {
        tracing::warn!(
            connection,
            endpoint,
            id = rejected.external_id.as_deref().unwrap_or("?"),
            "quarantined a record cxsync cannot read: {}",
            rejected.error
        );
    }
}

/// A change time as Cin7's change filters take it (Core's `UpdatedSince`, Omni's
/// `modifieddate`): whole seconds, UTC, ISO 8601.
fn whole_seconds(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
