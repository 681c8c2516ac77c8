//! The finding rules. Each rule reads the input and the matching and appends findings; none
//! reads anything else. Shared here: the run's context and a uniform view of a Cin7 record
//! (document or ledger entry) and a Xero document.
//!
//! Architecture:
//! - `pairs`: matched pairs — void, status, lock date, paid edit, amount, date.
//! - `missing`: unmatched records — `missing_in_xero`, `missing_in_cin7`,
//!   `control_account_journal`.
//! - `accounts`: chart-of-accounts and posting hygiene — `archived_account`,
//!   `inventory_self_adjustment`, `blank_cogs`.
//! - `periods`: postings of one sale or purchase in different periods —
//!   `timing_difference`, `return_misalignment`, `unclosed_accrual`.
//! - `volume`: `fair_use_risk`, Xero's invoice count against its fair-use tiers.
//! - `omni`: what Cin7 Omni says about its own posting — `sync_error`,
//!   `missing_document_date`, and `blank_cogs` after Omni's daily COGS run.

pub(crate) mod accounts;
pub(crate) mod missing;
pub(crate) mod omni;
pub(crate) mod pairs;
pub(crate) mod periods;
pub(crate) mod volume;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::Settings;
use super::input::ReconcileInput;
use super::keys::account_code;
use super::matching::{Cin7Item, Matching, is_stock_type};
use super::records::Doc;
use super::status::Lifecycle;
use crate::model::DocType;

/// What every rule may read.
pub(crate) struct Context<'a> {
    pub input: &'a ReconcileInput,
    pub settings: &'a Settings,
    pub now: DateTime<Utc>,
    /// `now`'s date in the connection's time zone: months and ages are counted from it.
    pub today: NaiveDate,
    pub matching: &'a Matching,
}

impl Context<'_> {
    /// Past the grace period: Cin7 has had its chance to push the change.
    pub(crate) fn settled(&self, changed: Option<DateTime<Utc>>) -> bool {
        changed.is_none_or(|at| at + self.settings.grace <= self.now)
    }

    pub(crate) fn differ(&self, a: Option<Decimal>, b: Option<Decimal>) -> Option<Decimal> {
        let diff = a? - b?;
        (diff.abs() > self.settings.amount_tolerance).then_some(diff)
    }

    /// The lock date `date` falls on or before, and its name, if any.
    pub(crate) fn lock(&self, date: Option<NaiveDate>) -> Option<(NaiveDate, &'static str)> {
        let date = date?;
        let org = self.input.organisation()?;
        let year_end = org.end_of_year_lock_date.filter(|lock| date <= *lock);
        let period = org.period_lock_date.filter(|lock| date <= *lock);
        year_end
            .map(|lock| (lock, "end-of-year lock date"))
            .or(period.map(|lock| (lock, "period lock date")))
    }
}

/// A Cin7 document or ledger entry, reduced to what the rules compare.
pub(crate) struct Cin7View<'a> {
    pub id: &'a str,
    /// What people call it: its number, else reference, else id.
    pub label: String,
    pub doc_type: Option<DocType>,
    pub life: Lifecycle,
    pub date: Option<NaiveDate>,
    pub amount: Option<Decimal>,
    pub changed: Option<DateTime<Utc>>,
}

/// A journal's amount: its debits where it has signed lines, else its total.
pub(crate) fn journal_amount(doc: &Doc<'_>) -> Option<Decimal> {
    let mut lines = doc.lines().filter_map(|l| l.line_amount).peekable();
    if lines.peek().is_none() {
        return doc.total;
    }
    Some(lines.filter(Decimal::is_sign_positive).sum())
}

pub(crate) fn document_amount(doc: &Doc<'_>) -> Option<Decimal> {
    if is_stock_type(doc.doc_type) || doc.doc_type == DocType::ManualJournal {
        journal_amount(doc)
    } else {
        doc.total
    }
}

pub(crate) fn label(doc: &Doc<'_>) -> String {
    let reference = match doc.doc_type {
        DocType::ManualJournal => None,
        // A payment is known by what it pays and when: "INV-0042 (paid 2026-03-04)".
        DocType::Payment => {
            let paid = doc.reference.unwrap_or(doc.external_id);
            return doc.date.map_or_else(|| paid.to_owned(), |d| format!("{paid} (paid {d})"));
        }
        _ => doc.reference,
    };
    doc.number.or(reference).unwrap_or(doc.external_id).to_owned()
}

pub(crate) fn cin7_view(input: &ReconcileInput, item: Cin7Item) -> Cin7View<'_> {
    match item {
        Cin7Item::Document(i) => {
            let doc = input.cin7_documents.get(i);
            Cin7View {
                id: doc.external_id,
                label: label(&doc),
                doc_type: Some(doc.doc_type),
                life: doc.life(),
                date: doc.date,
                amount: document_amount(&doc),
                changed: doc.updated_at,
            }
        }
        Cin7Item::Ledger(i) => {
            let entry = input.cin7_ledger.get(i);
            let last = entry.lines().map(|l| l.date).max();
            Cin7View {
                id: entry.source_id,
                label: entry.reference.unwrap_or(entry.source_id).to_owned(),
                doc_type: None,
                life: Lifecycle::Posted,
                date: entry.lines().map(|l| l.date).min(),
                amount: Some(
                    entry.lines().map(|l| l.amount).filter(Decimal::is_sign_positive).sum(),
                ),
                // A ledger entry has no change time: the day after its last line stands in.
                changed: last
                    .and_then(|d| d.checked_add_days(Days::new(1)))
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc()),
            }
        }
    }
}

pub(crate) fn kind_name(view: &Cin7View<'_>) -> &'static str {
    match view.doc_type {
        Some(DocType::SalesInvoice) => "sale invoice",
        Some(DocType::SalesCreditNote) => "sale credit note",
        Some(DocType::PurchaseInvoice) => "purchase invoice",
        Some(DocType::PurchaseCreditNote) => "purchase credit note",
        Some(DocType::StockAdjustment) => "stock adjustment",
        Some(DocType::StockTransfer) => "stock transfer",
        Some(DocType::Assembly) => "assembly",
        Some(DocType::Payment) => "payment",
        Some(_) => "document",
        None => "ledger transaction",
    }
}

/// What a Cin7 record that Xero lacks does to the variance: the mapped control accounts it
/// posts to (in [`crate::config::AccountMap::roles`] order, inventory first) and its
/// debit-positive amount on each ([`on_controls`]). Ledger entries carry signed lines;
/// invoices and credit notes post their lines' amounts (credits on sales invoices and purchase
/// credit notes). A stock document (adjustment, transfer, assembly) posts what the Cin7 ledger
/// entries it stands for post (its task's transactions); without any, its own lines where
/// they are a balanced journal (signed, summing to zero); else nothing is known. Any document
/// with ledger entries derived from it (Cin7 Omni's purchase orders) posts what those entries
/// post.
pub(crate) fn control_postings(
    input: &ReconcileInput,
    matching: &Matching,
    item: Cin7Item,
) -> Vec<(String, Decimal)> {
    on_controls(input, &cin7_postings(input, matching, item))
}

/// The mapped control accounts (in [`crate::config::AccountMap::roles`] order) that
/// `postings` post to, and their amount on each, those that net to zero left out — unless all
/// do, when the first stands alone (the record is still about that account).
pub(crate) fn on_controls(
    input: &ReconcileInput,
    postings: &[Posting<'_>],
) -> Vec<(String, Decimal)> {
    let mut on: Vec<(String, Decimal)> = Vec::new();
    for code in control_codes(input) {
        let mut lines = postings.iter().filter(|(a, _)| same_account(a, code)).peekable();
        if lines.peek().is_none() || on.iter().any(|(seen, _)| seen.eq_ignore_ascii_case(code)) {
            continue;
        }
        on.push((code.to_owned(), lines.map(|(_, amount)| *amount).sum()));
    }
    let first = on.first().cloned();
    on.retain(|(_, amount)| !amount.is_zero());
    if on.is_empty() { first.into_iter().collect() } else { on }
}

/// A posting: an account field (`"630"` or Cin7's `"630: Inventory"`) and a debit-positive
/// amount.
pub(crate) type Posting<'a> = (&'a str, Decimal);

/// The debits of `postings` once netted by account: the same for two records that post the
/// same net amounts, however each splits them into lines.
pub(crate) fn netted_debits(postings: &[Posting<'_>]) -> Decimal {
    let mut lines: Vec<(&str, Decimal)> = postings
        .iter()
        .map(|(field, amount)| (account_code(field).unwrap_or(field), *amount))
        .collect();
    lines.sort_unstable_by(|(a, _), (b, _)| {
        a.bytes().map(|c| c.to_ascii_uppercase()).cmp(b.bytes().map(|c| c.to_ascii_uppercase()))
    });
    let mut debits = Decimal::ZERO;
    let mut lines = lines.into_iter().peekable();
    while let Some((code, mut net)) = lines.next() {
        while let Some((_, amount)) = lines.next_if(|(next, _)| next.eq_ignore_ascii_case(code)) {
            net += amount;
        }
        debits += net.max(Decimal::ZERO);
    }
    debits
}

/// What a Cin7 record posts (see [`control_postings`]).
pub(crate) fn cin7_postings<'a>(
    input: &'a ReconcileInput,
    matching: &Matching,
    item: Cin7Item,
) -> Vec<Posting<'a>> {
    match item {
        Cin7Item::Ledger(i) => {
            input.cin7_ledger.get(i).lines().map(|l| (l.account_code, l.amount)).collect()
        }
        Cin7Item::Document(i) if is_stock_type(input.cin7_documents.get(i).doc_type) => {
            let ledger: Vec<Posting<'a>> = matching
                .postings_of(i)
                .flat_map(|e| input.cin7_ledger.get(e).lines())
                .map(|l| (l.account_code, l.amount))
                .collect();
            if ledger.is_empty() {
                let doc = input.cin7_documents.get(i);
                let own: Vec<Posting<'a>> =
                    doc.lines().filter_map(|l| Some((l.account_code?, l.line_amount?))).collect();
                let balanced = own.iter().map(|(_, amount)| amount).sum::<Decimal>().is_zero();
                if balanced { own } else { Vec::new() }
            } else {
                ledger
            }
        }
        Cin7Item::Document(i) => {
            // What was derived from the document (Cin7 Omni's bills), in base currency.
            let derived: Vec<Posting<'a>> = matching
                .postings_of(i)
                .flat_map(|e| input.cin7_ledger.get(e).lines())
                .map(|l| (l.account_code, l.amount))
                .collect();
            let doc = input.cin7_documents.get(i);
            if !derived.is_empty() {
                derived
            } else if foreign(input, &doc) {
                Vec::new()
            } else {
                document_postings(&doc)
            }
        }
    }
}

/// Whether a document is in another currency than the organisation's base currency (both
/// known): its lines are in its own currency, and what they post in base currency is not
/// known here, so it is told on no account.
pub(crate) fn foreign(input: &ReconcileInput, doc: &Doc<'_>) -> bool {
    let base = input.organisation().and_then(|org| org.base_currency.as_deref());
    matches!((base, doc.currency), (Some(base), Some(own)) if !base.trim().eq_ignore_ascii_case(own.trim()))
}

/// What a document posts by its own lines: a journal's or bank transaction's signed lines as
/// they are; an invoice's or credit note's line amounts as credits (sales invoices, purchase
/// credit notes) or debits (sales credit notes, bills); anything else nothing. A document with
/// a line only partly known (an amount without an account, or an account without an amount)
/// posts nothing known here (an empty list), rather than the part that is known.
pub(crate) fn document_postings<'a>(doc: &Doc<'a>) -> Vec<Posting<'a>> {
    let Some(sign) = posting_sign(doc.doc_type) else { return Vec::new() };
    let partial = |l: &super::records::Line<'_>| match (l.account_code, l.line_amount) {
        (None, Some(amount)) => !amount.is_zero(),
        (Some(_), None) => true,
        _ => false,
    };
    if doc.lines().any(|l| partial(&l)) {
        return Vec::new();
    }
    doc.lines().filter_map(|l| Some((l.account_code?, sign * l.line_amount?))).collect()
}

/// How a document type's line amounts post (see [`document_postings`]); `None`: not known.
pub(crate) fn posting_sign(doc_type: DocType) -> Option<Decimal> {
    match doc_type {
        DocType::SalesInvoice | DocType::PurchaseCreditNote => Some(-Decimal::ONE),
        DocType::SalesCreditNote | DocType::PurchaseInvoice => Some(Decimal::ONE),
        // Signed lines, debit positive (a bank transaction's by its type: the normaliser's).
        t if t == DocType::ManualJournal || t == DocType::BankTransaction || is_stock_type(t) => {
            Some(Decimal::ONE)
        }
        _ => None,
    }
}

/// The mapped control accounts' codes, in [`crate::config::AccountMap::roles`] order.
fn control_codes(input: &ReconcileInput) -> impl Iterator<Item = &str> {
    input.accounts.roles().into_iter().filter_map(|(_, code)| account_code(code?))
}

fn same_account(field: &str, code: &str) -> bool {
    account_code(field).is_some_and(|a| a.eq_ignore_ascii_case(code))
}

/// Where a matched pair's postings differ: the mapped control accounts (`prefer` first, then
/// [`crate::config::AccountMap::roles`] order) on which Cin7's and Xero's postings differ by
/// more than `tolerance`, each with Cin7 − Xero there (debit-positive).
pub(crate) fn control_differences(
    input: &ReconcileInput,
    cin7: &[Posting<'_>],
    xero: &[Posting<'_>],
    prefer: Option<&str>,
    tolerance: Decimal,
) -> Vec<(String, Decimal)> {
    let on = |postings: &[Posting<'_>], code: &str| -> Decimal {
        postings.iter().filter(|(a, _)| same_account(a, code)).map(|(_, amount)| *amount).sum()
    };
    let mut out: Vec<(String, Decimal)> = Vec::new();
    for code in prefer.into_iter().chain(control_codes(input)) {
        let diff = on(cin7, code) - on(xero, code);
        if diff.abs() > tolerance && !out.iter().any(|(seen, _)| seen.eq_ignore_ascii_case(code)) {
            out.push((code.to_owned(), diff));
        }
    }
    out
}

/// The earliest date Cin7 has anything for: Xero records before it predate the integration.
pub(crate) fn go_live(input: &ReconcileInput) -> Option<NaiveDate> {
    let docs = input.cin7_documents.iter().filter_map(|d| d.date);
    let ledger = input.cin7_ledger.iter().flat_map(|e| e.lines().map(|l| l.date));
    docs.chain(ledger).min()
}
