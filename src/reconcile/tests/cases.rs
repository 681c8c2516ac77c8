//! One named case per finding kind, each the smallest data that shows it, and a clean twin
//! beside it that must show nothing.

use chrono::NaiveDate;
use rstest::rstest;
use rust_decimal::Decimal;

use super::{
    account, at, cin7, cin7_adjustment, day, dec, input, ledger_entry, now, organisation, postings,
    xero, xero_journal,
};
use crate::model::{DocType, Document};
use crate::reconcile::{
    Documents, FindingKind, ProductAccounts, ReconcileInput, Settings, Severity, reconcile,
};

const SALE: DocType = DocType::SalesInvoice;
const BILL: DocType = DocType::PurchaseInvoice;

fn pair(total_cin7: &str, total_xero: &str) -> ReconcileInput {
    pair_with(total_cin7, total_xero, |_, _| {})
}

/// The synced sale invoice, each side changed by `change` first.
fn pair_with(
    total_cin7: &str,
    total_xero: &str,
    change: impl FnOnce(&mut Document, &mut Document),
) -> ReconcileInput {
    let (mut source, mut copy) =
        (cin7(SALE, "INV-00001", total_cin7), xero(SALE, "INV-00001", total_xero));
    change(&mut source, &mut copy);
    input(vec![source], vec![copy])
}

fn synced_invoice_with(change: impl FnOnce(&mut Document, &mut Document)) -> ReconcileInput {
    pair_with("100.00", "100.00", change)
}

/// The unsynced sale invoice, changed by `change` first.
fn unsynced_invoice_with(change: impl FnOnce(&mut Document)) -> ReconcileInput {
    let mut source = cin7(SALE, "INV-00001", "100.00");
    change(&mut source);
    input(vec![source], vec![])
}

/// A sale invoice of 100.00 whose second line (20.00 of it) has no account: where that part
/// posts is not known, so neither is what the invoice does to revenue.
fn unsynced_partly_coded_invoice() -> ReconcileInput {
    unsynced_invoice_with(|c| {
        c.lines = vec![super::line("200", "80.00"), super::line("200", "20.00")];
        c.lines[1].account_code = None;
    })
}

fn synced_invoice() -> ReconcileInput {
    pair("100.00", "100.00")
}

fn unsynced_invoice() -> ReconcileInput {
    unsynced_invoice_with(|_| {})
}

fn invoice_changed_an_hour_ago() -> ReconcileInput {
    unsynced_invoice_with(|d| d.updated_at = Some(at("2026-02-28T23:00:00Z")))
}

fn draft_invoice() -> ReconcileInput {
    unsynced_invoice_with(|d| d.status = "DRAFT".into())
}

fn xero_invoice_numbered_like_cin7() -> ReconcileInput {
    let mut data = synced_invoice();
    data.xero_documents.push(&xero(SALE, "INV-00002", "40.00"));
    data
}

fn xero_invoice_numbered_like_xero() -> ReconcileInput {
    let mut data = synced_invoice();
    data.xero_documents.push(&xero(SALE, "X-12", "40.00"));
    data
}

/// A payment of `paid` on 12 February, on one side.
fn payment(
    side: fn(DocType, &str, &str) -> crate::model::Document,
    paid: &str,
    total: &str,
) -> crate::model::Document {
    let mut doc = side(DocType::Payment, "-", total);
    doc.external_id = format!("{}-pay", doc.external_id);
    doc.number = None;
    doc.reference = Some(paid.into());
    doc.date = Some(day(2026, 2, 12));
    doc
}

/// The synced invoice, paid 100.00 in Cin7, and the payment in Xero for `xero_total`
/// (`None`: not in Xero), with Xero's `status`.
fn paid_invoice(xero_total: Option<&str>, status: &str) -> ReconcileInput {
    let mut data = synced_invoice();
    data.cin7_documents.push(&payment(cin7, "INV-00001", "100.00"));
    if let Some(total) = xero_total {
        let mut theirs = payment(xero, "INV-00001", total);
        theirs.status = status.into();
        data.xero_documents.push(&theirs);
    }
    data
}

/// A payment of an invoice Xero does not have.
fn payment_of_an_unsynced_invoice() -> ReconcileInput {
    let mut data = unsynced_invoice();
    data.cin7_documents.push(&payment(cin7, "INV-00001", "100.00"));
    data
}

/// Cin7 bill `B-7` matched to Xero bill `X-77` by its reference; Xero's payment names `X-77`.
fn paid_bill_known_by_reference() -> ReconcileInput {
    let mut bill = xero(BILL, "X-77", "50.00");
    bill.reference = Some("B-7".into());
    let mut data = input(vec![cin7(BILL, "B-7", "50.00")], vec![bill]);
    data.cin7_documents.push(&payment(cin7, "B-7", "50.00"));
    data.xero_documents.push(&payment(xero, "X-77", "50.00"));
    data
}

fn totals_apart() -> ReconcileInput {
    pair("100.00", "110.00")
}

fn totals_within_tolerance() -> ReconcileInput {
    pair("100.00", "100.01")
}

fn dated(cin7_date: (i32, u32, u32), xero_date: (i32, u32, u32)) -> ReconcileInput {
    synced_invoice_with(|c, x| {
        c.date = Some(day(cin7_date.0, cin7_date.1, cin7_date.2));
        x.date = Some(day(xero_date.0, xero_date.1, xero_date.2));
    })
}

fn statuses(cin7_status: &str, xero_status: &str) -> ReconcileInput {
    synced_invoice_with(|c, x| {
        c.status = cin7_status.into();
        x.status = xero_status.into();
    })
}

fn paid(total_cin7: &str) -> ReconcileInput {
    pair_with(total_cin7, "100.00", |c, x| {
        c.updated_at = Some(at("2026-02-12T09:00:00Z"));
        x.amount_paid = Some(dec("100.00"));
        x.status = "PAID".into();
    })
}

fn with_account_status(code: &str, status: Option<&str>) -> ReconcileInput {
    let mut data = synced_invoice_with(|c, _| c.lines[0].account_code = Some(code.into()));
    data.xero_accounts.retain(|a| a.code.as_deref() != Some(code));
    data.xero_accounts.extend(status.map(|s| account(code, s)));
    data
}

/// A product mapped to revenue `code` (and inventory 630), with `code` in the given state in
/// Xero; nothing else.
fn product_mapped_to(code: &str, status: &str) -> ReconcileInput {
    let mut data = input(vec![], vec![]);
    data.xero_accounts.retain(|a| a.code.as_deref() != Some(code));
    data.xero_accounts.push(account(code, status));
    data.product_accounts = vec![ProductAccounts {
        sku: "WIDGET-1".into(),
        codes: vec!["630: Inventory".into(), format!("{code}: Sales (old)")],
    }];
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
    data.xero_documents.push(&journal);
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
    synced_invoice_with(|c, _| {
        let line = &mut c.lines[0];
        line.item_code = Some("SKU-1".into());
        line.quantity = Some(dec("2"));
        line.unit_cost = Some(dec(cost));
    })
}

fn unsynced_receipt_journal() -> ReconcileInput {
    let mut data = input(vec![], vec![]);
    data.cin7_ledger =
        vec![ledger_entry("5d1c9e77-task-receipt", &[("630", "80"), ("640", "-80")])].into();
    data
}

/// Cin7 stock adjustment SA-00001 (stock up 25.00 against the discrepancy account) with its
/// task's posting in Cin7's transactions feed (inventory 630 debited, 650 credited, the
/// feed's reference its number); Xero has the manual journal when `synced`.
fn stock_adjustment_with_its_postings(synced: bool) -> ReconcileInput {
    let adjustment = cin7_adjustment("SA-00001", "25.00");
    let feed_id = format!("transactions/{}/2026-02-10/0a1b2c3d4e5f.0", adjustment.external_id);
    let mut posting = ledger_entry(&feed_id, &[("630", "25.00"), ("650", "-25.00")]);
    posting.reference = Some("SA-00001".into());
    let journals = if synced {
        vec![xero_journal("mj-1", "Stock adjustment SA-00001", "25.00")]
    } else {
        vec![]
    };
    let mut data = input(vec![adjustment], journals);
    data.cin7_ledger = vec![posting].into();
    data
}

/// Cin7 stock transfer TR-00001 sent into transit (641 debited, inventory 630 credited 40.00),
/// with its feed posting, not in Xero.
fn unsynced_stock_transfer_with_its_postings() -> ReconcileInput {
    let mut transfer = cin7(DocType::StockTransfer, "TR-00001", "40.00");
    transfer.lines = vec![super::line("641", "40.00")];
    let mut posting = ledger_entry(
        &format!("transactions/{}/2026-02-10/0a1b2c3d4e5f.0", transfer.external_id),
        &[("641", "40.00"), ("630", "-40.00")],
    );
    posting.reference = Some("TR-00001".into());
    let mut data = input(vec![transfer], vec![]);
    data.cin7_ledger = vec![posting].into();
    data
}

/// An unsynced Cin7 stock adjustment with `lines` as its own lines and no feed posting.
fn unsynced_adjustment_with_lines(lines: &[(&str, &str)]) -> ReconcileInput {
    let mut adjustment = cin7_adjustment("SA-00001", "25.00");
    adjustment.lines = lines.iter().map(|(account, amount)| super::line(account, amount)).collect();
    input(vec![adjustment], vec![])
}

/// A sale invoiced (revenue 200) and shipped (COGS 310 / inventory 630) on the given days;
/// `now()` is 1 March 2026, so the last period end is 28 February.
fn sale_booked(invoiced: Option<NaiveDate>, shipped: Option<NaiveDate>) -> ReconcileInput {
    let mut rows = Vec::new();
    if let Some(day) = invoiced {
        rows.push((day, "610", "200", "100.00"));
    }
    if let Some(day) = shipped {
        rows.push((day, "310", "630", "60.00"));
    }
    let mut data = input(vec![], vec![]);
    data.cin7_postings = vec![postings("Sale", "INV-00001", &rows)].into();
    data
}

/// A shipped sale credited (revenue debited) and restocked (inventory debited, COGS
/// credited) on the given days; the Cin7 credit note returns a product.
fn sale_returned(credited: Option<NaiveDate>, restocked: Option<NaiveDate>) -> ReconcileInput {
    sale_returned_with(credited, restocked, |_| {})
}

/// The same, with the Cin7 credit note changed by `change`.
fn sale_returned_with(
    credited: Option<NaiveDate>,
    restocked: Option<NaiveDate>,
    change: impl FnOnce(&mut Document),
) -> ReconcileInput {
    let mut rows =
        vec![(day(2026, 1, 5), "610", "200", "100.00"), (day(2026, 1, 5), "310", "630", "60.00")];
    let mut data = input(vec![], vec![]);
    if let Some(day) = credited {
        rows.push((day, "200", "610", "100.00"));
        let mut note = cin7(DocType::SalesCreditNote, "CR-00001", "100.00");
        note.reference = Some("INV-00001".into());
        note.lines[0].item_code = Some("WIDGET-1".into());
        note.lines[0].quantity = Some(dec("1"));
        change(&mut note);
        data.cin7_documents.push(&note);
        data.xero_documents.push(&xero(DocType::SalesCreditNote, "CR-00001", "100.00"));
    }
    if let Some(day) = restocked {
        rows.push((day, "630", "310", "60.00"));
    }
    data.cin7_postings = vec![postings("Sale", "INV-00001", &rows)].into();
    data
}

/// The same credit note with no product on it: a price adjustment, nothing to restock.
fn sale_price_adjusted() -> ReconcileInput {
    sale_returned_with(Some(day(2026, 2, 2)), None, |note| note.lines[0].item_code = None)
}

/// A purchase received (inventory 630 / GRNI 640) and invoiced (GRNI / payables 800).
fn purchase_accrued(received: NaiveDate, invoiced: Option<NaiveDate>) -> ReconcileInput {
    let mut rows = vec![(received, "630", "640", "500.00")];
    if let Some(day) = invoiced {
        rows.push((day, "640", "800", "500.00"));
    }
    let mut data = input(vec![], vec![]);
    data.cin7_postings = vec![postings("Purchase", "PO-00001", &rows)].into();
    data
}

/// `per_day` Xero sales invoices on each day of February 2026 (`now()` is 1 March, in Q1:
/// January empty, February full, March projected from none).
fn invoices_per_day(per_day: usize) -> ReconcileInput {
    let invoices = (1..=28)
        .flat_map(|d| (0..per_day).map(move |n| (d, n)))
        .map(|(d, n)| {
            let mut doc = xero(SALE, &format!("INV-{d:02}-{n:04}"), "10.00");
            doc.date = Some(day(2026, 2, d));
            doc
        })
        .collect();
    input(vec![], invoices)
}

#[rstest]
#[case::synced_invoice(synced_invoice(), &[])]
#[case::unsynced_invoice(unsynced_invoice(), &[FindingKind::MissingInXero])]
#[case::invoice_changed_within_grace(invoice_changed_an_hour_ago(), &[])]
#[case::draft_invoice_not_expected(draft_invoice(), &[])]
#[case::unsynced_receipt_journal(unsynced_receipt_journal(), &[FindingKind::MissingInXero])]
#[case::unsynced_stock_adjustment_with_its_postings(stock_adjustment_with_its_postings(false), &[FindingKind::MissingInXero])]
#[case::synced_stock_adjustment_with_its_postings(stock_adjustment_with_its_postings(true), &[])]
#[case::synced_stock_adjustment_with_an_uncoded_xero_line(adjustment_journal_partly_coded(), &[])]
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
#[case::payment_synced(paid_invoice(Some("100.00"), "AUTHORISED"), &[])]
#[case::payment_not_in_xero(paid_invoice(None, "AUTHORISED"), &[FindingKind::MissingInXero])]
#[case::payment_of_an_unsynced_invoice(payment_of_an_unsynced_invoice(), &[FindingKind::MissingInXero])]
#[case::payment_amount_differs(paid_invoice(Some("90.00"), "AUTHORISED"), &[FindingKind::AmountMismatch])]
#[case::payment_deleted_in_xero(paid_invoice(Some("100.00"), "DELETED"), &[FindingKind::VoidMismatch])]
#[case::payment_of_a_bill_known_by_reference(paid_bill_known_by_reference(), &[])]
#[case::archived_account(with_account_status("201", Some("ARCHIVED")), &[FindingKind::ArchivedAccount])]
#[case::deleted_account(with_account_status("201", Some("DELETED")), &[FindingKind::ArchivedAccount])]
#[case::account_absent_from_xero(with_account_status("201", None), &[FindingKind::ArchivedAccount])]
#[case::active_account(with_account_status("201", Some("ACTIVE")), &[])]
#[case::product_mapped_to_an_archived_account(product_mapped_to("201", "ARCHIVED"), &[FindingKind::ArchivedAccount])]
#[case::product_mapped_to_an_active_account(product_mapped_to("201", "ACTIVE"), &[])]
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
#[case::shipped_before_period_end_invoiced_after(sale_booked(Some(day(2026, 3, 2)), Some(day(2026, 2, 27))), &[FindingKind::TimingDifference])]
#[case::shipped_before_period_end_not_invoiced(sale_booked(None, Some(day(2026, 2, 27))), &[FindingKind::TimingDifference])]
#[case::invoiced_before_period_end_shipped_after(sale_booked(Some(day(2026, 2, 27)), Some(day(2026, 3, 1))), &[FindingKind::TimingDifference])]
#[case::invoiced_and_shipped_in_one_period(sale_booked(Some(day(2026, 2, 27)), Some(day(2026, 2, 28))), &[])]
#[case::service_invoiced_never_shipped(sale_booked(Some(day(2026, 2, 27)), None), &[])]
#[case::credited_and_restocked_in_different_months(sale_returned(Some(day(2026, 1, 30)), Some(day(2026, 2, 2))), &[FindingKind::ReturnMisalignment])]
#[case::restocked_without_credit_note(sale_returned(None, Some(day(2026, 2, 2))), &[FindingKind::ReturnMisalignment])]
#[case::credited_without_restock(sale_returned(Some(day(2026, 2, 2)), None), &[FindingKind::ReturnMisalignment])]
#[case::price_adjusted_without_restock(sale_price_adjusted(), &[])]
#[case::credited_and_restocked_together(sale_returned(Some(day(2026, 2, 2)), Some(day(2026, 2, 2))), &[])]
#[case::received_long_ago_not_invoiced(purchase_accrued(day(2026, 1, 10), None), &[FindingKind::UnclosedAccrual])]
#[case::received_and_invoiced(purchase_accrued(day(2026, 1, 10), Some(day(2026, 2, 1))), &[])]
#[case::received_recently_not_invoiced(purchase_accrued(day(2026, 2, 20), None), &[])]
#[case::invoice_count_past_a_fair_use_tier(invoices_per_day(600), &[FindingKind::FairUseRisk])]
#[case::invoice_count_well_under_the_tiers(invoices_per_day(100), &[])]
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

/// A sale invoice that Cin7 voided and Xero still holds.
fn voided_in_cin7_only() -> ReconcileInput {
    synced_invoice_with(|c, _| c.status = "VOIDED".into())
}

/// A sale invoice that Xero voided and Cin7 still holds.
fn voided_in_xero_only() -> ReconcileInput {
    synced_invoice_with(|_, x| x.status = "VOIDED".into())
}

/// A sale credit note (its line a debit on revenue) of 120.00 in Cin7 and 100.00 in Xero.
fn credit_note_pair() -> ReconcileInput {
    let note = DocType::SalesCreditNote;
    input(vec![cin7(note, "CN-1", "120.00")], vec![xero(note, "CN-1", "100.00")])
}

/// A bill (its line on inventory, 630) of 120.00 in Cin7 and 100.00 in Xero.
fn bill_pair(cin7_total: &str) -> ReconcileInput {
    let bill = DocType::PurchaseInvoice;
    input(vec![cin7(bill, "B-1", cin7_total)], vec![xero(bill, "B-1", "100.00")])
}

/// Totals 10.00 apart with the same lines: the tax differs, no account does.
fn tax_only() -> ReconcileInput {
    pair_with("110.00", "100.00", |c, _| c.lines[0].line_amount = Some(dec("100.00")))
}

/// A sale invoice in US dollars (the organisation's base currency is NZD), 120.00 in Cin7 and
/// 100.00 in Xero.
fn usd_pair() -> ReconcileInput {
    pair_with("120.00", "100.00", |c, x| {
        c.currency = Some("USD".into());
        x.currency = Some("USD".into());
    })
}

/// Each finding that is a difference between the two sides' postings (a pair's, or a record
/// only Xero holds) names the control account it lands on and Cin7 − Xero there (debit
/// positive), which the report counts.
#[rstest]
#[case::sale_total(pair("120.00", "100.00"), FindingKind::AmountMismatch, Some("200"), "-20.00")]
#[case::bill_total(bill_pair("120.00"), FindingKind::AmountMismatch, Some("630"), "20.00")]
#[case::void_in_cin7(voided_in_cin7_only(), FindingKind::VoidMismatch, Some("200"), "100.00")]
#[case::void_in_xero(voided_in_xero_only(), FindingKind::VoidMismatch, Some("200"), "-100.00")]
#[case::credit_note_total(credit_note_pair(), FindingKind::AmountMismatch, Some("200"), "20.00")]
#[case::locked_sale_total(
    locked(pair("120.00", "100.00")),
    FindingKind::LockDateViolation,
    Some("200"),
    "-20.00"
)]
#[case::tax_only(tax_only(), FindingKind::AmountMismatch, None, "10.00")]
#[case::foreign_currency(usd_pair(), FindingKind::AmountMismatch, None, "20.00")]
#[case::foreign_currency_missing(unsynced_invoice_with(|c| c.currency = Some("USD".into())), FindingKind::MissingInXero, None, "100.00")]
#[case::cin7_made_invoice(
    xero_invoice_numbered_like_cin7(),
    FindingKind::MissingInCin7,
    Some("200"),
    "-40.00"
)]
#[case::journal_into_inventory(
    xero_journal_into("630"),
    FindingKind::ControlAccountJournal,
    Some("630"),
    "50.00"
)]
#[case::bank_transaction_into_inventory(
    xero_bank_transaction_into("630"),
    FindingKind::ControlAccountJournal,
    Some("630"),
    "50.00"
)]
#[case::journal_between_two_control_accounts(
    xero_journal_grni_to_inventory(),
    FindingKind::ControlAccountJournal,
    Some("630"),
    "50.00"
)]
#[case::receive_money_into_inventory(
    xero_bank_transaction_into_signed("630", "-50.00"),
    FindingKind::ControlAccountJournal,
    Some("630"),
    "-50.00"
)]
fn a_difference_names_the_control_account_it_lands_on(
    #[case] data: ReconcileInput,
    #[case] kind: FindingKind,
    #[case] account: Option<&str>,
    #[case] amount: &str,
) {
    let outcome = reconcile(&data, &Settings::default(), now());
    let [finding] = outcome.findings.as_slice() else { panic!("{:#?}", outcome.findings) };
    assert_eq!(finding.kind, kind);
    assert_eq!((finding.account_code.as_deref(), finding.amount), (account, Some(dec(amount))));
}

/// Stock adjustment SA-00001 of 25.00 (inventory 630 debited, 650 credited) whose Xero
/// journal was edited to 35.00 on both lines.
fn adjustment_journal_edited() -> ReconcileInput {
    let mut data = stock_adjustment_with_its_postings(true);
    let journal = xero_journal("mj-1", "Stock adjustment SA-00001", "35.00");
    data.xero_documents = [journal].iter().collect();
    data
}

/// A Cin7-made journal in Xero that nets to zero on inventory (630 +10 and -10) and moves
/// 50.00 from 650 to COGS 310: what it does is on 310 and 650, not on 630.
fn cin7_made_journal_netting_on_inventory() -> ReconcileInput {
    let mut journal = xero_journal("mj-1", "Cin7 stock adjustment", "10.00");
    journal.lines = ["630:10.00", "630:-10.00", "310:50.00", "650:-50.00"]
        .iter()
        .map(|l| l.split_once(':').map(|(a, x)| super::line(a, x)).unwrap())
        .collect();
    let mut data = synced_invoice();
    data.xero_documents.push(&journal);
    data
}

/// Stock adjustment SA-00001's journal in Xero with a cent on a line without an account: its
/// postings are not known, so it is compared by amount (the adjustment has none), not as 0.00.
fn adjustment_journal_partly_coded() -> ReconcileInput {
    let mut data = stock_adjustment_with_its_postings(true);
    let mut journal = xero_journal("mj-1", "Stock adjustment SA-00001", "25.00");
    journal.lines[1].line_amount = Some(dec("-25.01"));
    journal.lines.push(super::line("630", "0.01"));
    journal.lines[2].account_code = None;
    data.xero_documents = [journal].iter().collect();
    data
}

/// A difference that lands on several mapped control accounts is told on each, with its
/// amount there (the first as the finding's own account and amount), so the report explains
/// every account it moves — not only the first.
#[rstest]
#[case::unsynced_adjustment(stock_adjustment_with_its_postings(false), FindingKind::MissingInXero, &[("630", "25.00"), ("650", "-25.00")])]
#[case::unsynced_transfer(unsynced_stock_transfer_with_its_postings(), FindingKind::MissingInXero, &[("630", "-40.00"), ("641", "40.00")])]
#[case::edited_adjustment_journal(adjustment_journal_edited(), FindingKind::AmountMismatch, &[("630", "-10.00"), ("650", "10.00")])]
#[case::journal_into_inventory(xero_journal_into("630"), FindingKind::ControlAccountJournal, &[("630", "50.00"), ("650", "-50.00")])]
#[case::journal_between_two_control_accounts(xero_journal_grni_to_inventory(), FindingKind::ControlAccountJournal, &[("630", "50.00"), ("640", "-50.00")])]
#[case::sale_on_revenue_only(pair("120.00", "100.00"), FindingKind::AmountMismatch, &[("200", "-20.00")])]
#[case::netting_first_account_left_out(cin7_made_journal_netting_on_inventory(), FindingKind::MissingInCin7, &[("310", "50.00"), ("650", "-50.00")])]
fn a_difference_on_several_control_accounts_is_told_on_each(
    #[case] data: ReconcileInput,
    #[case] kind: FindingKind,
    #[case] accounts: &[(&str, &str)],
) {
    let outcome = reconcile(&data, &Settings::default(), now());
    let [finding] = outcome.findings.as_slice() else { panic!("{:#?}", outcome.findings) };
    assert_eq!(finding.kind, kind);
    let told: Vec<(&str, Decimal)> = (finding.account_code.as_deref().zip(finding.amount))
        .into_iter()
        .chain(finding.other_accounts.iter().map(|(code, amount)| (code.as_str(), *amount)))
        .collect();
    let expected: Vec<(&str, Decimal)> = accounts.iter().map(|(c, a)| (*c, dec(a))).collect();
    assert_eq!(told, expected);
}

/// A Spend Money transaction of 50.00 coded to `account`, by hand in Xero.
fn xero_bank_transaction_into(account: &str) -> ReconcileInput {
    xero_bank_transaction_into_signed(account, "50.00")
}

/// A bank transaction of 50.00 coded to `account`, by hand in Xero, its line signed as the
/// normaliser signs it: a debit for spend money, a credit (`-50.00`) for receive money.
fn xero_bank_transaction_into_signed(account: &str, line: &str) -> ReconcileInput {
    let mut transaction = xero(DocType::BankTransaction, "-", "50.00");
    transaction.number = None;
    transaction.lines = vec![super::line(account, line)];
    let mut data = synced_invoice();
    data.xero_documents.push(&transaction);
    data
}

/// A Spend Money transaction in US dollars (the base currency is NZD) coded to inventory: its
/// account is told, its amount is not (its base-currency amount is not known here), and the
/// message names the currency of the amount it gives.
#[test]
fn a_foreign_currency_transaction_into_inventory_is_told_without_an_amount() {
    let mut spend = xero(DocType::BankTransaction, "-", "50.00");
    (spend.number, spend.currency) = (None, Some("USD".into()));
    spend.lines = vec![super::line("630", "50.00")];
    let mut data = synced_invoice();
    data.xero_documents.push(&spend);
    let outcome = reconcile(&data, &Settings::default(), now());
    let [finding] = outcome.findings.as_slice() else { panic!("{:#?}", outcome.findings) };
    assert_eq!(finding.kind, FindingKind::ControlAccountJournal);
    assert_eq!((finding.account_code.as_deref(), finding.amount), (Some("630"), None));
    assert!(
        finding.message.contains("posts 50.00 USD to control account 630"),
        "{}",
        finding.message
    );
}

/// A journal moving 50.00 from GRNI (640) into inventory (630), both Cin7's.
fn xero_journal_grni_to_inventory() -> ReconcileInput {
    let mut data = xero_journal_into("630");
    data.xero_documents = {
        let mut journal = xero_journal("mj-1", "Stocktake correction", "50.00");
        journal.lines[1].account_code = Some("640".into());
        [xero(SALE, "INV-00001", "100.00"), journal].iter().collect()
    };
    data
}

/// Cin7's authorised invoice of 100.02 that Xero holds as a 100.00 draft: the draft posts
/// nothing, so the whole posting is told on the status finding and the amount finding is not
/// counted again.
#[test]
fn a_xero_draft_is_told_once_by_its_status() {
    let data = pair_with("100.02", "100.00", |_, x| x.status = "DRAFT".into());
    let outcome = reconcile(&data, &Settings::default(), now());
    let told: Vec<_> =
        outcome.findings.iter().map(|f| (f.kind, f.account_code.as_deref(), f.amount)).collect();
    assert_eq!(
        told,
        [
            (FindingKind::AmountMismatch, None, Some(dec("0.02"))),
            (FindingKind::StatusMismatch, Some("200"), Some(dec("-100.02"))),
        ]
    );
}

#[test]
fn a_xero_only_records_account_is_outside_its_fingerprint() {
    let data = || xero_invoice_numbered_like_cin7();
    let mapped = reconcile(&data(), &Settings::default(), now());
    let mut unmapped = data();
    unmapped.accounts.revenue = None;
    let unmapped = reconcile(&unmapped, &Settings::default(), now());
    let (a, b) = (&mapped.findings[0], &unmapped.findings[0]);
    assert_eq!((a.account_code.as_deref(), b.account_code.as_deref()), (Some("200"), None));
    assert_eq!(a.fingerprint, b.fingerprint);
}

/// A Cin7 stock adjustment as Core's detail gives it (no total, lines without amounts), its
/// task's posting of 25.00 (inventory up, against 650) and the Xero journal Cin7 pushed for
/// it with `xero_lines`.
fn adjustment_valued_by_its_postings(xero_lines: &[(&str, &str)]) -> ReconcileInput {
    let mut adjustment = cin7_adjustment("SA-00001", "25.00");
    adjustment.total = None;
    adjustment.lines[0].line_amount = None;
    let mut journal = xero_journal("mj-1", "Stock adjustment SA-00001", "25.00");
    journal.lines =
        xero_lines.iter().map(|(account, amount)| super::line(account, amount)).collect();
    let mut data = input(vec![adjustment], vec![journal]);
    let mut posting =
        ledger_entry("transactions/t-1/2026-02-10/ab.0", &[("630", "25.00"), ("650", "-25.00")]);
    posting.reference = Some("SA-00001".into());
    data.cin7_ledger = vec![posting].into();
    data
}

#[test]
fn a_stock_adjustment_is_compared_by_its_postings() {
    let same = adjustment_valued_by_its_postings(&[("630", "25.00"), ("650", "-25.00")]);
    let outcome = reconcile(&same, &Settings::default(), now());
    assert_eq!(outcome.matches.len(), 1);
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
    // The journal splitting the same amounts over more lines is the same.
    let split = [("630", "10.00"), ("630", "15.00"), ("650", "-25.00")];
    let outcome =
        reconcile(&adjustment_valued_by_its_postings(&split), &Settings::default(), now());
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
    // Edited in Xero to 30.00: 5.00 more inventory in Xero than in Cin7.
    let edited = adjustment_valued_by_its_postings(&[("630", "30.00"), ("650", "-30.00")]);
    let outcome = reconcile(&edited, &Settings::default(), now());
    let [finding] = outcome.findings.as_slice() else { panic!("{:#?}", outcome.findings) };
    assert_eq!(finding.kind, FindingKind::AmountMismatch);
    assert_eq!(
        (finding.account_code.as_deref(), finding.amount),
        (Some("630"), Some(dec("-5.00")))
    );
    assert!(finding.message.contains("totals 25.00 but Xero's"), "{}", finding.message);
}

#[test]
fn a_paid_document_edit_says_how_to_get_the_change_into_xero() {
    let outcome = reconcile(&paid("120.00"), &Settings::default(), now());
    let finding = &outcome.findings[0];
    assert_eq!(finding.severity, Severity::Error);
    // 20.00 more revenue credited in Cin7 than in Xero, on the revenue account.
    assert_eq!(
        (finding.account_code.as_deref(), finding.amount),
        (Some("200"), Some(dec("-20.00")))
    );
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
    data.xero_documents = Documents::default();
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
    let mut journal = xero_journal("mj-1", "Stocktake correction", "50.00");
    journal.date = Some(day(2025, 6, 30));
    let mut data = synced_invoice();
    data.xero_documents.push(&journal);
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

#[test]
fn a_timing_difference_names_the_period_and_resolves_when_the_next_one_ends() {
    let data = sale_booked(Some(day(2026, 3, 2)), Some(day(2026, 2, 27)));
    let finding = &reconcile(&data, &Settings::default(), now()).findings[0];
    assert_eq!(finding.severity, Severity::Info);
    assert_eq!(finding.account_code.as_deref(), Some("310"));
    assert_eq!(finding.amount, Some(dec("60.00")));
    assert_eq!(finding.date, Some(day(2026, 2, 28)));
    assert!(finding.message.contains("February 2026"), "{}", finding.message);
    assert!(finding.message.contains("invoiced on 2026-03-02"), "{}", finding.message);
    // A month later both halves are in the past period: nothing straddles its end.
    let later = at("2026-04-01T00:00:00Z");
    assert!(reconcile(&data, &Settings::default(), later).findings.is_empty());
}

#[test]
fn an_open_accrual_carries_its_balance_and_the_day_it_opened() {
    let finding =
        &reconcile(&purchase_accrued(day(2026, 1, 10), None), &Settings::default(), now()).findings
            [0];
    assert_eq!(finding.account_code.as_deref(), Some("640"));
    assert_eq!(finding.amount, Some(dec("-500.00")), "GRNI is a credit balance");
    assert_eq!(finding.date, Some(day(2026, 1, 10)));
    assert!(finding.message.contains("PO-00001"), "{}", finding.message);
    assert!(finding.message.contains("50 days"), "{}", finding.message);
    let patient = Settings { accrual_age: chrono::Duration::days(60), ..Settings::default() };
    let data = purchase_accrued(day(2026, 1, 10), None);
    assert!(reconcile(&data, &patient, now()).findings.is_empty());
}

#[test]
fn fair_use_warns_before_a_tier_and_errs_past_it() {
    // 480 a day in February: 13,440 over the quarter, 4,480 a month (90 % of 5,000 is 4,500).
    assert!(reconcile(&invoices_per_day(480), &Settings::default(), now()).findings.is_empty());
    let warned = reconcile(&invoices_per_day(500), &Settings::default(), now());
    assert_eq!(warned.findings[0].severity, Severity::Warning);
    assert!(warned.findings[0].message.contains("4667 a month"), "{}", warned.findings[0].message);
    let past = reconcile(&invoices_per_day(600), &Settings::default(), now());
    assert_eq!(past.findings[0].severity, Severity::Error);
    assert!(past.findings[0].message.contains("tier of 5000"), "{}", past.findings[0].message);
}

#[test]
fn the_quarter_projection_counts_finished_months_and_extends_the_current_rate() {
    use crate::reconcile::projected_average;
    let today = day(2026, 2, 14);
    // January: 31 invoices; February: 14 in 14 days, so 28 for the month and for March.
    let dates = (1..=31).map(|d| day(2026, 1, d)).chain((1..=14).map(|d| day(2026, 2, d)));
    assert_eq!(projected_average(dates, today), Some(dec("29")));
    assert_eq!(projected_average(std::iter::empty(), day(2026, 4, 3)), None);
}

/// Three Cin7 invoices of 10 February (30 + 40 + 30) and one Xero invoice for the day.
fn consolidated_day(xero_total: &str) -> ReconcileInput {
    let cin7_docs = [("INV-00001", "30.00"), ("INV-00002", "40.00"), ("INV-00003", "30.00")]
        .map(|(n, t)| cin7(SALE, n, t));
    input(cin7_docs.into(), vec![xero(SALE, "CONS-0210", xero_total)])
}

fn consolidating(types: &[DocType]) -> Settings {
    Settings { consolidated: types.to_vec(), ..Settings::default() }
}

#[test]
fn consolidated_documents_match_their_xero_entry_by_sum() {
    let outcome = reconcile(&consolidated_day("100.00"), &consolidating(&[SALE]), now());
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
    assert_eq!(outcome.matches.len(), 3);
    assert!(outcome.matches.iter().all(|m| m.xero_id == "xero-CONS-0210"
        && m.method == crate::reconcile::MatchMethod::ConsolidatedSum));

    let changed = reconcile(&consolidated_day("90.00"), &consolidating(&[SALE]), now());
    let kinds: Vec<_> = changed.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::AmountMismatch]);
    let finding = &changed.findings[0];
    assert_eq!(
        (finding.account_code.as_deref(), finding.amount),
        (Some("200"), Some(dec("-10.00")))
    );
    assert!(changed.findings[0].message.contains("Consolidation Report"));

    // Without the setting each Cin7 invoice is missing from Xero.
    let unset = reconcile(&consolidated_day("100.00"), &Settings::default(), now());
    let missing = unset.findings.iter().filter(|f| f.kind == FindingKind::MissingInXero).count();
    assert_eq!(missing, 3);
}

#[test]
fn a_consolidated_group_tolerates_one_rounding_per_cin7_document() {
    let within = reconcile(&consolidated_day("100.03"), &consolidating(&[SALE]), now());
    assert!(within.findings.is_empty(), "{:#?}", within.findings);
    let beyond = reconcile(&consolidated_day("100.04"), &consolidating(&[SALE]), now());
    assert_eq!(beyond.findings.len(), 1);
}

#[test]
fn documents_of_an_excluded_channel_are_not_expected_in_xero() {
    let data = unsynced_invoice_with(|d| d.channel = Some("Shopify".into()));
    let excluding = Settings { excluded_channels: vec![" shopify ".into()], ..Settings::default() };
    assert!(reconcile(&data, &excluding, now()).findings.is_empty());
    let kinds: Vec<_> =
        reconcile(&data, &Settings::default(), now()).findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::MissingInXero]);
}

#[test]
fn a_product_mapped_to_an_archived_account_is_an_error_naming_the_product() {
    let finding =
        &reconcile(&product_mapped_to("201", "ARCHIVED"), &Settings::default(), now()).findings[0];
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(finding.account_code.as_deref(), Some("201"));
    assert!(
        finding.message.contains("1 Cin7 product(s) map to it (WIDGET-1)"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("next sale or purchase"), "{}", finding.message);
}

#[test]
fn a_record_missing_in_xero_names_the_control_account_it_posts_to_and_its_amount_there() {
    let invoice = &reconcile(&unsynced_invoice(), &Settings::default(), now()).findings[0];
    assert_eq!(invoice.kind, FindingKind::MissingInXero);
    assert_eq!(invoice.account_code.as_deref(), Some("200"));
    assert_eq!(invoice.amount, Some(dec("-100.00")), "a sale credits revenue");
    let unchanged = crate::reconcile::finding::fingerprint(
        FindingKind::MissingInXero,
        Some("cin7-INV-00001"),
        None,
        None,
    );
    assert_eq!(invoice.fingerprint, unchanged, "the account is not part of its identity");

    let mut data = input(vec![], vec![]);
    data.cin7_ledger = vec![ledger_entry("task-1", &[("310", "25.00"), ("630", "-25.00")])].into();
    let journal = &reconcile(&data, &Settings::default(), now()).findings[0];
    assert_eq!(journal.kind, FindingKind::MissingInXero);
    assert_eq!(journal.account_code.as_deref(), Some("630"), "inventory comes first");
    assert_eq!(journal.amount, Some(dec("-25.00")));
}

/// What the daily report attributes a `missing_in_xero` finding by: the first control
/// account (inventory first) the record posts to and its debit-positive amount there. A stock
/// document posts what its task's Cin7 ledger entries post, else its own lines where they are
/// a balanced journal; otherwise nothing is known and no account is given.
#[rstest]
#[case::unsynced_invoice(unsynced_invoice(), Some(("200", "-100.00")))]
#[case::unsynced_receipt_journal(unsynced_receipt_journal(), Some(("630", "80")))]
#[case::unsynced_stock_adjustment_with_its_postings(stock_adjustment_with_its_postings(false), Some(("630", "25.00")))]
#[case::unsynced_stock_transfer_with_its_postings(unsynced_stock_transfer_with_its_postings(), Some(("630", "-40.00")))]
#[case::unsynced_stock_adjustment_posted_on_its_own_lines(unsynced_adjustment_with_lines(&[("650", "-25.00"), ("630: Inventory", "25.00")]), Some(("630", "25.00")))]
#[case::unsynced_stock_adjustment_with_one_sided_lines(unsynced_adjustment_with_lines(&[("650", "25.00")]), None)]
#[case::unsynced_partly_coded_invoice(unsynced_partly_coded_invoice(), None)]
fn a_record_missing_in_xero_carries_the_control_account_it_posts_to(
    #[case] data: ReconcileInput,
    #[case] expected: Option<(&str, &str)>,
) {
    let outcome = reconcile(&data, &Settings::default(), now());
    let missing: Vec<_> =
        outcome.findings.iter().filter(|f| f.kind == FindingKind::MissingInXero).collect();
    assert_eq!(missing.len(), 1, "{:#?}", outcome.findings);
    let posting = missing[0].account_code.as_deref().zip(missing[0].amount);
    assert_eq!(posting, expected.map(|(account, amount)| (account, dec(amount))));
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

#[test]
fn months_end_in_the_connections_time_zone() {
    // 1 a.m. on 1 March in Sydney is still 28 February in UTC.
    let now = at("2026-02-28T14:00:00Z");
    let data = sale_booked(None, Some(day(2026, 2, 27)));
    let sydney = Settings { timezone: Some(chrono_tz::Australia::Sydney), ..Settings::default() };
    let kinds: Vec<_> = reconcile(&data, &sydney, now).findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::TimingDifference], "February has ended in Sydney");
    assert!(reconcile(&data, &Settings::default(), now).findings.is_empty(), "not yet in UTC");
}

#[test]
fn consolidated_payments_match_the_days_xero_payment_by_sum() {
    let paid = |xero_total: &str| {
        let mut data = consolidated_day("100.00");
        for (n, total) in [("INV-00001", "30.00"), ("INV-00002", "40.00"), ("INV-00003", "30.00")] {
            let mut ours = payment(cin7, n, total);
            ours.external_id = format!("pay-{n}");
            data.cin7_documents.push(&ours);
        }
        data.xero_documents.push(&payment(xero, "CONS-0210", xero_total));
        data
    };
    let both = consolidating(&[SALE, DocType::Payment]);
    let outcome = reconcile(&paid("100.00"), &both, now());
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
    assert_eq!(outcome.matches.len(), 6, "three invoices and three payments, each in its group");
    let changed = reconcile(&paid("95.00"), &both, now());
    let kinds: Vec<_> = changed.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::AmountMismatch]);
    assert_eq!(changed.findings[0].amount, Some(dec("5.00")));
    // Payments not consolidated: each is expected on its own, and the day's one Xero payment
    // pairs with the first of them.
    let apart = reconcile(&paid("100.00"), &consolidating(&[SALE]), now());
    let kinds: Vec<_> = apart.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [FindingKind::MissingInXero, FindingKind::MissingInXero, FindingKind::AmountMismatch]
    );
}

#[test]
fn a_payment_of_a_consolidated_invoice_names_the_days_xero_invoice() {
    let mut data = consolidated_day("100.00");
    data.cin7_documents.push(&payment(cin7, "INV-00002", "40.00"));
    data.xero_documents.push(&payment(xero, "CONS-0210", "40.00"));
    let outcome = reconcile(&data, &consolidating(&[SALE]), now());
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
    let by_payment = outcome.matches.iter().find(|m| m.cin7_id == "cin7---pay").unwrap();
    assert_eq!(by_payment.method, crate::reconcile::MatchMethod::PaidDocument);
    assert_eq!(by_payment.xero_id, "xero---pay");
}
