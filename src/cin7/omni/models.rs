//! The records cxsync reads from Cin7 Omni. `SalesOrders`, `CreditNotes`, `PurchaseOrders` and
//! Adjustments share one transaction shape in Omni's API (an id, change dates, a reference,
//! contact, totals, `accountingAttributes`, `lineItems`) and differ in a few fields, so one
//! [`Transaction`] holds them all, each field absent where an endpoint has none. Payments are
//! their own small shape ([`Payment`]).
//!
//! Read with `fields` (any case, exact amounts). Only what cxsync uses is read; the raw JSON is
//! stored beside every record.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::fields::{FieldError, Fields};

/// One line item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineItem {
    pub code: Option<String>,
    pub name: Option<String>,
    /// `qty`; on an adjustment `qtyAdjusted` where given.
    pub qty: Option<Decimal>,
    pub qty_shipped: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    /// Omni's cost per unit (filled by its daily COGS run for dispatched sales lines).
    pub unit_cost: Option<Decimal>,
    /// The line's total discount.
    pub discount: Option<Decimal>,
    /// `accountCode`, or an adjustment line's `account`.
    pub account_code: Option<String>,
}

/// A sales order, credit note, purchase order or stock adjustment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transaction {
    pub id: Option<String>,
    pub modified: Option<DateTime<Utc>>,
    pub reference: Option<String>,
    /// `company`, else `firstName lastName`.
    pub contact: Option<String>,
    pub currency: Option<String>,
    pub total: Option<Decimal>,
    pub product_total: Option<Decimal>,
    /// Purchase orders: freight and surcharge charged by the supplier, the overall discount.
    pub freight_total: Option<Decimal>,
    pub surcharge: Option<Decimal>,
    pub discount_total: Option<Decimal>,
    /// `Incl`, `Excl` or `Exempt`: whether line prices include tax at `tax_rate` (percent).
    pub tax_status: Option<String>,
    pub tax_rate: Option<Decimal>,
    /// Units of the document's currency per unit of the base currency.
    pub currency_rate: Option<Decimal>,
    pub is_void: bool,
    pub status: Option<String>,
    pub stage: Option<String>,
    /// `accountingAttributes.accountingImportStatus`.
    pub import_status: Option<String>,
    /// Sales orders: the invoice number Omni gives Xero.
    pub invoice_number: Option<String>,
    /// Credit notes.
    pub credit_note_number: Option<String>,
    /// Credit notes: the sales order credited.
    pub sales_reference: Option<String>,
    /// Purchase orders: the supplier's invoice number.
    pub supplier_invoice_reference: Option<String>,
    pub invoice_date: Option<NaiveDate>,
    pub dispatched_date: Option<DateTime<Utc>>,
    pub completed_date: Option<NaiveDate>,
    pub credit_note_date: Option<NaiveDate>,
    pub fully_received_date: Option<NaiveDate>,
    /// Adjustments: the date to post in the accounting system.
    pub adjust_in_accounting_system: Option<NaiveDate>,
    /// Adjustments: the alternative GL account the adjustment posts to.
    pub alternative_account_code: Option<String>,
    pub lines: Vec<LineItem>,
}

/// A payment against a sales or purchase order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payment {
    pub id: Option<String>,
    pub modified: Option<DateTime<Utc>>,
    pub payment_date: Option<NaiveDate>,
    pub amount: Option<Decimal>,
    pub method: Option<String>,
    /// The id of the order paid, in the endpoint `order_type` names.
    pub order_id: Option<String>,
    /// The paid order's reference (Omni: "unique sales/purchase order reference").
    pub order_ref: Option<String>,
    /// `SalesOrder` or `PurchaseOrder` (the model's "order type classification").
    pub order_type: Option<String>,
    pub is_authorized: bool,
}

/// Where a field could not be read: the path inside the record and why.
pub type ReadError = FieldError;

impl Transaction {
    /// Reads one record of `SalesOrders`, `CreditNotes`, `PurchaseOrders` or Adjustments.
    pub fn read(value: &Value) -> Result<Self, ReadError> {
        let f = object(value)?;
        let accounting = f.object("accountingAttributes");
        let import_status = accounting.map(|a| a.text("accountingImportStatus")).transpose()?;
        let contact = match f.text("company")? {
            Some(company) => Some(company),
            None => name(f.text("firstName")?, f.text("lastName")?),
        };
        let mut lines = Vec::new();
        for (index, line) in f.array("lineItems")?.iter().enumerate() {
            lines.push(LineItem::read(line).map_err(|err| FieldError {
                field: format!("lineItems[{index}].{}", err.field),
                detail: err.detail,
            })?);
        }
        Ok(Self {
            id: f.text("id")?,
            modified: f.instant("modifiedDate")?,
            reference: f.text("reference")?,
            contact,
            currency: f.text("currencyCode")?,
            total: f.amount("total")?,
            product_total: f.amount("productTotal")?,
            freight_total: f.amount("freightTotal")?,
            surcharge: f.amount("surcharge")?,
            discount_total: f.amount("discountTotal")?,
            tax_status: f.text("taxStatus")?,
            tax_rate: f.amount("taxRate")?,
            currency_rate: f.amount("currencyRate")?,
            is_void: f.flag("isVoid")?,
            status: f.text("status")?,
            stage: f.text("stage")?,
            import_status: import_status.flatten(),
            invoice_number: f.text("invoiceNumber")?,
            credit_note_number: f.text("creditNoteNumber")?,
            sales_reference: f.text("salesReference")?,
            supplier_invoice_reference: f.text("supplierInvoiceReference")?,
            invoice_date: f.date("invoiceDate")?,
            dispatched_date: f.instant("dispatchedDate")?,
            completed_date: f.date("completedDate")?,
            credit_note_date: f.date("creditNoteDate")?,
            fully_received_date: f.date("fullyReceivedDate")?,
            adjust_in_accounting_system: f.date("adjustInAccountingSystem")?,
            alternative_account_code: f.text("alternativeAccountCode")?,
            lines,
        })
    }
}

impl LineItem {
    fn read(value: &Value) -> Result<Self, ReadError> {
        let f = object(value)?;
        Ok(Self {
            code: f.text("code")?,
            name: f.text("name")?,
            qty: match f.amount("qtyAdjusted")? {
                Some(adjusted) => Some(adjusted),
                None => f.amount("qty")?,
            },
            qty_shipped: f.amount("qtyShipped")?,
            unit_price: f.amount("unitPrice")?,
            unit_cost: f.amount("unitCost")?,
            discount: f.amount("discount")?,
            account_code: match f.text("accountCode")? {
                Some(code) => Some(code),
                None => f.text("account")?,
            },
        })
    }
}

impl Payment {
    /// Reads one record of Payments.
    pub fn read(value: &Value) -> Result<Self, ReadError> {
        let f = object(value)?;
        Ok(Self {
            id: f.text("id")?,
            modified: f.instant("modifiedDate")?,
            payment_date: f.date("paymentDate")?,
            amount: f.amount("amount")?,
            method: f.text("method")?,
            order_id: f.text("orderId")?,
            order_ref: f.text("orderRef")?,
            order_type: f.text("orderType")?,
            is_authorized: f.flag("isAuthorized")?,
        })
    }
}

fn object(value: &Value) -> Result<Fields<'_>, ReadError> {
    Fields::of(value)
        .ok_or_else(|| FieldError { field: "(record)".into(), detail: "not a JSON object".into() })
}

fn name(first: Option<String>, last: Option<String>) -> Option<String> {
    match (first, last) {
        (Some(first), Some(last)) => Some(format!("{first} {last}")),
        (first, last) => first.or(last),
    }
}
