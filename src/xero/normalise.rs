//! Turns one Xero record's JSON into cxsync's normalised [`Record`].
//!
//! Architecture:
//! - [`Endpoint`]: which Xero collection a record came from, its URL segment and JSON key.
//! - [`records`]: the array of records inside one response page.
//! - [`normalise`]: one record → [`Record`], via the serde models in [`super::models`];
//!   `documents` handles invoices, credit notes, payments, manual journals and bank
//!   transactions, `ledger` handles journals, accounts, the organisation and tracking
//!   categories.
//! - [`trial_balance`]: `GET /Reports/TrialBalance` → [`TrialBalanceRow`](crate::model::TrialBalanceRow)s.
//! - `raw`: the sync's path, the same rules without a `serde_json::Value` tree:
//!   [`raw_records`] borrows each record's JSON text from the response body, and
//!   [`normalise_raw`] reads it straight into the serde model. Its results and errors are
//!   those of [`records`] and [`normalise`] (a record the direct read refuses is read again
//!   through a `Value`, so its error is the same one).
//!
//! Rules shared by every record type:
//! - The record's id (`InvoiceID`…) is required; anything else may be absent.
//! - Empty or blank strings (`"Reference": ""`, `"CreditNoteNumber": ""`) become `None`, so an
//!   empty number can never match another empty number.
//! - Statuses and type codes are kept as given; a missing `Status` becomes `""` (Xero always
//!   sends one; the `OpenAPI` examples sometimes leave it out).
//! - Dates: `Date` wins over `DateString` when both are present; both are read by
//!   [`super::dates`]. `updated_at` is `UpdatedDateUTC` (for journals, which never change,
//!   `CreatedDateUTC`).
//!
//! Pure functions of their input: no I/O, no clock.

mod documents;
mod ledger;
mod raw;
#[cfg(test)]
mod tests;
mod trial_balance;

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::amount::AmountError;
use super::dates::{self, DateError};
use crate::model::Record;

pub use raw::{PageError, normalise_raw, raw_records};
pub use trial_balance::trial_balance;

/// A Xero Accounting API collection cxsync reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    Organisation,
    Accounts,
    TrackingCategories,
    Invoices,
    CreditNotes,
    Payments,
    ManualJournals,
    BankTransactions,
    Journals,
}

impl Endpoint {
    /// Every endpoint, in the order a full sync reads them (settings first).
    pub const ALL: [Self; 9] = [
        Self::Organisation,
        Self::Accounts,
        Self::TrackingCategories,
        Self::Invoices,
        Self::CreditNotes,
        Self::Payments,
        Self::ManualJournals,
        Self::BankTransactions,
        Self::Journals,
    ];

    /// The URL path segment after the API base (`/Invoices`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organisation => "Organisation",
            Self::Accounts => "Accounts",
            Self::TrackingCategories => "TrackingCategories",
            Self::Invoices => "Invoices",
            Self::CreditNotes => "CreditNotes",
            Self::Payments => "Payments",
            Self::ManualJournals => "ManualJournals",
            Self::BankTransactions => "BankTransactions",
            Self::Journals => "Journals",
        }
    }

    /// The key of the array holding the records in a response (`"Organisations"` is plural
    /// although the path is not).
    pub fn collection_key(self) -> &'static str {
        match self {
            Self::Organisation => "Organisations",
            other => other.as_str(),
        }
    }

    /// The field holding a record's id.
    pub fn id_field(self) -> &'static str {
        match self {
            Self::Organisation => "OrganisationID",
            Self::Accounts => "AccountID",
            Self::TrackingCategories => "TrackingCategoryID",
            Self::Invoices => "InvoiceID",
            Self::CreditNotes => "CreditNoteID",
            Self::Payments => "PaymentID",
            Self::ManualJournals => "ManualJournalID",
            Self::BankTransactions => "BankTransactionID",
            Self::Journals => "JournalID",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which record an error is about: its endpoint and, when it has one, its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    pub endpoint: Endpoint,
    pub id: Option<String>,
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{} record {id:?}", self.endpoint),
            None => write!(f, "{} record without {}", self.endpoint, self.endpoint.id_field()),
        }
    }
}

/// Why a Xero record or report could not be normalised.
#[derive(Debug, thiserror::Error)]
pub enum NormaliseError {
    /// The JSON does not have the record's shape: not an object, a field of the wrong JSON
    /// type, or an unreadable amount (that message names the field and quotes the value).
    #[error("{record} does not have the shape of a Xero record: {source}")]
    Shape { record: RecordRef, source: serde_json::Error },
    /// The record's id field is absent or empty.
    #[error(
        "{endpoint} record has no {}: every Xero record carries one, so this is not a Xero \
         record (check the endpoint the response came from)",
        endpoint.id_field()
    )]
    MissingId { endpoint: Endpoint },
    /// A field cxsync cannot do without is absent or empty.
    #[error("{record} has no {field}")]
    MissingField { record: RecordRef, field: String },
    /// A date field could not be read; the message quotes the value.
    #[error("{record}: {field} {source}")]
    BadDate { record: RecordRef, field: String, source: DateError },
    /// A type code cxsync does not map to a document type.
    #[error("{record}: {field} {value:?} is not {expected}, the types this endpoint returns")]
    UnexpectedValue {
        record: RecordRef,
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    /// A response page has no array under the endpoint's collection key.
    #[error("the {endpoint} response has no {:?} array of records", endpoint.collection_key())]
    MissingCollection { endpoint: Endpoint },
    /// The trial balance is not shaped as cxsync expects (no report, no YTD columns…).
    #[error("trial balance: {problem}")]
    ReportShape { problem: String },
    /// A trial balance amount cell could not be read.
    #[error("trial balance row {account:?}: {column} {source}")]
    ReportAmount { account: String, column: String, source: AmountError },
}

/// The records of one response page: the array under [`Endpoint::collection_key`].
pub fn records(endpoint: Endpoint, page: &Value) -> Result<&[Value], NormaliseError> {
    page.get(endpoint.collection_key())
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .ok_or(NormaliseError::MissingCollection { endpoint })
}

/// Normalises one record of `endpoint` (one element of [`records`]).
pub fn normalise(endpoint: Endpoint, raw: &Value) -> Result<Record, NormaliseError> {
    let id = raw.get(endpoint.id_field()).and_then(Value::as_str).and_then(non_empty);
    let record = RecordRef { endpoint, id: id.map(str::to_owned) };
    match endpoint {
        Endpoint::Invoices => documents::invoice(&record, parse(&record, raw)?),
        Endpoint::CreditNotes => documents::credit_note(&record, parse(&record, raw)?),
        Endpoint::Payments => documents::payment(&record, parse(&record, raw)?),
        Endpoint::ManualJournals => documents::manual_journal(&record, parse(&record, raw)?),
        Endpoint::BankTransactions => documents::bank_transaction(&record, parse(&record, raw)?),
        Endpoint::Journals => ledger::journal(&record, parse(&record, raw)?),
        Endpoint::Accounts => ledger::account(&record, parse(&record, raw)?),
        Endpoint::Organisation => ledger::organisation(&record, parse(&record, raw)?),
        Endpoint::TrackingCategories => ledger::tracking_category(&record, parse(&record, raw)?),
    }
}

fn parse<'de, T: Deserialize<'de>>(
    record: &RecordRef,
    raw: &'de Value,
) -> Result<T, NormaliseError> {
    T::deserialize(raw).map_err(|source| NormaliseError::Shape { record: record.clone(), source })
}

/// `Some(text)` unless it is empty or blank.
fn non_empty(text: &str) -> Option<&str> {
    (!text.trim().is_empty()).then_some(text)
}

/// An owned text field, with empty or blank text as `None`.
fn text(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.trim().is_empty())
}

impl RecordRef {
    /// The record's id, which every record must have.
    fn require_id(&self, id: Option<String>) -> Result<String, NormaliseError> {
        text(id).ok_or(NormaliseError::MissingId { endpoint: self.endpoint })
    }

    fn missing(&self, field: impl Into<String>) -> NormaliseError {
        NormaliseError::MissingField { record: self.clone(), field: field.into() }
    }

    /// Reads an optional calendar date field.
    fn date(&self, field: &str, value: Option<&str>) -> Result<Option<NaiveDate>, NormaliseError> {
        value.and_then(non_empty).map(dates::parse_date).transpose().map_err(|source| {
            NormaliseError::BadDate { record: self.clone(), field: field.into(), source }
        })
    }

    /// Reads a date from `Date`, falling back to the ISO `DateString`.
    fn date_or_string(
        &self,
        (field, value): (&str, Option<&str>),
        (string_field, string_value): (&str, Option<&str>),
    ) -> Result<Option<NaiveDate>, NormaliseError> {
        match self.date(field, value)? {
            Some(date) => Ok(Some(date)),
            None => self.date(string_field, string_value),
        }
    }

    /// Reads an optional instant field.
    fn instant(
        &self,
        field: &str,
        value: Option<&str>,
    ) -> Result<Option<DateTime<Utc>>, NormaliseError> {
        value.and_then(non_empty).map(dates::parse_datetime).transpose().map_err(|source| {
            NormaliseError::BadDate { record: self.clone(), field: field.into(), source }
        })
    }
}
