//! Serde models of the Cin7 Core API records cxsync reads, in Cin7's own `PascalCase` shapes.
//!
//! Tolerant by design, like the Xero models: every field is optional (the normaliser decides
//! what is required), unknown fields are ignored, `null` arrays read as empty, and statuses and
//! types stay `String`s so a new value is kept, never rejected. Amounts are exact
//! [`Decimal`]s read by [`crate::amount`] (an unreadable one names its field); dates and
//! account fields stay raw strings for the normaliser to read, so a bad value can be reported
//! with its field name.
//!
//! Cin7 quirks handled here: the `OpenAPI` example misspells a purchase's `InvoiceNumber` as
//! `InvocieNumber` (both accepted); ledger lines inside task details name their id
//! `TransactionID` (sales) or `ID` (stock tasks). A document's collections (a sale's
//! `Invoices`, a purchase's `Invoice`, which is an object for a simple purchase and an array
//! for an advanced one, every task's `Transactions`) are read element by element by the
//! normaliser, so these structs hold one element each.
//!
//! Only the fields cxsync uses are modelled; the raw JSON is kept beside every record.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::amount::field;

/// Reads `null` as the type's default (an empty list).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `GET ref/account`: one account of the chart (Cin7 accounts have no id but their code).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Account {
    pub code: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub status: Option<String>,
}

/// `GET product`: only what identifies a product and dates its last change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Product {
    #[serde(rename = "ID")]
    pub id: Option<String>,
    pub last_modified_on: Option<String>,
}

/// One row of `saleList` or `saleCreditNoteList`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SaleSummary {
    #[serde(rename = "SaleID")]
    pub sale_id: Option<String>,
    pub updated: Option<String>,
}

/// One row of `purchaseList`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PurchaseSummary {
    #[serde(rename = "ID")]
    pub id: Option<String>,
    pub last_updated_date: Option<String>,
    /// `Simple Purchase`, `Advanced Purchase`, `Service Purchase`…
    #[serde(rename = "Type")]
    pub kind: Option<String>,
}

/// A line of an invoice or credit note, or one of its additional charges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Line {
    #[serde(rename = "SKU")]
    pub sku: Option<String>,
    pub name: Option<String>,
    /// Additional charges carry a description instead of a product name.
    pub description: Option<String>,
    #[serde(default, deserialize_with = "field::quantity")]
    pub quantity: Option<Decimal>,
    #[serde(default, deserialize_with = "field::price")]
    pub price: Option<Decimal>,
    #[serde(default, deserialize_with = "field::discount")]
    pub discount: Option<Decimal>,
    #[serde(default, deserialize_with = "field::tax")]
    pub tax: Option<Decimal>,
    #[serde(default, deserialize_with = "field::total")]
    pub total: Option<Decimal>,
    /// `"200"` or `"200: Sales"`.
    pub account: Option<String>,
    #[serde(default, deserialize_with = "field::average_cost")]
    pub average_cost: Option<Decimal>,
}

/// A sale or purchase invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Invoice {
    #[serde(rename = "TaskID")]
    pub task_id: Option<String>,
    #[serde(alias = "InvocieNumber")]
    pub invoice_number: Option<String>,
    pub invoice_date: Option<String>,
    pub invoice_due_date: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "field::total")]
    pub total: Option<Decimal>,
    #[serde(default, deserialize_with = "field::tax")]
    pub tax: Option<Decimal>,
    #[serde(default, deserialize_with = "field::paid")]
    pub paid: Option<Decimal>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub lines: Vec<Line>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub additional_charges: Vec<Line>,
}

/// A sale or purchase credit note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreditNote {
    #[serde(rename = "TaskID")]
    pub task_id: Option<String>,
    pub credit_note_number: Option<String>,
    /// The invoice this note credits.
    pub credit_note_invoice_number: Option<String>,
    pub credit_note_date: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "field::total")]
    pub total: Option<Decimal>,
    #[serde(default, deserialize_with = "field::tax")]
    pub tax: Option<Decimal>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub lines: Vec<Line>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub additional_charges: Vec<Line>,
}

/// A payment of an invoice, or a refund of a credit note (`Payments[]`, `Refunds[]` of either).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Payment {
    #[serde(rename = "ID")]
    pub id: Option<String>,
    pub reference: Option<String>,
    #[serde(default, deserialize_with = "field::amount")]
    pub amount: Option<Decimal>,
    pub date_paid: Option<String>,
    /// The bank or payment account: `"090"` or `"090: Business Bank Account"`.
    pub account: Option<String>,
}

/// One ledger posting inside a task's detail (`Transactions[]` of a sale or stock task).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskTransaction {
    #[serde(rename = "TransactionID", alias = "ID")]
    pub transaction_id: Option<String>,
    #[serde(rename = "TaskID")]
    pub task_id: Option<String>,
    #[serde(default, deserialize_with = "field::amount")]
    pub amount: Option<Decimal>,
    /// `"610"` or `"610: Accounts Receivable"`.
    pub debit: Option<String>,
    pub credit: Option<String>,
    pub effective_date: Option<String>,
    pub description: Option<String>,
}

/// The scalar fields of `GET sale?ID=…&IncludeTransactions=true` that its invoices, credit
/// notes and ledger lines take their context from. The collections (`Invoices`,
/// `CreditNotes`, `Transactions`) are read element by element, so one unreadable invoice
/// does not take the rest of the sale with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Sale {
    #[serde(rename = "ID")]
    pub id: Option<String>,
    pub customer: Option<String>,
    pub customer_currency: Option<String>,
    pub customer_reference: Option<String>,
    /// Where the order came from: `Cin7 Core`, `API`, `Shopify`, `B2B`…
    pub source_channel: Option<String>,
    /// `Exclusive` or `Inclusive`: whether its prices (and line totals) include tax.
    pub tax_calculation: Option<String>,
}

/// The scalar fields of `GET purchase?ID=…` (simple) and `GET advanced-purchase?ID=…`; as for
/// [`Sale`], `Invoice`, `CreditNote` and `Transactions` are read element by element.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Purchase {
    #[serde(rename = "ID")]
    pub id: Option<String>,
    pub supplier: Option<String>,
    pub supplier_currency: Option<String>,
    pub order_number: Option<String>,
    /// `Exclusive` or `Inclusive`: whether its prices (and line totals) include tax.
    pub tax_calculation: Option<String>,
}

/// A line of a stock adjustment: `NewStockLines` carry `Quantity` and `UnitCost`,
/// `ExistingStockLines` an `Adjustment`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StockLine {
    #[serde(rename = "SKU")]
    pub sku: Option<String>,
    pub product_name: Option<String>,
    #[serde(default, deserialize_with = "field::quantity")]
    pub quantity: Option<Decimal>,
    #[serde(default, deserialize_with = "field::adjustment")]
    pub adjustment: Option<Decimal>,
    #[serde(default, deserialize_with = "field::unit_cost")]
    pub unit_cost: Option<Decimal>,
}

/// `GET stockadjustment?TaskID=…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StockAdjustment {
    #[serde(rename = "TaskID")]
    pub task_id: Option<String>,
    pub stocktake_number: Option<String>,
    pub reference: Option<String>,
    pub status: Option<String>,
    pub effective_date: Option<String>,
    pub account: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub new_stock_lines: Vec<StockLine>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub existing_stock_lines: Vec<StockLine>,
}

/// A line of a stock transfer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransferLine {
    #[serde(rename = "SKU")]
    pub sku: Option<String>,
    pub product_name: Option<String>,
    #[serde(default, deserialize_with = "field::transfer_quantity")]
    pub transfer_quantity: Option<Decimal>,
}

/// `GET stockTransfer?TaskID=…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StockTransfer {
    #[serde(rename = "TaskID")]
    pub task_id: Option<String>,
    pub number: Option<String>,
    pub reference: Option<String>,
    pub status: Option<String>,
    pub completion_date: Option<String>,
    pub departure_date: Option<String>,
    pub in_transit_account: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub lines: Vec<TransferLine>,
}

/// A component picked for an assembly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PickLine {
    pub product_code: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "field::quantity")]
    pub quantity: Option<Decimal>,
    #[serde(default, deserialize_with = "field::cost")]
    pub cost: Option<Decimal>,
}

/// `GET finishedGoods?TaskID=…`: an assembly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FinishedGoods {
    #[serde(rename = "TaskID")]
    pub task_id: Option<String>,
    pub assembly_number: Option<String>,
    pub status: Option<String>,
    pub completion_date: Option<String>,
    /// The inventory account the finished product is booked to.
    pub account: Option<String>,
    pub product_code: Option<String>,
    pub product_name: Option<String>,
    #[serde(default, deserialize_with = "field::quantity")]
    pub quantity: Option<Decimal>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub pick_lines: Vec<PickLine>,
}

/// One row of the `transactions` ledger feed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LedgerRow {
    #[serde(default, deserialize_with = "field::amount")]
    pub amount: Option<Decimal>,
    pub debit_account_code: Option<String>,
    pub credit_account_code: Option<String>,
    pub effective_date: Option<String>,
    pub reference: Option<String>,
    #[serde(rename = "TaskID")]
    pub task_id: Option<String>,
    /// A description of the posting (`"Customer - INV-00004"`).
    pub transaction: Option<String>,
    /// `Sale`, `Purchase`, `Stock Adjustment`…
    #[serde(rename = "Type")]
    pub kind: Option<String>,
}
