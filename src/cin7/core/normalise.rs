//! Turns Cin7 Core JSON into cxsync's normalised [`Record`]s.
//!
//! Architecture:
//! - [`Endpoint`]: which Cin7 Core resource a record came from: its path, the key of its
//!   records in a list page, its id field, its page size.
//! - [`records`] and [`total`]: the records of one list page, and how many the whole list has.
//! - [`list_record`]: one element of a list read whole (`ref/account`, `product`, the stock
//!   task lists) → [`Record`].
//! - [`summary`]: one row of a list whose details are fetched (`saleList`, `purchaseList`,
//!   stock task lists) → [`Summary`]: the id, the change marker, which detail to fetch.
//! - [`detail`]: one fetched detail (`sale`, `purchase`, a stock task) → [`Detail`]: its
//!   records and the parts that could not be read.
//! - [`ledger_key`] and [`ledger_row`]: one row of the `transactions` feed.
//! - `fields`: Cin7's date spellings and `"630: Inventory"` account fields.
//!
//! Rules shared by every record:
//! - Ids are required; anything else may be absent. Empty or blank strings become `None`.
//! - Statuses and types are kept as given (unknown ones included); a missing status is `""`.
//! - Amounts are exact ([`crate::amount`]); account fields keep the code before any colon.
//! - One unreadable element (an invoice with an amount of `"12,50"`) is rejected alone: the
//!   rest of its document, and of its page, goes on.
//!
//! How a detail is stored (the raw JSON of each record, for support and re-normalising):
//! - The whole detail, as sent, under its own id (a sale's `ID`; for a stock task the task's
//!   document itself). For sales and purchases it is a raw-only record whose `updated_at` is
//!   the list's change marker: the sync compares the next summary against it.
//! - Each invoice or credit note of a sale or purchase as a *slice*: the detail's scalar
//!   fields plus that one element under its collection key — the API's own shape, cut down,
//!   which normalises to the same document again. Its id is the element's `TaskID` (or
//!   `{id}/{key}/{n}` when it has none, as a simple purchase's invoice).
//! - The detail's ledger postings (`Transactions[]`) as one slice and one [`LedgerEntry`]
//!   with source id `{endpoint}/{id}` (`sale/…`, `stockadjustment/…`): two lines per posting,
//!   debit positive, credit negative. Written whole each time, so a posting Cin7 removed
//!   leaves no stale line.
//!
//! Ledger lines therefore come from two places: task details (per document, for matching) and
//! the `transactions` feed (source ids `transactions/…`, the whole ledger by effective date).
//! Balances must be summed from one of them only, the feed.
//!
//! [`LedgerEntry`]: crate::model::LedgerEntry
//!
//! Pure functions of their input: no I/O, no clock.

mod documents;
mod fields;
mod ledger;
mod tasks;
#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::model::{Payload, Record};

pub use fields::{DateError, account_code, parse_date, parse_instant};
pub use ledger::{ledger_id, ledger_key, ledger_row};

/// A Cin7 Core resource cxsync reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    Accounts,
    Products,
    SaleList,
    SaleCreditNoteList,
    Sale,
    PurchaseList,
    Purchase,
    AdvancedPurchase,
    StockAdjustmentList,
    StockAdjustment,
    StockTransferList,
    StockTransfer,
    FinishedGoodsList,
    FinishedGoods,
    Transactions,
}

impl Endpoint {
    /// The URL path after the API base, also the store's endpoint and cursor key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accounts => "ref/account",
            Self::Products => "product",
            Self::SaleList => "saleList",
            Self::SaleCreditNoteList => "saleCreditNoteList",
            Self::Sale => "sale",
            Self::PurchaseList => "purchaseList",
            Self::Purchase => "purchase",
            Self::AdvancedPurchase => "advanced-purchase",
            Self::StockAdjustmentList => "stockadjustmentList",
            Self::StockAdjustment => "stockadjustment",
            Self::StockTransferList => "stockTransferList",
            Self::StockTransfer => "stockTransfer",
            Self::FinishedGoodsList => "finishedGoodsList",
            Self::FinishedGoods => "finishedGoods",
            Self::Transactions => "transactions",
        }
    }

    /// The key of the records array in a list page (`saleCreditNoteList` reuses `SaleList`).
    pub fn collection_key(self) -> &'static str {
        match self {
            Self::Accounts => "AccountsList",
            Self::Products => "Products",
            Self::SaleList | Self::SaleCreditNoteList => "SaleList",
            Self::PurchaseList => "PurchaseList",
            Self::StockAdjustmentList => "StockAdjustmentList",
            Self::StockTransferList => "StockTransferList",
            Self::FinishedGoodsList | Self::FinishedGoods => "FinishedGoods",
            Self::Transactions => "Transactions",
            Self::Sale => "Sale",
            Self::Purchase | Self::AdvancedPurchase => "Purchase",
            Self::StockAdjustment => "StockAdjustment",
            Self::StockTransfer => "StockTransfer",
        }
    }

    /// The field holding a record's id (`ref/account` has none but the account code; the
    /// `transactions` feed has none at all, see [`ledger_key`]).
    pub fn id_field(self) -> &'static str {
        match self {
            Self::Accounts => "Code",
            Self::Products
            | Self::PurchaseList
            | Self::Sale
            | Self::Purchase
            | Self::AdvancedPurchase => "ID",
            Self::SaleList | Self::SaleCreditNoteList => "SaleID",
            Self::StockAdjustmentList
            | Self::StockAdjustment
            | Self::StockTransferList
            | Self::StockTransfer
            | Self::FinishedGoodsList
            | Self::FinishedGoods
            | Self::Transactions => "TaskID",
        }
    }

    /// The largest page Cin7 Core serves: 1000, products 100.
    pub fn page_limit(self) -> usize {
        match self {
            Self::Products => 100,
            _ => 1000,
        }
    }

    /// The detail endpoint of a stock task list.
    pub fn task_detail(self) -> Option<Self> {
        match self {
            Self::StockAdjustmentList => Some(Self::StockAdjustment),
            Self::StockTransferList => Some(Self::StockTransfer),
            Self::FinishedGoodsList => Some(Self::FinishedGoods),
            _ => None,
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

/// Why a Cin7 Core record could not be normalised.
#[derive(Debug, thiserror::Error)]
pub enum NormaliseError {
    /// The JSON does not have the record's shape: not an object, a field of the wrong JSON
    /// type, or an unreadable amount (that message names the field and quotes the value).
    #[error("{record} does not have the shape of a Cin7 Core record: {source}")]
    Shape { record: RecordRef, source: serde_json::Error },
    /// The record's id field is absent or empty.
    #[error(
        "{endpoint} record has no {}: every Cin7 Core record of this endpoint carries one, so \
         this is not one (check the endpoint the response came from)",
        endpoint.id_field()
    )]
    MissingId { endpoint: Endpoint },
    /// A field cxsync cannot do without is absent or empty.
    #[error("{record} has no {field}")]
    MissingField { record: RecordRef, field: String },
    /// A date field could not be read; the message quotes the value.
    #[error("{record}: {field} {source}")]
    BadDate { record: RecordRef, field: String, source: DateError },
    /// A list page has no array under the endpoint's collection key.
    #[error("the {endpoint} response has no {:?} array of records", endpoint.collection_key())]
    MissingCollection { endpoint: Endpoint },
}

/// A part of a detail (or a list element) that could not be read, kept whole with the reason.
#[derive(Debug)]
pub struct Rejected {
    pub external_id: Option<String>,
    /// The JSON text as stored for it (the element's slice, or the whole record).
    pub raw: String,
    pub error: NormaliseError,
}

/// What one fetched detail became.
#[derive(Debug, Default)]
pub struct Detail {
    /// Each readable record with the raw JSON text it is stored with.
    pub records: Vec<(Record, String)>,
    pub rejected: Vec<Rejected>,
}

/// One row of a list whose details are fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: String,
    /// When Cin7 last changed the document (`Updated`, `LastUpdatedDate`); stock tasks have
    /// none, so their whole summary is compared instead.
    pub updated: Option<DateTime<Utc>>,
    /// Where its detail is read: `sale`, `purchase` or `advanced-purchase`, a stock task.
    pub detail: Endpoint,
}

/// The records of one list page: the array under [`Endpoint::collection_key`].
pub fn records(endpoint: Endpoint, page: &Value) -> Result<&[Value], NormaliseError> {
    page.get(endpoint.collection_key())
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .ok_or(NormaliseError::MissingCollection { endpoint })
}

/// How many records the whole list has, as the page's `Total` says.
pub fn total(page: &Value) -> Option<usize> {
    page.get("Total").and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok())
}

/// The id of a list element or detail, if it has a usable one.
pub fn id_of(endpoint: Endpoint, raw: &Value) -> Option<&str> {
    raw.get(endpoint.id_field()).and_then(Value::as_str).and_then(non_empty)
}

/// Normalises one element of a list that has no details: `ref/account` → an account,
/// `product` → raw only (with `LastModifiedOn`), a stock task list row → raw only (kept to
/// compare the next listing with).
pub fn list_record(endpoint: Endpoint, raw: &Value) -> Result<Record, NormaliseError> {
    let record = RecordRef { endpoint, id: id_of(endpoint, raw).map(String::from) };
    match endpoint {
        Endpoint::Accounts => ledger::account(&record, parse(&record, raw)?),
        Endpoint::Products => {
            let product: crate::cin7::core::models::Product = parse(&record, raw)?;
            let external_id = record.require_id(product.id.clone())?;
            let updated_at = record.instant("LastModifiedOn", product.last_modified_on)?;
            Ok(Record { external_id, updated_at, payload: Payload::RawOnly })
        }
        _ => {
            let external_id = record.require_id(record.id.clone())?;
            Ok(Record { external_id, updated_at: None, payload: Payload::RawOnly })
        }
    }
}

/// Reads one row of `saleList`, `saleCreditNoteList`, `purchaseList` or a stock task list.
pub fn summary(list: Endpoint, raw: &Value) -> Result<Summary, NormaliseError> {
    let record = RecordRef { endpoint: list, id: id_of(list, raw).map(String::from) };
    let id = record.require_id(record.id.clone())?;
    match list {
        Endpoint::SaleList | Endpoint::SaleCreditNoteList => {
            let row: crate::cin7::core::models::SaleSummary = parse(&record, raw)?;
            let updated = record.instant("Updated", row.updated)?;
            Ok(Summary { id, updated, detail: Endpoint::Sale })
        }
        Endpoint::PurchaseList => {
            let row: crate::cin7::core::models::PurchaseSummary = parse(&record, raw)?;
            let updated = record.instant("LastUpdatedDate", row.last_updated_date)?;
            let detail = match row.kind.as_deref().map(str::trim) {
                Some(kind) if kind.eq_ignore_ascii_case("Advanced Purchase") => {
                    Endpoint::AdvancedPurchase
                }
                _ => Endpoint::Purchase,
            };
            Ok(Summary { id, updated, detail })
        }
        other => match other.task_detail() {
            Some(detail) => Ok(Summary { id, updated: None, detail }),
            None => Err(NormaliseError::MissingCollection { endpoint: other }),
        },
    }
}

/// Normalises one fetched detail (see the module notes for what it becomes). `updated` is the
/// change marker its summary carried, stored with a sale's or purchase's raw record.
pub fn detail(endpoint: Endpoint, raw: &Value, updated: Option<DateTime<Utc>>) -> Detail {
    match endpoint {
        Endpoint::Sale => documents::sale(raw, updated),
        Endpoint::Purchase | Endpoint::AdvancedPurchase => {
            documents::purchase(endpoint, raw, updated)
        }
        Endpoint::StockAdjustment | Endpoint::StockTransfer | Endpoint::FinishedGoods => {
            tasks::task(endpoint, raw)
        }
        other => Detail::rejected_whole(
            other,
            raw,
            NormaliseError::MissingCollection { endpoint: other },
        ),
    }
}

impl Detail {
    fn rejected_whole(endpoint: Endpoint, raw: &Value, error: NormaliseError) -> Self {
        Self {
            records: Vec::new(),
            rejected: vec![Rejected {
                external_id: id_of(endpoint, raw).map(String::from),
                raw: raw.to_string(),
                error,
            }],
        }
    }

    fn push(&mut self, raw: &Value, external_id: String, result: Result<Record, NormaliseError>) {
        match result {
            Ok(record) => self.records.push((record, raw.to_string())),
            Err(error) => self.rejected.push(Rejected {
                external_id: Some(external_id),
                raw: raw.to_string(),
                error,
            }),
        }
    }
}

/// The elements under `key`: an array's items, or a lone object (a simple purchase's
/// `Invoice`); nothing for `null` or absent.
fn elements<'v>(raw: &'v Value, key: &str) -> Vec<&'v Value> {
    match raw.get(key) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => Vec::new(),
    }
}

/// The detail's scalar fields with `items` under `key`: a cut-down detail in the API's own
/// shape (see the module notes).
fn slice(raw: &Value, key: &str, items: Vec<Value>) -> Value {
    let mut out: Map<String, Value> = raw
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .filter(|(_, value)| !value.is_array() && !value.is_object())
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default();
    out.insert(key.into(), Value::Array(items));
    Value::Object(out)
}

/// The id of the `index`th element under `key` of detail `parent`: its `TaskID`, unless it has
/// none or shares the parent's id.
fn element_id(parent: &str, key: &str, index: usize, element: &Value) -> String {
    match element.get("TaskID").and_then(Value::as_str).and_then(non_empty) {
        Some(task) if task != parent => task.to_string(),
        _ => format!("{parent}/{key}/{index}"),
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
    fn new(endpoint: Endpoint, id: impl Into<String>) -> Self {
        Self { endpoint, id: Some(id.into()) }
    }

    /// The record's id, which every record must have.
    fn require_id(&self, id: Option<String>) -> Result<String, NormaliseError> {
        text(id).ok_or(NormaliseError::MissingId { endpoint: self.endpoint })
    }

    fn missing(&self, field: impl Into<String>) -> NormaliseError {
        NormaliseError::MissingField { record: self.clone(), field: field.into() }
    }

    /// Reads an optional calendar date field.
    fn date(
        &self,
        field: &str,
        value: Option<String>,
    ) -> Result<Option<NaiveDate>, NormaliseError> {
        text(value).map(|v| parse_date(&v)).transpose().map_err(|source| NormaliseError::BadDate {
            record: self.clone(),
            field: field.into(),
            source,
        })
    }

    /// Reads an optional instant field.
    fn instant(
        &self,
        field: &str,
        value: Option<String>,
    ) -> Result<Option<DateTime<Utc>>, NormaliseError> {
        text(value).map(|v| parse_instant(&v)).transpose().map_err(|source| {
            NormaliseError::BadDate { record: self.clone(), field: field.into(), source }
        })
    }
}
