//! Sales and purchases: documents, slices, ledger postings, and what happens to bad parts.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use super::{Endpoint, dec, detail, documents, fixture, ledger, postings, raw_of, record};
use crate::model::{DocType, Payload};

const SALE: &str = "916ab4c0-6ccb-4c93-873d-0603859050e4";
const HANDMADE: &str = "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f";

fn updated() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-05T01:02:03.123Z").unwrap().to_utc()
}

#[test]
fn a_sale_gives_its_raw_record_invoices_credit_notes_and_ledger() {
    let sale = detail(Endpoint::Sale, "sale.json");
    let whole = record(&sale, SALE);
    assert_eq!(whole.payload, Payload::RawOnly);
    assert_eq!(raw_of(&sale, SALE), fixture("sale.json").to_string(), "kept whole, as sent");
    let docs = documents(&sale);
    let [invoice, credit, refund] = docs.as_slice() else { panic!("{docs:?}") };
    assert_eq!(invoice.doc_type, DocType::SalesInvoice);
    assert_eq!(invoice.external_id, "b039f19e-66f8-4309-a4b1-abf928303c88");
    assert_eq!(invoice.number.as_deref(), Some("INV-00001"));
    assert_eq!(invoice.contact.as_deref(), Some("Hamilton Smith Pty"));
    assert_eq!(invoice.currency.as_deref(), Some("RUB"));
    assert_eq!(invoice.status, "AUTHORISED");
    assert_eq!(invoice.date, NaiveDate::from_ymd_opt(2017, 11, 22));
    assert_eq!(invoice.due_date, NaiveDate::from_ymd_opt(2017, 12, 22));
    assert_eq!(
        (invoice.total, invoice.tax_total, invoice.amount_paid),
        (Some(dec("358")), Some(dec("0")), Some(dec("0")))
    );
    assert_eq!(invoice.reference, None, "an empty CustomerReference is no reference");
    assert_eq!(invoice.lines.len(), 2, "the product line and the additional charge");
    assert_eq!(invoice.lines[0].item_code.as_deref(), Some("Bread"));
    assert_eq!(invoice.lines[0].unit_cost, Some(dec("5")));
    assert_eq!(invoice.lines[1].line_amount, Some(dec("350")));
    assert_eq!(credit.doc_type, DocType::SalesCreditNote);
    assert_eq!(credit.number.as_deref(), Some("CR-00001"));
    assert_eq!(credit.reference.as_deref(), Some("INV-00001"), "the invoice it credits");
    assert_eq!(credit.status, "DRAFT");
    assert_eq!(refund.doc_type, DocType::Payment);
    assert_eq!(refund.external_id, "20d5ff25-afa2-cd74-96d7-c7f0dd1fa1c1");
    assert_eq!(refund.reference.as_deref(), Some("CR-00001"), "the credit note it refunds");
    assert_eq!(refund.status, "DRAFT", "the refunded credit note's status");
    assert_eq!(
        (refund.date, refund.total),
        (NaiveDate::from_ymd_opt(2017, 11, 23), Some(dec("358")))
    );
    assert_eq!(refund.lines[0].account_code.as_deref(), Some("718"));
    let entry = ledger(&sale);
    assert_eq!(entry.source_id, format!("sale/{SALE}"));
    assert_eq!(
        postings(entry),
        [
            ("610", dec("1")),
            ("200", dec("-1")),
            ("610", dec("-1")),
            ("200", dec("1")),
            ("610", dec("-2")),
            ("200", dec("2"))
        ]
    );
    assert!(entry.lines.iter().all(|l| l.date == NaiveDate::from_ymd_opt(2018, 9, 25).unwrap()));
}

#[test]
fn amounts_are_exact_account_fields_give_their_code_and_unknown_statuses_are_kept() {
    let sale =
        super::super::detail(Endpoint::Sale, &fixture("sale_handmade.json"), Some(updated()));
    assert!(sale.rejected.is_empty(), "{:?}", sale.rejected);
    let docs = without_payments(&sale);
    let [invoice, credit] = docs.as_slice() else { panic!("{docs:?}") };
    assert_eq!(invoice.total, Some(dec("1234500.33")));
    assert_eq!(invoice.total.unwrap().to_string(), "1234500.33");
    assert_eq!(invoice.lines[0].unit_amount, Some(dec("1.2345")));
    assert_eq!(invoice.lines[0].account_code.as_deref(), Some("200"));
    assert_eq!(invoice.lines[1].unit_amount.unwrap().to_string(), "0.10", "scale as written");
    assert_eq!(invoice.lines[1].account_code.as_deref(), Some("260"));
    assert_eq!(invoice.amount_paid, Some(dec("1000.00")));
    assert_eq!(invoice.reference.as_deref(), Some("PO-7781"));
    assert_eq!(credit.status, "AWAITING RESTOCK");
    for (record, _) in &sale.records {
        if !matches!(record.payload, Payload::Ledger(_)) {
            assert_eq!(record.updated_at, Some(updated()), "{}", record.external_id);
        }
    }
    assert_eq!(
        postings(ledger(&sale)),
        [
            ("610", dec("1234500.30")),
            ("200", dec("-1234500.30")),
            ("610", dec("0.03")),
            ("820", dec("-0.03")),
            ("310", dec("4.5")),
            ("630", dec("-4.5")),
            ("200", dec("10.00")),
            ("610", dec("-10.00")),
        ]
    );
    assert_eq!(ledger(&sale).lines[7].date, NaiveDate::from_ymd_opt(2026, 3, 5).unwrap());
}

#[test]
fn an_invoice_is_stored_as_a_slice_that_normalises_to_the_same_document() {
    let sale = detail(Endpoint::Sale, "sale_handmade.json");
    let id = "f3e2d1c0-b9a8-4776-8554-433221100fed";
    let slice: Value = serde_json::from_str(raw_of(&sale, id)).unwrap();
    assert_eq!(slice["Customer"], "Acme Pty Ltd");
    assert_eq!(slice["Invoices"].as_array().unwrap().len(), 1);
    assert!(slice.get("CreditNotes").is_none() && slice.get("Transactions").is_none());
    assert!(slice.get("InventoryMovements").is_none(), "collections stay in the whole record");
    let again = super::super::detail(Endpoint::Sale, &slice, None);
    assert_eq!(record(&again, id), record(&sale, id));
}

#[test]
fn a_simple_purchase_has_one_invoice_and_one_credit_note_without_task_ids() {
    let purchase = detail(Endpoint::Purchase, "purchase.json");
    let id = "02b08cd2-51d2-41e6-ab97-85bcd13e7136";
    let docs = without_payments(&purchase);
    let [invoice, credit] = docs.as_slice() else { panic!("{docs:?}") };
    assert_eq!(invoice.external_id, format!("{id}/Invoice/0"));
    assert_eq!(invoice.doc_type, DocType::PurchaseInvoice);
    assert_eq!(invoice.number.as_deref(), Some("1"), "read from the misspelt InvocieNumber");
    assert_eq!((invoice.total, invoice.amount_paid), (Some(dec("9")), Some(dec("5"))));
    assert_eq!(invoice.contact.as_deref(), Some("ABPA"));
    assert_eq!(invoice.reference.as_deref(), Some("PO-00001"));
    assert_eq!(invoice.lines.len(), 3);
    assert_eq!(invoice.lines[0].account_code.as_deref(), Some("715"));
    assert_eq!(credit.external_id, format!("{id}/CreditNote/0"));
    assert_eq!(credit.doc_type, DocType::PurchaseCreditNote);
    assert_eq!(credit.number.as_deref(), Some("tr12"));
    assert_eq!(credit.date, NaiveDate::from_ymd_opt(2017, 12, 21));
    assert!(ledger(&purchase).lines.is_empty(), "no Transactions: an entry that clears old lines");
}

#[test]
fn an_advanced_purchase_has_lists_of_invoices_and_credit_notes() {
    let purchase = detail(Endpoint::AdvancedPurchase, "advanced-purchase.json");
    let docs = without_payments(&purchase);
    let numbers: Vec<_> = docs.iter().map(|d| (d.doc_type, d.number.as_deref().unwrap())).collect();
    assert_eq!(
        numbers,
        [
            (DocType::PurchaseInvoice, "INV-00069"),
            (DocType::PurchaseCreditNote, "CR-00069"),
            (DocType::PurchaseCreditNote, "CR-00069-2")
        ]
    );
    assert_eq!(docs[0].external_id, "dd31bf19-ea4b-412b-970c-d59f1a98ceea");
    assert_eq!(docs[0].total, Some(dec("840")));
    assert_eq!(docs[0].currency.as_deref(), Some("USD"));
}

fn without_payments(detail: &super::Detail) -> Vec<&crate::model::Document> {
    documents(detail).into_iter().filter(|d| d.doc_type != DocType::Payment).collect()
}

#[test]
fn payments_and_refunds_are_documents_naming_what_they_pay() {
    let sale = detail(Endpoint::Sale, "sale_handmade.json");
    let id = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    let payment = documents(&sale).into_iter().find(|d| d.external_id == id).unwrap();
    assert_eq!(payment.doc_type, DocType::Payment);
    assert_eq!(payment.reference.as_deref(), Some("INV-01001"), "the invoice it pays");
    assert_eq!(payment.status, "AUTHORISED");
    assert_eq!(
        (payment.date, payment.total),
        (NaiveDate::from_ymd_opt(2026, 3, 4), Some(dec("1000")))
    );
    assert_eq!(payment.lines[0].account_code.as_deref(), Some("090"), "the bank account's code");
    assert_eq!(payment.lines[0].description.as_deref(), Some("EFT"));
    let slice: Value = serde_json::from_str(raw_of(&sale, id)).unwrap();
    assert_eq!(slice["InvoiceNumber"], "INV-01001", "kept as a slice of its invoice");
    assert_eq!(slice["Payments"].as_array().unwrap().len(), 1);
    // A purchase's payments have no TaskID of their own in the simple shape; ids stay unique.
    let purchase = detail(Endpoint::Purchase, "purchase.json");
    let paid: Vec<_> = documents(&purchase)
        .into_iter()
        .filter(|d| d.doc_type == DocType::Payment)
        .map(|d| (d.reference.as_deref().unwrap(), d.total.unwrap()))
        .collect();
    assert_eq!(paid, [("1", dec("1")), ("1", dec("1")), ("tr12", dec("9"))]);
}

#[test]
fn a_payment_without_an_id_is_known_by_its_position() {
    let mut raw = fixture("sale_handmade.json");
    raw["Invoices"][0]["Payments"][0]["ID"] = json!(null);
    raw["Invoices"][0]["Payments"][0]["DatePaid"] = json!("04/03/2026");
    let sale = super::super::detail(Endpoint::Sale, &raw, None);
    let [rejected] = sale.rejected.as_slice() else { panic!("{:?}", sale.rejected) };
    assert_eq!(
        rejected.external_id.as_deref(),
        Some("f3e2d1c0-b9a8-4776-8554-433221100fed/Payments/0")
    );
    assert!(rejected.error.to_string().contains("DatePaid"), "{}", rejected.error);
}

#[test]
fn an_unreadable_invoice_is_rejected_alone() {
    let mut raw = fixture("sale_handmade.json");
    raw["Invoices"][0]["Total"] = json!("12,50");
    let sale = super::super::detail(Endpoint::Sale, &raw, Some(updated()));
    let [rejected] = sale.rejected.as_slice() else { panic!("{:?}", sale.rejected) };
    assert_eq!(rejected.external_id.as_deref(), Some("f3e2d1c0-b9a8-4776-8554-433221100fed"));
    let message = rejected.error.to_string();
    assert!(message.contains("Total") && message.contains("12,50"), "{message}");
    assert!(rejected.raw.contains("12,50"), "the bad element is kept");
    let docs: Vec<_> = documents(&sale).iter().map(|d| d.doc_type).collect();
    assert_eq!(docs, [DocType::Payment, DocType::SalesCreditNote], "its payment and the note land");
    assert_eq!(ledger(&sale).lines.len(), 8, "and so do the postings");
    assert!(sale.records.iter().any(|(r, _)| r.external_id == HANDMADE), "and the whole sale");
}

#[test]
fn a_posting_without_an_account_rejects_the_ledger_entry_and_not_the_documents() {
    let mut raw = fixture("sale_handmade.json");
    raw["Transactions"][2]["Debit"] = json!("");
    let sale = super::super::detail(Endpoint::Sale, &raw, None);
    let [rejected] = sale.rejected.as_slice() else { panic!("{:?}", sale.rejected) };
    assert_eq!(rejected.external_id.as_deref(), Some(format!("sale/{HANDMADE}").as_str()));
    assert!(rejected.error.to_string().contains("Transactions[2].Debit"), "{}", rejected.error);
    assert_eq!(documents(&sale).len(), 3, "the invoice, its payment and the credit note");
}

#[test]
fn a_sale_without_an_id_is_rejected_whole() {
    let mut raw = fixture("sale.json");
    raw["ID"] = json!("");
    let sale = super::super::detail(Endpoint::Sale, &raw, None);
    assert!(sale.records.is_empty());
    let [rejected] = sale.rejected.as_slice() else { panic!("{:?}", sale.rejected) };
    assert!(rejected.error.to_string().contains("has no ID"), "{}", rejected.error);
}

/// A sale priced tax-inclusive gives line totals with their tax; what a line posts is without
/// it. Its `TaxCalculation` says which; without it, the numbers do: inclusive lines add up to
/// the invoice's total with tax.
#[rstest::rstest]
#[case::inclusive_by_its_numbers(None, "115.00", "23.00", "18.00", "138.00")]
#[case::exclusive_by_its_numbers(None, "100.00", "20.00", "18.00", "138.00")]
#[case::no_tax(None, "100.00", "20.00", "0", "120.00")]
#[case::inclusive_by_its_setting(Some("Inclusive"), "115.00", "23.00", "18.00", "138.00")]
#[case::exclusive_by_its_setting(Some("Exclusive"), "100.00", "20.00", "18.00", "138.00")]
fn a_line_amount_is_without_tax_however_the_sale_was_priced(
    #[case] calculation: Option<&str>,
    #[case] line: &str,
    #[case] charge: &str,
    #[case] tax: &str,
    #[case] total: &str,
) {
    let (line_tax, charge_tax) = if tax == "0" { ("0", "0") } else { ("15.00", "3.00") };
    let setting = calculation.map(|c| format!(r#""TaxCalculation": "{c}","#)).unwrap_or_default();
    let raw: Value = serde_json::from_str(&format!(
        r#"{{"ID": "{SALE}", "Customer": "Acme", {setting} "Invoices": [{{
            "TaskID": "{HANDMADE}", "InvoiceNumber": "INV-1", "InvoiceDate": "2026-03-05T00:00:00",
            "Status": "AUTHORISED", "Tax": {tax}, "Total": {total},
            "Lines": [{{"Account": "200", "Tax": {line_tax}, "Total": {line}}}],
            "AdditionalCharges": [{{"Account": "200", "Tax": {charge_tax}, "Total": {charge}}}]
        }}]}}"#
    ))
    .unwrap();
    let sale = super::super::detail(Endpoint::Sale, &raw, Some(updated()));
    let docs = without_payments(&sale);
    let [invoice] = docs.as_slice() else { panic!("{docs:?}") };
    assert_eq!(invoice.lines[0].line_amount, Some(dec("100.00")));
    let net: rust_decimal::Decimal = invoice.lines.iter().filter_map(|l| l.line_amount).sum();
    assert_eq!(net + invoice.tax_total.unwrap(), invoice.total.unwrap(), "lines + tax = total");
}

/// A tax-inclusive line without its tax amount posts an unknown amount, not its gross total.
#[test]
fn an_inclusive_line_without_its_tax_has_no_amount() {
    let raw = json!({"ID": SALE, "TaxCalculation": "Inclusive", "Invoices": [{
        "TaskID": HANDMADE, "InvoiceNumber": "INV-1", "InvoiceDate": "2026-03-05T00:00:00",
        "Status": "AUTHORISED", "Lines": [{"Account": "200", "Total": 115}]}]});
    let sale = super::super::detail(Endpoint::Sale, &raw, Some(updated()));
    let docs = without_payments(&sale);
    assert_eq!(docs[0].lines[0].line_amount, None);
}
