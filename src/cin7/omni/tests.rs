//! The Omni normaliser on the fixture records (`tests/fixtures/omni/`): either field case,
//! statuses, matching numbers, posting facts, and errors that name their field.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::normalise::{Endpoint, omni_document, record};
use crate::model::{DocType, Document, OmniKind, Payload};

fn sales_order() -> Value {
    let list: Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/omni/SalesOrders.json"))
            .unwrap();
    list[0].clone()
}

fn document(endpoint: Endpoint, raw: &Value) -> Document {
    match record(endpoint, raw).unwrap().payload {
        Payload::Document(document) => document,
        other => panic!("{other:?}"),
    }
}

/// Every key with its first letter upper case, recursively (`invoiceDate` → `InvoiceDate`).
fn pascal(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let mut chars = key.chars();
                    let first = chars.next().map(|c| c.to_ascii_uppercase()).into_iter();
                    (first.chain(chars).collect(), pascal(value))
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(pascal).collect()),
        other => other.clone(),
    }
}

#[test]
fn a_sales_order_is_its_xero_invoice_in_either_field_case() {
    let camel = sales_order();
    let doc = document(Endpoint::SalesOrders, &camel);
    assert_eq!(doc.doc_type, DocType::SalesInvoice);
    assert_eq!(doc.number.as_deref(), Some("10045"));
    assert_eq!(doc.reference.as_deref(), Some("SO-105"));
    assert_eq!(doc.status, "AUTHORISED");
    assert_eq!(doc.total, Some(Decimal::new(2415, 1)));
    assert_eq!(doc.date.map(|d| d.to_string()).as_deref(), Some("2024-03-12"));
    assert_eq!(doc.lines[0].line_amount, Some(Decimal::new(2000, 1)));
    assert_eq!(doc.lines[0].unit_cost, None, "Omni costs are judged by the Omni rule");
    assert_eq!(
        record(Endpoint::SalesOrders, &pascal(&camel)).unwrap(),
        record(Endpoint::SalesOrders, &camel).unwrap()
    );
}

#[test]
fn statuses_follow_voids_exclusions_and_posting_dates() {
    let status = |change: &dyn Fn(&mut Value)| {
        let mut raw = sales_order();
        change(&mut raw);
        document(Endpoint::SalesOrders, &raw).status
    };
    assert_eq!(status(&|_| {}), "AUTHORISED");
    assert_eq!(status(&|r| r["isVoid"] = json!(true)), "VOIDED");
    assert_eq!(status(&|r| r["status"] = json!("Void")), "VOIDED");
    assert_eq!(status(&|r| r["invoiceDate"] = Value::Null), "DRAFT");
    let mut not_invoiced = sales_order();
    not_invoiced["invoiceNumber"] = json!(0);
    assert_eq!(document(Endpoint::SalesOrders, &not_invoiced).number, None, "0 is no number");
    let excluded = |r: &mut Value| {
        r["accountingAttributes"]["accountingImportStatus"] = json!("DoNotImport");
    };
    assert_eq!(status(&excluded), "DO NOT IMPORT");
}

#[test]
fn the_posting_facts_say_which_dates_are_set_and_which_shipped_lines_lack_cost() {
    let mut raw = sales_order();
    raw["dispatchedDate"] = Value::Null;
    raw["lineItems"][0]["unitCost"] = Value::Null;
    raw["accountingAttributes"]["accountingImportStatus"] = json!("Error");
    let facts = omni_document(Endpoint::SalesOrders, &raw).unwrap().unwrap();
    assert_eq!(facts.kind, OmniKind::SalesOrder);
    assert_eq!(facts.source_id, "SalesOrders/105");
    assert_eq!(facts.label, "10045");
    assert_eq!(facts.import_status.as_deref(), Some("Error"));
    assert_eq!(facts.posting_fields, [("invoice date", true), ("dispatch date", false)]);
    assert_eq!(facts.uncosted_lines, ["WIDGET-RED-L"]);
    raw["lineItems"][0]["qtyShipped"] = json!(0);
    let facts = omni_document(Endpoint::SalesOrders, &raw).unwrap().unwrap();
    assert!(facts.uncosted_lines.is_empty(), "a line not shipped has no COGS yet");
    assert_eq!(omni_document(Endpoint::Payments, &json!({"id": 1})).unwrap(), None);
}

#[test]
fn a_purchase_order_is_posted_once_invoiced_with_the_suppliers_number() {
    let mut raw = json!({
        "id": 12, "reference": "PO-12", "invoiceDate": "2024-03-09T00:00:00Z",
        "fullyReceivedDate": "2024-03-08T00:00:00Z", "supplierInvoiceReference": "SUP-8812", "total": 460
    });
    let doc = document(Endpoint::PurchaseOrders, &raw);
    assert_eq!(
        (doc.doc_type, doc.number.as_deref(), doc.status.as_str()),
        (DocType::PurchaseInvoice, Some("SUP-8812"), "AUTHORISED")
    );
    raw["supplierInvoiceReference"] = json!("");
    assert_eq!(document(Endpoint::PurchaseOrders, &raw).status, "DRAFT");
    let facts = omni_document(Endpoint::PurchaseOrders, &raw).unwrap().unwrap();
    assert_eq!(facts.label, "PO-12");
    assert_eq!(facts.posting_fields[2], ("supplier invoice number", false));
}

#[test]
fn an_unreadable_value_names_its_field_and_a_record_without_id_is_refused() {
    let mut raw = sales_order();
    raw["lineItems"][0]["unitPrice"] = json!("12,50");
    let err = record(Endpoint::SalesOrders, &raw).unwrap_err().to_string();
    assert!(
        err.contains("SalesOrders record 105") && err.contains("lineItems[0].unitPrice"),
        "{err}"
    );
    assert!(err.contains("12,50"), "{err}");
    let err = record(Endpoint::CreditNotes, &json!({"total": 1})).unwrap_err().to_string();
    assert!(err.contains("has no id"), "{err}");
}

/// The kinds reconciliation reports about one Omni record, read from its raw JSON, a month
/// after its last change.
fn omni_findings(endpoint: Endpoint, raw: &Value) -> Vec<crate::reconcile::FindingKind> {
    use crate::reconcile::{ReconcileInput, Settings, reconcile};
    let mut input = ReconcileInput::empty(crate::config::AccountMap::inventory_only("630"));
    input.omni_documents = omni_document(endpoint, raw).unwrap().into_iter().collect();
    let now = "2026-04-01T00:00:00Z".parse().unwrap();
    reconcile(&input, &Settings::default(), now).findings.into_iter().map(|f| f.kind).collect()
}

/// The checks of Omni's "Sales Orders and Credit Notes" and "Purchase Orders and Supplier
/// Credit Notes" reports that Omni's API supports, from the raw record: a sales order's
/// invoice and dispatch dates (Omni's `SalesOrder` has no completed date: the report's
/// "Completed Date" is the credit note's), a customer credit note's credit-note and completed
/// dates, a purchase order's received and invoice dates and supplier invoice number. Supplier
/// credit notes have no endpoint in Omni's API, so they cannot be checked.
#[rstest::rstest]
#[case::order_invoiced_and_dispatched(Endpoint::SalesOrders, json!({}), false)]
#[case::order_invoiced_not_dispatched(Endpoint::SalesOrders, json!({ "dispatchedDate": null }), true)]
#[case::order_dispatched_not_invoiced(Endpoint::SalesOrders, json!({ "invoiceDate": null }), true)]
#[case::order_with_neither_has_not_started(Endpoint::SalesOrders, json!({ "invoiceDate": null, "dispatchedDate": null }), false)]
#[case::credit_note_dated_and_completed(Endpoint::CreditNotes, json!({}), false)]
#[case::credit_note_dated_not_completed(Endpoint::CreditNotes, json!({ "completedDate": null }), true)]
#[case::credit_note_completed_without_its_date(Endpoint::CreditNotes, json!({ "creditNoteDate": null }), true)]
#[case::credit_note_with_neither_has_not_started(Endpoint::CreditNotes, json!({ "creditNoteDate": null, "completedDate": null }), false)]
#[case::purchase_received_invoiced_and_numbered(Endpoint::PurchaseOrders, json!({}), false)]
#[case::purchase_invoiced_without_supplier_number(Endpoint::PurchaseOrders, json!({ "supplierInvoiceReference": null }), true)]
#[case::purchase_received_not_invoiced(Endpoint::PurchaseOrders, json!({ "invoiceDate": null, "supplierInvoiceReference": null }), true)]
#[case::purchase_invoiced_not_received(Endpoint::PurchaseOrders, json!({ "fullyReceivedDate": null }), true)]
#[case::purchase_not_started(Endpoint::PurchaseOrders, json!({ "fullyReceivedDate": null, "invoiceDate": null, "supplierInvoiceReference": null }), false)]
fn a_missing_posting_date_is_found_from_the_raw_record_and_not_on_its_clean_twin(
    #[case] endpoint: Endpoint,
    #[case] changes: Value,
    #[case] reported: bool,
) {
    let mut raw = match endpoint {
        Endpoint::SalesOrders => json!({
            "id": 1, "invoiceNumber": 10045, "invoiceDate": "2026-03-01T00:00:00Z",
            "dispatchedDate": "2026-03-01T00:00:00Z"
        }),
        Endpoint::CreditNotes => json!({
            "id": 2, "creditNoteNumber": 2007, "creditNoteDate": "2026-03-01T00:00:00Z",
            "completedDate": "2026-03-01T00:00:00Z"
        }),
        _ => json!({
            "id": 3, "reference": "PO-3", "fullyReceivedDate": "2026-02-28T00:00:00Z",
            "invoiceDate": "2026-03-01T00:00:00Z", "supplierInvoiceReference": "SUP-1"
        }),
    };
    raw["modifiedDate"] = json!("2026-03-01T10:00:00Z");
    raw["accountingAttributes"] = json!({ "accountingImportStatus": "Imported" });
    for (key, value) in changes.as_object().unwrap() {
        raw[key] = value.clone();
    }
    let kinds = omni_findings(endpoint, &raw);
    let expected =
        if reported { vec![crate::reconcile::FindingKind::MissingDocumentDate] } else { vec![] };
    assert_eq!(kinds, expected);
}

fn payment() -> Value {
    let list: Value =
        serde_json::from_str(include_str!("../../../tests/fixtures/omni/Payments.json")).unwrap();
    list[0].clone()
}

#[rstest::rstest]
#[case::by_order_type_and_id(json!({}), Some("10045"), "AUTHORISED")]
#[case::by_reference_without_a_type(json!({ "orderType": null, "orderId": null }), Some("10045"), "AUTHORISED")]
#[case::a_purchase_order_of_the_same_id_is_another_order(json!({ "orderType": "PurchaseOrder", "orderRef": null }), None, "AUTHORISED")]
#[case::unknown_order_keeps_its_order_reference(json!({ "orderId": 999, "orderRef": "SO-999" }), Some("SO-999"), "AUTHORISED")]
#[case::not_authorised(json!({ "isAuthorized": false }), Some("10045"), "DRAFT")]
fn a_payment_is_named_by_the_invoice_number_of_the_order_it_pays(
    #[case] overrides: Value,
    #[case] reference: Option<&str>,
    #[case] status: &str,
) {
    let mut orders = super::normalise::PaidOrders::default();
    orders.add(Endpoint::SalesOrders, &sales_order());
    let mut raw = payment();
    for (key, value) in overrides.as_object().unwrap() {
        raw[key] = value.clone();
    }
    let doc = super::normalise::payment_with(&raw, &orders).unwrap();
    assert_eq!(doc.doc_type, DocType::Payment);
    assert_eq!(doc.external_id, "Payments/77");
    assert_eq!((doc.reference.as_deref(), doc.status.as_str()), (reference, status));
    assert_eq!(doc.total, Some(Decimal::new(2415, 1)));
}

#[test]
fn a_payment_of_a_voided_order_is_not_expected_in_xero() {
    let mut orders = super::normalise::PaidOrders::default();
    let mut order = sales_order();
    order["isVoid"] = json!(true);
    orders.add(Endpoint::SalesOrders, &order);
    let doc = super::normalise::payment_with(&payment(), &orders).unwrap();
    assert_eq!(doc.status, "VOIDED");
    // Read alone (at sync time), it names its order's reference.
    assert_eq!(document(Endpoint::Payments, &payment()).reference.as_deref(), Some("SO-105"));
}

/// A line posts its amount before tax: with prices that include tax (`taxStatus` `Incl`) it is
/// divided by `1 + taxRate/100`, to the cent, and the rest is its tax.
#[rstest::rstest]
#[case::exclusive("Excl", Decimal::new(2000, 2), None)]
#[case::inclusive("Incl", Decimal::new(1818, 2), Some(Decimal::new(182, 2)))]
#[case::exempt("Exempt", Decimal::new(2000, 2), None)]
fn a_line_amount_is_before_tax(
    #[case] status: &str,
    #[case] amount: Decimal,
    #[case] tax: Option<Decimal>,
) {
    let mut order = sales_order();
    order["taxStatus"] = json!(status);
    order["taxRate"] = json!(10);
    order["lineItems"] = json!([{ "code": "SKU", "qty": 2, "unitPrice": 10.00, "discount": 0 }]);
    let line = &document(Endpoint::SalesOrders, &order).lines[0];
    assert_eq!((line.line_amount, line.tax_amount), (Some(amount), tax));
}
