//! Entries derived from one Cin7 document (Cin7 Omni's bills and adjustments, source type
//! `DocumentPostings`): the document stands for its entry, so the entry is never reported on
//! its own, and the document's findings are told on the account the entry posts to.

use super::{cin7, dec, input, line, now, xero, xero_journal};
use crate::model::{DOCUMENT_POSTINGS, DocType, Document, LedgerEntry, LedgerLine};
use crate::reconcile::{FindingKind, Settings, reconcile};

/// Cin7 Omni's purchase order `SUP-1`: 440.00 with tax, its bill debiting 400.00 to inventory,
/// as stored (no account on its lines: Omni's lines carry only an alternative account).
fn purchase_order() -> Document {
    let mut doc = cin7(DocType::PurchaseInvoice, "SUP-1", "440.00");
    doc.external_id = "PurchaseOrders/12".into();
    doc.lines =
        vec![crate::model::DocumentLine { line_amount: Some(dec("400.00")), ..Default::default() }];
    doc
}

fn derived(source_id: &str, reference: &str, lines: &[(&str, &str)]) -> LedgerEntry {
    LedgerEntry {
        source_id: source_id.into(),
        journal_number: None,
        source_type: Some(DOCUMENT_POSTINGS.into()),
        reference: Some(reference.into()),
        lines: lines
            .iter()
            .zip(0..)
            .map(|((account, amount), line_no)| LedgerLine {
                line_no,
                date: super::day(2026, 2, 10),
                account_code: (*account).into(),
                amount: dec(amount),
                description: None,
            })
            .collect(),
    }
}

fn bill_entry() -> LedgerEntry {
    derived("omni-ledger/purchase/PurchaseOrders/12", "SUP-1", &[("630", "400.00")])
}

/// Xero's bill for it, its stock line `stock` before tax.
fn bill(stock: &str, total: &str) -> Document {
    let mut doc = xero(DocType::PurchaseInvoice, "SUP-1", total);
    doc.lines = vec![line("630", stock)];
    doc
}

/// `(kind, cin7_ref, account, amount)` of every finding.
fn told(
    data: &crate::reconcile::ReconcileInput,
) -> Vec<(FindingKind, String, Option<String>, Option<String>)> {
    let outcome = reconcile(data, &Settings::default(), now());
    outcome
        .findings
        .iter()
        .map(|f| {
            let amount = f.amount.map(|a| a.to_string());
            (f.kind, f.cin7_ref.clone().unwrap_or_default(), f.account_code.clone(), amount)
        })
        .collect()
}

#[test]
fn a_bill_edited_in_xero_is_told_on_inventory_by_its_derived_debit() {
    let mut data = input(vec![purchase_order()], vec![bill("405.00", "445.50")]);
    data.cin7_ledger = vec![bill_entry()].into();
    assert_eq!(
        told(&data),
        [(FindingKind::AmountMismatch, "SUP-1".into(), Some("630".into()), Some("-5.00".into()))]
    );
    // Its clean twin: nothing, and the derived entry is not reported on its own.
    let mut clean = input(vec![purchase_order()], vec![bill("400.00", "440.00")]);
    clean.cin7_ledger = vec![bill_entry()].into();
    assert!(told(&clean).is_empty(), "{:?}", told(&clean));
}

#[test]
fn a_bill_never_pushed_is_missing_on_inventory_with_what_it_debits() {
    let mut data = input(vec![purchase_order()], Vec::new());
    data.xero_documents = vec![xero(DocType::SalesInvoice, "INV-1", "1.00")].into();
    data.cin7_ledger = vec![bill_entry()].into();
    assert_eq!(
        told(&data),
        [(FindingKind::MissingInXero, "SUP-1".into(), Some("630".into()), Some("400.00".into()))]
    );
}

#[test]
fn an_adjustment_is_compared_by_what_its_derived_journal_posts() {
    // Stock down 80.00 against 650; stored without amounts (Omni's adjustments carry none).
    let mut adjustment = cin7(DocType::StockAdjustment, "ADJ-3", "0");
    adjustment.external_id = "Adjustments/3".into();
    adjustment.total = None;
    adjustment.lines =
        vec![crate::model::DocumentLine { account_code: Some("650".into()), ..Default::default() }];
    let entry = derived(
        "omni-ledger/adjustment/Adjustments/3",
        "ADJ-3",
        &[("630", "-80.00"), ("650", "80.00")],
    );
    let journal = |amount: &str| {
        let mut doc = xero_journal("mj-3", "Cin7 Omni stock adjustment ADJ-3", amount);
        doc.lines = vec![line("650", amount), line("630", &format!("-{amount}"))];
        doc
    };
    let mut clean = input(vec![adjustment.clone()], vec![journal("80.00")]);
    clean.cin7_ledger = vec![entry.clone()].into();
    assert!(told(&clean).is_empty(), "{:?}", told(&clean));
    let mut edited = input(vec![adjustment], vec![journal("90.00")]);
    edited.cin7_ledger = vec![entry].into();
    assert_eq!(
        told(&edited),
        [(FindingKind::AmountMismatch, "ADJ-3".into(), Some("630".into()), Some("10.00".into()))]
    );
}
