//! List pages: accounts, products, summaries, and the `transactions` feed.

use chrono::{DateTime, NaiveDate};
use rstest::rstest;
use serde_json::json;

use super::super::{
    NormaliseError, Summary, ledger_id, ledger_key, ledger_row, list_record, records, summary,
    total,
};
use super::{Endpoint, dec, fixture, postings};
use crate::model::Payload;

#[test]
fn accounts_are_known_by_their_code_and_keep_their_status() {
    let page = fixture("ref_account.json");
    let accounts: Vec<_> = records(Endpoint::Accounts, &page)
        .unwrap()
        .iter()
        .map(|raw| list_record(Endpoint::Accounts, raw).unwrap())
        .collect();
    assert_eq!(accounts.len(), 3);
    let Payload::Account(payable) = &accounts[0].payload else { panic!() };
    assert_eq!(accounts[0].external_id, "800");
    assert_eq!(payable.code.as_deref(), Some("800"));
    assert_eq!(payable.name.as_deref(), Some("Accounts Payable"));
    assert_eq!(payable.account_type.as_deref(), Some("CURRLIAB"));
    assert_eq!(payable.status, "ACTIVE");
    assert_eq!(total(&page), Some(3));
}

#[test]
fn products_are_kept_raw_with_their_modification_time() {
    let page = fixture("product.json");
    let products: Vec<_> = records(Endpoint::Products, &page)
        .unwrap()
        .iter()
        .map(|raw| list_record(Endpoint::Products, raw).unwrap())
        .collect();
    assert_eq!(products[1].external_id, "ce9a6504-4207-4001-b430-749bf11fdc4f");
    assert_eq!(products[1].payload, Payload::RawOnly);
    let expected = DateTime::parse_from_rfc3339("2018-03-02T11:05:41.0266667Z").unwrap();
    assert_eq!(products[1].updated_at, Some(expected.to_utc()));
}

#[rstest]
#[case::sale_list(
    Endpoint::SaleList,
    "saleList.json",
    "6222cb47-0e1e-450d-af6d-0cefcee9eef7",
    Some("2017-09-29T03:03:13.913Z"),
    Endpoint::Sale
)]
#[case::sale_credit_note_list(
    Endpoint::SaleCreditNoteList,
    "saleCreditNoteList.json",
    "d31f22a1-c74d-46ca-aa52-61b26e758603",
    Some("2021-10-26T16:31:00.287Z"),
    Endpoint::Sale
)]
#[case::simple_purchase(
    Endpoint::PurchaseList,
    "purchaseList.json",
    "60b75408-f432-407d-bc69-66a0df49bc4c",
    Some("2018-04-19T04:03:06.52Z"),
    Endpoint::Purchase
)]
#[case::stock_adjustment(
    Endpoint::StockAdjustmentList,
    "stockadjustmentList.json",
    "e129e1bc-d8df-41a0-8a3b-68aee2dbd344",
    None,
    Endpoint::StockAdjustment
)]
#[case::stock_transfer(
    Endpoint::StockTransferList,
    "stockTransferList.json",
    "418f0b3a-1bf4-46d3-9f25-ca499c680727",
    None,
    Endpoint::StockTransfer
)]
#[case::finished_goods(
    Endpoint::FinishedGoodsList,
    "finishedGoodsList.json",
    "c1819dba-772c-4689-8032-0ee7acb4bd66",
    None,
    Endpoint::FinishedGoods
)]
fn a_summary_names_its_detail_and_its_change_marker(
    #[case] list: Endpoint,
    #[case] file: &str,
    #[case] id: &str,
    #[case] updated: Option<&str>,
    #[case] detail: Endpoint,
) {
    let page = fixture(file);
    let first = &records(list, &page).unwrap()[0];
    let expected = Summary {
        id: id.into(),
        updated: updated.map(|t| DateTime::parse_from_rfc3339(t).unwrap().to_utc()),
        detail,
    };
    assert_eq!(summary(list, first).unwrap(), expected);
}

#[test]
fn an_advanced_purchase_summary_sends_its_detail_to_advanced_purchase() {
    let row = json!({"ID": "p1", "Type": "Advanced Purchase", "LastUpdatedDate": "2018-04-12T05:36:13.177Z"});
    assert_eq!(summary(Endpoint::PurchaseList, &row).unwrap().detail, Endpoint::AdvancedPurchase);
}

#[test]
fn a_summary_with_an_unreadable_updated_time_is_an_error() {
    let row = json!({"SaleID": "s1", "Updated": "29/09/2017"});
    let error = summary(Endpoint::SaleList, &row).unwrap_err();
    assert!(matches!(error, NormaliseError::BadDate { .. }), "{error}");
    assert!(error.to_string().contains("Updated"), "{error}");
}

#[test]
fn a_feed_row_becomes_a_debit_line_and_a_credit_line() {
    let page = fixture("transactions.json");
    let raw = &records(Endpoint::Transactions, &page).unwrap()[0];
    let id = ledger_id(&ledger_key(raw), 0);
    assert_eq!(
        id.rsplit_once('/').unwrap().0,
        "transactions/161e64d1-a251-4112-841c-6d2075ff9141/2017-12-15"
    );
    let record = ledger_row(raw, &id).unwrap();
    assert_eq!(record.external_id, id);
    let Payload::Ledger(entry) = &record.payload else { panic!() };
    assert_eq!(entry.source_id, id);
    assert_eq!(postings(entry), [("610", dec("1800")), ("200", dec("-1800"))]);
    assert_eq!(entry.source_type.as_deref(), Some("Sale"));
    assert_eq!(entry.reference.as_deref(), Some("INV-00004/CR-00002"));
    assert_eq!(entry.lines[0].date, NaiveDate::from_ymd_opt(2017, 12, 15).unwrap());
    assert_eq!(
        entry.lines[1].description.as_deref(),
        Some("DIISR - Small Business Services - INV-00004")
    );
}

#[test]
fn a_feed_rows_key_follows_its_content_and_not_its_key_order() {
    let row = json!({"Amount": 5, "DebitAccountCode": "630", "CreditAccountCode": "815", "EffectiveDate": "2026-01-31T00:00:00", "TaskID": "t1"});
    let reordered: serde_json::Value = serde_json::from_str(
        r#"{"TaskID":"t1","EffectiveDate":"2026-01-31T00:00:00","CreditAccountCode":"815","DebitAccountCode":"630","Amount":5}"#,
    )
    .unwrap();
    assert_eq!(ledger_key(&row), ledger_key(&reordered));
    let mut changed = row.clone();
    changed["Amount"] = json!(6);
    assert_ne!(ledger_key(&row), ledger_key(&changed));
    assert_ne!(ledger_id(&ledger_key(&row), 0), ledger_id(&ledger_key(&row), 1));
}

#[rstest]
#[case::no_debit_account("DebitAccountCode", json!(""))]
#[case::no_credit_account("CreditAccountCode", json!(null))]
#[case::no_amount("Amount", json!(null))]
#[case::no_date("EffectiveDate", json!(""))]
fn a_feed_row_without_what_a_posting_needs_is_an_error_naming_it(
    #[case] field: &str,
    #[case] value: serde_json::Value,
) {
    let mut row = json!({"Amount": 5, "DebitAccountCode": "630", "CreditAccountCode": "815", "EffectiveDate": "2026-01-31T00:00:00", "TaskID": "t1"});
    row[field] = value;
    let error = ledger_row(&row, "x").unwrap_err();
    assert!(matches!(error, NormaliseError::MissingField { .. }), "{error}");
    assert!(error.to_string().contains(field), "{error}");
}

#[test]
fn a_page_without_its_collection_is_an_error() {
    let error = records(Endpoint::SaleList, &json!({"Page": 1})).unwrap_err();
    assert!(error.to_string().contains("\"SaleList\""), "{error}");
}
