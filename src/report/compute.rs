//! The variance arithmetic. Pure.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;

use super::{
    AccountVariance, Explained, FixFirst, OpenFinding, PROFIT_AND_LOSS_ROLES, Report, ReportInput,
    TIMING_DIFFERENCE, api_budget, fair_use, mapped,
};

/// How many open findings the "fix first" list shows.
pub const FIX_FIRST: usize = 5;

/// Kinds about a posting only Xero holds: Cin7 lacks it, so it explains a *negative*
/// `cin7 − xero` of its amount.
const XERO_ONLY: [&str; 2] = ["missing_in_cin7", "control_account_journal"];

/// Kinds whose amount is no difference between Cin7 and Xero: a Cin7 entry wholly within the
/// inventory account nets to zero there (stock moves, the ledger does not); timing
/// differences, misaligned returns and open accruals are booked alike on both sides (their
/// amount says how much sits in the wrong period or stays open, not what Xero lacks).
const NO_LEDGER_EFFECT: [&str; 4] =
    ["inventory_self_adjustment", "timing_difference", "return_misalignment", "unclosed_accrual"];

/// How much of `cin7 − xero` on its account a finding explains. A finding's `amount` is the
/// debit-positive amount as posted by the side that holds the record (`amount_mismatch`:
/// already `cin7 − xero`). So a record only Cin7 holds (`missing_in_xero`…) explains
/// `+amount`, one only Xero holds (`missing_in_cin7`, `control_account_journal`) `−amount`,
/// and an `inventory_self_adjustment` nothing. No amount explains nothing.
pub fn contribution(kind: &str, amount: Option<Decimal>) -> Decimal {
    let amount = amount.unwrap_or_default();
    if XERO_ONLY.contains(&kind) {
        -amount
    } else if NO_LEDGER_EFFECT.contains(&kind) {
        Decimal::ZERO
    } else {
        amount
    }
}

/// Findings, each with its amount on the account concerned, summed by kind (their
/// [`contribution`]s), sorted by kind.
fn by_kind<'a>(
    findings: impl Iterator<Item = (&'a OpenFinding, Option<Decimal>)>,
) -> Vec<Explained> {
    let mut sums: BTreeMap<&str, (Decimal, usize)> = BTreeMap::new();
    for (finding, amount) in findings {
        let entry = sums.entry(finding.kind.as_str()).or_default();
        entry.0 += contribution(&finding.kind, amount);
        entry.1 += 1;
    }
    sums.into_iter()
        .map(|(kind, (amount, count))| Explained { kind: kind.to_string(), amount, count })
        .collect()
}

/// Computes one connection's report for `date` from what the store loaded.
///
/// For each mapped account (in [`crate::config::AccountMap::roles`] order, unmapped roles
/// skipped): `variance = cin7 − xero` when both sides have a figure; the [`contribution`]s of
/// the open findings told on the account (as theirs or one of their other accounts:
/// [`OpenFinding::on_account`]), each with its amount there, summed by kind; and
/// `unexplained = variance − Σ explained`. A side without a figure makes the variance and the
/// unexplained rest unknown (`None`), never zero. Open findings on no mapped account are
/// summed by kind in [`Report::unattributed`].
///
/// Below that: the [`FIX_FIRST`] open findings explaining the most money (by the absolute
/// value of their contribution; those explaining nothing are left out), the open timing
/// differences, fair use and the API budget.
pub fn compute(input: &ReportInput, date: NaiveDate) -> Report {
    let accounts = mapped(&input.accounts)
        .into_iter()
        .map(|(role, code)| account(input, role, code, date))
        .collect::<Vec<AccountVariance>>();
    let unattributed = by_kind(
        (input.open_findings.iter())
            .filter(|f| !accounts.iter().any(|a| f.on_account(&a.code).is_some()))
            .map(|f| (f, f.amount)),
    );
    Report {
        connection: input.connection.clone(),
        date,
        xero_source: input.xero_source,
        year_start: input.year_start,
        accounts,
        unattributed,
        new_findings: input.new_findings.clone(),
        resolved_findings: input.resolved_findings.clone(),
        window: input.window,
        fix_first: fix_first(input, date),
        timing_differences: input
            .open_findings
            .iter()
            .filter(|f| f.kind == TIMING_DIFFERENCE)
            .cloned()
            .collect(),
        fair_use: input.xero_invoice_months.as_deref().map(|months| fair_use(date, months)),
        api_budget: api_budget(
            input.window.until - Duration::hours(24),
            input.window.until,
            &input.api_calls,
        ),
    }
}

/// The open findings explaining the most money, largest first, ties oldest (lowest id) first.
fn fix_first(input: &ReportInput, date: NaiveDate) -> Vec<FixFirst> {
    let accounts = mapped(&input.accounts);
    let mut items: Vec<FixFirst> = input
        .open_findings
        .iter()
        .filter(|f| {
            // Only what the account table counts: a mapped account, inside its balances.
            let code = f.account_code.as_deref().map(str::trim);
            let role = accounts.iter().find(|(_, c)| Some(*c) == code).map(|(role, _)| *role);
            role.is_some_and(|role| in_balances(input, role, f, date))
        })
        .map(|f| FixFirst { finding: f.clone(), explains: contribution(&f.kind, f.amount) })
        .filter(|item| !item.explains.is_zero())
        .collect();
    items.sort_by(|a, b| {
        b.explains.abs().cmp(&a.explains.abs()).then(a.finding.id.cmp(&b.finding.id))
    });
    items.truncate(FIX_FIRST);
    items
}

/// Whether a finding falls inside the balances compared on an account of `role`: dated to
/// `date`, and a profit-and-loss account's from the financial year's start. Undated: yes.
fn in_balances(input: &ReportInput, role: &str, finding: &OpenFinding, date: NaiveDate) -> bool {
    let from = input.year_start.filter(|_| PROFIT_AND_LOSS_ROLES.contains(&role));
    finding.date.is_none_or(|d| d <= date && from.is_none_or(|start| d >= start))
}

fn account(
    input: &ReportInput,
    role: &'static str,
    code: &str,
    date: NaiveDate,
) -> AccountVariance {
    let cin7_balance = input.cin7_balances.get(code).copied();
    let xero_balance = input.xero_balances.get(code).copied();
    let variance = cin7_balance.zip(xero_balance).map(|(cin7, xero)| cin7 - xero);
    // The balances compared run to `date`; a profit-and-loss account's from the year's start.
    let from = input.year_start.filter(|_| PROFIT_AND_LOSS_ROLES.contains(&role));
    let in_balances =
        |f: &&OpenFinding| f.date.is_none_or(|d| d <= date && from.is_none_or(|start| d >= start));
    let explained = by_kind(
        (input.open_findings.iter())
            .filter(in_balances)
            .filter_map(|f| f.on_account(code).map(|amount| (f, amount))),
    );
    let total: Decimal = explained.iter().map(|e| e.amount).sum();
    AccountVariance {
        role,
        code: code.to_string(),
        cin7_balance,
        xero_balance,
        variance,
        explained,
        unexplained: variance.map(|v| v - total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AccountMap;
    use crate::report::{FindingWindow, OpenFinding, XeroSource};
    use chrono::DateTime;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn accounts() -> AccountMap {
        AccountMap {
            inventory: "630".into(),
            cogs: Some("310".into()),
            revenue: None,
            grni: Some("815".into()),
            stock_in_transit: None,
            wip: None,
            inventory_discrepancy: None,
            supplier_deposits: None,
        }
    }

    fn input(cin7: &[(&str, &str)], xero: &[(&str, &str)]) -> ReportInput {
        let map = |pairs: &[(&str, &str)]| pairs.iter().map(|(c, a)| ((*c).into(), d(a))).collect();
        ReportInput {
            connection: "acme".into(),
            accounts: accounts(),
            xero_source: XeroSource::Journals,
            year_start: None,
            cin7_balances: map(cin7),
            xero_balances: map(xero),
            open_findings: vec![],
            new_findings: vec![],
            resolved_findings: vec![],
            window: FindingWindow {
                previous_report: None,
                since: DateTime::UNIX_EPOCH,
                until: DateTime::UNIX_EPOCH,
            },
            xero_invoice_months: None,
            api_calls: vec![],
        }
    }

    fn finding(kind: &str, code: Option<&str>, amount: Option<&str>) -> OpenFinding {
        OpenFinding {
            kind: kind.into(),
            account_code: code.map(String::from),
            amount: amount.map(d),
            ..OpenFinding::default()
        }
    }

    fn line<'a>(report: &'a Report, role: &str) -> &'a AccountVariance {
        report.accounts.iter().find(|a| a.role == role).unwrap()
    }

    #[test]
    fn variance_is_cin7_minus_xero_for_each_mapped_account_in_role_order() {
        let input = input(
            &[("630", "1000.00"), ("310", "250.00"), ("815", "-400.00")],
            &[("630", "900.00"), ("310", "250.00"), ("815", "-400.00")],
        );
        let report = compute(&input, date());
        let roles: Vec<&str> = report.accounts.iter().map(|a| a.role).collect();
        assert_eq!(roles, ["inventory", "cogs", "grni"], "unmapped roles are left out");
        assert_eq!(report.date, date());
        assert_eq!(line(&report, "inventory").variance, Some(d("100.00")));
        assert_eq!(line(&report, "cogs").variance, Some(Decimal::ZERO));
    }

    #[test]
    fn a_credit_balance_account_is_negative_on_both_sides_and_its_variance_keeps_the_sign() {
        // GRNI: Cin7 holds 500 of goods received not invoiced (a credit), Xero only 450.
        // Cin7 has more credit, so cin7 − xero = −500 − (−450) = −50.
        let report = compute(&input(&[("815", "-500.00")], &[("815", "-450.00")]), date());
        let grni = line(&report, "grni");
        assert_eq!(
            (grni.cin7_balance, grni.xero_balance),
            (Some(d("-500.00")), Some(d("-450.00")))
        );
        assert_eq!(grni.variance, Some(d("-50.00")));
        assert_eq!(grni.unexplained, Some(d("-50.00")));
    }

    #[test]
    fn findings_outside_the_compared_balances_explain_nothing() {
        // COGS is profit and loss: compared from the year's start, 2026-07-01, to the date.
        let mut input = input(&[("310", "100.00"), ("630", "0")], &[("310", "0"), ("630", "0")]);
        input.year_start = NaiveDate::from_ymd_opt(2026, 7, 1);
        let dated = |amount, day: &str, code| OpenFinding {
            date: Some(day.parse().unwrap()),
            ..finding("missing_in_xero", Some(code), Some(amount))
        };
        input.open_findings = vec![
            dated("100.00", "2026-07-01", "310"),
            dated("40.00", "2026-06-30", "310"),
            dated("7.00", "2026-06-30", "630"),
            dated("9.00", "2099-01-01", "630"),
        ];
        let report = compute(&input, date());
        assert_eq!(line(&report, "cogs").explained_total(), d("100.00"), "last year's is out");
        assert_eq!(line(&report, "cogs").unexplained, Some(Decimal::ZERO));
        assert_eq!(
            line(&report, "inventory").explained_total(),
            d("7.00"),
            "a balance-sheet account counts every finding to the date, none after it"
        );
        let first: Vec<Decimal> = report.fix_first.iter().map(|f| f.explains).collect();
        assert_eq!(first, [d("100.00"), d("7.00")], "fix first ranks only what is counted");
    }

    #[test]
    fn open_findings_on_the_account_explain_part_of_the_variance_by_kind() {
        let mut input = input(&[("630", "1000.00")], &[("630", "800.00")]);
        input.open_findings = vec![
            finding("missing_in_xero", Some("630"), Some("120.00")),
            finding("missing_in_xero", Some("630"), Some("30.00")),
            finding("amount_mismatch", Some("630"), Some("-5.50")),
            finding("blank_cogs", Some("630"), None),
            finding("missing_in_xero", Some("310"), Some("999.00")),
            finding("sync_error", None, Some("77.00")),
        ];
        let report = compute(&input, date());
        let inventory = line(&report, "inventory").clone();
        assert_eq!(
            inventory.explained,
            vec![
                Explained { kind: "amount_mismatch".into(), amount: d("-5.50"), count: 1 },
                Explained { kind: "blank_cogs".into(), amount: Decimal::ZERO, count: 1 },
                Explained { kind: "missing_in_xero".into(), amount: d("150.00"), count: 2 },
            ]
        );
        assert_eq!(inventory.explained_total(), d("144.50"));
        assert_eq!(inventory.variance, Some(d("200.00")));
        assert_eq!(inventory.unexplained, Some(d("55.50")));
        assert_eq!(
            report.unattributed,
            vec![Explained { kind: "sync_error".into(), amount: d("77.00"), count: 1 }],
            "a finding on no mapped account explains no account; 310 is mapped (cogs)"
        );
    }

    #[test]
    fn a_posting_only_xero_holds_explains_a_negative_variance() {
        // Someone posted a 100.00 bill line straight to inventory in Xero: Xero has 100 more
        // debit than Cin7, so cin7 − xero = −100, all of it explained.
        let mut input = input(&[("630", "1000.00")], &[("630", "1100.00")]);
        input.open_findings = vec![
            finding("control_account_journal", Some("630"), Some("100.00")),
            finding("inventory_self_adjustment", Some("630"), Some("40.00")),
        ];
        let report = compute(&input, date());
        let inventory = line(&report, "inventory");
        assert_eq!(inventory.variance, Some(d("-100.00")));
        assert_eq!(
            inventory.explained,
            vec![
                Explained {
                    kind: "control_account_journal".into(),
                    amount: d("-100.00"),
                    count: 1
                },
                Explained {
                    kind: "inventory_self_adjustment".into(),
                    amount: Decimal::ZERO,
                    count: 1
                },
            ],
            "a self-adjustment nets to zero on the account, so it explains nothing"
        );
        assert_eq!(inventory.unexplained, Some(Decimal::ZERO));
    }

    #[test]
    fn an_account_with_no_xero_figure_has_no_variance_rather_than_a_zero() {
        let mut input = input(&[("630", "10.00"), ("310", "5.00")], &[("630", "10.00")]);
        input.open_findings = vec![finding("missing_in_xero", Some("310"), Some("5.00"))];
        let report = compute(&input, date());
        let cogs = line(&report, "cogs");
        assert_eq!(cogs.cin7_balance, Some(d("5.00")));
        assert_eq!((cogs.xero_balance, cogs.variance, cogs.unexplained), (None, None, None));
        assert_eq!(cogs.explained.len(), 1, "findings are still listed");
        assert_eq!(line(&report, "inventory").variance, Some(Decimal::ZERO));
    }

    #[test]
    fn the_trial_balance_path_uses_its_balances_and_says_so() {
        let mut input = input(&[("630", "1000.00")], &[("630", "1000.00")]);
        input.xero_source = XeroSource::TrialBalance;
        let report = compute(&input, date());
        assert_eq!(report.xero_source, XeroSource::TrialBalance);
        assert_eq!(line(&report, "inventory").variance, Some(Decimal::ZERO));
        assert!(report.xero_source.describe(date()).contains("trial balance as at 2026-11-24"));
    }

    #[test]
    fn fix_first_lists_the_findings_explaining_the_most_money_whatever_their_sign() {
        let mut input = input(&[("630", "1000.00")], &[("630", "800.00")]);
        let amounts = [
            ("missing_in_xero", "10.00"),
            ("control_account_journal", "500.00"),
            ("blank_cogs", "0"),
            ("missing_in_xero", "120.00"),
            ("inventory_self_adjustment", "9000.00"),
            ("amount_mismatch", "-120.00"),
            ("missing_in_xero", "1.00"),
            ("missing_in_xero", "2.00"),
            ("timing_difference", "3.00"),
        ];
        input.open_findings = amounts
            .iter()
            .zip(1..)
            .map(|((kind, amount), id)| OpenFinding {
                id,
                ..finding(kind, Some("630"), Some(amount))
            })
            .collect();
        let report = compute(&input, date());
        let picked: Vec<(i64, Decimal)> =
            report.fix_first.iter().map(|f| (f.finding.id, f.explains)).collect();
        assert_eq!(
            picked,
            [
                (2, d("-500.00")),
                (4, d("120.00")),
                (6, d("-120.00")),
                (1, d("10.00")),
                (8, d("2.00"))
            ],
            "a self-adjustment, a timing difference and a zero explain nothing; ties keep the \
             older finding first"
        );
        let timing: Vec<i64> = report.timing_differences.iter().map(|f| f.id).collect();
        assert_eq!(timing, [9]);
    }

    #[test]
    fn the_headline_counts_disagreeing_accounts_and_sums_unexplained_rests_without_cancelling() {
        let input = input(
            &[("630", "1000.00"), ("310", "250.00"), ("815", "-400.00")],
            &[("630", "900.00"), ("310", "350.00"), ("815", "-400.00")],
        );
        let report = compute(&input, date());
        assert_eq!(report.disagreeing().count(), 2);
        assert_eq!(report.unexplained_total(), d("200.00"));
        assert_eq!(report.fair_use, None, "no Xero invoices synced: no fair-use figure");
    }
}
