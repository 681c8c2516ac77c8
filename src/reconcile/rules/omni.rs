//! Rules on what Cin7 Omni says about its own posting ([`OmniDocument`]s; Omni connections
//! only — the input has none for Cin7 Core). Voided documents are skipped.
//! - `sync_error`: Omni's accounting import status is `Error`: its integration tried to post
//!   the document and Xero refused it.
//! - `missing_document_date`: the checks of Omni's own reconciliation reports ("Sales Orders
//!   and Credit Notes", "Purchase Orders and Supplier Credit Notes"): a document that has
//!   some of the fields posting needs but not all — a sales order invoiced but not dispatched
//!   or dispatched but not invoiced, a credit note dated but not completed or completed
//!   without its date, a purchase order missing its fully-received date, invoice date or
//!   supplier invoice number once it has one of them. A document with none of them has not
//!   started and is not reported; one marked `DoNotImport` is never posted and is skipped.
//!   Reported once the grace period after its last change has passed. Not checked, because
//!   Omni's API does not carry them: a sales order's or purchase order's completed date (their
//!   models have none) and supplier credit notes (no endpoint).
//! - `blank_cogs`: a sales order with dispatched lines that have no cost (null or zero
//!   `unitCost`). Omni computes COGS once a day, so only once the dispatch is older than
//!   [`Settings::cogs_lag`](crate::reconcile::Settings::cogs_lag).

use super::Context;
use crate::model::OmniDocument;
use crate::reconcile::FindingKind;
use crate::reconcile::finding::{Draft, Finding, Severity};

pub(crate) fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for doc in ctx.input.omni_documents.iter().filter(|d| !d.voided) {
        sync_error(doc, out);
        missing_document_date(ctx, doc, out);
        blank_cogs(ctx, doc, out);
    }
}

fn draft(doc: &OmniDocument) -> Draft<'_> {
    Draft {
        cin7_id: Some(&doc.source_id),
        cin7_ref: Some(doc.label.clone()),
        amount: doc.total,
        date: doc.date,
        ..Draft::default()
    }
}

fn import_status_is(doc: &OmniDocument, word: &str) -> bool {
    doc.import_status.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case(word))
}

fn sync_error(doc: &OmniDocument, out: &mut Vec<Finding>) {
    if !import_status_is(doc, "Error") {
        return;
    }
    let message = format!(
        "Cin7 Omni {} {} failed to post to Xero (its accounting import status is Error): open \
         the Xero integration in Cin7 Omni, read the document's error (an archived account, a \
         locked period, a missing contact or tax rate…), fix its cause and sync it again",
        doc.kind.name(),
        doc.label
    );
    out.push(draft(doc).finish(FindingKind::SyncError, Severity::Error, message));
}

fn missing_document_date(ctx: &Context<'_>, doc: &OmniDocument, out: &mut Vec<Finding>) {
    let present: Vec<&str> =
        doc.posting_fields.iter().filter(|(_, set)| *set).map(|(name, _)| *name).collect();
    let missing: Vec<&str> =
        doc.posting_fields.iter().filter(|(_, set)| !*set).map(|(name, _)| *name).collect();
    if present.is_empty()
        || missing.is_empty()
        || import_status_is(doc, "DoNotImport")
        || !ctx.settled(doc.modified)
    {
        return;
    }
    let message = format!(
        "Cin7 Omni {} {} has its {} but no {}, so Cin7 and Xero disagree about it (Omni's \
         reconciliation reports list it): enter the {} in Cin7 Omni, or undo the step that set \
         the {}, then sync it again",
        doc.kind.name(),
        doc.label,
        present.join(" and "),
        missing.join(" or "),
        missing.join(" and "),
        present.join(" and "),
    );
    out.push(draft(doc).finish(FindingKind::MissingDocumentDate, Severity::Warning, message));
}

fn blank_cogs(ctx: &Context<'_>, doc: &OmniDocument, out: &mut Vec<Finding>) {
    let past_cogs_run = doc.dispatched_at.is_some_and(|at| at + ctx.settings.cogs_lag <= ctx.now);
    if doc.uncosted_lines.is_empty() || !past_cogs_run {
        return;
    }
    let message = format!(
        "Cin7 Omni {} {} dispatched {} without cost, and Omni's daily COGS run has passed, so \
         no COGS reaches Xero for them: enter the products' cost in Cin7 Omni (receive their \
         purchase order or set the opening cost), then let COGS recalculate and sync the COGS \
         journal",
        doc.kind.name(),
        doc.label,
        doc.uncosted_lines.join(", ")
    );
    let mut finding = draft(doc);
    finding.amount = None;
    out.push(finding.finish(FindingKind::BlankCogs, Severity::Warning, message));
}
