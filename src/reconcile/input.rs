//! What one reconciliation run reads: one connection's normalised records and the settings.
//! Plain data, built by the caller from the store; nothing here loads anything. The large
//! record sets are lean tables ([`Documents`], [`Entries`]): only what the rules read.

use chrono::Duration;
use rust_decimal::Decimal;

use super::records::{Documents, Entries};
use crate::config::AccountMap;
use crate::model::{Account, DocType, OmniDocument, Organisation};

/// Everything cached for one Cin7↔Xero connection.
#[derive(Debug, Clone)]
pub struct ReconcileInput {
    /// Cin7 financial documents: sale invoices and credit notes, purchase invoices and credit
    /// notes, stock adjustments, transfers and assemblies (other types are ignored).
    pub cin7_documents: Documents,
    /// Xero invoices, credit notes, manual journals and bank transactions.
    pub xero_documents: Documents,
    /// Cin7 ledger transactions (one entry per task posting).
    pub cin7_ledger: Entries,
    /// Cin7 postings grouped by the sale or purchase they belong to (each detail's
    /// `Transactions`): which revenue, COGS, restock and GRNI lines go together. The same
    /// postings as `cin7_ledger`, so they are never matched or summed, only compared within
    /// their group (timing differences, returns, accruals).
    pub cin7_postings: Entries,
    /// Whether the store holds any Xero journal (the general-ledger feed): only that is read
    /// (to tell a Xero never synced from one with nothing to match); matching works on
    /// documents, and the variance report reads the journals itself.
    pub xero_has_journals: bool,
    /// The account codes each active Cin7 product is mapped to (inventory, revenue, COGS,
    /// expense), which every future sale or purchase of it will post to.
    pub product_accounts: Vec<ProductAccounts>,
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
            cin7_documents: Documents::default(),
            xero_documents: Documents::default(),
            cin7_ledger: Entries::default(),
            cin7_postings: Entries::default(),
            product_accounts: Vec::new(),
            xero_has_journals: false,
            xero_accounts: Vec::new(),
            organisation: None,
            accounts,
            omni_documents: Vec::new(),
        }
    }

    /// Whether the Cin7 side holds anything (documents or ledger transactions).
    pub fn has_cin7_records(&self) -> bool {
        !self.cin7_documents.is_empty() || !self.cin7_ledger.is_empty()
    }

    /// Whether the Xero side holds anything (documents or journals).
    pub fn has_xero_records(&self) -> bool {
        !self.xero_documents.is_empty() || self.xero_has_journals
    }

    pub(crate) fn organisation(&self) -> Option<&Organisation> {
        self.organisation.as_ref()
    }
}

/// One Cin7 product's account mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductAccounts {
    /// The product's SKU (or id when it has none).
    pub sku: String,
    /// The codes it maps to, as Cin7 gives them (`"630"` or `"630: Inventory"`).
    pub codes: Vec<String>,
}

/// How forgiving the comparison is, and how the connection's Cin7 integration exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Largest total difference that is still "the same" (Xero rounds tax per line).
    pub amount_tolerance: Decimal,
    /// How long after a Cin7 change its Xero copy may still be missing or stale.
    pub grace: Duration,
    /// Cin7 Omni computes COGS once a day: a dispatched line is only reported without cost
    /// once its dispatch is older than this.
    pub cogs_lag: Duration,
    /// How long goods may stay received but not invoiced (or invoiced but not received)
    /// before the open accrual is reported.
    pub accrual_age: Duration,
    /// The share of a fair-use tier at which the projected monthly invoice count is reported
    /// as heading past it (0.9: within 10 % of the tier).
    pub fair_use_warning: Decimal,
    /// Document types Cin7 consolidates on export ("Consolidate transactions on export"):
    /// many Cin7 documents of a day become one Xero document, matched by sum.
    pub consolidated: Vec<DocType>,
    /// Cin7 sales channels excluded from the Xero export: their documents are skipped by Cin7
    /// and not expected in Xero. Compared case-insensitively.
    pub excluded_channels: Vec<String>,
    /// The connection's time zone: months, quarters and ages are counted in its calendar
    /// (UTC when `None`).
    pub timezone: Option<chrono_tz::Tz>,
}

impl Settings {
    /// The calendar date of `now` in the connection's time zone.
    pub fn today(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        self.timezone.map_or_else(|| now.date_naive(), |tz| now.with_timezone(&tz).date_naive())
    }

    /// Whether Cin7 is told not to export documents from `channel`.
    pub fn excluded(&self, channel: Option<&str>) -> bool {
        channel.is_some_and(|c| {
            self.excluded_channels.iter().any(|x| x.trim().eq_ignore_ascii_case(c.trim()))
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            amount_tolerance: Decimal::new(1, 2),
            grace: Duration::hours(2),
            accrual_age: Duration::days(30),
            fair_use_warning: Decimal::new(9, 1),
            consolidated: Vec::new(),
            excluded_channels: Vec::new(),
            cogs_lag: Duration::hours(24),
            timezone: None,
        }
    }
}
