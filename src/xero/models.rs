//! Serde models of the Xero Accounting API records cxsync reads, in Xero's own shapes.
//!
//! Tolerant by design: every field is optional (the normaliser decides what is required),
//! unknown fields are ignored, `null` arrays read as empty, and codes Xero may extend
//! (statuses, types) stay text so a new value is kept, never rejected. Amounts are exact
//! [`Decimal`]s read by [`super::amount`]; dates stay raw strings for [`super::normalise`](mod@super::normalise) to
//! read with [`super::dates`], so a bad date can be reported with its field name.
//!
//! Only the fields cxsync uses are modelled; the raw JSON is kept beside every record. Text that
//! cxsync only inspects (dates, type codes) or does not use (ids of lines, tax types) is a
//! `Cow<str>` borrowed from the JSON text when it has no escapes, read exactly as an
//! `Option<String>` is (same values, same errors); text that ends up in a record is a `String`.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
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

/// Reads a text field cxsync only inspects (a date to parse, a code to compare) or does not
/// use, borrowed from the JSON text when it has no escapes: as an `Option<String>` reads it
/// (`null` is `None`; anything but a string is refused with the same error), without a copy.
fn borrowed_text<'de: 'a, 'a, D>(deserializer: D) -> Result<Option<Cow<'a, str>>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_option(OptionalText)
}

/// [`borrowed_text`]: `null` or a string.
struct OptionalText;

impl<'de> Visitor<'de> for OptionalText {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("option")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_string(Text).map(Some)
    }
}

/// A string, borrowed when it can be: expects what a `String` expects.
struct Text;

impl<'de> Visitor<'de> for Text {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(text))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text))
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
        std::str::from_utf8(bytes)
            .map(|text| Cow::Owned(text.to_owned()))
            .map_err(|_| E::invalid_value(de::Unexpected::Bytes(bytes), &self))
    }

    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Self::Value, E> {
        String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|error| E::invalid_value(de::Unexpected::Bytes(&error.into_bytes()), &self))
    }
}

/// A contact as embedded in documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactRef<'a> {
    #[serde(rename = "ContactID", default, borrow, deserialize_with = "borrowed_text")]
    pub contact_id: Option<Cow<'a, str>>,
    pub name: Option<String>,
}

/// An account as embedded in payments and bank transactions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountRef<'a> {
    #[serde(rename = "AccountID", default, borrow, deserialize_with = "borrowed_text")]
    pub account_id: Option<Cow<'a, str>>,
    pub code: Option<String>,
    pub name: Option<String>,
}

/// One line of an invoice, credit note or bank transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LineItem<'a> {
    #[serde(rename = "LineItemID", default, borrow, deserialize_with = "borrowed_text")]
    pub line_item_id: Option<Cow<'a, str>>,
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
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub tax_type: Option<Cow<'a, str>>,
    pub account_code: Option<String>,
    #[serde(rename = "AccountID", default, borrow, deserialize_with = "borrowed_text")]
    pub account_id: Option<Cow<'a, str>>,
}

/// `GET /Invoices`: a sales invoice (`ACCREC`) or bill (`ACCPAY`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Invoice<'a> {
    #[serde(rename = "InvoiceID")]
    pub invoice_id: Option<String>,
    /// `ACCREC`, `ACCPAY` (and, inside payments, `ACCRECCREDIT`…).
    #[serde(rename = "Type", default, borrow, deserialize_with = "borrowed_text")]
    pub kind: Option<Cow<'a, str>>,
    pub invoice_number: Option<String>,
    pub reference: Option<String>,
    pub contact: Option<ContactRef<'a>>,
    pub status: Option<String>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub date: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub date_string: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub due_date: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub due_date_string: Option<Cow<'a, str>>,
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
    #[serde(rename = "UpdatedDateUTC", default, borrow, deserialize_with = "borrowed_text")]
    pub updated_date_utc: Option<Cow<'a, str>>,
    /// `Exclusive`, `Inclusive` (line amounts include their tax) or `NoTax`.
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub line_amount_types: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub line_items: Vec<LineItem<'a>>,
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
pub struct CreditNote<'a> {
    #[serde(rename = "CreditNoteID")]
    pub credit_note_id: Option<String>,
    #[serde(rename = "Type", default, borrow, deserialize_with = "borrowed_text")]
    pub kind: Option<Cow<'a, str>>,
    pub credit_note_number: Option<String>,
    pub reference: Option<String>,
    pub contact: Option<ContactRef<'a>>,
    pub status: Option<String>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub date: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub date_string: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub due_date: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub due_date_string: Option<Cow<'a, str>>,
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
    #[serde(rename = "UpdatedDateUTC", default, borrow, deserialize_with = "borrowed_text")]
    pub updated_date_utc: Option<Cow<'a, str>>,
    /// `Exclusive`, `Inclusive` (line amounts include their tax) or `NoTax`.
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub line_amount_types: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub line_items: Vec<LineItem<'a>>,
}

/// `GET /Payments`: one payment against an invoice, credit note, prepayment or overpayment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Payment<'a> {
    #[serde(rename = "PaymentID")]
    pub payment_id: Option<String>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub date: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "field::amount")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::bank_amount")]
    pub bank_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::currency_rate")]
    pub currency_rate: Option<Decimal>,
    pub reference: Option<String>,
    /// `ACCRECPAYMENT`, `ACCPAYPAYMENT`, `ARCREDITPAYMENT`…
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub payment_type: Option<Cow<'a, str>>,
    /// `AUTHORISED` or `DELETED`.
    pub status: Option<String>,
    pub is_reconciled: Option<bool>,
    #[serde(rename = "UpdatedDateUTC", default, borrow, deserialize_with = "borrowed_text")]
    pub updated_date_utc: Option<Cow<'a, str>>,
    /// The bank (or other) account the money moved through.
    pub account: Option<AccountRef<'a>>,
    /// The invoice paid. Xero also puts credit-note refunds here (`Type: ACCRECCREDIT`).
    pub invoice: Option<Invoice<'a>>,
    pub credit_note: Option<CreditNote<'a>>,
}

/// One line of a manual journal: `LineAmount` is debit positive, credit negative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManualJournalLine<'a> {
    #[serde(default, deserialize_with = "field::line_amount")]
    pub line_amount: Option<Decimal>,
    pub account_code: Option<String>,
    #[serde(rename = "AccountID", default, borrow, deserialize_with = "borrowed_text")]
    pub account_id: Option<Cow<'a, str>>,
    pub description: Option<String>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub tax_type: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "field::tax_amount")]
    pub tax_amount: Option<Decimal>,
    pub is_blank: Option<bool>,
}

/// `GET /ManualJournals`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManualJournal<'a> {
    #[serde(rename = "ManualJournalID")]
    pub manual_journal_id: Option<String>,
    pub narration: Option<String>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub date: Option<Cow<'a, str>>,
    /// `DRAFT`, `POSTED`, `DELETED`, `VOIDED`, `ARCHIVED`.
    pub status: Option<String>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub line_amount_types: Option<Cow<'a, str>>,
    #[serde(rename = "UpdatedDateUTC", default, borrow, deserialize_with = "borrowed_text")]
    pub updated_date_utc: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub journal_lines: Vec<ManualJournalLine<'a>>,
}

/// `GET /BankTransactions`: spend or receive money (and their transfer, prepayment and
/// overpayment variants).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BankTransaction<'a> {
    #[serde(rename = "BankTransactionID")]
    pub bank_transaction_id: Option<String>,
    /// `SPEND`, `RECEIVE`, `SPEND-TRANSFER`, `RECEIVE-PREPAYMENT`…
    #[serde(rename = "Type", default, borrow, deserialize_with = "borrowed_text")]
    pub kind: Option<Cow<'a, str>>,
    pub contact: Option<ContactRef<'a>>,
    pub bank_account: Option<AccountRef<'a>>,
    pub is_reconciled: Option<bool>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub date: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub date_string: Option<Cow<'a, str>>,
    pub reference: Option<String>,
    pub currency_code: Option<String>,
    #[serde(default, deserialize_with = "field::currency_rate")]
    pub currency_rate: Option<Decimal>,
    /// `AUTHORISED`, `DELETED`, `VOIDED`.
    pub status: Option<String>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub line_amount_types: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "field::sub_total")]
    pub sub_total: Option<Decimal>,
    #[serde(default, deserialize_with = "field::total_tax")]
    pub total_tax: Option<Decimal>,
    #[serde(default, deserialize_with = "field::total")]
    pub total: Option<Decimal>,
    #[serde(rename = "UpdatedDateUTC", default, borrow, deserialize_with = "borrowed_text")]
    pub updated_date_utc: Option<Cow<'a, str>>,
    #[serde(rename = "PrepaymentID", default, borrow, deserialize_with = "borrowed_text")]
    pub prepayment_id: Option<Cow<'a, str>>,
    #[serde(rename = "OverpaymentID", default, borrow, deserialize_with = "borrowed_text")]
    pub overpayment_id: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub line_items: Vec<LineItem<'a>>,
}

/// One line of a general-ledger journal: `NetAmount` is debit positive, credit negative.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JournalLine<'a> {
    #[serde(rename = "JournalLineID", default, borrow, deserialize_with = "borrowed_text")]
    pub journal_line_id: Option<Cow<'a, str>>,
    #[serde(rename = "AccountID", default, borrow, deserialize_with = "borrowed_text")]
    pub account_id: Option<Cow<'a, str>>,
    pub account_code: Option<String>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub account_type: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub account_name: Option<Cow<'a, str>>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "field::net_amount")]
    pub net_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::gross_amount")]
    pub gross_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::tax_amount")]
    pub tax_amount: Option<Decimal>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub tax_type: Option<Cow<'a, str>>,
}

/// `GET /Journals`: the general-ledger feed, one journal per posting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Journal<'a> {
    #[serde(rename = "JournalID")]
    pub journal_id: Option<String>,
    #[serde(default, borrow, deserialize_with = "borrowed_text")]
    pub journal_date: Option<Cow<'a, str>>,
    pub journal_number: Option<i64>,
    #[serde(rename = "CreatedDateUTC", default, borrow, deserialize_with = "borrowed_text")]
    pub created_date_utc: Option<Cow<'a, str>>,
    pub reference: Option<String>,
    /// The id of the document that posted it (`InvoiceID`, `ManualJournalID`…).
    #[serde(rename = "SourceID", default, borrow, deserialize_with = "borrowed_text")]
    pub source_id: Option<Cow<'a, str>>,
    /// `ACCREC`, `ACCPAY`, `MANJOURNAL`, `CASHPAID`…
    pub source_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub journal_lines: Vec<JournalLine<'a>>,
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

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use serde_json::Value;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Owned {
        #[serde(rename = "Text")]
        text: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Borrowed<'a> {
        #[serde(rename = "Text", default, borrow, deserialize_with = "borrowed_text")]
        text: Option<Cow<'a, str>>,
    }

    /// `json` as a `Text` field read as an `Option<String>` and by [`borrowed_text`], from
    /// JSON text and from a `Value`: the same text, or the same error.
    #[rstest]
    #[case::plain(r#"{"Text": "/Date(1518685950940+0000)/"}"#)]
    #[case::escaped(r#"{"Text": "\/Date(1518685950940+0000)\/"}"#)]
    #[case::unicode_escape(r#"{"Text": "caf\u00e9"}"#)]
    #[case::empty(r#"{"Text": ""}"#)]
    #[case::null(r#"{"Text": null}"#)]
    #[case::absent(r#"{"Other": 1}"#)]
    #[case::number(r#"{"Text": 12}"#)]
    #[case::decimal(r#"{"Text": 1.50}"#)]
    #[case::negative(r#"{"Text": -3}"#)]
    #[case::boolean(r#"{"Text": true}"#)]
    #[case::array(r#"{"Text": ["a"]}"#)]
    #[case::object(r#"{"Text": {"a": "b"}}"#)]
    #[case::duplicate(r#"{"Text": "a", "Text": "b"}"#)]
    fn borrowed_text_reads_as_an_owned_string_does(#[case] json: &str) {
        let owned = serde_json::from_str::<Owned>(json).map(|o| o.text).map_err(|e| e.to_string());
        let borrowed = serde_json::from_str::<Borrowed>(json)
            .map(|b| b.text.map(Cow::into_owned))
            .map_err(|e| e.to_string());
        assert_eq!(borrowed, owned, "{json}");
        if let Ok(value) = serde_json::from_str::<Value>(json) {
            let owned = Owned::deserialize(&value).map(|o| o.text).map_err(|e| e.to_string());
            let borrowed = Borrowed::deserialize(&value)
                .map(|b| b.text.map(Cow::into_owned))
                .map_err(|e| e.to_string());
            assert_eq!(borrowed, owned, "{json}: from a Value");
        }
    }

    #[test]
    fn text_without_escapes_is_borrowed_and_escaped_text_is_not() {
        let plain = serde_json::from_str::<Borrowed>(r#"{"Text": "/Date(0)/"}"#).unwrap();
        assert!(matches!(plain.text, Some(Cow::Borrowed("/Date(0)/"))));
        let escaped = serde_json::from_str::<Borrowed>(r#"{"Text": "\/Date(0)\/"}"#).unwrap();
        assert!(matches!(escaped.text, Some(Cow::Owned(text)) if text == "/Date(0)/"));
    }
}
