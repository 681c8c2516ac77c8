//! Monthly journals (Cin7 Omni's COGS): a derived Cin7 entry pairs with the Xero manual journal
//! of its month and accounts, whatever its day and narration, and is then compared by amount.

use rstest::rstest;

use super::{at, day, dec, input, line, now, xero_journal};
use crate::model::{Document, LedgerEntry, LedgerLine, MONTHLY_JOURNAL};
use crate::reconcile::{FindingKind, MatchMethod, Settings, reconcile};

/// January 2026's COGS as the Omni ledger derives it: Dr 310, Cr 630, dated the 31st.
fn january(amount: &str) -> LedgerEntry {
    let line = |line_no, account: &str, amount| LedgerLine {
        line_no,
        date: day(2026, 1, 31),
        account_code: account.into(),
        amount,
        description: None,
    };
    LedgerEntry {
        source_id: "omni-ledger/cogs/2026-01".into(),
        journal_number: None,
        source_type: Some(MONTHLY_JOURNAL.into()),
        reference: Some("Omni COGS journal 2026-01".into()),
        lines: vec![line(0, "310", dec(amount)), line(1, "630", -dec(amount))],
    }
}

/// A Xero manual journal on `date` debiting `debit` and crediting `credit`.
fn journal(
    id: &str,
    narration: &str,
    date: (u32, u32),
    debit: &str,
    credit: &str,
    amount: &str,
) -> Document {
    let mut doc = xero_journal(id, narration, amount);
    doc.date = Some(day(2026, date.0, date.1));
    doc.updated_at = Some(at("2026-02-01T10:00:00Z"));
    doc.lines = vec![line(debit, amount), line(credit, &format!("-{amount}"))];
    doc
}

fn cogs(id: &str, date: (u32, u32), amount: &str) -> Document {
    journal(id, "Cin7 Omni COGS January 2026", date, "310", "630", amount)
}

/// What reconciling the January entry against `xero` gives: `(matched xero id, method)` and
/// the findings' kinds.
fn run(
    xero: Vec<Document>,
    now: chrono::DateTime<chrono::Utc>,
) -> (Vec<(String, MatchMethod)>, Vec<FindingKind>) {
    let mut data = input(vec![], xero);
    data.cin7_ledger = vec![january("1000.00")].into();
    let outcome = reconcile(&data, &Settings::default(), now);
    let matches = outcome.matches.into_iter().map(|m| (m.xero_id, m.method)).collect();
    (matches, outcome.findings.into_iter().map(|f| f.kind).collect())
}

#[rstest]
#[case::same_day_same_amount(vec![cogs("mj-1", (1, 31), "1000.00")], MatchMethod::DateAccountAmount)]
#[case::another_day_of_the_month(vec![cogs("mj-1", (1, 15), "1000.00")], MatchMethod::MonthAndAccounts)]
#[case::within_tolerance(vec![cogs("mj-1", (1, 1), "1000.004")], MatchMethod::MonthAndAccounts)]
fn the_months_cogs_journal_is_paired_and_nothing_is_reported(
    #[case] xero: Vec<Document>,
    #[case] method: MatchMethod,
) {
    let (matches, findings) = run(xero, now());
    assert_eq!(matches, [("mj-1".to_string(), method)]);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn a_wrong_amount_in_the_months_journal_is_an_amount_mismatch_of_the_difference() {
    let mut data = input(vec![], vec![cogs("mj-1", (1, 31), "1012.34")]);
    data.cin7_ledger = vec![january("1000.00")].into();
    let outcome = reconcile(&data, &Settings::default(), now());
    assert_eq!(outcome.matches[0].method, MatchMethod::MonthAndAccounts);
    let [finding] = outcome.findings.as_slice() else { panic!("{:#?}", outcome.findings) };
    assert_eq!(finding.kind, FindingKind::AmountMismatch);
    assert_eq!(finding.amount, Some(dec("-12.34")));
    assert_eq!(finding.cin7_ref.as_deref(), Some("Omni COGS journal 2026-01"));
    // The COGS account's variance is Cin7 − Xero = −12.34: the finding explains it there.
    assert_eq!(finding.account_code.as_deref(), Some("310"));
}

#[test]
fn the_running_month_is_not_compared_before_it_ends() {
    // Omni keeps updating the month's journal until the month is over.
    let (matches, findings) =
        run(vec![cogs("mj-1", (1, 20), "640.00")], at("2026-01-25T00:00:00Z"));
    assert_eq!(matches.len(), 1);
    assert!(findings.is_empty(), "{findings:?}");
}

#[rstest]
#[case::another_month(vec![cogs("mj-1", (2, 1), "1000.00")])]
#[case::reversed(vec![journal("mj-1", "Cin7 Omni COGS", (1, 31), "630", "310", "1000.00")])]
#[case::other_accounts(vec![journal("mj-1", "Cin7 Omni COGS", (1, 31), "310", "650", "1000.00")])]
#[case::voided(vec![{ let mut j = cogs("mj-1", (1, 15), "1000.00"); j.status = "VOIDED".into(); j }])]
fn a_journal_of_another_month_shape_or_status_is_not_the_months_cogs(#[case] xero: Vec<Document>) {
    let (matches, findings) = run(xero, now());
    assert!(matches.is_empty(), "{matches:?}");
    assert!(findings.contains(&FindingKind::MissingInXero), "{findings:?}");
}

#[test]
fn a_journal_naming_cogs_is_preferred_to_a_closer_amount_on_the_same_accounts() {
    let write_off = journal("mj-1", "Stock write-off", (1, 31), "310", "630", "1000.50");
    let (matches, findings) = run(vec![write_off, cogs("mj-2", (1, 31), "990.00")], now());
    assert_eq!(matches, [("mj-2".to_string(), MatchMethod::MonthAndAccounts)]);
    // The write-off stays Xero's own posting to the inventory account.
    assert!(findings.contains(&FindingKind::ControlAccountJournal), "{findings:?}");
    assert!(findings.contains(&FindingKind::AmountMismatch), "{findings:?}");
}
