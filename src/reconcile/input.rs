//! What one reconciliation run reads: one connection's normalised records and the settings.
//! Plain data, built by the caller from the store; nothing here loads anything.

use chrono::Duration;
use rust_decimal::Decimal;

use crate::config::AccountMap;
use crate::model::{Account, Document, LedgerEntry, OmniDocument, Organisation};

/// Everything cached for one Cin7↔Xero connection.
#[derive(Debug, Clone)]
pub struct ReconcileInput {
    /// Cin7 financial documents: sale invoices and credit notes, purchase invoices and credit
    /// notes, stock adjustments, transfers and assemblies (other types are ignored).
    pub cin7_documents: Vec<Document>,
    /// Xero invoices, credit notes, manual journals and bank transactions.
    pub xero_documents: Vec<Document>,
    /// Cin7 ledger transactions (one entry per task posting).
    pub cin7_ledger: Vec<LedgerEntry>,
    /// Xero journals (the general-ledger feed). Kept for the variance report; matching works
    /// on documents.
    pub xero_ledger: Vec<LedgerEntry>,
    /// Xero's chart of accounts. Empty means "not synced yet": account checks are skipped.
    pub xero_accounts: Vec<Account>,
    /// The Xero organisation (lock dates). `None` until synced: lock checks are skipped.
    pub organisation: Option<crate::model::Organisation>,
    /// The connection's control accounts.
    pub accounts: AccountMap,
    /// Cin7 Omni only: what Omni says about each document's posting (import status, posting
    /// dates, uncosted lines). Empty for Cin7 Core.
    pub omni_documents: Vec<OmniDocument>,
}

impl ReconcileInput {
    /// An input with no records, for the given control accounts.
    pub fn empty(accounts: AccountMap) -> Self {
        Self {
            cin7_documents: Vec::new(),
            xero_documents: Vec::new(),
            cin7_ledger: Vec::new(),
            xero_ledger: Vec::new(),
            xero_accounts: Vec::new(),
            organisation: None,
            accounts,
            omni_documents: Vec::new(),
        }
    }

    pub(crate) fn organisation(&self) -> Option<&Organisation> {
        self.organisation.as_ref()
    }
}

/// How forgiving the comparison is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Largest total difference that is still "the same" (Xero rounds tax per line).
    pub amount_tolerance: Decimal,
    /// How long after a Cin7 change its Xero copy may still be missing or stale.
    pub grace: Duration,
    /// Cin7 Omni computes COGS once a day: a dispatched line is only reported without cost
    /// once its dispatch is older than this.
    pub cogs_lag: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            amount_tolerance: Decimal::new(1, 2),
            grace: Duration::hours(2),
            cogs_lag: Duration::hours(24),
        }
    }
}
