//! Invoices, credit notes, payments, manual journals and bank transactions from fixtures.

use super::{day, dec, documents, instant, some_dec};
use crate::model::{DocType, DocumentLine};
use crate::xero::Endpoint;

#[test]
fn sales_invoices_keep_type_number_status_dates_and_totals() {
    let invoices = documents(Endpoint::Invoices, "invoices_get.json");
    let [voided, paid, open] = invoices.as_slice() else { panic!("{invoices:?}") };

    assert_eq!(voided.doc_type, DocType::SalesInvoice);
    assert_eq!(voided.external_id, "d4956132-ed94-4dd7-9eaa-aa22dfdf06f2");
    assert_eq!(voided.number.as_deref(), Some("INV-0001"));
    assert_eq!(voided.reference.as_deref(), Some("Red Fish, Blue Fish"));
    assert_eq!(voided.contact.as_deref(), Some("Barney Rubble-83203"));
    assert_eq!(voided.status, "VOIDED");
    assert_eq!(voided.date, Some(day(2018, 10, 20)));
    assert_eq!(voided.due_date, Some(day(2018, 12, 30)));
    assert_eq!(voided.currency.as_deref(), Some("NZD"));
    assert_eq!(voided.total, some_dec("40.00"));
    assert_eq!(voided.tax_total, some_dec("0"));
    assert_eq!(voided.updated_at, Some(instant(1_541_176_290_160)));
    assert!(voided.lines.is_empty());

    assert_eq!(paid.status, "PAID");
    assert_eq!(paid.amount_paid, some_dec("46.00"));
    assert_eq!(paid.amount_credited, some_dec("0"));

    assert_eq!(open.status, "AUTHORISED");
    assert_eq!(open.reference, None, "an empty Reference is no reference");
    assert_eq!((open.total, open.tax_total), (some_dec("115.00"), some_dec("15.00")));
    assert_eq!(open.due_date, Some(day(2018, 11, 7)));
}

#[test]
fn a_single_invoice_carries_its_line_items() {
    let invoices = documents(Endpoint::Invoices, "invoice_single_get.json");
    let invoice = &invoices[0];
    assert_eq!(invoice.number.as_deref(), Some("INV-0006"));
    assert_eq!(invoice.amount_paid, some_dec("148062.76"));
    assert_eq!(invoice.amount_credited, None, "AmountCredited is absent from this example");
    assert_eq!(
        invoice.lines,
        vec![DocumentLine {
            item_code: Some("123".into()),
            description: Some("Guitars Fender Strat".into()),
            quantity: some_dec("1"),
            unit_amount: some_dec("148062.76"),
            line_amount: some_dec("148062.76"),
            tax_amount: some_dec("0"),
            account_code: Some("200".into()),
            unit_cost: None,
        }]
    );
}

#[test]
fn bills_are_purchase_invoices_with_exact_amounts() {
    let bills = documents(Endpoint::Invoices, "invoices_accpay_get.json");
    let [open, large, voided] = bills.as_slice() else { panic!("{bills:?}") };
    assert!(bills.iter().all(|bill| bill.doc_type == DocType::PurchaseInvoice));

    assert_eq!(open.number.as_deref(), Some("SUP-4471"));
    assert_eq!(open.reference.as_deref(), Some("PO-00017"));
    assert_eq!(open.contact.as_deref(), Some("Fender Wholesale Ltd"));
    assert_eq!((open.date, open.due_date), (Some(day(2019, 3, 11)), Some(day(2019, 4, 10))));
    assert_eq!(open.total, some_dec("28750.12"));
    assert_eq!(open.tax_total, some_dec("3750.02"));
    assert_eq!(open.updated_at, Some(instant(1_552_359_845_678)));
    let [stock, freight] = open.lines.as_slice() else { panic!("{:?}", open.lines) };
    assert_eq!(stock.item_code.as_deref(), Some("STRAT-SB"));
    assert_eq!(stock.account_code.as_deref(), Some("630"));
    assert_eq!((stock.quantity, stock.unit_amount), (some_dec("10"), some_dec("2500.00")));
    assert_eq!((stock.line_amount, stock.tax_amount), (some_dec("25000"), some_dec("3750")));
    assert_eq!(freight.item_code, None);
    assert_eq!(freight.unit_amount, some_dec("0.10"));
    assert_eq!(freight.line_amount, some_dec("0.1"));
    assert_eq!(freight.tax_amount, some_dec("0.02"));

    assert_eq!(large.status, "PAID");
    assert_eq!(large.total.unwrap().to_string(), "1234567.89");
    assert_eq!(large.amount_paid, some_dec("1234567.89"));
    assert_eq!(large.lines[0].unit_amount, some_dec("1234567.89"));

    assert_eq!(voided.status, "VOIDED");
    assert_eq!(voided.reference, None);
    assert_eq!(voided.due_date, None);
    assert_eq!(voided.date, Some(day(2019, 2, 28)));
}

#[test]
fn credit_notes_count_refunds_as_paid_and_allocations_as_credited() {
    let notes = documents(Endpoint::CreditNotes, "creditnotes_get.json");
    let [sales, purchase] = notes.as_slice() else { panic!("{notes:?}") };

    assert_eq!(sales.doc_type, DocType::SalesCreditNote);
    assert_eq!(sales.number.as_deref(), Some("CN-0005"));
    assert_eq!(sales.reference.as_deref(), Some("US Tour"));
    assert_eq!(sales.date, Some(day(2019, 3, 5)));
    assert_eq!(sales.total, some_dec("34.50"));
    assert_eq!(sales.amount_paid, some_dec("2.00"), "the refund of 2.00");
    assert_eq!(sales.amount_credited, some_dec("0"), "an empty Allocations array");

    assert_eq!(purchase.doc_type, DocType::PurchaseCreditNote);
    assert_eq!(purchase.number, None, "an empty CreditNoteNumber is no number");
    assert_eq!(purchase.status, "DRAFT");
    assert_eq!(purchase.total, some_dec("46"));
}

#[test]
fn credit_note_allocations_are_summed_without_the_deleted_ones() {
    let notes = documents(Endpoint::CreditNotes, "creditnotes_allocated_get.json");
    let note = &notes[0];
    assert_eq!(note.number.as_deref(), Some("CN-0042"));
    assert_eq!(note.status, "PAID");
    assert_eq!(note.amount_credited, some_dec("50.10"), "40.00 + 10.10; the deleted 3.00 is out");
    assert_eq!(note.amount_paid, some_dec("7.40"));
    // Total − RemainingCredit (0.00) = refunds + allocations.
    assert_eq!(note.total, Some(dec("7.40") + dec("50.10")));
    assert_eq!(note.lines.len(), 1);
    assert_eq!(note.lines[0].account_code.as_deref(), Some("200"));
}

#[test]
fn a_credit_note_without_allocations_uses_its_applied_amount() {
    let notes = documents(Endpoint::CreditNotes, "creditnotes_allocated_get.json");
    let note = &notes[1];
    assert_eq!(note.doc_type, DocType::PurchaseCreditNote);
    assert_eq!(note.number.as_deref(), Some("SCN-778"));
    assert_eq!(note.amount_credited, some_dec("12.34"));
    assert_eq!(note.amount_paid, None, "no Payments array was sent");
    assert_eq!(note.updated_at, Some(instant(1_554_076_800_500)));
}

#[test]
fn payments_reference_the_document_they_paid_and_keep_their_account() {
    let payments = documents(Endpoint::Payments, "payments_get.json");
    let [invoice_payment, refund] = payments.as_slice() else { panic!("{payments:?}") };

    assert_eq!(invoice_payment.doc_type, DocType::Payment);
    assert_eq!(invoice_payment.external_id, "99ea7f6b-c513-4066-bc27-b7c65dcd76c2");
    assert_eq!(invoice_payment.number, None);
    assert_eq!(invoice_payment.reference.as_deref(), Some("INV-0002"));
    assert_eq!(invoice_payment.contact.as_deref(), Some("Barney Rubble-83203"));
    assert_eq!(invoice_payment.status, "AUTHORISED");
    assert_eq!(invoice_payment.date, Some(day(2018, 11, 29)));
    assert_eq!(invoice_payment.currency.as_deref(), Some("NZD"));
    assert_eq!(invoice_payment.total, some_dec("46.00"));
    assert_eq!(
        invoice_payment.lines,
        vec![DocumentLine {
            line_amount: some_dec("46"),
            account_code: Some("970".into()),
            ..DocumentLine::default()
        }]
    );

    assert_eq!(refund.reference.as_deref(), Some("CN-0005"));
    assert_eq!(refund.contact.as_deref(), Some("Liam Gallagher"));
    assert_eq!(refund.total, some_dec("2"));
    assert_eq!(refund.lines[0].description.as_deref(), Some("Too much"));
    assert_eq!(refund.lines[0].account_code.as_deref(), Some("980"));
}

#[test]
fn manual_journals_without_lines_keep_narration_and_status() {
    let journals = documents(Endpoint::ManualJournals, "manual_journals_get.json");
    let statuses: Vec<&str> = journals.iter().map(|journal| journal.status.as_str()).collect();
    assert_eq!(statuses, ["POSTED", "POSTED", "DRAFT"]);
    assert_eq!(journals[2].reference.as_deref(), Some("Foo bar"));
    assert_eq!(journals[0].date, Some(day(2019, 3, 21)));
    assert!(journals.iter().all(|journal| journal.doc_type == DocType::ManualJournal));
    assert!(journals.iter().all(|journal| journal.lines.is_empty() && journal.total.is_none()));
}

#[test]
fn manual_journal_lines_are_signed_debit_positive() {
    let journals = documents(Endpoint::ManualJournals, "manual_journals_lines_get.json");
    let [cogs, voided] = journals.as_slice() else { panic!("{journals:?}") };

    assert_eq!(cogs.reference.as_deref(), Some("Cin7 COGS for SO-00042 (task 3f7c2a10)"));
    assert_eq!(cogs.date, Some(day(2019, 3, 12)));
    let lines: Vec<(Option<&str>, _)> =
        cogs.lines.iter().map(|line| (line.account_code.as_deref(), line.line_amount)).collect();
    assert_eq!(lines, [(Some("500"), some_dec("120.50")), (Some("630"), some_dec("-120.50"))]);
    assert_eq!(cogs.total, some_dec("120.50"), "the sum of the debits");

    assert_eq!(voided.status, "VOIDED");
    assert_eq!(voided.total, some_dec("40.00"));
    assert_eq!(voided.lines[0].description, None);
    assert_eq!(voided.lines[1].description.as_deref(), Some("Stock write-off"));
}

#[test]
fn bank_transactions_from_the_spec_example_have_no_number() {
    let transactions = documents(Endpoint::BankTransactions, "banktransactions_get.json");
    assert_eq!(transactions.len(), 3);
    let totals: Vec<_> = transactions.iter().map(|transaction| transaction.total).collect();
    assert_eq!(totals, [some_dec("10"), some_dec("9"), some_dec("8")]);
    for transaction in &transactions {
        assert_eq!(transaction.doc_type, DocType::BankTransaction);
        assert_eq!((transaction.number.as_ref(), transaction.reference.as_ref()), (None, None));
        assert_eq!(transaction.contact.as_deref(), Some("sam"));
        assert_eq!(transaction.date, Some(day(2016, 10, 13)));
        assert_eq!(transaction.currency.as_deref(), Some("USD"));
    }
}

#[test]
fn a_spend_coded_to_inventory_keeps_its_account_and_amounts() {
    let transactions =
        documents(Endpoint::BankTransactions, "banktransactions_spend_inventory_get.json");
    let [spend, receive] = transactions.as_slice() else { panic!("{transactions:?}") };

    assert_eq!(spend.reference.as_deref(), Some("Stock top-up, paid by card"));
    assert_eq!(spend.contact.as_deref(), Some("Acme Freight"));
    assert_eq!(spend.status, "AUTHORISED");
    assert_eq!(spend.date, Some(day(2019, 3, 12)));
    assert_eq!((spend.total, spend.tax_total), (some_dec("115.00"), some_dec("15.00")));
    let [line] = spend.lines.as_slice() else { panic!("{:?}", spend.lines) };
    assert_eq!(line.account_code.as_deref(), Some("630"));
    assert_eq!((line.quantity, line.unit_amount), (some_dec("100"), some_dec("1")));
    assert_eq!((line.line_amount, line.tax_amount), (some_dec("100.00"), some_dec("15.00")));

    assert_eq!(receive.reference, None);
    assert_eq!(receive.total, some_dec("0.10"));
    assert_eq!(receive.lines[0].line_amount, some_dec("-0.10"), "a receive credits its lines");
    assert_eq!(receive.lines[0].account_code.as_deref(), Some("270"));
}

/// What a line posts is without tax: a tax-inclusive document's lines (`LineAmountTypes`
/// `Inclusive`) lose their tax, an exclusive one's keep their amount, and a receive-money
/// transaction's lines are credits.
#[rstest::rstest]
#[case::inclusive_invoice(Endpoint::Invoices, "ACCREC", "Inclusive", "100.00")]
#[case::exclusive_invoice(Endpoint::Invoices, "ACCREC", "Exclusive", "115.00")]
#[case::inclusive_credit_note(Endpoint::CreditNotes, "ACCRECCREDIT", "Inclusive", "100.00")]
#[case::inclusive_spend(Endpoint::BankTransactions, "SPEND", "Inclusive", "100.00")]
#[case::inclusive_receive(Endpoint::BankTransactions, "RECEIVE", "Inclusive", "-100.00")]
#[case::exclusive_receive_prepayment(
    Endpoint::BankTransactions,
    "RECEIVE-PREPAYMENT",
    "Exclusive",
    "-115.00"
)]
#[case::spend_without_tax(Endpoint::BankTransactions, "SPEND-TRANSFER", "NoTax", "115.00")]
fn a_line_amount_is_what_the_line_posts_without_tax(
    #[case] endpoint: Endpoint,
    #[case] kind: &str,
    #[case] amount_types: &str,
    #[case] expected: &str,
) {
    let id = endpoint.id_field();
    let raw = serde_json::json!({
        id: "doc-1", "Type": kind, "Status": "AUTHORISED", "LineAmountTypes": amount_types,
        "LineItems": [{ "LineAmount": 115.00, "TaxAmount": 15.00, "AccountCode": "200" }]
    });
    let record = super::normalise(endpoint, &raw).unwrap();
    let crate::model::Payload::Document(document) = record.payload else { panic!("{record:?}") };
    let line = &document.lines[0];
    assert_eq!(line.line_amount, some_dec(expected));
    assert_eq!(line.tax_amount, some_dec("15.00"), "the tax itself is kept");
}

/// A manual journal's lines follow the same rule: with `LineAmountTypes` `Inclusive` a line
/// posts its `LineAmount` less its `TaxAmount` (Xero posts the tax to the tax account), signed
/// debit positive as Xero sends it.
#[rstest::rstest]
#[case::inclusive("Inclusive", ["100.00", "-100.00"])]
#[case::exclusive("Exclusive", ["115.00", "-115.00"])]
#[case::no_tax("NoTax", ["115.00", "-115.00"])]
fn a_manual_journal_line_posts_without_its_tax(
    #[case] amount_types: &str,
    #[case] expected: [&str; 2],
) {
    let raw = serde_json::json!({
        "ManualJournalID": "mj-1", "Status": "POSTED", "LineAmountTypes": amount_types,
        "JournalLines": [
            { "LineAmount": 115.00, "TaxAmount": 15.00, "AccountCode": "630" },
            { "LineAmount": -115.00, "TaxAmount": -15.00, "AccountCode": "310" }
        ]
    });
    let record = super::normalise(Endpoint::ManualJournals, &raw).unwrap();
    let crate::model::Payload::Document(document) = record.payload else { panic!("{record:?}") };
    let amounts: Vec<_> = document.lines.iter().map(|line| line.line_amount).collect();
    assert_eq!(amounts, expected.map(some_dec));
    assert_eq!(document.total, some_dec(expected[0]), "the debit lines' sum");
    assert_eq!(document.lines[0].tax_amount, some_dec("15.00"), "the tax itself is kept");
}

/// An inclusive line whose tax is signed against its amount, or a manual journal with a line
/// of unknown amount, gives "unknown", never a wrong figure.
#[test]
fn a_manual_journal_with_a_line_of_unknown_amount_has_no_total() {
    let raw = serde_json::json!({
        "ManualJournalID": "mj-1", "Status": "POSTED", "LineAmountTypes": "Inclusive",
        "JournalLines": [
            { "LineAmount": 115.00, "TaxAmount": 15.00, "AccountCode": "630" },
            { "LineAmount": -115.00, "TaxAmount": 15.00, "AccountCode": "310" }
        ]
    });
    let record = super::normalise(Endpoint::ManualJournals, &raw).unwrap();
    let crate::model::Payload::Document(document) = record.payload else { panic!("{record:?}") };
    let amounts: Vec<_> = document.lines.iter().map(|line| line.line_amount).collect();
    assert_eq!(amounts, [some_dec("100.00"), None], "not -130.00");
    assert_eq!(document.total, None, "not the known lines' 100.00");
}

#[test]
fn an_inclusive_line_without_its_tax_amount_has_no_amount() {
    let raw = serde_json::json!({
        "InvoiceID": "inv-1", "Type": "ACCREC", "Status": "AUTHORISED", "LineAmountTypes": "Inclusive",
        "LineItems": [{ "LineAmount": 115.00, "AccountCode": "200" }]
    });
    let record = super::normalise(Endpoint::Invoices, &raw).unwrap();
    let crate::model::Payload::Document(document) = record.payload else { panic!("{record:?}") };
    assert_eq!(document.lines[0].line_amount, None, "not the gross 115.00");
}
