//! Serde models of the Xero Accounting API records cxsync reads, in Xero's own shapes.
//!
//! Tolerant by design: every field is optional (the normaliser decides what is required),
//! unknown fields are ignored, `null` arrays read as empty, and codes Xero may extend
//! (statuses, types) stay `String`s so a new value is kept, never rejected. Amounts are exact
//! [`Decimal`]s read by [`super::amount`]; dates stay raw strings for [`super::normalise`](mod@super::normalise) to
//! read with [`super::dates`], so a bad date can be reported with its field name.
//!
//! Only the fields cxsync uses are modelled; the raw JSON is kept beside every record.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use super::amount::text_field as field;

/// Reads `null` as the type's default (an empty list), as Xero sometimes sends it.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A contact as embedded in documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactRef {
    #[serde(rename = "ContactID")]
    pub contact_id: Option<String>,
    pub name: Option<String>,
}

/// An account as embedded in payments and bank transactions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountRef {
    #[serde(rename = "AccountID")]
    pub account_id: Option<String>,
    pub code: Option<String>,
    pub name: Option<String>,
}

/// One line of an invoice, credit note or bank transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LineItem {
    #[serde(rename = "LineItemID")]
    pub line_item_id: Option<String>,
    pub item_code: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "field::quantity")]
    pub quantity: Option<Decimal>,
    #[serde(default, deserialize_with = "field::unit_amount")]
    pub unit_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::line_amount")]
    pub line_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::tax_amount")]
    pub tax_amount: Option<Decimal>,
    pub tax_type: Option<String>,
    pub account_code: Option<String>,
    #[serde(rename = "AccountID")]
    pub account_id: Option<String>,
}

/// `GET /Invoices`: a sales invoice (`ACCREC`) or bill (`ACCPAY`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Invoice {
    #[serde(rename = "InvoiceID")]
    pub invoice_id: Option<String>,
    /// `ACCREC`, `ACCPAY` (and, inside payments, `ACCRECCREDIT`…).
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub invoice_number: Option<String>,
    pub reference: Option<String>,
    pub contact: Option<ContactRef>,
    pub status: Option<String>,
    pub date: Option<String>,
    pub date_string: Option<String>,
    pub due_date: Option<String>,
    pub due_date_string: Option<String>,
    pub currency_code: Option<String>,
    #[serde(default, deserialize_with = "field::currency_rate")]
    pub currency_rate: Option<Decimal>,
    #[serde(default, deserialize_with = "field::sub_total")]
    pub sub_total: Option<Decimal>,
    #[serde(default, deserialize_with = "field::total_tax")]
    pub total_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "field::total")]
    pub total: Option<Decimal>,
    #[serde(default, deserialize_with = "field::amount_due")]
    pub amount_due: Option<Decimal>,
    #[serde(default, deserialize_with = "field::amount_paid")]
    pub amount_paid: Option<Decimal>,
    #[serde(default, deserialize_with = "field::amount_credited")]
    pub amount_credited: Option<Decimal>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<String>,
    /// `Exclusive`, `Inclusive` (line amounts include their tax) or `NoTax`.
    pub line_amount_types: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub line_items: Vec<LineItem>,
}

/// A credit note's allocation against an invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Allocation {
    #[serde(rename = "AllocationID")]
    pub allocation_id: Option<String>,
    #[serde(default, deserialize_with = "field::amount")]
    pub amount: Option<Decimal>,
    pub date: Option<String>,
    pub is_deleted: Option<bool>,
    pub invoice: Option<InvoiceRef>,
}

/// An invoice as embedded in an allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvoiceRef {
    #[serde(rename = "InvoiceID")]
    pub invoice_id: Option<String>,
    pub invoice_number: Option<String>,
}

/// A payment (or refund) as embedded in a document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PaymentRef {
    #[serde(rename = "PaymentID")]
    pub payment_id: Option<String>,
    pub date: Option<String>,
    #[serde(default, deserialize_with = "field::amount")]
    pub amount: Option<Decimal>,
    pub reference: Option<String>,
    pub status: Option<String>,
}

/// `GET /CreditNotes`: a sales (`ACCRECCREDIT`) or purchase (`ACCPAYCREDIT`) credit note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreditNote {
    #[serde(rename = "CreditNoteID")]
    pub credit_note_id: Option<String>,
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub credit_note_number: Option<String>,
    pub reference: Option<String>,
    pub contact: Option<ContactRef>,
    pub status: Option<String>,
    pub date: Option<String>,
    pub date_string: Option<String>,
    pub due_date: Option<String>,
    pub due_date_string: Option<String>,
    pub currency_code: Option<String>,
    #[serde(default, deserialize_with = "field::sub_total")]
    pub sub_total: Option<Decimal>,
    #[serde(default, deserialize_with = "field::total_tax")]
    pub total_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "field::total")]
    pub total: Option<Decimal>,
    #[serde(default, deserialize_with = "field::remaining_credit")]
    pub remaining_credit: Option<Decimal>,
    #[serde(default, deserialize_with = "field::applied_amount")]
    pub applied_amount: Option<Decimal>,
    /// `None` when Xero left the array out, `Some(vec![])` when it sent an empty one.
    pub allocations: Option<Vec<Allocation>>,
    /// Cash refunds of this credit note; `None` when left out.
    pub payments: Option<Vec<PaymentRef>>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<String>,
    /// `Exclusive`, `Inclusive` (line amounts include their tax) or `NoTax`.
    pub line_amount_types: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub line_items: Vec<LineItem>,
}

/// `GET /Payments`: one payment against an invoice, credit note, prepayment or overpayment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Payment {
    #[serde(rename = "PaymentID")]
    pub payment_id: Option<String>,
    pub date: Option<String>,
    #[serde(default, deserialize_with = "field::amount")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::bank_amount")]
    pub bank_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::currency_rate")]
    pub currency_rate: Option<Decimal>,
    pub reference: Option<String>,
    /// `ACCRECPAYMENT`, `ACCPAYPAYMENT`, `ARCREDITPAYMENT`…
    pub payment_type: Option<String>,
    /// `AUTHORISED` or `DELETED`.
    pub status: Option<String>,
    pub is_reconciled: Option<bool>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<String>,
    /// The bank (or other) account the money moved through.
    pub account: Option<AccountRef>,
    /// The invoice paid. Xero also puts credit-note refunds here (`Type: ACCRECCREDIT`).
    pub invoice: Option<Invoice>,
    pub credit_note: Option<CreditNote>,
}

/// One line of a manual journal: `LineAmount` is debit positive, credit negative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManualJournalLine {
    #[serde(default, deserialize_with = "field::line_amount")]
    pub line_amount: Option<Decimal>,
    pub account_code: Option<String>,
    #[serde(rename = "AccountID")]
    pub account_id: Option<String>,
    pub description: Option<String>,
    pub tax_type: Option<String>,
    #[serde(default, deserialize_with = "field::tax_amount")]
    pub tax_amount: Option<Decimal>,
    pub is_blank: Option<bool>,
}

/// `GET /ManualJournals`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManualJournal {
    #[serde(rename = "ManualJournalID")]
    pub manual_journal_id: Option<String>,
    pub narration: Option<String>,
    pub date: Option<String>,
    /// `DRAFT`, `POSTED`, `DELETED`, `VOIDED`, `ARCHIVED`.
    pub status: Option<String>,
    pub line_amount_types: Option<String>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub journal_lines: Vec<ManualJournalLine>,
}

/// `GET /BankTransactions`: spend or receive money (and their transfer, prepayment and
/// overpayment variants).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BankTransaction {
    #[serde(rename = "BankTransactionID")]
    pub bank_transaction_id: Option<String>,
    /// `SPEND`, `RECEIVE`, `SPEND-TRANSFER`, `RECEIVE-PREPAYMENT`…
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub contact: Option<ContactRef>,
    pub bank_account: Option<AccountRef>,
    pub is_reconciled: Option<bool>,
    pub date: Option<String>,
    pub date_string: Option<String>,
    pub reference: Option<String>,
    pub currency_code: Option<String>,
    #[serde(default, deserialize_with = "field::currency_rate")]
    pub currency_rate: Option<Decimal>,
    /// `AUTHORISED`, `DELETED`, `VOIDED`.
    pub status: Option<String>,
    pub line_amount_types: Option<String>,
    #[serde(default, deserialize_with = "field::sub_total")]
    pub sub_total: Option<Decimal>,
    #[serde(default, deserialize_with = "field::total_tax")]
    pub total_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "field::total")]
    pub total: Option<Decimal>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<String>,
    #[serde(rename = "PrepaymentID")]
    pub prepayment_id: Option<String>,
    #[serde(rename = "OverpaymentID")]
    pub overpayment_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub line_items: Vec<LineItem>,
}

/// One line of a general-ledger journal: `NetAmount` is debit positive, credit negative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JournalLine {
    #[serde(rename = "JournalLineID")]
    pub journal_line_id: Option<String>,
    #[serde(rename = "AccountID")]
    pub account_id: Option<String>,
    pub account_code: Option<String>,
    pub account_type: Option<String>,
    pub account_name: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "field::net_amount")]
    pub net_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::gross_amount")]
    pub gross_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::tax_amount")]
    pub tax_amount: Option<Decimal>,
    pub tax_type: Option<String>,
}

/// `GET /Journals`: the general-ledger feed, one journal per posting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Journal {
    #[serde(rename = "JournalID")]
    pub journal_id: Option<String>,
    pub journal_date: Option<String>,
    pub journal_number: Option<i64>,
    #[serde(rename = "CreatedDateUTC")]
    pub created_date_utc: Option<String>,
    pub reference: Option<String>,
    /// The id of the document that posted it (`InvoiceID`, `ManualJournalID`…).
    #[serde(rename = "SourceID")]
    pub source_id: Option<String>,
    /// `ACCREC`, `ACCPAY`, `MANJOURNAL`, `CASHPAID`…
    pub source_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub journal_lines: Vec<JournalLine>,
}

/// `GET /Accounts`: one account of the chart of accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Account {
    #[serde(rename = "AccountID")]
    pub account_id: Option<String>,
    /// Absent for some bank accounts.
    pub code: Option<String>,
    pub name: Option<String>,
    /// `BANK`, `CURRENT`, `REVENUE`, `INVENTORY`…
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    /// `ACTIVE`, `ARCHIVED`, `DELETED`.
    pub status: Option<String>,
    pub class: Option<String>,
    pub tax_type: Option<String>,
    pub system_account: Option<String>,
    pub bank_account_type: Option<String>,
    pub currency_code: Option<String>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<String>,
}

/// `GET /Organisation`: the settings reconciliation depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Organisation {
    #[serde(rename = "OrganisationID")]
    pub organisation_id: Option<String>,
    pub name: Option<String>,
    pub legal_name: Option<String>,
    pub base_currency: Option<String>,
    pub country_code: Option<String>,
    pub version: Option<String>,
    /// Xero's own zone name, e.g. `NEWZEALANDSTANDARDTIME`.
    pub timezone: Option<String>,
    pub financial_year_end_day: Option<u32>,
    pub financial_year_end_month: Option<u32>,
    pub period_lock_date: Option<String>,
    pub end_of_year_lock_date: Option<String>,
    pub organisation_status: Option<String>,
    #[serde(rename = "CreatedDateUTC")]
    pub created_date_utc: Option<String>,
}

/// `GET /TrackingCategories`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrackingCategory {
    #[serde(rename = "TrackingCategoryID")]
    pub tracking_category_id: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub options: Vec<TrackingOption>,
}

/// One option of a tracking category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrackingOption {
    #[serde(rename = "TrackingOptionID")]
    pub tracking_option_id: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
}

/// `GET /Reports/{name}`: a report as rows of cells (Xero's `ReportWithRow`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Report {
    #[serde(rename = "ReportID")]
    pub report_id: Option<String>,
    pub report_name: Option<String>,
    pub report_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub report_titles: Vec<String>,
    /// Free text such as `24 April 2019`.
    pub report_date: Option<String>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub rows: Vec<ReportRow>,
}

/// A report row: `Header`, `Section` (holding `rows`), `Row` or `SummaryRow`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReportRow {
    pub row_type: Option<String>,
    pub title: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cells: Vec<ReportCell>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub rows: Vec<ReportRow>,
}

/// One report cell: display text plus attributes (`account` → the `AccountID`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReportCell {
    pub value: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub attributes: Vec<ReportAttribute>,
}

/// A report cell attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReportAttribute {
    pub id: Option<String>,
    pub value: Option<String>,
}
