//! `cxsync show REF`: both versions side by side, the match, and the finding with its history.

use std::process::Command;

use chrono::{DateTime, NaiveDate};
use cxsync::config::Cin7Kind;
use cxsync::model::{DocType, Document, Payload, Record, System};
use cxsync::reconcile::{Finding, FindingKind, Match, MatchMethod, Outcome, Severity};
use cxsync::store::{PageWrite, Store};
use rust_decimal::Decimal;

fn invoice(id: &str, total: i64, status: &str) -> Document {
    Document {
        doc_type: DocType::SalesInvoice,
        external_id: id.into(),
        number: Some("INV-0042".into()),
        reference: Some("SO-0042".into()),
        contact: Some("Customer".into()),
        status: status.into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 2),
        due_date: None,
        currency: Some("AUD".into()),
        total: Some(Decimal::new(total, 2)),
        tax_total: None,
        amount_paid: None,
        amount_credited: None,
        updated_at: None,
        channel: None,
        lines: vec![],
    }
}

fn write(store: &mut Store, system: System, endpoint: &str, doc: Document) {
    let record = Record {
        external_id: doc.external_id.clone(),
        updated_at: None,
        payload: Payload::Document(doc),
    };
    let page = PageWrite::records("acme", system, endpoint, vec![(record, "{}".into())]);
    store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
}

#[test]
fn show_puts_both_sides_next_to_each_other_with_match_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cxsync.db");
    let mut store = Store::open(&db).unwrap();
    store.ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH).unwrap();
    write(&mut store, System::Cin7, "sale", invoice("cin7-task-1", 11_000, "AUTHORISED"));
    write(&mut store, System::Xero, "Invoices", invoice("xero-inv-1", 10_500, "PAID"));
    let outcome = Outcome {
        matches: vec![Match {
            cin7_id: "cin7-task-1".into(),
            xero_id: "xero-inv-1".into(),
            method: MatchMethod::DocumentNumber,
        }],
        findings: vec![Finding {
            kind: FindingKind::PaidDocumentEdit,
            severity: Severity::Error,
            fingerprint: "fp".into(),
            cin7_ref: Some("INV-0042".into()),
            xero_ref: Some("INV-0042".into()),
            account_code: Some("630".into()),
            amount: Some(Decimal::new(500, 2)),
            other_accounts: vec![("310".into(), Decimal::new(-500, 2))],
            date: None,
            message: "Remove the payment in Xero, let Cin7 re-sync, then re-apply it.".into(),
        }],
    };
    store.save_outcome("acme", &outcome, DateTime::from_timestamp(1_000, 0).unwrap()).unwrap();
    drop(store);

    let output = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["show", "INV-0042", "--store", db.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}{}", String::from_utf8_lossy(&output.stderr));
    let status_line = text.lines().find(|l| l.starts_with("status")).unwrap();
    assert!(status_line.contains("AUTHORISED") && status_line.contains("PAID"), "{text}");
    let total_line = text.lines().find(|l| l.starts_with("total ")).unwrap();
    assert!(total_line.contains("110.00") && total_line.contains("105.00"), "{text}");
    assert!(text.contains("cin7 cin7-task-1 ↔ xero xero-inv-1 by document_number"), "{text}");
    assert!(text.contains("[OPEN] paid_document_edit (error)"), "{text}");
    assert!(text.contains("amount 5.00 (on account 630 5.00, 310 -5.00)"), "{text}");
    assert!(text.contains("Remove the payment in Xero"), "{text}");
    assert!(text.contains("paid_document_edit opened"), "{text}");

    let missing = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["show", "INV-9999", "--store", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("nothing is stored under `INV-9999`")
    );
}
