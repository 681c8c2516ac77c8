//! Rules on matched pairs, in order of precedence (the first that applies explains the pair):
//! `void_mismatch`, then `status_mismatch` (reported alongside what follows), then
//! `lock_date_violation` (a difference Xero cannot take), `paid_document_edit` (a difference
//! Xero will refuse), `amount_mismatch`, and `date_mismatch`. Nothing is reported while the
//! Cin7 change is within the grace period.
//!
//! Consolidated groups (many Cin7 documents in one Xero document) are compared by sum: an
//! `amount_mismatch` when the sums differ by more than the tolerance per Cin7 document.

use chrono::Datelike as _;
use rust_decimal::Decimal;

use super::{
    Cin7View, Context, Posting, cin7_postings, cin7_view, control_differences, document_amount,
    document_postings, foreign, kind_name, label, netted_debits,
};
use crate::amount::money;
use crate::model::DocType;
use crate::model::MONTHLY_JOURNAL;
use crate::reconcile::FindingKind;
use crate::reconcile::finding::{Draft, Finding, Severity};
use crate::reconcile::keys::account_code;
use crate::reconcile::matching::{Cin7Item, Consolidation};
use crate::reconcile::records::Doc;
use crate::reconcile::status::Lifecycle;

pub(crate) fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for pair in &ctx.matching.pairs {
        let mut cin7 = cin7_view(ctx.input, pair.cin7);
        let xero = ctx.input.xero_documents.get(pair.xero);
        if !ctx.settled(cin7.changed) {
            continue;
        }
        let mut xero_amount = document_amount(&xero);
        // A Cin7 stock adjustment has no total: its value is in its task's postings, compared
        // with the journal's once each side is netted by account (Cin7 posts a row per line,
        // the journal may net them). Transfers and assemblies, which Cin7 may push as several
        // journals, are not compared this way; nor is a journal whose postings are not known
        // (a line with an amount and no account).
        let stock = cin7.amount.is_none()
            && matches!(pair.cin7, Cin7Item::Document(i)
                if ctx.input.cin7_documents.get(i).doc_type == DocType::StockAdjustment);
        let ours = stock.then(|| cin7_postings(ctx.input, ctx.matching, pair.cin7));
        if let Some(ours) = ours.as_deref().filter(|p| !p.is_empty())
            && let theirs = document_postings(&xero)
            && !theirs.is_empty()
        {
            cin7.amount = Some(netted_debits(ours));
            xero_amount = Some(netted_debits(&theirs));
        }
        let start = out.len();
        check_pair(ctx, &cin7, &xero, xero_amount, out);
        if let Some(finding) = out[start..].iter_mut().find(|f| attributable(f.kind, &xero)) {
            let ours = ours.unwrap_or_else(|| cin7_postings(ctx.input, ctx.matching, pair.cin7));
            let theirs =
                if foreign(ctx.input, &xero) { Vec::new() } else { document_postings(&xero) };
            let prefer = monthly_debit_account(ctx, pair.cin7);
            if let (Some(ours), Some(theirs)) =
                (known(&ours, cin7.life), known(&theirs, xero.life()))
            {
                attribute(ctx, finding, ours, theirs, prefer);
            }
        }
    }
    for group in &ctx.matching.groups {
        check_group(ctx, group, out);
    }
}

/// Whether a finding of `kind` on a pair is the difference between what the two sides post:
/// `void_mismatch`, `lock_date_violation`, `paid_document_edit`, `amount_mismatch`, and the
/// `status_mismatch` of a Xero draft (which posts nothing). Only a pair's first such finding
/// is told on an account (a draft's amount difference is not), so nothing counts twice.
fn attributable(kind: FindingKind, xero: &Doc<'_>) -> bool {
    use FindingKind::{AmountMismatch, LockDateViolation, PaidDocumentEdit, VoidMismatch};
    match kind {
        AmountMismatch | LockDateViolation | PaidDocumentEdit | VoidMismatch => true,
        FindingKind::StatusMismatch => xero.life() == Lifecycle::Draft,
        _ => false,
    }
}

/// What one side posts to the ledger: nothing when it is voided or a draft; its postings when
/// it is live and has any; else unknown (`None`: a stock document without its ledger entries
/// or balanced lines, a document in another currency).
fn known<'p, 'a>(postings: &'p [Posting<'a>], life: Lifecycle) -> Option<&'p [Posting<'a>]> {
    match life {
        Lifecycle::Voided | Lifecycle::Draft => Some(&[]),
        _ => (!postings.is_empty()).then_some(postings),
    }
}

/// Tells a finding that is a difference between what the two sides of a pair (or group) post
/// on the control accounts the difference lands on, with its amount on each (Cin7 − Xero,
/// debit-positive: [`control_differences`]), so the daily report counts it as explaining
/// those accounts' variances. Set after the fingerprint is made, like `missing_in_xero`'s
/// account; without a control account the finding keeps its amount and explains no account.
fn attribute(
    ctx: &Context<'_>,
    finding: &mut Finding,
    cin7: &[Posting<'_>],
    xero: &[Posting<'_>],
    prefer: Option<&str>,
) {
    let tolerance = ctx.settings.amount_tolerance;
    finding.place(control_differences(ctx.input, cin7, xero, prefer, tolerance));
}

/// The account a monthly journal entry (Cin7 Omni's COGS) debits, if the item is one: the
/// report shows Omni's COGS, not the inventory it credits, so a difference is told there.
fn monthly_debit_account<'a>(ctx: &Context<'a>, item: Cin7Item) -> Option<&'a str> {
    let Cin7Item::Ledger(i) = item else { return None };
    let entry = ctx.input.cin7_ledger.get(i);
    if entry.source_type != Some(MONTHLY_JOURNAL) {
        return None;
    }
    let mut debited = entry.lines().filter(|l| l.amount.is_sign_positive() && !l.amount.is_zero());
    debited.next().and_then(|l| account_code(l.account_code))
}

fn check_group<'a>(ctx: &Context<'a>, group: &Consolidation, out: &mut Vec<Finding>) {
    let cin7: Vec<Doc<'_>> = group.cin7.iter().map(|&i| ctx.input.cin7_documents.get(i)).collect();
    let xero: Vec<Doc<'_>> = group.xero.iter().map(|&i| ctx.input.xero_documents.get(i)).collect();
    if !ctx.settled(cin7.iter().filter_map(|d| d.updated_at).max()) {
        return;
    }
    let sum = |docs: &[Doc<'_>]| docs.iter().filter_map(document_amount).sum::<Decimal>();
    let (cin7_sum, xero_sum) = (sum(&cin7), sum(&xero));
    let diff = cin7_sum - xero_sum;
    let count = Decimal::from(cin7.len());
    if diff.abs() <= ctx.settings.amount_tolerance * count {
        return;
    }
    let (doc_type, date) = (group.doc_type, group.date);
    let currency = group.currency.as_deref().unwrap_or("");
    let id = format!("consolidated/{doc_type}/{date}/{currency}");
    let mut xero_labels: Vec<String> = xero.iter().map(label).collect();
    xero_labels.sort();
    let what = doc_type.as_str().replace('_', " ");
    let message = format!(
        "Cin7's {} {what}(s) of {date} (consolidated on export) total {} but the Xero \
         consolidated {} totals {} (Cin7 − Xero = {}): a document was changed or voided in \
         Cin7 after it was consolidated, which Cin7 cannot pass on. Find it with Cin7's \
         Consolidation Report (Xero integration → Sync Options), then correct Xero with a \
         credit note or journal for the difference",
        cin7.len(),
        money(cin7_sum),
        xero_labels.join(", "),
        money(xero_sum),
        money(diff),
    );
    let draft = Draft {
        cin7_id: Some(&id),
        cin7_ref: Some(format!("{} {what}(s) of {date}", cin7.len())),
        xero_ref: Some(xero_labels.join(", ")),
        amount: Some(diff),
        date: Some(date),
        ..Draft::default()
    };
    let mut finding = draft.finish(FindingKind::AmountMismatch, Severity::Error, message);
    // Only posted documents are grouped on Cin7's side; Xero's may hold a draft. Each must
    // have known postings for the group's to be known.
    let posted = |doc: &Doc<'_>| {
        doc.life() == Lifecycle::Posted
            && !foreign(ctx.input, doc)
            && !document_postings(doc).is_empty()
    };
    if cin7.iter().chain(&xero).all(posted) {
        let postings =
            |docs: &[Doc<'a>]| docs.iter().flat_map(document_postings).collect::<Vec<_>>();
        attribute(ctx, &mut finding, &postings(&cin7), &postings(&xero), None);
    }
    out.push(finding);
}

fn draft<'a>(cin7: &'a Cin7View<'_>, xero: &Doc<'a>) -> Draft<'a> {
    Draft {
        cin7_id: Some(cin7.id),
        cin7_ref: Some(cin7.label.clone()),
        xero_id: Some(xero.external_id),
        xero_ref: Some(label(xero)),
        date: cin7.date,
        ..Draft::default()
    }
}

/// The rules on one pair; `xero_amount` is what the Xero copy's amount is compared as.
fn check_pair(
    ctx: &Context<'_>,
    cin7: &Cin7View<'_>,
    xero: &Doc<'_>,
    xero_amount: Option<Decimal>,
    out: &mut Vec<Finding>,
) {
    let what = kind_name(cin7);
    let (c, x) = (&cin7.label, label(xero));
    let xero_life = xero.life();
    if let Some(message) = void_message(cin7.life, xero_life, xero.paid, what, c, &x) {
        let mut d = draft(cin7, xero);
        d.amount = document_amount(xero);
        out.push(d.finish(FindingKind::VoidMismatch, Severity::Error, message));
        return;
    }
    if cin7.life != Lifecycle::Posted && cin7.life != Lifecycle::Unknown
        || xero_life == Lifecycle::Voided
    {
        return;
    }
    if cin7.life == Lifecycle::Posted && xero_life == Lifecycle::Draft {
        let message = format!(
            "Cin7 {what} {c} is authorised but Xero still holds {x} as {}: approve it in Xero \
             (Cin7 only pushes authorised documents; a draft there posts nothing to the ledger)",
            xero.status
        );
        out.push(draft(cin7, xero).finish(FindingKind::StatusMismatch, Severity::Warning, message));
    }
    let diff = ctx.differ(cin7.amount, xero_amount);
    let months_apart = match (cin7.date, xero.date) {
        (Some(a), Some(b)) => (a.year(), a.month()) != (b.year(), b.month()),
        _ => false,
    };
    if (diff.is_some() || months_apart)
        && let Some((lock, lock_name)) = ctx.lock(cin7.date)
    {
        let mut d = draft(cin7, xero);
        d.amount = diff;
        let message = format!(
            "Cin7 {what} {c} is dated on or before Xero's {lock_name} ({lock}) and Xero's {x} \
             differs from it, so Cin7 cannot update it: ask a Xero adviser to lift the lock \
             date while Cin7 re-syncs, or post the correction in the open period"
        );
        out.push(d.finish(FindingKind::LockDateViolation, Severity::Error, message));
        return;
    }
    if let Some(diff) = diff {
        out.push(amount_finding(cin7, xero, xero_amount, diff, &x, what));
    }
    if months_apart {
        let message = format!(
            "Cin7 {what} {c} is dated {} but Xero's {x} is dated {}, in another month: the \
             amounts land in different periods; correct the date on the wrong side (Cin7 \
             re-syncs its own date) before the period is closed",
            show(cin7.date),
            show(xero.date)
        );
        out.push(draft(cin7, xero).finish(FindingKind::DateMismatch, Severity::Warning, message));
    }
}

fn amount_finding(
    cin7: &Cin7View<'_>,
    xero: &Doc<'_>,
    xero_amount: Option<Decimal>,
    diff: Decimal,
    x: &str,
    what: &str,
) -> Finding {
    let c = &cin7.label;
    let edited_after = match (cin7.changed, xero.updated_at) {
        (Some(cin7_at), Some(xero_at)) => cin7_at > xero_at,
        _ => true,
    };
    let mut d = draft(cin7, xero);
    d.amount = Some(diff);
    if xero.paid && edited_after {
        let message = format!(
            "Cin7 {what} {c} was changed after Xero's {x} had a payment or credit applied, and \
             Xero refuses updates to paid documents (Cin7 − Xero = {diff}): remove the payment \
             in Xero, let Cin7 re-sync, then re-apply the payment — or raise a credit note for \
             the difference"
        );
        return d.finish(FindingKind::PaidDocumentEdit, Severity::Error, message);
    }
    let message = format!(
        "Cin7 {what} {c} totals {} but Xero's {x} totals {} (Cin7 − Xero = {diff}): find the \
         edited line and re-sync from Cin7, or correct the Xero copy",
        show(cin7.amount),
        show(xero_amount)
    );
    d.finish(FindingKind::AmountMismatch, Severity::Error, message)
}

fn void_message(
    cin7: Lifecycle,
    xero: Lifecycle,
    paid: bool,
    what: &str,
    c: &str,
    x: &str,
) -> Option<String> {
    let unpay = if paid { "remove its payments or credits, then " } else { "" };
    Some(match (cin7, xero) {
        (Lifecycle::Voided, Lifecycle::Posted) => format!(
            "Cin7 {what} {c} is voided but Xero's {x} is still live: in Xero {unpay}void {x}"
        ),
        (Lifecycle::Draft, Lifecycle::Posted) => format!(
            "Cin7 {what} {c} was undone (back to draft) but Xero's {x} is still live — an undo \
             in Cin7 does not reach Xero: re-authorise it in Cin7, or in Xero {unpay}void {x}"
        ),
        (Lifecycle::Posted, Lifecycle::Voided) => format!(
            "Xero's {x} is voided but Cin7 {what} {c} is still live: void it in Cin7 too, or \
             if it should stand, void and re-authorise it in Cin7 so it syncs again"
        ),
        _ => return None,
    })
}

fn show<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "nothing".to_owned(), |v| v.to_string())
}
