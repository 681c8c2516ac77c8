//! Turns Cin7 Omni records into cxsync's normalised [`Record`]s, and into the
//! [`OmniDocument`]s that carry what Omni says about its own posting.
//!
//! Matching keys (so the shared matcher, documents by number, works unchanged):
//! - a sales order becomes a `SalesInvoice` numbered by its `invoiceNumber`, the number Omni's
//!   integration gives the Xero invoice; its reference is the order's `reference`;
//! - a credit note becomes a `SalesCreditNote` numbered by its `creditNoteNumber`, referencing
//!   the order credited (`salesReference`);
//! - a purchase order becomes a `PurchaseInvoice` numbered by its `supplierInvoiceReference`
//!   (the matcher also tries Xero's `Reference` for bills);
//! - a stock adjustment becomes a `StockAdjustment` numbered by its `reference`, found in a
//!   Xero manual journal's narration; it has no total and its lines no amounts: what it posts
//!   is derived with the connection's accounts (`super::ledger`), and compared from there;
//! - a payment becomes a `Payment`, as Core's invoice payments do: its reference is the number
//!   of the document it pays (the paid sales order's invoice number, or purchase order's
//!   supplier invoice number), what Xero's payment names. A payment record names only its
//!   order (`orderId`, `orderType`, `orderRef`), so that number is looked up among the stored
//!   orders ([`PaidOrders`], [`payment_with`]) before each reconciliation; read alone, a
//!   payment references its `orderRef`. It is `VOIDED` when its order is voided (not expected
//!   in Xero), `DRAFT` while not authorised.
//!
//! Ids: every record is stored under `{endpoint}/{id}` (see [`external_id`]).
//!
//! Statuses: `isVoid` (or a status of `Void`/`Deleted`/`Cancelled`) is `VOIDED`; a document
//! marked `DoNotImport` keeps `DO NOT IMPORT`, a word reconciliation compares but never reports
//! missing; otherwise a document is `AUTHORISED` once it has what posting needs (a sales
//! order its invoice date, a credit note its credit-note date, a purchase order its invoice
//! date and supplier invoice number, an adjustment its completed date) and `DRAFT` before.
//!
//! Sales lines keep no unit cost: Omni fills costs by a daily run, so blank costs are judged
//! by the Omni rule (`blank_cogs`, with its lag) from [`OmniDocument::uncosted_lines`], not by
//! the shared rule that reads costs on the spot.
//!
//! Pure functions of their input: no I/O, no clock.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use super::fields::FieldError;
use super::models::{LineItem, Payment, Transaction};
use crate::model::{DocType, Document, DocumentLine, OmniDocument, OmniKind, Payload, Record};

/// A Cin7 Omni resource cxsync reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    SalesOrders,
    CreditNotes,
    PurchaseOrders,
    Adjustments,
    Payments,
}

impl Endpoint {
    /// Every endpoint, in the order a cycle reads them.
    pub const ALL: [Self; 5] = [
        Self::SalesOrders,
        Self::CreditNotes,
        Self::PurchaseOrders,
        Self::Adjustments,
        Self::Payments,
    ];

    /// The URL path after the API base, also the store's endpoint and cursor key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SalesOrders => "SalesOrders",
            Self::CreditNotes => "CreditNotes",
            Self::PurchaseOrders => "PurchaseOrders",
            Self::Adjustments => "Adjustments",
            Self::Payments => "Payments",
        }
    }

    /// The endpoint stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == text)
    }

    fn kind(self) -> Option<OmniKind> {
        match self {
            Self::SalesOrders => Some(OmniKind::SalesOrder),
            Self::CreditNotes => Some(OmniKind::CreditNote),
            Self::PurchaseOrders => Some(OmniKind::PurchaseOrder),
            Self::Adjustments => Some(OmniKind::Adjustment),
            Self::Payments => None,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a Cin7 Omni record could not be normalised.
#[derive(Debug, thiserror::Error)]
pub enum NormaliseError {
    /// A field has a value cxsync cannot read (the message names it and quotes the value).
    #[error("{endpoint} record {}: {source}", id.as_deref().unwrap_or("without id"))]
    Field { endpoint: Endpoint, id: Option<String>, source: FieldError },
    /// The record has no `id`: every Omni record carries one.
    #[error(
        "{endpoint} record has no id: every Cin7 Omni record carries one, so this is not one \
         (check the endpoint the response came from)"
    )]
    MissingId { endpoint: Endpoint },
}

/// A record's id, if it has a usable one (any case of `id`, text or number).
pub fn id_of(raw: &Value) -> Option<String> {
    let fields = super::fields::Fields::of(raw)?;
    fields.text("id").ok().flatten()
}

/// The id cxsync stores a record under: `{endpoint}/{id}` (`SalesOrders/105`). Omni numbers
/// each endpoint's records from 1, so a bare id would name a sales order, a purchase order and
/// a payment at once in `matches`, `show` and findings.
pub fn external_id(endpoint: Endpoint, id: Option<&str>) -> Result<String, NormaliseError> {
    id.map(|id| format!("{endpoint}/{id}")).ok_or(NormaliseError::MissingId { endpoint })
}

/// A record's `modifiedDate`, if readable.
pub fn modified_of(raw: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    let fields = super::fields::Fields::of(raw)?;
    fields.instant("modifiedDate").ok().flatten()
}

/// Normalises one record of `endpoint` into the document it is.
pub fn record(endpoint: Endpoint, raw: &Value) -> Result<Record, NormaliseError> {
    let field = |source| NormaliseError::Field { endpoint, id: id_of(raw), source };
    let (external_id, updated_at, document) = if endpoint == Endpoint::Payments {
        let payment = Payment::read(raw).map_err(field)?;
        let id = external_id(endpoint, payment.id.as_deref())?;
        (id.clone(), payment.modified, payment_document(id, payment, None))
    } else {
        let t = Transaction::read(raw).map_err(field)?;
        let id = external_id(endpoint, t.id.as_deref())?;
        (id.clone(), t.modified, document(endpoint, id, &t))
    };
    Ok(Record { external_id, updated_at, payload: Payload::Document(document) })
}

/// What Omni says about one record's posting; `None` for payments (Omni reports no import
/// status on them that cxsync checks).
pub fn omni_document(
    endpoint: Endpoint,
    raw: &Value,
) -> Result<Option<OmniDocument>, NormaliseError> {
    let Some(kind) = endpoint.kind() else { return Ok(None) };
    let t = Transaction::read(raw).map_err(|source| NormaliseError::Field {
        endpoint,
        id: id_of(raw),
        source,
    })?;
    let source_id = external_id(endpoint, t.id.as_deref())?;
    let posting_fields = match kind {
        OmniKind::SalesOrder => vec![
            ("invoice date", t.invoice_date.is_some()),
            ("dispatch date", t.dispatched_date.is_some()),
        ],
        OmniKind::CreditNote => vec![
            ("credit note date", t.credit_note_date.is_some()),
            ("completed date", t.completed_date.is_some()),
        ],
        OmniKind::PurchaseOrder => vec![
            ("fully received date", t.fully_received_date.is_some()),
            ("invoice date", t.invoice_date.is_some()),
            ("supplier invoice number", t.supplier_invoice_reference.is_some()),
        ],
        OmniKind::Adjustment => Vec::new(),
    };
    let uncosted_lines = match kind {
        OmniKind::SalesOrder => t
            .lines
            .iter()
            .filter(|l| l.qty_shipped.is_some_and(|q| q > Decimal::ZERO))
            .filter(|l| l.unit_cost.is_none_or(|c| c.is_zero()))
            .map(|l| l.code.clone().or_else(|| l.name.clone()).unwrap_or_else(|| "?".into()))
            .collect(),
        _ => Vec::new(),
    };
    Ok(Some(OmniDocument {
        kind,
        source_id: source_id.clone(),
        label: number(endpoint, &t).or_else(|| t.reference.clone()).unwrap_or(source_id.clone()),
        voided: voided(&t),
        import_status: t.import_status.clone(),
        date: own_date(endpoint, &t),
        total: t.total,
        modified: t.modified,
        posting_fields,
        dispatched_at: t.dispatched_date,
        uncosted_lines,
    }))
}

/// The number the matcher looks for in Xero (see the module notes). An invoice or credit-note
/// number of `0` is one not given yet.
fn number(endpoint: Endpoint, t: &Transaction) -> Option<String> {
    let given = |number: &Option<String>| number.clone().filter(|n| n.trim() != "0");
    match endpoint {
        Endpoint::SalesOrders => given(&t.invoice_number),
        Endpoint::CreditNotes => given(&t.credit_note_number),
        Endpoint::PurchaseOrders => t.supplier_invoice_reference.clone(),
        Endpoint::Adjustments => t.reference.clone(),
        Endpoint::Payments => None,
    }
}

/// The date the document posts on.
fn own_date(endpoint: Endpoint, t: &Transaction) -> Option<chrono::NaiveDate> {
    match endpoint {
        Endpoint::SalesOrders | Endpoint::PurchaseOrders => t.invoice_date,
        Endpoint::CreditNotes => t.credit_note_date,
        Endpoint::Adjustments => t.adjust_in_accounting_system.or(t.completed_date),
        Endpoint::Payments => None,
    }
}

/// Whether Omni voided, deleted or cancelled the record (its flag or its status word).
pub(super) fn voided(t: &Transaction) -> bool {
    t.is_void
        || t.status.as_deref().is_some_and(|s| {
            ["void", "voided", "deleted", "cancelled", "canceled"]
                .iter()
                .any(|word| s.trim().eq_ignore_ascii_case(word))
        })
}

/// The status word reconciliation reads (see the module notes).
fn status(endpoint: Endpoint, t: &Transaction) -> String {
    let posted = match endpoint {
        Endpoint::SalesOrders => t.invoice_date.is_some(),
        Endpoint::CreditNotes => t.credit_note_date.is_some(),
        Endpoint::PurchaseOrders => {
            t.invoice_date.is_some() && t.supplier_invoice_reference.is_some()
        }
        Endpoint::Adjustments => t.completed_date.is_some(),
        Endpoint::Payments => true,
    };
    let do_not_import =
        t.import_status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("DoNotImport"));
    match () {
        () if voided(t) => "VOIDED",
        () if do_not_import => "DO NOT IMPORT",
        () if posted => "AUTHORISED",
        () => "DRAFT",
    }
    .into()
}

fn document(endpoint: Endpoint, id: String, t: &Transaction) -> Document {
    let doc_type = match endpoint {
        Endpoint::CreditNotes => DocType::SalesCreditNote,
        Endpoint::PurchaseOrders => DocType::PurchaseInvoice,
        Endpoint::Adjustments => DocType::StockAdjustment,
        Endpoint::SalesOrders | Endpoint::Payments => DocType::SalesInvoice,
    };
    let reference = match endpoint {
        Endpoint::CreditNotes => t.sales_reference.clone().or_else(|| t.reference.clone()),
        Endpoint::Adjustments => None,
        _ => t.reference.clone(),
    };
    let lines = if endpoint == Endpoint::Adjustments {
        t.lines.iter().map(|l| adjustment_line(l, t.alternative_account_code.as_ref())).collect()
    } else {
        let tax = inclusive_tax(t);
        t.lines.iter().map(|l| sales_line(l, tax)).collect()
    };
    Document {
        doc_type,
        external_id: id,
        number: number(endpoint, t),
        reference,
        contact: t.contact.clone(),
        status: status(endpoint, t),
        date: own_date(endpoint, t),
        due_date: None,
        currency: t.currency.clone(),
        // An adjustment's value is what its derived ledger entry posts (see the module notes).
        total: if endpoint == Endpoint::Adjustments { None } else { t.total },
        tax_total: None,
        amount_paid: None,
        amount_credited: None,
        updated_at: t.modified,
        channel: None,
        lines,
    }
}

/// `1 + taxRate/100` when the document's prices include tax (`taxStatus` `Incl`), the divisor
/// that takes a line to its amount before tax; `None` when they do not.
fn inclusive_tax(t: &Transaction) -> Option<Decimal> {
    let inclusive = t.tax_status.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case("Incl"));
    inclusive.then(|| Decimal::ONE + t.tax_rate.unwrap_or_default() / Decimal::ONE_HUNDRED)
}

/// A sales, credit or purchase line: `qty × unitPrice − discount`, no cost (see the notes).
/// With prices that include tax (`inclusive_tax`), what the line posts is that amount before
/// tax, to the cent, and the rest is its tax.
fn sales_line(line: &LineItem, inclusive_tax: Option<Decimal>) -> DocumentLine {
    let gross = match (line.qty, line.unit_price) {
        (Some(qty), Some(price)) => Some(qty * price - line.discount.unwrap_or_default()),
        _ => None,
    };
    let net = match inclusive_tax {
        Some(divisor) if !divisor.is_zero() => gross.map(|g| {
            (g / divisor).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        }),
        _ => gross,
    };
    DocumentLine {
        item_code: line.code.clone(),
        description: line.name.clone(),
        quantity: line.qty,
        unit_amount: line.unit_price,
        line_amount: net,
        tax_amount: inclusive_tax.and(gross.zip(net)).map(|(gross, net)| gross - net),
        account_code: line.account_code.clone(),
        unit_cost: None,
    }
}

/// An adjustment line: quantity and unit cost, the line's account or the adjustment's
/// alternative account, and no amount: what it posts, inventory against that account, is in
/// the adjustment's derived ledger entry (`cin7::omni::ledger::adjustment_entries`), which
/// the adjustment stands for when it is compared with its Xero journal.
fn adjustment_line(line: &LineItem, alternative: Option<&String>) -> DocumentLine {
    DocumentLine {
        item_code: line.code.clone(),
        description: line.name.clone(),
        quantity: line.qty,
        unit_amount: line.unit_cost,
        line_amount: None,
        tax_amount: None,
        account_code: line.account_code.clone().or_else(|| alternative.cloned()),
        unit_cost: line.unit_cost,
    }
}

/// What a payment needs of the order it pays: the number Xero knows that order's invoice or
/// bill by, and whether the order is voided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidOrder {
    pub number: Option<String>,
    pub voided: bool,
}

/// The stored sales and purchase orders, by id and by reference, for [`payment_with`].
#[derive(Debug, Clone, Default)]
pub struct PaidOrders {
    by_id: std::collections::HashMap<(Endpoint, String), PaidOrder>,
    by_reference: std::collections::HashMap<String, PaidOrder>,
}

impl PaidOrders {
    /// Adds one raw record of `SalesOrders` or `PurchaseOrders` (others, and unreadable
    /// records, are skipped).
    pub fn add(&mut self, endpoint: Endpoint, raw: &Value) {
        if let Ok(t) = Transaction::read(raw) {
            self.add_read(endpoint, &t);
        }
    }

    /// Adds one record of `SalesOrders` or `PurchaseOrders` already read (others are skipped).
    pub fn add_read(&mut self, endpoint: Endpoint, t: &Transaction) {
        if !matches!(endpoint, Endpoint::SalesOrders | Endpoint::PurchaseOrders) {
            return;
        }
        let order = PaidOrder { number: number(endpoint, t), voided: voided(t) };
        if let Some(reference) = t.reference.as_deref().and_then(reference_key) {
            self.by_reference.entry(reference).or_insert_with(|| order.clone());
        }
        if let Some(id) = t.id.clone() {
            self.by_id.insert((endpoint, id), order);
        }
    }

    /// The order `payment` pays: by its type and id; else (no type given, or no such order)
    /// by its `orderRef`, which Omni keeps unique across sales and purchase orders.
    pub fn of(&self, payment: &Payment) -> Option<&PaidOrder> {
        let endpoint = match payment.order_type.as_deref().map(str::trim) {
            Some(t) if t.eq_ignore_ascii_case("PurchaseOrder") => Some(Endpoint::PurchaseOrders),
            Some(t) if t.eq_ignore_ascii_case("SalesOrder") => Some(Endpoint::SalesOrders),
            _ => None,
        };
        let by_id = |endpoint: Endpoint| {
            let id = payment.order_id.clone()?;
            self.by_id.get(&(endpoint, id))
        };
        let by_id = match endpoint {
            Some(endpoint) => by_id(endpoint),
            None => None,
        };
        by_id.or_else(|| {
            let reference = payment.order_ref.as_deref().and_then(reference_key)?;
            self.by_reference.get(&reference)
        })
    }
}

/// An order reference as a lookup key: trimmed, upper-cased; `None` when blank.
fn reference_key(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_ascii_uppercase())
}

/// One raw Payments record normalised with what its order says (see the module notes);
/// `None` when the record is not a readable payment.
pub fn payment_with(raw: &Value, orders: &PaidOrders) -> Option<Document> {
    let payment = Payment::read(raw).ok()?;
    let id = external_id(Endpoint::Payments, payment.id.as_deref()).ok()?;
    let paid = orders.of(&payment).cloned();
    Some(payment_document(id, payment, paid))
}

fn payment_document(id: String, payment: Payment, paid: Option<PaidOrder>) -> Document {
    let status = match &paid {
        _ if !payment.is_authorized => "DRAFT",
        Some(order) if order.voided => "VOIDED",
        _ => "AUTHORISED",
    };
    let reference = match paid {
        Some(PaidOrder { number: Some(number), .. }) => Some(number),
        _ => payment.order_ref,
    };
    Document {
        doc_type: DocType::Payment,
        external_id: id,
        number: None,
        reference,
        contact: None,
        status: status.into(),
        date: payment.payment_date,
        due_date: None,
        currency: None,
        total: payment.amount,
        tax_total: None,
        amount_paid: None,
        amount_credited: None,
        updated_at: payment.modified,
        channel: None,
        lines: Vec::new(),
    }
}
