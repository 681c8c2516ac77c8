//! Rules on unmatched records:
//! - `missing_in_xero`: a posted Cin7 invoice, credit note or stock document, or a Cin7 stock
//!   journal, with no Xero copy once the grace period has passed (drafts are not expected,
//!   nor documents of a sales channel excluded from the export; dated on or before a Xero
//!   lock date it is a `lock_date_violation` instead). It carries the control accounts the
//!   record posts to and its amount on each ([`control_postings`]), so the daily report can
//!   say which variances it explains; a stock document's come from its task's Cin7 ledger
//!   entries.
//!   A Cin7 payment or refund is expected likewise, but only once the document it pays is in
//!   Xero: until then Cin7 cannot push it, and the missing document is the finding.
//! - `missing_in_cin7`: a live Xero document that looks Cin7-made (its number has the shape of
//!   Cin7's numbers of that type; a journal narration naming Cin7, a Cin7-shaped number or a
//!   `TaskID`) with no Cin7 source.
//! - `control_account_journal`: any other live, unmatched Xero document posting to a
//!   Cin7-owned control account (inventory, GRNI, stock in transit, WIP).
//!
//! Xero records dated before Cin7's first record predate the integration and are skipped.

use rust_decimal::Decimal;

use super::{
    Cin7View, Context, cin7_view, control_postings, document_amount, document_postings, foreign,
    go_live, kind_name, label, on_controls, posting_sign,
};
use crate::model::DocType;
use crate::reconcile::FindingKind;
use crate::reconcile::finding::{Draft, Finding, Severity};
use crate::reconcile::keys::{KeySet, account_code, key, tokens};
use crate::reconcile::matching::{Cin7Item, LedgerRole, is_invoice_type, is_stock_type};
use crate::reconcile::records::{Doc, Documents};
use crate::reconcile::status::Lifecycle;

pub(crate) fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    missing_in_xero(ctx, out);
    unmatched_xero(ctx, out);
}

fn missing_in_xero(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let matched = &ctx.matching.cin7_document_matched;
    let docs = &ctx.input.cin7_documents;
    let in_xero: KeySet<String> = (docs.iter().enumerate())
        .filter(|(i, doc)| matched[*i] && is_invoice_type(doc.doc_type))
        .filter_map(|(_, doc)| doc.number.and_then(key))
        .collect();
    let expected = |doc: &Doc<'_>| match doc.doc_type {
        DocType::Payment => doc.reference.and_then(key).is_some_and(|k| in_xero.contains(&k)),
        other => is_invoice_type(other) || is_stock_type(other),
    };
    let docs = docs
        .iter()
        .enumerate()
        .filter(|(i, doc)| !matched[*i] && expected(doc) && !ctx.settings.excluded(doc.channel));
    let ledger = (0..ctx.input.cin7_ledger.len())
        .filter(|&i| ctx.matching.ledger[i] == LedgerRole::Missing)
        .map(Cin7Item::Ledger);
    for item in docs.map(|(i, _)| Cin7Item::Document(i)).chain(ledger) {
        let view = cin7_view(ctx.input, item);
        if view.life == Lifecycle::Posted && ctx.settled(view.changed) {
            out.push(missing(ctx, &view, control_postings(ctx.input, ctx.matching, item)));
        }
    }
}

/// `postings`: the control accounts the record posts to and its amount on each, which the
/// finding carries (so the report can say which variances it explains); else the record's
/// own amount and no account. The accounts are not part of the fingerprint: the finding stays
/// the same finding whichever account it is shown on.
fn missing(ctx: &Context<'_>, view: &Cin7View<'_>, postings: Vec<(String, Decimal)>) -> Finding {
    let what = kind_name(view);
    let c = &view.label;
    let draft = Draft {
        cin7_id: Some(view.id),
        cin7_ref: Some(c.clone()),
        amount: view.amount,
        date: view.date,
        ..Draft::default()
    };
    let mut finding = if let Some((lock, lock_name)) = ctx.lock(view.date) {
        let message = format!(
            "Cin7 {what} {c} is dated {} — on or before Xero's {lock_name} ({lock}) — and is \
             not in Xero, which will refuse it: ask a Xero adviser to lift the lock date while \
             Cin7 re-syncs, or re-date it into the open period in Cin7",
            view.date.map_or_else(String::new, |d| d.to_string())
        );
        draft.finish(FindingKind::LockDateViolation, Severity::Error, message)
    } else {
        let target = match view.doc_type {
            Some(DocType::Payment) => "Xero payment",
            Some(t) if is_invoice_type(t) => "Xero invoice, bill or credit note",
            _ => "Xero manual journal",
        };
        let message = format!(
            "Cin7 {what} {c} has no {target} after the grace period: open Cin7's Xero \
             integration log for its sync error (archived account, lock date, paid \
             document…), fix it and re-sync; if it was excluded from export on purpose, ignore \
             this finding"
        );
        draft.finish(FindingKind::MissingInXero, Severity::Error, message)
    };
    finding.place(postings);
    finding
}

/// `"INV-00042"` → `("INV-", 5)`: the prefix and the count of trailing digits.
fn shape(number: &str) -> Option<(String, usize)> {
    let number = number.trim().to_ascii_uppercase();
    let digits = number.chars().rev().take_while(char::is_ascii_digit).count();
    (digits > 0).then(|| (number[..number.len() - digits].to_owned(), digits))
}

fn is_guid(word: &str) -> bool {
    let groups: Vec<&str> = word.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

struct Cin7Shapes {
    documents: KeySet<(DocType, String, usize)>,
    journals: KeySet<(String, usize)>,
}

impl Cin7Shapes {
    fn new(docs: &Documents) -> Self {
        let mut shapes = Self { documents: KeySet::default(), journals: KeySet::default() };
        for doc in docs.iter() {
            let Some((prefix, digits)) = doc.number.and_then(shape) else { continue };
            if is_stock_type(doc.doc_type) {
                shapes.journals.insert((prefix, digits));
            } else if is_invoice_type(doc.doc_type) {
                shapes.documents.insert((doc.doc_type, prefix, digits));
            }
        }
        shapes
    }

    fn looks_cin7_made(&self, doc: &Doc<'_>) -> bool {
        if is_invoice_type(doc.doc_type) {
            let shape = doc.number.and_then(shape);
            return shape.is_some_and(|(p, d)| self.documents.contains(&(doc.doc_type, p, d)));
        }
        if doc.doc_type != DocType::ManualJournal {
            return false;
        }
        tokens(doc.reference.unwrap_or_default()).any(|word| {
            matches!(word.as_str(), "CIN7" | "DEAR")
                || is_guid(&word)
                || shape(&word).is_some_and(|s| self.journals.contains(&s))
        })
    }
}

/// The account code of `field` if it is one of the Cin7-owned `control` accounts.
fn owned<'s>(field: &'s str, control: &[&str]) -> Option<&'s str> {
    account_code(field).filter(|code| control.iter().any(|c| c.eq_ignore_ascii_case(code)))
}

fn unmatched_xero(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let shapes = Cin7Shapes::new(&ctx.input.cin7_documents);
    let start = go_live(ctx.input);
    let map = &ctx.input.accounts;
    let control: Vec<&str> = [
        Some(map.inventory.as_str()),
        map.grni.as_deref(),
        map.stock_in_transit.as_deref(),
        map.wip.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(account_code)
    .collect();
    for (i, doc) in ctx.input.xero_documents.iter().enumerate() {
        if ctx.matching.xero_matched[i]
            || doc.life() != Lifecycle::Posted
            || doc.doc_type == DocType::Payment
            || start.is_none_or(|start| doc.date.is_some_and(|d| d < start))
        {
            continue;
        }
        let x = label(&doc);
        let mut draft = Draft {
            xero_id: Some(doc.external_id),
            xero_ref: Some(x.clone()),
            date: doc.date,
            ..Draft::default()
        };
        if shapes.looks_cin7_made(&doc) {
            draft.amount = document_amount(&doc);
            let message = format!(
                "Xero's {} {x} looks Cin7-made but no Cin7 record matches it: if Cin7 deleted or \
                 renumbered its source, void {x} in Xero; if it was pushed twice, void the \
                 duplicate",
                doc.doc_type
            );
            let mut finding = draft.finish(FindingKind::MissingInCin7, Severity::Warning, message);
            // What it posts to a control account, which the report counts (outside the
            // fingerprint); else its amount.
            if !foreign(ctx.input, &doc) {
                finding.place(on_controls(ctx.input, &document_postings(&doc)));
            }
            out.push(finding);
            continue;
        }
        // Every line on an account, signed where the type says how, a line without an amount
        // as zero.
        let sign = posting_sign(doc.doc_type).unwrap_or(Decimal::ONE);
        let postings: Vec<(&str, Decimal)> = doc
            .lines()
            .filter_map(|l| Some((l.account_code?, sign * l.line_amount.unwrap_or_default())))
            .collect();
        let Some(first) = postings.iter().find_map(|(field, _)| owned(field, &control)) else {
            continue;
        };
        let total: Decimal = (postings.iter())
            .filter(|(field, _)| {
                owned(field, &control).is_some_and(|c| c.eq_ignore_ascii_case(first))
            })
            .map(|(_, amount)| *amount)
            .sum();
        // In another currency than the base one, what it posts in base currency is not known
        // here: the message gives its own currency's amount, the finding no amount.
        let foreign = foreign(ctx.input, &doc);
        let shown = match doc.currency.filter(|_| foreign) {
            Some(currency) => format!("{total} {}", currency.trim()),
            None => total.to_string(),
        };
        draft.account_code = Some(first.to_owned());
        draft.amount = (!foreign).then_some(total);
        let message = format!(
            "Xero's {} {x} posts {shown} to control account {first}, which only Cin7 should \
             post to, and no Cin7 record matches it: reverse it in Xero and record the stock \
             change in Cin7 (a stock adjustment or purchase) so both sides agree",
            doc.doc_type
        );
        let mut finding =
            draft.finish(FindingKind::ControlAccountJournal, Severity::Warning, message);
        // The other mapped accounts it posts to (a journal from GRNI to inventory, or from
        // COGS) differ from Cin7 by the same posting.
        if !foreign {
            finding.other_accounts = on_controls(ctx.input, &postings)
                .into_iter()
                .filter(|(code, amount)| !code.eq_ignore_ascii_case(first) && !amount.is_zero())
                .collect();
        }
        out.push(finding);
    }
}
