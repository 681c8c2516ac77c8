//! Xero documents → [`Document`]: invoices, credit notes, payments, manual journals and bank
//! transactions.
//!
//! Decisions (beyond the shared rules in the parent module):
//! - Credit notes: `amount_credited` is the sum of the non-deleted `Allocations` when Xero sent
//!   that array (an empty array means 0), else `AppliedAmount`, else `None`. `amount_paid` is
//!   the sum of the non-deleted `Payments` (cash refunds) when that array is present. So
//!   `Total − RemainingCredit = amount_paid + amount_credited` for a complete record.
//! - Payments: `reference` is the number of the document paid (`Invoice.InvoiceNumber`, which
//!   Xero also uses for credit-note refunds, or `CreditNote.CreditNoteNumber`), falling back
//!   to the payment's own `Reference` for prepayment and overpayment payments. `contact` and
//!   `currency` come from that document. The payment has one line: the account the money
//!   moved through (`Account.Code`), `Amount`, and the payment's own `Reference` as its
//!   description, so neither is lost.
//! - Manual journals: `reference` is the `Narration`; lines keep `LineAmount` signed (debit
//!   positive), less its tax when the journal's amounts include tax (below); `total` is the
//!   sum of the debit lines, `None` when the journal came without lines (Xero's list endpoint
//!   may leave them out) or a line's amount is unknown.
//! - Line amounts are what each line posts, without tax: where a document's line amounts
//!   include their tax (`LineAmountTypes` `Inclusive`), each line's `LineAmount` less its
//!   `TaxAmount` (no amount when that tax amount is missing, or signed against the amount:
//!   what the line posts is not known). Xero's own figures stay in the raw JSON kept beside
//!   the record.
//! - Bank transactions have no number: `number` is `None` and `reference` is `Reference`.
//!   Their lines are signed by the `Type`, debit positive like a journal's: a `SPEND…`
//!   transaction's lines as Xero gives them (debits), a `RECEIVE…` one's negated (credits);
//!   any other `Type` is refused. The `Type` itself stays in the raw JSON.

use rust_decimal::Decimal;

use super::{NormaliseError, RecordRef, text};
use crate::model::{DocType, Document, DocumentLine, Payload, Record};
use crate::xero::models::{
    BankTransaction, CreditNote, Invoice, LineItem, ManualJournal, ManualJournalLine, Payment,
};

pub(super) fn invoice(record: &RecordRef, invoice: Invoice) -> Result<Record, NormaliseError> {
    let external_id = record.require_id(invoice.invoice_id)?;
    let doc_type = match invoice.kind.as_deref() {
        Some("ACCREC") => DocType::SalesInvoice,
        Some("ACCPAY") => DocType::PurchaseInvoice,
        Some(other) => return Err(unexpected(record, other, "ACCREC or ACCPAY")),
        None => return Err(record.missing("Type")),
    };
    let document = Document {
        doc_type,
        external_id,
        number: text(invoice.invoice_number),
        reference: text(invoice.reference),
        contact: text(invoice.contact.and_then(|contact| contact.name)),
        status: invoice.status.unwrap_or_default(),
        date: record.date_or_string(
            ("Date", invoice.date.as_deref()),
            ("DateString", invoice.date_string.as_deref()),
        )?,
        due_date: record.date_or_string(
            ("DueDate", invoice.due_date.as_deref()),
            ("DueDateString", invoice.due_date_string.as_deref()),
        )?,
        currency: text(invoice.currency_code),
        total: invoice.total,
        tax_total: invoice.total_tax,
        amount_paid: invoice.amount_paid,
        amount_credited: invoice.amount_credited,
        updated_at: record.instant("UpdatedDateUTC", invoice.updated_date_utc.as_deref())?,
        channel: None,
        lines: line_items(invoice.line_items, invoice.line_amount_types.as_deref(), Decimal::ONE),
    };
    Ok(into_record(document))
}

pub(super) fn credit_note(record: &RecordRef, note: CreditNote) -> Result<Record, NormaliseError> {
    let external_id = record.require_id(note.credit_note_id)?;
    let doc_type = match note.kind.as_deref() {
        Some("ACCRECCREDIT") => DocType::SalesCreditNote,
        Some("ACCPAYCREDIT") => DocType::PurchaseCreditNote,
        Some(other) => return Err(unexpected(record, other, "ACCRECCREDIT or ACCPAYCREDIT")),
        None => return Err(record.missing("Type")),
    };
    let amount_credited = match &note.allocations {
        Some(allocations) => Some(
            allocations
                .iter()
                .filter(|allocation| allocation.is_deleted != Some(true))
                .filter_map(|allocation| allocation.amount)
                .sum(),
        ),
        None => note.applied_amount,
    };
    let amount_paid = note.payments.as_ref().map(|payments| {
        payments
            .iter()
            .filter(|payment| payment.status.as_deref() != Some("DELETED"))
            .filter_map(|payment| payment.amount)
            .sum()
    });
    let document = Document {
        doc_type,
        external_id,
        number: text(note.credit_note_number),
        reference: text(note.reference),
        contact: text(note.contact.and_then(|contact| contact.name)),
        status: note.status.unwrap_or_default(),
        date: record.date_or_string(
            ("Date", note.date.as_deref()),
            ("DateString", note.date_string.as_deref()),
        )?,
        due_date: record.date_or_string(
            ("DueDate", note.due_date.as_deref()),
            ("DueDateString", note.due_date_string.as_deref()),
        )?,
        currency: text(note.currency_code),
        total: note.total,
        tax_total: note.total_tax,
        amount_paid,
        amount_credited,
        updated_at: record.instant("UpdatedDateUTC", note.updated_date_utc.as_deref())?,
        channel: None,
        lines: line_items(note.line_items, note.line_amount_types.as_deref(), Decimal::ONE),
    };
    Ok(into_record(document))
}

pub(super) fn payment(record: &RecordRef, payment: Payment) -> Result<Record, NormaliseError> {
    let external_id = record.require_id(payment.payment_id)?;
    let (paid_number, contact, currency) = match (payment.invoice, payment.credit_note) {
        (Some(invoice), _) => {
            (invoice.invoice_number, invoice.contact.and_then(|c| c.name), invoice.currency_code)
        }
        (None, Some(note)) => {
            (note.credit_note_number, note.contact.and_then(|c| c.name), note.currency_code)
        }
        (None, None) => (None, None, None),
    };
    let own_reference = text(payment.reference);
    let line = DocumentLine {
        description: own_reference.clone(),
        line_amount: payment.amount,
        account_code: text(payment.account.and_then(|account| account.code)),
        ..DocumentLine::default()
    };
    let document = Document {
        doc_type: DocType::Payment,
        external_id,
        number: None,
        reference: text(paid_number).or(own_reference),
        contact: text(contact),
        status: payment.status.unwrap_or_default(),
        date: record.date("Date", payment.date.as_deref())?,
        due_date: None,
        currency: text(currency),
        total: payment.amount,
        tax_total: None,
        amount_paid: None,
        amount_credited: None,
        updated_at: record.instant("UpdatedDateUTC", payment.updated_date_utc.as_deref())?,
        channel: None,
        lines: vec![line],
    };
    Ok(into_record(document))
}

pub(super) fn manual_journal(
    record: &RecordRef,
    journal: ManualJournal,
) -> Result<Record, NormaliseError> {
    let external_id = record.require_id(journal.manual_journal_id)?;
    let inclusive = is_inclusive(journal.line_amount_types.as_deref());
    let lines: Vec<DocumentLine> = journal
        .journal_lines
        .into_iter()
        .map(|line| manual_journal_line(line, inclusive))
        .collect();
    // The debit lines' sum: unknown when any line's amount is.
    let total = lines
        .iter()
        .try_fold(Decimal::ZERO, |sum, line| {
            line.line_amount
                .map(|amount| if amount.is_sign_positive() { sum + amount } else { sum })
        })
        .filter(|_| !lines.is_empty());
    let document = Document {
        doc_type: DocType::ManualJournal,
        external_id,
        number: None,
        reference: text(journal.narration),
        contact: None,
        status: journal.status.unwrap_or_default(),
        date: record.date("Date", journal.date.as_deref())?,
        due_date: None,
        currency: None,
        total,
        tax_total: None,
        amount_paid: None,
        amount_credited: None,
        updated_at: record.instant("UpdatedDateUTC", journal.updated_date_utc.as_deref())?,
        channel: None,
        lines,
    };
    Ok(into_record(document))
}

pub(super) fn bank_transaction(
    record: &RecordRef,
    transaction: BankTransaction,
) -> Result<Record, NormaliseError> {
    let external_id = record.require_id(transaction.bank_transaction_id)?;
    let direction = match transaction.kind.as_deref() {
        Some(kind) if kind.starts_with("SPEND") => Decimal::ONE,
        Some(kind) if kind.starts_with("RECEIVE") => -Decimal::ONE,
        Some(other) => return Err(unexpected(record, other, "SPEND… or RECEIVE…")),
        None => return Err(record.missing("Type")),
    };
    let lines =
        line_items(transaction.line_items, transaction.line_amount_types.as_deref(), direction);
    let document = Document {
        doc_type: DocType::BankTransaction,
        external_id,
        number: None,
        reference: text(transaction.reference),
        contact: text(transaction.contact.and_then(|contact| contact.name)),
        status: transaction.status.unwrap_or_default(),
        date: record.date_or_string(
            ("Date", transaction.date.as_deref()),
            ("DateString", transaction.date_string.as_deref()),
        )?,
        due_date: None,
        currency: text(transaction.currency_code),
        total: transaction.total,
        tax_total: transaction.total_tax,
        amount_paid: None,
        amount_credited: None,
        updated_at: record.instant("UpdatedDateUTC", transaction.updated_date_utc.as_deref())?,
        channel: None,
        lines,
    };
    Ok(into_record(document))
}

/// The lines as they post: without tax (`LineAmountTypes` `Inclusive` lines less their
/// `TaxAmount`), times `sign` (−1: a receive-money transaction's lines are credits).
fn line_items(
    items: Vec<LineItem>,
    amount_types: Option<&str>,
    sign: Decimal,
) -> Vec<DocumentLine> {
    let inclusive = is_inclusive(amount_types);
    items.into_iter().map(|line| line_item(line, inclusive, sign)).collect()
}

/// Whether a document's `LineAmountTypes` says its line amounts include their tax.
fn is_inclusive(amount_types: Option<&str>) -> bool {
    amount_types.is_some_and(|t| t.trim().eq_ignore_ascii_case("Inclusive"))
}

/// What a line with `amount` and `tax` posts to its account: the amount, less its tax when
/// the amounts include tax. An inclusive line without its tax amount, or with a tax of the
/// other sign (tax is a share of the amount), posts an unknown amount, not a wrong one.
fn posted(amount: Option<Decimal>, tax: Option<Decimal>, inclusive: bool) -> Option<Decimal> {
    if !inclusive {
        return amount;
    }
    let (amount, tax) = amount.zip(tax)?;
    let opposite =
        !amount.is_zero() && !tax.is_zero() && amount.is_sign_negative() != tax.is_sign_negative();
    (!opposite).then(|| amount - tax)
}

fn line_item(line: LineItem, inclusive: bool, sign: Decimal) -> DocumentLine {
    DocumentLine {
        item_code: text(line.item_code),
        description: text(line.description),
        quantity: line.quantity,
        unit_amount: line.unit_amount,
        line_amount: posted(line.line_amount, line.tax_amount, inclusive).map(|a| sign * a),
        tax_amount: line.tax_amount,
        account_code: text(line.account_code),
        unit_cost: None,
    }
}

fn manual_journal_line(line: ManualJournalLine, inclusive: bool) -> DocumentLine {
    DocumentLine {
        description: text(line.description),
        line_amount: posted(line.line_amount, line.tax_amount, inclusive),
        tax_amount: line.tax_amount,
        account_code: text(line.account_code),
        ..DocumentLine::default()
    }
}

fn into_record(document: Document) -> Record {
    Record {
        external_id: document.external_id.clone(),
        updated_at: document.updated_at,
        payload: Payload::Document(document),
    }
}

fn unexpected(record: &RecordRef, value: &str, expected: &'static str) -> NormaliseError {
    NormaliseError::UnexpectedValue {
        record: record.clone(),
        field: "Type",
        value: value.to_owned(),
        expected,
    }
}
