//! What is refused (with a message naming the field and quoting the value) and what is
//! tolerated, on hand-written records.

use rstest::rstest;
use serde_json::{Value, json};

use super::{normalise, some_dec};
use crate::model::{DocType, Payload, Record};
use crate::xero::{Endpoint, NormaliseError};

fn document(record: Record) -> crate::model::Document {
    match record.payload {
        Payload::Document(document) => document,
        other => panic!("expected a document, got {other:?}"),
    }
}

#[rstest]
#[case::invoice_without_id(Endpoint::Invoices, json!({"Type": "ACCREC", "Total": 1}))]
#[case::invoice_with_empty_id(Endpoint::Invoices, json!({"InvoiceID": "", "Type": "ACCREC"}))]
#[case::invoice_with_blank_id(Endpoint::Invoices, json!({"InvoiceID": "  ", "Type": "ACCREC"}))]
#[case::credit_note_without_id(Endpoint::CreditNotes, json!({"Type": "ACCRECCREDIT"}))]
#[case::payment_without_id(Endpoint::Payments, json!({"Amount": 46.00}))]
#[case::manual_journal_without_id(Endpoint::ManualJournals, json!({"Narration": "x"}))]
#[case::bank_transaction_without_id(Endpoint::BankTransactions, json!({"Type": "SPEND"}))]
#[case::journal_without_id(Endpoint::Journals, json!({"JournalDate": "/Date(0+0000)/"}))]
#[case::account_without_id(Endpoint::Accounts, json!({"Code": "200"}))]
#[case::organisation_without_id(Endpoint::Organisation, json!({"Name": "Acme"}))]
#[case::tracking_category_without_id(Endpoint::TrackingCategories, json!({"Name": "Region"}))]
fn a_record_without_its_id_is_refused(#[case] endpoint: Endpoint, #[case] raw: Value) {
    let error = normalise(endpoint, &raw).unwrap_err();
    assert!(
        matches!(error, NormaliseError::MissingId { endpoint: e } if e == endpoint),
        "{error:?}"
    );
    assert!(error.to_string().contains(endpoint.id_field()), "{error}");
}

#[rstest]
#[case::unreadable_total(
    Endpoint::Invoices,
    json!({"InvoiceID": "inv-1", "Type": "ACCREC", "Total": "12,50"}),
    &["Invoices record \"inv-1\"", "Total: \"12,50\" is not a decimal amount"],
)]
#[case::unreadable_line_amount(
    Endpoint::Invoices,
    json!({"InvoiceID": "inv-1", "Type": "ACCREC", "LineItems": [{"LineAmount": "ten"}]}),
    &["LineAmount: \"ten\" is not a decimal amount"],
)]
#[case::amount_of_the_wrong_json_type(
    Endpoint::Payments,
    json!({"PaymentID": "pay-1", "Amount": true}),
    &["Payments record \"pay-1\"", "Amount: true is not a decimal amount"],
)]
#[case::unreadable_due_date(
    Endpoint::Invoices,
    json!({"InvoiceID": "inv-1", "Type": "ACCREC", "DueDate": "/Date(tomorrow)/"}),
    &["Invoices record \"inv-1\": DueDate \"/Date(tomorrow)/\" is not a Xero date"],
)]
#[case::unreadable_update_time(
    Endpoint::Accounts,
    json!({"AccountID": "acc-1", "UpdatedDateUTC": "last Tuesday"}),
    &["UpdatedDateUTC \"last Tuesday\" is not a Xero date"],
)]
#[case::unreadable_lock_date(
    Endpoint::Organisation,
    json!({"OrganisationID": "org-1", "PeriodLockDate": "/Date(1546214400000+00)/"}),
    &["PeriodLockDate \"/Date(1546214400000+00)/\""],
)]
#[case::unknown_invoice_type(
    Endpoint::Invoices,
    json!({"InvoiceID": "inv-1", "Type": "ACCRECCREDIT"}),
    &["Type \"ACCRECCREDIT\" is not ACCREC or ACCPAY"],
)]
#[case::unknown_credit_note_type(
    Endpoint::CreditNotes,
    json!({"CreditNoteID": "cn-1", "Type": "ACCREC"}),
    &["Type \"ACCREC\" is not ACCRECCREDIT or ACCPAYCREDIT"],
)]
#[case::unknown_bank_transaction_type(
    Endpoint::BankTransactions,
    json!({"BankTransactionID": "b-1", "Type": "TRANSFER"}),
    &["Type \"TRANSFER\" is not SPEND… or RECEIVE…"],
)]
#[case::bank_transaction_without_type(
    Endpoint::BankTransactions,
    json!({"BankTransactionID": "b-1"}),
    &["BankTransactions record \"b-1\" has no Type"],
)]
#[case::invoice_without_type(
    Endpoint::Invoices,
    json!({"InvoiceID": "inv-1"}),
    &["Invoices record \"inv-1\" has no Type"],
)]
#[case::journal_without_date(
    Endpoint::Journals,
    json!({"JournalID": "j-1", "JournalLines": []}),
    &["Journals record \"j-1\" has no JournalDate"],
)]
#[case::journal_line_without_amount(
    Endpoint::Journals,
    json!({"JournalID": "j-1", "JournalDate": "/Date(0+0000)/", "JournalLines": [
        {"AccountCode": "630", "NetAmount": 1.00}, {"AccountCode": "200"}]}),
    &["Journals record \"j-1\" has no JournalLines[1].NetAmount"],
)]
#[case::not_an_object(
    Endpoint::Invoices,
    json!(["InvoiceID", "inv-1"]),
    &["Invoices record without InvoiceID does not have the shape of a Xero record"],
)]
fn a_bad_field_is_refused_with_its_name_and_value(
    #[case] endpoint: Endpoint,
    #[case] raw: Value,
    #[case] expected: &[&str],
) {
    let message = normalise(endpoint, &raw).unwrap_err().to_string();
    for part in expected {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }
}

#[rstest]
#[case::invoice(Endpoint::Invoices, json!({"InvoiceID": "i", "Type": "ACCPAY", "Status": "AWAITING_PAYMENT_V2"}))]
#[case::payment(Endpoint::Payments, json!({"PaymentID": "p", "Status": "REVERSED"}))]
#[case::bank_transaction(Endpoint::BankTransactions, json!({"BankTransactionID": "b", "Type": "SPEND-CRYPTO", "Status": "PENDING"}))]
#[case::manual_journal(Endpoint::ManualJournals, json!({"ManualJournalID": "m", "Status": "SCHEDULED"}))]
fn unknown_statuses_and_types_are_kept(#[case] endpoint: Endpoint, #[case] raw: Value) {
    let document = document(normalise(endpoint, &raw).unwrap());
    assert_eq!(document.status, raw["Status"].as_str().unwrap());
}

#[test]
fn an_unknown_account_status_is_kept() {
    let raw = json!({"AccountID": "a", "Status": "FROZEN", "Type": "CRYPTOASSET"});
    let Payload::Account(account) = normalise(Endpoint::Accounts, &raw).unwrap().payload else {
        panic!()
    };
    assert_eq!(
        (account.status.as_str(), account.account_type.as_deref()),
        ("FROZEN", Some("CRYPTOASSET"))
    );
}

#[test]
fn a_minimal_invoice_normalises_with_everything_else_absent() {
    let document = document(
        normalise(Endpoint::Invoices, &json!({"InvoiceID": "i", "Type": "ACCREC"})).unwrap(),
    );
    assert_eq!(document.doc_type, DocType::SalesInvoice);
    assert_eq!(document.status, "");
    assert_eq!(
        (document.number, document.date, document.total, document.updated_at),
        (None, None, None, None)
    );
    assert!(document.lines.is_empty());
}

#[test]
fn amounts_written_as_strings_are_read_exactly() {
    let raw =
        json!({"InvoiceID": "i", "Type": "ACCREC", "Total": "1234567.89", "TotalTax": "0.10"});
    let document = document(normalise(Endpoint::Invoices, &raw).unwrap());
    assert_eq!(document.total.unwrap().to_string(), "1234567.89");
    assert_eq!(document.tax_total.unwrap().to_string(), "0.10");
}

#[test]
fn json_numbers_are_read_without_float_error() {
    let raw: Value =
        serde_json::from_str(r#"{"InvoiceID": "i", "Type": "ACCREC", "Total": 0.10, "SubTotal": 0.1, "TotalTax": 1234567.89, "AmountPaid": 0.30}"#)
            .unwrap();
    let document = document(normalise(Endpoint::Invoices, &raw).unwrap());
    assert_eq!(document.total, some_dec("0.1"));
    assert_eq!(document.tax_total, some_dec("1234567.89"));
    assert_eq!(document.amount_paid, some_dec("0.3"), "not 0.30000000000000004");
}

#[test]
fn null_arrays_and_unknown_fields_are_tolerated() {
    let raw = json!({
        "InvoiceID": "i", "Type": "ACCREC", "LineItems": null, "Reference": null,
        "BrandNewField": {"Nested": [1, 2, 3]}, "Contact": {"Name": "Acme", "Extra": true}
    });
    let document = document(normalise(Endpoint::Invoices, &raw).unwrap());
    assert!(document.lines.is_empty());
    assert_eq!(document.reference, None);
    assert_eq!(document.contact.as_deref(), Some("Acme"));
}

#[test]
fn a_date_string_is_used_when_date_is_absent() {
    let raw = json!({"InvoiceID": "i", "Type": "ACCREC", "DateString": "2019-03-11T00:00:00", "DueDate": ""});
    let document = document(normalise(Endpoint::Invoices, &raw).unwrap());
    assert_eq!(document.date, chrono::NaiveDate::from_ymd_opt(2019, 3, 11));
    assert_eq!(document.due_date, None, "an empty date is no date");
}

#[test]
fn a_payment_without_a_document_falls_back_to_its_own_reference() {
    let raw = json!({"PaymentID": "p", "Amount": 5.00, "Reference": "Prepayment refund", "PaymentType": "ARPREPAYMENTPAYMENT"});
    let document = document(normalise(Endpoint::Payments, &raw).unwrap());
    assert_eq!(document.reference.as_deref(), Some("Prepayment refund"));
    assert_eq!(document.lines[0].account_code, None);
}
