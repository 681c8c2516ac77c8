//! Reconciling one connection from what the store holds, and saving the outcome.

use chrono::{DateTime, Utc};

use crate::config::Connection;
use crate::reconcile::{self, Settings};
use crate::store::{FindingChanges, Store, StoreError};

/// What one reconciliation found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileSummary {
    pub matches: usize,
    pub open_findings: usize,
    pub changes: FindingChanges,
}

/// Loads the connection's records (for Cin7 Omni, first naming its payments by the documents
/// they pay and deriving its ledger from the stored documents, when they changed:
/// [`super::omni::refresh`]), reconciles them as at `now`, and saves matches and
/// findings (one transaction). `None` when one side has nothing synced yet: comparing against
/// an empty side would report every record of the other as missing.
pub fn reconcile_connection(
    store: &mut Store,
    connection: &Connection,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Option<ReconcileSummary>, StoreError> {
    if connection.cin7.kind() == crate::config::Cin7Kind::Omni {
        super::omni::refresh(store, &connection.name, &connection.accounts, now)?;
    }
    let mut input = store.reconcile_input(&connection.name, connection.accounts.clone())?;
    if connection.cin7.kind() == crate::config::Cin7Kind::Omni {
        input.omni_documents = super::omni::omni_documents(store, &connection.name)?;
    }
    if !input.has_cin7_records() || !input.has_xero_records() {
        return Ok(None);
    }
    let outcome = reconcile::reconcile(&input, settings, now);
    let changes = store.save_outcome(&connection.name, &outcome, now)?;
    Ok(Some(ReconcileSummary {
        matches: outcome.matches.len(),
        open_findings: outcome.findings.len(),
        changes,
    }))
}
