//! Normalising the recorded responses in `wiremock-fixtures/xero/` (read at test time), and
//! the errors and tolerance rules on hand-written records.

mod documents;
mod errors;
mod ledger;
mod raw;

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use rstest::rstest;
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::{Endpoint, NormaliseError, normalise_raw, records};
use crate::model::{Document, Payload, Record};

/// A fixture file, parsed.
fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("wiremock-fixtures/xero").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// Normalises `raw` both ways, through a `Value` ([`super::normalise`]) and from its JSON
/// text as the sync does ([`normalise_raw`]); checks they agree (the same record, or the same
/// error message) and returns the result.
fn normalise(endpoint: Endpoint, raw: &Value) -> Result<Record, NormaliseError> {
    let through_value = super::normalise(endpoint, raw);
    let text: Box<RawValue> = serde_json::from_str(&raw.to_string()).unwrap();
    let direct = normalise_raw(endpoint, &text);
    match (&through_value, &direct) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{raw}"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{raw}"),
        _ => panic!("{raw}: through a Value {through_value:?}, from its text {direct:?}"),
    }
    through_value
}

/// Every record of a fixture page, normalised.
fn normalise_page(endpoint: Endpoint, name: &str) -> Vec<Record> {
    let page = fixture(name);
    records(endpoint, &page)
        .unwrap()
        .iter()
        .map(|raw| normalise(endpoint, raw).unwrap_or_else(|error| panic!("{name}: {error}")))
        .collect()
}

/// Every record of a fixture page as a document; also checks the record wraps it faithfully.
fn documents(endpoint: Endpoint, name: &str) -> Vec<Document> {
    normalise_page(endpoint, name)
        .into_iter()
        .map(|record| match record.payload {
            Payload::Document(document) => {
                assert_eq!(record.external_id, document.external_id);
                assert_eq!(record.updated_at, document.updated_at);
                document
            }
            other => panic!("{name}: expected a document, got {other:?}"),
        })
        .collect()
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

#[expect(clippy::unnecessary_wraps, reason = "compared with `Option<Decimal>` fields")]
fn some_dec(text: &str) -> Option<Decimal> {
    Some(dec(text))
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn instant(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap()
}

#[rstest]
#[case::organisation(Endpoint::Organisation, "Organisation", "Organisations", "OrganisationID")]
#[case::accounts(Endpoint::Accounts, "Accounts", "Accounts", "AccountID")]
#[case::tracking(
    Endpoint::TrackingCategories,
    "TrackingCategories",
    "TrackingCategories",
    "TrackingCategoryID"
)]
#[case::invoices(Endpoint::Invoices, "Invoices", "Invoices", "InvoiceID")]
#[case::credit_notes(Endpoint::CreditNotes, "CreditNotes", "CreditNotes", "CreditNoteID")]
#[case::payments(Endpoint::Payments, "Payments", "Payments", "PaymentID")]
#[case::manual_journals(
    Endpoint::ManualJournals,
    "ManualJournals",
    "ManualJournals",
    "ManualJournalID"
)]
#[case::bank_transactions(
    Endpoint::BankTransactions,
    "BankTransactions",
    "BankTransactions",
    "BankTransactionID"
)]
#[case::journals(Endpoint::Journals, "Journals", "Journals", "JournalID")]
fn endpoints_name_xeros_path_collection_and_id(
    #[case] endpoint: Endpoint,
    #[case] path: &str,
    #[case] key: &str,
    #[case] id: &str,
) {
    assert_eq!(endpoint.as_str(), path);
    assert_eq!(endpoint.to_string(), path);
    assert_eq!(endpoint.collection_key(), key);
    assert_eq!(endpoint.id_field(), id);
    assert!(Endpoint::ALL.contains(&endpoint));
}

#[rstest]
#[case::organisation(Endpoint::Organisation, "organisation_get.json", 1)]
#[case::accounts(Endpoint::Accounts, "accounts_get.json", 2)]
#[case::one_account(Endpoint::Accounts, "account_single_get.json", 1)]
#[case::account_statuses(Endpoint::Accounts, "accounts_statuses_get.json", 4)]
#[case::tracking(Endpoint::TrackingCategories, "tracking_categories_get.json", 2)]
#[case::invoices(Endpoint::Invoices, "invoices_get.json", 3)]
#[case::one_invoice(Endpoint::Invoices, "invoice_single_get.json", 1)]
#[case::bills(Endpoint::Invoices, "invoices_accpay_get.json", 3)]
#[case::credit_notes(Endpoint::CreditNotes, "creditnotes_get.json", 2)]
#[case::allocated_credit_notes(Endpoint::CreditNotes, "creditnotes_allocated_get.json", 2)]
#[case::payments(Endpoint::Payments, "payments_get.json", 2)]
#[case::one_payment(Endpoint::Payments, "payment_single_get.json", 1)]
#[case::manual_journals(Endpoint::ManualJournals, "manual_journals_get.json", 3)]
#[case::manual_journal_lines(Endpoint::ManualJournals, "manual_journals_lines_get.json", 2)]
#[case::bank_transactions(Endpoint::BankTransactions, "banktransactions_get.json", 3)]
#[case::spend_money(Endpoint::BankTransactions, "banktransactions_spend_inventory_get.json", 2)]
#[case::journals(Endpoint::Journals, "journals_get.json", 4)]
#[case::cash_paid_journal(Endpoint::Journals, "journals_cashpaid_get.json", 1)]
fn every_fixture_record_normalises_under_its_own_id(
    #[case] endpoint: Endpoint,
    #[case] name: &str,
    #[case] count: usize,
) {
    let page = fixture(name);
    let raw = records(endpoint, &page).unwrap();
    let normalised = normalise_page(endpoint, name);
    assert_eq!(normalised.len(), count);
    for (raw, record) in raw.iter().zip(&normalised) {
        assert_eq!(Some(record.external_id.as_str()), raw[endpoint.id_field()].as_str());
    }
}

#[test]
fn a_page_without_the_collection_array_is_an_error() {
    let page = json!({"Status": "OK", "Invoice": []});
    let error = records(Endpoint::Invoices, &page).unwrap_err();
    assert!(matches!(error, NormaliseError::MissingCollection { endpoint: Endpoint::Invoices }));
    assert_eq!(error.to_string(), "the Invoices response has no \"Invoices\" array of records");
}

#[test]
fn the_organisation_page_uses_the_plural_key() {
    let page = fixture("organisation_get.json");
    assert_eq!(records(Endpoint::Organisation, &page).unwrap().len(), 1);
}
