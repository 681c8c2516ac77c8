//! The variance arithmetic. Pure.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{AccountVariance, Explained, Report, ReportInput};

/// Computes one connection's report for `date` from what the store loaded.
///
/// For each mapped account (in [`crate::config::AccountMap::roles`] order, unmapped roles
/// skipped): `variance = cin7 − xero` when both sides have a figure; the open findings whose
/// `account_code` is the account's code, summed by kind; and `unexplained = variance − Σ
/// explained`. A side without a figure makes the variance and the unexplained rest unknown
/// (`None`), never zero.
pub fn compute(input: &ReportInput, date: NaiveDate) -> Report {
    let accounts = input
        .accounts
        .roles()
        .into_iter()
        .filter_map(|(role, code)| Some((role, code?.trim())))
        .filter(|(_, code)| !code.is_empty())
        .map(|(role, code)| account(input, role, code))
        .collect();
    Report {
        connection: input.connection.clone(),
        date,
        xero_source: input.xero_source,
        year_start: input.year_start,
        accounts,
        new_findings: input.new_findings.clone(),
        resolved_findings: input.resolved_findings.clone(),
        window: input.window,
    }
}

fn account(input: &ReportInput, role: &'static str, code: &str) -> AccountVariance {
    let cin7_balance = input.cin7_balances.get(code).copied();
    let xero_balance = input.xero_balances.get(code).copied();
    let variance = cin7_balance.zip(xero_balance).map(|(cin7, xero)| cin7 - xero);
    let mut by_kind: BTreeMap<&str, (Decimal, usize)> = BTreeMap::new();
    for finding in &input.open_findings {
        if finding.account_code.as_deref().map(str::trim) != Some(code) {
            continue;
        }
        let entry = by_kind.entry(finding.kind.as_str()).or_default();
        entry.0 += finding.amount.unwrap_or_default();
        entry.1 += 1;
    }
    let explained: Vec<Explained> = by_kind
        .into_iter()
        .map(|(kind, (amount, count))| Explained { kind: kind.to_string(), amount, count })
        .collect();
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
        }
    }

    fn finding(kind: &str, code: Option<&str>, amount: Option<&str>) -> OpenFinding {
        OpenFinding {
            kind: kind.into(),
            account_code: code.map(String::from),
            amount: amount.map(d),
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
        let inventory = line(&compute(&input, date()), "inventory").clone();
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
}
