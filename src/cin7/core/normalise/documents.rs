//! Sales and purchases: one fetched detail → its raw record, invoices and credit notes as
//! [`Document`]s, and its ledger postings (see the parent module for how each is stored).
//!
//! Decisions:
//! - A sale's invoices are `SalesInvoice`s, its credit notes `SalesCreditNote`s; a purchase's
//!   are `PurchaseInvoice`s and `PurchaseCreditNote`s. The contact is the customer or
//!   supplier, the currency theirs (`CustomerCurrency`, `SupplierCurrency`).
//! - Reference: a sale's `CustomerReference`; a purchase's `OrderNumber` (the PO). A credit
//!   note's reference is the invoice it credits (`CreditNoteInvoiceNumber`).
//! - Lines are `Lines` then `AdditionalCharges`, each with its account code, `Price` as the
//!   unit amount, `Total` as the line amount, `Tax`, and `AverageCost` as the unit cost. A line
//!   amount is what the line posts, without tax: Cin7 gives `Total` with the line's tax when
//!   the sale or purchase is priced tax-inclusive (`TaxCalculation` `Inclusive`; without that
//!   field, when the lines add up to the document's `Total` with its non-zero `Tax`), and each
//!   such line is reduced by its own `Tax` ([`without_tax`]).
//! - `amount_paid` is an invoice's `Paid`. Fulfilments, ship dates, inventory movements and
//!   stock received are kept in the detail's raw JSON only.
//! - Each payment of an invoice (`Payments[]`) and refund of a credit note (`Refunds[]`) is a
//!   `Payment` document of its own, as Xero holds them: its id is the payment's `ID`, its
//!   reference the number of the document it pays (what Xero's payment names), its date
//!   `DatePaid`, its total `Amount` (in the document's currency) and its one line the bank
//!   account. It takes the paid document's status: a payment of a draft or voided document is
//!   not expected in Xero.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::{
    Detail, Endpoint, NormaliseError, RecordRef, element_id, elements, id_of, ledger, parse, slice,
    text,
};
use crate::cin7::core::models::{CreditNote, Invoice, Line, Payment, Purchase, Sale};
use crate::model::{DocType, Document, DocumentLine, Payload, Record};

/// The context a sale or purchase gives its documents.
struct Parent {
    endpoint: Endpoint,
    id: String,
    contact: Option<String>,
    currency: Option<String>,
    reference: Option<String>,
    /// A sale's `SourceChannel`; purchases have none.
    channel: Option<String>,
    /// `TaxCalculation`: `Inclusive` when line totals include their tax.
    tax_calculation: Option<String>,
    invoice_type: DocType,
    credit_type: DocType,
    updated_at: Option<DateTime<Utc>>,
}

pub(super) fn sale(raw: &Value, updated_at: Option<DateTime<Utc>>) -> Detail {
    let endpoint = Endpoint::Sale;
    let record = RecordRef { endpoint, id: id_of(endpoint, raw).map(String::from) };
    let header = parse::<Sale>(&record, raw).and_then(|sale| {
        Ok(Parent {
            endpoint,
            id: record.require_id(sale.id)?,
            contact: text(sale.customer),
            currency: text(sale.customer_currency),
            reference: text(sale.customer_reference),
            channel: text(sale.source_channel),
            tax_calculation: text(sale.tax_calculation),
            invoice_type: DocType::SalesInvoice,
            credit_type: DocType::SalesCreditNote,
            updated_at,
        })
    });
    match header {
        Ok(parent) => parent.detail(raw, "Invoices", "CreditNotes", "Sale"),
        Err(error) => Detail::rejected_whole(endpoint, raw, error),
    }
}

pub(super) fn purchase(
    endpoint: Endpoint,
    raw: &Value,
    updated_at: Option<DateTime<Utc>>,
) -> Detail {
    let record = RecordRef { endpoint, id: id_of(endpoint, raw).map(String::from) };
    let header = parse::<Purchase>(&record, raw).and_then(|purchase| {
        Ok(Parent {
            endpoint,
            id: record.require_id(purchase.id)?,
            contact: text(purchase.supplier),
            currency: text(purchase.supplier_currency),
            reference: text(purchase.order_number),
            channel: None,
            tax_calculation: text(purchase.tax_calculation),
            invoice_type: DocType::PurchaseInvoice,
            credit_type: DocType::PurchaseCreditNote,
            updated_at,
        })
    });
    match header {
        Ok(parent) => parent.detail(raw, "Invoice", "CreditNote", "Purchase"),
        Err(error) => Detail::rejected_whole(endpoint, raw, error),
    }
}

impl Parent {
    /// The raw record, one record per invoice and credit note, and the ledger entry.
    fn detail(&self, raw: &Value, invoices: &str, credits: &str, source_type: &str) -> Detail {
        let mut detail = Detail::default();
        let whole = Record {
            external_id: self.id.clone(),
            updated_at: self.updated_at,
            payload: Payload::RawOnly,
        };
        detail.records.push((whole, raw.to_string()));
        for (index, element) in elements(raw, invoices).into_iter().enumerate() {
            let id = element_id(&self.id, invoices, index, element);
            let cut = slice(raw, invoices, vec![element.clone()]);
            let result = self.invoice(&id, element);
            detail.push(&cut, id.clone(), result);
            self.payments(
                &mut detail,
                &id,
                element,
                "Payments",
                &["InvoiceNumber", "InvocieNumber"],
            );
        }
        for (index, element) in elements(raw, credits).into_iter().enumerate() {
            let id = element_id(&self.id, credits, index, element);
            let cut = slice(raw, credits, vec![element.clone()]);
            let result = self.credit_note(&id, element);
            detail.push(&cut, id.clone(), result);
            self.payments(&mut detail, &id, element, "Refunds", &["CreditNoteNumber"]);
        }
        let (cut, source_id, result) = ledger::task_ledger(
            self.endpoint,
            &self.id,
            raw,
            Some(source_type),
            self.ledger_reference(raw, invoices),
        );
        detail.push(&cut, source_id, result);
        detail
    }

    /// What people call the postings of the whole sale or purchase: a sale by its first
    /// invoice's number (what Xero shows), a purchase by its order number.
    fn ledger_reference(&self, raw: &Value, invoices: &str) -> Option<String> {
        let invoice = || {
            elements(raw, invoices).into_iter().find_map(|e| {
                e.get("InvoiceNumber")
                    .and_then(Value::as_str)
                    .and_then(|n| text(Some(n.to_owned())))
            })
        };
        match self.invoice_type {
            DocType::SalesInvoice => invoice().or_else(|| self.reference.clone()),
            _ => self.reference.clone().or_else(invoice),
        }
    }

    fn invoice(&self, id: &str, element: &Value) -> Result<Record, NormaliseError> {
        let record = RecordRef::new(self.endpoint, id);
        let invoice: Invoice = parse(&record, element)?;
        let document = Document {
            doc_type: self.invoice_type,
            external_id: id.to_string(),
            number: text(invoice.invoice_number),
            reference: self.reference.clone(),
            contact: self.contact.clone(),
            status: invoice.status.unwrap_or_default(),
            date: record.date("InvoiceDate", invoice.invoice_date)?,
            due_date: record.date("InvoiceDueDate", invoice.invoice_due_date)?,
            currency: self.currency.clone(),
            total: invoice.total,
            tax_total: invoice.tax,
            amount_paid: invoice.paid,
            amount_credited: None,
            updated_at: self.updated_at,
            channel: self.channel.clone(),
            lines: lines(invoice.lines, invoice.additional_charges),
        };
        Ok(self.record(without_tax(document, self.tax_calculation.as_deref())))
    }

    fn credit_note(&self, id: &str, element: &Value) -> Result<Record, NormaliseError> {
        let record = RecordRef::new(self.endpoint, id);
        let note: CreditNote = parse(&record, element)?;
        let document = Document {
            doc_type: self.credit_type,
            external_id: id.to_string(),
            number: text(note.credit_note_number),
            reference: text(note.credit_note_invoice_number),
            contact: self.contact.clone(),
            status: note.status.unwrap_or_default(),
            date: record.date("CreditNoteDate", note.credit_note_date)?,
            due_date: None,
            currency: self.currency.clone(),
            total: note.total,
            tax_total: note.tax,
            amount_paid: None,
            amount_credited: None,
            updated_at: self.updated_at,
            channel: self.channel.clone(),
            lines: lines(note.lines, note.additional_charges),
        };
        Ok(self.record(without_tax(document, self.tax_calculation.as_deref())))
    }

    /// One record per element of `key` (`Payments` or `Refunds`) of the invoice or credit
    /// note `element` (stored as `paid_id`, numbered in the first of `number_fields` it has),
    /// each kept as a slice of that document.
    fn payments(
        &self,
        detail: &mut Detail,
        paid_id: &str,
        element: &Value,
        key: &str,
        number_fields: &[&str],
    ) {
        let word = |field: &str| element.get(field).and_then(Value::as_str).map(str::to_owned);
        let paid_number = number_fields.iter().find_map(|field| text(word(field)));
        let status = word("Status");
        for (index, payment) in elements(element, key).into_iter().enumerate() {
            let id = match payment.get("ID").and_then(Value::as_str).map(str::trim) {
                Some(id) if !id.is_empty() => id.to_owned(),
                _ => format!("{paid_id}/{key}/{index}"),
            };
            let cut = slice(element, key, vec![payment.clone()]);
            let result = self.payment(&id, payment, paid_number.clone(), status.clone());
            detail.push(&cut, id, result);
        }
    }

    fn payment(
        &self,
        id: &str,
        element: &Value,
        paid_number: Option<String>,
        status: Option<String>,
    ) -> Result<Record, NormaliseError> {
        let record = RecordRef::new(self.endpoint, id);
        let payment: Payment = parse(&record, element)?;
        let line = DocumentLine {
            description: text(payment.reference),
            line_amount: payment.amount,
            account_code: payment.account.as_deref().and_then(super::account_code),
            ..DocumentLine::default()
        };
        let document = Document {
            doc_type: DocType::Payment,
            external_id: id.to_string(),
            number: None,
            reference: paid_number,
            contact: self.contact.clone(),
            status: status.unwrap_or_default(),
            date: record.date("DatePaid", payment.date_paid)?,
            due_date: None,
            currency: self.currency.clone(),
            total: payment.amount,
            tax_total: None,
            amount_paid: None,
            amount_credited: None,
            updated_at: self.updated_at,
            channel: self.channel.clone(),
            lines: vec![line],
        };
        Ok(self.record(document))
    }

    fn record(&self, document: Document) -> Record {
        Record {
            external_id: document.external_id.clone(),
            updated_at: self.updated_at,
            payload: Payload::Document(document),
        }
    }
}

/// The document with line amounts without tax. Its sale's or purchase's `TaxCalculation`
/// says whether line totals include their tax; without it, the numbers do: lines that add up
/// to the document's total with a non-zero tax were entered tax-inclusive (exclusive ones add
/// up to the total less the tax). An inclusive line's amount is its total less its own tax,
/// and unknown (`None`) when it has no tax amount.
fn without_tax(mut document: Document, tax_calculation: Option<&str>) -> Document {
    let inclusive = match tax_calculation.map(str::trim) {
        Some(t) if t.eq_ignore_ascii_case("Inclusive") => true,
        Some(t) if t.eq_ignore_ascii_case("Exclusive") => false,
        _ => {
            let sum: Option<Decimal> = document.lines.iter().map(|line| line.line_amount).sum();
            document.tax_total.is_some_and(|tax| !tax.is_zero())
                && sum.is_some()
                && sum == document.total
        }
    };
    if inclusive {
        for line in &mut document.lines {
            line.line_amount = line.line_amount.zip(line.tax_amount).map(|(a, tax)| a - tax);
        }
    }
    document
}

/// Product lines, then additional charges.
fn lines(lines: Vec<Line>, charges: Vec<Line>) -> Vec<DocumentLine> {
    lines
        .into_iter()
        .chain(charges)
        .map(|line| DocumentLine {
            item_code: text(line.sku),
            description: text(line.name).or_else(|| text(line.description)),
            quantity: line.quantity,
            unit_amount: line.price,
            line_amount: line.total,
            tax_amount: line.tax,
            account_code: line.account.as_deref().and_then(super::account_code),
            unit_cost: line.average_cost,
        })
        .collect()
}
