//! Every matching method, named, with the record that shows it.

use rstest::rstest;

use super::{cin7, cin7_adjustment, input, ledger_entry, now, xero, xero_journal};
use crate::model::DocType;
use crate::reconcile::{MatchMethod, ReconcileInput, Settings, reconcile};

fn sale_by_number() -> ReconcileInput {
    let sale = DocType::SalesInvoice;
    input(vec![cin7(sale, "INV-00007", "10")], vec![xero(sale, " inv-00007 ", "10")])
}

fn credit_note_by_number() -> ReconcileInput {
    let note = DocType::SalesCreditNote;
    input(vec![cin7(note, "CR-00007", "10")], vec![xero(note, "CR-00007", "10")])
}

fn bill_by_number() -> ReconcileInput {
    let bill = DocType::PurchaseInvoice;
    input(vec![cin7(bill, "SUP-1", "10")], vec![xero(bill, "SUP-1", "10")])
}

fn bill_by_reference() -> ReconcileInput {
    let bill = DocType::PurchaseInvoice;
    let mut copy = xero(bill, "AP-555", "10");
    copy.reference = Some("SUP-1".into());
    input(vec![cin7(bill, "SUP-1", "10")], vec![copy])
}

fn adjustment_by_task_id() -> ReconcileInput {
    let adjustment = cin7_adjustment("SA-00003", "25");
    let narration = format!("Cin7 stock adjustment [{}]", adjustment.external_id);
    input(vec![adjustment], vec![xero_journal("mj-1", &narration, "25")])
}

fn adjustment_by_number() -> ReconcileInput {
    input(
        vec![cin7_adjustment("SA-00003", "25")],
        vec![xero_journal("mj-1", "Stock adjustment: SA-00003.", "25")],
    )
}

fn adjustment_by_lines() -> ReconcileInput {
    let mut adjustment = cin7_adjustment("SA-00003", "25");
    adjustment.lines = vec![super::line("630", "25"), super::line("650: Discrepancy", "-25")];
    input(vec![adjustment], vec![xero_journal("mj-1", "Inventory journal", "25")])
}

fn ledger_entry_by_lines() -> ReconcileInput {
    let mut data = input(vec![], vec![xero_journal("mj-1", "Goods received", "25")]);
    data.cin7_ledger = vec![ledger_entry("task-77:1", &[("650", "-25"), ("630", "25")])].into();
    data
}

fn ledger_entry_by_task_id() -> ReconcileInput {
    let mut data = input(vec![], vec![xero_journal("mj-1", "Receipt 5d1c9e77-aaaa-bbbb", "99")]);
    data.cin7_ledger =
        vec![ledger_entry("5d1c9e77-aaaa-bbbb:1", &[("630", "25"), ("640", "-25")])].into();
    data
}

/// Cin7 bill SUP-8812 of purchase order PO-12, and a Xero bill numbered `number`.
fn bill_numbered(number: &str) -> ReconcileInput {
    let bill = DocType::PurchaseInvoice;
    let mut ours = cin7(bill, "SUP-8812", "10");
    ours.reference = Some("PO-12".into());
    input(vec![ours], vec![xero(bill, number, "10")])
}

#[rstest]
#[case::sale_by_number(sale_by_number(), MatchMethod::DocumentNumber)]
#[case::credit_note_by_number(credit_note_by_number(), MatchMethod::DocumentNumber)]
#[case::bill_by_number(bill_by_number(), MatchMethod::DocumentNumber)]
#[case::bill_by_reference(bill_by_reference(), MatchMethod::PurchaseInvoiceReference)]
#[case::bill_by_combined_number(bill_numbered("SUP-8812 PO-12"), MatchMethod::CombinedNumber)]
#[case::bill_by_combined_number_reversed(
    bill_numbered("PO-12/SUP-8812"),
    MatchMethod::CombinedNumber
)]
#[case::adjustment_by_task_id(adjustment_by_task_id(), MatchMethod::TaskIdInNarration)]
#[case::adjustment_by_number(adjustment_by_number(), MatchMethod::ReferenceInNarration)]
#[case::adjustment_by_lines(adjustment_by_lines(), MatchMethod::DateAccountAmount)]
#[case::ledger_entry_by_lines(ledger_entry_by_lines(), MatchMethod::DateAccountAmount)]
#[case::ledger_entry_by_task_id(ledger_entry_by_task_id(), MatchMethod::TaskIdInNarration)]
fn every_match_records_how_it_was_made(#[case] data: ReconcileInput, #[case] method: MatchMethod) {
    let outcome = reconcile(&data, &Settings::default(), now());
    let methods: Vec<_> = outcome.matches.iter().map(|m| m.method).collect();
    assert_eq!(methods, [method]);
}

#[test]
fn a_sale_does_not_match_a_credit_note_with_the_same_number() {
    let data = input(
        vec![cin7(DocType::SalesInvoice, "7", "10")],
        vec![xero(DocType::SalesCreditNote, "7", "10")],
    );
    assert!(reconcile(&data, &Settings::default(), now()).matches.is_empty());
}

#[test]
fn a_cin7_document_takes_the_live_xero_copy_over_a_voided_one() {
    let sale = DocType::SalesInvoice;
    let mut voided = xero(sale, "INV-00001", "10");
    voided.external_id = "xero-old".into();
    voided.status = "VOIDED".into();
    let data =
        input(vec![cin7(sale, "INV-00001", "10")], vec![voided, xero(sale, "INV-00001", "10")]);
    let outcome = reconcile(&data, &Settings::default(), now());
    assert_eq!(outcome.matches[0].xero_id, "xero-INV-00001");
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
}

#[test]
fn a_journal_found_by_id_is_not_taken_by_another_record_with_the_same_lines() {
    // The second adjustment has the same lines, but the journal names the first: the first
    // keeps it, the second is missing.
    let balanced = |number| {
        let mut adjustment = cin7_adjustment(number, "25");
        adjustment.lines = vec![super::line("630", "25"), super::line("650", "-25")];
        adjustment
    };
    let data = input(
        vec![balanced("SA-00002"), balanced("SA-00001")],
        vec![xero_journal("mj-1", "SA-00001", "25")],
    );
    let outcome = reconcile(&data, &Settings::default(), now());
    assert_eq!(outcome.matches.len(), 1);
    assert!(outcome.matches[0].cin7_id.ends_with("SA00001"));
    assert_eq!(outcome.findings.len(), 1);
    assert_eq!(outcome.findings[0].cin7_ref.as_deref(), Some("SA-00002"));
}

/// A bill numbered with the Cin7 number and purchase order pairs only when both are words of
/// its number and it is the only such live bill.
#[rstest]
#[case::other_order(&["SUP-8812 PO-123"], false)]
#[case::number_inside_a_longer_one(&["SUP-88120 PO-12"], false)]
#[case::two_candidates(&["SUP-8812 PO-12", "PO-12 SUP-8812"], false)]
#[case::one_candidate(&["SUP-8812-PO-12", "SUP-9 PO-12"], true)]
fn a_combined_bill_number_pairs_only_when_unambiguous(
    #[case] numbers: &[&str],
    #[case] paired: bool,
) {
    let mut data = bill_numbered(numbers[0]);
    let others: Vec<_> = numbers[1..]
        .iter()
        .enumerate()
        .map(|(n, number)| {
            let mut doc = xero(DocType::PurchaseInvoice, number, "10");
            doc.external_id = format!("xero-other-{n}");
            doc
        })
        .collect();
    for doc in &others {
        data.xero_documents.push(doc);
    }
    let outcome = reconcile(&data, &Settings::default(), now());
    let combined = outcome.matches.iter().any(|m| m.method == MatchMethod::CombinedNumber);
    assert_eq!(combined, paired, "{:#?}", outcome.matches);
}
