//! The normalised records that both sides' clients produce and that the store and
//! reconciliation consume. A Xero invoice and a Cin7 sale invoice become the same
//! [`Document`]; a Xero journal line and a Cin7 ledger transaction the same [`LedgerLine`].
//!
//! Pure data: no I/O. Money is `rust_decimal::Decimal`; dates are calendar dates as the source
//! system states them (no time-zone conversion); instants are UTC.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

/// Which side a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum System {
    Xero,
    Cin7,
}

impl System {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Xero => "xero",
            Self::Cin7 => "cin7",
        }
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// cxsync's own document types, shared by both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocType {
    /// Xero ACCREC invoice; Cin7 sale invoice.
    SalesInvoice,
    /// Xero ACCRECCREDIT credit note; Cin7 sale credit note.
    SalesCreditNote,
    /// Xero ACCPAY bill; Cin7 purchase invoice.
    PurchaseInvoice,
    /// Xero ACCPAYCREDIT credit note; Cin7 purchase credit note.
    PurchaseCreditNote,
    Payment,
    ManualJournal,
    /// Xero spend/receive money (SPEND, RECEIVE, and their overpayment/prepayment variants).
    BankTransaction,
    StockAdjustment,
    StockTransfer,
    /// Cin7 finished goods (assembly) task.
    Assembly,
}

impl DocType {
    pub const ALL: [Self; 10] = [
        Self::SalesInvoice,
        Self::SalesCreditNote,
        Self::PurchaseInvoice,
        Self::PurchaseCreditNote,
        Self::Payment,
        Self::ManualJournal,
        Self::BankTransaction,
        Self::StockAdjustment,
        Self::StockTransfer,
        Self::Assembly,
    ];

    /// The type stored as `text` (its [`DocType::as_str`]), if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SalesInvoice => "sales_invoice",
            Self::SalesCreditNote => "sales_credit_note",
            Self::PurchaseInvoice => "purchase_invoice",
            Self::PurchaseCreditNote => "purchase_credit_note",
            Self::Payment => "payment",
            Self::ManualJournal => "manual_journal",
            Self::BankTransaction => "bank_transaction",
            Self::StockAdjustment => "stock_adjustment",
            Self::StockTransfer => "stock_transfer",
            Self::Assembly => "assembly",
        }
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A financial document from either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub doc_type: DocType,
    /// The source's own id (Xero `InvoiceID`, Cin7 `TaskID`…).
    pub external_id: String,
    /// The number people use (`INV-0042`), if it has one.
    pub number: Option<String>,
    /// Reference, or for journals the narration.
    pub reference: Option<String>,
    pub contact: Option<String>,
    /// The source's status word, kept as given (unknown ones included): `AUTHORISED`, `VOIDED`…
    pub status: String,
    pub date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub currency: Option<String>,
    pub total: Option<Decimal>,
    pub tax_total: Option<Decimal>,
    pub amount_paid: Option<Decimal>,
    pub amount_credited: Option<Decimal>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The sales channel a Cin7 document came from (`SourceChannel`: `Shopify`, `B2B`…);
    /// `None` for Xero documents and where Cin7 gives none.
    pub channel: Option<String>,
    pub lines: Vec<DocumentLine>,
}

/// One line of a [`Document`]. For manual journals `line_amount` is signed, debit positive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentLine {
    pub item_code: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_amount: Option<Decimal>,
    pub line_amount: Option<Decimal>,
    pub tax_amount: Option<Decimal>,
    pub account_code: Option<String>,
    /// Cost per unit where the source gives one (Cin7 COGS).
    pub unit_cost: Option<Decimal>,
}

/// One general-ledger line: one account, debit positive, credit negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    /// Position within its source (journal or task), from 0.
    pub line_no: u32,
    pub date: NaiveDate,
    pub account_code: String,
    pub amount: Decimal,
    pub description: Option<String>,
}

/// The [`LedgerEntry::source_type`] of a Cin7 entry that stands for one journal per month,
/// updated in place (Cin7 Omni's COGS journal): reconciliation pairs it with the Xero manual
/// journal of the same month and accounts (see `reconcile::matching`).
pub const MONTHLY_JOURNAL: &str = "MonthlyJournal";

/// The [`LedgerEntry::source_type`] of a Cin7 entry derived from one Cin7 document (Cin7
/// Omni's purchase orders and stock adjustments: what Omni posts for it), whose source id is
/// `{prefix}/{what}/{document's external id}` ([`derived_document_id`]). The document stands
/// for it in reconciliation, as a Core stock document stands for its task's postings.
pub const DOCUMENT_POSTINGS: &str = "DocumentPostings";

/// The external id of the Cin7 document a [`DOCUMENT_POSTINGS`] entry was derived from: its
/// source id after the first two segments (`omni-ledger/purchase/PurchaseOrders/12` →
/// `PurchaseOrders/12`).
pub fn derived_document_id(source_id: &str) -> Option<&str> {
    let (_, rest) = source_id.split_once('/')?;
    let (_, id) = rest.split_once('/')?;
    (!id.is_empty()).then_some(id)
}

/// A ledger entry: the lines one journal (Xero) or one transaction (Cin7) posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// Xero `JournalID`; Cin7 task id plus a discriminator.
    pub source_id: String,
    /// Xero `JournalNumber` (the feed's offset).
    pub journal_number: Option<i64>,
    /// Xero `SourceType` (ACCREC, MANJOURNAL…); Cin7 `Type` (Sale, Purchase…).
    pub source_type: Option<String>,
    pub reference: Option<String>,
    pub lines: Vec<LedgerLine>,
}

/// An account in either side's chart of accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub external_id: String,
    /// Xero bank accounts may have no code.
    pub code: Option<String>,
    pub name: Option<String>,
    pub account_type: Option<String>,
    /// `ACTIVE`, `ARCHIVED`, `DELETED`… as given.
    pub status: String,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The Xero organisation settings reconciliation depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub name: Option<String>,
    pub base_currency: Option<String>,
    /// Xero's own time-zone name (e.g. `NEWZEALANDSTANDARDTIME`), as given.
    pub timezone: Option<String>,
    pub period_lock_date: Option<NaiveDate>,
    pub end_of_year_lock_date: Option<NaiveDate>,
    pub financial_year_end_day: Option<u32>,
    pub financial_year_end_month: Option<u32>,
}

/// One account's row of a trial balance as at a date (used when Xero journals are refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalanceRow {
    pub account_code: String,
    pub account_name: Option<String>,
    /// Year-to-date debit minus credit (debit positive), as at the report date.
    pub balance: Decimal,
}

/// What one source record became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Document(Document),
    Ledger(LedgerEntry),
    Account(Account),
    Organisation(Organisation),
    /// Kept as raw JSON only (e.g. tracking categories).
    RawOnly,
}

/// One parsed source record: its identity, when the source last changed it, and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub external_id: String,
    pub updated_at: Option<DateTime<Utc>>,
    pub payload: Payload,
}

/// Which Cin7 Omni document an [`OmniDocument`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OmniKind {
    SalesOrder,
    CreditNote,
    PurchaseOrder,
    Adjustment,
}

impl OmniKind {
    /// How people call it in Omni.
    pub fn name(self) -> &'static str {
        match self {
            Self::SalesOrder => "sales order",
            Self::CreditNote => "credit note",
            Self::PurchaseOrder => "purchase order",
            Self::Adjustment => "stock adjustment",
        }
    }
}

/// What Cin7 Omni itself says about one document's posting to the accounting system: its
/// import status and the dates (and supplier invoice number) posting needs. Omni only; built
/// from the stored raw records, next to the [`Document`] the same record became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OmniDocument {
    pub kind: OmniKind,
    /// `{endpoint}/{id}`, as the record's document is stored: unique across Omni's endpoints
    /// (their ids are separate sequences).
    pub source_id: String,
    /// What people call it: its invoice, credit-note or supplier invoice number, else its
    /// reference, else its id.
    pub label: String,
    pub voided: bool,
    /// `accountingAttributes.accountingImportStatus` as given (`Imported`, `NotImported`,
    /// `DoNotImport`, `Error`), if any.
    pub import_status: Option<String>,
    /// The document's own date (invoice, credit note, completion), for the finding.
    pub date: Option<NaiveDate>,
    pub total: Option<Decimal>,
    pub modified: Option<DateTime<Utc>>,
    /// The posting fields Omni's reconciliation reports check, each with whether it is set.
    pub posting_fields: Vec<(&'static str, bool)>,
    /// When the goods left (sales orders), for the daily COGS run's lag.
    pub dispatched_at: Option<DateTime<Utc>>,
    /// Product codes of shipped lines with no cost (null or zero `unitCost`).
    pub uncosted_lines: Vec<String>,
}
