//! The reconciliation spec as tests: builders for the smallest data, a case table per finding
//! kind with clean twins (`cases`), matching methods (`matching`), the mirror property
//! (`mirror`), monthly journals (`monthly`) and entries derived from one document (`derived`).

mod cases;
mod derived;
mod matching;
mod mirror;
mod monthly;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::ReconcileInput;
use crate::config::AccountMap;
use crate::model::{
    Account, DocType, Document, DocumentLine, LedgerEntry, LedgerLine, Organisation,
};

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

pub(super) fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// The run's "now": well after every document below was changed.
pub(super) fn now() -> DateTime<Utc> {
    at("2026-03-01T00:00:00Z")
}

pub(super) fn account_map() -> AccountMap {
    AccountMap {
        inventory: "630".into(),
        cogs: Some("310".into()),
        revenue: Some("200".into()),
        grni: Some("640".into()),
        stock_in_transit: Some("641".into()),
        wip: Some("642".into()),
        inventory_discrepancy: Some("650".into()),
        supplier_deposits: None,
    }
}

pub(super) fn chart() -> Vec<Account> {
    ["200", "300", "310", "400", "401", "630", "640", "641", "642", "650", "800"]
        .into_iter()
        .map(|code| account(code, "ACTIVE"))
        .collect()
}

pub(super) fn account(code: &str, status: &str) -> Account {
    Account {
        external_id: format!("acc-{code}"),
        code: Some(code.into()),
        name: None,
        account_type: None,
        status: status.into(),
        updated_at: None,
    }
}

pub(super) fn line(account: &str, amount: &str) -> DocumentLine {
    DocumentLine {
        account_code: Some(account.into()),
        line_amount: Some(dec(amount)),
        ..DocumentLine::default()
    }
}

fn document(doc_type: DocType, id: String, number: &str, total: &str) -> Document {
    let account = match doc_type {
        DocType::PurchaseInvoice | DocType::PurchaseCreditNote => "630",
        _ => "200",
    };
    Document {
        doc_type,
        external_id: id,
        number: Some(number.into()),
        reference: None,
        contact: Some("Acme".into()),
        status: "AUTHORISED".into(),
        date: Some(day(2026, 2, 10)),
        due_date: None,
        currency: Some("NZD".into()),
        total: Some(dec(total)),
        tax_total: None,
        amount_paid: None,
        amount_credited: None,
        updated_at: Some(at("2026-02-10T10:00:00Z")),
        channel: None,
        lines: vec![line(account, total)],
    }
}

/// A Cin7 document of `doc_type`, authorised on 10 Feb 2026, one line.
pub(super) fn cin7(doc_type: DocType, number: &str, total: &str) -> Document {
    document(doc_type, format!("cin7-{number}"), number, total)
}

/// Xero's copy of it, synced five minutes later.
pub(super) fn xero(doc_type: DocType, number: &str, total: &str) -> Document {
    let mut doc = document(doc_type, format!("xero-{number}"), number, total);
    doc.updated_at = Some(at("2026-02-10T10:05:00Z"));
    doc
}

/// A Cin7 stock adjustment: stock up `amount`, against the discrepancy account.
pub(super) fn cin7_adjustment(number: &str, amount: &str) -> Document {
    let mut doc = cin7(DocType::StockAdjustment, number, amount);
    doc.external_id = format!("0f8e1a2b-0000-4000-8000-{:0>12}", number.replace('-', ""));
    doc.lines = vec![line("650", amount)];
    doc
}

/// A Xero manual journal: debit inventory, credit the discrepancy account.
pub(super) fn xero_journal(id: &str, narration: &str, amount: &str) -> Document {
    let mut doc = xero(DocType::ManualJournal, "-", amount);
    doc.external_id = id.into();
    doc.number = None;
    doc.reference = Some(narration.into());
    doc.status = "POSTED".into();
    doc.lines = vec![line("630", amount), line("650", &format!("-{amount}"))];
    doc
}

pub(super) fn ledger_entry(id: &str, lines: &[(&str, &str)]) -> LedgerEntry {
    LedgerEntry {
        source_id: id.into(),
        journal_number: None,
        source_type: Some("StockReceived".into()),
        reference: None,
        lines: lines
            .iter()
            .zip(0..)
            .map(|((account, amount), line_no)| LedgerLine {
                line_no,
                date: day(2026, 2, 10),
                account_code: (*account).into(),
                amount: dec(amount),
                description: None,
            })
            .collect(),
    }
}

/// One Cin7 sale's or purchase's postings (its detail's `Transactions`): each
/// `(date, debit account, credit account, amount)` becomes a debit and a credit line.
pub(super) fn postings(
    source_type: &str,
    reference: &str,
    rows: &[(NaiveDate, &str, &str, &str)],
) -> LedgerEntry {
    let lines = rows
        .iter()
        .zip(0..)
        .flat_map(|((date, debit, credit, amount), n)| {
            let line = |line_no, account: &str, amount: Decimal| LedgerLine {
                line_no,
                date: *date,
                account_code: account.into(),
                amount,
                description: None,
            };
            [line(2 * n, debit, dec(amount)), line(2 * n + 1, credit, -dec(amount))]
        })
        .collect();
    LedgerEntry {
        source_id: format!("{}/{reference}", source_type.to_ascii_lowercase()),
        journal_number: None,
        source_type: Some(source_type.into()),
        reference: Some(reference.into()),
        lines,
    }
}

pub(super) fn organisation(period_lock: Option<NaiveDate>) -> Organisation {
    Organisation {
        name: Some("Demo".into()),
        base_currency: Some("NZD".into()),
        timezone: None,
        period_lock_date: period_lock,
        end_of_year_lock_date: None,
        financial_year_end_day: Some(31),
        financial_year_end_month: Some(3),
    }
}

/// One connection with an active chart of accounts and no lock dates.
pub(super) fn input(cin7: Vec<Document>, xero: Vec<Document>) -> ReconcileInput {
    ReconcileInput {
        cin7_documents: cin7.into(),
        xero_documents: xero.into(),
        xero_accounts: chart(),
        organisation: Some(organisation(None)),
        ..ReconcileInput::empty(account_map())
    }
}
