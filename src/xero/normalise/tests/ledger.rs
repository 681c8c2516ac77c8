//! Journals, accounts, the organisation, tracking categories and the trial balance.

use rust_decimal::Decimal;
use serde_json::json;

use super::{day, dec, fixture, instant, normalise_page};
use crate::model::{Account, LedgerEntry, Payload, TrialBalanceRow};
use crate::xero::{Endpoint, NormaliseError, trial_balance};

fn ledger(name: &str) -> Vec<LedgerEntry> {
    normalise_page(Endpoint::Journals, name)
        .into_iter()
        .map(|record| match record.payload {
            Payload::Ledger(entry) => {
                assert_eq!(record.external_id, entry.source_id);
                entry
            }
            other => panic!("expected a ledger entry, got {other:?}"),
        })
        .collect()
}

fn accounts(name: &str) -> Vec<Account> {
    normalise_page(Endpoint::Accounts, name)
        .into_iter()
        .map(|record| match record.payload {
            Payload::Account(account) => {
                assert_eq!(record.external_id, account.external_id);
                assert_eq!(record.updated_at, account.updated_at);
                account
            }
            other => panic!("expected an account, got {other:?}"),
        })
        .collect()
}

#[test]
fn journals_become_ledger_entries_with_signed_lines() {
    let entries = ledger("journals_get.json");
    let numbers: Vec<_> = entries.iter().map(|entry| entry.journal_number).collect();
    assert_eq!(numbers, [Some(1), Some(9), Some(14), Some(30)]);
    let types: Vec<_> = entries.iter().map(|entry| entry.source_type.as_deref()).collect();
    assert_eq!(types, [Some("ACCREC"), Some("ACCREC"), Some("ACCRECPAYMENT"), Some("ACCPAY")]);

    let bill = &entries[3];
    assert_eq!(bill.source_id, "772e8133-7f12-4edc-ab98-aa6dceb16c9d");
    assert_eq!(bill.reference, None, "an empty Reference is no reference");
    let lines: Vec<_> = bill
        .lines
        .iter()
        .map(|line| (line.line_no, line.date, line.account_code.as_str(), line.amount))
        .collect();
    assert_eq!(
        lines,
        [
            (0, day(2019, 3, 11), "800", dec("-28750.00")),
            (1, day(2019, 3, 11), "630", dec("25000.00")),
            (2, day(2019, 3, 11), "820", dec("3750.00")),
        ]
    );
    assert_eq!(bill.lines[0].description, None);
    assert_eq!(bill.lines[1].description.as_deref(), Some("Brand new Fender Strats"));
    assert_eq!(entries[0].reference.as_deref(), Some("Red Fish, Blue Fish"));
}

#[test]
fn a_journal_record_is_dated_by_its_creation() {
    let records = normalise_page(Endpoint::Journals, "journals_get.json");
    assert_eq!(records[3].updated_at, Some(instant(1_552_333_389_227)));
}

#[test]
fn every_journal_in_the_fixtures_balances() {
    for name in ["journals_get.json", "journals_cashpaid_get.json"] {
        for entry in ledger(name) {
            let sum: Decimal = entry.lines.iter().map(|line| line.amount).sum();
            assert_eq!(sum, Decimal::ZERO, "{name} journal {:?}", entry.journal_number);
        }
    }
}

#[test]
fn a_journal_line_without_an_account_code_gets_an_empty_code() {
    let entries = ledger("journals_cashpaid_get.json");
    let entry = &entries[0];
    assert_eq!(entry.source_type.as_deref(), Some("CASHPAID"));
    assert_eq!(entry.journal_number, Some(31));
    let lines: Vec<_> =
        entry.lines.iter().map(|line| (line.account_code.as_str(), line.amount)).collect();
    assert_eq!(lines, [("", dec("-115.00")), ("630", dec("100.00")), ("820", dec("15.00"))]);
    assert_eq!(entry.lines[1].description.as_deref(), Some("Guitar strings, 100 sets"));
}

#[test]
fn accounts_keep_code_name_type_and_status_as_given() {
    let listed = accounts("accounts_get.json");
    assert_eq!(listed[0].code.as_deref(), Some("091"), "the leading zero is kept");
    assert_eq!(listed[0].name.as_deref(), Some("Business Savings Account"));
    assert_eq!(listed[0].account_type.as_deref(), Some("BANK"));
    assert_eq!(listed[0].status, "", "this example omits Status");
    assert_eq!(listed[1].code.as_deref(), Some("200"));

    let single = accounts("account_single_get.json");
    assert_eq!(single[0].status, "ACTIVE");
    assert_eq!(single[0].account_type.as_deref(), Some("EXPENSE"));
    assert_eq!(single[0].updated_at, Some(instant(1_550_797_359_120)));
}

#[test]
fn archived_and_deleted_accounts_keep_their_status_and_uncoded_banks_have_no_code() {
    let listed = accounts("accounts_statuses_get.json");
    let summary: Vec<_> =
        listed.iter().map(|account| (account.code.as_deref(), account.status.as_str())).collect();
    assert_eq!(
        summary,
        [
            (Some("630"), "ACTIVE"),
            (Some("631"), "ARCHIVED"),
            (Some("632"), "DELETED"),
            (None, "ACTIVE")
        ]
    );
    assert_eq!(listed[0].account_type.as_deref(), Some("INVENTORY"));
    assert_eq!(listed[3].name.as_deref(), Some("Business Cheque"));
}

#[test]
fn the_organisation_gives_lock_dates_currency_zone_and_year_end() {
    let records = normalise_page(Endpoint::Organisation, "organisation_get.json");
    let record = &records[0];
    assert_eq!(record.external_id, "b2c885a9-4bb9-4a00-9b6e-6c2bf60b1a2b");
    assert_eq!(record.updated_at, None);
    let Payload::Organisation(settings) = &record.payload else { panic!("{record:?}") };
    assert_eq!(settings.name.as_deref(), Some("Dev Evangelist - Sid Test 3 (NZ-2016-02)"));
    assert_eq!(settings.base_currency.as_deref(), Some("NZD"));
    assert_eq!(settings.timezone.as_deref(), Some("NEWZEALANDSTANDARDTIME"));
    assert_eq!(settings.period_lock_date, Some(day(2018, 12, 31)));
    assert_eq!(settings.end_of_year_lock_date, Some(day(2018, 12, 31)));
    assert_eq!(
        (settings.financial_year_end_day, settings.financial_year_end_month),
        (Some(31), Some(3))
    );
}

#[test]
fn tracking_categories_are_kept_as_raw_json_only() {
    let records = normalise_page(Endpoint::TrackingCategories, "tracking_categories_get.json");
    let ids: Vec<_> = records.iter().map(|record| record.external_id.as_str()).collect();
    assert_eq!(
        ids,
        ["22f10184-0deb-44ae-a312-b1f6ea70e51f", "0c9fce3e-a111-4d99-803a-62cf3f40e633"]
    );
    assert!(records.iter().all(|record| record.payload == Payload::RawOnly));
}

fn row<'a>(rows: &'a [TrialBalanceRow], code: &str) -> &'a TrialBalanceRow {
    rows.iter().find(|row| row.account_code == code).unwrap_or_else(|| panic!("no {code}"))
}

#[test]
fn the_example_trial_balance_gives_ytd_debit_minus_credit_per_code() {
    let rows = trial_balance(&fixture("report_trial_balance.json")).unwrap();
    assert_eq!(rows.len(), 19);
    assert_eq!(row(&rows, "400").balance, dec("-1020.22"));
    assert_eq!(row(&rows, "400").account_name.as_deref(), Some("Sales"));
    assert_eq!(row(&rows, "120").balance, dec("36555.04"));
    assert_eq!(row(&rows, "8002").balance, dec("-96.49"));
    assert_eq!(row(&rows, "1231239").account_name.as_deref(), Some("MyExp51937"));
    assert_eq!(row(&rows, "320").balance, dec("-30871.69"), "extra attributes are ignored");
    assert_eq!(rows[0].account_code, "002", "rows come in report order, codes as written");
    let total: Decimal = rows.iter().map(|row| row.balance).sum();
    assert_eq!(total, Decimal::ZERO, "a trial balance balances");
}

#[test]
fn a_trial_balance_leaves_out_uncoded_accounts_and_reads_tricky_names() {
    let rows = trial_balance(&fixture("report_trial_balance_handmade.json")).unwrap();
    let codes: Vec<_> = rows.iter().map(|row| row.account_code.as_str()).collect();
    assert_eq!(codes, ["404", "500", "860", "630", "2100"]);
    assert_eq!(row(&rows, "404").balance, dec("0.10"));
    assert_eq!(row(&rows, "500").balance, dec("1209682.79"));
    assert_eq!(row(&rows, "860").balance, Decimal::ZERO, "both YTD columns filled");
    assert_eq!(row(&rows, "2100").balance, dec("-1234567.89"));
    assert_eq!(row(&rows, "2100").account_name.as_deref(), Some("Loan (ANZ)"));
    let total: Decimal = rows.iter().map(|row| row.balance).sum();
    assert_eq!(total, dec("115.00"), "only the uncoded bank's credit is missing");
}

#[test]
fn a_trial_balance_is_read_from_the_report_object_alone_too() {
    let response = fixture("report_trial_balance.json");
    let alone = trial_balance(&response["Reports"][0]).unwrap();
    assert_eq!(alone, trial_balance(&response).unwrap());
}

fn report_with(cells: &serde_json::Value) -> serde_json::Value {
    json!({"Reports": [{
        "ReportType": "TrialBalance",
        "Rows": [
            {"RowType": "Header", "Cells": [
                {"Value": "Account"}, {"Value": "Debit"}, {"Value": "Credit"},
                {"Value": "YTD Debit"}, {"Value": "YTD Credit"}]},
            {"RowType": "Section", "Title": "Assets", "Rows": [{"RowType": "Row", "Cells": cells}]}
        ]
    }]})
}

#[test]
fn an_unreadable_trial_balance_cell_names_the_row_and_column() {
    let account = json!([{"Id": "account", "Value": "53a12a15"}]);
    let cells = json!([
        {"Value": "Inventory (630)", "Attributes": account}, {"Value": ""}, {"Value": ""},
        {"Value": "25,000.00", "Attributes": account}, {"Value": ""}
    ]);
    let error = trial_balance(&report_with(&cells)).unwrap_err();
    assert!(matches!(error, NormaliseError::ReportAmount { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "trial balance row \"Inventory (630)\": YTD Debit \"25,000.00\" is not a decimal amount"
    );
}

#[test]
fn a_trial_balance_row_with_missing_cells_is_an_error() {
    let cells =
        json!([{"Value": "Inventory (630)", "Attributes": [{"Id": "account", "Value": "x"}]}]);
    let error = trial_balance(&report_with(&cells)).unwrap_err();
    assert!(error.to_string().contains("has 1 cells but the header has 5"), "{error}");
}

#[test]
fn a_report_that_is_not_a_trial_balance_is_refused() {
    let error = trial_balance(&fixture("report_balance_sheet.json")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "trial balance: this is a \"BalanceSheet\" report, not \"TrialBalance\""
    );
}

#[test]
fn a_trial_balance_without_ytd_columns_is_an_error() {
    let report = json!({"ReportType": "TrialBalance", "Rows": [
        {"RowType": "Header", "Cells": [{"Value": "Account"}, {"Value": "Debit"}, {"Value": "Credit"}]}
    ]});
    let error = trial_balance(&report).unwrap_err();
    assert_eq!(error.to_string(), "trial balance: the header has no \"YTD Debit\" column");
}

#[test]
fn an_empty_reports_array_is_an_error() {
    let error = trial_balance(&json!({"Reports": []})).unwrap_err();
    assert_eq!(error.to_string(), "trial balance: the response holds no report");
}
