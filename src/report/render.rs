//! Printing a [`Report`]: aligned text for terminals and logs, JSON (the command-line
//! contract: one object per connection, one per line), and CSV (one row per account). Pure.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde_json::{Value as Json, json};

use super::{AccountVariance, Explained, FindingNote, PROFIT_AND_LOSS_ROLES, Report, money};
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

/// The report's first lines: connection and date, where the figures came from, the window.
fn header(report: &Report) -> String {
    let mut out = format!("Variance report: {}, {}\n", report.connection, report.date);
    let _ = writeln!(out, "Xero figures: {}", report.xero_source.describe(report.date));
    if report.accounts.iter().any(|a| PROFIT_AND_LOSS_ROLES.contains(&a.role)) {
        let _ = match report.year_start {
            Some(start) => {
                writeln!(out, "Profit and loss accounts: from the financial year's start, {start}")
            }
            None => writeln!(
                out,
                "Profit and loss accounts: every ledger line to {} (the Xero financial year end \
                 is not synced yet)",
                report.date
            ),
        };
    }
    let w = &report.window;
    let _ = match w.previous_report {
        Some(previous) => writeln!(
            out,
            "Findings window: since the report of {previous} ({} to {})",
            timestamp(w.since),
            timestamp(w.until)
        ),
        None => writeln!(
            out,
            "Findings window: the 24 hours to {} (no earlier report is stored)",
            timestamp(w.until)
        ),
    };
    out
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
    out
}

fn reference(f: &FindingNote) -> String {
    match (&f.cin7_ref, &f.xero_ref) {
        (Some(c), Some(x)) if c != x => format!("{c} / {x}"),
        (Some(r), _) | (None, Some(r)) => r.clone(),
        (None, None) => NONE.into(),
    }
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
    })
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
    use crate::report::{FindingWindow, XeroSource};
    use chrono::{DateTime, NaiveDate};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<chrono::Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn account(role: &'static str, code: &str, cin7: &str, xero: Option<&str>) -> AccountVariance {
        let (cin7, xero) = (d(cin7), xero.map(d));
        let variance = xero.map(|x| cin7 - x);
        AccountVariance {
            role,
            code: code.into(),
            cin7_balance: Some(cin7),
            xero_balance: xero,
            variance,
            explained: vec![],
            unexplained: variance,
        }
    }

    /// A small report by hand: inventory partly explained, COGS without a Xero figure, GRNI
    /// (a credit-balance account) negative on both sides.
    fn sample() -> Report {
        let mut inventory = account("inventory", "630", "1000.00", Some("800.00"));
        inventory.explained = vec![
            Explained { kind: "amount_mismatch".into(), amount: d("-5.50"), count: 1 },
            Explained { kind: "missing_in_xero".into(), amount: d("150.00"), count: 2 },
        ];
        inventory.unexplained = Some(d("55.50"));
        Report {
            connection: "acme".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            xero_source: XeroSource::Journals,
            year_start: NaiveDate::from_ymd_opt(2026, 7, 1),
            accounts: vec![
                inventory,
                account("cogs", "310", "5.00", None),
                account("grni", "815", "-500.00", Some("-450.00")),
            ],
            unattributed: vec![Explained {
                kind: "missing_in_xero".into(),
                amount: d("310.00"),
                count: 3,
            }],
            new_findings: vec![FindingNote {
                id: 7,
                kind: "missing_in_xero".into(),
                severity: "warning".into(),
                cin7_ref: Some("INV-1".into()),
                xero_ref: None,
                account_code: Some("630".into()),
                amount: Some(d("120.00")),
                message: "Send INV-1 to Xero".into(),
                at: at("2026-11-24T02:00:00Z"),
            }],
            resolved_findings: vec![],
            window: FindingWindow {
                previous_report: None,
                since: at("2026-11-23T13:00:00Z"),
                until: at("2026-11-24T13:00:00Z"),
            },
        }
    }

    #[test]
    fn text_has_a_header_aligned_accounts_explanations_and_findings() {
        let expected = "\
Variance report: acme, 2026-11-24
Xero figures: Xero Journals dated on or before 2026-11-24
Profit and loss accounts: from the financial year's start, 2026-07-01
Findings window: the 24 hours to 2026-11-24T13:00:00.000Z (no earlier report is stored)

role       code     cin7     xero  variance  explained  unexplained
---------  ----  -------  -------  --------  ---------  -----------
inventory  630   1000.00   800.00    200.00     144.50        55.50
cogs       310      5.00        -         -       0.00            -
grni       815   -500.00  -450.00    -50.00       0.00       -50.00
No Xero figure: cogs 310

Explained by open findings:
  inventory 630  amount_mismatch   -5.50  (1)
  inventory 630  missing_in_xero  150.00  (2)
Open findings on no control account:
  missing_in_xero  310.00  (3)

New findings (1):
  missing_in_xero  warning  630  120.00  INV-1  Send INV-1 to Xero

Resolved findings: none
";
        assert_eq!(render(&[sample()], Format::Text), expected);
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
}
