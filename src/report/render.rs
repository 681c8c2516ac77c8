//! Printing a [`Report`]: aligned text for terminals and logs (also the email's plain-text
//! part), JSON (the command-line contract: one object per connection, one per line; keys past
//! the contract's are additions, never renames), and CSV (one row per account). Pure.
//!
//! The sentences for fair use, the API budget and where the figures came from are made here
//! once and shared with the HTML email (`html`).

use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde_json::{Value as Json, json};

use super::{
    AccountVariance, ApiBudget, Explained, FairUse, FindingNote, FixFirst, MonthCount, OpenFinding,
    PROFIT_AND_LOSS_ROLES, Report, SystemBudget, money,
};
use crate::clock::timestamp;
use crate::table::{Table, Value};

/// The formats `cxsync report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Csv,
}

/// Renders reports (one per connection) in `format`.
pub fn render(reports: &[Report], format: Format) -> String {
    match format {
        Format::Text => reports.iter().map(text).collect::<Vec<_>>().join("\n"),
        Format::Json => reports.iter().map(|r| json(r).to_string() + "\n").collect(),
        Format::Csv => csv(reports),
    }
}

const NONE: &str = "-";

fn opt_money(amount: Option<Decimal>) -> String {
    amount.map_or_else(|| NONE.to_string(), money)
}

/// The report's first lines: connection and date, then [`source_lines`].
fn header(report: &Report) -> String {
    let mut out = format!("Variance report: {}, {}\n", report.connection, report.date);
    for line in source_lines(report) {
        out += &line;
        out.push('\n');
    }
    out
}

/// Where the figures came from: the Xero source, where profit-and-loss accounts start, the
/// findings window.
pub(super) fn source_lines(report: &Report) -> Vec<String> {
    let mut lines = vec![format!("Xero figures: {}", report.xero_source.describe(report.date))];
    if report.accounts.iter().any(|a| PROFIT_AND_LOSS_ROLES.contains(&a.role)) {
        lines.push(match report.year_start {
            Some(start) => {
                format!("Profit and loss accounts: from the financial year's start, {start}")
            }
            None => format!(
                "Profit and loss accounts: every ledger line to {} (the Xero financial year end \
                 is not synced yet)",
                report.date
            ),
        });
    }
    let w = &report.window;
    lines.push(match w.previous_report {
        Some(previous) => format!(
            "Findings window: since the report of {previous} ({} to {})",
            timestamp(w.since),
            timestamp(w.until)
        ),
        None => format!(
            "Findings window: the 24 hours to {} (no earlier report is stored)",
            timestamp(w.until)
        ),
    });
    lines
}

/// One report as text: a header, the accounts table, what explains them, new and resolved
/// findings.
pub(super) fn text(report: &Report) -> String {
    let mut out = header(report);
    out.push('\n');
    let rows: Vec<Vec<String>> = report
        .accounts
        .iter()
        .map(|a| {
            vec![
                a.role.to_string(),
                a.code.clone(),
                opt_money(a.cin7_balance),
                opt_money(a.xero_balance),
                opt_money(a.variance),
                money(a.explained_total()),
                opt_money(a.unexplained),
            ]
        })
        .collect();
    out += &aligned(
        &["role", "code", "cin7", "xero", "variance", "explained", "unexplained"],
        &[false, false, true, true, true, true, true],
        &rows,
    );
    let missing = |side: fn(&AccountVariance) -> Option<Decimal>| {
        report
            .accounts
            .iter()
            .filter(|a| side(a).is_none())
            .map(|a| format!("{} {}", a.role, a.code))
            .collect::<Vec<_>>()
    };
    for (side, accounts) in
        [("Cin7", missing(|a| a.cin7_balance)), ("Xero", missing(|a| a.xero_balance))]
    {
        if !accounts.is_empty() {
            let _ = writeln!(out, "No {side} figure: {}", accounts.join(", "));
        }
    }
    out.push('\n');
    out += &fix_first_text(&report.fix_first);
    let explained: Vec<Vec<String>> = report
        .accounts
        .iter()
        .flat_map(|a| {
            a.explained.iter().map(|e| {
                vec![
                    format!("{} {}", a.role, a.code),
                    e.kind.clone(),
                    money(e.amount),
                    format!("({})", e.count),
                ]
            })
        })
        .collect();
    out.push('\n');
    if explained.is_empty() {
        out += "Explained by open findings: nothing\n";
    } else {
        out += "Explained by open findings:\n";
        out += &indent(&aligned(&[], &[false, false, true, false], &explained));
    }
    if !report.unattributed.is_empty() {
        let rows: Vec<Vec<String>> = report
            .unattributed
            .iter()
            .map(|e| vec![e.kind.clone(), money(e.amount), format!("({})", e.count)])
            .collect();
        out += "Open findings on no control account:\n";
        out += &indent(&aligned(&[], &[false, true, false], &rows));
    }
    for (title, findings) in
        [("New findings", &report.new_findings), ("Resolved findings", &report.resolved_findings)]
    {
        out.push('\n');
        if findings.is_empty() {
            let _ = writeln!(out, "{title}: none");
            continue;
        }
        let _ = writeln!(out, "{title} ({}):", findings.len());
        let rows: Vec<Vec<String>> = findings
            .iter()
            .map(|f| {
                vec![
                    f.kind.clone(),
                    f.severity.clone(),
                    f.account_code.clone().unwrap_or_else(|| NONE.into()),
                    opt_money(f.amount),
                    reference(f),
                    f.message.clone(),
                ]
            })
            .collect();
        out += &indent(&aligned(&[], &[false, false, false, true, false, false], &rows));
    }
    out.push('\n');
    out += &timing_text(&report.timing_differences);
    out.push('\n');
    out += &fair_use_text(report.fair_use.as_ref());
    out.push('\n');
    out += &budget_text(&report.api_budget);
    out
}

/// `cin7 / xero` references of a finding, or one of them, or `-`.
pub(super) fn refs(cin7: Option<&str>, xero: Option<&str>) -> String {
    match (cin7, xero) {
        (Some(c), Some(x)) if c != x => format!("{c} / {x}"),
        (Some(r), _) | (None, Some(r)) => r.to_string(),
        (None, None) => NONE.into(),
    }
}

fn open_refs(f: &OpenFinding) -> String {
    refs(f.cin7_ref.as_deref(), f.xero_ref.as_deref())
}

fn fix_first_text(items: &[FixFirst]) -> String {
    if items.is_empty() {
        return "Fix first: nothing (no open finding explains any money)\n".into();
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            let f = &item.finding;
            vec![
                money(item.explains),
                f.kind.clone(),
                f.account_code.clone().unwrap_or_else(|| NONE.into()),
                open_refs(f),
                f.message.clone(),
            ]
        })
        .collect();
    "Fix first (the open findings explaining the most money):\n".to_string()
        + &indent(&aligned(&[], &[true, false, false, false, false], &rows))
}

fn timing_text(findings: &[OpenFinding]) -> String {
    if findings.is_empty() {
        return "Timing differences: none\n".into();
    }
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![
                f.account_code.clone().unwrap_or_else(|| NONE.into()),
                opt_money(f.amount),
                open_refs(f),
                f.message.clone(),
            ]
        })
        .collect();
    format!("Timing differences ({}):\n", findings.len())
        + &indent(&aligned(&[], &[false, true, false, false], &rows))
}

fn month_name(month: &MonthCount) -> String {
    month.month.format("%B %Y").to_string()
}

/// Fair use in sentences: this month, the quarter's average, the tiers.
pub(super) fn fair_use_lines(fair: Option<&FairUse>) -> Vec<String> {
    let Some(fair) = fair else {
        return vec!["no figure: Xero invoices have not been synced".into()];
    };
    let m = &fair.this_month;
    let tier = match (fair.tier, fair.next_tier) {
        (None, Some(next)) => format!("below the first tier ({next} a month)"),
        (Some(tier), Some(next)) => format!("past the {tier} tier, next {next}"),
        (Some(tier), None) => format!("past the last tier ({tier})"),
        (None, None) => "no tier".into(),
    };
    let mut lines = vec![
        format!(
            "{}: {} invoices and bills so far ({} sales invoices, {} bills)",
            month_name(m),
            m.total(),
            m.sales_invoices,
            m.bills
        ),
        format!(
            "quarter from {}: {} a month on average over {} month(s), {tier}",
            fair.quarter_start,
            money(fair.quarter_average),
            fair.months.len()
        ),
    ];
    if let Some(projected) = fair.projected_average {
        lines.push(format!(
            "on course for {projected} a month over the quarter at this month's rate (what the \
             fair_use_risk finding compares with the tiers)"
        ));
    }
    lines
}

fn fair_use_text(fair: Option<&FairUse>) -> String {
    "Xero fair use (sales invoices and bills a month, averaged over the quarter):\n".to_string()
        + &indent(&fair_use_lines(fair).join("\n"))
}

/// One system's calls against its limit, in words.
pub(super) fn budget_line(budget: &SystemBudget) -> String {
    let c = &budget.calls;
    let used = match (c.limit, budget.used_percent, budget.remaining) {
        (Some(limit), Some(percent), Some(remaining)) => {
            format!("{} of {limit} a day ({percent}%), {remaining} left", c.calls)
        }
        _ => format!("{} (no day limit configured)", c.calls),
    };
    let mut line = format!("{}: {used}, {} rate-limited", c.system, c.rate_limited);
    if let Some(lowest) = c.lowest_day_remaining {
        let _ = write!(line, ", lowest day-limit remaining {lowest}");
    }
    line
}

fn budget_text(budget: &ApiBudget) -> String {
    let lines: Vec<String> = budget.systems.iter().map(budget_line).collect();
    format!("API calls from {} to {}:\n", timestamp(budget.since), timestamp(budget.until))
        + &indent(&lines.join("\n"))
}

fn reference(f: &FindingNote) -> String {
    refs(f.cin7_ref.as_deref(), f.xero_ref.as_deref())
}

fn indent(text: &str) -> String {
    text.lines().fold(String::new(), |mut out, line| {
        let _ = writeln!(out, "  {line}");
        out
    })
}

/// Columns padded to their widest cell (right-aligned where `right`), two spaces apart; a
/// header and a rule when `header` is not empty.
fn aligned(header: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..right.len())
        .map(|i| {
            rows.iter()
                .map(|row| row[i].chars().count())
                .chain(header.get(i).map(|h| h.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(right)
            .map(
                |((cell, &width), &right)| {
                    if right { format!("{cell:>width$}") } else { format!("{cell:<width$}") }
                },
            )
            .collect();
        padded.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = String::new();
    if !header.is_empty() {
        out += &line(&header.iter().map(|h| (*h).to_string()).collect::<Vec<_>>());
        out += &line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>());
    }
    for row in rows {
        out += &line(row);
    }
    out
}

fn json_money(amount: Option<Decimal>) -> Json {
    amount.map_or(Json::Null, |a| Json::String(money(a)))
}

fn json_explained(explained: &[Explained]) -> Json {
    explained
        .iter()
        .map(|e| json!({ "kind": e.kind, "amount": money(e.amount), "count": e.count }))
        .collect()
}

fn json_finding(f: &FindingNote) -> Json {
    json!({
        "id": f.id,
        "kind": f.kind,
        "severity": f.severity,
        "cin7_ref": f.cin7_ref,
        "xero_ref": f.xero_ref,
        "account_code": f.account_code,
        "amount": json_money(f.amount),
        "message": f.message,
        "at": timestamp(f.at),
    })
}

/// One report as the JSON object of the command-line contract (money as decimal strings,
/// `null` where a side has no figure).
pub(super) fn json(report: &Report) -> Json {
    let accounts: Vec<Json> = report
        .accounts
        .iter()
        .map(|a| {
            json!({
                "role": a.role,
                "code": a.code,
                "from": from(report, a).map(|d| d.to_string()),
                "cin7_balance": json_money(a.cin7_balance),
                "xero_balance": json_money(a.xero_balance),
                "variance": json_money(a.variance),
                "explained": json_explained(&a.explained),
                "explained_total": money(a.explained_total()),
                "unexplained": json_money(a.unexplained),
            })
        })
        .collect();
    json!({
        "connection": report.connection,
        "date": report.date.to_string(),
        "xero_source": report.xero_source.as_str(),
        "year_start": report.year_start.map(|d| d.to_string()),
        "accounts": accounts,
        "unattributed_findings": json_explained(&report.unattributed),
        "new_findings": report.new_findings.iter().map(json_finding).collect::<Vec<_>>(),
        "resolved_findings": report.resolved_findings.iter().map(json_finding).collect::<Vec<_>>(),
        "window": {
            "previous_report": report.window.previous_report.map(|d| d.to_string()),
            "since": timestamp(report.window.since),
            "until": timestamp(report.window.until),
        },
        "fix_first": report.fix_first.iter().map(|item| {
            let mut finding = json_open_finding(&item.finding);
            finding["explains"] = Json::String(money(item.explains));
            finding
        }).collect::<Vec<_>>(),
        "timing_differences": report.timing_differences.iter().map(json_open_finding).collect::<Vec<_>>(),
        "fair_use": report.fair_use.as_ref().map(json_fair_use),
        "api_budget": json_budget(&report.api_budget),
    })
}

fn json_open_finding(f: &OpenFinding) -> Json {
    json!({
        "id": f.id,
        "kind": f.kind,
        "severity": f.severity,
        "cin7_ref": f.cin7_ref,
        "xero_ref": f.xero_ref,
        "account_code": f.account_code,
        "amount": json_money(f.amount),
        "message": f.message,
    })
}

fn json_month(m: &MonthCount) -> Json {
    json!({
        "month": m.month.format("%Y-%m").to_string(),
        "sales_invoices": m.sales_invoices,
        "bills": m.bills,
        "total": m.total(),
    })
}

fn json_fair_use(fair: &FairUse) -> Json {
    json!({
        "this_month": json_month(&fair.this_month),
        "quarter_start": fair.quarter_start.to_string(),
        "months": fair.months.iter().map(json_month).collect::<Vec<_>>(),
        "quarter_average": money(fair.quarter_average),
        "projected_average": fair.projected_average.map(|p| p.to_string()),
        "tier": fair.tier,
        "next_tier": fair.next_tier,
    })
}

fn json_budget(budget: &ApiBudget) -> Json {
    let systems: Vec<Json> = budget
        .systems
        .iter()
        .map(|s| {
            json!({
                "system": s.calls.system,
                "calls": s.calls.calls,
                "rate_limited": s.calls.rate_limited,
                "lowest_day_remaining": s.calls.lowest_day_remaining,
                "limit": s.calls.limit,
                "used_percent": s.used_percent.map(|p| p.to_string()),
                "remaining": s.remaining,
            })
        })
        .collect();
    json!({ "since": timestamp(budget.since), "until": timestamp(budget.until), "systems": systems })
}

/// Where an account's balances start: the financial year's start for a profit-and-loss
/// account when known, else `None` (every ledger line to the report date).
fn from(report: &Report, account: &AccountVariance) -> Option<chrono::NaiveDate> {
    report.year_start.filter(|_| PROFIT_AND_LOSS_ROLES.contains(&account.role))
}

/// One row per account of every report; empty cells where a side has no figure.
pub(super) fn csv(reports: &[Report]) -> String {
    let columns = [
        "connection",
        "date",
        "xero_source",
        "role",
        "code",
        "from",
        "cin7_balance",
        "xero_balance",
        "variance",
        "explained",
        "unexplained",
        "explained_by_kind",
    ];
    let text = |s: String| Value::Text(s);
    let cell = |amount: Option<Decimal>| amount.map_or(Value::Null, |a| text(money(a)));
    let rows = reports
        .iter()
        .flat_map(|r| {
            r.accounts.iter().map(|a| {
                let by_kind: Vec<String> = a
                    .explained
                    .iter()
                    .map(|e| format!("{}={} ({})", e.kind, money(e.amount), e.count))
                    .collect();
                vec![
                    text(r.connection.clone()),
                    text(r.date.to_string()),
                    text(r.xero_source.as_str().into()),
                    text(a.role.into()),
                    text(a.code.clone()),
                    from(r, a).map_or(Value::Null, |d| text(d.to_string())),
                    cell(a.cin7_balance),
                    cell(a.xero_balance),
                    cell(a.variance),
                    text(money(a.explained_total())),
                    cell(a.unexplained),
                    text(by_kind.join("; ")),
                ]
            })
        })
        .collect();
    Table { columns: columns.map(String::from).to_vec(), rows }.to_csv()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::XeroSource;
    use chrono::NaiveDate;

    use crate::report::fixture::{at, sample};

    #[test]
    fn text_has_a_header_accounts_fixes_explanations_findings_and_operational_figures() {
        insta::assert_snapshot!(render(&[sample()], Format::Text));
    }

    #[test]
    fn text_names_the_trial_balance_and_the_previous_report_when_they_apply() {
        let mut report = sample();
        report.xero_source = XeroSource::TrialBalance;
        report.year_start = None;
        report.window.previous_report = NaiveDate::from_ymd_opt(2026, 11, 20);
        report.window.since = at("2026-11-20T13:00:00Z");
        let text = render(&[report], Format::Text);
        let header: Vec<&str> = text.lines().take(4).collect();
        assert_eq!(
            header,
            [
                "Variance report: acme, 2026-11-24",
                "Xero figures: the Xero trial balance as at 2026-11-24 (Xero does not grant Journals)",
                "Profit and loss accounts: every ledger line to 2026-11-24 (the Xero financial year end is not synced yet)",
                "Findings window: since the report of 2026-11-20 (2026-11-20T13:00:00.000Z to 2026-11-24T13:00:00.000Z)",
            ]
        );
    }

    #[test]
    fn text_says_none_rather_than_zero_for_sections_without_figures() {
        let mut report = sample();
        report.fair_use = None;
        report.timing_differences.clear();
        report.fix_first.clear();
        let text = render(&[report], Format::Text);
        assert!(text.contains("Timing differences: none\n"), "{text}");
        assert!(text.contains("  no figure: Xero invoices have not been synced\n"), "{text}");
        assert!(text.contains("Fix first: nothing (no open finding explains any money)\n"));
    }

    #[test]
    fn csv_has_one_row_per_account_with_empty_cells_for_missing_figures() {
        let expected = "connection,date,xero_source,role,code,from,cin7_balance,xero_balance,variance,explained,unexplained,explained_by_kind\r\n\
acme,2026-11-24,journals,inventory,630,,1000.00,800.00,200.00,144.50,55.50,amount_mismatch=-5.50 (1); missing_in_xero=150.00 (2)\r\n\
acme,2026-11-24,journals,cogs,310,2026-07-01,5.00,,,0.00,,\r\n\
acme,2026-11-24,journals,grni,815,,-500.00,-450.00,-50.00,0.00,-50.00,\r\n";
        assert_eq!(render(&[sample()], Format::Csv), expected);
    }

    #[test]
    fn json_follows_the_contract_field_by_field_with_money_as_strings() {
        let out = render(&[sample(), sample()], Format::Json);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "one object per connection, one per line");
        let report: Json = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(report["connection"], "acme");
        assert_eq!(report["date"], "2026-11-24");
        assert_eq!(report["xero_source"], "journals");
        assert_eq!(report["year_start"], "2026-07-01");
        let accounts = report["accounts"].as_array().unwrap();
        assert_eq!(accounts.len(), 3);
        let inventory = &accounts[0];
        assert_eq!(inventory["role"], "inventory");
        assert_eq!(inventory["code"], "630");
        assert_eq!(inventory["cin7_balance"], "1000.00");
        assert_eq!(inventory["xero_balance"], "800.00");
        assert_eq!(inventory["variance"], "200.00");
        assert_eq!(inventory["unexplained"], "55.50");
        assert_eq!(inventory["explained"][1]["kind"], "missing_in_xero");
        assert_eq!(inventory["explained"][1]["amount"], "150.00");
        assert_eq!(inventory["explained"][1]["count"], 2);
        let cogs = &accounts[1];
        assert!(cogs["xero_balance"].is_null() && cogs["variance"].is_null());
        assert!(cogs["unexplained"].is_null());
        assert_eq!(cogs["from"], "2026-07-01", "a P&L account starts at the year's start");
        assert!(inventory["from"].is_null(), "a balance-sheet account is cumulative");
        assert_eq!(accounts[2]["cin7_balance"], "-500.00");
        assert_eq!(report["new_findings"][0]["kind"], "missing_in_xero");
        assert_eq!(report["new_findings"][0]["amount"], "120.00");
        assert_eq!(report["new_findings"][0]["cin7_ref"], "INV-1");
        assert_eq!(report["resolved_findings"], Json::Array(vec![]));
        assert!(report["window"]["previous_report"].is_null());
        assert_eq!(report["unattributed_findings"][0]["kind"], "missing_in_xero");
        assert_eq!(report["unattributed_findings"][0]["amount"], "310.00");
        assert_eq!(report["unattributed_findings"][0]["count"], 3);
    }

    #[test]
    fn json_adds_fix_first_timing_differences_fair_use_and_the_api_budget() {
        let report: Json = serde_json::from_str(&render(&[sample()], Format::Json)).unwrap();
        let fix = &report["fix_first"][0];
        assert_eq!((fix["id"].as_i64(), fix["kind"].as_str()), (Some(7), Some("missing_in_xero")));
        assert_eq!(
            (fix["explains"].as_str(), fix["amount"].as_str()),
            (Some("120.00"), Some("120.00"))
        );
        assert_eq!(fix["message"], "Send INV-1 to Xero");
        assert_eq!(report["timing_differences"][0]["cin7_ref"], "SO-77");
        assert_eq!(report["timing_differences"][0]["amount"], "42.00");
        let fair = &report["fair_use"];
        assert_eq!(fair["this_month"]["month"], "2026-11");
        assert_eq!(fair["this_month"]["total"], 2810);
        assert_eq!(fair["quarter_average"], "3155.00");
        assert_eq!(fair["projected_average"], "3508", "the finding's projection, shown alike");
        assert!(fair["tier"].is_null());
        assert_eq!(fair["next_tier"], 5000);
        let xero = &report["api_budget"]["systems"][0];
        assert_eq!((xero["system"].as_str(), xero["calls"].as_u64()), (Some("xero"), Some(1234)));
        assert_eq!(
            (xero["used_percent"].as_str(), xero["remaining"].as_i64()),
            (Some("24.7"), Some(3766))
        );
        assert!(report["api_budget"]["systems"][1]["limit"].is_null());
        let mut empty = sample();
        empty.fair_use = None;
        empty.timing_differences.clear();
        let empty: Json = serde_json::from_str(&render(&[empty], Format::Json)).unwrap();
        assert!(empty["fair_use"].is_null(), "no figure, not zero");
        assert_eq!(empty["timing_differences"], Json::Array(vec![]));
    }
}
