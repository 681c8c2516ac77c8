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
