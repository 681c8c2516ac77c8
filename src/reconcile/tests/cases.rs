//! One named case per finding kind, each the smallest data that shows it, and a clean twin
//! beside it that must show nothing.

use rstest::rstest;

use super::{
    account, at, cin7, cin7_adjustment, day, dec, input, ledger_entry, now, organisation, xero,
    xero_journal,
};
use crate::model::DocType;
use crate::reconcile::{FindingKind, ReconcileInput, Settings, Severity, reconcile};

const SALE: DocType = DocType::SalesInvoice;
const BILL: DocType = DocType::PurchaseInvoice;

fn pair(total_cin7: &str, total_xero: &str) -> ReconcileInput {
    input(vec![cin7(SALE, "INV-00001", total_cin7)], vec![xero(SALE, "INV-00001", total_xero)])
}

fn synced_invoice() -> ReconcileInput {
    pair("100.00", "100.00")
}

fn unsynced_invoice() -> ReconcileInput {
    input(vec![cin7(SALE, "INV-00001", "100.00")], vec![])
}

fn invoice_changed_an_hour_ago() -> ReconcileInput {
    let mut data = unsynced_invoice();
    data.cin7_documents[0].updated_at = Some(at("2026-02-28T23:00:00Z"));
    data
}

fn draft_invoice() -> ReconcileInput {
    let mut data = unsynced_invoice();
    data.cin7_documents[0].status = "DRAFT".into();
    data
}

fn xero_invoice_numbered_like_cin7() -> ReconcileInput {
    let mut data = synced_invoice();
    data.xero_documents.push(xero(SALE, "INV-00002", "40.00"));
    data
}

fn xero_invoice_numbered_like_xero() -> ReconcileInput {
    let mut data = synced_invoice();
    data.xero_documents.push(xero(SALE, "X-12", "40.00"));
    data
}

fn totals_apart() -> ReconcileInput {
    pair("100.00", "110.00")
}

fn totals_within_tolerance() -> ReconcileInput {
    pair("100.00", "100.01")
}

fn dated(cin7_date: (i32, u32, u32), xero_date: (i32, u32, u32)) -> ReconcileInput {
    let mut data = synced_invoice();
    data.cin7_documents[0].date = Some(day(cin7_date.0, cin7_date.1, cin7_date.2));
    data.xero_documents[0].date = Some(day(xero_date.0, xero_date.1, xero_date.2));
    data
}

fn statuses(cin7_status: &str, xero_status: &str) -> ReconcileInput {
    let mut data = synced_invoice();
    data.cin7_documents[0].status = cin7_status.into();
    data.xero_documents[0].status = xero_status.into();
    data
}

fn paid(total_cin7: &str) -> ReconcileInput {
    let mut data = pair(total_cin7, "100.00");
    data.cin7_documents[0].updated_at = Some(at("2026-02-12T09:00:00Z"));
    data.xero_documents[0].amount_paid = Some(dec("100.00"));
    data.xero_documents[0].status = "PAID".into();
    data
}

fn with_account_status(code: &str, status: Option<&str>) -> ReconcileInput {
    let mut data = synced_invoice();
    data.cin7_documents[0].lines[0].account_code = Some(code.into());
    data.xero_accounts.retain(|a| a.code.as_deref() != Some(code));
    data.xero_accounts.extend(status.map(|s| account(code, s)));
    data
}

fn locked(data: ReconcileInput) -> ReconcileInput {
    ReconcileInput { organisation: Some(organisation(Some(day(2026, 2, 28)))), ..data }
}

fn year_end_locked(data: ReconcileInput) -> ReconcileInput {
    let mut org = organisation(None);
    org.end_of_year_lock_date = Some(day(2026, 2, 28));
    ReconcileInput { organisation: Some(org), ..data }
}

fn xero_journal_into(account: &str) -> ReconcileInput {
    let mut journal = xero_journal("mj-1", "Stocktake correction", "50.00");
    journal.lines[0].account_code = Some(account.into());
    let mut data = synced_invoice();
    data.xero_documents.push(journal);
    data
}

fn adjustment_against(account: &str) -> ReconcileInput {
    let mut adjustment = cin7_adjustment("SA-00001", "25.00");
    adjustment.lines[0].account_code = Some(account.into());
    let mut journal = xero_journal("mj-1", "Stock adjustment SA-00001", "25.00");
    journal.lines[1].account_code = Some(account.into());
    input(vec![adjustment], vec![journal])
}

fn shipped_at_cost(cost: &str) -> ReconcileInput {
    let mut data = synced_invoice();
    let line = &mut data.cin7_documents[0].lines[0];
    line.item_code = Some("SKU-1".into());
    line.quantity = Some(dec("2"));
    line.unit_cost = Some(dec(cost));
    data
}

fn unsynced_receipt_journal() -> ReconcileInput {
    let mut data = input(vec![], vec![]);
    data.cin7_ledger =
        vec![ledger_entry("5d1c9e77-task-receipt", &[("630", "80"), ("640", "-80")])];
    data
}

#[rstest]
#[case::synced_invoice(synced_invoice(), &[])]
#[case::unsynced_invoice(unsynced_invoice(), &[FindingKind::MissingInXero])]
#[case::invoice_changed_within_grace(invoice_changed_an_hour_ago(), &[])]
#[case::draft_invoice_not_expected(draft_invoice(), &[])]
#[case::unsynced_receipt_journal(unsynced_receipt_journal(), &[FindingKind::MissingInXero])]
#[case::xero_invoice_numbered_like_cin7(xero_invoice_numbered_like_cin7(), &[FindingKind::MissingInCin7])]
#[case::xero_invoice_numbered_like_xero(xero_invoice_numbered_like_xero(), &[])]
#[case::totals_apart(totals_apart(), &[FindingKind::AmountMismatch])]
#[case::totals_within_tolerance(totals_within_tolerance(), &[])]
#[case::dates_in_different_months(dated((2026, 1, 31), (2026, 2, 1)), &[FindingKind::DateMismatch])]
#[case::dates_in_the_same_month(dated((2026, 2, 10), (2026, 2, 11)), &[])]
#[case::authorised_but_xero_draft(statuses("AUTHORISED", "DRAFT"), &[FindingKind::StatusMismatch])]
#[case::authorised_but_xero_awaiting_approval(statuses("AUTHORISED", "SUBMITTED"), &[FindingKind::StatusMismatch])]
#[case::both_draft(statuses("DRAFT", "DRAFT"), &[])]
#[case::voided_in_cin7_live_in_xero(statuses("VOIDED", "AUTHORISED"), &[FindingKind::VoidMismatch])]
#[case::undone_in_cin7_live_in_xero(statuses("DRAFT", "AUTHORISED"), &[FindingKind::VoidMismatch])]
#[case::voided_in_xero_live_in_cin7(statuses("AUTHORISED", "VOIDED"), &[FindingKind::VoidMismatch])]
#[case::voided_on_both_sides(statuses("VOIDED", "VOIDED"), &[])]
#[case::paid_invoice_edited(paid("120.00"), &[FindingKind::PaidDocumentEdit])]
#[case::paid_invoice_unchanged(paid("100.00"), &[])]
#[case::archived_account(with_account_status("201", Some("ARCHIVED")), &[FindingKind::ArchivedAccount])]
#[case::deleted_account(with_account_status("201", Some("DELETED")), &[FindingKind::ArchivedAccount])]
#[case::account_absent_from_xero(with_account_status("201", None), &[FindingKind::ArchivedAccount])]
#[case::active_account(with_account_status("201", Some("ACTIVE")), &[])]
#[case::unsynced_invoice_before_lock_date(locked(unsynced_invoice()), &[FindingKind::LockDateViolation])]
#[case::edited_invoice_before_lock_date(locked(totals_apart()), &[FindingKind::LockDateViolation])]
#[case::unsynced_invoice_before_year_end_lock(year_end_locked(unsynced_invoice()), &[FindingKind::LockDateViolation])]
#[case::synced_invoice_before_lock_date(locked(synced_invoice()), &[])]
#[case::xero_journal_into_inventory(xero_journal_into("630"), &[FindingKind::ControlAccountJournal])]
#[case::xero_journal_into_grni(xero_journal_into("640"), &[FindingKind::ControlAccountJournal])]
#[case::xero_journal_into_expenses(xero_journal_into("400"), &[])]
#[case::adjustment_against_inventory(adjustment_against("630"), &[FindingKind::InventorySelfAdjustment])]
#[case::adjustment_against_discrepancy(adjustment_against("650"), &[])]
#[case::shipped_at_zero_cost(shipped_at_cost("0"), &[FindingKind::BlankCogs])]
#[case::shipped_at_cost(shipped_at_cost("12.50"), &[])]
fn each_finding_kind_shows_on_its_smallest_data_and_not_on_its_clean_twin(
    #[case] data: ReconcileInput,
    #[case] expected: &[FindingKind],
) {
    let outcome = reconcile(&data, &Settings::default(), now());
    let kinds: Vec<FindingKind> = outcome.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, expected, "{:#?}", outcome.findings);
    for finding in &outcome.findings {
        assert!(finding.message.len() > 40, "message must say what to do: {}", finding.message);
        assert_eq!(finding.fingerprint.len(), 64);
    }
}

#[test]
fn a_paid_document_edit_says_how_to_get_the_change_into_xero() {
    let outcome = reconcile(&paid("120.00"), &Settings::default(), now());
    let finding = &outcome.findings[0];
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(finding.amount, Some(dec("20.00")));
    for step in ["remove the payment", "re-sync", "re-apply the payment", "credit note"] {
        assert!(finding.message.contains(step), "{step}: {}", finding.message);
    }
}

#[test]
fn an_archived_account_only_used_by_synced_history_is_a_warning_and_blocks_sync_otherwise() {
    let synced =
        reconcile(&with_account_status("201", Some("ARCHIVED")), &Settings::default(), now());
    assert_eq!(synced.findings[0].severity, Severity::Warning);
    let mut data = with_account_status("201", Some("ARCHIVED"));
    data.xero_documents.clear();
    let unsynced = reconcile(&data, &Settings::default(), now());
    let archived: Vec<_> =
        unsynced.findings.iter().filter(|f| f.kind == FindingKind::ArchivedAccount).collect();
    assert_eq!(archived[0].severity, Severity::Error);
    assert_eq!(archived[0].account_code.as_deref(), Some("201"));
}

#[test]
fn fingerprints_do_not_change_with_the_amounts_or_the_message() {
    let first = reconcile(&pair("100.00", "110.00"), &Settings::default(), now());
    let second = reconcile(&pair("100.00", "130.00"), &Settings::default(), now());
    assert_ne!(first.findings[0].message, second.findings[0].message);
    assert_eq!(first.findings[0].fingerprint, second.findings[0].fingerprint);
}

#[test]
fn a_wider_tolerance_accepts_a_larger_rounding_difference() {
    let settings = Settings { amount_tolerance: dec("0.05"), ..Settings::default() };
    assert!(reconcile(&pair("100.00", "100.04"), &settings, now()).findings.is_empty());
    assert_eq!(reconcile(&pair("100.00", "100.04"), &Settings::default(), now()).findings.len(), 1);
}

#[test]
fn xero_postings_from_before_cin7_went_live_are_not_reported() {
    let mut data = xero_journal_into("630");
    data.xero_documents[1].date = Some(day(2025, 6, 30));
    assert!(reconcile(&data, &Settings::default(), now()).findings.is_empty());
}

#[test]
fn a_bill_matched_on_its_reference_is_compared_like_any_other() {
    let mut bill = xero(BILL, "SUP-9931", "70.00");
    bill.reference = Some("PI-00001".into());
    let data = input(vec![cin7(BILL, "PI-00001", "75.00")], vec![bill]);
    let kinds: Vec<_> =
        reconcile(&data, &Settings::default(), now()).findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::AmountMismatch]);
}

/// A Cin7 Omni sales order, invoiced and dispatched on 10 Feb 2026, imported into Xero, with
/// one costed line; its invoice is the synced invoice INV-00001.
fn omni_order() -> crate::model::OmniDocument {
    crate::model::OmniDocument {
        kind: crate::model::OmniKind::SalesOrder,
        source_id: "SalesOrders/105".into(),
        label: "INV-00001".into(),
        voided: false,
        import_status: Some("Imported".into()),
        date: Some(day(2026, 2, 10)),
        total: Some(dec("100.00")),
        modified: Some(at("2026-02-10T10:00:00Z")),
        posting_fields: vec![("invoice date", true), ("dispatch date", true)],
        dispatched_at: Some(at("2026-02-10T09:00:00Z")),
        uncosted_lines: Vec::new(),
    }
}

fn omni(change: impl FnOnce(&mut crate::model::OmniDocument)) -> ReconcileInput {
    let mut document = omni_order();
    change(&mut document);
    ReconcileInput { omni_documents: vec![document], ..synced_invoice() }
}

fn omni_purchase(fields: [bool; 3]) -> ReconcileInput {
    omni(|d| {
        d.kind = crate::model::OmniKind::PurchaseOrder;
        d.source_id = "PurchaseOrders/7".into();
        d.label = "PO-7".into();
        d.dispatched_at = None;
        d.posting_fields = vec![
            ("fully received date", fields[0]),
            ("invoice date", fields[1]),
            ("supplier invoice number", fields[2]),
        ];
    })
}

fn omni_credit_note(fields: [bool; 2]) -> ReconcileInput {
    omni(|d| {
        d.kind = crate::model::OmniKind::CreditNote;
        d.source_id = "CreditNotes/9".into();
        d.label = "CR-9".into();
        d.dispatched_at = None;
        d.posting_fields = vec![("credit note date", fields[0]), ("completed date", fields[1])];
    })
}

/// A dispatched line without cost, dispatched at `when`.
fn omni_uncosted(when: &str) -> ReconcileInput {
    omni(|d| {
        d.uncosted_lines = vec!["SKU-1".into()];
        d.dispatched_at = Some(at(when));
    })
}

#[rstest]
#[case::omni_order_imported(omni(|_| {}), &[])]
#[case::omni_import_error(omni(|d| d.import_status = Some("Error".into())), &[FindingKind::SyncError])]
#[case::omni_import_error_on_a_voided_order(omni(|d| { d.import_status = Some("Error".into()); d.voided = true; }), &[])]
#[case::omni_order_not_yet_imported(omni(|d| d.import_status = Some("NotImported".into())), &[])]
#[case::omni_order_dispatched_not_invoiced(omni(|d| d.posting_fields[0].1 = false), &[FindingKind::MissingDocumentDate])]
#[case::omni_order_invoiced_not_dispatched(omni(|d| d.posting_fields[1].1 = false), &[FindingKind::MissingDocumentDate])]
#[case::omni_order_not_started(omni(|d| { d.posting_fields[0].1 = false; d.posting_fields[1].1 = false; }), &[])]
#[case::omni_order_not_to_import(omni(|d| { d.posting_fields[0].1 = false; d.import_status = Some("DoNotImport".into()); }), &[])]
#[case::omni_order_dated_within_grace(omni(|d| { d.posting_fields[0].1 = false; d.modified = Some(at("2026-02-28T23:00:00Z")); }), &[])]
#[case::omni_credit_note_completed_without_date(omni_credit_note([false, true]), &[FindingKind::MissingDocumentDate])]
#[case::omni_credit_note_dated_and_completed(omni_credit_note([true, true]), &[])]
#[case::omni_purchase_received_not_invoiced(omni_purchase([true, false, false]), &[FindingKind::MissingDocumentDate])]
#[case::omni_purchase_invoiced_without_supplier_number(omni_purchase([true, true, false]), &[FindingKind::MissingDocumentDate])]
#[case::omni_purchase_complete(omni_purchase([true, true, true]), &[])]
#[case::omni_purchase_not_received(omni_purchase([false, false, false]), &[])]
#[case::omni_dispatched_without_cost_after_cogs_run(omni_uncosted("2026-02-27T23:00:00Z"), &[FindingKind::BlankCogs])]
#[case::omni_dispatched_without_cost_before_cogs_run(omni_uncosted("2026-02-28T01:00:00Z"), &[])]
fn each_omni_finding_kind_shows_on_its_smallest_data_and_not_on_its_clean_twin(
    #[case] data: ReconcileInput,
    #[case] expected: &[FindingKind],
) {
    each_finding_kind_shows_on_its_smallest_data_and_not_on_its_clean_twin(data, expected);
}

#[test]
fn omni_cogs_lag_is_a_setting() {
    let data = omni_uncosted("2026-02-28T01:00:00Z");
    let settings = Settings { cogs_lag: chrono::Duration::hours(12), ..Settings::default() };
    let kinds: Vec<_> =
        reconcile(&data, &settings, now()).findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::BlankCogs]);
}

#[test]
fn an_omni_missing_date_names_what_is_missing() {
    let outcome = reconcile(&omni_purchase([true, false, false]), &Settings::default(), now());
    let message = &outcome.findings[0].message;
    for part in
        ["purchase order PO-7", "fully received date", "no invoice date or supplier invoice number"]
    {
        assert!(message.contains(part), "{part}: {message}");
    }
}
