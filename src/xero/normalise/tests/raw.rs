//! The sync's path ([`raw_records`], [`normalise_raw`]) against the `Value` path: the same
//! records and errors, and each record's text kept exactly as sent. (Every record the other
//! test modules normalise is also checked both ways by `super::normalise`.)

use rstest::rstest;
use serde_json::Value;

use super::{fixture, normalise, records};
use crate::xero::normalise::{PageError, normalise_raw, raw_records};
use crate::xero::{Endpoint, NormaliseError};

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("wiremock-fixtures/xero").join(name);
    std::fs::read(path).unwrap()
}

#[rstest]
#[case::organisation(Endpoint::Organisation, "organisation_get.json")]
#[case::accounts(Endpoint::Accounts, "accounts_get.json")]
#[case::account_statuses(Endpoint::Accounts, "accounts_statuses_get.json")]
#[case::tracking(Endpoint::TrackingCategories, "tracking_categories_get.json")]
#[case::invoices(Endpoint::Invoices, "invoices_get.json")]
#[case::bills(Endpoint::Invoices, "invoices_accpay_get.json")]
#[case::credit_notes(Endpoint::CreditNotes, "creditnotes_get.json")]
#[case::allocated_credit_notes(Endpoint::CreditNotes, "creditnotes_allocated_get.json")]
#[case::payments(Endpoint::Payments, "payments_get.json")]
#[case::manual_journals(Endpoint::ManualJournals, "manual_journals_get.json")]
#[case::manual_journal_lines(Endpoint::ManualJournals, "manual_journals_lines_get.json")]
#[case::bank_transactions(Endpoint::BankTransactions, "banktransactions_get.json")]
#[case::spend_money(Endpoint::BankTransactions, "banktransactions_spend_inventory_get.json")]
#[case::journals(Endpoint::Journals, "journals_get.json")]
#[case::cash_paid_journal(Endpoint::Journals, "journals_cashpaid_get.json")]
fn a_fixture_page_reads_the_same_from_its_text(#[case] endpoint: Endpoint, #[case] name: &str) {
    let body = fixture_bytes(name);
    let raws = raw_records(endpoint, &body).unwrap();
    let page = fixture(name);
    let values = records(endpoint, &page).unwrap();
    assert_eq!(raws.len(), values.len());
    for (raw, value) in raws.iter().zip(values) {
        let text: Value = serde_json::from_str(raw.get()).unwrap();
        assert_eq!(&text, value, "each record's text is that record");
        assert_eq!(
            normalise_raw(endpoint, raw).unwrap(),
            super::super::normalise(endpoint, value).unwrap()
        );
    }
}

#[test]
fn a_records_text_is_kept_exactly_as_sent() {
    let body = br#"{"Invoices": [ {"Type":"ACCREC",  "InvoiceID" : "i\/1", "Total": 40.00} , {"InvoiceID":"i2","Type":"ACCPAY"}]}"#;
    let raws = raw_records(Endpoint::Invoices, body).unwrap();
    let texts: Vec<&str> = raws.iter().map(|raw| raw.get()).collect();
    assert_eq!(
        texts,
        [
            r#"{"Type":"ACCREC",  "InvoiceID" : "i\/1", "Total": 40.00}"#,
            r#"{"InvoiceID":"i2","Type":"ACCPAY"}"#
        ]
    );
    let record = normalise_raw(Endpoint::Invoices, raws[0]).unwrap();
    assert_eq!(record.external_id, "i/1");
}

#[rstest]
#[case::other_key(r#"{"Status": "OK", "Invoice": []}"#)]
#[case::not_an_array(r#"{"Invoices": {"InvoiceID": "i"}}"#)]
#[case::a_number(r#"{"Invoices": 1.50}"#)]
#[case::a_string(r#"{"Invoices": "[]"}"#)]
#[case::null(r#"{"Invoices": null}"#)]
#[case::last_duplicate_is_not_an_array(r#"{"Invoices": [{"InvoiceID": "i"}], "Invoices": true}"#)]
#[case::an_array_page(r#"[{"Invoices": []}]"#)]
#[case::a_number_page("12")]
#[case::a_string_page(r#""Invoices""#)]
fn a_page_without_the_records_array_is_refused_as_before(#[case] body: &str) {
    let value: Value = serde_json::from_str(body).unwrap();
    let expected = records(Endpoint::Invoices, &value).unwrap_err().to_string();
    match raw_records(Endpoint::Invoices, body.as_bytes()) {
        Err(PageError::Shape(error @ NormaliseError::MissingCollection { .. })) => {
            assert_eq!(error.to_string(), expected);
        }
        other => panic!("{body}: {other:?}"),
    }
}

#[test]
fn the_last_of_duplicate_collection_keys_counts() {
    let body =
        br#"{"Invoices": 5, "Other": {"Invoices": []}, "Invoices": [{"InvoiceID": "i"}, 7]}"#;
    let raws = raw_records(Endpoint::Invoices, body).unwrap();
    let texts: Vec<&str> = raws.iter().map(|raw| raw.get()).collect();
    assert_eq!(texts, [r#"{"InvoiceID": "i"}"#, "7"]);
}

#[rstest]
#[case::cut_short(r#"{"Invoices": [{"InvoiceID": "i"}"#)]
#[case::html("<html><body>Service Unavailable</body></html>")]
#[case::trailing_text(r#"{"Invoices": []} and more"#)]
#[case::empty("")]
#[case::bad_record(r#"{"Invoices": [{"InvoiceID": }]}"#)]
fn a_body_that_is_not_json_is_refused_as_before(#[case] body: &str) {
    let expected = serde_json::from_str::<Value>(body).unwrap_err().to_string();
    match raw_records(Endpoint::Invoices, body.as_bytes()) {
        Err(PageError::NotJson(error)) => assert_eq!(error.to_string(), expected),
        other => panic!("{body}: {other:?}"),
    }
}

/// Records the direct read refuses: their result must be the `Value` path's.
#[rstest]
#[case::an_array(Endpoint::Invoices, r#"["InvoiceID", "inv-1"]"#)]
#[case::a_number(Endpoint::Journals, "7")]
#[case::id_of_the_wrong_type(Endpoint::Invoices, r#"{"InvoiceID": 12, "Type": "ACCREC"}"#)]
#[case::duplicate_key(
    Endpoint::Invoices,
    r#"{"InvoiceID": "i", "Type": "ACCREC", "Total": 1.00, "Total": 2.50}"#
)]
#[case::duplicate_id(Endpoint::Payments, r#"{"PaymentID": "a", "PaymentID": "b"}"#)]
#[case::bad_nested_amount(
    Endpoint::CreditNotes,
    r#"{"CreditNoteID": "c", "Type": "ACCRECCREDIT", "Allocations": [{"Amount": "x"}]}"#
)]
#[case::journal_number_not_whole(
    Endpoint::Journals,
    r#"{"JournalID": "j", "JournalDate": "/Date(0+0000)/", "JournalNumber": 1.5}"#
)]
#[case::lines_not_an_array(
    Endpoint::ManualJournals,
    r#"{"ManualJournalID": "m", "JournalLines": {}}"#
)]
#[case::bad_year_end_day(
    Endpoint::Organisation,
    r#"{"OrganisationID": "o", "FinancialYearEndDay": -1}"#
)]
fn a_record_the_direct_read_refuses_gets_the_value_paths_result(
    #[case] endpoint: Endpoint,
    #[case] text: &str,
) {
    let value: Value = serde_json::from_str(text).unwrap();
    // `normalise` (the test helper) asserts that both paths agree; this checks the text as
    // written (key order, duplicates), not as a `Value` prints it.
    let expected = normalise(endpoint, &value).map_err(|error| error.to_string());
    let raw: Box<serde_json::value::RawValue> = serde_json::from_str(text).unwrap();
    let direct = normalise_raw(endpoint, &raw).map_err(|error| error.to_string());
    assert_eq!(direct, expected, "{text}");
}

#[test]
fn a_duplicate_key_reads_as_its_last_value_as_before() {
    let raw: Box<serde_json::value::RawValue> = serde_json::from_str(
        r#"{"InvoiceID": "i", "Type": "ACCREC", "Total": 1.00, "Total": 2.50}"#,
    )
    .unwrap();
    let record = normalise_raw(Endpoint::Invoices, &raw).unwrap();
    let crate::model::Payload::Document(document) = record.payload else { panic!() };
    assert_eq!(document.total.unwrap().to_string(), "2.50");
}
